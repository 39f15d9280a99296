"""course_utils.nn.efficient: the lecture's costs (Inception's 120,422,400 against 12,443,648; MobileNet's
2,160 against 432 + 240), the depthwise convolution as n_C single-channel convolutions, the separable
convolution as depthwise then 1 x 1, the MobileNetV2 bottleneck, and every backward pass by the
numerical-gradient check."""

import numpy as np
import pytest

from course_utils.nn.conv import conv2d_forward
from course_utils.nn.efficient import (bottleneck_multiplications, conv_multiplications, depthwise_conv_backward,
                                       depthwise_conv_forward, depthwise_separable_conv_backward,
                                       depthwise_separable_conv_forward, depthwise_separable_multiplications,
                                       mobilenet_v2_bottleneck_backward, mobilenet_v2_bottleneck_forward)

rng = np.random.default_rng(4105)


def test_inception_costs_are_the_lectures():
    assert conv_multiplications(28, 28, 32, 5, 192) == 28 * 28 * 32 * 5 * 5 * 192 == 120_422_400
    assert bottleneck_multiplications(28, 28, 192, 16, 5, 32) == 28 * 28 * 16 * 192 + 28 * 28 * 32 * 5 * 5 * 16 \
        == 12_443_648


def test_mobilenet_costs_are_the_lectures_and_the_ratio_is_one_over_n_c_plus_one_over_f_squared():
    assert conv_multiplications(4, 4, 5, 3, 3) == 2160
    assert depthwise_separable_multiplications(4, 4, 3, 3, 5) == (432, 240)
    assert abs(672 / 2160 - (1 / 5 + 1 / 3 ** 2)) < 1e-15
    for n_H, n_W, n_C_prev, f, n_C in [(7, 5, 16, 3, 32), (14, 14, 64, 5, 128), (1, 1, 1, 1, 1)]:
        depth, point = depthwise_separable_multiplications(n_H, n_W, n_C_prev, f, n_C)
        ratio = (depth + point) / conv_multiplications(n_H, n_W, n_C, f, n_C_prev)
        assert abs(ratio - (1 / n_C + 1 / f ** 2)) < 1e-12


def test_costs_refuse_sizes_that_are_not_positive_integers():
    with pytest.raises(ValueError, match="conv_multiplications: f must be an integer >= 1, got 0"):
        conv_multiplications(28, 28, 32, 0, 192)
    with pytest.raises(ValueError, match="bottleneck_multiplications: n_C_mid must be an integer >= 1, got 2.5"):
        bottleneck_multiplications(28, 28, 192, 2.5, 5, 32)


@pytest.mark.parametrize("shape, f, stride, pad", [((2, 5, 7, 3), 3, 1, 1), ((1, 6, 5, 2), 3, 2, 0),
                                                   ((2, 4, 4, 4), 1, 1, 0), ((2, 7, 6, 1), 2, 2, 1)])
def test_depthwise_is_one_single_channel_convolution_per_channel(shape, f, stride, pad):
    X = rng.standard_normal(shape)
    W = rng.standard_normal((f, f, shape[3]))
    b = rng.standard_normal((1, 1, 1, shape[3]))
    out, cache = depthwise_conv_forward(X, W, b, stride, pad)
    for c in range(shape[3]):
        single, _ = conv2d_forward(X[..., c:c + 1], W[:, :, c, None, None], b[..., c:c + 1], stride, pad)
        np.testing.assert_allclose(out[..., c:c + 1], single, rtol=0, atol=1e-12)
    assert cache[0] is X and cache[1] is W and cache[3:] == (stride, pad)


@pytest.mark.parametrize("stride, pad", [(1, 1), (2, 1), (2, 0)])
def test_depthwise_backward_passes_the_numerical_gradient_check(check_backward, stride, pad):
    X = rng.standard_normal((2, 5, 6, 3))
    W, b = rng.standard_normal((3, 3, 3)), rng.standard_normal((1, 1, 1, 3))
    out, cache = depthwise_conv_forward(X, W, b, stride, pad)
    d_out = rng.standard_normal(out.shape)
    dX, g = depthwise_conv_backward(d_out, cache)
    check_backward(lambda X, W, b: depthwise_conv_forward(X, W, b, stride, pad)[0], [X, W, b], d_out,
                   [dX, g["dW"], g["db"]], names=["X", "W", "b"])


def test_separable_is_depthwise_then_pointwise_and_its_backward_passes_the_check(check_backward):
    X = rng.standard_normal((2, 6, 5, 3))
    Wd, bd = rng.standard_normal((3, 3, 3)), rng.standard_normal((1, 1, 1, 3))
    Wp, bp = rng.standard_normal((1, 1, 3, 5)), rng.standard_normal((1, 1, 1, 5))
    out, cache = depthwise_separable_conv_forward(X, Wd, bd, Wp, bp, 1, 0)
    assert out.shape == (2, 4, 3, 5)
    D, _ = depthwise_conv_forward(X, Wd, bd, 1, 0)
    np.testing.assert_allclose(out, np.einsum("ihwc,ck->ihwk", D, Wp[0, 0]) + bp, rtol=0, atol=1e-12)
    d_out = rng.standard_normal(out.shape)
    dX, g = depthwise_separable_conv_backward(d_out, cache)
    check_backward(lambda *a: depthwise_separable_conv_forward(*a, 1, 0)[0], [X, Wd, bd, Wp, bp], d_out,
                   [dX, g["dW_depth"], g["db_depth"], g["dW_point"], g["db_point"]],
                   names=["X", "W_depth", "b_depth", "W_point", "b_point"])


def bottleneck_parameters(n_C, n_exp, n_out, f=3, scale=0.3):
    return {"W_expand": rng.standard_normal((1, 1, n_C, n_exp)) * scale,
            "b_expand": rng.standard_normal((1, 1, 1, n_exp)) * scale,
            "W_depth": rng.standard_normal((f, f, n_exp)) * scale, "b_depth": rng.standard_normal((1, 1, 1, n_exp)) * scale,
            "W_project": rng.standard_normal((1, 1, n_exp, n_out)) * scale,
            "b_project": rng.standard_normal((1, 1, 1, n_out)) * scale}


def test_bottleneck_of_the_lecture_3_to_18_channels_keeps_the_shape_and_adds_the_input():
    X = rng.standard_normal((2, 6, 5, 3))
    p = bottleneck_parameters(3, 18, 3)
    assert sum(v.size for v in p.values()) == 3 * 18 + 18 + 3 * 3 * 18 + 18 + 18 * 3 + 3 == 309
    out, cache = mobilenet_v2_bottleneck_forward(X, p)
    E = np.clip(conv2d_forward(X, p["W_expand"], p["b_expand"])[0], 0, 6)
    assert E.shape == (2, 6, 5, 18)
    D = np.clip(depthwise_conv_forward(E, p["W_depth"], p["b_depth"], 1, 1)[0], 0, 6)
    P = conv2d_forward(D, p["W_project"], p["b_project"])[0]
    np.testing.assert_allclose(out, P + X, rtol=0, atol=1e-12)
    # stride 2 (or other channels out): no residual
    out2, _ = mobilenet_v2_bottleneck_forward(X, p, stride=2)
    assert out2.shape == (2, 3, 3, 3)
    D2 = np.clip(depthwise_conv_forward(E, p["W_depth"], p["b_depth"], 2, 1)[0], 0, 6)
    np.testing.assert_allclose(out2, conv2d_forward(D2, p["W_project"], p["b_project"])[0], rtol=0, atol=1e-12)


@pytest.mark.parametrize("n_out, stride", [(3, 1), (4, 1), (3, 2)])
def test_bottleneck_backward_passes_the_numerical_gradient_check(check_backward, n_out, stride):
    X = rng.standard_normal((2, 5, 4, 3))
    p = bottleneck_parameters(3, 6, n_out)
    out, cache = mobilenet_v2_bottleneck_forward(X, p, stride)
    d_out = rng.standard_normal(out.shape)
    dX, g = mobilenet_v2_bottleneck_backward(d_out, cache)
    keys = list(p)

    def forward(X, *values):
        return mobilenet_v2_bottleneck_forward(X, dict(zip(keys, values)), stride)[0]

    check_backward(forward, [X] + [p[k] for k in keys], d_out, [dX] + [g["d" + k] for k in keys],
                   names=["X"] + keys)


def test_float32_stays_float32():
    X = rng.standard_normal((2, 5, 5, 3)).astype(np.float32)
    W, b = rng.standard_normal((3, 3, 3)).astype(np.float32), np.zeros((1, 1, 1, 3), np.float32)
    out, cache = depthwise_conv_forward(X, W, b, 1, 1)
    dX, g = depthwise_conv_backward(np.ones_like(out), cache)
    assert out.dtype == dX.dtype == g["dW"].dtype == g["db"].dtype == np.float32
    p = {k: v.astype(np.float32) for k, v in bottleneck_parameters(3, 6, 3).items()}
    out, cache = mobilenet_v2_bottleneck_forward(X, p)
    dX, g = mobilenet_v2_bottleneck_backward(np.ones_like(out), cache)
    assert out.dtype == dX.dtype == np.float32 and all(v.dtype == np.float32 for v in g.values())


def test_errors_name_expected_and_received_shapes():
    X = np.zeros((2, 5, 5, 3))
    with pytest.raises(ValueError, match=r"depthwise_conv_forward: W must have shape \(f, f, 3\), one f x f filter per "
                                         r"channel of X \(2, 5, 5, 3\), got \(3, 3, 3, 3\)"):
        depthwise_conv_forward(X, np.zeros((3, 3, 3, 3)), np.zeros((1, 1, 1, 3)))
    with pytest.raises(ValueError, match=r"depthwise_conv_forward: b must have shape \(1, 1, 1, 3\), got \(3,\)"):
        depthwise_conv_forward(X, np.zeros((3, 3, 3)), np.zeros(3))
    with pytest.raises(ValueError, match="a 7x7 filter does not fit images of 5x5 padded by 0"):
        depthwise_conv_forward(X, np.zeros((7, 7, 3)), np.zeros((1, 1, 1, 3)))
    _, cache = depthwise_conv_forward(X, np.zeros((3, 3, 3)), np.zeros((1, 1, 1, 3)), 2, 1)
    with pytest.raises(ValueError, match=r"depthwise_conv_backward: d_out must have the output's shape \(2, 3, 3, 3\), "
                                         r"got \(2, 5, 5, 3\)"):
        depthwise_conv_backward(X, cache)
    with pytest.raises(ValueError, match=r"W_point must be \(1, 1, n_C_prev, n_C\), got \(3, 3, 3, 4\)"):
        depthwise_separable_conv_forward(X, np.zeros((3, 3, 3)), np.zeros((1, 1, 1, 3)), np.zeros((3, 3, 3, 4)),
                                         np.zeros((1, 1, 1, 4)))
    p = bottleneck_parameters(3, 6, 3)
    with pytest.raises(ValueError, match="mobilenet_v2_bottleneck_forward: parameters lack b_depth"):
        mobilenet_v2_bottleneck_forward(X, {k: v for k, v in p.items() if k != "b_depth"})
    with pytest.raises(ValueError, match="W_depth's filters must have an odd size"):
        mobilenet_v2_bottleneck_forward(X, dict(p, W_depth=np.zeros((2, 2, 6))))
