"""Chapter 9 (규제): L1/L2 penalties, dropout, max-norm and early stopping on a network that overfits.

The setting: an MLP 64 → 64 → 64 → 10 (ReLU, He init, ~9,000 weights) trained on only
``N_TRAIN`` = 100 digit images, with SGD + momentum for ``EPOCHS`` epochs. It reaches 100 %
training accuracy within a few epochs and then keeps pushing its training loss towards 0:
the textbook overfitting regime.

Experiments (they return data):

* ``run`` — one training run with any mix of regularisers; train/val/test loss and accuracy
  after every epoch (cached: the notebook's experiments and the widget frames share runs).
* ``compare`` / ``compare_seeds`` — train and test numbers of each regulariser.
* ``early_stopping`` — where ``regularizers.EarlyStopping`` stops on the validation curve.
* ``weight_stats`` — what L1, L2 and max-norm do to the weights (sparsity, column norms).
* ``dropout_moments`` — E and Var of an inverted-dropout unit, Monte Carlo vs formulas.
* ``test_time`` — a trained dropout network evaluated the right way and two wrong ways.
* ``variance_shift`` — why dropout before BatchNorm shifts the variance BN sees at test time.
* ``decay_equivalence`` — ``fit(l2=λ)`` and ``SGD(weight_decay=λ)`` give the same weights.

Figures: ``fig_curves``, ``fig_compare``, ``fig_weights``, ``fig_test_time``; widget ``WIDGETS``.
"""
import copy
import functools
import math
from collections import namedtuple

import numpy as np

from .. import data, optim, plots, train
from ..losses import SoftmaxCrossEntropy
from ..network import MLP
from ..regularizers import EarlyStopping
from course_lib.threads import one_blas_thread

N_TRAIN = 100      # training images: few enough that the network memorises them
N_VAL = 200        # validation images (for early stopping), taken from the rest of the training pool
WIDTH = 64         # hidden units in each of the two hidden layers
EPOCHS = 40
BATCH = 20
LR = 0.02
MOMENTUM = 0.9
CHANCE = math.log(10)

# The regularisers compared in the experiment, with the strengths used throughout the chapter.
SETTINGS = {
    "없음": {},
    "L2 (λ=0.01)": {"l2": 0.01},
    "L1 (λ=0.001)": {"l1": 0.001},
    "드롭아웃 (p=0.5)": {"p": 0.5},
    "맥스-노름 (c=1)": {"c": 1.0},
}

Run = namedtuple("Run", "train_loss train_acc val_loss val_acc test_loss test_acc diverged message model")




# ---------------------------------------------------------------- data and training

@functools.lru_cache(maxsize=None)
def digits(n_train=N_TRAIN, n_val=N_VAL, seed=0):
    """(X_train, y_train, X_val, y_val, X_test, y_test) of the digits.

    The test set is the usual 25 % (450 images). From the remaining pool the first
    ``n_train`` images are the training set and the next ``n_val`` the validation set.
    Features are standardised with the *training* mean and std; a pixel that is constant
    in the training set (a corner, std = 0) is only centred, as sklearn's StandardScaler
    does, so that a test image cannot blow it up by 1/std.
    """
    split = data.load_digits(test_size=0.25, seed=seed, standardize=False)
    if n_train + n_val > len(split.y_train):
        raise ValueError(f"n_train + n_val = {n_train + n_val}: {len(split.y_train)} 이하여야 합니다")
    X, y = split.X_train, split.y_train
    X_tr, y_tr = X[:n_train], y[:n_train]
    X_va, y_va = X[n_train:n_train + n_val], y[n_train:n_train + n_val]
    mean, std = X_tr.mean(axis=0), X_tr.std(axis=0)
    std = np.where(std < 1e-8, 1.0, std)
    scale = lambda A: (A - mean) / std  # noqa: E731
    return scale(X_tr), y_tr, scale(X_va), y_va, scale(split.X_test), split.y_test


def make_net(p=0.0, seed=0):
    """The chapter's MLP 64 → WIDTH → WIDTH → 10 (ReLU, He init), with dropout ``p`` after
    each hidden ReLU."""
    return MLP([64, WIDTH, WIDTH, 10], activation="relu", init="he_normal", dropout=p, rng=seed)


def _check_strengths(l2, l1, p, c):
    if not (l2 >= 0 and l1 >= 0):
        raise ValueError(f"l2={l2}, l1={l1}: 규제 강도 λ는 0 이상이어야 합니다")
    if not 0 <= p < 1:
        raise ValueError(f"p={p}: 드롭아웃 확률은 0 이상 1 미만이어야 합니다")
    if not c > 0:
        raise ValueError(f"c={c}: 맥스-노름의 c는 0보다 커야 합니다 (제약이 없으면 inf)")


def run(l2=0.0, l1=0.0, p=0.0, c=math.inf, seed=0, epochs=EPOCHS, n_train=N_TRAIN):
    """Train ``make_net(p, seed)`` on ``n_train`` digits with SGD(LR, momentum=MOMENTUM).

    ``l2``, ``l1``: penalty strengths (as ``train.fit(l2=, l1=)``); ``p``: dropout rate;
    ``c``: max-norm bound on every unit's incoming weight vector (``inf``: no bound).
    Train, validation and test loss/accuracy are measured in eval mode after every epoch.
    Cached per setting, however it is spelled (``run()`` and ``run(l2=0.0, c=inf)`` are one
    run): do not train the returned model further.
    """
    l2, l1, p, c = float(l2), float(l1), float(p), float(c)
    _check_strengths(l2, l1, p, c)
    return _run(l2, l1, p, c, int(seed), int(epochs), int(n_train))


@functools.lru_cache(maxsize=None)
@one_blas_thread
def _run(l2, l1, p, c, seed, epochs, n_train, measured=("train", "val", "test"), dtype=np.float64):
    """``run``'s training; the sets in ``measured`` are evaluated after every epoch, in
    ``dtype`` (the curves of the others stay empty). The widget measures train and test only,
    in float32 (``widget_run``); the training itself is always float64."""
    X, y, Xv, yv, Xt, yt = digits(n_train)
    sets = {"train": (X, y), "val": (Xv, yv), "test": (Xt, yt)}
    model = make_net(p, seed)
    opt = optim.SGD(LR, momentum=MOMENTUM)
    rng = np.random.default_rng(seed + 1000)
    loss = SoftmaxCrossEntropy()
    # the measured images in one eval-mode forward pass per epoch
    X_all = np.concatenate([sets[name][0] for name in measured]).astype(dtype)
    y_all = np.concatenate([sets[name][1] for name in measured])
    ends = np.cumsum([len(sets[name][1]) for name in measured])
    parts = {name: slice(end - len(sets[name][1]), end) for name, end in zip(measured, ends)}
    curves = {f"{name}_{kind}": [] for name in sets for kind in ("loss", "acc")}
    message = ""
    for epoch in range(epochs):
        if not train.epoch(model, X, y, opt, rng, BATCH, loss, l1=l1, l2=l2,
                           max_norm=None if math.isinf(c) else c):
            message = f"{train.DIVERGED} (에폭 {epoch + 1})"
            break
        with np.errstate(all="ignore"):
            logits = model.forward(X_all, train=False)
            for name, part in parts.items():
                curves[f"{name}_loss"].append(float(loss.forward(logits[part], y_all[part])))
                curves[f"{name}_acc"].append(train.accuracy(logits[part], y_all[part]))
    arrays = {k: np.array(v) for k, v in curves.items()}
    return Run(**arrays, diverged=bool(message), message=message, model=model)


def summary(r):
    """Final-epoch numbers of a run: train/test accuracy and loss, and the two gaps."""
    return {"train_acc": r.train_acc[-1], "test_acc": r.test_acc[-1],
            "train_loss": r.train_loss[-1], "test_loss": r.test_loss[-1],
            "acc_gap": r.train_acc[-1] - r.test_acc[-1],
            "loss_gap": r.test_loss[-1] - r.train_loss[-1]}


def early_stopping(r, patience=10):
    """Replay ``regularizers.EarlyStopping(patience)`` on the validation-loss curve of run ``r``.

    Early stopping does not change the run up to the moment it stops, so this is exactly
    what ``fit(..., early_stopping=EarlyStopping(patience), X_val=X_val)`` would do, plus
    restoring the weights of the best epoch. Returns the stop epoch and the best epoch
    (1-based) and the test accuracy/loss of the restored (best) weights.
    """
    stopper = EarlyStopping(patience=patience)
    stop = len(r.val_loss)
    for epoch, v in enumerate(r.val_loss, start=1):
        if stopper.step(v):
            stop = epoch
            break
    best = stopper.best_epoch
    return {"stop_epoch": stop, "best_epoch": best + 1, "test_acc": r.test_acc[best],
            "test_loss": r.test_loss[best], "train_acc": r.train_acc[best],
            "train_loss": r.train_loss[best]}


def compare(seed=0):
    """{setting name: summary} for every entry of SETTINGS, plus "조기 종료" (early stopping
    on the unregularised run, weights of the best validation epoch)."""
    out = {name: summary(run(seed=seed, **kw)) for name, kw in SETTINGS.items()}
    es = early_stopping(run(seed=seed))
    out["조기 종료"] = {"train_acc": es["train_acc"], "test_acc": es["test_acc"],
                     "train_loss": es["train_loss"], "test_loss": es["test_loss"],
                     "acc_gap": es["train_acc"] - es["test_acc"],
                     "loss_gap": es["test_loss"] - es["train_loss"]}
    return out


def compare_seeds(seeds=(0, 1, 2)):
    """``compare`` over several seeds: {setting: {key: array over seeds}}."""
    per_seed = [compare(s) for s in seeds]
    return {name: {k: np.array([c[name][k] for c in per_seed]) for k in per_seed[0][name]}
            for name in per_seed[0]}


# ---------------------------------------------------------------- what the regularisers do to W

def weight_stats(seed=0, tol=1e-3):
    """Statistics of the hidden-to-hidden weight matrix ("2.W", 64 × 64) after training.

    For each of "없음", "L2", "L1", "맥스-노름": ``small`` = fraction of weights with |w| < tol,
    ``zero`` = fraction exactly 0, ``col_max`` = the largest column norm ‖W[:, j]‖ (the
    quantity max-norm bounds), ``norm`` = ‖W‖_F, and ``w`` = the weights themselves.
    The second layer is used because the first one has rows for pixels that are constant
    in the training images: those rows get no gradient from the data at all.
    """
    runs = {"없음": run(seed=seed), "L2": run(l2=0.01, seed=seed), "L1": run(l1=0.001, seed=seed),
            "맥스-노름": run(c=1.0, seed=seed)}
    out = {}
    for name, r in runs.items():
        W = r.model.params["2.W"]
        out[name] = {"small": float(np.mean(np.abs(W) < tol)), "zero": float(np.mean(W == 0)),
                     "col_max": float(np.linalg.norm(W, axis=0).max()),
                     "norm": float(np.linalg.norm(W)), "w": W.ravel().copy()}
    return out


@one_blas_thread
def decay_equivalence(lam=0.01, epochs=3, seed=0):
    """max |θ_a - θ_b| over all parameters after training twice from the same start:
    once with the penalty ``fit(l2=lam)`` and once with ``SGD(weight_decay=lam)``.

    The L2 penalty λ/2‖W‖² *is* weight decay for SGD (with or without momentum): both add
    λW to the gradient. The course's penalty skips biases, so the decay is given to the
    weight matrices only (``_WeightOnlyDecay``). The difference is rounding error.
    """
    X, y = digits()[:2]
    a, b = make_net(seed=seed), make_net(seed=seed)
    train.fit(a, X, y, optimizer=optim.SGD(LR, momentum=MOMENTUM), epochs=epochs, batch_size=BATCH,
              rng=np.random.default_rng(1), l2=lam, record_grad_norms=False)
    decay = _WeightOnlyDecay(LR, MOMENTUM, lam)
    train.fit(b, X, y, optimizer=decay, epochs=epochs, batch_size=BATCH,
              rng=np.random.default_rng(1), record_grad_norms=False)
    return max(float(np.max(np.abs(a.params[k] - b.params[k]))) for k in a.params)


class _WeightOnlyDecay:
    """SGD with weight_decay on the weight matrices only (two SGD optimizers side by side)."""

    def __init__(self, lr, momentum, lam):
        self.lr = lr
        self.decayed = optim.SGD(lr, momentum=momentum, weight_decay=lam)
        self.plain = optim.SGD(lr, momentum=momentum)

    def update(self, params, grads):
        w = [k for k in params if k.endswith(".W")]
        rest = [k for k in params if not k.endswith(".W")]
        self.decayed.update({k: params[k] for k in w}, {k: grads[k] for k in w})
        self.plain.update({k: params[k] for k in rest}, {k: grads[k] for k in rest})


# ---------------------------------------------------------------- dropout

def dropout_moments(p=0.5, mu=1.0, sigma=0.5, n=200_000, seed=0):
    """Mean and variance of an inverted-dropout unit y = x·m/(1-p), m ~ Bernoulli(1-p),
    for x ~ N(mu, sigma²): Monte Carlo next to the formulas

        E[y] = μ,   Var[y] = σ² + p/(1-p) · (σ² + μ²)   (training),   y = x (eval).
    """
    from ..layers import Dropout

    rng = np.random.default_rng(seed)
    x = rng.normal(mu, sigma, size=n)
    layer = Dropout(p, rng=rng)
    y_train = layer.forward(x, train=True)
    y_eval = layer.forward(x, train=False)
    return {"mean_train": float(y_train.mean()), "var_train": float(y_train.var()),
            "mean_eval": float(y_eval.mean()), "var_eval": float(y_eval.var()),
            "mean_formula": mu, "var_train_formula": sigma**2 + p / (1 - p) * (sigma**2 + mu**2),
            "var_eval_formula": sigma**2}


def _forward_scaled(model, X, factor):
    """Eval-mode forward where every Dropout output is multiplied by ``factor``."""
    from ..layers import Dropout

    h = X
    for layer in model.layers:
        h = layer.forward(h, train=False)
        if isinstance(layer, Dropout):
            h = h * factor
    return h


@one_blas_thread
def test_time(p=0.5, seed=0, repeats=20, mc_samples=100):
    """A network trained with inverted dropout ``p``, evaluated on the test set four ways.

    * "평가 모드 (올바름)": ``train=False`` — dropout is the identity;
    * "테스트에서 (1-p)를 또 곱함": the recipe of the original (non-inverted) dropout applied on
      top of inverted dropout — every dropout layer's output is multiplied by 1-p;
    * "테스트에서도 드롭": ``train=True`` at test time — a different random answer each call
      (mean and spread over ``repeats`` calls);
    * "MC 평균 (마스크 100개)": the average of the softmax over ``mc_samples`` random masks,
      the ensemble that eval mode approximates.
    Returns {name: (accuracy, loss, accuracy spread, confidence)}: the spread is 0 for the
    deterministic ways, the confidence is the mean of the largest softmax probability.
    """
    _, _, _, _, Xt, yt = digits()
    model = copy.deepcopy(run(p=p, seed=seed).model)

    def softmax(z):
        z = np.exp(z - z.max(axis=1, keepdims=True))
        return z / z.sum(axis=1, keepdims=True)

    def score(probs):
        acc = float(np.mean(np.argmax(probs, axis=1) == yt))
        nll = float(-np.mean(np.log(probs[np.arange(len(yt)), yt] + 1e-300)))
        return acc, nll, float(np.mean(probs.max(axis=1)))

    out = {}
    acc, nll, conf = score(softmax(model.forward(Xt, train=False)))
    out["평가 모드 (올바름)"] = (acc, nll, 0.0, conf)
    acc, nll, conf = score(softmax(_forward_scaled(model, Xt, 1 - p)))
    out["테스트에서 (1-p)를 또 곱함"] = (acc, nll, 0.0, conf)
    drops = np.array([score(softmax(model.forward(Xt, train=True))) for _ in range(repeats)])
    out["테스트에서도 드롭"] = (float(drops[:, 0].mean()), float(drops[:, 1].mean()),
                            float(drops[:, 0].std()), float(drops[:, 2].mean()))
    probs = np.mean([softmax(model.forward(Xt, train=True)) for _ in range(mc_samples)], axis=0)
    acc, nll, conf = score(probs)
    out[f"MC 평균 (마스크 {mc_samples}개)"] = (acc, nll, 0.0, conf)
    return out


def variance_shift(p=0.5, n=100_000, seed=0):
    """Dropout → BatchNorm: the variance BN measures in training vs what it gets at test time.

    A unit x ~ N(1, 1) (a ReLU-like positive mean) goes through inverted dropout. BN's running
    variance learns the *training* variance σ² + p/(1-p)(σ² + μ²); at test time dropout is
    the identity and the variance is σ². Returns both and their ratio: the test-time
    BN output is too narrow by √ratio (Li et al., 2019).
    """
    m = dropout_moments(p, mu=1.0, sigma=1.0, n=n, seed=seed)
    return {"train_var": m["var_train"], "test_var": m["var_eval"],
            "ratio": m["var_eval"] / m["var_train"],
            "ratio_formula": 1.0 / (1.0 + p / (1 - p) * 2.0)}


# ---------------------------------------------------------------- figures

def _curve_panel(ax_loss, ax_acc, r, label=None, color_train=None, color_test=None, title=None):
    e = np.arange(1, len(r.train_loss) + 1)
    ct = color_train or plots.COLORS[0]
    cs = color_test or plots.COLORS[3]
    ax_loss.plot(e, r.train_loss, color=ct, label="훈련")
    ax_loss.plot(e, r.test_loss, color=cs, label="테스트")
    ax_acc.plot(e, r.train_acc, color=ct, label="훈련")
    ax_acc.plot(e, r.test_acc, color=cs, label="테스트")
    plots.log_axis(ax_loss, "y")
    ax_loss.set_ylabel("손실 (로그)")
    ax_acc.set_ylabel("정확도")
    ax_acc.set_ylim(0.0, 1.02)
    for ax in (ax_loss, ax_acc):
        ax.set_xlabel("에폭")
        ax.set_xlim(1, max(len(e), 2))
    if title:
        ax_loss.set_title(title)


def fig_curves(r, title=None):
    """Train and test loss (log) and accuracy per epoch of one run, with the final gap."""
    fig, axes = plots.figure(ncols=2, width=3.3, height=2.9)
    _curve_panel(axes[0, 0], axes[0, 1], r, title=title)
    s = summary(r)
    axes[0, 1].set_title(f"테스트 정확도 {s['test_acc']:.3f}")
    axes[0, 0].legend(fontsize=8, loc="lower left")
    return fig


def fig_compare(stats):
    """Bars of train/test accuracy and test loss per regulariser (``compare`` or
    ``compare_seeds``: with several seeds the bar is the mean and the whisker the range)."""
    names = list(stats)
    fig, axes = plots.figure(ncols=2, width=3.5, height=3.2)
    y = np.arange(len(names))[::-1]

    def agg(name, key):
        v = np.atleast_1d(stats[name][key])
        return v.mean(), v.min(), v.max()

    ax = axes[0, 0]
    for off, key, color, label in ((0.18, "train_acc", plots.COLORS[0], "훈련"),
                                   (-0.18, "test_acc", plots.COLORS[3], "테스트")):
        m = np.array([agg(n, key) for n in names])
        ax.barh(y + off, m[:, 0], height=0.34, color=color, label=label)
        ax.errorbar(m[:, 0], y + off, xerr=[m[:, 0] - m[:, 1], m[:, 2] - m[:, 0]], fmt="none",
                    ecolor="0.2", capsize=2, lw=1)
    ax.set_yticks(y, names)
    ax.set_xlim(0.7, 1.01)
    ax.set_xlabel("정확도")
    ax.legend(fontsize=8, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False)
    ax = axes[0, 1]
    m = np.array([agg(n, "test_loss") for n in names])
    ax.barh(y, m[:, 0], height=0.5, color=plots.COLORS[3])
    ax.errorbar(m[:, 0], y, xerr=[m[:, 0] - m[:, 1], m[:, 2] - m[:, 0]], fmt="none", ecolor="0.2",
                capsize=2, lw=1)
    ax.set_yticks(y, [""] * len(names))
    ax.set_xlabel("테스트 손실 (교차 엔트로피)")
    return fig


def fig_weights(stats, tol=1e-3):
    """Histograms of the 64 × 64 hidden weights without penalty, with L2 and with L1."""
    names = ["없음", "L2", "L1"]
    fig, axes = plots.figure(ncols=3, width=2.4, height=2.7, sharey=True)
    for ax, name, color in zip(axes[0], names, (plots.COLORS[7], plots.COLORS[0], plots.COLORS[2])):
        w = stats[name]["w"]
        ax.hist(w, bins=np.linspace(-0.6, 0.6, 61), color=color)
        plots.log_axis(ax, "y")
        ax.set_title(f"{name}: |w| < {tol:g} 비율 {stats[name]['small']:.1%}", fontsize=10)
        ax.set_xlabel("가중치 값")
    axes[0, 0].set_ylabel("개수 (로그)")
    return fig


def fig_test_time(results):
    """Bars of test accuracy for the ways of evaluating a dropout network (``test_time``)."""
    names = list(results)
    fig, axes = plots.figure(width=6.4, height=2.6)
    ax = axes[0, 0]
    accs = [results[n][0] for n in names][::-1]
    spread = [results[n][2] for n in names][::-1]
    colors = [plots.COLORS[0], plots.COLORS[3], plots.COLORS[3], plots.COLORS[2]][::-1]
    ax.barh(names[::-1], accs, xerr=spread, color=colors, capsize=3)
    for i, (a, n) in enumerate(zip(accs, names[::-1])):
        ax.text(a + 0.02, i, f"{a:.3f}  (손실 {results[n][1]:.2f}, 확신도 {results[n][3]:.2f})",
                va="center", fontsize=9)
    ax.set_xlim(0, 1.45)
    ax.set_xlabel("테스트 정확도")
    return fig


# ---------------------------------------------------------------- widget

def widget_run(lam=0.0, p=0.0, c=math.inf):
    """The run behind a widget frame: the training of ``run(l2=lam, p=p, c=c)``, step for step,
    with only the train and test sets measured after each epoch, in float32 (cached).

    A setting that the static grid does not hold is trained when a student first picks it,
    so it must be quick. Measuring is a third of a run: without the validation set (the
    widget does not show it) and in float32 (a layer computes in its input's dtype) it costs
    a third as much. The losses agree with ``run``'s to about five digits.
    """
    lam, p, c = float(lam), float(p), float(c)
    _check_strengths(lam, 0.0, p, c)
    return _run(lam, 0.0, p, c, 0, EPOCHS, N_TRAIN, ("train", "test"), np.float32)


def prepare(lam=0.0, p=0.0, c=math.inf):
    """``explore`` calls this for every setting of the static grid when the widget is
    created, so moving a control to one of them only draws."""
    widget_run(lam, p, c)


@plots.reused
def _frame():
    """The widget's figure, built once: building axes and ticks costs more than drawing
    them, so ``draw`` only updates the two lines, the legend's texts and the title.

    One panel, a fixed layout (no layout solver pass), plain-text log ticks (no mathtext)
    and five epoch ticks: a frame is cheap to draw.
    """
    fig, axes = plots.figure(width=6.4, height=3.1, layout="fixed")
    ax = axes[0, 0]
    ax.plot([1, 2], [1, 1], color=plots.COLORS[0], label="훈련")
    ax.plot([1, 2], [1, 1], color=plots.COLORS[3], label="테스트")
    plots.log_axis(ax, "y")
    ax.set_ylim(1e-3, 5)
    ax.set_xlim(1, EPOCHS)
    ax.set_xticks([1, 10, 20, 30, 40])
    ax.set_xlabel("에폭")
    ax.set_ylabel("손실 (로그)")
    ax.legend(fontsize=9, loc="lower left")
    return fig


def draw(lam=0.0, p=0.0, c=math.inf):
    """Widget frame: train/test loss per epoch (log) of a run with L2 ``lam``, dropout ``p``
    and max-norm ``c``; the final accuracies are written in the legend."""
    r = widget_run(lam, p, c)
    if r.diverged or not np.all(np.isfinite(r.test_loss)):
        return r.message or "발산했습니다: 손실이 nan/inf가 되었습니다."
    fig = _frame()
    ax = fig.axes[0]
    e = np.arange(1, len(r.train_loss) + 1)
    train_line, test_line = ax.lines
    train_line.set_data(e, r.train_loss)
    test_line.set_data(e, r.test_loss)
    train_text, test_text = ax.get_legend().get_texts()
    train_text.set_text(f"훈련 (정확도 {r.train_acc[-1]:.3f})")
    test_text.set_text(f"테스트 (정확도 {r.test_acc[-1]:.3f})")
    c_text = "없음" if math.isinf(c) else f"{c:g}"
    ax.set_title(f"L2 λ={lam:g}, 드롭아웃 p={p:g}, 맥스-노름 c={c_text}", fontsize=11)
    return fig


WIDGETS = {
    "main": dict(
        draw=draw,
        prepare=prepare,
        controls={"lam": [0.0, 0.01, 0.1], "p": [0.0, 0.5], "c": [1.0, math.inf]},
        labels={"lam": "L2 강도 λ", "p": "드롭아웃 확률 p", "c": "맥스-노름 c (inf: 없음)"},
        live={"lam": [0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3],
              "p": [0.0, 0.1, 0.2, 0.3, 0.5, 0.7],
              "c": [0.5, 1.0, 2.0, 3.0, 5.0, math.inf]},
    ),
}
