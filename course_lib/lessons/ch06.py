"""Chapter 6 (기울기 폭주와 그래디언트 클리핑): experiments, figures and the widget.

* ``jacobian_growth``: ‖∂h_t/∂h_0‖ of a tanh RNN whose W_h has spectral radius ρ.
* ``cliff_loss`` / ``cliff_descent``: Pascanu et al.'s one-unit RNN x_t = w σ(x_{t-1}) + b,
  its loss surface over (w, b) and gradient descent on it, with and without clipping.
* ``train_rnn``: an RNN with a linear readout on the adding problem, trained by SGD with
  optional clipping by the global norm; divergence (nan/inf) is reported in Korean.
"""
import functools
from dataclasses import dataclass, field

import numpy as np

from course_lib import clip as _clip
from course_lib import data, plots
from course_lib.layers import Linear
from course_lib.losses import MSE
from course_lib.optim import SGD
from course_lib.rnn import RNN, jacobian_norms, set_spectral_radius
from course_lib.threads import one_blas_thread

C = plots.COLORS


# ---------------------------------------------------------------- 1. Jacobian products

def jacobian_growth(rho, T=30, hidden=32, input_scale=0.0, zero_bias=True, seed=0):
    """‖∂h_t/∂h_0‖₂ for t = 1..T of a tanh RNN (2 inputs) with W_h rescaled to spectral radius ρ.

    With ``input_scale=0`` and ``zero_bias`` every state stays at h = 0, where tanh' = 1, so
    ∂h_t/∂h_0 = (W_hᵀ)^t exactly: the linear regime. Larger inputs or a bias push the
    states into tanh's saturation, where diag(1 - h_t²) shrinks the product again.
    """
    rng = np.random.default_rng(seed)
    rnn = RNN(2, hidden, rng=rng)
    if zero_bias:
        rnn.params["b"][:] = 0.0
    set_spectral_radius(rnn, rho)
    x = input_scale * rng.standard_normal((T, 2))
    return jacobian_norms(rnn, x)


def fig_jacobians(rhos=(0.8, 1.0, 1.2, 1.5), T=30, seed=0):
    """Left: ‖∂h_t/∂h_0‖ in the linear regime for several ρ, with ρ^t dashed.
    Right: ρ = 1.5 in the linear regime vs with inputs and bias (saturation)."""
    fig, axes = plots.figure(ncols=2, width=4.6, height=3.4)
    ax = axes[0, 0]
    t = np.arange(1, T + 1)
    for color, rho in zip(C, rhos):
        ax.plot(t, jacobian_growth(rho, T, seed=seed), color=color, label=f"ρ = {rho:g}")
        ax.plot(t, float(rho) ** t, color=color, ls="--", lw=1)
    plots.log_axis(ax)
    ax.set_xlabel("시간 간격 t")
    ax.set_ylabel("야코비 곱의 노름 ‖J_t‖ (로그 척도)")
    ax.set_title("선형 영역 (입력 0, 편향 0), 점선: ρ의 t제곱")
    ax.legend(fontsize=9)
    ax = axes[0, 1]
    T2 = 2 * T
    t2 = np.arange(1, T2 + 1)
    settings = [("입력 0, 편향 0", dict(input_scale=0.0, zero_bias=True)),
                ("입력 표준편차 0.01, 편향 0", dict(input_scale=0.01, zero_bias=True)),
                ("입력 표준편차 1, 편향 있음", dict(input_scale=1.0, zero_bias=False))]
    for color, (label, kw) in zip(C, settings):
        ax.plot(t2, jacobian_growth(1.5, T2, seed=seed, **kw), color=color, label=label)
    plots.log_axis(ax)
    ax.set_xlabel("시간 간격 t")
    ax.set_title("ρ = 1.5: 포화되면 더 자라지 않는다")
    ax.legend(fontsize=9)
    return fig


# ---------------------------------------------------------------- 2. Pascanu's cliff

def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # = 1 / (1 + e^-z), without overflow warnings


def cliff_loss(w, b, T=50, x0=0.5, target=0.7):
    r"""Loss and gradient of the one-unit RNN x_t = w σ(x_{t-1}) + b (Pascanu et al. 2013).

    .. math::
        L(w, b) = (x_T - \text{target})^2,\qquad
        \frac{\partial x_t}{\partial w} = σ(x_{t-1}) + w σ'(x_{t-1}) \frac{\partial x_{t-1}}{\partial w},\qquad
        \frac{\partial x_t}{\partial b} = 1 + w σ'(x_{t-1}) \frac{\partial x_{t-1}}{\partial b}

    (forward-mode differentiation: for one output and two parameters it is the same chain
    rule as BPTT, just multiplied in the other order). ``w`` and ``b`` may be arrays of the
    same shape (a grid). Returns (L, ∂L/∂w, ∂L/∂b).
    """
    w, b = np.broadcast_arrays(np.asarray(w, dtype=float), np.asarray(b, dtype=float))
    x = np.full(w.shape, float(x0))
    dw, db = np.zeros(w.shape), np.zeros(w.shape)
    for _ in range(T):
        s = _sigmoid(x)
        ds = s * (1.0 - s)
        dw, db = s + w * ds * dw, 1.0 + w * ds * db
        x = w * s + b
    err = x - target
    return err ** 2, 2.0 * err * dw, 2.0 * err * db


def cliff_descent(start=(4.75, -3.5), lr=0.01, steps=100, clip=None, T=50):
    """Gradient descent on ``cliff_loss`` from ``start``; ``clip`` = threshold of the norm clip.

    Returns a dict: ``path`` (steps+1, 2), ``norms`` (‖∇L‖ before clipping, per step),
    ``losses`` (per point of the path).
    """
    p = np.array(start, dtype=float)
    path, norms, losses = [p.copy()], [], []
    for _ in range(steps):
        loss, gw, gb = cliff_loss(p[0], p[1], T=T)
        g = {"w": np.array(gw), "b": np.array(gb)}
        norms.append(_clip.clip_grad_norm(g, np.inf if clip is None else clip))
        losses.append(float(loss))
        p = p - lr * np.array([g["w"], g["b"]])
        path.append(p.copy())
    losses.append(float(cliff_loss(p[0], p[1], T=T)[0]))
    return {"path": np.array(path), "norms": np.array(norms), "losses": np.array(losses)}


def cliff_grid(w=(2.5, 7.5), b=(-4.5, 0.5), n=300, T=50):
    """(W, B, L, ‖∇L‖) on an n × n grid."""
    W, B = np.meshgrid(np.linspace(*w, n), np.linspace(*b, n))
    loss, gw, gb = cliff_loss(W, B, T=T)
    return W, B, loss, np.hypot(gw, gb)


def fig_cliff(start=(4.75, -3.5), lr=0.01, steps=100, clip=10.0):
    """Left: log loss over (w, b) with the paths of plain and clipped gradient descent.
    Right: the loss along both paths."""
    W, B, loss, _ = cliff_grid()
    plain = cliff_descent(start, lr, steps)
    clipped = cliff_descent(start, lr, steps, clip=clip)
    fig, axes = plots.figure(ncols=2, width=4.8, height=3.8)
    ax = axes[0, 0]
    cs = ax.contourf(W, B, np.log10(loss + 1e-4), levels=30, cmap="viridis")
    fig.colorbar(cs, ax=ax, label="log10 손실")
    ax.grid(False)
    for run, color, label in [(plain, C[3], "경사 하강법"), (clipped, "white", f"클리핑 (임계값 {clip:g})")]:
        path = run["path"]
        inside = (path[:, 0] <= W.max()) & (path[:, 1] <= B.max())
        ax.plot(path[inside, 0], path[inside, 1], ".-", color=color, ms=3, lw=1, label=label)
    k = int(np.argmax(np.linalg.norm(np.diff(plain["path"], axis=0), axis=1)))
    a, z = plain["path"][k], plain["path"][k + 1]
    ax.annotate(f"({z[0]:.0f}, {z[1]:.0f})로\n튕겨 나감", xy=a, xytext=(5.6, -0.6), color="white",
                fontsize=9, arrowprops=dict(arrowstyle="<-", color="white"))
    ax.plot(*start, "o", color="white", ms=5)
    ax.set_xlim(W.min(), W.max())
    ax.set_ylim(B.min(), B.max())
    ax.set_xlabel("w")
    ax.set_ylabel("b")
    ax.set_title("한 단위 RNN의 손실 지형 (T = 50)")
    ax.legend(fontsize=8, loc="lower left")
    ax = axes[0, 1]
    ax.plot(plain["losses"], color=C[3], label="경사 하강법")
    ax.plot(clipped["losses"], color=C[0], label=f"클리핑 (임계값 {clip:g})")
    plots.log_axis(ax)
    ax.set_xlabel("스텝")
    ax.set_ylabel("손실 (로그 척도)")
    ax.set_title("경로를 따라 잰 손실")
    ax.legend(fontsize=9)
    return fig


# ---------------------------------------------------------------- 3. norm vs value clipping

def fig_clip_geometry(g=(3.0, 1.0), threshold=1.0):
    """One 2-D gradient clipped by norm (direction kept) and by value (direction changed)."""
    g = np.array(g, dtype=float)
    by_norm = {"g": g.copy()}
    _clip.clip_grad_norm(by_norm, threshold)
    by_value = {"g": g.copy()}
    _clip.clip_grad_value(by_value, threshold)
    fig, axes = plots.figure(width=5.0, height=3.4)
    ax = axes[0, 0]
    circle = np.linspace(0, 2 * np.pi, 200)
    ax.plot(threshold * np.cos(circle), threshold * np.sin(circle), color=C[0], lw=1,
            label=f"노름 = {threshold:g}")
    ax.plot([-threshold, threshold, threshold, -threshold, -threshold],
            [-threshold, -threshold, threshold, threshold, -threshold], color=C[3], lw=1, ls="--",
            label=f"모든 원소 절댓값 {threshold:g} 이하")
    for vec, color, label in [(g, C[7], "원래 기울기 g"), (by_norm["g"], C[0], "노름 클리핑"),
                              (by_value["g"], C[3], "값 클리핑")]:
        ax.annotate("", xy=vec, xytext=(0, 0),
                    arrowprops=dict(arrowstyle="-|>", color=color, lw=2, shrinkA=0, shrinkB=0))
        ax.plot([], [], color=color, lw=2, label=f"{label} ({vec[0]:.2f}, {vec[1]:.2f})")
    ax.set_aspect("equal")
    ax.set_xlim(-1.3, g[0] + 0.3)
    ax.set_ylim(-1.3, max(g[1], 1.0) + 0.4)
    ax.set_xlabel(r"$g_1$")
    ax.set_ylabel(r"$g_2$")
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.02, 0.5))
    return fig


def angle_deg(u, v):
    """Angle between two vectors in degrees."""
    u, v = np.ravel(u), np.ravel(v)
    cos = u @ v / (np.linalg.norm(u) * np.linalg.norm(v))
    return float(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))))


# ---------------------------------------------------------------- 4. training an RNN

DIVERGED = "발산했습니다"


@dataclass
class RNNHistory:
    """Per step: ``loss`` and ``grad_norm`` (global norm before clipping); ``clipped`` counts
    the steps whose gradient was scaled down."""
    loss: list = field(default_factory=list)
    grad_norm: list = field(default_factory=list)
    clipped: int = 0
    diverged: bool = False
    diverged_at: int = None
    message: str = ""


class SequenceRegressor:
    """RNN → last hidden state → Linear: ŷ = h_T W_o + b_o. Flat ``params``/``grads`` dicts."""

    def __init__(self, input_size, hidden, rho, rng):
        self.rnn = RNN(input_size, hidden, rng=rng)
        self.rnn.params["b"][:] = 0.0  # no bias: the states start in tanh's linear regime
        set_spectral_radius(self.rnn, rho)
        self.head = Linear(hidden, 1, init="xavier_normal", rng=rng)
        self.params = {**{f"rnn.{k}": v for k, v in self.rnn.params.items()},
                       **{f"head.{k}": v for k, v in self.head.params.items()}}

    def forward(self, x):
        self.hs = self.rnn.forward(x)
        return self.head.forward(self.hs[:, -1])

    def backward(self, dout):
        dH = np.zeros_like(self.hs)
        dH[:, -1] = self.head.backward(dout)  # the loss only sees the last state
        self.rnn.backward(dH)
        self.grads = {**{f"rnn.{k}": v for k, v in self.rnn.grads.items()},
                      **{f"head.{k}": v for k, v in self.head.grads.items()}}
        return self.grads




@functools.lru_cache(maxsize=128)
@one_blas_thread
def train_rnn(rho=1.0, clip_norm=None, lr=0.3, steps=400, T=10, hidden=16, batch=32, n=1024, seed=0):
    """Train ``SequenceRegressor`` on the adding problem with SGD, optionally clipping the global
    gradient norm at ``clip_norm``. Never raises on divergence: a nan/inf loss or gradient
    stops training, and ``history.message`` says so in Korean. Cached (same arguments, same run).
    """
    if clip_norm is not None and not clip_norm > 0:
        raise ValueError(f"clip_norm={clip_norm!r}: 양수이거나 None(클리핑 없음)이어야 합니다")
    if not rho >= 0:
        raise ValueError(f"rho={rho!r}: 스펙트럼 반경은 0 이상이어야 합니다")
    x, y = data.adding_problem(n, T, seed=seed)
    rng = np.random.default_rng(seed)
    model = SequenceRegressor(2, hidden, rho, rng)
    loss, opt = MSE(), SGD(lr=lr)
    hist = RNNHistory()
    with np.errstate(all="ignore"):  # overflow is detected and reported below
        for step in range(steps):
            idx = rng.integers(0, n, size=batch)
            value = float(loss.forward(model.forward(x[idx]), y[idx]))
            grads = model.backward(loss.backward())
            norm = _clip.clip_grad_norm(grads, np.inf if clip_norm is None else clip_norm)
            hist.loss.append(value)
            hist.grad_norm.append(norm)
            if not (np.isfinite(value) and np.isfinite(norm)):
                hist.diverged, hist.diverged_at = True, step
                hist.message = (f"{DIVERGED}: {step + 1}번째 스텝에서 손실이나 기울기가 nan/inf가 "
                                "되었습니다. 클리핑 임계값을 정하거나 학습률을 낮춰 보세요.")
                break
            hist.clipped += int(clip_norm is not None and norm > clip_norm)
            opt.update(model.params, grads)
    return hist


def mean_predictor_loss(T=10, n=1024, seed=0):
    """MSE of always predicting the mean target: what a model that learned nothing scores (≈ 1/6)."""
    _, y = data.adding_problem(n, T, seed=seed)
    return float(np.var(y))


def smooth(values, k=10):
    """Moving average over k steps (for readable training curves)."""
    values = np.asarray(values, dtype=float)
    if len(values) < k:
        return values
    return np.convolve(values, np.ones(k) / k, mode="valid")


def _plot_history(ax_loss, ax_norm, hist, color, label, clip_norm=None):
    loss = np.asarray(hist.loss, dtype=float)
    norm = np.asarray(hist.grad_norm, dtype=float)
    ok = np.isfinite(loss) & np.isfinite(norm) & (loss < 1e200) & (norm < 1e200)  # log axes overflow near 1e308
    steps = np.arange(1, len(loss) + 1)
    ax_loss.plot(steps[ok], loss[ok], color=color, lw=1, label=label)
    ax_norm.plot(steps[ok], norm[ok], color=color, lw=1, label=label)
    if hist.diverged:
        for ax in (ax_loss, ax_norm):
            ax.axvline(hist.diverged_at + 1, color=C[3], ls=":", lw=1)
        ax_loss.text(0.97, 0.95, f"{DIVERGED} (스텝 {hist.diverged_at + 1})", color=C[3],
                     transform=ax_loss.transAxes, ha="right", va="top", fontsize=10)
    if clip_norm is not None:
        ax_norm.axhline(clip_norm, color=color, ls="--", lw=1)


def fig_training(runs, baseline=None, width=3.8, layout="constrained"):
    """Loss (left) and gradient norm before clipping (right) per step; ``runs`` = list of
    (label, history, clip_norm). ``width`` per panel and ``layout`` as in ``plots.figure``
    (the widget: narrower, "fixed")."""
    fig, axes = plots.figure(ncols=2, width=width, height=3.1, layout=layout)
    ax_loss, ax_norm = axes[0]
    for color, (label, hist, clip_norm) in zip([C[3], C[0], C[2], C[1]], runs):
        _plot_history(ax_loss, ax_norm, hist, color, label, clip_norm)
    if baseline is not None:
        ax_loss.axhline(baseline, color=C[7], ls=":", lw=1, label="평균만 예측")
    for ax, ylabel in [(ax_loss, "미니배치 손실 (MSE, 로그)"), (ax_norm, "클리핑 전 기울기 노름 (로그)")]:
        plots.log_axis(ax)
        ax.set_xlabel("스텝")
        ax.set_ylabel(ylabel)
        ax.set_ylim(top=min(ax.get_ylim()[1], 1e12))  # a diverging run would stretch the axis to 1e300
    ax_loss.legend(fontsize=8, loc="lower left")
    return fig


# ---------------------------------------------------------------- 5. choosing the threshold

def fig_norm_histogram(hist, quantiles=(0.5, 0.9)):
    """Histogram of log10 of the observed gradient norms, with the given quantiles marked."""
    norms = np.asarray(hist.grad_norm, dtype=float)
    norms = norms[np.isfinite(norms) & (norms > 0)]
    fig, axes = plots.figure(width=6.0, height=3.2)
    ax = axes[0, 0]
    ax.hist(np.log10(norms), bins=30, color=C[0])
    for color, q in zip([C[1], C[3]], quantiles):
        v = np.quantile(norms, q)
        ax.axvline(np.log10(v), color=color, ls="--", label=f"{int(q * 100)}번째 백분위수 = {v:.2g}")
    ax.set_xlabel("log10 ‖g‖ (클리핑 전 기울기 노름)")
    ax.set_ylabel("스텝 수")
    ax.legend(fontsize=9)
    return fig


# ---------------------------------------------------------------- widget

THRESHOLDS = {"없음": None, "10": 10.0, "1": 1.0, "0.1": 0.1}


def widget_run(threshold="없음", rho=1.0):
    """The training run of one widget setting (cached by ``train_rnn``): the widget's
    ``prepare``, so a live widget trains its static grid once, when it is created."""
    return train_rnn(rho=float(rho), clip_norm=THRESHOLDS[threshold])


@plots.reused
def _frame():
    """The widget's two panels, built once: ``draw_widget`` only updates the run's lines,
    the threshold and divergence marks, the texts and the limits (building axes and ticks
    costs more than drawing them). The same look as ``fig_training`` with one run."""
    fig, axes = plots.figure(ncols=2, width=3.3, height=3.1, layout="fixed")
    plots.fix_margins(fig, left=0.85, top=0.65, wspace=0.95)  # room for the suptitle
    ax_loss, ax_norm = axes[0]
    for ax in axes[0]:
        ax.plot([], [], color=C[3], lw=1, label="run")                # the run, per step
        ax.axvline(1, color=C[3], ls=":", lw=1, visible=False)        # where it diverged
    ax_norm.axhline(1, color=C[3], ls="--", lw=1, visible=False)      # the clipping threshold
    ax_loss.axhline(mean_predictor_loss(), color=C[7], ls=":", lw=1, label="평균만 예측")
    ax_loss.text(0.97, 0.95, "", color=C[3], transform=ax_loss.transAxes, ha="right", va="top",
                 fontsize=10)
    for ax, ylabel in [(ax_loss, "미니배치 손실 (MSE, 로그)"), (ax_norm, "클리핑 전 기울기 노름 (로그)")]:
        plots.log_axis(ax)
        ax.set_xlabel("스텝")
        ax.set_ylabel(ylabel)
    ax_loss.legend(fontsize=8, loc="lower left")
    ax_norm.set_title(" ", fontsize=10)
    fig.suptitle(" ", fontsize=11)
    return fig


def draw_widget(threshold="없음", rho=1.0):
    """Training curve and gradient-norm trace for one clipping threshold and one ρ (the
    one figure of ``_frame``, updated)."""
    clip_norm = THRESHOLDS[threshold]
    hist = widget_run(threshold, rho)
    label = "클리핑 없음" if clip_norm is None else f"임계값 {threshold}"
    fig = _frame()
    ax_loss, ax_norm = fig.axes
    loss = np.asarray(hist.loss, dtype=float)
    norm = np.asarray(hist.grad_norm, dtype=float)
    ok = np.isfinite(loss) & np.isfinite(norm) & (loss < 1e200) & (norm < 1e200)  # as _plot_history
    steps = np.arange(1, len(loss) + 1)
    for ax, values in [(ax_loss, loss), (ax_norm, norm)]:
        run_line, diverged_line = ax.lines[:2]
        run_line.set_data(steps[ok], values[ok])
        diverged_line.set_xdata([hist.diverged_at + 1] * 2 if hist.diverged else [1, 1])
        diverged_line.set_visible(hist.diverged)
    ax_loss.get_legend().get_texts()[0].set_text(label)
    ax_loss.texts[0].set_text(f"{DIVERGED} (스텝 {hist.diverged_at + 1})" if hist.diverged else "")
    threshold_line = ax_norm.lines[2]
    threshold_line.set_ydata([clip_norm or 1] * 2)
    threshold_line.set_visible(clip_norm is not None)
    for ax in (ax_loss, ax_norm):
        ax.set_autoscale_on(True)  # the last frame fixed the limits
        ax.relim(visible_only=True)
        ax.autoscale_view()
        ax.set_ylim(top=min(ax.get_ylim()[1], 1e12))  # a diverging run would stretch the axis to 1e300
    clipped = not hist.diverged and clip_norm is not None
    ax_norm.set_title(f"{len(hist.loss)}스텝 중 {hist.clipped}스텝에서 잘림" if clipped else "",
                      fontsize=10)
    fig.suptitle(f"ρ(W_h) = {rho:g}, {label}", fontsize=11)
    return fig


WIDGETS = {
    "main": dict(
        draw=draw_widget,
        prepare=widget_run,
        controls={"threshold": list(THRESHOLDS), "rho": [0.5, 1.0, 2.0]},
        labels={"threshold": "클리핑 임계값", "rho": "W_h의 스펙트럼 반경 ρ"},
        live={"rho": [0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0]},
    ),
}
