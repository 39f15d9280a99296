"""course_utils.rng.make_rng: the one way library code gets randomness."""

import numpy as np
import pytest

from course_utils.rng import make_rng


def test_an_int_seed_gives_numpy_default_rng_of_that_seed():
    r = make_rng(7)
    assert isinstance(r, np.random.Generator)
    assert isinstance(r.bit_generator, np.random.PCG64)
    np.testing.assert_array_equal(r.random(5), np.random.default_rng(7).random(5))


def test_the_same_seed_repeats_and_different_seeds_differ():
    np.testing.assert_array_equal(make_rng(3).standard_normal(8), make_rng(3).standard_normal(8))
    assert not np.array_equal(make_rng(3).standard_normal(8), make_rng(4).standard_normal(8))


def test_a_generator_is_returned_as_it_is_so_its_stream_continues():
    g = np.random.default_rng(5)
    assert make_rng(g) is g
    first = make_rng(g).random(3)
    second = make_rng(g).random(3)  # continues the stream, does not restart it
    expected = np.random.default_rng(5).random(6)
    np.testing.assert_array_equal(np.concatenate([first, second]), expected)


def test_none_gives_fresh_entropy():
    a, b = make_rng(None), make_rng()
    assert isinstance(a, np.random.Generator) and a is not b
    assert not np.array_equal(a.random(4), b.random(4))


def test_a_sequence_of_ints_is_a_seed():
    np.testing.assert_array_equal(make_rng([1, 2]).random(3), np.random.default_rng([1, 2]).random(3))


def test_bad_seeds_raise_as_documented():
    with pytest.raises(ValueError):
        make_rng(-1)
    with pytest.raises(TypeError):
        make_rng(1.5)
    with pytest.raises(TypeError):
        make_rng("seed")


def test_make_rng_leaves_numpy_global_state_alone():
    np.random.seed(99)
    expected = np.random.random(3)
    np.random.seed(99)
    make_rng(1).random(10)
    make_rng(None).random(10)
    np.testing.assert_array_equal(np.random.random(3), expected)
