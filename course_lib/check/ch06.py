"""Checker of chapter 6 (기울기 폭주와 그래디언트 클리핑): clipping by the global norm.

The student writes ``my_clip_grad_norm(grads, max_norm) -> total_norm`` as
``torch.nn.utils.clip_grad_norm_``:

    ‖g‖ = √(Σ_k ‖g_k‖²)            (one norm over ALL gradients together)
    g_k ← g_k · max_norm / ‖g‖      for every k, only if ‖g‖ > max_norm
    return ‖g‖                      (the norm BEFORE clipping)

``grads`` is a dict name -> ndarray, changed in place (``g *= c`` or ``grads[k] = c * g``
both count). torch's ``+ 1e-6`` in the denominator is accepted, so is its absence.
The checker runs hidden cases and names the classic mistakes with numbers.
"""
import numpy as np

from ._base import Result, run_safely

RTOL = 1e-4  # wide enough for torch's max_norm / (‖g‖ + 1e-6), far below every mistake


def _global_norm(grads):
    return float(np.sqrt(sum(np.sum(np.asarray(g, dtype=float) ** 2) for g in grads.values())))


def _reference(grads, max_norm):
    """(clipped copy, norm before clipping)."""
    total = _global_norm(grads)
    scale = max_norm / total if total > max_norm else 1.0
    return {k: g * scale for k, g in grads.items()}, total


def _per_parameter(grads, max_norm):
    out = {}
    for k, g in grads.items():
        n = np.linalg.norm(g)
        out[k] = g * (max_norm / n) if n > max_norm else g.copy()
    return out


def _by_value(grads, max_norm):
    return {k: np.clip(g, -max_norm, max_norm) for k, g in grads.items()}


def _always_scaled(grads, max_norm):
    total = _global_norm(grads)
    return {k: g * (max_norm / total) for k, g in grads.items()}


def _cases():
    """Hidden cases: (description, grads, max_norm). Shapes as in an RNN with a readout."""
    rng = np.random.default_rng(20130)
    shapes = {"Wx": (3, 5), "Wh": (5, 5), "b": (5,), "head.W": (5, 2)}

    def make(scales):
        return {k: rng.standard_normal(s) * c for (k, s), c in zip(shapes.items(), scales)}

    even = make([0.3, 0.3, 0.3, 0.3])
    own_max = max(np.linalg.norm(g) for g in even.values())
    return [
        # every parameter's own norm is below max_norm, but the global norm is above it
        ("전체 노름만 임계값을 넘는 경우", even, round(1.05 * own_max, 3)),
        # one parameter dominates: a per-parameter clip changes the direction
        ("한 파라미터의 기울기가 유난히 큰 경우", make([30.0, 0.05, 0.05, 0.05]), 1.0),
        ("노름이 임계값보다 작은 경우", make([0.1, 0.05, 0.02, 0.1]), 5.0),
        ("노름이 아주 큰 경우 (폭주)", make([1e4, 3e3, 1e3, 2e4]), 0.5),
        ("기울기가 하나뿐인 경우", {"W": rng.standard_normal((4, 3)) * 2.0}, 1.0),
        ("기울기가 모두 0인 경우", {k: np.zeros(s) for k, s in shapes.items()}, 1.0),
    ]


def _close(a, b):
    return all(np.allclose(a[k], b[k], rtol=RTOL, atol=1e-12) for k in b)


def _flat(grads, keys):
    return np.concatenate([np.ravel(grads[k]) for k in keys])


def _diagnose(name, before, after, ret, max_norm):
    """Korean messages for one case, [] when the answer is right."""
    ref, total = _reference(before, max_norm)
    keys = list(before)
    clipped = total > max_norm
    msgs = []
    if not isinstance(after, dict) or set(after) != set(keys):
        return [f"[{name}] grads 딕셔너리의 키가 바뀌었습니다: 같은 이름의 기울기를 제자리에서 고쳐야 합니다."]
    for k in keys:
        a = np.asarray(after[k])
        if a.shape != before[k].shape:
            return [f"[{name}] grads['{k}']의 모양이 {before[k].shape}에서 {a.shape}로 바뀌었습니다."]
    if not all(np.all(np.isfinite(np.asarray(after[k], dtype=float))) for k in keys):
        if total == 0:
            return [f"[{name}] 기울기가 모두 0일 때 nan/inf가 나왔습니다: 노름 0으로 나누지 않도록, "
                    f"노름이 max_norm을 넘을 때만 배율을 곱하세요."]
        return [f"[{name}] 클리핑한 기울기에 nan/inf가 있습니다."]

    if not _close(after, ref):
        new_norm = _global_norm(after)
        if clipped and _close(after, before) and _close(_per_parameter(before, max_norm), before):
            own = ", ".join(f"{k}: {np.linalg.norm(before[k]):.3g}" for k in keys)
            msgs.append(f"[{name}] 전체 노름이 {total:.4g}로 max_norm={max_norm:g}보다 큰데 grads가 그대로입니다. "
                        f"파라미터마다 노름을 쟀다면 각 노름({own})이 모두 max_norm 이하라서 아무것도 자르지 "
                        "않았을 것입니다: 노름은 모든 기울기를 이어 붙인 하나의 벡터에서 한 번만 잽니다. 전체 노름으로 "
                        "쟀다면 배율을 곱한 결과가 딕셔너리에 반영되지 않은 것입니다 (`g = g * c`는 새 배열을 만들 "
                        "뿐입니다: `g *= c` 또는 `grads[k] = ...`로 제자리에서 고치세요).")
        elif clipped and _close(after, before):
            msgs.append(f"[{name}] 전체 노름이 {total:.4g}로 max_norm={max_norm:g}보다 큰데 grads가 그대로입니다. "
                        "`g = g * c`는 새 배열을 만들 뿐 딕셔너리 안의 기울기는 바꾸지 않습니다: "
                        "제자리에서 고치세요 (`g *= c` 또는 `grads[k] = ...`).")
        elif _close(after, _per_parameter(before, max_norm)):
            own = ", ".join(f"{k}: {np.linalg.norm(before[k]):.3g}" for k in keys)
            msgs.append(f"[{name}] 파라미터마다 따로 노름을 재서 잘랐습니다 (각 노름 {own}). 노름은 모든 기울기를 "
                        f"이어 붙인 하나의 벡터에서 한 번만 잽니다: 전체 노름은 {total:.4g}이고, 모든 기울기에 "
                        f"같은 배율 {max_norm / total if clipped else 1.0:.4g}을 곱해야 전체 기울기의 방향이 유지됩니다.")
        elif _close(after, _by_value(before, max_norm)):
            msgs.append(f"[{name}] 원소마다 [-{max_norm:g}, {max_norm:g}]로 잘랐습니다 (값 클리핑). 이렇게 하면 큰 원소만 "
                        f"깎여서 기울기의 방향이 바뀝니다: 노름 클리핑은 모든 원소에 같은 배율을 곱합니다.")
        elif not clipped and _close(after, _always_scaled(before, max_norm)):
            msgs.append(f"[{name}] 전체 노름 {total:.4g}이 이미 max_norm={max_norm:g}보다 작은데도 노름을 "
                        f"{max_norm:g}로 맞췄습니다 (기울기를 {max_norm / total:.3g}배로 키움). 클리핑은 노름이 "
                        "임계값을 넘을 때만 줄이고, 그렇지 않으면 기울기를 그대로 둡니다.")
        elif not clipped:
            msgs.append(f"[{name}] 전체 노름 {total:.4g}이 max_norm={max_norm:g}보다 작으니 기울기를 그대로 두어야 "
                        f"하는데 바뀌었습니다 (바뀐 뒤 노름 {new_norm:.4g}).")
        else:
            a, b = _flat(after, keys), _flat(before, keys)
            cos = float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-300))
            if cos < 1 - 1e-6:
                msgs.append(f"[{name}] 클리핑한 뒤 기울기의 방향이 바뀌었습니다 (원래 기울기와의 코사인 {cos:.4f}). "
                            "모든 기울기에 같은 양수 배율을 곱해야 방향이 유지됩니다.")
            else:
                msgs.append(f"[{name}] 방향은 유지했지만 클리핑한 뒤 전체 노름이 {new_norm:.4g}입니다: 자르기 전 노름이 "
                            f"{total:.4g} > max_norm={max_norm:g}이므로 자른 뒤 노름은 {max_norm:g}이어야 합니다.")
        return msgs

    if ret is None:
        return [f"[{name}] 아무 값도 돌려주지 않았습니다: 자르기 전의 전체 노름 {total:.4g}을 돌려주세요."]
    try:
        ret = float(ret)
    except (TypeError, ValueError):
        return [f"[{name}] 돌려준 값 {ret!r}이 숫자가 아닙니다: 자르기 전의 전체 노름(실수 하나)을 돌려주세요."]
    if not np.isclose(ret, total, rtol=RTOL, atol=1e-12):
        if clipped and np.isclose(ret, max_norm, rtol=RTOL):
            msgs.append(f"[{name}] 자른 뒤의 노름 {ret:.4g}을 돌려주었습니다: 돌려줄 값은 자르기 전의 전체 노름 "
                        f"{total:.4g}입니다 (기울기가 얼마나 컸는지 기록하려는 값이니까요).")
        elif np.isclose(ret, total ** 2, rtol=RTOL):
            msgs.append(f"[{name}] 노름의 제곱 {ret:.4g}을 돌려주었습니다: 제곱합에 제곱근을 씌운 {total:.4g}이어야 합니다.")
        else:
            msgs.append(f"[{name}] 돌려준 값이 {ret:.4g}입니다: 자르기 전의 전체 노름 {total:.4g}이어야 합니다.")
    return msgs


def clip_grad_norm(fn):
    """Check ``fn(grads, max_norm) -> total_norm`` (global-norm clipping, in place)."""
    messages = []
    for name, grads, max_norm in _cases():
        work = {k: g.copy() for k, g in grads.items()}
        ret, err = run_safely(fn, work, max_norm)
        if err:
            if "ZeroDivision" in err:
                err += (" 기울기가 모두 0이면 전체 노름도 0입니다: 노름이 max_norm을 넘을 때만 나누면 "
                        "0으로 나누지 않습니다.")
            messages.append(f"[{name}] {err}")
            break
        messages += _diagnose(name, grads, work, ret, max_norm)
        if len(messages) >= 3:
            break
    if messages:
        return Result(False, messages)
    return Result(True, ["전체 노름 하나로 재고, 넘을 때만 같은 배율로 줄이고, 자르기 전 노름을 돌려줍니다 "
                         "(torch.nn.utils.clip_grad_norm_과 같습니다)."])
