import numpy as np
import pytest

from course_lib import activations
from course_lib.gradcheck import check_layer, numerical_gradient, rel_error
from course_lib.layers import BatchNorm, Dropout, LayerNorm, Linear
from course_lib.network import MLP, Sequential


def randn(*shape, seed=10):  # not 0: check_layer draws dout from seed 0
    return np.random.default_rng(seed).standard_normal(shape)


@pytest.mark.parametrize("norm", [None, "batch", "layer"])
@pytest.mark.parametrize("activation", ["tanh", "elu", "sigmoid"])
def test_mlp_gradient_end_to_end(norm, activation):
    model = MLP([5, 7, 6, 3], activation=activation, norm=norm, rng=0)
    for k, p in model.params.items():  # move gamma, beta and biases away from 1 and 0
        if not k.endswith(".W"):
            p += 0.5 * randn(*p.shape, seed=len(k))
    errors = check_layer(model, randn(8, 5))
    if norm == "batch":
        # a bias right before BatchNorm has no effect on the output: its gradient is 0
        for i in (0, 3):
            assert np.max(np.abs(model.grads[f"{i}.b"])) < 1e-12
            del errors[f"{i}.b"]
    assert max(errors.values()) < 1e-6, errors


class Reseeded(Sequential):
    """Re-seeds every Dropout before each forward, so the numerical gradient sees fixed masks."""

    def forward(self, x, train=True):
        for layer in self.layers:
            if isinstance(layer, Dropout):
                layer.rng = np.random.default_rng(3)
        return super().forward(x, train)


def test_mlp_gradient_with_dropout_and_prelu():
    layers = MLP([4, 6, 6, 2], activation="prelu", norm="layer", dropout=0.3, rng=1).layers
    model = Reseeded(*layers)
    assert any(isinstance(layer, Dropout) for layer in model.layers)
    x = randn(5, 4) + 0.2
    errors = check_layer(model, x)
    assert set(errors) == {"x", *model.params} and "2.alpha" in errors
    assert max(errors.values()) < 1e-6, errors


def test_mlp_structure():
    model = MLP([4, 8, 8, 3], activation="relu", norm="batch", dropout=0.5, rng=0)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["Linear", "BatchNorm", "ReLU", "Dropout"] * 2 + ["Linear"]
    assert model.linear_layers() == [0, 4, 8]
    assert [k for k in model.params if k.endswith(".W")] == ["0.W", "4.W", "8.W"]
    assert list(model.params) == list(model.grads)
    assert model.params["1.gamma"].shape == (8,)
    assert [type(layer).__name__ for layer in MLP([4, 3]).layers] == ["Linear"]
    assert isinstance(MLP([4, 5, 3], norm="layer").layers[1], LayerNorm)
    assert MLP([4, 5, 3], dtype=np.float32).forward(np.ones((2, 4), np.float32)).dtype == np.float32


def test_mlp_is_seeded_and_uses_init():
    a, b = MLP([6, 5, 2], rng=3), MLP([6, 5, 2], rng=3)
    assert all(np.array_equal(a.params[k], b.params[k]) for k in a.params)
    assert not np.array_equal(a.params["0.W"], MLP([6, 5, 2], rng=4).params["0.W"])
    assert np.all(MLP([6, 5, 2], init="zeros").params["0.W"] == 0)
    big = MLP([1000, 500, 2], init=0.01, rng=0).params["0.W"]
    assert abs(big.std() - 0.01) < 1e-4


def test_params_are_the_layers_arrays_and_grads_follow_backward():
    model = MLP([3, 4, 2], norm="batch", rng=0)
    W = model.params["0.W"]
    assert W is model.layers[0].params["W"]
    W -= 1.0  # an optimizer updates in place: the layer sees it
    assert np.array_equal(model.layers[0].params["W"], W)
    x = randn(6, 3)
    model.forward(x)
    model.backward(randn(6, 2, seed=1))
    g1 = model.grads["0.W"].copy()
    model.forward(2 * x)
    model.backward(randn(6, 2, seed=2))
    g2 = model.grads["0.W"]
    assert g2 is model.layers[0].grads["W"] and not np.allclose(g1, g2)


def test_sequential_numerical_gradient_of_a_parameter():
    model = Sequential(Linear(3, 4, rng=0), activations.Tanh(), Linear(4, 1, rng=1))
    x = randn(5, 3)
    model.forward(x)
    model.backward(np.ones((5, 1)))
    num = numerical_gradient(lambda: float(model.forward(x).sum()), model.params["2.W"])
    assert rel_error(model.grads["2.W"], num) < 1e-6
    assert len(model) == 3 and model[1] is model.layers[1]
    assert "Linear(3, 4)" in repr(model)


def test_backward_does_not_change_its_inputs():
    model = MLP([4, 6, 3], norm="layer", dropout=0.2, rng=0)
    x, dout = randn(5, 4), randn(5, 3, seed=1)
    x0, dout0 = x.copy(), dout.copy()
    model.forward(x)
    model.backward(dout)
    assert np.array_equal(x, x0) and np.array_equal(dout, dout0)


def test_errors_name_the_bad_value():
    with pytest.raises(ValueError, match="norm='group'"):
        MLP([3, 4, 2], norm="group")
    with pytest.raises(ValueError, match="sizes=\\[3\\]"):
        MLP([3])
    with pytest.raises(ValueError, match="dropout=1.0"):
        MLP([3, 4, 2], dropout=1.0)
    with pytest.raises(ValueError, match="relux"):
        MLP([3, 4, 2], activation="relux")
    with pytest.raises(ValueError, match="'he'"):
        MLP([3, 4, 2], init="he")
    with pytest.raises(TypeError, match="층 1"):
        Sequential(Linear(2, 2), "relu")
    with pytest.raises(ValueError, match="in_features=3"):
        MLP([3, 4, 2]).forward(np.ones((2, 5)))
    with pytest.raises(ValueError, match="배치 크기가 1"):
        MLP([3, 4, 2], norm="batch").forward(np.ones((1, 3)))


def test_backward_without_input_grad_gives_the_same_parameter_gradients():
    """input_grad=False (training on data) skips only ∂L/∂x, as PyTorch does for inputs that
    do not require a gradient."""
    rng = np.random.default_rng(0)
    x, dout = rng.standard_normal((6, 4)), rng.standard_normal((6, 3))
    model = MLP([4, 5, 3], "tanh", rng=1)
    model.forward(x)
    dx = model.backward(dout)
    full = {k: v.copy() for k, v in model.grads.items()}
    model.forward(x)
    assert dx is not None and model.backward(dout, input_grad=False) is None
    for k, v in model.grads.items():
        np.testing.assert_array_equal(v, full[k])
