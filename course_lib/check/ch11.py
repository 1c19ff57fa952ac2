"""Checker of chapter 11 (정리: 학습이 안 될 때): name the symptom from the measurements.

The student writes

    my_diagnose(grad_norms, losses, dead=None) -> "exploding" | "dead_relu" | "vanishing" | "ok"

* ``grad_norms``: ‖∂L/∂W_k‖ per step and weight matrix, shape (steps, layers), input layer
  first (``History.grad_norm_array()``);
* ``losses``: the loss per step (``History.step_loss``, a list);
* ``dead``: the fraction of dead units per activation layer (``diagnostics.dead_fraction``),
  or None when it was not measured.

The rules, checked in this order (the chapter derives them):

1. any nan/inf in ``losses`` or ``grad_norms``, or any gradient norm above 1000 (at any
   step) → "exploding";
2. ``dead`` given and some layer has at least half of its units dead → "dead_relu";
3. at the first step, ``grad_norms[0, 0] / grad_norms[0, -1] < 0.1`` (the input layer's
   gradient is more than ten times smaller than the output layer's) → "vanishing";
4. otherwise "ok".

The hidden cases are built so that each classic confusion (nan compared with ``>``, only the
loss or only the gradients checked, the ratio upside down, an absolute threshold for
vanishing, vanishing tested before dead units, the mean dead fraction instead of the
largest one) gives a wrong answer on some case, and the feedback names it.
"""
import math

import numpy as np

from ._base import Result, run_safely

LABELS = ("exploding", "dead_relu", "vanishing", "ok")
EXPLODE = 1e3     # a gradient norm above this is exploding
DEAD = 0.5        # a layer with at least this fraction of dead units
VANISH = 0.1      # grad_norms[0] / grad_norms[-1] below this is vanishing

NAN, INF = float("nan"), float("inf")


def reference(grad_norms, losses, dead=None):
    """The rules of the module docstring."""
    g = np.asarray(grad_norms, dtype=float)
    loss = np.asarray(losses, dtype=float)
    if not (np.all(np.isfinite(g)) and np.all(np.isfinite(loss))) or np.max(g) > EXPLODE:
        return "exploding"
    if dead is not None and np.max(dead) >= DEAD:
        return "dead_relu"
    if g[0, 0] < VANISH * g[0, -1]:
        return "vanishing"
    return "ok"


def _fmt(values):
    """Short text of a list of numbers, or of a list of rows."""
    values = list(values)
    if values and np.ndim(values[0]) == 1:
        if len(values) > 2:
            return "[" + _fmt(values[0]) + ", …, " + _fmt(values[-1]) + f"] ({len(values)}스텝)"
        return "[" + ", ".join(_fmt(v) for v in values) + "]"
    return "[" + ", ".join("nan" if math.isnan(v) else f"{v:.3g}" for v in map(float, values)) + "]"


def _layers(first, last, n=6, steps=3):
    """Gradient norms of ``steps`` steps, each going geometrically from ``first`` (input
    layer) to ``last`` (output layer) over ``n`` layers: a list of rows."""
    return [list(np.geomspace(first, last, n))] * steps


def _then(rows, *more):
    """``rows`` followed by more rows (a run that changes later)."""
    return rows + [list(r) for r in more]


falling = [2.30, 2.10, 1.70, 1.20, 0.80, 0.50]
stuck = [2.31, 2.30, 2.30, 2.31, 2.30, 2.30]

# (description, grad_norms, losses, dead, {wrong answer: the confusion it shows})
CASES = [
    ("건강한 네트워크", _layers(0.8, 1.2), falling, [0.0, 0.02, 0.0, 0.01, 0.0], {}),
    ("입력 쪽 기울기가 출력 쪽의 1/10000, 손실 정체", _layers(1e-4, 1.0), stuck, None,
     {"ok": "입력 쪽 층의 기울기 노름이 출력 쪽의 1/10000인데 소실로 보지 않았습니다. "
            "grad_norms[0] / grad_norms[-1]를 계산하세요 (순서가 거꾸로 아닌지도 확인하세요).",
      "exploding": "입력 쪽 기울기가 1e-4로 작은데 폭주라고 했습니다: 비율을 "
                   "grad_norms[-1] / grad_norms[0]로 거꾸로 계산한 것 아닌가요? 입력 쪽 / 출력 쪽입니다."}),
    ("입력 쪽 기울기가 출력 쪽의 1/20", _layers(0.05, 1.0), stuck, None,
     {"ok": "grad_norms[0] / grad_norms[-1] = 0.05입니다. 기준은 0.1 미만이면 소실입니다 "
            "(1e-3 같은 더 작은 기준을 쓰지 않았나요?)."}),
    ("입력 쪽 기울기가 출력 쪽의 20배 (유한, 1000 이하)", _layers(20.0, 1.0), falling, None,
     {"vanishing": "입력 쪽 기울기(20)가 출력 쪽(1)보다 큰데 소실이라고 했습니다: 비율을 "
                   "grad_norms[-1] / grad_norms[0]로 거꾸로 계산했습니다. 입력 쪽 / 출력 쪽입니다.",
      "exploding": "기울기 노름이 모두 1000 이하이고 유한한데 폭주라고 했습니다. 폭주의 기준은 "
                   "nan/inf이거나 어떤 노름이 1000을 넘는 것입니다 (비율은 소실에만 씁니다)."}),
    ("모든 층의 기울기가 똑같이 1e-6 (수렴 직전)", [[1e-6] * 6] * 3, [0.40, 0.20, 0.10, 0.06, 0.05, 0.05],
     None,
     {"vanishing": "모든 층의 기울기가 똑같이 1e-6이면 소실이 아닙니다: 손실이 거의 0이 되어 "
                   "기울기가 모두 작아진 것입니다. 소실은 절댓값이 아니라 입력 쪽이 출력 쪽보다 작은 "
                   "비율(grad_norms[0] / grad_norms[-1])로 판단합니다."}),
    ("기울기 노름에 nan (손실은 유한)", _then(_layers(0.5, 1.0, steps=2), [0.9, 2.0, NAN, 1.0, 1.1, 1.0]), falling[:3], None,
     {"ok": "기울기 노름에 nan이 있는데 폭주로 보지 않았습니다. nan은 어떤 비교(>, <)에서도 "
            "False라서 np.max(g) > 1000 같은 조건으로는 잡히지 않습니다. np.isfinite로 확인하세요.",
      "vanishing": "기울기 노름에 nan이 있으면 다른 규칙보다 먼저 폭주입니다 (np.isfinite로 확인)."}),
    ("손실이 inf가 됨 (기울기 노름은 유한)", _layers(1.0, 2.0), [2.3, 5.0, 80.0, INF], None,
     {"ok": "손실이 inf가 되었는데 폭주로 보지 않았습니다: 기울기 노름뿐 아니라 손실(losses)도 "
            "np.isfinite로 확인하세요."}),
    ("손실이 nan이 됨 (기울기 노름은 유한)", _layers(1.0, 0.5), [2.3, 2.9, NAN], None,
     {"ok": "손실이 nan이 되었는데 폭주로 보지 않았습니다: 손실(losses)도 np.isfinite로 "
            "확인하세요. nan은 어떤 비교에서도 False입니다."}),
    ("유한하지만 거대한 기울기 노름 (최대 3e7)", _layers(3e7, 2e7), [2.3, 40.0, 900.0], None,
     {"ok": "기울기 노름이 3e7인데 폭주로 보지 않았습니다: nan/inf만이 아니라 1000을 넘는 노름도 "
            "폭주입니다 (곧 nan이 됩니다)."}),
    ("한 층의 ReLU가 모두 죽음, 그 아래 기울기는 0", [[0.0, 0.0, 0.0, 0.6, 0.9, 1.0]] * 3, stuck,
     [0.05, 0.1, 1.0, 0.0, 0.02],
     {"vanishing": "죽은 ReLU를 소실로 진단했습니다: 한 층의 유닛이 모두 죽으면 그 아래 기울기는 "
                   "정확히 0이라 비율 규칙도 걸리지만, 원인은 죽은 유닛입니다. dead 검사를 소실 검사보다 "
                   "먼저 하세요.",
      "exploding": "기울기 노름이 0인 것은 폭주가 아닙니다 (0/1 = 0은 유한합니다)."}),
    ("11개 층 중 한 층만 90% 죽음", _layers(0.7, 1.0, 12), falling,
     [0.0] * 5 + [0.9] + [0.0] * 5,
     {"ok": "한 층의 유닛 90%가 죽었는데 죽은 ReLU로 보지 않았습니다: 층 평균이 아니라 "
            "가장 많이 죽은 층(np.max(dead))을 0.5와 비교하세요."}),
    ("죽은 비율이 정확히 0.5인 층", _layers(0.9, 1.0), falling, [0.1, 0.5, 0.2],
     {"ok": "죽은 비율이 정확히 0.5인 층이 있습니다: 기준은 0.5 '이상'입니다 (>= 0.5)."}),
    ("dead=None, 기울기 소실", _layers(1e-3, 0.8), stuck, None, {}),
    ("nan과 많이 죽은 층이 함께 (발산 뒤)", _then(_layers(0.3, 0.1, steps=1), [INF, NAN, NAN, 0.1, 0.2, 0.1]), [2.3, NAN], [0.0, 0.8, 0.9],
     {"dead_relu": "기울기와 손실에 nan/inf가 있으면 다른 측정은 의미가 없습니다: nan/inf 검사를 "
                   "맨 먼저 하세요."}),
    ("첫 스텝은 건강, 셋째 스텝에서 노름 5e4 (손실은 아직 유한)",
     _then(_layers(0.9, 1.1, steps=2), np.geomspace(5e4, 30.0, 6)), [2.3, 2.2, 60.0], None,
     {"ok": "셋째 스텝의 기울기 노름이 5e4인데 폭주로 보지 않았습니다: 폭주는 어느 스텝에서든 "
            "일어날 수 있습니다. 첫 스텝만이 아니라 모든 스텝(grad_norms 전체)을 확인하세요."}),
    ("시그모이드 12층 (표준편차 1 초기화, 본문의 0단계)", _layers(5e-3, 1.4, 12), stuck,
     [0.0] * 11, {}),
]


def diagnose(fn):
    """Check ``fn(grad_norms, losses, dead=None)`` on the hidden cases."""
    messages = []
    for i, (what, g, loss, dead, hints) in enumerate(CASES, start=1):
        want = reference(g, loss, dead)
        args = (np.array(g), list(loss)) if i % 2 else (list(g), list(loss))
        dead_arg = None if dead is None else np.array(dead)
        got, error = run_safely(fn, *args, dead=dead_arg)
        where = (f"경우 {i} ({what}): grad_norms={_fmt(g)}, losses={_fmt(loss)}, "
                 f"dead={'None' if dead is None else _fmt(dead)}")
        if error:
            extra = []
            if "truth value" in error or "ambiguous" in error:
                extra = ["grad_norms는 (스텝, 층) 모양의 2차원 배열입니다: 첫 스텝의 입력 쪽 층은 "
                         "grad_norms[0, 0], 출력 쪽 층은 grad_norms[0, -1]입니다."]
            return Result(False, [f"{where}: {error}"] + extra)
        if not isinstance(got, str) or got not in LABELS:
            return Result(False, [f"{where}: 돌려준 값이 {got!r}입니다. "
                                  f"{', '.join(repr(x) for x in LABELS)} 중 하나를 돌려주세요."])
        if got != want:
            messages.append(f"{where}: '{got}'라고 했지만 '{want}'여야 합니다.")
            if got in hints:
                messages.append(hints[got])
            if len(messages) >= 4:
                break
    if messages:
        return Result(False, messages)
    return Result(True, [f"숨은 경우 {len(CASES)}개를 모두 맞혔습니다: nan/inf와 큰 노름은 폭주, "
                         "반 이상 죽은 층은 죽은 ReLU, 입력 쪽 / 출력 쪽 비율 0.1 미만은 소실."])
