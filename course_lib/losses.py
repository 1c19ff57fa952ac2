"""Loss functions: ``forward(prediction, target) -> mean loss`` and ``backward() -> d prediction``.

Both use PyTorch's default ``reduction='mean'``. ``backward(dout=1.0)`` scales the
gradient by an upstream ``dout`` (1 when the loss is the end of the graph).
"""
import numpy as np


def softmax(x, axis=-1):
    """softmax(x)_i = e^{x_i - m} / Σ_j e^{x_j - m} with m = max_j x_j (no overflow)."""
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(x, axis=-1):
    """log softmax(x)_i = (x_i - m) - log Σ_j e^{x_j - m}: log-sum-exp, stable for any x."""
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


class SoftmaxCrossEntropy:
    """Softmax followed by cross-entropy, averaged over the batch.

    For logits z of shape (N, C) and integer labels y of shape (N,):

        L = -(1/N) Σ_n log softmax(z_n)_{y_n},    ∂L/∂z = (softmax(z) - onehot(y)) / N.

    Equal to torch.nn.CrossEntropyLoss() (mean reduction) on raw logits.
    """

    def forward(self, logits, labels):
        logits, labels = np.asarray(logits), np.asarray(labels)
        if logits.ndim != 2:
            raise ValueError(f"logits must have shape (N, C), got shape {logits.shape}")
        n, c = logits.shape
        if labels.shape != (n,):
            raise ValueError(f"labels must have shape (N,) = ({n},) to match logits {logits.shape}, "
                             f"got shape {labels.shape}")
        if not np.issubdtype(labels.dtype, np.integer):
            raise ValueError(f"labels must be integer class indices, got dtype {labels.dtype}")
        bad = (labels < 0) | (labels >= c)
        if bad.any():
            raise ValueError(f"labels must lie in [0, {c - 1}] for C={c} classes, "
                             f"got {labels[bad][:5].tolist()} at indices {np.flatnonzero(bad)[:5].tolist()}")
        logp = log_softmax(logits)
        self.probs, self.labels = np.exp(logp), labels
        return -np.mean(logp[np.arange(n), labels])

    def backward(self, dout=1.0):
        n = len(self.labels)
        dlogits = self.probs.copy()
        dlogits[np.arange(n), self.labels] -= 1
        dlogits *= dout / n
        return dlogits


class MSE:
    """Mean squared error over all elements.

        L = (1/M) Σ_i (p_i - t_i)²,    ∂L/∂p = 2 (p - t) / M,    M = number of elements.

    Equal to torch.nn.MSELoss() (mean reduction).
    """

    def forward(self, pred, target):
        pred, target = np.asarray(pred), np.asarray(target)
        if pred.shape != target.shape:
            raise ValueError(f"pred and target must have the same shape, got {pred.shape} and {target.shape}")
        self.diff = pred - target
        return np.mean(self.diff ** 2)

    def backward(self, dout=1.0):
        return (2 * dout / self.diff.size) * self.diff
