"""Chapter 5 (층 정규화): which axis a normalisation layer averages over, and what follows.

Experiments (they return data):

* ``gradient_check`` — LayerNorm's backward against centred differences.
* ``invariances`` — Ba et al. (2016), Table 1, checked numerically: how much the output
  of BatchNorm and LayerNorm changes under six transformations of weights and data.
* ``batch_dependence`` — LN of one example does not depend on the rest of the batch and
  is the same in training and eval; BN's is not.
* ``bn_noise`` — how much BN's output for one fixed example moves with the other examples
  of its batch, over batch sizes (≈ 1/√N), and LN's (exactly 0).
* ``batch_two`` — with a batch of two, BN's x̂ is always ±1.
* ``run`` / ``batch_sweep`` — a 4-layer MLP on the digits trained with BN and with LN at
  batch sizes 2 … 64: BN breaks down at tiny batches, LN does not.

Figures: ``fig_axes``, ``fig_noise``, ``fig_sweep``; widget ``WIDGETS``.
"""
import functools
import math
from collections import namedtuple

import numpy as np

from .. import gradcheck, optim, plots, train
from ..layers import BatchNorm, LayerNorm
from ..memo import cached
from ..network import MLP
from ..threads import one_blas_thread
from .ch04 import digits, html_table

CHANCE = math.log(10)
SIZES = [64, 64, 64, 64, 10]   # 3 hidden layers
LR = 0.05
EPOCHS = 3
BATCH_SIZES = (2, 4, 8, 16, 32, 64)
NORM_NAMES = {"batch": "BN", "layer": "LN"}


# ---------------------------------------------------------------- the axes

def fig_axes(n=6, d=8):
    """Two N × D grids: BN averages down a column (over the batch), LN along a row."""
    from matplotlib.patches import Rectangle

    fig, axes = plots.figure(ncols=2, width=3.3, height=3.2)
    panels = [("배치 정규화", True, plots.COLORS[0], "특성마다 N개 샘플로 μ, σ²"),
              ("층 정규화", False, plots.COLORS[1], "샘플마다 D개 특성으로 μ, σ²")]
    for ax, (title, along_batch, color, note) in zip(axes[0], panels):
        ax.set_xlim(-1.2, d + 0.2)
        ax.set_ylim(n + 1.4, -1.3)
        ax.set_aspect("equal")
        ax.axis("off")
        for i in range(n):
            for j in range(d):
                on = (j == 2) if along_batch else (i == 1)
                ax.add_patch(Rectangle((j, i), 1, 1, fc=color if on else "white",
                                       ec="0.4", lw=0.8, alpha=0.85 if on else 1))
        ax.annotate("", xy=(d, -0.45), xytext=(0, -0.45),
                    arrowprops=dict(arrowstyle="->", color="0.3"))
        ax.text(d / 2, -0.6, "특성 (D개)", ha="center", va="bottom", fontsize=10)
        ax.annotate("", xy=(-0.45, n), xytext=(-0.45, 0),
                    arrowprops=dict(arrowstyle="->", color="0.3"))
        ax.text(-0.6, n / 2, "샘플 (N개)", ha="right", va="center", rotation=90, fontsize=10)
        ax.text(d / 2, n + 0.35, note, ha="center", va="top", fontsize=10)
        ax.set_title(title, fontsize=12, color=color)
    return fig


def gradient_check(n=4, d=6, seed=0):
    """Relative errors of LayerNorm.backward (x, gamma, beta) against numerical gradients."""
    rng = np.random.default_rng(seed)
    layer = LayerNorm(d)
    layer.params["gamma"][:] = rng.uniform(0.5, 2.0, d)
    layer.params["beta"][:] = rng.normal(0, 1, d)
    x = rng.normal(rng.normal(0, 3, size=(n, 1)), 2.0, size=(n, d))
    return gradcheck.check_layer(layer, x, rng=rng)


# ---------------------------------------------------------------- invariances

TRANSFORMS = ["가중치 행렬 전체의 스케일", "가중치 행렬의 재중심화", "가중치 벡터 하나의 스케일",
              "데이터셋 전체의 스케일", "데이터셋 전체의 재중심화", "샘플 하나의 스케일"]
BA_TABLE = {  # Ba, Kiros & Hinton (2016), Table 1: True = invariant
    "batch": [True, False, True, True, True, False],
    "layer": [True, True, False, True, False, True],
}


def _normalise(kind, z):
    layer = BatchNorm(z.shape[1], eps=1e-12) if kind == "batch" else LayerNorm(z.shape[1], eps=1e-12)
    return layer.forward(z, train=True)


def invariances(n=16, d_in=12, d_out=10, seed=0):
    """max |N(x' W') - N(x W)| for each of Ba et al.'s transformations, N = BN and LN.

    The pre-activations are z = x W (no bias, as in the paper); W has one column per
    hidden unit. Returns {"batch": array(6), "layer": array(6)} in the order of
    ``TRANSFORMS``; ~1e-12 means invariant, O(1) means not.
    """
    rng = np.random.default_rng(seed)
    x = rng.normal(0.5, 1.0, size=(n, d_in))
    W = rng.normal(0.0, 1.0, size=(d_in, d_out))
    v = rng.normal(0.0, 1.0, size=(d_in, 1))       # the same vector added to every unit's weights
    col = rng.uniform(0.2, 5.0, size=d_out)          # one scale per unit (column)
    row = rng.uniform(0.2, 5.0, size=(n, 1))         # one scale per example (row)
    c = rng.normal(0.0, 1.0, size=d_in)              # one shift shared by every example
    changed = [(x, 3.0 * W), (x, W + v), (x, W * col), (3.0 * x, W), (x + c, W), (x * row, W)]
    out = {}
    for kind in ("batch", "layer"):
        base = _normalise(kind, x @ W)
        out[kind] = np.array([np.max(np.abs(_normalise(kind, xx @ WW) - base)) for xx, WW in changed])
    return out


def invariance_table(table, tol=1e-6):
    """The invariance table as HTML: ✓ invariant, ✗ not (with the measured change)."""
    def cell(value):
        return f"✓ ({value:.0e})" if value < tol else f"✗ ({value:.2f})"

    rows = [(name, cell(table["batch"][i]), cell(table["layer"][i])) for i, name in enumerate(TRANSFORMS)]
    return html_table(["변환", "배치 정규화", "층 정규화"], rows)


# ---------------------------------------------------------------- batch dependence

def batch_dependence(seed=0):
    """How the output for example 0 depends on the batch it comes in.

    Returns max-abs differences: "LN: 혼자 vs 배치" (LN of x₀ alone vs inside a batch),
    "LN: 훈련 vs 평가", "BN: 다른 배치" (x₀ with two different sets of companions, train
    mode), "BN: 훈련 vs 평가" (train mode vs eval mode after some batches).
    """
    rng = np.random.default_rng(seed)
    X = rng.normal(1.0, 2.0, size=(64, 8))
    ln = LayerNorm(8)
    bn = BatchNorm(8)
    for i in range(0, 64, 8):  # fill the running statistics
        bn.forward(X[i:i + 8], train=True)
    batch_a, batch_b = X[[0, 1, 2, 3]], X[[0, 10, 20, 30]]
    return {
        "LN: 혼자 vs 배치": float(np.max(np.abs(ln.forward(X[:1]) - ln.forward(batch_a)[:1]))),
        "LN: 훈련 vs 평가": float(np.max(np.abs(ln.forward(batch_a, train=True) - ln.forward(batch_a, train=False)))),
        "BN: 다른 배치": float(np.max(np.abs(BatchNorm(8).forward(batch_a)[0] - BatchNorm(8).forward(batch_b)[0]))),
        "BN: 훈련 vs 평가": float(np.max(np.abs(bn.forward(batch_a, train=False)
                                            - BatchNorm(8).forward(batch_a, train=True)))),
    }


def batch_two(seed=0, trials=100):
    """x̂ of BN on batches of two: every value is ±1 (up to eps). Returns all |x̂|."""
    rng = np.random.default_rng(seed)
    z = rng.normal(0.0, 3.0, size=(trials, 2, 16))
    return np.concatenate([np.abs(BatchNorm(16).forward(b)).ravel() for b in z])


def hidden_inputs(seed=0):
    """Pre-activations z = x W of the first layer (He init) for the digits training set."""
    rng = np.random.default_rng(seed)
    X = digits().X_train
    W = rng.normal(0.0, math.sqrt(2 / X.shape[1]), size=(X.shape[1], 32))
    return X @ W


def bn_noise(batch_sizes=BATCH_SIZES, draws=200, seed=0):
    """Spread of BN's output for one fixed example over random companions, per batch size.

    For each N: put example 0 of ``hidden_inputs`` into ``draws`` random batches of N
    (the other N-1 drawn from the training set), normalise in training mode, and take
    the std of example 0's output over the draws, averaged over the features. LN gives
    exactly the same output every time (its spread is 0). Returns
    {"N": array, "BN": array, "LN": array}; cached (the notebook and the widget share it).
    """
    return _bn_noise(tuple(int(n) for n in batch_sizes), int(draws), int(seed))


@functools.lru_cache(maxsize=None)
@one_blas_thread
def _bn_noise(batch_sizes, draws, seed):
    rng = np.random.default_rng(seed)
    Z = hidden_inputs(seed)
    rest = np.arange(1, len(Z))
    out = {"N": np.asarray(batch_sizes), "BN": [], "LN": []}
    for n in batch_sizes:
        bn_out, ln_out = [], []
        for _ in range(draws):
            batch = Z[np.concatenate([[0], rng.choice(rest, size=n - 1, replace=False)])]
            bn_out.append(BatchNorm(Z.shape[1]).forward(batch)[0])
            ln_out.append(LayerNorm(Z.shape[1]).forward(batch)[0])
        out["BN"].append(np.mean(np.std(bn_out, axis=0)))
        out["LN"].append(np.mean(np.std(ln_out, axis=0)))
    out["BN"], out["LN"] = np.array(out["BN"]), np.array(out["LN"])
    return out


# ---------------------------------------------------------------- training

Run = namedtuple("Run", "train_loss step_loss test_acc diverged message")


@cached
@one_blas_thread
def run(norm="batch", batch_size=8, lr=LR, epochs=EPOCHS, seed=0):
    """Train the 4-layer ReLU MLP (He init) with ``norm`` ("batch" or "layer") and SGD.

    Cached. ``train_loss`` is measured in eval mode after each epoch (for BN: with the
    running statistics); ``step_loss`` is the mean training-mode mini-batch loss of each
    epoch. ``test_acc`` is the final eval-mode test accuracy.
    """
    split = digits()
    model = MLP(SIZES, activation="relu", init="he_normal", norm=norm, rng=seed)
    hist = train.fit(model, split.X_train, split.y_train, optimizer=optim.SGD(lr), epochs=epochs,
                     batch_size=batch_size, rng=np.random.default_rng(seed + 1),
                     record_grad_norms=False)
    steps = np.array(hist.step_loss)
    per_epoch = math.ceil(len(split.X_train) / batch_size)
    step_loss = np.array([steps[i:i + per_epoch].mean() for i in range(0, len(steps), per_epoch)])
    acc = float("nan") if hist.diverged else train.evaluate(model, split.X_test, split.y_test)[1]
    return Run(np.array(hist.train_loss), step_loss, acc, hist.diverged, hist.message)


def batch_sweep(batch_sizes=BATCH_SIZES, seed=0):
    """Final eval-mode train loss and test accuracy of BN and LN over batch sizes."""
    out = {"N": np.asarray(batch_sizes)}
    for norm in ("batch", "layer"):
        runs = [run(norm, int(b), seed=seed) for b in batch_sizes]
        out[norm] = {"loss": np.array([r.train_loss[-1] if not r.diverged else np.nan for r in runs]),
                     "step_loss": np.array([r.step_loss[-1] for r in runs]),
                     "acc": np.array([r.test_acc for r in runs])}
    return out


# ---------------------------------------------------------------- figures

def fig_noise(noise):
    """Spread of one example's normalised output vs batch size (log-log), with 1/√N."""
    fig, axes = plots.figure(width=5.2, height=3.1)
    ax = axes[0, 0]
    n = noise["N"]
    ax.plot(n, noise["BN"], marker="o", color=plots.COLORS[0], label="배치 정규화")
    k = len(n) // 2  # the reference line goes through the middle point
    ax.plot(n, noise["BN"][k] * np.sqrt(n[k] / n), ls="--", color="0.5", label="1/√N 기울기")
    ax.set_xscale("log", base=2)
    plots.log_axis(ax, "y")
    ax.set_xticks(n)
    ax.set_xticklabels([str(v) for v in n])
    ax.set_xlabel("배치 크기 N (로그)")
    ax.set_ylabel("같은 샘플의 출력 표준편차 (로그)")
    ax.text(0.97, 0.95, "층 정규화: 언제나 정확히 0", transform=ax.transAxes, ha="right", va="top",
            fontsize=10, color=plots.COLORS[1])
    ax.legend(fontsize=9, loc="lower left")
    return fig


def fig_sweep(sweep):
    """Test accuracy of BN and LN over batch sizes (same number of epochs)."""
    fig, axes = plots.figure(width=5.2, height=3.1)
    ax = axes[0, 0]
    for norm, color, marker in (("batch", plots.COLORS[0], "o"), ("layer", plots.COLORS[1], "s")):
        ax.plot(sweep["N"], sweep[norm]["acc"], marker=marker, color=color,
                label="배치 정규화" if norm == "batch" else "층 정규화")
    ax.set_xscale("log", base=2)
    ax.set_xticks(sweep["N"])
    ax.set_xticklabels([str(v) for v in sweep["N"]])
    ax.set_ylim(0, 1)
    ax.set_xlabel("배치 크기 (로그)")
    ax.set_ylabel(f"{EPOCHS} 에폭 뒤 테스트 정확도")
    ax.legend(fontsize=9, loc="lower right")
    return fig


@plots.reused
def _frame():
    """The widget's two panels, built once: ``draw`` only updates the training curves,
    their legend entries, the circled batch size and the title (building axes and ticks
    costs more than drawing them).

    Left: BN's eval-mode and training-mode losses and LN's, per epoch. Right: BN's output
    noise over batch sizes (the notebook's ``bn_noise``; the same in every frame).
    """
    fig, axes = plots.figure(ncols=2, width=3.2, height=3.1, layout="fixed")
    ax, ax_noise = axes[0]
    plots.fix_margins(fig, wspace=0.95)
    blue, orange, red = plots.COLORS[0], plots.COLORS[1], plots.COLORS[3]
    ax.plot([], [], marker="o", color=blue, label="BN 평가 모드")
    ax.plot([], [], ls=":", marker="x", color=blue, label="BN 훈련 모드 배치 손실")
    ax.plot([], [], marker="o", color=orange, label="LN 평가 모드")
    ax.axhline(CHANCE, color="0.5", ls="--", lw=1)
    plots.log_axis(ax, "y")
    ax.set_ylim(0.02, 4)
    ax.set_xlim(0.9, EPOCHS + 0.1)  # matplotlib's 5 % margins around epochs 1..EPOCHS
    ax.set_xticks(np.arange(1, EPOCHS + 1))
    ax.set_xlabel("에폭")
    ax.set_ylabel("훈련 세트 손실 (로그)")
    ax.legend(fontsize=8, loc="lower left")
    ax.text(0.5, 0.5, "", transform=ax.transAxes, ha="center", color=red)

    noise = bn_noise()
    n = noise["N"]
    ax_noise.plot(n, noise["BN"], marker="o", color=blue, label="배치 정규화")
    ax_noise.plot([], [], "o", ms=13, mfc="none", mec=red, mew=2)  # the chosen batch size
    ax_noise.text(0.03, 0.05, "층 정규화: 언제나 0", transform=ax_noise.transAxes, fontsize=10,
                  color=orange)
    ax_noise.set_xscale("log", base=2)
    plots.log_axis(ax_noise, "y")
    ax_noise.set_ylim(0.08, 1.2)
    ax_noise.set_xticks(n)
    ax_noise.set_xticklabels([str(v) for v in n])
    ax_noise.set_xlabel("배치 크기 (로그)")
    ax_noise.set_ylabel("출력의 표준편차 (로그)")
    ax_noise.set_title("같은 샘플, 다른 배치: BN 출력의 흔들림", fontsize=10)
    return fig


def draw(batch_size=8):
    """Widget frame: BN vs LN training curves at this batch size, and BN's output noise
    with this batch size circled (the one figure of ``_frame``, updated)."""
    bn, ln, noise = widget_data(batch_size)
    fig = _frame()
    ax, ax_noise = fig.axes
    curves = [(bn, bn.train_loss), (bn, bn.step_loss), (ln, ln.train_loss)]
    for line, (r, loss) in zip(ax.lines, curves):
        line.set_data(([], []) if r.diverged else (np.arange(1, len(loss) + 1), loss))
    entries = ax.get_legend().get_texts()
    for entry, r, name in ((entries[0], bn, "BN"), (entries[2], ln, "LN")):
        entry.set_text(f"{name} 평가 모드" + ("" if r.diverged else f" (정확도 {r.test_acc:.2f})"))
    ax.texts[0].set_text("\n".join(f"{name}: 발산했습니다" for r, name in ((bn, "BN"), (ln, "LN"))
                                   if r.diverged))
    ax.set_title(f"배치 크기 {batch_size}")
    i = list(noise["N"]).index(batch_size) if batch_size in list(noise["N"]) else None
    ax_noise.lines[1].set_data(([], []) if i is None else ([noise["N"][i]], [noise["BN"][i]]))
    return fig


def widget_data(batch_size):
    """The runs and the noise curve a widget frame draws (all cached): the widget's
    ``prepare``, and the notebook's own ``batch_sweep`` and ``bn_noise``."""
    return run("batch", int(batch_size)), run("layer", int(batch_size)), bn_noise()


WIDGETS = {
    "main": dict(
        draw=draw,
        prepare=widget_data,
        controls={"batch_size": list(BATCH_SIZES)},
        labels={"batch_size": "배치 크기"},
    ),
}
