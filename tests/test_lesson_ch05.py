"""Chapter 5 (층 정규화): the lesson's experiments and the LayerNorm-forward checker."""
import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_lib.check import ch05 as check
from course_lib.layers import LayerNorm
from course_lib.lessons import ch05


# ---------------------------------------------------------------- the checker

def reference(x, gamma, beta, eps=1e-5):
    mean = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)
    return gamma * (x - mean) / np.sqrt(var + eps) + beta


def with_layer(x, gamma, beta, eps=1e-5):
    """Another correct answer: the course's own LayerNorm layer."""
    ln = LayerNorm(x.shape[1], eps=eps)
    ln.params["gamma"][:], ln.params["beta"][:] = gamma, beta
    return ln.forward(x)


def by_rows(x, gamma, beta, eps=1e-5):
    """A loop over examples is fine too."""
    out = np.empty_like(x)
    for n, row in enumerate(x):
        out[n] = gamma * (row - row.mean()) / np.sqrt(((row - row.mean()) ** 2).mean() + eps) + beta
    return out


@pytest.mark.parametrize("fn", [reference, with_layer, by_rows])
def test_correct_answers_pass(fn):
    assert check.layernorm_forward(fn)


def mistake(**kw):
    def fn(x, gamma, beta, eps=1e-5):
        return check._reference(x, gamma, beta, eps, **kw)
    return fn


@pytest.mark.parametrize("kw, words", [
    (dict(axis=0), "배치 축(axis=0)"),
    (dict(axis=0, ddof=1), "배치 축(axis=0)"),
    (dict(ddof=1), "불편 분산"),
    (dict(eps_outside=True), "제곱근 밖"),
    (dict(no_eps=True), "ε을 빼먹었습니다"),
    (dict(affine=False), "γ와 β를 적용하지"),
])
def test_classic_mistakes_are_named(kw, words):
    result = check.layernorm_forward(mistake(**kw))
    assert not result
    text = repr(result)
    assert words in text, text
    assert "기대값" in text


def test_missing_keepdims_is_caught_with_and_without_an_error():
    def no_keepdims(x, gamma, beta, eps=1e-5):
        return gamma * (x - x.mean(axis=1)) / np.sqrt(x.var(axis=1) + eps) + beta

    text = repr(check.layernorm_forward(no_keepdims))
    assert "keepdims" in text
    # on a square input the same mistake raises no error: the checker still names it
    x = np.random.default_rng(0).normal(size=(5, 5))
    g, b = np.ones(5), np.zeros(5)
    got = no_keepdims(x, g, b)
    assert "keepdims" in check._diagnose(got, (x, g, b, 1e-5))


def test_other_failures():
    def mutates(x, gamma, beta, eps=1e-5):
        x -= x.mean(axis=1, keepdims=True)
        return gamma * x / np.sqrt(x.var(axis=1, keepdims=True) + eps) + beta

    def ignores_eps(x, gamma, beta, eps=1e-5):
        return reference(x, gamma, beta)

    def stub(*args, **kwargs):
        raise NotImplementedError("힌트: ...")

    assert "제자리에서" in repr(check.layernorm_forward(mutates))
    assert "eps 인자" in repr(check.layernorm_forward(ignores_eps))
    assert "NotImplementedError" in repr(check.layernorm_forward(stub))


def test_checker_reference_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x = rng.normal(1.0, 2.0, size=(4, 6))
    gamma, beta = rng.uniform(0.5, 2, 6), rng.normal(size=6)
    ln = torch.nn.LayerNorm(6, eps=0.1).double()
    with torch.no_grad():
        ln.weight[:] = torch.tensor(gamma, dtype=torch.float64)
        ln.bias[:] = torch.tensor(beta, dtype=torch.float64)
    out = ln(torch.tensor(x)).detach().numpy()
    np.testing.assert_allclose(out, check._reference(x, gamma, beta, 0.1), atol=1e-12)


# ---------------------------------------------------------------- the lesson

def test_gradient_check_passes():
    assert max(ch05.gradient_check().values()) < 1e-7


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_invariances_match_ba_et_al(seed):
    inv = ch05.invariances(seed=seed)
    for kind in ("batch", "layer"):
        measured = inv[kind] < 1e-9
        assert list(measured) == ch05.BA_TABLE[kind]
        assert inv[kind][~measured].min() > 0.3


def test_invariance_table():
    text = ch05.invariance_table(ch05.invariances())
    assert text.count("<tr>") == len(ch05.TRANSFORMS) + 1
    assert text.count("✓") == 8 and text.count("✗") == 4


def test_batch_dependence():
    dep = ch05.batch_dependence()
    assert dep["LN: 혼자 vs 배치"] == 0.0 and dep["LN: 훈련 vs 평가"] == 0.0
    assert dep["BN: 다른 배치"] > 0.3 and dep["BN: 훈련 vs 평가"] > 0.3


def test_batch_of_two_gives_plus_minus_one():
    absx = ch05.batch_two()
    assert np.mean(absx > 0.99) > 0.97 and absx.max() <= 1.0


def test_bn_noise_follows_one_over_sqrt_n():
    noise = ch05.bn_noise(batch_sizes=(8, 32), draws=100)
    ratio = noise["BN"][0] / noise["BN"][1]
    assert abs(ratio / 2.0 - 1) < 0.25
    assert noise["LN"].max() < 1e-12


def test_small_batch_claims():
    tiny = ch05.run("batch", 2), ch05.run("layer", 2)
    assert tiny[0].test_acc < 0.6 and tiny[1].test_acc > 0.85
    assert ch05.run("batch", 2) is tiny[0]  # cached


def test_widget_frames():
    for b in (2, 64):
        fig = ch05.draw(b)
        fig.canvas.draw()
        labels = [t.get_text() for ax in fig.axes for t in ax.get_yticklabels() + ax.texts]
        assert all("\u2212" not in s for s in labels)
        plt.close(fig)
    frames = np.prod([len(v) for v in ch05.WIDGETS["main"]["controls"].values()])
    assert frames <= 40


def test_widget_prepare_computes_the_frames_data():
    bn, ln, noise = ch05.WIDGETS["main"]["prepare"](batch_size=64)
    assert bn is ch05.run("batch", 64) and ln is ch05.run("layer", 64) and noise is ch05.bn_noise()


def test_widget_redraw_keeps_nothing_of_the_previous_setting():
    """draw reuses one figure: the curves, accuracies and circled batch size follow the setting."""
    ch05.draw(2)
    fig = ch05.draw(64)
    ax, ax_noise = fig.axes
    bn, ln = ch05.run("batch", 64), ch05.run("layer", 64)
    for line, loss in zip(ax.lines, (bn.train_loss, bn.step_loss, ln.train_loss)):
        assert np.array_equal(line.get_ydata(), loss)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert f"{bn.test_acc:.2f}" in legend[0] and f"{ln.test_acc:.2f}" in legend[2]
    assert list(ax_noise.lines[1].get_xdata()) == [64]
    assert ax.get_title() == "배치 크기 64"
    plt.close(fig)
