"""Activation functions as layers: ``forward(x, train=True)`` and ``backward(dout) -> dx``.

Every layer keeps the dtype of its input (float32 stays float32) and never changes
``x`` or ``dout``. Derivatives at a kink (x = 0) follow PyTorch: ReLU'(0) = 0 and the
negative-side slope is used at 0 for LeakyReLU, PReLU, RReLU and ELU.

``make(name)`` builds a layer from its name (see ``NAMES``); ``value(name, x)`` and
``derivative(name, x)`` give f(x) and f'(x) for plots.
"""
import math

import numpy as np


class Activation:
    """Base class: an activation has no parameters unless it says so."""

    def __init__(self):
        self.params, self.grads = {}, {}

    def __repr__(self):
        return f"{type(self).__name__}()"


def sigmoid(x):
    """σ(x) = 1 / (1 + e^{-x}).

    For very negative x (x < -709 in float64, x < -88 in float32) e^{-x} overflows to inf and
    1 / (1 + inf) = 0 is exactly the right limit, so that overflow is expected and silenced.
    """
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-x))


def leaky(x, a):
    """max(0, x) + a·min(0, x): x where x > 0, a·x elsewhere (He et al., 2015, eq. 1)."""
    return np.maximum(x, 0) + a * np.minimum(x, 0)


def leaky_grad(dout, mask, a):
    """dout where mask (x > 0), a·dout elsewhere; ``a`` is a number or one slope per element."""
    pos = dout * mask
    return pos + a * (dout - pos)


class Sigmoid(Activation):
    """f(x) = 1 / (1 + e^{-x}),  f'(x) = f(x)(1 - f(x)) ≤ 1/4.  torch.nn.Sigmoid."""

    def forward(self, x, train=True):
        self.out = sigmoid(x)
        return self.out

    def backward(self, dout):
        return dout * self.out * (1 - self.out)


class Tanh(Activation):
    """f(x) = tanh(x),  f'(x) = 1 - f(x)².  torch.nn.Tanh."""

    def forward(self, x, train=True):
        self.out = np.tanh(x)
        return self.out

    def backward(self, dout):
        return dout * (1 - self.out ** 2)


class ReLU(Activation):
    """f(x) = max(0, x),  f'(x) = 1 if x > 0 else 0.  torch.nn.ReLU."""

    def forward(self, x, train=True):
        self.mask = x > 0
        if getattr(x, "dtype", None) == np.float32:
            # the same values (nan stays nan), but NumPy 2.4 runs float32 max against a row
            # of zeros in its vectorised loop and against the scalar 0 in a slow one (2× slower)
            return np.maximum(x, np.zeros(x.shape[-1:], np.float32))
        return np.maximum(x, 0)

    def backward(self, dout):
        return dout * self.mask


class LeakyReLU(Activation):
    """f(x) = x if x > 0 else a·x,  f'(x) = 1 if x > 0 else a (a = negative_slope).

    torch.nn.LeakyReLU(negative_slope=0.01).
    """

    def __init__(self, negative_slope=0.01):
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x, train=True):
        self.mask = x > 0
        return leaky(x, self.negative_slope)

    def backward(self, dout):
        return leaky_grad(dout, self.mask, self.negative_slope)

    def __repr__(self):
        return f"LeakyReLU(negative_slope={self.negative_slope})"


class PReLU(Activation):
    """Leaky ReLU with a learnable slope a = params["alpha"] (shape (1,), shared by all units).

    f(x) = x if x > 0 else a·x;  ∂f/∂x = 1 if x > 0 else a;  ∂f/∂a = 0 if x > 0 else x.
    torch.nn.PReLU(num_parameters=1, init=0.25).
    """

    def __init__(self, init=0.25):
        super().__init__()
        self.params["alpha"] = np.array([init], dtype=float)
        self.grads["alpha"] = np.zeros(1)

    def forward(self, x, train=True):
        self.x, self.mask = x, x > 0
        return leaky(x, float(self.params["alpha"][0]))  # a Python float keeps float32 float32

    def backward(self, dout):
        self.grads["alpha"] = np.array([np.sum(dout * np.minimum(self.x, 0))])
        return leaky_grad(dout, self.mask, float(self.params["alpha"][0]))


class RReLU(Activation):
    """Randomized leaky ReLU (Xu et al., 2015): f(x) = x if x > 0 else a·x.

    Training: a new slope a ~ U(lower, upper) for every element at every forward pass.
    Eval: the mean slope a = (lower + upper) / 2.  f'(x) = 1 if x > 0 else a.
    torch.nn.RReLU(lower=1/8, upper=1/3).
    """

    def __init__(self, lower=1 / 8, upper=1 / 3, rng=None):
        super().__init__()
        if not 0 <= lower <= upper:
            raise ValueError(f"RReLU needs 0 <= lower <= upper, got lower={lower}, upper={upper}")
        self.lower, self.upper = lower, upper
        self.rng = np.random.default_rng(rng)

    def forward(self, x, train=True):
        if train:
            a = self.rng.uniform(self.lower, self.upper, size=x.shape).astype(x.dtype, copy=False)
        else:
            a = (self.lower + self.upper) / 2
        self.mask, self.slope = x > 0, a  # slope: one per element in training, a number at eval
        return leaky(x, self.slope)

    def backward(self, dout):
        return leaky_grad(dout, self.mask, self.slope)

    def __repr__(self):
        return f"RReLU(lower={self.lower}, upper={self.upper})"


class ELU(Activation):
    """f(x) = s·x if x > 0 else s·α(e^x - 1),  f'(x) = s if x > 0 else f(x) + s·α.

    s = 1 here: torch.nn.ELU(alpha=1.0). SELU is the same with fixed α and s.
    """

    scale = 1.0

    def __init__(self, alpha=1.0):
        super().__init__()
        self.alpha = alpha

    def forward(self, x, train=True):
        self.mask = x > 0
        # s·(max(0, x) + α(e^{min(0, x)} - 1)); expm1(u) = e^u - 1 stays accurate for tiny u
        self.out = self.scale * (np.maximum(x, 0) + self.alpha * np.expm1(np.minimum(x, 0)))
        return self.out

    def backward(self, dout):
        pos = dout * self.mask  # x > 0: slope s;  x <= 0: slope f(x) + s·α
        return self.scale * pos + (self.out + self.scale * self.alpha) * (dout - pos)

    def __repr__(self):
        return f"{type(self).__name__}(alpha={self.alpha})"


class SELU(ELU):
    """Scaled ELU (Klambauer et al., 2017): f(x) = s·ELU_α(x) with the constants of torch.nn.SELU.

    f'(x) = s if x > 0 else s·α·e^x.  α ≈ 1.6733, s ≈ 1.0507 keep mean 0, variance 1.
    """

    scale = 1.0507009873554804934193349852946

    def __init__(self):
        super().__init__(alpha=1.6732632423543772848170429916717)

    def __repr__(self):
        return "SELU()"


_erf = np.frompyfunc(math.erf, 1, 1)  # exact erf, element by element (about 0.25 µs each)


class GELU(Activation):
    """f(x) = x·Φ(x) with Φ(x) = (1 + erf(x/√2)) / 2 the standard normal CDF.

    f'(x) = Φ(x) + x·φ(x), φ(x) = e^{-x²/2} / √(2π).  torch.nn.GELU(approximate='none').
    """

    def forward(self, x, train=True):
        self.x = x
        erf = np.asarray(_erf(x / math.sqrt(2)), dtype=x.dtype)
        self.cdf = 0.5 * (1 + erf)
        return x * self.cdf

    def backward(self, dout):
        pdf = np.exp(-0.5 * self.x ** 2) / math.sqrt(2 * math.pi)
        return dout * (self.cdf + self.x * pdf)


class Swish(Activation):
    """Swish / SiLU: f(x) = x·σ(x),  f'(x) = σ(x)(1 + x(1 - σ(x))).  torch.nn.SiLU."""

    def forward(self, x, train=True):
        self.x, self.s = x, sigmoid(x)
        return x * self.s

    def backward(self, dout):
        return dout * self.s * (1 + self.x * (1 - self.s))


SiLU = Swish

_CLASSES = {
    "sigmoid": Sigmoid, "tanh": Tanh, "relu": ReLU, "leaky_relu": LeakyReLU,
    "prelu": PReLU, "rrelu": RReLU, "elu": ELU, "selu": SELU, "gelu": GELU, "swish": Swish,
}
NAMES = tuple(_CLASSES)


def make(name, rng=None):
    """A new activation layer by name, e.g. ``make("relu")``; ``rng`` is used by "rrelu" only."""
    if name not in _CLASSES:
        raise ValueError(f"unknown activation {name!r}; valid names: {', '.join(NAMES)}")
    return _CLASSES[name](rng=rng) if name == "rrelu" else _CLASSES[name]()


def value(name, x):
    """f(x) of the named activation (eval mode: RReLU uses its mean slope)."""
    return make(name).forward(np.asarray(x, dtype=float), train=False)


def derivative(name, x):
    """f'(x) of the named activation, element-wise: backward with dout = 1 (eval mode)."""
    layer = make(name)
    out = layer.forward(np.asarray(x, dtype=float), train=False)
    return layer.backward(np.ones_like(out))
