"""The references of Track 4, notebook 02 (fast convolution), with the exercises' signatures.

Notebook 02 grades two functions, and both references compute with the fast layer of
:mod:`course_utils.nn.conv`, so the checks compare with what the later notebooks train with:

* ``im2col(A_prev_pad, f, stride)``: the fast layer builds the same matrix inside ``conv2d_forward``,
  but takes the output size as well; this gives it the exercise's signature.
* ``conv_forward_vectorized(A_prev, W, b, hparameters) -> (Z, cache)``: the classic signature and cache of
  :func:`course_utils.nn.conv_loops.conv_forward`, computed by ``conv2d_forward``. The loop itself is not the
  reference on purpose: the student kit (``python -m autograder kit``) leaves a check's reference out
  and replays recorded results in its place, and notebook 02 times the loop against the student's
  version; a replayed loop would time a lookup. The notebook checks the loop's agreement itself.

Shapes (channels last): A_prev_pad ``(m, n_H_pad, n_W_pad, n_C_prev)``, already zero-padded;
the result ``cols`` is ``(m n_H n_W, f f n_C_prev)`` with ``n_H = floor((n_H_pad - f) / stride) + 1``
(likewise n_W). Row ``(i n_H + h) n_W + w`` is the window of example i at output position (h, w),
flattened in the order of ``W.reshape(f f n_C_prev, n_C)``: window row, window column, channel.
"""

from __future__ import annotations

import numpy as np

from course_utils.nn import conv, conv_loops

__all__ = ["im2col", "conv_forward_vectorized"]


def im2col(A_prev_pad, f, stride):
    """Every f x f x n_C_prev window of already padded images as one row of a matrix.

    Arguments:
        A_prev_pad -- ``(m, n_H_pad, n_W_pad, n_C_prev)``, images already zero-padded;
        f -- the window's height and width, an integer >= 1; stride -- an integer >= 1.
    Returns: cols ``(m n_H n_W, f f n_C_prev)``, ``n_H = floor((n_H_pad - f) / stride) + 1`` (likewise
        n_W): rows in the order example, output row, output column; each row flattened as
        ``A_prev_pad[i, h s : h s + f, w s : w s + f, :]`` is (window row, window column, channel), so
        ``cols @ W.reshape(f * f * n_C_prev, n_C)`` is the convolution before the bias.
    Raises: ValueError if A_prev_pad is not 4-D, f or stride is not an integer >= 1, or the window is
        larger than the padded image.
    """
    A_prev_pad = conv._float(A_prev_pad)
    if A_prev_pad.ndim != 4:
        raise ValueError(f"im2col: A_prev_pad must be 4-D (m, n_H_pad, n_W_pad, n_C_prev), got shape {A_prev_pad.shape}")
    m, n_H_pad, n_W_pad, n_C_prev = A_prev_pad.shape
    n_H = conv.conv_output_size(n_H_pad, f, stride)      # raises if f, stride are out of range or f does not fit
    n_W = conv.conv_output_size(n_W_pad, f, stride)
    return conv._im2col(A_prev_pad, f, stride, n_H, n_W)


def conv_forward_vectorized(A_prev, W, b, hparameters):
    """Forward pass of a convolution layer with the classic signature, by im2col and one matrix product.

    Arguments:
        A_prev -- ``(m, n_H_prev, n_W_prev, n_C_prev)``; W -- ``(f, f, n_C_prev, n_C)``; b -- ``(1, 1, 1, n_C)``;
        hparameters -- ``{"stride": s, "pad": p}``.
    Returns: ``(Z, cache)``: Z ``(m, n_H, n_W, n_C)`` with ``n_H = floor((n_H_prev + 2p - f) / s) + 1``
        (likewise n_W), equal to :func:`course_utils.nn.conv_loops.conv_forward`'s to rounding, and
        ``cache = (A_prev, W, b, hparameters)`` as that loop's.
    Raises: ValueError, with the loop's messages, if A_prev is not 4-D, W is not ``(f, f, n_C_prev, n_C)``,
        b is not ``(1, 1, 1, n_C)``, hparameters lacks "stride" or "pad" (or they are not integers,
        stride >= 1, pad >= 0), or the filter is larger than the padded image.
    """
    A_prev, W, b = conv_loops._check_conv(A_prev, W, b, "conv_forward_vectorized")
    stride, pad = conv_loops._hyper(hparameters, ("stride", "pad"), "conv_forward_vectorized")
    if min(A_prev.shape[1:3]) + 2 * pad < W.shape[0]:
        raise ValueError(f"conv_forward_vectorized: the {W.shape[0]}x{W.shape[0]} window does not fit an input of "
                         f"{A_prev.shape[1]}x{A_prev.shape[2]} pixels padded by {pad}")
    Z, _ = conv.conv2d_forward(A_prev, W, b, stride=stride, pad=pad)
    return Z, (A_prev, W, b, dict(hparameters))


#: the names of the result's parts in check messages (course_utils.grading.checks.output_parts)
conv_forward_vectorized.__output_parts__ = "Z, cache=(A_prev, W, b, hparameters)"
