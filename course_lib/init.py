"""Weight initialisation: each function returns a float64 matrix W of shape (fan_in, fan_out).

Our weights are stored as (in, out), so ``x @ W`` is a layer; PyTorch stores the
transpose (out, in), but fan_in is the number of inputs in both cases. Every function
takes ``rng`` (a ``np.random.Generator``; ``None`` makes a fresh, unseeded one).

The idea of all the scaled schemes: keep the variance of the signal the same from
layer to layer. With y = Σ_i x_i W_i over n_in inputs, Var(y) = n_in · Var(W) · E[x²], so

    LeCun  (linear / tanh / SELU):  Var(W) = 1 / n_in
    He     (ReLU halves E[x²]):     Var(W) = 2 / n_in
    Xavier (forward and backward):  Var(W) = 2 / (n_in + n_out)

A uniform U(-a, a) has variance a²/3, so its bound is a = sqrt(3 · Var(W)).
"""
import math

import numpy as np


def _check(fan_in, fan_out):
    if fan_in < 1 or fan_out < 1:
        raise ValueError(f"fan_in={fan_in}, fan_out={fan_out}: 둘 다 1 이상이어야 합니다")


def _rng(rng):
    return np.random.default_rng(rng)


def _uniform(fan_in, fan_out, bound, rng):
    return _rng(rng).uniform(-bound, bound, size=(fan_in, fan_out))


def _normal(fan_in, fan_out, std, rng):
    return _rng(rng).normal(0.0, std, size=(fan_in, fan_out))


def zeros(fan_in, fan_out, rng=None):
    """W = 0. Every unit of a layer then computes the same thing (symmetry is never broken)."""
    _check(fan_in, fan_out)
    return np.zeros((fan_in, fan_out))


def normal(fan_in, fan_out, std=0.01, rng=None):
    """W ~ N(0, std²) with a fixed std, whatever the layer size.  torch.nn.init.normal_(w, 0, std)."""
    _check(fan_in, fan_out)
    if not std >= 0:
        raise ValueError(f"std={std}: 0 이상이어야 합니다")
    return _normal(fan_in, fan_out, std, rng)


def xavier_uniform(fan_in, fan_out, rng=None, gain=1.0):
    """W ~ U(-a, a),  a = gain · sqrt(6 / (n_in + n_out)),  Var(W) = gain² · 2 / (n_in + n_out).

    Glorot & Bengio (2010).  torch.nn.init.xavier_uniform_(w, gain).
    """
    _check(fan_in, fan_out)
    return _uniform(fan_in, fan_out, gain * math.sqrt(6.0 / (fan_in + fan_out)), rng)


def xavier_normal(fan_in, fan_out, rng=None, gain=1.0):
    """W ~ N(0, σ²),  σ = gain · sqrt(2 / (n_in + n_out)).  torch.nn.init.xavier_normal_(w, gain)."""
    _check(fan_in, fan_out)
    return _normal(fan_in, fan_out, gain * math.sqrt(2.0 / (fan_in + fan_out)), rng)


def he_uniform(fan_in, fan_out, rng=None):
    """W ~ U(-a, a),  a = sqrt(6 / n_in),  Var(W) = 2 / n_in.

    He et al. (2015).  torch.nn.init.kaiming_uniform_(w, nonlinearity='relu') (mode='fan_in').
    """
    _check(fan_in, fan_out)
    return _uniform(fan_in, fan_out, math.sqrt(6.0 / fan_in), rng)


def he_normal(fan_in, fan_out, rng=None):
    """W ~ N(0, σ²),  σ = sqrt(2 / n_in) (not 2 / sqrt(n_in)).

    He et al. (2015).  torch.nn.init.kaiming_normal_(w, nonlinearity='relu') (mode='fan_in').
    """
    _check(fan_in, fan_out)
    return _normal(fan_in, fan_out, math.sqrt(2.0 / fan_in), rng)


def lecun_uniform(fan_in, fan_out, rng=None):
    """W ~ U(-a, a),  a = sqrt(3 / n_in),  Var(W) = 1 / n_in.

    LeCun et al. (1998).  torch.nn.init.kaiming_uniform_(w, nonlinearity='linear').
    """
    _check(fan_in, fan_out)
    return _uniform(fan_in, fan_out, math.sqrt(3.0 / fan_in), rng)


def lecun_normal(fan_in, fan_out, rng=None):
    """W ~ N(0, σ²),  σ = sqrt(1 / n_in): the init SELU assumes (Klambauer et al., 2017).

    torch.nn.init.kaiming_normal_(w, nonlinearity='linear').
    """
    _check(fan_in, fan_out)
    return _normal(fan_in, fan_out, math.sqrt(1.0 / fan_in), rng)


_FUNCTIONS = {f.__name__: f for f in (zeros, normal, xavier_uniform, xavier_normal, he_uniform,
                                      he_normal, lecun_uniform, lecun_normal)}
NAMES = tuple(_FUNCTIONS)


def get(name):
    """The initialisation function called ``name``, e.g. ``get("he_normal")``."""
    if name not in _FUNCTIONS:
        raise ValueError(f"알 수 없는 초기화 {name!r}. 가능한 이름: {', '.join(NAMES)}")
    return _FUNCTIONS[name]
