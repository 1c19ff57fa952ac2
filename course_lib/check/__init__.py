"""Exercise checkers with Korean feedback: ``from course_lib import check``, then e.g.
``check.he_normal(my_he_normal)``. Each runs the student's function on hidden cases and
returns a ``Result`` (truthy when it passes) that names the mistake it recognises.
Each chapter's checkers live in ``check/chNN.py``."""
from ._base import Result  # noqa: F401
from .ch01 import sigmoid_backprop  # noqa: F401
from .ch02 import selu  # noqa: F401
from .ch03 import he_normal  # noqa: F401
from .ch04 import batchnorm_forward  # noqa: F401
from .ch05 import layernorm_forward  # noqa: F401
from .ch06 import clip_grad_norm  # noqa: F401
from .ch07 import adam_step  # noqa: F401
from .ch08 import cosine_lr  # noqa: F401
from .ch09 import dropout  # noqa: F401
from .ch10 import transfer_model  # noqa: F401
from .ch11 import diagnose  # noqa: F401
