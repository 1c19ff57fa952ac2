"""Chapter 7 (옵티마이저): the lesson's experiments and the Adam-step checker."""
import numpy as np
import pytest

from course_lib import optim
from course_lib.check import ch07 as check
from course_lib.lessons import ch07


# ---------------------------------------------------------------- the checker

def adam_ref(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def adam_inplace(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """Another correct answer: torch's in-place order (lr folded into the step size)."""
    m *= beta1
    m += (1 - beta1) * grad
    v *= beta2
    v += (1 - beta2) * np.square(grad)
    step = lr / (1 - beta1 ** t)
    denom = np.sqrt(v) / np.sqrt(1 - beta2 ** t) + eps
    theta -= step * m / denom
    return theta, m, v


def adam_torch_optim(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """A correct answer through course_lib.optim.Adam with its state set to (m, v, t-1)."""
    opt = optim.Adam(lr=lr, betas=(beta1, beta2), eps=eps)
    opt.state["p"] = {"step": t - 1, "exp_avg": m.copy(), "exp_avg_sq": v.copy()}
    params = {"p": theta.copy()}
    opt.update(params, {"p": grad})
    return params["p"], opt.state["p"]["exp_avg"], opt.state["p"]["exp_avg_sq"]


@pytest.mark.parametrize("fn", [adam_ref, adam_inplace, adam_torch_optim])
def test_correct_answers_pass(fn):
    result = check.adam_step(fn)
    assert result, repr(result)


def mistake(**switches):
    def fn(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        return check._reference(theta, grad, m, v, t, lr, beta1, beta2, eps, **switches)
    return fn


@pytest.mark.parametrize("switches, words", [
    (dict(correct_m=False, correct_v=False), ["편향 보정", "3.16배"]),
    (dict(correct_m=False), ["m은 보정하지"]),
    (dict(correct_v=False), ["v는 보정하지"]),
    (dict(eps_inside=True), ["제곱근 안"]),
    (dict(eps_hat=True), ["편향 보정 전"]),
    (dict(square=False), ["g² 대신 g"]),
    (dict(t_shift=1), ["t+1"]),
    (dict(swap_betas=True), ["바꿔"]),
    (dict(sign=+1.0), ["빼야"]),
])
def test_classic_mistakes_are_named(switches, words):
    result = check.adam_step(mistake(**switches))
    assert not result
    text = repr(result)
    for w in words:
        assert w in text, text


def test_t_minus_one_is_caught():
    # t-1 divides by zero at t=1: nan/inf output, reported as wrong (with the numbers)
    result = check.adam_step(mistake(t_shift=-1))
    assert not result
    assert "기대값" in repr(result)


def test_wrong_return_and_errors():
    assert "세 개" in repr(check.adam_step(lambda th, g, m, v, t, **k: th))
    assert "NotImplementedError" in repr(check.adam_step(
        lambda *a, **k: (_ for _ in ()).throw(NotImplementedError())))
    assert "ZeroDivisionError" in repr(check.adam_step(lambda *a, **k: 1 / 0))


def test_mistakes_all_differ_from_reference():
    """Each mistake changes the answer on at least one hidden case (so it can be caught)."""
    for switches, _ in check.MISTAKES:
        assert any(not check._close(check._reference(*c, **switches), check._reference(*c))
                   for c in check._cases()), switches


# ---------------------------------------------------------------- the lesson

def test_valley_theory_and_race():
    th = ch07.gd_rates()
    assert th["sgd_max_lr"] == pytest.approx(2 / ch07.KAPPA)
    assert th["momentum_rate"] < th["sgd_rate"]
    race = ch07.valley_race()
    # the measured step counts sit near the theory (κ = 50: ~173 and ~24 at the best μ)
    assert 0.8 * th["sgd_steps"] < race["SGD"]["steps"] < 1.4 * th["sgd_steps"]
    assert race["모멘텀"]["steps"] * 3 < race["SGD"]["steps"]


def test_sgd_diverges_above_two_over_lambda_max():
    assert ch07.run("골짜기", "SGD", 0.041, 0.0).diverged
    assert not ch07.run("골짜기", "SGD", 0.039, 0.0).diverged
    # heavy ball with mu = 0.9 is stable up to eta < 2(1 + mu)/kappa = 0.076
    assert not ch07.run("골짜기", "모멘텀", 0.07, 0.9, steps=600).diverged
    assert ch07.run("골짜기", "모멘텀", 0.08, 0.9, steps=600).diverged


def test_trajectory_stops_finite_when_diverging():
    traj = ch07.run("골짜기", "SGD", 1.0, 0.0)
    assert traj.diverged and traj.diverged_at is not None
    assert np.all(np.isfinite(traj.path)) and np.all(np.isfinite(traj.values))


def test_saddle_escape_order():
    sgd = ch07.escape_steps("SGD", 0.03, 0.0)
    mom = ch07.escape_steps("모멘텀", 0.03, 0.9)
    adam = ch07.escape_steps("Adam", 0.03, 0.9)
    assert adam < mom < sgd


def test_adam_first_step_is_lr_sign():
    for scale, ratio in ch07.adam_first_steps().items():
        if scale >= 1e-3:
            np.testing.assert_allclose(ratio, 1.0, rtol=1e-3)


def test_bias_factor():
    assert ch07.bias_factor(1) == pytest.approx(np.sqrt(10))
    assert 6.5 < ch07.bias_factor(np.arange(1, 100)).max() < 6.6


def test_decay_demo():
    d = ch07.decay_demo()
    assert d["AdamW"]["조용한"] == pytest.approx(d["decoupled"], rel=1e-6)
    assert d["Adam + L2"]["조용한"] > 50 * d["decoupled"]
    assert d["Adam + L2"]["시끄러운"] < d["AdamW"]["시끄러운"] / 3


def test_make_optimizer_rejects_unknown():
    with pytest.raises(ValueError, match="알 수 없는 옵티마이저"):
        ch07.make_optimizer("LBFGS", 0.1)


def test_widget_says_diverged():
    import matplotlib.pyplot as plt
    fig = ch07.draw("모멘텀", 0.1, 0.0)
    texts = " ".join(t.get_text() for ax in fig.axes for t in ax.texts)
    assert "발산했습니다" in texts
    plt.close(fig)
    n = np.prod([len(v) for v in ch07.WIDGETS["main"]["controls"].values()])
    assert n <= 40


def test_widget_redraw_keeps_nothing_of_the_previous_setting():
    """draw reuses one figure: the previous setting's paths and notes must be gone."""
    ch07.draw("모멘텀", 0.1, 0.0)  # diverges on the valley
    fig = ch07.draw("Adam", 0.1, 0.9)
    texts = " ".join(t.get_text() for ax in fig.axes for t in ax.texts)
    assert "발산" not in texts
    assert [len(ax.lines) for ax in fig.axes] == [2, 2, 2]  # path and start marker
    assert fig.get_suptitle().startswith("Adam")
    assert ch07.prepare("Adam", 0.1, 0.9) is ch07.prepare("Adam", 0.1, 0.9)  # cached
