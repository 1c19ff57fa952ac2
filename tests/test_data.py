import numpy as np
import pytest

from course_lib import data


def test_digits_split_is_seeded_and_standardized_on_train_only():
    a = data.load_digits(seed=1)
    b = data.load_digits(seed=1)
    c = data.load_digits(seed=2)
    assert np.array_equal(a.X_train, b.X_train) and not np.array_equal(a.y_train, c.y_train)
    assert a.X_train.shape == (1348, 64) and a.X_test.shape == (449, 64)
    used = a.X_train.std(axis=0) > 0
    assert np.allclose(a.X_train.mean(axis=0), 0, atol=1e-12)
    assert np.allclose(a.X_train.std(axis=0)[used], 1, atol=1e-6)
    assert not np.allclose(a.X_test.mean(axis=0), 0, atol=1e-3)  # test statistics do not leak


def test_digits_classes_are_relabelled_in_order():
    s = data.load_digits(classes=[5, 6, 7, 8, 9], n_train=40)
    assert len(s.y_train) == 40 and set(np.unique(s.y_test)) == {0, 1, 2, 3, 4}


@pytest.mark.parametrize("kwargs, word", [({"classes": [3, 12]}, "12"), ({"test_size": 1.5}, "1.5"),
                                          ({"n_train": 0}, "n_train=0")])
def test_bad_arguments_are_named(kwargs, word):
    with pytest.raises(ValueError, match=word):
        data.load_digits(**kwargs)


def test_spirals_and_adding_problem():
    X, y = data.spirals(n_per_class=50, n_classes=3, seed=0)
    assert X.shape == (150, 2) and np.bincount(y).tolist() == [50, 50, 50]
    x, t = data.adding_problem(8, 20, seed=0)
    assert x.shape == (8, 20, 2) and t.shape == (8, 1)
    assert np.all(x[:, :, 1].sum(axis=1) == 2)
    assert np.allclose(t[:, 0], (x[:, :, 0] * x[:, :, 1]).sum(axis=1))
    with pytest.raises(ValueError, match="T=1"):
        data.adding_problem(4, 1)


def test_pixels_constant_in_a_small_training_set_stay_bounded_on_test():
    s = data.load_digits(seed=0, n_train=100)
    assert np.abs(s.X_test).max() < 1e3  # was ~5e7 when dividing by std + 1e-8
