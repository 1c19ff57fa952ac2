"""The explore() mechanism: live redraws, static frames linked in the browser, no tracebacks."""
import ipywidgets as widgets
import numpy as np
import pytest

from course_lib import plots, widgets as cw


def draw(scale, kind):
    fig, axes = plots.figure()
    x = np.linspace(0, 1, 20)
    axes[0, 0].plot(x, scale * x if kind == "선형" else scale * x ** 2)
    return fig


def broken(scale):
    if scale > 1:
        raise FloatingPointError("overflow")
    return draw(scale, "선형")


CONTROLS = {"scale": [0.5, 1, 2], "kind": ["선형", "제곱"]}


def test_live_mode_redraws_on_change(monkeypatch):
    monkeypatch.delenv("COURSE_LIB_STATIC", raising=False)
    box = cw.explore(draw, CONTROLS, labels={"scale": "배율"})
    slider, toggle, image = box.children
    assert slider.description == "배율"
    first = image.value
    slider.value = 2
    assert image.value != first
    toggle.value = "제곱"
    after_toggle = image.value
    slider.value = 0.5
    slider.value = 2
    assert image.value == after_toggle  # same setting, same picture (cached)


def test_live_mode_uses_the_denser_live_grid(monkeypatch):
    monkeypatch.delenv("COURSE_LIB_STATIC", raising=False)
    box = cw.explore(draw, CONTROLS, live={"scale": [0.5, 0.75, 1, 1.5, 2]})
    assert len(box.children[0].options) == 5


def test_a_raising_draw_shows_a_message_not_a_traceback(monkeypatch):
    monkeypatch.delenv("COURSE_LIB_STATIC", raising=False)
    box = cw.explore(broken, {"scale": [1, 2]})
    slider, image = box.children
    ok = image.value
    slider.value = 2  # raises inside draw
    assert image.value and image.value != ok


def test_static_mode_precomputes_every_setting_and_links_controls(monkeypatch):
    monkeypatch.setenv("COURSE_LIB_STATIC", "1")
    linked = set()
    real_jslink = widgets.jslink

    def recording_jslink(source, target):
        linked.add((source[0].model_id, source[1], target[0].model_id, target[1]))
        return real_jslink(source, target)

    monkeypatch.setattr(cw.widgets, "jslink", recording_jslink)
    box = cw.explore(draw, CONTROLS)
    slider, toggle, outer, note = box.children
    assert isinstance(outer, widgets.Stack) and len(outer.children) == 3
    inner = outer.children
    assert all(isinstance(s, widgets.Stack) and len(s.children) == 2 for s in inner)
    frames = [img.value for s in inner for img in s.children]
    assert len(set(frames)) == 6  # six different pictures
    assert "6개" in note.value
    assert (slider.model_id, "index", outer.model_id, "selected_index") in linked
    assert all((toggle.model_id, "index", s.model_id, "selected_index") in linked for s in inner)


def test_a_control_without_values_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("COURSE_LIB_STATIC", raising=False)
    with pytest.raises(ValueError, match="scale"):
        cw.explore(draw, {"scale": []})


def test_live_mode_prepares_every_static_setting_once(monkeypatch):
    monkeypatch.delenv("COURSE_LIB_STATIC", raising=False)
    prepared = []

    def prepare(scale, kind):
        prepared.append((scale, kind))
        if scale == 2:
            raise FloatingPointError("overflow")  # draw reports it; creating the widget must not fail

    cw.explore(draw, CONTROLS, live={"scale": [0.5, 0.75, 1, 2]}, prepare=prepare)
    assert sorted(prepared) == sorted((s, k) for s in CONTROLS["scale"] for k in CONTROLS["kind"])
