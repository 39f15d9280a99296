"""Cheaper convolutions: depthwise and depthwise separable convolution, the MobileNetV2 bottleneck, and
what a convolution costs (Track 4, notebook 04).

**Cost.** A convolution's cost is counted, as in the lecture, in multiplications: each of the
``n_H n_W n_C`` output numbers takes ``f f n_C_prev`` of them (:func:`conv_multiplications`). The
lecture's two examples:

* Inception (course 4, week 2): 28 x 28 x 192 to 28 x 28 x 32 by 5 x 5 filters costs
  28 * 28 * 32 * 5 * 5 * 192 = 120,422,400 multiplications; through a 1 x 1 "bottleneck" of 16
  channels first, 28 * 28 * 16 * 192 + 28 * 28 * 32 * 5 * 5 * 16 = 12,443,648, about a tenth
  (:func:`bottleneck_multiplications`).
* MobileNet: 6 x 6 x 3 to 4 x 4 x 5 by 3 x 3 filters costs 2,160; depthwise (432) plus pointwise
  (240) costs 672, a ratio of ``1/n_C + 1/f^2`` = 1/5 + 1/9 = 0.31
  (:func:`depthwise_separable_multiplications`).

**Depthwise convolution** (:func:`depthwise_conv_forward`): one f x f filter per input channel, each
applied to its own channel only, so n_C channels in give n_C channels out; W is ``(f, f, n_C)``. A
**depthwise separable** convolution follows it with a **pointwise** (1 x 1) convolution that mixes the
channels into n_C' outputs (:func:`depthwise_separable_conv_forward`). Together they replace an f x f
convolution from n_C to n_C' channels at ``1/n_C' + 1/f^2`` of its multiplications.
Sources: L. Sifre (2014), "Rigid-Motion Scattering for Image Classification", PhD thesis, Ecole
Polytechnique (depthwise separable convolution); A. G. Howard et al. (2017), "MobileNets: Efficient
Convolutional Neural Networks for Mobile Vision Applications", arXiv:1704.04861, Sec. 3.1 (the cost
ratio, Eq. 5).

**The MobileNetV2 bottleneck** (:func:`mobilenet_v2_bottleneck_forward`): expansion (1 x 1 to
``n_exp`` channels, ReLU6), depthwise 3 x 3 (ReLU6), projection (1 x 1 back to few channels, no
activation), plus the input when the shapes allow it (stride 1 and as many channels out as in).
Source: M. Sandler, A. Howard, M. Zhu, A. Zhmoginov and L.-C. Chen (2018), "MobileNetV2: Inverted
Residuals and Linear Bottlenecks", CVPR, Table 1 (without its batch normalisation; each convolution
has a bias here instead).

Shapes are channels last, as in :mod:`course_utils.nn.conv`: X ``(m, n_H, n_W, n_C)``; float32 stays
float32. The depthwise layer loops only over the f x f positions inside the window: each position is
one strided slice of the padded batch, multiplied by that position's weight of every channel.
"""

from __future__ import annotations

import numpy as np

from course_utils.nn import conv

__all__ = ["conv_multiplications", "bottleneck_multiplications", "depthwise_separable_multiplications",
           "depthwise_conv_forward", "depthwise_conv_backward", "depthwise_separable_conv_forward",
           "depthwise_separable_conv_backward", "mobilenet_v2_bottleneck_forward",
           "mobilenet_v2_bottleneck_backward"]


# --- costs --------------------------------------------------------------------------------------

def _sizes(where, **sizes):
    return [conv._int_arg(name, value, 1, where) for name, value in sizes.items()]


def conv_multiplications(n_H, n_W, n_C, f, n_C_prev):
    """Multiplications of one convolution: ``n_H n_W n_C`` output numbers, ``f f n_C_prev`` each.

    Arguments: n_H, n_W, n_C -- the output's height, width and channels (filters); f -- the filter size;
        n_C_prev -- the input's channels (all integers >= 1).
    Returns: the number of multiplications, an int (the biases' additions are not counted).
    Raises: ValueError if an argument is not an integer >= 1.
    """
    n_H, n_W, n_C, f, n_C_prev = _sizes("conv_multiplications", n_H=n_H, n_W=n_W, n_C=n_C, f=f, n_C_prev=n_C_prev)
    return n_H * n_W * n_C * f * f * n_C_prev


def bottleneck_multiplications(n_H, n_W, n_C_prev, n_C_mid, f, n_C):
    """Multiplications of a 1 x 1 convolution to ``n_C_mid`` channels followed by an f x f "same"
    convolution to ``n_C`` channels (Inception's bottleneck), on an ``n_H x n_W`` grid.

    ``n_H n_W n_C_mid n_C_prev + n_H n_W n_C f f n_C_mid``: both convolutions keep the grid's size.
    Arguments: n_H, n_W -- the grid; n_C_prev -- the input's channels; n_C_mid -- the bottleneck's
        channels; f -- the second filter's size; n_C -- the output's channels (integers >= 1).
    Returns: the number of multiplications, an int.
    Raises: ValueError if an argument is not an integer >= 1.
    """
    n_H, n_W, n_C_prev, n_C_mid, f, n_C = _sizes("bottleneck_multiplications", n_H=n_H, n_W=n_W, n_C_prev=n_C_prev,
                                                 n_C_mid=n_C_mid, f=f, n_C=n_C)
    return conv_multiplications(n_H, n_W, n_C_mid, 1, n_C_prev) + conv_multiplications(n_H, n_W, n_C, f, n_C_mid)


def depthwise_separable_multiplications(n_H, n_W, n_C_prev, f, n_C):
    """Multiplications of a depthwise separable convolution from ``n_C_prev`` to ``n_C`` channels with an
    ``n_H x n_W`` output: ``(depthwise, pointwise)``.

    Depthwise: ``n_H n_W n_C_prev`` output numbers of ``f f`` multiplications each; pointwise (1 x 1):
    ``n_H n_W n_C`` output numbers of ``n_C_prev`` each. Their sum over :func:`conv_multiplications`
    with the same sizes is ``1/n_C + 1/f^2``.
    Arguments: n_H, n_W -- the output's height and width; n_C_prev -- the input's channels; f -- the
        depthwise filter's size; n_C -- the output's channels (integers >= 1).
    Returns: ``(depthwise, pointwise)``, two ints.
    Raises: ValueError if an argument is not an integer >= 1.
    """
    n_H, n_W, n_C_prev, f, n_C = _sizes("depthwise_separable_multiplications", n_H=n_H, n_W=n_W,
                                        n_C_prev=n_C_prev, f=f, n_C=n_C)
    return n_H * n_W * n_C_prev * f * f, conv_multiplications(n_H, n_W, n_C, 1, n_C_prev)


# --- depthwise convolution ----------------------------------------------------------------------

def _depthwise_args(X, W, b, stride, pad, where):
    X = conv._images(X, where)
    W, b = conv._float(W), conv._float(b)
    n_C = X.shape[3]
    if W.ndim != 3 or W.shape[0] != W.shape[1] or W.shape[2] != n_C:
        raise ValueError(f"{where}: W must have shape (f, f, {n_C}), one f x f filter per channel of X "
                         f"{X.shape}, got {W.shape}")
    if b.shape != (1, 1, 1, n_C):
        raise ValueError(f"{where}: b must have shape {(1, 1, 1, n_C)}, got {b.shape}")
    stride, pad = conv._int_arg("stride", stride, 1, where), conv._int_arg("pad", pad, 0, where)
    f = W.shape[0]
    if min(X.shape[1], X.shape[2]) + 2 * pad < f:
        raise ValueError(f"{where}: a {f}x{f} filter does not fit images of {X.shape[1]}x{X.shape[2]} padded by {pad}")
    return X, W, b, stride, pad


def depthwise_conv_forward(X, W, b, stride=1, pad=0):
    """Depthwise convolution: channel c of the output is channel c of the padded input convolved with
    filter c alone, plus b[c] (no sum over channels).

    ``out[i, h, w, c] = sum_{di, dj} Xpad[i, h s + di, w s + dj, c] W[di, dj, c] + b[0, 0, 0, c]``.
    Arguments:
        X -- ``(m, n_H_prev, n_W_prev, n_C)``; W -- ``(f, f, n_C)``, one filter per channel;
        b -- ``(1, 1, 1, n_C)``; stride -- integer >= 1; pad -- integer >= 0 (zeros on each side).
    Returns: ``(out, cache)``: out ``(m, n_H, n_W, n_C)`` with ``n_H = floor((n_H_prev + 2 pad - f) / stride) + 1``
        (likewise n_W); ``cache = (X, W, b, stride, pad)``.
    Raises: ValueError if X is not 4-D, W is not ``(f, f, n_C)``, b is not ``(1, 1, 1, n_C)``, stride or
        pad is out of range, or the filter does not fit the padded image.
    """
    X, W, b, stride, pad = _depthwise_args(X, W, b, stride, pad, "depthwise_conv_forward")
    m, n_H_prev, n_W_prev, n_C = X.shape
    f = W.shape[0]
    n_H, n_W = conv.conv_output_size(n_H_prev, f, stride, pad), conv.conv_output_size(n_W_prev, f, stride, pad)
    dtype = np.result_type(X, W, b)
    Xp = conv._pad(X.astype(dtype, copy=False), pad)
    h_span, w_span = stride * (n_H - 1) + 1, stride * (n_W - 1) + 1
    out = np.zeros((m, n_H, n_W, n_C), dtype=dtype)
    for di in range(f):
        for dj in range(f):
            out += Xp[:, di:di + h_span:stride, dj:dj + w_span:stride, :] * W[di, dj].astype(dtype, copy=False)
    out += b.astype(dtype, copy=False)
    return out, (X, W, b, stride, pad)


def depthwise_conv_backward(d_out, cache):
    """Backward pass of :func:`depthwise_conv_forward`.

    Arguments: d_out ``(m, n_H, n_W, n_C)``; cache from :func:`depthwise_conv_forward`.
    Returns: ``(dX, {"dW": ..., "db": ...})`` of the shapes of X, W and b; dW and db are sums over the batch.
    Raises: ValueError if d_out does not have the output's shape.
    """
    X, W, b, stride, pad = cache
    m, n_H_prev, n_W_prev, n_C = X.shape
    f = W.shape[0]
    n_H, n_W = conv.conv_output_size(n_H_prev, f, stride, pad), conv.conv_output_size(n_W_prev, f, stride, pad)
    d_out = conv._float(d_out)
    if d_out.shape != (m, n_H, n_W, n_C):
        raise ValueError(f"depthwise_conv_backward: d_out must have the output's shape {(m, n_H, n_W, n_C)}, "
                         f"got {d_out.shape}")
    dtype = np.result_type(X, W, d_out)
    d_out = d_out.astype(dtype, copy=False)
    Xp = conv._pad(X.astype(dtype, copy=False), pad)
    dXp = np.zeros(Xp.shape, dtype=dtype)
    dW = np.zeros(W.shape, dtype=dtype)
    h_span, w_span = stride * (n_H - 1) + 1, stride * (n_W - 1) + 1
    for di in range(f):
        for dj in range(f):
            window = (slice(None), slice(di, di + h_span, stride), slice(dj, dj + w_span, stride), slice(None))
            dW[di, dj] = np.einsum("ihwc,ihwc->c", Xp[window], d_out)
            dXp[window] += d_out * W[di, dj].astype(dtype, copy=False)
    db = d_out.sum(axis=(0, 1, 2)).reshape(1, 1, 1, n_C)
    dX = dXp[:, pad:pad + n_H_prev, pad:pad + n_W_prev, :]
    return dX, {"dW": dW, "db": db}


# --- depthwise separable convolution ------------------------------------------------------------

def depthwise_separable_conv_forward(X, W_depth, b_depth, W_point, b_point, stride=1, pad=0):
    """Depthwise separable convolution: a depthwise f x f convolution, then a pointwise 1 x 1 convolution
    from n_C_prev to n_C channels (no activation in between: it stands in for one convolution layer).

    Arguments:
        X -- ``(m, n_H_prev, n_W_prev, n_C_prev)``; W_depth -- ``(f, f, n_C_prev)``; b_depth -- ``(1, 1, 1, n_C_prev)``;
        W_point -- ``(1, 1, n_C_prev, n_C)``; b_point -- ``(1, 1, 1, n_C)``; stride, pad -- the depthwise step's.
    Returns: ``(out, cache)``: out ``(m, n_H, n_W, n_C)``, the size of an f x f convolution's output with
        that stride and pad; the cache is for :func:`depthwise_separable_conv_backward`.
    Raises: ValueError for shapes either step refuses (:func:`depthwise_conv_forward`,
        :func:`course_utils.nn.conv.conv2d_forward`), or a W_point that is not 1 x 1.
    """
    if np.ndim(W_point) != 4 or np.shape(W_point)[:2] != (1, 1):
        raise ValueError(f"depthwise_separable_conv_forward: W_point must be (1, 1, n_C_prev, n_C), got "
                         f"{np.shape(W_point)}")
    D, depth_cache = depthwise_conv_forward(X, W_depth, b_depth, stride, pad)
    out, point_cache = conv.conv2d_forward(D, W_point, b_point)
    return out, (depth_cache, point_cache)


def depthwise_separable_conv_backward(d_out, cache):
    """Backward pass of :func:`depthwise_separable_conv_forward`.

    Arguments: d_out ``(m, n_H, n_W, n_C)``; cache from :func:`depthwise_separable_conv_forward`.
    Returns: ``(dX, {"dW_depth", "db_depth", "dW_point", "db_point"})`` of the shapes of the inputs (sums
        over the batch).
    Raises: ValueError if d_out does not have the output's shape.
    """
    depth_cache, point_cache = cache
    dD, g_point = conv.conv2d_backward(d_out, point_cache)
    dX, g_depth = depthwise_conv_backward(dD, depth_cache)
    return dX, {"dW_depth": g_depth["dW"], "db_depth": g_depth["db"], "dW_point": g_point["dW"],
                "db_point": g_point["db"]}


# --- MobileNetV2 bottleneck (Sandler et al. 2018) -----------------------------------------------

_BOTTLENECK_KEYS = ("W_expand", "b_expand", "W_depth", "b_depth", "W_project", "b_project")


def _relu6(Z):
    return np.clip(Z, 0, 6)


def mobilenet_v2_bottleneck_forward(X, parameters, stride=1):
    """The MobileNetV2 bottleneck block: expansion, depthwise, projection, and the residual when it fits.

    ``E = relu6(conv1x1(X, W_expand) + b_expand)`` (n_C_prev to n_exp channels),
    ``D = relu6(depthwise(E, W_depth) + b_depth)`` (3 x 3 or any odd f, pad ``(f - 1) // 2``, ``stride``),
    ``P = conv1x1(D, W_project) + b_project`` (n_exp to n_C channels, linear: no activation), and
    ``out = P + X`` when stride is 1 and n_C = n_C_prev, else ``out = P``.

    Arguments:
        X -- ``(m, n_H_prev, n_W_prev, n_C_prev)``;
        parameters -- ``{"W_expand": (1, 1, n_C_prev, n_exp), "b_expand": (1, 1, 1, n_exp),
            "W_depth": (f, f, n_exp), "b_depth": (1, 1, 1, n_exp), "W_project": (1, 1, n_exp, n_C),
            "b_project": (1, 1, 1, n_C)}``;
        stride -- the depthwise step's stride, 1 or more.
    Returns: ``(out, cache)``, out ``(m, n_H, n_W, n_C)`` (n_H = n_H_prev for stride 1); the cache is for
        :func:`mobilenet_v2_bottleneck_backward`.
    Raises: ValueError if a parameter is missing, W_depth's f is even, or a layer refuses its shapes.
    """
    missing = [k for k in _BOTTLENECK_KEYS if k not in parameters]
    if missing:
        raise ValueError(f"mobilenet_v2_bottleneck_forward: parameters lack {', '.join(missing)}")
    p = parameters
    f = np.shape(p["W_depth"])[0]
    if f % 2 == 0:
        raise ValueError(f"mobilenet_v2_bottleneck_forward: W_depth's filters must have an odd size (a 'same' "
                         f"depthwise step), got {np.shape(p['W_depth'])}")
    Z_e, expand_cache = conv.conv2d_forward(X, p["W_expand"], p["b_expand"])
    E = _relu6(Z_e)
    Z_d, depth_cache = depthwise_conv_forward(E, p["W_depth"], p["b_depth"], stride, (f - 1) // 2)
    D = _relu6(Z_d)
    P, project_cache = conv.conv2d_forward(D, p["W_project"], p["b_project"])
    residual = P.shape == np.shape(X)
    out = P + X if residual else P
    return out, (expand_cache, Z_e, depth_cache, Z_d, project_cache, residual)


def mobilenet_v2_bottleneck_backward(d_out, cache):
    """Backward pass of :func:`mobilenet_v2_bottleneck_forward`.

    Arguments: d_out of the output's shape; cache from :func:`mobilenet_v2_bottleneck_forward`.
    Returns: ``(dX, grads)`` with grads ``{"dW_expand", "db_expand", "dW_depth", "db_depth", "dW_project",
        "db_project"}`` of the parameters' shapes (sums over the batch). ReLU6 passes the gradient where
        ``0 < z < 6``.
    Raises: ValueError if d_out does not have the output's shape.
    """
    expand_cache, Z_e, depth_cache, Z_d, project_cache, residual = cache
    dD, g_p = conv.conv2d_backward(d_out, project_cache)
    dZ_d = np.where((Z_d > 0) & (Z_d < 6), dD, 0).astype(dD.dtype, copy=False)
    dE, g_d = depthwise_conv_backward(dZ_d, depth_cache)
    dZ_e = np.where((Z_e > 0) & (Z_e < 6), dE, 0).astype(dE.dtype, copy=False)
    dX, g_e = conv.conv2d_backward(dZ_e, expand_cache)
    if residual:
        dX = dX + d_out
    return dX, {"dW_expand": g_e["dW"], "db_expand": g_e["db"], "dW_depth": g_d["dW"], "db_depth": g_d["db"],
                "dW_project": g_p["dW"], "db_project": g_p["db"]}


#: the names of the result's parts in check messages (course_utils.grading.checks.output_parts)
depthwise_conv_forward.__output_parts__ = "out, cache=(X, W, b, stride, pad)"
