"""Every widget of the book, driven through its grid of control values.

The static grid is tried in full (it is what the website precomputes); the denser live
grid one control at a time. Nothing may raise, and a figure may not plot nan/inf:
a diverging setting must say so in Korean (a string containing "발산") instead.
"""
import importlib
import pkgutil

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from course_lib import lessons
from course_lib.widgets import settings


def widget_specs():
    for info in pkgutil.iter_modules(lessons.__path__):
        module = importlib.import_module(f"course_lib.lessons.{info.name}")
        for name, spec in getattr(module, "WIDGETS", {}).items():
            yield pytest.param(spec, id=f"{info.name}.{name}")


def live_settings(spec):
    base = {k: v[0] for k, v in spec["controls"].items()}
    for name, values in (spec.get("live") or {}).items():
        for v in values:
            yield {**base, name: v}


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
    plt.close(out)


@pytest.mark.parametrize("spec", list(widget_specs()))
def test_every_widget_value(spec):
    for values in list(settings(spec["controls"])) + list(live_settings(spec)):
        assert_honest(spec["draw"](**values), values)
