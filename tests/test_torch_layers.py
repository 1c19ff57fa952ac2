"""Parity with PyTorch (2.13) for init, Linear, BatchNorm, LayerNorm and Dropout. Skipped without torch."""
import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from course_lib import init  # noqa: E402
from course_lib.layers import BatchNorm, Dropout, LayerNorm, Linear  # noqa: E402

DTYPES = {np.float64: (torch.float64, 1e-10), np.float32: (torch.float32, 1e-4)}


def randn(*shape, seed=0, dtype=np.float64):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def t(a, grad=False):
    return torch.tensor(a, requires_grad=grad)


def close(ours, theirs, tol):
    theirs = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else theirs
    assert ours.dtype == theirs.dtype
    assert np.allclose(ours, theirs, rtol=tol, atol=tol), np.max(np.abs(ours - theirs))


# ---------------------------------------------------------------- init: torch stores (out, in)

NORMAL = {"xavier_normal": lambda w: torch.nn.init.xavier_normal_(w),
          "he_normal": lambda w: torch.nn.init.kaiming_normal_(w, nonlinearity="relu"),
          "lecun_normal": lambda w: torch.nn.init.kaiming_normal_(w, nonlinearity="linear")}
UNIFORM = {"xavier_uniform": lambda w: torch.nn.init.xavier_uniform_(w),
           "he_uniform": lambda w: torch.nn.init.kaiming_uniform_(w, nonlinearity="relu"),
           "lecun_uniform": lambda w: torch.nn.init.kaiming_uniform_(w, nonlinearity="linear")}


@pytest.mark.parametrize("fans", [(300, 700), (900, 200)])
@pytest.mark.parametrize("name", sorted(NORMAL) + sorted(UNIFORM))
def test_init_matches_torch(name, fans):
    fan_in, fan_out = fans
    torch.manual_seed(0)
    theirs = (NORMAL | UNIFORM)[name](torch.empty(fan_out, fan_in, dtype=torch.float64)).numpy()
    ours = init.get(name)(fan_in, fan_out, rng=np.random.default_rng(0))
    assert abs(ours.std() / theirs.std() - 1) < 0.015
    if name in UNIFORM:  # same bound: both reach it and neither exceeds the other's max by more than noise
        assert abs(np.abs(ours).max() / np.abs(theirs).max() - 1) < 1e-3


def test_xavier_gain_matches_torch():
    torch.manual_seed(0)
    theirs = torch.nn.init.xavier_uniform_(torch.empty(500, 400, dtype=torch.float64), gain=2.5).numpy()
    ours = init.xavier_uniform(400, 500, rng=np.random.default_rng(0), gain=2.5)
    assert abs(np.abs(ours).max() / np.abs(theirs).max() - 1) < 1e-3
    assert abs(ours.std() / theirs.std() - 1) < 0.015


# ---------------------------------------------------------------- Linear

@pytest.mark.parametrize("dtype", list(DTYPES))
def test_linear_forward_backward(dtype):
    tdtype, tol = DTYPES[dtype]
    ours = Linear(5, 3, rng=0, dtype=dtype)
    ours.params["b"][:] = randn(3, seed=1)
    theirs = torch.nn.Linear(5, 3, dtype=tdtype)
    with torch.no_grad():
        theirs.weight.copy_(t(ours.params["W"].T))
        theirs.bias.copy_(t(ours.params["b"]))
    x, dout = randn(4, 2, 5, seed=2, dtype=dtype), randn(4, 2, 3, seed=3, dtype=dtype)
    tx = t(x, grad=True)
    out = theirs(tx)
    out.backward(t(dout))
    close(ours.forward(x), out, tol)
    close(ours.backward(dout), tx.grad, tol)
    close(ours.grads["W"], theirs.weight.grad.T, tol)
    close(ours.grads["b"], theirs.bias.grad, tol)


# ---------------------------------------------------------------- BatchNorm

@pytest.mark.parametrize("momentum", [0.1, 0.3])
@pytest.mark.parametrize("dtype", list(DTYPES))
def test_batchnorm_matches_batchnorm1d_over_several_steps(dtype, momentum):
    tdtype, tol = DTYPES[dtype]
    ours = BatchNorm(4, momentum=momentum, dtype=dtype)
    theirs = torch.nn.BatchNorm1d(4, momentum=momentum, dtype=tdtype)
    gamma, beta = randn(4, seed=1, dtype=dtype) + 1, randn(4, seed=2, dtype=dtype)
    ours.params["gamma"][:], ours.params["beta"][:] = gamma, beta
    with torch.no_grad():
        theirs.weight.copy_(t(gamma))
        theirs.bias.copy_(t(beta))
    for step, n in enumerate([8, 2, 5, 16]):
        x = randn(n, 4, seed=10 + step, dtype=dtype) * [1, 3, 0.1, 10] + [0, 2, -1, 5]
        x = x.astype(dtype)
        dout = randn(n, 4, seed=20 + step, dtype=dtype)
        theirs.train()
        theirs.zero_grad()
        tx = t(x, grad=True)
        out = theirs(tx)
        out.backward(t(dout))
        close(ours.forward(x, train=True), out, tol)
        close(ours.backward(dout), tx.grad, tol)
        close(ours.grads["gamma"], theirs.weight.grad, tol)
        close(ours.grads["beta"], theirs.bias.grad, tol)
        close(ours.running_mean, theirs.running_mean, tol)
        close(ours.running_var, theirs.running_var, tol)
    theirs.eval()
    x, dout = randn(3, 4, seed=99, dtype=dtype), randn(3, 4, seed=98, dtype=dtype)
    tx = t(x, grad=True)
    out = theirs(tx)
    out.backward(t(dout))
    close(ours.forward(x, train=False), out, tol)
    close(ours.backward(dout), tx.grad, tol)
    close(ours.running_var, theirs.running_var, tol)


def test_batchnorm_batch_of_one_is_an_error_in_both():
    with pytest.raises(ValueError):
        torch.nn.BatchNorm1d(3)(torch.ones(1, 3))
    with pytest.raises(ValueError, match="배치 크기가 1"):
        BatchNorm(3).forward(np.ones((1, 3)))


# ---------------------------------------------------------------- LayerNorm

@pytest.mark.parametrize("shape", [(6, 5), (1, 5), (2, 3, 5)])
@pytest.mark.parametrize("dtype", list(DTYPES))
def test_layernorm_matches_torch(dtype, shape):
    tdtype, tol = DTYPES[dtype]
    ours = LayerNorm(5, dtype=dtype)
    theirs = torch.nn.LayerNorm(5, dtype=tdtype)
    gamma, beta = randn(5, seed=1, dtype=dtype) + 1, randn(5, seed=2, dtype=dtype)
    ours.params["gamma"][:], ours.params["beta"][:] = gamma, beta
    with torch.no_grad():
        theirs.weight.copy_(t(gamma))
        theirs.bias.copy_(t(beta))
    x = (3 * randn(*shape, seed=3) + 2).astype(dtype)
    dout = randn(*shape, seed=4, dtype=dtype)
    tx = t(x, grad=True)
    out = theirs(tx)
    out.backward(t(dout))
    close(ours.forward(x), out, tol)
    close(ours.backward(dout), tx.grad, tol)
    close(ours.grads["gamma"], theirs.weight.grad, tol)
    close(ours.grads["beta"], theirs.bias.grad, tol)


# ---------------------------------------------------------------- Dropout

@pytest.mark.parametrize("p", [0.0, 0.2, 0.5, 0.9])
def test_dropout_scaling_matches_torch(p):
    x = np.abs(randn(200, 300, seed=5)) + 0.1
    ours = Dropout(p, rng=0)
    theirs = torch.nn.Dropout(p)
    torch.manual_seed(0)
    tx = t(x, grad=True)
    ref = theirs(tx)
    ref.backward(torch.ones_like(ref))
    ref = ref.detach().numpy()
    out = ours.forward(x)
    for o in (out, ref):
        kept = o != 0
        assert np.allclose(o[kept], x[kept] / (1 - p))  # survivors scaled by 1/(1-p)
        assert abs(kept.mean() - (1 - p)) < 0.01
    # backward: the gradient is the same scaled mask in both
    assert np.array_equal(tx.grad.numpy(), (ref != 0) / (1 - p))
    assert np.array_equal(ours.backward(np.ones_like(x)), (out != 0) / (1 - p))
    theirs.eval()
    assert np.array_equal(ours.forward(x, train=False), theirs(t(x)).numpy())


def test_dropout_p_range_like_torch():
    with pytest.raises(ValueError):
        torch.nn.Dropout(-0.1)
    with pytest.raises(ValueError, match="p=-0.1"):
        Dropout(-0.1)
    # torch accepts p=1 (all zeros); the course does not, since the scale 1/(1-p) is undefined
    assert torch.count_nonzero(torch.nn.Dropout(1.0)(torch.ones(5))) == 0
    with pytest.raises(ValueError, match="p=1"):
        Dropout(1.0)
