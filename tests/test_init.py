import math

import numpy as np
import pytest

from course_lib import init

N_IN, N_OUT = 400, 600  # 240,000 samples: sample std within ~0.3% of the true std

STDS = {
    "xavier_normal": math.sqrt(2 / (N_IN + N_OUT)),
    "he_normal": math.sqrt(2 / N_IN),
    "lecun_normal": math.sqrt(1 / N_IN),
}
BOUNDS = {
    "xavier_uniform": math.sqrt(6 / (N_IN + N_OUT)),
    "he_uniform": math.sqrt(6 / N_IN),
    "lecun_uniform": math.sqrt(3 / N_IN),
}


@pytest.mark.parametrize("name", sorted(STDS))
def test_normal_inits_have_the_documented_std(name):
    W = init.get(name)(N_IN, N_OUT, rng=np.random.default_rng(0))
    assert W.shape == (N_IN, N_OUT) and W.dtype == np.float64
    assert abs(W.std() / STDS[name] - 1) < 0.01
    assert abs(W.mean()) < 0.01 * STDS[name] * 10


@pytest.mark.parametrize("name", sorted(BOUNDS))
def test_uniform_inits_stay_inside_the_bound_and_reach_it(name):
    bound = BOUNDS[name]
    W = init.get(name)(N_IN, N_OUT, rng=np.random.default_rng(1))
    assert W.shape == (N_IN, N_OUT) and W.dtype == np.float64
    assert np.all(np.abs(W) <= bound)
    assert np.abs(W).max() > 0.999 * bound
    assert abs(W.std() / (bound / math.sqrt(3)) - 1) < 0.01  # Var U(-a, a) = a²/3


def test_he_std_is_sqrt_2_over_n_not_2_over_sqrt_n():
    W = init.he_normal(100, 2000, rng=np.random.default_rng(2))
    assert abs(W.std() - math.sqrt(2 / 100)) < 0.003  # 0.1414, not 2/10 = 0.2


def test_gain_scales_xavier():
    W1 = init.xavier_normal(50, 70, rng=np.random.default_rng(3))
    W2 = init.xavier_normal(50, 70, rng=np.random.default_rng(3), gain=5 / 3)
    assert np.allclose(W2, 5 / 3 * W1)
    U = init.xavier_uniform(50, 70, rng=np.random.default_rng(3), gain=2.0)
    assert np.abs(U).max() <= 2 * math.sqrt(6 / 120)


def test_normal_zeros_and_determinism():
    W = init.normal(300, 500, rng=np.random.default_rng(4))
    assert abs(W.std() / 0.01 - 1) < 0.01
    assert abs(init.normal(300, 500, std=1.0, rng=np.random.default_rng(4)).std() - 1) < 0.01
    assert np.array_equal(init.zeros(3, 4), np.zeros((3, 4)))
    for name in init.NAMES:
        f = init.get(name)
        assert np.array_equal(f(5, 6, rng=np.random.default_rng(9)), f(5, 6, rng=np.random.default_rng(9)))
    assert init.he_normal(5, 6).shape == (5, 6)  # rng=None: fresh generator


def test_get_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match="'hee_normal'") as e:
        init.get("hee_normal")
    for name in init.NAMES:
        assert name in str(e.value)


def test_bad_sizes_and_std():
    with pytest.raises(ValueError, match="fan_in=0"):
        init.he_normal(0, 3)
    with pytest.raises(ValueError, match="std=-1"):
        init.normal(3, 3, std=-1)
