"""Parity with PyTorch (2.13) for activations, losses and the RNN. Skipped when torch is missing."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")

from course_lib import activations as A  # noqa: E402
from course_lib.losses import MSE, SoftmaxCrossEntropy  # noqa: E402
from course_lib.rnn import RNN  # noqa: E402

TORCH_MODULES = {
    "sigmoid": lambda: torch.nn.Sigmoid(),
    "tanh": lambda: torch.nn.Tanh(),
    "relu": lambda: torch.nn.ReLU(),
    "leaky_relu": lambda: torch.nn.LeakyReLU(),
    "prelu": lambda: torch.nn.PReLU(),
    "rrelu": lambda: torch.nn.RReLU().eval(),
    "elu": lambda: torch.nn.ELU(),
    "selu": lambda: torch.nn.SELU(),
    "gelu": lambda: torch.nn.GELU(),
    "swish": lambda: torch.nn.SiLU(),
}
DTYPES = {np.float64: (torch.float64, 1e-12), np.float32: (torch.float32, 1e-5)}


def inputs(dtype):
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.standard_normal(40) * 3, [0.0, -0.0, 1e-3, -1e-3, 30, -30, 500, -500]])
    return x.reshape(4, 12).astype(dtype), rng.standard_normal((4, 12)).astype(dtype)


@pytest.mark.parametrize("dtype", list(DTYPES))
@pytest.mark.parametrize("name", A.NAMES)
def test_activation_matches_torch(name, dtype):
    torch_dtype, tol = DTYPES[dtype]
    x, dout = inputs(dtype)
    ours = A.make(name, rng=0)
    out = ours.forward(x, train=False)
    dx = ours.backward(dout)

    module = TORCH_MODULES[name]().to(torch_dtype)
    xt = torch.tensor(x, requires_grad=True)
    outt = module(xt)
    outt.backward(torch.tensor(dout))
    assert out.dtype == dtype and dx.dtype == dtype
    np.testing.assert_allclose(out, outt.detach().numpy(), rtol=tol, atol=tol)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=tol, atol=tol)
    if name == "prelu":
        np.testing.assert_allclose(ours.grads["alpha"], module.weight.grad.numpy(), rtol=tol, atol=tol)


def test_prelu_defaults_match_torch():
    module = torch.nn.PReLU()
    assert A.PReLU().params["alpha"].shape == tuple(module.weight.shape) == (1,)
    assert A.PReLU().params["alpha"][0] == pytest.approx(module.weight.item())


def test_rrelu_training_slopes_in_range_like_torch():
    x = -np.abs(np.random.default_rng(1).standard_normal((50, 40))) - 0.1
    lower, upper = 1 / 8, 1 / 3
    ours = A.RReLU(rng=0).forward(x, train=True)
    theirs = torch.nn.RReLU(lower, upper).train()(torch.tensor(x)).numpy()
    for out in (ours, theirs):  # x < 0: upper·x <= f(x) <= lower·x
        assert np.all((out >= upper * x) & (out <= lower * x))
        assert np.std(out / x) == pytest.approx((upper - lower) / np.sqrt(12), rel=0.1)


def test_cross_entropy_matches_torch():
    rng = np.random.default_rng(2)
    logits, labels = rng.standard_normal((6, 5)) * 4, rng.integers(0, 5, 6)
    logits[0] = [1e4, -1e4, 0, 3, 1e4]
    ce = SoftmaxCrossEntropy()
    loss = ce.forward(logits, labels)
    dlogits = ce.backward()
    lt = torch.tensor(logits, requires_grad=True)
    losst = torch.nn.CrossEntropyLoss()(lt, torch.tensor(labels))
    losst.backward()
    assert loss == pytest.approx(losst.item(), rel=1e-12)
    np.testing.assert_allclose(dlogits, lt.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_mse_matches_torch():
    rng = np.random.default_rng(3)
    pred, target = rng.standard_normal((7, 3)), rng.standard_normal((7, 3))
    mse = MSE()
    loss = mse.forward(pred, target)
    dpred = mse.backward()
    pt = torch.tensor(pred, requires_grad=True)
    losst = torch.nn.MSELoss()(pt, torch.tensor(target))
    losst.backward()
    assert loss == pytest.approx(losst.item(), rel=1e-12)
    np.testing.assert_allclose(dpred, pt.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_rnn_matches_torch(nonlinearity):
    rng = np.random.default_rng(4)
    N, T, D, H = 3, 7, 4, 5
    ours = RNN(D, H, nonlinearity=nonlinearity, rng=0)
    x, h0, dH = rng.standard_normal((N, T, D)), rng.standard_normal((N, H)), rng.standard_normal((N, T, H))
    hs = ours.forward(x, h0)
    dx = ours.backward(dH)

    theirs = torch.nn.RNN(D, H, nonlinearity=nonlinearity, batch_first=True).double()
    with torch.no_grad():
        theirs.weight_ih_l0.copy_(torch.tensor(ours.params["Wx"].T))
        theirs.weight_hh_l0.copy_(torch.tensor(ours.params["Wh"].T))
        theirs.bias_ih_l0.copy_(torch.tensor(ours.params["b"]))
        theirs.bias_hh_l0.zero_()
    xt, h0t = torch.tensor(x, requires_grad=True), torch.tensor(h0[None], requires_grad=True)
    out, h_last = theirs(xt, h0t)
    out.backward(torch.tensor(dH))

    np.testing.assert_allclose(hs, out.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(hs[:, -1], h_last[0].detach().numpy(), rtol=1e-12, atol=1e-14)
    grads = {"x": (dx, xt.grad), "h0": (ours.dh0, h0t.grad[0]),
             "Wx": (ours.grads["Wx"], theirs.weight_ih_l0.grad.T),
             "Wh": (ours.grads["Wh"], theirs.weight_hh_l0.grad.T),
             "b": (ours.grads["b"], theirs.bias_ih_l0.grad)}
    for name, (a, b) in grads.items():
        np.testing.assert_allclose(a, b.numpy(), rtol=1e-10, atol=1e-12, err_msg=name)


def test_rnn_default_init_bound_like_torch():
    H = 16
    bound = max(p.abs().max().item() for p in torch.nn.RNN(3, H).parameters())
    ours = max(np.abs(p).max() for p in RNN(3, H, rng=0).params.values())
    assert ours <= 1 / np.sqrt(H) and bound <= 1 / np.sqrt(H)
    assert ours > 0.9 / np.sqrt(H) and bound > 0.9 / np.sqrt(H)
