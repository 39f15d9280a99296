"""A small convolutional network for images, and the layer arithmetic of a CNN's table.

Architecture, with B convolution blocks (``B = 2`` by default) and one fully connected output layer:

    [CONV (f x f, stride 1, same padding) -> RELU -> MAX POOL (2 x 2, stride 2)] x B -> FLATTEN -> FC -> SOFTMAX

Data is example-first, as images are everywhere in Track 4: X ``(m, n_H, n_W, n_C)``, one-hot labels
Y ``(m, C)``, probabilities ``(m, C)``; :func:`course_utils.optim.loop.train` draws the mini-batches with
``example_axis=0``. Integer labels (``(1, m)`` as :func:`course_utils.data.load_digits_split` gives them,
or ``(m,)``) go to :func:`train_cnn`, which one-hot encodes them.

Parameters (a dict; the architecture is read from their shapes, so no other argument describes it):

* block l = 1, ..., B: ``W{l}`` ``(f, f, n_C_prev, n_C)`` filters and ``b{l}`` ``(1, 1, 1, n_C)`` biases
  (:func:`course_utils.nn.conv.conv2d_forward`), f odd, padding ``(f - 1) / 2`` keeps the size;
* the output layer L = B + 1: ``W{L}`` ``(C, n_flat)`` and ``b{L}`` ``(C, 1)``, as every fully connected
  layer of the library (:mod:`course_utils.nn.linear`), applied to the flattened last block
  (``n_flat = n_H n_W n_C`` of the last pooled volume, flattened in C order).

Everything is built from the course's pieces: the fast layers of :mod:`course_utils.nn.conv`, the ReLU
and softmax of :mod:`course_utils.nn.activations`, :mod:`course_utils.nn.linear`, and the softmax
cross-entropy of :mod:`course_utils.nn.losses`. The parameters' floating dtype is the one the
convolutions compute in (float32 parameters and images train in float32); the small output layer
computes in float64, as :mod:`course_utils.nn.linear` does, and its gradients are cast back by the
update rule. No function modifies its arguments.

The table functions describe a layer of the lecture's tables (LeNet-5: CONV, POOL, FC, softmax) by a
dict, ``{"kind": "conv", "f": 5, "n_C": 6}``, so a whole network is a list of them:
:func:`count_parameters` counts any layer's parameters, :func:`conv_output_shape` gives a convolution's or
pooling's output volume (a fully connected layer's output is just its units); no array is needed.
"""

from __future__ import annotations

import math

import numpy as np

from course_utils.data.encoding import one_hot
from course_utils.metrics.classification import predict_classes
from course_utils.nn.activations import relu_backward, relu_forward, softmax
from course_utils.nn.conv import (conv2d_backward, conv2d_forward, conv_output_size, max_pool_backward,
                                  max_pool_forward)
from course_utils.nn.linear import linear_backward, linear_forward
from course_utils.nn.losses import softmax_cross_entropy_cost, softmax_cross_entropy_cost_backward
from course_utils.optim.loop import train
from course_utils.rng import make_rng

__all__ = ["POOL", "conv_output_shape", "count_parameters", "initialize_cnn", "cnn_forward", "cnn_backward",
           "cnn_step", "cnn_predict", "cnn_feature_maps", "train_cnn"]

#: Every block ends with max pooling of this window and stride.
POOL = 2

_KINDS = ("conv", "pool", "fc", "softmax")


# --- the layer arithmetic of a CNN's table --------------------------------------------------------

def _layer(layer, where):
    if not isinstance(layer, dict) or layer.get("kind") not in _KINDS:
        raise ValueError(f"{where}: a layer is a dict with 'kind' one of {list(_KINDS)}, got {layer!r}")
    kind = layer["kind"]
    needed = {"conv": ("f", "n_C"), "pool": ("f",), "fc": ("units",), "softmax": ("units",)}[kind]
    allowed = set(needed) | {"kind"} | ({"stride", "pad"} if kind == "conv" else {"stride"} if kind == "pool" else set())
    missing = [k for k in needed if k not in layer]
    unknown = sorted(set(layer) - allowed)
    if missing or unknown:
        raise ValueError(f"{where}: a {kind!r} layer takes {sorted(allowed - {'kind'})} (needs {list(needed)}); "
                         f"missing {missing}, unknown {unknown}")
    for key in set(layer) - {"kind"}:
        value = layer[key]
        low = 0 if key == "pad" else 1
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise ValueError(f"{where}: {key} of a {kind!r} layer must be an integer >= {low}, got {value!r}")
    return kind


def _volume(input_shape, kind, where):
    shape = tuple(input_shape)
    if len(shape) != 3 or any(isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1 for n in shape):
        raise ValueError(f"{where}: a {kind!r} layer needs a volume (n_H, n_W, n_C) of positive integers, "
                         f"got {input_shape!r}")
    return tuple(int(n) for n in shape)


def conv_output_shape(input_shape, layer):
    """The shape of a convolution or pooling layer's output (its activation shape in the lecture's LeNet-5 table).

    Arguments:
        input_shape -- ``(n_H, n_W, n_C)``, the layer's input volume.
        layer -- ``{"kind": "conv", "f": f, "n_C": n_C, "stride": s, "pad": p}`` (stride 1 and pad 0 by
            default) or ``{"kind": "pool", "f": f, "stride": s}`` (stride f by default).
    Returns: ``(n_H_out, n_W_out, n_C_out)``, ints, with ``n_out = floor((n + 2p - f) / s) + 1`` on each
        axis (:func:`course_utils.nn.conv.conv_output_size`; p = 0 for pooling) and ``n_C_out`` the number
        of filters (conv) or the input's channels (pool: every channel is pooled on its own).
        A fully connected layer (``"fc"``, ``"softmax"``) has no spatial shape, only its ``units``.
    Raises: ValueError for a fully connected or unknown kind, a missing or unknown key, a value that is
        not an integer in range, an input that is not a volume, or a window larger than the padded input.
    """
    where = "conv_output_shape"
    kind = _layer(layer, where)
    if kind in ("fc", "softmax"):
        raise ValueError(f"{where}: a {kind!r} layer has no height and width; its output is its {layer['units']} "
                         f"units (conv_output_shape is for 'conv' and 'pool' layers)")
    n_H, n_W, n_C = _volume(input_shape, kind, where)
    f = layer["f"]
    stride = layer.get("stride", 1 if kind == "conv" else f)
    pad = layer.get("pad", 0)
    try:
        out_H, out_W = conv_output_size(n_H, f, stride, pad), conv_output_size(n_W, f, stride, pad)
    except ValueError:
        raise ValueError(f"{where}: a {f}x{f} window does not fit an input of {n_H}x{n_W} padded by {pad}") from None
    return (out_H, out_W, int(layer["n_C"]) if kind == "conv" else n_C)


#: the parts of the result, named in messages of the graded exercise (course_utils.grading.checks.output_parts)
conv_output_shape.__output_parts__ = "n_H_out, n_W_out, n_C_out"


def count_parameters(input_shape, layer):
    """The number of parameters a layer learns (the lecture's "# parameters" column).

    Arguments: input_shape -- the layer's input shape, ``(n_H, n_W, n_C)`` for conv and pool, any shape
        for fc and softmax (flattened: ``(5, 5, 16)`` is 400 inputs); layer -- as in :func:`conv_output_shape`,
        or ``{"kind": "fc", "units": n}`` / ``{"kind": "softmax", "units": n}`` (a fully connected layer,
        followed by a softmax for the second).
    Returns: an int: conv ``(f f n_C_prev + 1) n_C`` (one bias per filter), pool 0 (nothing to learn),
        fc and softmax ``(n_in + 1) units`` with ``n_in`` the number of inputs (the product of
        input_shape): a weight per input and unit, and a bias per unit.
    Raises: ValueError for an unknown kind, a missing or unknown key, a value that is not an integer in
        range, an input that is not a volume (conv, pool) or not positive integers (fc), or a window larger
        than the padded input.
    """
    where = "count_parameters"
    kind = _layer(layer, where)
    if kind in ("fc", "softmax"):
        shape = tuple(input_shape) if isinstance(input_shape, (tuple, list)) else ()
        if not shape or any(isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1 for n in shape):
            raise ValueError(f"{where}: the input shape of a fully connected layer must be positive integers, "
                             f"got {input_shape!r}")
        return (math.prod(int(n) for n in shape) + 1) * int(layer["units"])
    n_H, n_W, n_C_prev = _volume(input_shape, kind, where)
    f, pad = layer["f"], layer.get("pad", 0)
    if min(n_H, n_W) + 2 * pad < f:                     # the checks of conv_output_shape, not a call of it
        raise ValueError(f"{where}: a {f}x{f} window does not fit an input of {n_H}x{n_W} padded by {pad}")
    if kind == "pool":
        return 0
    return (int(f) * int(f) * n_C_prev + 1) * int(layer["n_C"])


# --- the model ----------------------------------------------------------------------------------

def _blocks(parameters, where="parameters"):
    """B, the number of convolution blocks; ValueError if the dict is not W1, b1, ..., W{B+1}, b{B+1}."""
    if not isinstance(parameters, dict):
        raise ValueError(f"{where} must be a dict, got {type(parameters).__name__}")
    L = len(parameters) // 2
    expected = {f"{p}{l}" for l in range(1, L + 1) for p in ("W", "b")}
    if L < 2 or set(parameters) != expected:
        raise ValueError(f"{where} must hold W1, b1, ..., WL, bL with L >= 2 (conv blocks, then the output layer); "
                         f"got {sorted(parameters)}")
    for l in range(1, L):
        W, b = np.shape(parameters[f"W{l}"]), np.shape(parameters[f"b{l}"])
        if len(W) != 4 or W[0] != W[1] or W[0] % 2 == 0 or b != (1, 1, 1, W[3]):
            raise ValueError(f"{where}: block {l} needs W{l} (f, f, n_C_prev, n_C) with f odd and b{l} (1, 1, 1, n_C); "
                             f"got W{l} {W}, b{l} {b}")
        if l > 1 and W[2] != np.shape(parameters[f"W{l - 1}"])[3]:
            raise ValueError(f"{where}: W{l} takes {W[2]} channels but block {l - 1} has {np.shape(parameters[f'W{l - 1}'])[3]} filters")
    W, b = np.shape(parameters[f"W{L}"]), np.shape(parameters[f"b{L}"])
    if len(W) != 2 or b != (W[0], 1):
        raise ValueError(f"{where}: the output layer needs W{L} (C, n_flat) and b{L} (C, 1); got W{L} {W}, b{L} {b}")
    return L - 1


def _compute_dtype(parameters):
    dtype = np.asarray(parameters["W1"]).dtype
    return dtype if np.issubdtype(dtype, np.floating) else np.dtype(float)


def initialize_cnn(input_shape=(8, 8, 1), filters=(8, 16), f=3, n_classes=10, seed=1, dtype=np.float32):
    """He-initialised parameters of the network of the module docstring.

    Arguments:
        input_shape -- ``(n_H, n_W, n_C)`` of one image.
        filters -- the number of filters of each block, e.g. ``(8, 16)``: two blocks.
        f -- the filters' size, odd (same padding ``(f - 1) / 2``).
        n_classes -- C, the number of classes.
        seed -- int or ``np.random.Generator``. Drawn in order W1, W2, ..., WL:
            ``W{l} = rng.standard_normal(shape) * sqrt(2 / fan_in)`` with fan_in ``f f n_C_prev`` for a
            filter and ``n_flat`` for the output layer (He et al. 2015); biases are zero.
        dtype -- the parameters' dtype (float32 by default: the convolutions train in float32).
    Returns: the parameter dict ``W1, b1, ..., WL, bL`` (L = len(filters) + 1).
    Raises: ValueError if f is even or < 1, filters is empty or holds a count < 1, n_classes < 1, or
        the image is too small for the pooling of every block (each halves height and width, rounding down).
    Source: K. He, X. Zhang, S. Ren and J. Sun (2015), "Delving Deep into Rectifiers", ICCV (the scale).
    """
    n_H, n_W, n_C = _volume(input_shape, "conv", "initialize_cnn")
    if isinstance(f, bool) or not isinstance(f, (int, np.integer)) or f < 1 or f % 2 == 0:
        raise ValueError(f"initialize_cnn: f must be an odd integer >= 1 (same padding (f - 1) / 2), got {f!r}")
    filters = tuple(filters)
    if not filters or any(isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1 for k in filters):
        raise ValueError(f"initialize_cnn: filters must be one or more integers >= 1, got {filters!r}")
    if isinstance(n_classes, bool) or not isinstance(n_classes, (int, np.integer)) or n_classes < 1:
        raise ValueError(f"initialize_cnn: n_classes must be an integer >= 1, got {n_classes!r}")
    rng = make_rng(seed)
    parameters = {}
    for l, n_filters in enumerate(filters, start=1):
        if min(n_H, n_W) < POOL:
            raise ValueError(f"initialize_cnn: block {l} gets {n_H}x{n_W} images, too small for {POOL}x{POOL} pooling; "
                             f"use fewer blocks or larger images")
        parameters[f"W{l}"] = (rng.standard_normal((f, f, n_C, n_filters)) * np.sqrt(2.0 / (f * f * n_C))).astype(dtype)
        parameters[f"b{l}"] = np.zeros((1, 1, 1, n_filters), dtype=dtype)
        n_H, n_W, n_C = conv_output_size(n_H, POOL, POOL), conv_output_size(n_W, POOL, POOL), n_filters
    L = len(filters) + 1
    n_flat = n_H * n_W * n_C
    parameters[f"W{L}"] = (rng.standard_normal((n_classes, n_flat)) * np.sqrt(2.0 / n_flat)).astype(dtype)
    parameters[f"b{L}"] = np.zeros((n_classes, 1), dtype=dtype)
    return parameters


def _images(X, parameters, where):
    X = np.asarray(X)
    n_C = np.shape(parameters["W1"])[2]
    if X.ndim != 4 or X.shape[3] != n_C:
        raise ValueError(f"{where}: X must be images (m, n_H, n_W, {n_C}) for W1 of shape {np.shape(parameters['W1'])}, "
                         f"got {X.shape}")
    return X.astype(_compute_dtype(parameters), copy=False)


def conv_blocks_forward(X, parameters, B):
    """The [CONV -> RELU -> POOL] x B blocks shared by this module's CNN and the face encoder
    (:mod:`course_utils.models.face_encoder`).

    Arguments: X -- images ``(m, n_H, n_W, n_C)`` in the compute dtype; parameters -- ``W1..WB``
        ``(f, f, n_C_prev, n_C)`` and ``b1..bB`` ``(1, 1, 1, n_C)``; B -- the number of blocks.
    Returns: ``(A, caches, maps)``: A ``(m, n_H / 2**B, n_W / 2**B, n_C_B)`` (floor division at each pooling), one
        ``(conv, relu, pool)`` cache per block for :func:`conv_blocks_backward`, and each block's ReLU output.
    Raises: ValueError (from the layers) for filters that do not fit the images.
    """
    dtype = X.dtype
    caches, maps = [], []
    A = X
    for l in range(1, B + 1):
        W = parameters[f"W{l}"]
        Z, conv_cache = conv2d_forward(A, W, parameters[f"b{l}"], stride=1, pad=W.shape[0] // 2)
        R, relu_cache = relu_forward(Z)
        R = R.astype(dtype, copy=False)
        A, pool_cache = max_pool_forward(R, POOL, POOL)
        maps.append(R)
        caches.append((conv_cache, relu_cache, pool_cache))
    return A, caches, maps


def conv_blocks_backward(dA, caches):
    """Backward through the blocks of :func:`conv_blocks_forward`, last block first.

    Arguments: dA -- gradient of the cost with respect to the last block's output, its shape; caches -- the
        per-block caches of that forward pass.
    Returns: ``(dX, grads)``: dX the gradient with respect to the images ``(m, n_H, n_W, n_C)``; grads
        ``{"dW<l>", "db<l>"}`` for every block, in the filters' (compute) dtype.
    Raises: ValueError (from the layers) if dA does not fit the caches.
    """
    dtype = caches[0][0][1].dtype                                   # the filters' (compute) dtype
    dA = np.asarray(dA).astype(dtype, copy=False)
    grads = {}
    for l in range(len(caches), 0, -1):
        conv_cache, relu_cache, pool_cache = caches[l - 1]
        dR, _ = max_pool_backward(dA, pool_cache)
        dZ, _ = relu_backward(dR, relu_cache)
        dA, g = conv2d_backward(dZ.astype(dtype, copy=False), conv_cache)
        grads[f"dW{l}"], grads[f"db{l}"] = g["dW"], g["db"]
    return dA, grads


def _forward(X, parameters, B, keep):
    """The blocks and the output layer; returns (probabilities (m, C), caches, ReLU outputs per block)."""
    A, block_caches, maps = conv_blocks_forward(X, parameters, B)
    caches = block_caches if keep else []
    L = B + 1
    m = A.shape[0]
    n_flat = int(np.prod(A.shape[1:]))
    if n_flat != np.shape(parameters[f"W{L}"])[1]:
        raise ValueError(f"cnn_forward: the last block gives {A.shape[1:]} = {n_flat} numbers per image, but W{L} "
                         f"takes {np.shape(parameters[f'W{L}'])[1]}: these images do not fit the network")
    ZL, linear_cache = linear_forward(A.reshape(m, n_flat).T, parameters[f"W{L}"], parameters[f"b{L}"])
    probs = softmax(ZL, axis=0).T
    if keep:
        caches.append((linear_cache, A.shape))
    return probs, caches, maps


def cnn_forward(X, parameters):
    """Forward pass: class probabilities for a batch of images.

    Arguments: X ``(m, n_H, n_W, n_C)`` images; parameters as in the module docstring.
    Returns: ``(probs, caches)``: probs ``(m, C)``, each row summing to 1; caches for :func:`cnn_backward`.
    Raises: ValueError for a malformed parameter dict, or images whose channels or size do not fit it.
    """
    B = _blocks(parameters)
    probs, caches, _ = _forward(_images(X, parameters, "cnn_forward"), parameters, B, keep=True)
    return probs, caches


def cnn_backward(probs, Y, caches):
    """Gradients of the average softmax cross-entropy cost over the batch.

    Arguments: probs ``(m, C)`` from :func:`cnn_forward`; Y one-hot ``(m, C)``; caches of that forward pass.
    Returns: grads, ``"d" + name`` for every parameter (same shapes); the convolutions' gradients in their
        compute dtype, the output layer's in float64.
    Raises: ValueError if probs and Y differ in shape or do not fit the caches.

    The chain: ``dZ_L = (probs - Y) / m`` (the cost's gradient carries the 1/m); the output layer's
    ``linear_backward``; unflatten; then per block, last first: max pooling's backward, the ReLU's,
    and the convolution's (each layer sums over the batch).
    """
    probs, Y = np.asarray(probs, dtype=float), np.asarray(Y, dtype=float)
    if probs.shape != Y.shape:
        raise ValueError(f"cnn_backward: probs and Y must have the same shape (m, C); got {probs.shape} and {Y.shape}")
    linear_cache, pooled_shape = caches[-1]
    if probs.shape != (pooled_shape[0], linear_cache[1].shape[0]):
        raise ValueError(f"cnn_backward: probs must have shape {(pooled_shape[0], linear_cache[1].shape[0])} to match "
                         f"the caches, got {probs.shape}")
    B = len(caches) - 1
    L = B + 1
    grads = {}
    dA_flat, g = linear_backward(softmax_cross_entropy_cost_backward(probs.T, Y.T), linear_cache)
    grads[f"dW{L}"], grads[f"db{L}"] = g["dW"], g["db"]
    _, block_grads = conv_blocks_backward(dA_flat.T.reshape(pooled_shape), caches[:B])
    grads.update(block_grads)
    return grads


def cnn_step(parameters, X, Y):
    """One step for :func:`course_utils.optim.loop.train` (with ``example_axis=0``): the cost and its gradients.

    Arguments: parameters; X ``(m, n_H, n_W, n_C)``; Y one-hot ``(m, C)``.
    Returns: ``(cost, grads)``: the average softmax cross-entropy (a float) and :func:`cnn_backward`'s grads.
    Raises: ValueError as :func:`cnn_forward` and :func:`cnn_backward`.
    """
    probs, caches = cnn_forward(X, parameters)
    Y = np.asarray(Y, dtype=float)
    if Y.shape != probs.shape:
        raise ValueError(f"cnn_step: Y must be one-hot labels of shape {probs.shape}, got {Y.shape}")
    return softmax_cross_entropy_cost(probs.T, Y.T), cnn_backward(probs, Y, caches)


def cnn_predict(X, parameters, batch_size=512):
    """The most likely class of every image.

    Arguments: X ``(m, n_H, n_W, n_C)``; parameters; batch_size -- images per forward pass (memory only:
        every image is classified on its own, the result does not depend on it).
    Returns: ``(1, m)`` int class indices, the layout of the stored labels and of
        :func:`course_utils.metrics.classification.predict_classes`.
    Raises: ValueError as :func:`cnn_forward`, or for a batch_size < 1.
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"cnn_predict: batch_size must be an integer >= 1, got {batch_size!r}")
    B = _blocks(parameters)
    X = _images(X, parameters, "cnn_predict")
    parts = [predict_classes(_forward(X[k:k + batch_size], parameters, B, keep=False)[0].T)
             for k in range(0, X.shape[0], batch_size)]
    return np.concatenate(parts, axis=1) if parts else np.zeros((1, 0), dtype=int)


def cnn_feature_maps(X, parameters):
    """What every block's filters respond to: the ReLU outputs (before pooling), block by block.

    Arguments: X ``(m, n_H, n_W, n_C)``; parameters.
    Returns: a list of B arrays, block l's ``(m, n_H_l, n_W_l, n_C_l)`` (the size of that block's input).
    Raises: ValueError as :func:`cnn_forward`.
    """
    B = _blocks(parameters)
    return _forward(_images(X, parameters, "cnn_feature_maps"), parameters, B, keep=False)[2]


def train_cnn(X, labels, parameters, *, n_classes=10, learning_rate=0.01, num_epochs=10, mini_batch_size=32, seed=0,
              metrics=None, record_every=1, progress=False, desc="CNN"):
    """Train the network with Adam on integer labels, through :func:`course_utils.optim.loop.train`.

    Arguments:
        X -- images ``(m, n_H, n_W, n_C)`` (converted to the parameters' dtype once).
        labels -- integer classes ``(1, m)`` or ``(m,)`` in ``0 .. n_classes - 1``; one-hot encoded here.
        parameters -- the starting parameters (:func:`initialize_cnn`; not modified).
        n_classes -- C; learning_rate -- Adam's step; num_epochs -- passes over the data;
        mini_batch_size -- images per step; epoch e shuffles with seed ``seed + e``.
        metrics, record_every, progress, desc -- passed on to the loop (metrics are ``fn(parameters)``).
    Returns: ``(parameters, history)`` as the loop returns them (``history["seconds"]`` is the wall time).
    Raises: ValueError if labels are out of range or their number differs from the images', and as
        :func:`cnn_forward`.
    """
    labels = np.asarray(labels).ravel()
    X = _images(X, parameters, "train_cnn")
    if labels.shape[0] != X.shape[0]:
        raise ValueError(f"train_cnn: {X.shape[0]} images but {labels.shape[0]} labels")
    if parameters[f"W{_blocks(parameters) + 1}"].shape[0] != n_classes:
        raise ValueError(f"train_cnn: the output layer has {parameters[f'W{_blocks(parameters) + 1}'].shape[0]} "
                         f"classes, n_classes is {n_classes}")
    Y = one_hot(labels, n_classes).T
    return train(cnn_step, parameters, X, Y, optimizer="adam", config={"learning_rate": learning_rate},
                 num_epochs=num_epochs, mini_batch_size=mini_batch_size, seed=seed, metrics=metrics,
                 record_every=record_every, progress=progress, desc=desc, example_axis=0)
