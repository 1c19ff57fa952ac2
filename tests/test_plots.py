"""plots: log-axis ticks and labels without mathtext, fixed margins, PNG frames."""
import io

import numpy as np
import pytest
from PIL import Image

from course_lib import plots


@pytest.mark.parametrize("value, label", [(1e-8, "10⁻⁸"), (2e-8, "2×10⁻⁸"), (0.001, "0.001"), (0.05, "0.05"),
                                          (1.0, "1"), (200.0, "200"), (1e4, "10⁴"), (5e5, "5×10⁵"),
                                          (0.0, ""), (float("nan"), "")])
def test_log_label_is_plain_text(value, label):
    assert plots.log_label(value) == label
    assert "$" not in plots.log_label(value)


@pytest.mark.parametrize("lo, hi, expected", [
    (1e-12, 1.0, [1e-12, 1e-10, 1e-8, 1e-6, 1e-4, 1e-2, 1.0]),  # many decades: thinned powers of ten
    (0.03, 2.0, [0.05, 0.1, 0.2, 0.5, 1.0, 2.0]),  # under two decades: 1-2-5
])
def test_log_ticks(lo, hi, expected):
    assert np.allclose(plots.LogTicks().tick_values(lo, hi), expected)


def test_log_ticks_within_a_factor_of_four_are_evenly_spaced():
    ticks = plots.LogTicks().tick_values(0.5, 0.9)
    assert len(ticks) >= 3 and all(0.5 <= t <= 0.9 for t in ticks)


def test_log_ticks_never_exceed_n():
    assert len(plots.LogTicks(n=7).tick_values(1e-300, 1e300)) <= 8


def test_fixed_layout_places_panels_by_inches():
    fig, axes = plots.figure(ncols=2, width=3.0, height=2.5, layout="fixed")
    left = axes[0, 0].get_position()
    right = axes[0, 1].get_position()
    w, h = fig.get_size_inches()
    m = plots.FIXED_MARGINS
    assert left.x0 * w == pytest.approx(m["left"])
    assert (1 - right.x1) * w == pytest.approx(m["right"])
    assert (right.x0 - left.x1) * w == pytest.approx(m["wspace"])
    assert left.y0 * h == pytest.approx(m["bottom"])
    assert fig.get_layout_engine() is None
    plots.to_png(fig)


@pytest.mark.parametrize("palette, mode", [(True, "P"), (False, "RGB")])
def test_to_png_gives_png_bytes_of_the_figure_size(palette, mode):
    fig, axes = plots.figure(width=4.0, height=3.0)
    axes[0, 0].plot([1, 2, 3], [1, 4, 9])
    image = Image.open(io.BytesIO(plots.to_png(fig, palette=palette)))
    assert image.format == "PNG" and image.mode == mode
    assert image.size == (400, 300)


def test_reused_builds_once_and_stays_drawable_after_to_png():
    built = []

    @plots.reused
    def frame():
        built.append(1)
        fig, axes = plots.figure(layout="fixed")
        axes[0, 0].plot([1, 2], [1, 2])
        return fig

    first = plots.to_png(frame())
    fig = frame()
    fig.axes[0].lines[0].set_ydata([2, 1])
    second = plots.to_png(fig)
    assert built == [1] and frame() is fig
    assert first != second
