"""Chapter 1 (역전파와 기울기 소실·폭주): backprop is the chain rule, and the chain rule
multiplies one Jacobian per layer, so the gradient of the first layer shrinks or grows
geometrically with depth.

Experiments (they return data):

* ``saturation_table`` / ``saturation_curve`` / ``one_threshold`` — σ(x) in float64: for
  x ≳ 36.7 it is exactly 1.0, so the centred difference and σ(1 - σ) both return exactly 0,
  while the true derivative σ(x)σ(-x) is still positive. The negative side has no such problem.
* ``chain_rule_check`` — the 3-layer formula ∂L/∂W₁ = xᵀ[(2(ŷ - y)W₃ᵀ ⊙ σ'(h̃₂))W₂ᵀ ⊙ σ'(h̃₁)]
  against numerical differentiation and against ``course_lib``'s own backward.
* ``gradient_flow`` / ``sweep`` / ``first_last_ratios`` — a deep MLP on the digits at
  initialisation: per layer ‖∂L/∂W_k‖, ‖δ_k‖ = ‖∂L/∂h̃_k‖ and ‖h_{k-1}‖, for sigmoid, tanh
  and ReLU with weights W ~ N(0, (g/√n_in)²).
* ``relative_updates`` — one epoch of SGD: how much each layer's weights actually move.

Figures: ``fig_derivatives``, ``fig_saturation``, ``fig_sweep``, ``fig_factors``,
``fig_updates``; widget ``WIDGETS["main"]`` (activation × weight scale g × depth).
"""
import functools
import math
from collections import namedtuple

import numpy as np
from matplotlib import ticker

from .. import activations, data, gradcheck, init, optim, plots, train
from ..activations import sigmoid
from ..layers import Linear
from ..losses import SoftmaxCrossEntropy
from ..memo import cached
from ..network import MLP, Sequential
from course_lib.threads import one_blas_thread

WIDTH = 100          # hidden units per layer (as in 밑바닥부터 시작하는 딥러닝 §6.2)
N_EXAMPLES = 256     # one batch of digits: the gradient of this batch's mean loss
ACTIVATIONS = ("sigmoid", "tanh", "relu")
SCALES = (0.5, 1.0, 2.0, 4.0)   # g in W ~ N(0, (g / √n_in)²)
DEPTHS = (10, 30)               # number of Linear layers (static grid; the live widget has more)
DEPTH = 20
KOREAN = {"sigmoid": "시그모이드", "tanh": "tanh", "relu": "ReLU"}


def log_layers(ax):
    """Log y axis (``plots.log_axis``: plain-text labels, cheap to draw) over integer layer numbers."""
    plots.log_axis(ax)
    ax.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))


# ---------------------------------------------------------------- σ in float64

def sigmoid_prime(x):
    """σ'(x) = σ(x)·σ(-x), which equals σ(x)(1 - σ(x)) but never computes 1 - σ(x):
    for large x it is e^{-x} to full precision instead of exactly 0."""
    return sigmoid(x) * sigmoid(-x)


def central_difference(f, x, h=1e-4):
    """(f(x + h) - f(x - h)) / (2h): the centred difference quotient."""
    return (f(x + h) - f(x - h)) / (2 * h)


Row = namedtuple("Row", "x value exact numeric from_output")


def saturation_table(xs=(0, 5, 10, 20, 25, 30, 35, 40, -40), h=1e-4):
    """For each x: σ(x), the true σ'(x), the centred difference and σ(1 - σ) computed from
    the stored output σ(x) (what a Sigmoid layer's backward does), all in float64."""
    rows = []
    for x in xs:
        x = np.float64(x)
        s = sigmoid(x)
        rows.append(Row(float(x), float(s), float(sigmoid_prime(x)),
                        float(central_difference(sigmoid, x, h)), float(s * (1 - s))))
    return rows


def format_table(rows):
    """The table as aligned text (the notebook prints it)."""
    lines = [f"{'x':>6} {'σ(x) (float64)':>22} {'참값 σ′(x)':>12} {'수치 미분':>12} {'σ(1-σ)':>12}"]
    for r in rows:
        lines.append(f"{r.x:>6g} {r.value:>22.17g} {r.exact:>12.4e} {r.numeric:>12.4e} "
                     f"{r.from_output:>12.4e}")
    return "\n".join(lines)


def one_threshold(dtype=np.float64):
    """The smallest x (to bisection precision) with σ(x) == 1.0 exactly in ``dtype``.

    1 + e^{-x} rounds to 1 once e^{-x} is below half the spacing of the floats just above 1
    (2^-53 in float64, 2^-24 in float32): x > 53 ln 2 ≈ 36.74, or x > 24 ln 2 ≈ 16.64.
    """
    lo, hi = 0.0, 50.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if sigmoid(np.asarray(mid, dtype=dtype)) == 1.0:
            hi = mid
        else:
            lo = mid
    return hi


def sigmoid_layer_grad(xs, dtype=np.float64):
    """∂σ/∂x from ``course_lib``'s Sigmoid layer (backward of dout = 1, i.e. out·(1 - out))
    at the points ``xs``, computed in ``dtype``; PyTorch's sigmoid backward is the same formula."""
    layer = activations.Sigmoid()
    x = np.asarray(xs, dtype=dtype)
    out = layer.forward(x)
    return layer.backward(np.ones_like(out))


def saturation_curve(lo=-45.0, hi=45.0, num=721, h=1e-4):
    """x, the true σ'(x), the centred difference and σ(1 - σ) on a grid (for the figure)."""
    x = np.linspace(lo, hi, num)
    s = sigmoid(x)
    return x, sigmoid_prime(x), central_difference(sigmoid, x, h), s * (1 - s)


def fig_derivatives():
    """σ, tanh, ReLU and their derivatives; the maxima 1/4 and 1 marked."""
    x = np.linspace(-6, 6, 601)
    fig, axes = plots.figure(ncols=2, width=3.6, height=2.9)
    left, right = axes[0]
    for i, name in enumerate(ACTIVATIONS):
        left.plot(x, activations.value(name, x), color=plots.COLORS[i], label=KOREAN[name])
        right.plot(x, activations.derivative(name, x), color=plots.COLORS[i], label=KOREAN[name])
    left.set_ylim(-1.2, 2.2)
    left.set_title("활성화 함수 f(x)")
    right.set_title("도함수 f'(x)")
    for level, text in ((0.25, "1/4 (σ'의 최댓값)"), (1.0, "1 (tanh'의 최댓값)")):
        right.axhline(level, color="gray", lw=0.8, ls=":")
        right.text(-5.8, level + 0.03, text, fontsize=9, color="dimgray")
    right.set_ylim(-0.05, 1.25)
    for ax in (left, right):
        ax.set_xlabel("x")
    left.legend(loc="upper left")
    return fig


def fig_saturation(h=1e-4):
    """True σ'(x) against what float64 computes: the centred difference and σ(1 - σ)."""
    x, exact, numeric, from_output = saturation_curve(h=h)
    floor = 1e-22
    fig, axes = plots.figure(width=6.8, height=3.4)
    ax = axes[0, 0]
    ax.plot(x, exact, color=plots.COLORS[0], lw=2, label="참값 σ(x)σ(-x)")
    ax.plot(x, np.where(from_output > 0, from_output, np.nan), color=plots.COLORS[1], ls="--",
            label="σ(1-σ) (저장한 출력으로 계산)")
    ok = (numeric > 0) & (np.arange(len(x)) % 6 == 0)  # every 6th point, so the lines stay visible
    ax.plot(x[ok], numeric[ok], "o", ms=3.5, mfc="none", color=plots.COLORS[2],
            label=f"수치 미분 (h={h:g})")
    zero = numeric == 0
    ax.plot(x[zero], np.full(zero.sum(), floor), "|", ms=8, color=plots.COLORS[3],
            label="수치 미분이 정확히 0")
    ax.axvline(one_threshold(), color="gray", ls=":", lw=1)
    ax.text(one_threshold() - 0.8, 1e-3, "σ(x) = 1.0\n(x ≥ 36.74)", ha="right", fontsize=9,
            color="dimgray")
    plots.log_axis(ax)
    ax.set_ylim(floor / 3, 1)
    ax.set_xlabel("x")
    ax.set_ylabel("σ'(x) (로그 눈금)")
    ax.set_title("float64에서 계산한 시그모이드의 미분")
    ax.legend(loc="lower center", fontsize=8.5)
    return fig


# ---------------------------------------------------------------- the 3-layer derivation

def three_layer(seed=0, n=5, sizes=(4, 6, 5, 3)):
    """Data and parameters of the 3-layer network of the derivation (sigmoid hidden layers,
    linear output): x (n, 4), y (n, 3), Ws = [W₁, W₂, W₃], bs = [b₁, b₂, b₃]."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, sizes[0]))
    y = rng.normal(size=(n, sizes[-1]))
    Ws = [rng.normal(0, 1 / math.sqrt(a), size=(a, b)) for a, b in zip(sizes[:-1], sizes[1:])]
    bs = [rng.normal(0, 0.1, size=b) for b in sizes[1:]]
    return x, y, Ws, bs


def loss_3layer(x, y, Ws, bs):
    """L = Σ_i ‖y_i - ŷ_i‖² with ŷ = σ(σ(xW₁ + b₁)W₂ + b₂)W₃ + b₃."""
    h1 = sigmoid(x @ Ws[0] + bs[0])
    h2 = sigmoid(h1 @ Ws[1] + bs[1])
    y_hat = h2 @ Ws[2] + bs[2]
    return float(np.sum((y - y_hat) ** 2))


def grad_W1_formula(x, y, Ws, bs):
    """∂L/∂W₁ = xᵀ δ₁ with the chain rule written out layer by layer:

        δ₃ = 2(ŷ - y),   δ₂ = (δ₃ W₃ᵀ) ⊙ σ'(h̃₂),   δ₁ = (δ₂ W₂ᵀ) ⊙ σ'(h̃₁).
    """
    W1, W2, W3 = Ws
    b1, b2, b3 = bs
    ht1 = x @ W1 + b1
    ht2 = sigmoid(ht1) @ W2 + b2
    y_hat = sigmoid(ht2) @ W3 + b3
    d3 = 2 * (y_hat - y)
    d2 = (d3 @ W3.T) * sigmoid_prime(ht2)
    d1 = (d2 @ W2.T) * sigmoid_prime(ht1)
    return x.T @ d1


@one_blas_thread
def chain_rule_check(seed=0):
    """Relative errors of the formula for ∂L/∂W₁ against (a) centred differences of L and
    (b) the backward of the same network built from course_lib layers."""
    x, y, Ws, bs = three_layer(seed)
    formula = grad_W1_formula(x, y, Ws, bs)
    W1 = Ws[0].copy()
    numeric = gradcheck.numerical_gradient(lambda: loss_3layer(x, y, [W1, Ws[1], Ws[2]], bs), W1)
    net = Sequential(Linear(4, 6), activations.Sigmoid(), Linear(6, 5), activations.Sigmoid(),
                     Linear(5, 3))
    for layer, W, b in zip(net.linear_layers(), Ws, bs):
        net.layers[layer].params["W"][...] = W
        net.layers[layer].params["b"][...] = b
    y_hat = net.forward(x)
    net.backward(2 * (y_hat - y))
    return {"numerical": gradcheck.rel_error(formula, numeric),
            "course_lib": gradcheck.rel_error(formula, net.grads["0.W"])}


# ---------------------------------------------------------------- deep networks at init

@functools.lru_cache(maxsize=1)
def digits():
    """The digits split used throughout the chapter (standardised, seed 0)."""
    return data.load_digits(seed=0)


def batch(n=N_EXAMPLES):
    """The first ``n`` standardised training digits: X (n, 64), y (n,)."""
    split = digits()
    return split.X_train[:n], split.y_train[:n]


def scaled_normal(scale):
    """An init W ~ N(0, (g/√n_in)²) with g = ``scale``: g = 1 is LeCun's std, g = √2 is He's."""
    if not scale > 0:
        raise ValueError(f"scale={scale!r}: 가중치 배율 g는 양수여야 합니다")

    def normal(fan_in, fan_out, rng=None):
        return init.normal(fan_in, fan_out, std=scale / math.sqrt(fan_in), rng=rng)
    return normal


def deep_mlp(activation="sigmoid", depth=DEPTH, scale=1.0, width=WIDTH, seed=0):
    """64 → width → … → width → 10 with ``depth`` Linear layers (depth - 1 activations)."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation={activation!r}: {', '.join(ACTIVATIONS)} 중 하나여야 합니다")
    if int(depth) != depth or depth < 2:
        raise ValueError(f"depth={depth!r}: 깊이(Linear 층 수)는 2 이상의 정수여야 합니다")
    X, _ = batch()
    sizes = [X.shape[1]] + [width] * (int(depth) - 1) + [10]
    return MLP(sizes, activation=activation, init=scaled_normal(scale), rng=seed)


Flow = namedtuple("Flow", "weight delta inputs")
Flow.__doc__ = """Per Linear layer k = 1..L (input side first): ``weight`` = ‖∂L/∂W_k‖,
``delta`` = ‖δ_k‖ = ‖∂L/∂h̃_k‖ (the gradient arriving at the layer's output) and
``inputs`` = ‖h_{k-1}‖ (the layer's input). Frobenius norms over the batch."""


@one_blas_thread
def gradient_flow(activation="sigmoid", depth=DEPTH, scale=1.0, seed=0, width=WIDTH):
    """One forward/backward of ``deep_mlp`` on ``batch()`` with the softmax cross-entropy.

    ∂L/∂W_k = h_{k-1}ᵀ δ_k, so ‖∂L/∂W_k‖ ≤ ‖h_{k-1}‖ ‖δ_k‖: the flow records all three.
    """
    model = deep_mlp(activation, depth, scale, width, seed)
    X, y = batch()
    loss = SoftmaxCrossEntropy()
    weight, delta, inputs = [], [], []
    with np.errstate(all="ignore"):
        loss.forward(model.forward(X), y)
        d = loss.backward()
        for layer in reversed(model.layers):
            if isinstance(layer, Linear):
                delta.append(np.linalg.norm(d))
                inputs.append(np.linalg.norm(layer.x))
            d = layer.backward(d)
            if isinstance(layer, Linear):
                weight.append(np.linalg.norm(layer.grads["W"]))
    return Flow(*(np.array(v[::-1]) for v in (weight, delta, inputs)))


def sweep(depth=DEPTH, scales=SCALES, acts=ACTIVATIONS, seed=0):
    """{(activation, g): Flow} for every activation and weight scale."""
    return {(a, g): gradient_flow(a, depth, g, seed) for a in acts for g in scales}


def first_last_ratios(activation, scale, depth=DEPTH, seeds=range(5)):
    """‖∂L/∂W₁‖ / ‖∂L/∂W_L‖ for several seeds."""
    out = []
    for s in seeds:
        w = gradient_flow(activation, depth, scale, seed=s).weight
        out.append(w[0] / w[-1])
    return np.array(out)


def per_layer_factor(flow):
    """Geometric mean of ‖δ_k‖ / ‖δ_{k+1}‖ over the hidden layers: how much one layer of
    backprop multiplies the gradient by, on average."""
    d = flow.delta
    return float(np.exp(np.mean(np.diff(np.log(d[::-1])))))


def _wide_fonts(fig):
    """Larger text for a three-panel figure, which the page shrinks to its column width."""
    for ax in fig.axes:
        ax.tick_params(labelsize=12)
        ax.title.set_fontsize(14)
        ax.xaxis.label.set_fontsize(13)
        ax.yaxis.label.set_fontsize(13)
        if ax.get_legend():
            for t in ax.get_legend().get_texts():
                t.set_fontsize(11)
    return fig


def ratio_table(result):
    """‖∂L/∂W_1‖ / ‖∂L/∂W_L‖ for every (activation, g) of a ``sweep``, as aligned text."""
    acts = list(dict.fromkeys(a for a, _ in result))
    scales = list(dict.fromkeys(g for _, g in result))
    lines = []
    for a in acts:
        cells = [f"g={g:g}: {result[(a, g)].weight[0] / result[(a, g)].weight[-1]:8.1e}" for g in scales]
        lines.append(f"{a:8s} " + "  ".join(cells))
    return "\n".join(lines)


def rho_table(result):
    """Measured per-layer factor ρ for every (activation, g) of a ``sweep``, and g/√2 (ReLU's theory)."""
    acts = list(dict.fromkeys(a for a, _ in result))
    scales = list(dict.fromkeys(g for _, g in result))
    lines = [f"{a:12s} " + "  ".join(f"g={g:g}: {per_layer_factor(result[(a, g)]):.3f}" for g in scales)
             for a in acts]
    lines.append(f"{'ReLU 이론값':10s} " + "  ".join(f"g={g:g}: {g / math.sqrt(2):.3f}" for g in scales))
    return "\n".join(lines)


def _scale_label(g):
    return "g = √2 (He)" if abs(g - math.sqrt(2)) < 1e-9 else f"g = {g:g}"


def fig_sweep(result=None, depth=DEPTH):
    """Three panels (sigmoid, tanh, ReLU): ‖∂L/∂W_k‖ per layer, one line per weight scale."""
    result = sweep(depth) if result is None else result
    acts = list(dict.fromkeys(a for a, _ in result))
    scales = list(dict.fromkeys(g for _, g in result))
    fig, axes = plots.figure(ncols=len(acts), width=3.3, height=3.4)
    for ax, a in zip(axes[0], acts):
        for i, g in enumerate(scales):
            w = result[(a, g)].weight
            ax.plot(np.arange(1, len(w) + 1), w, marker="o", ms=3, color=plots.COLORS[i],
                    label=_scale_label(g))
        log_layers(ax)
        ax.set_title(KOREAN[a])
        ax.set_xlabel("층 k (1 = 입력 쪽)")
    axes[0, 0].set_ylabel("가중치 기울기의 노름 (로그 눈금)")
    fig.legend(*axes[0, 0].get_legend_handles_labels(), loc="outside right center", fontsize=11)
    return _wide_fonts(fig)


FACTOR_CASES = (("sigmoid", 1.0), ("tanh", 0.5), ("relu", 2.0))


def fig_factors(cases=FACTOR_CASES, depth=DEPTH):
    """For each case: ‖h_{k-1}‖, ‖δ_k‖ and ‖∂L/∂W_k‖ per layer."""
    fig, axes = plots.figure(ncols=len(cases), width=3.3, height=3.4)
    for ax, (a, g) in zip(axes[0], cases):
        f = gradient_flow(a, depth, g)
        k = np.arange(1, depth + 1)
        ax.plot(k, f.inputs, color=plots.COLORS[2], ls=":", marker="s", ms=3, label=r"$\|h_{k-1}\|$")
        ax.plot(k, f.delta, color=plots.COLORS[1], ls="--", marker="^", ms=3, label=r"$\|\delta_k\|$")
        ax.plot(k, f.weight, color=plots.COLORS[0], marker="o", ms=3, label=r"$\|\partial L/\partial W_k\|$")
        log_layers(ax)
        ax.set_title(f"{KOREAN[a]}, g = {g:g}")
        ax.set_xlabel("층 k (1 = 입력 쪽)")
    axes[0, 0].set_ylabel("노름 (로그 눈금)")
    axes[0, 0].legend(fontsize=8)
    return _wide_fonts(fig)


# ---------------------------------------------------------------- what the gradients do

@one_blas_thread
def relative_updates(activation="sigmoid", depth=DEPTH, scale=1.0, lr=0.1, epochs=1, seed=0):
    """‖W_k(after) - W_k(before)‖ / ‖W_k(before)‖ per layer after ``epochs`` of plain SGD
    on the digits' training set (batch 32)."""
    model = deep_mlp(activation, depth, scale, seed=seed)
    keys = train.weight_keys(model)
    before = [model.params[k].copy() for k in keys]
    split = digits()
    train.fit(model, split.X_train, split.y_train, optimizer=optim.SGD(lr=lr), epochs=epochs,
              batch_size=32, rng=np.random.default_rng(seed), record_grad_norms=False)
    return np.array([np.linalg.norm(model.params[k] - w) / np.linalg.norm(w)
                     for k, w in zip(keys, before)])


UPDATE_CASES = (("sigmoid", 1.0), ("relu", math.sqrt(2)))


def update_cases(cases=UPDATE_CASES, depth=DEPTH):
    """{(activation, g): relative_updates(...)} for the cases of the figure."""
    return {(a, g): relative_updates(a, depth, g) for a, g in cases}


def fig_updates(updates=None, depth=DEPTH):
    """Relative change of every layer's weights after one epoch of SGD: ``updates`` maps
    (activation, g) to ``relative_updates`` (computed for ``UPDATE_CASES`` if None)."""
    if updates is None:
        updates = update_cases(depth=depth)
    fig, axes = plots.figure(width=6.0, height=3.2)
    ax = axes[0, 0]
    for i, ((a, g), r) in enumerate(updates.items()):
        ax.plot(np.arange(1, len(r) + 1), r, marker="o", ms=3, color=plots.COLORS[i],
                label=f"{KOREAN[a]}, {_scale_label(g)}")
    log_layers(ax)
    ax.set_xlabel("층 k (1 = 입력 쪽)")
    ax.set_ylabel(r"$\|\Delta W_k\| \,/\, \|W_k\|$")
    ax.set_title("SGD 1에폭 뒤 가중치가 바뀐 비율")
    ax.legend()
    return fig


# ---------------------------------------------------------------- the widget

@cached
def widget_flow(activation, scale, depth):
    """``gradient_flow`` of one widget setting, cached."""
    return gradient_flow(activation, depth, scale)


def prepare(activation="sigmoid", scale=1.0, depth=DEPTH):
    """The widget's ``prepare``: a live widget computes its static grid once, when it is
    created, so moving a control only draws."""
    widget_flow(activation, scale, depth)


@plots.reused
def _frame():
    """The widget's figure, built once: building axes and ticks costs more than drawing
    them, so ``draw`` only updates the two lines and the title of this figure."""
    fig, axes = plots.figure(width=6.2, height=3.3, layout="fixed")
    ax = axes[0, 0]
    # Unicode, not mathtext: every new renderer would parse "$...$" again
    ax.plot([1, 2], [1, 2], marker="o", ms=4, color=plots.COLORS[0], label="‖∂L/∂Wₖ‖")
    ax.plot([1, 2], [1, 2], ls="--", marker="^", ms=3, color=plots.COLORS[1], label="‖δₖ‖")
    log_layers(ax)
    ax.set_xlabel("층 k (1 = 입력 쪽)")
    ax.set_ylabel("노름 (로그 눈금)")
    ax.legend(fontsize=10, loc="best")
    return fig


def draw(activation="sigmoid", scale=1.0, depth=DEPTH):
    """Widget frame: ‖∂L/∂W_k‖ and ‖δ_k‖ per layer for one setting (the one figure of
    ``_frame``, updated)."""
    f = widget_flow(activation, scale, depth)
    values = np.concatenate([f.weight, f.delta])
    if not np.all(np.isfinite(values)):
        return "발산했습니다: 기울기가 float64의 범위를 넘어 inf가 되었습니다. g나 깊이를 줄여 보세요."
    if np.any(values == 0):
        return "기울기를 계산했더니 정확히 0이 되었습니다 (float64 언더플로). g를 키우거나 깊이를 줄여 보세요."
    fig = _frame()
    ax = fig.axes[0]
    k = np.arange(1, depth + 1)
    weight_line, delta_line = ax.lines
    weight_line.set_data(k, f.weight)
    delta_line.set_data(k, f.delta)
    ax.relim()
    ax.autoscale()  # the last frame may have fixed the y limits
    lo, hi = values.min(), values.max()
    if hi / lo < 100:  # keep at least two decades visible so a flat line looks flat
        mid = math.sqrt(lo * hi)
        ax.set_ylim(mid / 10, mid * 10)
    ratio = f.weight[0] / f.weight[-1]
    ax.set_title(f"{KOREAN[activation]}, g = {scale:g}, {depth}층:  첫 층 / 마지막 층 = {ratio:.1e}")
    return fig


WIDGETS = {
    "main": dict(
        draw=draw,
        prepare=prepare,
        controls={"activation": list(ACTIVATIONS), "scale": list(SCALES), "depth": list(DEPTHS)},
        labels={"activation": "활성화 함수", "scale": "가중치 배율 g", "depth": "깊이 L"},
        live={"scale": [0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0],
              "depth": [2, 5, 10, 15, 20, 30, 40, 50]},
    ),
}
