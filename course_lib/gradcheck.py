"""Numerical gradient checks (after CS231n's ``gradient_check.py``).

The centred difference

    df/dx_i ≈ (f(x + h e_i) - f(x - h e_i)) / (2h)

is compared with the analytic gradient through the relative error

    rel_error(a, b) = max |a - b| / max(|a| + |b|, 1e-12).

To check a layer's ``backward`` we do not differentiate the output itself but the
scalar ``sum(forward(x) * dout)`` for a *random* upstream gradient ``dout``: an
all-ones ``dout`` hides bugs whose terms sum to zero (BatchNorm's backward is the
classic example).
"""
import numpy as np


def rel_error(a, b):
    """Largest relative difference between two arrays."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(a) + np.abs(b)), 1e-12))


def numerical_gradient(f, x, h=1e-6):
    """Centred-difference gradient of the scalar function ``f()`` with respect to ``x``.

    ``x`` is perturbed in place one element at a time and restored afterwards, so
    ``f`` must read ``x`` (e.g. a layer's parameter array) when it is called.
    """
    grad = np.zeros_like(x, dtype=float)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        f_plus = f()
        x[i] = old - h
        f_minus = f()
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def numerical_gradient_array(f, x, dout, h=1e-6):
    """Numerical gradient of ``sum(f(x) * dout)``: the vector-Jacobian product ``dout · ∂f/∂x``."""
    return numerical_gradient(lambda: float(np.sum(f(x) * dout)), x, h)


def check_layer(layer, x, rng=None, h=1e-6, train=True):
    """Compare ``layer.backward`` with numerical gradients for ``x`` and every parameter.

    A random upstream gradient ``dout`` is used. Returns a dict of relative errors,
    ``{"x": ..., "W": ..., ...}``. Layers with randomness in ``forward`` (dropout)
    must be made deterministic by the caller (e.g. by re-seeding their rng in ``f``).
    Do not draw ``x`` from the same seed as ``dout``: a ``dout`` proportional to ``x``
    makes BatchNorm's ``dx`` vanish and the check meaningless.
    """
    rng = np.random.default_rng(20240229) if rng is None else rng
    x = np.array(x, dtype=float)
    out = layer.forward(x, train=train)
    dout = rng.standard_normal(out.shape)
    x_before = x.copy()
    dx = layer.backward(dout)
    if not np.array_equal(x, x_before):
        raise AssertionError("backward changed its input x")
    analytic = {name: g.copy() for name, g in layer.grads.items()}

    def loss():
        return float(np.sum(layer.forward(x, train=train) * dout))

    errors = {"x": rel_error(dx, numerical_gradient(loss, x, h))}
    for name, p in layer.params.items():
        errors[name] = rel_error(analytic[name], numerical_gradient(loss, p, h))
    return errors
