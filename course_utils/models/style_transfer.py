"""Neural style transfer on a fixed random multi-scale convolutional network (Track 4, notebook 08).

The lecture (after Gatys, Ecker and Bethge 2015) measures content and style with a ConvNet pre-trained
on ImageNet (VGG-19). Such weights cannot be had offline, and the digits CNN of notebook 03 (3 x 3
filters learned on 8 x 8 grey digits) was never shown a photograph or a texture. This module uses a
network that nobody trains: a stack of "same" 3 x 3 convolutions with **random** filters drawn from a
fixed seed, each followed by ReLU and 2 x 2 average pooling, so that each layer sees the image at twice
the scale of the one before (receptive fields of 3, 8, 18 and 38 pixels for four layers:
:func:`receptive_fields`). Random filters are known to capture texture statistics: the Gram matrices of
a random network's ReLU features already synthesise natural textures well (I. Ustyuzhaninov,
W. Brendel, L. A. Gatys and M. Bethge 2016, "Texture Synthesis Using Shallow Convolutional Networks with
Random Filters", arXiv:1606.00021; their best networks were multi-scale, as this one is by pooling).
Average rather than max pooling follows Gatys et al. (2015), who found it gives smoother gradients to
the image.

The network (parameters ``{"W1", "b1", ..., "WL", "bL"}``, W's ``(3, 3, n_C_prev, n_C)``, b's ``(1, 1, 1, n_C)``):

    x - 0.5 -> [CONV 3x3 same -> RELU (= layer "conv1")] -> AVG POOL 2 -> [CONV -> RELU ("conv2")] -> AVG POOL 2 -> ...

Images are ``(1, n_H, n_W, 3)`` (or any m) with values about [0, 1]; the layer outputs ``"conv1"``, ...
are ``(m, n_H / 2^(l-1), n_W / 2^(l-1), n_C[l])``. :func:`texture_network_backward` takes the gradients of
a cost with respect to any of the layer outputs and returns the gradient with respect to the image;
:func:`style_transfer_cost_and_grad` adds the costs of :mod:`course_utils.nn.style` on top, and
:func:`style_transfer` hands that to the library's one training loop (:func:`course_utils.optim.loop.train`)
with the generated image G as the only "parameter".
"""

from __future__ import annotations

import numpy as np

from course_utils.nn.conv import average_pool_backward, average_pool_forward, conv2d_backward, conv2d_forward
from course_utils.nn.style import (compute_content_cost, compute_content_cost_backward, gram_matrices,
                                   style_cost_and_grad, total_cost)
from course_utils.optim.loop import train
from course_utils.rng import make_rng

__all__ = ["CONTENT_LAYER", "STYLE_LAYERS", "initialize_texture_network", "layer_names", "texture_network_forward",
           "texture_network_backward", "receptive_fields", "top_activating_patches", "generated_start",
           "style_transfer_cost_and_grad", "style_transfer"]


def _depth(parameters, where):
    L = 0
    while f"W{L + 1}" in parameters:
        L += 1
    if L == 0 or any(f"b{l}" not in parameters for l in range(1, L + 1)):
        raise ValueError(f"{where}: parameters must hold W1, b1, ..., WL, bL, got keys {sorted(parameters)}")
    return L


def initialize_texture_network(channels=(32, 64, 128, 128), f=3, n_C_in=3, seed=0, dtype=np.float32):
    """Random filters for the texture network: He-scaled normal weights, zero biases.

    ``W{l}`` is drawn from ``N(0, 2 / (f f n_C_prev))`` (He initialisation, which keeps the size of the
    ReLU activations about the same from layer to layer); the same seed gives the same network.

    Arguments: channels -- the filters of each layer (one entry per layer, each >= 1); f -- odd filter
        size; n_C_in -- the image's channels; seed -- an int or a ``np.random.Generator``; dtype -- of the
        arrays (float32: the convolutions then compute in float32).
    Returns: ``{"W1": (f, f, n_C_in, channels[0]), "b1": (1, 1, 1, channels[0]), ...}``.
    Raises: ValueError if channels is empty or holds a number < 1, or f is not a positive odd integer.
    """
    channels = [int(c) for c in channels]
    if not channels or min(channels) < 1:
        raise ValueError(f"initialize_texture_network: channels must be a non-empty list of integers >= 1, "
                         f"got {channels}")
    if int(f) != f or f < 1 or f % 2 == 0:
        raise ValueError(f"initialize_texture_network: f must be a positive odd integer (same padding), got {f!r}")
    rng = make_rng(seed)
    parameters, n_prev = {}, int(n_C_in)
    for l, n_C in enumerate(channels, start=1):
        parameters[f"W{l}"] = (rng.standard_normal((f, f, n_prev, n_C)) * np.sqrt(2.0 / (f * f * n_prev))).astype(dtype)
        parameters[f"b{l}"] = np.zeros((1, 1, 1, n_C), dtype=dtype)
        n_prev = n_C
    return parameters


def layer_names(parameters):
    """The names of the network's layer outputs, ``["conv1", ..., "convL"]``.

    Arguments: parameters -- from :func:`initialize_texture_network`.
    Returns: a list of L str.
    Raises: ValueError if parameters is not ``{"W1", "b1", ..., "WL", "bL"}``.
    """
    return [f"conv{l}" for l in range(1, _depth(parameters, "layer_names") + 1)]


def texture_network_forward(X, parameters, upto=None):
    """The layer outputs of the texture network for images X.

    Arguments:
        X -- ``(m, n_H, n_W, n_C_in)``, values about [0, 1] (0.5 is subtracted first); n_H and n_W must
            be divisible by ``2^(L-1)`` where L is the last layer computed;
        parameters -- from :func:`initialize_texture_network`;
        upto -- the last layer to compute (its name, e.g. ``"conv3"``), or None for all.
    Returns: ``(outputs, cache)``: outputs ``{"conv1": (m, n_H, n_W, n_C1), "conv2": (m, n_H/2, n_W/2, n_C2),
        ...}`` (after ReLU); the cache is for :func:`texture_network_backward`.
    Raises: ValueError if X is not 4-D with W1's input channels, a side is not divisible by ``2^(L-1)``,
        or upto is not a layer name.
    """
    where = "texture_network_forward"
    L = _depth(parameters, where)
    names = [f"conv{l}" for l in range(1, L + 1)]
    if upto is not None:
        if upto not in names:
            raise ValueError(f"{where}: upto must be one of {names} or None, got {upto!r}")
        L = names.index(upto) + 1
    X = np.asarray(X)
    W1 = parameters["W1"]
    if X.ndim != 4 or X.shape[3] != W1.shape[2]:
        raise ValueError(f"{where}: X must be (m, n_H, n_W, {W1.shape[2]}), got shape {X.shape}")
    step = 2 ** (L - 1)
    if X.shape[1] % step or X.shape[2] % step:
        raise ValueError(f"{where}: with {L} layers the image's sides must be divisible by {step} "
                         f"(pooling halves them {L - 1} times), got {X.shape[1]} x {X.shape[2]}")
    A = X - 0.5
    outputs, caches = {}, []
    for l in range(1, L + 1):
        pool_cache = None
        if l > 1:
            A, pool_cache = average_pool_forward(A, 2)
        W = parameters[f"W{l}"]
        Z, conv_cache = conv2d_forward(A, W, parameters[f"b{l}"], stride=1, pad=(W.shape[0] - 1) // 2)
        A = np.maximum(Z, 0)
        outputs[f"conv{l}"] = A
        caches.append((pool_cache, conv_cache, Z > 0))
    return outputs, caches


def texture_network_backward(d_outputs, cache):
    """Gradient with respect to the image of a cost whose gradients at some layer outputs are given.

    Arguments:
        d_outputs -- ``{layer name: gradient of the cost with respect to that output}`` (each of the
            output's shape); layers not named contribute nothing;
        cache -- from :func:`texture_network_forward` (computed at least up to the deepest named layer).
    Returns: dX of the images' shape, ``(m, n_H, n_W, n_C_in)``.
    Raises: ValueError if a name is not a computed layer or a gradient's shape is not its output's.
    """
    L = len(cache)
    names = [f"conv{l}" for l in range(1, L + 1)]
    unknown = [k for k in d_outputs if k not in names]
    if unknown:
        raise ValueError(f"texture_network_backward: {unknown} are not among the computed layers {names}")
    deepest = max((names.index(k) + 1 for k in d_outputs), default=0)
    if deepest == 0:
        raise ValueError("texture_network_backward: d_outputs names no layer")
    dA = None
    for l in range(deepest, 0, -1):
        pool_cache, conv_cache, active = cache[l - 1]
        d = d_outputs.get(f"conv{l}")
        if d is not None:
            d = np.asarray(d)
            if d.shape != active.shape:
                raise ValueError(f"texture_network_backward: the gradient of conv{l} must have its shape "
                                 f"{active.shape}, got {d.shape}")
            dA = d if dA is None else dA + d
        dZ = np.where(active, dA, 0).astype(dA.dtype, copy=False)
        dA, _ = conv2d_backward(dZ, conv_cache)
        if pool_cache is not None:
            dA, _ = average_pool_backward(dA, pool_cache)
    return dA


def receptive_fields(parameters):
    """Each layer's receptive field: the square of input pixels that one output unit sees.

    A "same" f x f convolution adds ``(f - 1) * jump`` to the side and moves the start ``(f - 1) / 2 * jump``
    up and left (into the padding); a 2 x 2 pooling with stride 2 adds ``jump`` to the side and doubles the
    jump. With 3 x 3 filters the sides are 3, 8, 18, 38, ... pixels and the jumps 1, 2, 4, 8, ...

    Arguments: parameters -- from :func:`initialize_texture_network`.
    Returns: ``{"conv1": (size, jump, start), ...}``, ints: unit (i, j) of that layer sees input rows
        ``start + i * jump`` to ``start + i * jump + size - 1`` (likewise columns); a negative start is padding.
    Raises: ValueError if parameters is not ``{"W1", "b1", ..., "WL", "bL"}``.
    """
    L = _depth(parameters, "receptive_fields")
    size, jump, start, out = 1, 1, 0, {}
    for l in range(1, L + 1):
        if l > 1:
            size, jump = size + jump, jump * 2
        f = parameters[f"W{l}"].shape[0]
        size, start = size + (f - 1) * jump, start - (f - 1) // 2 * jump
        out[f"conv{l}"] = (size, jump, start)
    return out


def top_activating_patches(images, parameters, layer, units, k=9):
    """For each of some units (channels) of a layer, the k image patches that activate it most: what
    the unit "looks for".

    The lecture's visualisation of what deep ConvNets learn (after M. D. Zeiler and R. Fergus 2014,
    "Visualizing and Understanding Convolutional Networks", ECCV): run many images through the network,
    and for one channel of one layer keep the positions where it is largest; the input square each of
    those positions sees (its receptive field, :func:`receptive_fields`) is the patch. Only positions
    whose square lies inside the image count, and a position is skipped if its square overlaps one
    already taken from the same image (non-overlapping maxima: neighbouring positions would show
    nearly the same patch).

    Arguments:
        images -- ``(m, n_H, n_W, n_C_in)``;
        parameters -- from :func:`initialize_texture_network`;
        layer -- a layer name (``"conv2"``); units -- a list of channel indices of that layer; k -- patches
            per unit.
    Returns: ``(patches, values)``: patches ``(len(units), k, size, size, n_C_in)`` (size: the receptive
        field's side), values ``(len(units), k)`` the unit's activations there, largest first.
    Raises: ValueError if layer is not a layer name, a unit is out of range, k < 1, or the images do not
        hold k such patches for a unit.
    """
    where = "top_activating_patches"
    fields = receptive_fields(parameters)
    if layer not in fields:
        raise ValueError(f"{where}: layer must be one of {list(fields)}, got {layer!r}")
    if int(k) < 1:
        raise ValueError(f"{where}: k must be >= 1, got {k!r}")
    images = np.asarray(images)
    A = texture_network_forward(images, parameters, upto=layer)[0][layer]
    units = [int(u) for u in units]
    bad = [u for u in units if not 0 <= u < A.shape[3]]
    if bad:
        raise ValueError(f"{where}: units must be in 0 .. {A.shape[3] - 1} for {layer}, got {bad}")
    size, jump, start = fields[layer]
    m, n_H, n_W = A.shape[:3]
    rows, cols = start + np.arange(n_H) * jump, start + np.arange(n_W) * jump
    inside_rows = (rows >= 0) & (rows + size <= images.shape[1])
    inside = inside_rows[:, None] & ((cols >= 0) & (cols + size <= images.shape[2]))[None, :]
    all_patches, all_values = [], []
    for u in units:
        values = np.where(inside[None], A[..., u], -np.inf)
        taken = []
        for flat in np.argsort(-values, axis=None, kind="stable"):
            if len(taken) == k or not np.isfinite(values.flat[flat]):
                break
            n, i, j = (int(x) for x in np.unravel_index(flat, values.shape))
            if any(n == n2 and abs(rows[i] - rows[i2]) < size and abs(cols[j] - cols[j2]) < size
                   for n2, i2, j2 in taken):
                continue
            taken.append((n, i, j))
        if len(taken) < k:
            raise ValueError(f"{where}: the images hold only {len(taken)} separate {size} x {size} patches for unit "
                             f"{u} of {layer}, fewer than k = {k}")
        all_patches.append([images[n, rows[i]:rows[i] + size, cols[j]:cols[j] + size] for n, i, j in taken])
        all_values.append([float(A[n, i, j, u]) for n, i, j in taken])
    return np.array(all_patches), np.array(all_values, dtype=np.float64)


def generated_start(content, noise_ratio=0.5, seed=0):
    """The starting image of the optimisation: the content image blended with uniform noise.

    ``G0 = noise_ratio * U(0, 1) + (1 - noise_ratio) * content`` (the classic exercise's
    ``generate_noise_image``, with noise in the pixels' own range): noise_ratio 1 starts from pure noise, 0
    from the content image itself.

    Arguments: content -- ``(1, n_H, n_W, n_C)``; noise_ratio -- in [0, 1]; seed -- an int or a Generator.
    Returns: ``(1, n_H, n_W, n_C)`` in content's floating dtype (float64 for integer content).
    Raises: ValueError if noise_ratio is outside [0, 1].
    """
    if not 0 <= noise_ratio <= 1:
        raise ValueError(f"generated_start: noise_ratio must be in [0, 1], got {noise_ratio!r}")
    content = np.asarray(content)
    dtype = content.dtype if np.issubdtype(content.dtype, np.floating) else np.float64
    noise = make_rng(seed).uniform(0.0, 1.0, content.shape)
    return (noise_ratio * noise + (1 - noise_ratio) * content).astype(dtype)


def _targets(content, style, parameters, content_layer, style_layers):
    names = layer_names(parameters)
    wanted = [content_layer] + [name for name, _ in style_layers]
    unknown = [n for n in wanted if n not in names]
    if unknown:
        raise ValueError(f"style transfer: the layers {unknown} are not among {names}")
    deepest = names[max(names.index(n) for n in wanted)]
    a_C = texture_network_forward(content, parameters, upto=deepest)[0][content_layer]
    style_outputs = texture_network_forward(style, parameters, upto=deepest)[0]
    used = {name for name, _ in style_layers}
    return deepest, a_C, gram_matrices({k: v for k, v in style_outputs.items() if k in used})


#: The notebook's choice: content at conv2 (its 8-pixel fields keep a 64 x 64 photograph's shapes), style at all
#: four layers alike, and beta / alpha = 1000 (the two costs are of very different sizes on this network).
CONTENT_LAYER = "conv2"
STYLE_LAYERS = (("conv1", 0.25), ("conv2", 0.25), ("conv3", 0.25), ("conv4", 0.25))


def style_transfer_cost_and_grad(G, content, style, parameters, content_layer=CONTENT_LAYER, style_layers=STYLE_LAYERS,
                                 alpha=10, beta=10000):
    """The three costs of a generated image and the gradient of the total with respect to its pixels.

    ``J(G) = alpha J_content(C, G) + beta J_style(S, G)`` (:mod:`course_utils.nn.style`) on the texture
    network's activations; the gradient goes through :func:`texture_network_backward`.

    Arguments:
        G, content, style -- ``(1, n_H, n_W, n_C_in)`` images of the same size;
        parameters -- from :func:`initialize_texture_network`;
        content_layer -- the layer of the content cost; style_layers -- ``[(layer, lambda), ...]``;
        alpha, beta -- the weights of the two costs.
    Returns: ``(costs, dG)``: costs ``{"total": ..., "content": ..., "style": ...}`` (floats), dG of G's shape.
    Raises: ValueError if a layer is not one of the network's, or the images differ in shape or do
        not fit the network (:func:`texture_network_forward`).
    """
    content, style, G = np.asarray(content), np.asarray(style), np.asarray(G)
    if not content.shape == style.shape == G.shape:
        raise ValueError(f"style transfer: G, content and style must have the same shape, got {G.shape}, "
                         f"{content.shape} and {style.shape}")
    deepest, a_C, style_grams = _targets(content, style, parameters, content_layer, style_layers)
    return _cost_and_grad(G, a_C, style_grams, parameters, deepest, content_layer, style_layers, alpha, beta)


def _cost_and_grad(G, a_C, style_grams, parameters, deepest, content_layer, style_layers, alpha, beta):
    outputs, cache = texture_network_forward(G, parameters, upto=deepest)
    J_content = compute_content_cost(a_C, outputs[content_layer])
    J_style, d_style = style_cost_and_grad(style_grams, outputs, style_layers)
    d_outputs = {name: beta * d for name, d in d_style.items()}
    d_content = alpha * compute_content_cost_backward(a_C, outputs[content_layer])
    d_outputs[content_layer] = d_outputs[content_layer] + d_content if content_layer in d_outputs else d_content
    dG = texture_network_backward(d_outputs, cache)
    costs = {"total": total_cost(J_content, J_style, alpha, beta), "content": J_content, "style": J_style}
    return costs, dG.astype(G.dtype if np.issubdtype(G.dtype, np.floating) else np.float64, copy=False)


def style_transfer(content, style, parameters, G0=None, *, content_layer=CONTENT_LAYER, style_layers=STYLE_LAYERS,
                   alpha=10, beta=10000, num_iterations=100, learning_rate=0.04, record_every=5, progress=False):
    """Neural style transfer: Adam on the pixels of G through the library's one loop.

    The loop (:func:`course_utils.optim.loop.train`, full batch, no data) sees one parameter, ``{"G": G}``,
    and a step that returns the total cost and ``{"dG": dJ/dG}`` (:func:`style_transfer_cost_and_grad`);
    the content activations of C and the style's Gram matrices are computed once, before the loop
    (:func:`course_utils.nn.style.gram_matrices`, :func:`course_utils.nn.style.style_cost_and_grad`). The
    pixels are not clipped during the descent; show ``np.clip(G, 0, 1)``.

    Arguments:
        content, style -- ``(1, n_H, n_W, n_C_in)``; parameters -- from :func:`initialize_texture_network`;
        G0 -- the starting image, of content's shape (default: the content image itself);
        content_layer, style_layers, alpha, beta -- as :func:`style_transfer_cost_and_grad`;
        num_iterations -- Adam steps; learning_rate -- Adam's step size (in pixel units);
        record_every -- record the costs every this many steps; progress -- show a progress bar.
    Returns: ``(G, history)``: G ``(1, n_H, n_W, n_C_in)`` after the last step, in G0's dtype; history as
        :func:`course_utils.optim.loop.train` returns it, ``"cost"`` the total cost, plus ``"content_cost"``
        and ``"style_cost"`` at the same recorded steps.
    Raises: ValueError as :func:`style_transfer_cost_and_grad`, or for a G0 of another shape.
    """
    content, style = np.asarray(content), np.asarray(style)
    G0 = np.array(content, copy=True) if G0 is None else np.asarray(G0)
    if not content.shape == style.shape == G0.shape:
        raise ValueError(f"style_transfer: content, style and G0 must have the same shape, got {content.shape}, "
                         f"{style.shape} and {G0.shape}")
    deepest, a_C, style_grams = _targets(content, style, parameters, content_layer, style_layers)
    parts = {"content": [], "style": []}

    def step(params, X_batch, Y_batch):
        costs, dG = _cost_and_grad(params["G"], a_C, style_grams, parameters, deepest, content_layer, style_layers,
                                   alpha, beta)
        parts["content"].append(costs["content"])      # the costs before this step's update, as "cost" is
        parts["style"].append(costs["style"])
        return costs["total"], {"dG": dG}

    G, history = train(step, {"G": G0}, optimizer="adam", config={"learning_rate": learning_rate},
                       num_epochs=num_iterations, record_every=record_every, progress=progress, desc="style transfer")
    history["content_cost"] = [parts["content"][e] for e in history["epoch"]]
    history["style_cost"] = [parts["style"][e] for e in history["epoch"]]
    return G["G"], history
