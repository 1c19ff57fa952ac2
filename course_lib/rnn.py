"""A vanilla (Elman) recurrent layer with full backpropagation through time (BPTT).

For an input sequence x_1..x_T (batch-first: x has shape (N, T, D)):

    a_t = x_t Wx + h_{t-1} Wh + b,    h_t = f(a_t),    f = tanh or ReLU,    h_0 given (zeros).

Backward, from t = T down to 1, with dh_t = dH_t + (gradient arriving from step t+1):

    da_t = dh_t ⊙ f'(a_t),   dh_{t-1} = da_t Whᵀ,   dWx = Σ_t x_tᵀ da_t,   dWh = Σ_t h_{t-1}ᵀ da_t,
    db = Σ_t Σ_n da_t,   dx_t = da_t Wxᵀ.

The gradient reaching back k steps is multiplied by k Jacobians ∂h_t/∂h_{t-1} = diag(f'(a_t)) Whᵀ:
their product shrinks or grows roughly like ρ(Wh)^k, which is why RNNs suffer most from
vanishing and exploding gradients (see ``jacobian_norms`` and ``scale_to_spectral_radius``).
"""
import numpy as np


class RNN:
    """One-layer RNN, equal to ``torch.nn.RNN(D, H, nonlinearity, batch_first=True)`` with
    ``weight_ih = Wxᵀ``, ``weight_hh = Whᵀ``, ``bias_ih = b`` and ``bias_hh = 0``.

    Default init as torch: Wx, Wh, b ~ U(-1/√H, 1/√H). ``init`` may instead be a function
    ``init(fan_in, fan_out, rng=rng)`` or a name from ``course_lib.init``; b is then zero.
    """

    def __init__(self, input_size, hidden_size, nonlinearity="tanh", rng=None, init=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        self.input_size, self.hidden_size, self.nonlinearity = input_size, hidden_size, nonlinearity
        rng = np.random.default_rng(rng)
        D, H = input_size, hidden_size
        if init is None:
            k = 1 / np.sqrt(H)
            Wx, Wh, b = rng.uniform(-k, k, (D, H)), rng.uniform(-k, k, (H, H)), rng.uniform(-k, k, H)
        else:
            if isinstance(init, str):
                from course_lib import init as inits
                init = inits.get(init)
            Wx, Wh, b = init(D, H, rng=rng), init(H, H, rng=rng), np.zeros(H)
        self.params = {"Wx": Wx, "Wh": Wh, "b": b}
        self.grads = {name: np.zeros_like(p) for name, p in self.params.items()}

    def forward(self, x, h0=None, train=True):
        """All hidden states h_1..h_T, shape (N, T, H), for x of shape (N, T, D)."""
        x, D, H = np.asarray(x), self.input_size, self.hidden_size
        if x.ndim != 3 or x.shape[2] != D:
            raise ValueError(f"RNN expects x of shape (N, T, input_size={D}), got {x.shape}")
        N, T, _ = x.shape
        if h0 is None:
            h0 = np.zeros((N, H), dtype=x.dtype)
        elif h0.shape != (N, H):
            raise ValueError(f"h0 must have shape (N, hidden_size) = ({N}, {H}), got {h0.shape}")
        Wx, Wh, b = (p.astype(x.dtype, copy=False) for p in self.params.values())  # float32 stays float32
        f = np.tanh if self.nonlinearity == "tanh" else (lambda a: np.maximum(a, 0))
        xWb = x @ Wx + b  # the input part of a_t for every t at once
        hs = np.empty((N, T, H), dtype=xWb.dtype)
        h = h0
        for t in range(T):
            h = f(xWb[:, t] + h @ Wh)
            hs[:, t] = h
        self.x, self.h0, self.hs = x, h0, hs
        return hs

    def backward(self, dH):
        """BPTT for upstream gradients dH (N, T, H) on all hidden states; returns dx (N, T, D).

        Fills ``grads`` and sets ``self.dh0``, the gradient with respect to h_0.
        """
        x, hs = self.x, self.hs
        if dH.shape != hs.shape:
            raise ValueError(f"dH must have the shape of the forward output {hs.shape}, got {dH.shape}")
        N, T, H = hs.shape
        Wx, Wh = (self.params[k].astype(hs.dtype, copy=False) for k in ("Wx", "Wh"))
        # f'(a_t) written with h_t = f(a_t): tanh' = 1 - h², relu' = 1 if h > 0 else 0
        fprime = 1 - hs ** 2 if self.nonlinearity == "tanh" else (hs > 0).astype(hs.dtype)
        da = np.empty_like(hs)
        dh_next = np.zeros((N, H), dtype=hs.dtype)
        for t in reversed(range(T)):
            da[:, t] = (dH[:, t] + dh_next) * fprime[:, t]
            dh_next = da[:, t] @ Wh.T
        self.dh0 = dh_next
        h_prev = np.concatenate([self.h0[:, None], hs[:, :-1]], axis=1)  # h_0..h_{T-1}
        self.grads["Wx"] = x.reshape(-1, self.input_size).T @ da.reshape(-1, H)
        self.grads["Wh"] = h_prev.reshape(-1, H).T @ da.reshape(-1, H)
        self.grads["b"] = da.sum(axis=(0, 1))
        return da @ Wx.T


def jacobians(rnn, x, h0=None):
    """J_t = ∂h_t/∂h_0 for t = 1..T for one sequence x of shape (T, D); returns (T, H, H).

    Chain rule: J_t = diag(f'(a_t)) Whᵀ J_{t-1}, J_0 = I  (rows index h_t, columns h_0).
    Runs ``rnn.forward``, so it replaces what the RNN cached for ``backward``.
    """
    x = np.asarray(x, dtype=float)
    if x.ndim != 2:
        raise ValueError(f"jacobians expects one sequence of shape (T, input_size), got {x.shape}")
    hs = rnn.forward(x[None], None if h0 is None else np.asarray(h0, dtype=float)[None])[0]
    fprime = 1 - hs ** 2 if rnn.nonlinearity == "tanh" else (hs > 0).astype(float)
    J, out = np.eye(rnn.hidden_size), []
    for t in range(len(hs)):
        J = fprime[t][:, None] * (rnn.params["Wh"].T @ J)
        out.append(J)
    return np.array(out)


def jacobian_norms(rnn, x, h0=None, ord=2):
    """‖∂h_t/∂h_0‖ for t = 1..T (spectral norm by default): how much a gradient arriving at
    step t survives on its way back to the start. Shape (T,)."""
    return np.array([np.linalg.norm(J, ord=ord) for J in jacobians(rnn, x, h0)])


def spectral_radius(W):
    """ρ(W) = max |λ_i(W)|, the largest absolute eigenvalue."""
    return float(np.max(np.abs(np.linalg.eigvals(W))))


def scale_to_spectral_radius(W, rho):
    """W · ρ / ρ(W): a copy of the square matrix W rescaled to spectral radius ``rho``."""
    W = np.asarray(W, dtype=float)
    if W.ndim != 2 or W.shape[0] != W.shape[1]:
        raise ValueError(f"W must be a square matrix, got shape {W.shape}")
    if rho < 0:
        raise ValueError(f"rho must be >= 0, got {rho}")
    current = spectral_radius(W)
    if current == 0:
        raise ValueError("W has spectral radius 0 (all eigenvalues are zero): it cannot be rescaled")
    return W * (rho / current)


def set_spectral_radius(rnn, rho):
    """Rescale ``rnn.params["Wh"]`` in place to spectral radius ``rho``; returns the RNN."""
    rnn.params["Wh"][...] = scale_to_spectral_radius(rnn.params["Wh"], rho)
    return rnn
