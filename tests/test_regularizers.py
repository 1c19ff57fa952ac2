"""Penalties, their gradients, the max-norm constraint and early stopping."""
import numpy as np
import pytest

from course_lib import optim
from course_lib.gradcheck import rel_error
from course_lib.regularizers import (EarlyStopping, l1_grad, l1_penalty, l2_grad, l2_penalty,
                                     max_norm)


def model():
    return {"0.W": np.array([[1.0, -2.0], [3.0, 0.0]]), "0.b": np.array([5.0, 5.0]),
            "1.gamma": np.array([2.0]), "rnn.Wx": np.array([[1.0]])}


def zeros_like(params):
    return {k: np.zeros_like(v) for k, v in params.items()}


def test_l2_penalty_only_weights_by_default():
    assert l2_penalty(model(), 0.1) == pytest.approx(0.05 * (1 + 4 + 9 + 0 + 1))
    assert l2_penalty(model(), 0.1, keys=["0.b"]) == pytest.approx(0.05 * 50)


def test_l2_grad_is_lam_w_and_the_penalty_gradient():
    params, grads = model(), zeros_like(model())
    l2_grad(params, grads, 0.1)
    np.testing.assert_allclose(grads["0.W"], 0.1 * params["0.W"])
    np.testing.assert_array_equal(grads["0.b"], [0.0, 0.0])
    np.testing.assert_array_equal(grads["1.gamma"], [0.0])
    h, W = 1e-6, params["0.W"]
    num = np.zeros_like(W)
    for i in np.ndindex(W.shape):
        old = W[i]
        W[i] = old + h
        up = l2_penalty(params, 0.1)
        W[i] = old - h
        down = l2_penalty(params, 0.1)
        W[i] = old
        num[i] = (up - down) / (2 * h)
    assert rel_error(grads["0.W"], num) < 1e-8


def test_l2_grad_plus_sgd_equals_sgd_weight_decay():
    rng = np.random.default_rng(0)
    p1 = {"0.W": rng.normal(size=(3, 2))}
    p2 = {"0.W": p1["0.W"].copy()}
    g = {"0.W": rng.normal(size=(3, 2))}
    g_l2 = {"0.W": g["0.W"].copy()}
    l2_grad(p1, g_l2, 0.01)
    optim.SGD(lr=0.1).update(p1, g_l2)
    optim.SGD(lr=0.1, weight_decay=0.01).update(p2, g)
    np.testing.assert_allclose(p1["0.W"], p2["0.W"], rtol=1e-15)


def test_l1():
    assert l1_penalty(model(), 0.1) == pytest.approx(0.1 * (1 + 2 + 3 + 0 + 1))
    params, grads = model(), zeros_like(model())
    l1_grad(params, grads, 0.1)
    np.testing.assert_allclose(grads["0.W"], [[0.1, -0.1], [0.1, 0.0]])
    np.testing.assert_array_equal(grads["0.b"], [0.0, 0.0])


def test_max_norm_rescales_columns_in_place():
    W = np.array([[3.0, 0.3], [4.0, 0.4]])  # column norms 5 and 0.5
    out = max_norm(W, 1.0)
    assert out is W
    np.testing.assert_allclose(W[:, 0], np.array([3.0, 4.0]) / (5 + 1e-7), rtol=1e-15)
    np.testing.assert_array_equal(W[:, 1], [0.3, 0.4])
    W32 = np.full((4, 3), 2.0, dtype=np.float32)
    max_norm(W32, 2.0)
    assert W32.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(W32, axis=0), 2.0, rtol=1e-6)


def test_early_stopping():
    es = EarlyStopping(patience=2)
    assert [es.step(v) for v in [1.0, 0.8, 0.9, 0.85]] == [False, False, False, True]
    assert es.best == 0.8 and es.best_epoch == 1
    es = EarlyStopping(patience=2, min_delta=0.1)
    assert [es.step(v) for v in [1.0, 0.95, 0.85]] == [False, False, False]
    assert es.best_epoch == 2  # 0.95 was not better by min_delta, 0.85 was
    es = EarlyStopping(patience=1)
    assert es.step(1.0) is False and es.step(float("nan")) is True


@pytest.mark.parametrize("call, value", [
    (lambda: l2_penalty(model(), -0.1), "-0.1"),
    (lambda: l1_grad(model(), zeros_like(model()), -1), "-1"),
    (lambda: max_norm(np.ones((2, 2)), 0.0), "0.0"),
    (lambda: EarlyStopping(patience=0), "0"),
    (lambda: EarlyStopping(min_delta=-0.01), "-0.01"),
])
def test_bad_arguments_name_the_value(call, value):
    with pytest.raises(ValueError, match=f"must be .*, got {value}$"):
        call()


def test_unknown_keys_and_bad_shapes():
    with pytest.raises(ValueError, match="'1.W'"):
        l2_penalty(model(), 0.1, keys=["1.W"])
    with pytest.raises(ValueError, match=r"\(3,\)"):
        max_norm(np.ones(3), 1.0)
