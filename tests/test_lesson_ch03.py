"""Chapter 3 (가중치 초기화): the lesson's experiments and the he_normal checker."""
import math

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_lib import init
from course_lib.check import ch03 as check
from course_lib.lessons import ch03


# --- Saito's experiment -----------------------------------------------------------------

@pytest.mark.parametrize("seed", [0, 1, 2])
def test_saito_experiment(seed):
    cases = ch03.saito_cases(seed)
    for acts in cases.values():
        assert len(acts) == 5 and all(a.shape == (1000, 100) for a in acts)
    # std 1: most sigmoid outputs within 0.05 of 0 or 1 in every layer
    assert np.all(ch03.saturated_fraction(cases["sigmoid", "std=1"]) > 0.5)
    # std 0.01: from layer 2 on, everything sits near 0.5 (std ≈ 1/4 · √(100·1e-4·1/4) = 0.0125)
    s = ch03.layer_std(cases["sigmoid", "std=0.01"])
    assert np.all(s[1:] < 0.02)
    assert all(abs(a.mean() - 0.5) < 0.01 for a in cases["sigmoid", "std=0.01"])
    # Xavier: spread out, nothing saturated after layer 1
    s = ch03.layer_std(cases["sigmoid", "Xavier"])
    assert np.all((s > 0.08) & (s < 0.25))
    assert np.all(ch03.saturated_fraction(cases["sigmoid", "Xavier"])[1:] < 0.01)
    # ReLU: the sign pattern does not depend on the scale (positive homogeneity)
    xa, he = cases["relu", "Xavier"], cases["relu", "He"]
    for k, (a, b) in enumerate(zip(xa, he), start=1):
        np.testing.assert_allclose(b, a * math.sqrt(2) ** k, rtol=1e-9, atol=1e-12)
    # ReLU + std 0.01 collapses by ~√(100·1e-4/2) = 0.07 per layer
    s = ch03.layer_std(cases["relu", "std=0.01"])
    assert s[-1] < s[0] * 1e-3


@pytest.mark.parametrize("seed", range(8))
def test_depth_profile_matches_theory(seed):
    p = ch03.depth_profile(seed=seed)
    ratio = {k: v[-1] / v[0] for k, v in p.items()}
    # theory: 2^(-14.5) ≈ 4.3e-5, 1, 2^(14.5) ≈ 2.3e4 after 29 more layers
    assert 1e-6 < ratio["Xavier"] < 1e-3
    assert 0.25 < ratio["He"] < 4
    assert 1e3 < ratio["2/√n (오류)"] < 1e6


def test_deep_net_validates_depth():
    with pytest.raises(ValueError, match="depth"):
        ch03.deep_net(depth=0)


def test_wrong_he_std():
    W = ch03.wrong_he(400, 300, rng=0)
    assert abs(W.std() - 0.1) < 0.002  # 2/√400, not √(2/400) = 0.0707


@pytest.mark.parametrize("seed", range(5))
def test_gradient_ratios(seed):
    r = ch03.saito_grad_ratios(seed=seed)
    small = r["sigmoid", "std=0.01"]
    assert small[0] < 1e-5
    step = small[1:4] / small[2:]
    assert np.all((step > 1 / 60) & (step < 1 / 25))
    assert 0.3 < r["sigmoid", "std=1"][0] < 3
    assert r["sigmoid", "Xavier"][0] < 1 / 100
    np.testing.assert_allclose(r["relu", "std=0.01"], r["relu", "He"])
    np.testing.assert_allclose(r["relu", "Xavier"], r["relu", "He"])


# --- He et al. at small scale -------------------------------------------------------------

@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_xavier_stalls_he_trains(seed):
    xa = ch03.train_deep_relu("Xavier", seed)
    he = ch03.train_deep_relu("He", seed)
    assert not xa.diverged and not he.diverged
    assert all(abs(v - ch03.CHANCE) < 0.01 for v in xa.train_loss)
    assert xa.val_acc[-1] < 0.2
    assert he.train_loss[-1] < 1.6 and he.val_acc[-1] > 0.3
    g_xa, g_he = xa.grad_norm_array()[0], he.grad_norm_array()[0]
    assert np.all((g_xa / g_he > 1e-6) & (g_xa / g_he < 1e-3))  # ≈ 2^-15 in every layer


# --- figures and widget ---------------------------------------------------------------------

def test_figures_draw():
    cases = ch03.saito_cases(0)
    for (act, name), acts in cases.items():
        plt.close(ch03.fig_histograms(acts, act, title=f"{act} {name}"))
    plt.close(ch03.fig_depth_profile(ch03.depth_profile(depth=5)))
    plt.close(ch03.fig_case(cases, "relu", "Xavier"))
    plt.close(ch03.fig_grad_ratios(ch03.saito_grad_ratios(0)))


def test_layer_histograms_rows_are_fractions():
    acts = ch03.layer_activations("sigmoid", "Xavier", depth=4, n=200)
    counts, edges, zeros = ch03.layer_histograms(acts, "sigmoid")
    assert counts.shape == (4, 30) and len(edges) == 31 and zeros is None
    np.testing.assert_allclose(counts.sum(axis=1), 1.0)
    acts = ch03.layer_activations("relu", "He", depth=4, n=200)
    counts, _, zeros = ch03.layer_histograms(acts, "relu")
    np.testing.assert_allclose(counts.sum(axis=1) + np.array(zeros), 1.0)


def test_widget_static_grid_size():
    controls = ch03.WIDGETS["main"]["controls"]
    assert math.prod(len(v) for v in controls.values()) <= 40


def test_widget_extreme_setting_still_draws():
    # std 1 with ReLU grows ×√(400/2) ≈ 14 per layer: 1e57 after 50 layers, still finite
    fig = ch03.draw_main("relu", "std=1", depth=50, width=400)
    assert all(np.all(np.isfinite(line.get_ydata())) for ax in fig.axes for line in ax.get_lines())
    plt.close(fig)


def test_widget_reports_overflow_in_korean(monkeypatch):
    monkeypatch.setattr(ch03, "layer_activations", lambda *a, **k: [np.full((4, 4), np.inf)])
    ch03.widget_layers.cache_clear()
    out = ch03.draw_main("relu", "std=1", depth=1)
    ch03.widget_layers.cache_clear()
    assert isinstance(out, str) and "발산" in out


def test_widget_prepare_fills_the_cache_that_draw_reads():
    ch03.WIDGETS["main"]["prepare"](activation="relu", init="He", depth=30)
    misses = ch03.widget_layers.cache_info().misses
    plt.close(ch03.draw_main(activation="relu", init="He", depth=30))
    assert ch03.widget_layers.cache_info().misses == misses


# --- checker ------------------------------------------------------------------------------

def reference(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))


def test_checker_accepts_correct_answers():
    assert check.he_normal(reference)
    assert check.he_normal(lambda i, o, rng: init.he_normal(i, o, rng=rng))
    assert check.he_normal(lambda i, o, rng: rng.standard_normal((i, o)) * math.sqrt(2 / i))
    assert check.he_normal(lambda i, o, rng: (rng.standard_normal((o, i)) / math.sqrt(i / 2)).T)
    assert check.he_normal(lambda i, o, rng: rng.normal(size=(i, o)).astype(np.float32) * np.float32(math.sqrt(2 / i)))


def text(result):
    return " ".join(result.messages)


@pytest.mark.parametrize("std, words", [
    (lambda i, o: 2 / math.sqrt(i), "2/√fan_in"),
    (lambda i, o: math.sqrt(2 / (i + o)), "Xavier"),
    (lambda i, o: math.sqrt(1 / i), "LeCun"),
    (lambda i, o: 2 / i, "분산 2/fan_in을 표준편차"),
    (lambda i, o: math.sqrt(2 / o), "fan_out으로"),
])
def test_checker_names_classic_mistakes(std, words):
    r = check.he_normal(lambda i, o, rng: rng.normal(0.0, std(i, o), size=(i, o)))
    assert not r
    assert words in text(r)
    assert "fan_in=100이면 √(2/100)=0.141이어야 합니다" in text(r)


def test_checker_message_of_issue_example():
    r = check.he_normal(lambda i, o, rng: rng.normal(0.0, 2 / math.sqrt(i), size=(i, o)))
    assert "표준편차가 0.200입니다. fan_in=100이면 √(2/100)=0.141이어야 합니다" in text(r)


def test_checker_other_mistakes():
    r = check.he_normal(lambda i, o, rng: rng.normal(0.0, math.sqrt(2 / i), size=(o, i)))
    assert not r and "행과 열이 바뀌었습니다" in text(r)
    r = check.he_normal(lambda i, o, rng: np.random.default_rng().normal(0.0, math.sqrt(2 / i), (i, o)))
    assert not r and "rng" in text(r)
    r = check.he_normal(lambda i, o, rng: rng.uniform(-math.sqrt(6 / i), math.sqrt(6 / i), (i, o)))
    assert not r and "균등분포" in text(r)
    r = check.he_normal(lambda i, o, rng: np.full((i, o), math.sqrt(2 / i)))
    assert not r and "같은 값" in text(r)
    r = check.he_normal(lambda i, o, rng: rng.normal(1.0, math.sqrt(2 / i), (i, o)))
    assert not r and "평균" in text(r)
    r = check.he_normal(lambda i, o, rng: rng.normal(0.0, 0.3, (i, o)))
    assert not r and "표준편차가 약 0.3입니다" in text(r)


def test_checker_survives_broken_functions():
    def todo(i, o, rng):
        raise NotImplementedError("힌트")

    assert "NotImplementedError" in text(check.he_normal(todo))
    assert "오류" in text(check.he_normal(lambda i, o, rng: 1 / 0))
    assert not check.he_normal(lambda i, o, rng: None)
    assert not check.he_normal(lambda i, o, rng: np.full((i, o), np.nan))


def test_checker_never_shows_solution_code():
    r = check.he_normal(lambda i, o, rng: rng.normal(0.0, 2 / math.sqrt(i), size=(i, o)))
    assert "rng.normal(0" not in repr(r) and "np.sqrt(2" not in repr(r)
