"""Chapter 10 (전이 학습): lesson module and the transfer_model checker."""
import copy

import numpy as np
import pytest

from course_lib.check import ch10 as check
from course_lib.layers import Linear
from course_lib.lessons import ch10
from course_lib.network import Sequential


def reference(pretrained, n_frozen, n_classes, rng):
    lower = [copy.deepcopy(layer) for layer in pretrained.layers[:-1]]
    model = Sequential(*lower, Linear(pretrained.layers[-1].in_features, n_classes, rng=rng))
    frozen = {str(i) for i in model.linear_layers()[:n_frozen]}
    return model, {k: v for k, v in model.params.items() if k.split(".")[0] not in frozen}


def test_reference_passes():
    assert check.transfer_model(reference)


def test_lesson_helpers_pass_the_checker():
    def via_lesson(pretrained, n_frozen, n_classes, rng):
        model = Sequential(*[copy.deepcopy(layer) for layer in pretrained.layers[:-1]],
                           Linear(pretrained.layers[-1].in_features, n_classes, init=0.01, rng=rng))
        return model, ch10.trainable(model, n_frozen)
    assert check.transfer_model(via_lesson)


def _fails(fn, *words):
    r = check.transfer_model(fn)
    assert not r
    text = " ".join(r.messages)
    for w in words:
        assert w in text, text


def test_old_output_layer():
    def wrong(pre, n_frozen, n_classes, rng):
        model = copy.deepcopy(pre)
        return model, ch10.trainable(model, n_frozen)
    _fails(wrong, "원래 출력층")


def test_wrong_end():
    def wrong(pre, n_frozen, n_classes, rng):
        model, _ = reference(pre, 0, n_classes, rng)
        lin = model.linear_layers()
        top = {str(i) for i in lin[len(lin) - n_frozen:]} if n_frozen else set()
        return model, {k: v for k, v in model.params.items() if k.split(".")[0] not in top}
    _fails(wrong, "위쪽")


def test_forgot_biases():
    def wrong(pre, n_frozen, n_classes, rng):
        model, params = reference(pre, n_frozen, n_classes, rng)
        params.update({k: v for k, v in model.params.items() if k.endswith(".b")})
        return model, params
    _fails(wrong, "편향")


def test_shared_layers():
    def wrong(pre, n_frozen, n_classes, rng):
        model = Sequential(*pre.layers[:-1], Linear(pre.layers[-1].in_features, n_classes, rng=rng))
        frozen = {str(i) for i in model.linear_layers()[:n_frozen]}
        return model, {k: v for k, v in model.params.items() if k.split(".")[0] not in frozen}
    _fails(wrong, "공유", "deepcopy")


def test_copied_params():
    def wrong(pre, n_frozen, n_classes, rng):
        model, params = reference(pre, n_frozen, n_classes, rng)
        return model, {k: v.copy() for k, v in params.items()}
    _fails(wrong, "복사본")


def test_counts_sequential_indices():
    def wrong(pre, n_frozen, n_classes, rng):
        model, _ = reference(pre, 0, n_classes, rng)
        return model, {k: v for k, v in model.params.items() if int(k.split(".")[0]) >= n_frozen}
    _fails(wrong, "linear_layers")


def test_reinitialised_lower_layers():
    def wrong(pre, n_frozen, n_classes, rng):
        from course_lib.network import MLP
        sizes = [pre.layers[0].in_features] + [pre.layers[i].out_features for i in pre.linear_layers()[:-1]]
        model = MLP(sizes + [n_classes], rng=rng)
        return model, ch10.trainable(model, n_frozen)
    _fails(wrong, "사전 학습된 가중치")


def test_not_implemented_and_crash():
    def todo(*a):
        raise NotImplementedError
    assert "구현" in " ".join(check.transfer_model(todo).messages)
    assert not check.transfer_model(lambda *a: None)


def test_subset_freezes_and_scales():
    model = ch10.make_net(seed=0)
    before = {k: v.copy() for k, v in model.params.items()}
    X, y, _, _ = ch10.target_data(30)
    opt = ch10.Subset({"0.W": 0.0, "0.b": 0.0, "2.W": 0.1, "2.b": 0.1, "4.W": 1.0, "4.b": 1.0}, lr=0.1)
    from course_lib import train
    train.fit(model, X, y, optimizer=opt, epochs=1, batch_size=10, record_grad_norms=False)
    assert np.array_equal(model.params["0.W"], before["0.W"])
    assert np.array_equal(model.params["0.b"], before["0.b"])
    assert not np.array_equal(model.params["2.W"], before["2.W"])


def test_copy_lower_is_deep_and_head_new():
    pre, acc = ch10.pretrain()
    assert acc > 0.95
    new = ch10.copy_lower(pre, 2)
    assert np.array_equal(new.layers[2].params["W"], pre.layers[2].params["W"]) and not np.shares_memory(new.layers[2].params["W"], pre.layers[2].params["W"])
    assert not np.allclose(new.layers[4].params["W"], pre.layers[4].params["W"])
    with pytest.raises(ValueError, match="k=3"):
        ch10.copy_lower(pre, 3)
    assert ch10.count_params(new, 2) == (64 * 5 + 5, sum(p.size for p in new.params.values()))


def test_transfer_frozen_keeps_reused_weights():
    pre, _ = ch10.pretrain()
    r = ch10.transfer("동결", 2, 30, seed=0)
    for i in (0, 2):
        assert np.array_equal(r.model.layers[i].params["W"], pre.layers[i].params["W"])
    assert 0.4 < r.test_acc <= 1.0 and r.curve_steps[-1] == r.steps >= ch10.STEPS
    with pytest.raises(ValueError, match="strategy"):
        ch10.transfer("bad")


def test_one_cached_run_per_setting():
    """Reusing 0 layers is training from scratch, and the seed may be given or not."""
    scratch = ch10.transfer("처음부터", 2, 30, seed=0)
    assert ch10.transfer("동결", 0, 30) is scratch and ch10.transfer("처음부터", 0, 30) is scratch
    assert ch10.prepare(1, "동결", 30) == (ch10.transfer("동결", 1, 30, seed=0), scratch)


def test_widget_frames_and_data_are_disjoint():
    assert not set(ch10.SOURCE) & set(ch10.TARGET)
    c = ch10.WIDGETS["main"]["controls"]
    assert np.prod([len(v) for v in c.values()]) <= 16
    import matplotlib.pyplot as plt
    fig = ch10.draw(k=1, mode="미세 조정", n_train=30)
    plt.close(fig)


def test_target_data_matches_load_digits():
    from course_lib import data
    s = data.load_digits(classes=list(ch10.TARGET), seed=1, standardize=False, n_train=30)
    X, y, Xt, yt = ch10.target_data(30, seed=1)
    assert np.array_equal(y, s.y_train) and np.array_equal(yt, s.y_test)
    assert np.allclose(X, ch10._scale(s.X_train))
    with pytest.raises(ValueError, match="n_train=0"):
        ch10.target_data(0)


def test_widget_redraw_keeps_nothing_of_the_previous_setting(monkeypatch):
    """draw reuses one figure: a frame drawn after another setting (here one with the
    from-scratch line and two legend entries) is pixel for pixel a freshly built one."""
    from course_lib import plots, widgets

    values = {"k": 0, "mode": "동결", "n_train": 100}
    ch10.draw(k=2, mode="미세 조정", n_train=300)
    after_other = widgets.render(ch10.draw, values)
    monkeypatch.setattr(ch10, "_frame", plots.reused(ch10._frame.__wrapped__))
    assert widgets.render(ch10.draw, values) == after_other
    legend = ch10.draw(**values).axes[0].get_legend()
    assert [t.get_text() for t in legend.get_texts()] == [
        f"처음부터 (재사용 0층): 최종 {ch10.transfer('처음부터', 0, 100).test_acc:.3f}"]
