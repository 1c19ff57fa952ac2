"""Every widget of the book, driven through its control values.

Every value of every control is tried (one control at a time from the first setting,
including the denser live values), plus a fixed sample of the full product of the
static grid (what the website precomputes). Nothing may raise; a figure may not plot
nan/inf (a diverging setting must say so in Korean, a string with "발산", instead), and
no glyph may be missing from the fonts (Korean or minus signs drawn as boxes).
"""
import importlib
import logging
import pkgutil

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from course_lib import lessons, plots
from course_lib.widgets import settings

PRODUCT_SAMPLE = 12


def widget_specs():
    for info in pkgutil.iter_modules(lessons.__path__):
        module = importlib.import_module(f"course_lib.lessons.{info.name}")
        for name, spec in getattr(module, "WIDGETS", {}).items():
            yield pytest.param(spec, id=f"{info.name}.{name}")


def sweep(spec):
    """One control at a time over all its (static and live) values, then a product sample."""
    controls = spec["controls"]
    base = {k: v[0] for k, v in controls.items()}
    tried = []
    for name in controls:
        for v in list(controls[name]) + list((spec.get("live") or {}).get(name, [])):
            values = {**base, name: v}
            if values not in tried:
                tried.append(values)
    product = list(settings(controls))
    rng = np.random.default_rng(0)
    for i in rng.permutation(len(product))[:PRODUCT_SAMPLE]:
        if product[i] not in tried:
            tried.append(product[i])
    return tried


def assert_honest(out, values):
    if isinstance(out, str):
        assert "발산" in out or "계산" in out, f"{values}: message {out!r} is not Korean feedback"
        return
    assert isinstance(out, Figure), f"{values}: draw returned {type(out).__name__}"
    texts = " ".join(t.get_text() for ax in out.axes for t in ax.texts)
    for ax in out.axes:
        for line in ax.get_lines():
            y = np.asarray(line.get_ydata(), dtype=float)
            if "발산" not in texts:
                assert np.all(np.isfinite(y)), f"{values}: a line plots nan/inf without saying 발산"
    plots.to_png(out)  # draws every text: missing glyphs are logged here


@pytest.mark.parametrize("spec", list(widget_specs()))
def test_every_widget_value(spec, caplog):
    with caplog.at_level(logging.WARNING, logger="matplotlib"):
        for values in sweep(spec):
            assert_honest(spec["draw"](**values), values)
    missing = [r.getMessage() for r in caplog.records if "glyph" in r.getMessage()]
    assert not missing, f"missing glyphs: {sorted(set(missing))[:3]}"
    plt.close("all")
