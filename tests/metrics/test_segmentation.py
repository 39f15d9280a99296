"""course_utils.metrics.segmentation: per-class IoU of pixel masks, counted over all images together, with NaN
for a class neither mask holds; the mean over the classes present."""

import numpy as np
import pytest

from course_utils.metrics.segmentation import mean_iou, per_class_iou


def test_a_hand_counted_example():
    true = np.array([[[0, 0, 1, 1],
                      [0, 2, 2, 1]]])
    pred = np.array([[[0, 1, 1, 1],
                      [0, 2, 0, 0]]])
    # class 0: true {(0,0),(0,1),(1,0)}, pred {(0,0),(1,0),(1,2),(1,3)}: 2 common of 5  -> 0.4
    # class 1: true {(0,2),(0,3),(1,3)}, pred {(0,1),(0,2),(0,3)}: 2 common of 4         -> 0.5
    # class 2: true {(1,1),(1,2)}, pred {(1,1)}: 1 of 2                                   -> 0.5
    ious = per_class_iou(true, pred, 3)
    assert ious.dtype == np.float64 and ious.shape == (3,)
    np.testing.assert_allclose(ious, [0.4, 0.5, 0.5], rtol=0, atol=1e-15)
    assert mean_iou(true, pred, 3) == pytest.approx(1.4 / 3, abs=1e-15)


def test_pixels_are_counted_over_all_images_not_averaged_per_image():
    true = np.array([[[1, 1], [1, 1]], [[0, 0], [0, 1]]])
    pred = np.array([[[1, 1], [1, 1]], [[0, 0], [0, 0]]])
    # class 1: 4 common of 5 (per image it would be 1 and 0, mean 0.5)
    np.testing.assert_allclose(per_class_iou(true, pred, 2), [0.75, 0.8], rtol=0, atol=1e-15)


def test_absent_classes_are_nan_and_left_out_of_the_mean():
    true = np.zeros((1, 3, 5), dtype=np.int64)
    pred = true.copy()
    pred[0, 0, 0] = 3                          # class 3 only predicted: IoU 0; classes 1 and 2 nowhere: NaN
    ious = per_class_iou(true, pred, 4)
    assert ious[0] == 14 / 15 and ious[3] == 0.0 and np.isnan(ious[1]) and np.isnan(ious[2])
    assert mean_iou(true, pred, 4) == pytest.approx(7 / 15, abs=1e-15)
    np.testing.assert_array_equal(per_class_iou(true, true, 2), [1.0, np.nan])
    assert np.isnan(mean_iou(np.zeros((0, 2), int), np.zeros((0, 2), int), 2))


def test_bad_masks_are_named():
    with pytest.raises(ValueError, match=r"per_class_iou: the masks must have the same shape, got \(2, 3\) \(true\) "
                                         r"and \(3, 2\) \(predicted\)"):
        per_class_iou(np.zeros((2, 3), int), np.zeros((3, 2), int), 2)
    with pytest.raises(ValueError, match=r"per_class_iou: mask_pred must hold integer classes 0 .. 1, got dtype "
                                         r"int64, values 0 .. 2"):
        per_class_iou(np.zeros((2, 3), np.int64), np.array([[0, 1, 2], [0, 0, 0]], np.int64), 2)
    with pytest.raises(ValueError, match=r"mask_true must hold integer classes 0 .. 2, got dtype float64"):
        mean_iou(np.zeros((2, 3)), np.zeros((2, 3), int), 3)
    with pytest.raises(ValueError, match=r"n_classes must be an integer >= 1, got 0"):
        per_class_iou(np.zeros(3, int), np.zeros(3, int), 0)
