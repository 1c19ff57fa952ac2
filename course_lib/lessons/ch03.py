"""Chapter 3 (가중치 초기화): how the scale of the initial weights decides whether a
signal survives a deep network.

Experiments (they return data):

* ``layer_activations`` — Saito's experiment (밑바닥부터 시작하는 딥러닝, 6.2): X of shape
  1000 × 100 drawn from N(0, 1), five Linear(100, 100) layers without bias, each followed
  by the activation; the outputs of every layer.
* ``saito_cases`` — that experiment for the six (activation, init) pairs of the chapter.
* ``layer_grad_norms`` / ``saito_grad_ratios`` — the same networks run backward: how much
  of the gradient reaches layer 1 (a histogram alone does not tell).
* ``depth_profile`` — the std of every layer's activations in a deep ReLU network, for
  inits whose per-layer gain ½·n·Var(W) is ½ (Xavier), 1 (He) or 2 (the 2/√n mistake).
* ``train_deep_relu`` / ``he_vs_xavier`` — He et al. (2015, Fig. 3) at small scale: a
  30-layer ReLU MLP on the digits, SGD with momentum, Xavier vs He init.

Figures: ``fig_histograms`` / ``fig_case``, ``fig_grad_ratios``, ``fig_depth_profile``,
``fig_training``; the widget ``WIDGETS["main"]`` draws ``layer_histograms`` as a heat map.
"""
import math

import numpy as np
from matplotlib.colors import PowerNorm
from matplotlib.ticker import FuncFormatter

from .. import data, diagnostics, optim, plots, train
from ..layers import Linear
from ..memo import cached
from ..network import MLP, Sequential
from ..activations import make as make_activation
from course_lib.threads import one_blas_thread

CHANCE = math.log(10)  # cross-entropy of a uniform guess over 10 classes: ln 10 ≈ 2.303


def _log_decades(ax, values):
    """Log y axis (``plots.log_axis``) whose limits are whole decades around ``values``:
    a nearly constant std then looks flat instead of being zoomed into noise."""
    parts = values if isinstance(values, (list, tuple)) else [values]
    v = np.concatenate([np.asarray(x, dtype=float).ravel() for x in parts])
    v = v[np.isfinite(v) & (v > 0)]
    lo, hi = (np.floor(np.log10(v.min())), np.ceil(np.log10(v.max()))) if v.size else (0.0, 1.0)
    hi = max(hi, lo + 1)
    plots.log_axis(ax)
    ax.set_ylim(10 ** lo, 10 ** hi)


def wrong_he(fan_in, fan_out, rng=None):
    """The popular mistake: W ~ N(0, σ²) with σ = 2/√n_in (the right std is √(2/n_in))."""
    rng = np.random.default_rng(rng)
    return rng.normal(0.0, 2.0 / math.sqrt(fan_in), size=(fan_in, fan_out))


# What the chapter calls each initialisation -> what ``Linear(init=...)`` takes.
INITS = {
    "std=0.01": 0.01,
    "std=1": 1.0,
    "Xavier": "xavier_normal",
    "He": "he_normal",
    "LeCun": "lecun_normal",
    "2/√n (오류)": wrong_he,
}


def _init_spec(init):
    if isinstance(init, str) and init in INITS:
        return INITS[init]
    return init


def deep_net(activation="sigmoid", init="std=1", depth=5, width=100, rng=0):
    """``depth`` × [Linear(width, width) -> activation], the network of Saito's experiment.

    ``init`` is a key of ``INITS`` or anything ``Linear(init=...)`` accepts. The biases
    start at 0, so the network computes exactly Saito's ``a = x @ W; z = f(a)``.
    """
    if int(depth) != depth or depth < 1:
        raise ValueError(f"depth={depth}: 층 수는 1 이상의 정수여야 합니다")
    rng = np.random.default_rng(rng)
    layers = []
    for _ in range(int(depth)):
        layers.append(Linear(width, width, init=_init_spec(init), rng=rng))
        layers.append(make_activation(activation, rng=rng))
    return Sequential(*layers)


@one_blas_thread
def layer_activations(activation="sigmoid", init="std=1", depth=5, width=100, n=1000, seed=0):
    """Outputs of every layer for X ~ N(0, 1) of shape (n, width): a list, layer 1 first."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, width))
    model = deep_net(activation, init, depth, width, rng)
    return diagnostics.activations(model, X)


SAITO_CASES = [("sigmoid", "std=1"), ("sigmoid", "std=0.01"), ("sigmoid", "Xavier"),
               ("relu", "std=0.01"), ("relu", "Xavier"), ("relu", "He")]


def saito_cases(seed=0):
    """{(activation, init): activations of the five layers} for the six cases of the chapter."""
    return {case: layer_activations(*case, seed=seed) for case in SAITO_CASES}


def layer_std(acts):
    """Standard deviation of every layer's activations (all units and examples together)."""
    with np.errstate(all="ignore"):
        return np.array([float(np.std(a)) for a in acts])


@one_blas_thread
def layer_grad_norms(activation="sigmoid", init="std=1", depth=5, width=100, n=1000, seed=0):
    """‖∂L/∂W_l‖ for every layer of Saito's network, input side first.

    The upstream gradient ∂L/∂(last output) is drawn from N(0, 1) (a stand-in for a loss
    on top), so only ratios between layers mean something: how much of the gradient
    reaches layer 1 compared with layer 5.
    """
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, width))
    model = deep_net(activation, init, depth, width, rng)
    with np.errstate(all="ignore"):
        out = model.forward(X)
        model.backward(rng.standard_normal(out.shape))
    return np.array([np.linalg.norm(model.grads[f"{i}.W"]) for i in model.linear_layers()])


def saito_grad_ratios(seed=0):
    """{(activation, init): ‖∂L/∂W_l‖ / ‖∂L/∂W_5‖ for l = 1..5} for the six cases."""
    out = {}
    for case in SAITO_CASES:
        g = layer_grad_norms(*case, seed=seed)
        out[case] = g / g[-1]
    return out


def saturated_fraction(acts, eps=0.05):
    """Per layer, the fraction of sigmoid outputs within ``eps`` of 0 or 1."""
    return np.array([float(np.mean((a < eps) | (a > 1 - eps))) for a in acts])


def depth_profile(inits=("Xavier", "He", "2/√n (오류)"), depth=30, width=100, n=500, seed=0):
    """{init: std of each of ``depth`` ReLU layers' activations} for X ~ N(0, 1).

    Theory (see the chapter): each layer multiplies E[x²] by ½·n·Var(W), which is ½ for
    Xavier (n_in = n_out), 1 for He and 2 for σ = 2/√n, so after L layers the std is
    about 2^(-L/2), constant, or 2^(L/2) times the first layer's.
    """
    return {init: layer_std(layer_activations("relu", init, depth, width, n, seed)) for init in inits}


# --- He et al. (2015), Fig. 3, at small scale --------------------------------------------

@one_blas_thread
def train_deep_relu(init="He", seed=0, depth=30, width=64, epochs=10, lr=0.005, momentum=0.9,
                    batch_size=64):
    """Train a ``depth``-layer ReLU MLP (64 -> width × depth -> 10) on the digits.

    Plain SGD with momentum (``optim.SGD(lr, momentum)``), the same data split and
    hyper-parameters for every init; only ``init`` and the seed (weights, batch order)
    change. Returns the ``train.History`` (per-epoch ``train_loss``, ``val_acc``, per-step
    gradient norms of every weight matrix).
    """
    split = data.load_digits(seed=0)
    model = MLP([64] + [width] * depth + [10], activation="relu", init=_init_spec(init), rng=seed)
    return train.fit(model, split.X_train, split.y_train, optimizer=optim.SGD(lr, momentum=momentum),
                     epochs=epochs, batch_size=batch_size, rng=np.random.default_rng(seed + 1000),
                     X_val=split.X_test, y_val=split.y_test)


def he_vs_xavier(seeds=(0,), **kwargs):
    """{"Xavier": [History per seed], "He": [History per seed]}."""
    return {init: [train_deep_relu(init, seed, **kwargs) for seed in seeds] for init in ("Xavier", "He")}


# --- figures -----------------------------------------------------------------------------

def _hist_setup(activation, acts):
    """(range, values to plot per layer, note): sigmoid/tanh use their output range; for
    ReLU the exact zeros (about half) are counted in the title, and the x-range is that
    of layer 1, so later layers that shrink or grow stand out."""
    if activation == "sigmoid":
        return (0.0, 1.0), acts, None
    if activation == "tanh":
        return (-1.0, 1.0), acts, None
    values = [a[a > 0] for a in acts]
    top = float(np.quantile(values[0], 0.99)) if values[0].size else 1.0
    zeros = [float(np.mean(a <= 0)) for a in acts]
    return (0.0, top), values, zeros


def fig_histograms(acts, activation, title=None, layers=None, color=None):
    """30-bin histograms of the chosen layers' activations, side by side."""
    import matplotlib.pyplot as plt

    plots.setup()
    layers = list(range(1, len(acts) + 1)) if layers is None else list(layers)
    rng_, values, zeros = _hist_setup(activation, acts)
    # a fixed layout (not "constrained"): five small panels draw twice as fast
    fig, axes = plt.subplots(1, len(layers), figsize=(1.35 * len(layers), 2.2), sharey=True, squeeze=False)
    fig.subplots_adjust(left=0.09, right=0.98, bottom=0.22, top=0.78, wspace=0.12)
    for ax, k in zip(axes[0], layers):
        v = np.asarray(values[k - 1]).ravel()
        ax.hist(np.clip(v, *rng_), bins=30, range=rng_, color=color or plots.COLORS[0])
        ax.set_title(f"{k}층" + (f" (0: {zeros[k - 1]:.0%})" if zeros else ""), fontsize=9)
        ax.tick_params(labelsize=8)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: f"{y / 1000:g}"))
    axes[0, 0].set_ylabel("개수 (천)")
    fig.supxlabel("활성화 값" + (" (0보다 큰 값만)" if zeros else ""), fontsize=10, y=0.02)
    if title:
        fig.suptitle(title, fontsize=11)
    return fig


INIT_TITLES = {"std=1": "표준편차 1", "std=0.01": "표준편차 0.01", "Xavier": "Xavier", "He": "He"}


def fig_case(cases, activation, init):
    """``fig_histograms`` of one case of ``saito_cases``, titled in Korean."""
    name = {"sigmoid": "시그모이드", "relu": "ReLU"}.get(activation, activation)
    color = plots.COLORS[3] if (activation, init) == ("relu", "Xavier") else plots.COLORS[0]
    return fig_histograms(cases[activation, init], activation, color=color,
                          title=f"{name}, {INIT_TITLES.get(init, init)}")


def fig_depth_profile(profile, ax=None, title=None):
    """Per-layer std on a log scale, one line per init."""
    fig = plots.layer_norms(profile, ylabel="활성화 값의 표준편차 (로그)", xlabel="층", title=title, ax=ax)
    _log_decades(fig.axes[0], list(profile.values()))
    return fig


def fig_grad_ratios(ratios):
    """Per-layer gradient norm relative to layer 5, log scale. The three ReLU cases are
    identical (see the chapter), so one line stands for them."""
    series = {f"{'시그모이드' if a == 'sigmoid' else 'ReLU'}, {i}": r for (a, i), r in ratios.items()
              if a == "sigmoid" or i == "He"}
    series = {("ReLU (세 초기화 모두)" if k.startswith("ReLU") else k): v for k, v in series.items()}
    fig = plots.layer_norms(series, ylabel="‖∂L/∂W‖ ÷ 5층의 값 (로그)", xlabel="층 (입력 쪽 → 출력 쪽)")
    fig.set_size_inches(6.2, 3.4)
    _log_decades(fig.axes[0], list(series.values()))
    fig.axes[0].set_xticks(range(1, 6))
    return fig


def fig_training(results):
    """Left: training loss per epoch (chance ln 10 dashed). Right: gradient norm of every
    weight matrix at the first step, log scale."""
    fig, axes = plots.figure(ncols=2, width=3.6, height=3.0)
    ax, ax2 = axes[0]
    colors = {"Xavier": plots.COLORS[3], "He": plots.COLORS[0]}
    for init, hists in results.items():
        for i, h in enumerate(hists):
            epochs = np.arange(1, len(h.train_loss) + 1)
            ax.plot(epochs, h.train_loss, color=colors[init], alpha=1.0 if i == 0 else 0.45,
                    label=init if i == 0 else None)
            g = h.grad_norm_array()[0]
            ax2.plot(np.arange(1, len(g) + 1), g, color=colors[init], marker=".",
                     alpha=1.0 if i == 0 else 0.45, label=init if i == 0 else None)
    ax.axhline(CHANCE, color="gray", linestyle="--", linewidth=1, label="찍기 수준 ln 10", zorder=3)
    ax.set_xlabel("에폭")
    ax.set_ylabel("훈련 손실 (교차 엔트로피)")
    ax.set_title("훈련 손실")
    ax.legend()
    _log_decades(ax2, [h.grad_norm_array()[0] for hists in results.values() for h in hists])
    ax2.set_xlabel("층 (입력 쪽 → 출력 쪽)")
    ax2.set_ylabel("‖∂L/∂W‖ (첫 스텝, 로그)")
    ax2.set_title("초기 기울기 노름")
    ax2.legend()
    return fig


# --- widget ------------------------------------------------------------------------------

def _shown_layers(depth, k=5):
    """At most ``k`` layers, evenly spaced from 1 to ``depth`` (first and last included)."""
    return sorted(set(int(round(x)) for x in np.linspace(1, depth, min(k, depth))))


def layer_histograms(acts, activation, bins=30):
    """(counts, edges, zeros): one 30-bin histogram per layer as the rows of ``counts``,
    each row divided by the number of values (so rows are fractions)."""
    rng_, values, zeros = _hist_setup(activation, acts)
    edges = np.linspace(*rng_, bins + 1)
    counts = np.array([np.histogram(np.clip(np.asarray(v).ravel(), *rng_), bins=edges)[0] / a.size
                       for v, a in zip(values, acts)])
    return counts, edges, zeros


WIDGET_VALUES = 20_000     # activations per layer (examples × width) in the widget


@cached
def widget_layers(activation, init, depth, width):
    """(counts, edges, zeros, std) of every layer for one widget setting, or None if the
    activations or their std overflow. Cached.

    ``WIDGET_VALUES // width`` examples: every histogram counts the same number of values,
    and a wide network costs no more than a narrow one.
    """
    acts = layer_activations(activation, init, depth, width, n=WIDGET_VALUES // width, seed=0)
    std = layer_std(acts)  # inf once the squares overflow, even if the values do not
    if not np.all(np.isfinite(std)) or any(not np.all(np.isfinite(a)) for a in acts):
        return None
    counts, edges, zeros = layer_histograms(acts, activation)
    return counts, edges, zeros, std


def prepare(activation="sigmoid", init="Xavier", depth=5, width=100):
    """The widget's ``prepare``: compute (and cache) ``widget_layers`` of one setting."""
    widget_layers(activation, init, int(depth), int(width))


@plots.reused
def _frame():
    """The widget's figure, built once: building axes and ticks costs more than drawing
    them, so ``draw_main`` only updates the heat map, the line and the texts of this figure."""
    fig, axes = plots.figure(ncols=2, width=3.25, height=3.2, layout="fixed",
                             gridspec_kw={"width_ratios": [1.2, 1]})
    plots.fix_margins(fig, top=0.65)  # room for the suptitle above the panel titles
    ax, ax2 = axes[0]
    # square-root colour scale, so that thin tails stay visible next to a tall peak
    ax.imshow(np.zeros((1, 1)), aspect="auto", origin="upper", cmap="viridis",
              interpolation="nearest", norm=PowerNorm(0.5, vmin=0, vmax=1))
    ax.grid(False)
    ax.set_ylabel("층")
    ax2.plot([1, 2], [1, 2], marker="o", markersize=3, color=plots.COLORS[3])
    plots.log_axis(ax2)
    ax2.set_xlabel("층")
    ax2.set_ylabel("표준편차 (로그)")
    fig.suptitle(" ", fontsize=11)
    return fig


def draw_main(activation="sigmoid", init="Xavier", depth=5, width=100):
    """Left: every layer's 30-bin histogram as one row of a heat map. Right: every layer's
    std on a log scale. Returns the one figure of ``_frame``, updated."""
    layers = widget_layers(activation, init, int(depth), int(width))
    if layers is None:
        return ("발산했습니다: 활성화 값이 부동소수점 범위를 넘었습니다. "
                "가중치의 표준편차를 줄이거나 층 수를 줄여 보세요.")
    counts, edges, zeros, std = layers
    depth = len(std)
    fig = _frame()
    ax, ax2 = fig.axes
    image = ax.images[0]
    image.set_data(counts)
    image.set_extent((edges[0], edges[-1], depth + 0.5, 0.5))
    image.norm.vmax = max(counts.max(), 1e-12)
    ax.set_xlabel("활성화 값" + (" (0보다 큰 값)" if zeros else ""))
    ax.set_yticks(_shown_layers(depth))
    zero_note = f", 0인 값 {np.mean(zeros):.0%}" if zeros else ""
    ax.set_title(f"층별 히스토그램: 밝을수록 많음{zero_note}", fontsize=10)
    ax2.lines[0].set_data(np.arange(1, depth + 1), np.maximum(std, 1e-300))
    ax2.relim()
    ax2.autoscale_view()
    _log_decades(ax2, std)
    ax2.set_title(f"마지막 층 표준편차 {std[-1]:.3g}", fontsize=10)
    fig.texts[0].set_text(f"{activation}, {init}, 폭 {int(width)}, {depth}층")
    return fig


WIDGETS = {
    "main": dict(
        draw=draw_main,
        prepare=prepare,
        controls={"activation": ["sigmoid", "tanh", "relu"],
                  "init": ["std=0.01", "std=1", "Xavier", "He"],
                  "depth": [5, 30]},
        labels={"activation": "활성화 함수", "init": "초기화", "depth": "층 수", "width": "층의 폭"},
        live={"activation": ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "gelu"],
              "init": ["std=0.01", "std=1", "Xavier", "He", "LeCun", "2/√n (오류)"],
              "depth": [1, 2, 3, 5, 10, 15, 20, 30, 40, 50],
              "width": [25, 50, 100, 200, 400]},
    ),
}
