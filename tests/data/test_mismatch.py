"""course_utils.data.mismatch: the degraded "mobile" digits and their per-image tags."""

import numpy as np
import pytest
from scipy import ndimage

from course_utils.data.mismatch import DEGRADATIONS, MOBILE_SEED, degrade_digits, load_web_mobile_digits
from course_utils.data.store import load_digits_split


@pytest.fixture(scope="module")
def digits():
    train_x, train_digit, test_x, test_digit = load_digits_split()
    return train_x, train_digit, test_x, test_digit


def test_shapes_range_and_every_image_is_degraded(digits):
    images = digits[0][:200]
    out, applied = degrade_digits(images, seed=4)
    assert out.shape == (200, 8, 8) and out.dtype == np.float32
    assert applied.shape == (200, 3) and applied.dtype == bool
    assert out.min() >= 0.0 and out.max() <= 1.0
    assert applied.any(axis=1).all()
    assert DEGRADATIONS == ("noise", "blur", "rotation")
    assert not np.shares_memory(out, images)


def test_the_tags_say_exactly_what_was_done(digits):
    """An image tagged only "blur" is the blurred original; only "rotation", the rotated original;
    only "noise", the original plus noise; untagged steps leave no trace."""
    images = digits[0][:300].astype(float)
    out, applied = degrade_digits(images, seed=11, noise_std=0.25, blur_sigma=0.7, max_angle=20.0)
    only = {name: np.flatnonzero(applied[:, j] & (applied.sum(axis=1) == 1)) for j, name in enumerate(DEGRADATIONS)}
    assert all(idx.size >= 10 for idx in only.values()), {k: v.size for k, v in only.items()}
    for i in only["blur"]:
        np.testing.assert_allclose(out[i], np.clip(ndimage.gaussian_filter(images[i], 0.7), 0, 1), atol=1e-6)
    for i in only["noise"]:
        inside = (out[i] > 0) & (out[i] < 1)
        assert np.abs(out[i] - images[i])[inside].max() > 0.05   # the noise is there
    for i in only["rotation"][:3]:
        assert not np.allclose(out[i], images[i])
        # a rotation by the drawn angle, nothing else: some angle in [-20, 20] reproduces it
        errs = [np.abs(out[i] - np.clip(ndimage.rotate(images[i], a, reshape=False, order=1), 0, 1)).max()
                for a in np.linspace(-20, 20, 401)]
        assert min(errs) < 0.03


def test_p_zero_gives_exactly_one_degradation_and_p_one_all_three(digits):
    _, applied0 = degrade_digits(digits[0][:120], seed=1, p=0.0)
    np.testing.assert_array_equal(applied0.sum(axis=1), np.ones(120, dtype=int))
    assert set(np.flatnonzero(applied0.any(axis=0))) == {0, 1, 2}       # each kind is chosen sometimes
    _, applied1 = degrade_digits(digits[0][:50], seed=1, p=1.0)
    assert applied1.all()


def test_deterministic_per_seed_a_generator_continues_its_stream_and_seeds_differ(digits):
    images = digits[0][:64]
    a, ta = degrade_digits(images, seed=7)
    b, tb = degrade_digits(images, seed=np.random.default_rng(7))
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(ta, tb)
    c, tc = degrade_digits(images, seed=8)
    assert not np.array_equal(a, c) and not np.array_equal(ta, tc)


def test_noise_patterns_reuse_a_small_bank_of_noise_images(digits):
    """With noise_patterns=1 every noise-only image carries the same noise image (where not clipped)."""
    images = np.full((40, 8, 8), 0.5)
    out, applied = degrade_digits(images, seed=3, p=0.0, noise_std=0.1, noise_patterns=1)
    noisy = np.flatnonzero(applied[:, 0])
    assert noisy.size >= 5
    diffs = out[noisy] - 0.5
    np.testing.assert_allclose(diffs, np.broadcast_to(diffs[0], diffs.shape), atol=1e-6)
    fresh, applied_f = degrade_digits(images, seed=3, p=0.0, noise_std=0.1)
    noisy_f = np.flatnonzero(applied_f[:, 0])
    assert not np.allclose(fresh[noisy_f[0]], fresh[noisy_f[1]])


def test_the_input_is_not_modified(digits):
    images = digits[0][:20].copy()
    before = images.copy()
    degrade_digits(images, seed=0)
    np.testing.assert_array_equal(images, before)


@pytest.mark.parametrize("kwargs, message", [
    ({"p": 1.5}, r"p must be a probability in \[0, 1\], got 1.5"),
    ({"noise_std": -0.1}, "must be >= 0"),
    ({"noise_patterns": 0}, "noise_patterns must be None or a positive int, got 0"),
    ({"noise_patterns": 2.5}, "noise_patterns must be None or a positive int, got 2.5"),
])
def test_bad_arguments_raise(kwargs, message):
    with pytest.raises(ValueError, match=message):
        degrade_digits(np.zeros((2, 8, 8)), seed=0, **kwargs)


def test_a_flat_array_is_refused():
    with pytest.raises(ValueError, match=r"images must have shape \(n, h, w\), got \(64,\)"):
        degrade_digits(np.zeros(64), seed=0)


def test_web_is_the_stored_training_set_and_mobile_the_degraded_test_set(digits):
    train_x, train_digit, test_x, test_digit = digits
    d = load_web_mobile_digits()
    assert d["web_x"].shape == (1258, 8, 8) and d["mobile_x"].shape == (539, 8, 8)
    assert d["mobile_applied"].shape == (539, 3)
    np.testing.assert_array_equal(d["web_x"], train_x)
    np.testing.assert_array_equal(d["web_y"], train_digit.ravel())
    np.testing.assert_array_equal(d["mobile_y"], test_digit.ravel())
    expected, tags = degrade_digits(test_x, MOBILE_SEED)
    np.testing.assert_array_equal(d["mobile_x"], expected)
    np.testing.assert_array_equal(d["mobile_applied"], tags)
    assert MOBILE_SEED == 3000
