"""Chapter 1: the lesson's experiments and the backprop checker."""
import math

import numpy as np
import pytest

from course_lib import diagnostics
from course_lib.check import ch01 as check
from course_lib.lessons import ch01
from course_lib.widgets import settings


# ---------------------------------------------------------------- float64 saturation

def test_sigmoid_prime_matches_formula_and_stays_positive():
    x = np.linspace(-10, 10, 41)  # beyond ~15, s * (1 - s) itself loses digits: the chapter's point
    s = 1 / (1 + np.exp(-x))
    assert np.allclose(ch01.sigmoid_prime(x), s * (1 - s), rtol=1e-9, atol=0)
    assert ch01.sigmoid_prime(np.float64(40)) == pytest.approx(math.exp(-40), rel=1e-12)


def test_saturation_table_shows_exact_zeros_only_on_the_positive_side():
    rows = {r.x: r for r in ch01.saturation_table()}
    assert rows[40].value == 1.0 and rows[40].numeric == 0.0 and rows[40].from_output == 0.0
    assert rows[40].exact > 0
    assert rows[-40].numeric == pytest.approx(rows[-40].exact, rel=1e-6)
    assert rows[5].numeric == pytest.approx(rows[5].exact, rel=1e-6)
    assert 36.7 < ch01.one_threshold() < 36.8
    assert "σ(x)" in ch01.format_table(ch01.saturation_table())


def test_thresholds_are_53_and_24_ln2():
    assert ch01.one_threshold() == pytest.approx(53 * math.log(2), abs=1e-3)
    assert ch01.one_threshold(np.float32) == pytest.approx(24 * math.log(2), abs=1e-2)
    g32 = ch01.sigmoid_layer_grad([16.0, 17.0], np.float32)
    assert g32.dtype == np.float32 and g32[0] > 0 and g32[1] == 0
    assert ch01.sigmoid_layer_grad([36.0, 37.0])[1] == 0


def test_torch_sigmoid_backward_is_zero_at_the_same_points():
    torch = pytest.importorskip("torch")
    for dtype, x, ours in [(torch.float64, 40.0, np.float64), (torch.float32, 17.0, np.float32),
                           (torch.float32, 16.0, np.float32)]:
        t = torch.tensor(x, dtype=dtype, requires_grad=True)
        torch.sigmoid(t).backward()
        assert t.grad.item() == pytest.approx(float(ch01.sigmoid_layer_grad([x], ours)[0]), rel=1e-6)


# ---------------------------------------------------------------- chain rule

@pytest.mark.parametrize("seed", [0, 1, 2])
def test_chain_rule_formula_matches_numerical_and_engine(seed):
    err = ch01.chain_rule_check(seed)
    assert err["numerical"] < 1e-6
    assert err["course_lib"] < 1e-12


# ---------------------------------------------------------------- gradient flow

def test_gradient_flow_agrees_with_diagnostics():
    flow = ch01.gradient_flow("tanh", 8, 1.0, seed=3)
    X, y = ch01.batch()
    model = ch01.deep_mlp("tanh", 8, 1.0, seed=3)
    assert np.allclose(flow.weight, diagnostics.gradient_norms(model, X, y), rtol=1e-12)
    assert flow.weight.shape == flow.delta.shape == flow.inputs.shape == (8,)


@pytest.mark.parametrize("seed", range(4))
def test_sigmoid_vanishes_and_tanh_with_large_weights_explodes(seed):
    sig = ch01.gradient_flow("sigmoid", 20, 1.0, seed=seed).weight
    assert sig[0] < 1e-9 * sig[-1]
    tanh = ch01.gradient_flow("tanh", 20, 4.0, seed=seed).weight
    assert tanh[0] > 100 * tanh[-1]


@pytest.mark.parametrize("g", [0.5, math.sqrt(2), 2.0])
def test_relu_backward_factor_is_g_over_sqrt2(g):
    f = ch01.gradient_flow("relu", 20, g)
    assert ch01.per_layer_factor(f) == pytest.approx(g / math.sqrt(2), rel=0.05)


def test_bad_settings_are_clear_errors():
    with pytest.raises(ValueError, match="activation"):
        ch01.deep_mlp("softplus", 5, 1.0)
    with pytest.raises(ValueError, match="depth"):
        ch01.deep_mlp("relu", 1, 1.0)
    with pytest.raises(ValueError, match="scale"):
        ch01.scaled_normal(0.0)


def test_widget_grid_is_small_and_every_frame_draws():
    spec = ch01.WIDGETS["main"]
    grid = list(settings(spec["controls"]))
    assert len(grid) <= 40
    msg = ch01.draw("sigmoid", 0.25, 200)  # 10^-300 and below: float64 underflows
    assert isinstance(msg, str) and "0" in msg


def test_widget_prepare_fills_the_cache_that_draw_reads():
    import matplotlib.pyplot as plt

    ch01.WIDGETS["main"]["prepare"](activation="tanh", scale=2.0, depth=10)
    misses = ch01.widget_flow.cache_info().misses
    plt.close(ch01.draw(activation="tanh", scale=2.0, depth=10))
    assert ch01.widget_flow.cache_info().misses == misses


# ---------------------------------------------------------------- the checker

def reference(x, y, Ws, bs):
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    hs = [x]
    for W, b in zip(Ws[:-1], bs[:-1]):
        hs.append(sig(hs[-1] @ W + b))
    delta = 2 * (hs[-1] @ Ws[-1] + bs[-1] - y)
    grads = []
    for k in reversed(range(len(Ws))):
        grads.insert(0, hs[k].T @ delta)
        if k:
            delta = (delta @ Ws[k].T) * hs[k] * (1 - hs[k])
    return grads


def loop_reference(x, y, Ws, bs):
    """A different correct answer: one example at a time, sigmoid' from the pre-activation."""
    grads = [np.zeros_like(W) for W in Ws]
    for xi, yi in zip(x, y):
        hs, zs = [xi], []
        for W, b in zip(Ws[:-1], bs[:-1]):
            zs.append(hs[-1] @ W + b)
            hs.append(1 / (1 + np.exp(-zs[-1])))
        delta = 2 * (hs[-1] @ Ws[-1] + bs[-1] - yi)
        for k in reversed(range(len(Ws))):
            grads[k] += np.outer(hs[k], delta)
            if k:
                s = 1 / (1 + np.exp(-zs[k - 1]))
                delta = (Ws[k] @ delta) * s * (1 - s)
    return grads


def test_checker_accepts_correct_answers():
    assert check.sigmoid_backprop(reference)
    assert check.sigmoid_backprop(loop_reference)


def variant(**switches):
    return lambda x, y, Ws, bs: check._reference(x, y, Ws, bs, **switches)


@pytest.mark.parametrize("name", list(check.MISTAKES))
def test_checker_names_each_classic_mistake(name):
    switches, message = check.MISTAKES[name]

    def student(x, y, Ws, bs):
        square = all(W.shape[0] == W.shape[1] for W in Ws)
        if name in ("transpose", "own_output") and not square:
            return check._reference(x, y, Ws, bs)  # these only show as values on square layers
        return check._reference(x, y, Ws, bs, **switches)
    result = check.sigmoid_backprop(student)
    assert not result
    assert message in result.messages


@pytest.mark.parametrize("factor, words", [(0.5, "절반"), (-1.0, "부호"), (None, "평균이 아니라 합")])
def test_checker_explains_constant_multiples(factor, words):
    def student(x, y, Ws, bs):
        c = 1 / len(x) if factor is None else factor
        return [c * g for g in reference(x, y, Ws, bs)]
    result = check.sigmoid_backprop(student)
    assert not result
    assert words in " ".join(result.messages)


def test_checker_reports_shapes_errors_and_mutation():
    r = check.sigmoid_backprop(lambda x, y, Ws, bs: [g.T for g in reference(x, y, Ws, bs)])
    assert not r and "모양" in " ".join(r.messages)
    r = check.sigmoid_backprop(lambda x, y, Ws, bs: reference(x, y, Ws, bs)[:-1])
    assert not r and "개" in " ".join(r.messages)

    def raises(x, y, Ws, bs):
        raise NotImplementedError
    r = check.sigmoid_backprop(raises)
    assert not r and "구현" in " ".join(r.messages)

    def mutates(x, y, Ws, bs):
        out = reference(x, y, Ws, bs)
        Ws[0] -= 0.1 * out[0]
        return out
    r = check.sigmoid_backprop(mutates)
    assert not r and "바꾸었습니다" in " ".join(r.messages)


def test_checker_hints_at_the_layer_output_and_at_reversed_order_from_shapes():
    r = check.sigmoid_backprop(variant(own_output=True))
    assert not r and "출력 h_k" in " ".join(r.messages)
    r = check.sigmoid_backprop(variant(reverse=True))
    assert not r and check.MISTAKES["reverse"][1] in r.messages


def test_checker_locates_a_wrong_hidden_layer():
    def student(x, y, Ws, bs):
        out = reference(x, y, Ws, bs)
        out[0] = out[0] * 1.5
        return out
    r = check.sigmoid_backprop(student)
    assert not r and "∂L/∂W_1부터" in " ".join(r.messages)


def test_tables_and_update_cases():
    result = ch01.sweep(depth=6, scales=(1.0,), acts=("relu",))
    assert "relu" in ch01.ratio_table(result) and "0.707" in ch01.rho_table(result)
    updates = ch01.update_cases(cases=(("relu", math.sqrt(2)),), depth=4)
    assert updates[("relu", math.sqrt(2))].shape == (4,)
