"""course_utils.nn.init: the initialisation schemes and the signal probe."""

import numpy as np
import pytest

from course_utils.nn.init import initialize_parameters_deep, signal_stds, weight_scale


def test_draws_in_layer_order_from_one_generator():
    p = initialize_parameters_deep([4, 3, 2], seed=8, scale="he")
    rng = np.random.default_rng(8)
    np.testing.assert_array_equal(p["W1"], rng.standard_normal((3, 4)) * np.sqrt(2 / 4))
    np.testing.assert_array_equal(p["W2"], rng.standard_normal((2, 3)) * np.sqrt(2 / 3))
    assert np.all(p["b1"] == 0) and p["b2"].shape == (2, 1)


def test_scales():
    assert weight_scale("xavier", 4) == 0.5
    assert weight_scale("he", 8) == 0.5
    assert weight_scale(0.01, 1000) == 0.01
    with pytest.raises(ValueError, match="scale must be a number, 'xavier' or 'he', got 'glorot'"):
        weight_scale("glorot", 3)
    with pytest.raises(ValueError, match="at least two positive sizes"):
        initialize_parameters_deep([3])


def test_he_keeps_relu_signal_and_small_weights_kill_it():
    X = np.random.default_rng(0).standard_normal((100, 500))
    he = signal_stds(X, [100] * 11, "relu", "he", seed=1)
    small = signal_stds(X, [100] * 11, "relu", 0.01, seed=1)
    assert 0.3 < he["A"][-1] < 3 and small["A"][-1] < 1e-10
    assert he["A"].shape == he["dA"].shape == (11,)
