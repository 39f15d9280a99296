"""course_utils.optim.tuning: log-scale sampling, grid and random search (Track 2, notebook 06)."""

import numpy as np
import pytest

import course_utils.optim.tuning as tuning


def test_learning_rates_spread_evenly_over_decades():
    lr = tuning.sample_learning_rate(20000, seed=0)
    assert lr.min() >= 1e-4 and lr.max() < 1.0
    counts = np.histogram(np.log10(lr), bins=[-4, -3, -2, -1, 0])[0]
    assert counts.min() > 0.23 * lr.size  # about a quarter per decade
    np.testing.assert_array_equal(lr[:3], 10 ** (-4 + 4 * np.random.default_rng(0).random(3)))


def test_betas_between_0_9_and_0_999():
    b = tuning.sample_beta(5000, seed=1)
    assert 0.9 < b.min() and b.max() <= 0.999
    assert np.mean(b > 0.99) == pytest.approx(0.5, abs=0.03)  # half the samples in the last decade


def test_grid_and_random_points():
    g = tuning.grid_points({"lr": (-4, 0), "beta": (-3, -1)}, 3)
    assert len(g) == 9 and sorted({round(p["lr"], 8) for p in g}) == pytest.approx([1e-4, 1e-2, 1.0])
    r = tuning.random_points({"lr": (-4, 0)}, 7, seed=3)
    assert len(r) == 7 and len({p["lr"] for p in r}) == 7
