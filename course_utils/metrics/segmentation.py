"""Segmentation metrics: intersection over union per class of pixel masks (Track 4, notebook 06).

A mask gives every pixel a class, ``0 .. n_classes - 1`` (in :mod:`course_utils.data.scenes` 0 is the
background and ``1 + c`` an object of class c). The IoU of class k compares the set of pixels the true
mask gives k with the set the predicted mask gives k, over all pixels of all images at once (the measure of
the PASCAL VOC segmentation challenge: M. Everingham, L. Van Gool, C. K. I. Williams, J. Winn and
A. Zisserman (2010), "The PASCAL Visual Object Classes (VOC) Challenge", IJCV 88, pp. 303-338).
"""

from __future__ import annotations

import numpy as np

__all__ = ["per_class_iou", "mean_iou"]


def _masks(mask_true, mask_pred, n_classes, where):
    if isinstance(n_classes, bool) or not isinstance(n_classes, (int, np.integer)) or n_classes < 1:
        raise ValueError(f"{where}: n_classes must be an integer >= 1, got {n_classes!r}")
    t, p = np.asarray(mask_true), np.asarray(mask_pred)
    if t.shape != p.shape:
        raise ValueError(f"{where}: the masks must have the same shape, got {t.shape} (true) and {p.shape} (predicted)")
    for name, a in (("mask_true", t), ("mask_pred", p)):
        if a.size and (not np.issubdtype(a.dtype, np.integer) or a.min() < 0 or a.max() >= n_classes):
            raise ValueError(f"{where}: {name} must hold integer classes 0 .. {n_classes - 1}, got dtype {a.dtype}"
                             + (f", values {a.min()} .. {a.max()}" if np.issubdtype(a.dtype, np.number) else ""))
    return t.ravel(), p.ravel()


def per_class_iou(mask_true, mask_pred, n_classes):
    """Intersection over union of every class's pixels, over all the masks given.

    ``IoU_k = |{true = k} and {pred = k}| / |{true = k} or {pred = k}|``, the pixels counted over every image
    together (so a large object weighs more than a small one).

    Arguments:
        mask_true -- integer classes of any shape, e.g. ``(m, n_H, n_W)``;
        mask_pred -- integer classes of the same shape;
        n_classes -- the number of classes K (an int >= 1).
    Returns: float64 array ``(K,)``, entries in [0, 1]; NaN for a class that neither mask contains (its union
        is empty: nothing to measure).
    Raises: ValueError if the shapes differ, a mask is not integer or holds a class outside ``0 .. K - 1``,
        or K is not an integer >= 1.
    """
    t, p = _masks(mask_true, mask_pred, n_classes, "per_class_iou")
    n_true = np.bincount(t, minlength=n_classes).astype(np.float64)
    n_pred = np.bincount(p, minlength=n_classes).astype(np.float64)
    intersection = np.bincount(t[t == p], minlength=n_classes).astype(np.float64)
    union = n_true + n_pred - intersection
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(union > 0, intersection / np.where(union > 0, union, 1.0), np.nan)


def mean_iou(mask_true, mask_pred, n_classes):
    """The mean of :func:`per_class_iou` over the classes present in either mask.

    Arguments: as :func:`per_class_iou` (masks of one shape, e.g. ``(m, n_H, n_W)``; n_classes K).
    Returns: a float in [0, 1]; NaN if no class is present (empty masks).
    Raises: ValueError as :func:`per_class_iou`.
    """
    ious = per_class_iou(mask_true, mask_pred, n_classes)
    present = ious[~np.isnan(ious)]
    return float(present.mean()) if present.size else float("nan")
