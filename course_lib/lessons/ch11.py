"""Chapter 11 (정리: 학습이 안 될 때): a diagnosis checklist and a broken network to repair.

The broken network: a 12-layer MLP on the digits with sigmoid units, weights drawn with
std 1, learning rate 1.0 and no normalisation. Four switches repair it one at a time:

    activation  "sigmoid" → "relu"
    init        "std1"    → "he"        (std 1  →  He: √(2 / n_in))
    bn          False     → True
    lr          "high"    → "ok"        (1.0 → 0.05)

Experiments (they return data):

* ``run(activation, init, bn, lr)`` — one training run with every measurement the checklist
  uses: gradient norms per layer at the first step (``diagnostics.gradient_norms``),
  dead-unit fractions after training (``diagnostics.dead_fraction``) and the ``train.fit``
  History (``diverged``, ``message``, ``grad_norms``). Cached: the repair steps and the
  widget's 16 frames share their runs.
* ``measure(r)`` — the numbers a diagnosis looks at, as a dict.
* ``REPAIR`` / ``repair_steps()`` — the repair, one switch at a time.

Figures: ``fig_run``, ``fig_repair``; widget ``WIDGETS``.
"""
import functools
import math
from collections import namedtuple

import numpy as np

from .. import diagnostics, optim, plots, train
from ..network import MLP
from ..threads import one_blas_thread
from .ch04 import digits, html_table

CHANCE = math.log(10)  # cross-entropy of a uniform guess over 10 classes ≈ 2.303
DEPTH = 12             # Linear layers: 11 hidden + the output layer
WIDTH = 32             # hidden units per layer
EPOCHS = 8
BATCH = 32
N_PROBE = 200          # training examples used for the measurements at initialisation
LRS = {"high": 1.0, "ok": 0.05}
INITS = {"std1": 1.0, "he": "he_normal"}

ACTIVATIONS = ("sigmoid", "relu")
BNS = (False, True)

Run = namedtuple("Run", "history grad_norms0 dead test_acc")


def make_net(activation="sigmoid", init="std1", bn=False, seed=0):
    """The chapter's MLP 64 → 32 × 11 → 10 with the given switches."""
    _check(activation=activation, init=init, bn=bn)
    return MLP([64] + [WIDTH] * (DEPTH - 1) + [10], activation=activation, init=INITS[init],
               norm="batch" if bn else None, rng=seed)


def _check(activation=None, init=None, bn=None, lr=None):
    """Clear errors for values the experiment does not know."""
    if activation is not None and activation not in ACTIVATIONS:
        raise ValueError(f"activation={activation!r}: 가능한 값은 {ACTIVATIONS}입니다")
    if init is not None and init not in INITS:
        raise ValueError(f"init={init!r}: 가능한 값은 {tuple(INITS)}입니다")
    if bn is not None and bn not in BNS:
        raise ValueError(f"bn={bn!r}: True 또는 False여야 합니다")
    if lr is not None and lr not in LRS:
        raise ValueError(f"lr={lr!r}: 가능한 값은 {tuple(LRS)}입니다")


def run(activation="sigmoid", init="std1", bn=False, lr="high", seed=0):
    """Train the chapter's network with plain SGD; returns a ``Run`` (cached).

    ``grad_norms0``: ‖∂L/∂W_k‖ per Linear layer (input first) at initialisation, on the
    first ``N_PROBE`` training examples; ``dead``: fraction of dead units per activation
    layer after training (zeros if the run diverged); ``test_acc``: nan if it diverged.
    """
    _check(activation, init, bool(bn), lr)
    return _run(activation, init, bool(bn), lr, int(seed))


@functools.lru_cache(maxsize=None)
@one_blas_thread
def _run(activation, init, bn, lr, seed):
    split = digits()
    model = make_net(activation, init, bn, seed)
    probe_X, probe_y = split.X_train[:N_PROBE], split.y_train[:N_PROBE]
    g0 = diagnostics.gradient_norms(model, probe_X, probe_y)
    hist = train.fit(model, split.X_train, split.y_train, optimizer=optim.SGD(LRS[lr]),
                     epochs=EPOCHS, batch_size=BATCH, rng=np.random.default_rng(seed + 1))
    if hist.diverged:
        dead = np.zeros(DEPTH - 1)
        acc = float("nan")
    else:
        dead = diagnostics.dead_fraction(model, probe_X)
        acc = train.evaluate(model, split.X_test, split.y_test)[1]
    return Run(hist, g0, dead, acc)


def measure(r):
    """The numbers the checklist looks at, for a ``Run``.

    ``ratio`` = ‖∂L/∂W_1‖ / ‖∂L/∂W_L‖ at initialisation (≪ 1: vanishing, ≫ 1: exploding),
    ``max_dead`` = the largest dead fraction of any layer after training,
    ``final_loss`` = last epoch's training loss (nan if diverged).
    """
    h = r.history
    with np.errstate(all="ignore"):
        ratio = float(r.grad_norms0[0] / r.grad_norms0[-1])
    return {"ratio": ratio, "max_dead": float(np.max(r.dead)), "diverged": h.diverged,
            "message": h.message, "final_loss": h.train_loss[-1] if h.train_loss and not h.diverged
            else float("nan"), "test_acc": r.test_acc}


# ---------------------------------------------------------------- the repair, step by step

Step = namedtuple("Step", "title activation init bn lr")

REPAIR = [
    Step("0. 고장 난 네트워크", "sigmoid", "std1", False, "high"),
    Step("1. 시그모이드 → ReLU", "relu", "std1", False, "high"),
    Step("2. 표준편차 1 → He 초기화", "relu", "he", False, "high"),
    Step("3. 학습률 1.0 → 0.05", "relu", "he", False, "ok"),
    Step("4. 배치 정규화 추가", "relu", "he", True, "ok"),
    Step("5. BN과 함께 학습률 1.0", "relu", "he", True, "high"),
]


def repair_steps(seed=0):
    """{step title: (Step, Run)} for every step of ``REPAIR``."""
    return {s.title: (s, run(s.activation, s.init, s.bn, s.lr, seed=seed)) for s in REPAIR}


def repair_table(steps, diagnose=None):
    """HTML table of the repair: measurements (and the diagnosis of ``diagnose``, if given)."""
    header = ["단계", "g₁/g_L (초기)", "죽은 비율 (최대)", "마지막 훈련 손실", "테스트 정확도"]
    if diagnose is not None:
        header.append("diagnose")
    rows = []
    for title, (step, r) in steps.items():
        m = measure(r)
        loss = "발산" if m["diverged"] else f"{m['final_loss']:.2f}"
        acc = "-" if m["diverged"] else f"{m['test_acc']:.2f}"
        row = [title, f"{m['ratio']:.1e}", f"{m['max_dead']:.2f}", loss, acc]
        if diagnose is not None:
            row.append(str(diagnose(r.history.grad_norm_array(), r.history.step_loss, r.dead)))
        rows.append(row)
    return html_table(header, rows)


# ---------------------------------------------------------------- figures

def _log_axis(ax, lo, hi):
    """Log-scale y axis from ``lo`` to ``hi`` with the course's plain-text ticks (0.1, 1, 10⁻⁶)."""
    plots.log_axis(ax, "y")
    ax.set_ylim(lo, hi)


def _panels(axes):
    """Left: train loss per epoch (log). Right: per-layer gradient norms, first and last step.
    The panels with their axes and legends and, still empty, the lines ``_show`` fills."""
    ax = axes[0]
    ax.plot([], [], marker="o", ms=3, color=plots.COLORS[0])
    ax.axhline(CHANCE, color="0.5", ls="--", lw=1, label="찍기 수준 ln 10")
    ax.legend(fontsize=9, loc="lower left")
    ax.set_xlim(0.7, EPOCHS + 0.3)
    _log_axis(ax, 0.2, 20)
    ax.set_xlabel("에폭")
    ax.set_ylabel("훈련 손실 (로그)")
    ax = axes[1]
    ax.plot([], [], marker="o", ms=4, color=plots.COLORS[3], label="첫 스텝")
    ax.plot([], [], marker="s", ms=4, color=plots.COLORS[0], label="마지막 스텝")
    _log_axis(ax, 1e-9, 1e3)
    ax.set_xlim(0.45, DEPTH + 0.55)
    ax.set_xticks([1, 4, 8, DEPTH])
    ax.set_xlabel("층 (입력 쪽 → 출력 쪽)")
    ax.set_ylabel("기울기 노름 ‖∂L/∂W‖ (로그)")
    ax.legend(fontsize=9, loc="lower right")


def _show(axes, r, title=""):
    """Put run ``r`` into the panels of ``_panels``: its loss curve, its gradient norms and
    the titles."""
    loss = np.asarray(r.history.train_loss, dtype=float)
    axes[0].lines[0].set_data(np.arange(1, len(loss) + 1), loss)
    # y=1.0 fixes the title's place: matplotlib skips a pass that measures every tick label
    axes[0].set_title(title, fontsize=11, y=1.0)
    g = r.history.grad_norm_array()
    layers = np.arange(1, g.shape[1] + 1)
    first, last = axes[1].lines
    first.set_data(layers, g[0])
    last.set_data(layers, g[-1])
    m = measure(r)
    axes[1].set_title(f"g₁/g_L = {m['ratio']:.2g}, 죽은 비율 최대 {m['max_dead']:.2f}", fontsize=9.5, y=1.0)


def _figure():
    """Two panels with fixed margins instead of the constrained layout: the widget draws
    16 of these, and the layout engine would double the time of each."""
    fig, axes = plots.figure(ncols=2, width=3.3, height=3.0, layout="fixed")
    plots.fix_margins(fig, left=0.7, right=0.2, top=0.35, bottom=0.5, wspace=0.8)
    _panels(axes[0])
    return fig


def fig_run(r, title=None):
    """Training curve and per-layer gradient norms of one run (not for diverged runs)."""
    fig = _figure()
    _show(fig.axes, r, title or "")
    return fig


def fig_repair(steps):
    """Gradient norms per layer at the first step, one line per repair step (diverged: skipped)."""
    fig, axes = plots.figure(ncols=2, width=3.4, height=3.2)
    colors = [plots.COLORS[i] for i in (3, 1, 4, 0, 2, 7)]
    for (title, (step, r)), color in zip(steps.items(), colors):
        if r.history.diverged:
            continue
        loss = np.asarray(r.history.train_loss)
        label = title.split(". ")[0] + "단계"
        axes[0, 0].plot(np.arange(1, len(loss) + 1), loss, color=color, label=label)
        axes[0, 1].plot(np.arange(1, DEPTH + 1), r.grad_norms0, marker="o", ms=3, color=color,
                        label=label)
    ax = axes[0, 0]
    ax.axhline(CHANCE, color="0.5", ls="--", lw=1)
    _log_axis(ax, 0.2, 20)
    ax.set_xlabel("에폭")
    ax.set_ylabel("훈련 손실 (로그)")
    ax.legend(fontsize=8)
    ax = axes[0, 1]
    _log_axis(ax, 1e-3, 1e2)
    ax.set_xticks(np.arange(1, DEPTH + 1))
    ax.legend(fontsize=8, loc="lower right", title="4·5단계는 겹침", title_fontsize=8)
    ax.set_xlabel("층 (입력 쪽 → 출력 쪽)")
    ax.set_ylabel("초기 기울기 노름 (로그)")
    return fig


# ---------------------------------------------------------------- widget

def divergence_note(r):
    """The Korean message of a diverged run, with the checklist's verdict on its cause:
    huge gradients at the first step point at the initialisation, healthy ones at the
    learning rate."""
    first = float(np.max(r.history.grad_norm_array()[0]))
    where = r.history.message.split("(")[-1].rstrip(")")
    if first > 1e3:
        big = f"{first:.1e}".replace("e+0", "e").replace("e+", "e")
        cause = (f"첫 스텝부터 기울기 노름이 {big}입니다.\n"
                 "원인은 초기화입니다: He 초기화나 배치 정규화를 켜 보세요.")
    else:
        cause = (f"첫 스텝의 기울기는 건강합니다 (최대 {first:.2g}).\n"
                 "원인은 학습률입니다: 학습률을 낮추거나 배치 정규화를 켜 보세요.")
    return f"발산했습니다 ({where}).\n{cause}"


ACT_LABELS = {"시그모이드": "sigmoid", "ReLU": "relu"}
INIT_LABELS = {"표준편차 1": "std1", "He": "he"}
BN_LABELS = {"끔": False, "켬": True}
LR_LABELS = {"1.0 (높음)": "high", "0.05": "ok"}


def prepare(activation="시그모이드", init="표준편차 1", bn="끔", lr="1.0 (높음)"):
    """The training run behind a widget frame (cached): ``explore`` calls this for all 16
    settings when the widget is created, so moving a control only draws."""
    return run(ACT_LABELS[activation], INIT_LABELS[init], BN_LABELS[bn], LR_LABELS[lr])


@plots.reused
def _frame():
    """The widget's figure, built once: building axes, ticks and legends costs more than
    drawing them, so ``draw`` only updates the three lines and the two titles."""
    return _figure()


def draw(activation="시그모이드", init="표준편차 1", bn="끔", lr="1.0 (높음)"):
    """Widget frame: one run of the network with the chosen remedies; divergence → message."""
    r = prepare(activation, init, bn, lr)
    if r.history.diverged:
        return divergence_note(r)
    fig = _frame()
    _show(fig.axes, r, f"{activation}, {init}, BN {bn}, 학습률 {lr}")
    return fig


WIDGETS = {
    "main": dict(
        draw=draw,
        prepare=prepare,
        controls={"activation": list(ACT_LABELS), "init": list(INIT_LABELS),
                  "bn": list(BN_LABELS), "lr": list(LR_LABELS)},
        labels={"activation": "활성화 함수", "init": "초기화", "bn": "배치 정규화",
                "lr": "학습률"},
    ),
}
