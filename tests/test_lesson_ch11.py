"""Chapter 11 (정리: 학습이 안 될 때): the broken network's repair and the diagnose checker."""
import math

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_lib.check import ch11 as check
from course_lib.lessons import ch11


# ---------------------------------------------------------------- the checker

def solution(grad_norms, losses, dead=None):
    """The notebook's answer, written independently of the checker's reference."""
    g = np.asarray(grad_norms, dtype=float)
    if not np.isfinite(g).all() or not np.isfinite(np.asarray(losses, dtype=float)).all():
        return "exploding"
    if g.max() > 1000:
        return "exploding"
    if dead is not None and max(dead) >= 0.5:
        return "dead_relu"
    if g[0, 0] / g[0, -1] < 0.1:
        return "vanishing"
    return "ok"


def loops(grad_norms, losses, dead=None):
    """Another correct answer: plain Python, math.isfinite, no numpy."""
    for v in [x for row in grad_norms for x in row] + list(losses):
        if not math.isfinite(v) or v > 1e3:
            return "exploding"
    if dead is not None and any(d >= 0.5 for d in dead):
        return "dead_relu"
    first = grad_norms[0]
    return "vanishing" if first[0] * 10 < first[-1] else "ok"


def test_correct_answers_pass():
    assert check.diagnose(solution)
    assert check.diagnose(loops)
    assert check.diagnose(check.reference)


def variant(nan_blind=False, grads_only=False, loss_only=False, flipped=False, absolute=False,
            vanish_first=False, mean_dead=False, strict_dead=False, tiny_threshold=False,
            no_big_norm=False, first_row_only=False):
    """A student answer with one classic confusion."""
    def fn(grad_norms, losses, dead=None):
        g = np.asarray(grad_norms, dtype=float)
        loss = np.asarray(losses, dtype=float)
        finite_g, finite_l = np.isfinite(g).all(), np.isfinite(loss).all()
        if nan_blind:
            finite_g = not np.any(np.isinf(g))
            finite_l = not np.any(np.isinf(loss))
        if grads_only:
            finite_l = True
        if loss_only:
            finite_g = True
        big = False if no_big_norm else np.max(g[:1] if first_row_only else g) > 1e3
        if not (finite_g and finite_l) or big:
            return "exploding"
        ratio = g[0, -1] / g[0, 0] if flipped else g[0, 0] / g[0, -1]
        vanishing = g[0].min() < 1e-3 if absolute else ratio < (1e-3 if tiny_threshold else 0.1)
        if vanish_first and vanishing:
            return "vanishing"
        if dead is not None:
            d = np.mean(dead) if mean_dead else np.max(dead)
            if (d > 0.5) if strict_dead else (d >= 0.5):
                return "dead_relu"
        return "vanishing" if vanishing else "ok"
    return fn


@pytest.mark.parametrize("kw, words", [
    (dict(nan_blind=True), "nan은 어떤 비교"),
    (dict(grads_only=True), "손실(losses)도"),
    (dict(loss_only=True), "기울기 노름에 nan"),
    (dict(flipped=True), "거꾸로"),
    (dict(absolute=True), "절댓값이 아니라"),
    (dict(vanish_first=True), "dead 검사를 소실 검사보다"),
    (dict(mean_dead=True), "np.max(dead)"),
    (dict(strict_dead=True), "0.5 '이상'"),
    (dict(tiny_threshold=True), "0.1 미만"),
    (dict(no_big_norm=True), "1000을 넘는 노름"),
    (dict(first_row_only=True), "모든 스텝"),
])
def test_classic_confusions_are_named(kw, words):
    result = check.diagnose(variant(**kw))
    assert not result
    text = repr(result)
    assert words in text, text
    assert "grad_norms=" in text  # the case's numbers are shown


def test_other_failures():
    def stub(grad_norms, losses, dead=None):
        raise NotImplementedError("힌트: ...")

    def crashes_on_none(grad_norms, losses, dead=None):
        if max(dead) >= 0.5:
            return "dead_relu"
        return "ok"

    def korean_label(grad_norms, losses, dead=None):
        return "소실"

    def one_dimensional(grad_norms, losses, dead=None):
        g = np.asarray(grad_norms)
        return "vanishing" if g[0] / g[-1] < 0.1 else "ok"

    def always_ok(grad_norms, losses, dead=None):
        return "ok"

    assert "NotImplementedError" in repr(check.diagnose(stub))
    assert "TypeError" in repr(check.diagnose(crashes_on_none))
    assert "'exploding'" in repr(check.diagnose(korean_label))
    assert "grad_norms[0, 0]" in repr(check.diagnose(one_dimensional))
    text = repr(check.diagnose(always_ok))
    assert not check.diagnose(always_ok) and text.count("여야 합니다") <= 4


def test_checker_never_shows_solution_code():
    text = repr(check.diagnose(variant(flipped=True)))
    assert "def " not in text and "return" not in text


def test_every_rule_has_a_case():
    answers = {check.reference(g, loss, dead) for _, g, loss, dead, _ in check.CASES}
    assert answers == set(check.LABELS)


# ---------------------------------------------------------------- the repair

@pytest.mark.parametrize("seed", [0, 1, 2])
def test_repair_claims_hold_for_several_seeds(seed):
    steps = list(ch11.repair_steps(seed).values())
    m = [ch11.measure(r) for _, r in steps]
    # 0: sigmoid, std 1: lower layers' gradient > 20x smaller, loss stuck at chance or worse
    assert m[0]["ratio"] < 0.05 and m[0]["final_loss"] > 2.2 and m[0]["test_acc"] < 0.2
    # 1: ReLU with std 1: huge gradients at the start, NaN within the first few steps
    assert steps[1][1].grad_norms0.max() > 1e6 and m[1]["diverged"]
    assert steps[1][1].history.diverged_at < 5
    # 2: He init: healthy gradients at the start, but lr 1.0 still diverges
    assert steps[2][1].grad_norms0.max() < 10 and 0.3 < m[2]["ratio"] < 3 and m[2]["diverged"]
    # 3: lr 0.05 trains
    assert not m[3]["diverged"] and m[3]["final_loss"] < 1.2 and m[3]["test_acc"] > 0.55
    # 4, 5: with BN the same network trains at lr 0.05 and at lr 1.0
    assert not m[4]["diverged"] and not m[5]["diverged"]
    assert m[4]["test_acc"] > 0.55 and m[5]["test_acc"] > 0.55
    # the reference diagnosis of each step
    names = [check.reference(r.history.grad_norm_array(), r.history.step_loss, r.dead)
             for _, r in steps]
    assert names == ["vanishing", "exploding", "exploding", "ok", "ok", "ok"]


def test_bad_values_are_refused():
    with pytest.raises(ValueError, match="activation"):
        ch11.run("tanh")
    with pytest.raises(ValueError, match="lr"):
        ch11.run("relu", "he", False, 0.1)


def test_widget_frames_never_crash():
    for values in [dict(activation=a, init=i, bn=b, lr=lr) for a in ch11.ACT_LABELS
                   for i in ch11.INIT_LABELS for b in ch11.BN_LABELS for lr in ch11.LR_LABELS]:
        out = ch11.draw(**values)
        if isinstance(out, str):
            assert out.startswith("발산했습니다")
        else:
            plt.close(out)
    n = np.prod([len(v) for v in ch11.WIDGETS["main"]["controls"].values()])
    assert n == 16


def test_widget_prepare_is_the_cached_run():
    assert ch11.prepare("ReLU", "He", "켬", "0.05") is ch11.run("relu", "he", True, "ok")


def test_widget_redraw_keeps_nothing_of_the_previous_setting(monkeypatch):
    """draw reuses one figure: a frame drawn after other settings (and after a diverged one)
    is pixel for pixel the frame of a freshly built figure."""
    from course_lib import plots, widgets

    values = dict(activation="시그모이드", init="표준편차 1", bn="끔", lr="0.05")
    ch11.draw(activation="ReLU", init="He", bn="켬", lr="0.05")
    ch11.draw(activation="ReLU", init="He", bn="끔", lr="1.0 (높음)")  # diverges: a message
    after_others = widgets.render(ch11.draw, values)
    monkeypatch.setattr(ch11, "_frame", plots.reused(ch11._frame.__wrapped__))
    assert widgets.render(ch11.draw, values) == after_others


def test_divergence_note_names_the_cause():
    init = ch11.draw(activation="ReLU", init="표준편차 1", bn="끔", lr="0.05")
    lr = ch11.draw(activation="ReLU", init="He", bn="끔", lr="1.0 (높음)")
    assert "원인은 초기화" in init and "e7" in init
    assert "원인은 학습률" in lr
    assert "\u2212" not in init + lr


def test_repair_table_and_figures():
    steps = ch11.repair_steps()
    html = ch11.repair_table(steps, diagnose=check.reference)
    assert html.count("<tr>") == len(ch11.REPAIR) + 1 and "발산" in html
    plt.close(ch11.fig_repair(steps))
