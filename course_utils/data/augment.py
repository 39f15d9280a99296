"""Data augmentation for images: small shifts and rotations, seeded.

A digit moved by a pixel or turned by a few degrees is still the same digit, so such copies are new,
correctly labelled training examples; a digit mirrored left to right often is not (a mirrored 2, 3, 4,
7 or 9 is no digit at all), which is why these functions do not mirror. Each image is moved and turned
in one resampling (:func:`scipy.ndimage.affine_transform`, bilinear, the image keeps its size, what
comes in from outside is 0, the digits' background).

Images are example-first, ``(m, n_H, n_W)`` or ``(m, n_H, n_W, n_C)`` (every channel moves alike); the
result has the input's shape and floating dtype. Random draws come from their own seeded generator
(:func:`course_utils.rng.make_rng`), never numpy's global state. Source of the idea: P. Simard,
D. Steinkraus and J. Platt (2003), "Best Practices for Convolutional Neural Networks Applied to Visual
Document Analysis", ICDAR (distorted copies of the training digits).
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from course_utils.rng import make_rng

__all__ = ["shift_rotate", "random_shift_rotate", "augment"]


def _images(X, where):
    X = np.asarray(X)
    if X.ndim not in (3, 4) or X.shape[0] < 1 or 0 in X.shape:
        raise ValueError(f"{where}: X must be images (m, n_H, n_W) or (m, n_H, n_W, n_C) with m >= 1, got {X.shape}")
    return X.astype(np.result_type(X.dtype, np.float32), copy=False)


def shift_rotate(X, shifts, angles):
    """Move and turn every image: image i by ``shifts[i]`` pixels and ``angles[i]`` degrees.

    Arguments:
        X -- images ``(m, n_H, n_W)`` or ``(m, n_H, n_W, n_C)``.
        shifts -- ``(m, 2)``: rows down and columns right (fractions allowed: bilinear interpolation).
        angles -- ``(m,)`` degrees, counter-clockwise as the image is shown (row 0 at the top), about
            the image's centre.
    Returns: the moved images, X's shape, its floating dtype (float32 stays float32). The rotation is
        applied first, then the shift; pixels that come from outside the image are 0. A whole-pixel
        shift with angle 0 moves pixels exactly; a quarter turn of a square image is ``np.rot90``.
    Raises: ValueError if X is not a batch of images, or shifts and angles do not have the shapes
        ``(m, 2)`` and ``(m,)``, or hold a value that is not finite.
    """
    where = "shift_rotate"
    X = _images(X, where)
    m, n_H, n_W = X.shape[:3]
    shifts, angles = np.asarray(shifts, dtype=float), np.asarray(angles, dtype=float)
    if shifts.shape != (m, 2) or angles.shape != (m,):
        raise ValueError(f"{where}: shifts must be ({m}, 2) and angles ({m},) for {m} images; got {shifts.shape} "
                         f"and {angles.shape}")
    if not (np.isfinite(shifts).all() and np.isfinite(angles).all()):
        raise ValueError(f"{where}: shifts and angles must be finite numbers")
    centre = np.array([(n_H - 1) / 2, (n_W - 1) / 2])
    out = np.empty_like(X)
    planes = X.reshape(m, n_H, n_W, -1)
    out_planes = out.reshape(m, n_H, n_W, -1)
    for i in range(m):
        a = np.deg2rad(angles[i])
        # output pixel o comes from input pixel R (o - centre - shift) + centre: R turns back by the angle
        # (rows point down, so this R, written in (row, column), is a clockwise turn as shown)
        R = np.array([[np.cos(a), np.sin(a)], [-np.sin(a), np.cos(a)]])
        offset = centre - R @ (centre + shifts[i])
        for c in range(planes.shape[3]):
            ndimage.affine_transform(planes[i, :, :, c], R, offset=offset, output=out_planes[i, :, :, c], order=1,
                                     mode="constant", cval=0.0)
    return out


def random_shift_rotate(X, max_shift=1.0, max_angle=10.0, seed=None):
    """Every image moved and turned by a small random amount (:func:`shift_rotate`).

    Arguments:
        X -- images ``(m, n_H, n_W)`` or ``(m, n_H, n_W, n_C)``.
        max_shift -- the largest move in pixels: rows and columns each draw uniformly in
            ``[-max_shift, max_shift]``.
        max_angle -- the largest turn in degrees: each angle is uniform in ``[-max_angle, max_angle]``.
        seed -- int, None or ``np.random.Generator``; drawn in order: shifts ``(m, 2)``, then angles ``(m,)``.
    Returns: the moved images, as :func:`shift_rotate`.
    Raises: ValueError for images as :func:`shift_rotate`, or a negative or non-finite max_shift or max_angle.
    """
    X = _images(X, "random_shift_rotate")
    for name, value in (("max_shift", max_shift), ("max_angle", max_angle)):
        if isinstance(value, bool) or not np.isfinite(value) or value < 0:
            raise ValueError(f"random_shift_rotate: {name} must be a finite number >= 0, got {value!r}")
    rng = make_rng(seed)
    m = X.shape[0]
    shifts = rng.uniform(-max_shift, max_shift, size=(m, 2))
    angles = rng.uniform(-max_angle, max_angle, size=m)
    return shift_rotate(X, shifts, angles)


def augment(X, labels, copies=1, max_shift=1.0, max_angle=10.0, seed=None):
    """The training set and ``copies`` moved and turned copies of it, labels repeated.

    Arguments:
        X -- images ``(m, ...)`` as :func:`shift_rotate` takes them.
        labels -- ``(m,)`` or ``(1, m)`` (the layout is kept: ``(1, m)`` gives ``(1, m (copies + 1))``).
        copies -- how many random copies of every image to add, an integer >= 0.
        max_shift, max_angle -- as :func:`random_shift_rotate`.
        seed -- int, None or ``np.random.Generator``: copy k (from 0) is
            ``random_shift_rotate(X, ..., seed=rng)`` with the one generator ``make_rng(seed)``, in order.
    Returns: ``(X_all, labels_all)``: the originals first, then copy 0, copy 1, ...; so example
        ``j + k m`` is image j again (copy k - 1 for k >= 1).
    Raises: ValueError if labels do not hold one label per image, copies is not an integer >= 0, or as
        :func:`random_shift_rotate`.
    """
    X = _images(X, "augment")
    labels = np.asarray(labels)
    m = X.shape[0]
    if not ((labels.ndim == 1 and labels.shape[0] == m) or labels.shape == (1, m)):
        raise ValueError(f"augment: labels must be ({m},) or (1, {m}) for {m} images, got {labels.shape}")
    if isinstance(copies, bool) or not isinstance(copies, (int, np.integer)) or copies < 0:
        raise ValueError(f"augment: copies must be an integer >= 0, got {copies!r}")
    rng = make_rng(seed)
    parts = [X] + [random_shift_rotate(X, max_shift, max_angle, seed=rng) for _ in range(copies)]
    return np.concatenate(parts, axis=0), np.concatenate([labels] * (copies + 1), axis=labels.ndim - 1)
