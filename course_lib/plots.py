"""Plots of the course: Korean text that renders everywhere, colour-blind-safe colours.

``setup()`` is called by every function here, so ``from course_lib import plots`` is all
a notebook needs. Korean glyphs come from NanumGothic bundled in ``koreanize-matplotlib``,
so no system font is required (local machine, Colab, Binder).

Fonts: DejaVu Sans (shipped with matplotlib) comes first and NanumGothic second, so
matplotlib falls back to NanumGothic for every Korean glyph. The order matters: log-axis
tick labels are mathtext (``$10^{-3}$``) drawn in the *first* font, and NanumGothic has no
minus sign (U+2212). The price: a string that mixes Korean with ``$...$`` math is drawn
entirely by mathtext in DejaVu, without Korean — write "학습률 η" (plain Greek letter),
not "학습률 $\\eta$". The widget sweep test fails on any missing glyph.
"""
import functools
import math

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib import ticker
from matplotlib.backends.backend_agg import FigureCanvasAgg

# Okabe & Ito (2008): distinguishable with every common colour-vision deficiency.
COLORS = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]

_done = False


def setup():
    """Korean font, ASCII minus sign, readable sizes and the colour cycle. Idempotent."""
    global _done
    if _done:
        return
    import koreanize_matplotlib  # noqa: F401  (registers NanumGothic on import)

    matplotlib.rcParams.update({
        "font.family": ["DejaVu Sans", "NanumGothic"],
        "axes.unicode_minus": False,  # NanumGothic has no U+2212: use '-'
        "axes.prop_cycle": matplotlib.cycler(color=COLORS),
        "figure.dpi": 100,
        "savefig.dpi": 100,
        "font.size": 11,
        "axes.titlesize": 12,
        # a fixed title height: matplotlib otherwise measures the axis' tick labels on
        # every draw to lift the title above them (~20 ms a frame; no panel of ours has
        # tick labels on top)
        "axes.titley": 1.0,
        "axes.labelsize": 11,
        "legend.fontsize": 10,
        "axes.grid": True,
        "grid.alpha": 0.3,
    })
    _done = True


# Margins of a "fixed" figure, in inches: room for the y tick labels and label on the
# left and between panels, for the x label below and the title above.
FIXED_MARGINS = {"left": 0.75, "right": 0.15, "bottom": 0.55, "top": 0.4, "wspace": 0.75, "hspace": 0.75}


def figure(ncols=1, nrows=1, width=4.2, height=3.2, layout="constrained", **kwargs):
    """``plt.subplots`` with the course style and a size per panel (inches).

    ``layout="constrained"`` lets matplotlib place labels (the book's figures);
    ``layout="fixed"`` uses ``FIXED_MARGINS`` instead, which skips a layout pass and
    makes a widget frame about twice as fast to draw.
    """
    setup()
    fixed = layout == "fixed"
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows),
                             squeeze=False, layout=None if fixed else layout, **kwargs)
    if fixed:
        fix_margins(fig)
    return fig, axes


def fix_margins(fig, **inches):
    """Place the panels of ``fig`` with margins given in inches (defaults: ``FIXED_MARGINS``)."""
    m = {**FIXED_MARGINS, **inches}
    w, h = fig.get_size_inches()
    ncols, nrows = (fig.axes[0].get_gridspec().ncols, fig.axes[0].get_gridspec().nrows) if fig.axes else (1, 1)
    panel_w = (w - m["left"] - m["right"] - (ncols - 1) * m["wspace"]) / ncols
    panel_h = (h - m["top"] - m["bottom"] - (nrows - 1) * m["hspace"]) / nrows
    fig.subplots_adjust(left=m["left"] / w, right=1 - m["right"] / w, bottom=m["bottom"] / h,
                        top=1 - m["top"] / h, wspace=m["wspace"] / panel_w, hspace=m["hspace"] / panel_h)


def reused(build):
    """Decorator for a widget's figure: ``build()`` runs once, and every call returns that
    same figure, ready to be drawn again.

    Creating axes, ticks and labels costs more than drawing them, so a widget frame that
    only updates its artists (``line.set_data``, ``ax.set_title``, ...) renders 30-40 %
    faster. The price: a figure returned earlier changes with the next call. The figure
    keeps one Agg canvas (its renderer caches the size of every text drawn before);
    ``to_png`` closing the figure in pyplot does not matter to it.
    """
    @functools.cache
    def built():
        fig = build()
        return fig, FigureCanvasAgg(fig)

    @functools.wraps(build)
    def get():
        fig, canvas = built()
        fig.set_canvas(canvas)
        return fig
    return get


def message(text, width=6.0, height=2.5):
    """A figure that only says ``text`` (e.g. "발산했습니다"): what a widget shows
    instead of a broken plot."""
    fig, axes = figure(width=width, height=height)
    ax = axes[0, 0]
    ax.axis("off")
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=13, wrap=True,
            color=COLORS[3], transform=ax.transAxes)
    return fig


def histograms(arrays, titles=None, bins=30, range=None, ylabel="개수", xlabel="활성화 값",
               color=COLORS[0], height=2.6, sharey=True):
    """One histogram per array, side by side (e.g. activations of layer 1..L)."""
    fig, axes = figure(ncols=len(arrays), width=2.2, height=height, sharey=sharey)
    for i, (ax, a) in enumerate(zip(axes[0], arrays)):
        a = np.asarray(a).ravel()
        a = a[np.isfinite(a)]
        ax.hist(a, bins=bins, range=range, color=color)
        ax.set_title(titles[i] if titles else f"{i + 1}층")
        ax.set_xlabel(xlabel)
        if i == 0:
            ax.set_ylabel(ylabel)
    return fig


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def log_label(v, _pos=None):
    """Tick label of a log axis: "0.01", "200", or "10⁻⁸" / "2×10⁻⁸" far from 1.

    Plain text with Unicode superscripts, not matplotlib's mathtext ``$10^{-8}$``: mathtext
    parses every new label anew (about 10 ms each), which made widget frames slow.
    """
    if not np.isfinite(v) or v <= 0:
        return ""
    if 1e-3 <= v < 1e4:
        return f"{v:g}"
    exponent = math.floor(math.log10(v) + 1e-9)
    mantissa = round(v / 10.0 ** exponent, 2)
    head = "10" if mantissa == 1 else f"{mantissa:g}×10"
    return head + str(exponent).translate(_SUPERSCRIPT)


class LogTicks(ticker.Locator):
    """Ticks of a log axis: powers of ten (thinned to at most ``n``) over more than two
    decades, 1-2-5 steps over fewer, evenly spaced ticks within a factor of 4."""

    def __init__(self, n=7):
        self.n = n

    def __call__(self):
        return self.tick_values(*self.axis.get_view_interval())

    def tick_values(self, vmin, vmax):
        lo, hi = sorted((max(vmin, 1e-300), max(vmax, 1e-300)))
        span = math.log10(hi / lo)
        if span < 0.6:  # less than a factor of 4: plain evenly spaced ticks
            return [t for t in ticker.MaxNLocator(4).tick_values(lo, hi) if t > 0]
        a, b = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
        if span <= 2:
            ticks = [m * 10.0 ** e for e in range(a, b + 1) for m in (1, 2, 5)]
        else:
            step = math.ceil((b - a + 1) / self.n)
            ticks = [10.0 ** e for e in range(a - a % step, b + 1, step)]
        return [t for t in ticks if lo * (1 - 1e-9) <= t <= hi * (1 + 1e-9)]


def log_axis(ax, axis="y"):
    """Log scale on ``ax``'s ``axis`` ("x" or "y") with ``LogTicks`` and ``log_label``."""
    setup()
    getattr(ax, f"set_{axis}scale")("log")
    target = getattr(ax, f"{axis}axis")
    target.set_major_locator(LogTicks())
    target.set_major_formatter(ticker.FuncFormatter(log_label))
    target.set_minor_locator(ticker.NullLocator())


def layer_norms(series, ylabel="기울기 노름 ‖∂L/∂W‖", xlabel="층 (입력 쪽 → 출력 쪽)",
                title=None, ax=None):
    """Per-layer values on a log scale, one line with markers per entry of ``series``."""
    return curves(series, ylabel=ylabel, xlabel=xlabel, title=title, logy=True, ax=ax, marker="o")


def curves(series, ylabel="손실", xlabel="에폭", title=None, logy=False, ax=None, marker=None):
    """Lines over 1, 2, …, one per entry of ``series`` (label → values), e.g. training curves."""
    if ax is None:
        fig, axes = figure(width=6.0, height=3.4)
        ax = axes[0, 0]
    else:
        fig = ax.figure
    for label, values in series.items():
        values = np.asarray(values, dtype=float)
        ax.plot(np.arange(1, len(values) + 1), values, marker=marker, label=label)
    if logy:
        log_axis(ax)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    if len(series) > 1:
        ax.legend()
    return fig


def to_png(fig, palette=True):
    """PNG bytes of a figure; the figure is closed (widgets keep bytes, not figures).

    With ``palette`` the image is reduced to 256 colours (our plots use far fewer): the
    PNG gets 2-3× smaller, which is what keeps a page of precomputed widget frames light.
    The figure is rendered once and handed to Pillow as pixels (no PNG written twice).
    """
    import io

    from PIL import Image  # Pillow is a dependency of matplotlib

    fig.canvas.draw()
    image = Image.fromarray(np.asarray(fig.canvas.buffer_rgba())).convert("RGB")
    plt.close(fig)
    if palette:
        image = image.quantize(colors=256, method=Image.Quantize.FASTOCTREE)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
