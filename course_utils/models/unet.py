"""A small U-Net for semantic segmentation: a class for every pixel (Track 4, notebook 06).

Architecture (O. Ronneberger, P. Fischer and T. Brox (2015), "U-Net: Convolutional Networks for Biomedical
Image Segmentation", MICCAI, LNCS 9351, pp. 234-241, arXiv:1505.04597), scaled down, with same padding so
that no cropping is needed. With ``filters = (F_1, ..., F_{D+1})`` the network has D poolings:

    encoder, level l = 1 .. D:   [CONV f x f -> RELU] x 2 (F_l channels)  --copy-->  skip_l
                                 MAX POOL 2 x 2 (height and width halved)
    bottom, level D + 1:         [CONV f x f -> RELU] x 2 (F_{D+1} channels)
    decoder, level l = D .. 1:   TRANSPOSED CONV 3 x 3, stride 2, pad 1, output_padding 1 (F_l channels,
                                 height and width doubled) -> CONCATENATE with skip_l (2 F_l channels)
                                 -> [CONV f x f -> RELU] x 2 (F_l channels)
    output:                      CONV 1 x 1 (n_classes channels) -> SOFTMAX over the channels of every pixel

So ``(m, n_H, n_W, n_C)`` images become ``(m, n_H, n_W, n_classes)`` probabilities; n_H and n_W must be
multiples of ``2^D``. The transposed convolution is the notes' example, f = 3, p = 1, s = 2, which maps n to
2n (:func:`course_utils.nn.conv.conv_transpose_forward` with ``output_padding=1``).

Parameters (a dict; the architecture is read from their shapes), for l = 1 .. D + 1 and every decoder level:

* ``enc{l}_W1`` ``(f, f, n_in, F_l)``, ``enc{l}_W2`` ``(f, f, F_l, F_l)`` and biases ``enc{l}_b1``, ``enc{l}_b2``
  ``(1, 1, 1, F_l)`` (``n_in`` the image's channels for l = 1, else ``F_{l-1}``);
* ``up{l}_W`` ``(3, 3, F_l, F_{l+1})`` (the layout of :func:`~course_utils.nn.conv.conv_transpose_forward`: the
  filters of the convolution it transposes) and ``up{l}_b`` ``(1, 1, 1, F_l)``, for l = 1 .. D;
* ``dec{l}_W1`` ``(f, f, 2 F_l, F_l)``, ``dec{l}_W2`` ``(f, f, F_l, F_l)``, ``dec{l}_b1``, ``dec{l}_b2``;
* ``out_W`` ``(1, 1, F_1, n_classes)`` and ``out_b`` ``(1, 1, 1, n_classes)``.

Masks are integers ``(m, n_H, n_W)`` in ``0 .. n_classes - 1`` (:mod:`course_utils.data.scenes`: 0 is the
background). The cost is the softmax cross-entropy of every pixel, averaged over all pixels of the batch
(:mod:`course_utils.nn.losses` with the pixels as its examples), so every layer's gradients are sums, as
everywhere in the library. Everything is built from the library's layers: :mod:`course_utils.nn.conv`
(convolution, max pooling, transposed convolution), :mod:`course_utils.nn.activations` (ReLU, softmax) and
:mod:`course_utils.nn.concat` (the skip connection); training goes through :func:`course_utils.optim.loop.train`.
The parameters' floating dtype is the one the network computes in (float32 by default).

``up_forward``: every function that runs the network takes an optional transposed convolution with the
signature and cache of :func:`~course_utils.nn.conv.conv_transpose_forward` (its backward pass is the
library's :func:`~course_utils.nn.conv.conv_transpose_backward`); notebook 06 passes the student's own. None
means the library's. No function modifies its arguments.
"""

from __future__ import annotations

import time

import numpy as np

from course_utils.data.scenes import CLASSES, make_scenes
from course_utils.metrics.segmentation import per_class_iou
from course_utils.nn.activations import relu_backward, relu_forward, softmax
from course_utils.nn.concat import concat_backward, concat_forward
from course_utils.nn.conv import (conv2d_backward, conv2d_forward, conv_transpose_backward, conv_transpose_forward,
                                  max_pool_backward, max_pool_forward)
from course_utils.nn.losses import softmax_cross_entropy_cost, softmax_cross_entropy_cost_backward
from course_utils.optim.loop import train
from course_utils.rng import make_rng

# kit_weights is public but not listed: the data store calls it, and it trains for over a minute (train_kit_unet
# is the same with settings a test can make small)
__all__ = ["UP", "initialize_unet", "unet_forward", "unet_backward", "unet_step", "unet_predict", "unet_activations",
           "train_unet", "train_kit_unet"]

#: The transposed convolution of every decoder level: the notes' f = 3, p = 1, s = 2, with the output padding
#: that makes it map n to exactly 2n.
UP = {"f": 3, "stride": 2, "pad": 1, "output_padding": 1}


# --- parameters ---------------------------------------------------------------------------------------

def _levels(parameters, where="parameters"):
    """D (the number of poolings), F (channels per level) and f; ValueError for a malformed dict."""
    if not isinstance(parameters, dict) or "enc1_W1" not in parameters or "out_W" not in parameters:
        raise ValueError(f"{where} must be a U-Net parameter dict (enc1_W1, ..., out_W, out_b; see "
                         f"course_utils.models.unet), got {sorted(parameters) if isinstance(parameters, dict) else type(parameters).__name__}")
    D = 0
    while f"enc{D + 2}_W1" in parameters:
        D += 1
    F = [np.shape(parameters[f"enc{l}_W1"])[3] for l in range(1, D + 2)]
    f = np.shape(parameters["enc1_W1"])[0]
    expected = {"out_W": (1, 1, F[0], np.shape(parameters["out_W"])[3]), "out_b": (1, 1, 1, np.shape(parameters["out_W"])[3])}
    for l in range(1, D + 2):
        n_in = np.shape(parameters["enc1_W1"])[2] if l == 1 else F[l - 2]
        expected.update({f"enc{l}_W1": (f, f, n_in, F[l - 1]), f"enc{l}_b1": (1, 1, 1, F[l - 1]),
                         f"enc{l}_W2": (f, f, F[l - 1], F[l - 1]), f"enc{l}_b2": (1, 1, 1, F[l - 1])})
    for l in range(1, D + 1):
        expected.update({f"up{l}_W": (UP["f"], UP["f"], F[l - 1], F[l]), f"up{l}_b": (1, 1, 1, F[l - 1]),
                         f"dec{l}_W1": (f, f, 2 * F[l - 1], F[l - 1]), f"dec{l}_b1": (1, 1, 1, F[l - 1]),
                         f"dec{l}_W2": (f, f, F[l - 1], F[l - 1]), f"dec{l}_b2": (1, 1, 1, F[l - 1])})
    wrong = {k: np.shape(parameters.get(k)) for k, s in expected.items() if np.shape(parameters.get(k)) != s}
    extra = sorted(set(parameters) - set(expected))
    if wrong or extra or f % 2 == 0:
        raise ValueError(f"{where}: not the parameters of a U-Net with filters {tuple(F)} and odd f (got f = {f}): "
                         f"wrong shapes {wrong} (expected {[expected[k] for k in wrong]}), unknown {extra}")
    return D, F, f


def initialize_unet(input_shape=(32, 32, 3), filters=(8, 16, 32), n_classes=4, f=3, seed=0, dtype=np.float32):
    """He-initialised parameters of the U-Net of the module docstring.

    Arguments:
        input_shape -- ``(n_H, n_W, n_C)`` of one image; n_H and n_W multiples of ``2^D``.
        filters -- channels per level, ``(F_1, ..., F_{D+1})``: ``len(filters) - 1 = D`` poolings (D >= 1).
        n_classes -- the number of classes of a pixel (background included).
        f -- the convolutions' size, odd (same padding ``(f - 1) / 2``).
        seed -- int or ``np.random.Generator``; drawn in the order of the module docstring's list (encoder levels,
            then decoder levels from the bottom up, then the output layer): ``W = standard_normal * sqrt(2 / fan_in)``
            with fan_in ``f f n_in`` for a convolution and ``9 F_{l+1} / 4`` for a transposed convolution (each
            output pixel of a stride-2, 3 x 3 one gets 9/4 input pixels on average); biases are zero.
        dtype -- the parameters' dtype.
    Returns: the parameter dict.
    Raises: ValueError for an even or non-positive f, fewer than two levels, a count < 1, n_classes < 2, or an image
        size that is not a multiple of ``2^D``.
    Source: K. He, X. Zhang, S. Ren and J. Sun (2015), "Delving Deep into Rectifiers", ICCV (the scale).
    """
    filters = tuple(int(k) for k in filters)
    n_H, n_W, n_C = (int(v) for v in input_shape)
    D = len(filters) - 1
    if isinstance(f, bool) or not isinstance(f, (int, np.integer)) or f < 1 or f % 2 == 0:
        raise ValueError(f"initialize_unet: f must be an odd integer >= 1, got {f!r}")
    if D < 1 or min(filters) < 1:
        raise ValueError(f"initialize_unet: filters must be two or more counts >= 1 (one per level), got {filters}")
    if int(n_classes) < 2:
        raise ValueError(f"initialize_unet: n_classes must be at least 2 (background and one class), got {n_classes}")
    if n_H % 2 ** D or n_W % 2 ** D or min(n_H, n_W, n_C) < 1:
        raise ValueError(f"initialize_unet: {D} poolings need a height and width that are multiples of {2 ** D}, "
                         f"got {n_H} x {n_W}")
    rng = make_rng(seed)

    def he(shape, fan_in):
        return (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(dtype)

    p = {}
    for l in range(1, D + 2):
        n_in = n_C if l == 1 else filters[l - 2]
        F = filters[l - 1]
        p[f"enc{l}_W1"], p[f"enc{l}_b1"] = he((f, f, n_in, F), f * f * n_in), np.zeros((1, 1, 1, F), dtype)
        p[f"enc{l}_W2"], p[f"enc{l}_b2"] = he((f, f, F, F), f * f * F), np.zeros((1, 1, 1, F), dtype)
    for l in range(D, 0, -1):
        F = filters[l - 1]
        p[f"up{l}_W"] = he((UP["f"], UP["f"], F, filters[l]), UP["f"] ** 2 * filters[l] / UP["stride"] ** 2)
        p[f"up{l}_b"] = np.zeros((1, 1, 1, F), dtype)
        p[f"dec{l}_W1"], p[f"dec{l}_b1"] = he((f, f, 2 * F, F), f * f * 2 * F), np.zeros((1, 1, 1, F), dtype)
        p[f"dec{l}_W2"], p[f"dec{l}_b2"] = he((f, f, F, F), f * f * F), np.zeros((1, 1, 1, F), dtype)
    p["out_W"] = he((1, 1, filters[0], int(n_classes)), filters[0])
    p["out_b"] = np.zeros((1, 1, 1, int(n_classes)), dtype)
    return p


# --- forward and backward ------------------------------------------------------------------------------

def _dtype(parameters):
    dtype = np.asarray(parameters["enc1_W1"]).dtype
    return dtype if np.issubdtype(dtype, np.floating) else np.dtype(float)


def _images(X, parameters, D, where):
    X = np.asarray(X)
    n_C = np.shape(parameters["enc1_W1"])[2]
    if X.ndim != 4 or X.shape[3] != n_C or X.shape[1] % 2 ** D or X.shape[2] % 2 ** D:
        raise ValueError(f"{where}: X must be images (m, n_H, n_W, {n_C}) with n_H and n_W multiples of {2 ** D}, "
                         f"got {X.shape}")
    return X.astype(_dtype(parameters), copy=False)


def _conv_relu(A, W, b, dtype):
    Z, conv_cache = conv2d_forward(A, W, b, stride=1, pad=W.shape[0] // 2)
    R, relu_cache = relu_forward(Z)
    return R.astype(dtype, copy=False), (conv_cache, relu_cache)


def _conv_relu_backward(dR, cache, dtype):
    conv_cache, relu_cache = cache
    dZ, _ = relu_backward(dR, relu_cache)
    dA, g = conv2d_backward(dZ.astype(dtype, copy=False), conv_cache)
    return dA, g


def _forward(X, parameters, D, up_forward, keep, record=None):
    """Scores (m, n_H, n_W, K) before the softmax, and the caches in the order the backward pass pops them."""
    p, dtype = parameters, X.dtype
    up_forward = conv_transpose_forward if up_forward is None else up_forward
    caches, skips, A = [], [], X
    for l in range(1, D + 2):
        for k in (1, 2):
            A, cache = _conv_relu(A, p[f"enc{l}_W{k}"], p[f"enc{l}_b{k}"], dtype)
            caches.append(cache)
            if record is not None:
                record[f"enc{l} conv{k} + ReLU"] = A
        if l <= D:
            skips.append(A)
            A, cache = max_pool_forward(A, 2, 2)
            caches.append(cache)
            if record is not None:
                record[f"enc{l} max pool"] = A
    for l in range(D, 0, -1):
        U, cache = up_forward(A, p[f"up{l}_W"], p[f"up{l}_b"], UP["stride"], UP["pad"], UP["output_padding"])
        U = np.asarray(U).astype(dtype, copy=False)
        caches.append(cache)
        if record is not None:
            record[f"dec{l} transposed conv"] = U
        A, cache = concat_forward(skips[l - 1], U)
        caches.append(cache)
        if record is not None:
            record[f"dec{l} concatenate enc{l}"] = A
        for k in (1, 2):
            A, cache = _conv_relu(A, p[f"dec{l}_W{k}"], p[f"dec{l}_b{k}"], dtype)
            caches.append(cache)
            if record is not None:
                record[f"dec{l} conv{k} + ReLU"] = A
    Z, cache = conv2d_forward(A, p["out_W"], p["out_b"])
    caches.append(cache)
    return Z, (caches if keep else None)


def _probabilities(Z):
    return softmax(Z, axis=-1)


def unet_forward(X, parameters, up_forward=None):
    """Forward pass: every pixel's class probabilities.

    Arguments: X ``(m, n_H, n_W, n_C)`` images (n_H, n_W multiples of ``2^D``); parameters as in the module
        docstring; up_forward -- None or a transposed convolution (module docstring).
    Returns: ``(probs, caches)``: probs ``(m, n_H, n_W, K)`` float64, summing to 1 over the last axis;
        caches for :func:`unet_backward`.
    Raises: ValueError for a malformed parameter dict or images that do not fit it.
    """
    D, _, _ = _levels(parameters)
    Z, caches = _forward(_images(X, parameters, D, "unet_forward"), parameters, D, up_forward, keep=True)
    return _probabilities(Z), (D, caches)


def _one_hot_masks(masks, K, shape, where):
    masks = np.asarray(masks)
    if masks.shape != shape[:3] or not np.issubdtype(masks.dtype, np.integer) or (
            masks.size and (masks.min() < 0 or masks.max() >= K)):
        raise ValueError(f"{where}: masks must be integer classes 0 .. {K - 1} of shape {shape[:3]}, got "
                         f"{masks.dtype} {masks.shape}")
    return np.eye(K)[masks]


def unet_backward(probs, masks, caches):
    """Gradients of the per-pixel softmax cross-entropy, averaged over all pixels of the batch.

    Arguments: probs ``(m, n_H, n_W, K)`` from :func:`unet_forward`; masks -- integer classes ``(m, n_H, n_W)``;
        caches of that forward pass.
    Returns: grads, ``"d" + name`` for every parameter (same shapes, the network's compute dtype).
    Raises: ValueError if the masks do not fit probs, or probs does not fit the caches.

    The chain: ``dZ = (probs - Y) / (m n_H n_W)`` (the cost's gradient with every pixel an example); the 1 x 1
    output convolution; then per decoder level, top first: the two convolutions and ReLUs, the concatenation
    (its first channels' gradient joins the skip's, the rest goes down the transposed convolution), the
    transposed convolution; per encoder level, bottom first: the max pooling (plus the skip's gradient above
    it), the two convolutions and ReLUs.
    """
    probs = np.asarray(probs, dtype=float)
    D, caches = caches
    caches = list(caches)
    out_cache = caches.pop()
    K = out_cache[1].shape[3]                        # the output convolution's W, (1, 1, F_1, K)
    if probs.ndim != 4 or probs.shape[3] != K:
        raise ValueError(f"unet_backward: probs must be (m, n_H, n_W, {K}) for these caches, got {probs.shape}")
    Y = _one_hot_masks(masks, K, probs.shape, "unet_backward")
    dtype = out_cache[1].dtype
    N = probs.shape[0] * probs.shape[1] * probs.shape[2]
    dZ = softmax_cross_entropy_cost_backward(probs.reshape(N, K).T, Y.reshape(N, K).T).T.reshape(probs.shape)
    grads = {}
    dA, g = conv2d_backward(dZ.astype(dtype, copy=False), out_cache)
    grads["dout_W"], grads["dout_b"] = g["dW"], g["db"]
    d_skips = {}
    for l in range(1, D + 1):
        for k in (2, 1):
            dA, g = _conv_relu_backward(dA, caches.pop(), dtype)
            grads[f"ddec{l}_W{k}"], grads[f"ddec{l}_b{k}"] = g["dW"], g["db"]
        (d_skip, dU), _ = concat_backward(dA, caches.pop())
        d_skips[l] = d_skip
        dA, g = conv_transpose_backward(dU, caches.pop())
        dA = dA.astype(dtype, copy=False)
        grads[f"dup{l}_W"], grads[f"dup{l}_b"] = g["dW"], g["db"]
    for l in range(D + 1, 0, -1):
        if l <= D:
            dA, _ = max_pool_backward(dA, caches.pop())
            dA = dA + d_skips[l]
        for k in (2, 1):
            dA, g = _conv_relu_backward(dA, caches.pop(), dtype)
            grads[f"denc{l}_W{k}"], grads[f"denc{l}_b{k}"] = g["dW"], g["db"]
    return grads


def unet_step(parameters, X, masks, up_forward=None):
    """One step for :func:`course_utils.optim.loop.train` (``example_axis=0``): the cost and its gradients.

    Arguments: parameters; X ``(m, n_H, n_W, n_C)``; masks -- integer classes ``(m, n_H, n_W)``; up_forward as in
        the module docstring.
    Returns: ``(cost, grads)``: the per-pixel softmax cross-entropy averaged over the batch's pixels (a float),
        and :func:`unet_backward`'s grads.
    Raises: ValueError as :func:`unet_forward` and :func:`unet_backward`.
    """
    probs, caches = unet_forward(X, parameters, up_forward)
    K = probs.shape[3]
    Y = _one_hot_masks(masks, K, probs.shape, "unet_step")
    N = probs.shape[0] * probs.shape[1] * probs.shape[2]
    cost = softmax_cross_entropy_cost(probs.reshape(N, K).T, Y.reshape(N, K).T)
    return cost, unet_backward(probs, masks, caches)


def unet_predict(X, parameters, up_forward=None, batch_size=256):
    """Every pixel's most likely class.

    Arguments: X ``(m, n_H, n_W, n_C)``; parameters; up_forward as in the module docstring; batch_size -- images
        per forward pass (memory only; the result does not depend on it).
    Returns: int64 masks ``(m, n_H, n_W)``, classes ``0 .. K - 1``.
    Raises: ValueError as :func:`unet_forward`, or for a batch_size < 1.
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"unet_predict: batch_size must be an integer >= 1, got {batch_size!r}")
    D, _, _ = _levels(parameters)
    X = _images(X, parameters, D, "unet_predict")
    parts = [np.argmax(_forward(X[k:k + batch_size], parameters, D, up_forward, keep=False)[0], axis=3)
             for k in range(0, X.shape[0], batch_size)]
    return np.concatenate(parts).astype(np.int64) if parts else np.zeros(X.shape[:3], dtype=np.int64)


def unet_activations(X, parameters, up_forward=None):
    """Every layer's output, in order, for the shape walk-through and for looking inside the network.

    Arguments: X ``(m, n_H, n_W, n_C)``; parameters; up_forward as in the module docstring.
    Returns: a dict, layer name -> activation ``(m, n_H_l, n_W_l, n_C_l)``: ``"input"``, then ``"enc1 conv1 + ReLU"``,
        ..., ``"enc1 max pool"``, ..., ``"dec1 transposed conv"``, ``"dec1 concatenate enc1"``, ...,
        ``"output scores"`` (before the softmax) and ``"output probabilities"``.
    Raises: ValueError as :func:`unet_forward`.
    """
    D, _, _ = _levels(parameters)
    X = _images(X, parameters, D, "unet_activations")
    record = {"input": X}
    Z, _ = _forward(X, parameters, D, up_forward, keep=False, record=record)
    record["output scores"] = Z
    record["output probabilities"] = _probabilities(Z)
    return record


def train_unet(X, masks, parameters, *, up_forward=None, learning_rate=0.003, num_epochs=10, mini_batch_size=32,
               seed=0, metrics=None, record_every=1, progress=False, desc="U-Net"):
    """Train the U-Net with Adam through :func:`course_utils.optim.loop.train`.

    Arguments:
        X -- images ``(m, n_H, n_W, n_C)`` (converted to the parameters' dtype once);
        masks -- integer classes ``(m, n_H, n_W)``;
        parameters -- the starting parameters (:func:`initialize_unet`; not modified);
        up_forward -- as in the module docstring;
        learning_rate -- Adam's step; num_epochs -- passes over the data; mini_batch_size -- images per step;
        epoch e shuffles with seed ``seed + e``; metrics, record_every, progress, desc -- passed on to the loop.
    Returns: ``(parameters, history)`` as the loop returns them.
    Raises: ValueError if the masks do not fit the images or the network's classes, and as :func:`unet_forward`.
    """
    D, _, _ = _levels(parameters)
    X = _images(X, parameters, D, "train_unet")
    K = np.shape(parameters["out_W"])[3]
    _one_hot_masks(np.asarray(masks)[:1], K, (1,) + X.shape[1:3], "train_unet")
    masks = np.asarray(masks)
    if masks.shape != X.shape[:3] or masks.min() < 0 or masks.max() >= K:
        raise ValueError(f"train_unet: masks must be integer classes 0 .. {K - 1} of shape {X.shape[:3]}, "
                         f"got {masks.shape} with values {masks.min()} .. {masks.max()}")

    def step(p, X_batch, masks_batch):
        return unet_step(p, X_batch, masks_batch, up_forward)

    return train(step, parameters, X, masks, optimizer="adam", config={"learning_rate": learning_rate},
                 num_epochs=num_epochs, mini_batch_size=mini_batch_size, seed=seed, metrics=metrics,
                 record_every=record_every, progress=progress, desc=desc, example_axis=0)


# --- the kit's weights ------------------------------------------------------------------------------------

#: How the kit trains its U-Net (``python -m course_utils.data build unet``): scenes, architecture, Adam.
KIT = {"train_scenes": 1500, "train_seed": 6061, "test_scenes": 500, "test_seed": 6062, "filters": (8, 16, 32),
       "init_seed": 6063, "learning_rate": 0.002, "num_epochs": 10, "mini_batch_size": 8, "shuffle_seed": 6064}


def train_kit_unet(num_epochs=None, train_scenes=None, test_scenes=None):
    """Train the kit's U-Net on generated scenes, deterministically, and measure it on fresh scenes.

    Arguments: num_epochs, train_scenes, test_scenes -- None for the kit's settings (:data:`KIT`); smaller values
        make a quick run for tests (not the kit's file).
    Returns: ``(arrays, meta)``: arrays -- the trained parameters, float32, by name; meta -- source, licence,
        how_built, seed, figures (per-class IoU and mean IoU on fresh scenes, the last epoch's cost) and
        train_seconds, for the data store's manifest.
    """
    k = dict(KIT)
    k["num_epochs"] = k["num_epochs"] if num_epochs is None else int(num_epochs)
    k["train_scenes"] = k["train_scenes"] if train_scenes is None else int(train_scenes)
    k["test_scenes"] = k["test_scenes"] if test_scenes is None else int(test_scenes)
    scenes = make_scenes(k["train_scenes"], seed=k["train_seed"])
    n_classes = len(CLASSES) + 1
    p0 = initialize_unet(scenes.images.shape[1:], k["filters"], n_classes, seed=k["init_seed"])
    start = time.perf_counter()
    params, history = train_unet(scenes.images, scenes.masks, p0, learning_rate=k["learning_rate"],
                                 num_epochs=k["num_epochs"], mini_batch_size=k["mini_batch_size"],
                                 seed=k["shuffle_seed"])
    seconds = time.perf_counter() - start
    test = make_scenes(k["test_scenes"], seed=k["test_seed"])
    ious = per_class_iou(test.masks, unet_predict(test.images, params), n_classes)
    names = ("background",) + CLASSES
    figures = {f"iou_{n}": round(float(v), 4) for n, v in zip(names, ious)}
    figures["mean_iou"] = round(float(np.nanmean(ious)), 4)
    figures["final_cost"] = round(float(history["cost"][-1]), 4) if history["cost"] else float("nan")
    meta = {
        "source": "trained by the kit on scenes of course_utils.data.scenes.make_scenes (generated, exact masks)",
        "licence": "MIT (the kit's own weights; no downloaded data)",
        "how_built": (f"course_utils.models.unet.kit_weights(): a U-Net of filters {k['filters']}, "
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
    """The kit's ``unet`` weights, for the data store (``python -m course_utils.data build unet``):
    :func:`train_kit_unet` with the kit's settings, about 80 s on one idle core.

    It trains with one BLAS thread whatever the environment allows: several threads sum the matrix products in
    another order, which gives other float32 weights, and a rebuild on the same machine must give the same file.
    Returns: ``(arrays, meta)`` as :func:`train_kit_unet` (parameters by name, float32 arrays of the shapes in the
        module docstring for filters (8, 16, 32) and 4 classes).
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):      # one summation order, however many threads are allowed
        return train_kit_unet()
