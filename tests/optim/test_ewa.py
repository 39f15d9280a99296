"""Unit tests of course_utils/ewa.py (exponentially weighted averages, Track 2 notebook 05)."""

import math

import numpy as np
import pytest

import course_utils.optim.ewa as E

rng = np.random.default_rng(20505)
BETAS = [0.0, 0.5, 0.9, 0.98, 0.999]


def loop_ewa(theta, beta):
    """Independent plain-Python version of the recursion, v_0 = 0."""
    out, v = [], 0.0
    for x in theta:
        v = beta * v + (1 - beta) * float(x)
        out.append(v)
    return np.array(out)


def unrolled_ewa(theta, beta):
    """v_t = sum_{k=0}^{t-1} (1 - beta) beta^k theta_{t-k}, as a lower-triangular matrix product."""
    T = len(theta)
    t, s = np.meshgrid(np.arange(T), np.arange(T), indexing="ij")
    W = np.where(s <= t, (1 - beta) * beta ** np.clip(t - s, 0, None), 0.0)
    return W @ np.asarray(theta, dtype=float)


@pytest.mark.parametrize("beta", BETAS)
def test_recursion_matches_loop_and_unrolled_sum(beta):
    theta = 10 + 5 * rng.standard_normal(57)
    v = E.ewa(theta, beta)
    assert v.shape == (57,) and v.dtype == np.float64
    np.testing.assert_allclose(v, loop_ewa(theta, beta), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(v, unrolled_ewa(theta, beta), rtol=1e-10, atol=1e-12)


def test_lecture_numbers():
    # v_1, v_2, v_3 for theta = 40, 49, 45 degrees F and beta = 0.9
    np.testing.assert_allclose(E.ewa(np.array([40, 49, 45]), 0.9), [4.0, 8.5, 12.15])
    # bias correction at t = 2, beta = 0.98: 1 - 0.98^2 = 0.0396, v_2 = 0.0196 theta_1 + 0.02 theta_2
    th1, th2 = 12.8, 10.6
    v = E.ewa(np.array([th1, th2]), 0.98)
    assert math.isclose(v[1], 0.0196 * th1 + 0.02 * th2, rel_tol=1e-12)
    vc = E.ewa_bias_corrected(np.array([th1, th2]), 0.98)
    assert math.isclose(1 - 0.98 ** 2, 0.0396, rel_tol=1e-12)
    assert math.isclose(vc[1], (0.0196 * th1 + 0.02 * th2) / 0.0396, rel_tol=1e-12)


def test_beta_zero_returns_theta():
    theta = rng.standard_normal(9)
    np.testing.assert_allclose(E.ewa(theta, 0.0), theta)
    np.testing.assert_allclose(E.ewa_bias_corrected(theta, 0.0), theta)


@pytest.mark.parametrize("beta", BETAS)
def test_bias_correction_at_t1_returns_theta1(beta):
    theta = np.array([7.25, -3.0, 4.0])
    assert math.isclose(E.ewa_bias_corrected(theta, beta)[0], 7.25, rel_tol=1e-12)
    assert math.isclose(E.ewa_bias_corrected(theta[:1], beta)[0], 7.25, rel_tol=1e-12)


@pytest.mark.parametrize("beta", BETAS)
def test_step_response_and_constant_series(beta):
    T = 200
    # ewa of ones is the sum of the weights, 1 - beta^t (closed form)
    np.testing.assert_allclose(E.ewa(np.ones(T), beta), 1 - beta ** np.arange(1, T + 1), rtol=1e-12, atol=1e-14)
    # after bias correction a constant series is constant (up to rounding)
    np.testing.assert_allclose(E.ewa_bias_corrected(np.full(T, 7.0), beta), 7.0, rtol=1e-12)


def test_bias_correction_formula_and_fading():
    theta = 15 + 4 * rng.standard_normal(400)
    beta = 0.95
    t = np.arange(1, 401)
    np.testing.assert_allclose(E.ewa_bias_corrected(theta, beta), loop_ewa(theta, beta) / (1 - beta ** t), rtol=1e-12)
    # corrected = weighted average with weights that sum to 1: stays within [min, max] of the data so far
    vc = E.ewa_bias_corrected(theta, beta)
    assert np.all(vc <= np.maximum.accumulate(theta) + 1e-9) and np.all(vc >= np.minimum.accumulate(theta) - 1e-9)
    # the correction fades: after many steps the two agree
    assert abs(vc[-1] - E.ewa(theta, beta)[-1]) < 1e-6


def test_linearity():
    a, b = rng.standard_normal(30), rng.standard_normal(30)
    np.testing.assert_allclose(E.ewa(2 * a - 3 * b, 0.8), 2 * E.ewa(a, 0.8) - 3 * E.ewa(b, 0.8), atol=1e-12)


def test_weights():
    w = E.ewa_weights(0.9, 51)
    assert w.shape == (51,)
    np.testing.assert_allclose(w[:5], [0.1, 0.09, 0.081, 0.0729, 0.06561])
    np.testing.assert_allclose(w, 0.1 * 0.9 ** np.arange(51))
    assert math.isclose(w.sum(), 1 - 0.9 ** 51, rel_tol=1e-12)
    assert round(0.9 ** 10, 3) == 0.349 and abs(0.9 ** 10 - 1 / math.e) < 0.02
    # the weights reproduce the recursion (v_0 = 0 contributes nothing)
    theta = rng.standard_normal(100)
    assert math.isclose(E.ewa(theta, 0.9)[-1], float(E.ewa_weights(0.9, 100) @ theta[::-1]), rel_tol=1e-10)
    assert E.ewa_weights(0.5, 0).shape == (0,)


@pytest.mark.parametrize("beta, window", [(0.5, 2.0), (0.9, 10.0), (0.98, 50.0), (0.0, 1.0)])
def test_effective_window(beta, window):
    assert math.isclose(E.effective_window(beta), window, rel_tol=1e-9)


@pytest.mark.parametrize("beta", [0.9, 0.98, 0.999])
def test_window_is_where_weights_drop_to_one_over_e(beta):
    n = E.effective_window(beta)
    assert abs(beta ** n - 1 / math.e) < 0.02


def test_edge_shapes_and_input_types():
    assert E.ewa(np.array([3.0]), 0.9).shape == (1,)
    assert E.ewa(np.array([]), 0.9).shape == (0,)
    assert E.ewa_bias_corrected(np.array([]), 0.9).shape == (0,)
    v = E.ewa([40, 49, 45], 0.9)          # a list of ints works and gives floats
    assert isinstance(v, np.ndarray) and v.dtype == np.float64
    v32 = E.ewa(np.array([1.5, 2.5], dtype=np.float32), 0.5)
    np.testing.assert_allclose(v32, [0.75, 1.625])


@pytest.mark.parametrize("fn", [E.ewa, E.ewa_bias_corrected])
def test_input_checks(fn):
    with pytest.raises(ValueError, match=r"\(T,\).*\(3, 4\)"):
        fn(np.zeros((3, 4)), 0.9)
    with pytest.raises(ValueError, match="shape"):
        fn(np.float64(2.0), 0.9)
    for bad in (1.0, 1.5, -0.1):
        with pytest.raises(ValueError, match="beta"):
            fn(np.zeros(5), bad)


@pytest.mark.parametrize("fn", [E.ewa, E.ewa_bias_corrected])
@pytest.mark.parametrize("beta", [0.0, 0.9])
def test_no_mutation_and_new_array(fn, beta):
    theta = rng.standard_normal(20)
    before = theta.copy()
    out = fn(theta, beta)
    np.testing.assert_array_equal(theta, before)
    assert not np.shares_memory(out, theta)
    out[:] = 0.0                          # writing into the result leaves the input alone
    np.testing.assert_array_equal(theta, before)


def test_scalar_functions_do_not_mutate_and_return_fresh_arrays():
    w1 = E.ewa_weights(0.9, 5)
    w1[:] = 0
    np.testing.assert_allclose(E.ewa_weights(0.9, 5), 0.1 * 0.9 ** np.arange(5))
    beta = np.float64(0.9)
    E.effective_window(beta)
    assert beta == 0.9
