"""course_utils.strategy.diagnosis: the notes' tables, the gaps' edge cases, the exact Bayes error."""

import math

import numpy as np
import pytest

from course_utils.strategy.diagnosis import (
    diagnose, gaussian_bayes_error, gaussian_threshold, two_gaussians,
)


@pytest.mark.parametrize("human, train, dev, bias, variance, focus", [
    (1.0, 8.0, 10.0, 7.0, 2.0, "avoidable_bias"),      # the notes' cat example, humans at 1 %
    (7.5, 8.0, 10.0, 0.5, 2.0, "variance"),            # the same model, humans at 7.5 %
    (1.0, 5.0, 6.0, 4.0, 1.0, "avoidable_bias"),       # the notes' "error analysis problem" 1
    (0.5, 1.0, 5.0, 0.5, 4.0, "variance"),             # ... 2
    (0.5, 0.7, 0.8, 0.2, 0.1, "avoidable_bias"),       # ... 3, with the team of doctors' 0.5 %
    (0.7, 0.7, 0.8, 0.0, 0.1, "variance"),             # ... 3, with the experienced doctor's 0.7 %
])
def test_diagnose_reproduces_the_notes_tables(human, train, dev, bias, variance, focus):
    d = diagnose(human, train, dev=dev)
    assert d["avoidable_bias"] == pytest.approx(bias)
    assert d["variance"] == pytest.approx(variance)
    assert d["data_mismatch"] is None and d["dev_overfitting"] is None
    assert d["focus"] == focus


def test_diagnose_with_training_dev_and_test_sets():
    # the notes' mismatched-distribution table: 0 / 10 / 11 / 12 %
    d = diagnose(0.0, 10.0, train_dev=11.0, dev=12.0)
    assert (d["avoidable_bias"], d["variance"], d["data_mismatch"]) == pytest.approx((10.0, 1.0, 1.0))
    assert d["focus"] == "avoidable_bias"
    d = diagnose(4.0, 7.0, train_dev=10.0, dev=6.0, test=9.0)    # dev set better than training-dev
    assert d == pytest.approx({"avoidable_bias": 3.0, "variance": 3.0, "data_mismatch": -4.0,
                               "dev_overfitting": 3.0, "focus": "avoidable_bias"})
    assert diagnose(0.0, 1.0, train_dev=1.5, dev=10.0)["focus"] == "data_mismatch"
    assert diagnose(0.01, 0.02, dev=0.03, test=0.09)["focus"] == "dev_overfitting"


def test_diagnose_edge_cases():
    below = diagnose(1.0, 0.5, dev=0.5)              # training error below the proxy, no variance
    assert below["avoidable_bias"] == pytest.approx(-0.5) and below["focus"] is None
    only = diagnose(0, 3)
    assert only == {"avoidable_bias": 3.0, "variance": None, "data_mismatch": None,
                    "dev_overfitting": None, "focus": "avoidable_bias"}
    assert diagnose(0.5, 1.5, dev=2.5)["focus"] == "avoidable_bias"        # a tie goes to the earlier gap
    with pytest.raises(ValueError, match="training error is required"):
        diagnose(1.0, None)
    with pytest.raises(ValueError, match="finite number >= 0"):
        diagnose(1.0, -2.0)
    with pytest.raises(ValueError, match="must be a number"):
        diagnose(1.0, "8 %")
    with pytest.raises(ValueError, match="needs the dev error"):
        diagnose(1.0, 2.0, test=3.0)


def test_gaussian_bayes_error_is_exact():
    # equal priors: Phi(-d / (2 sigma)); d = 2, sigma = 1 gives Phi(-1)
    assert gaussian_bayes_error(2.0, 1.0) == pytest.approx(0.15865525393145707, rel=1e-12)
    assert gaussian_threshold(2.0, 1.0) == 0.0
    # unequal priors: the threshold moves towards the rarer class and the error equals the formula
    t = gaussian_threshold(2.0, 1.0, prior=0.2)
    assert t == pytest.approx(math.log(4) / 2)
    phi = lambda z: 0.5 * math.erfc(-z / math.sqrt(2))
    assert gaussian_bayes_error(2.0, 1.0, 0.2) == pytest.approx(0.8 * phi(-1 - t) + 0.2 * phi(t - 1))
    assert gaussian_bayes_error(2.0, 1.0, 0.2) < 0.2            # better than always saying "class 0"
    with pytest.raises(ValueError, match="sigma must be > 0"):
        gaussian_bayes_error(2.0, 0.0)
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        gaussian_bayes_error(2.0, 1.0, prior=1.0)


def test_two_gaussians_matches_its_bayes_error():
    X, Y = two_gaussians(200_000, distance=2.0, sigma=1.0, prior=0.3, n_features=3, seed=5)
    assert X.shape == (3, 200_000) and Y.shape == (1, 200_000)
    assert abs(Y.mean() - 0.3) < 0.005
    bayes_pred = (X[0] > gaussian_threshold(2.0, 1.0, 0.3)).astype(int)
    measured = np.mean(bayes_pred != Y[0])
    assert abs(measured - gaussian_bayes_error(2.0, 1.0, 0.3)) < 0.003     # 200,000 draws: sd ~ 0.0009
    again, _ = two_gaussians(200_000, distance=2.0, sigma=1.0, prior=0.3, n_features=3, seed=5)
    np.testing.assert_array_equal(X, again)
    with pytest.raises(ValueError, match="positive integers"):
        two_gaussians(0)
