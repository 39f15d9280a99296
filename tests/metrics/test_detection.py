"""Unit tests of course_utils.metrics.detection: IoU on hand-made boxes, and average precision / mAP@0.5 on
hand-made detections whose values are worked out exactly (PASCAL VOC 2010 on: all-point interpolation)."""

import numpy as np
import pytest

from course_utils.metrics.detection import (average_precision, iou, iou_matrix, match_detections,
                                            mean_average_precision, mean_best_iou)


def test_iou_of_hand_boxes():
    assert iou([0, 0, 2, 2], [1, 1, 3, 3]) == pytest.approx(1 / 7)          # overlap 1, union 4 + 4 - 1
    assert iou((1, 2, 5, 4), (1, 2, 5, 4)) == 1.0                            # identical
    assert iou([0, 0, 2, 2], [2, 0, 4, 2]) == 0.0                            # touching along an edge
    assert iou([0, 0, 2, 2], [2, 2, 3, 3]) == 0.0                            # touching at a corner
    assert iou([0, 0, 1, 1], [5, 5, 6, 7]) == 0.0                            # apart
    assert iou([0, 0, 4, 2], [0, 0, 4, 1]) == 0.5                            # one inside the other: 4 / 8
    assert iou([1, 1, 1, 1], [1, 1, 1, 1]) == 0.0                            # two empty boxes
    assert isinstance(iou([0, 0, 2, 2], [1, 1, 3, 3]), float)
    with pytest.raises(ValueError, match="four numbers"):
        iou([0, 0, 1], [0, 0, 1, 1])


def test_iou_matrix_is_every_pair():
    a = np.array([[0, 0, 2, 2], [0, 0, 4, 2]], dtype=float)
    b = np.array([[1, 1, 3, 3], [0, 0, 4, 1], [9, 9, 10, 10]], dtype=float)
    assert np.allclose(iou_matrix(a, b), [[1 / 7, 2 / 6, 0], [2 / 10, 4 / 8, 0]])   # overlap / union
    assert iou_matrix(a, np.zeros((0, 4))).shape == (2, 0)
    with pytest.raises(ValueError, match=r"b must be \(k, 4\)"):
        iou_matrix(a, b[:, :3])


def test_average_precision_all_point_interpolation():
    # detections by score: hit, miss, hit, of 2 objects -> precision 1, 1/2, 2/3 at recall 1/2, 1/2, 1;
    # the envelope is 1 up to recall 1/2 and 2/3 up to 1: AP = 1/2 * 1 + 1/2 * 2/3 = 5/6
    assert average_precision([0.5, 0.5, 1.0], [1.0, 0.5, 2 / 3]) == pytest.approx(5 / 6)
    assert average_precision([1 / 3, 1 / 3, 2 / 3], [1.0, 0.5, 2 / 3]) == pytest.approx(1 / 3 + 1 / 3 * 2 / 3)
    assert average_precision([], []) == 0.0
    assert average_precision([1.0], [1.0]) == 1.0
    with pytest.raises(ValueError, match="one length"):
        average_precision([0.5], [1.0, 0.5])


def test_match_detections_follows_the_voc_rule():
    truth = np.array([[0, 0, 10, 10], [20, 20, 30, 30]], dtype=float)
    pred = np.array([[0, 0, 10, 10], [1, 0, 11, 10], [20, 20, 30, 25], [40, 40, 50, 50]], dtype=float)
    scores = np.array([0.9, 0.95, 0.8, 0.7])
    # the 0.95 box (IoU 9/11) takes the first object; the 0.9 box, exact but later, is a duplicate: a miss;
    # the third overlaps the second object by exactly 0.5 (>= counts); the last overlaps nothing
    assert match_detections(pred, scores, truth).tolist() == [False, True, True, False]
    assert match_detections(pred, scores, truth, iou_threshold=0.6).tolist() == [False, True, False, False]
    assert match_detections(pred, scores, np.zeros((0, 4))).tolist() == [False] * 4
    assert match_detections(np.zeros((0, 4)), [], truth).shape == (0,)


def test_mean_average_precision_on_hand_made_pictures():
    true_boxes = [np.array([[0, 0, 10, 10], [20, 20, 30, 30]], float), np.array([[5, 5, 15, 15]], float)]
    true_labels = [np.array([0, 1]), np.array([0])]
    pred_boxes = [np.array([[0, 0, 10, 10], [20, 20, 30, 30], [50, 50, 60, 60]], float),
                  np.array([[5, 5, 15, 15], [5, 5, 15, 15]], float)]
    pred_scores = [np.array([0.9, 0.8, 0.85]), np.array([0.6, 0.7])]
    pred_classes = [np.array([0, 1, 0]), np.array([0, 1])]
    m, ap = mean_average_precision(pred_boxes, pred_scores, pred_classes, true_boxes, true_labels, 3)
    # class 0 by score: 0.9 hit, 0.85 miss, 0.6 hit of 2 objects: 5/6 (the case above);
    # class 1: 0.8 hit, 0.7 miss (its object is of class 0) of 1 object: 1; class 2 has no object: NaN
    assert ap[:2] == pytest.approx([5 / 6, 1.0]) and np.isnan(ap[2])
    assert m == pytest.approx((5 / 6 + 1.0) / 2)
    perfect = mean_average_precision(true_boxes, [np.ones(2), np.ones(1)], true_labels, true_boxes, true_labels, 2)
    assert perfect[0] == 1.0
    with pytest.raises(ValueError, match="one entry per picture"):
        mean_average_precision(pred_boxes, pred_scores, pred_classes, true_boxes[:1], true_labels, 3)


def test_mean_best_iou():
    true_boxes = [np.array([[0, 0, 2, 2], [10, 10, 12, 12]], float), np.array([[0, 0, 4, 2]], float)]
    pred_boxes = [np.array([[1, 1, 3, 3], [0, 0, 2, 2]], float), np.zeros((0, 4))]
    # 1 (an exact box), 0 (nothing near the second), 0 (no prediction in the second picture)
    assert mean_best_iou(pred_boxes, true_boxes) == pytest.approx(1 / 3)
    assert np.isnan(mean_best_iou([np.zeros((0, 4))], [np.zeros((0, 4))]))
