"""Data sets of the course. Nothing is downloaded at run time.

* ``load_digits``: scikit-learn's bundled 8×8 handwritten digits (1,797 images,
  64 features, 10 classes), split into train/test with a seed.
* ``spirals``: CS231n's interleaved spirals, made with NumPy.
* ``adding_problem``: Hochreiter & Schmidhuber's long-range sequence task for RNNs.
"""
from collections import namedtuple

import numpy as np

Split = namedtuple("Split", "X_train y_train X_test y_test")


def load_digits(test_size=0.25, seed=0, classes=None, n_train=None, standardize=True):
    """Digits split into train and test sets.

    Pixels (0..16) are scaled to [0, 1]; with ``standardize`` each feature is then
    shifted and scaled by the *training* set's mean and std (test statistics never leak);
    a feature that is constant in the training set is only shifted (dividing by its
    zero std would blow test values up to ~1e8).
    ``classes`` keeps only those digits and relabels them 0..k-1 in the given order
    (e.g. ``classes=[5, 6, 7, 8, 9]`` for the transfer-learning chapter).
    ``n_train`` keeps only the first ``n_train`` shuffled training examples.
    """
    from sklearn.datasets import load_digits as _sk_load_digits

    if not 0.0 < test_size < 1.0:
        raise ValueError(f"test_size={test_size!r}: 0과 1 사이의 값이어야 합니다")
    digits = _sk_load_digits()
    X = digits.data.astype(np.float64) / 16.0
    y = digits.target.astype(np.int64)
    if classes is not None:
        classes = list(classes)
        bad = [c for c in classes if c not in range(10)]
        if bad:
            raise ValueError(f"classes에 {bad}가 있습니다: 0부터 9까지의 숫자만 쓸 수 있습니다")
        keep = np.isin(y, classes)
        X, y = X[keep], y[keep]
        y = np.array([classes.index(c) for c in y], dtype=np.int64)

    rng = np.random.default_rng(seed)
    order = rng.permutation(len(y))
    n_test = int(round(test_size * len(y)))
    test, train = order[:n_test], order[n_test:]
    if n_train is not None:
        if not 1 <= n_train <= len(train):
            raise ValueError(f"n_train={n_train}: 1 이상 {len(train)} 이하여야 합니다")
        train = train[:n_train]
    X_train, X_test = X[train], X[test]
    if standardize:
        mean = X_train.mean(axis=0)
        std = X_train.std(axis=0)
        std[std == 0] = 1.0  # a pixel that never varies in training is only centred (as scikit-learn does)
        X_train = (X_train - mean) / std
        X_test = (X_test - mean) / std
    return Split(X_train, y[train], X_test, y[test])


def spirals(n_per_class=100, n_classes=3, noise=0.2, seed=0):
    """Points on ``n_classes`` interleaved spiral arms (CS231n), shape (N, 2), labels (N,)."""
    rng = np.random.default_rng(seed)
    X = np.zeros((n_per_class * n_classes, 2))
    y = np.zeros(n_per_class * n_classes, dtype=np.int64)
    for k in range(n_classes):
        idx = slice(k * n_per_class, (k + 1) * n_per_class)
        r = np.linspace(0.0, 1.0, n_per_class)
        t = np.linspace(k * 4.0, (k + 1) * 4.0, n_per_class) + rng.standard_normal(n_per_class) * noise
        X[idx] = np.column_stack([r * np.sin(t), r * np.cos(t)])
        y[idx] = k
    return X, y


def adding_problem(n, T, seed=0):
    """The adding problem (Hochreiter & Schmidhuber 1997).

    Each input sequence has two channels: a value drawn from U(0, 1) and a marker that is
    1 at exactly two time steps (one in each half) and 0 elsewhere. The target is the sum
    of the two marked values, so the network must carry information across ~T/2 steps.
    Returns ``x`` of shape (n, T, 2) and ``y`` of shape (n, 1).
    """
    if T < 2:
        raise ValueError(f"T={T}: 시퀀스 길이는 2 이상이어야 합니다")
    rng = np.random.default_rng(seed)
    values = rng.uniform(0.0, 1.0, size=(n, T))
    markers = np.zeros((n, T))
    half = T // 2
    first = rng.integers(0, half, size=n)
    second = rng.integers(half, T, size=n)
    markers[np.arange(n), first] = 1.0
    markers[np.arange(n), second] = 1.0
    x = np.stack([values, markers], axis=-1)
    y = (values * markers).sum(axis=1, keepdims=True)
    return x, y
