"""The residual (identity) block of a ResNet, on the fast convolution layers (Track 4, notebook 04).

The lecture's residual block (course 4, week 2) lets the activation ``a[l]`` skip two layers and join
the second one before its ReLU:

    z[l+1] = W[l+1] * a[l] + b[l+1],   a[l+1] = g(z[l+1]),
    z[l+2] = W[l+2] * a[l+1] + b[l+2], a[l+2] = g(z[l+2] + a[l])

where ``*`` is a "same" convolution (f x f filters, stride 1, pad ``(f - 1) / 2``), so ``z[l+2]`` has
``a[l]``'s shape and the two can be added: this is the *identity* block, in which input and output
have the same number of channels. g is ReLU.

Why it helps (He, Zhang, Ren and Sun 2016): if the block's weights are small, ``a[l+2] = g(a[l])``,
which is ``a[l]`` again (a[l] is itself the output of a ReLU, so it is >= 0); a block can learn the
identity without effort, so adding blocks does not make the training error worse, and the gradient
``d a[l]`` gets the upstream gradient directly through the skip, besides what flows back through the
two convolutions.

Shapes: X ``(m, n_H, n_W, n_C)``; parameters ``{"W1": (f, f, n_C, n_C), "b1": (1, 1, 1, n_C), "W2": ...,
"b2": ...}`` with f odd; the output has X's shape. float32 stays float32 (the convolution's rule).
Source: K. He, X. Zhang, S. Ren and J. Sun (2016), "Deep Residual Learning for Image Recognition",
CVPR (the identity shortcut, Eq. 1, and the two-layer "basic" block of Fig. 2).
"""

from __future__ import annotations

import numpy as np

from course_utils.nn.conv import conv2d_backward, conv2d_forward

__all__ = ["identity_block_forward", "identity_block_backward"]

_KEYS = ("W1", "b1", "W2", "b2")


def _block_parameters(X, parameters, where):
    missing = [k for k in _KEYS if k not in parameters]
    if missing:
        raise ValueError(f"{where}: parameters must hold W1, b1, W2 and b2; missing {', '.join(missing)}")
    n_C = np.shape(X)[-1] if np.ndim(X) == 4 else None
    for k in ("W1", "W2"):
        W = np.asarray(parameters[k])
        if W.ndim != 4 or W.shape[0] != W.shape[1] or W.shape[0] % 2 == 0 or W.shape[2:] != (n_C, n_C):
            raise ValueError(f"{where}: {k} must be (f, f, {n_C}, {n_C}) with f odd (a same convolution that keeps "
                             f"the {n_C} channels of X {np.shape(X)}), got {W.shape}")
    return [parameters[k] for k in _KEYS]


def identity_block_forward(X, parameters):
    """Forward pass of the identity block: conv -> ReLU -> conv, plus X, then ReLU.

    ``Z1 = conv(X, W1) + b1``, ``A1 = relu(Z1)``, ``Z2 = conv(A1, W2) + b2``, ``S = Z2 + X``,
    ``out = relu(S)``; both convolutions are "same" (stride 1, pad ``(f - 1) // 2``).

    Arguments:
        X -- ``(m, n_H, n_W, n_C)``, the block's input a[l];
        parameters -- ``{"W1", "b1", "W2", "b2"}``: W's ``(f, f, n_C, n_C)`` with f odd, b's ``(1, 1, 1, n_C)``.
    Returns: ``(out, cache)``: out of X's shape (a[l+2]); ``cache = (conv1_cache, Z1, conv2_cache, S)``
        with the caches of :func:`course_utils.nn.conv.conv2d_forward`, for :func:`identity_block_backward`.
    Raises: ValueError if a parameter is missing, a W is not ``(f, f, n_C, n_C)`` with f odd (the block
        could not add X to Z2), or the convolution refuses the shapes (X not 4-D, b not ``(1, 1, 1, n_C)``).
    """
    W1, b1, W2, b2 = _block_parameters(X, parameters, "identity_block_forward")
    pad = (np.shape(W1)[0] - 1) // 2
    Z1, conv1_cache = conv2d_forward(X, W1, b1, stride=1, pad=pad)
    A1 = np.maximum(Z1, 0)                 # ReLU that keeps float32 (activations.relu computes in float64)
    Z2, conv2_cache = conv2d_forward(A1, W2, b2, stride=1, pad=(np.shape(W2)[0] - 1) // 2)
    S = Z2 + X                             # the skip connection: a[l] joins before the second ReLU
    out = np.maximum(S, 0)
    return out, (conv1_cache, Z1, conv2_cache, S)


def identity_block_backward(d_out, cache):
    """Backward pass of :func:`identity_block_forward`.

    ``dS = d_out * (S > 0)``; back through the second convolution to ``dA1``; ``dZ1 = dA1 * (Z1 > 0)``;
    back through the first to ``dX_conv``; and ``dX = dX_conv + dS``: the skip hands dS to X unchanged.

    Arguments: d_out ``(m, n_H, n_W, n_C)``, the gradient of the cost with respect to the block's output;
        cache from :func:`identity_block_forward`.
    Returns: ``(dX, {"dW1", "db1", "dW2", "db2"})`` of the shapes of X and the parameters (sums over the
        batch, the library's convention).
    Raises: ValueError if d_out does not have the output's shape.
    """
    conv1_cache, Z1, conv2_cache, S = cache
    d_out = np.asarray(d_out)
    if d_out.shape != S.shape:
        raise ValueError(f"identity_block_backward: d_out must have the block output's shape {S.shape}, "
                         f"got {d_out.shape}")
    dS = np.where(S > 0, d_out, 0).astype(S.dtype, copy=False)
    dA1, g2 = conv2d_backward(dS, conv2_cache)
    dZ1 = np.where(Z1 > 0, dA1, 0).astype(Z1.dtype, copy=False)
    dX, g1 = conv2d_backward(dZ1, conv1_cache)
    dX = dX + dS
    return dX, {"dW1": g1["dW"], "db1": g1["db"], "dW2": g2["dW"], "db2": g2["db"]}


#: the names of the result's parts in check messages (course_utils.grading.checks.output_parts): each convolution's
#: cache is what :func:`course_utils.nn.conv.conv2d_forward` keeps (its input's shape, W, stride, pad, cols)
identity_block_forward.__output_parts__ = ("out, cache=(conv1_cache=(X_shape=(m, n_H, n_W, n_C), W1, stride, pad, cols), "
                                           "Z1, conv2_cache=(A1_shape=(m, n_H, n_W, n_C), W2, stride, pad, cols), S)")
identity_block_backward.__output_parts__ = "dX, grads"
