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
import matplotlib

import matplotlib.pyplot as plt
import numpy as np

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
        "axes.labelsize": 11,
        "legend.fontsize": 10,
        "axes.grid": True,
        "grid.alpha": 0.3,
    })
    _done = True


def figure(ncols=1, nrows=1, width=4.2, height=3.2, **kwargs):
    """``plt.subplots`` with the course style and a size per panel (inches)."""
    setup()
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows),
                             squeeze=False, layout="constrained", **kwargs)
    return fig, axes


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
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    if len(series) > 1:
        ax.legend()
    return fig


def to_png(fig, dpi=None, palette=True):
    """PNG bytes of a figure; the figure is closed (widgets keep bytes, not figures).

    With ``palette`` the image is reduced to 256 colours (our plots use far fewer): the
    PNG gets 2-3× smaller, which is what keeps a page of precomputed widget frames light.
    """
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    plt.close(fig)
    if not palette:
        return buf.getvalue()
    from PIL import Image  # Pillow is a dependency of matplotlib

    image = Image.open(buf).convert("RGB").quantize(colors=256, method=Image.Quantize.FASTOCTREE)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
