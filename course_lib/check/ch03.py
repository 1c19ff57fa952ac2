"""Checker of chapter 3 (가중치 초기화): He normal initialisation.

The student writes ``my_he_normal(fan_in, fan_out, rng) -> W`` with W of shape
(fan_in, fan_out) and W ~ N(0, σ²), σ = √(2 / fan_in) (He et al., 2015; the same as
``torch.nn.init.kaiming_normal_(w, nonlinearity='relu')``, whose default mode is 'fan_in').

Any correct answer passes: the checker looks at the sample statistics of the returned
matrix on hidden cases (shape, mean, standard deviation, the shape of the distribution,
reproducibility with the given ``rng``), never at the code. When the standard deviation
is wrong in the same way on every case, it names the classic mistake:

* 2/√fan_in (the popular misprint of √(2/fan_in)),
* Xavier/Glorot √(2/(fan_in + fan_out)) or LeCun √(1/fan_in) instead of He,
* the variance 2/fan_in passed where the standard deviation belongs,
* fan_out instead of fan_in.
"""
import math

import numpy as np

from ._base import Result, run_safely

# (fan_in, fan_out): the first one is the example of the feedback; the others make every
# classic mistake differ from the right answer by more than 10 %.
CASES = [(100, 30), (400, 100), (64, 256)]
REL_TOL = 0.05  # the sample std of ≥ 3,000 numbers is within ~1.3 % of σ (one s.e.)

MISTAKES = [
    # (name, std as a function of (fan_in, fan_out), message)
    ("2/√n", lambda i, o: 2 / math.sqrt(i),
     "표준편차로 2/√fan_in을 썼습니다. He 초기화의 표준편차는 √(2/fan_in)입니다 "
     "(2/√n은 널리 퍼진 오타로, 분산이 2배가 되어 층마다 신호가 √2배씩 커집니다)."),
    ("xavier", lambda i, o: math.sqrt(2 / (i + o)),
     "Xavier(Glorot) 초기화 √(2/(fan_in+fan_out))를 썼습니다. ReLU를 위한 He 초기화는 "
     "√(2/fan_in)입니다: ReLU가 음수 절반을 0으로 만들어 잃는 분산을 2배로 보충합니다."),
    ("lecun", lambda i, o: math.sqrt(1 / i),
     "LeCun 초기화 √(1/fan_in)을 썼습니다 (흔히 'Xavier = 1/√n'이라고 잘못 부르는 것). "
     "He 초기화는 분자가 2인 √(2/fan_in)입니다."),
    ("variance", lambda i, o: 2 / i,
     "분산 2/fan_in을 표준편차 자리에 넣었습니다. rng.normal(loc, scale, size)의 scale은 "
     "표준편차이므로 분산의 제곱근 √(2/fan_in)을 넘겨야 합니다."),
    ("fan_out", lambda i, o: math.sqrt(2 / o),
     "fan_in 대신 fan_out으로 나누었습니다 (√(2/fan_out)). 순방향 신호의 분산을 지키는 "
     "He 초기화는 한 뉴런으로 들어오는 입력의 수 fan_in으로 나눕니다."),
]


def _expected(fan_in):
    return math.sqrt(2.0 / fan_in)


def _fmt_case(fan_in):
    return (f"fan_in={fan_in}이면 √(2/{fan_in})={_expected(fan_in):.3f}이어야 합니다")


def _call(fn, fan_in, fan_out, seed):
    W, err = run_safely(fn, fan_in, fan_out, np.random.default_rng(seed))
    if err:
        return None, err
    try:
        W = np.asarray(W, dtype=float)
    except (TypeError, ValueError):
        return None, f"배열이 아닌 {type(W).__name__}을(를) 돌려주었습니다: 모양 (fan_in, fan_out)의 NumPy 배열을 돌려주세요."
    if W.shape != (fan_in, fan_out):
        if W.shape == (fan_out, fan_in):
            return None, (f"모양이 {W.shape}입니다: 행과 열이 바뀌었습니다. 이 강의의 Linear는 x @ W를 "
                          f"계산하므로 W의 모양은 (fan_in, fan_out) = ({fan_in}, {fan_out})입니다.")
        return None, f"모양이 {W.shape}입니다: (fan_in, fan_out) = ({fan_in}, {fan_out})이어야 합니다."
    if not np.all(np.isfinite(W)):
        return None, "nan이나 inf가 들어 있습니다."
    return W, None


def he_normal(fn):
    """Check ``fn(fan_in, fan_out, rng)``: W ~ N(0, 2/fan_in) of shape (fan_in, fan_out)."""
    samples = []
    for k, (fan_in, fan_out) in enumerate(CASES):
        W, err = _call(fn, fan_in, fan_out, seed=100 + k)
        if err:
            return Result(False, [f"fan_in={fan_in}, fan_out={fan_out}에서: {err}"])
        samples.append(W)

    if np.all(samples[0] == samples[0].flat[0]):
        return Result(False, ["모든 가중치가 같은 값입니다. 같은 값으로 초기화하면 한 층의 뉴런들이 "
                              "모두 같은 것을 계산해 대칭성이 깨지지 않습니다: 정규분포에서 뽑으세요."])

    # Randomness must come from the rng argument: same seed -> same W, new seed -> new W.
    fan_in, fan_out = CASES[0]
    again, _ = _call(fn, fan_in, fan_out, seed=100)
    other, _ = _call(fn, fan_in, fan_out, seed=7)
    if again is None or not np.array_equal(again, samples[0]):
        return Result(False, ["같은 시드의 rng를 주었는데 결과가 다릅니다: np.random.seed/np.random.randn 같은 "
                              "전역 난수가 아니라 인자로 받은 rng(예: rng.normal, rng.standard_normal)로 "
                              "난수를 만드세요."])
    if other is not None and np.array_equal(other, samples[0]):
        return Result(False, ["다른 시드의 rng를 주어도 결과가 같습니다: 인자로 받은 rng로 난수를 만드세요."])

    stds = [float(W.std()) for W in samples]
    rel = [s / _expected(i) - 1 for s, (i, _) in zip(stds, CASES)]
    if any(abs(r) > REL_TOL for r in rel):
        k = next(j for j, r in enumerate(rel) if abs(r) > REL_TOL)
        fan_in, fan_out = CASES[k]
        should = _fmt_case(fan_in)
        for _, formula, message in MISTAKES:
            if all(abs(s / formula(i, o) - 1) <= REL_TOL for s, (i, o) in zip(stds, CASES)):
                # the std the function draws from (the sample std only differs by noise)
                used = formula(fan_in, fan_out)
                return Result(False, [f"표준편차가 {used:.3f}입니다. {should} (fan_out={fan_out}).", message])
        return Result(False, [f"표준편차가 약 {float(f'{stds[k]:.2g}'):g}입니다 (표본 {stds[k]:.4f}). "
                              f"{should} (fan_out={fan_out}).",
                              "평균 0, 표준편차 √(2/fan_in)인 정규분포에서 뽑아야 합니다."])

    for W, (fan_in, fan_out) in zip(samples, CASES):
        mean, se = float(W.mean()), _expected(fan_in) / math.sqrt(W.size)
        if abs(mean) > 5 * se:
            return Result(False, [f"fan_in={fan_in}에서 평균이 {mean:.3f}입니다: 평균은 0이어야 합니다 "
                                  f"(이 크기의 표본이면 |평균| < {5 * se:.3f})."])

    z = np.concatenate([W.ravel() / _expected(i) for W, (i, _) in zip(samples, CASES)])
    kurt = float(np.mean(z ** 4) / np.mean(z ** 2) ** 2 - 3)  # excess kurtosis: normal 0, uniform -1.2
    if kurt < -0.9:
        return Result(False, [f"분산은 맞지만 분포 모양이 균등분포에 가깝습니다 (초과 첨도 {kurt:.2f}; "
                              "정규분포는 0, 균등분포는 -1.2). 이 문제는 He '정규분포' 초기화입니다: "
                              "균등분포 U(-a, a) 대신 정규분포에서 뽑으세요."])
    if abs(kurt) > 0.9:
        return Result(False, [f"분포 모양이 정규분포와 다릅니다 (초과 첨도 {kurt:.2f}, 정규분포는 0). "
                              "평균 0, 표준편차 √(2/fan_in)인 정규분포에서 뽑으세요."])

    summary = ", ".join(f"fan_in={i}: {s:.3f} (√(2/{i})={_expected(i):.3f})"
                        for s, (i, _) in zip(stds, CASES))
    return Result(True, [f"표준편차 {summary}."])
