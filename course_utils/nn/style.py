"""The costs of neural style transfer and their gradients (Track 4, notebook 08).

Neural style transfer (L. A. Gatys, A. S. Ecker and M. Bethge 2015, "A Neural Algorithm of Artistic
Style", arXiv:1508.06576) makes a generated image G whose hidden activations match those of a
content image C at one layer and whose channel correlations (Gram matrices) match those of a style
image S at several layers, by gradient descent on G's pixels:

    J(G) = alpha J_content(C, G) + beta J_style(S, G).

Shapes (channels last, as everywhere in Track 4): the activations of one layer for one image are
``a`` ``(1, n_H, n_W, n_C)``; :func:`unroll` turns them into ``(n_C, n_H n_W)``, one row per channel,
one column per position (the row-major unrolling of the classic exercise); the Gram matrix of that is
``(n_C, n_C)``.

Normalisations (the classic exercise's, which the lecture's style cost also has):

* :func:`compute_content_cost`: ``1 / (4 n_H n_W n_C) * sum((a_C - a_G)^2)``; the lecture's
  ``1/2 ||a_C - a_G||_F^2`` is this times ``2 n_H n_W n_C`` (a constant that alpha absorbs). Divided by
  the layer's size it does not grow with the image, so alpha and beta keep their meaning when the
  image or the layer changes.
* :func:`compute_layer_style_cost`: ``1 / (2 n_H n_W n_C)^2 * sum((G_S - G_G)^2)``, the lecture's.
* :func:`compute_style_cost`: ``sum_l lambda[l] J_style[l]`` over ``[(layer name, lambda), ...]``.

Every cost returns a Python float (computed in float64); every ``*_backward`` returns the gradient
with respect to the generated image's activations, of their shape, in their floating dtype (float32
stays float32), ready for the network's backward pass to the pixels
(:mod:`course_utils.models.style_transfer`). No function modifies its arguments.
"""

from __future__ import annotations

import numpy as np

__all__ = ["unroll", "gram_matrix", "compute_content_cost", "compute_content_cost_backward",
           "compute_layer_style_cost", "compute_layer_style_cost_backward", "compute_style_cost",
           "compute_style_cost_backward", "gram_matrices", "style_cost_and_grad", "total_cost"]


def _activations(a, where, name):
    a = np.asarray(a)
    if a.ndim != 4 or a.shape[0] != 1:
        raise ValueError(f"{where}: {name} must be one image's activations (1, n_H, n_W, n_C), got shape {a.shape}")
    if not np.issubdtype(a.dtype, np.floating):
        a = a.astype(np.float64)
    return a


def _pair(a_X, a_G, where, name):
    a_X, a_G = _activations(a_X, where, name), _activations(a_G, where, "a_G")
    if a_X.shape != a_G.shape:
        raise ValueError(f"{where}: {name} and a_G must come from the same layer of images of the same size; "
                         f"got {name} {a_X.shape} and a_G {a_G.shape}")
    return a_X, a_G


def unroll(a):
    """One image's activations as a matrix with one row per channel: ``(1, n_H, n_W, n_C) -> (n_C, n_H n_W)``.

    Column ``i n_W + j`` holds position (i, j) (row-major order). This is ``a.reshape(n_H n_W, n_C).T``:
    reshaping straight to ``(n_C, n_H n_W)`` would mix channels and positions, because the channels
    are the last (fastest) axis.

    Arguments: a -- ``(1, n_H, n_W, n_C)``.
    Returns: ``(n_C, n_H n_W)``, a new array.
    Raises: ValueError if a is not ``(1, n_H, n_W, n_C)``.
    """
    a = _activations(a, "unroll", "a")
    _, n_H, n_W, n_C = a.shape
    return np.array(a.reshape(n_H * n_W, n_C).T)


def gram_matrix(A):
    """The Gram (style) matrix ``G = A A^T`` of the unrolled activations.

    ``G[k, k'] = sum over positions of A[k, p] A[k', p]``: how strongly channels k and k' are active at
    the same places (the lecture's "style matrix", without centring). Symmetric, ``(n_C, n_C)``; its
    diagonal is how active each channel is overall.

    Arguments: A -- ``(n_C, n_H n_W)`` (:func:`unroll`).
    Returns: ``(n_C, n_C)``.
    Raises: ValueError if A is not 2-D.
    """
    A = np.asarray(A)
    if A.ndim != 2:
        raise ValueError(f"gram_matrix: A must be the unrolled activations (n_C, n_H * n_W), got shape {A.shape}")
    return A @ A.T


def compute_content_cost(a_C, a_G):
    """The content cost at one layer, ``1 / (4 n_H n_W n_C) * sum((a_C - a_G)^2)``.

    Arguments: a_C, a_G -- ``(1, n_H, n_W, n_C)``: the layer's activations for C and for G.
    Returns: a Python float >= 0 (0 when the activations are equal).
    Raises: ValueError if the two are not both ``(1, n_H, n_W, n_C)`` of the same shape.
    Source: the classic normalisation of the exercise; the lecture's ``1/2 ||a_C - a_G||_F^2`` is
    ``2 n_H n_W n_C`` times it (see the module docstring).
    """
    a_C, a_G = _pair(a_C, a_G, "compute_content_cost", "a_C")
    _, n_H, n_W, n_C = a_G.shape
    diff = a_C.astype(np.float64) - a_G.astype(np.float64)
    return float(np.sum(diff ** 2) / (4 * n_H * n_W * n_C))


def compute_content_cost_backward(a_C, a_G):
    """Gradient of :func:`compute_content_cost` with respect to a_G: ``(a_G - a_C) / (2 n_H n_W n_C)``.

    Arguments: a_C, a_G -- ``(1, n_H, n_W, n_C)``.
    Returns: ``(1, n_H, n_W, n_C)`` in a_G's floating dtype.
    Raises: ValueError as :func:`compute_content_cost`.
    """
    a_C, a_G = _pair(a_C, a_G, "compute_content_cost_backward", "a_C")
    _, n_H, n_W, n_C = a_G.shape
    return ((a_G - a_C) / (2 * n_H * n_W * n_C)).astype(a_G.dtype, copy=False)


def _layer_style(G_S, a_G, gradient):
    """J_style[l] from the style image's Gram matrix G_S ``(n_C, n_C)`` and a_G ``(1, n_H, n_W, n_C)``, computed in
    a_G's dtype and summed in float64, and (if ``gradient``) its gradient with respect to a_G (else None)."""
    _, n_H, n_W, n_C = a_G.shape
    F = a_G.reshape(n_H * n_W, n_C)                     # rows: positions (unroll's transpose)
    diff = F.T @ F - G_S                                 # G_G - G_S
    scale = 1.0 / (2 * n_H * n_W * n_C) ** 2
    J = float(np.sum(diff.astype(np.float64) ** 2) * scale)
    if not gradient:
        return J, None
    return J, (F @ (diff * (4 * scale))).reshape(a_G.shape).astype(a_G.dtype, copy=False)


def compute_layer_style_cost(a_S, a_G):
    """The style cost at one layer, ``1 / (2 n_H n_W n_C)^2 * sum((G_S - G_G)^2)`` with G the Gram matrices.

    Arguments: a_S, a_G -- ``(1, n_H, n_W, n_C)``: the layer's activations for S and for G.
    Returns: a Python float >= 0 (0 when the Gram matrices are equal), computed in float64.
    Raises: ValueError if the two are not both ``(1, n_H, n_W, n_C)`` of the same shape.
    Source: L. A. Gatys, A. S. Ecker and M. Bethge (2015), Eq. 4 (``E_l``), with the lecture's notation.
    """
    a_S, a_G = _pair(a_S, a_G, "compute_layer_style_cost", "a_S")
    a_G = a_G.astype(np.float64)
    return _layer_style(gram_matrix(unroll(a_S).astype(np.float64)), a_G, False)[0]


def compute_layer_style_cost_backward(a_S, a_G):
    """Gradient of :func:`compute_layer_style_cost` with respect to a_G.

    With ``F = unroll(a_G)`` ``(n_C, n_H n_W)``, ``G_G = F F^T`` and ``c = 1 / (2 n_H n_W n_C)^2``:
    ``dJ/dG_G = 2 c (G_G - G_S)``, and because ``G_G`` uses F twice and is symmetric,
    ``dJ/dF = 2 dJ/dG_G F = 4 c (G_G - G_S) F``, rolled back to a_G's shape.

    Arguments: a_S, a_G -- ``(1, n_H, n_W, n_C)``.
    Returns: ``(1, n_H, n_W, n_C)`` in a_G's floating dtype.
    Raises: ValueError as :func:`compute_layer_style_cost`.
    """
    a_S, a_G = _pair(a_S, a_G, "compute_layer_style_cost_backward", "a_S")
    return _layer_style(gram_matrix(unroll(a_S).astype(a_G.dtype, copy=False)), a_G, True)[1]


def gram_matrices(outputs):
    """The Gram matrix of every layer of one image's activations: ``{name: gram_matrix(unroll(a))}``.

    For a style image whose activations do not change during the descent: computed once, they serve
    :func:`style_cost_and_grad` at every step.

    Arguments: outputs -- ``{layer name: (1, n_H, n_W, n_C)}``.
    Returns: ``{layer name: (n_C, n_C)}`` in each activation's floating dtype.
    Raises: ValueError if an activation is not ``(1, n_H, n_W, n_C)``.
    """
    return {name: gram_matrix(unroll(a)) for name, a in outputs.items()}


def style_cost_and_grad(style_grams, generated_outputs, style_layers):
    """:func:`compute_style_cost` and :func:`compute_style_cost_backward` in one pass, from the style's Gram matrices.

    The descent's version: each Gram matrix of G is computed once per step, in the activations' dtype (float32
    stays float32; the cost is summed in float64).

    Arguments:
        style_grams -- ``{layer name: (n_C, n_C)}`` (:func:`gram_matrices` of the style image's activations);
        generated_outputs -- ``{layer name: (1, n_H, n_W, n_C)}``, G's activations;
        style_layers -- ``[(layer name, lambda), ...]``.
    Returns: ``(J_style, grads)``: a Python float and ``{layer name: (1, n_H, n_W, n_C)}`` as
        :func:`compute_style_cost_backward` returns them.
    Raises: ValueError as :func:`compute_style_cost`, or if a Gram matrix is not ``(n_C, n_C)`` for its layer.
    """
    pairs = _layers(style_grams, generated_outputs, style_layers, "style_cost_and_grad", "style_grams")
    J, grads = 0.0, {}
    for name, weight in pairs:
        a_G = _activations(generated_outputs[name], "style_cost_and_grad", f"generated_outputs[{name!r}]")
        G_S = np.asarray(style_grams[name])
        if G_S.shape != (a_G.shape[3],) * 2:
            raise ValueError(f"style_cost_and_grad: the Gram matrix of {name!r} must be {(a_G.shape[3],) * 2} for "
                             f"activations {a_G.shape}, got {G_S.shape}")
        J_layer, g = _layer_style(G_S.astype(a_G.dtype, copy=False), a_G, True)
        J += weight * J_layer
        grads[name] = weight * g if name not in grads else grads[name] + weight * g
    return float(J), grads


def _layers(style_outputs, generated_outputs, style_layers, where, style_name="style_outputs"):
    if not isinstance(style_outputs, dict) or not isinstance(generated_outputs, dict):
        raise ValueError(f"{where}: {style_name} and generated_outputs must be dicts {{layer name: ...}}")
    pairs = []
    for item in style_layers:
        if not (isinstance(item, (tuple, list)) and len(item) == 2):
            raise ValueError(f"{where}: style_layers must be [(layer name, weight), ...], got the item {item!r}")
        name, weight = item
        missing = [d for d, outputs in ((style_name, style_outputs), ("generated_outputs", generated_outputs))
                   if name not in outputs]
        if missing:
            raise ValueError(f"{where}: layer {name!r} of style_layers is not in {' and '.join(missing)}")
        pairs.append((name, float(weight)))
    return pairs


def compute_style_cost(style_outputs, generated_outputs, style_layers):
    """The style cost over several layers, ``sum_l lambda[l] J_style[l](S, G)``.

    Arguments:
        style_outputs, generated_outputs -- dicts ``{layer name: (1, n_H, n_W, n_C)}``: the activations of
            S and of G (the same network, the same image size);
        style_layers -- ``[(layer name, lambda), ...]``: the layers used and their weights (the classic
            ``STYLE_LAYERS``).
    Returns: a Python float (0.0 for an empty list).
    Raises: ValueError if an argument is not of these kinds, a listed layer is missing from either
        dict, or the two activations of a layer differ in shape.
    Source: L. A. Gatys, A. S. Ecker and M. Bethge (2015), Eq. 5.
    """
    pairs = _layers(style_outputs, generated_outputs, style_layers, "compute_style_cost")
    return float(sum(weight * compute_layer_style_cost(style_outputs[name], generated_outputs[name])
                     for name, weight in pairs))


def compute_style_cost_backward(style_outputs, generated_outputs, style_layers):
    """Gradient of :func:`compute_style_cost` with respect to each listed layer's activations of G.

    Arguments: as :func:`compute_style_cost`.
    Returns: ``{layer name: (1, n_H, n_W, n_C)}`` for the listed layers (the gradients of a layer listed
        twice add up), each in that activation's floating dtype.
    Raises: ValueError as :func:`compute_style_cost`.
    """
    pairs = _layers(style_outputs, generated_outputs, style_layers, "compute_style_cost_backward")
    grads = {}
    for name, weight in pairs:
        g = weight * compute_layer_style_cost_backward(style_outputs[name], generated_outputs[name])
        grads[name] = g if name not in grads else grads[name] + g
    return grads


def total_cost(J_content, J_style, alpha=10, beta=40):
    """The style-transfer cost ``J(G) = alpha J_content + beta J_style``.

    Arguments: J_content, J_style -- numbers (the two costs); alpha, beta -- their weights (the
        classic exercise's defaults, 10 and 40).
    Returns: a Python float.
    Source: L. A. Gatys, A. S. Ecker and M. Bethge (2015), Eq. 7.
    """
    return float(alpha * J_content + beta * J_style)
