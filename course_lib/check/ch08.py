"""Checker of chapter 8 (학습률 스케줄): cosine annealing, as ``torch.optim.lr_scheduler.CosineAnnealingLR``.

The student writes

    my_cosine_lr(epoch, lr0, T_max, eta_min=0.0) -> lr

    η_t = η_min + ½ (η₀ - η_min) (1 + cos(π t / T_max)),   t = epoch = 0, 1, ..., T_max,

so that η_0 = lr0 (the first epoch trains at the full rate) and η_{T_max} = eta_min.
The checker tries hidden (lr0, T_max, eta_min) at every epoch 0..T_max and names the
classic mistakes with numbers.
"""
import math

from ._base import Result, run_safely

RTOL, ATOL = 1e-9, 1e-15


def _reference(epoch, lr0, T_max, eta_min, *, shift=0, period_minus_one=False, no_eta_min=False,
               eta_min_unscaled=False, no_pi=False, rising=False, integer_division=False):
    """The correct rate, or (with the keyword switches) one classic mistake."""
    t = epoch + shift
    T = T_max - 1 if period_minus_one else T_max
    if T == 0:
        return math.nan
    x = t // T if integer_division else t / T
    c = math.cos(x if no_pi else math.pi * x)
    half = (1 - c) / 2 if rising else (1 + c) / 2
    if no_eta_min:
        return lr0 * half
    if eta_min_unscaled:
        return eta_min + lr0 * half
    return eta_min + (lr0 - eta_min) * half


MISTAKES = [
    (dict(shift=1),
     "한 에폭 밀렸습니다: 에폭 0에서 이미 lr0보다 작은 값({got0:.6g})이 나옵니다. 첫 에폭(t=0)은 lr0로 "
     "학습하고, t = T_max에서 eta_min에 닿아야 합니다. cos(π·t/T_max)에 받은 epoch를 그대로 넣으세요."),
    (dict(shift=-1),
     "한 에폭 늦습니다: cos(π·(t-1)/T_max)를 썼습니다. 에폭 0이 lr0이고 에폭 T_max가 eta_min이어야 합니다."),
    (dict(period_minus_one=True),
     "주기를 T_max - 1로 잡았습니다: 에폭 T_max-1에서 이미 eta_min에 닿습니다. PyTorch의 CosineAnnealingLR은 "
     "에폭 T_max에서 eta_min이 되도록 π·t/T_max를 씁니다."),
    (dict(no_eta_min=True),
     "eta_min을 빼먹었습니다: 에폭 T_max에서 0이 나옵니다 (eta_min={eta_min:g}이어야 합니다). "
     "η_t = eta_min + ½(lr0 - eta_min)(1 + cos(π t/T_max))."),
    (dict(eta_min_unscaled=True),
     "eta_min을 더했지만 진폭을 (lr0 - eta_min)이 아니라 lr0로 잡았습니다: 에폭 0에서 lr0 + eta_min = "
     "{got0:.6g}이 나옵니다. 진폭은 ½(lr0 - eta_min)입니다."),
    (dict(no_pi=True),
     "cos 안에 π를 빼먹었습니다: cos(t/T_max)는 반 주기가 아니라 1라디안만 돌아 eta_min까지 내려가지 않습니다. "
     "cos(π·t/T_max)를 쓰세요."),
    (dict(rising=True),
     "학습률이 거꾸로 올라갑니다 ((1 - cos)를 썼습니다): 코사인 어닐링은 lr0에서 시작해 eta_min으로 내려갑니다, "
     "(1 + cos(π t/T_max))/2."),
    (dict(integer_division=True),
     "t // T_max(정수 나눗셈)를 썼습니다: T_max 전까지는 늘 lr0가 됩니다. 나눗셈은 t / T_max여야 합니다."),
]

CASES = [(0.1, 10, 0.001), (1.0, 7, 0.0), (0.05, 30, 0.01), (3e-4, 50, 1e-5), (2.0, 1, 0.5)]


def _values(fn, lr0, T_max, eta_min):
    out = []
    for t in range(T_max + 1):
        value, error = run_safely(fn, t, lr0, T_max, eta_min)
        if error:
            return None, f"epoch={t}: {error}"
        try:
            out.append(float(value))
        except (TypeError, ValueError):
            return None, f"epoch={t}: 숫자 하나를 돌려주어야 합니다. 받은 값: {value!r}"
    return out, None


def _close(a, b):
    return all(math.isclose(x, y, rel_tol=RTOL, abs_tol=ATOL) for x, y in zip(a, b))


def cosine_lr(fn):
    """Check ``fn(epoch, lr0, T_max, eta_min) -> lr`` at every epoch 0..T_max of hidden cases."""
    for lr0, T_max, eta_min in CASES:
        where = f"lr0={lr0:g}, T_max={T_max}, eta_min={eta_min:g}"
        got, error = _values(fn, lr0, T_max, eta_min)
        if error:
            return Result(False, [f"{where}, {error}"])
        want = [_reference(t, lr0, T_max, eta_min) for t in range(T_max + 1)]
        if _close(got, want):
            continue
        t = next(i for i, (x, y) in enumerate(zip(got, want))
                 if not math.isclose(x, y, rel_tol=RTOL, abs_tol=ATOL))
        messages = [f"{where}: 에폭 {t}의 학습률이 {got[t]:.8g}입니다. {want[t]:.8g}이어야 합니다 "
                    f"(에폭 0: {got[0]:.6g} / 기대 {want[0]:.6g}, 에폭 {T_max}: {got[-1]:.6g} / 기대 {want[-1]:.6g})."]
        for switches, template in MISTAKES:
            wrong = [_reference(k, lr0, T_max, eta_min, **switches) for k in range(T_max + 1)]
            if _close(got, wrong):
                messages.append(template.format(got0=got[0], eta_min=eta_min))
                break
        return Result(False, messages)
    return Result(True, ["에폭 0에서 lr0, 에폭 T_max에서 eta_min, 그 사이는 코사인 반 주기로 "
                         "torch.optim.lr_scheduler.CosineAnnealingLR과 같습니다."])
