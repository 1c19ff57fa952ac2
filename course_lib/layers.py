"""Layers with parameters: Linear, BatchNorm, LayerNorm, and Dropout.

Every layer has ``params`` and ``grads`` (dicts of arrays with the same keys),
``forward(x, train=True)`` and ``backward(dout) -> dx``. ``backward`` fills ``grads``
and never changes ``x`` or ``dout``. A layer computes in the dtype of its input
(float32 stays float32); gradients are stored in the dtype of the parameters.
"""
import numbers

import numpy as np

from . import init as _init


def _as_float(x):
    """x as a floating array (integers become float64); float32 and float64 are kept."""
    x = np.asarray(x)
    return x if x.dtype.kind == "f" else x.astype(np.float64)


def _check_features(layer, x, n, what="num_features"):
    if x.ndim == 0 or x.shape[-1] != n:
        raise ValueError(f"{layer}: 입력의 마지막 차원이 {x.shape[-1] if x.ndim else None}인데 "
                         f"{what}={n}이어야 합니다 (입력 모양 {x.shape})")


def _gamma_beta(n, dtype):
    """The affine parameters of a normalisation layer, γ = 1 and β = 0 at the start (as in torch)."""
    return {"gamma": np.ones(n, dtype=dtype), "beta": np.zeros(n, dtype=dtype)}


class Linear:
    """Fully connected layer y = x W + b, with W of shape (in, out) and b of shape (out,).

    Backward (for 2-D x; extra leading axes are flattened first):
        dx = dout Wᵀ,   dW = xᵀ dout,   db = Σ_n dout_n.

    ``init`` is a name from ``course_lib.init`` (default "he_normal"), a number meaning
    the std of W ~ N(0, std²), or a function ``init(fan_in, fan_out, rng=rng)``; b starts
    at 0. torch.nn.Linear(in, out) computes the same with weight = Wᵀ and bias = b
    (only its default init differs).
    """

    def __init__(self, in_features, out_features, init="he_normal", rng=None, dtype=np.float64):
        rng = np.random.default_rng(rng)
        if isinstance(init, numbers.Real) and not isinstance(init, bool):
            W = _init.normal(in_features, out_features, std=init, rng=rng)
        elif callable(init):
            W = np.asarray(init(in_features, out_features, rng=rng))
        else:
            W = _init.get(init)(in_features, out_features, rng=rng)
        if W.shape != (in_features, out_features):
            raise ValueError(f"init이 모양 {W.shape}의 가중치를 만들었습니다; "
                             f"({in_features}, {out_features})이어야 합니다")
        self.in_features, self.out_features = in_features, out_features
        self.params = {"W": W.astype(dtype), "b": np.zeros(out_features, dtype=dtype)}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    def forward(self, x, train=True):
        x = _as_float(x)
        _check_features("Linear", x, self.in_features, "in_features")
        self.x = x
        W, b = (p.astype(x.dtype, copy=False) for p in (self.params["W"], self.params["b"]))
        out = x @ W
        out += b
        return out

    def backward(self, dout, input_grad=True):
        """Fills ``grads``; returns dx, or None with ``input_grad=False`` (x is data that
        needs no gradient: the product dout Wᵀ is skipped, as PyTorch skips it)."""
        x2 = self.x.reshape(-1, self.in_features)
        d2 = dout.reshape(-1, self.out_features)
        W = self.params["W"]
        self.grads["W"] = (x2.T @ d2).astype(W.dtype, copy=False)
        self.grads["b"] = d2.sum(axis=0).astype(W.dtype, copy=False)
        if not input_grad:
            return None
        return dout @ W.astype(dout.dtype, copy=False).T

    def __repr__(self):
        return f"Linear({self.in_features}, {self.out_features})"


class BatchNorm:
    """Batch normalisation over the batch axis of a 2-D input (N, D) (Ioffe & Szegedy, 2015).

    Training, with the batch mean μ and the *biased* batch variance σ² = mean((x - μ)²):
        x̂ = (x - μ) / sqrt(σ² + eps),   y = γ x̂ + β
        running_mean ← (1 - momentum) running_mean + momentum μ
        running_var  ← (1 - momentum) running_var  + momentum σ² N / (N - 1)   (unbiased)
    Eval: x̂ = (x - running_mean) / sqrt(running_var + eps); nothing is updated.
    Same as torch.nn.BatchNorm1d(D, eps=1e-5, momentum=0.1) (γ = weight = 1, β = bias = 0 at start).

    Backward in training. With s = sqrt(σ² + eps) and g = dout · γ (the gradient wrt x̂),
    μ and σ² depend on every x_n, so x̂_n = (x_n - μ)/s gives (per feature, sums over n):
        ∂μ/∂x_n = 1/N,   ∂σ²/∂x_n = 2 (x_n - μ) / N,
        dx_n = g_n / s  -  Σ g / (N s)  -  (x_n - μ) Σ g (x - μ) / (N s³)
             = (N g_n - Σ g - x̂_n Σ g x̂) / (N s).
    dγ = Σ_n dout_n x̂_n,  dβ = Σ_n dout_n. In eval mode μ and s are constants: dx = g / s.
    """

    def __init__(self, num_features, momentum=0.1, eps=1e-5, dtype=np.float64):
        if not 0 <= momentum <= 1:
            raise ValueError(f"momentum={momentum}: 0 이상 1 이하여야 합니다")
        if not eps > 0:
            raise ValueError(f"eps={eps}: 0보다 커야 합니다")
        self.num_features, self.momentum, self.eps = num_features, momentum, eps
        self.params = _gamma_beta(num_features, dtype)
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self.running_mean = np.zeros(num_features, dtype=dtype)
        self.running_var = np.ones(num_features, dtype=dtype)

    def forward(self, x, train=True):
        x = _as_float(x)
        if x.ndim != 2:
            raise ValueError(f"BatchNorm: 입력은 (N, D) 모양의 2차원 배열이어야 합니다; "
                             f"받은 모양 {x.shape}")
        _check_features("BatchNorm", x, self.num_features)
        gamma, beta = (self.params[k].astype(x.dtype, copy=False) for k in ("gamma", "beta"))
        n = x.shape[0]
        if train:
            if n < 2:
                raise ValueError(f"BatchNorm: 학습 모드에서 배치 크기가 {n}입니다. 배치 분산을 구하려면 "
                                 "배치 크기가 2 이상이어야 합니다 (평가 모드 train=False는 1도 됩니다)")
            # sum / n is what np.mean computes, without its Python overhead (a hot loop)
            mean = x.sum(axis=0) / n
            xc = x - mean
            var = (xc * xc).sum(axis=0) / n
            m = self.momentum
            self.running_mean *= 1 - m
            self.running_mean += m * mean
            self.running_var *= 1 - m
            self.running_var += (m * n / (n - 1)) * var
        else:
            xc = x - self.running_mean.astype(x.dtype, copy=False)
            var = self.running_var.astype(x.dtype, copy=False)
        self.train = train
        self.std = np.sqrt(var + self.eps)
        self.xhat = xc / self.std
        out = self.xhat * gamma
        out += beta
        return out

    def backward(self, dout):
        gamma = self.params["gamma"]
        self.grads["gamma"] = np.sum(dout * self.xhat, axis=0).astype(gamma.dtype, copy=False)
        self.grads["beta"] = np.sum(dout, axis=0).astype(gamma.dtype, copy=False)
        g = dout * gamma.astype(dout.dtype, copy=False)
        if not self.train:
            return g / self.std
        n = dout.shape[0]
        dx = n * g  # dx = (N g - Σ g - x̂ Σ g x̂) / (N s), computed in place
        dx -= g.sum(axis=0)
        dx -= self.xhat * np.sum(g * self.xhat, axis=0)
        dx /= n * self.std
        return dx

    def __repr__(self):
        return f"BatchNorm({self.num_features}, momentum={self.momentum}, eps={self.eps})"


class LayerNorm:
    """Layer normalisation over the last axis (Ba et al., 2016): each example on its own.

    For every row x of D features, with μ = mean(x) and the biased σ² = mean((x - μ)²):
        x̂ = (x - μ) / sqrt(σ² + eps),   y = γ x̂ + β   (γ, β of shape (D,)).
    Training and eval are the same; a batch of one is fine. Backward is BatchNorm's formula
    with the sums taken over the D features of a row instead of over the batch:
        dx = (D g - Σ_d g - x̂ Σ_d g x̂) / (D s),  g = dout · γ,  s = sqrt(σ² + eps).
    torch.nn.LayerNorm(D, eps=1e-5) (elementwise_affine=True).
    """

    def __init__(self, num_features, eps=1e-5, dtype=np.float64):
        if not eps > 0:
            raise ValueError(f"eps={eps}: 0보다 커야 합니다")
        self.num_features, self.eps = num_features, eps
        self.params = _gamma_beta(num_features, dtype)
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    def forward(self, x, train=True):
        x = _as_float(x)
        _check_features("LayerNorm", x, self.num_features)
        gamma, beta = (self.params[k].astype(x.dtype, copy=False) for k in ("gamma", "beta"))
        xc = x - x.mean(axis=-1, keepdims=True)
        self.std = np.sqrt(np.mean(xc * xc, axis=-1, keepdims=True) + self.eps)
        self.xhat = xc / self.std
        out = self.xhat * gamma
        out += beta
        return out

    def backward(self, dout):
        gamma = self.params["gamma"]
        d = self.num_features
        flat = (dout * self.xhat).reshape(-1, d)
        self.grads["gamma"] = flat.sum(axis=0).astype(gamma.dtype, copy=False)
        self.grads["beta"] = dout.reshape(-1, d).sum(axis=0).astype(gamma.dtype, copy=False)
        g = dout * gamma.astype(dout.dtype, copy=False)
        dx = d * g  # dx = (D g - Σ_d g - x̂ Σ_d g x̂) / (D s), computed in place
        dx -= g.sum(axis=-1, keepdims=True)
        dx -= self.xhat * np.sum(g * self.xhat, axis=-1, keepdims=True)
        dx /= d * self.std
        return dx

    def __repr__(self):
        return f"LayerNorm({self.num_features}, eps={self.eps})"


class Dropout:
    """Inverted dropout (Srivastava et al., 2014): training keeps each unit with probability 1 - p
    and scales it by 1/(1 - p), so E[y] = x and eval is the identity:

        train:  y = x · m / (1 - p),  m ~ Bernoulli(1 - p);   eval:  y = x
        backward: dx = dout · m / (1 - p)  (dout unchanged at eval)

    torch.nn.Dropout(p=0.5). The mask of the last forward is ``self.mask`` (already scaled).
    """

    def __init__(self, p=0.5, rng=None):
        if not (isinstance(p, numbers.Real) and 0 <= p < 1):
            raise ValueError(f"p={p}: 드롭아웃 확률은 0 이상 1 미만 [0, 1)이어야 합니다")
        self.p = p
        self.rng = np.random.default_rng(rng)
        self.params, self.grads = {}, {}
        self.mask = None

    def forward(self, x, train=True):
        x = _as_float(x)
        if not train or self.p == 0:
            self.mask = None
            return x
        u = self.rng.random(x.shape, dtype=np.float32 if x.dtype == np.float32 else np.float64)
        self.mask = (u >= self.p).astype(x.dtype)
        self.mask *= 1 / (1 - self.p)
        return x * self.mask

    def backward(self, dout):
        return dout if self.mask is None else dout * self.mask

    def __repr__(self):
        return f"Dropout(p={self.p})"
