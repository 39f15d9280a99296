"""A small YOLO-style detector for the generated scenes (Track 4, notebook 05), and the kit's trained weights.

Architecture (J. Redmon et al. (2016), "You Only Look Once", CVPR, scaled down; anchor boxes and the output
parametrisation of J. Redmon and A. Farhadi (2017), "YOLO9000", CVPR), on ``(m, n_H, n_W, 3)`` images:

    [CONV 3 x 3 (same) -> RELU -> MAX POOL 2 x 2] x POOLED     (height and width halved each time)
    [CONV 3 x 3 (same) -> RELU] x (the remaining blocks)
    CONV 1 x 1 -> A (5 + C) channels -> YOLO head              (:func:`course_utils.models.yolo.yolo_head_forward`)

so a 32 x 32 picture gives a 4 x 4 grid of cells of 8 x 8 pixels, each with A = 2 anchors of ``5 + C = 8``
numbers: the ``(m, 4, 4, 16)`` volume of the notes' ``y`` (3 x 3 x 16 there). The cost is the notes' two-case
squared loss of every slot (:func:`course_utils.models.yolo.localization_loss` with YOLO's weights
lambda_coord = 5, lambda_noobj = 0.5), summed over the slots of a picture and averaged over the pictures; the
targets come from :func:`course_utils.models.yolo.assign_anchor_boxes`.

Parameters (a dict): ``W1 .. WL`` ``(f, f, n_C_prev, n_C)`` and ``b1 .. bL`` ``(1, 1, 1, n_C)`` for the L - 1
convolution blocks (f odd, same padding), ``W_out`` ``(1, 1, n_C, A (5 + C))`` and ``b_out`` ``(1, 1, 1, A (5 + C))``.
The first :data:`POOLED` blocks pool. Everything is built from the library's layers (:mod:`course_utils.nn.conv`,
:mod:`course_utils.nn.activations`) and trained by :func:`course_utils.optim.loop.train`; the parameters' floating
dtype is the one the network computes in (float32 for the kit). No function modifies its arguments.
"""

from __future__ import annotations

import time

import numpy as np

from course_utils.data.scenes import CLASSES, make_scenes
from course_utils.metrics.detection import mean_average_precision, mean_best_iou
from course_utils.models.yolo import (assign_anchor_boxes, localization_loss, localization_loss_backward,
                                      yolo_eval, yolo_head_backward, yolo_head_forward)
from course_utils.nn.activations import relu_backward, relu_forward
from course_utils.nn.conv import conv2d_backward, conv2d_forward, max_pool_backward, max_pool_forward
from course_utils.optim.loop import train
from course_utils.rng import make_rng

__all__ = ["POOLED", "ANCHORS", "LAMBDA_COORD", "LAMBDA_NOOBJ", "KIT", "initialize_detector", "detector_targets",
           "detector_forward", "detector_backward", "detector_cost", "detector_step", "detector_predict", "detect",
           "train_detector", "evaluate_detector", "train_kit_detector"]

#: The first POOLED convolution blocks end with 2 x 2 max pooling: a 32 x 32 picture becomes a 4 x 4 grid.
POOLED = 3
#: The two anchor shapes (b_h, b_w) in cell units. The scenes' objects are about as tall as wide (circles,
#: squares, triangles in squares of 8 to 14 pixels), so the anchors differ in size, not in shape: about one cell
#: and about one and a half (k-means of the training boxes' shapes would give much the same).
ANCHORS = np.array([[1.1, 1.1], [1.55, 1.55]])
#: YOLO's weights of the box terms and of the no-object term (Redmon et al. 2016).
LAMBDA_COORD, LAMBDA_NOOBJ = 5.0, 0.5
#: The kit's settings (:func:`train_kit_detector`).
KIT = {"filters": (16, 32, 64, 64), "train_scenes": 2400, "train_seed": 2051, "init_seed": 2052,
       "shuffle_seed": 2053, "test_scenes": 300, "test_seed": 2054, "num_epochs": 12, "mini_batch_size": 32,
       "learning_rate": 0.003}


def _blocks(parameters, where="parameters"):
    if not isinstance(parameters, dict) or "W_out" not in parameters or "W1" not in parameters:
        raise ValueError(f"{where} must be a detector parameter dict (W1, b1, ..., W_out, b_out), got "
                         f"{sorted(parameters) if isinstance(parameters, dict) else type(parameters).__name__}")
    L = 0
    while f"W{L + 1}" in parameters:
        L += 1
    expected = {f"{p}{l}" for l in range(1, L + 1) for p in "Wb"} | {"W_out", "b_out"}
    if set(parameters) != expected:
        raise ValueError(f"{where} must hold exactly {sorted(expected)}, got {sorted(parameters)}")
    return L


def initialize_detector(input_shape=(32, 32, 3), filters=KIT["filters"], n_anchors=2, n_classes=3, f=3, seed=0,
                        dtype=np.float32):
    """He-initialised detector parameters (the output layer small, so training starts from calm predictions).

    Arguments: input_shape -- ``(n_H, n_W, n_C)``; filters -- channels of each convolution block (at least
        POOLED of them); n_anchors -- A; n_classes -- C; f -- odd filter size; seed -- int or Generator (drawn
        W1, W2, ..., W_out in order); dtype -- the parameters' dtype.
    Returns: the parameter dict ``W1, b1, ..., WL, bL, W_out, b_out``.
    Raises: ValueError if f is even, there are fewer than POOLED blocks, or the picture is too small to be pooled
        POOLED times.
    """
    n_H, n_W, n_C = (int(v) for v in input_shape)
    if f % 2 == 0 or len(filters) < POOLED or min(n_H, n_W) < 2 ** POOLED:
        raise ValueError(f"initialize_detector: needs an odd f, at least {POOLED} blocks and pictures of at least "
                         f"{2 ** POOLED} pixels; got f={f}, filters={filters}, input_shape={input_shape}")
    rng = make_rng(seed)
    p = {}
    for l, k in enumerate(filters, start=1):
        p[f"W{l}"] = (rng.standard_normal((f, f, n_C, k)) * np.sqrt(2.0 / (f * f * n_C))).astype(dtype)
        p[f"b{l}"] = np.zeros((1, 1, 1, k), dtype=dtype)
        n_C = k
    n_out = n_anchors * (5 + n_classes)
    p["W_out"] = (rng.standard_normal((1, 1, n_C, n_out)) * 0.1 * np.sqrt(1.0 / n_C)).astype(dtype)
    p["b_out"] = np.zeros((1, 1, 1, n_out), dtype=dtype)
    return p


def detector_targets(boxes, labels, image_size, anchors=ANCHORS, n_classes=3):
    """The target volumes of a batch of pictures (:func:`course_utils.models.yolo.assign_anchor_boxes` for each).

    Arguments: boxes, labels -- lists of m arrays ``(k_i, 4)`` and ``(k_i,)`` (as :func:`make_scenes` gives them);
        image_size -- ``(n_H, n_W)``; anchors -- ``(A, 2)``; n_classes -- C. The grid is the picture divided by
        ``2^POOLED``.
    Returns: ``(m, S_H, S_W, A (5 + C))`` float32 targets.
    Raises: ValueError as :func:`course_utils.models.yolo.assign_anchor_boxes`.
    """
    n_H, n_W = int(image_size[0]), int(image_size[1])
    grid = (n_H // 2 ** POOLED, n_W // 2 ** POOLED)
    return np.stack([assign_anchor_boxes(b, l, (n_H, n_W), grid, anchors, n_classes)
                     for b, l in zip(boxes, labels)]).astype(np.float32)


def _dtype(parameters):
    dtype = np.asarray(parameters["W1"]).dtype
    return dtype if np.issubdtype(dtype, np.floating) else np.dtype(float)


def detector_forward(X, parameters, anchors=ANCHORS, n_classes=3):
    """Forward pass: the output volume of every picture.

    Arguments: X -- ``(m, n_H, n_W, n_C)`` images; parameters -- as in the module docstring; anchors -- ``(A, 2)``;
        n_classes -- C.
    Returns: ``(Y_hat, caches)``: Y_hat ``(m, n_H / 2^POOLED, n_W / 2^POOLED, A (5 + C))`` slots
        ``[p_c, b_x, b_y, b_h, b_w, class probabilities]``; caches for :func:`detector_backward`.
    Raises: ValueError for a malformed parameter dict or images that do not fit it.
    """
    L = _blocks(parameters)
    A = np.asarray(X).astype(_dtype(parameters), copy=False)
    if A.ndim != 4 or A.shape[3] != parameters["W1"].shape[2]:
        raise ValueError(f"detector_forward: X must be images (m, n_H, n_W, {parameters['W1'].shape[2]}), got {A.shape}")
    caches = []
    for l in range(1, L + 1):
        W = parameters[f"W{l}"]
        Z, conv_cache = conv2d_forward(A, W, parameters[f"b{l}"], stride=1, pad=W.shape[0] // 2)
        A, relu_cache = relu_forward(Z)
        pool_cache = None
        if l <= POOLED:
            A, pool_cache = max_pool_forward(A, 2, 2)
        caches.append((conv_cache, relu_cache, pool_cache))
    Z, out_cache = conv2d_forward(A, parameters["W_out"], parameters["b_out"])
    Y_hat, head_cache = yolo_head_forward(Z, anchors, n_classes)
    caches.append((out_cache, head_cache))
    return Y_hat, caches


def detector_cost(Y_hat, Y, n_classes=3):
    """The cost: the weighted two-case squared loss of every slot, summed per picture, averaged over pictures.

    Arguments: Y_hat, Y -- ``(m, S_H, S_W, A (5 + C))`` predictions and targets; n_classes -- C.
    Returns: ``(cost, dY_hat)``: the cost (a float) and its gradient with respect to Y_hat (Y_hat's shape, float64).
    Raises: ValueError if the shapes differ or the last axis is not a multiple of 5 + C.
    """
    Y_hat, Y = np.asarray(Y_hat, dtype=float), np.asarray(Y, dtype=float)
    n_y = 5 + int(n_classes)
    if Y_hat.shape != Y.shape or Y.ndim != 4 or Y.shape[3] % n_y:
        raise ValueError(f"detector_cost: Y_hat and Y must both be (m, S_H, S_W, A (5 + C)), got {Y_hat.shape} "
                         f"and {Y.shape}")
    m = Y.shape[0]
    y_hat, y = Y_hat.reshape(-1, n_y).T, Y.reshape(-1, n_y).T      # one column per slot
    cost = float(np.sum(localization_loss(y_hat, y, LAMBDA_COORD, LAMBDA_NOOBJ)) / m)
    d = localization_loss_backward(y_hat, y, LAMBDA_COORD, LAMBDA_NOOBJ) / m
    return cost, d.T.reshape(Y.shape)


def detector_backward(dY_hat, caches):
    """Backward pass of :func:`detector_forward`.

    Arguments: dY_hat -- the gradient of the cost with respect to Y_hat (its shape); caches of the forward pass.
    Returns: grads, ``"d" + name`` for every parameter (the parameters' shapes; sums over the batch).
    Raises: ValueError if dY_hat does not have Y_hat's shape.
    """
    out_cache, head_cache = caches[-1]
    dtype = out_cache[1].dtype
    dZ, _ = yolo_head_backward(dY_hat, head_cache)
    dA, g = conv2d_backward(dZ.astype(dtype, copy=False), out_cache)
    grads = {"dW_out": g["dW"], "db_out": g["db"]}
    for l in range(len(caches) - 1, 0, -1):
        conv_cache, relu_cache, pool_cache = caches[l - 1]
        if pool_cache is not None:
            dA, _ = max_pool_backward(dA, pool_cache)
        dZ, _ = relu_backward(dA, relu_cache)
        dA, g = conv2d_backward(dZ.astype(dtype, copy=False), conv_cache)
        grads[f"dW{l}"], grads[f"db{l}"] = g["dW"], g["db"]
    return grads


def detector_step(parameters, X, Y, anchors=ANCHORS, n_classes=3):
    """One step for :func:`course_utils.optim.loop.train` (``example_axis=0``): the cost and its gradients.

    Arguments: parameters; X ``(m, n_H, n_W, n_C)``; Y ``(m, S_H, S_W, A (5 + C))`` targets; anchors; n_classes.
    Returns: ``(cost, grads)``.
    Raises: ValueError as :func:`detector_forward` and :func:`detector_cost`.
    """
    Y_hat, caches = detector_forward(X, parameters, anchors, n_classes)
    cost, dY_hat = detector_cost(Y_hat, Y, n_classes)
    return cost, detector_backward(dY_hat, caches)


def detector_predict(X, parameters, anchors=ANCHORS, n_classes=3, batch_size=256):
    """The output volumes of many pictures, computed batch by batch (memory only; the result does not depend on it).

    Arguments: X ``(m, n_H, n_W, n_C)``; parameters; anchors; n_classes; batch_size >= 1.
    Returns: ``(m, S_H, S_W, A (5 + C))`` slots, in the parameters' dtype.
    Raises: ValueError as :func:`detector_forward`.
    """
    X = np.asarray(X)
    parts = [detector_forward(X[k:k + batch_size], parameters, anchors, n_classes)[0]
             for k in range(0, X.shape[0], int(batch_size))]
    return np.concatenate(parts)


def detect(X, parameters, anchors=ANCHORS, n_classes=3, score_threshold=0.6, max_boxes=10, iou_threshold=0.5):
    """Detections of every picture: the network, then :func:`course_utils.models.yolo.yolo_eval` per picture.

    Arguments: X ``(m, n_H, n_W, n_C)``; parameters; anchors ``(A, 2)``; n_classes; score_threshold, max_boxes,
        iou_threshold -- as in yolo_eval (score_threshold 0 and iou_threshold 1 keep every box).
    Returns: ``(scores, boxes, classes)``: three lists of m arrays ``(n_i,)``, ``(n_i, 4)`` pixels, ``(n_i,)``.
    Raises: ValueError as :func:`detector_forward`.
    """
    Y_hat = detector_predict(X, parameters, anchors, n_classes)
    image_size = np.asarray(X).shape[1:3]
    out = [yolo_eval(y, image_size, len(anchors), n_classes, score_threshold, max_boxes, iou_threshold) for y in Y_hat]
    return [o[0] for o in out], [o[1] for o in out], [o[2] for o in out]


def train_detector(X, Y, parameters, *, learning_rate=0.003, num_epochs=10, mini_batch_size=32, seed=0,
                   anchors=ANCHORS, n_classes=3, progress=False, desc="detector"):
    """Train with Adam through :func:`course_utils.optim.loop.train` (``example_axis=0``).

    Arguments: X -- ``(m, n_H, n_W, n_C)`` images; Y -- ``(m, S_H, S_W, A (5 + C))`` targets
        (:func:`detector_targets`); parameters -- starting parameters (not modified); learning_rate,
        num_epochs, mini_batch_size, seed (epoch e shuffles with seed + e), progress, desc -- for the loop;
        anchors, n_classes -- as in :func:`detector_forward`.
    Returns: ``(parameters, history)`` as the loop returns them.
    Raises: ValueError as :func:`detector_step` and the loop.
    """
    X = np.asarray(X).astype(_dtype(parameters), copy=False)

    def step(p, X_batch, Y_batch):
        return detector_step(p, X_batch, Y_batch, anchors, n_classes)
    return train(step, parameters, X, Y, optimizer="adam", config={"learning_rate": learning_rate},
                 num_epochs=num_epochs, mini_batch_size=mini_batch_size, seed=seed, progress=progress, desc=desc,
                 example_axis=0)


def evaluate_detector(scenes, parameters, anchors=ANCHORS, n_classes=3, score_threshold=0.05, max_boxes=10,
                      iou_threshold=0.5):
    """mAP@0.5 and mean IoU of the detector on scenes with exact labels.

    Arguments: scenes -- a :class:`course_utils.data.scenes.Scenes`; parameters; anchors; n_classes;
        score_threshold -- boxes kept for the precision-recall curves (low: AP sweeps all thresholds above it);
        max_boxes, iou_threshold -- non-max suppression's.
    Returns: dict with ``"map50"`` (:func:`course_utils.metrics.detection.mean_average_precision` at 0.5),
        ``"ap50"`` (per class, ``(C,)``), ``"mean_iou"`` (:func:`course_utils.metrics.detection.mean_best_iou` of
        the boxes kept at score 0.6) and the detections at both thresholds, ``"low"`` and ``"final"``.
    Raises: ValueError as :func:`detect`.
    """
    low = detect(scenes.images, parameters, anchors, n_classes, score_threshold, max_boxes, iou_threshold)
    final = detect(scenes.images, parameters, anchors, n_classes, 0.6, max_boxes, iou_threshold)
    map50, ap = mean_average_precision(low[1], low[0], low[2], scenes.boxes, scenes.labels, n_classes, 0.5)
    return {"map50": map50, "ap50": ap, "mean_iou": mean_best_iou(final[1], scenes.boxes), "low": low,
            "final": final}


def train_kit_detector(num_epochs=None, train_scenes=None, test_scenes=None):
    """Train the kit's detector on generated scenes, deterministically, and measure it on fresh scenes.

    Arguments: num_epochs, train_scenes, test_scenes -- None for the kit's settings (:data:`KIT`); smaller values
        make a quick run for tests (not the kit's file).
    Returns: ``(arrays, meta)``: arrays -- the trained parameters by name, float32; meta -- source, licence,
        how_built, seed, figures (mAP@0.5, per-class AP, mean IoU on fresh scenes, the last epoch's cost) and
        train_seconds, for the data store's manifest.
    """
    k = dict(KIT)
    for name, value in (("num_epochs", num_epochs), ("train_scenes", train_scenes), ("test_scenes", test_scenes)):
        if value is not None:
            k[name] = int(value)
    scenes = make_scenes(k["train_scenes"], seed=k["train_seed"])
    Y = detector_targets(scenes.boxes, scenes.labels, scenes.images.shape[1:3])
    p0 = initialize_detector(scenes.images.shape[1:], k["filters"], len(ANCHORS), len(CLASSES), seed=k["init_seed"])
    start = time.perf_counter()
    params, history = train_detector(scenes.images, Y, p0, learning_rate=k["learning_rate"],
                                     num_epochs=k["num_epochs"], mini_batch_size=k["mini_batch_size"],
                                     seed=k["shuffle_seed"])
    seconds = time.perf_counter() - start
    test = make_scenes(k["test_scenes"], seed=k["test_seed"])
    result = evaluate_detector(test, params)
    figures = {"map50": round(result["map50"], 4), "mean_iou": round(result["mean_iou"], 4),
               **{f"ap50_{n}": round(float(v), 4) for n, v in zip(CLASSES, result["ap50"])},
               "final_cost": round(float(history["cost"][-1]), 4) if history["cost"] else float("nan")}
    meta = {
        "source": "trained by the kit on scenes of course_utils.data.scenes.make_scenes (generated, exact boxes)",
        "licence": "MIT (the kit's own weights; no downloaded data)",
        "how_built": (f"course_utils.models.detector.kit_weights(): convolution blocks of {k['filters']} filters "
                      f"(the first {POOLED} pooled), a 1 x 1 output convolution to {len(ANCHORS)} anchors x 8, "
                      f"{k['train_scenes']} scenes of 32 x 32 (seed {k['train_seed']}), Adam learning rate "
                      f"{k['learning_rate']}, {k['num_epochs']} epochs of mini-batches of {k['mini_batch_size']} "
                      f"(shuffle seed {k['shuffle_seed']}, init seed {k['init_seed']}); figures on "
                      f"{k['test_scenes']} fresh scenes (seed {k['test_seed']})"),
        "seed": k["init_seed"],
        "figures": figures,
        "train_seconds": round(seconds, 1),
    }
    return {name: np.asarray(v, dtype=np.float32) for name, v in params.items()}, meta


def kit_weights():
    """The kit's ``detector`` weights, for the data store (``python -m course_utils.data build detector``):
    :func:`train_kit_detector` with the kit's settings.

    Returns: ``(arrays, meta)`` as :func:`train_kit_detector`.
    """
    return train_kit_detector()
