"""course_lib — the NumPy engine of the course 「기울기 소실과 폭주」.

Layers of the package (imports run one way, top to bottom):

* numerics (NumPy only): ``init``, ``layers``, ``activations``, ``losses``, ``network``,
  ``rnn``, ``optim``, ``clip``, ``schedules``, ``regularizers``, ``gradcheck``, ``data``
* training and diagnostics (return data): ``train``, ``diagnostics``
* plots and widgets (matplotlib, ipywidgets): ``plots``, ``widgets``; exercise checkers: ``check``

``import course_lib`` imports nothing heavy; import the submodule you need.
"""
__version__ = "0.1.0"
