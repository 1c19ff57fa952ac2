"""Checker of chapter 2 (활성화 함수): SELU and its derivative.

The student writes ``my_selu(x) -> (f, df)`` for an array ``x``:

    f(x)  = λ x              if x > 0,   λ α (e^x - 1)          otherwise
    f'(x) = λ                if x > 0,   λ α e^x = f(x) + λα    otherwise

with α ≈ 1.6733, λ ≈ 1.0507 (torch.nn.SELU; Klambauer et al., 2017). Every correct way
of writing it passes: λαe^x and f(x)+λα, either one-sided slope at x = 0 (λ or λα),
constants to at least four decimals. The classic mistakes are named with numbers.
"""
import numpy as np

from ._base import Result, run_safely

ALPHA = 1.6732632423543772848170429916717
SCALE = 1.0507009873554804934193349852946
RTOL, ATOL = 1e-4, 1e-8  # the paper's four-decimal constants (1.6733, 1.0507) pass


def _selu(x, alpha=ALPHA, scale=SCALE, scale_neg=None, minus_one=True):
    """Reference forward (or a mistaken variant): λx for x > 0, λ'α(e^x - 1) otherwise."""
    scale_neg = scale if scale_neg is None else scale_neg
    e = np.exp(np.minimum(x, 0))
    neg = scale_neg * alpha * (e - 1 if minus_one else e)
    return np.where(x > 0, scale * x, neg)


def _dselu(x, alpha=ALPHA, scale=SCALE):
    return np.where(x > 0, scale, scale * alpha * np.exp(np.minimum(x, 0)))


def _cases():
    """Hidden inputs: a grid with 0 on it, random 2-D arrays, and values far from 0."""
    rng = np.random.default_rng(7)
    return [np.linspace(-6, 6, 49),
            rng.normal(0, 2, size=(4, 5)),
            rng.normal(0, 0.3, size=(3, 2, 4)),
            np.array([-800.0, -50.0, -1e-9, 1e-9, 50.0, 800.0])]


def _close(a, b):
    return a.shape == b.shape and np.allclose(a, b, rtol=RTOL, atol=ATOL)


# (name, wrong forward as a function of x, message)
FORWARD_MISTAKES = [
    ("no_scale", lambda x: _selu(x, scale=1.0),
     "λ(≈1.0507)를 곱하지 않았습니다: 지금 함수는 α=1.6733인 ELU입니다. SELU는 ELU 전체에 λ를 곱한 "
     "것입니다, f(x) = λ·x (x > 0), λα(e^x - 1) (x ≤ 0)."),
    ("alpha_one", lambda x: _selu(x, alpha=1.0),
     "α를 1로 썼습니다 (ELU의 기본값): SELU의 α는 1.6733입니다. x = -50에서 f는 -λα ≈ -1.7581이어야 "
     "하는데 -λ ≈ -1.0507이 나왔습니다."),
    ("swapped", lambda x: _selu(x, alpha=SCALE, scale=ALPHA),
     "α와 λ를 바꿔 썼습니다: α ≈ 1.6733 (음수 쪽 포화값의 크기), λ ≈ 1.0507 (전체 배율)입니다."),
    ("scale_only_neg", lambda x: _selu(x, scale=1.0, scale_neg=SCALE),
     "양수 쪽(x > 0)에 λ를 곱하지 않았습니다: SELU는 x > 0에서도 λ·x입니다 (x가 아니라)."),
    ("scale_only_pos", lambda x: _selu(x, scale_neg=1.0),
     "음수 쪽(x ≤ 0)에 λ를 곱하지 않았습니다: 음수 쪽도 λ·α(e^x - 1)입니다."),
    ("no_minus_one", lambda x: _selu(x, minus_one=False),
     "음수 쪽에서 e^x - 1의 -1을 빠뜨렸습니다: 그러면 f(0⁻) = λα ≈ 1.758이 되어 x = 0에서 함수가 "
     "끊어지고, x → -∞에서 0으로 갑니다 (-λα로 포화해야 합니다)."),
    ("relu", lambda x: _selu(x, alpha=0.0),
     "음수 쪽을 0으로 두었습니다 (λ·ReLU): 음수 쪽은 λα(e^x - 1)로 -λα ≈ -1.758까지 내려가야 "
     "평균을 0으로 끌어당길 수 있습니다."),
]

DERIVATIVE_MISTAKES = [
    ("one_positive", lambda x: np.where(x > 0, 1.0, _dselu(x)),
     "x > 0에서 도함수를 1로 두었습니다: f(x) = λx이므로 f'(x) = λ ≈ 1.0507입니다."),
    ("no_scale_neg", lambda x: np.where(x > 0, SCALE, ALPHA * np.exp(np.minimum(x, 0))),
     "x ≤ 0에서 도함수에 λ를 빠뜨렸습니다 (αe^x): f(x) = λα(e^x - 1)을 미분하면 λαe^x입니다."),
    ("elu_identity", lambda x: np.where(x > 0, SCALE, _selu(x) + ALPHA),
     "x ≤ 0에서 f'(x) = f(x) + α로 썼습니다: 이 항등식은 λ = 1인 ELU의 것입니다. SELU에서는 "
     "f'(x) = λαe^x = f(x) + λα입니다."),
    ("returned_f", lambda x: np.where(x > 0, SCALE, _selu(x)),
     "x ≤ 0에서 도함수 대신 함숫값 f(x) = λα(e^x - 1)을 돌려주었습니다: 미분하면 -1이 사라져 "
     "λαe^x가 됩니다."),
    ("no_scale", lambda x: _dselu(x, scale=1.0),
     "도함수 전체에 λ를 빠뜨렸습니다: x > 0에서 λ, x ≤ 0에서 λαe^x입니다."),
    ("zero_negative", lambda x: np.where(x > 0, SCALE, 0.0),
     "x ≤ 0에서 도함수를 0으로 두었습니다 (ReLU처럼): SELU는 음수 쪽에서도 λαe^x > 0의 기울기를 "
     "가집니다. 그래서 죽은 유닛이 생기지 않습니다."),
]


def _name_mistake(got, x, mistakes, mask=None):
    """The message of the first mistake that reproduces ``got`` (on ``mask`` only, if given)."""
    mask = np.ones(x.shape, bool) if mask is None else mask
    for _, wrong, message in mistakes:
        with np.errstate(all="ignore"):
            w = wrong(x)
        if w.shape == got.shape and np.allclose(got[mask], w[mask], rtol=RTOL, atol=ATOL):
            return message
    return None


def _worst(what, got, want, x):
    i = np.unravel_index(np.argmax(np.abs(got - want)), got.shape)
    return f"{what}: x = {x[i]:.6g}에서 {got[i]:.6g}를 돌려주었습니다 (기대값 {want[i]:.6g})."


def _fitted_constants(fn):
    """λ and α as the student's forward implies them: λ = f(1), α = -f(-50)/λ."""
    value, error = run_safely(fn, np.array([1.0, -50.0]))
    if error or not isinstance(value, tuple) or len(value) != 2:
        return None
    f = np.asarray(value[0], dtype=float)
    if f.shape != (2,) or not np.all(np.isfinite(f)) or f[0] == 0:
        return None
    return f[0], -f[1] / f[0]


def selu(fn):
    """Check ``fn(x) -> (f, df)``: SELU and its derivative on hidden inputs."""
    for i, x in enumerate(_cases(), start=1):
        where = f"경우 {i} (x의 모양 {x.shape})"
        x_in = x.copy()
        with np.errstate(all="ignore"):
            value, error = run_safely(fn, x_in)
        if error:
            return Result(False, [f"{where}: {error}"])
        if not np.array_equal(x_in, x):
            return Result(False, [f"{where}: 입력 x를 제자리에서 바꿨습니다. 새 배열을 만들어 돌려주세요."])
        if not (isinstance(value, tuple) and len(value) == 2):
            return Result(False, [f"{where}: (f, df) 두 배열을 튜플로 돌려주어야 합니다. "
                                  f"받은 값: {type(value).__name__}"])
        f, df = (np.asarray(v, dtype=float) for v in value)
        for what, got in (("f", f), ("df", df)):
            if got.shape != x.shape:
                return Result(False, [f"{where}: {what}의 모양이 {got.shape}입니다. 입력과 같은 모양 "
                                      f"{x.shape}이어야 합니다 (원소별 함수)."])
        bad = ~(np.isfinite(f) & np.isfinite(df))
        if bad.any():
            xb = x[bad][0]
            return Result(False, [
                f"{where}: x = {xb:g}에서 nan 또는 inf가 나왔습니다. np.exp(x)는 x가 크면 inf가 되고, "
                "np.where는 두 갈래를 모두 계산하며, inf·0은 nan입니다. 음수 쪽 식에는 "
                "np.exp(np.minimum(x, 0))처럼 0 이하의 값만 넣으세요."])
        want_f = _selu(x)
        if not _close(f, want_f):
            hint = _name_mistake(f, x, FORWARD_MISTAKES)
            msgs = [f"{where}: " + _worst("f(x)", f, want_f, x)]
            if hint:
                msgs.append(hint)
            else:
                fitted = _fitted_constants(fn)
                if fitted and np.isfinite(fitted[1]):
                    lam, alpha = fitted
                    msgs.append(f"당신의 f에서 읽은 상수는 λ = f(1) = {lam:.6f}, α = -f(-50)/λ = {alpha:.6f}"
                                f"입니다. λ = {SCALE:.6f}, α = {ALPHA:.6f}이어야 합니다 (소수 넷째 자리까지는 "
                                f"맞아야 합니다).")
            return Result(False, msgs)
        # at exactly x = 0 the derivative jumps (λα on the left, λ on the right): accept both
        zero = x == 0
        want_df = _dselu(x)
        ok = np.isclose(df, want_df, rtol=RTOL, atol=ATOL) | (zero & np.isclose(df, SCALE, rtol=RTOL))
        if not ok.all():
            hint = _name_mistake(df, x, DERIVATIVE_MISTAKES, mask=~zero)
            msgs = [f"{where}: " + _worst("f'(x)", np.where(ok, want_df, df), want_df, x)]
            if hint:
                msgs.append(hint)
            return Result(False, msgs)
    return Result(True, ["f와 f'이 torch.nn.SELU와 같습니다 (α ≈ 1.6733, λ ≈ 1.0507). "
                         "x = 0에서는 SELU가 미분 가능하지 않아 왼쪽 기울기(λα, PyTorch의 선택)와 "
                         "오른쪽 기울기(λ) 모두 받아들였습니다."])
