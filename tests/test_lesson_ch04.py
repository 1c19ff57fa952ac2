"""Chapter 4 (배치 정규화): the lesson's experiments and the BatchNorm-forward checker."""
import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_lib.check import ch04 as check
from course_lib.layers import BatchNorm, Linear
from course_lib.lessons import ch04


# ---------------------------------------------------------------- the checker

def reference(x, gamma, beta, running_mean, running_var, train, momentum=0.1, eps=1e-5):
    if train:
        n = x.shape[0]
        mean, var = x.mean(axis=0), x.var(axis=0)
        running_mean = (1 - momentum) * running_mean + momentum * mean
        running_var = (1 - momentum) * running_var + momentum * var * n / (n - 1)
    else:
        mean, var = running_mean, running_var
    return gamma * (x - mean) / np.sqrt(var + eps) + beta, running_mean, running_var


def with_layer(x, gamma, beta, running_mean, running_var, train, momentum=0.1, eps=1e-5):
    """Another correct answer: the course's own BatchNorm layer."""
    bn = BatchNorm(x.shape[1], momentum=momentum, eps=eps)
    bn.params["gamma"][:], bn.params["beta"][:] = gamma, beta
    bn.running_mean[:], bn.running_var[:] = running_mean, running_var
    out = bn.forward(x, train=train)
    return out, bn.running_mean, bn.running_var


def test_correct_answers_pass():
    assert check.batchnorm_forward(reference)
    assert check.batchnorm_forward(with_layer)


def test_in_place_running_update_is_accepted():
    def in_place(x, gamma, beta, rm, rv, train, momentum=0.1, eps=1e-5):
        if train:
            n = x.shape[0]
            mean, var = x.mean(axis=0), ((x - x.mean(axis=0)) ** 2).mean(axis=0)
            rm *= 1 - momentum
            rm += momentum * mean
            rv *= 1 - momentum
            rv += momentum * var * n / (n - 1)
        else:
            mean, var = rm, rv
        return (x - mean) / np.sqrt(var + eps) * gamma + beta, rm, rv

    assert check.batchnorm_forward(in_place)


def mistake(**kw):
    """A student answer with one classic mistake, made from the checker's own switches."""
    def fn(x, gamma, beta, rm, rv, train, momentum=0.1, eps=1e-5):
        return check._reference(x, gamma, beta, rm, rv, train, momentum, eps, **kw)
    return fn


@pytest.mark.parametrize("kw, words", [
    (dict(eval_batch_stats=True), "평가 모드(train=False)인데"),
    (dict(eval_batch_stats=True, eval_updates=True), "train=False인데도"),
    (dict(eval_updates=True), "갱신했습니다"),
    (dict(ddof_run=0), "running_var를 편향 분산"),
    (dict(ddof_norm=1), "정규화에 불편 분산"),
    (dict(ddof_norm=1, ddof_run=0), "분산을 거꾸로"),
    (dict(eps_outside=True), "제곱근 밖"),
    (dict(no_eps=True), "ε을 빼먹었습니다"),
    (dict(swap_momentum=True), "거꾸로 썼습니다"),
    (dict(axis=1), "특성 축(axis=1)"),
])
def test_classic_mistakes_are_named(kw, words):
    result = check.batchnorm_forward(mistake(**kw))
    assert not result
    text = repr(result)
    assert words in text, text
    assert "기대값" in text  # concrete numbers, not only a verdict


def test_other_failures():
    def mutates(x, gamma, beta, rm, rv, train, momentum=0.1, eps=1e-5):
        out = reference(x, gamma, beta, rm, rv, train, momentum, eps)
        x -= 1.0
        return out

    def returns_out_only(x, gamma, beta, rm, rv, train, momentum=0.1, eps=1e-5):
        return reference(x, gamma, beta, rm, rv, train, momentum, eps)[0]

    def ignores_eps(x, gamma, beta, rm, rv, train, momentum=0.1, eps=1e-5):
        return reference(x, gamma, beta, rm, rv, train, momentum, 1e-5)

    def stub(*args, **kwargs):
        raise NotImplementedError("힌트: ...")

    assert "제자리에서" in repr(check.batchnorm_forward(mutates))
    assert "튜플" in repr(check.batchnorm_forward(returns_out_only))
    assert "eps 인자" in repr(check.batchnorm_forward(ignores_eps))
    assert "NotImplementedError" in repr(check.batchnorm_forward(stub))


def test_checker_never_shows_solution_code():
    text = repr(check.batchnorm_forward(mistake(eval_batch_stats=True)))
    assert "np.sqrt" not in text and "def " not in text


def test_checker_reference_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x = rng.normal(1.0, 2.0, size=(7, 3))
    bn = torch.nn.BatchNorm1d(3, momentum=0.3, eps=0.1).double()
    with torch.no_grad():
        bn.weight[:] = torch.tensor([0.5, 1.0, 2.0], dtype=torch.float64)
        bn.bias[:] = torch.tensor([0.1, -0.2, 0.3], dtype=torch.float64)
    out = bn(torch.tensor(x)).detach().numpy()
    mine = check._reference(x, np.array([0.5, 1.0, 2.0]), np.array([0.1, -0.2, 0.3]),
                            np.zeros(3), np.ones(3), True, 0.3, 0.1)
    np.testing.assert_allclose(out, mine[0], atol=1e-12)
    np.testing.assert_allclose(bn.running_mean.numpy(), mine[1], atol=1e-12)
    np.testing.assert_allclose(bn.running_var.numpy(), mine[2], atol=1e-12)
    bn.eval()
    out = bn(torch.tensor(x)).detach().numpy()
    ev = check._reference(x, np.array([0.5, 1.0, 2.0]), np.array([0.1, -0.2, 0.3]),
                          mine[1], mine[2], False, 0.3, 0.1)
    np.testing.assert_allclose(out, ev[0], atol=1e-12)


# ---------------------------------------------------------------- the lesson

def test_gradient_check_passes():
    assert max(ch04.gradient_check().values()) < 1e-7


def test_scale_invariance():
    inv = ch04.scale_invariance()
    assert inv["out_diff"].max() < 1e-3
    ga = inv["grad_times_a"]
    assert (ga.max() - ga.min()) / ga.mean() < 1e-4
    assert inv["max_cos"].max() < 1e-4


def test_biased_variance_matches_theory():
    for n, v in ch04.biased_variance(trials=5000).items():
        assert abs(v - (n - 1) / n) < 0.03


def test_batch_of_one():
    xhat, message = ch04.batch_of_one()
    assert np.all(xhat == 0)
    assert "배치 크기가 1" in message


def test_fold_batchnorm_is_exact():
    rng = np.random.default_rng(3)
    lin, bn = Linear(5, 4, rng=rng), BatchNorm(4)
    lin.params["b"][:] = rng.normal(size=4)
    bn.params["gamma"][:] = rng.uniform(0.5, 2, 4)
    bn.params["beta"][:] = rng.normal(size=4)
    bn.running_mean[:] = rng.normal(size=4)
    bn.running_var[:] = rng.uniform(0.1, 3, 4)
    x = rng.normal(size=(6, 5))
    W, b = ch04.fold_batchnorm(lin, bn)
    np.testing.assert_allclose(x @ W + b, bn.forward(lin.forward(x), train=False), atol=1e-12)


def test_folding_a_trained_network():
    err, before, after = ch04.folding_error()
    assert err < 1e-8 and before - after == ch04.DEPTH - 1


def test_run_is_cached_and_reports_divergence():
    r = ch04.run(1.0, 1.0, False)
    assert r.diverged and "발산" in r.message and np.isnan(r.test_acc)
    assert ch04.run(1.0, 1.0, False) is r


def test_digits_are_standardized_safely():
    split = ch04.digits()
    assert len(split.X_train) == ch04.N_TRAIN
    assert np.all(np.isfinite(split.X_test)) and np.abs(split.X_test).max() < 100


def test_eval_mode_claims():
    acc = ch04.eval_mode()
    assert acc["평가 모드"] > 0.8
    assert acc["훈련 모드, 배치 4"] < acc["평가 모드"] - 0.2
    assert acc["훈련 모드, 숫자별 배치"] < 0.3


def test_widget_frame_says_diverged_and_has_no_unicode_minus():
    fig = ch04.draw(1.0, 1.0)
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert any("발산" in t for t in texts)
    fig.canvas.draw()
    labels = [t.get_text() for ax in fig.axes for t in ax.get_yticklabels() + ax.get_xticklabels()]
    assert all("\u2212" not in s for s in labels + texts)
    plt.close(fig)


def test_widget_log_axis_labels_are_plain_numbers():
    fig = ch04.draw(ch04.HE_STD, 0.1)
    fig.canvas.draw()
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert "0.1" in labels and "1" in labels
    assert not any("$" in s or "\u2212" in s for s in labels)  # no mathtext, no U+2212
    plt.close(fig)


def test_widget_prepare_computes_the_frames_runs():
    spec = ch04.WIDGETS["main"]
    no_bn, with_bn = spec["prepare"](std=1.0, lr=1.0)
    assert no_bn is ch04.run(1.0, 1.0, False, dtype="float32")
    assert with_bn is ch04.run(1.0, 1.0, True, dtype="float32")


def test_widget_grid_is_small():
    controls = ch04.WIDGETS["main"]["controls"]
    frames = np.prod([len(v) for v in controls.values()])
    assert frames <= 40


def test_widget_redraw_keeps_nothing_of_the_previous_setting():
    """draw reuses one figure: the previous setting's curves and note must be gone."""
    ch04.draw(1.0, 1.0)  # BN 없음 diverges
    fig = ch04.draw(ch04.HE_STD, 0.1)
    ax = fig.axes[0]
    assert not any("발산" in t.get_text() and t.get_visible() for t in ax.texts)
    no_bn, with_bn = ch04.widget_runs(ch04.HE_STD, 0.1)
    for line, r in zip(ax.lines, (no_bn, with_bn)):
        assert np.array_equal(line.get_ydata(), r.train_loss)
    assert all("정확도" in t.get_text() for t in ax.get_legend().get_texts())
    assert ax.get_title() == "가중치 표준편차 0.2, 학습률 0.1"
    plt.close(fig)
