"""im2col with the exercise's signature (Track 4, notebook 02).

Notebook 02 grades two functions. ``conv_forward_vectorized(A_prev, W, b, hparameters) -> (Z, cache)``
has the classic signature of :func:`course_utils.nn.conv_loops.conv_forward`, which is its reference.
``im2col(A_prev_pad, f, stride)`` has no library twin with that signature: the fast layer
:mod:`course_utils.nn.conv` builds the same matrix inside ``conv2d_forward`` and also takes the output
size. This module is that one adapter, so the hidden tests compare against the matrix the library
layer really multiplies.

Shapes (channels last): A_prev_pad ``(m, n_H_pad, n_W_pad, n_C_prev)``, already zero-padded;
the result ``cols`` is ``(m n_H n_W, f f n_C_prev)`` with ``n_H = floor((n_H_pad - f) / stride) + 1``
(likewise n_W). Row ``(i n_H + h) n_W + w`` is the window of example i at output position (h, w),
flattened in the order of ``W.reshape(f f n_C_prev, n_C)``: window row, window column, channel.
"""

from __future__ import annotations

import numpy as np

from course_utils.nn import conv

__all__ = ["im2col"]


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
