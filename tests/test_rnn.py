import numpy as np
import pytest

from course_lib.gradcheck import numerical_gradient, rel_error
from course_lib.rnn import (RNN, jacobian_norms, jacobians, scale_to_spectral_radius,
                            set_spectral_radius, spectral_radius)


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_bptt_gradient_check(nonlinearity):
    rng = np.random.default_rng(0)
    N, T, D, H = 3, 5, 4, 6
    rnn = RNN(D, H, nonlinearity=nonlinearity, rng=1)
    x, h0 = rng.standard_normal((N, T, D)), rng.standard_normal((N, H))
    dH = rng.standard_normal((N, T, H))
    x0, dH0 = x.copy(), dH.copy()

    rnn.forward(x, h0)
    dx = rnn.backward(dH)
    analytic = {"x": dx, "h0": rnn.dh0, **{k: g.copy() for k, g in rnn.grads.items()}}
    assert np.array_equal(x, x0) and np.array_equal(dH, dH0)

    def loss():
        return float(np.sum(rnn.forward(x, h0) * dH))

    for name, value in {"x": x, "h0": h0, **rnn.params}.items():
        err = rel_error(analytic[name], numerical_gradient(loss, value))
        assert err < 1e-6, (name, err)


def test_forward_matches_the_recurrence_and_zero_h0():
    rng = np.random.default_rng(2)
    rnn = RNN(2, 3, rng=0)
    x = rng.standard_normal((1, 4, 2))
    hs = rnn.forward(x)
    Wx, Wh, b = rnn.params["Wx"], rnn.params["Wh"], rnn.params["b"]
    h = np.zeros(3)
    for t in range(4):
        h = np.tanh(x[0, t] @ Wx + h @ Wh + b)
        assert np.allclose(hs[0, t], h)
    assert np.array_equal(hs, rnn.forward(x, h0=np.zeros((1, 3))))


def test_default_init_like_torch_and_seeded():
    rnn = RNN(10, 64, rng=0)
    k = 1 / np.sqrt(64)
    for p in rnn.params.values():
        assert np.all(np.abs(p) <= k)
    assert rnn.params["Wx"].shape == (10, 64) and rnn.params["Wh"].shape == (64, 64)
    assert rnn.params["b"].shape == (64,)
    assert np.std(rnn.params["Wh"]) == pytest.approx(k / np.sqrt(3), rel=0.05)  # std of U(-k, k)
    other = RNN(10, 64, rng=0)
    assert all(np.array_equal(rnn.params[n], other.params[n]) for n in rnn.params)


def test_custom_init_function():
    def const(fan_in, fan_out, rng=None):
        return np.full((fan_in, fan_out), 0.5)

    rnn = RNN(3, 2, init=const)
    assert np.all(rnn.params["Wx"] == 0.5) and rnn.params["Wh"].shape == (2, 2)
    assert np.all(rnn.params["b"] == 0)


def test_bad_input_names_sizes():
    with pytest.raises(ValueError, match="'sigmoid'"):
        RNN(3, 4, nonlinearity="sigmoid")
    rnn = RNN(3, 4, rng=0)
    with pytest.raises(ValueError, match=r"input_size=3.*\(2, 5, 7\)"):
        rnn.forward(np.zeros((2, 5, 7)))
    with pytest.raises(ValueError, match=r"\(2, 3\)"):
        rnn.forward(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"\(2, 4\).*\(2, 5\)"):
        rnn.forward(np.zeros((2, 5, 3)), h0=np.zeros((2, 5)))
    rnn.forward(np.zeros((2, 5, 3)))
    with pytest.raises(ValueError, match=r"\(2, 5, 4\).*\(2, 4, 4\)"):
        rnn.backward(np.zeros((2, 4, 4)))


def test_float32_stays_float32():
    rnn = RNN(3, 4, rng=0)
    x = np.random.default_rng(0).standard_normal((2, 5, 3)).astype(np.float32)
    hs = rnn.forward(x)
    dx = rnn.backward(np.ones_like(hs))
    assert hs.dtype == dx.dtype == np.float32


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_jacobians_match_finite_differences(nonlinearity):
    rng = np.random.default_rng(3)
    rnn = RNN(2, 4, nonlinearity=nonlinearity, rng=5)
    x, h0 = rng.standard_normal((6, 2)), rng.standard_normal(4)
    J = jacobians(rnn, x, h0)
    assert J.shape == (6, 4, 4)
    for t in (0, 5):
        for j in range(4):
            e = np.zeros(4)
            e[j] = 1e-6
            plus = rnn.forward(x[None], (h0 + e)[None])[0, t]
            minus = rnn.forward(x[None], (h0 - e)[None])[0, t]
            assert np.allclose(J[t][:, j], (plus - minus) / 2e-6, atol=1e-8)
    assert np.allclose(jacobian_norms(rnn, x, h0), [np.linalg.norm(Jt, 2) for Jt in J])


def test_spectral_radius_controls_vanishing_and_exploding():
    rng = np.random.default_rng(0)
    W = rng.standard_normal((8, 8))
    for rho in (0.5, 1.0, 3.0):
        assert spectral_radius(scale_to_spectral_radius(W, rho)) == pytest.approx(rho, rel=1e-12)
    x = 0.01 * rng.standard_normal((30, 3))  # tiny inputs and b = 0 keep tanh near linear
    small = set_spectral_radius(RNN(3, 8, rng=1), 0.5)
    large = set_spectral_radius(RNN(3, 8, rng=1), 1.5)
    small.params["b"][:] = large.params["b"][:] = 0
    assert spectral_radius(small.params["Wh"]) == pytest.approx(0.5)
    norms_small, norms_large = jacobian_norms(small, x), jacobian_norms(large, x)
    assert norms_small[-1] < 1e-5  # about 0.5^30: the gradient has vanished
    assert np.all(np.diff(norms_large[:10]) > 0) and norms_large[19] > 1e3  # about 1.5^t: exploding


def test_scale_to_spectral_radius_errors():
    with pytest.raises(ValueError, match=r"\(2, 3\)"):
        scale_to_spectral_radius(np.ones((2, 3)), 1.0)
    with pytest.raises(ValueError, match="-1"):
        scale_to_spectral_radius(np.eye(2), -1)
    with pytest.raises(ValueError, match="spectral radius 0"):
        scale_to_spectral_radius(np.zeros((2, 2)), 1.0)
