"""memo.cached: one cache entry per setting, however the call is spelled."""
import pytest

from course_lib.memo import cached


def test_positional_keyword_and_default_spellings_share_one_entry():
    calls = []

    @cached
    def run(name, lr, seed=0):
        calls.append((name, lr, seed))
        return len(calls)

    assert run("adam", 0.1) == run("adam", lr=0.1) == run(name="adam", lr=0.1, seed=0) == 1
    assert run("adam", 0.1, seed=1) == 2
    assert calls == [("adam", 0.1, 0), ("adam", 0.1, 1)]
    assert run.cache_info().currsize == 2


def test_bad_arguments_raise_as_without_the_cache():
    @cached
    def run(name, lr=0.1):
        return name

    with pytest.raises(TypeError):
        run("adam", learning_rate=0.1)
