"""Gradient clipping against exploding gradients, as ``torch.nn.utils``.

Both functions work in place on a dict name -> ndarray of gradients.

- ``clip_grad_norm``: one global norm over *all* gradients; when it is too
  large every gradient is multiplied by the same factor, so the direction of
  the full gradient vector is kept and only its length shrinks.
- ``clip_grad_value``: every component is cut to [-c, c] separately, so large
  components are cut more than small ones and the direction changes.
"""
import math

import numpy as np


def clip_grad_norm(grads, max_norm, norm_type=2.0):
    r"""Scale all gradients so that their global norm is at most ``max_norm``.

    .. math::
        \|g\| = \Big(\sum_{k} \|g_k\|_p^p\Big)^{1/p}
        \quad (\|g\|_\infty = \max_k \max |g_k|), \qquad
        c = \frac{\text{max\_norm}}{\|g\| + 10^{-6}}, \qquad
        g_k \leftarrow c\, g_k \ \text{ if } c < 1 .

    Direction kept: every g_k is multiplied by the same c. The norm is global,
    over all parameters together, not per parameter (a per-parameter clip would
    shrink each g_k by its own factor and change the direction).
    Same as ``torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type)``.
    Returns the total norm *before* clipping, as a float.
    """
    if not max_norm >= 0:
        raise ValueError(f"max_norm must be >= 0, got {max_norm!r}")
    norm_type = float(norm_type)
    if not norm_type > 0:
        raise ValueError(f"norm_type must be > 0 or inf, got {norm_type!r}")
    if not grads:
        return 0.0
    if math.isinf(norm_type):
        total = max(float(np.max(np.abs(g), initial=0.0)) for g in grads.values())
    else:
        norms = [np.linalg.norm(g.ravel(), ord=norm_type) for g in grads.values()]
        total = float(np.linalg.norm(norms, ord=norm_type))
    coef = max_norm / (total + 1e-6)
    if coef < 1:
        for g in grads.values():
            g *= coef
    return total


def clip_grad_value(grads, clip_value):
    r"""Clip every gradient component to [-clip_value, clip_value], in place.

    .. math::
        g_{k,i} \leftarrow \min(\max(g_{k,i}, -c), c)

    Direction changed: components are cut independently, so a gradient such
    as (10, 1) clipped at 1 becomes (1, 1).
    Same as ``torch.nn.utils.clip_grad_value_(params, clip_value)``.
    """
    if not clip_value >= 0:
        raise ValueError(f"clip_value must be >= 0, got {clip_value!r}")
    for g in grads.values():
        np.clip(g, -clip_value, clip_value, out=g)
