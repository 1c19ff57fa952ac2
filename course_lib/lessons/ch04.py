"""Chapter 4 (배치 정규화): what BatchNorm computes, why it helps, and how it fails.

Experiments (they return data):

* ``gradient_check`` — BatchNorm's backward against centred differences.
* ``scale_invariance`` — BN(a·xW) = BN(xW) for a > 0; ∂L/∂W scales as 1/a and is
  orthogonal to every column of W.
* ``biased_variance`` — E[σ²_B] = (N-1)/N · σ² for batches of N: why running_var is unbiased.
* ``run`` / ``init_sweep`` / ``sigmoid_runs`` — Ioffe & Szegedy (2015) at small scale, the
  way 밑바닥부터 시작하는 딥러닝 §6.3 sets it up: a 10-layer MLP on the digits, trained
  with and without BN across weight scales and learning rates.
* ``eval_mode`` — test accuracy of a trained BN network when eval mode is forgotten.
* ``fold_batchnorm`` / ``folding_error`` — BN at inference is an affine map that folds
  into the Linear layer before it.

Figures: ``fig_graph``, ``fig_init_sweep``, ``fig_curves``, ``fig_eval_mode``; widget ``WIDGETS``.
"""
import copy
import functools
import math
from collections import namedtuple

import numpy as np

from .. import data, gradcheck, optim, plots, train
from ..layers import BatchNorm, Linear
from ..network import MLP
from course_lib.threads import one_blas_thread

CHANCE = math.log(10)  # cross-entropy of a uniform guess over 10 classes ≈ 2.303
WIDTH = 50             # hidden units per layer
DEPTH = 10             # Linear layers: 9 hidden + the output layer
N_TRAIN = 500          # training examples (a small set keeps every run well under a second)
EPOCHS = 8
BATCH = 50
HE_STD = math.sqrt(2 / WIDTH)  # = 0.2: He's std for the hidden layers


# ---------------------------------------------------------------- the layer itself

def gradient_check(n=6, d=4, seed=0):
    """Relative errors of BatchNorm.backward (x, gamma, beta) against numerical gradients."""
    rng = np.random.default_rng(seed)
    layer = BatchNorm(d)
    layer.params["gamma"][:] = rng.uniform(0.5, 2.0, d)
    layer.params["beta"][:] = rng.normal(0, 1, d)
    x = rng.normal(3.0, 2.0, size=(n, d))
    return gradcheck.check_layer(layer, x, rng=rng)


def scale_invariance(scales=(0.1, 1.0, 10.0, 100.0), n=32, d_in=20, d_out=10, seed=0):
    """Linear (no bias) followed by BatchNorm, with the weights multiplied by ``a``.

    Returns a dict of arrays over ``scales``: ``out_diff`` = max |BN(x·aW) - BN(x·W)|,
    ``grad_norm`` = ‖∂L/∂(aW)‖ for a fixed random upstream gradient, ``grad_times_a``
    = a·‖∂L/∂(aW)‖ (constant if the gradient scales as 1/a) and ``max_cos`` = the largest
    |cos| between a column of W and the same column of its gradient (0: orthogonal).
    """
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d_in))
    W0 = rng.standard_normal((d_in, d_out))
    dout = rng.standard_normal((n, d_out))
    outs, norms, coss = [], [], []
    for a in scales:
        lin, bn = Linear(d_in, d_out), BatchNorm(d_out)
        lin.params["W"][:] = a * W0
        out = bn.forward(lin.forward(x))
        lin.backward(bn.backward(dout))
        g = lin.grads["W"]
        W = lin.params["W"]
        cos = np.abs(np.sum(W * g, axis=0)) / (np.linalg.norm(W, axis=0) * np.linalg.norm(g, axis=0))
        outs.append(out)
        norms.append(np.linalg.norm(g))
        coss.append(cos.max())
    ref = outs[list(scales).index(1.0)] if 1.0 in scales else outs[0]
    scales = np.asarray(scales, dtype=float)
    norms = np.asarray(norms)
    return {"scale": scales,
            "out_diff": np.array([np.max(np.abs(o - ref)) for o in outs]),
            "grad_norm": norms, "grad_times_a": norms * scales, "max_cos": np.asarray(coss)}


def html_table(header, rows):
    """A small HTML table (Markdown tables in cell outputs are not rendered by the book)."""
    pad = 'style="padding: 3px 12px; text-align: right"'
    head = "".join(f"<th {pad}>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td {pad}>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def scale_table(inv):
    """The result of ``scale_invariance`` as an HTML table."""
    rows = [(f"{a:g}", f"{diff:.1e}", f"{g:.4f}", f"{ga:.4f}", f"{c:.0e}")
            for a, diff, g, ga, c in zip(inv["scale"], inv["out_diff"], inv["grad_norm"],
                                         inv["grad_times_a"], inv["max_cos"])]
    return html_table(["a", "출력 차이", "‖∂L/∂W‖", "a·‖∂L/∂W‖", "기울기와 가중치 열의 최대 코사인"], rows)


def biased_variance(batch_sizes=(2, 4, 8, 32), trials=20000, seed=0):
    """Average of the biased batch variance (1/N)Σ(x-μ_B)² of N(0, 1) samples: ≈ (N-1)/N."""
    rng = np.random.default_rng(seed)
    return {n: float(rng.standard_normal((trials, n)).var(axis=1).mean()) for n in batch_sizes}


def batch_of_one(seed=0):
    """What BatchNorm does with a batch of a single example in training: (x̂, message).

    x - μ_B = 0 for N = 1, so x̂ = 0 and the output is β whatever x was; the course's
    layer refuses such a batch with a ValueError, whose message is returned.
    """
    x = np.random.default_rng(seed).normal(5.0, 3.0, size=(1, 4))
    xhat = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + 1e-5)
    try:
        BatchNorm(4).forward(x, train=True)
        message = ""
    except ValueError as err:
        message = str(err)
    return xhat, message


# ---------------------------------------------------------------- training runs



Run = namedtuple("Run", "train_loss test_acc diverged message model")


@functools.lru_cache(maxsize=1)
def digits():
    """The digits split used by every run of the chapter (seed 0, 500 training examples).

    Pixels (in [0, 1]) are standardised with the training set's mean and std; a pixel that
    is constant in the training set (std = 0, e.g. a corner) is only centred, as
    sklearn's StandardScaler does, so a test image cannot blow it up.
    """
    split = data.load_digits(test_size=0.25, seed=0, n_train=N_TRAIN, standardize=False)
    mean, std = split.X_train.mean(axis=0), split.X_train.std(axis=0)
    std = np.where(std < 1e-8, 1.0, std)
    return data.Split((split.X_train - mean) / std, split.y_train,
                      (split.X_test - mean) / std, split.y_test)


def make_net(init=HE_STD, bn=True, activation="relu", seed=0, dtype="float64"):
    """The chapter's 10-layer MLP 64 → 50 × 9 → 10, with or without BatchNorm."""
    return MLP([64] + [WIDTH] * (DEPTH - 1) + [10], activation=activation, init=init,
               norm="batch" if bn else None, rng=seed, dtype=dtype)


def run(init=HE_STD, lr=0.1, bn=True, activation="relu", batch_size=BATCH, epochs=EPOCHS, seed=0,
        dtype="float64"):
    """Train ``make_net(init, bn, activation, seed)`` with plain SGD; cached, so repeated
    experiments share their runs.

    ``init`` is a weight std (float) or an init name ("xavier_normal", ...). ``dtype``:
    "float64" (the notebook) or "float32" (the widget: a third faster, the same curves
    up to rounding except where a run is chaotic, e.g. std 0.01 with BN).
    Returns a ``Run``: train loss per epoch, final test accuracy (nan if diverged), the
    divergence flag and message, and the trained model (do not train it further).
    """
    if isinstance(init, (int, float)) and not isinstance(init, bool):
        init = float(init)
    return _run(init, float(lr), bool(bn), activation, int(batch_size), int(epochs), int(seed),
                np.dtype(dtype).name)


@functools.lru_cache(maxsize=None)
@one_blas_thread
def _run(init, lr, bn, activation, batch_size, epochs, seed, dtype):
    """``run`` with every argument given, positionally: one cache entry per experiment."""
    split = digits()
    model = make_net(init, bn, activation, seed, dtype)
    hist = train.fit(model, split.X_train.astype(dtype, copy=False), split.y_train,
                     optimizer=optim.SGD(lr), epochs=epochs,
                     batch_size=batch_size, rng=np.random.default_rng(seed + 1),
                     record_grad_norms=False)
    acc = float("nan") if hist.diverged else train.evaluate(model, split.X_test.astype(dtype, copy=False),
                                                           split.y_test)[1]
    return Run(np.array(hist.train_loss), acc, hist.diverged, hist.message, model)


SWEEP_STDS = (0.01, 0.05, 0.1, 0.2, 0.5, 1.0)


def init_sweep(stds=SWEEP_STDS, lr=0.1, seed=0):
    """Final train loss and test accuracy over weight stds, without and with BN.

    Returns {"std": array, "loss": {False: array, True: array}, "acc": {...},
    "diverged": {...}}; a diverged run has loss = acc = nan.
    """
    out = {"std": np.asarray(stds, dtype=float), "loss": {}, "acc": {}, "diverged": {}}
    for bn in (False, True):
        runs = [run(float(s), lr, bn, seed=seed) for s in stds]
        out["diverged"][bn] = np.array([r.diverged for r in runs])
        out["loss"][bn] = np.array([np.nan if r.diverged else r.train_loss[-1] for r in runs])
        out["acc"][bn] = np.array([r.test_acc for r in runs])
    return out


def sigmoid_runs(lr=0.5, seed=0):
    """The 10-layer MLP with sigmoid and Xavier init, without and with BN: {bn: Run}."""
    return {bn: run("xavier_normal", lr, bn, activation="sigmoid", seed=seed) for bn in (False, True)}


# ---------------------------------------------------------------- training vs inference

def eval_mode(seed=0, small_batch=4):
    """Test accuracy of a trained BN network evaluated four ways.

    * "평가 모드": ``train=False`` (running statistics) — the right way;
    * "훈련 모드, 테스트 전체": ``train=True`` on the whole test set as one batch;
    * f"훈련 모드, 배치 {small_batch}": ``train=True`` on shuffled batches of ``small_batch``;
    * "훈련 모드, 숫자별 배치": ``train=True`` on batches that each hold one digit only.
    Each way uses a fresh copy of the trained model (a forward pass in training mode also
    overwrites the running statistics).
    """
    split = digits()
    X, y = split.X_test, split.y_test
    trained = run(HE_STD, 0.1, True, seed=seed).model

    def accuracy(batches, train_mode):
        model = copy.deepcopy(trained)
        correct = 0
        for idx in batches:
            correct += np.sum(np.argmax(model.forward(X[idx], train=train_mode), axis=1) == y[idx])
        return correct / len(y)

    everything = [np.arange(len(y))]
    order = np.random.default_rng(seed).permutation(len(y))
    small = [order[i:i + small_batch] for i in range(0, len(y), small_batch)]
    small = [b for b in small if len(b) > 1]  # a batch of one cannot be normalised in training
    by_digit = [np.flatnonzero(y == k) for k in range(10)]
    return {"평가 모드": accuracy(everything, False),
            "훈련 모드, 테스트 전체": accuracy(everything, True),
            f"훈련 모드, 배치 {small_batch}": accuracy(small, True),
            "훈련 모드, 숫자별 배치": accuracy(by_digit, True)}


def fold_batchnorm(linear, bn):
    """(W', b') of one Linear layer equal to Linear followed by BatchNorm in eval mode.

        BN(xW + b) = γ (xW + b - m) / √(v + ε) + β = x W' + b',
        W' = W · diag(γ / √(v + ε)),   b' = (b - m) γ / √(v + ε) + β.
    """
    scale = bn.params["gamma"] / np.sqrt(bn.running_var + bn.eps)
    W = linear.params["W"] * scale
    b = (linear.params["b"] - bn.running_mean) * scale + bn.params["beta"]
    return W, b


def folding_error(seed=0):
    """max |network(x) - folded network(x)| in eval mode on the test set, and the number of
    layers before and after folding every BatchNorm into its Linear layer."""
    model = copy.deepcopy(run(HE_STD, 0.1, True, seed=seed).model)
    layers = model.layers
    folded = []
    for i, layer in enumerate(layers):
        if isinstance(layer, BatchNorm):
            continue
        if isinstance(layer, Linear) and i + 1 < len(layers) and isinstance(layers[i + 1], BatchNorm):
            W, b = fold_batchnorm(layer, layers[i + 1])
            layer = copy.deepcopy(layer)
            layer.params["W"], layer.params["b"] = W, b
        folded.append(layer)
    X = digits().X_test
    out = model.forward(X, train=False)
    h = X
    for layer in folded:
        h = layer.forward(h, train=False)
    return float(np.max(np.abs(out - h))), len(layers), len(folded)


# ---------------------------------------------------------------- figures

def fig_graph():
    """The computational graph of BatchNorm's forward pass (for the backward derivation)."""
    fig, axes = plots.figure(width=6.8, height=2.4)
    ax = axes[0, 0]
    ax.axis("off")
    ax.grid(False)
    ax.set_xlim(0, 10.6)
    ax.set_ylim(0.3, 3.1)
    nodes = {"x": (0.4, 1.4, "$x$"), "mu": (1.9, 2.6, r"$\mu_B$"), "xc": (3.4, 1.4, r"$x-\mu_B$"),
             "var": (4.8, 2.6, r"$\sigma_B^2$"), "s": (6.7, 2.6, r"$s=\sqrt{\sigma_B^2+\epsilon}$"),
             "xhat": (8.0, 1.4, r"$\hat{x}$"), "y": (10.1, 1.4, "$y$")}
    boxes = {}
    for key, (x, y, text) in nodes.items():
        boxes[key] = ax.text(x, y, text, ha="center", va="center", fontsize=13,
                             bbox=dict(boxstyle="round,pad=0.35", fc="white", ec=plots.COLORS[0]))
    edges = [("x", "mu"), ("x", "xc"), ("mu", "xc"), ("xc", "var"), ("var", "s"),
             ("xc", "xhat"), ("s", "xhat"), ("xhat", "y")]
    for a, b in edges:
        (x0, y0, _), (x1, y1, _) = nodes[a], nodes[b]
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                    arrowprops=dict(arrowstyle="->", color="0.35", shrinkA=2, shrinkB=2,
                                    patchA=boxes[a].get_bbox_patch(),
                                    patchB=boxes[b].get_bbox_patch()))
    ax.text(9.05, 1.62, r"$\times\gamma,\ +\beta$", ha="center", fontsize=11)
    ax.text(5.3, 0.55, "역전파는 화살표를 거꾸로 따라갑니다. x로 돌아오는 길은 세 갈래입니다.",
            ha="center", fontsize=10, color="0.25")
    return fig


def fig_init_sweep(sweep):
    """Final train loss (log) and test accuracy over the weight std, BN off vs on."""
    fig, axes = plots.figure(ncols=2, width=3.4, height=3.0)
    styles = {False: ("BN 없음", plots.COLORS[3], "o"), True: ("BN 있음", plots.COLORS[0], "s")}
    for bn, (label, color, marker) in styles.items():
        std = sweep["std"]
        for ax, key in zip(axes[0], ("loss", "acc")):
            ax.plot(std, sweep[key][bn], marker=marker, color=color, label=label)
        div = sweep["diverged"][bn]
        if div.any():
            top = max(np.nanmax(sweep["loss"][True]), np.nanmax(sweep["loss"][False]), CHANCE) * 2
            axes[0, 0].scatter(std[div], np.full(div.sum(), top), marker="x", s=60, color=color,
                               label=f"{label}: 발산")
    ax = axes[0, 0]
    ax.axhline(CHANCE, color="0.5", ls="--", lw=1)
    ax.text(sweep["std"][0], CHANCE * 1.1, "찍기 수준 ln 10", fontsize=9, color="0.35")
    plots.log_axis(ax, "y")
    ax.set_ylabel("마지막 에폭의 훈련 손실 (로그)")
    axes[0, 1].set_ylabel("테스트 정확도")
    axes[0, 1].set_ylim(0, 1)
    for ax in axes[0]:
        plots.log_axis(ax, "x")
        ax.set_xlabel("가중치 표준편차 (로그)")
        ax.axvline(HE_STD, color="0.6", ls=":", lw=1)
    axes[0, 0].legend(fontsize=8)
    return fig


RUN_COLORS = (plots.COLORS[3], plots.COLORS[0], plots.COLORS[2])


def _label(label, r):
    """Legend entry of one run: with its test accuracy, unless it diverged."""
    return label if r.diverged else f"{label} (정확도 {r.test_acc:.2f})"


def _divergence_notes(runs):
    """The Korean note of every diverged run in ``runs`` (label → Run), e.g.
    "BN 없음: 발산했습니다 (에폭 1, 스텝 3)"."""
    notes = []
    for label, r in runs.items():
        if r.diverged:
            step = r.message.split("(")[-1].rstrip(")") if "(" in r.message else ""
            notes.append(f"{label}: 발산했습니다 ({step})")
    return notes


def _note_box():
    return dict(boxstyle="round,pad=0.4", fc="white", ec=plots.COLORS[3], alpha=0.9)


def _loss_axis(ax):
    ax.axhline(CHANCE, color="0.5", ls="--", lw=1)
    plots.log_axis(ax, "y")
    ax.set_xlabel("에폭")
    ax.set_ylabel("훈련 손실 (로그)")
    ax.set_xlim(1, EPOCHS)


def _draw_runs(ax, runs, title=None):
    """Train-loss curves of several runs on a log axis; a diverged run is named in Korean."""
    for (label, r), color in zip(runs.items(), RUN_COLORS):
        if len(r.train_loss):
            ax.plot(np.arange(1, len(r.train_loss) + 1), r.train_loss, color=color,
                    label=_label(label, r))
    _loss_axis(ax)
    if title:
        ax.set_title(title)
    ax.legend(fontsize=8, loc="lower left")
    notes = _divergence_notes(runs)
    if notes:
        ax.text(0.5, 0.5, "\n".join(notes), transform=ax.transAxes, ha="center", va="center",
                fontsize=10, color=plots.COLORS[3], bbox=_note_box())


def fig_curves(stds=(0.01, HE_STD, 1.0), lr=0.1):
    """Saito §6.3's grid, done properly: one panel per weight std, BN off vs on."""
    fig, axes = plots.figure(ncols=len(stds), width=2.6, height=2.9, sharey=True)
    for ax, s in zip(axes[0], stds):
        _draw_runs(ax, {"BN 없음": run(float(s), lr, False), "BN 있음": run(float(s), lr, True)},
                   title=f"표준편차 {s:g}")
        if ax is not axes[0, 0]:
            ax.set_ylabel("")
    return fig


def fig_sigmoid(runs):
    """Train-loss curves of the sigmoid network without and with BN."""
    fig, axes = plots.figure(width=5.0, height=3.0)
    _draw_runs(axes[0, 0], {"BN 없음": runs[False], "BN 있음": runs[True]},
               title="시그모이드 10층, Xavier 초기화")
    return fig


def fig_eval_mode(acc):
    """Bar chart of the test accuracies of ``eval_mode``."""
    fig, axes = plots.figure(width=6.4, height=2.8)
    ax = axes[0, 0]
    names = list(acc)
    colors = [plots.COLORS[0]] + [plots.COLORS[3]] * (len(names) - 1)
    ax.barh(names[::-1], [acc[n] for n in names][::-1], color=colors[::-1])
    for i, n in enumerate(names[::-1]):
        ax.text(acc[n] + 0.01, i, f"{acc[n]:.2f}", va="center", fontsize=10)
    ax.set_xlim(0, 1.1)
    ax.set_xlabel("테스트 정확도")
    ax.axvline(0.1, color="0.5", ls="--", lw=1)
    return fig


# ---------------------------------------------------------------- widget

@plots.reused
def _frame():
    """The widget's figure, built once: ``draw`` only updates its two lines, legend
    entries, note and title (building axes and ticks costs more than drawing them)."""
    fig, axes = plots.figure(width=6.4, height=3.2, layout="fixed")
    ax = axes[0, 0]
    for label, color in zip(("BN 없음", "BN 있음"), RUN_COLORS):
        ax.plot([], [], color=color, label=label)
    _loss_axis(ax)
    ax.set_ylim(0.05, 50)  # the same scale in every frame
    ax.legend(fontsize=8, loc="lower left")
    ax.text(0.5, 0.5, "", transform=ax.transAxes, ha="center", va="center", fontsize=10,
            color=plots.COLORS[3], bbox=_note_box())
    return fig


def draw(std=HE_STD, lr=0.1):
    """Widget frame: train-loss curves of the 10-layer ReLU MLP without and with BN (the
    one figure of ``_frame``, updated; a diverged run is named in Korean)."""
    runs = dict(zip(("BN 없음", "BN 있음"), widget_runs(std, lr)))
    fig = _frame()
    ax = fig.axes[0]
    for line, entry, (label, r) in zip(ax.lines, ax.get_legend().get_texts(), runs.items()):
        line.set_data(np.arange(1, len(r.train_loss) + 1), r.train_loss)
        entry.set_text(_label(label, r))
    notes = _divergence_notes(runs)
    ax.texts[0].set_text("\n".join(notes))
    ax.texts[0].set_visible(bool(notes))
    ax.set_title(f"가중치 표준편차 {std:g}, 학습률 {lr:g}")
    return fig


def widget_runs(std, lr):
    """The two runs of a widget frame, without and with BN (cached by ``run``), in float32:
    a third faster than float64, so a value only in ``live`` (trained on its first visit)
    still redraws quickly. Which runs diverge is the same as in float64 for every value of
    the widget (checked); where training is chaotic (std 0.01-0.02 with BN, lr 3) a run
    depends on rounding, and its curve and accuracy (by up to 0.2) differ from float64's.

    The widget's ``prepare``: a live widget trains every setting of the static grid when
    it is created (a few seconds), so moving a slider there only draws.
    """
    return (run(float(std), float(lr), False, dtype="float32"),
            run(float(std), float(lr), True, dtype="float32"))


WIDGETS = {
    "main": dict(
        draw=draw,
        prepare=widget_runs,
        controls={"std": [0.01, 0.05, HE_STD, 1.0], "lr": [0.01, 0.1, 1.0]},
        labels={"std": "가중치 표준편차", "lr": "학습률"},
        live={"std": [0.01, 0.02, 0.05, 0.1, HE_STD, 0.3, 0.5, 1.0, 2.0],
              "lr": [0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0]},
    ),
}
