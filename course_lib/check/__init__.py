"""Exercise checkers with Korean feedback: ``from course_lib import check``,
then e.g. ``check.he_normal(my_he_normal)``. Each chapter's checkers live in
``check/chNN.py`` and are collected here."""
from ._base import Result  # noqa: F401
