"""One module per chapter: the chapter's experiments (functions returning data), its
figures, and ``WIDGETS`` — the specs its notebook passes to ``widgets.explore``:

    WIDGETS = {"main": dict(draw=draw_fn, controls={...}, labels={...}, live={...})}

The widget sweep test and the benchmark find every widget of the book through these.
"""
