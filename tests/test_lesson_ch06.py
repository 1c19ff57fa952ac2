"""Chapter 6: experiments of the lesson module and the global-norm clipping checker."""
import numpy as np
import pytest

from course_lib import clip
from course_lib.check import ch06 as check
from course_lib.lessons import ch06


# ---------------------------------------------------------------- lesson experiments

def test_jacobian_growth_follows_rho_in_the_linear_regime():
    for seed in range(3):
        assert ch06.jacobian_growth(0.8, 30, seed=seed)[-1] < 1e-2
        assert ch06.jacobian_growth(1.5, 30, seed=seed)[-1] > 1e4
        j = ch06.jacobian_growth(1.0, 30, seed=seed)
        assert 0.3 < j.min() and j.max() < 10


def test_saturation_stops_the_growth():
    lin = ch06.jacobian_growth(1.5, 60, seed=0)
    sat = ch06.jacobian_growth(1.5, 60, input_scale=1.0, zero_bias=False, seed=0)
    assert sat.max() < lin[-1] / 1e6


def test_cliff_gradient_matches_finite_differences():
    w, b, h = 4.6, -2.4, 1e-6
    loss, gw, gb = ch06.cliff_loss(w, b, T=20)
    num_w = (ch06.cliff_loss(w + h, b, T=20)[0] - ch06.cliff_loss(w - h, b, T=20)[0]) / (2 * h)
    num_b = (ch06.cliff_loss(w, b + h, T=20)[0] - ch06.cliff_loss(w, b - h, T=20)[0]) / (2 * h)
    assert np.isclose(gw, num_w, rtol=1e-5) and np.isclose(gb, num_b, rtol=1e-5)


def test_cliff_throws_plain_descent_away_and_clipping_bounds_the_step():
    plain = ch06.cliff_descent((4.75, -3.5), lr=0.01, steps=100)
    clipped = ch06.cliff_descent((4.75, -3.5), lr=0.01, steps=100, clip=10.0)
    assert np.linalg.norm(np.diff(plain["path"], axis=0), axis=1).max() > 10
    assert np.linalg.norm(np.diff(clipped["path"], axis=0), axis=1).max() <= 0.1 + 1e-9
    assert clipped["losses"][-1] < plain["losses"][-1] / 10


def test_norm_clip_keeps_direction_value_clip_does_not():
    g = np.array([3.0, 1.0])
    a, b = {"g": g.copy()}, {"g": g.copy()}
    clip.clip_grad_norm(a, 1.0)
    clip.clip_grad_value(b, 1.0)
    assert ch06.angle_deg(g, a["g"]) < 1e-6
    assert abs(ch06.angle_deg(g, b["g"]) - np.degrees(np.arctan2(1, 1) - np.arctan2(1, 3))) < 1e-9


def test_rnn_diverges_without_clipping_and_learns_with_it():
    none = ch06.train_rnn(rho=2.0, clip_norm=None)
    small = ch06.train_rnn(rho=2.0, clip_norm=0.1)
    assert none.diverged and "발산" in none.message
    assert not small.diverged and np.mean(small.loss[-50:]) < 0.95 * ch06.mean_predictor_loss()


def test_train_rnn_reports_bad_arguments_in_korean():
    with pytest.raises(ValueError, match="clip_norm"):
        ch06.train_rnn(clip_norm=-1.0)
    with pytest.raises(ValueError, match="rho"):
        ch06.train_rnn(rho=-0.5)


def test_sequence_regressor_gradients_match_finite_differences():
    rng = np.random.default_rng(0)
    model = ch06.SequenceRegressor(2, 4, 1.2, rng)
    x = rng.standard_normal((3, 5, 2))
    dout = rng.standard_normal((3, 1))
    model.forward(x)
    grads = {k: v.copy() for k, v in model.backward(dout).items()}
    for name, p in model.params.items():
        i = np.unravel_index(np.argmax(np.abs(grads[name])), p.shape)
        old, h = p[i], 1e-6
        p[i] = old + h
        up = float(np.sum(model.forward(x) * dout))
        p[i] = old - h
        down = float(np.sum(model.forward(x) * dout))
        p[i] = old
        assert np.isclose(grads[name][i], (up - down) / (2 * h), rtol=1e-5, atol=1e-9), name


def test_widget_diverging_frame_says_so():
    fig = ch06.draw_widget("없음", 2.0)
    texts = " ".join(t.get_text() for ax in fig.axes for t in ax.texts)
    assert "발산" in texts
    fig.canvas.draw()
    labels = [t.get_text() for ax in fig.axes for t in ax.get_yticklabels()]
    assert not any("$" in s or "\u2212" in s for s in labels)  # plain-text log ticks


def test_widget_prepare_is_the_frames_run():
    assert ch06.WIDGETS["main"]["prepare"]("1", 0.5) is ch06.train_rnn(rho=0.5, clip_norm=1.0)


# ---------------------------------------------------------------- checker

def reference(grads, max_norm):
    total = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
    if total > max_norm:
        for g in grads.values():
            g *= max_norm / total
    return total


def torch_style(grads, max_norm):  # PyTorch's + 1e-6, by reassigning dict entries
    total = float(np.linalg.norm([np.linalg.norm(g) for g in grads.values()]))
    coef = max_norm / (total + 1e-6)
    if coef < 1:
        for k in grads:
            grads[k] = grads[k] * coef
    return total


def per_parameter(grads, max_norm):
    total = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
    for g in grads.values():
        n = np.linalg.norm(g)
        if n > max_norm:
            g *= max_norm / n
    return total


def by_value(grads, max_norm):
    total = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
    for g in grads.values():
        np.clip(g, -max_norm, max_norm, out=g)
    return total


def norm_after(grads, max_norm):
    reference(grads, max_norm)
    return float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))


def always_scales(grads, max_norm):
    total = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
    for g in grads.values():
        g *= max_norm / total
    return total


def not_in_place(grads, max_norm):
    total = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
    if total > max_norm:
        for g in grads.values():
            g = g * (max_norm / total)  # noqa: F841  (the classic bug)
    return total


def returns_nothing(grads, max_norm):
    reference(grads, max_norm)


def divides_by_zero(grads, max_norm):
    total = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
    with np.errstate(all="ignore"):
        for g in grads.values():
            g *= min(1.0, max_norm / total) if total else np.nan
    return total


def todo(grads, max_norm):
    raise NotImplementedError("힌트: …")


@pytest.mark.parametrize("fn", [reference, torch_style])
def test_checker_accepts_correct_answers(fn):
    result = check.clip_grad_norm(fn)
    assert result, repr(result)
    assert "통과" in repr(result)


@pytest.mark.parametrize("fn, words", [
    (per_parameter, "파라미터마다"),
    (by_value, "값 클리핑"),
    (norm_after, "자른 뒤의 노름"),
    (always_scales, "이미 max_norm"),
    (not_in_place, "제자리"),
    (returns_nothing, "돌려주지"),
    (divides_by_zero, "0으로 나누지"),
    (todo, "NotImplementedError"),
])
def test_checker_names_the_mistake(fn, words):
    result = check.clip_grad_norm(fn)
    assert not result
    assert words in repr(result), repr(result)


def test_checker_does_not_reveal_the_solution():
    text = repr(check.clip_grad_norm(per_parameter))
    assert "g *= max_norm / total" not in text


def test_widget_redraw_keeps_nothing_of_the_previous_setting():
    """draw_widget reuses one figure: the divergence marks, threshold and title must follow."""
    ch06.draw_widget("없음", 2.0)  # diverges
    fig = ch06.draw_widget("1", 0.5)
    ax_loss, ax_norm = fig.axes
    assert not any("발산" in t.get_text() for t in ax_loss.texts)
    assert not ax_loss.lines[1].get_visible() and not ax_norm.lines[1].get_visible()
    assert ax_norm.lines[2].get_visible() and list(ax_norm.lines[2].get_ydata()) == [1.0, 1.0]
    assert "잘림" in ax_norm.get_title() and ax_loss.get_xlim()[1] > 400
    fig = ch06.draw_widget("없음", 1.0)
    assert not fig.axes[1].lines[2].get_visible() and fig.axes[1].get_title() == ""
    assert fig.get_suptitle() == "ρ(W_h) = 1, 클리핑 없음"
    fig.canvas.draw()
