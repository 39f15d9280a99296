"""course_utils.data.splits: split sizes by data size, seeded shuffles, the training-dev set."""

import numpy as np
import pytest

from course_utils.data.splits import DEV_TEST_CAP, make_training_dev_split, shuffled_split, split_sizes


@pytest.mark.parametrize("m, expected", [
    (100, (60, 20, 20)),                        # the notes: 60/20/20 for 100 - 10,000 examples
    (10_000, (6_000, 2_000, 2_000)),
    (1_000_000, (980_000, 10_000, 10_000)),     # the notes: 10,000 dev and test are enough: 98/1/1
    (50_000, (30_000, 10_000, 10_000)),         # where the cap starts to bite
    (50_005, (30_005, 10_000, 10_000)),
    (7, (5, 1, 1)),
    (4, (4, 0, 0)),
    (0, (0, 0, 0)),
])
def test_split_sizes(m, expected):
    assert split_sizes(m) == expected
    assert DEV_TEST_CAP == 10_000


def test_split_sizes_with_another_cap():
    assert split_sizes(1_000, cap=50) == (900, 50, 50)


@pytest.mark.parametrize("m", [-1, 2.5, True, "10"])
def test_split_sizes_refuses_what_is_not_a_count(m):
    with pytest.raises(ValueError, match="m must be an int >= 0"):
        split_sizes(m)


def _data(m):
    X = np.arange(3 * m, dtype=float).reshape(3, m)
    return X, X[:1].astype(int) * 10


def test_shuffled_split_is_one_permutation_cut_in_order():
    X, Y = _data(10)
    (X1, Y1), (X2, Y2), perm = shuffled_split(X, Y, [4, 3], seed=5)
    expected = np.random.default_rng(5).permutation(10)
    np.testing.assert_array_equal(perm, expected)
    np.testing.assert_array_equal(X1, X[:, expected[:4]])
    np.testing.assert_array_equal(Y2, Y[:, expected[4:7]])
    assert X2.shape == (3, 3)


def test_shuffled_split_refuses_sizes_beyond_the_data():
    X, Y = _data(5)
    with pytest.raises(ValueError, match=r"the sizes \[3, 3\] add up to 6, more than the 5 examples"):
        shuffled_split(X, Y, [3, 3], seed=0)
    with pytest.raises(ValueError, match=r"X and Y must be \(n_x, m\) and \(n_y, m\)"):
        shuffled_split(X, Y[:, :4], [1], seed=0)


def test_training_dev_split_is_the_first_columns_of_the_permutation():
    X, Y = _data(12)
    X_tr, Y_tr, X_td, Y_td = make_training_dev_split(X, Y, 5, seed=3)
    perm = np.random.default_rng(3).permutation(12)
    np.testing.assert_array_equal(X_td, X[:, perm[:5]])
    np.testing.assert_array_equal(X_tr, X[:, perm[5:]])
    np.testing.assert_array_equal(Y_tr, Y[:, perm[5:]])
    assert X_tr.shape == (3, 7) and Y_td.shape == (1, 5)
    # a Generator continues its stream: the same as its int seed the first time
    again = make_training_dev_split(X, Y, 5, seed=np.random.default_rng(3))
    np.testing.assert_array_equal(again[2], X_td)


def test_training_dev_split_edges():
    X, Y = _data(4)
    X_tr, _, X_td, _ = make_training_dev_split(X, Y, 0, seed=1)
    assert X_td.shape == (3, 0) and X_tr.shape == (3, 4)
    X_tr, _, X_td, _ = make_training_dev_split(X, Y, 4, seed=1)
    assert X_tr.shape == (3, 0) and X_td.shape == (3, 4)
    with pytest.raises(ValueError, match="train_dev_size is 5, more than the 4 training examples"):
        make_training_dev_split(X, Y, 5, seed=1)
