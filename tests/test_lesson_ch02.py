"""Chapter 2 (활성화 함수): the lesson's experiments and the SELU checker."""
import math

import numpy as np
import pytest

from course_lib import activations as act
from course_lib.check import ch02 as check
from course_lib.lessons import ch02

A, L = check.ALPHA, check.SCALE


# ---------------------------------------------------------------- lesson

def test_squeeze_matches_the_source_numbers():
    r = ch02.squeeze()
    np.testing.assert_allclose(r["sigmoid"], [0.73105858, 0.95257413, 0.99330715, 0.99908895,
                                              0.99987661], atol=1e-8)
    assert np.all(r["sigmoid_gaps"][1:] < r["sigmoid_gaps"][:-1] / 5)


def test_selu_constants_from_the_fixed_point_equations():
    alpha, scale = ch02.selu_constants()
    assert alpha == pytest.approx(act.SELU().alpha, abs=1e-12)
    assert scale == pytest.approx(act.SELU.scale, abs=1e-12)
    mean, second = ch02.gaussian_moments("selu", 1.0)
    assert abs(mean) < 1e-9 and second == pytest.approx(1.0, abs=1e-9)


def test_gaussian_moments_against_closed_forms():
    # ReLU: E[max(z,0)] = sqrt(q/(2π)), E[max(z,0)²] = q/2
    for q in (0.3, 1.0, 4.0):
        m, s = ch02.gaussian_moments("relu", q)
        assert m == pytest.approx(math.sqrt(q / (2 * math.pi)), rel=1e-9)
        assert s == pytest.approx(q / 2, rel=1e-9)


def test_variance_map_fixed_points():
    assert ch02.variance_map("selu", "LeCun", 1.0) == pytest.approx(1.0, abs=1e-9)
    assert ch02.variance_map("relu", "He", 2.5) == pytest.approx(2.5, rel=1e-9)
    assert ch02.variance_map("relu", "LeCun", 2.0) == pytest.approx(1.0, rel=1e-9)
    q = ch02.iterate_variance("selu", "LeCun", 4.0, 30)
    assert abs(q[-1] - 1) < 0.01  # attracting from above
    q = ch02.iterate_variance("selu", "LeCun", 0.1, 30)
    assert abs(q[-1] - 1) < 0.01  # and from below
    with pytest.raises(ValueError, match="가능한 이름"):
        ch02.variance_map("mish", "He", 1.0)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_selu_lecun_keeps_mean_0_std_1_through_100_layers(seed):
    r = ch02.depth_stats("selu", "LeCun", depth=100, seed=seed)
    assert np.all(np.abs(r["mean"]) < 0.1)
    assert np.all(np.abs(r["std"] - 1) < 0.15)
    assert ch02.depth_stats("relu", "LeCun", depth=100, seed=seed)["std"][49] < 1e-6
    assert ch02.depth_stats("selu", "He", depth=100, seed=seed)["std"][99] > 50


def test_rrelu_demo_random_in_training_mean_in_eval():
    d = ch02.rrelu_demo(seed=3)
    neg = d["x"] < 0
    assert not np.allclose(d["train1"][neg], d["train2"][neg])
    slope = d["train1"][neg] / d["x"][neg]
    assert np.all((slope >= 1 / 8) & (slope <= 1 / 3))
    np.testing.assert_allclose(d["eval"][neg], (1 / 8 + 1 / 3) / 2 * d["x"][neg])


def test_dead_relu_units_get_exactly_zero_gradient():
    r = ch02.dying_relu("relu", seed=0, epochs_after=1)
    assert r["inactive_end"].max() > 0.5
    g = r["grads"]
    assert np.all(g[np.isfinite(g)] == 0.0)


def test_widget_frames_and_bad_names():
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    spec = ch02.WIDGETS["main"]
    n = np.prod([len(v) for v in spec["controls"].values()])
    assert n <= 40
    fig = spec["draw"](activation="SELU", depth=10)
    assert isinstance(fig, Figure)
    plt.close(fig)
    with pytest.raises(ValueError, match="가능한 이름"):
        ch02.depth_stats("mish", "He", depth=2)
    with pytest.raises(ValueError, match="depth=30"):
        ch02.draw("ReLU", depth=30)


def test_widget_prepare_fills_the_cache_that_draw_reads():
    import matplotlib.pyplot as plt

    ch02.WIDGETS["main"]["prepare"](activation="tanh")
    misses = ch02.widget_runs.cache_info().misses
    plt.close(ch02.draw(activation="tanh", depth=100))
    assert ch02.widget_runs.cache_info().misses == misses
    # every depth of the widget is a prefix of the one 100-layer run
    std = ch02.widget_runs("tanh")["LeCun"]["std"]
    assert std.shape == (100,) and 0.06 < std[-1] < 0.09   # q_100 ≈ 1/200 (the notebook's text)


# ---------------------------------------------------------------- checker

def reference(x):
    f = np.where(x > 0, L * x, L * A * np.expm1(np.minimum(x, 0)))
    return f, np.where(x > 0, L, L * A * np.exp(np.minimum(x, 0)))


def via_f_plus(x):
    f = L * (np.maximum(x, 0) + A * (np.exp(np.minimum(x, 0)) - 1))
    return f, np.where(x > 0, L, f + L * A)


def right_slope_at_zero(x):
    f, df = reference(x)
    return f, np.where(x >= 0, L, df)


def rounded(x):
    a, s = 1.6733, 1.0507
    return (np.where(x > 0, s * x, s * a * (np.exp(np.minimum(x, 0)) - 1)),
            np.where(x > 0, s, s * a * np.exp(np.minimum(x, 0))))


def engine(x):
    layer = act.SELU()
    f = layer.forward(x)
    return f, layer.backward(np.ones_like(x))


@pytest.mark.parametrize("fn", [reference, via_f_plus, right_slope_at_zero, rounded, engine])
def test_checker_accepts_every_correct_answer(fn):
    result = check.selu(fn)
    assert result, repr(result)
    assert "통과" in repr(result)


def _wrong_forward(alpha=A, scale=L, scale_neg=None, minus_one=True):
    def fn(x):
        f = check._selu(x, alpha, scale, scale_neg, minus_one)
        return f, reference(x)[1]
    return fn


def _wrong_derivative(dfun):
    return lambda x: (reference(x)[0], dfun(x))


MISTAKES = [
    (_wrong_forward(scale=1.0), "λ(≈1.0507)를 곱하지 않았습니다"),
    (_wrong_forward(alpha=1.0), "α를 1로 썼습니다"),
    (_wrong_forward(alpha=L, scale=A), "α와 λ를 바꿔 썼습니다"),
    (_wrong_forward(scale=1.0, scale_neg=L), "양수 쪽(x > 0)에 λ를 곱하지"),
    (_wrong_forward(scale_neg=1.0), "음수 쪽(x ≤ 0)에 λ를 곱하지"),
    (_wrong_forward(minus_one=False), "-1을 빠뜨렸습니다"),
    (_wrong_forward(alpha=0.0), "λ·ReLU"),
    (_wrong_forward(alpha=1.67, scale=1.05), "λ = f(1) = 1.050000"),
    (_wrong_derivative(lambda x: np.where(x > 0, 1.0, reference(x)[1])), "f'(x) = λ ≈ 1.0507"),
    (_wrong_derivative(lambda x: np.where(x > 0, L, A * np.exp(np.minimum(x, 0)))), "λ를 빠뜨렸습니다 (αe^x)"),
    (_wrong_derivative(lambda x: np.where(x > 0, L, reference(x)[0] + A)), "f(x) + α로 썼습니다"),
    (_wrong_derivative(lambda x: np.where(x > 0, L, reference(x)[0])), "함숫값 f(x)"),
    (_wrong_derivative(lambda x: np.where(x > 0, 1.0, A * np.exp(np.minimum(x, 0)))), "도함수 전체에 λ"),
    (_wrong_derivative(lambda x: np.where(x > 0, L, 0.0)), "도함수를 0으로"),
]


@pytest.mark.parametrize("fn, expected", MISTAKES)
def test_checker_names_each_classic_mistake(fn, expected):
    result = check.selu(fn)
    assert not result
    assert expected in repr(result), repr(result)


def test_checker_overflow_inplace_shape_and_errors():
    def naive_where(x):  # exp(800) = inf, and inf·0 = nan
        mask = (x <= 0)
        f = L * (x * ~mask + A * (np.exp(x) - 1) * mask)
        return f, np.where(x > 0, L, L * A * np.exp(x))

    def inplace(x):
        f, df = reference(x)
        x *= 2
        return f, df

    r = check.selu(naive_where)
    assert not r and "np.minimum(x, 0)" in repr(r)
    r = check.selu(inplace)
    assert not r and "제자리" in repr(r)
    r = check.selu(lambda x: reference(x)[0])
    assert not r and "튜플" in repr(r)
    r = check.selu(lambda x: (reference(x)[0].ravel(), reference(x)[1]))
    assert not r and "모양" in repr(r)

    def todo(x):
        raise NotImplementedError("힌트")

    r = check.selu(todo)
    assert not r and "구현하지 않았습니다" in repr(r)
    r = check.selu(lambda x: 1 / 0)
    assert not r and "ZeroDivisionError" in repr(r)
