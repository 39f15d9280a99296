"""Unit tests of course_utils.models.yolo: the notes' two-case loss, grid and anchor targets (the notes' 3 x 3 x 16),
the output head (numerical gradient check), score filtering and non-max suppression on hand-made boxes."""

import numpy as np
import pytest

from course_utils.models import yolo

rng = np.random.default_rng(0)


def test_localization_loss_two_cases():
    y = np.array([[1, 0], [0.5, 0.3], [0.7, 0.3], [0.3, 0.3], [0.4, 0.3], [0, 0.3], [1, 0.3], [0, 0.3]])
    y_hat = np.array([[0.9, 0.2], [0.4, 9], [0.7, 9], [0.5, 9], [0.4, 9], [0.1, 9], [0.8, 9], [0.0, 9]])
    # an object: all 8 squared errors, 0.01 + 0.01 + 0 + 0.04 + 0 + 0.01 + 0.04 + 0 = 0.11; none: 0.2^2 only
    loss = yolo.localization_loss(y_hat, y)
    assert loss.shape == (1, 2) and loss == pytest.approx(np.array([[0.11, 0.04]]))
    # YOLO's weights: box terms times 5, the no-object term times 0.5
    assert yolo.localization_loss(y_hat, y, 5.0, 0.5) == pytest.approx(np.array([[0.01 + 5 * 0.05 + 0.05, 0.02]]))
    with pytest.raises(ValueError, match=r"\(5 \+ C, m\)"):
        yolo.localization_loss(y_hat[:, 0], y[:, 0])


def test_localization_loss_backward_is_the_gradient(check_backward):
    y = rng.random((8, 5))
    y[0] = [1, 0, 1, 1, 0]
    y_hat = rng.standard_normal((8, 5))
    grad = yolo.localization_loss_backward(y_hat, y, 5.0, 0.5)
    check_backward(lambda a: yolo.localization_loss(a, y, 5.0, 0.5), [y_hat], np.ones((1, 5)), [grad])
    assert np.all(grad[1:, [1, 4]] == 0)                   # no object: only p_c has a gradient


def test_assign_anchor_boxes_the_notes_two_anchor_example():
    # a 90 x 90 picture, 3 x 3 cells of 30 pixels; a tall pedestrian (class 0) and a wide car (class 1) with their
    # midpoints in the centre cell; anchor 1 tall, anchor 2 wide
    boxes = np.array([[35, 15, 55, 75], [25, 40, 75, 60]], dtype=float)
    anchors = np.array([[2.0, 0.6], [0.6, 1.8]])
    y = yolo.assign_anchor_boxes(boxes, np.array([0, 1]), (90, 90), (3, 3), anchors)
    assert y.shape == (3, 3, 16)
    assert y[1, 1, :8] == pytest.approx([1, 0.5, 0.5, 2.0, 2 / 3, 1, 0, 0])
    assert y[1, 1, 8:] == pytest.approx([1, 2 / 3, 2 / 3, 2 / 3, 5 / 3, 0, 1, 0])     # midpoint (50, 50)
    y[1, 1] = 0
    assert not y.any()
    # one anchor, the notes' 3 x 3 x 8: the two objects compete for one slot and the car is lost
    one = yolo.assign_anchor_boxes(boxes, np.array([0, 1]), (90, 90), (3, 3), [[1.0, 1.0]])
    assert one.shape == (3, 3, 8) and one[1, 1, 5] == 1 and one[..., 0].sum() == 1
    # a midpoint on a line between cells belongs to the cell below / to the right; non-square grid
    edge = yolo.assign_anchor_boxes([[20, 10, 40, 50]], [2], (60, 90), (2, 3), [[1.0, 1.0]])
    assert edge[1, 1, :8] == pytest.approx([1, 0, 0, 4 / 3, 2 / 3, 0, 0, 1])
    assert yolo.assign_anchor_boxes(np.zeros((0, 4)), np.zeros(0, int), (32, 32), (4, 4), anchors).sum() == 0
    with pytest.raises(ValueError, match="labels must be 1 classes"):
        yolo.assign_anchor_boxes([[0, 0, 4, 4]], [3], (32, 32), (4, 4), anchors)


def test_anchor_shape_iou():
    assert yolo.anchor_shape_iou([[2.0, 1.0]], [[2.0, 1.0], [1.0, 2.0], [4.0, 2.0]]) == pytest.approx(
        np.array([[1.0, 1 / 3, 0.25]]))


def test_targets_decode_back_to_the_boxes():
    boxes = np.array([[3, 5, 13, 12], [20, 18, 31, 30]], dtype=float)
    y = yolo.assign_anchor_boxes(boxes, [2, 0], (32, 40), (4, 5), [[1.0, 1.0], [1.5, 1.4]])
    conf, corners, probs = yolo.yolo_boxes_to_corners(y, (32, 40), 2)
    assert conf.shape == (4, 5, 2, 1) and corners.shape == (4, 5, 2, 4) and probs.shape == (4, 5, 2, 3)
    kept = conf[..., 0] == 1
    assert np.allclose(corners[kept], boxes) and np.argmax(probs[kept], axis=-1).tolist() == [2, 0]


def test_yolo_head_forward_and_backward(check_backward):
    anchors = np.array([[1.0, 2.0], [0.5, 0.5]])
    Z = rng.standard_normal((2, 3, 2, 16))
    Y, cache = yolo.yolo_head_forward(Z, anchors)
    slots = Y.reshape(2, 3, 2, 2, 8)
    assert np.allclose(slots[..., 5:].sum(-1), 1) and np.all((slots[..., :3] > 0) & (slots[..., :3] < 1))
    assert np.allclose(slots[..., 3:5], anchors * np.exp(Z.reshape(2, 3, 2, 2, 8)[..., 3:5]))
    D = rng.standard_normal(Y.shape)
    dZ, grads = yolo.yolo_head_backward(D, cache)
    assert grads == {}
    check_backward(lambda z: yolo.yolo_head_forward(z, anchors)[0], [Z], D, [dZ])


def test_yolo_filter_boxes():
    conf = np.array([[[0.9], [0.5]], [[1.0], [0.7]]])                  # (2, 2, 1)
    probs = np.array([[[0.7, 0.3], [1.0, 0.0]], [[0.2, 0.8], [0.5, 0.5]]])
    boxes = np.arange(16, dtype=float).reshape(2, 2, 4)
    scores, kept, classes = yolo.yolo_filter_boxes(conf, boxes, probs, threshold=0.6)
    # scores 0.63 (class 0), 0.5, 0.8 (class 1), 0.35: 0.63 and 0.8 survive, in input order
    assert scores == pytest.approx([0.63, 0.8]) and classes.tolist() == [0, 1] and np.array_equal(kept, boxes[[0, 1], [0, 0]])
    assert yolo.yolo_filter_boxes(conf, boxes, probs, threshold=0.8)[0].shape == (0,)   # 0.8 <= 0.8: discarded
    empty = yolo.yolo_filter_boxes(conf, boxes, probs, threshold=1.0)
    assert [a.shape for a in empty] == [(0,), (0, 4), (0,)]
    from course_utils.grading.checks import output_parts
    assert repr(output_parts(yolo.yolo_filter_boxes)) == "(scores, boxes, classes)"


def test_non_max_suppression_hand_boxes():
    boxes = np.array([[0, 0, 10, 10], [1, 0, 11, 10], [20, 20, 30, 30], [0, 0, 10, 10], [0, 0, 10, 5]], dtype=float)
    scores = np.array([0.9, 0.95, 0.8, 0.6, 0.7])
    # 1 (0.95) first; 0 (IoU 9/11) and 3 (same box as 0) go; 4 overlaps 1 by 45/105 < 0.5 and 0 by exactly 0.5
    assert yolo.non_max_suppression(scores, boxes).tolist() == [1, 2, 4]
    assert yolo.non_max_suppression(scores, boxes, max_boxes=2).tolist() == [1, 2]
    assert yolo.non_max_suppression(scores[:1], boxes[:1]).tolist() == [0]
    assert yolo.non_max_suppression(np.zeros(0), np.zeros((0, 4))).shape == (0,)
    assert yolo.non_max_suppression(scores, boxes, iou_threshold=0.95).tolist() == [1, 0, 2, 4]


def test_yolo_non_max_suppression_is_per_class():
    boxes = np.array([[0, 0, 10, 10], [1, 0, 11, 10], [20, 20, 30, 30], [0, 0, 10, 10]], dtype=float)
    scores, classes = np.array([0.9, 0.95, 0.8, 0.85]), np.array([0, 0, 1, 1])
    s, b, c = yolo.yolo_non_max_suppression(scores, boxes, classes)
    # class 0 keeps 0.95; class 1 keeps both (0.85 is class 1: nothing of class 0 suppresses it)
    assert s.tolist() == [0.95, 0.85, 0.8] and c.tolist() == [0, 1, 1] and np.array_equal(b, boxes[[1, 3, 2]])
    assert yolo.yolo_non_max_suppression(scores, boxes, classes, max_boxes=1)[0].tolist() == [0.95]
    with pytest.raises(ValueError, match="max_boxes"):
        yolo.yolo_non_max_suppression(scores, boxes, classes, max_boxes=-1)


def test_yolo_eval_of_a_target_volume_gives_its_boxes():
    boxes = np.array([[3, 5, 13, 12], [20, 18, 31, 30]], dtype=float)
    y = yolo.assign_anchor_boxes(boxes, [2, 0], (32, 32), (4, 4), [[1.0, 1.0], [1.5, 1.5]])
    s, b, c = yolo.yolo_eval(y, (32, 32), 2)
    assert s.tolist() == [1.0, 1.0] and c.tolist() == [2, 0] and np.allclose(b, boxes)
