"""Chapter 10 (전이 학습): reuse the lower layers of a network trained on digits 0–4 for 5–9.

The setting: an MLP 64 → 64 → 64 → 5 (ReLU, He init) is pretrained on the digits 0–4
(``pretrain``, cached). The target task is the digits 5–9 with only ``n_train`` labelled
images. Three ways to build the target network:

* ``"처음부터"`` (from scratch): a new network, every layer random;
* ``"동결"`` (frozen): copy the lowest ``k`` hidden layers, freeze them, train the rest;
* ``"미세 조정"`` (fine-tuning): copy the lowest ``k`` hidden layers and train them too, with a
  learning rate ``FINE_LR_SCALE`` times the new layers' rate.

The output layer is always new: the old one maps features to "digit 0..4" and the new task's
class 0 is the digit 5. Inputs of both tasks are standardised with the *source* task's
statistics (the pretrained layers expect that preprocessing).

Experiments (they return data): ``transfer`` (one run, cached), ``sweep`` (accuracy over
training-set sizes and seeds), ``reuse_depth`` (accuracy vs number of reused layers),
``feature_drift`` (how far fine-tuning moves the reused weights). Helpers: ``copy_lower``,
``trainable``, ``Subset`` (an optimizer that updates only some parameters).
Figures: ``fig_sweep``, ``fig_depth``; widget ``WIDGETS``.
"""
import copy
import functools
from collections import namedtuple

import numpy as np

from .. import data, optim, plots, train
from ..layers import Linear
from ..network import MLP, Sequential
from course_lib.threads import one_blas_thread

SOURCE = (0, 1, 2, 3, 4)
TARGET = (5, 6, 7, 8, 9)
WIDTH = 64
HIDDEN = 2                 # hidden layers of the network: 0, 1 or 2 of them can be reused
LR = 0.05                  # SGD learning rate of the new layers (and of every layer from scratch)
MOMENTUM = 0.9
FINE_LR_SCALE = 0.1        # fine-tuning: reused layers learn 10× slower
STEPS = 200                # optimizer steps of every target run, whatever n_train is
BATCH = 16
PRE_EPOCHS = 10
STRATEGIES = ("처음부터", "동결", "미세 조정")
SIZES = (10, 30, 100, 300)

Run = namedtuple("Run", "test_acc train_acc steps curve curve_steps model")


# ---------------------------------------------------------------- data

@functools.lru_cache(maxsize=None)
def _source_stats():
    """Pixel mean and std of the source task's training images (pixels in [0, 1])."""
    s = data.load_digits(classes=list(SOURCE), seed=0, standardize=False)
    mean, std = s.X_train.mean(axis=0), s.X_train.std(axis=0)
    return mean, np.maximum(std, 0.1)  # a near-constant corner pixel is not blown up by 1/std


def _scale(X):
    mean, std = _source_stats()
    return (X - mean) / std


@functools.lru_cache(maxsize=None)
def source_data():
    """(X_train, y_train, X_test, y_test) of digits 0–4, labels 0..4."""
    s = data.load_digits(classes=list(SOURCE), seed=0, standardize=False)
    return _scale(s.X_train), s.y_train, _scale(s.X_test), s.y_test


@functools.lru_cache(maxsize=None)
def _target_all(seed):
    s = data.load_digits(classes=list(TARGET), seed=seed, standardize=False)
    return _scale(s.X_train), s.y_train, _scale(s.X_test), s.y_test


@functools.lru_cache(maxsize=None)
def target_data(n_train, seed=0):
    """(X_train, y_train, X_test, y_test) of digits 5–9 (labels 0..4 = digits 5..9): the first
    ``n_train`` shuffled training images, and the same 224 test images for every ``n_train``
    (what ``data.load_digits(..., n_train=n_train)`` selects, read from disk once per seed)."""
    X, y, Xt, yt = _target_all(seed)
    if not 1 <= n_train <= len(y):
        raise ValueError(f"n_train={n_train}: 1 이상 {len(y)} 이하여야 합니다")
    return X[:n_train], y[:n_train], Xt, yt


def make_net(seed=0, n_out=len(TARGET)):
    """The chapter's MLP 64 → 64 → 64 → n_out (ReLU, He init)."""
    return MLP([64] + [WIDTH] * HIDDEN + [n_out], activation="relu", init="he_normal", rng=seed)


# ---------------------------------------------------------------- freezing

class Subset:
    """An optimizer that updates only the parameters whose names are in ``lrs``, each with
    its own learning rate ``lrs[name] × lr`` (a scale 0 or a missing name: frozen).

    ``fit`` calls ``update(model.params, model.grads)``; this hands every group of
    parameters with the same scale to its own SGD, whose state (momentum) stays per name.
    ``lr`` is the base rate, so a schedule could still set it.
    """

    def __init__(self, lrs, lr=LR, momentum=MOMENTUM):
        self.lr = lr
        self.lrs = dict(lrs)
        scales = sorted({s for s in self.lrs.values() if s > 0})
        self._groups = [(s, [k for k, v in self.lrs.items() if v == s], optim.SGD(lr * s, momentum=momentum))
                        for s in scales]

    def update(self, params, grads):
        for scale, names, opt in self._groups:
            opt.lr = self.lr * scale
            opt.update({k: params[k] for k in names}, {k: grads[k] for k in names})


def copy_lower(pretrained, k, seed=0):
    """A new target network whose lowest ``k`` hidden layers (Linear + ReLU) are copies of the
    pretrained ones; the other layers, and always the output layer, are freshly initialised.

    The copies are deep: training the new network never changes ``pretrained``.
    """
    if not 0 <= k <= HIDDEN:
        raise ValueError(f"k={k}: 재사용할 은닉층 수는 0 이상 {HIDDEN} 이하여야 합니다")
    new = make_net(seed=seed + 100)
    for i in range(2 * k):  # layer 2j is Linear j, layer 2j + 1 its ReLU
        new.layers[i] = copy.deepcopy(pretrained.layers[i])
    return new


def trainable(model, n_frozen):
    """Parameters to hand to the optimizer: every parameter except the weights AND biases of
    the lowest ``n_frozen`` Linear layers. The values are the model's own arrays."""
    frozen = {i for i in model.linear_layers()[:n_frozen]}
    return {name: p for name, p in model.params.items() if int(name.split(".")[0]) not in frozen}


# ---------------------------------------------------------------- experiments

@functools.lru_cache(maxsize=None)
@one_blas_thread
def pretrain(seed=0, epochs=PRE_EPOCHS):
    """The source network trained on digits 0–4 (cached; do not train it further).
    Returns (model, test accuracy on 0–4)."""
    X, y, Xt, yt = source_data()
    model = make_net(seed=seed, n_out=len(SOURCE))
    train.fit(model, X, y, optimizer=optim.SGD(LR, momentum=MOMENTUM), epochs=epochs,
              batch_size=32, rng=np.random.default_rng(seed + 7), record_grad_norms=False)
    return model, train.evaluate(model, Xt, yt)[1]


def _lrs(model, strategy, k):
    names = list(model.params)
    if strategy == "처음부터" or k == 0:
        return {n: 1.0 for n in names}
    reused = {str(i) for i in model.linear_layers()[:k]}
    low = 0.0 if strategy == "동결" else FINE_LR_SCALE
    return {n: (low if n.split(".")[0] in reused else 1.0) for n in names}


def transfer(strategy="동결", k=HIDDEN, n_train=50, seed=0, steps=STEPS, record=20):
    """Train a target network on ``n_train`` images of 5–9 for ``steps`` SGD steps.

    ``strategy``: "처음부터", "동결" or "미세 조정"; ``k``: reused hidden layers (ignored from
    scratch; reusing 0 layers *is* training from scratch). The pretrained network is always
    ``pretrain(0)``; ``seed`` changes the training subset, the new layers' init and the batch
    order. Test accuracy is recorded every ``record`` steps (``curve``). Cached per setting,
    however it is spelled (``transfer("처음부터", 2, 30)`` and ``transfer("동결", 0, 30, seed=0)``
    are one run).
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy={strategy!r}: {STRATEGIES} 중 하나여야 합니다")
    if strategy == "처음부터" or k == 0:
        strategy, k = "처음부터", 0
    return _transfer(strategy, int(k), int(n_train), int(seed), int(steps), int(record))


@functools.lru_cache(maxsize=None)
@one_blas_thread
def _transfer(strategy, k, n_train, seed, steps, record):
    X, y, Xt, yt = target_data(n_train, seed)
    pre, _ = pretrain(0)
    model = make_net(seed=seed + 100) if strategy == "처음부터" else copy_lower(pre, k, seed)
    opt = Subset(_lrs(model, strategy, k))
    batch = min(BATCH, len(y))
    per_epoch = -(-len(y) // batch)
    rng = np.random.default_rng(seed + 1000)
    steps_done, curve, at = 0, [train.evaluate(model, Xt, yt)[1]], [0]
    while steps_done < steps:
        epochs = max(1, min(record, steps - steps_done) // per_epoch)
        finite = all(train.epoch(model, X, y, opt, rng, batch) for _ in range(epochs))
        steps_done += epochs * per_epoch
        if not finite:
            break
        curve.append(train.evaluate(model, Xt, yt)[1])
        at.append(steps_done)
    return Run(test_acc=curve[-1], train_acc=train.evaluate(model, X, y)[1],
               steps=steps_done, curve=np.array(curve),
               curve_steps=np.array(at), model=model)


def sweep(sizes=SIZES, seeds=(0, 1, 2), k=HIDDEN):
    """Test accuracy of every strategy over training-set sizes: {strategy: (len(seeds), len(sizes))}."""
    return {s: np.array([[transfer(s, k, n, seed).test_acc for n in sizes] for seed in seeds])
            for s in STRATEGIES}


def reuse_depth(n_train=30, seeds=(0, 1, 2), strategy="동결"):
    """Test accuracy with k = 0, 1, 2 reused hidden layers: array (len(seeds), HIDDEN + 1)."""
    return np.array([[transfer(strategy, k, n_train, seed).test_acc for k in range(HIDDEN + 1)]
                     for seed in seeds])


def feature_drift(n_train=100, k=HIDDEN, seed=0):
    """Relative change ‖W - W_pre‖ / ‖W_pre‖ of each reused weight matrix after training,
    for fine-tuning with the small rate (×FINE_LR_SCALE) and with the full rate (×1)."""
    pre, _ = pretrain(0)
    tuned = transfer("미세 조정", k, n_train, seed).model
    out = {"미세 조정": [], "같은 학습률": []}
    full = _full_rate_finetune(k, n_train, seed)
    for i in tuned.linear_layers()[:k]:
        W0 = pre.layers[i].params["W"]
        out["미세 조정"].append(float(np.linalg.norm(tuned.layers[i].params["W"] - W0) / np.linalg.norm(W0)))
        out["같은 학습률"].append(float(np.linalg.norm(full.layers[i].params["W"] - W0) / np.linalg.norm(W0)))
    return out


@functools.lru_cache(maxsize=None)
@one_blas_thread
def _full_rate_finetune(k, n_train, seed):
    X, y, _, _ = target_data(n_train, seed)
    pre, _ = pretrain(0)
    model = copy_lower(pre, k, seed)
    batch = min(BATCH, len(y))
    epochs = max(1, STEPS // -(-len(y) // batch))
    train.fit(model, X, y, optimizer=optim.SGD(LR, momentum=MOMENTUM), epochs=epochs,
              batch_size=batch, rng=np.random.default_rng(seed + 1000), record_grad_norms=False)
    return model


def count_params(model, n_frozen):
    """(trainable, total) numbers of scalars when the lowest ``n_frozen`` Linear layers are frozen."""
    total = sum(p.size for p in model.params.values())
    return sum(p.size for p in trainable(model, n_frozen).values()), total


# ---------------------------------------------------------------- figures

_COLOR = {"처음부터": plots.COLORS[7], "동결": plots.COLORS[0], "미세 조정": plots.COLORS[3]}


def fig_sweep(results, sizes=SIZES):
    """Test accuracy vs training-set size (log x) per strategy: mean over seeds, band = min..max."""
    fig, axes = plots.figure(width=6.4, height=3.3)
    ax = axes[0, 0]
    for name, acc in results.items():
        ax.plot(sizes, acc.mean(axis=0), marker="o", color=_COLOR[name], label=name)
        ax.fill_between(sizes, acc.min(axis=0), acc.max(axis=0), color=_COLOR[name], alpha=0.15)
    ax.set_xscale("log")
    ax.set_xticks(sizes, [str(n) for n in sizes])
    ax.minorticks_off()
    ax.set_xlabel("목표 작업(5~9)의 훈련 이미지 수 (로그)")
    ax.set_ylabel("테스트 정확도")
    ax.set_ylim(0.4, 1.0)
    ax.legend(loc="lower right")
    return fig


def fig_depth(frozen, tuned, n_train=30):
    """Bars: test accuracy with k = 0, 1, 2 reused hidden layers (mean over seeds, whisker = range)."""
    fig, axes = plots.figure(width=6.4, height=3.0)
    ax = axes[0, 0]
    ks = np.arange(HIDDEN + 1)
    for off, acc, name in ((-0.18, frozen, "동결"), (0.18, tuned, "미세 조정")):
        m = acc.mean(axis=0)
        ax.bar(ks + off, m, width=0.34, color=_COLOR[name], label=name,
               yerr=[m - acc.min(axis=0), acc.max(axis=0) - m], capsize=3)
    ax.set_xticks(ks, ["0층 (처음부터)", "1층 재사용", "2층 재사용"])
    ax.set_ylim(0.5, 0.95)
    ax.set_ylabel("테스트 정확도")
    ax.set_title(f"목표 작업 훈련 이미지 {n_train}장", fontsize=11)
    ax.legend(loc="upper right")
    return fig


# ---------------------------------------------------------------- widget

def prepare(k=HIDDEN, mode="동결", n_train=30):
    """The two training runs behind a widget frame (cached): the network that reuses ``k``
    layers and the one trained from scratch. ``explore`` calls this for every setting of the
    static grid when the widget is created, so moving a control only draws."""
    return transfer(mode, k, n_train), transfer("처음부터", 0, n_train)


@plots.reused
def _frame():
    """The widget's figure, built once: building axes and ticks costs more than drawing
    them, so ``draw`` only updates the two lines, the legend and the title.
    One panel with a fixed layout (no layout solver pass) and five step ticks: a frame is
    cheap to draw."""
    fig, axes = plots.figure(width=6.4, height=3.1, layout="fixed")
    ax = axes[0, 0]
    ax.plot([0, 1], [0, 0], color=_COLOR["처음부터"], ls="--")  # from scratch, for comparison
    ax.plot([0, 1], [0, 0], lw=2)                                # the network that reuses layers
    ax.set_ylim(0.0, 1.0)
    ax.set_xticks([0, 50, 100, 150, 200])  # every run takes STEPS = 200 steps (a few more)
    ax.set_xlabel("SGD 스텝")
    ax.set_ylabel("테스트 정확도 (5~9)")
    return fig


def draw(k=HIDDEN, mode="동결", n_train=30):
    """Widget frame: test accuracy during training of the target network that reuses ``k``
    hidden layers (``mode``: frozen or fine-tuned), next to the network trained from scratch."""
    strategy = "처음부터" if k == 0 else mode
    r, s = prepare(k, mode, n_train)
    if not (np.all(np.isfinite(r.curve)) and np.all(np.isfinite(s.curve))):
        return "발산했습니다: 학습률을 낮춰 보세요."
    fig = _frame()
    ax = fig.axes[0]
    scratch, reused = ax.lines
    scratch.set_data(s.curve_steps, s.curve)
    scratch.set_visible(k > 0)  # reusing 0 layers is the run from scratch itself
    scratch.set_label(f"처음부터: 최종 {s.test_acc:.3f}")
    label = "처음부터 (재사용 0층)" if k == 0 else f"{mode} (재사용 {k}층)"
    reused.set_data(r.curve_steps, r.curve)
    reused.set_color(_COLOR[strategy])
    reused.set_label(f"{label}: 최종 {r.test_acc:.3f}")
    ax.set_xlim(0, max(r.curve_steps[-1], s.curve_steps[-1]))
    ax.set_title(f"훈련 이미지 {n_train}장 (클래스당 약 {n_train / 5:.0f}장)", fontsize=11)
    ax.legend(handles=[line for line in ax.lines if line.get_visible()], fontsize=9, loc="lower right")
    return fig


WIDGETS = {
    "main": dict(
        draw=draw,
        prepare=prepare,
        controls={"k": [1, 2], "mode": ["동결", "미세 조정"], "n_train": list(SIZES)},
        labels={"k": "재사용할 은닉층 수", "mode": "재사용한 층", "n_train": "훈련 이미지 수"},
        live={"k": [0, 1, 2], "n_train": [10, 20, 30, 50, 100, 200, 300, 500]},
    ),
}


def old_head_accuracy():
    """Accuracy on the 5–9 test images of the pretrained network used as it is (old output
    layer): its output "class j" means digit j, the target's label j means digit 5 + j."""
    pre, _ = pretrain(0)
    _, _, Xt, yt = target_data(30)
    return train.evaluate(pre, Xt, yt)[1]
