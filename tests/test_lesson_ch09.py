"""Chapter 9 (규제): the lesson's experiments (claims over several seeds) and the dropout checker."""
import math

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_lib import optim, plots, train, widgets
from course_lib.check import ch09 as check
from course_lib.lessons import ch09
from course_lib.regularizers import EarlyStopping

SEEDS = range(5)


# --- the overfitting experiment -------------------------------------------------------------

@pytest.fixture(scope="module")
def results():
    return {s: ch09.compare(s) for s in SEEDS}


def test_every_setting_memorises_the_training_set(results):
    for c in results.values():
        for name, s in c.items():
            assert s["train_acc"] == 1.0, name
            assert s["test_acc"] < 0.9, name  # a gap of more than 10 points remains


def test_weight_penalties_and_max_norm_lower_test_loss(results):
    for c in results.values():
        none = c["없음"]
        for name in ("L2 (λ=0.01)", "L1 (λ=0.001)", "맥스-노름 (c=1)"):
            assert c[name]["test_loss"] < none["test_loss"] - 0.05, name
        assert c["L2 (λ=0.01)"]["test_acc"] >= none["test_acc"]
        assert c["맥스-노름 (c=1)"]["test_acc"] > none["test_acc"]


def test_gains_are_a_few_points(results):
    gain = np.array([c["맥스-노름 (c=1)"]["test_acc"] - c["없음"]["test_acc"] for c in results.values()])
    assert np.all(gain < 0.06)
    gain = np.array([c["L2 (λ=0.01)"]["test_acc"] - c["없음"]["test_acc"] for c in results.values()])
    assert np.all(gain < 0.05)


def test_dropout_effect_has_no_consistent_sign(results):
    diff = np.array([c["드롭아웃 (p=0.5)"]["test_acc"] - c["없음"]["test_acc"] for c in results.values()])
    assert diff.min() < 0 < diff.max()
    assert np.all(np.abs(diff) < 0.06)


def test_early_stopping_stops_early_and_does_not_raise_accuracy(results):
    for s, c in results.items():
        es = ch09.early_stopping(ch09.run(seed=s))
        assert es["best_epoch"] <= 15 and es["stop_epoch"] == es["best_epoch"] + 10
        assert c["조기 종료"]["test_acc"] <= c["없음"]["test_acc"]
        assert c["조기 종료"]["test_loss"] < c["없음"]["test_loss"]


def test_early_stopping_replay_matches_fit():
    """Replaying EarlyStopping on the recorded curve stops where fit(early_stopping=) stops."""
    X, y, Xv, yv, _, _ = ch09.digits()
    model = ch09.make_net(seed=0)
    hist = train.fit(model, X, y, optimizer=optim.SGD(ch09.LR, momentum=ch09.MOMENTUM),
                     epochs=ch09.EPOCHS, batch_size=ch09.BATCH, rng=np.random.default_rng(1000),
                     X_val=Xv, y_val=yv, early_stopping=EarlyStopping(patience=10),
                     record_grad_norms=False)
    es = ch09.early_stopping(ch09.run(seed=0))
    assert len(hist.val_loss) == es["stop_epoch"]
    np.testing.assert_allclose(hist.val_loss, ch09.run(seed=0).val_loss[:es["stop_epoch"]], rtol=1e-10)


@pytest.mark.parametrize("kw", [{"l2": 0.01, "c": 1.0}, {"l1": 0.001, "p": 0.5}])
def test_run_trains_exactly_like_fit(kw):
    """run's own epoch loop takes the same steps as train.fit with the same regularisers."""
    X, y = ch09.digits()[:2]
    model = ch09.make_net(p=kw.get("p", 0.0), seed=3)
    hist = train.fit(model, X, y, optimizer=optim.SGD(ch09.LR, momentum=ch09.MOMENTUM), epochs=4,
                     batch_size=ch09.BATCH, rng=np.random.default_rng(1003), l2=kw.get("l2", 0.0),
                     l1=kw.get("l1", 0.0), max_norm=kw.get("c"), record_grad_norms=False)
    r = ch09.run(seed=3, epochs=4, **kw)
    np.testing.assert_allclose(r.train_loss, hist.train_loss, rtol=1e-10)
    for k in model.params:
        np.testing.assert_array_equal(r.model.params[k], model.params[k])


def test_cache_is_shared_however_the_setting_is_spelled():
    assert ch09.run() is ch09.run(l2=0.0, p=0.0, c=math.inf, seed=0)
    ch09.prepare(lam=0.1, p=0.5, c=math.inf)  # explore calls it by keyword, draw positionally
    assert ch09.widget_run(lam=0.1, p=0.5, c=math.inf) is ch09.widget_run(0.1, 0.5)
    info = ch09._run.cache_info()
    ch09.draw(0.1, 0.5, math.inf)
    assert ch09._run.cache_info().misses == info.misses


@pytest.mark.parametrize("kw", [{}, {"lam": 0.01, "c": 1.0}, {"lam": 0.1, "p": 0.5}])
def test_widget_run_trains_like_run_and_measures_in_float32(kw):
    """The widget's run takes run's steps exactly; only its measurements are float32."""
    w = ch09.widget_run(**kw)
    r = ch09.run(l2=kw.get("lam", 0.0), p=kw.get("p", 0.0), c=kw.get("c", math.inf))
    for k in r.model.params:
        np.testing.assert_array_equal(w.model.params[k], r.model.params[k])
    np.testing.assert_allclose(w.train_loss, r.train_loss, rtol=1e-4)
    np.testing.assert_allclose(w.test_loss, r.test_loss, rtol=1e-4)
    np.testing.assert_array_equal(w.test_acc, r.test_acc)
    assert len(w.val_loss) == 0


def test_widget_redraw_keeps_nothing_of_the_previous_setting(monkeypatch):
    """draw reuses one figure: a frame drawn after another setting is pixel for pixel the
    frame of a freshly built figure."""
    ch09.draw(0.1, 0.5, 1.0)
    after_other = widgets.render(ch09.draw, {"lam": 0.0, "p": 0.0, "c": math.inf})
    monkeypatch.setattr(ch09, "_frame", plots.reused(ch09._frame.__wrapped__))
    fresh = widgets.render(ch09.draw, {"lam": 0.0, "p": 0.0, "c": math.inf})
    assert after_other == fresh
    texts = [t.get_text() for t in ch09.draw(0.0, 0.0, math.inf).axes[0].get_legend().get_texts()]
    r = ch09.widget_run()
    assert texts == [f"훈련 (정확도 {r.train_acc[-1]:.3f})", f"테스트 (정확도 {r.test_acc[-1]:.3f})"]


def test_widget_grid_is_small():
    spec = ch09.WIDGETS["main"]
    n = np.prod([len(v) for v in spec["controls"].values()])
    assert n <= 40


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_weight_stats(seed):
    w = ch09.weight_stats(seed)
    assert w["L1"]["small"] > 0.1 > 0.02 > max(w["없음"]["small"], w["L2"]["small"])
    assert all(v["zero"] == 0 for v in w.values())  # subgradient SGD: no exact zeros
    assert w["맥스-노름"]["col_max"] <= 1.0 + 1e-9 < 1.5 < w["없음"]["col_max"]
    assert w["L2"]["norm"] < 0.8 * w["없음"]["norm"]


def test_decay_equivalence():
    assert ch09.decay_equivalence() < 1e-12


# --- dropout -------------------------------------------------------------------------------

@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_dropout_moments(p):
    m = ch09.dropout_moments(p)
    assert abs(m["mean_train"] - m["mean_formula"]) < 0.02
    assert abs(m["var_train"] / m["var_train_formula"] - 1) < 0.03
    assert abs(m["var_eval"] / m["var_eval_formula"] - 1) < 0.03


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_test_time(seed):
    t = ch09.test_time(seed=seed)
    ok = t["평가 모드 (올바름)"]
    twice = t["테스트에서 (1-p)를 또 곱함"]
    drop = t["테스트에서도 드롭"]
    mc = t["MC 평균 (마스크 100개)"]
    assert ok[0] > 0.8
    assert abs(twice[0] - ok[0]) < 0.03                # accuracy hardly moves ...
    assert twice[3] < ok[3] - 0.1                      # ... but the confidence drops
    assert drop[0] < ok[0] - 0.1 and drop[2] > 0.005   # dropping at test: worse and random
    assert abs(mc[0] - ok[0]) < 0.03 and mc[1] < ok[1]


def test_variance_shift():
    v = ch09.variance_shift()
    assert abs(v["ratio"] - v["ratio_formula"]) < 0.01
    assert abs(v["ratio_formula"] - 1 / 3) < 1e-12


def test_bad_strengths():
    with pytest.raises(ValueError, match="λ"):
        ch09.run(l2=-1.0)
    with pytest.raises(ValueError, match="드롭아웃"):
        ch09.run(p=1.0)
    with pytest.raises(ValueError, match="맥스-노름"):
        ch09.run(c=0.0)


def test_figures_draw():
    plt.close(ch09.fig_curves(ch09.run()))
    plt.close(ch09.fig_compare(ch09.compare(0)))
    plt.close(ch09.fig_compare(ch09.compare_seeds((0, 1))))
    plt.close(ch09.fig_weights(ch09.weight_stats(0)))
    plt.close(ch09.fig_test_time(ch09.test_time()))
    plt.close(ch09.draw(0.01, 0.2, math.inf))


# --- the checker ---------------------------------------------------------------------------

def ref_ge(x, p, train, rng):
    if not train:
        return x
    return x * (rng.random(x.shape) >= p) / (1 - p)


def ref_binomial(x, p, train, rng):
    if not train or p == 0:
        return x.copy()
    mask = rng.binomial(1, 1 - p, size=x.shape)
    return np.where(mask == 1, x / (1 - p), 0.0)


def ref_lt(x, p, train, rng):
    if train:
        keep = rng.uniform(size=x.shape) < 1 - p
        return x * keep / (1 - p)
    return x


@pytest.mark.parametrize("fn", [ref_ge, ref_binomial, ref_lt])
def test_checker_accepts_correct(fn):
    r = check.dropout(fn)
    assert r, repr(r)
    assert "통과" in repr(r)


def non_inverted(x, p, train, rng):  # classic: no scaling in training, (1-p) at test
    if not train:
        return x * (1 - p)
    return x * (rng.random(x.shape) >= p)


def double_scaled(x, p, train, rng):  # inverted in training AND (1-p) at test
    if not train:
        return x * (1 - p)
    return x * (rng.random(x.shape) >= p) / (1 - p)


def unscaled(x, p, train, rng):  # drops but never scales
    if not train:
        return x
    return x * (rng.random(x.shape) >= p)


def keep_prob(x, p, train, rng):  # p used as the keep probability
    if not train:
        return x
    return x * (rng.random(x.shape) < p) / p


def keep_prob_scaled(x, p, train, rng):
    if not train:
        return x
    return x * (rng.random(x.shape) < p) / (1 - p)


def fixed_seed(x, p, train, rng):  # a new generator with a fixed seed: the same mask every call
    if not train:
        return x
    return x * (np.random.default_rng(0).random(x.shape) >= p) / (1 - p)


def global_rng(x, p, train, rng):
    if not train:
        return x
    return x * (np.random.random(x.shape) >= p) / (1 - p)


def drops_in_eval(x, p, train, rng):  # ignores train
    return x * (rng.random(x.shape) >= p) / (1 - p)


def one_mask_per_feature(x, p, train, rng):
    if not train:
        return x
    return x * (rng.random(x.shape[1]) >= p) / (1 - p)


def in_place(x, p, train, rng):
    if train:
        x *= (rng.random(x.shape) >= p) / (1 - p)
    return x


def not_implemented(x, p, train, rng):
    raise NotImplementedError


@pytest.mark.parametrize("fn, words", [
    (non_inverted, ["1-p=0.5", "비역 드롭아웃"]),
    (double_scaled, ["1-p=0.5", "그대로"]),
    (unscaled, ["1/(1-p)", "0.80배"]),
    (keep_prob, ["남길 확률", "약 20%"]),
    (keep_prob_scaled, ["남길 확률"]),
    (fixed_seed, ["호출할 때마다", "rng"]),
    (global_rng, ["전역 난수"]),
    (drops_in_eval, ["평가 모드", "0으로"]),
    (one_mask_per_feature, ["같은 마스크"]),
    (in_place, ["제자리"]),
    (not_implemented, ["구현하지 않았습니다"]),
])
def test_checker_names_mistakes(fn, words):
    r = check.dropout(fn)
    assert not r
    text = repr(r)
    for w in words:
        assert w in text, text
