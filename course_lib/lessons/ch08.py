"""Chapter 8 (학습률 스케줄): the learning rate as a function of the epoch.

Every schedule is one of ``course_lib.schedules`` (equal to torch's schedulers at every
epoch). Experiments (they return data):

* ``curves`` — lr per epoch of step, exponential, power, cosine, warmup + cosine, 1cycle,
  and ReduceLROnPlateau driven by a made-up validation loss.
* ``make_schedule`` / ``run`` — one training run of the chapter's setup: a 64-64-10 ReLU
  MLP on 500 digits, SGD with momentum 0.9, 20 epochs, under a named schedule.
* ``compare`` — every schedule at one peak learning rate, same initial weights and batches.
* ``adam_noise_steps`` — Adam's step size on pure-noise gradients: the first steps are
  ~5× the later ones, the reason warmup helps Adam (Liu et al. 2020).
* ``noise_floor`` — SGD on a noisy quadratic: a constant rate leaves a loss ∝ η; decay removes it.

Figures: ``fig_curves``, ``fig_compare``, ``fig_adam_noise``; widget ``WIDGETS``.
"""
import functools
import math

import numpy as np

from .. import data, optim, plots, schedules, train
from ..memo import cached
from ..network import MLP
from ..threads import one_blas_thread

EPOCHS = 20
N_TRAIN = 500       # a small training set keeps one run near 0.1 s (the widget needs 24)
SIZES = [64, 64, 10]
BATCH = 32
MOMENTUM = 0.9
START_FACTOR = 0.1  # warmup starts at lr0 / 10
NAMES = ["고정", "계단", "지수", "코사인", "1cycle"]




# ---------------------------------------------------------------- the schedules

def make_schedule(name, lr0, epochs=EPOCHS, warmup=0):
    """The schedule ``name`` with peak ``lr0`` over ``epochs``, after ``warmup`` epochs of
    linear warmup from lr0/10 (``schedules.linear_warmup``).

    계단: ×0.2 every third of the remaining epochs; 지수: γ such that the rate falls 100-fold
    by the end; 코사인: down to 0 at the end; 1cycle: its own warmup, for
    pct_start = warmup/epochs (0.25 when warmup is 0), then down to lr0/25/10⁴.
    ``"plateau"`` gives a fresh ``ReduceLROnPlateau(lr0, factor=0.5, patience=2)``.
    """
    if not (isinstance(warmup, int) and 0 <= warmup < epochs):
        raise ValueError(f"warmup={warmup!r}: 0 이상 epochs({epochs}) 미만의 정수여야 합니다")
    rest = epochs - warmup
    if name == "plateau":
        return schedules.ReduceLROnPlateau(lr0, factor=0.5, patience=2)
    if name == "1cycle":
        return schedules.one_cycle(lr0, epochs, pct_start=warmup / epochs if warmup else 0.25)
    makers = {
        "고정": lambda: (lambda epoch: lr0),
        "계단": lambda: schedules.step_lr(lr0, max(rest // 3, 1), gamma=0.2),
        "지수": lambda: schedules.exponential_lr(lr0, 0.01 ** (1 / rest)),
        "코사인": lambda: schedules.cosine_lr(lr0, rest),
    }
    if name not in makers:
        raise ValueError(f"알 수 없는 스케줄 {name!r}. 가능한 값: {', '.join(makers)}, 1cycle, plateau")
    after = makers[name]()
    if warmup:
        return schedules.linear_warmup(lr0, warmup, after, start_factor=START_FACTOR)
    return after


def made_up_val_loss(epochs=40, seed=0):
    """A validation loss that falls, then stalls from epoch 15 (for the plateau picture)."""
    rng = np.random.default_rng(seed)
    t = np.arange(epochs)
    return 0.3 + 0.7 * np.exp(-np.minimum(t, 15) / 5) + 0.01 * rng.standard_normal(epochs)


def curves(lr0=0.1, epochs=40):
    """{label: lr per epoch} for the schedules of the chapter (``epochs`` epochs)."""
    t = np.arange(epochs)
    out = {
        "계단 (step_size=10, γ=0.5)": [schedules.step_lr(lr0, 10, 0.5)(e) for e in t],
        "지수 (γ=0.9)": [schedules.exponential_lr(lr0, 0.9)(e) for e in t],
        "거듭제곱 (s=5, c=1)": [schedules.power_lr(lr0, 5)(e) for e in t],
        f"코사인 (T_max={epochs})": [schedules.cosine_lr(lr0, epochs)(e) for e in t],
        "워밍업 5 + 코사인": [schedules.linear_warmup(lr0, 5, schedules.cosine_lr(lr0, epochs - 5),
                                                  START_FACTOR)(e) for e in t],
        "1cycle (pct_start=0.3)": [schedules.one_cycle(lr0, epochs)(e) for e in t],
    }
    plateau = schedules.ReduceLROnPlateau(lr0, factor=0.5, patience=3)
    lrs = [lr0]
    for v in made_up_val_loss(epochs)[:-1]:
        lrs.append(plateau.step(v))  # the rate for the next epoch
    out["성능 기반 (factor=0.5, patience=3)"] = lrs
    return {k: np.array(v, dtype=float) for k, v in out.items()}


# ---------------------------------------------------------------- training

@functools.cache
def _split():
    """The chapter's 500 training digits (and the usual test set), standardized."""
    return data.load_digits(seed=0, n_train=N_TRAIN)


@cached
@one_blas_thread
def run(name, lr0, warmup=0, seed=0, epochs=EPOCHS):
    """Train the chapter's MLP under ``make_schedule(name, lr0, epochs, warmup)``; a History.

    Runs are deterministic, so they are cached: the widget reuses the experiment's runs.
    Treat the returned History as read-only.
    """
    split = _split()
    model = MLP(SIZES, "relu", rng=seed)
    opt = optim.SGD(lr=lr0, momentum=MOMENTUM)
    return train.fit(model, split.X_train, split.y_train, optimizer=opt, epochs=epochs,
                     batch_size=BATCH, rng=np.random.default_rng(seed), X_val=split.X_test,
                     y_val=split.y_test, schedule=make_schedule(name, lr0, epochs, warmup),
                     record_grad_norms=False)


def compare(lr0, names=("고정", "계단", "지수", "코사인", "1cycle", "plateau"), warmup=0, seed=0):
    """{name: History} for every schedule at peak ``lr0`` (same weights, same batches)."""
    return {n: run(n, lr0, warmup if n != "plateau" else 0, seed) for n in names}


def final(history):
    """(final training loss, final test accuracy); (inf, nan) for a run that diverged."""
    if history.diverged or not history.train_loss:
        return math.inf, math.nan
    return history.train_loss[-1], history.val_acc[-1]


# ---------------------------------------------------------------- why decay: SGD's noise floor

def noise_floor(lr=0.1, lam=1.0, sigma=1.0, steps=1000, chains=4000, schedule="고정", seed=0):
    """SGD on f(θ) = ½λθ² whose gradient carries noise, g = λθ + σξ, ξ ~ N(0, 1).

    ``chains`` independent copies start at θ = 1 and are updated as one parameter vector
    by ``optim.SGD``; the learning rate follows ``schedule`` ("고정" or "코사인": cosine from
    ``lr`` to 0 over ``steps``). Returns the mean f over the chains after every step.
    With a constant rate the loss settles at ησ²/(2(2 - ηλ)) (see ``noise_floor_theory``).
    """
    rng = np.random.default_rng(seed)
    opt = optim.SGD(lr=lr)
    params = {"w": np.ones(chains)}
    cosine = schedules.cosine_lr(lr, steps)
    out = np.empty(steps)
    for t in range(steps):
        opt.lr = cosine(t) if schedule == "코사인" else lr
        opt.update(params, {"w": lam * params["w"] + sigma * rng.standard_normal(chains)})
        out[t] = np.mean(0.5 * lam * params["w"] ** 2)
    return out


def noise_floor_theory(lr=0.1, lam=1.0, sigma=1.0):
    """E[f] in the steady state of constant-rate SGD on the noisy quadratic: ησ²/(2(2 - ηλ))."""
    return lr * sigma ** 2 / (2 * (2 - lr * lam))


def fig_noise_floor(lrs=(0.1, 0.02), steps=1000):
    """Mean loss per step: constant rates (dotted: theory) and cosine decay from the first."""
    fig, axes = plots.figure(width=6.0, height=3.0)
    ax = axes[0, 0]
    t = np.arange(1, steps + 1)
    for lr, color in zip(lrs, plots.COLORS):
        ax.plot(t, noise_floor(lr, steps=steps), color=color, label=f"고정 η={lr:g}")
        ax.axhline(noise_floor_theory(lr), color=color, linestyle=":", linewidth=1)
    ax.plot(t, noise_floor(lrs[0], steps=steps, schedule="코사인"), color=plots.COLORS[2],
            label=f"코사인 {lrs[0]:g} → 0")
    plots.log_axis(ax)
    ax.set_xlabel("스텝")
    ax.set_ylabel("평균 손실 E[f] (로그 눈금)")
    ax.set_title("잡음 섞인 기울기: 점선은 이론의 바닥 ησ²/(2(2-ηλ))")
    ax.legend(fontsize=8)
    return fig


# ---------------------------------------------------------------- Adam and warmup

def adam_noise_steps(steps=300, n=2000, warmup=0, lr=1e-3, seed=0):
    """Mean |Δθ|/lr of Adam per step when every gradient is pure noise N(0, 1).

    With no signal, a step ought to be small. At t = 1 it is exactly lr for every
    parameter (m̂₁/√v̂₁ = sign g); later the mean |m̂|/√v̂ settles near ``adam_noise_floor()`` ≈ 0.18.
    With ``warmup`` > 0 the rate rises linearly from 0 to lr over that many steps.
    """
    rng = np.random.default_rng(seed)
    opt = optim.Adam(lr=lr)
    params = {"w": np.zeros(n)}
    out = np.empty(steps)
    for t in range(steps):
        opt.lr = lr * min(1.0, (t + 1) / warmup) if warmup else lr
        before = params["w"].copy()
        opt.update(params, {"w": rng.standard_normal(n)})
        out[t] = np.mean(np.abs(params["w"] - before)) / lr
    return out


def adam_noise_floor(beta1=0.9):
    """√(2/π)·√((1-β₁)/(1+β₁)) ≈ 0.18: the mean |m̂|/σ for noise gradients in the steady
    state (m is Gaussian with variance (1-β₁)/(1+β₁)·σ², and E|N(0, s²)| = s√(2/π))."""
    return math.sqrt(2 / math.pi) * math.sqrt((1 - beta1) / (1 + beta1))


# ---------------------------------------------------------------- figures

def _shown(values):
    """Losses as a finite line: nan/inf and values above 1000 drawn at 1000, floor 1e-4."""
    return np.clip(np.nan_to_num(np.asarray(values, dtype=float), nan=1e3, posinf=1e3), 1e-4, 1e3)


def fig_curves(lr0=0.1, epochs=40):
    """lr per epoch: decays on the left, warmup/1cycle/plateau on the right."""
    c = curves(lr0, epochs)
    keys = list(c)
    fig, axes = plots.figure(ncols=2, width=3.7, height=3.0, sharey=True)
    t = np.arange(epochs)
    for ax, group, title in [(axes[0][0], keys[:4], "감소하는 스케줄"),
                             (axes[0][1], keys[4:], "워밍업, 1cycle, 성능 기반")]:
        for k, color in zip(group, plots.COLORS):
            ax.plot(t, c[k], color=color, label=k, drawstyle="steps-post" if "계단" in k or "성능" in k else None)
        ax.set_xlabel("에폭")
        ax.set_title(title)
        ax.legend(fontsize=7, loc="upper right")
    axes[0][0].set_ylabel("학습률")
    return fig


def fig_compare(results):
    """Training loss per epoch for each schedule, one panel per peak learning rate."""
    fig, axes = plots.figure(ncols=len(results), width=3.6, height=3.1, sharey=True)
    for ax, (lr0, runs) in zip(axes[0], results.items()):
        for (name, h), color in zip(runs.items(), plots.COLORS):
            loss, acc = final(h)
            label = f"{name}: 발산" if h.diverged else f"{name} ({acc:.1%})"
            y = _shown(h.train_loss)  # a finite line even for a run that blew up
            ax.plot(np.arange(1, len(y) + 1), y, color=color, label=label)
        plots.log_axis(ax)
        ax.set_xlabel("에폭")
        ax.set_title(f"최대 학습률 {lr0:g}")
        ax.legend(fontsize=7, title="스케줄 (테스트 정확도)", title_fontsize=7, loc="best")
    axes[0][0].set_ylabel("훈련 손실 (로그 눈금, 1000에서 자름)")
    return fig


def fig_adam_noise(steps=300, warmup=50):
    """Adam's step size on noise gradients, without and with linear warmup."""
    fig, axes = plots.figure(width=6.0, height=3.0)
    ax = axes[0, 0]
    t = np.arange(1, steps + 1)
    ax.plot(t, adam_noise_steps(steps), color=plots.COLORS[0], label="워밍업 없음")
    ax.plot(t, adam_noise_steps(steps, warmup=warmup), color=plots.COLORS[1],
            label=f"선형 워밍업 {warmup}스텝")
    ax.axhline(adam_noise_floor(), color="k", linestyle=":", linewidth=1,
               label=f"정상 상태 √(2/π)·√((1-β₁)/(1+β₁)) = {adam_noise_floor():.2f}")
    plots.log_axis(ax, "x")
    ax.set_xlabel("스텝 t (로그 눈금)")
    ax.set_ylabel("평균 |Δθ| / η")
    ax.set_title("기울기가 순수한 잡음일 때 Adam의 스텝 크기")
    ax.legend(fontsize=8)
    return fig


# ---------------------------------------------------------------- widget

def prepare(schedule="코사인", lr0=0.1, warmup=0):
    """The widget's data for one setting: its training run (cached by ``run``).

    A live widget calls this for its whole static grid when it is created (a few
    seconds; the notebook's own runs are reused), so that moving a control only draws.
    """
    return run(schedule, lr0, warmup)


@plots.reused
def _widget_figure():
    """The widget's two panels with labels, legend and empty lines, built once and reused.

    Making the axes and laying out their tick labels is about half of a frame's time, so
    every ``draw`` only puts new data into these lines: a figure returned by ``draw`` is
    valid until the next call.
    """
    from matplotlib.figure import Figure

    plots.setup()
    fig = Figure(figsize=(7.0, 2.9))
    ax1 = fig.add_axes([0.11, 0.17, 0.34, 0.68])
    ax2 = fig.add_axes([0.6, 0.17, 0.36, 0.68])
    ax1.plot([], [], color=plots.COLORS[0], marker="o", markersize=3)
    ax1.set_xlabel("에폭")
    ax1.set_ylabel("학습률")
    ax1.set_title("학습률 스케줄", fontsize=11)
    ax2.plot([], [], color=plots.COLORS[1], label="훈련 손실")
    ax2.plot([], [], color=plots.COLORS[2], label="테스트 손실")
    plots.log_axis(ax2)
    ax2.set_xlabel("에폭")
    ax2.legend(fontsize=8, loc="lower left")
    return fig


def draw(schedule="코사인", lr0=0.1, warmup=0):
    """The lr per epoch and the training/test curves it produces; divergence is said."""
    h = prepare(schedule, lr0, warmup)
    if h.diverged:
        return f"{h.message} ({schedule}, 최대 학습률 {lr0:g})"
    fig = _widget_figure()
    ax1, ax2 = fig.axes
    (lr_line,), (train_line, val_line) = ax1.lines, ax2.lines
    epochs = np.arange(1, len(h.lr) + 1)
    lr_line.set_data(epochs, h.lr)
    train_line.set_data(epochs, _shown(h.train_loss))
    val_line.set_data(epochs, _shown(h.val_loss))
    for ax in (ax1, ax2):
        ax.relim()
        ax.autoscale_view()
    ax1.set_ylim(0, 1.05 * max(h.lr))
    ax2.set_title(f"손실 (마지막 테스트 정확도 {h.val_acc[-1]:.1%})", fontsize=11)
    for text in [*ax2.texts]:  # the previous setting's note
        text.remove()
    if not np.all(_shown(h.train_loss) < 1e3):
        ax2.text(0.5, 0.5, "손실이 1000을 넘었습니다: 사실상 발산했습니다.\n학습률을 낮춰 보세요 "
                 "(그림은 1000에서 자름)", transform=ax2.transAxes, ha="center", va="center",
                 fontsize=8, color=plots.COLORS[3],
                 bbox=dict(facecolor="white", alpha=0.9, edgecolor=plots.COLORS[3]))
    note = f", 워밍업 {warmup}에폭" if warmup else ""
    fig.suptitle(f"{schedule}, 최대 학습률 {lr0:g}{note}", fontsize=11, y=0.99)
    return fig


WIDGETS = {
    "main": dict(
        draw=draw,
        prepare=prepare,
        controls={"schedule": ["고정", "계단", "코사인", "1cycle"], "lr0": [0.03, 0.1, 0.3],
                  "warmup": [0, 3]},
        labels={"schedule": "스케줄", "lr0": "최대 학습률", "warmup": "워밍업 (에폭)"},
        live={"schedule": NAMES, "lr0": [0.01, 0.03, 0.1, 0.2, 0.3, 0.5, 1.0],
              "warmup": [0, 1, 3, 5, 10]},
    ),
}
