"""Convolution and pooling written with loops, to be read (Track 4, notebook 01).

This is the *teaching version*: one output number at a time, in the lecture's notation, with the
classic exercise names, argument order and ``hparameters`` dicts. It is slow on purpose; every
later notebook trains with the vectorised layers of :mod:`course_utils.nn.conv`, and the tests
check that the two agree to 1e-10 in float64.

Shapes (channels last, one example per row of the first axis):
    A_prev ``(m, n_H_prev, n_W_prev, n_C_prev)`` -- m images of n_H_prev x n_W_prev pixels, n_C_prev channels;
    W ``(f, f, n_C_prev, n_C)`` -- n_C filters of f x f x n_C_prev; b ``(1, 1, 1, n_C)``;
    Z, A ``(m, n_H, n_W, n_C)``.
Hyperparameters: ``{"stride": s, "pad": p}`` for a convolution, ``{"stride": s, "f": f}`` for pooling.
Output size (each spatial axis): ``n_H = floor((n_H_prev + 2p - f) / s) + 1``.

Gradients follow the library's one convention (:mod:`course_utils.nn`): the upstream gradient
already belongs to the averaged cost, so ``dW`` and ``db`` are sums over the batch.
"""

from __future__ import annotations

import numpy as np

__all__ = ["zero_pad", "conv_single_step", "conv_forward", "conv_backward", "pool_forward",
           "create_mask_from_window", "distribute_value", "pool_backward"]

POOL_MODES = ("max", "average")


def _as_images(name, X, where):
    X = np.asarray(X, dtype=np.result_type(np.asarray(X).dtype, np.float32))
    if X.ndim != 4:
        raise ValueError(f"{where}: {name} must be 4-D (m, n_H, n_W, n_C), got shape {X.shape}")
    return X


def _hyper(hparameters, keys, where):
    if not isinstance(hparameters, dict):
        raise ValueError(f"{where}: hparameters must be a dict with keys {list(keys)}, got {type(hparameters).__name__}")
    missing = [k for k in keys if k not in hparameters]
    if missing:
        raise ValueError(f"{where}: hparameters needs {missing} (got keys {sorted(hparameters)})")
    values = []
    for k in keys:
        v = hparameters[k]
        if isinstance(v, bool) or int(v) != v or v < (0 if k == "pad" else 1):
            low = "an integer >= 0" if k == "pad" else "an integer >= 1"
            raise ValueError(f"{where}: hparameters[{k!r}] must be {low}, got {v!r}")
        values.append(int(v))
    return values


def _out_size(n, f, pad, stride, where):
    if n + 2 * pad < f:
        raise ValueError(f"{where}: the {f}x{f} window does not fit an input of {n} pixels padded by {pad}")
    return (n + 2 * pad - f) // stride + 1


def zero_pad(X, pad):
    """Pad every image of X with ``pad`` zeros on each side of its height and width (not its channels).

    Arguments: X ``(m, n_H, n_W, n_C)``; pad, an integer >= 0.
    Returns: a new array ``(m, n_H + 2 pad, n_W + 2 pad, n_C)``; X itself is not changed.
    Raises: ValueError if X is not 4-D or pad is not an integer >= 0.
    """
    X = _as_images("X", X, "zero_pad")
    (pad,) = _hyper({"pad": pad}, ("pad",), "zero_pad")
    return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode="constant", constant_values=0)


def conv_single_step(a_slice_prev, W, b):
    """One output number: the filter W laid over one window of the input, multiplied entry by entry,
    summed, plus the bias, ``Z = sum(a_slice_prev * W) + b``.

    Arguments: a_slice_prev ``(f, f, n_C_prev)``; W ``(f, f, n_C_prev)``, one filter; b, a number or ``(1, 1, 1)``.
    Returns: Z, a Python float.
    Raises: ValueError if the window and the filter differ in shape.
    """
    a_slice_prev, W = np.asarray(a_slice_prev, dtype=float), np.asarray(W, dtype=float)
    if a_slice_prev.shape != W.shape:
        raise ValueError(f"conv_single_step: the window has shape {a_slice_prev.shape}, the filter {W.shape}; "
                         f"they must be equal")
    if np.size(b) != 1:
        raise ValueError(f"conv_single_step: b must be one number, got shape {np.shape(b)}")
    s = np.sum(a_slice_prev * W)
    return float(s + np.asarray(b, dtype=float).item())


def _check_conv(A_prev, W, b, where):
    A_prev = _as_images("A_prev", A_prev, where)
    W = np.asarray(W, dtype=np.result_type(np.asarray(W).dtype, np.float32))
    if W.ndim != 4 or W.shape[0] != W.shape[1] or W.shape[2] != A_prev.shape[3]:
        raise ValueError(f"{where}: W must have shape (f, f, n_C_prev, n_C) = (f, f, {A_prev.shape[3]}, n_C) "
                         f"for A_prev of shape {A_prev.shape}, got {W.shape}")
    b = np.asarray(b, dtype=W.dtype)
    if b.shape != (1, 1, 1, W.shape[3]):
        raise ValueError(f"{where}: b must have shape {(1, 1, 1, W.shape[3])}, got {b.shape}")
    return A_prev, W, b


def conv_forward(A_prev, W, b, hparameters):
    """Forward pass of a convolution layer, one output number at a time.

    Arguments:
        A_prev -- ``(m, n_H_prev, n_W_prev, n_C_prev)``, the previous layer's activations;
        W -- ``(f, f, n_C_prev, n_C)``, the filters; b -- ``(1, 1, 1, n_C)``, one bias per filter;
        hparameters -- ``{"stride": s, "pad": p}``.
    Returns: ``(Z, cache)`` with Z ``(m, n_H, n_W, n_C)``, ``n_H = floor((n_H_prev + 2p - f) / s) + 1``
        (likewise n_W), and ``cache = (A_prev, W, b, hparameters)``.
    Raises: ValueError if A_prev is not 4-D, W is not ``(f, f, n_C_prev, n_C)``, b is not
        ``(1, 1, 1, n_C)``, hparameters lacks "stride" or "pad" (or they are not integers, stride >= 1,
        pad >= 0), or the filter is larger than the padded image.
    """
    A_prev, W, b = _check_conv(A_prev, W, b, "conv_forward")
    stride, pad = _hyper(hparameters, ("stride", "pad"), "conv_forward")
    m, n_H_prev, n_W_prev, n_C_prev = A_prev.shape
    f, _, _, n_C = W.shape
    n_H = _out_size(n_H_prev, f, pad, stride, "conv_forward")
    n_W = _out_size(n_W_prev, f, pad, stride, "conv_forward")
    Z = np.zeros((m, n_H, n_W, n_C), dtype=np.result_type(A_prev, W))
    A_prev_pad = zero_pad(A_prev, pad)
    for i in range(m):                       # each example
        a_prev_pad = A_prev_pad[i]
        for h in range(n_H):                 # each output row
            vert_start = h * stride
            vert_end = vert_start + f
            for w in range(n_W):             # each output column
                horiz_start = w * stride
                horiz_end = horiz_start + f
                for c in range(n_C):         # each filter
                    a_slice_prev = a_prev_pad[vert_start:vert_end, horiz_start:horiz_end, :]
                    Z[i, h, w, c] = conv_single_step(a_slice_prev, W[:, :, :, c], b[:, :, :, c])
    cache = (A_prev, W, b, dict(hparameters))
    return Z, cache


def conv_backward(dZ, cache):
    """Backward pass of :func:`conv_forward`, one window at a time.

    Each output number Z[i, h, w, c] came from one window of the padded input times filter c, so its
    gradient dZ[i, h, w, c] flows back to that window (times the filter) and to the filter (times the
    window); the bias receives dZ itself. Sums run over the whole batch (no division by m).

    Arguments: dZ ``(m, n_H, n_W, n_C)``, the gradient of the cost with respect to Z; cache from
        :func:`conv_forward`.
    Returns: ``(dA_prev, dW, db)`` with the shapes of A_prev, W and b.
    Raises: ValueError if dZ does not have the shape of Z.
    """
    A_prev, W, b, hparameters = cache
    stride, pad = _hyper(hparameters, ("stride", "pad"), "conv_backward")
    m, n_H_prev, n_W_prev, n_C_prev = A_prev.shape
    f, _, _, n_C = W.shape
    n_H = _out_size(n_H_prev, f, pad, stride, "conv_backward")
    n_W = _out_size(n_W_prev, f, pad, stride, "conv_backward")
    dZ = np.asarray(dZ)
    if dZ.shape != (m, n_H, n_W, n_C):
        raise ValueError(f"conv_backward: dZ must have the shape of Z, {(m, n_H, n_W, n_C)}, got {dZ.shape}")
    dtype = np.result_type(A_prev, W)
    dA_prev_pad = np.zeros((m, n_H_prev + 2 * pad, n_W_prev + 2 * pad, n_C_prev), dtype=dtype)
    dW = np.zeros(W.shape, dtype=dtype)
    db = np.zeros(b.shape, dtype=dtype)
    A_prev_pad = zero_pad(A_prev, pad)
    for i in range(m):
        a_prev_pad = A_prev_pad[i]
        da_prev_pad = dA_prev_pad[i]
        for h in range(n_H):
            vert_start = h * stride
            vert_end = vert_start + f
            for w in range(n_W):
                horiz_start = w * stride
                horiz_end = horiz_start + f
                for c in range(n_C):
                    a_slice = a_prev_pad[vert_start:vert_end, horiz_start:horiz_end, :]
                    da_prev_pad[vert_start:vert_end, horiz_start:horiz_end, :] += W[:, :, :, c] * dZ[i, h, w, c]
                    dW[:, :, :, c] += a_slice * dZ[i, h, w, c]
                    db[:, :, :, c] += dZ[i, h, w, c]
    dA_prev = dA_prev_pad[:, pad:pad + n_H_prev, pad:pad + n_W_prev, :]
    return dA_prev.copy(), dW, db


def pool_forward(A_prev, hparameters, mode="max"):
    """Forward pass of a pooling layer: the largest ("max") or the mean ("average") of every f x f window,
    channel by channel. Pooling has no parameters.

    Arguments: A_prev ``(m, n_H_prev, n_W_prev, n_C)``; hparameters ``{"f": f, "stride": s}``;
        mode, "max" or "average".
    Returns: ``(A, cache)`` with A ``(m, n_H, n_W, n_C)``, ``n_H = floor((n_H_prev - f) / s) + 1`` (likewise
        n_W), and ``cache = (A_prev, hparameters)``.
    Raises: ValueError if A_prev is not 4-D, hparameters lacks "f" or "stride" (or they are not integers
        >= 1), the window is larger than the image, or mode is not "max" or "average".
    """
    A_prev = _as_images("A_prev", A_prev, "pool_forward")
    f, stride = _hyper(hparameters, ("f", "stride"), "pool_forward")
    if mode not in POOL_MODES:
        raise ValueError(f"pool_forward: mode must be one of {list(POOL_MODES)}, got {mode!r}")
    m, n_H_prev, n_W_prev, n_C = A_prev.shape
    n_H = _out_size(n_H_prev, f, 0, stride, "pool_forward")
    n_W = _out_size(n_W_prev, f, 0, stride, "pool_forward")
    A = np.zeros((m, n_H, n_W, n_C), dtype=A_prev.dtype)
    for i in range(m):
        for h in range(n_H):
            vert_start = h * stride
            vert_end = vert_start + f
            for w in range(n_W):
                horiz_start = w * stride
                horiz_end = horiz_start + f
                for c in range(n_C):
                    a_prev_slice = A_prev[i, vert_start:vert_end, horiz_start:horiz_end, c]
                    if mode == "max":
                        A[i, h, w, c] = np.max(a_prev_slice)
                    else:
                        A[i, h, w, c] = np.mean(a_prev_slice)
    return A, (A_prev, dict(hparameters))


def create_mask_from_window(x):
    """Where the window's maximum is: True at the first (row by row) largest entry of x, False elsewhere.

    Only that one entry changed the max-pooled output, so only it receives the gradient. (With ties, the
    first maximum is the one ``np.argmax`` and the fast layer choose as well.)

    Arguments: x ``(f, f)``, one window of one channel.
    Returns: a boolean array of x's shape with exactly one True.
    Raises: ValueError if x is empty.
    """
    x = np.asarray(x)
    if x.size == 0:
        raise ValueError(f"create_mask_from_window: the window is empty (shape {x.shape})")
    mask = np.zeros(x.shape, dtype=bool)
    mask[np.unravel_index(np.argmax(x), x.shape)] = True
    return mask


def distribute_value(dz, shape):
    """Spread one gradient dz evenly over a window of the given shape (the backward pass of the mean).

    Every entry of an average-pooled window changed the output by 1/(n_H n_W) of its value, so each
    receives ``dz / (n_H n_W)``.

    Arguments: dz, a number; shape ``(n_H, n_W)``.
    Returns: an array of that shape filled with ``dz / (n_H * n_W)``.
    Raises: ValueError if shape is not two positive integers.
    """
    if len(tuple(shape)) != 2 or any(int(n) != n or n < 1 for n in shape):
        raise ValueError(f"distribute_value: shape must be two positive integers (n_H, n_W), got {shape!r}")
    n_H, n_W = (int(n) for n in shape)
    return np.full((n_H, n_W), float(dz) / (n_H * n_W))


def pool_backward(dA, cache, mode="max"):
    """Backward pass of :func:`pool_forward`: each window's gradient goes to its maximum ("max",
    through :func:`create_mask_from_window`) or is shared evenly ("average", :func:`distribute_value`).
    Windows that overlap (stride < f) add their shares.

    Arguments: dA ``(m, n_H, n_W, n_C)``, the gradient with respect to the pooled output; cache from
        :func:`pool_forward`; mode, the forward pass's mode.
    Returns: dA_prev, of A_prev's shape.
    Raises: ValueError if dA does not have the pooled output's shape or mode is not "max" or "average".
    """
    A_prev, hparameters = cache
    f, stride = _hyper(hparameters, ("f", "stride"), "pool_backward")
    if mode not in POOL_MODES:
        raise ValueError(f"pool_backward: mode must be one of {list(POOL_MODES)}, got {mode!r}")
    m, n_H_prev, n_W_prev, n_C = A_prev.shape
    n_H = _out_size(n_H_prev, f, 0, stride, "pool_backward")
    n_W = _out_size(n_W_prev, f, 0, stride, "pool_backward")
    dA = np.asarray(dA)
    if dA.shape != (m, n_H, n_W, n_C):
        raise ValueError(f"pool_backward: dA must have the pooled output's shape {(m, n_H, n_W, n_C)}, got {dA.shape}")
    dA_prev = np.zeros(A_prev.shape, dtype=np.result_type(A_prev, dA))
    for i in range(m):
        a_prev = A_prev[i]
        for h in range(n_H):
            vert_start = h * stride
            vert_end = vert_start + f
            for w in range(n_W):
                horiz_start = w * stride
                horiz_end = horiz_start + f
                for c in range(n_C):
                    if mode == "max":
                        a_prev_slice = a_prev[vert_start:vert_end, horiz_start:horiz_end, c]
                        mask = create_mask_from_window(a_prev_slice)
                        dA_prev[i, vert_start:vert_end, horiz_start:horiz_end, c] += mask * dA[i, h, w, c]
                    else:
                        dA_prev[i, vert_start:vert_end, horiz_start:horiz_end, c] += distribute_value(dA[i, h, w, c],
                                                                                                      (f, f))
    return dA_prev
