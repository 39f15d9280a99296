"""Convolution, pooling and transposed convolution as fast layers (Track 4 from notebook 02 on).

The layers every Track 4 notebook trains with. They follow the library's one layer interface
(:mod:`course_utils.nn`): ``*_forward(inputs..., params...) -> (out, cache)`` and
``*_backward(d_out, cache) -> (d_input, param_grads)`` with ``param_grads`` ``{"dW", "db"}`` (or ``{}``
for pooling), and its one gradient convention: ``dW`` and ``db`` are sums over the batch.
The names differ from the teaching loops of :mod:`course_utils.nn.conv_loops` on purpose
(``conv2d_forward`` here, the classic ``conv_forward(A_prev, W, b, hparameters)`` there): the loops
keep the exercise's signature, these take ``stride`` and ``pad`` as arguments.

Shapes (channels last, as in the lecture):
    X ``(m, n_H_prev, n_W_prev, n_C_prev)``; W ``(f, f, n_C_prev, n_C)``; b ``(1, 1, 1, n_C)``;
    out ``(m, n_H, n_W, n_C)`` with ``n_H = floor((n_H_prev + 2 pad - f) / stride) + 1`` (likewise n_W),
    :func:`conv_output_size`.
Precision: float64 and float32 both work; the result has ``numpy.result_type`` of the inputs (and at
least float32), so float32 inputs stay float32 end to end. Integer inputs compute in float64.

**How it is vectorised: im2col.** Every window of the padded input becomes one row of a matrix
``cols (m n_H n_W, f f n_C_prev)``; the convolution is then one matrix product with the filters
reshaped to ``(f f n_C_prev, n_C)``, which BLAS does. The rows are one copy of a
``sliding_window_view`` of the images whose rows are flattened to ``n_W_prev n_C_prev`` numbers, so a
window's row (f pixels of n_C_prev channels, neighbours in memory) moves as one run. The backward
pass multiplies dZ by the filters once per position (i, j) inside the window and adds each result
back onto the input pixels it came from (col2im, f^2 strided additions). The forward pass keeps
``cols`` in its cache, so ``dW = cols^T dZ`` costs one product.
Source: K. Chellapilla, S. Puri and P. Simard (2006), "High Performance Convolutional Neural
Networks for Document Processing", 10th International Workshop on Frontiers in Handwriting
Recognition (the unrolling of convolutions into a matrix product).

Why im2col and not the alternatives (measured with ``benchmarks/conv_benchmark.py --compare-methods``:
one BLAS thread, batch 64, forward + backward, median of 5 runs, on the course machine, 2 shared
cores; dX is the same col2im in all three, so the columns compare how windows meet filters)::

    layer                               dtype     im2col (this)   windows + einsum   windows + tensordot
    LeNet-5 CONV1 32x32x3, 6 5x5        float64        63.9 ms          195.0 ms              72.8 ms
    LeNet-5 CONV1 32x32x3, 6 5x5        float32        31.3 ms          152.8 ms              32.3 ms
    LeNet-5 CONV2 14x14x6, 16 5x5       float64        14.7 ms           50.9 ms              15.0 ms
    LeNet-5 CONV2 14x14x6, 16 5x5       float32         5.8 ms           25.6 ms               8.8 ms
    digits 8x8x1, 16 3x3 pad 1          float64         0.92 ms           2.64 ms              0.99 ms
    digits 8x8x1, 32 3x3 pad 1          float64         1.29 ms           3.75 ms              1.93 ms

("windows" is ``numpy.lib.stride_tricks.sliding_window_view``.) The windows cost no copy, but their
axes are strided: einsum then multiplies in its own C loop without BLAS, and tensordot first copies
them into the matrix im2col builds, in a slower order (channels before the window's rows and
columns). im2col was fastest or tied on every layer. Its stages (``--profile``) show where the
time goes: on LeNet CONV1 in float64 (57 ms) col2im takes 26 ms, the products ``cols W`` and
``cols^T dZ`` 12 and 10 ms (their 6 output columns are too narrow for BLAS to run at full speed),
im2col 6 ms.

Transposed convolution: :func:`conv_transpose_forward` is the adjoint of :func:`conv2d_forward` (its
input-gradient map), following V. Dumoulin and F. Visin (2016), "A guide to convolution arithmetic
for deep learning", arXiv:1603.07285, Sec. 4.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = ["conv_output_size", "conv2d_forward", "conv2d_backward", "max_pool_forward", "max_pool_backward",
           "average_pool_forward", "average_pool_backward", "conv_transpose_output_size",
           "conv_transpose_forward", "conv_transpose_backward"]


# --- checks -------------------------------------------------------------------------------------

def _float(x):
    x = np.asarray(x)
    return x.astype(np.result_type(x.dtype, np.float32), copy=False)


def _int_arg(name, value, low, where):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{where}: {name} must be an integer >= {low}, got {value!r}")
    return int(value)


def _images(X, where, name="X"):
    X = _float(X)
    if X.ndim != 4:
        raise ValueError(f"{where}: {name} must be 4-D (m, n_H, n_W, n_C), got shape {X.shape}")
    return X


def _filters(X, W, b, where, channels_axis=2):
    W = _float(W)
    if W.ndim != 4 or W.shape[0] != W.shape[1] or W.shape[channels_axis] != X.shape[3]:
        expected = ["f", "f", "n_C", "n_C"]
        expected[channels_axis] = str(X.shape[3])
        raise ValueError(f"{where}: W must have shape ({', '.join(expected)}) for X of shape {X.shape}, got {W.shape}")
    n_out = W.shape[5 - channels_axis]
    b = _float(b)
    if b.shape != (1, 1, 1, n_out):
        raise ValueError(f"{where}: b must have shape {(1, 1, 1, n_out)}, got {b.shape}")
    return W, b


def conv_output_size(n, f, stride=1, pad=0):
    """Output size of a convolution or pooling along one axis: ``floor((n + 2 pad - f) / stride) + 1``.

    Arguments: n, the input size; f, the window size; stride >= 1; pad >= 0 (all integers).
    Returns: the output size, an int >= 1.
    Raises: ValueError if an argument is not an integer in range, or the window does not fit the
        padded input (``n + 2 pad < f``).
    """
    where = "conv_output_size"
    n, f = _int_arg("n", n, 1, where), _int_arg("f", f, 1, where)
    stride, pad = _int_arg("stride", stride, 1, where), _int_arg("pad", pad, 0, where)
    if n + 2 * pad < f:
        raise ValueError(f"{where}: a {f}x{f} window does not fit an input of {n} padded by {pad} ({n + 2 * pad})")
    return (n + 2 * pad - f) // stride + 1


# --- im2col / col2im (Chellapilla, Puri & Simard 2006) ------------------------------------------

def _im2col(Xp, f, stride, n_H, n_W):
    """Windows of the padded images Xp as rows: ``(m n_H n_W, f f n_C)``, in the order of W's reshape.

    Along a window's row the f pixels of n_C channels are f n_C neighbours in memory, so the copy
    moves runs of f n_C numbers (a view of Xp with rows flattened to ``n_W_prev n_C``), not runs of n_C.
    """
    m, H_p, W_p, n_C = Xp.shape
    rows = np.ascontiguousarray(Xp).reshape(m, H_p, W_p * n_C)
    windows = sliding_window_view(rows, (f, f * n_C), axis=(1, 2))[:, ::stride, ::stride * n_C][:, :n_H, :n_W]
    return np.ascontiguousarray(windows).reshape(m * n_H * n_W, f * f * n_C)


def _col2im(d2, W, padded_shape, f, stride, n_H, n_W):
    """The adjoint of :func:`_im2col` applied to ``d2 W2^T``: each window's gradient added back where it came from.

    d2 ``(m n_H n_W, n_K)``; W ``(f, f, n_C, n_K)``. The product is taken per position (i, j) inside the
    window, one window row at a time (``(f, m n_H n_W, n_C)``), so that each of the f^2 strided additions
    reads a contiguous block and the block's memory is reused (fresh 30 MB arrays cost page faults).
    """
    m, _, _, n_C = padded_shape
    n_K = W.shape[3]
    W_t = W.reshape(f, f, n_C, n_K).transpose(0, 1, 3, 2)            # (f, f, n_K, n_C)
    dXp = np.zeros(padded_shape, dtype=np.result_type(d2, W))
    h_span, w_span = stride * (n_H - 1) + 1, stride * (n_W - 1) + 1
    for i in range(f):          # one window row at a time: a fifth of the memory for f = 5, reused each time
        per_position = np.matmul(d2, W_t[i])                           # (f, m n_H n_W, n_C)
        for j in range(f):
            dXp[:, i:i + h_span:stride, j:j + w_span:stride, :] += per_position[j].reshape(m, n_H, n_W, n_C)
    return dXp


def _pad(X, pad):
    if pad == 0:
        return X
    return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))


# --- convolution --------------------------------------------------------------------------------

def conv2d_forward(X, W, b, stride=1, pad=0):
    """Forward pass of a convolution layer: every f x f x n_C_prev window of the zero-padded input times
    each filter, summed, plus the filter's bias (im2col, then one matrix product).

    Arguments:
        X -- ``(m, n_H_prev, n_W_prev, n_C_prev)``; W -- ``(f, f, n_C_prev, n_C)``; b -- ``(1, 1, 1, n_C)``;
        stride -- integer >= 1; pad -- zeros added on each side of height and width, integer >= 0.
    Returns: ``(out, cache)`` with out ``(m, n_H, n_W, n_C)`` (:func:`conv_output_size` on each axis);
        the cache is for :func:`conv2d_backward`.
    Raises: ValueError if X is not 4-D, W is not ``(f, f, n_C_prev, n_C)`` with square filters,
        b is not ``(1, 1, 1, n_C)``, stride or pad is out of range, or the filter does not fit the padded
        image (each message names the expected and the received shape).
    """
    where = "conv2d_forward"
    X = _images(X, where)
    W, b = _filters(X, W, b, where)
    stride, pad = _int_arg("stride", stride, 1, where), _int_arg("pad", pad, 0, where)
    m, n_H_prev, n_W_prev, n_C_prev = X.shape
    f, n_C = W.shape[0], W.shape[3]
    if min(n_H_prev, n_W_prev) + 2 * pad < f:
        raise ValueError(f"{where}: a {f}x{f} filter does not fit images of {n_H_prev}x{n_W_prev} padded by {pad}")
    n_H, n_W = (n_H_prev + 2 * pad - f) // stride + 1, (n_W_prev + 2 * pad - f) // stride + 1
    dtype = np.result_type(X, W, b)
    cols = _im2col(_pad(X.astype(dtype, copy=False), pad), f, stride, n_H, n_W)
    out = cols @ W.astype(dtype, copy=False).reshape(f * f * n_C_prev, n_C)
    out += b.reshape(1, n_C)
    return out.reshape(m, n_H, n_W, n_C), (X.shape, W, stride, pad, cols)


def conv2d_backward(d_out, cache):
    """Backward pass of :func:`conv2d_forward`.

    Arguments: d_out ``(m, n_H, n_W, n_C)``, the gradient of the cost with respect to the output;
        cache from :func:`conv2d_forward`.
    Returns: ``(dX, {"dW": ..., "db": ...})`` of the shapes of X, W and b; dW and db are sums over
        the batch.
    Raises: ValueError if d_out does not have the output's shape.
    """
    X_shape, W, stride, pad, cols = cache
    m, n_H_prev, n_W_prev, n_C_prev = X_shape
    f, n_C = W.shape[0], W.shape[3]
    n_H, n_W = (n_H_prev + 2 * pad - f) // stride + 1, (n_W_prev + 2 * pad - f) // stride + 1
    d_out = _float(d_out)
    if d_out.shape != (m, n_H, n_W, n_C):
        raise ValueError(f"conv2d_backward: d_out must have the output's shape {(m, n_H, n_W, n_C)}, got {d_out.shape}")
    dtype = np.result_type(cols, d_out)
    d2 = d_out.astype(dtype, copy=False).reshape(m * n_H * n_W, n_C)
    dW = (cols.T @ d2).reshape(W.shape)
    db = d2.sum(axis=0).reshape(1, 1, 1, n_C)
    dXp = _col2im(d2, W.astype(dtype, copy=False), (m, n_H_prev + 2 * pad, n_W_prev + 2 * pad, n_C_prev), f,
                  stride, n_H, n_W)
    dX = dXp[:, pad:pad + n_H_prev, pad:pad + n_W_prev, :] if pad else dXp
    return dX, {"dW": dW, "db": db}


# --- pooling ------------------------------------------------------------------------------------

def _pool_setup(X, f, stride, where):
    X = _images(X, where)
    f = _int_arg("f", f, 1, where)
    stride = f if stride is None else _int_arg("stride", stride, 1, where)
    m, n_H_prev, n_W_prev, n_C = X.shape
    if min(n_H_prev, n_W_prev) < f:
        raise ValueError(f"{where}: a {f}x{f} window does not fit images of {n_H_prev}x{n_W_prev}")
    return X, f, stride, (n_H_prev - f) // stride + 1, (n_W_prev - f) // stride + 1


def _pool_check_grad(d_out, X_shape, f, stride, where):
    m, n_H_prev, n_W_prev, n_C = X_shape
    expected = (m, (n_H_prev - f) // stride + 1, (n_W_prev - f) // stride + 1, n_C)
    d_out = _float(d_out)
    if d_out.shape != expected:
        raise ValueError(f"{where}: d_out must have the pooled output's shape {expected}, got {d_out.shape}")
    return d_out, expected[1], expected[2]


def max_pool_forward(X, f=2, stride=None):
    """Max pooling: the largest entry of every f x f window, channel by channel (no parameters).

    Arguments: X ``(m, n_H_prev, n_W_prev, n_C)``; f, the window size; stride (default f).
    Returns: ``(out, cache)`` with out ``(m, n_H, n_W, n_C)``, ``n_H = floor((n_H_prev - f) / stride) + 1``.
        The cache records where each maximum was (the first one, row by row, if several are equal).
    Raises: ValueError if X is not 4-D, f or stride is not an integer >= 1, or the window is larger
        than the image.
    """
    X, f, stride, n_H, n_W = _pool_setup(X, f, stride, "max_pool_forward")
    h_span, w_span = stride * (n_H - 1) + 1, stride * (n_W - 1) + 1
    out = X[:, 0:h_span:stride, 0:w_span:stride, :].copy()
    where_max = np.zeros(out.shape, dtype=np.intp)
    for k in range(1, f * f):
        i, j = divmod(k, f)
        v = X[:, i:i + h_span:stride, j:j + w_span:stride, :]
        larger = v > out                       # strictly: ties keep the first maximum
        np.copyto(out, v, where=larger)
        where_max[larger] = k
    return out, (X.shape, f, stride, where_max)


def max_pool_backward(d_out, cache):
    """Backward pass of :func:`max_pool_forward`: each window's gradient goes to its maximum.

    Arguments: d_out ``(m, n_H, n_W, n_C)``; cache from :func:`max_pool_forward`.
    Returns: ``(dX, {})`` with dX of X's shape (overlapping windows add their shares).
    Raises: ValueError if d_out does not have the pooled output's shape.
    """
    X_shape, f, stride, where_max = cache
    d_out, n_H, n_W = _pool_check_grad(d_out, X_shape, f, stride, "max_pool_backward")
    dX = np.zeros(X_shape, dtype=d_out.dtype)
    h_span, w_span = stride * (n_H - 1) + 1, stride * (n_W - 1) + 1
    for k in range(f * f):
        i, j = divmod(k, f)
        dX[:, i:i + h_span:stride, j:j + w_span:stride, :] += np.where(where_max == k, d_out, 0)
    return dX, {}


def average_pool_forward(X, f=2, stride=None):
    """Average pooling: the mean of every f x f window, channel by channel (no parameters).

    Arguments: X ``(m, n_H_prev, n_W_prev, n_C)``; f, the window size; stride (default f).
    Returns: ``(out, cache)`` with out ``(m, n_H, n_W, n_C)``, ``n_H = floor((n_H_prev - f) / stride) + 1``.
    Raises: ValueError if X is not 4-D, f or stride is not an integer >= 1, or the window is larger
        than the image.
    """
    X, f, stride, n_H, n_W = _pool_setup(X, f, stride, "average_pool_forward")
    h_span, w_span = stride * (n_H - 1) + 1, stride * (n_W - 1) + 1
    out = np.zeros((X.shape[0], n_H, n_W, X.shape[3]), dtype=X.dtype)
    for i in range(f):
        for j in range(f):
            out += X[:, i:i + h_span:stride, j:j + w_span:stride, :]
    out /= f * f
    return out, (X.shape, f, stride)


def average_pool_backward(d_out, cache):
    """Backward pass of :func:`average_pool_forward`: each window's gradient is shared evenly, 1/f^2 each.

    Arguments: d_out ``(m, n_H, n_W, n_C)``; cache from :func:`average_pool_forward`.
    Returns: ``(dX, {})`` with dX of X's shape (overlapping windows add their shares).
    Raises: ValueError if d_out does not have the pooled output's shape.
    """
    X_shape, f, stride = cache
    d_out, n_H, n_W = _pool_check_grad(d_out, X_shape, f, stride, "average_pool_backward")
    dX = np.zeros(X_shape, dtype=d_out.dtype)
    share = d_out / (f * f)
    h_span, w_span = stride * (n_H - 1) + 1, stride * (n_W - 1) + 1
    for i in range(f):
        for j in range(f):
            dX[:, i:i + h_span:stride, j:j + w_span:stride, :] += share
    return dX, {}


# --- transposed convolution (Dumoulin & Visin 2016) ---------------------------------------------

def conv_transpose_output_size(n, f, stride=1, pad=0, output_padding=0):
    """Output size of a transposed convolution along one axis: ``stride (n - 1) + f - 2 pad + output_padding``.

    This is the input size of the convolution (same f, stride, pad) that maps back to n
    (Dumoulin & Visin 2016, relationship 14, where output_padding is their ``a``). A strided
    convolution maps ``stride`` different input sizes to the same n (the floor in
    :func:`conv_output_size`), and ``output_padding`` in ``0 .. stride - 1`` picks which one.

    Arguments: n >= 1; f >= 1; stride >= 1; pad >= 0; 0 <= output_padding < stride (integers).
    Returns: the output size, an int >= 1.
    Raises: ValueError if an argument is out of range or the result would be < 1.
    """
    where = "conv_transpose_output_size"
    n, f = _int_arg("n", n, 1, where), _int_arg("f", f, 1, where)
    stride, pad = _int_arg("stride", stride, 1, where), _int_arg("pad", pad, 0, where)
    output_padding = _int_arg("output_padding", output_padding, 0, where)
    if output_padding >= stride:
        raise ValueError(f"{where}: output_padding must be smaller than the stride ({stride}), got {output_padding}")
    size = stride * (n - 1) + f - 2 * pad + output_padding
    if size < 1:
        raise ValueError(f"{where}: stride {stride} (n - 1 = {n - 1}) + f {f} - 2 * pad {pad} + output_padding "
                         f"{output_padding} = {size}: the padding crops the whole output")
    return size


def conv_transpose_forward(X, W, b, stride=1, pad=0, output_padding=0):
    """Transposed convolution: every input number times the whole filter, added into the output at
    ``stride`` steps, overlaps summed; then ``pad`` rows and columns are cropped on each side.

    It is the adjoint of :func:`conv2d_forward` with the same W, stride and pad (the map its backward
    pass applies to d_out): ``<conv2d(x), y> = <x, conv_transpose(y)>`` when both biases are zero.
    The uncropped result has ``stride (n - 1) + f`` rows; output_padding adds that many zero rows
    (and columns) at the bottom (right) before cropping, so the output has
    ``n_H = stride (n_H_prev - 1) + f - 2 pad + output_padding`` rows (:func:`conv_transpose_output_size`).
    The lecture's 2x2 -> 4x4 example (f = 3, pad = 1, stride = 2) is output_padding = 1: of the 5x5
    uncropped result it keeps rows and columns 1 to 4.

    Arguments:
        X -- ``(m, n_H_prev, n_W_prev, n_C_prev)``;
        W -- ``(f, f, n_C, n_C_prev)``: the filters of the convolution from n_C to n_C_prev channels that
             this layer transposes (the shape that convolution's W has);
        b -- ``(1, 1, 1, n_C)``; stride >= 1; pad >= 0; 0 <= output_padding < stride.
    Returns: ``(out, cache)`` with out ``(m, n_H, n_W, n_C)``; the cache is for :func:`conv_transpose_backward`.
    Raises: ValueError if X is not 4-D, W is not ``(f, f, n_C, n_C_prev)``, b is not ``(1, 1, 1, n_C)``, or
        stride, pad or output_padding is out of range (each message names expected and received values).
    Source: V. Dumoulin and F. Visin (2016), "A guide to convolution arithmetic for deep learning",
    arXiv:1603.07285, Sec. 4 (transposed convolution as the convolution's transpose).
    """
    where = "conv_transpose_forward"
    X = _images(X, where)
    W, b = _filters(X, W, b, where, channels_axis=3)
    m, n_H_prev, n_W_prev, n_C_prev = X.shape
    f, n_C = W.shape[0], W.shape[2]
    n_H = conv_transpose_output_size(n_H_prev, f, stride, pad, output_padding)
    n_W = conv_transpose_output_size(n_W_prev, f, stride, pad, output_padding)
    dtype = np.result_type(X, W, b)
    X2 = X.astype(dtype, copy=False).reshape(m * n_H_prev * n_W_prev, n_C_prev)
    full = _col2im(X2, W.astype(dtype, copy=False), (m, n_H + 2 * pad, n_W + 2 * pad, n_C), f, stride, n_H_prev,
                   n_W_prev)
    out = full[:, pad:pad + n_H, pad:pad + n_W, :] + b
    return out, (X2, W, X.shape, stride, pad)


def conv_transpose_backward(d_out, cache):
    """Backward pass of :func:`conv_transpose_forward`.

    The gradient with respect to X is the convolution of d_out with the same W, stride and pad
    (a transposed convolution's adjoint is the convolution).

    Arguments: d_out ``(m, n_H, n_W, n_C)``; cache from :func:`conv_transpose_forward`.
    Returns: ``(dX, {"dW": ..., "db": ...})`` of the shapes of X, W and b, sums over the batch.
    Raises: ValueError if d_out does not have the output's shape.
    """
    X2, W, X_shape, stride, pad = cache
    m, n_H_prev, n_W_prev, n_C_prev = X_shape
    f, n_C = W.shape[0], W.shape[2]
    n_H_full, n_W_full = stride * (n_H_prev - 1) + f, stride * (n_W_prev - 1) + f
    d_out = _float(d_out)
    if d_out.ndim != 4 or d_out.shape[0] != m or d_out.shape[3] != n_C or not (
            0 <= d_out.shape[1] + 2 * pad - n_H_full < stride and 0 <= d_out.shape[2] + 2 * pad - n_W_full < stride):
        raise ValueError(f"conv_transpose_backward: d_out must have the output's shape "
                         f"({m}, n_H, n_W, {n_C}) with n_H = {n_H_full - 2 * pad} + output_padding, "
                         f"n_W = {n_W_full - 2 * pad} + output_padding, got {d_out.shape}")
    dtype = np.result_type(X2, d_out)
    cols = _im2col(_pad(d_out.astype(dtype, copy=False), pad), f, stride, n_H_prev, n_W_prev)
    W2 = W.astype(dtype, copy=False).reshape(f * f * n_C, n_C_prev)
    dX = (cols @ W2).reshape(X_shape)
    dW = (cols.T @ X2.astype(dtype, copy=False)).reshape(W.shape)
    db = d_out.sum(axis=(0, 1, 2)).reshape(1, 1, 1, n_C).astype(dtype, copy=False)
    return dX, {"dW": dW, "db": db}
