"""Checker of chapter 10 (전이 학습): build the target network and choose what it trains.

The student writes

    my_transfer(pretrained, n_frozen, n_classes, rng) -> (model, params)

* ``model``: a ``Sequential`` with *copies* of every layer of ``pretrained`` except its output
  layer (the last Linear), followed by a NEW ``Linear(fan_in, n_classes)`` initialised with ``rng``;
* ``params``: the dict handed to the optimizer — every entry of ``model.params`` except the
  weights **and biases** of the lowest ``n_frozen`` Linear layers, with the model's own arrays
  (so that an in-place update changes the model).

The checker looks at behaviour, not code: it runs the model, applies one optimizer step
through ``params`` and sees which layers moved, and checks that ``pretrained`` never changes.
"""
import numpy as np

from ._base import Result, run_safely
from ..layers import Linear
from ..network import MLP
from ..optim import SGD


def _case(sizes, seed):
    return MLP(sizes, activation="relu", init="he_normal", rng=seed)


def _snapshot(model):
    return {k: v.copy() for k, v in model.params.items()}


def _one_case(fn, sizes, n_frozen, n_classes, seed):
    pre = _case(sizes, seed)
    before = _snapshot(pre)
    where = f"(은닉층 {len(sizes) - 2}개 네트워크, n_frozen={n_frozen}, n_classes={n_classes})"
    out, error = run_safely(fn, pre, n_frozen, n_classes, np.random.default_rng(seed + 1))
    if error:
        return f"{where} {error}"
    if not (isinstance(out, tuple) and len(out) == 2):
        return f"{where} (model, params) 두 개를 튜플로 돌려줘야 합니다."
    model, params = out
    if not all(hasattr(model, a) for a in ("forward", "backward", "params", "layers")):
        return f"{where} model이 Sequential이 아닙니다 (forward, backward, params, layers가 필요합니다)."
    if not isinstance(params, dict):
        return f"{where} params는 이름 → 배열의 dict여야 합니다 (model.params처럼)."
    lin_pre = pre.linear_layers()
    lin_new = [i for i, layer in enumerate(model.layers) if isinstance(layer, Linear)]
    X = np.random.default_rng(seed + 2).normal(size=(7, sizes[0]))
    try:
        logits = model.forward(X, train=False)
    except Exception as err:  # noqa: BLE001  (the student's model is feedback)
        return f"{where} model.forward가 실패합니다: {type(err).__name__}: {err}"
    if logits.shape != (7, n_classes):
        if logits.shape == (7, sizes[-1]) and n_classes != sizes[-1]:
            return (f"{where} 출력의 모양이 {logits.shape}입니다: 원래 출력층(클래스 {sizes[-1]}개)을 그대로 "
                    f"썼습니다. 새 작업의 클래스 수 {n_classes}에 맞는 새 출력층으로 바꾸세요.")
        return f"{where} 출력의 모양이 {logits.shape}입니다. (7, {n_classes})이어야 합니다."
    if len(lin_new) != len(lin_pre):
        return (f"{where} Linear 층이 {len(lin_new)}개입니다. 사전 학습 모델과 같은 {len(lin_pre)}개여야 "
                f"합니다 (출력층만 바꾸고, 그 아래는 그대로 재사용).")
    # the reused lower layers: same values, different arrays
    for j, (a, b) in enumerate(zip(lin_pre[:-1], lin_new[:-1])):
        Wp, Wn = pre.layers[a].params["W"], model.layers[b].params["W"]
        if Wn.shape != Wp.shape or not np.allclose(Wn, Wp):
            return (f"{where} {j + 1}번째 은닉층의 가중치가 사전 학습된 값과 다릅니다. 하위층은 새로 초기화하지 "
                    f"말고 사전 학습된 가중치를 그대로 가져와야 합니다.")
        if np.shares_memory(Wn, Wp):
            return (f"{where} {j + 1}번째 은닉층이 사전 학습 모델과 같은 배열을 공유합니다. 새 모델을 학습하면 "
                    f"사전 학습 모델도 함께 바뀝니다: 층을 복사하세요 (copy.deepcopy).")
    head, old_head = model.layers[lin_new[-1]].params["W"], pre.layers[lin_pre[-1]].params["W"]
    if head.shape == old_head.shape and (np.shares_memory(head, old_head) or np.allclose(head, old_head)):
        return (f"{where} 출력층이 사전 학습 모델의 출력층과 같습니다. 원래 출력층은 '숫자 0..4'에 맞춰져 있어 "
                f"새 작업의 클래스와 뜻이 다릅니다: 새 Linear 층으로 바꾸세요.")
    # which parameters does one step through `params` move?
    mp = model.params
    for name, arr in params.items():
        if name not in mp:
            return f"{where} params에 model.params에 없는 이름 {name!r}가 있습니다."
        if not np.shares_memory(arr, mp[name]):
            return (f"{where} params[{name!r}]가 모델의 배열이 아니라 복사본입니다. 옵티마이저가 복사본을 "
                    f"바꾸면 모델은 그대로입니다: model.params의 배열을 그대로 담으세요.")
    frozen = {str(i) for i in lin_new[:n_frozen]}
    expected = {k for k in mp if k.split(".")[0] not in frozen}
    got = set(params)
    if got != expected:
        top = {str(i) for i in lin_new[len(lin_new) - n_frozen:]} if n_frozen else set()
        if n_frozen and got == {k for k in mp if k.split(".")[0] not in top}:
            return (f"{where} 위쪽(출력 쪽) {n_frozen}개 Linear 층을 동결했습니다. 동결하는 것은 입력 쪽 "
                    f"하위층입니다: 범용 특성은 아래에 있고, 새 출력층은 반드시 학습해야 합니다.")
        frozen_b = {f"{i}.b" for i in frozen}
        if n_frozen and got == expected | frozen_b:
            return (f"{where} 동결한 층의 편향 {sorted(frozen_b)}이 아직 params에 있습니다. 층을 동결하면 "
                    f"가중치와 편향을 모두 고정해야 합니다.")
        if n_frozen and got == expected - {k for k in expected if k.endswith('.b')}:
            return (f"{where} 편향이 params에 하나도 없습니다. 학습하는 층은 가중치와 편향을 모두 params에 "
                    f"넣어야 합니다.")
        by_index = {k for k in mp if int(k.split(".")[0]) >= n_frozen}
        if n_frozen and got == by_index:
            return (f"{where} n_frozen을 Sequential의 층 번호로 셌습니다 (ReLU도 층입니다). n_frozen은 "
                    f"Linear 층의 개수입니다: model.linear_layers()를 쓰세요.")
        missing, extra = sorted(expected - got), sorted(got - expected)
        return (f"{where} params의 이름이 틀렸습니다. 빠진 것: {missing or '없음'}; 들어가면 안 되는 것: "
                f"{extra or '없음'}.")
    model.forward(X, train=True)
    model.backward(np.ones((7, n_classes)))
    snap = _snapshot(model)
    SGD(0.1).update(params, model.grads)
    moved = {k for k in mp if not np.array_equal(model.params[k], snap[k])}
    if moved - expected:
        return f"{where} 동결해야 할 {sorted(moved - expected)}가 한 번의 업데이트로 바뀌었습니다."
    for k, v in before.items():
        if not np.array_equal(pre.params[k], v):
            return f"{where} 사전 학습 모델의 {k}가 바뀌었습니다. 사전 학습 모델은 그대로 두세요."
    return None


def transfer_model(fn):
    """Check ``fn(pretrained, n_frozen, n_classes, rng) -> (model, params)`` on hidden cases."""
    cases = [([8, 6, 5], 1, 3, 0), ([8, 6, 5, 4], 0, 4, 1), ([8, 6, 5, 4], 2, 3, 2),
             ([8, 6, 5, 4, 3], 1, 3, 3), ([8, 6, 5, 4, 3], 3, 5, 4), ([8, 6, 5, 4, 3], 2, 2, 5)]
    for sizes, n_frozen, n_classes, seed in cases:
        problem = _one_case(fn, sizes, n_frozen, n_classes, seed)
        if problem:
            return Result(False, [problem])
    return Result(True, [f"숨겨 둔 {len(cases)}가지 경우(은닉층 1~3개, 동결 0~3개)에서 하위층 복사, 새 출력층, "
                         "동결한 층의 가중치와 편향이 모두 맞습니다."])
