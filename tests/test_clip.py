"""Gradient clipping: global norm vs per-component value clipping."""
import numpy as np
import pytest

from course_lib.clip import clip_grad_norm, clip_grad_value


def grads34():
    return {"0.W": np.array([[3.0, 0.0]]), "0.b": np.array([0.0, 4.0])}


def test_norm_is_global_and_direction_is_kept():
    g = grads34()
    total = clip_grad_norm(g, max_norm=1.0)
    assert total == 5.0  # sqrt(3^2 + 4^2) over both arrays, before clipping
    c = 1.0 / (5.0 + 1e-6)
    np.testing.assert_allclose(g["0.W"], [[3 * c, 0.0]], rtol=1e-15)
    np.testing.assert_allclose(g["0.b"], [0.0, 4 * c], rtol=1e-15)
    assert g["0.b"][1] / g["0.W"][0, 0] == pytest.approx(4 / 3)  # same direction


def test_global_differs_from_per_parameter_clipping():
    g = grads34()
    clip_grad_norm(g, 1.0)
    per_param = grads34()
    for name in per_param:
        clip_grad_norm({name: per_param[name]}, 1.0)
    # per parameter each array gets its own factor: (1, 0), (0, 1), direction changed
    np.testing.assert_allclose(per_param["0.W"], [[1.0, 0.0]], rtol=1e-6)
    np.testing.assert_allclose(per_param["0.b"], [0.0, 1.0], rtol=1e-6)
    np.testing.assert_allclose(g["0.W"], [[0.6, 0.0]], rtol=1e-6)
    np.testing.assert_allclose(g["0.b"], [0.0, 0.8], rtol=1e-6)


def test_small_gradients_are_untouched():
    g = grads34()
    assert clip_grad_norm(g, max_norm=5.0) == 5.0  # coefficient 5/(5 + 1e-6) < 1: clipped
    assert g["0.b"][1] < 4.0
    g = grads34()
    assert clip_grad_norm(g, max_norm=10.0) == 5.0
    np.testing.assert_array_equal(g["0.b"], [0.0, 4.0])


def test_other_norm_types():
    g = {"a": np.array([-7.0, 1.0]), "b": np.array([2.0])}
    assert clip_grad_norm(g, 100.0, norm_type=float("inf")) == 7.0
    assert clip_grad_norm(g, 100.0, norm_type=1) == 10.0
    clip_grad_norm(g, 1.0, norm_type="inf")
    assert np.max(np.abs(np.concatenate(list(g.values())))) == pytest.approx(1.0, rel=1e-6)
    assert clip_grad_norm({}, 1.0) == 0.0


def test_float32_stays_float32():
    g = {"w": np.array([30.0, 40.0], dtype=np.float32)}
    clip_grad_norm(g, 1.0)
    assert g["w"].dtype == np.float32
    np.testing.assert_allclose(g["w"], [0.6, 0.8], rtol=1e-6)


def test_clip_grad_value_changes_direction():
    g = {"w": np.array([10.0, 1.0, -3.0, 0.5])}
    clip_grad_value(g, 1.0)
    np.testing.assert_array_equal(g["w"], [1.0, 1.0, -1.0, 0.5])  # (10, 1) became (1, 1)


@pytest.mark.parametrize("call, value", [
    (lambda: clip_grad_norm(grads34(), -1.0), "-1.0"),
    (lambda: clip_grad_norm(grads34(), 1.0, norm_type=0), "0.0"),
    (lambda: clip_grad_value(grads34(), -0.5), "-0.5"),
])
def test_bad_arguments_name_the_value(call, value):
    with pytest.raises(ValueError, match=f"must be .*{value}"):
        call()
