"""Checker of chapter 1 (역전파와 기울기 소실·폭주): backprop through a sigmoid MLP.

The student writes

    my_backprop(x, y, Ws, bs) -> [∂L/∂W_1, ..., ∂L/∂W_L]

for the network of the chapter's derivation, with row vectors (x of shape (N, D)):

    h_0 = x,   h̃_k = h_{k-1} W_k + b_k,   h_k = σ(h̃_k)  (k = 1..L-1),   ŷ = h_{L-1} W_L + b_L,
    L = Σ_i ‖y_i - ŷ_i‖²   (a sum over the examples, not a mean),

so that  δ_L = 2(ŷ - y),  ∂L/∂W_k = h_{k-1}ᵀ δ_k,  δ_{k-1} = (δ_k W_kᵀ) ⊙ h_{k-1} ⊙ (1 - h_{k-1}).

The checker runs hidden cases (several depths and widths, N = 1 included, one network
of square matrices) and names the classic mistakes with numbers.
"""
import numpy as np

from ._base import Result, run_safely

RTOL = 1e-6


def _sigmoid(x):
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-x))


def _reference(x, y, Ws, bs, *, prime="output", transpose=True, reverse=False, own_output=False):
    """The correct gradients, or (with the keyword switches) one classic mistake."""
    hs, hts = [x], [None]
    for W, b in zip(Ws[:-1], bs[:-1]):
        hts.append(hs[-1] @ W + b)
        hs.append(_sigmoid(hts[-1]))
    y_hat = hs[-1] @ Ws[-1] + bs[-1]
    delta = 2 * (y_hat - y)
    dWs = [None] * len(Ws)
    outs = hs[1:] + [y_hat]  # h_k, the output of layer k (ŷ for the last one)
    for k in reversed(range(len(Ws))):
        dWs[k] = (outs[k] if own_output else hs[k]).T @ delta
        if k > 0:
            h, ht = hs[k], hts[k]
            back = delta @ (Ws[k].T if transpose else Ws[k])
            slope = {"output": h * (1 - h),
                     "double": _sigmoid(h) * (1 - _sigmoid(h)),
                     "preact": ht * (1 - ht),
                     "none": 1.0,
                     "value": h,
                     "tanh": 1 - h ** 2}[prime]
            delta = back * slope
    return dWs[::-1] if reverse else dWs


MISTAKES = {
    "double": (dict(prime="double"),
               "σ'을 σ(h)(1 - σ(h))로 계산했습니다. 그런데 h = σ(h̃)는 이미 활성화 함수를 지난 출력이라 "
               "σ를 한 번 더 씌운 셈입니다. 저장해 둔 출력으로는 σ'(h̃) = h(1 - h)이면 됩니다."),
    "preact": (dict(prime="preact"),
               "σ' = σ(1 - σ) 공식에 활성화 전 값 h̃를 넣어 h̃(1 - h̃)를 계산했습니다. 이 공식에 넣을 값은 "
               "활성화 출력 h = σ(h̃)입니다: σ'(h̃) = h(1 - h)."),
    "none": (dict(prime="none"),
             "층을 거슬러 올라갈 때 σ'(h̃) 항을 빠뜨렸습니다. δ_(k-1) = (δ_k W_kᵀ) ⊙ σ'(h̃_(k-1))처럼 "
             "활성화 함수의 미분을 원소별로 곱해야 합니다."),
    "value": (dict(prime="value"),
              "σ'(h̃) 대신 σ(h̃) = h를 곱했습니다. 시그모이드의 미분은 h(1 - h)입니다."),
    "tanh": (dict(prime="tanh"),
             "σ' 자리에 1 - h²를 곱했습니다. 그것은 tanh의 미분입니다. 시그모이드의 미분은 h(1 - h)입니다."),
    "transpose": (dict(transpose=False),
                  "δ를 앞 층으로 보낼 때 W_kᵀ가 아니라 W_k를 곱했습니다 (정사각 행렬이라 모양 오류가 나지 "
                  "않았을 뿐입니다). h̃_k = h_(k-1) W_k이므로 ∂L/∂h_(k-1) = δ_k W_kᵀ입니다."),
    "own_output": (dict(own_output=True),
                   "∂L/∂W_k에 층의 입력 h_(k-1) 대신 그 층의 출력을 곱했습니다. h̃_k = h_(k-1) W_k + b_k이므로 "
                   "∂L/∂W_k = h_(k-1)ᵀ δ_k입니다 (W_k가 곱해지는 쪽이 입력입니다)."),
    "reverse": (dict(reverse=True),
                "기울기 목록의 순서가 거꾸로입니다: 출력층부터가 아니라 [∂L/∂W_1, ..., ∂L/∂W_L], "
                "즉 입력 쪽 W_1부터 돌려주세요."),
}

# A student's answer that is a constant multiple c of the right one, for these c.
SCALES = {
    0.5: "모든 기울기가 정답의 정확히 절반입니다: L = Σ‖y - ŷ‖²를 ŷ로 미분하면 2(ŷ - y)입니다 (2를 빠뜨렸습니다).",
    -1.0: "모든 기울기의 부호가 반대입니다: ∂L/∂ŷ = 2(ŷ - y)이지 2(y - ŷ)가 아닙니다.",
    -0.5: "부호가 반대이고 크기가 절반입니다: ∂L/∂ŷ = 2(ŷ - y)입니다.",
}


def _cases():
    """Hidden cases: (x, y, Ws, bs)."""
    rng = np.random.default_rng(1986)
    cases = []
    for sizes, n in [((3, 4, 5, 2), 6), ((5, 3, 3, 4), 1), ((2, 6, 1), 4), ((4, 4, 4, 4, 4), 3),
                     ((6, 5, 4, 3, 2), 8)]:
        x = rng.normal(0, 1, size=(n, sizes[0]))
        y = rng.normal(0, 1, size=(n, sizes[-1]))
        Ws = [rng.normal(0, 1.5 / np.sqrt(a), size=(a, b)) for a, b in zip(sizes[:-1], sizes[1:])]
        bs = [rng.normal(0, 0.5, size=b) for b in sizes[1:]]
        cases.append((x, y, Ws, bs))
    return cases


def _close(got, want):
    scale = max(max(np.max(np.abs(w)) for w in want), 1e-12)
    return all(np.shape(g) == np.shape(w) and np.allclose(g, w, rtol=RTOL, atol=RTOL * scale)
               for g, w in zip(got, want))


def _constant_multiple(got, want):
    """c if got = c·want for one number c (all layers), else None."""
    num = sum(float(np.sum(g * w)) for g, w in zip(got, want))
    den = sum(float(np.sum(w * w)) for w in want)
    if den == 0:
        return None
    c = num / den
    if c != 0 and _close([g / c for g in got], want):
        return c
    return None


def _explain_multiple(c, n, n_out):
    for value, message in SCALES.items():
        if np.isclose(c, value, rtol=1e-6):
            return message
    means = {n: f"N = {n}", n * n_out: f"N × 출력 차원 = {n * n_out}",
             2 * n: f"2N = {2 * n}", 2 * n * n_out: f"2 × N × 출력 차원 = {2 * n * n_out}"}
    for d, what in means.items():
        if n > 1 and np.isclose(c, 1 / d, rtol=1e-6):
            return (f"모든 기울기가 정답의 1/{d}입니다 ({what}). 이 문제의 손실은 평균이 아니라 "
                    f"합 L = Σ_i ‖y_i - ŷ_i‖²입니다 (그래서 ∂L/∂ŷ = 2(ŷ - y)이고, 나누지 않습니다).")
    return f"모든 층의 기울기가 정답의 {c:.4g}배입니다: ∂L/∂ŷ의 상수 배를 확인하세요 (정답은 2(ŷ - y))."


def _worst(k, got, want):
    i = np.unravel_index(np.argmax(np.abs(got - want)), want.shape)
    index = ", ".join(str(j) for j in i)
    return f"∂L/∂W_{k}[{index}] = {got[i]:.6g}인데, 기댓값은 {want[i]:.6g}입니다"


def _diagnose(got, case):
    """A Korean explanation of what is wrong with ``got`` on ``case``."""
    x, y, Ws, bs = case
    want = _reference(x, y, Ws, bs)
    for switches, message in MISTAKES.values():
        try:
            wrong = _reference(x, y, Ws, bs, **switches)
        except ValueError:  # these mistakes only run when the matrices are square
            continue
        if _close(got, wrong):
            return message
    c = _constant_multiple(got, want)
    if c is not None:
        return _explain_multiple(c, len(x), y.shape[1])
    L = len(Ws)
    bad = [k for k in range(1, L + 1) if not _close([got[k - 1]], [want[k - 1]])]
    where = _worst(bad[-1], got[bad[-1] - 1], want[bad[-1] - 1])
    if bad[-1] < L:
        return (f"출력층 쪽 ∂L/∂W_{bad[-1] + 1}..∂L/∂W_{L}는 맞지만 ∂L/∂W_{bad[-1]}부터 틀렸습니다 "
                f"({where}). δ를 앞 층으로 넘기는 식 δ_(k-1) = (δ_k W_kᵀ) ⊙ h_(k-1)(1 - h_(k-1))과 "
                "∂L/∂W_k = h_(k-1)ᵀ δ_k를 확인하세요.")
    return (f"출력층의 ∂L/∂W_{L}부터 틀렸습니다 ({where}). δ_L = ∂L/∂ŷ = 2(ŷ - y)와 "
            f"∂L/∂W_L = h_(L-1)ᵀ δ_L을 확인하세요.")


def _shape_problem(got, Ws):
    """A Korean message if ``got`` is not a list of arrays shaped like ``Ws``, else None."""
    if not isinstance(got, (list, tuple)):
        return (f"기울기들의 리스트 [∂L/∂W_1, ..., ∂L/∂W_{len(Ws)}]를 돌려주어야 하는데 "
                f"{type(got).__name__}을(를) 돌려주었습니다.")
    if len(got) != len(Ws):
        return (f"가중치가 {len(Ws)}개인 신경망인데 기울기를 {len(got)}개 돌려주었습니다: 가중치마다 "
                "하나씩, W_1부터 순서대로 돌려주세요.")
    shapes = [np.shape(g) for g in got]
    if shapes != [W.shape for W in Ws] and shapes == [W.shape for W in Ws[::-1]]:
        return MISTAKES["reverse"][1]
    for k, (g, W) in enumerate(zip(got, Ws), start=1):
        if np.shape(g) != W.shape:
            hint = ""
            if np.shape(g) == W.shape[::-1]:
                hint = " (h_(k-1)ᵀ δ_k 대신 δ_kᵀ h_(k-1)를 계산하지 않았나요?)"
            elif np.shape(g) == (W.shape[1], W.shape[1]):
                hint = " (층의 입력 h_(k-1) 대신 출력 h_k를 곱하지 않았나요? ∂L/∂W_k = h_(k-1)ᵀ δ_k)"
            return (f"∂L/∂W_{k}의 모양이 {np.shape(g)}입니다. W_{k}와 같은 {W.shape}이어야 합니다{hint}.")
    if not all(np.all(np.isfinite(np.asarray(g, dtype=float))) for g in got):
        return "돌려준 기울기에 nan이나 inf가 있습니다."
    return None


def sigmoid_backprop(fn):
    """Check ``fn(x, y, Ws, bs) -> [∂L/∂W_1, ..., ∂L/∂W_L]`` (see the module docstring)."""
    cases = _cases()
    for number, case in enumerate(cases, start=1):
        x, y, Ws, bs = case
        copies = [a.copy() for a in (x, y, *Ws, *bs)]
        got, error = run_safely(fn, x, y, [W for W in Ws], [b for b in bs])
        if error:
            if "matmul" in error or "shapes" in error or "broadcast" in error:
                error += (" 행렬 곱의 모양이 맞지 않습니다: h_(k-1)은 (N, n_(k-1)), W_k는 (n_(k-1), n_k), "
                          "δ_k는 (N, n_k) 모양입니다.")
            return Result(False, [error])
        if not all(np.array_equal(a, b) for a, b in zip((x, y, *Ws, *bs), copies)):
            return Result(False, ["입력 배열(x, y, Ws, bs)을 함수 안에서 바꾸었습니다: 역전파는 입력을 "
                                  "그대로 두어야 합니다 (새 배열을 만들어 쓰세요)."])
        problem = _shape_problem(got, Ws)
        if problem:
            return Result(False, [problem])
        got = [np.asarray(g, dtype=float) for g in got]
        if not _close(got, _reference(*case)):
            sizes = [Ws[0].shape[0]] + [W.shape[1] for W in Ws]
            return Result(False, [f"숨겨진 사례 {number}(층 크기 {sizes}, N = {len(x)})에서 틀렸습니다.",
                                  _diagnose(got, case)])
    return Result(True, [f"숨겨진 사례 {len(cases)}개(깊이 2~4층, N = 1 포함)에서 모든 층의 기울기가 "
                         f"상대 오차 {RTOL:g} 안에서 맞았습니다."])
