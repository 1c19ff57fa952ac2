import numpy as np

from course_lib import data, diagnostics, network, optim, schedules
from course_lib.regularizers import EarlyStopping
from course_lib.train import fit


def small_digits():
    return data.load_digits(seed=0, n_train=300)


def test_fit_learns_digits_and_records_everything():
    s = small_digits()
    rng = np.random.default_rng(0)
    model = network.MLP([64, 32, 10], activation="relu", rng=rng)
    h = fit(model, s.X_train, s.y_train, optimizer=optim.SGD(lr=0.1, momentum=0.9), epochs=5,
            batch_size=32, rng=rng, X_val=s.X_test, y_val=s.y_test)
    assert not h.diverged and h.message == ""
    assert h.train_loss[-1] < h.train_loss[0] and h.val_acc[-1] > 0.85
    steps = 5 * int(np.ceil(300 / 32))
    assert len(h.step_loss) == steps and h.grad_norm_array().shape == (steps, 2)
    assert h.layer_names == ["0.W", "2.W"]


def test_fit_is_deterministic_for_a_seed():
    s = small_digits()
    runs = []
    for _ in range(2):
        rng = np.random.default_rng(7)
        model = network.MLP([64, 16, 10], rng=rng)
        runs.append(fit(model, s.X_train, s.y_train, epochs=2, rng=rng).step_loss)
    assert runs[0] == runs[1]


def test_divergence_is_reported_in_korean_not_raised():
    s = small_digits()
    rng = np.random.default_rng(0)
    model = network.MLP([64, 64, 64, 10], init=3.0, rng=rng)
    h = fit(model, s.X_train, s.y_train, optimizer=optim.SGD(lr=50.0), epochs=5, rng=rng)
    assert h.diverged and "발산했습니다" in h.message and h.diverged_at is not None


def test_schedule_clipping_and_early_stopping_are_applied():
    s = small_digits()
    rng = np.random.default_rng(0)
    model = network.MLP([64, 16, 10], rng=rng)
    opt = optim.SGD(lr=0.1)
    h = fit(model, s.X_train, s.y_train, optimizer=opt, epochs=3, rng=rng,
            schedule=schedules.step_lr(0.1, step_size=1, gamma=0.5), clip_norm=0.5)
    assert np.allclose(h.lr, [0.1, 0.05, 0.025])
    stop = EarlyStopping(patience=1)
    h = fit(model, s.X_train, s.y_train, optimizer=optim.SGD(lr=5.0), epochs=50, rng=rng,
            X_val=s.X_test, y_val=s.y_test, early_stopping=stop)
    assert len(h.train_loss) < 50


def test_diagnostics_measure_each_layer():
    s = small_digits()
    rng = np.random.default_rng(0)
    model = network.MLP([64] + [32] * 6 + [10], activation="sigmoid", init=0.5, rng=rng)
    g = diagnostics.gradient_norms(model, s.X_train[:200], s.y_train[:200])
    assert g.shape == (7,) and g[0] < g[-1]
    stats = diagnostics.activation_stats(model, s.X_train[:200])
    assert stats["mean"].shape == (6,) and np.all((stats["mean"] > 0) & (stats["mean"] < 1))
    relu = network.MLP([64, 32, 10], activation="relu", rng=rng)
    relu.params["0.b"][:] = -100.0  # every unit of layer 1 dead
    assert diagnostics.dead_fraction(relu, s.X_train[:50])[0] == 1.0


def test_epoch_takes_the_same_steps_as_fit():
    """train.epoch is fit's inner loop without the bookkeeping: same weights afterwards."""
    from course_lib import network, optim, train

    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((70, 5)), rng.integers(0, 3, size=70)
    a, b = (network.MLP([5, 8, 3], "relu", rng=1) for _ in range(2))
    train.fit(a, X, y, optimizer=optim.SGD(0.1, momentum=0.9), epochs=2, batch_size=16,
              rng=np.random.default_rng(2), l2=1e-3, l1=1e-4, max_norm=1.0)
    opt, order_rng = optim.SGD(0.1, momentum=0.9), np.random.default_rng(2)
    for _ in range(2):
        assert train.epoch(b, X, y, opt, order_rng, batch_size=16, l2=1e-3, l1=1e-4, max_norm=1.0)
    for k, v in a.params.items():
        np.testing.assert_array_equal(v, b.params[k])


def test_epoch_stops_when_the_loss_is_not_finite():
    from course_lib import network, optim, train

    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((20, 5)), rng.integers(0, 3, size=20)
    X[3, 1] = np.nan  # a broken example: every batch it lands in has a nan loss
    model = network.MLP([5, 8, 3], "relu", rng=1)
    assert train.epoch(model, X, y, optim.SGD(0.1), rng) is False
