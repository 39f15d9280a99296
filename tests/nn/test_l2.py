"""course_utils.nn.l2: the L2 penalty and its gradient."""

import numpy as np
import pytest

from course_utils.gradcheck import numerical_gradient, relative_difference
from course_utils.nn.l2 import l2_penalty, l2_penalty_backward, weight_keys


def params():
    rng = np.random.default_rng(4)
    return {"W1": rng.standard_normal((3, 2)), "b1": rng.standard_normal((3, 1)), "W10": rng.standard_normal((1, 3)),
            "gamma1": rng.standard_normal((3, 1)), "W2": rng.standard_normal((2, 3))}


def test_penalty_counts_weights_only_in_layer_order():
    p = params()
    assert weight_keys(p) == ["W1", "W2", "W10"]
    expected = 0.7 / (2 * 5) * sum(np.sum(p[k] ** 2) for k in ("W1", "W2", "W10"))
    assert l2_penalty(p, 0.7, 5) == pytest.approx(expected, rel=1e-14)
    assert l2_penalty(p, 0.0, 5) == 0.0


def test_gradient_matches_central_differences():
    p = params()
    g = l2_penalty_backward(p, 0.7, 5)
    num = numerical_gradient(lambda q: l2_penalty(q, 0.7, 5), {k: p[k] for k in weight_keys(p)})
    for k in weight_keys(p):
        assert relative_difference(g["d" + k], num["d" + k]) < 1e-7
    assert set(g) == {"dW1", "dW2", "dW10"}


def test_errors():
    with pytest.raises(ValueError, match="lambd must be >= 0, got -1"):
        l2_penalty(params(), -1, 5)
    with pytest.raises(ValueError, match="m .* must be >= 1, got 0"):
        l2_penalty_backward(params(), 0.1, 0)
    with pytest.raises(ValueError, match="no weight matrix"):
        l2_penalty({"b1": np.zeros((1, 1))}, 0.1, 3)
