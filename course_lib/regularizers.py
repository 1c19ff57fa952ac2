"""Regularizers: weight penalties, the max-norm constraint and early stopping.

Penalties take the params/grads dicts of a model. By default only weight
matrices are penalised -- names whose last part starts with "W" ("0.W", "W",
"Wx", "Wh") -- and not biases, BatchNorm/LayerNorm gamma and beta or PReLU's
alpha: a bias or a scale has one number per unit, cannot overfit the way a
weight matrix does, and pulling BatchNorm's gamma towards 0 would switch units
off. Pass ``keys`` to choose the parameters yourself.
"""
import math

import numpy as np


def _check_lam(lam):
    if not lam >= 0:
        raise ValueError(f"lam must be >= 0, got {lam!r}")


def _weight_keys(params, keys):
    if keys is None:
        return [k for k in params if k.split(".")[-1].startswith("W")]
    missing = [k for k in keys if k not in params]
    if missing:
        raise ValueError(f"keys {missing!r} not in params; available: {list(params)}")
    return list(keys)


def l2_penalty(params, lam, keys=None):
    r"""L2 penalty (weight decay) :math:`\frac{\lambda}{2}\sum_k \|W_k\|^2`.

    The 1/2 makes the gradient exactly lambda*W, so adding this penalty to the
    loss is the same as ``SGD(weight_decay=lam)`` (``torch.optim.SGD`` too):
    weight_decay adds lam*W to the gradient. The same holds for Adam, RMSprop
    and the others, but not for AdamW, which shrinks W outside the gradient.
    """
    _check_lam(lam)
    return 0.5 * lam * sum(float(np.sum(np.square(params[k]))) for k in _weight_keys(params, keys))


def l2_grad(params, grads, lam, keys=None):
    r"""Add the L2 penalty's gradient, :math:`\lambda W`, to ``grads`` in place."""
    _check_lam(lam)
    for k in _weight_keys(params, keys):
        grads[k] += lam * params[k]


def l1_penalty(params, lam, keys=None):
    r"""L1 penalty :math:`\lambda\sum_k \sum |W_k|` (drives weights to exactly 0)."""
    _check_lam(lam)
    return lam * sum(float(np.sum(np.abs(params[k]))) for k in _weight_keys(params, keys))


def l1_grad(params, grads, lam, keys=None):
    r"""Add the L1 penalty's (sub)gradient, :math:`\lambda\,\mathrm{sign}(W)` with sign(0) = 0, in place."""
    _check_lam(lam)
    for k in _weight_keys(params, keys):
        grads[k] += lam * np.sign(params[k])


def max_norm(W, c):
    r"""Max-norm constraint: rescale each unit's incoming weight vector to norm <= c, in place.

    For W of shape (in, out), column j holds the weights into output unit j:

    .. math::
        W_{:,j} \leftarrow W_{:,j}\, \frac{c}{\|W_{:,j}\|_2 + 10^{-7}}
        \quad \text{if } \|W_{:,j}\|_2 > c

    Same as ``W.renorm_(p=2, dim=1, maxnorm=c)`` in torch and Keras'
    ``MaxNorm(c, axis=0)``. Apply it after each optimizer update. Returns W.
    """
    if not c > 0:
        raise ValueError(f"c must be > 0, got {c!r}")
    if W.ndim != 2:
        raise ValueError(f"W must be a 2-D (in, out) matrix, got shape {W.shape}")
    norms = np.sqrt(np.sum(np.square(W), axis=0))
    W *= np.where(norms > c, c / (norms + 1e-7), 1.0).astype(W.dtype)
    return W


class EarlyStopping:
    """Stop when the validation loss has not improved for ``patience`` epochs.

    ``step(val_loss) -> True`` means stop. An epoch improves when
    val_loss < best - min_delta; then ``best`` and ``best_epoch`` (0-based count
    of ``step`` calls) are updated -- keep a copy of the weights from that
    epoch. A NaN loss never counts as an improvement.
    """

    def __init__(self, patience=10, min_delta=0.0):
        if not (isinstance(patience, int) and patience >= 1):
            raise ValueError(f"patience must be an integer >= 1, got {patience!r}")
        if not min_delta >= 0:
            raise ValueError(f"min_delta must be >= 0, got {min_delta!r}")
        self.patience, self.min_delta = patience, min_delta
        self.best, self.best_epoch = math.inf, None
        self.epoch, self.num_bad_epochs = -1, 0

    def step(self, val_loss):
        self.epoch += 1
        val_loss = float(val_loss)
        if val_loss < self.best - self.min_delta:
            self.best, self.best_epoch, self.num_bad_epochs = val_loss, self.epoch, 0
        else:
            self.num_bad_epochs += 1
        return self.num_bad_epochs >= self.patience
