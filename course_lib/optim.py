"""Optimizers: how a gradient becomes a parameter update.

Every class follows the algorithm in the ``torch.optim`` documentation, with
the same defaults, so that ``opt.update(params, grads)`` here and
``opt.step()`` in PyTorch give the same numbers.

``params`` and ``grads`` are dicts name -> ndarray (e.g. ``"0.W"``); the update
is in place, the gradients are never modified. Each parameter has its own
state dict in ``opt.state[name]`` with a step counter ``"step"`` (t = 1 at the
first update, as ``state["step"]`` in torch). ``lr`` is a plain attribute, so a
schedule can set ``opt.lr = schedule(epoch)`` between epochs.

Notation: g = gradient, theta = parameter, lambda = weight_decay, t = step.
"""
import math

import numpy as np


def _check_nonneg(name, value):
    if not value >= 0:  # also rejects NaN
        raise ValueError(f"{name} must be >= 0, got {value!r}")


def _check_unit(name, value):
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")


def _check_betas(betas):
    if len(betas) != 2:
        raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
    _check_unit("betas[0]", betas[0])
    _check_unit("betas[1]", betas[1])
    return tuple(betas)


def _zeros(state, key, like):
    """state[key], created as zeros of like's shape and dtype on first use."""
    if key not in state:
        state[key] = np.zeros_like(like)
    return state[key]


def _decay(g, p, weight_decay):
    """g + lambda * theta (L2 weight decay), a new array; g itself if lambda == 0."""
    return g + weight_decay * p if weight_decay else g


class Optimizer:
    """Base class: per-parameter state and step counter; subclasses write _step."""

    def __init__(self, lr):
        _check_nonneg("lr", lr)
        self.lr = lr
        self.state = {}

    def update(self, params, grads):
        """One update of every parameter that has a gradient, in place."""
        for name, p in params.items():
            g = grads.get(name)
            if g is None:  # like torch, skip parameters without a gradient
                continue
            if g.shape != p.shape:
                raise ValueError(f"grads[{name!r}] has shape {g.shape}, "
                                 f"params[{name!r}] has shape {p.shape}")
            state = self.state.setdefault(name, {"step": 0})
            state["step"] += 1
            self._step(p, g, state)

    def _step(self, p, g, state):
        raise NotImplementedError

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if k != "state")
        return f"{type(self).__name__}({args})"


class SGD(Optimizer):
    r"""Stochastic gradient descent with optional momentum, as ``torch.optim.SGD``.

    .. math::
        g_t &\leftarrow g_t + \lambda\theta_{t-1} \\
        b_1 &= g_1, \quad b_t = \mu b_{t-1} + (1 - \tau) g_t \quad (\mu > 0) \\
        g_t &\leftarrow g_t + \mu b_t \ \text{(nesterov)}, \quad g_t \leftarrow b_t \ \text{(otherwise)} \\
        \theta_t &= \theta_{t-1} - \eta g_t

    with mu = momentum, tau = dampening, eta = lr. ``nesterov=True`` needs
    momentum > 0 and dampening = 0 (torch's rule).
    """

    def __init__(self, lr=0.01, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
        super().__init__(lr)
        _check_unit("momentum", momentum)
        if not 0.0 <= dampening <= 1.0:
            raise ValueError(f"dampening must be in [0, 1], got {dampening!r}")
        _check_nonneg("weight_decay", weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("nesterov=True needs momentum > 0 and dampening = 0, "
                             f"got momentum={momentum!r}, dampening={dampening!r}")
        self.momentum, self.dampening = momentum, dampening
        self.nesterov, self.weight_decay = nesterov, weight_decay

    def _step(self, p, g, state):
        g = _decay(g, p, self.weight_decay)
        if self.momentum:
            b = state.get("momentum_buffer")
            if b is None:
                b = state["momentum_buffer"] = g.copy()  # b_1 = g_1
            else:
                b *= self.momentum
                b += (1 - self.dampening) * g
            g = g + self.momentum * b if self.nesterov else b
        p -= self.lr * g


class Momentum(SGD):
    """SGD with (heavy-ball) momentum: ``SGD(lr, momentum=0.9)``, i.e. torch.optim.SGD."""

    def __init__(self, lr=0.01, momentum=0.9, dampening=0.0, weight_decay=0.0):
        super().__init__(lr, momentum, dampening, False, weight_decay)


class Nesterov(SGD):
    """Nesterov momentum: ``SGD(lr, momentum=0.9, nesterov=True)``, i.e. torch.optim.SGD."""

    def __init__(self, lr=0.01, momentum=0.9, weight_decay=0.0):
        super().__init__(lr, momentum, 0.0, True, weight_decay)


class AdaGrad(Optimizer):
    r"""AdaGrad, as ``torch.optim.Adagrad``.

    .. math::
        g_t &\leftarrow g_t + \lambda\theta_{t-1}, \quad
        \tilde\eta = \eta / (1 + (t - 1)\,\text{lr\_decay}) \\
        s_t &= s_{t-1} + g_t^2 \quad (s_0 = \text{initial\_accumulator\_value}) \\
        \theta_t &= \theta_{t-1} - \tilde\eta\, g_t / (\sqrt{s_t} + \epsilon)
    """

    def __init__(self, lr=0.01, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0,
                 eps=1e-10):
        super().__init__(lr)
        for name, value in [("lr_decay", lr_decay), ("weight_decay", weight_decay),
                            ("initial_accumulator_value", initial_accumulator_value),
                            ("eps", eps)]:
            _check_nonneg(name, value)
        self.lr_decay, self.weight_decay, self.eps = lr_decay, weight_decay, eps
        self.initial_accumulator_value = initial_accumulator_value

    def _step(self, p, g, state):
        g = _decay(g, p, self.weight_decay)
        if "sum" not in state:
            state["sum"] = np.full_like(p, self.initial_accumulator_value)
        s = state["sum"]
        s += np.square(g)
        step = np.sqrt(s)
        step += self.eps
        np.divide(g, step, out=step)
        step *= self.lr / (1 + (state["step"] - 1) * self.lr_decay)
        p -= step


class RMSprop(Optimizer):
    r"""RMSprop, as ``torch.optim.RMSprop``.

    .. math::
        g_t &\leftarrow g_t + \lambda\theta_{t-1} \\
        v_t &= \alpha v_{t-1} + (1 - \alpha) g_t^2, \quad
        \bar g_t = \alpha \bar g_{t-1} + (1 - \alpha) g_t \ \text{(centered)} \\
        d_t &= \sqrt{v_t - \bar g_t^2} + \epsilon \ \text{(centered)}, \quad
        d_t = \sqrt{v_t} + \epsilon \ \text{(otherwise)} \\
        b_t &= \mu b_{t-1} + g_t / d_t, \quad \theta_t = \theta_{t-1} - \eta b_t \quad (\mu > 0) \\
        \theta_t &= \theta_{t-1} - \eta\, g_t / d_t \quad (\mu = 0)
    """

    def __init__(self, lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                 centered=False):
        super().__init__(lr)
        _check_unit("alpha", alpha)
        _check_nonneg("eps", eps)
        _check_nonneg("weight_decay", weight_decay)
        _check_unit("momentum", momentum)
        self.alpha, self.eps, self.weight_decay = alpha, eps, weight_decay
        self.momentum, self.centered = momentum, centered

    def _step(self, p, g, state):
        a = self.alpha
        g = _decay(g, p, self.weight_decay)
        v = _zeros(state, "square_avg", p)
        v *= a
        v += (1 - a) * np.square(g)
        if self.centered:
            gbar = _zeros(state, "grad_avg", p)
            gbar *= a
            gbar += (1 - a) * g
            d = v - np.square(gbar)
            np.sqrt(d, out=d)
        else:
            d = np.sqrt(v)
        d += self.eps
        if self.momentum:
            b = _zeros(state, "momentum_buffer", p)
            b *= self.momentum
            b += g / d
            p -= self.lr * b
        else:
            np.divide(g, d, out=d)
            d *= self.lr
            p -= d


class Adam(Optimizer):
    r"""Adam, as ``torch.optim.Adam`` (L2 weight decay added to the gradient).

    .. math::
        g_t &\leftarrow g_t + \lambda\theta_{t-1} \\
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t, \quad
        v_t = \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
        \hat v_t &= \max(\hat v_{t-1}, v_t) \ \text{(amsgrad)}, \quad \hat v_t = v_t \ \text{(otherwise)} \\
        \theta_t &= \theta_{t-1} - \frac{\eta}{1 - \beta_1^t}\,
                    \frac{m_t}{\sqrt{\hat v_t} / \sqrt{1 - \beta_2^t} + \epsilon}

    eps is added *after* bias-correcting sqrt(v), as in torch. At t = 1 the
    step is eta * g / (|g| + eps), i.e. about eta * sign(g).
    """

    decoupled = False  # AdamW: weight decay applied to theta, not added to g

    def __init__(self, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False):
        super().__init__(lr)
        self.betas = _check_betas(betas)
        _check_nonneg("eps", eps)
        _check_nonneg("weight_decay", weight_decay)
        self.eps, self.weight_decay, self.amsgrad = eps, weight_decay, amsgrad

    def _step(self, p, g, state):
        b1, b2 = self.betas
        t = state["step"]
        if self.decoupled:
            p *= 1 - self.lr * self.weight_decay
        else:
            g = _decay(g, p, self.weight_decay)
        m = _zeros(state, "exp_avg", p)
        m *= b1
        m += (1 - b1) * g
        v = _zeros(state, "exp_avg_sq", p)
        v *= b2
        v += (1 - b2) * np.square(g)
        if self.amsgrad:
            v_max = _zeros(state, "max_exp_avg_sq", p)
            np.maximum(v_max, v, out=v_max)
            v = v_max
        d = np.sqrt(v)
        d /= math.sqrt(1 - b2 ** t)
        d += self.eps
        np.divide(m, d, out=d)
        d *= self.lr / (1 - b1 ** t)
        p -= d


class AdamW(Adam):
    r"""AdamW (decoupled weight decay), as ``torch.optim.AdamW``.

    .. math::
        \theta_{t-1} \leftarrow \theta_{t-1}(1 - \eta\lambda),
        \ \text{then the Adam step with } \lambda = 0 .

    Default weight_decay = 1e-2, as in torch.
    """

    decoupled = True

    def __init__(self, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False):
        super().__init__(lr, betas, eps, weight_decay, amsgrad)


class AdaMax(Optimizer):
    r"""AdaMax (Adam with the infinity norm), as ``torch.optim.Adamax``.

    .. math::
        g_t &\leftarrow g_t + \lambda\theta_{t-1} \\
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t, \quad
        u_t = \max(\beta_2 u_{t-1}, |g_t| + \epsilon) \\
        \theta_t &= \theta_{t-1} - \frac{\eta}{1 - \beta_1^t}\,\frac{m_t}{u_t}
    """

    def __init__(self, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(lr)
        self.betas = _check_betas(betas)
        _check_nonneg("eps", eps)
        _check_nonneg("weight_decay", weight_decay)
        self.eps, self.weight_decay = eps, weight_decay

    def _step(self, p, g, state):
        b1, b2 = self.betas
        g = _decay(g, p, self.weight_decay)
        m = _zeros(state, "exp_avg", p)
        m *= b1
        m += (1 - b1) * g
        u = _zeros(state, "exp_inf", p)
        u *= b2
        np.maximum(u, np.abs(g) + self.eps, out=u)
        p -= (self.lr / (1 - b1 ** state["step"])) * (m / u)


class Nadam(Optimizer):
    r"""NAdam (Adam with Nesterov momentum), as ``torch.optim.NAdam``.

    .. math::
        g_t &\leftarrow g_t + \lambda\theta_{t-1} \\
        \mu_t &= \beta_1\left(1 - \tfrac12\, 0.96^{\,t\,\psi}\right), \quad
        \Pi_t = \prod_{i=1}^{t} \mu_i \quad (\psi = \text{momentum\_decay}) \\
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t, \quad
        v_t = \beta_2 v_{t-1} + (1 - \beta_2) g_t^2, \quad
        d_t = \sqrt{v_t / (1 - \beta_2^t)} + \epsilon \\
        \theta_t &= \theta_{t-1}
            - \eta\,\frac{1 - \mu_t}{1 - \Pi_t}\,\frac{g_t}{d_t}
            - \eta\,\frac{\mu_{t+1}}{1 - \Pi_t\,\mu_{t+1}}\,\frac{m_t}{d_t}
    """

    def __init__(self, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 momentum_decay=4e-3):
        super().__init__(lr)
        self.betas = _check_betas(betas)
        for name, value in [("eps", eps), ("weight_decay", weight_decay),
                            ("momentum_decay", momentum_decay)]:
            _check_nonneg(name, value)
        self.eps, self.weight_decay, self.momentum_decay = eps, weight_decay, momentum_decay

    def _step(self, p, g, state):
        b1, b2 = self.betas
        t = state["step"]
        g = _decay(g, p, self.weight_decay)
        mu = b1 * (1 - 0.5 * 0.96 ** (t * self.momentum_decay))
        mu_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * self.momentum_decay))
        state["mu_product"] = state.get("mu_product", 1.0) * mu
        mu_product = state["mu_product"]
        m = _zeros(state, "exp_avg", p)
        m *= b1
        m += (1 - b1) * g
        v = _zeros(state, "exp_avg_sq", p)
        v *= b2
        v += (1 - b2) * np.square(g)
        d = v / (1 - b2 ** t)
        np.sqrt(d, out=d)
        d += self.eps
        p -= (self.lr * (1 - mu) / (1 - mu_product)) * (g / d)
        p -= (self.lr * mu_next / (1 - mu_product * mu_next)) * (m / d)


OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "nesterov": Nesterov, "adagrad": AdaGrad,
              "rmsprop": RMSprop, "adam": Adam, "adamw": AdamW, "adamax": AdaMax,
              "nadam": Nadam}


def get(name, **kwargs):
    """Optimizer by name, e.g. ``get("adam", lr=1e-3)``."""
    key = name.lower() if isinstance(name, str) else name
    if key not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; choose one of: {', '.join(OPTIMIZERS)}")
    return OPTIMIZERS[key](**kwargs)
