"""YOLO's pieces: targets on a grid with anchor boxes, the two-case squared loss, the output head, and the
post-processing of an output volume into boxes (score filtering, non-max suppression). Track 4, notebook 05.

Sources: J. Redmon, S. Divvala, R. Girshick and A. Farhadi (2016), "You Only Look Once: Unified, Real-Time
Object Detection", CVPR (the grid, each object assigned to the cell that holds its midpoint, the squared loss
and its weights lambda_coord = 5 and lambda_noobj = 0.5); J. Redmon and A. Farhadi (2017), "YOLO9000: Better,
Faster, Stronger", CVPR (anchor boxes: each object also goes to the anchor whose shape fits it best; box
sizes as anchor * exp(t), offsets through a sigmoid). Non-max suppression is the greedy algorithm of the
lecture notes (and of both papers).

Conventions (those of :mod:`course_utils.data.scenes`):

- a box is ``(x1, y1, x2, y2)`` corners in pixels, ``x`` the column and ``y`` the row;
- an image is ``n_H x n_W`` pixels, cut into a grid of ``S_H x S_W`` cells (cell ``(row, col)``);
- one slot of the output, for one cell and one anchor, is the notes' vector
  ``[p_c, b_x, b_y, b_h, b_w, c_1, ..., c_C]`` (``5 + C`` numbers): ``p_c`` whether an object is there,
  ``(b_x, b_y)`` its midpoint relative to the cell (``(0, 0)`` the cell's top-left corner, ``(1, 1)`` its
  bottom-right), ``b_h`` and ``b_w`` its height and width in units of the cell's height and width (more
  than 1 for an object larger than its cell), and the class indicators (one-hot in a target, probabilities
  in a prediction);
- anchors are ``(A, 2)`` shapes ``(b_h, b_w)`` in cell units; a grid's target or output volume is
  ``(S_H, S_W, A (5 + C))``, the A slots of a cell one after another (the notes' 3 x 3 x 16 for A = 2, C = 3).

Classification with localisation (one object per picture) is the same with a ``1 x 1`` grid and one anchor:
``(b_x, b_y)`` is then relative to the whole picture and ``b_h``, ``b_w`` fractions of its size.
No function modifies its arguments.
"""

from __future__ import annotations

import numpy as np

from course_utils.metrics.detection import iou_matrix

__all__ = ["localization_loss", "localization_loss_backward", "assign_anchor_boxes", "anchor_shape_iou",
           "yolo_head_forward", "yolo_head_backward", "yolo_boxes_to_corners", "yolo_filter_boxes",
           "non_max_suppression", "yolo_non_max_suppression", "yolo_eval"]


# --- the loss -------------------------------------------------------------------------------------

def _loss_inputs(y_hat, y, where):
    y_hat, y = np.asarray(y_hat, dtype=float), np.asarray(y, dtype=float)
    if y_hat.shape != y.shape or y.ndim != 2 or y.shape[0] < 5:
        raise ValueError(f"{where}: y_hat and y must both be (5 + C, m), one column [p_c, b_x, b_y, b_h, b_w, "
                         f"c_1, ...] per example; got {y_hat.shape} and {y.shape}")
    return y_hat, y


def _loss_weights(y, lambda_coord, lambda_noobj):
    """Per-entry weights of the squared errors: (5 + C, m)."""
    obj = (y[0] == 1)
    w = np.zeros_like(y)
    w[0] = np.where(obj, 1.0, lambda_noobj)
    w[1:5] = np.where(obj, lambda_coord, 0.0)
    w[5:] = np.where(obj, 1.0, 0.0)
    return w


def localization_loss(y_hat, y, lambda_coord=1.0, lambda_noobj=1.0):
    """The notes' two-case squared loss of classification with localisation, one value per example.

    ``L = sum_k (y_hat_k - y_k)^2`` over all 5 + C components if ``y_1 = 1`` (there is an object), and only
    ``(y_hat_1 - y_1)^2`` if ``y_1 = 0`` (no object: the box and the classes mean nothing). With the defaults
    this is exactly the notes' loss; YOLO (Redmon et al. 2016) weighs the four box terms by ``lambda_coord``
    (5) and the no-object term by ``lambda_noobj`` (0.5).

    Arguments:
        y_hat -- ``(5 + C, m)`` predictions, one column ``[p_c, b_x, b_y, b_h, b_w, c_1, ..., c_C]`` per example;
        y -- ``(5 + C, m)`` targets of that layout (``y[0]`` is 1 or 0);
        lambda_coord, lambda_noobj -- the weights of the box terms and of the no-object term (numbers >= 0).
    Returns: ``(1, m)`` float64 array, the loss of each example.
    Raises: ValueError if y_hat and y are not both ``(5 + C, m)``.
    """
    y_hat, y = _loss_inputs(y_hat, y, "localization_loss")
    w = _loss_weights(y, lambda_coord, lambda_noobj)
    return np.sum(w * (y_hat - y) ** 2, axis=0, keepdims=True)


def localization_loss_backward(y_hat, y, lambda_coord=1.0, lambda_noobj=1.0):
    """Gradient of the summed loss ``sum(localization_loss(y_hat, y, ...))`` with respect to y_hat.

    Arguments: as :func:`localization_loss`.
    Returns: ``(5 + C, m)`` float64 array: ``2 w (y_hat - y)`` with w the entry's weight (0 for the box and
        class entries of an example without an object).
    Raises: ValueError if y_hat and y are not both ``(5 + C, m)``.
    """
    y_hat, y = _loss_inputs(y_hat, y, "localization_loss_backward")
    return 2.0 * _loss_weights(y, lambda_coord, lambda_noobj) * (y_hat - y)


# --- targets: grid cells and anchors --------------------------------------------------------------

def _pair(value, name, where):
    v = np.asarray(value).reshape(-1)
    if v.size != 2 or np.any(v <= 0):
        raise ValueError(f"{where}: {name} must be two positive numbers (height, width), got {value!r}")
    return v


def anchor_shape_iou(shapes, anchors):
    """IoU of box shapes with anchor shapes, both centred on the same point (only sizes compared).

    Arguments: shapes -- ``(k, 2)`` heights and widths; anchors -- ``(A, 2)`` heights and widths (same units).
    Returns: ``(k, A)`` float64 IoU values: ``min(h, h_a) min(w, w_a) / (h w + h_a w_a - min(h, h_a) min(w, w_a))``.
    Raises: ValueError if either is not ``(., 2)``.
    """
    shapes, anchors = np.asarray(shapes, dtype=float), np.asarray(anchors, dtype=float)
    if shapes.ndim != 2 or shapes.shape[1] != 2 or anchors.ndim != 2 or anchors.shape[1] != 2:
        raise ValueError(f"anchor_shape_iou: shapes and anchors must be (k, 2) and (A, 2) heights and widths, "
                         f"got {shapes.shape} and {anchors.shape}")

    def centred(hw):
        return np.stack([-hw[:, 1] / 2, -hw[:, 0] / 2, hw[:, 1] / 2, hw[:, 0] / 2], axis=1)
    return iou_matrix(centred(shapes), centred(anchors))


def assign_anchor_boxes(boxes, labels, image_size, grid_size, anchors, n_classes=3):
    """The YOLO target volume of one picture: each object goes to the grid cell that holds its midpoint and,
    in that cell, to the anchor whose shape has the highest IoU with the object's shape.

    For an object with box ``(x1, y1, x2, y2)`` in an ``n_H x n_W`` picture cut into ``S_H x S_W`` cells:
    midpoint ``x = (x1 + x2) / 2``, ``y = (y1 + y2) / 2``; cell ``col = floor(x S_W / n_W)``,
    ``row = floor(y S_H / n_H)`` (a midpoint on a line between cells belongs to the cell to its right or below);
    slot ``[1, b_x, b_y, b_h, b_w, one-hot class]`` with ``b_x = x S_W / n_W - col``, ``b_y = y S_H / n_H - row``,
    ``b_h = (y2 - y1) S_H / n_H``, ``b_w = (x2 - x1) S_W / n_W``; anchor ``argmax_a anchor_shape_iou`` (the
    first on a tie). Objects are taken in order; one whose slot (cell and anchor) an earlier object already
    holds is lost: the target cannot describe it (the notes' failure case). Every other slot is all zeros.

    Arguments:
        boxes -- ``(k, 4)`` corners ``(x1, y1, x2, y2)`` in pixels (k may be 0);
        labels -- ``(k,)`` integer classes in ``0 .. n_classes - 1``;
        image_size -- ``(n_H, n_W)`` in pixels; grid_size -- ``(S_H, S_W)`` cells;
        anchors -- ``(A, 2)`` anchor shapes ``(b_h, b_w)`` in cell units; n_classes -- C.
    Returns: ``(S_H, S_W, A (5 + C))`` float64 array y: slot a of cell (row, col) is
        ``y[row, col, a (5 + C):(a + 1)(5 + C)]``.
    Raises: ValueError for boxes that are not ``(k, 4)``, labels that do not match them or are out of range,
        sizes that are not two positive numbers, anchors that are not ``(A, 2)``, or a midpoint outside the
        picture.
    """
    where = "assign_anchor_boxes"
    boxes = np.asarray(boxes, dtype=float).reshape(-1, 4) if np.size(boxes) == 0 else np.asarray(boxes, dtype=float)
    labels = np.asarray(labels).reshape(-1)
    if boxes.ndim != 2 or boxes.shape[1] != 4:
        raise ValueError(f"{where}: boxes must be (k, 4) corners (x1, y1, x2, y2), got shape {boxes.shape}")
    if labels.shape[0] != boxes.shape[0] or (labels.size and (labels.min() < 0 or labels.max() >= n_classes)):
        raise ValueError(f"{where}: labels must be {boxes.shape[0]} classes in 0 .. {n_classes - 1}, got {labels!r}")
    n_H, n_W = _pair(image_size, "image_size", where)
    S_H, S_W = (int(v) for v in _pair(grid_size, "grid_size", where))
    anchors = np.asarray(anchors, dtype=float)
    if anchors.ndim != 2 or anchors.shape[1] != 2 or anchors.shape[0] < 1:
        raise ValueError(f"{where}: anchors must be (A, 2) shapes (b_h, b_w), got shape {anchors.shape}")
    n_y = 5 + int(n_classes)
    y = np.zeros((S_H, S_W, anchors.shape[0] * n_y))
    for (x1, y1, x2, y2), label in zip(boxes, labels):
        gx, gy = (x1 + x2) / 2 * S_W / n_W, (y1 + y2) / 2 * S_H / n_H
        if not (0 <= gx < S_W and 0 <= gy < S_H):
            raise ValueError(f"{where}: the midpoint of box {(x1, y1, x2, y2)} is outside the {n_H} x {n_W} picture")
        col, row = int(np.floor(gx)), int(np.floor(gy))
        b_h, b_w = (y2 - y1) * S_H / n_H, (x2 - x1) * S_W / n_W
        a = int(np.argmax(anchor_shape_iou([[b_h, b_w]], anchors)[0]))
        slot = slice(a * n_y, (a + 1) * n_y)
        if y[row, col, a * n_y] == 1:
            continue                                   # taken by an earlier object: this one is lost
        y[row, col, slot] = 0.0
        y[row, col, a * n_y:a * n_y + 5] = [1.0, gx - col, gy - row, b_h, b_w]
        y[row, col, a * n_y + 5 + int(label)] = 1.0
    return y


# --- the output head: raw numbers to the notes' slots ------------------------------------------------

def _volume(Z, anchors, n_classes, where):
    Z = np.asarray(Z)
    anchors = np.asarray(anchors, dtype=float)
    n_y = 5 + int(n_classes)
    if anchors.ndim != 2 or anchors.shape[1] != 2:
        raise ValueError(f"{where}: anchors must be (A, 2) shapes (b_h, b_w), got shape {anchors.shape}")
    if Z.ndim != 4 or Z.shape[3] != anchors.shape[0] * n_y:
        raise ValueError(f"{where}: Z must be (m, S_H, S_W, A (5 + C)) = (m, S_H, S_W, {anchors.shape[0] * n_y}) "
                         f"for {anchors.shape[0]} anchors and {n_classes} classes, got shape {Z.shape}")
    return Z, anchors, n_y


def yolo_head_forward(Z, anchors, n_classes=3):
    """The last layer of a YOLO network: raw numbers t to the notes' slots (YOLO9000's parametrisation).

    Per slot ``t = [t_p, t_x, t_y, t_h, t_w, t_1, ..., t_C]``: ``p_c = sigmoid(t_p)``, ``b_x = sigmoid(t_x)``,
    ``b_y = sigmoid(t_y)`` (so the midpoint stays in its cell), ``b_h = h_a exp(t_h)``, ``b_w = w_a exp(t_w)``
    (anchor a's shape, scaled), and the class probabilities ``softmax(t_1 .. t_C)``.

    Arguments: Z -- ``(m, S_H, S_W, A (5 + C))`` raw outputs (a convolution's); anchors -- ``(A, 2)`` shapes
        ``(b_h, b_w)`` in cell units; n_classes -- C.
    Returns: ``(Y_hat, cache)``: Y_hat of Z's shape (and float dtype), the slots; cache for :func:`yolo_head_backward`.
    Raises: ValueError if Z's last axis is not ``A (5 + C)`` or anchors are not ``(A, 2)``.
    Source: Redmon and Farhadi (2017), "YOLO9000: Better, Faster, Stronger", CVPR, Sec. 2 (direct location
    prediction).
    """
    Z, anchors, n_y = _volume(Z, anchors, n_classes, "yolo_head_forward")
    dtype = np.result_type(Z.dtype, np.float32)
    m, S_H, S_W, _ = Z.shape
    T = Z.astype(dtype, copy=False).reshape(m, S_H, S_W, anchors.shape[0], n_y)
    Y = np.empty_like(T)
    Y[..., 0:3] = 1.0 / (1.0 + np.exp(-T[..., 0:3]))
    Y[..., 3:5] = anchors.astype(dtype) * np.exp(np.clip(T[..., 3:5], -20, 20))
    e = np.exp(T[..., 5:] - T[..., 5:].max(axis=-1, keepdims=True))
    Y[..., 5:] = e / e.sum(axis=-1, keepdims=True)
    return Y.reshape(Z.shape), (Y, T)


def yolo_head_backward(d_out, cache):
    """Backward pass of :func:`yolo_head_forward`.

    Arguments: d_out -- ``(m, S_H, S_W, A (5 + C))``, the gradient with respect to Y_hat; cache from the forward pass.
    Returns: ``(dZ, {})``: dZ of Z's shape (the head has no parameters).
    Raises: ValueError if d_out does not have Y_hat's shape.
    """
    Y, T = cache
    d_out = np.asarray(d_out)
    if d_out.size != Y.size or d_out.shape[:3] != Y.shape[:3]:
        raise ValueError(f"yolo_head_backward: d_out must have Y_hat's shape {Y.shape[:3] + (Y.shape[3] * Y.shape[4],)}, "
                         f"got {d_out.shape}")
    D = d_out.astype(Y.dtype, copy=False).reshape(Y.shape)
    dT = np.empty_like(Y)
    dT[..., 0:3] = D[..., 0:3] * Y[..., 0:3] * (1 - Y[..., 0:3])
    dT[..., 3:5] = D[..., 3:5] * Y[..., 3:5] * (np.abs(T[..., 3:5]) < 20)
    P, dP = Y[..., 5:], D[..., 5:]
    dT[..., 5:] = P * (dP - np.sum(dP * P, axis=-1, keepdims=True))
    return dT.reshape(d_out.shape), {}


# --- from an output volume to boxes ------------------------------------------------------------------

def yolo_boxes_to_corners(Y_hat, image_size, anchors_count, n_classes=3):
    """Split one picture's output volume into the three arrays that filtering takes, boxes in pixel corners.

    Arguments: Y_hat -- ``(S_H, S_W, A (5 + C))`` slots (e.g. :func:`yolo_head_forward`'s output for one
        picture); image_size -- ``(n_H, n_W)`` pixels; anchors_count -- A; n_classes -- C.
    Returns: ``(box_confidence (S_H, S_W, A, 1), boxes (S_H, S_W, A, 4), box_class_probs (S_H, S_W, A, C))``,
        boxes as ``(x1, y1, x2, y2)`` pixels: midpoint ``x = (col + b_x) n_W / S_W``, width ``b_w n_W / S_W``
        (likewise y and height), corners at the midpoint minus and plus half the size.
    Raises: ValueError if Y_hat is not ``(S_H, S_W, A (5 + C))``.
    """
    Y_hat = np.asarray(Y_hat, dtype=float)
    A, n_y = int(anchors_count), 5 + int(n_classes)
    if Y_hat.ndim != 3 or Y_hat.shape[2] != A * n_y:
        raise ValueError(f"yolo_boxes_to_corners: Y_hat must be (S_H, S_W, {A * n_y}) for {A} anchors and "
                         f"{n_classes} classes, got shape {Y_hat.shape}")
    n_H, n_W = _pair(image_size, "image_size", "yolo_boxes_to_corners")
    S_H, S_W = Y_hat.shape[:2]
    Y = Y_hat.reshape(S_H, S_W, A, n_y)
    rows, cols = np.mgrid[0:S_H, 0:S_W]
    cx = (cols[:, :, None] + Y[..., 1]) * n_W / S_W
    cy = (rows[:, :, None] + Y[..., 2]) * n_H / S_H
    h, w = Y[..., 3] * n_H / S_H, Y[..., 4] * n_W / S_W
    boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=-1)
    return Y[..., 0:1].copy(), boxes, Y[..., 5:].copy()


def yolo_filter_boxes(box_confidence, boxes, box_class_probs, threshold=0.6):
    """Keep the boxes whose best class score is above the threshold.

    A box's class scores are ``box_confidence * box_class_probs`` (p_c times each class's probability); its
    class is the one with the highest score (the first on a tie) and its score that highest score. Boxes with
    a score ``<= threshold`` are discarded (the notes: "discard all boxes with p_c <= 0.6").

    Arguments:
        box_confidence -- ``(..., 1)``, p_c of every box (e.g. ``(S_H, S_W, A, 1)``);
        boxes -- ``(..., 4)``, the boxes; box_class_probs -- ``(..., C)``, class probabilities;
        threshold -- a number.
    Returns: ``(scores (k,), boxes (k, 4), classes (k,))`` of the k kept boxes, in the order of the input
        (row by row, as boolean indexing of the leading axes gives them); classes are integers.
    Raises: ValueError if the three arrays' leading axes differ or their last axes are not 1, 4 and C.
    """
    box_confidence, boxes = np.asarray(box_confidence), np.asarray(boxes)
    box_class_probs = np.asarray(box_class_probs)
    lead = box_confidence.shape[:-1]
    if (box_confidence.shape[-1:] != (1,) or boxes.shape != lead + (4,) or box_class_probs.shape[:-1] != lead
            or box_class_probs.ndim < 1):
        raise ValueError(f"yolo_filter_boxes: expected box_confidence (..., 1), boxes (..., 4) and box_class_probs "
                         f"(..., C) with the same leading axes; got {box_confidence.shape}, {boxes.shape} and "
                         f"{box_class_probs.shape}")
    box_scores = box_confidence * box_class_probs
    box_classes = np.argmax(box_scores, axis=-1)
    box_class_scores = np.max(box_scores, axis=-1)
    keep = box_class_scores > threshold
    return box_class_scores[keep], boxes[keep], box_classes[keep]


yolo_filter_boxes.__output_parts__ = "scores, boxes, classes"


def _nms_inputs(scores, boxes, max_boxes, where):
    scores, boxes = np.asarray(scores), np.asarray(boxes)
    if scores.ndim != 1 or boxes.shape != (scores.shape[0], 4):
        raise ValueError(f"{where}: scores must be (k,) and boxes (k, 4), got {scores.shape} and {boxes.shape}")
    if isinstance(max_boxes, bool) or not isinstance(max_boxes, (int, np.integer)) or max_boxes < 0:
        raise ValueError(f"{where}: max_boxes must be an integer >= 0, got {max_boxes!r}")
    return scores, boxes


def non_max_suppression(scores, boxes, max_boxes=10, iou_threshold=0.5):
    """Greedy non-max suppression of one class's boxes (the notes' algorithm).

    While boxes remain and fewer than max_boxes are kept: keep the remaining box with the largest score
    (the earlier one on a tie), then discard every remaining box whose IoU with it is ``> iou_threshold``.

    Arguments: scores -- ``(k,)``; boxes -- ``(k, 4)`` corners; max_boxes -- the most boxes kept (integer >= 0);
        iou_threshold -- boxes overlapping a kept box by more than this are suppressed.
    Returns: ``(n,)`` int64 indices into the input of the kept boxes, in the order they were kept (decreasing
        score), ``n <= max_boxes``.
    Raises: ValueError if scores is not ``(k,)``, boxes not ``(k, 4)``, or max_boxes not an integer >= 0.
    """
    scores, boxes = _nms_inputs(scores, boxes, max_boxes, "non_max_suppression")
    order = list(np.argsort(-scores, kind="stable"))
    overlaps = iou_matrix(boxes, boxes)
    kept = []
    while order and len(kept) < max_boxes:
        best = order.pop(0)
        kept.append(best)
        order = [i for i in order if overlaps[best, i] <= iou_threshold]
    return np.array(kept, dtype=np.int64)


def yolo_non_max_suppression(scores, boxes, classes, max_boxes=10, iou_threshold=0.5):
    """Non-max suppression class by class, then the max_boxes best boxes of all classes.

    Each class's boxes go through :func:`non_max_suppression` on their own (a box never suppresses a box of
    another class); the boxes kept over all classes are sorted by decreasing score (a stable sort: on a tie,
    the earlier in the input first) and the first max_boxes returned.

    Arguments: scores -- ``(k,)``; boxes -- ``(k, 4)``; classes -- ``(k,)`` integers (e.g. from
        :func:`yolo_filter_boxes`); max_boxes -- integer >= 0; iou_threshold -- as in :func:`non_max_suppression`.
    Returns: ``(scores (n,), boxes (n, 4), classes (n,))`` of the kept boxes, by decreasing score, n <= max_boxes.
    Raises: ValueError if the shapes do not match or max_boxes is not an integer >= 0.
    """
    scores, boxes = _nms_inputs(scores, boxes, max_boxes, "yolo_non_max_suppression")
    classes = np.asarray(classes)
    if classes.shape != scores.shape:
        raise ValueError(f"yolo_non_max_suppression: classes must be {scores.shape}, like scores, got {classes.shape}")
    kept = []
    for c in np.unique(classes):
        members = np.flatnonzero(classes == c)
        kept.extend(members[non_max_suppression(scores[members], boxes[members], max_boxes, iou_threshold)])
    kept = np.array(sorted(kept), dtype=np.int64)
    kept = kept[np.argsort(-scores[kept], kind="stable")][:max_boxes]
    return scores[kept], boxes[kept], classes[kept]


yolo_non_max_suppression.__output_parts__ = "scores, boxes, classes"


def yolo_eval(Y_hat, image_size, anchors_count, n_classes=3, score_threshold=0.6, max_boxes=10, iou_threshold=0.5):
    """One picture's output volume to its final detections: corners, score filtering, per-class non-max suppression.

    Arguments: Y_hat -- ``(S_H, S_W, A (5 + C))`` slots; image_size -- ``(n_H, n_W)``; anchors_count -- A;
        n_classes -- C; score_threshold, max_boxes, iou_threshold -- as in :func:`yolo_filter_boxes` and
        :func:`yolo_non_max_suppression`.
    Returns: ``(scores (n,), boxes (n, 4), classes (n,))`` by decreasing score.
    Raises: ValueError as :func:`yolo_boxes_to_corners`.
    """
    confidence, boxes, probs = yolo_boxes_to_corners(Y_hat, image_size, anchors_count, n_classes)
    scores, boxes, classes = yolo_filter_boxes(confidence, boxes, probs, score_threshold)
    return yolo_non_max_suppression(scores, boxes, classes, max_boxes, iou_threshold)
