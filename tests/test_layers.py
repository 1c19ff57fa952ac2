import numpy as np
import pytest

from course_lib.gradcheck import check_layer
from course_lib.layers import BatchNorm, Dropout, LayerNorm, Linear


def randn(*shape, seed=10):  # not 0: check_layer draws dout from seed 0
    return np.random.default_rng(seed).standard_normal(shape)


def with_random_affine(layer, seed=1):
    """gamma ≠ 1 and beta ≠ 0, so a backward that forgets gamma fails the check."""
    rng = np.random.default_rng(seed)
    layer.params["gamma"][:] = rng.uniform(0.5, 2.0, layer.params["gamma"].shape)
    layer.params["beta"][:] = rng.standard_normal(layer.params["beta"].shape)
    return layer


def assert_passes(layer, x, train=True):
    errors = check_layer(layer, x, train=train)
    assert set(errors) == {"x", *layer.params}
    assert max(errors.values()) < 1e-6, errors


# ---------------------------------------------------------------- gradient checks

@pytest.mark.parametrize("init", ["he_normal", "xavier_uniform", 0.5])
def test_linear_gradient(init):
    layer = Linear(4, 3, init=init, rng=0)
    layer.params["b"][:] = randn(3, seed=5)
    assert_passes(layer, randn(5, 4))


def test_linear_gradient_on_sequences():
    assert_passes(Linear(3, 2, rng=0), randn(2, 4, 3))


@pytest.mark.parametrize("train", [True, False])
def test_batchnorm_gradient(train):
    layer = with_random_affine(BatchNorm(4))
    layer.running_mean[:] = randn(4, seed=2)
    layer.running_var[:] = np.exp(randn(4, seed=3))
    assert_passes(layer, 3 * randn(6, 4) + 1, train=train)


def test_batchnorm_gradient_with_two_examples():
    assert_passes(with_random_affine(BatchNorm(3)), randn(2, 3))


@pytest.mark.parametrize("shape", [(5, 6), (1, 6), (2, 3, 6)])
def test_layernorm_gradient(shape):
    assert_passes(with_random_affine(LayerNorm(6)), 2 * randn(*shape) - 1)


class FixedMaskDropout(Dropout):
    """Dropout whose rng is re-seeded at every forward: the same mask each time."""

    def forward(self, x, train=True):
        self.rng = np.random.default_rng(11)
        return super().forward(x, train)


@pytest.mark.parametrize("p, train", [(0.5, True), (0.2, True), (0.0, True), (0.5, False)])
def test_dropout_gradient(p, train):
    assert_passes(FixedMaskDropout(p), randn(7, 5), train=train)


# ---------------------------------------------------------------- BatchNorm statistics

def test_batchnorm_running_stats_by_hand():
    bn = BatchNorm(2)
    bn.forward(np.array([[1.0, 2.0], [3.0, 6.0]]))
    # batch mean (2, 4); biased var (1, 4) normalises; unbiased var (2, 8) goes to running_var
    assert np.allclose(bn.running_mean, [0.2, 0.4])
    assert np.allclose(bn.running_var, [0.9 + 0.2, 0.9 + 0.8])
    bn.forward(np.array([[0.0, 0.0], [0.0, 3.0], [3.0, 3.0]]))
    # batch mean (1, 2); unbiased var (3, 3)
    assert np.allclose(bn.running_mean, [0.9 * 0.2 + 0.1, 0.9 * 0.4 + 0.2])
    assert np.allclose(bn.running_var, [0.9 * 1.1 + 0.3, 0.9 * 1.7 + 0.3])


def test_batchnorm_training_output_is_normalised_with_biased_variance():
    x = np.array([[1.0, 2.0], [3.0, 6.0]])
    out = BatchNorm(2, eps=0.0 + 1e-5).forward(x)
    assert np.allclose(out, [[-1, -1], [1, 1]] / np.sqrt(1 + 1e-5 / np.array([1, 4])))
    x = randn(50, 3) * [1, 10, 100] + [5, -5, 0]
    out = BatchNorm(3).forward(x)
    assert np.allclose(out.mean(axis=0), 0) and np.allclose(out.std(axis=0), 1, atol=1e-4)


def test_batchnorm_momentum_and_eval_mode():
    bn = BatchNorm(3, momentum=0.5)
    x = randn(8, 3) * 2 + 1
    bn.forward(x)
    assert np.allclose(bn.running_mean, 0.5 * x.mean(axis=0))
    assert np.allclose(bn.running_var, 0.5 + 0.5 * x.var(axis=0, ddof=1))
    with_random_affine(bn)
    rm, rv = bn.running_mean.copy(), bn.running_var.copy()
    z = randn(1, 3, seed=4)  # a batch of one is fine in eval mode
    out = bn.forward(z, train=False)
    expected = (z - rm) / np.sqrt(rv + 1e-5) * bn.params["gamma"] + bn.params["beta"]
    assert np.allclose(out, expected)
    assert np.array_equal(bn.running_mean, rm) and np.array_equal(bn.running_var, rv)


def test_layernorm_normalises_each_row_alone():
    x = randn(4, 10) * 3 + 7
    out = LayerNorm(10).forward(x)
    assert np.allclose(out.mean(axis=1), 0) and np.allclose(out.std(axis=1), 1, atol=1e-5)
    assert np.allclose(LayerNorm(10).forward(x[1:2]), out[1:2])  # independent of the batch
    assert np.array_equal(LayerNorm(10).forward(x, train=False), out)


# ---------------------------------------------------------------- Dropout

def test_dropout_is_inverted_and_seeded():
    x = np.ones((400, 500))
    d = Dropout(0.3, rng=0)
    out = d.forward(x)
    assert set(np.unique(out)) == {0.0, 1 / 0.7}
    assert abs(np.mean(out == 0) - 0.3) < 0.005
    assert abs(out.mean() - 1) < 0.01  # E[y] = x
    assert np.array_equal(out, Dropout(0.3, rng=0).forward(x))
    assert np.array_equal(d.backward(x), out)  # same mask
    assert d.forward(x, train=False) is x
    assert d.backward(x) is x


# ---------------------------------------------------------------- dtype, inputs untouched

@pytest.mark.parametrize("make", [lambda d: Linear(6, 4, rng=0, dtype=d), lambda d: BatchNorm(6, dtype=d),
                                  lambda d: LayerNorm(6, dtype=d), lambda d: Dropout(0.5, rng=0)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float32_stays_float32_and_inputs_are_not_changed(make, dtype):
    layer = make(dtype)
    x = randn(5, 6).astype(dtype)
    dout = randn(5, 6 if not isinstance(layer, Linear) else 4, seed=1).astype(dtype)
    x0, dout0 = x.copy(), dout.copy()
    for train in (True, False):
        out = layer.forward(x, train=train)
        dx = layer.backward(dout)
        assert out.dtype == dtype and dx.dtype == dtype
        assert all(g.dtype == dtype for g in layer.grads.values())
    assert np.array_equal(x, x0) and np.array_equal(dout, dout0)


def test_float32_input_to_float64_layer_is_computed_in_float32():
    layer = LayerNorm(6)
    out = layer.forward(randn(3, 6).astype(np.float32))
    assert out.dtype == np.float32
    assert layer.backward(np.ones_like(out)).dtype == np.float32
    assert layer.grads["gamma"].dtype == np.float64  # grads in the dtype of the parameters


def test_linear_init_options():
    W = Linear(500, 400, init=1.0, rng=0).params["W"]
    assert abs(W.std() - 1) < 0.01
    assert abs(Linear(500, 400, init=0.01, rng=0).params["W"].std() - 0.01) < 1e-4
    sevens = Linear(2, 3, init=lambda fan_in, fan_out, rng: np.full((fan_in, fan_out), 7.0))
    assert np.array_equal(sevens.params["W"], np.full((2, 3), 7.0))
    a, b = Linear(3, 2, rng=5), Linear(3, 2, rng=5)
    assert np.array_equal(a.params["W"], b.params["W"])
    assert np.array_equal(a.params["b"], np.zeros(2))


# ---------------------------------------------------------------- errors name the bad value

def test_error_messages():
    with pytest.raises(ValueError, match=r"마지막 차원이 5.*in_features=4"):
        Linear(4, 3).forward(np.ones((2, 5)))
    with pytest.raises(ValueError, match="'hee_normal'"):
        Linear(4, 3, init="hee_normal")
    with pytest.raises(ValueError, match=r"\(3, 2\)"):
        Linear(3, 2, init=lambda i, o, rng: np.zeros((o, i)))
    with pytest.raises(ValueError, match="배치 크기가 1"):
        BatchNorm(3).forward(np.ones((1, 3)))
    with pytest.raises(ValueError, match=r"마지막 차원이 4.*num_features=3"):
        BatchNorm(3).forward(np.ones((2, 4)))
    with pytest.raises(ValueError, match=r"\(2, 5, 3\)"):
        BatchNorm(3).forward(np.ones((2, 5, 3)))
    with pytest.raises(ValueError, match="momentum=1.5"):
        BatchNorm(3, momentum=1.5)
    with pytest.raises(ValueError, match="eps=0"):
        LayerNorm(3, eps=0)
    with pytest.raises(ValueError, match=r"마지막 차원이 2.*num_features=3"):
        LayerNorm(3).forward(np.ones((4, 2)))
    for p in (1, 1.0, -0.1, 2):
        with pytest.raises(ValueError, match=rf"p={p}.*\[0, 1\)"):
            Dropout(p)
