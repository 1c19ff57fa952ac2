"""Measurements of a network at one moment: per-layer gradient norms, activations,
dead ReLU units. Each returns data (arrays, dicts); the plots live in ``plots``."""
import numpy as np

from . import activations as _act
from .losses import SoftmaxCrossEntropy
from .train import weight_keys


def is_activation(layer):
    """True for the nonlinearity layers of ``course_lib.activations``."""
    return type(layer).__module__ == _act.__name__


def gradient_norms(model, X, y, loss=None):
    """‖∂L/∂W_k‖₂ for every weight matrix, input layer first, after one forward/backward.

    Returns an array of shape (number of Linear layers,). Non-finite values are kept
    (they mean the gradient overflowed), so check with ``np.isfinite``.
    """
    loss = SoftmaxCrossEntropy() if loss is None else loss
    with np.errstate(all="ignore"):
        loss.forward(model.forward(X, train=True), y)
        model.backward(loss.backward())
        grads = model.grads
        return np.array([np.linalg.norm(grads[k]) for k in weight_keys(model)])


def activations(model, X, train=False):
    """Outputs of every activation layer for input ``X``: a list, input side first."""
    outs = []
    h = X
    with np.errstate(all="ignore"):
        for layer in model.layers:
            h = layer.forward(h, train=train)
            if is_activation(layer):
                outs.append(h)
    return outs


def activation_stats(model, X, train=False):
    """Mean and standard deviation of every activation layer's output: dict of arrays."""
    outs = activations(model, X, train=train)
    return {"mean": np.array([a.mean() for a in outs]), "std": np.array([a.std() for a in outs])}


def dead_fraction(model, X):
    """Per activation layer, the fraction of units that output exactly 0 for every example
    in ``X`` ("dead" ReLU units: their gradient is 0 for all of these inputs)."""
    return np.array([float(np.mean(np.all(a == 0.0, axis=0))) for a in activations(model, X)])
