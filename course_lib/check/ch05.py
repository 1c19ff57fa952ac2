"""Checker of chapter 5 (층 정규화): a LayerNorm forward pass.

The student writes ``my_layernorm_forward(x, gamma, beta, eps=1e-5) -> out`` for x of
shape (N, D), with the conventions of ``torch.nn.LayerNorm(D)``: for every example n,

    μ_n = (1/D) Σ_j x_nj,   σ²_n = (1/D) Σ_j (x_nj - μ_n)²   (biased),
    out_nj = γ_j (x_nj - μ_n) / √(σ²_n + ε) + β_j.

The checker runs hidden cases (including a square N = D case, where a wrong axis does
not raise) and names the classic mistakes with numbers.
"""
import numpy as np

from ._base import Result, run_safely

TOL = 1e-7


def _reference(x, gamma, beta, eps, *, axis=1, ddof=0, eps_outside=False, keepdims=True,
               affine=True, no_eps=False):
    """The correct forward pass, or (with the keyword switches) one classic mistake."""
    eps = 0.0 if no_eps else eps
    mu = x.mean(axis=axis, keepdims=keepdims)
    var = x.var(axis=axis, ddof=ddof, keepdims=keepdims)
    std = np.sqrt(var) + eps if eps_outside else np.sqrt(var + eps)
    xhat = (x - mu) / std
    return gamma * xhat + beta if affine else xhat


MISTAKES = {
    "batch_axis": (dict(axis=0),
                   "배치 축(axis=0)을 따라 평균·분산을 구했습니다: 그것은 배치 정규화입니다. 층 정규화는 "
                   "샘플마다 특성 축(axis=1, 마지막 축)을 따라 통계를 냅니다."),
    "batch_axis_unbiased": (dict(axis=0, ddof=1),
                            "배치 축(axis=0)을 따라 (불편) 분산을 구했습니다: 층 정규화는 샘플마다 특성 "
                            "축(axis=1)을 따라, 편향 분산으로 통계를 냅니다."),
    "no_keepdims": (dict(keepdims=False),
                    "평균·분산을 keepdims 없이 구해서 (N,) 벡터가 특성 축으로 브로드캐스트되었습니다: "
                    "N = D일 때는 오류 없이 틀린 값이 나옵니다. keepdims=True로 (N, 1) 모양을 유지하세요."),
    "unbiased": (dict(ddof=1),
                 "불편 분산(D-1로 나눈 분산)을 썼습니다: torch.nn.LayerNorm처럼 편향 분산 "
                 "σ² = (1/D)Σ(x-μ)²를 씁니다."),
    "eps_outside": (dict(eps_outside=True),
                    "ε을 제곱근 밖에서 더했습니다 ((x-μ)/(√σ² + ε)): ε은 제곱근 안에 들어가야 합니다, "
                    "(x-μ)/√(σ² + ε)."),
    "no_eps": (dict(no_eps=True),
               "ε을 빼먹었습니다: 분산이 0에 가까운 샘플에서 0으로 나누게 됩니다. (x-μ)/√(σ² + ε)로 "
               "계산하세요."),
    "no_affine": (dict(affine=False),
                  "γ와 β를 적용하지 않았습니다: 정규화한 값에 γ를 곱하고 β를 더하세요 (특성마다 하나씩)."),
}


def _cases():
    """Hidden cases: (x, gamma, beta, eps); one with N = D and one with a single example."""
    rng = np.random.default_rng(505)
    cases = []
    for n, d, eps in [(4, 6, 1e-5), (5, 5, 1e-5), (3, 8, 0.1), (1, 7, 1e-5), (10, 3, 0.05)]:
        x = rng.normal(rng.uniform(-2, 2, size=(n, 1)), rng.uniform(0.1, 3.0, size=(n, 1)),
                       size=(n, d))
        gamma = rng.uniform(0.5, 2.0, size=d)
        beta = rng.normal(0, 1, size=d)
        cases.append((x, gamma, beta, eps))
    return cases


def _diagnose(got, case):
    x, gamma, beta, eps = case
    with np.errstate(all="ignore"):
        for switches, message in MISTAKES.values():
            try:
                wrong = _reference(x, gamma, beta, eps, **switches)
            except ValueError:  # a broadcast that does not work for this shape
                continue
            if wrong.shape == got.shape and np.allclose(got, wrong, rtol=TOL, atol=TOL, equal_nan=True):
                return message
    return None


def layernorm_forward(fn):
    """Check ``fn(x, gamma, beta, eps)`` against torch.nn.LayerNorm's formula."""
    for i, case in enumerate(_cases(), start=1):
        x, gamma, beta, eps = case
        args = [a.copy() for a in (x, gamma, beta)]
        with np.errstate(all="ignore"):
            value, error = run_safely(fn, *args, eps=eps)
        where = f"경우 {i} (x의 모양 {x.shape}, eps={eps})"
        if error:
            hint = ["평균·분산의 모양이 (N,)이라 (N, D)와 브로드캐스트되지 않습니다: "
                    "keepdims=True로 (N, 1) 모양을 유지하세요."] if "broadcast" in error else []
            return Result(False, [f"{where}: {error}"] + hint)
        if not np.array_equal(args[0], x):
            return Result(False, [f"{where}: 입력 x를 제자리에서 바꿨습니다. 새 배열을 만들어 돌려주세요."])
        got = np.asarray(value, dtype=float)
        want = _reference(x, gamma, beta, eps)
        if got.shape != want.shape:
            hint = _diagnose(got, case)
            return Result(False, [f"{where}: 출력의 모양이 {got.shape}입니다 ({want.shape}이어야 합니다)."]
                          + ([hint] if hint else []))
        if np.allclose(got, want, rtol=TOL, atol=TOL):
            continue
        if not np.all(np.isfinite(got)):
            messages = [f"{where}: 출력에 nan/inf가 있습니다."]
        else:
            j = np.unravel_index(np.argmax(np.abs(got - want)), got.shape)
            messages = [f"{where}: out[{j[0]}, {j[1]}] = {got[j]:.6f}, 기대값 {want[j]:.6f}"]
        hint = _diagnose(got, case)
        if hint:
            messages.append(hint)
        elif eps != 1e-5 and np.allclose(got, _reference(x, gamma, beta, 1e-5), rtol=TOL, atol=TOL):
            messages.append(f"eps 인자({eps})를 쓰지 않고 1e-5로 계산했습니다: 받은 eps를 그대로 쓰세요.")
        return Result(False, messages)
    return Result(True, ["샘플마다 특성 축으로 정규화했고 (배치 크기 1에서도), torch.nn.LayerNorm과 "
                         "같은 값이 나옵니다."])
