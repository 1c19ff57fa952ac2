"""Checker of chapter 9 (규제): the forward pass of inverted dropout.

The student writes

    my_dropout(x, p, train, rng) -> out

with the conventions of ``torch.nn.Dropout`` (p is the probability of DROPPING a unit):

* training:  out = x · m / (1 - p),  m ~ Bernoulli(1 - p) drawn independently for every
  element of x with the given ``rng`` (a new mask at every call);
* eval (train=False):  out = x  (nothing is dropped, nothing is scaled).

Every correct implementation passes (``rng.random(x.shape) >= p``, ``< 1 - p``,
``rng.binomial(1, 1 - p, x.shape)``, ...): the checker looks at the output's values and
statistics, not at the code. It names the classic mistakes with numbers.
"""
import numpy as np

from ._base import Result, run_safely

TOL = 1e-9


def _x(shape, seed):
    """Inputs with no zeros (|x| in [0.5, 2], random signs), so a 0 in the output is a drop."""
    rng = np.random.default_rng(seed)
    return rng.uniform(0.5, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)


def _call(fn, x, p, train, rng):
    x_in = x.copy()
    out, error = run_safely(fn, x_in, p, train, rng)
    if error:
        return None, error
    if not np.array_equal(x_in, x):
        return None, "입력 x를 제자리에서 바꿨습니다 (x *= mask 같은 코드). 새 배열을 만들어 돌려주세요."
    out = np.asarray(out, dtype=float) if out is not None else None
    if out is None or out.shape != x.shape:
        got = None if out is None else out.shape
        return None, f"출력의 모양이 {got}입니다. 입력과 같은 {x.shape}이어야 합니다."
    return out, None


def _eval_mode(fn, p):
    x = _x((50, 40), 11)
    out, error = _call(fn, x, p, False, np.random.default_rng(3))
    where = f"평가 모드(train=False, p={p})"
    if error:
        return f"{where}: {error}"
    if np.allclose(out, x, rtol=TOL, atol=TOL):
        return None
    if np.allclose(out, x * (1 - p), rtol=TOL, atol=TOL):
        return (f"{where}에서 출력에 1-p={1 - p:g}를 곱했습니다. 이것은 훈련 때 나누지 않는 옛 방식"
                f"(비역 드롭아웃)의 규칙입니다. 역 드롭아웃은 훈련 때 이미 1/(1-p)로 나눴으므로 평가 모드에서는 "
                f"x를 그대로 돌려줘야 합니다.")
    if np.allclose(out, x * p, rtol=TOL, atol=TOL):
        return (f"{where}에서 출력에 p={p:g}를 곱했습니다. 평가 모드의 드롭아웃은 항등 함수입니다: x를 그대로 "
                f"돌려주세요.")
    if np.allclose(out, x / (1 - p), rtol=TOL, atol=TOL):
        return (f"{where}에서 출력을 1-p={1 - p:g}로 나눴습니다. 1/(1-p) 스케일은 훈련 때 살아남은 유닛에만 "
                f"곱합니다. 평가 모드에서는 x를 그대로 돌려주세요.")
    dropped = float(np.mean(out == 0))
    if dropped > 0:
        return (f"{where}인데도 원소의 {dropped:.1%}를 0으로 만들었습니다. 평가 모드에서는 아무것도 "
                f"떨어뜨리지 않고 x를 그대로 돌려줘야 합니다 (train 인자를 확인하세요).")
    i = np.unravel_index(np.argmax(np.abs(out - x)), x.shape)
    return f"{where}: out[{i[0]}, {i[1]}] = {out[i]:.6f}인데 x[{i[0]}, {i[1]}] = {x[i]:.6f}와 같아야 합니다."


def _train_mode(fn, p, seed):
    """Messages for one training-mode case with a large input (40,000 elements)."""
    x = _x((200, 200), seed)
    n = x.size
    where = f"훈련 모드(train=True, p={p})"
    out, error = _call(fn, x, p, True, np.random.default_rng(seed))
    if error:
        return f"{where}: {error}"
    dropped = out == 0
    frac = float(dropped.mean())
    if p == 0:
        if not np.allclose(out, x, rtol=TOL, atol=TOL):
            return f"{where}: p=0이면 아무것도 떨어뜨리지 않으므로 출력이 x와 같아야 합니다 (0인 원소 {frac:.1%})."
        return None
    kept = ~dropped
    ratio = out[kept] / x[kept]
    if kept.any() and not np.allclose(ratio, ratio[0], rtol=1e-7):
        return (f"{where}: 살아남은 원소의 out/x 비율이 {ratio.min():.4f}에서 {ratio.max():.4f}까지 "
                f"제각각입니다. 살아남은 원소는 모두 같은 수 1/(1-p)={1 / (1 - p):.4f}를 곱해야 합니다.")
    scale = float(ratio[0]) if kept.any() else float("nan")
    rows_same = np.all(dropped == dropped[0], axis=0).all()
    cols_same = np.all(dropped == dropped[:, :1], axis=1).all()
    if rows_same or cols_same:
        axis = "배치의 모든 샘플(행)" if rows_same else "한 샘플의 모든 특성(열)"
        return (f"{where}: {axis}이 같은 마스크를 공유합니다. 마스크는 x와 같은 모양으로, 원소마다 따로 "
                f"뽑아야 합니다 (예: 모양이 x.shape인 난수).")
    # the fraction dropped: binomial with std √(p(1-p)/n) ≈ 0.0025; 0.02 is ~8 std
    sd = np.sqrt(p * (1 - p) / n)
    if abs(frac - p) > max(0.02, 8 * sd):
        if abs(frac - (1 - p)) < max(0.02, 8 * sd):
            return (f"{where}: 원소의 {frac:.1%}를 떨어뜨렸습니다. 약 {p:.0%}여야 합니다. p를 '남길 확률'로 "
                    f"썼습니다: PyTorch와 이 강의에서 p는 '떨어뜨릴 확률'입니다. 유닛을 남길 확률은 1-p입니다.")
        return f"{where}: 원소의 {frac:.1%}를 떨어뜨렸습니다. 각 원소를 확률 p={p:g}로 0으로 만들어야 합니다."
    if np.isclose(scale, 1.0, rtol=1e-7):
        return (f"{where}: 살아남은 원소를 그대로 두었습니다 (x·m). 역 드롭아웃은 훈련 때 1/(1-p)="
                f"{1 / (1 - p):.4f}를 곱해 E[out] = x가 되게 합니다. 그래야 평가 모드에서 아무것도 하지 "
                f"않아도 됩니다. 지금은 훈련 때 출력의 평균이 x의 {1 - p:.2f}배입니다.")
    if not np.isclose(scale, 1 / (1 - p), rtol=1e-7):
        return (f"{where}: 살아남은 원소에 {scale:.4f}를 곱했습니다. 1/(1-p) = {1 / (1 - p):.4f}여야 "
                f"합니다" + (" (1/p로 나눴습니다)." if np.isclose(scale, 1 / p, rtol=1e-7) else "."))
    return None


def _randomness(fn, p=0.3):
    """The mask must come from ``rng``: new at every call, reproducible from the same seed."""
    x = _x((30, 20), 5)
    where = f"훈련 모드(p={p})"
    rng = np.random.default_rng(7)
    first, error = _call(fn, x, p, True, rng)
    if error:
        return f"{where}: {error}"
    second, error = _call(fn, x, p, True, rng)
    if error:
        return f"{where}: {error}"
    if np.array_equal(first == 0, second == 0):
        return (f"{where}: 같은 rng로 두 번 불렀는데 두 번 모두 똑같은 원소를 떨어뜨렸습니다. 마스크는 "
                f"호출할 때마다 새로 뽑아야 합니다. 함수 안에서 고정된 시드로 새 난수 생성기를 만들지 말고 "
                f"인자로 받은 rng를 쓰세요.")
    again, error = _call(fn, x, p, True, np.random.default_rng(7))
    if error:
        return f"{where}: {error}"
    if not np.array_equal(first, again):
        return (f"{where}: 같은 시드의 rng(np.random.default_rng(7))를 주었는데 결과가 달라졌습니다. "
                f"np.random.rand 같은 전역 난수가 아니라 인자로 받은 rng(rng.random 등)로 마스크를 뽑으세요.")
    return None


def dropout(fn):
    """Check ``fn(x, p, train, rng) -> out`` (inverted dropout, p = drop probability)."""
    checks = [lambda: _eval_mode(fn, 0.5), lambda: _eval_mode(fn, 0.2),
              lambda: _train_mode(fn, 0.2, 1), lambda: _train_mode(fn, 0.7, 2),
              lambda: _train_mode(fn, 0.5, 3), lambda: _train_mode(fn, 0.0, 4),
              lambda: _randomness(fn)]
    for check in checks:
        message = check()
        if message:
            return Result(False, [message])
    return Result(True, ["훈련 모드에서는 원소마다 확률 p로 떨어뜨리고 남은 원소를 1/(1-p)배 하며, "
                         "평가 모드에서는 x를 그대로 돌려줍니다 (torch.nn.Dropout과 같은 역 드롭아웃). "
                         "마스크는 받은 rng에서 호출마다 새로 뽑힙니다."])
