"""course_utils.models.style_transfer: the fixed random texture network (its receptive fields, its backward
pass to the image through the numerical gradient check), the patches that activate a unit most, and style
transfer through the one training loop (the style cost falls; G ends closer to its own style)."""

import numpy as np
import pytest

from course_utils.models import style_transfer as st
from course_utils.nn.style import compute_content_cost, compute_style_cost, total_cost

rng = np.random.default_rng(4801)
LAYERS = [("conv1", 0.25), ("conv2", 0.25), ("conv3", 0.5)]


def small_network(dtype=np.float64, channels=(3, 4, 5)):
    return st.initialize_texture_network(channels, seed=7, dtype=dtype)


def test_initialisation_is_seeded_and_he_scaled():
    a, b = st.initialize_texture_network(seed=3), st.initialize_texture_network(seed=3)
    assert sorted(a) == ["W1", "W2", "W3", "W4", "b1", "b2", "b3", "b4"]
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert a["W1"].shape == (3, 3, 3, 32) and a["W4"].shape == (3, 3, 128, 128) and a["W1"].dtype == np.float32
    assert abs(a["W4"].std() - np.sqrt(2 / (9 * 128))) < 0.002 and not np.any(a["b4"])
    assert not np.array_equal(a["W2"], st.initialize_texture_network(seed=4)["W2"])
    assert st.layer_names(a) == ["conv1", "conv2", "conv3", "conv4"]
    with pytest.raises(ValueError, match="odd"):
        st.initialize_texture_network(f=2)


def test_receptive_fields_are_3_8_18_38_pixels():
    assert st.receptive_fields(st.initialize_texture_network(seed=0)) == {
        "conv1": (3, 1, -1), "conv2": (8, 2, -3), "conv3": (18, 4, -7), "conv4": (38, 8, -15)}


def test_a_unit_depends_on_its_receptive_field_and_nothing_else():
    net = small_network()
    X = rng.random((1, 24, 28, 3))
    size, jump, start = st.receptive_fields(net)["conv3"]
    i, j = 3, 4                                              # rows 5..22, columns 9..26: inside
    r0, c0 = start + i * jump, start + j * jump
    before = st.texture_network_forward(X, net)[0]["conv3"][0, i, j]
    outside = rng.random(X.shape)
    outside[:, r0:r0 + size, c0:c0 + size] = X[:, r0:r0 + size, c0:c0 + size]
    after = st.texture_network_forward(outside, net)[0]["conv3"][0, i, j]
    np.testing.assert_allclose(after, before, rtol=0, atol=1e-12)
    d_out = {"conv3": np.zeros((1, 6, 7, 5))}
    d_out["conv3"][0, i, j] = 1.0
    _, cache = st.texture_network_forward(X, net)
    dX = st.texture_network_backward(d_out, cache)
    reached = np.argwhere(np.any(dX[0] != 0, axis=2))
    # the gradient of that one unit reaches exactly the pixels of its 18 x 18 field, no more
    np.testing.assert_array_equal(reached.min(axis=0), [r0, c0])
    np.testing.assert_array_equal(reached.max(axis=0), [r0 + size - 1, c0 + size - 1])


def test_forward_shapes_and_errors():
    net = small_network()
    outputs, cache = st.texture_network_forward(rng.random((2, 8, 12, 3)), net)
    assert {k: v.shape for k, v in outputs.items()} == {"conv1": (2, 8, 12, 3), "conv2": (2, 4, 6, 4),
                                                      "conv3": (2, 2, 3, 5)}
    assert all(np.all(v >= 0) for v in outputs.values()) and len(cache) == 3
    assert list(st.texture_network_forward(rng.random((1, 6, 6, 3)), net, upto="conv2")[0]) == ["conv1", "conv2"]
    with pytest.raises(ValueError, match="divisible by 4"):
        st.texture_network_forward(rng.random((1, 6, 6, 3)), net)
    with pytest.raises(ValueError, match=r"\(m, n_H, n_W, 3\)"):
        st.texture_network_forward(rng.random((1, 8, 8, 1)), net)
    with pytest.raises(ValueError, match="not among the computed layers"):
        st.texture_network_backward({"conv4": 0}, cache)


def test_backward_to_the_image_passes_the_numerical_check(check_backward):
    net = small_network()
    X = rng.random((2, 8, 4, 3))
    outputs, cache = st.texture_network_forward(X, net)
    d = {k: rng.standard_normal(v.shape) for k, v in outputs.items()}
    dX = st.texture_network_backward(d, cache)

    def forward(X):                     # sum over layers of <output, d>: one scalar per input, as a 0-d output
        outs = st.texture_network_forward(X, net)[0]
        return np.array(sum(float(np.sum(outs[k] * d[k])) for k in d))

    check_backward(forward, [X], 1.0, [dX])
    only_first = st.texture_network_backward({"conv1": d["conv1"]}, cache)
    check_backward(lambda X: st.texture_network_forward(X, net)[0]["conv1"], [X], d["conv1"], [only_first])


def test_the_style_transfer_gradient_passes_the_numerical_check(check_backward):
    net = small_network()
    C, S, G = rng.random((1, 8, 8, 3)), rng.random((1, 8, 8, 3)), rng.random((1, 8, 8, 3))
    costs, dG = st.style_transfer_cost_and_grad(G, C, S, net, content_layer="conv2", style_layers=LAYERS,
                                                alpha=2.0, beta=300.0)
    outs = st.texture_network_forward(G, net)[0]
    J_content = compute_content_cost(st.texture_network_forward(C, net)[0]["conv2"], outs["conv2"])
    J_style = compute_style_cost(st.texture_network_forward(S, net)[0], outs, LAYERS)
    assert costs == {"total": total_cost(J_content, J_style, 2.0, 300.0), "content": J_content, "style": J_style}
    check_backward(lambda G: st.style_transfer_cost_and_grad(G, C, S, net, content_layer="conv2",
                                                             style_layers=LAYERS, alpha=2.0, beta=300.0)[0]["total"],
                   [G], 1.0, [dG])


def test_generated_start_blends_content_and_noise():
    C = np.full((1, 4, 4, 3), 0.5, dtype=np.float32)
    np.testing.assert_array_equal(st.generated_start(C, 0.0), C)
    G = st.generated_start(C, 1.0, seed=2)
    assert G.dtype == np.float32 and 0 <= G.min() and G.max() <= 1 and G.std() > 0.2
    np.testing.assert_array_equal(G, st.generated_start(C, 1.0, seed=2))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        st.generated_start(C, 1.5)


def test_style_transfer_goes_through_the_loop_and_moves_g_towards_its_style():
    net = small_network(np.float32, channels=(8, 16, 16))
    C = rng.random((1, 16, 16, 3)).astype(np.float32)
    stripes = np.tile((np.arange(16) % 4 < 2).astype(np.float32)[None, :, None], (16, 1, 3))[None]
    dots = np.zeros((1, 16, 16, 3), np.float32)
    dots[:, ::4, ::4] = 1.0
    G, history = st.style_transfer(C, stripes, net, content_layer="conv2", style_layers=LAYERS, alpha=1, beta=1000,
                                   num_iterations=60, learning_rate=0.03, record_every=5)
    assert G.shape == C.shape and G.dtype == np.float32
    assert history["epoch"] == list(range(0, 60, 5)) and len(history["batch_cost"]) == 60
    assert len(history["content_cost"]) == len(history["style_cost"]) == 12
    np.testing.assert_allclose(history["cost"], [total_cost(c, s, 1, 1000) for c, s in
                                                 zip(history["content_cost"], history["style_cost"])], rtol=1e-5)
    assert history["style_cost"][-1] < history["style_cost"][0] / 5
    outs = st.texture_network_forward(G, net)[0]
    to_stripes = compute_style_cost(st.texture_network_forward(stripes, net)[0], outs, LAYERS)
    to_dots = compute_style_cost(st.texture_network_forward(dots, net)[0], outs, LAYERS)
    assert to_stripes < to_dots / 3, (to_stripes, to_dots)


def test_top_activating_patches_are_the_receptive_fields_of_the_largest_activations():
    net = small_network()
    images = rng.random((3, 16, 20, 3))
    patches, values = st.top_activating_patches(images, net, "conv2", [0, 3], k=4)
    assert patches.shape == (2, 4, 8, 8, 3) and values.shape == (2, 4)
    assert np.all(np.diff(values, axis=1) <= 0)
    A = st.texture_network_forward(images, net)[0]["conv2"]
    size, jump, start = st.receptive_fields(net)["conv2"]
    inside = A[:, 2:-2, 2:-2, 3]                           # positions whose 8 x 8 field lies inside
    assert values[1, 0] == inside.max()
    n, i, j = np.unravel_index(np.argmax(inside), inside.shape)
    r, c = start + (i + 2) * jump, start + (j + 2) * jump
    np.testing.assert_array_equal(patches[1, 0], images[n, r:r + size, c:c + size])
    with pytest.raises(ValueError, match="units must be in 0 .. 3"):
        st.top_activating_patches(images, net, "conv2", [4])
    with pytest.raises(ValueError, match="fewer than k"):
        st.top_activating_patches(images[:1, :8, :8], net, "conv3", [0], k=2)
    # non-overlapping maxima: at most 4 separate 8 x 8 patches fit in one 16 x 16 image
    with pytest.raises(ValueError, match="only [1-4] separate 8 x 8 patches"):
        st.top_activating_patches(images[:1, :16, :16], net, "conv2", [0], k=5)
