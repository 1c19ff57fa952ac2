"""Optimizers against update values derived by hand for the first 2-3 steps."""
import math
import re

import numpy as np
import pytest

from course_lib import optim


def run(opt, p0, grads):
    """Apply the gradients in turn to {"w": p0}; return the parameter after each step."""
    params = {"w": np.array(p0, dtype=float)}
    out = []
    for g in grads:
        opt.update(params, {"w": np.array(g, dtype=float)})
        out.append(params["w"].copy())
    return out


G = [0.5, -1.0]


def test_sgd_plain():
    w1, w2 = run(optim.SGD(lr=0.1), [1.0, 2.0], [G, G])
    np.testing.assert_allclose(w1, [0.95, 2.1])
    np.testing.assert_allclose(w2, [0.9, 2.2])


def test_sgd_momentum_buffer_starts_at_g():
    # b1 = g, b2 = 0.9 g + g = 1.9 g, b3 = 0.9*1.9 g + g = 2.71 g
    ws = run(optim.Momentum(lr=0.1, momentum=0.9), [0.0, 0.0], [G, G, G])
    for w, total in zip(ws, [1.0, 2.9, 5.61]):
        np.testing.assert_allclose(w, -0.1 * total * np.array(G))


def test_sgd_dampening():
    # b1 = g (no dampening on the first step), b2 = 0.9 g + 0.5 g = 1.4 g
    ws = run(optim.SGD(lr=0.1, momentum=0.9, dampening=0.5), [0.0, 0.0], [G, G])
    np.testing.assert_allclose(ws[1], -0.1 * 2.4 * np.array(G))


def test_nesterov():
    # step 1: g + 0.9 b1 = 1.9 g; step 2: b2 = 1.9 g, g + 0.9 b2 = 2.71 g
    ws = run(optim.Nesterov(lr=0.1, momentum=0.9), [0.0, 0.0], [G, G])
    np.testing.assert_allclose(ws[0], -0.19 * np.array(G))
    np.testing.assert_allclose(ws[1], -(0.19 + 0.271) * np.array(G))


def test_sgd_weight_decay_shrinks_weights():
    ws = run(optim.SGD(lr=0.1, weight_decay=0.1), [1.0], [[0.0], [0.0]])
    np.testing.assert_allclose(np.concatenate(ws), [0.99, 0.99 ** 2])


def test_adagrad():
    # s1 = g^2 -> step lr*sign(g); s2 = 2 g^2 -> step lr*sign(g)/sqrt(2)
    ws = run(optim.AdaGrad(lr=0.1), [0.0, 0.0], [G, G])
    np.testing.assert_allclose(ws[0], [-0.1, 0.1])
    np.testing.assert_allclose(ws[1], [-0.1, 0.1] * np.array(1 + 1 / math.sqrt(2)))
    # lr_decay: the second step uses lr / (1 + lr_decay)
    ws = run(optim.AdaGrad(lr=0.1, lr_decay=1.0), [0.0], [[1.0], [1.0]])
    np.testing.assert_allclose(ws[1], [-0.1 - 0.05 / math.sqrt(2)])
    # initial_accumulator_value: s1 = 3 + 1
    ws = run(optim.AdaGrad(lr=0.1, initial_accumulator_value=3.0), [0.0], [[1.0]])
    np.testing.assert_allclose(ws[0], [-0.05])


def test_rmsprop():
    # v1 = 0.01 g^2 -> step 0.01 g / (0.1|g|) = 0.1 sign(g); v2 = 0.0199 g^2
    ws = run(optim.RMSprop(lr=0.01, eps=0.0), [0.0, 0.0], [G, G])
    np.testing.assert_allclose(ws[0], [-0.1, 0.1])
    np.testing.assert_allclose(ws[1], [-0.1, 0.1] * np.array(1 + 0.1 / math.sqrt(0.0199)))


def test_rmsprop_centered_and_momentum():
    # centered: v1 - gbar1^2 = 0.01 g^2 - 0.0001 g^2 = 0.0099 g^2
    w1, = run(optim.RMSprop(lr=0.01, eps=0.0, centered=True), [0.0], [[2.0]])
    np.testing.assert_allclose(w1, [-0.01 / math.sqrt(0.0099)])
    # momentum 0.5: b1 = g/d1 = 10, b2 = 0.5*10 + 1/sqrt(0.0199)
    ws = run(optim.RMSprop(lr=0.01, eps=0.0, momentum=0.5), [0.0], [[1.0], [1.0]])
    np.testing.assert_allclose(ws[1], [-0.01 * (10 + 5 + 1 / math.sqrt(0.0199))])


def test_adam_first_step_is_lr_times_sign():
    w1, = run(optim.Adam(lr=0.01), [0.0, 0.0, 0.0], [[3.0, -1e-3, 0.0]])
    np.testing.assert_allclose(w1, [-0.01, 0.01, 0.0], rtol=1e-4)


def test_adam_two_steps():
    # g = 1 then -1: m2 = 0.9*0.1 - 0.1 = -0.01, m_hat = -0.01/0.19;
    # v2 = 0.999*0.001 + 0.001 = 0.001999 = 1 - 0.999^2, so v_hat = 1
    ws = run(optim.Adam(lr=0.01, eps=0.0), [0.0], [[1.0], [-1.0]])
    np.testing.assert_allclose(ws[1], [-0.01 + 0.01 * 0.01 / 0.19])


def test_adam_amsgrad_keeps_the_max_of_v():
    # g = 2 then 0: v1 = 0.004, v2 = 0.003996 < v1, so AMSGrad divides by sqrt(v1)
    b2c = math.sqrt(1 - 0.999 ** 2)
    m_hat = 0.9 * 0.2 / 0.19
    for amsgrad, v in [(False, 0.003996), (True, 0.004)]:
        ws = run(optim.Adam(lr=0.01, eps=0.0, amsgrad=amsgrad), [0.0], [[2.0], [0.0]])
        np.testing.assert_allclose(ws[1], [-0.01 - 0.01 * m_hat / (math.sqrt(v) / b2c)])


def test_adamw_decays_weights_decoupled_from_the_gradient():
    # with g = 0 AdamW only shrinks theta by (1 - lr*wd); Adam's L2 term instead
    # enters the gradient and gets normalised into a full lr-sized step
    w1, = run(optim.AdamW(lr=1e-3, weight_decay=1e-2), [1.0], [[0.0]])
    np.testing.assert_allclose(w1, [1 - 1e-5])
    w1, = run(optim.Adam(lr=1e-3, weight_decay=1e-2), [1.0], [[0.0]])
    np.testing.assert_allclose(w1, [1 - 1e-3], rtol=1e-6)


def test_adamax():
    # m1 = 0.2, u1 = 2 + eps -> step lr; m2 = 0.18 - 0.1 = 0.08, u2 = 0.999 u1
    eps = 1e-8
    ws = run(optim.AdaMax(lr=2e-3), [0.0], [[2.0], [-1.0]])
    np.testing.assert_allclose(ws[0], [-2e-3 * 0.2 / 0.1 / (2 + eps)])
    np.testing.assert_allclose(ws[1] - ws[0], [-2e-3 / 0.19 * 0.08 / (0.999 * (2 + eps))])


def test_nadam_first_step_and_mu_schedule():
    # momentum_decay = 0: mu_t = 0.9 * 0.5 = 0.45 for every t;
    # step 1 = lr sign(g) (1 + 0.1 * 0.45 / (1 - 0.45^2))
    w1, = run(optim.Nadam(lr=2e-3, eps=0.0, momentum_decay=0.0), [0.0], [[3.0]])
    np.testing.assert_allclose(w1, [-2e-3 * (1 + 0.045 / (1 - 0.45 ** 2))])
    opt = optim.Nadam(momentum_decay=4e-3)
    run(opt, [0.0], [[1.0], [1.0]])
    mu = [0.9 * (1 - 0.5 * 0.96 ** (t * 4e-3)) for t in (1, 2)]
    assert opt.state["w"]["mu_product"] == pytest.approx(mu[0] * mu[1], rel=1e-14)
    assert opt.state["w"]["step"] == 2


ALL = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw", "adamax", "nadam"]


@pytest.mark.parametrize("name", ALL)
def test_float32_stays_float32_and_grads_untouched(name):
    rng = np.random.default_rng(0)
    params = {"0.W": rng.normal(size=(3, 2)).astype(np.float32),
              "0.b": np.zeros(2, np.float32)}
    grads = {k: rng.normal(size=v.shape).astype(np.float32) for k, v in params.items()}
    before = {k: g.copy() for k, g in grads.items()}
    opt = optim.get(name, weight_decay=0.1)
    for _ in range(3):
        opt.update(params, grads)
    for k in params:
        assert params[k].dtype == np.float32
        np.testing.assert_array_equal(grads[k], before[k])
        assert all(v.dtype == np.float32 for v in opt.state[k].values() if isinstance(v, np.ndarray))
        assert opt.state[k]["step"] == 3


@pytest.mark.parametrize("name", ALL)
def test_lr_attribute_is_used(name):
    p = {"w": np.ones(2)}
    opt = optim.get(name)
    opt.lr = 0.0
    opt.update(p, {"w": np.array([1.0, -1.0])})
    np.testing.assert_array_equal(p["w"], [1.0, 1.0])


def test_parameter_without_gradient_is_skipped():
    params = {"a": np.ones(2), "b": np.ones(2)}
    opt = optim.SGD(lr=1.0)
    opt.update(params, {"a": np.ones(2)})
    np.testing.assert_array_equal(params["b"], [1.0, 1.0])
    assert "b" not in opt.state


def test_get_names_and_defaults():
    assert isinstance(optim.get("Adam"), optim.Adam)
    assert optim.get("momentum").momentum == 0.9
    assert optim.get("nesterov").nesterov
    assert optim.get("adamw").weight_decay == 1e-2
    assert optim.get("nadam").lr == 2e-3 and optim.get("adamax").lr == 2e-3
    assert optim.get("rmsprop").alpha == 0.99 and optim.get("adagrad").eps == 1e-10


@pytest.mark.parametrize("make, value", [
    (lambda: optim.SGD(lr=-0.1), "-0.1"),
    (lambda: optim.SGD(momentum=1.0), "1.0"),
    (lambda: optim.SGD(momentum=-0.5), "-0.5"),
    (lambda: optim.SGD(weight_decay=-1e-4), "-0.0001"),
    (lambda: optim.SGD(nesterov=True), "momentum=0.0"),
    (lambda: optim.SGD(momentum=0.9, dampening=0.1, nesterov=True), "dampening=0.1"),
    (lambda: optim.Momentum(momentum=1.5), "1.5"),
    (lambda: optim.AdaGrad(lr_decay=-1), "-1"),
    (lambda: optim.AdaGrad(eps=-1e-10), "-1e-10"),
    (lambda: optim.RMSprop(alpha=1.2), "1.2"),
    (lambda: optim.RMSprop(momentum=1.0), "1.0"),
    (lambda: optim.Adam(betas=(1.0, 0.999)), "1.0"),
    (lambda: optim.Adam(betas=(0.9, -0.1)), "-0.1"),
    (lambda: optim.Adam(eps=-1e-8), "-1e-08"),
    (lambda: optim.AdamW(lr=-1e-3), "-0.001"),
    (lambda: optim.AdaMax(betas=(0.9, 1.5)), "1.5"),
    (lambda: optim.Nadam(momentum_decay=-4e-3), "-0.004"),
    (lambda: optim.get("adadelta"), "'adadelta'"),
])
def test_bad_arguments_name_the_value(make, value):
    with pytest.raises(ValueError, match=re.escape(value)) as err:
        make()
    message = str(err.value)
    assert any(word in message for word in ("must be", "needs", "choose one of"))


def test_unknown_name_lists_the_choices():
    with pytest.raises(ValueError, match="sgd, momentum, nesterov, adagrad, rmsprop, adam"):
        optim.get("adadelta")


def test_shape_mismatch_is_an_error():
    with pytest.raises(ValueError, match=r"\(3,\)"):
        optim.SGD().update({"w": np.ones(2)}, {"w": np.ones(3)})
