"""course_utils.data.synthetic: seeded 2-D data sets.

Seed convention (course_utils.rng.make_rng): an int seed is ``np.random.default_rng(seed)``; a
Generator is used as it is, so its stream continues. The scikit-learn data sets (two_circles,
moons) draw one int from a Generator (or fresh entropy for None) for scikit-learn.
"""

import numpy as np
import pytest

from course_utils.data import synthetic as syn

GENERATORS = [syn.planar_flower, syn.two_circles, syn.moons, syn.noisy_blobs]
OWN_RNG = [syn.planar_flower, syn.noisy_blobs]        # draw from make_rng(seed) directly
SKLEARN = [syn.two_circles, syn.moons]                 # pass an int seed to scikit-learn
ids = lambda f: f.__name__  # noqa: E731


@pytest.mark.parametrize("make", GENERATORS, ids=ids)
@pytest.mark.parametrize("m", [10, 64])
def test_shapes_dtypes_and_labels(make, m):
    X, Y = make(m=m, seed=0)
    assert X.shape == (2, m) and X.dtype == np.float64
    assert Y.shape == (1, m) and Y.dtype == np.int64
    assert set(np.unique(Y)) == {0, 1}
    assert np.all(np.isfinite(X))


@pytest.mark.parametrize("make", GENERATORS, ids=ids)
def test_default_sizes(make):
    expected = {"planar_flower": 400, "two_circles": 300, "moons": 300, "noisy_blobs": 200}[make.__name__]
    X, Y = make()
    assert X.shape == (2, expected) and Y.shape == (1, expected)


@pytest.mark.parametrize("make", GENERATORS, ids=ids)
def test_deterministic_per_seed_and_the_default_seed_is_1(make):
    X1, Y1 = make(seed=7)
    X2, Y2 = make(seed=7)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(Y1, Y2)
    Xd, Yd = make()
    X1, Y1 = make(seed=1)
    np.testing.assert_array_equal(Xd, X1)
    np.testing.assert_array_equal(Yd, Y1)


@pytest.mark.parametrize("make", GENERATORS, ids=ids)
def test_different_seeds_differ(make):
    Xa, _ = make(seed=1)
    Xb, _ = make(seed=2)
    assert not np.allclose(Xa, Xb)


@pytest.mark.parametrize("make", OWN_RNG, ids=ids)
def test_a_generator_is_the_same_stream_as_its_int_seed(make):
    g = np.random.default_rng(3)
    X, Y = make(seed=g)
    X3, Y3 = make(seed=3)
    np.testing.assert_array_equal(X, X3)
    np.testing.assert_array_equal(Y, Y3)
    Xn, _ = make(seed=g)  # the stream continues: the next call gives new data
    assert not np.allclose(Xn, X)


@pytest.mark.parametrize("make", SKLEARN, ids=ids)
def test_a_generator_gives_scikit_learn_one_int_from_its_stream(make):
    g = np.random.default_rng(3)
    X, Y = make(seed=g)
    k = int(np.random.default_rng(3).integers(2**31 - 1))
    Xk, Yk = make(seed=k)
    np.testing.assert_array_equal(X, Xk)
    np.testing.assert_array_equal(Y, Yk)
    Xn, _ = make(seed=g)
    assert not np.allclose(Xn, X)
    X_again, _ = make(seed=np.random.default_rng(3))  # same state, same data
    np.testing.assert_array_equal(X_again, X)


@pytest.mark.parametrize("make", OWN_RNG + SKLEARN, ids=ids)
def test_seed_none_is_fresh_entropy(make):
    Xa, _ = make(seed=None)
    Xb, _ = make(seed=None)
    assert not np.allclose(Xa, Xb)


# --- each data set's geometry ----------------------------------------------------------

def test_flower_classes_are_balanced_and_m_must_be_even():
    X, Y = syn.planar_flower(m=100, seed=0)
    assert np.sum(Y == 0) == np.sum(Y == 1) == 50
    np.testing.assert_array_equal(Y[0, :50], 0)
    with pytest.raises(ValueError, match="m must be even"):
        syn.planar_flower(m=101)


def test_flower_without_noise_lies_on_the_curve_and_ignores_the_seed():
    X, Y = syn.planar_flower(m=200, petals=3, noise=0.0, radius=2.5, seed=0)
    X2, _ = syn.planar_flower(m=200, petals=3, noise=0.0, radius=2.5, seed=99)
    np.testing.assert_array_equal(X, X2)
    r = np.hypot(X[0], X[1])
    t = np.arctan2(X[0], X[1])  # x = r sin t, y = r cos t
    np.testing.assert_allclose(r, np.abs(2.5 * np.sin(3 * t)), atol=1e-9)
    assert r.max() <= 2.5 + 1e-12


def test_circles_without_noise_are_two_rings():
    X, Y = syn.two_circles(m=100, noise=0.0, factor=0.3, seed=0)
    r = np.hypot(X[0], X[1])
    np.testing.assert_allclose(r[Y[0] == 0], 1.0)   # outer ring: class 0
    np.testing.assert_allclose(r[Y[0] == 1], 0.3)   # inner ring: class 1
    with pytest.raises(ValueError):
        syn.two_circles(factor=1.5)


def test_moons_without_noise_are_two_half_circles():
    X, Y = syn.moons(m=100, noise=0.0, seed=0)
    upper, lower = X[:, Y[0] == 0], X[:, Y[0] == 1]
    np.testing.assert_allclose(np.hypot(upper[0], upper[1]), 1.0)
    assert np.all(upper[1] >= -1e-12)
    np.testing.assert_allclose(np.hypot(lower[0] - 1, lower[1] - 0.5), 1.0)
    assert np.all(lower[1] <= 0.5 + 1e-12)
    with pytest.raises(ValueError):
        syn.moons(noise=-1.0)


def test_blobs_flip_the_requested_fraction_of_labels():
    X0, Y0 = syn.noisy_blobs(m=4000, flip=0.0, seed=5)
    np.testing.assert_array_equal(Y0[0], np.arange(4000) % 2)  # classes alternate
    np.testing.assert_allclose(X0[:, Y0[0] == 0].mean(axis=1), [-0.6, -0.3], atol=0.05)
    np.testing.assert_allclose(X0[:, Y0[0] == 1].mean(axis=1), [0.6, 0.3], atol=0.05)
    X1, Y1 = syn.noisy_blobs(m=4000, flip=0.1, seed=5)
    np.testing.assert_array_equal(X1, X0)  # the points are drawn before the flips
    assert np.mean(Y1 != Y0) == pytest.approx(0.1, abs=0.015)
    _, Y_all = syn.noisy_blobs(m=10, flip=1.0, seed=5)
    np.testing.assert_array_equal(Y_all[0], 1 - np.arange(10) % 2)
