"""Unit tests of course_utils.models.cnn: the lecture's LeNet-5 table computed by the layer arithmetic,
and the small CNN [CONV -> RELU -> POOL] x B -> FC -> SOFTMAX checked against a forward pass written
out independently with plain numpy, and against finite differences."""

import numpy as np
import pytest

import course_utils.models.cnn as cnn
from course_utils.data.encoding import one_hot
from course_utils.metrics.classification import accuracy

LENET5 = [("CONV1", {"kind": "conv", "f": 5, "n_C": 6, "stride": 1}), ("POOL1", {"kind": "pool", "f": 2, "stride": 2}),
          ("CONV2", {"kind": "conv", "f": 5, "n_C": 16, "stride": 1}), ("POOL2", {"kind": "pool", "f": 2, "stride": 2}),
          ("FC3", {"kind": "fc", "units": 120}), ("FC4", {"kind": "fc", "units": 84}),
          ("Softmax", {"kind": "softmax", "units": 10})]


def _output_shape(shape, layer):
    # the notes' table: a fully connected layer's activation is a column of its units
    return cnn.conv_output_shape(shape, layer) if layer["kind"] in ("conv", "pool") else (layer["units"], 1)


def test_lenet5_table_of_the_notes():
    shape, rows = (32, 32, 3), []
    for name, layer in LENET5:
        rows.append((name, _output_shape(shape, layer), cnn.count_parameters(shape, layer)))
        shape = rows[-1][1]
    assert rows == [("CONV1", (28, 28, 6), 456), ("POOL1", (14, 14, 6), 0), ("CONV2", (10, 10, 16), 2416),
                    ("POOL2", (5, 5, 16), 0), ("FC3", (120, 1), 48120), ("FC4", (84, 1), 10164),
                    ("Softmax", (10, 1), 850)]
    assert [int(np.prod(s)) for _, s, _ in rows] == [4704, 1176, 1600, 400, 120, 84, 10]
    # the notes print 10,156 for FC4: 120 * 84 weights and 84 biases are 10,164
    assert cnn.count_parameters((120,), {"kind": "fc", "units": 84}) == 120 * 84 + 84 == 10164


def test_the_notes_week1_convnet_reaches_7x7x40():
    shape = (39, 39, 3)
    for layer in ({"kind": "conv", "f": 3, "n_C": 10}, {"kind": "conv", "f": 5, "n_C": 20, "stride": 2},
                  {"kind": "conv", "f": 5, "n_C": 40, "stride": 2}):
        shape = cnn.conv_output_shape(shape, layer)
    assert shape == (7, 7, 40)


def test_layer_arithmetic_on_non_square_inputs_padding_and_strides():
    assert cnn.conv_output_shape((7, 10, 3), {"kind": "conv", "f": 3, "n_C": 4, "stride": 2, "pad": 1}) == (4, 5, 4)
    assert cnn.conv_output_shape((7, 10, 3), {"kind": "pool", "f": 3, "stride": 2}) == (3, 4, 3)
    assert cnn.conv_output_shape((7, 10, 3), {"kind": "pool", "f": 2}) == (3, 5, 3)       # stride f by default
    assert cnn.count_parameters((7, 10, 3), {"kind": "conv", "f": 1, "n_C": 8}) == 32
    assert cnn.count_parameters((3, 5, 4), {"kind": "fc", "units": 2}) == 122
    assert cnn.count_parameters((7, 10, 3), {"kind": "pool", "f": 7}) == 0


def test_conv_output_shape_names_its_parts_and_refuses_a_fully_connected_layer():
    from course_utils.grading.checks import output_parts

    assert repr(output_parts(cnn.conv_output_shape)) == "(n_H_out, n_W_out, n_C_out)"
    with pytest.raises(ValueError, match="a 'fc' layer has no height and width; its output is its 120 units"):
        cnn.conv_output_shape((5, 5, 16), {"kind": "fc", "units": 120})


@pytest.mark.parametrize("shape, layer, message", [
    ((5, 5, 3), {"kind": "dense", "units": 3}, "'kind' one of"),
    ((5, 5, 3), {"kind": "conv", "f": 3}, "missing ['n_C']"),
    ((5, 5, 3), {"kind": "pool", "f": 2, "pad": 1}, "unknown ['pad']"),
    ((5, 5, 3), {"kind": "conv", "f": 0, "n_C": 2}, "f of a 'conv' layer must be an integer >= 1"),
    ((5, 5), {"kind": "conv", "f": 3, "n_C": 2}, "needs a volume (n_H, n_W, n_C)"),
    ((4, 9, 3), {"kind": "conv", "f": 5, "n_C": 2, "pad": 0}, "a 5x5 window does not fit an input of 4x9"),
])
def test_layer_arithmetic_refuses_with_the_cause(shape, layer, message):
    for fn in (cnn.conv_output_shape, cnn.count_parameters):
        with pytest.raises(ValueError) as err:
            fn(shape, layer)
        assert message in str(err.value)


def test_initialize_cnn_shapes_scale_and_dtype():
    p = cnn.initialize_cnn((8, 8, 1), (8, 16), seed=1)
    assert {k: v.shape for k, v in p.items()} == {"W1": (3, 3, 1, 8), "b1": (1, 1, 1, 8), "W2": (3, 3, 8, 16),
                                                  "b2": (1, 1, 1, 16), "W3": (10, 64), "b3": (10, 1)}
    assert all(v.dtype == np.float32 for v in p.values())
    # the same count as the layer arithmetic of the same network
    layers = [{"kind": "conv", "f": 3, "n_C": 8, "pad": 1}, {"kind": "pool", "f": 2},
              {"kind": "conv", "f": 3, "n_C": 16, "pad": 1}, {"kind": "pool", "f": 2}, {"kind": "softmax", "units": 10}]
    shape, total = (8, 8, 1), 0
    for layer in layers:
        total += cnn.count_parameters(shape, layer)
        shape = _output_shape(shape, layer)
    assert sum(v.size for v in p.values()) == total == 1898
    big = cnn.initialize_cnn((32, 32, 3), (64,), f=5, seed=2, dtype=np.float64)
    assert big["W1"].dtype == np.float64 and abs(big["W1"].std() - np.sqrt(2 / 75)) < 0.01
    with pytest.raises(ValueError, match="f must be an odd integer"):
        cnn.initialize_cnn(f=4)
    with pytest.raises(ValueError, match="block 3 gets 1x1 images, too small"):
        cnn.initialize_cnn((5, 5, 1), (2, 2, 2))


def _plain_forward(X, p):
    """The forward pass written out independently: convolution as explicit window sums over (di, dj)."""
    A = X
    B = len(p) // 2 - 1
    for l in range(1, B + 1):
        W, b = p[f"W{l}"], p[f"b{l}"]
        f = W.shape[0]
        Ap = np.pad(A, ((0, 0), (f // 2, f // 2), (f // 2, f // 2), (0, 0)))
        H, Wd = A.shape[1], A.shape[2]
        Z = np.zeros(A.shape[:3] + (W.shape[3],)) + b
        for di in range(f):
            for dj in range(f):
                Z += np.einsum("mhwc,ck->mhwk", Ap[:, di:di + H, dj:dj + Wd, :], W[di, dj])
        R = np.maximum(Z, 0)
        H2, W2 = H // 2, Wd // 2
        A = R[:, :2 * H2, :2 * W2].reshape(R.shape[0], H2, 2, W2, 2, R.shape[3]).max(axis=(2, 4))
    scores = A.reshape(A.shape[0], -1) @ p[f"W{B + 1}"].T + p[f"b{B + 1}"].T
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _problem(seed=0, m=3, shape=(7, 6, 2), filters=(3, 4), f=3):
    rng = np.random.default_rng(seed)
    p = cnn.initialize_cnn(shape, filters, f=f, n_classes=5, seed=seed, dtype=np.float64)
    p = {k: v + 0.1 * rng.standard_normal(v.shape) for k, v in p.items()}   # non-zero biases
    X = rng.standard_normal((m,) + shape)
    Y = one_hot(rng.integers(0, 5, m), 5).T
    return X, Y, p


def test_forward_matches_a_plain_numpy_forward_on_non_square_images():
    X, Y, p = _problem()
    probs, _ = cnn.cnn_forward(X, p)
    assert probs.shape == (3, 5)
    np.testing.assert_allclose(probs, _plain_forward(X, p), rtol=0, atol=1e-12)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-12)


@pytest.mark.parametrize("seed, m, filters, f", [(0, 3, (3, 4), 3), (1, 1, (2,), 5)])
def test_backward_is_the_gradient_of_the_cost(check_backward, seed, m, filters, f):
    X, Y, p = _problem(seed, m, (7, 6, 2), filters, f)
    cost, grads = cnn.cnn_step(p, X, Y)
    names = sorted(p)

    def cost_of(*values):
        return cnn.cnn_step(dict(zip(names, values)), X, Y)[0]

    check_backward(cost_of, [p[k] for k in names], 1.0, [grads["d" + k] for k in names], names=names)


def test_float32_parameters_compute_the_convolutions_in_float32():
    X, Y, p = _problem()
    p32 = {k: v.astype(np.float32) for k, v in p.items()}
    cost32, g32 = cnn.cnn_step(p32, X.astype(np.float32), Y)
    cost64, g64 = cnn.cnn_step(p, X, Y)
    assert g32["dW1"].dtype == np.float32 and g32["dW2"].dtype == np.float32
    assert abs(cost32 - cost64) < 1e-5
    np.testing.assert_allclose(g32["dW1"], g64["dW1"], rtol=1e-3, atol=1e-5)


def test_predict_feature_maps_and_refusals():
    X, Y, p = _problem(m=5)
    probs, _ = cnn.cnn_forward(X, p)
    pred = cnn.cnn_predict(X, p, batch_size=2)
    assert pred.shape == (1, 5) and np.array_equal(pred[0], probs.argmax(axis=1))
    maps = cnn.cnn_feature_maps(X, p)
    assert [a.shape for a in maps] == [(5, 7, 6, 3), (5, 3, 3, 4)] and all((a >= 0).all() for a in maps)
    with pytest.raises(ValueError, match=r"X must be images \(m, n_H, n_W, 2\)"):
        cnn.cnn_forward(X[..., :1], p)
    with pytest.raises(ValueError, match="these images do not fit the network"):
        cnn.cnn_forward(np.zeros((1, 9, 6, 2)), p)
    with pytest.raises(ValueError, match="W1, b1, ..., WL, bL"):
        cnn.cnn_forward(X, {"W1": p["W1"], "b1": p["b1"]})
    with pytest.raises(ValueError, match="Y must be one-hot labels of shape"):
        cnn.cnn_step(p, X, Y[:, :3])


def test_train_cnn_learns_a_small_set_of_digits():
    from course_utils.data import load_digits_split
    X, digits, _, _ = load_digits_split()
    X, digits = X[:60, :, :, None], digits[:, :60]
    start = cnn.initialize_cnn((8, 8, 1), (4, 8), seed=3)
    params, history = cnn.train_cnn(X, digits, start, num_epochs=15, learning_rate=0.02, mini_batch_size=20, seed=3)
    assert accuracy(cnn.cnn_predict(X, params), digits) == 1.0
    assert len(history["batch_cost"]) == 45 and history["cost"][-1] < history["cost"][0] / 10
    assert params["W1"].dtype == np.float32 and np.array_equal(start["W1"], cnn.initialize_cnn((8, 8, 1), (4, 8), seed=3)["W1"])
    with pytest.raises(ValueError, match="60 images but 59 labels"):
        cnn.train_cnn(X, digits[:, :59], start)
    with pytest.raises(ValueError, match=r"labels must be in \[0, 10\)"):
        cnn.train_cnn(X, digits + 10, start)
