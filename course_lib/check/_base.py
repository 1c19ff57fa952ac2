"""What every exercise checker returns: pass/fail with concrete Korean feedback.

A checker runs the student's function on hidden cases, and either says it passes or
says what is wrong (the value it got and the value it should have been, or the classic
mistake it recognises). It never prints the reference solution.
"""


class Result:
    """Outcome of a checker. Truthy when passed; shows itself as Korean text in Jupyter."""

    def __init__(self, passed, messages=()):
        self.passed = bool(passed)
        self.messages = list(messages)

    def __bool__(self):
        return self.passed

    def __repr__(self):
        if self.passed:
            return "통과했습니다! " + " ".join(self.messages)
        return "아직 틀렸습니다.\n" + "\n".join(f"- {m}" for m in self.messages)

    def _repr_markdown_(self):
        if self.passed:
            return "**통과했습니다!** " + " ".join(self.messages)
        return "**아직 틀렸습니다.**\n\n" + "\n".join(f"- {m}" for m in self.messages)


def run_safely(fn, *args, **kwargs):
    """Call the student's ``fn``; return (value, None) or (None, Korean message)."""
    try:
        return fn(*args, **kwargs), None
    except NotImplementedError:
        return None, "아직 구현하지 않았습니다 (NotImplementedError)."
    except Exception as err:  # the student's bug is feedback, not a crash
        return None, f"함수를 실행하다 오류가 났습니다: {type(err).__name__}: {err}"
