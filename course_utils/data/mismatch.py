"""Mismatched distributions: clean "web" digits and degraded "mobile" digits.

The lecture notes' cat app has 200,000 pictures from web pages and 10,000 from a mobile app, whose
pictures are blurrier, noisier and taken at an angle. Here the same situation is built from the
stored digits (:func:`course_utils.data.store.load_digits_split`): the **web** digits are the stored
training images as they are, and the **mobile** digits are the stored test images, degraded by
:func:`degrade_digits` (Gaussian noise, a Gaussian blur, a rotation, each from :mod:`scipy.ndimage`).

The degradation is made at run time, not stored: it is seeded, so the same seed gives the same
images and the same tags on every machine, and degrading all 1,797 digits takes well under a second.
:func:`degrade_digits` also says, per image, which degradations it applied (a boolean column per
entry of :data:`DEGRADATIONS`), so an error analysis can count mistakes by degradation.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from course_utils.data.store import load_digits_split
from course_utils.rng import make_rng

__all__ = ["DEGRADATIONS", "MOBILE_SEED", "degrade_digits", "load_web_mobile_digits"]

#: The degradations, in the order of the columns of the ``applied`` array.
DEGRADATIONS = ("noise", "blur", "rotation")

#: The seed of the mobile digits that :func:`load_web_mobile_digits` returns by default.
MOBILE_SEED = 3000


def degrade_digits(images, seed=None, *, p=0.5, noise_std=0.25, blur_sigma=0.7, max_angle=20.0,
                   noise_patterns=None):
    """Degrade grey images reproducibly, and say which degradations each image received.

    Each image receives each degradation of :data:`DEGRADATIONS` independently with probability
    ``p``; an image that drew none receives one, chosen uniformly, so every image is degraded. They
    are applied in the order rotation, blur, noise (as a camera would: a tilted digit, out of focus,
    then sensor noise), and the result is clipped to [0, 1].

    * rotation -- by an angle uniform in ``[-max_angle, max_angle]`` degrees about the centre
      (``scipy.ndimage.rotate``, bilinear, the image keeps its size, outside filled with 0);
    * blur -- a Gaussian filter of standard deviation ``blur_sigma`` pixels (``scipy.ndimage.gaussian_filter``);
    * noise -- Gaussian pixel noise of standard deviation ``noise_std``, drawn fresh per image, or,
      with ``noise_patterns=k``, one of ``k`` fixed noise images drawn once (a small synthetic
      subset, like the notes' one hour of car noise under ten thousand hours of speech).

    Arguments:
        images -- ``(n, h, w)`` grey images in [0, 1] (not modified).
        seed -- an int, None or a ``np.random.Generator`` (:func:`course_utils.rng.make_rng`).
        p -- the probability of each degradation, in [0, 1].
        noise_std, blur_sigma, max_angle -- the strength of each degradation (non-negative).
        noise_patterns -- None (fresh noise per image) or a positive int, the number of fixed noise images.
    Returns:
        ``(degraded, applied)``: ``degraded`` ``(n, h, w)`` float32 in [0, 1]; ``applied`` ``(n, 3)``
        bool, ``applied[i, j]`` True when image i received ``DEGRADATIONS[j]``. Every row has at least
        one True.
    Raises: ValueError if images is not a stack of 2-D images, p is outside [0, 1], a strength is
        negative or noise_patterns is not a positive int.
    """
    images = np.asarray(images, dtype=float)
    if images.ndim != 3:
        raise ValueError(f"images must have shape (n, h, w), got {images.shape}")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"p must be a probability in [0, 1], got {p}")
    if min(noise_std, blur_sigma, max_angle) < 0:
        raise ValueError(f"noise_std, blur_sigma and max_angle must be >= 0, got {noise_std}, {blur_sigma}, {max_angle}")
    if noise_patterns is not None and (int(noise_patterns) != noise_patterns or noise_patterns < 1):
        raise ValueError(f"noise_patterns must be None or a positive int, got {noise_patterns!r}")
    rng = make_rng(seed)
    n = images.shape[0]
    applied = rng.random((n, len(DEGRADATIONS))) < p
    none = ~applied.any(axis=1)
    applied[np.flatnonzero(none), rng.integers(0, len(DEGRADATIONS), size=int(none.sum()))] = True
    angles = rng.uniform(-max_angle, max_angle, size=n)
    if noise_patterns is None:
        noise = rng.standard_normal(images.shape) * noise_std
    else:
        bank = rng.standard_normal((int(noise_patterns),) + images.shape[1:]) * noise_std
        noise = bank[rng.integers(0, int(noise_patterns), size=n)]
    out = images.copy()
    noise_on, blur_on, rotation_on = applied.T
    for i in np.flatnonzero(rotation_on):
        out[i] = ndimage.rotate(out[i], angles[i], reshape=False, order=1, mode="constant", cval=0.0)
    for i in np.flatnonzero(blur_on):
        out[i] = ndimage.gaussian_filter(out[i], blur_sigma)
    out[noise_on] += noise[noise_on]
    return np.clip(out, 0.0, 1.0).astype(np.float32), applied


def load_web_mobile_digits(seed=MOBILE_SEED, data_dir=None):
    """The web and mobile digits of the lecture notes' app example, with the mobile tags.

    Web: the 1,258 stored training digits, clean. Mobile: the 539 stored test digits, degraded by
    ``degrade_digits(test_x, seed)`` with its default strengths. The two sets hold different
    handwriting samples, as the notes' web and app pictures do.

    Arguments: seed -- the degradation's seed (an int or a Generator); data_dir -- see
        :func:`course_utils.data.store.load_arrays`.
    Returns: a dict ``{"web_x": (1258, 8, 8), "web_y": (1258,), "mobile_x": (539, 8, 8),
        "mobile_y": (539,), "mobile_applied": (539, 3) bool}``: images float32 in [0, 1], labels the
        int digits 0-9, the tags as :func:`degrade_digits` returns them.
    Raises: DataError (from the store) if the digits file is missing or fails its checksum.
    """
    train_x, train_digit, test_x, test_digit = load_digits_split(data_dir)
    mobile_x, applied = degrade_digits(test_x, seed)
    return {"web_x": np.asarray(train_x, dtype=np.float32), "web_y": np.asarray(train_digit).ravel(),
            "mobile_x": mobile_x, "mobile_y": np.asarray(test_digit).ravel(), "mobile_applied": applied}
