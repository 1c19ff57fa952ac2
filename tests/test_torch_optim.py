"""Parity with PyTorch: optimizers, schedules and clipping (skipped without torch)."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")

from course_lib import clip, optim, schedules  # noqa: E402

RTOL = 1e-10

OPTIMIZER_CASES = [
    ("sgd", torch.optim.SGD, dict(lr=0.1)),
    ("sgd", torch.optim.SGD, dict(lr=0.1, momentum=0.9)),
    ("sgd", torch.optim.SGD, dict(lr=0.1, momentum=0.9, dampening=0.5, weight_decay=0.01)),
    ("sgd", torch.optim.SGD, dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("momentum", torch.optim.SGD, dict(lr=0.05, momentum=0.9)),
    ("nesterov", torch.optim.SGD, dict(lr=0.05, momentum=0.9, weight_decay=0.01)),
    ("adagrad", torch.optim.Adagrad, dict(lr=0.1)),
    ("adagrad", torch.optim.Adagrad, dict(lr=0.1, lr_decay=0.01, weight_decay=0.1,
                                          initial_accumulator_value=0.5)),
    ("rmsprop", torch.optim.RMSprop, dict(lr=0.01)),
    ("rmsprop", torch.optim.RMSprop, dict(lr=0.01, alpha=0.9, momentum=0.8, centered=True,
                                          weight_decay=0.1)),
    ("rmsprop", torch.optim.RMSprop, dict(lr=0.01, momentum=0.5)),
    ("rmsprop", torch.optim.RMSprop, dict(lr=0.01, centered=True)),
    ("adam", torch.optim.Adam, dict(lr=0.01)),
    ("adam", torch.optim.Adam, dict(lr=0.01, betas=(0.8, 0.99), weight_decay=0.1, amsgrad=True)),
    ("adamw", torch.optim.AdamW, dict(lr=0.01)),
    ("adamw", torch.optim.AdamW, dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
    ("adamax", torch.optim.Adamax, dict(lr=0.01)),
    ("adamax", torch.optim.Adamax, dict(lr=0.01, betas=(0.5, 0.9), weight_decay=0.1)),
    ("nadam", torch.optim.NAdam, dict(lr=0.01)),
    ("nadam", torch.optim.NAdam, dict(lr=0.01, weight_decay=0.1, momentum_decay=0.05)),
]


@pytest.fixture(autouse=True)
def float64_default():
    """torch keeps scalar state (NAdam's mu_product, steps) in the default dtype."""
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(old)


@pytest.mark.parametrize("name, torch_cls, kwargs", OPTIMIZER_CASES)
def test_optimizer_matches_torch_for_20_steps(name, torch_cls, kwargs):
    rng = np.random.default_rng(0)
    params = {"0.W": rng.normal(size=(4, 3)), "0.b": rng.normal(size=3)}
    tparams = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    opt = optim.get(name, **kwargs)
    extra = {"nesterov": True} if name == "nesterov" else {}
    topt = torch_cls(list(tparams.values()), **kwargs, **extra)
    for _ in range(20):
        grads = {k: rng.normal(size=v.shape) for k, v in params.items()}
        opt.update(params, grads)
        for k, p in tparams.items():
            p.grad = torch.tensor(grads[k])
        topt.step()
        for k in params:
            np.testing.assert_allclose(params[k], tparams[k].detach().numpy(), rtol=RTOL)


def torch_lrs(make_scheduler, lr0, n=50):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=lr0, momentum=0.9)
    sched = make_scheduler(opt)
    lrs = []
    for _ in range(n):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return np.array(lrs)


S = torch.optim.lr_scheduler
SCHEDULE_CASES = [  # (our schedule, torch scheduler), all with lr0 = 0.1
    (schedules.step_lr(0.1, 7), lambda o: S.StepLR(o, 7)),
    (schedules.step_lr(0.1, 3, gamma=0.5), lambda o: S.StepLR(o, 3, gamma=0.5)),
    (schedules.multistep_lr(0.1, [5, 12, 12, 30]), lambda o: S.MultiStepLR(o, [5, 12, 12, 30])),
    (schedules.exponential_lr(0.1, 0.9), lambda o: S.ExponentialLR(o, 0.9)),
    (schedules.power_lr(0.1, 5, 2), lambda o: S.LambdaLR(o, lambda t: 1 / (1 + t / 5) ** 2)),
    (schedules.cosine_lr(0.1, 10), lambda o: S.CosineAnnealingLR(o, 10)),
    (schedules.cosine_lr(0.1, 7, eta_min=0.01), lambda o: S.CosineAnnealingLR(o, 7, 0.01)),
    (schedules.cosine_lr(0.1, 50), lambda o: S.CosineAnnealingLR(o, 50)),
    (schedules.linear_warmup(0.1, 5), lambda o: S.LinearLR(o, total_iters=5)),
    (schedules.linear_warmup(0.1, 8, start_factor=0.1),
     lambda o: S.LinearLR(o, start_factor=0.1, total_iters=8)),
    (schedules.linear_warmup(0.1, 5, after=schedules.cosine_lr(0.1, 20)),
     lambda o: S.SequentialLR(o, [S.LinearLR(o, total_iters=5), S.CosineAnnealingLR(o, 20)],
                              milestones=[5])),
    (schedules.linear_warmup(0.1, 3, after=schedules.exponential_lr(0.1, 0.9)),
     lambda o: S.SequentialLR(o, [S.LinearLR(o, total_iters=3), S.ExponentialLR(o, 0.9)],
                              milestones=[3])),
]


@pytest.mark.parametrize("case", range(len(SCHEDULE_CASES)))
def test_schedule_matches_torch_for_50_epochs(case):
    schedule, make = SCHEDULE_CASES[case]
    expected = torch_lrs(make, 0.1)
    got = np.array([schedule(t) for t in range(50)])
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize("kwargs", [
    dict(total_steps=100),
    dict(total_steps=37, pct_start=0.25, anneal="linear"),
    dict(total_steps=50, three_phase=True),
    dict(total_steps=61, pct_start=0.4, div_factor=10.0, final_div_factor=100.0,
         anneal="linear", three_phase=True),
])
def test_one_cycle_matches_torch_per_step(kwargs):
    kwargs = dict(kwargs)
    anneal = kwargs.pop("anneal", "cos")
    schedule = schedules.one_cycle(0.5, anneal=anneal, **kwargs)
    n = kwargs["total_steps"]
    expected = torch_lrs(lambda o: S.OneCycleLR(o, 0.5, anneal_strategy=anneal, **kwargs),
                         0.5, n)
    np.testing.assert_allclose([schedule(t) for t in range(n)], expected, rtol=1e-12)


@pytest.mark.parametrize("kwargs", [
    dict(patience=2),
    dict(patience=1, factor=0.5, cooldown=2, min_lr=0.004),
    dict(mode="max", patience=0, threshold=0.1, threshold_mode="abs"),
    dict(patience=3, threshold=0.05),
])
def test_reduce_on_plateau_matches_torch(kwargs):
    metrics = [1.0, 0.9, 0.95, 0.91, 0.9, 0.89, 0.895, 0.9, 0.92, 0.5, 0.6, 0.6, 0.6, 0.7,
               0.45, 0.45, 0.46, 0.44, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]
    p = torch.zeros(1, requires_grad=True)
    topt = torch.optim.SGD([p], lr=0.1)
    tsched = S.ReduceLROnPlateau(topt, **kwargs)
    sched = schedules.ReduceLROnPlateau(0.1, **kwargs)
    for m in metrics:
        tsched.step(m)
        assert sched.step(m) == topt.param_groups[0]["lr"]


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, float("inf")])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    rng = np.random.default_rng(1)
    grads = {"0.W": rng.normal(size=(5, 4)), "0.b": rng.normal(size=4), "1.W": rng.normal(size=(4, 2))}
    tensors = [torch.zeros(g.shape, requires_grad=True) for g in grads.values()]
    for t, g in zip(tensors, grads.values()):
        t.grad = torch.tensor(g)
    expected = torch.nn.utils.clip_grad_norm_(tensors, max_norm, norm_type)
    total = clip.clip_grad_norm(grads, max_norm, norm_type)
    assert total == pytest.approx(float(expected), rel=RTOL)
    for t, g in zip(tensors, grads.values()):
        np.testing.assert_allclose(g, t.grad.numpy(), rtol=RTOL)


def test_clip_grad_value_matches_torch():
    rng = np.random.default_rng(2)
    grads = {"W": rng.normal(size=(6, 3)) * 3, "b": rng.normal(size=3)}
    tensors = [torch.zeros(g.shape, requires_grad=True) for g in grads.values()]
    for t, g in zip(tensors, grads.values()):
        t.grad = torch.tensor(g)
    torch.nn.utils.clip_grad_value_(tensors, 1.5)
    clip.clip_grad_value(grads, 1.5)
    for t, g in zip(tensors, grads.values()):
        np.testing.assert_array_equal(g, t.grad.numpy())


def test_max_norm_matches_torch_renorm():
    from course_lib.regularizers import max_norm
    W = np.random.default_rng(3).normal(size=(6, 5))
    expected = torch.tensor(W).renorm(p=2, dim=1, maxnorm=2.0).numpy()
    np.testing.assert_allclose(max_norm(W, 2.0), expected, rtol=RTOL)
