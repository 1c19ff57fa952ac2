"""Learning-rate schedules at chosen epochs against values worked out by hand."""
import math
import re

import pytest

from course_lib import schedules as S


def values(schedule, epochs):
    return [schedule(t) for t in epochs]


def test_step_lr():
    assert values(S.step_lr(0.1, 3, gamma=0.5), [0, 2, 3, 5, 6]) == pytest.approx(
        [0.1, 0.1, 0.05, 0.05, 0.025])


def test_multistep_lr():
    assert values(S.multistep_lr(1.0, [5, 2]), [0, 1, 2, 4, 5, 40]) == pytest.approx(
        [1, 1, 0.1, 0.1, 0.01, 0.01])


def test_exponential_lr():
    assert values(S.exponential_lr(2.0, 0.5), [0, 1, 3]) == pytest.approx([2, 1, 0.25])


def test_power_lr_halves_after_s_epochs():
    assert values(S.power_lr(0.1, s=10), [0, 10, 30]) == pytest.approx([0.1, 0.05, 0.025])
    assert S.power_lr(0.1, s=10, c=2)(10) == pytest.approx(0.025)


def test_cosine_lr_and_its_period():
    lr = S.cosine_lr(1.0, 10)
    assert values(lr, [0, 5, 10, 15, 20]) == pytest.approx([1, 0.5, 0, 0.5, 1], abs=1e-15)
    assert S.cosine_lr(1.0, 10, eta_min=0.1)(5) == pytest.approx(0.55)


def test_linear_warmup():
    lr = S.linear_warmup(0.3, 3)  # from 0.3/3 to 0.3 in 3 epochs
    assert values(lr, [0, 1, 2, 3, 10]) == pytest.approx([0.1, 0.3 * 5 / 9, 0.3 * 7 / 9, 0.3, 0.3])
    lr = S.linear_warmup(0.3, 3, after=S.exponential_lr(0.3, 0.5))
    assert values(lr, [2, 3, 4, 5]) == pytest.approx([0.3 * 7 / 9, 0.3, 0.15, 0.075])


def test_one_cycle():
    # 10 steps, pct_start 0.3: up from 1/25 to 1 over steps 0..2, down to 1/25/1e4 at step 9
    lr = S.one_cycle(1.0, 10)
    assert values(lr, [0, 1, 2, 9]) == pytest.approx([0.04, 0.52, 1.0, 4e-6])
    assert lr(3) == pytest.approx(4e-6 + (1 - 4e-6) * (1 + math.cos(math.pi / 7)) / 2)
    assert S.one_cycle(1.0, 10, anneal="linear")(3) == pytest.approx(1 - (1 - 4e-6) / 7)
    lr = S.one_cycle(1.0, 10, three_phase=True)  # phases end at steps 2, 4, 9
    assert values(lr, [0, 2, 3, 4, 9]) == pytest.approx([0.04, 1.0, 0.52, 0.04, 4e-6])
    with pytest.raises(ValueError, match="11"):
        lr(11)


def test_reduce_on_plateau_patience():
    sched = S.ReduceLROnPlateau(1.0, factor=0.5, patience=2)
    # epoch 1 sets best; 3 bad epochs > patience 2 -> halve
    assert [sched.step(m) for m in [1, 1, 1, 1, 1, 1, 1]] == [1, 1, 1, 0.5, 0.5, 0.5, 0.25]


def test_reduce_on_plateau_cooldown_min_lr_and_threshold():
    sched = S.ReduceLROnPlateau(1.0, factor=0.5, patience=0, cooldown=2)
    assert [sched.step(m) for m in [1, 2, 2, 2, 2]] == [1, 0.5, 0.5, 0.5, 0.25]
    sched = S.ReduceLROnPlateau(1.0, patience=0, min_lr=0.05)
    assert [sched.step(m) for m in [1, 2, 2, 2]] == pytest.approx([1, 0.1, 0.05, 0.05])
    sched = S.ReduceLROnPlateau(1.0, patience=0, threshold=0.1)  # 0.95 is not < 0.9
    assert sched.step(1.0) == 1 and sched.step(0.95) == pytest.approx(0.1)
    sched = S.ReduceLROnPlateau(1.0, mode="max", patience=0)
    assert sched.step(0.5) == 1 and sched.step(0.6) == 1 and sched.step(0.6) == pytest.approx(0.1)


@pytest.mark.parametrize("make, value", [
    (lambda: S.step_lr(0.1, 0), "0"),
    (lambda: S.step_lr(0.1, 2.5), "2.5"),
    (lambda: S.step_lr(0.1, 2, gamma=0.0), "0.0"),
    (lambda: S.step_lr(-0.1, 2), "-0.1"),
    (lambda: S.multistep_lr(0.1, [0, 3]), "[0, 3]"),
    (lambda: S.exponential_lr(0.1, -0.9), "-0.9"),
    (lambda: S.power_lr(0.1, s=0), "0"),
    (lambda: S.cosine_lr(0.1, 0), "0"),
    (lambda: S.cosine_lr(0.1, 10, eta_min=-1.0), "-1.0"),
    (lambda: S.linear_warmup(0.1, 0), "0"),
    (lambda: S.linear_warmup(0.1, 5, start_factor=0.0), "0.0"),
    (lambda: S.one_cycle(0.1, 100, pct_start=1.5), "1.5"),
    (lambda: S.one_cycle(0.1, 100, anneal="exp"), "'exp'"),
    (lambda: S.one_cycle(0.1, 0), "0"),
    (lambda: S.ReduceLROnPlateau(0.1, factor=1.0), "1.0"),
    (lambda: S.ReduceLROnPlateau(0.1, mode="avg"), "'avg'"),
    (lambda: S.ReduceLROnPlateau(0.1, threshold_mode="pct"), "'pct'"),
    (lambda: S.ReduceLROnPlateau(0.1, patience=-1), "-1"),
    (lambda: S.step_lr(0.1, 2)(-1), "-1"),
])
def test_bad_arguments_name_the_value(make, value):
    with pytest.raises(ValueError, match=r"must be .*, got " + re.escape(value) + "$"):
        make()
