"""Learning-rate schedules: functions ``epoch -> lr`` with ``lr(0) = lr0``.

Each one gives the learning rate that the ``torch.optim.lr_scheduler`` twin
named in its docstring sets after ``epoch`` calls of ``scheduler.step()``.
Use: ``for epoch in range(n): opt.lr = schedule(epoch); train_one_epoch()``.
(``one_cycle`` counts optimizer steps, not epochs, like OneCycleLR.)
``ReduceLROnPlateau`` depends on the validation metric, so it is a class.
"""
import math
import numbers
from bisect import bisect_right


def _positive(name, value):
    if not value > 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")


def _integer(name, value, low):
    if not (isinstance(value, numbers.Integral) and value >= low):
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")


def _epoch(epoch):
    if epoch < 0:
        raise ValueError(f"epoch must be >= 0, got {epoch!r}")
    return epoch


def step_lr(lr0, step_size, gamma=0.1):
    r"""Multiply by gamma every ``step_size`` epochs, as ``StepLR``.

    .. math:: \eta_t = \eta_0\, \gamma^{\lfloor t / \text{step\_size} \rfloor}
    """
    _positive("lr0", lr0)
    _integer("step_size", step_size, 1)
    _positive("gamma", gamma)
    return lambda epoch: lr0 * gamma ** (_epoch(epoch) // step_size)


def multistep_lr(lr0, milestones, gamma=0.1):
    r"""Multiply by gamma at each milestone epoch, as ``MultiStepLR``.

    .. math:: \eta_t = \eta_0\, \gamma^{\#\{m \in \text{milestones} : m \le t\}}
    """
    _positive("lr0", lr0)
    _positive("gamma", gamma)
    milestones = sorted(milestones)
    if milestones and milestones[0] < 1:
        raise ValueError(f"milestones must be >= 1, got {milestones!r}")
    return lambda epoch: lr0 * gamma ** bisect_right(milestones, _epoch(epoch))


def exponential_lr(lr0, gamma):
    r"""Multiply by gamma every epoch, as ``ExponentialLR``.

    .. math:: \eta_t = \eta_0\, \gamma^{t}
    """
    _positive("lr0", lr0)
    _positive("gamma", gamma)
    return lambda epoch: lr0 * gamma ** _epoch(epoch)


def power_lr(lr0, s, c=1.0):
    r"""Power scheduling (Géron, *Hands-On Machine Learning*, ch. 11).

    .. math:: \eta_t = \eta_0 / (1 + t/s)^{c}

    The rate halves after s epochs (c = 1), then falls ever more slowly.
    PyTorch has no scheduler of this name (a ``LambdaLR`` with this formula
    does the same).
    """
    _positive("lr0", lr0)
    _positive("s", s)
    _positive("c", c)
    return lambda epoch: lr0 / (1 + _epoch(epoch) / s) ** c


def cosine_lr(lr0, T_max, eta_min=0.0):
    r"""Cosine annealing from lr0 down to eta_min in T_max epochs, as ``CosineAnnealingLR``.

    .. math::
        \eta_t = \eta_{min} + \tfrac12(\eta_0 - \eta_{min})
                 \left(1 + \cos\frac{\pi t}{T_{max}}\right)

    Beyond T_max the formula is periodic: the rate climbs back to lr0 at
    2*T_max, and so on. torch's recursive update follows the same curve
    (checked for 0 <= t <= 50 with T_max = 10), so this matches torch at every
    epoch; to stay at eta_min, stop the schedule at T_max.
    """
    _positive("lr0", lr0)
    _integer("T_max", T_max, 1)
    if not 0 <= eta_min:
        raise ValueError(f"eta_min must be >= 0, got {eta_min!r}")

    def lr(epoch):
        return eta_min + (lr0 - eta_min) * (1 + math.cos(math.pi * _epoch(epoch) / T_max)) / 2
    return lr


def linear_warmup(lr0, warmup_epochs, after=None, start_factor=1 / 3):
    r"""Linear warmup from start_factor*lr0 to lr0, then ``after`` (if given).

    .. math::
        \eta_t = \eta_0\left(f + (1 - f)\,\frac{t}{W}\right) \ (t < W), \qquad
        \eta_t = \text{after}(t - W) \ \text{ or } \ \eta_0 \ (t \ge W)

    with f = start_factor, W = warmup_epochs. Same as ``LinearLR(start_factor,
    total_iters=W)``; with ``after`` the same as
    ``SequentialLR([LinearLR(...), after_scheduler], milestones=[W])``, where
    the second schedule starts again from its own epoch 0 at epoch W.
    """
    _positive("lr0", lr0)
    _integer("warmup_epochs", warmup_epochs, 1)
    if not 0 < start_factor <= 1:
        raise ValueError(f"start_factor must be in (0, 1], got {start_factor!r}")

    def lr(epoch):
        if _epoch(epoch) < warmup_epochs:
            return lr0 * (start_factor + (1 - start_factor) * epoch / warmup_epochs)
        return lr0 if after is None else after(epoch - warmup_epochs)
    return lr


def one_cycle(max_lr, total_steps, pct_start=0.3, div_factor=25.0, final_div_factor=1e4,
              anneal="cos", three_phase=False):
    r"""The 1cycle policy (Smith), learning rate per optimizer step, as ``OneCycleLR``.

    From initial = max_lr/div_factor up to max_lr during the first
    pct_start*total_steps steps, then down to initial/final_div_factor at step
    total_steps-1. With ``three_phase`` it first comes back down to initial
    (symmetrically), then anneals to the minimum. Each phase interpolates

    .. math::
        \text{cos: } e + \tfrac12 (s - e)(1 + \cos \pi p), \qquad
        \text{linear: } s + (e - s)\,p

    from its start s to end e, p = fraction of the phase done. (Only the
    learning rate: torch also cycles the momentum, not modelled here.)
    """
    _positive("max_lr", max_lr)
    _integer("total_steps", total_steps, 1)
    if not 0 <= pct_start <= 1:
        raise ValueError(f"pct_start must be in [0, 1], got {pct_start!r}")
    _positive("div_factor", div_factor)
    _positive("final_div_factor", final_div_factor)
    if anneal not in ("cos", "linear"):
        raise ValueError(f"anneal must be 'cos' or 'linear', got {anneal!r}")
    initial = max_lr / div_factor
    final = initial / final_div_factor
    up_end = float(pct_start * total_steps) - 1
    if three_phase:
        phases = [(up_end, initial, max_lr),  # (last step of the phase, start lr, end lr)
                  (float(2 * pct_start * total_steps) - 2, max_lr, initial),
                  (total_steps - 1, initial, final)]
    else:
        phases = [(up_end, initial, max_lr), (total_steps - 1, max_lr, final)]

    def interpolate(start, end, p):
        if anneal == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * p) + 1)
        return (end - start) * p + start

    def lr(step):
        if not 0 <= step <= total_steps:
            raise ValueError(f"step must be in [0, {total_steps}], got {step!r}")
        begin = 0.0
        for i, (end, start_lr, end_lr) in enumerate(phases):
            if step <= end or i == len(phases) - 1:
                p = (step - begin) / (end - begin) if end > begin else 1.0  # empty phase
                return interpolate(start_lr, end_lr, p)
            begin = end
    return lr


class ReduceLROnPlateau:
    """Divide the rate by 1/factor when a metric stops improving, as ``ReduceLROnPlateau``.

    ``step(metric) -> lr`` after each epoch. A metric is an improvement when
    (mode "min") it is below best*(1 - threshold) ("rel") or best - threshold
    ("abs"); "max" mirrors this. After more than ``patience`` epochs without
    improvement: lr <- max(lr*factor, min_lr) (skipped if the change is below
    eps = 1e-8), then ``cooldown`` epochs in which bad epochs are not counted.
    """

    def __init__(self, lr0, mode="min", factor=0.1, patience=10, threshold=1e-4,
                 threshold_mode="rel", cooldown=0, min_lr=0.0, eps=1e-8):
        _positive("lr0", lr0)
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
        if not 0 < factor < 1:
            raise ValueError(f"factor must be in (0, 1), got {factor!r}")
        _integer("patience", patience, 0)
        _integer("cooldown", cooldown, 0)
        if not threshold >= 0:
            raise ValueError(f"threshold must be >= 0, got {threshold!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"threshold_mode must be 'rel' or 'abs', got {threshold_mode!r}")
        if not min_lr >= 0:
            raise ValueError(f"min_lr must be >= 0, got {min_lr!r}")
        self.lr, self.mode, self.factor, self.patience = lr0, mode, factor, patience
        self.threshold, self.threshold_mode = threshold, threshold_mode
        self.cooldown, self.min_lr, self.eps = cooldown, min_lr, eps
        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0

    def is_better(self, value):
        t, best = self.threshold, self.best
        if self.mode == "min":
            return value < (best * (1 - t) if self.threshold_mode == "rel" else best - t)
        return value > (best * (1 + t) if self.threshold_mode == "rel" else best + t)

    def step(self, metric):
        metric = float(metric)
        if self.is_better(metric):
            self.best, self.num_bad_epochs = metric, 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:  # bad epochs in cooldown do not count
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            new_lr = max(self.lr * self.factor, self.min_lr)
            if self.lr - new_lr > self.eps:
                self.lr = new_lr
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        return self.lr
