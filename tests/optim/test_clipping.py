"""course_utils.optim.clipping: the classic elementwise clip and Pascanu et al.'s clipping by global norm."""

import numpy as np
import pytest

from course_utils.optim.clipping import clip, clip_by_global_norm, global_norm


def _grads():
    return {"dWaa": np.array([[12.0, -3.0], [0.5, -20.0]]), "dWax": np.array([[4.0], [-6.0]]),
            "dba": np.array([[0.0], [np.inf]]), "dby": np.array([[-np.inf]])}


def test_clip_bounds_every_entry_and_modifies_nothing():
    grads = _grads()
    kept = {k: v.copy() for k, v in grads.items()}
    out = clip(grads, 5)
    np.testing.assert_array_equal(out["dWaa"], [[5.0, -3.0], [0.5, -5.0]])
    np.testing.assert_array_equal(out["dWax"], [[4.0], [-5.0]])
    np.testing.assert_array_equal(out["dba"], [[0.0], [5.0]])          # an overflowed entry is bounded
    np.testing.assert_array_equal(out["dby"], [[-5.0]])
    for k in grads:
        np.testing.assert_array_equal(grads[k], kept[k])


def test_clip_leaves_the_keys_it_is_not_given_and_nan_stays_nan():
    grads = {"dWaa": np.array([7.0, np.nan]), "dx": np.array([100.0])}
    out = clip(grads, 2.0, keys=["dWaa"])
    np.testing.assert_array_equal(out["dWaa"], [2.0, np.nan])
    np.testing.assert_array_equal(out["dx"], [100.0])
    assert out["dx"] is not grads["dx"]


def test_clip_by_global_norm_keeps_the_direction_and_caps_the_norm():
    grads = {"dW": np.array([[3.0, 0.0]]), "db": np.array([[4.0]]), "dx": np.array([50.0])}
    out, norm = clip_by_global_norm(grads, 1.0, keys=["dW", "db"])
    assert norm == 5.0                                                  # sqrt(9 + 16), before clipping
    np.testing.assert_allclose(out["dW"], [[0.6, 0.0]], rtol=1e-15)
    np.testing.assert_allclose(out["db"], [[0.8]], rtol=1e-15)
    np.testing.assert_array_equal(out["dx"], [50.0])
    assert global_norm(out, ["dW", "db"]) == pytest.approx(1.0, rel=1e-15)
    same, norm = clip_by_global_norm(grads, 10.0, keys=["dW", "db"])     # under the cap: unchanged
    assert norm == 5.0
    np.testing.assert_array_equal(same["dW"], grads["dW"])
    assert same["dW"] is not grads["dW"]


def test_the_elementwise_clip_turns_the_gradient_the_global_norm_does_not():
    """Why the global norm: clipping entries changes the direction when one entry is much larger."""
    grads = {"dW": np.array([100.0, 1.0])}
    by_entry = clip(grads, 1.0)["dW"]
    by_norm, _ = clip_by_global_norm(grads, 1.0)
    np.testing.assert_array_equal(by_entry, [1.0, 1.0])                  # now 45 degrees
    np.testing.assert_allclose(by_norm["dW"], np.array([100.0, 1.0]) / np.sqrt(10001.0), rtol=1e-15)


def test_global_norm_neither_overflows_nor_underflows():
    assert global_norm({"a": np.array([3e200]), "b": np.array([4e200])}) == pytest.approx(5e200, rel=1e-15)
    assert global_norm({"a": np.array([3e-200, 4e-200])}) == pytest.approx(5e-200, rel=1e-15)
    assert global_norm({"a": np.zeros(3)}) == 0.0
    assert np.isnan(global_norm({"a": np.array([1.0]), "b": np.array([np.nan])}))


def test_errors():
    with pytest.raises(ValueError, match=r"clip: maxValue must be a number > 0, got 0"):
        clip(_grads(), 0)
    with pytest.raises(ValueError, match=r"clip_by_global_norm: max_norm must be a number > 0, got -1.0"):
        clip_by_global_norm(_grads(), -1.0)
    with pytest.raises(ValueError, match=r"gradients lack \['dWya'\]"):
        clip(_grads(), 5, keys=["dWaa", "dWya"])
    with pytest.raises(FloatingPointError, match=r"dba, dby hold NaN or infinity; clipping cannot repair"):
        clip_by_global_norm(_grads(), 5.0)
