import warnings

import numpy as np
import pytest

from course_lib import activations as A
from course_lib.gradcheck import check_layer


def away_from_zero(shape, seed=0):
    """Random inputs with |x| >= 0.1, so the finite difference never straddles a kink at 0."""
    rng = np.random.default_rng(seed)
    return rng.uniform(0.1, 3.0, shape) * rng.choice([-1.0, 1.0], shape)


# training-mode RReLU draws new slopes at every forward: checked with fixed slopes below
@pytest.mark.parametrize("name, train", [(n, t) for n in A.NAMES for t in (True, False)
                                         if (n, t) != ("rrelu", True)])
def test_gradient_check(name, train):
    layer = A.make(name)
    errors = check_layer(layer, away_from_zero((4, 6)), train=train)
    assert set(errors) == {"x", *layer.params}
    assert max(errors.values()) < 1e-6, errors


def test_prelu_alpha_gradient_with_other_slope():
    layer = A.PReLU(init=-0.7)
    errors = check_layer(layer, away_from_zero((3, 5), seed=1))
    assert errors["alpha"] < 1e-6 and errors["x"] < 1e-6
    assert layer.params["alpha"].shape == layer.grads["alpha"].shape == (1,)


class FixedSlopeRReLU(A.RReLU):
    """RReLU whose rng is re-seeded at every forward, so training slopes repeat exactly."""

    def forward(self, x, train=True):
        self.rng = np.random.default_rng(7)
        return super().forward(x, train)


def test_rrelu_training_gradient_with_fixed_slopes():
    layer = FixedSlopeRReLU()
    errors = check_layer(layer, away_from_zero((5, 4)), train=True)
    assert errors["x"] < 1e-6
    # the slopes really vary per element and lie in [lower, upper]
    neg = layer.slope[~layer.mask]
    assert np.all((neg >= 1 / 8) & (neg <= 1 / 3)) and np.ptp(neg) > 0.05


def test_rrelu_modes():
    x = -np.ones((200, 50))
    out_eval = A.RReLU().forward(x, train=False)
    assert np.allclose(out_eval, -(1 / 8 + 1 / 3) / 2)
    a, b = A.RReLU(rng=3).forward(x), A.RReLU(rng=3).forward(x)
    assert np.array_equal(a, b)  # same seed, same slopes
    assert np.all((-a >= 1 / 8) & (-a <= 1 / 3))
    assert abs(np.mean(-a) - (1 / 8 + 1 / 3) / 2) < 0.005  # slopes ~ U(lower, upper)
    assert np.array_equal(A.RReLU(rng=3).forward(-x), -x)  # positive part untouched


def test_rrelu_bad_bounds():
    with pytest.raises(ValueError, match=r"lower=0\.5, upper=0\.1"):
        A.RReLU(lower=0.5, upper=0.1)


@pytest.mark.parametrize("name", A.NAMES)
def test_no_warning_at_extreme_inputs(name):
    x = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0])
    for dtype in (np.float64, np.float32):
        layer = A.make(name, rng=0)
        with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
            warnings.simplefilter("error")
            out = layer.forward(x.astype(dtype))
            dx = layer.backward(np.ones_like(out))
        assert np.all(np.isfinite(out)) and np.all(np.isfinite(dx)), (name, out, dx)


def test_sigmoid_saturates_exactly():
    s = A.Sigmoid()
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out = s.forward(np.array([-1000.0, 0.0, 1000.0]))
        dx = s.backward(np.ones(3))
    assert np.array_equal(out, [0.0, 0.5, 1.0])
    assert np.array_equal(dx, [0.0, 0.25, 0.0])
    assert A.sigmoid(np.array([-30.0]))[0] == pytest.approx(1 / (1 + np.exp(30)), rel=1e-14)


@pytest.mark.parametrize("name", A.NAMES)
def test_float32_in_float32_out_and_inputs_untouched(name):
    x = away_from_zero((3, 4)).astype(np.float32)
    dout = np.random.default_rng(1).standard_normal((3, 4)).astype(np.float32)
    x0, dout0 = x.copy(), dout.copy()
    layer = A.make(name, rng=0)
    out = layer.forward(x)
    dx = layer.backward(dout)
    assert out.dtype == np.float32 and dx.dtype == np.float32
    assert np.array_equal(x, x0) and np.array_equal(dout, dout0)


def test_known_values_and_derivatives():
    x = np.array([-2.0, 0.0, 3.0])
    assert np.allclose(A.derivative("sigmoid", [0.0]), 0.25)
    assert np.allclose(A.derivative("tanh", [0.0]), 1.0)
    assert np.array_equal(A.derivative("relu", x), [0.0, 0.0, 1.0])  # torch: ReLU'(0) = 0
    assert np.allclose(A.derivative("leaky_relu", x), [0.01, 0.01, 1.0])
    assert np.allclose(A.derivative("prelu", x), [0.25, 0.25, 1.0])
    assert np.allclose(A.value("elu", x), [np.exp(-2) - 1, 0.0, 3.0])
    assert np.allclose(A.derivative("elu", x), [np.exp(-2), 1.0, 1.0])
    assert np.allclose(A.value("gelu", [0.0, 1.0, -1.0]), [0.0, 0.8413447460685429, -0.15865525393145707])
    assert np.allclose(A.value("swish", [1.0]), 1 / (1 + np.exp(-1)))
    selu = A.SELU()
    assert selu.alpha == 1.6732632423543772848170429916717
    assert selu.scale == 1.0507009873554804934193349852946
    assert np.allclose(A.value("selu", x), [selu.scale * selu.alpha * (np.exp(-2) - 1), 0.0, selu.scale * 3])


def test_make_and_names():
    assert A.NAMES == ("sigmoid", "tanh", "relu", "leaky_relu", "prelu",
                       "rrelu", "elu", "selu", "gelu", "swish")
    assert isinstance(A.make("swish"), A.SiLU)
    with pytest.raises(ValueError, match=r"'softsign'.*sigmoid, tanh, relu.*swish"):
        A.make("softsign")
