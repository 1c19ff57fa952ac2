"""The one widget mechanism of the course: ``explore(draw, controls)``.

``draw(**values)`` returns a matplotlib Figure (or a Korean message string) for one
setting of the controls. ``explore`` works in two modes:

* **live** (a Jupyter kernel: Binder, Colab, your machine): every change of a control
  calls ``draw`` again and shows the new picture (pictures are cached per setting).
* **static** (the book build sets ``COURSE_LIB_STATIC=1``): every setting in the grid
  is drawn once, ahead of time, into a tree of ``widgets.Stack``s of PNG
  ``widgets.Image``s. Each control's ``index`` is ``jslink``ed to the stacks'
  ``selected_index``, so on the static web page moving a control switches pictures in
  the browser with no kernel at all.

Controls: a list of numbers becomes a slider, a list of strings becomes toggle buttons.
``live`` may give a denser list of values for a control, used only in a live kernel.
``prepare(**values)``, when given, computes (and caches) the data of one setting, e.g. a
training run: a live widget calls it for every setting of ``controls`` when it is created,
so that moving a control to one of those settings only draws. (Settings only in ``live``
are computed when they are first shown.)
A ``draw`` that raises does not crash the widget: the message is shown instead
(``draw`` itself should report divergence in Korean, e.g. with ``plots.message``).
"""
import itertools
import os

import ipywidgets as widgets

from . import plots

STATIC_NOTE = ("이 페이지의 위젯은 미리 계산해 둔 {n}개의 결과 사이를 오갑니다. "
               "위쪽 로켓 단추로 Binder나 Colab에서 열면 어떤 값이든 그 자리에서 다시 계산합니다.")


def static_mode():
    """True while the book is being built into a static site."""
    return os.environ.get("COURSE_LIB_STATIC") == "1"


def render(draw, values):
    """PNG bytes of ``draw(**values)``; an exception or a returned string becomes a message."""
    try:
        fig = draw(**values)
    except Exception as err:  # a widget must never show a traceback to a student
        fig = f"이 설정에서는 계산하지 못했습니다: {type(err).__name__}: {err}"
    if isinstance(fig, str):
        fig = plots.message(fig)
    return plots.to_png(fig)


def settings(controls):
    """Every combination of control values, as dicts (the grid a static page holds)."""
    names = list(controls)
    for combo in itertools.product(*(controls[n] for n in names)):
        yield dict(zip(names, combo))


def _control(name, values, label):
    values = list(values)
    if not values:
        raise ValueError(f"컨트롤 '{name}'에 값이 없습니다: 값의 목록을 주세요")
    description = label or name
    style = {"description_width": "initial"}
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        options = [(f"{v:g}", v) for v in values]
        return widgets.SelectionSlider(options=options, description=description, style=style,
                                       continuous_update=False,
                                       layout=widgets.Layout(width="420px"))
    return widgets.ToggleButtons(options=[(str(v), v) for v in values], description=description,
                                 style=style)


def explore(draw, controls, labels=None, live=None, prepare=None):
    """Controls above a picture of ``draw(**values)``; see the module docstring."""
    labels = labels or {}
    if static_mode():
        return _static(draw, controls, labels)
    if prepare is not None:
        for values in settings(controls):
            try:
                prepare(**values)
            except Exception:  # draw will show the message for this setting
                pass
    grid = {**controls, **(live or {})}
    return _live(draw, grid, labels)


def _live(draw, controls, labels):
    ctrls = {n: _control(n, v, labels.get(n)) for n, v in controls.items()}
    image = widgets.Image(format="png")
    cache = {}

    def redraw(_change=None):
        values = {n: c.value for n, c in ctrls.items()}
        key = tuple(values.values())
        if key not in cache:
            cache[key] = render(draw, values)
        image.value = cache[key]

    for c in ctrls.values():
        c.observe(redraw, names="value")
    redraw()
    return widgets.VBox([*ctrls.values(), image])


def _static(draw, controls, labels):
    names = list(controls)
    ctrls = {n: _control(n, controls[n], labels.get(n)) for n in names}
    count = 0

    def tree(depth, fixed):
        nonlocal count
        if depth == len(names):
            count += 1
            return widgets.Image(value=render(draw, fixed), format="png")
        name = names[depth]
        children = [tree(depth + 1, {**fixed, name: v}) for v in controls[name]]
        stack = widgets.Stack(children, selected_index=0)
        widgets.jslink((ctrls[name], "index"), (stack, "selected_index"))
        return stack

    frames = tree(0, {})
    note = widgets.HTML(f"<small>{STATIC_NOTE.format(n=count)}</small>")
    return widgets.VBox([*ctrls.values(), frames, note])
