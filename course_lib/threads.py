"""BLAS threads for the course's tiny matrices.

Our matrices are small (at most 1000 × 100). On a busy 2-core machine two BLAS threads
spin-wait for each other and run several times slower than one, so experiments run
with BLAS limited to one thread. ``threadpoolctl`` comes with scikit-learn.
"""
import functools

from threadpoolctl import threadpool_limits


def one_blas_thread(fn):
    """Decorator: run ``fn`` with BLAS limited to one thread."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with threadpool_limits(limits=1, user_api="blas"):
            return fn(*args, **kwargs)
    return wrapper
