"""The training loop of the course: ``fit`` returns a ``History``, it never raises on divergence.

One step of mini-batch training:

    loss = L(model(x_batch), y_batch) + penalty(params)
    grads = ∂loss/∂params                      (backward)
    grads ← clip(grads)                        (optional)
    params ← optimizer.update(params, grads)
    params ← max_norm(params)                  (optional)

If the loss or a gradient stops being finite (nan/inf), training stops and the history
says so in Korean (``history.diverged``, ``history.message``), so a widget can show the
message instead of a traceback.
"""
from dataclasses import dataclass, field

import numpy as np

from . import clip as _clip
from . import regularizers as _reg
from .losses import SoftmaxCrossEntropy
from .network import Sequential
from .optim import SGD

DIVERGED = "발산했습니다: 손실이 nan/inf가 되었습니다. 학습률을 낮춰 보세요."


@dataclass
class History:
    """What happened during ``fit``. Per step: ``step_loss``, ``grad_norms`` (steps × layers);
    per epoch: ``train_loss``, ``train_acc``, ``val_loss``, ``val_acc``, ``lr``."""
    layer_names: list = field(default_factory=list)
    step_loss: list = field(default_factory=list)
    grad_norms: list = field(default_factory=list)
    train_loss: list = field(default_factory=list)
    train_acc: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_acc: list = field(default_factory=list)
    lr: list = field(default_factory=list)
    diverged: bool = False
    diverged_at: int = None
    message: str = ""

    def grad_norm_array(self):
        """Per-step gradient norms as an array of shape (steps, layers)."""
        return np.array(self.grad_norms).reshape(len(self.grad_norms), len(self.layer_names))

    @property
    def final_train_loss(self):
        return self.train_loss[-1] if self.train_loss else float("nan")

    @property
    def final_val_acc(self):
        return self.val_acc[-1] if self.val_acc else float("nan")


def weight_keys(model):
    """Names of the weight matrices ("0.W", "2.W", …), from input to output."""
    return [k for k in model.params if k.endswith(".W")]


def accuracy(logits, y):
    """Fraction of rows whose largest logit is the true class."""
    return float(np.mean(np.argmax(logits, axis=1) == y))


def evaluate(model, X, y, loss=None):
    """Loss and accuracy (None for non-classification losses) in eval mode."""
    loss = SoftmaxCrossEntropy() if loss is None else loss
    with np.errstate(all="ignore"):
        out = model.forward(X, train=False)
        value = float(loss.forward(out, y))
    acc = accuracy(out, y) if isinstance(loss, SoftmaxCrossEntropy) else None
    return value, acc


def _backward(model, dout):
    """``model.backward`` for training: a ``Sequential`` skips ∂L/∂x of the data."""
    if isinstance(model, Sequential):
        model.backward(dout, input_grad=False)
    else:
        model.backward(dout)


def _finite(*arrays):
    # A sum is finite only if every term is, so one cheap sum per array decides almost
    # always; the element-wise check runs only if the sum overflowed or is nan/inf.
    return all(np.isfinite(a.sum()) or np.isfinite(a).all() for a in arrays)


def epoch(model, X, y, optimizer, rng, batch_size=32, loss=None, l1=0.0, l2=0.0, max_norm=None):
    """One epoch of the mini-batch steps ``fit`` takes (a new ``rng.permutation`` of the
    examples, then for every batch: forward, backward, penalty gradients, update, max-norm),
    and nothing else: no history, no evaluation. For experiments that run many short
    trainings and measure on their own. Returns False as soon as the loss is not finite.
    """
    loss = SoftmaxCrossEntropy() if loss is None else loss
    weights = weight_keys(model)
    order = rng.permutation(len(y))
    with np.errstate(all="ignore"):
        for start in range(0, len(y), batch_size):
            idx = order[start:start + batch_size]
            value = loss.forward(model.forward(X[idx], train=True), y[idx])
            if not np.isfinite(value):
                return False
            _backward(model, loss.backward())
            params, grads = model.params, model.grads
            if l2:
                _reg.l2_grad(params, grads, l2)
            if l1:
                _reg.l1_grad(params, grads, l1)
            optimizer.update(params, grads)
            if max_norm is not None:
                for k in weights:
                    _reg.max_norm(params[k], max_norm)
    return True


def fit(model, X, y, *, loss=None, optimizer=None, epochs=10, batch_size=32, rng=None,
        X_val=None, y_val=None, clip_norm=None, clip_value=None, schedule=None,
        l1=0.0, l2=0.0, max_norm=None, early_stopping=None, record_grad_norms=True):
    """Train ``model`` on (X, y) with mini-batches; returns a ``History``.

    ``schedule`` is a function ``epoch -> lr`` (``course_lib.schedules``) applied at the
    start of every epoch, or an object with ``step(val_loss) -> lr`` (ReduceLROnPlateau)
    called at the end of every epoch. ``early_stopping`` is an object with
    ``step(val_loss) -> bool`` (``regularizers.EarlyStopping``).
    """
    if epochs < 0 or batch_size < 1:
        raise ValueError(f"epochs={epochs}, batch_size={batch_size}: epochs ≥ 0, batch_size ≥ 1이어야 합니다")
    loss = SoftmaxCrossEntropy() if loss is None else loss
    optimizer = SGD(lr=0.1) if optimizer is None else optimizer
    rng = np.random.default_rng(0) if rng is None else rng
    history = History(layer_names=weight_keys(model))
    n = len(X)
    step = 0
    with np.errstate(all="ignore"):  # overflow is detected below and reported, not warned about
        for epoch in range(epochs):
            if callable(schedule):
                optimizer.lr = schedule(epoch)
            history.lr.append(optimizer.lr)
            order = rng.permutation(n)
            for start in range(0, n, batch_size):
                idx = order[start:start + batch_size]
                value = loss.forward(model.forward(X[idx], train=True), y[idx])
                _backward(model, loss.backward())
                params, grads = model.params, model.grads
                if l2:
                    value += _reg.l2_penalty(params, l2)
                    _reg.l2_grad(params, grads, l2)
                if l1:
                    value += _reg.l1_penalty(params, l1)
                    _reg.l1_grad(params, grads, l1)
                history.step_loss.append(float(value))
                if record_grad_norms:
                    history.grad_norms.append([float(np.linalg.norm(grads[k])) for k in history.layer_names])
                if not (np.isfinite(value) and _finite(*grads.values())):
                    history.diverged, history.diverged_at = True, step
                    history.message = f"{DIVERGED} (에폭 {epoch + 1}, 스텝 {step + 1})"
                    return history
                if clip_norm is not None:
                    _clip.clip_grad_norm(grads, clip_norm)
                if clip_value is not None:
                    _clip.clip_grad_value(grads, clip_value)
                optimizer.update(params, grads)
                if max_norm is not None:
                    for k in history.layer_names:
                        _reg.max_norm(params[k], max_norm)
                step += 1
            train_loss, train_acc = evaluate(model, X, y, loss)
            history.train_loss.append(train_loss)
            history.train_acc.append(train_acc)
            if X_val is not None:
                val_loss, val_acc = evaluate(model, X_val, y_val, loss)
                history.val_loss.append(val_loss)
                history.val_acc.append(val_acc)
            if not np.isfinite(train_loss):
                history.diverged, history.diverged_at = True, step
                history.message = f"{DIVERGED} (에폭 {epoch + 1})"
                return history
            monitored = history.val_loss[-1] if history.val_loss else train_loss
            if schedule is not None and hasattr(schedule, "step"):
                optimizer.lr = schedule.step(monitored)
            if early_stopping is not None and early_stopping.step(monitored):
                break
    return history
