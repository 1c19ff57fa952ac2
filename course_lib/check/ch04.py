"""Checker of chapter 4 (배치 정규화): a BatchNorm forward pass in training and eval mode.

The student writes

    my_batchnorm_forward(x, gamma, beta, running_mean, running_var, train,
                         momentum=0.1, eps=1e-5) -> (out, running_mean, running_var)

with the conventions of ``torch.nn.BatchNorm1d``:

* training:  μ_B = mean_n x,  σ²_B = mean_n (x - μ_B)²  (biased),
  out = γ (x - μ_B) / √(σ²_B + ε) + β,
  running_mean ← (1 - m) running_mean + m μ_B,
  running_var  ← (1 - m) running_var + m σ²_B · N/(N - 1)   (unbiased);
* eval:  out = γ (x - running_mean) / √(running_var + ε) + β, running statistics unchanged.

The checker runs hidden cases and names the classic mistakes with numbers.
"""
import numpy as np

from ._base import Result, run_safely

TOL = 1e-7


def _reference(x, gamma, beta, rm, rv, train, momentum, eps, *, ddof_norm=0, ddof_run=1,
               eps_outside=False, eval_batch_stats=False, eval_updates=False, axis=0,
               swap_momentum=False, no_eps=False):
    """The correct forward pass, or (with the keyword switches) one classic mistake."""
    eps = 0.0 if no_eps else eps
    use_batch = train or eval_batch_stats
    if use_batch:
        mu = x.mean(axis=axis, keepdims=True)
        var = x.var(axis=axis, ddof=ddof_norm, keepdims=True)
    else:
        mu, var = rm, rv
    std = np.sqrt(var) + eps if eps_outside else np.sqrt(var + eps)
    out = gamma * (x - mu) / std + beta
    if train or eval_updates:
        n = x.shape[0]
        bmu = x.mean(axis=0)
        bvar = x.var(axis=0, ddof=ddof_run) if n > ddof_run else x.var(axis=0)
        keep, new = (momentum, 1 - momentum) if swap_momentum else (1 - momentum, momentum)
        rm = keep * rm + new * bmu
        rv = keep * rv + new * bvar
    return out, rm, rv


MISTAKES = {
    # (keyword switches, message)
    "ignores_train": (dict(eval_batch_stats=True, eval_updates=True),
                      "train=False인데도 훈련 모드처럼 계산했습니다 (배치 통계로 정규화하고 이동 통계도 "
                      "갱신): 평가 모드에서는 running_mean/running_var로 정규화하고 그 값을 바꾸지 않습니다."),
    "eval_batch_stats": (dict(eval_batch_stats=True),
                         "평가 모드(train=False)인데 이동 평균·분산(running_mean, running_var) 대신 "
                         "지금 들어온 배치의 평균·분산으로 정규화했습니다."),
    "eval_updates": (dict(eval_updates=True),
                     "평가 모드(train=False)에서 running_mean/running_var를 갱신했습니다: "
                     "평가 모드에서는 이동 통계를 바꾸지 않고 그대로 돌려주어야 합니다."),
    "biased_running": (dict(ddof_run=0),
                       "running_var를 편향 분산(1/N로 나눈 배치 분산)으로 갱신했습니다: PyTorch처럼 "
                       "이동 분산에는 불편 분산 σ²_B·N/(N-1)을 넣어야 합니다 (정규화 자체에는 편향 분산)."),
    "unbiased_norm": (dict(ddof_norm=1),
                      "훈련 모드의 정규화에 불편 분산(N-1로 나눈 분산)을 썼습니다: 정규화에는 "
                      "편향 분산 σ²_B = (1/N)Σ(x-μ_B)²를 씁니다 (불편 분산은 running_var에만)."),
    "unbiased_biased": (dict(ddof_norm=1, ddof_run=0),
                        "분산을 거꾸로 썼습니다: 정규화에는 편향 분산 (1/N)Σ(x-μ_B)², running_var "
                        "갱신에는 불편 분산 σ²_B·N/(N-1)을 씁니다."),
    "eps_outside": (dict(eps_outside=True),
                    "ε을 제곱근 밖에서 더했습니다 ((x-μ)/(√σ² + ε)): ε은 제곱근 안에 들어가야 합니다, "
                    "(x-μ)/√(σ² + ε)."),
    "no_eps": (dict(no_eps=True),
               "ε을 빼먹었습니다: 분산이 0에 가까운 특성에서 0으로 나누게 됩니다. (x-μ)/√(σ² + ε)로 "
               "계산하세요."),
    "swap_momentum": (dict(swap_momentum=True),
                      "이동 평균의 가중치를 거꾸로 썼습니다 (running ← m·running + (1-m)·배치 통계): "
                      "PyTorch의 momentum=0.1은 새 배치 통계의 가중치입니다, "
                      "running ← (1-m)·running + m·배치 통계."),
    "feature_axis": (dict(axis=1),
                     "특성 축(axis=1)으로 평균·분산을 구했습니다: 배치 정규화는 각 특성마다 "
                     "배치 축(axis=0)을 따라 통계를 냅니다 (특성 축은 층 정규화입니다)."),
}


def _cases():
    """Hidden cases: (name, x, gamma, beta, rm, rv, train, momentum, eps)."""
    rng = np.random.default_rng(2024)
    cases = []
    for n, d, train, momentum, eps in [(8, 3, True, 0.1, 1e-5), (5, 4, True, 0.3, 0.1),
                                       (16, 6, True, 0.1, 1e-5), (8, 3, False, 0.1, 1e-5),
                                       (6, 5, False, 0.1, 0.1), (3, 7, True, 0.1, 0.05)]:
        scale = rng.uniform(0.05, 3.0, size=d)
        x = rng.normal(rng.uniform(-2, 2, size=d), scale, size=(n, d))
        gamma = rng.uniform(0.5, 2.0, size=d)
        beta = rng.normal(0, 1, size=d)
        rm = rng.normal(0, 1, size=d)
        rv = rng.uniform(0.05, 2.0, size=d)
        cases.append((x, gamma, beta, rm, rv, train, momentum, eps))
    return cases


def _worst(name, got, want):
    """'out[2, 1] = 0.123456, 기대값 0.234567' for the element that differs most."""
    i = np.unravel_index(np.argmax(np.abs(got - want)), got.shape)
    index = ", ".join(str(k) for k in i)
    return f"{name}[{index}] = {got[i]:.6f}, 기대값 {want[i]:.6f}"


def _diagnose(got, case):
    """Name the first classic mistake whose output equals what the student returned."""
    x, gamma, beta, rm, rv, train, momentum, eps = case
    for key, (switches, message) in MISTAKES.items():
        if not train and key not in ("ignores_train", "eval_batch_stats", "eval_updates",
                                     "eps_outside", "no_eps"):
            continue
        if train and key in ("ignores_train", "eval_batch_stats", "eval_updates"):
            continue
        wrong = _reference(x, gamma, beta, rm, rv, train, momentum, eps, **switches)
        if all(np.shape(g) == np.shape(w) and np.allclose(g, w, rtol=TOL, atol=TOL)
               for g, w in zip(got, wrong)):
            return message
    return None


def batchnorm_forward(fn):
    """Check ``fn(x, gamma, beta, running_mean, running_var, train, momentum, eps)``."""
    messages = []
    for i, case in enumerate(_cases(), start=1):
        x, gamma, beta, rm, rv, train, momentum, eps = case
        args = [a.copy() for a in (x, gamma, beta, rm, rv)]
        value, error = run_safely(fn, *args, train, momentum=momentum, eps=eps)
        mode = "훈련 모드" if train else "평가 모드"
        where = f"경우 {i} ({mode}, x의 모양 {x.shape}, momentum={momentum}, eps={eps})"
        if error:
            return Result(False, [f"{where}: {error}"])
        if not np.array_equal(args[0], x):
            return Result(False, [f"{where}: 입력 x를 제자리에서 바꿨습니다. 새 배열을 만들어 돌려주세요."])
        if not (isinstance(value, tuple) and len(value) == 3):
            return Result(False, [f"{where}: (out, running_mean, running_var) 세 개를 튜플로 "
                                  f"돌려주어야 합니다. 받은 값: {type(value).__name__}"])
        got = [np.asarray(v, dtype=float) for v in value]
        want = _reference(x, gamma, beta, rm, rv, train, momentum, eps)
        shapes = [(x.shape[0], x.shape[1]), (x.shape[1],), (x.shape[1],)]
        names = ["out", "running_mean", "running_var"]
        bad_shape = [f"{nm}의 모양이 {g.shape}입니다 ({s}이어야 합니다)"
                     for nm, g, s in zip(names, got, shapes) if g.shape != s]
        if bad_shape:
            hint = _diagnose(got, case) if all(g.size == np.prod(s) for g, s in zip(got, shapes)) else None
            return Result(False, [f"{where}: " + ", ".join(bad_shape)] + ([hint] if hint else []))
        wrong = [nm for nm, g, w in zip(names, got, want) if not np.allclose(g, w, rtol=TOL, atol=TOL)]
        if not wrong:
            continue
        hint = _diagnose(got, case)
        detail = "; ".join(_worst(nm, g, w) for nm, g, w in zip(names, got, want) if nm in wrong)
        messages.append(f"{where}: {detail}")
        if hint:
            messages.append(hint)
        elif eps != 1e-5 and _uses_default_eps(got, case):
            messages.append(f"eps 인자({eps})를 쓰지 않고 1e-5로 계산했습니다: 받은 eps를 그대로 쓰세요.")
        return Result(False, messages)
    return Result(True, ["훈련 모드(편향 분산으로 정규화, 불편 분산으로 이동 통계 갱신)와 "
                         "평가 모드(이동 통계로 정규화, 갱신 없음)가 모두 torch.nn.BatchNorm1d와 같습니다."])


def _uses_default_eps(got, case):
    x, gamma, beta, rm, rv, train, momentum, eps = case
    wrong = _reference(x, gamma, beta, rm, rv, train, momentum, 1e-5)
    return np.allclose(got[0], wrong[0], rtol=TOL, atol=TOL)
