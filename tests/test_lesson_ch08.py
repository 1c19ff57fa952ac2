"""Chapter 8 (학습률 스케줄): the lesson's experiments and the cosine-annealing checker."""
import math

import numpy as np
import pytest

from course_lib import schedules
from course_lib.check import ch08 as check
from course_lib.lessons import ch08


# ---------------------------------------------------------------- the checker

def cosine_ref(epoch, lr0, T_max, eta_min=0.0):
    return eta_min + (lr0 - eta_min) * (1 + math.cos(math.pi * epoch / T_max)) / 2


def cosine_numpy(epoch, lr0, T_max, eta_min=0.0):
    """Another correct answer: NumPy, written as lr0 - (lr0 - eta_min)(1 - cos)/2."""
    return float(lr0 - (lr0 - eta_min) * (1 - np.cos(np.pi * epoch / T_max)) / 2)


def cosine_library(epoch, lr0, T_max, eta_min=0.0):
    return schedules.cosine_lr(lr0, T_max, eta_min)(epoch)


@pytest.mark.parametrize("fn", [cosine_ref, cosine_numpy, cosine_library])
def test_correct_answers_pass(fn):
    result = check.cosine_lr(fn)
    assert result, repr(result)


def mistake(**switches):
    def fn(epoch, lr0, T_max, eta_min=0.0):
        return check._reference(epoch, lr0, T_max, eta_min, **switches)
    return fn


@pytest.mark.parametrize("switches, words", [
    (dict(shift=1), ["한 에폭 밀렸습니다"]),
    (dict(shift=-1), ["한 에폭 늦습니다"]),
    (dict(period_minus_one=True), ["T_max - 1"]),
    (dict(no_eta_min=True), ["eta_min을 빼먹었습니다", "eta_min=0.001"]),
    (dict(eta_min_unscaled=True), ["진폭"]),
    (dict(no_pi=True), ["π를 빼먹었습니다"]),
    (dict(rising=True), ["거꾸로"]),
    (dict(integer_division=True), ["정수 나눗셈"]),
])
def test_classic_mistakes_are_named(switches, words):
    result = check.cosine_lr(mistake(**switches))
    assert not result
    for w in words:
        assert w in repr(result), repr(result)


def test_bad_returns_and_errors():
    assert "숫자 하나" in repr(check.cosine_lr(lambda *a: "0.1"[:0] or None))
    assert "NotImplementedError" in repr(check.cosine_lr(
        lambda *a: (_ for _ in ()).throw(NotImplementedError())))
    assert "에폭 1" in repr(check.cosine_lr(lambda e, lr0, T, m=0.0: lr0))  # constant: wrong from epoch 1


# ---------------------------------------------------------------- the lesson

def test_curves_start_at_lr0_and_behave():
    c = ch08.curves(lr0=0.1, epochs=40)
    for name, lr in c.items():
        assert np.all(np.isfinite(lr)) and np.all(lr > 0), name
    cos = c["코사인 (T_max=40)"]
    assert cos[0] == pytest.approx(0.1) and np.all(np.diff(cos) <= 0)
    warm = c["워밍업 5 + 코사인"]
    assert warm[0] == pytest.approx(0.01) and warm[5] == pytest.approx(0.1)
    assert np.argmax(c["1cycle (pct_start=0.3)"]) in (11, 12)
    plateau = c["성능 기반 (factor=0.5, patience=3)"]
    assert plateau[0] == 0.1 and plateau[-1] < 0.1 and np.all(np.diff(plateau) <= 0)


def test_make_schedule_rejects_bad_values():
    with pytest.raises(ValueError, match="알 수 없는 스케줄"):
        ch08.make_schedule("cyclic", 0.1)
    with pytest.raises(ValueError, match="warmup"):
        ch08.make_schedule("코사인", 0.1, warmup=20)


def test_warmup_starts_at_a_tenth_and_schedules_end_low():
    for name in ("계단", "지수", "코사인"):
        s = ch08.make_schedule(name, 0.2, warmup=3)
        assert s(0) == pytest.approx(0.02) and s(3) == pytest.approx(0.2)
        assert s(ch08.EPOCHS - 1) < 0.2 * 0.1
    assert ch08.make_schedule("지수", 0.2)(ch08.EPOCHS) == pytest.approx(0.002)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_too_large_constant_rate_fails_and_schedules_rescue(seed):
    runs = ch08.compare(0.3, names=("고정", "코사인", "지수"), seed=seed)
    const_loss, const_acc = ch08.final(runs["고정"])
    assert const_loss > 100 and const_acc < 0.9
    for name in ("코사인", "지수"):
        loss, acc = ch08.final(runs[name])
        assert loss < 0.01 and acc > 0.9


def test_adam_noise_steps():
    steps = ch08.adam_noise_steps(steps=300)
    assert steps[0] == pytest.approx(1.0, abs=1e-6)
    late = steps[100:].mean()
    assert 0.7 * ch08.adam_noise_floor() < late < 1.1 * ch08.adam_noise_floor()
    warm = ch08.adam_noise_steps(steps=300, warmup=50)
    assert warm[:10].mean() < late / 3


def test_widget_frames_and_messages():
    import matplotlib.pyplot as plt
    n = np.prod([len(v) for v in ch08.WIDGETS["main"]["controls"].values()])
    assert n <= 40
    fig = ch08.draw("고정", 0.3, 0)  # loss explodes without nan: a finite, clipped plot with a note
    texts = " ".join(t.get_text() for ax in fig.axes for t in ax.texts)
    assert "1000" in texts and "발산" in texts
    plt.close(fig)
    out = ch08.draw("고정", 50.0, 0)  # a real divergence (nan/inf) is a Korean message
    assert isinstance(out, str) and "발산했습니다" in out


def test_widget_redraw_keeps_nothing_of_the_previous_setting():
    """draw reuses one figure: the previous setting's note and limits must be gone."""
    ch08.draw("고정", 0.3, 0)  # the "1000을 넘었습니다" note
    fig = ch08.draw("코사인", 0.03, 3)
    assert not any(ax.texts for ax in fig.axes)
    lr_axis, loss_axis = fig.axes
    assert lr_axis.get_ylim()[1] == pytest.approx(1.05 * 0.03)
    assert loss_axis.get_ylim()[1] < 1e3
    assert fig.get_suptitle() == "코사인, 최대 학습률 0.03, 워밍업 3에폭"
    assert ch08.prepare("코사인", 0.1, 0) is ch08.compare(0.1)["코사인"]  # the notebook's run, reused
