"""``cached``: remember a function's results, whichever way it is called.

``functools.lru_cache`` keys on the arguments as written, so ``run("adam", 0.1)``,
``run("adam", lr=0.1)`` and ``run("adam", 0.1, seed=0)`` (seed=0 being the default) are
three entries and three trainings. ``cached`` binds the arguments to the signature first
(defaults filled in), so they are one. The experiments of the chapters are deterministic
(seeded), so a cached result is the result.
"""
import functools
import inspect


def cached(fn):
    """Decorator: call ``fn`` once per distinct setting of its arguments (defaults applied)."""
    signature = inspect.signature(fn)
    call = functools.lru_cache(maxsize=None)(fn)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        return call(*bound.args, **bound.kwargs)

    wrapper.cache_clear = call.cache_clear
    wrapper.cache_info = call.cache_info
    return wrapper
