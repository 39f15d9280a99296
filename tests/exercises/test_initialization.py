"""Unit tests of course_utils.exercises.initialization (Track 2, notebook 01)."""

import copy
import math

import numpy as np
import pytest

import course_utils.exercises.initialization as ini
from course_utils.nn.activations import relu, sigmoid
from course_utils.data.synthetic import two_circles
from course_utils.exercises.deep_step_by_step import L_model_backward, L_model_forward, compute_cost
from course_utils.nn.init import initialize_parameters_deep
from course_utils.gradcheck import numerical_gradient, relative_difference

DIMS = [[3, 4, 2, 1], [5, 1], [1, 1, 1], [2, 1, 3, 1], [4, 6, 6, 6, 2]]


def drawn_by_hand(dims, seed, factor):
    """An independent version: one generator, W1..WL in order, factor(n_prev) times standard normal."""
    rng = np.random.default_rng(seed)
    out = {}
    for l in range(1, len(dims)):
        out[f"W{l}"] = rng.standard_normal((dims[l], dims[l - 1])) * factor(dims[l - 1])
        out[f"b{l}"] = np.zeros((dims[l], 1))
    return out


def assert_same_params(a, b):
    assert list(a) == list(b)
    for k in a:
        assert a[k].shape == b[k].shape, k
        np.testing.assert_allclose(a[k], b[k], rtol=1e-12, atol=0)


@pytest.mark.parametrize("dims", DIMS)
def test_zeros(dims):
    p = ini.initialize_parameters_zeros(dims)
    assert list(p) == [f"{n}{l}" for l in range(1, len(dims)) for n in "Wb"]
    for l in range(1, len(dims)):
        assert p[f"W{l}"].shape == (dims[l], dims[l - 1]) and p[f"b{l}"].shape == (dims[l], 1)
        assert p[f"W{l}"].dtype == float and not p[f"W{l}"].any() and not p[f"b{l}"].any()


@pytest.mark.parametrize("dims", DIMS)
@pytest.mark.parametrize("seed", [3, 0, 7101])
@pytest.mark.parametrize("name, factor", [
    ("random", lambda n: 10.0),
    ("he", lambda n: math.sqrt(2.0 / n)),
    ("xavier", lambda n: math.sqrt(1.0 / n)),
])
def test_random_initialisers_match_an_independent_draw(dims, seed, name, factor):
    f = getattr(ini, f"initialize_parameters_{name}")
    assert_same_params(f(dims, seed=seed), drawn_by_hand(dims, seed, factor))


def test_default_seed_is_3_and_reuses_deep():
    dims = [4, 3, 2]
    assert_same_params(ini.initialize_parameters_random(dims), drawn_by_hand(dims, 3, lambda n: 10.0))
    assert_same_params(ini.initialize_parameters_he(dims), initialize_parameters_deep(dims, seed=3, scale="he"))
    assert_same_params(ini.initialize_parameters_xavier(dims), initialize_parameters_deep(dims, seed=3, scale="xavier"))


def test_variances_of_wide_layers():
    n = 400
    for name, var in [("random", 100.0), ("he", 2.0 / n), ("xavier", 1.0 / n)]:
        W = getattr(ini, f"initialize_parameters_{name}")([n, 500], seed=1)["W1"]
        assert W.var() == pytest.approx(var, rel=0.02)
        assert abs(W.mean()) < 4 * math.sqrt(var / W.size)


@pytest.mark.parametrize("bad", [[3], [], [3, 0, 1], [2, -1]])
def test_invalid_layers_dims(bad):
    for f in (ini.initialize_parameters_zeros, ini.initialize_parameters_random, ini.initialize_parameters_he,
              ini.initialize_parameters_xavier):
        with pytest.raises(ValueError, match="layers_dims"):
            f(bad)


def test_initialisers_do_not_mutate_layers_dims():
    for f in (ini.initialize_parameters_zeros, ini.initialize_parameters_random, ini.initialize_parameters_he,
              ini.initialize_parameters_xavier):
        dims = [3, 4, 1]
        f(dims)
        assert dims == [3, 4, 1]


def _problem(seed=0, m=7, dims=(3, 4, 3, 1), scale=0.7):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((dims[0], m))
    Y = (rng.random((1, m)) < 0.5).astype(float)
    params = initialize_parameters_deep(list(dims), seed=seed, scale=scale)
    for l in range(1, len(dims)):  # non-zero biases, so every gradient is exercised
        params[f"b{l}"] = 0.1 * rng.standard_normal((dims[l], 1))
    return X, Y, params


def test_training_survives_a_saturated_start():
    """The large random start saturates the sigmoid (AL exactly 0 or 1); the library's
    backward pass (dZL = AL - Y) still gives finite gradients, so model() can train from it."""
    X, Y, _ = _problem(seed=5)
    big = ini.initialize_parameters_random([3, 4, 3, 1], seed=0)
    AL, caches = L_model_forward(X * 10, big)
    assert np.any((AL == 1.0) | (AL == 0.0))
    g = L_model_backward(AL, Y, caches)
    assert all(np.isfinite(v).all() for v in g.values())
    params, costs = ini.model(X * 10, Y, "random", 0.01, 201, layers_dims=[3, 4, 3, 1], seed=0)
    assert all(np.isfinite(c) for c in costs) and all(np.isfinite(v).all() for v in params.values())


def test_model_from_zeros_never_breaks_symmetry():
    X, Y = two_circles(60, noise=0.05, factor=0.8, seed=3)
    Y = Y.copy()
    Y[0, :5] = 1  # unbalanced labels, so the output bias does move
    params, costs = ini.model(X, Y, "zeros", learning_rate=0.05, num_iterations=301)
    assert len(costs) == 4 and costs[0] == pytest.approx(math.log(2))
    W1 = params["W1"]
    assert np.all(W1 == W1[0]) and np.all(params["W2"] == params["W2"][0])
    AL, _ = L_model_forward(X, params)
    assert np.ptp(AL) == 0.0 and params["b3"][0, 0] != 0.0


def test_model_he_learns_and_random_starts_high():
    X, Y = two_circles(120, noise=0.05, factor=0.5, seed=4)
    params, costs = ini.model(X, Y, "he", learning_rate=0.05, num_iterations=2000)
    assert len(costs) == 20 and costs[-1] < 0.5 * costs[0]
    assert np.mean((L_model_forward(X, params)[0] > 0.5) == Y) > 0.9
    _, costs_random = ini.model(X, Y, "random", learning_rate=0.01, num_iterations=1)
    assert costs_random[0] > 5 and all(np.isfinite(costs_random))


def test_model_with_a_given_start_equals_the_named_start():
    X, Y = two_circles(40, seed=2)
    start = ini.initialize_parameters_he([2, 10, 5, 1], seed=4)
    before = copy.deepcopy(start)
    a = ini.model(X, Y, start, learning_rate=0.1, num_iterations=150)
    b = ini.model(X, Y, "he", learning_rate=0.1, num_iterations=150, seed=4)
    assert_same_params(a[0], b[0])
    assert a[1] == b[1]
    assert_same_params(start, before)  # not modified


def test_model_errors():
    X, Y = two_circles(20, seed=2)
    with pytest.raises(ValueError, match=r"\(2, 20\).*\(1, 19\)"):
        ini.model(X, Y[:, 1:], "he", num_iterations=1)
    with pytest.raises(ValueError, match="initialization"):
        ini.model(X, Y, "ones", num_iterations=1)
    with pytest.raises(ValueError, match=r"W1 must have shape \(n1, 2\)"):
        ini.model(X, Y, ini.initialize_parameters_he([3, 2, 1]), num_iterations=1)
    with pytest.raises(ValueError, match="layers_dims"):
        ini.model(X, Y, "he", layers_dims=[3, 4, 1], num_iterations=1)


def test_model_does_not_mutate_inputs():
    X, Y = two_circles(30, seed=5)
    X0, Y0 = X.copy(), Y.copy()
    ini.model(X, Y, "he", num_iterations=101)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(Y, Y0)


def test_signal_stds_matches_an_independent_loop():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((6, 9))
    dims = [6, 5, 4, 3]
    for activation, g, dg in [("relu", relu, lambda z: (z > 0).astype(float)),
                              ("tanh", np.tanh, lambda z: 1 - np.tanh(z) ** 2),
                              ("sigmoid", sigmoid, lambda z: sigmoid(z) * (1 - sigmoid(z)))]:
        out = ini.signal_stds(X, dims, activation, 0.8, seed=11)
        r = np.random.default_rng(11)
        Ws = [r.standard_normal((dims[l], dims[l - 1])) * 0.8 for l in range(1, 4)]
        A, Zs, a_stds = X, [], [X.std()]
        for W in Ws:
            Zs.append(W @ A)
            A = g(Zs[-1])
            a_stds.append(A.std())
        dA = r.standard_normal(A.shape)
        d_stds = [dA.std()]
        for W, Z in zip(reversed(Ws), reversed(Zs)):
            dA = W.T @ (dA * dg(Z))
            d_stds.append(dA.std())
        assert out["A"].shape == out["dA"].shape == (4,)
        np.testing.assert_allclose(out["A"], a_stds, rtol=1e-12)
        np.testing.assert_allclose(out["dA"], d_stds[::-1], rtol=1e-10)


def test_signal_stds_relu_growth_factor():
    """Var(z) = n Var(w) E[a^2] and ReLU halves E[a^2]: the std changes by scale * sqrt(n / 2) per layer."""
    n, L = 50, 20
    X = np.random.default_rng(0).standard_normal((n, 200))
    for scale in (0.01, 1.0):
        s = ini.signal_stds(X, [n] * (L + 1), "relu", scale)["A"]
        factor = (s[L] / s[1]) ** (1 / (L - 1))
        assert factor == pytest.approx(scale * math.sqrt(n / 2), rel=0.1)
    s = ini.signal_stds(X, [n] * (L + 1), "relu", "he")
    assert 0.2 < s["A"][L] < 5 and 0.2 < s["dA"][0] < 5


def test_signal_stds_errors_and_no_mutation():
    X = np.ones((4, 3))
    with pytest.raises(ValueError, match=r"\(5, m\).*\(4, 3\)"):
        ini.signal_stds(X, [5, 2], "relu", 1.0)
    with pytest.raises(ValueError, match="activation"):
        ini.signal_stds(X, [4, 2], "softplus", 1.0)
    X0 = X.copy()
    ini.signal_stds(X, [4, 2, 2], "tanh", "xavier")
    np.testing.assert_array_equal(X, X0)


def test_module_conventions():
    assert ini.__doc__ and set(ini.__all__) <= set(dir(ini))
    for name in ini.__all__:
        obj = getattr(ini, name)
        if callable(obj):
            assert obj.__doc__ and "Returns" in obj.__doc__, name


def test_no_public_function_mutates_its_inputs():
    X, Y, params = _problem(seed=9)
    AL, caches = L_model_forward(X, params)
    samples = {
        "initialize_parameters_zeros": ([3, 2, 1],),
        "initialize_parameters_random": ([3, 2, 1],),
        "initialize_parameters_he": ([3, 2, 1],),
        "initialize_parameters_xavier": ([3, 2, 1],),
        "model": (X, Y, params, 0.1, 101),
        "signal_stds": (X, [3, 4, 4], "relu", "he"),
    }
    assert {n for n in ini.__all__ if callable(getattr(ini, n))} == set(samples)
    from course_utils.grading.checks import compare
    for name, args in samples.items():
        before = copy.deepcopy(args)
        getattr(ini, name)(*args)
        compare(before, args, where=f"{name}'s arguments", rtol=0, atol=0)


def test_library_never_touches_numpy_global_state():
    np.random.seed(123)
    expected = np.random.random(3)
    np.random.seed(123)
    ini.initialize_parameters_random([3, 4, 1])
    ini.initialize_parameters_he([3, 4, 1])
    ini.signal_stds(np.ones((3, 2)), [3, 3], "tanh", 1.0)
    np.testing.assert_array_equal(np.random.random(3), expected)
