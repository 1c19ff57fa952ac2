import warnings

import numpy as np
import pytest

from course_lib.gradcheck import numerical_gradient, rel_error
from course_lib.losses import MSE, SoftmaxCrossEntropy, log_softmax, softmax


def test_cross_entropy_gradient_check():
    rng = np.random.default_rng(0)
    logits, labels = rng.standard_normal((5, 4)) * 3, np.array([0, 3, 1, 1, 2])
    loss = SoftmaxCrossEntropy()
    loss.forward(logits, labels)
    dlogits = loss.backward()
    num = numerical_gradient(lambda: loss.forward(logits, labels), logits)
    assert rel_error(dlogits, num) < 1e-6
    loss.forward(logits, labels)
    assert np.allclose(loss.backward(dout=2.5), 2.5 * dlogits)


def test_cross_entropy_values():
    loss = SoftmaxCrossEntropy()
    assert loss.forward(np.zeros((3, 10)), np.array([0, 5, 9])) == pytest.approx(np.log(10))
    logits = np.array([[2.0, 1.0, 0.1]])
    expected = -np.log(np.exp(2.0) / np.exp(logits).sum())
    assert loss.forward(logits, np.array([0])) == pytest.approx(expected, rel=1e-12)
    # (softmax - onehot) / N
    assert np.allclose(loss.backward(), softmax(logits) - [[1, 0, 0]])


def test_cross_entropy_stable_at_1e4():
    logits = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4]])
    loss = SoftmaxCrossEntropy()
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        value = loss.forward(logits, np.array([1, 0]))
        dlogits = loss.backward()
    assert np.isfinite(value) and np.all(np.isfinite(dlogits))
    assert value == pytest.approx((2e4 + 2e4 + np.log(2)) / 2)
    assert np.allclose(dlogits, np.array([[1, -1, 0], [-1, 0.5, 0.5]]) / 2)


def test_cross_entropy_bad_input_names_values():
    loss = SoftmaxCrossEntropy()
    logits = np.zeros((3, 4))
    with pytest.raises(ValueError, match=r"\[0, 3\].*\[4, -1\].*\[1, 2\]"):
        loss.forward(logits, np.array([0, 4, -1]))
    with pytest.raises(ValueError, match=r"\(3,\).*\(2,\)"):
        loss.forward(logits, np.array([0, 1]))
    with pytest.raises(ValueError, match="float64"):
        loss.forward(logits, np.array([0.0, 1.0, 2.0]))
    with pytest.raises(ValueError, match=r"\(N, C\).*\(4,\)"):
        loss.forward(np.zeros(4), np.array([0]))


def test_softmax():
    x = np.array([[1000.0, 1000.0, -1000.0], [1.0, 2.0, 3.0]])
    p = softmax(x)
    assert np.allclose(p.sum(axis=1), 1) and np.allclose(p[0], [0.5, 0.5, 0.0])
    assert np.allclose(softmax(x[1:] + 123.0), p[1:])  # shift invariance
    assert np.allclose(np.exp(log_softmax(x)), p)


def test_mse_value_and_gradient():
    rng = np.random.default_rng(1)
    pred, target = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    loss = MSE()
    assert loss.forward(pred, target) == pytest.approx(np.mean((pred - target) ** 2))
    dpred = loss.backward()
    num = numerical_gradient(lambda: loss.forward(pred, target), pred)
    assert rel_error(dpred, num) < 1e-6
    assert loss.forward(np.array([1.0, 3.0]), np.array([0.0, 0.0])) == 5.0


def test_mse_shape_mismatch_names_shapes():
    with pytest.raises(ValueError, match=r"\(4, 1\).*\(4,\)"):
        MSE().forward(np.zeros((4, 1)), np.zeros(4))


def test_losses_keep_float32_and_inputs():
    rng = np.random.default_rng(2)
    logits = rng.standard_normal((4, 3)).astype(np.float32)
    before = logits.copy()
    ce = SoftmaxCrossEntropy()
    ce.forward(logits, np.array([0, 1, 2, 0]))
    assert ce.backward().dtype == np.float32 and np.array_equal(logits, before)
    mse = MSE()
    mse.forward(logits, np.zeros_like(logits))
    assert mse.backward().dtype == np.float32
