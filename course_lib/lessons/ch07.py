"""Chapter 7 (옵티마이저): how a gradient becomes an update, on 2-D surfaces and on digits.

Every trajectory here is made by the real optimizers of ``course_lib.optim`` (equal to
``torch.optim``): the point (x, y) is one parameter array and its gradient is exact.

Experiments (they return data):

* ``trajectory`` — an optimizer run on one of three ``SURFACES`` (an ill-conditioned
  quadratic valley, Rosenbrock's banana, a saddle), stopped and flagged when it diverges.
* ``gd_rates`` — the theory of gradient descent on a quadratic: stable learning rates and
  the best contraction factor (κ-1)/(κ+1), against heavy-ball momentum's (√κ-1)/(√κ+1).
* ``steps_to_converge`` / ``valley_race`` — SGD against momentum on the valley, each at
  its best learning rate from a grid.
* ``escape_steps`` — steps each optimizer needs to leave the saddle.
* ``adam_first_steps`` — Adam's first step is lr·sign(g) at every gradient scale; the
  factor by which steps would grow without bias correction.
* ``decay_demo`` — L2 inside Adam against decoupled weight decay (AdamW).
* ``digits_race`` — all nine optimizers training the same MLP on the digits.

Figures: ``fig_valley``, ``fig_surfaces``, ``fig_bias_correction``, ``fig_digits``;
widget ``WIDGETS``.
"""
import math
from dataclasses import dataclass

import numpy as np

from .. import data, optim, plots, train
from ..memo import cached
from ..network import MLP
from ..threads import one_blas_thread

STEPS = 150          # optimizer steps on the 2-D surfaces
ESCAPE = 50.0        # a point with |x| or |y| above this has diverged (the view is ~[-5, 5])
DIVERGED = "발산했습니다: 학습률을 낮춰 보세요"




# ---------------------------------------------------------------- 2-D surfaces

@dataclass(frozen=True)
class Surface:
    """A 2-D loss surface: value ``f(x, y)`` (vectorised), gradient, start, view, minima."""
    name: str
    formula: str      # LaTeX, for titles
    f: object
    grad: object
    start: tuple
    xlim: tuple
    ylim: tuple
    minima: tuple     # points to mark with a star
    f_min: float      # the lowest value (contours are drawn for f - f_min)
    steps: int        # optimizer steps shown on this surface


KAPPA = 50.0  # condition number of the valley: curvatures 1 and KAPPA


def _valley(x, y):
    return 0.5 * (x ** 2 + KAPPA * y ** 2)


def _valley_grad(p):
    return np.array([p[0], KAPPA * p[1]])


ROSEN_SCALE = 50.0  # Rosenbrock divided by 50: curvature ~20 at the minimum, like the valley


def _rosen(x, y):
    return ((1 - x) ** 2 + 100 * (y - x ** 2) ** 2) / ROSEN_SCALE


def _rosen_grad(p):
    x, y = p
    return np.array([-2 * (1 - x) - 400 * x * (y - x ** 2), 200 * (y - x ** 2)]) / ROSEN_SCALE


def _saddle(x, y):
    return x ** 2 + y ** 4 / 4 - y ** 2 / 2


def _saddle_grad(p):
    x, y = p
    return np.array([2 * x, y ** 3 - y])


SURFACES = {
    "골짜기": Surface("골짜기", r"$\frac{1}{2}(x^2 + 50y^2)$", _valley, _valley_grad,
                   (-4.5, 0.9), (-5.0, 5.0), (-1.5, 1.5), ((0.0, 0.0),), 0.0, 150),
    "로젠브록": Surface("로젠브록", r"$[(1-x)^2 + 100(y-x^2)^2]/50$", _rosen, _rosen_grad,
                    (-1.5, 2.0), (-2.0, 2.0), (-1.0, 3.0), ((1.0, 1.0),), 0.0, 500),
    "안장점": Surface("안장점", r"$x^2 + y^4/4 - y^2/2$", _saddle, _saddle_grad,
                   (2.2, 0.001), (-2.5, 2.5), (-1.8, 1.8), ((0.0, 1.0), (0.0, -1.0)), -0.25, 150),
}


def make_optimizer(name, lr, beta=0.9):
    """An optimizer of ``course_lib.optim`` by its Korean/English name in this chapter.

    ``beta`` is the momentum μ for 모멘텀/네스테로프 (0 gives plain SGD), β₁ for the Adam
    family (β₂ = 0.999), ignored by SGD, AdaGrad and RMSprop.
    """
    if name == "SGD" or (name in ("모멘텀", "네스테로프") and beta == 0):
        return optim.SGD(lr=lr)
    makers = {
        "모멘텀": lambda: optim.SGD(lr=lr, momentum=beta),
        "네스테로프": lambda: optim.SGD(lr=lr, momentum=beta, nesterov=True),
        "AdaGrad": lambda: optim.AdaGrad(lr=lr),
        "RMSprop": lambda: optim.RMSprop(lr=lr),
        "Adam": lambda: optim.Adam(lr=lr, betas=(beta, 0.999)),
        "AdaMax": lambda: optim.AdaMax(lr=lr, betas=(beta, 0.999)),
        "Nadam": lambda: optim.Nadam(lr=lr, betas=(beta, 0.999)),
    }
    if name not in makers:
        raise ValueError(f"알 수 없는 옵티마이저 {name!r}. 가능한 값: SGD, {', '.join(makers)}")
    return makers[name]()


@dataclass
class Trajectory:
    path: np.ndarray     # (steps + 1, 2) points visited, start first (finite only)
    values: np.ndarray   # f at each point
    diverged: bool
    diverged_at: int = None  # step at which it left the box |x|, |y| <= ESCAPE


def trajectory(surface, optimizer, steps=None):
    """Run ``optimizer`` from the surface's start for ``steps`` exact-gradient steps.

    The point is the one parameter ``{"xy": array([x, y])}``; ``steps`` defaults to the
    surface's own. A run that leaves the box |x|, |y| <= ESCAPE (or produces nan/inf)
    stops there with ``diverged=True``; the path holds only the finite points before it.
    """
    surface = SURFACES[surface] if isinstance(surface, str) else surface
    steps = surface.steps if steps is None else steps
    params = {"xy": np.array(surface.start, dtype=float)}
    path = [params["xy"].copy()]
    diverged, at = False, None
    with np.errstate(all="ignore"):
        for t in range(steps):
            optimizer.update(params, {"xy": surface.grad(params["xy"])})
            p = params["xy"]
            if not np.abs(p).max() <= ESCAPE:  # also true for nan (nan <= x is False)
                diverged, at = True, t + 1
                break
            path.append(p.copy())
    path = np.array(path)
    return Trajectory(path, surface.f(path[:, 0], path[:, 1]), diverged, at)


def run(surface, name, lr, beta=0.9, steps=None):
    """``trajectory`` of the optimizer ``make_optimizer(name, lr, beta)``."""
    return trajectory(surface, make_optimizer(name, lr, beta), steps)


# ---------------------------------------------------------------- valley: SGD vs momentum

def gd_rates(kappa=KAPPA):
    """Theory for f = ½(λ₁x² + λ₂y²) with λ₁ = 1, λ₂ = κ (see the chapter's derivation).

    GD: each coordinate is multiplied by (1 - ηλ) per step, stable iff η < 2/λ_max; the
    best η = 2/(λ_min + λ_max) gives the factor (κ-1)/(κ+1). Heavy-ball momentum μ is
    stable iff 0 < ηλ < 2(1 + μ); with the best η = 4/(1+√κ)², μ = ((√κ-1)/(√κ+1))² its
    factor is (√κ-1)/(√κ+1) (Polyak 1964). ``*_steps``: steps to shrink the distance to
    the minimum 1000-fold (f a million-fold) at that factor.
    """
    r = math.sqrt(kappa)
    sgd_rate, mom_rate = (kappa - 1) / (kappa + 1), (r - 1) / (r + 1)
    return {"sgd_max_lr": 2 / kappa, "sgd_best_lr": 2 / (1 + kappa), "sgd_rate": sgd_rate,
            "sgd_steps": math.log(1e-3) / math.log(sgd_rate),
            "momentum_best_lr": 4 / (1 + r) ** 2, "momentum_best_mu": mom_rate ** 2,
            "momentum_rate": mom_rate, "momentum_steps": math.log(1e-3) / math.log(mom_rate)}


def steps_to_converge(name, lr, beta=0.9, tol=1e-6, max_steps=600):
    """Steps after which the valley's f stays below tol·f(start) (max_steps+1 if never)."""
    traj = run("골짜기", name, lr, beta, steps=max_steps)
    if traj.diverged:
        return max_steps + 1
    above = np.flatnonzero(traj.values > tol * traj.values[0])
    last = int(above[-1]) + 1 if len(above) else 0
    return last if last < len(traj.values) else max_steps + 1


LR_GRID = (0.005, 0.0075, 0.01, 0.015, 0.02, 0.025, 0.03, 0.035, 0.04, 0.05, 0.06, 0.07)
MU_GRID = (0.3, 0.5, 0.7, 0.9)


def valley_race(tol=1e-6):
    """Best setting on the grids (LR_GRID × MU_GRID) and its step count, SGD vs momentum."""
    best = {"SGD": (10 ** 9, None, 0.0), "모멘텀": (10 ** 9, None, None)}
    for lr in LR_GRID:
        best["SGD"] = min(best["SGD"], (steps_to_converge("SGD", lr, 0.0, tol), float(lr), 0.0))
        for mu in MU_GRID:
            best["모멘텀"] = min(best["모멘텀"], (steps_to_converge("모멘텀", lr, mu, tol), float(lr), mu))
    return {k: {"steps": v[0], "lr": v[1], "beta": v[2]} for k, v in best.items()}


# ---------------------------------------------------------------- the other surfaces

def escape_steps(name, lr, beta=0.9, y_escape=0.5, steps=600):
    """Steps until the saddle run reaches |y| >= y_escape (steps+1 if it never does)."""
    traj = run("안장점", name, lr, beta, steps=steps)
    hit = np.flatnonzero(np.abs(traj.path[:, 1]) >= y_escape)
    return int(hit[0]) if len(hit) else steps + 1


COMPARE = {  # optimizer -> (learning rate, beta) of the side-by-side figure
    "SGD": (0.03, 0.0), "모멘텀": (0.03, 0.9), "AdaGrad": (0.3, 0.0),
    "RMSprop": (0.01, 0.0), "Adam": (0.1, 0.9),
}


def compare_all():
    """{surface: {optimizer: Trajectory}} for the optimizers and rates of ``COMPARE``."""
    return {s: {n: run(s, n, lr, b) for n, (lr, b) in COMPARE.items()} for s in SURFACES}


# ---------------------------------------------------------------- Adam's bias correction

def adam_first_steps(scales=(1e-6, 1e-3, 1.0, 1e3, 1e6), lr=1e-3, seed=0):
    """First Adam update of a parameter vector, for gradients of very different sizes.

    Returns {scale: |Δθ| / lr} per element: ≈ 1 for every element at every scale, because
    m̂₁ = g₁ and v̂₁ = g₁², so Δθ = -lr·g/(|g| + ε).
    """
    rng = np.random.default_rng(seed)
    out = {}
    for s in scales:
        g = s * rng.standard_normal(8)
        params = {"w": np.zeros(8)}
        optim.Adam(lr=lr).update(params, {"w": g})
        out[s] = np.abs(params["w"]) / lr
    return out


def bias_factor(t, beta1=0.9, beta2=0.999):
    """How much larger Adam's step is WITHOUT bias correction: (1 - β₁ᵗ)/√(1 - β₂ᵗ)."""
    t = np.asarray(t, dtype=float)
    return (1 - beta1 ** t) / np.sqrt(1 - beta2 ** t)


# ---------------------------------------------------------------- L2 in Adam vs AdamW

def decay_demo(lr=1e-2, weight_decay=1e-2, steps=100, noise=10.0, seed=0):
    """How much weight decay shrinks two weights that start at 1, in Adam and in AdamW.

    ``"조용한"`` gets no loss gradient; ``"시끄러운"`` a noisy one (mean 0, std ``noise``).
    Each optimizer runs twice on the same gradients, with ``weight_decay`` and with 0; the
    shrink is (value without decay) - (value with decay): what the decay did.
    "Adam + L2" is Adam with the decay added to the gradient (``Adam(weight_decay=λ)``,
    like torch.optim.Adam), "AdamW" the decoupled form. ``decoupled`` = 1 - (1 - ηλ)^steps,
    the shrink of decoupled decay alone.
    """
    rng = np.random.default_rng(seed)
    noise_g = noise * rng.standard_normal(steps)

    def final(cls, wd):
        opt = cls(lr=lr, weight_decay=wd)
        params = {"w": np.ones(2)}
        for t in range(steps):
            opt.update(params, {"w": np.array([0.0, noise_g[t]])})
        return params["w"]

    out = {}
    for label, cls in [("Adam + L2", optim.Adam), ("AdamW", optim.AdamW)]:
        shrink = final(cls, 0.0) - final(cls, weight_decay)
        out[label] = {"조용한": float(shrink[0]), "시끄러운": float(shrink[1])}
    out["decoupled"] = 1 - (1 - lr * weight_decay) ** steps
    return out


# ---------------------------------------------------------------- digits

DIGITS_LR = {  # learning rates of the digits race (see the chapter for why these)
    "SGD": 0.1, "모멘텀": 0.01, "네스테로프": 0.01, "AdaGrad": 0.01, "RMSprop": 1e-3,
    "Adam": 1e-3, "AdamW": 1e-3, "AdaMax": 2e-3, "Nadam": 2e-3,
}
DIGITS_KEYS = {"SGD": "sgd", "모멘텀": "momentum", "네스테로프": "nesterov", "AdaGrad": "adagrad",
               "RMSprop": "rmsprop", "Adam": "adam", "AdamW": "adamw", "AdaMax": "adamax",
               "Nadam": "nadam"}
SIZES = [64, 64, 64, 10]
EPOCHS = 10


@one_blas_thread
def digits_race(lrs=None, epochs=EPOCHS, seed=0):
    """Train the same MLP (same initial weights, same batches) with each optimizer.

    ``lrs`` maps a chapter name ("Adam", or "Adam@0.003" for another rate) to a learning
    rate; default ``DIGITS_LR``. Returns {name: History}.
    """
    lrs = DIGITS_LR if lrs is None else lrs
    split = data.load_digits(seed=0)
    out = {}
    for label, lr in lrs.items():
        name = label.split("@")[0]
        model = MLP(SIZES, "relu", rng=seed)
        opt = optim.get(DIGITS_KEYS[name], lr=lr)
        out[label] = train.fit(model, split.X_train, split.y_train, optimizer=opt,
                               epochs=epochs, batch_size=32, rng=np.random.default_rng(seed),
                               X_val=split.X_test, y_val=split.y_test, record_grad_norms=False)
    return out


# ---------------------------------------------------------------- figures

_LINES = {}


def _contour_lines(surface):
    """Contour lines of f - f_min at 14 log-spaced levels, computed once per surface."""
    if surface.name not in _LINES:
        import contourpy

        X, Y = np.meshgrid(np.linspace(*surface.xlim, 160), np.linspace(*surface.ylim, 160))
        Z = surface.f(X, Y) - surface.f_min
        top = np.percentile(Z, 95)
        gen = contourpy.contour_generator(X, Y, Z)
        _LINES[surface.name] = [line for level in np.geomspace(max(top * 1e-4, 1e-4), top, 14)
                                for line in gen.lines(level)]
    return _LINES[surface.name]


def _contours(ax, surface, ticks=True):
    """Contour lines of the surface (not antialiased: a widget frame stays ~30 KB), minima
    as stars, the surface's view."""
    from matplotlib.collections import LineCollection

    ax.add_collection(LineCollection(_contour_lines(surface), colors="0.65", linewidths=0.8,
                                     antialiaseds=False))
    ax.scatter(*np.transpose(surface.minima), marker="*", color="k", s=100, zorder=3)
    ax.set_xlim(surface.xlim)
    ax.set_ylim(surface.ylim)
    ax.grid(False)
    if ticks:
        ax.set_xlabel("x")
        ax.set_ylabel("y")
    else:  # tick labels cost more than half of a widget frame's drawing time
        ax.set_xticks([])
        ax.set_yticks([])


def _draw_path(ax, traj, color, label=None):
    ax.plot(traj.path[:, 0], traj.path[:, 1], color=color, linewidth=1.4, marker="o",
            markersize=2.0, label=label)
    ax.plot(*traj.path[0], marker="s", color=color, markersize=5, linestyle="none")


def _result_text(traj, surface):
    if traj.diverged:
        return f"발산했습니다 ({traj.diverged_at}번째 스텝)"
    gap = max(traj.values[-1] - surface.f_min, 0.0)
    return f"{len(traj.path) - 1}스텝 뒤 f - f* = {gap:.1e}".replace("e-0", "e-")


def fig_valley(race):
    """SGD and momentum on the valley at the best settings of ``valley_race``, and f per step."""
    s = SURFACES["골짜기"]
    sgd, mom = race["SGD"], race["모멘텀"]
    runs = {f"SGD (η={sgd['lr']:g})": run(s, "SGD", sgd["lr"], 0.0),
            f"모멘텀 (η={mom['lr']:g}, μ={mom['beta']:g})": run(s, "모멘텀", mom["lr"], mom["beta"])}
    fig, axes = plots.figure(ncols=2, width=3.6, height=3.0)
    ax, ax2 = axes[0]
    _contours(ax, s)
    for (label, traj), c in zip(runs.items(), plots.COLORS):
        _draw_path(ax, traj, c, label)
        ax2.plot(np.arange(len(traj.values)), np.maximum(traj.values, 1e-12), color=c, label=label)
    ax.set_title("골짜기 (κ = 50)")
    ax.legend(loc="upper right", fontsize=7)
    plots.log_axis(ax2)
    ax2.set_ylim(1e-12, None)
    ax2.axhline(1e-6 * runs[next(iter(runs))].values[0], color="k", linewidth=0.8, linestyle=":")
    ax2.set_xlabel("스텝")
    ax2.set_ylabel("f(x, y) (로그 눈금)")
    ax2.set_title("손실 (점선: 처음의 100만분의 1)")
    ax2.legend(fontsize=7)
    return fig


def fig_surfaces(runs=None):
    """The optimizers of ``COMPARE`` on the three surfaces, one panel per surface."""
    runs = compare_all() if runs is None else runs
    fig, axes = plots.figure(ncols=3, width=3.3, height=3.2)
    for ax, (sname, by_opt) in zip(axes[0], runs.items()):
        s = SURFACES[sname]
        _contours(ax, s)
        for (name, traj), c in zip(by_opt.items(), plots.COLORS):
            lr, b = COMPARE[name]
            _draw_path(ax, traj, c, f"{name} ({lr:g})")
        ax.set_title(f"{sname} ({s.steps}스텝)")
    axes[0][0].legend(loc="lower left", fontsize=7)
    return fig


def fig_bias_correction(t_max=10000):
    """(1 - β₁ᵗ)/√(1 - β₂ᵗ): the factor Adam's steps would be off by without correction."""
    t = np.unique(np.round(np.geomspace(1, t_max, 300)).astype(int))
    fig, axes = plots.figure(width=6.0, height=3.0)
    ax = axes[0, 0]
    for (b2, c) in zip((0.999, 0.99), plots.COLORS):
        ax.plot(t, bias_factor(t, 0.9, b2), color=c, label=f"β₁=0.9, β₂={b2}")
    ax.axhline(1.0, color="k", linewidth=0.8, linestyle="--")
    plots.log_axis(ax, "x")
    ax.set_xlabel("스텝 t (로그 눈금)")
    ax.set_ylabel("보정 없는 스텝 / 보정한 스텝")
    ax.set_title("편향 보정을 빼면 초기 스텝이 몇 배가 되나")
    ax.legend()
    return fig


def fig_digits(histories):
    """Training loss per epoch: the SGD family on the left, the adaptive ones on the right."""
    left = [k for k in histories if k.split("@")[0] in ("SGD", "모멘텀", "네스테로프", "AdaGrad")]
    right = [k for k in histories if k not in left]
    fig, axes = plots.figure(ncols=2, width=3.6, height=3.2, sharey=True)
    for ax, keys, title in [(axes[0][0], left, "SGD 계열과 AdaGrad"),
                            (axes[0][1], right, "RMSprop과 Adam 계열")]:
        for k, c in zip(keys, plots.COLORS):
            h = histories[k]
            name = k.split("@")[0]
            lr = float(k.split("@")[1]) if "@" in k else DIGITS_LR[name]
            ax.plot(np.arange(1, len(h.train_loss) + 1), h.train_loss, color=c, marker="o",
                    markersize=3, label=f"{name} ({lr:g})")
        if "SGD" in histories and "SGD" not in keys:
            h = histories["SGD"]
            ax.plot(np.arange(1, len(h.train_loss) + 1), h.train_loss, color="k", linestyle="--",
                    linewidth=1, label="SGD (0.1)")
        plots.log_axis(ax)
        ax.set_xlabel("에폭")
        ax.set_title(title)
        ax.legend(fontsize=7, loc="upper right")
    axes[0][0].set_ylabel("훈련 손실 (로그 눈금)")
    return fig


# ---------------------------------------------------------------- widget

BETA_NAME = {"모멘텀": "μ", "네스테로프": "μ", "Adam": "β₁", "AdaMax": "β₁", "Nadam": "β₁"}


@cached
def prepare(optimizer="모멘텀", lr=0.03, beta=0.9):
    """The widget's data for one setting: a trajectory per surface, cached.

    A live widget calls this for its whole static grid when it is created (under 1 s), so
    that moving a control only draws. Treat the trajectories as read-only.
    """
    return tuple(run(s, optimizer, lr, beta) for s in SURFACES.values())


@plots.reused
def _widget_figure():
    """The widget's three panels (contours, minima, titles), built once and reused.

    Making three axes and their contours is about a third of a frame's time, so every
    ``draw`` reuses this figure, with the previous setting's paths and notes removed:
    a figure returned by ``draw`` is valid until the next call.
    """
    from matplotlib.figure import Figure

    plots.setup()
    fig = Figure(figsize=(7.2, 2.6))
    for k, s in enumerate(SURFACES.values()):
        ax = fig.add_axes([0.01 + 0.33 * k, 0.02, 0.31, 0.78])
        _contours(ax, s, ticks=False)
        ax.set_title(s.name, fontsize=11)
    return fig


def draw(optimizer="모멘텀", lr=0.03, beta=0.9):
    """The chosen optimizer on all three surfaces; divergence is said, never plotted as inf."""
    fig = _widget_figure()
    for ax, s, traj in zip(fig.axes, SURFACES.values(), prepare(optimizer, lr, beta)):
        for artist in [*ax.lines, *ax.texts]:  # the previous setting's path and notes
            artist.remove()
        _draw_path(ax, traj, plots.COLORS[3] if traj.diverged else plots.COLORS[0])
        ax.text(0.03, 0.03, _result_text(traj, s), transform=ax.transAxes, fontsize=8,
                color=plots.COLORS[3] if traj.diverged else "k",
                bbox=dict(facecolor="white", alpha=0.8, edgecolor="none"))
        if traj.diverged:
            ax.text(0.5, 0.55, DIVERGED.replace(": ", ":\n"), transform=ax.transAxes,
                    ha="center", va="center", fontsize=10, color=plots.COLORS[3],
                    bbox=dict(facecolor="white", alpha=0.9, edgecolor=plots.COLORS[3]))
    if optimizer in BETA_NAME:
        note = f", {BETA_NAME[optimizer]}={beta:g}"
        if optimizer in ("모멘텀", "네스테로프") and beta == 0:
            note += " (보통의 SGD)"
    else:
        note = f" (μ/β₁={beta:g}은 쓰지 않습니다: 같은 궤적)"
    fig.suptitle(f"{optimizer}, 학습률 {lr:g}{note}", fontsize=11, y=0.99)
    return fig


WIDGETS = {
    "main": dict(
        draw=draw,
        prepare=prepare,
        controls={"optimizer": ["모멘텀", "AdaGrad", "Adam"],
                  "lr": [0.01, 0.03, 0.1], "beta": [0.0, 0.9, 0.99]},
        labels={"optimizer": "옵티마이저", "lr": "학습률 η", "beta": "모멘텀 μ / β₁"},
        live={"optimizer": ["SGD", "모멘텀", "네스테로프", "AdaGrad", "RMSprop", "Adam", "AdaMax",
                            "Nadam"],
              "lr": [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0],
              "beta": [0.0, 0.5, 0.8, 0.9, 0.95, 0.99]},
    ),
}
