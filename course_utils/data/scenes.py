"""Generated scenes with exact labels, for detection and segmentation (Track 4, notebooks 05 and 06).

Each scene is a small colour picture: a textured background (two colours blended by a smooth random
field, plus pixel grain) with one or more solid shapes of three classes drawn on it. Because the
generator draws the shapes, every label is exact: each object's bounding box is the tight box of its
own pixels, and the mask gives every pixel's class. The generator is seeded, so one seed always gives
the same scenes.

Conventions used by the detection and segmentation code:

- images are ``(m, n_H, n_W, 3)`` float32 in [0, 1] (the course's channels-last layout);
- a box is ``(x1, y1, x2, y2)`` in pixels, ``x`` the column and ``y`` the row, with ``x2`` and ``y2``
  exclusive: the box covers the pixels ``x1 <= column < x2`` and ``y1 <= row < y2``;
- object classes are ``0, 1, 2`` for :data:`CLASSES` (the notes' c_1, c_2, c_3); in a mask, 0 is the
  background and ``1 + class`` an object's pixels (a later object covers an earlier one where they meet).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from course_utils.metrics.detection import iou_matrix

__all__ = ["CLASSES", "Scenes", "make_scenes"]

#: The three object classes, in label order.
CLASSES = ("circle", "square", "triangle")


class Scenes(NamedTuple):
    """A batch of generated scenes (see the module docstring for the conventions).

    images -- ``(m, n_H, n_W, 3)`` float32 in [0, 1]
    masks  -- ``(m, n_H, n_W)`` int64, 0 = background, ``1 + class`` = an object's pixel
    boxes  -- list of m float64 arrays ``(k_i, 4)``: each object's ``(x1, y1, x2, y2)``
    labels -- list of m int64 arrays ``(k_i,)``: each object's class, 0 to 2
    """

    images: np.ndarray
    masks: np.ndarray
    boxes: list
    labels: list


def _background(rng, n_H, n_W):
    """Two colours blended by a smooth random field (three low-frequency waves), plus grain."""
    rows, cols = np.mgrid[0:n_H, 0:n_W] / max(n_H, n_W)
    field = np.zeros((n_H, n_W))
    for _ in range(3):
        fy, fx = rng.uniform(0.5, 3.0, size=2) * rng.choice([-1, 1], size=2)
        field += np.cos(2 * np.pi * (fy * rows + fx * cols) + rng.uniform(0, 2 * np.pi))
    field = (field - field.min()) / max(field.max() - field.min(), 1e-9)
    c0, c1 = rng.uniform(0.15, 0.85, size=(2, 3))
    img = c0 * (1 - field[..., None]) + c1 * field[..., None]
    return np.clip(img + rng.normal(0.0, 0.04, size=img.shape), 0.0, 1.0), (c0 + c1) / 2


def _shape_mask(kind, size, n_H, n_W, top, left):
    """Boolean ``(n_H, n_W)`` mask of one shape whose bounding square is ``size`` pixels at (top, left)."""
    rows, cols = np.mgrid[0:n_H, 0:n_W] + 0.5
    y, x = rows - top, cols - left            # pixel centres relative to the shape's square
    inside = (y >= 0) & (y < size) & (x >= 0) & (x < size)
    if kind == 0:                             # circle inscribed in the square
        r = size / 2
        return inside & ((y - r) ** 2 + (x - r) ** 2 <= r * r)
    if kind == 1:                             # square, a little inset so that it is not the circle's box
        return inside & (y >= 1) & (y < size - 1) & (x >= 1) & (x < size - 1)
    # triangle pointing up: apex at the top centre, base along the bottom
    half_width = (size / 2) * (y / size)
    return inside & (np.abs(x - size / 2) <= half_width + 0.5)


def make_scenes(m, size=(32, 32), objects=(1, 3), object_size=(8, 14), max_iou=0.2, seed=None):
    """Generate ``m`` scenes of shapes on textured backgrounds, with exact boxes and masks.

    Arguments:
        m -- number of scenes (>= 1)
        size -- ``(n_H, n_W)`` of each picture, in pixels (each >= 8)
        objects -- ``(low, high)``: each scene holds between low and high objects (inclusive, 0 <= low <= high)
        object_size -- ``(low, high)``: side of each shape's bounding square, in pixels (inclusive; at least 4
            and at most the picture's smaller side)
        max_iou -- largest IoU allowed between two objects' squares of one scene (placements that overlap more
            are drawn again; 0 keeps objects apart)
        seed -- seed of ``numpy.random.default_rng``; the same seed gives the same scenes
    Returns: :class:`Scenes` ``(images (m, n_H, n_W, 3) float32, masks (m, n_H, n_W) int64, boxes, labels)``;
        an object's box is the tight box of its own pixels, even where a later object covers part of it.
    Raises: ValueError for m < 1, a picture smaller than 8 pixels, an empty or negative object range, or an object
        size that does not fit; RuntimeError if the objects cannot be placed within ``max_iou`` (too many or too
        large objects for the picture).
    """
    n_H, n_W = (int(size), int(size)) if np.isscalar(size) else (int(size[0]), int(size[1]))
    lo_k, hi_k = int(objects[0]), int(objects[1])
    lo_s, hi_s = int(object_size[0]), int(object_size[1])
    if int(m) < 1:
        raise ValueError(f"make_scenes: m must be at least 1, got {m}")
    if n_H < 8 or n_W < 8:
        raise ValueError(f"make_scenes: pictures must be at least 8 x 8 pixels, got {n_H} x {n_W}")
    if not 0 <= lo_k <= hi_k:
        raise ValueError(f"make_scenes: objects must be (low, high) with 0 <= low <= high, got {objects}")
    if not 4 <= lo_s <= hi_s <= min(n_H, n_W):
        raise ValueError(f"make_scenes: object_size must be (low, high) with 4 <= low <= high <= {min(n_H, n_W)}, "
                         f"got {object_size}")
    rng = np.random.default_rng(seed)
    images = np.empty((int(m), n_H, n_W, 3), dtype=np.float32)
    masks = np.zeros((int(m), n_H, n_W), dtype=np.int64)
    boxes, labels = [], []
    for i in range(int(m)):
        img, mean_colour = _background(rng, n_H, n_W)
        squares, kinds, pixels = [], [], []
        for _ in range(rng.integers(lo_k, hi_k + 1)):
            for _attempt in range(200):
                s = int(rng.integers(lo_s, hi_s + 1))
                top, left = int(rng.integers(0, n_H - s + 1)), int(rng.integers(0, n_W - s + 1))
                square = np.array([[left, top, left + s, top + s]], dtype=np.float64)
                if not squares or iou_matrix(square, np.array(squares)).max() <= max_iou:
                    break
            else:
                raise RuntimeError(f"make_scenes: could not place {hi_k} objects of up to {hi_s} pixels in a "
                                   f"{n_H} x {n_W} picture with IoU <= {max_iou}; ask for fewer or smaller objects")
            kind = int(rng.integers(0, len(CLASSES)))
            shape = _shape_mask(kind, s, n_H, n_W, top, left)
            while True:                       # a colour that stands out from the background
                colour = rng.uniform(0.0, 1.0, size=3)
                if np.linalg.norm(colour - mean_colour) > 0.45:
                    break
            img[shape] = np.clip(colour + rng.normal(0.0, 0.02, size=(int(shape.sum()), 3)), 0.0, 1.0)
            masks[i][shape] = 1 + kind
            squares.append(square[0])
            kinds.append(kind)
            pixels.append(shape)
        images[i] = img
        box_rows = []
        for shape in pixels:
            ys, xs = np.nonzero(shape)
            box_rows.append([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1])
        boxes.append(np.array(box_rows, dtype=np.float64).reshape(-1, 4))
        labels.append(np.array(kinds, dtype=np.int64))
    return Scenes(images, masks, boxes, labels)
