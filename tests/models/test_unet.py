"""course_utils.models.unet: the U-Net's shapes (the notes' h x w x 3 -> ... -> h x w x n_classes), its backward
pass as a whole through the numerical-gradient check, a transposed convolution passed in place of the library's,
training through the one loop, and the kit's weights measured on fresh scenes."""

import numpy as np
import pytest

from course_utils.data.scenes import make_scenes
from course_utils.data.store import load_arrays
from course_utils.metrics.segmentation import per_class_iou
from course_utils.models import unet
from course_utils.nn.conv import conv_transpose_forward

rng = np.random.default_rng(4607)


def small(dtype=np.float64, seed=1):
    p = unet.initialize_unet((4, 8, 2), (2, 3), n_classes=3, seed=seed, dtype=dtype)
    return {k: (v + rng.standard_normal(v.shape) * 0.1).astype(dtype) if "_b" in k else v for k, v in p.items()}


def test_the_shape_walk_through():
    p = unet.initialize_unet((32, 32, 3), (8, 16, 32), n_classes=4, seed=0)
    acts = unet.unet_activations(np.zeros((2, 32, 32, 3), np.float32), p)
    shapes = {k: v.shape[1:] for k, v in acts.items()}
    assert list(shapes) == ["input", "enc1 conv1 + ReLU", "enc1 conv2 + ReLU", "enc1 max pool",
                            "enc2 conv1 + ReLU", "enc2 conv2 + ReLU", "enc2 max pool",
                            "enc3 conv1 + ReLU", "enc3 conv2 + ReLU",
                            "dec2 transposed conv", "dec2 concatenate enc2", "dec2 conv1 + ReLU", "dec2 conv2 + ReLU",
                            "dec1 transposed conv", "dec1 concatenate enc1", "dec1 conv1 + ReLU", "dec1 conv2 + ReLU",
                            "output scores", "output probabilities"]
    assert shapes["input"] == (32, 32, 3) and shapes["enc1 max pool"] == (16, 16, 8)
    assert shapes["enc3 conv2 + ReLU"] == (8, 8, 32) and shapes["dec2 transposed conv"] == (16, 16, 16)
    assert shapes["dec2 concatenate enc2"] == (16, 16, 32) and shapes["dec1 concatenate enc1"] == (32, 32, 16)
    assert shapes["output probabilities"] == (32, 32, 4)
    np.testing.assert_allclose(acts["output probabilities"].sum(axis=3), 1.0, rtol=0, atol=1e-12)
    assert sum(v.size for v in p.values()) == 32692
    assert all(v.dtype == np.float32 for v in p.values())


def test_the_backward_pass_passes_the_numerical_gradient_check(check_backward):
    p = small()
    X = rng.standard_normal((2, 4, 8, 2))
    masks = rng.integers(0, 3, size=(2, 4, 8))
    cost, grads = unet.unet_step(p, X, masks)
    names = sorted(p)
    assert sorted(grads) == ["d" + n for n in names]

    def cost_of(*values):
        return unet.unet_step(dict(zip(names, values)), X, masks)[0]

    check_backward(cost_of, [p[n] for n in names], 1.0, [grads["d" + n] for n in names], names=names)


def test_the_cost_is_the_mean_per_pixel_cross_entropy():
    p = small()
    X = rng.standard_normal((3, 4, 8, 2))
    masks = rng.integers(0, 3, size=(3, 4, 8))
    probs, _ = unet.unet_forward(X, p)
    cost, _ = unet.unet_step(p, X, masks)
    expected = -np.mean(np.log(np.take_along_axis(probs, masks[..., None], axis=3)))
    assert cost == pytest.approx(expected, rel=1e-12)
    np.testing.assert_array_equal(unet.unet_predict(X, p, batch_size=2), probs.argmax(axis=3))


def test_a_transposed_convolution_passed_in_is_the_one_used():
    p = small()
    X = rng.standard_normal((2, 4, 8, 2))
    masks = rng.integers(0, 3, size=(2, 4, 8))
    calls = []

    def mine(X, W, b, stride, pad, output_padding):
        calls.append((X.shape, stride, pad, output_padding))
        return conv_transpose_forward(X, W, b, stride, pad, output_padding)

    cost, grads = unet.unet_step(p, X, masks)
    cost2, grads2 = unet.unet_step(p, X, masks, up_forward=mine)
    assert calls == [((2, 2, 4, 3), 2, 1, 1)] and cost2 == cost
    for k in grads:
        np.testing.assert_array_equal(grads2[k], grads[k])

    def zero(X, W, b, stride, pad, output_padding):
        out, cache = conv_transpose_forward(X, W, b, stride, pad, output_padding)
        return np.zeros_like(out), cache

    assert not np.allclose(unet.unet_forward(X, p, zero)[0], unet.unet_forward(X, p)[0])


def test_training_through_the_loop_lowers_the_cost_and_float32_stays_float32():
    scenes = make_scenes(16, size=(16, 16), object_size=(6, 10), seed=4608)
    p0 = unet.initialize_unet((16, 16, 3), (4, 8), n_classes=4, seed=0)
    p, history = unet.train_unet(scenes.images, scenes.masks, p0, num_epochs=8, mini_batch_size=8, learning_rate=0.01)
    assert history["cost"][-1] < 0.7 * history["cost"][0], history["cost"]
    assert len(history["batch_cost"]) == 16 and all(v.dtype == np.float32 for v in p.values())
    assert unet.unet_predict(scenes.images, p).dtype == np.int64


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match=r"initialize_unet: 2 poolings need a height and width that are multiples of 4, "
                                         r"got 30 x 32"):
        unet.initialize_unet((30, 32, 3), (4, 8, 16))
    with pytest.raises(ValueError, match=r"initialize_unet: f must be an odd integer >= 1, got 2"):
        unet.initialize_unet(f=2)
    p = small()
    with pytest.raises(ValueError, match=r"unet_forward: X must be images \(m, n_H, n_W, 2\) with n_H and n_W "
                                         r"multiples of 2, got \(1, 5, 8, 2\)"):
        unet.unet_forward(np.zeros((1, 5, 8, 2)), p)
    with pytest.raises(ValueError, match=r"unet_step: masks must be integer classes 0 .. 2 of shape \(1, 4, 8\), got "
                                         r"int64 \(1, 4, 7\)"):
        unet.unet_step(p, np.zeros((1, 4, 8, 2)), np.zeros((1, 4, 7), np.int64))
    broken = dict(p, dec1_W1=np.zeros((3, 3, 2, 2)))
    with pytest.raises(ValueError, match=r"not the parameters of a U-Net with filters \(2, 3\).*dec1_W1"):
        unet.unet_predict(np.zeros((1, 4, 8, 2)), broken)


def test_the_kit_weights_segment_fresh_scenes():
    """The committed weights (data/weights/unet.h5): mean IoU over background and the three shapes above 0.85 on
    scenes of a seed used neither for training (6061) nor for the manifest's figures (6062)."""
    params = load_arrays("unet")
    scenes = make_scenes(200, seed=4609)
    ious = per_class_iou(scenes.masks, unet.unet_predict(scenes.images, params), 4)
    assert ious.min() > 0.75 and ious.mean() > 0.85, ious


def test_a_quick_kit_run_returns_float32_arrays_and_the_manifest_fields():
    arrays, meta = unet.train_kit_unet(num_epochs=1, train_scenes=16, test_scenes=8)
    assert all(v.dtype == np.float32 for v in arrays.values()) and "out_W" in arrays
    assert set(meta) == {"source", "licence", "how_built", "seed", "figures", "train_seconds"}
    assert set(meta["figures"]) == {"iou_background", "iou_circle", "iou_square", "iou_triangle", "mean_iou",
                                    "final_cost"}
