"""Detection metrics: intersection over union of boxes, mean average precision (Track 4, notebook 05).

Boxes are ``(x1, y1, x2, y2)`` corners in pixels, ``x`` the column and ``y`` the row (the convention of
:mod:`course_utils.data.scenes`).

Mean average precision (mAP) follows the PASCAL VOC challenge from 2010 on: M. Everingham, L. Van Gool,
C. K. I. Williams, J. Winn and A. Zisserman (2010), "The PASCAL Visual Object Classes (VOC) Challenge", IJCV 88,
and the VOC 2010-2012 development kit: per class, detections of all pictures are sorted by decreasing score;
each is a true positive if its IoU with the best-overlapping true box of its class and picture is at least the
threshold (0.5) and that true box was not detected already, else a false positive; average precision is the
area under the precision-recall curve with precision made monotone (each point's precision is the largest at
that recall or beyond: "all-point interpolation"); mAP is the mean over the classes that have true objects.
"""

from __future__ import annotations

import numpy as np

__all__ = ["iou", "iou_matrix", "average_precision", "match_detections", "mean_average_precision", "mean_best_iou"]


def iou(box1, box2):
    """Intersection over union of two boxes (the notes' measure of how well a box fits).

    Arguments: box1, box2 -- ``(x1, y1, x2, y2)`` corners, ``x1 <= x2`` and ``y1 <= y2`` (any units).
    Returns: float in [0, 1]: the area of the intersection divided by the area of the union (0 for boxes that
    do not overlap or only touch, 1 for identical boxes of positive area, 0 when both boxes are empty).
    Raises: ValueError if a box does not have four numbers.
    """
    a, b = np.asarray(box1, dtype=np.float64).reshape(-1), np.asarray(box2, dtype=np.float64).reshape(-1)
    if a.size != 4 or b.size != 4:
        raise ValueError(f"iou: boxes are four numbers (x1, y1, x2, y2), got {a.size} and {b.size}")
    return float(iou_matrix(a[None], b[None])[0, 0])


def iou_matrix(a, b):
    """Intersection over union of every box of ``a`` with every box of ``b``.

    Arguments: a -- ``(k, 4)``, b -- ``(l, 4)`` boxes ``(x1, y1, x2, y2)`` with ``x1 <= x2``, ``y1 <= y2``.
    Returns: ``(k, l)`` float64 array of IoU values in [0, 1]; a pair whose union is empty (two empty
    boxes) gets 0.
    Raises: ValueError if either array is not ``(k, 4)``.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    for name, x in (("a", a), ("b", b)):
        if x.ndim != 2 or x.shape[1] != 4:
            raise ValueError(f"iou_matrix: {name} must be (k, 4) boxes (x1, y1, x2, y2), got shape {x.shape}")
    w = np.clip(np.minimum(a[:, None, 2], b[None, :, 2]) - np.maximum(a[:, None, 0], b[None, :, 0]), 0, None)
    h = np.clip(np.minimum(a[:, None, 3], b[None, :, 3]) - np.maximum(a[:, None, 1], b[None, :, 1]), 0, None)
    inter = w * h
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    union = area_a[:, None] + area_b[None, :] - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def average_precision(recall, precision):
    """All-point interpolated average precision (PASCAL VOC 2010 on) of one precision-recall curve.

    The curve is closed with (recall 0, precision 0) and (recall 1, precision 0); each precision is replaced by
    the largest precision at that recall or a higher one; the result is the sum of precision times the recall
    step: ``sum_i (r_i - r_{i-1}) p_interp(r_i)``.

    Arguments: recall, precision -- ``(n,)`` the curve's points in the order of decreasing score (recall does
        not decrease), each in [0, 1]; n may be 0 (no detection: AP 0).
    Returns: float in [0, 1].
    Raises: ValueError if the two are not 1-D arrays of the same length.
    """
    recall, precision = np.asarray(recall, dtype=np.float64), np.asarray(precision, dtype=np.float64)
    if recall.ndim != 1 or recall.shape != precision.shape:
        raise ValueError(f"average_precision: recall and precision must be (n,) arrays of one length, got "
                         f"{recall.shape} and {precision.shape}")
    r = np.concatenate([[0.0], recall, [1.0]])
    p = np.concatenate([[0.0], precision, [0.0]])
    p = np.maximum.accumulate(p[::-1])[::-1]          # the envelope: best precision at this recall or beyond
    steps = np.flatnonzero(r[1:] != r[:-1]) + 1
    return float(np.sum((r[steps] - r[steps - 1]) * p[steps]))


def match_detections(pred_boxes, pred_scores, true_boxes, iou_threshold=0.5):
    """Which detections of one class in one picture are true positives (the VOC rule).

    Detections are taken by decreasing score (the earlier on a tie); each is compared with the true box it
    overlaps most; it is a true positive if that IoU is ``>= iou_threshold`` and that true box is not taken
    yet (it then takes it), else a false positive (a second detection of one object counts against).

    Arguments: pred_boxes -- ``(k, 4)``; pred_scores -- ``(k,)``; true_boxes -- ``(t, 4)`` (k, t may be 0);
        iou_threshold -- a number in [0, 1].
    Returns: ``(k,)`` bool array in the order of the input: True for a true positive.
    Raises: ValueError for boxes that are not ``(k, 4)`` or scores that do not match them.
    """
    pred_boxes = np.asarray(pred_boxes, dtype=np.float64).reshape(-1, 4) if np.size(pred_boxes) == 0 else pred_boxes
    true_boxes = np.asarray(true_boxes, dtype=np.float64).reshape(-1, 4) if np.size(true_boxes) == 0 else true_boxes
    pred_scores = np.asarray(pred_scores, dtype=np.float64).reshape(-1)
    overlaps = iou_matrix(pred_boxes, true_boxes)      # checks both shapes
    if pred_scores.shape[0] != overlaps.shape[0]:
        raise ValueError(f"match_detections: {overlaps.shape[0]} boxes but {pred_scores.shape[0]} scores")
    tp = np.zeros(overlaps.shape[0], dtype=bool)
    taken = np.zeros(overlaps.shape[1], dtype=bool)
    for i in np.argsort(-pred_scores, kind="stable"):
        if overlaps.shape[1] == 0:
            break
        j = int(np.argmax(overlaps[i]))
        if overlaps[i, j] >= iou_threshold and not taken[j]:
            tp[i], taken[j] = True, True
    return tp


def mean_average_precision(pred_boxes, pred_scores, pred_classes, true_boxes, true_labels, n_classes,
                           iou_threshold=0.5):
    """mAP at an IoU threshold (mAP@0.5 by default) over a set of pictures (PASCAL VOC 2010 on).

    Arguments (lists with one entry per picture):
        pred_boxes -- ``(k_i, 4)`` detected boxes; pred_scores -- ``(k_i,)``; pred_classes -- ``(k_i,)`` integers;
        true_boxes -- ``(t_i, 4)`` true boxes; true_labels -- ``(t_i,)`` integers in ``0 .. n_classes - 1``;
        n_classes -- the number of classes; iou_threshold -- a detection's IoU for a hit (>=).
    Returns: ``(mAP, ap)``: ap ``(n_classes,)`` float64, each class's :func:`average_precision` (NaN for a class
        without true objects); mAP the mean of the others (a float; NaN if no class has true objects).
    Raises: ValueError if the lists differ in length, or as :func:`match_detections`.
    """
    lists = (pred_boxes, pred_scores, pred_classes, true_boxes, true_labels)
    if len({len(x) for x in lists}) != 1:
        raise ValueError(f"mean_average_precision: one entry per picture in every list, got lengths "
                         f"{[len(x) for x in lists]}")
    ap = np.full(int(n_classes), np.nan)
    for c in range(int(n_classes)):
        scores, hits, n_true = [], [], 0
        for boxes, sc, cl, tb, tl in zip(*lists):
            cl, tl = np.asarray(cl).reshape(-1), np.asarray(tl).reshape(-1)
            sc = np.asarray(sc, dtype=np.float64).reshape(-1)
            boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
            tb = np.asarray(tb, dtype=np.float64).reshape(-1, 4)
            mine, truth = cl == c, tb[tl == c]
            n_true += truth.shape[0]
            scores.append(sc[mine])
            hits.append(match_detections(boxes[mine], sc[mine], truth, iou_threshold))
        if n_true == 0:
            continue
        scores, hits = np.concatenate(scores), np.concatenate(hits)
        order = np.argsort(-scores, kind="stable")
        tp = np.cumsum(hits[order])
        fp = np.cumsum(~hits[order])
        ap[c] = average_precision(tp / n_true, tp / np.maximum(tp + fp, 1))
    valid = ~np.isnan(ap)
    return (float(ap[valid].mean()) if valid.any() else float("nan")), ap


def mean_best_iou(pred_boxes, true_boxes):
    """Mean over all true objects of the IoU with the predicted box (of any class) that fits it best.

    Arguments: pred_boxes -- list over pictures of ``(k_i, 4)``; true_boxes -- list of ``(t_i, 4)``.
    Returns: float: the mean of ``max_j IoU(true box, predicted box j)`` over every true box of every picture
        (0 for a true box in a picture without predictions); NaN if there is no true box.
    Raises: ValueError if the lists differ in length or a box array is not ``(k, 4)``.
    """
    if len(pred_boxes) != len(true_boxes):
        raise ValueError(f"mean_best_iou: one entry per picture in both lists, got {len(pred_boxes)} and "
                         f"{len(true_boxes)}")
    best = []
    for pb, tb in zip(pred_boxes, true_boxes):
        pb = np.asarray(pb, dtype=np.float64).reshape(-1, 4) if np.size(pb) == 0 else pb
        tb = np.asarray(tb, dtype=np.float64).reshape(-1, 4) if np.size(tb) == 0 else tb
        overlaps = iou_matrix(tb, pb)
        best.extend(overlaps.max(axis=1) if overlaps.shape[1] else np.zeros(overlaps.shape[0]))
    return float(np.mean(best)) if best else float("nan")
