"""Chapter 2 (활성화 함수): experiments, figures and the widget of the chapter.

Experiments return data; ``plot_*`` functions turn that data into figures.

* ``squeeze``          — sigmoid and tanh squeeze [1, 3, 5, 7, 9] toward 1 (saturation).
* ``curves``           — f(x) and f'(x) of any activation of ``course_lib.activations``.
* ``dying_relu``       — a too-large learning rate kills ReLU units; LeakyReLU keeps learning.
* ``rrelu_demo``       — RReLU: a random slope in training, the mean slope in eval mode.
* ``prelu_slopes``     — the slope a PReLU layer learns.
* ``selu_constants``   — α and λ of SELU from the two fixed-point equations (closed form).
* ``variance_map``     — q_{l+1} = c·E_{z~N(0,q_l)}[f(z)²]: the variance of the signal, layer to layer.
* ``depth_stats``      — mean and std of every layer's activations in a deep MLP at initialisation.
"""
import math

import numpy as np
from matplotlib import ticker

from .. import activations as act
from .. import data, diagnostics, network, optim, plots, train
from ..memo import cached
from course_lib.threads import one_blas_thread

# Display name (what the widget shows) -> engine name (activations.make)
ACTIVATIONS = {"sigmoid": "sigmoid", "tanh": "tanh", "ReLU": "relu", "LeakyReLU": "leaky_relu",
               "PReLU": "prelu", "RReLU": "rrelu", "ELU": "elu", "SELU": "selu", "GELU": "gelu",
               "Swish": "swish"}
# Display name -> Linear's init argument; c = n_in·Var(W) is the gain of the variance map
INITS = {"LeCun": "lecun_normal", "He": "he_normal", "N(0, 0.01²)": 0.01, "N(0, 1)": 1.0}
_GAIN = {"lecun_normal": 1.0, "he_normal": 2.0}


def _engine_name(name):
    """Accept both the display name ("ReLU") and the engine name ("relu")."""
    name = ACTIVATIONS.get(name, name)
    if name not in act.NAMES:
        raise ValueError(f"알 수 없는 활성화 함수 {name!r}. 가능한 이름: {', '.join(ACTIVATIONS)}")
    return name


def label(name):
    """The display name of an activation ("relu" -> "ReLU")."""
    for shown, engine in ACTIVATIONS.items():
        if engine == name or shown == name:
            return shown
    return name


# ---------------------------------------------------------------- saturation

def squeeze(x=(1, 3, 5, 7, 9)):
    """Outputs and slopes of sigmoid and tanh at the points ``x`` (the example of 004_*.txt).

    The gaps between neighbouring outputs shrink although the inputs are evenly spaced:
    the curve squeezes a wide input range into (0, 1) or (-1, 1).
    """
    x = np.asarray(x, dtype=float)
    out = {"x": x}
    for name in ("sigmoid", "tanh"):
        out[name] = act.value(name, x)
        out["d" + name] = act.derivative(name, x)
        out[name + "_gaps"] = np.diff(out[name])
    return out


def curves(names, x=None):
    """{name: (f(x), f'(x))} on the grid ``x`` (default: 801 points on [-5, 5], eval mode)."""
    x = np.linspace(-5, 5, 801) if x is None else np.asarray(x, dtype=float)
    return {label(n): (act.value(_engine_name(n), x), act.derivative(_engine_name(n), x))
            for n in names}


def plot_curves(names, x=None, xlim=(-5, 5), title=None):
    """Two panels: f(x) and f'(x) of each activation in ``names``."""
    x = np.linspace(xlim[0], xlim[1], 801) if x is None else x
    data_ = curves(names, x)
    fig, axes = plots.figure(ncols=2, width=3.6, height=3.0)
    styles = ["-", "--", "-.", ":"]
    for i, (name, (f, df)) in enumerate(data_.items()):
        style = dict(color=plots.COLORS[i % len(plots.COLORS)], ls=styles[i % len(styles)], lw=2)
        axes[0, 0].plot(x, f, label=name, **style)
        axes[0, 1].plot(x, df, label=name, **style)
    axes[0, 0].set_title("함수 f(x)")
    axes[0, 1].set_title("도함수 f'(x)")
    for ax in axes[0]:
        ax.set_xlabel("입력 x")
        ax.axhline(0, color="0.5", lw=0.8)
        ax.axvline(0, color="0.5", lw=0.8)
    axes[0, 0].legend()
    if title:
        fig.suptitle(title)
    return fig


def plot_squeeze(result=None):
    """The sigmoid curve with the points [1, 3, 5, 7, 9] and where they land on the y axis."""
    result = squeeze() if result is None else result
    x = np.linspace(-2, 10, 400)
    fig, axes = plots.figure(ncols=2, width=3.6, height=3.0)
    ax = axes[0, 0]
    ax.plot(x, act.value("sigmoid", x), color=plots.COLORS[0], lw=2, label="σ(x)")
    for xi, yi in zip(result["x"], result["sigmoid"]):
        ax.plot([xi, xi], [0, yi], color="0.6", lw=0.8)
        ax.plot([-2, xi], [yi, yi], color="0.6", lw=0.8)
        ax.plot(xi, yi, "o", color=plots.COLORS[3])
    ax.set_xlabel("입력 x")
    ax.set_ylabel("출력 σ(x)")
    ax.set_title("고르게 놓인 입력이 1 근처로 몰린다")
    ax.set_xlim(-2, 10)
    ax.set_ylim(0, 1.05)
    ax = axes[0, 1]
    ax.plot(result["x"], result["dsigmoid"], "o-", color=plots.COLORS[0], label="σ'(x)")
    ax.plot(result["x"], result["dtanh"], "s--", color=plots.COLORS[1], label="tanh'(x)")
    plots.log_axis(ax)
    ax.set_xlabel("입력 x")
    ax.set_ylabel("기울기 (로그 눈금)")
    ax.set_title("같은 점에서의 도함수")
    ax.legend()
    return fig


# ---------------------------------------------------------------- dying ReLU

def inactive_fraction(model, X):
    """Per activation layer: the fraction of units whose input (pre-activation) is <= 0 for
    every example of ``X``. For ReLU these units output 0 for all of X: they are dead."""
    out = []
    h = X
    with np.errstate(all="ignore"):
        for layer in model.layers:
            if diagnostics.is_activation(layer):
                out.append(float(np.mean(np.all(h <= 0, axis=0))))
            h = layer.forward(h, train=False)
    return np.array(out)


def inactive_unit_grads(model, X, y):
    """Largest |∂L/∂W| over the incoming weights of the inactive units, per hidden layer
    (nan for a layer without inactive units). For ReLU this is exactly 0."""
    pre, h = [], X
    for layer in model.layers:
        if diagnostics.is_activation(layer):
            pre.append(np.all(h <= 0, axis=0))
        h = layer.forward(h, train=False)
    diagnostics.gradient_norms(model, X, y)  # forward + backward: fills model.grads
    keys = [f"{i}.W" for i in model.linear_layers()][:len(pre)]
    grads = model.grads
    return np.array([float(np.max(np.abs(grads[k][:, dead]))) if dead.any() else float("nan")
                     for k, dead in zip(keys, pre)])


@one_blas_thread
def dying_relu(activation="relu", seed=0, lr_spike=0.1, lr_after=0.001, epochs_spike=1,
               epochs_after=3, sizes=(64, 100, 100, 100, 10)):
    """Train on the digits with Adam: first ``epochs_spike`` epochs at a too-large learning
    rate ``lr_spike``, then ``epochs_after`` epochs at a sensible ``lr_after``.

    Returns a dict with the inactive fraction per hidden layer at initialisation, after the
    spike and at the end, and the test accuracy after the spike and at the end.
    """
    d = data.load_digits(seed=0)
    model = network.MLP(list(sizes), activation=_engine_name(activation), init="he_normal", rng=seed)
    result = {"activation": label(activation), "inactive_init": inactive_fraction(model, d.X_train)}
    opt = optim.Adam(lr=lr_spike)
    for phase, (lr, epochs) in {"spike": (lr_spike, epochs_spike), "end": (lr_after, epochs_after)}.items():
        opt.lr = lr
        hist = train.fit(model, d.X_train, d.y_train, optimizer=opt, epochs=epochs, batch_size=32,
                         rng=np.random.default_rng(seed), X_val=d.X_test, y_val=d.y_test,
                         record_grad_norms=False)
        result["diverged"] = hist.diverged
        result[f"inactive_{phase}"] = inactive_fraction(model, d.X_train)
        result[f"acc_{phase}"] = hist.final_val_acc
    result["grads"] = inactive_unit_grads(model, d.X_train, d.y_train)
    return result


def dying_report(results):
    """The numbers of ``dying_relu`` runs as a short text table."""
    def row(values, fmt="5.2f"):
        return " ".join(f"{'-':>5}" if not np.isfinite(v) else f"{v:{fmt}}" for v in values)
    lines = ["                    1~3층 꺼진 유닛 비율          테스트 정확도"]
    for r in results:
        lines.append(f"{r['activation']:<10} 초기화   {row(r['inactive_init'])}")
        lines.append(f"{'':<10} 큰 학습률 {row(r['inactive_spike'])}    {r['acc_spike']:.3f}")
        lines.append(f"{'':<10} 회복 뒤   {row(r['inactive_end'])}    {r['acc_end']:.3f}")
        lines.append(f"{'':<10} 꺼진 유닛으로 들어오는 가중치의 |기울기| 최댓값: {row(r['grads'], '.2g')}")
    return "\n".join(lines)


def plot_dying(results):
    """Per hidden layer, the fraction of inactive units after the spike; test accuracy."""
    fig, axes = plots.figure(ncols=2, width=3.6, height=3.0)
    ax = axes[0, 0]
    n = len(results)
    width = 0.8 / n
    for i, r in enumerate(results):
        layers = np.arange(1, len(r["inactive_end"]) + 1)
        ax.bar(layers + (i - (n - 1) / 2) * width, 100 * r["inactive_end"], width=width,
               color=plots.COLORS[i], label=r["activation"])
    ax.set_xticks(layers)
    ax.set_xlabel("은닉층")
    ax.set_ylabel("모든 입력에 대해 음수인 유닛 (%)")
    ax.set_title("학습 뒤 '꺼진' 유닛의 비율")
    ax.set_ylim(0, 100)
    ax.legend()
    ax = axes[0, 1]
    for i, r in enumerate(results):
        ax.plot([0, 1], [100 * r["acc_spike"], 100 * r["acc_end"]], "o-", color=plots.COLORS[i],
                label=r["activation"], lw=2)
    ax.set_xticks([0, 1], ["큰 학습률 직후", "작은 학습률로 회복 뒤"])
    ax.set_xlim(-0.3, 1.3)
    ax.set_ylim(0, 100)
    ax.set_ylabel("테스트 정확도 (%)")
    ax.set_title("다시 학습할 수 있는가")
    ax.legend()
    return fig


# ---------------------------------------------------------------- RReLU and PReLU

def rrelu_demo(seed=0, n=200):
    """RReLU on n points of [-3, 3]: two training passes (different random slopes) and eval."""
    x = np.linspace(-3, 3, n)
    layer = act.RReLU(rng=seed)
    return {"x": x, "train1": layer.forward(x, train=True), "train2": layer.forward(x, train=True),
            "eval": layer.forward(x, train=False), "lower": layer.lower, "upper": layer.upper}


def plot_rrelu(demo=None):
    demo = rrelu_demo() if demo is None else demo
    x = demo["x"]
    fig, axes = plots.figure(width=5.6, height=3.0)
    ax = axes[0, 0]
    ax.plot(x, demo["train1"], ".", ms=4, color=plots.COLORS[0], label="훈련 1회차")
    ax.plot(x, demo["train2"], "x", ms=4, color=plots.COLORS[1], label="훈련 2회차")
    ax.plot(x, demo["eval"], "-", lw=2, color=plots.COLORS[3], label="평가: 평균 기울기")
    neg = x[x <= 0]
    ax.fill_between(neg, demo["lower"] * neg, demo["upper"] * neg, color="0.85",
                    label=f"기울기 범위 [{demo['lower']:.3f}, {demo['upper']:.3f}]")
    ax.set_xlabel("입력 x")
    ax.set_ylabel("RReLU(x)")
    ax.set_title("RReLU: 훈련 때는 무작위 기울기, 평가 때는 평균")
    ax.legend(fontsize=9)
    return fig


@one_blas_thread
def prelu_slopes(seed=0, epochs=5, lr=0.1):
    """Train a PReLU MLP on the digits with plain SGD; the learned slope α of each layer."""
    d = data.load_digits(seed=0)
    model = network.MLP([64, 100, 100, 100, 10], activation="prelu", init="he_normal", rng=seed)
    hist = train.fit(model, d.X_train, d.y_train, optimizer=optim.SGD(lr=lr), epochs=epochs,
                     batch_size=32, rng=np.random.default_rng(seed), X_val=d.X_test, y_val=d.y_test,
                     record_grad_norms=False)
    alphas = np.array([float(v[0]) for k, v in model.params.items() if k.endswith(".alpha")])
    return {"alpha": alphas, "acc": hist.final_val_acc}


# ---------------------------------------------------------------- SELU

def selu_constants():
    """α and λ of SELU from the fixed point (mean 0, variance 1) for z ~ N(0, 1).

    E[selu(z)] = 0:       λ (1/√(2π) + α (e^{1/2} Φ(-1) - 1/2)) = 0
                          ⇒ α = (1/√(2π)) / (1/2 - e^{1/2} Φ(-1))
    E[selu(z)²] = 1:      λ² (1/2 + α² (e² Φ(-2) - 2 e^{1/2} Φ(-1) + 1/2)) = 1
    with Φ the standard normal CDF, Φ(-t) = erfc(t/√2)/2.
    """
    def Phi_neg(t):
        return 0.5 * math.erfc(t / math.sqrt(2))
    alpha = (1 / math.sqrt(2 * math.pi)) / (0.5 - math.exp(0.5) * Phi_neg(1))
    second = 0.5 + alpha ** 2 * (math.exp(2) * Phi_neg(2) - 2 * math.exp(0.5) * Phi_neg(1) + 0.5)
    return alpha, 1 / math.sqrt(second)


def gaussian_moments(activation, q, points=4001):
    """(E[f(z)], E[f(z)²]) for z ~ N(0, q), by Simpson's rule on u ∈ [-10, 10], z = √q·u.

    u = 0 is a panel boundary, so the kink of ReLU-like functions costs no accuracy.
    """
    name = _engine_name(activation)
    u = np.linspace(-10, 10, points)
    w = np.ones(points)
    w[1:-1:2], w[2:-1:2] = 4, 2
    w *= (u[1] - u[0]) / 3 * np.exp(-u ** 2 / 2) / math.sqrt(2 * math.pi)
    f = act.value(name, math.sqrt(q) * u)
    return float(w @ f), float(w @ f ** 2)


def variance_map(activation, init, q):
    """q_{l+1} = c · E_{z~N(0, q_l)}[f(z)²] with c = n_in·Var(W) (1: LeCun, 2: He).

    With zero-mean weights independent of the inputs, Var(Σ_i w_i x_i) = n_in Var(W) E[x²]:
    the second moment of the activations (not their variance) sets the next variance.
    """
    c = _GAIN[INITS.get(init, init)]
    return c * gaussian_moments(activation, q)[1]


def iterate_variance(activation, init, q0=1.0, depth=100):
    """q_0, q_1, ..., q_depth under ``variance_map`` (infinitely wide layers)."""
    q = [float(q0)]
    for _ in range(depth):
        q.append(variance_map(activation, init, q[-1]) if 1e-300 < q[-1] < 1e300 else q[-1])
    return np.array(q)


def plot_variance_maps(pairs, q=None):
    """The map q_l -> q_{l+1} for (activation, init) pairs, with the diagonal q_{l+1} = q_l."""
    q = np.linspace(0.02, 3, 60) if q is None else q
    fig, axes = plots.figure(ncols=2, width=3.6, height=3.2)
    ax = axes[0, 0]
    ax.plot(q, q, color="0.5", lw=1, ls=":", label="변화 없음")
    for i, (a, ini) in enumerate(pairs):
        ax.plot(q, [variance_map(a, ini, v) for v in q], color=plots.COLORS[i], lw=2,
                label=f"{label(a)} + {ini}")
    ax.set_xlabel("q_l (l층 입력의 분산)")
    ax.set_ylabel("q_(l+1)")
    ax.set_title("분산 지도")
    ax.legend(fontsize=8)
    ax = axes[0, 1]
    for i, (a, ini) in enumerate(pairs):
        ax.plot(iterate_variance(a, ini, 1.0, 50), color=plots.COLORS[i], lw=2)
    plots.log_axis(ax)
    ax.set_xlabel("층")
    ax.set_ylabel("q_l (로그 눈금)")
    ax.set_title("q_0 = 1에서 출발해 50층")
    return fig


@one_blas_thread
def depth_stats(activation, init, depth=100, width=100, n=1000, seed=0, input_std=1.0, keep=()):
    """Forward ``n`` standard normal inputs (times ``input_std``) through a ``depth``-layer MLP
    of ``width`` units at initialisation. Returns per-layer mean and std of the activations,
    and the activations of the layers listed in ``keep`` (1-based)."""
    rng = np.random.default_rng(seed)
    model = network.MLP([width] * (depth + 1) + [10], activation=_engine_name(activation),
                        init=INITS.get(init, init), rng=rng)
    X = input_std * rng.standard_normal((n, width))
    outs = diagnostics.activations(model, X)
    with np.errstate(all="ignore"):
        mean = np.array([a.mean() for a in outs])
        std = np.array([a.std() for a in outs])
    return {"mean": mean, "std": std, "kept": {k: outs[k - 1] for k in keep},
            "name": f"{label(activation)} + {init}"}


def depth_report(results, layers=(1, 10, 50, 100)):
    """Std of the activations at a few layers, one line per setting."""
    head = "".join(f"{k:>10}층" for k in layers)
    lines = [f"{'표준편차':<16}{head}"]
    for r in results:
        lines.append(f"{r['name']:<16}" + "".join(f"{r['std'][k - 1]:>11.3g}" for k in layers))
    return "\n".join(lines)


def plot_depth(results):
    """Per-layer mean and std of activations for several (activation, init) settings."""
    fig, axes = plots.figure(ncols=2, width=3.6, height=3.2)
    for i, r in enumerate(results):
        layers = np.arange(1, len(r["std"]) + 1)
        axes[0, 0].plot(layers, r["mean"], color=plots.COLORS[i], lw=2, label=r["name"])
        axes[0, 1].plot(layers, r["std"], color=plots.COLORS[i], lw=2, label=r["name"])
    plots.log_axis(axes[0, 1])
    axes[0, 0].set_title("층별 활성화 평균")
    axes[0, 0].set_ylim(-1, 3)
    axes[0, 1].set_title("층별 활성화 표준편차 (로그 눈금)")
    for ax in axes[0]:
        ax.set_xlabel("층")
    axes[0, 0].legend(fontsize=8)
    return fig


# ---------------------------------------------------------------- widget

WIDGET_INITS = ("LeCun", "He")
WIDGET_DEPTHS = (10, 20, 50, 100)


@cached
def widget_runs(name):
    """``depth_stats`` of one 100-layer MLP (width 100, 200 inputs) with the activation
    ``name`` (engine name) per init of ``WIDGET_INITS``, keeping the layers of ``WIDGET_DEPTHS``.

    Layer k's activations depend only on layers 1..k, so the first d layers of this network
    are a d-layer network: one run per activation serves every depth of the widget, and
    ``prepare`` computes them all when the widget is created.
    """
    return {i: depth_stats(name, i, depth=max(WIDGET_DEPTHS), width=100, n=200, seed=0,
                           keep=WIDGET_DEPTHS) for i in WIDGET_INITS}


def prepare(activation="ReLU", depth=50):
    """The widget's ``prepare``: compute (and cache) ``widget_runs`` of one setting."""
    widget_runs(_engine_name(activation))


@plots.reused
def _frame():
    """The widget's figure, built once: f and f', the per-layer std (LeCun solid, He dashed)
    and one histogram per init. Building four panels (axes, ticks) costs more than drawing
    them, so ``draw`` only updates the lines, histograms and titles of this one figure."""
    fig, axes = plots.figure(ncols=2, nrows=2, width=3.3, height=2.1, layout="fixed")
    (ax_f, ax_s), hists = axes
    x = np.linspace(-4, 4, 201)
    ax_f.plot(x, x, color=plots.COLORS[2], lw=2, label="f(x)")
    ax_f.plot(x, x, color=plots.COLORS[4], lw=2, ls="--", label="f'(x)")
    ax_f.axhline(0, color="0.5", lw=0.8)
    ax_f.set_xlabel("입력 x")
    ax_f.legend(fontsize=9, loc="upper left")
    for j, init in enumerate(WIDGET_INITS):
        ax_s.plot([1, 2], [1, 2], color=plots.COLORS[j], lw=2, ls=["-", "--"][j], label=init)
    plots.log_axis(ax_s)
    ax_s.set_xlabel("층")
    ax_s.legend(fontsize=9)
    for j, ax in enumerate(hists):
        ax.stairs([1], [0, 1], color=plots.COLORS[j], fill=True)
        ax.yaxis.set_major_locator(ticker.NullLocator())
        ax.xaxis.set_major_locator(ticker.MaxNLocator(4))
        ax.grid(False)
        ax.tick_params(axis="x", labelsize=9)
        ax.ticklabel_format(axis="x", style="sci", scilimits=(-3, 3))
    return fig


def draw(activation="ReLU", depth=50):
    """Widget frame for one activation: f and f'; the per-layer std of the activations of a
    ``depth``-layer MLP (width 100) with LeCun and with He init; histograms of the last
    layer's activations for both inits. Returns the one figure of ``_frame``, updated."""
    if depth not in WIDGET_DEPTHS:
        raise ValueError(f"depth={depth!r}: 층 수는 {', '.join(map(str, WIDGET_DEPTHS))} 중 하나여야 합니다")
    name = _engine_name(activation)
    runs = widget_runs(name)
    if not all(np.all(np.isfinite(r["std"][:depth])) for r in runs.values()):
        return "발산했습니다: 활성화 값이 inf/nan이 되었습니다. 더 작은 초기화를 골라 보세요."
    fig = _frame()
    ax_f, ax_s, *hists = fig.axes
    f_line, df_line = ax_f.lines[:2]
    f_line.set_ydata(act.value(name, f_line.get_xdata()))
    df_line.set_ydata(act.derivative(name, df_line.get_xdata()))
    ax_f.set_title(f"{label(name)}: 함수와 도함수", fontsize=11)
    for line, r in zip(ax_s.lines, runs.values()):
        line.set_data(np.arange(1, depth + 1), np.maximum(r["std"][:depth], 1e-300))
    ax_s.set_title(f"층별 활성화 표준편차 ({depth}층 신경망)", fontsize=11)
    for ax, (init, r) in zip(hists, runs.items()):
        a = r["kept"][depth].ravel()
        ax.patches[0].set_data(*np.histogram(a, bins=30))
        ax.set_title(f"{init} · {depth}층 활성화 (표준편차 {a.std():.2g})", fontsize=10)
    for ax in fig.axes:
        ax.relim()
        ax.autoscale_view()
    return fig


WIDGETS = {
    "main": dict(
        draw=draw,
        prepare=prepare,
        controls={"activation": list(ACTIVATIONS)},
        labels={"activation": "활성화 함수", "depth": "층 수"},
        live={"depth": list(WIDGET_DEPTHS)},
    ),
}
