"""Checker of chapter 7 (옵티마이저): one Adam step, as ``torch.optim.Adam``.

The student writes

    my_adam_step(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8)
        -> (theta_new, m_new, v_new)

with t = 1 at the first step:

    m_t = β₁ m + (1 - β₁) g,    v_t = β₂ v + (1 - β₂) g²,
    m̂ = m_t / (1 - β₁ᵗ),       v̂ = v_t / (1 - β₂ᵗ),
    θ_t = θ - η m̂ / (√v̂ + ε).

The checker runs hidden cases (several shapes, steps t, gradient scales, and an ε large
enough to matter) and names the classic mistakes with numbers.
"""
import numpy as np

from ._base import Result, run_safely

RTOL, ATOL = 1e-7, 1e-12


def _reference(theta, g, m, v, t, lr, b1, b2, eps, *, correct_m=True, correct_v=True,
               eps_inside=False, eps_hat=False, square=True, t_shift=0, swap_betas=False,
               sign=-1.0):
    """The correct step, or (with the keyword switches) one classic mistake."""
    if swap_betas:
        b1, b2 = b2, b1
    tt = t + t_shift
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * (g * g if square else g)
    with np.errstate(all="ignore"):
        m_hat = m / (1 - b1 ** tt) if correct_m else m
        v_hat = v / (1 - b2 ** tt) if correct_v else v
        if eps_inside:
            denom = np.sqrt(v_hat + eps)
        elif eps_hat:  # Kingma & Ba's "efficient" form: eps added before correcting sqrt(v)
            denom = (np.sqrt(v) + eps) / np.sqrt(1 - b2 ** tt)
        else:
            denom = np.sqrt(v_hat) + eps
        theta = theta + sign * lr * m_hat / denom
    return theta, m, v


MISTAKES = [
    # (keyword switches, message template; {c} = the case's numbers)
    (dict(correct_m=False, correct_v=False),
     "편향 보정(bias correction)을 하지 않았습니다. m과 v는 0에서 출발하므로 초기에 0 쪽으로 치우칩니다: "
     "m̂ = m/(1-β₁ᵗ), v̂ = v/(1-β₂ᵗ)로 나눈 값을 쓰세요. 이 경우(t={t}) 보정하지 않은 스텝은 "
     "보정한 스텝의 약 {factor:.2f}배입니다."),
    (dict(correct_m=False),
     "v는 편향 보정했지만 m은 보정하지 않았습니다: m̂ = m/(1-β₁ᵗ)도 써야 합니다."),
    (dict(correct_v=False),
     "m은 편향 보정했지만 v는 보정하지 않았습니다: v̂ = v/(1-β₂ᵗ)도 써야 합니다."),
    (dict(eps_inside=True),
     "ε을 제곱근 안에 넣었습니다 (√(v̂ + ε)): PyTorch의 Adam은 ε을 제곱근 밖에서 더합니다, "
     "m̂/(√v̂ + ε). 이 경우 eps={eps:g}이고 √v̂가 {sqrtv:.2g} 정도라서 차이가 큽니다."),
    (dict(eps_hat=True),
     "ε을 편향 보정 전에 더했습니다 ((√v + ε)/√(1-β₂ᵗ)): 논문 2절의 '효율적인' 형태(TensorFlow의 "
     "ε̂)이고 PyTorch와는 다릅니다. √v̂를 먼저 구한 뒤 ε을 더하세요."),
    (dict(square=False),
     "v에 기울기 제곱 g² 대신 g를 누적했습니다: v는 기울기 제곱의 이동 평균, "
     "v = β₂v + (1-β₂)g²입니다 (g가 음수이면 √v가 nan이 됩니다)."),
    (dict(t_shift=1),
     "편향 보정에 t 대신 t+1을 썼습니다: t는 이번 스텝의 번호이고 첫 스텝에서 t=1입니다 "
     "(함수가 받은 t를 그대로 쓰세요)."),
    (dict(t_shift=-1),
     "편향 보정에 t 대신 t-1을 썼습니다: 첫 스텝(t=1)에서 1-β₁⁰ = 0으로 나누게 됩니다. "
     "받은 t를 그대로 쓰세요."),
    (dict(swap_betas=True),
     "β₁과 β₂를 바꿔 썼습니다: m(기울기의 평균)에는 β₁=0.9, v(기울기 제곱의 평균)에는 β₂=0.999를 씁니다."),
    (dict(sign=+1.0),
     "파라미터를 기울기 방향으로 움직였습니다 (θ + η m̂/(√v̂+ε)): 손실을 줄이려면 빼야 합니다."),
]


def _cases():
    """Hidden cases: (theta, g, m, v, t, lr, beta1, beta2, eps)."""
    rng = np.random.default_rng(7)
    cases = []
    for shape, t, scale, lr, b1, b2, eps in [
            ((5,), 1, 1.0, 1e-3, 0.9, 0.999, 1e-8),
            ((3, 4), 2, 0.01, 1e-2, 0.9, 0.999, 1e-8),
            ((6,), 10, 100.0, 1e-3, 0.8, 0.99, 1e-8),
            ((2, 3), 5, 1e-3, 1e-2, 0.9, 0.999, 1e-3),   # eps comparable to sqrt(v_hat)
            ((4,), 1000, 1.0, 3e-4, 0.9, 0.999, 1e-8)]:
        theta = rng.normal(0, 1, shape)
        g = scale * rng.normal(0, 1, shape)
        if t == 1:
            m, v = np.zeros(shape), np.zeros(shape)
        else:  # moments as they could be after t-1 steps
            m = scale * rng.normal(0, 0.5, shape) * (1 - b1 ** (t - 1))
            v = scale ** 2 * rng.uniform(0.2, 2.0, shape) * (1 - b2 ** (t - 1))
        cases.append((theta, g, m, v, t, lr, b1, b2, eps))
    return cases


def _close(got, want):
    return all(np.shape(a) == np.shape(b) and np.allclose(a, b, rtol=RTOL, atol=ATOL, equal_nan=True)
               for a, b in zip(got, want))


def _worst(name, got, want):
    i = np.unravel_index(np.argmax(np.abs(np.nan_to_num(got - want, nan=np.inf))), got.shape)
    index = ", ".join(str(k) for k in i)
    return f"{name}[{index}] = {got[i]:.8g}, 기대값 {want[i]:.8g}"


def _diagnose(got, case):
    theta, g, m, v, t, lr, b1, b2, eps = case
    for switches, template in MISTAKES:
        if switches.get("t_shift") == -1 and t == 1:
            continue
        wrong = _reference(theta, g, m, v, t, lr, b1, b2, eps, **switches)
        if _close(got, wrong):
            _, _, v_new = _reference(theta, g, m, v, t, lr, b1, b2, eps)
            factor = (1 - b1 ** t) / np.sqrt(1 - b2 ** t)
            sqrtv = float(np.median(np.sqrt(v_new / (1 - b2 ** t))))
            return template.format(t=t, factor=factor, eps=eps, sqrtv=sqrtv)
    return None


def adam_step(fn):
    """Check ``fn(theta, grad, m, v, t, lr, beta1, beta2, eps) -> (theta, m, v)``."""
    for i, case in enumerate(_cases(), start=1):
        theta, g, m, v, t, lr, b1, b2, eps = case
        where = (f"경우 {i} (모양 {theta.shape}, t={t}, lr={lr:g}, β₁={b1}, β₂={b2}, eps={eps:g}, "
                 f"기울기 크기 ~{np.abs(g).mean():.2g})")
        args = [a.copy() for a in (theta, g, m, v)]
        with np.errstate(all="ignore"):
            value, error = run_safely(fn, *args, t, lr=lr, beta1=b1, beta2=b2, eps=eps)
        if error:
            return Result(False, [f"{where}: {error}"])
        if not (isinstance(value, (tuple, list)) and len(value) == 3):
            return Result(False, [f"{where}: (theta, m, v) 세 개를 튜플로 돌려주어야 합니다. "
                                  f"받은 값: {type(value).__name__}"])
        got = [np.asarray(x, dtype=float) for x in value]
        bad = [f"{nm}의 모양이 {x.shape}입니다 ({theta.shape}이어야 합니다)"
               for nm, x in zip(("theta", "m", "v"), got) if x.shape != theta.shape]
        if bad:
            return Result(False, [f"{where}: " + ", ".join(bad)])
        want = _reference(theta, g, m, v, t, lr, b1, b2, eps)
        if _close(got, want):
            continue
        detail = "; ".join(_worst(nm, x, w) for nm, x, w in zip(("theta", "m", "v"), got, want)
                           if not _close([x], [w]))
        messages = [f"{where}: {detail}"]
        hint = _diagnose(got, case)
        if hint:
            messages.append(hint)
        elif _close(got[1:], want[1:]):
            messages.append("m과 v는 맞습니다: 파라미터 갱신 θ - η·m̂/(√v̂ + ε)을 확인하세요.")
        return Result(False, messages)
    return Result(True, ["모멘트 갱신, 편향 보정, ε의 위치(√v̂ 밖)까지 torch.optim.Adam과 같습니다. "
                         "첫 스텝(t=1)의 크기가 기울기의 크기와 상관없이 약 η인 것도 확인해 보세요."])
