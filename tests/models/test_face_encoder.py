"""Unit tests of course_utils.models.face_encoder: the triplet loss on hand-computed triplets, every backward
pass (the triplet cost, the L2 normalisation, the encoder, and the triplet cost through the encoder) against
finite differences, the triplet selection on a batch whose distances are known, verify and who_is_it on a
model whose encodings are exact, the threshold search, and the training step through the one loop."""

import functools

import numpy as np
import pytest

import course_utils.models.face_encoder as fe

rng = np.random.default_rng(7301)


# --- the triplet loss ---------------------------------------------------------------------------------

def test_triplet_loss_by_hand():
    # triplet 1: ||a-p||^2 = 1, ||a-n||^2 = 0.25, so 1 - 0.25 + 0.2 = 0.95; triplet 2: 0 - 1 + 0.2 < 0, so 0
    a = np.array([[0.0, 0.0], [1.0, 1.0]])
    p = np.array([[0.0, 1.0], [1.0, 1.0]])
    n = np.array([[0.0, 0.5], [2.0, 1.0]])
    loss = fe.triplet_loss(a, p, n, 0.2)
    assert type(loss) is float and abs(loss - 0.95) < 1e-12
    assert fe.triplet_loss(a, p, n, 0.0) == pytest.approx(0.75)
    assert fe.triplet_loss(a[1:], p[1:], n[1:]) == 0.0                       # already satisfied: exactly 0
    cost, _ = fe.triplet_cost_forward(a, p, n, 0.2)
    assert cost == pytest.approx(0.95 / 2)                                   # the training cost is the mean


def test_triplet_loss_sums_over_non_square_batches():
    a, p, n = (rng.standard_normal((5, 3)) for _ in range(3))
    per = np.maximum(np.sum((a - p) ** 2, 1) - np.sum((a - n) ** 2, 1) + 0.5, 0)
    assert fe.triplet_loss(a, p, n, 0.5) == pytest.approx(per.sum())


def test_triplet_loss_refuses_mismatched_shapes_and_negative_margins():
    a = np.zeros((2, 3))
    with pytest.raises(ValueError, match=r"one shape \(m, d\)"):
        fe.triplet_loss(a, a, np.zeros((3, 2)))
    with pytest.raises(ValueError, match="alpha, the margin"):
        fe.triplet_loss(a, a, a, -0.1)


def test_triplet_cost_backward_is_the_gradient(check_backward):
    a, p, n = (rng.standard_normal((4, 3)) * 0.5 for _ in range(3))
    cost, cache = fe.triplet_cost_forward(a, p, n, 0.3)
    assert 0 < np.sum(cache[3]) < 4, "the example needs active and inactive triplets"
    grads = fe.triplet_cost_backward(cache)
    check_backward(lambda a, p, n: fe.triplet_cost_forward(a, p, n, 0.3)[0], [a, p, n], 1.0, list(grads))


# --- the encoder ---------------------------------------------------------------------------------------

def test_l2_normalisation_and_its_gradient(check_backward):
    Z = rng.standard_normal((3, 5))
    E, cache = fe.l2_normalize_forward(Z)
    np.testing.assert_allclose(np.linalg.norm(E, axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(fe.l2_normalize_forward(np.array([[3.0, 4.0]]))[0], [[0.6, 0.8]], rtol=1e-12)
    dE = rng.standard_normal((3, 5))
    dZ, _ = fe.l2_normalize_backward(dE, cache)
    check_backward(lambda Z: fe.l2_normalize_forward(Z)[0], [Z], dE, [dZ])
    # a change along the row itself does not change its direction: the gradient is orthogonal to it
    np.testing.assert_allclose(np.sum(dZ * Z, axis=1), 0.0, atol=1e-12)


def _small_encoder():
    return fe.initialize_encoder((6, 7, 1), filters=(2, 3), n_encoding=3, seed=3, dtype=np.float64)


def test_encoder_shapes_and_unit_encodings():
    params = fe.initialize_encoder(seed=0)
    assert {k: v.shape for k, v in params.items()} == {
        "W1": (3, 3, 1, 8), "b1": (1, 1, 1, 8), "W2": (3, 3, 8, 16), "b2": (1, 1, 1, 16), "W3": (16, 576), "b3": (16, 1)}
    X = rng.random((4, 25, 25)).astype(np.float32)
    E = fe.encode_images(X, params, batch_size=3)
    assert E.shape == (4, 16) and E.dtype == np.float64
    np.testing.assert_allclose(np.linalg.norm(E, axis=1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(E, fe.encoder_forward(X[..., None], params)[0], rtol=1e-6)
    with pytest.raises(ValueError, match="do not fit the encoder"):
        fe.encode_images(rng.random((2, 9, 9)), params)


def test_encoder_backward_is_the_gradient(check_backward):
    params = _small_encoder()
    X = rng.standard_normal((3, 6, 7, 1))          # signs of both kinds: no filter is dead on every pixel
    E, caches = fe.encoder_forward(X, params)
    dE = rng.standard_normal(E.shape)
    grads = fe.encoder_backward(dE, caches)
    names = sorted(params)
    assert sorted(grads) == ["d" + k for k in names]

    def forward(*values):
        return fe.encoder_forward(X, dict(zip(names, values)))[0]

    check_backward(forward, [params[k] for k in names], dE, [grads["d" + k] for k in names], names=names)


def test_the_triplet_cost_through_the_encoder_is_the_gradient(check_backward):
    """What a training step computes: triplets of one batch, gradients scattered back onto its pictures."""
    params = _small_encoder()
    X = rng.random((4, 6, 7, 1))
    a, p, n = np.array([0, 1, 2, 3]), np.array([1, 0, 3, 2]), np.array([2, 3, 1, 1])
    names = sorted(params)

    def cost(*values):
        E = fe.encoder_forward(X, dict(zip(names, values)))[0]
        return fe.triplet_cost_forward(E[a], E[p], E[n], 1.5)[0]      # a large margin keeps every triplet active

    E, caches = fe.encoder_forward(X, params)
    _, cache = fe.triplet_cost_forward(E[a], E[p], E[n], 1.5)
    dE = np.zeros_like(E)
    for idx, d in zip((a, p, n), fe.triplet_cost_backward(cache)):
        np.add.at(dE, idx, d)
    grads = fe.encoder_backward(dE, caches)
    check_backward(cost, [params[k] for k in names], 1.0, [grads["d" + k] for k in names], names=names)


# --- choosing triplets ---------------------------------------------------------------------------------

def test_select_triplets_on_a_line():
    # points on a line: person 0 at 0 and 1, person 1 at 1.5 and 4, person 2 at 0.5 and 10
    E = np.array([[0.0], [1.0], [1.5], [4.0], [0.5], [10.0]])
    labels = np.array([0, 0, 1, 1, 2, 2])
    a, p, n = fe.select_triplets(E, labels, "hard")
    assert a.tolist() == [0, 1, 2, 3, 4, 5] and p.tolist() == [1, 0, 3, 2, 5, 4]
    assert n.tolist() == [4, 2, 1, 1, 0, 3]                     # the closest other person
    _, _, n_semi = fe.select_triplets(E, labels, "semi-hard")
    # anchor 0 (d_ap = 1): negatives at 2.25, 16, 0.25, 100 -> 2.25 is the closest farther than 1 -> picture 2
    # anchor 3 (d_ap = 6.25): negatives at 16, 9, 12.25, 36 -> 9, picture 1
    # anchor 4 (d_ap = 90.25): negatives at 0.25, 0.25, 1, 12.25: none farther, so the farthest -> picture 3
    # anchor 5 (d_ap = 90.25): negatives at 100, 81, 72.25, 36 -> 100, picture 0
    assert n_semi.tolist() == [2, 3, 5, 1, 3, 0]
    _, _, n_random = fe.select_triplets(E, labels, "random", rng=0)
    assert all(labels[k] != labels[j] for k, j in zip(a, n_random))
    np.testing.assert_array_equal(n_random, fe.select_triplets(E, labels, "random", rng=0)[2])
    with pytest.raises(ValueError, match="single identity"):
        fe.select_triplets(E[:2], labels[:2], "hard")
    with pytest.raises(ValueError, match="strategy must be one of"):
        fe.select_triplets(E, labels, "easy")


def test_squared_distances():
    E = np.array([[0.0, 0.0], [3.0, 4.0], [1.0, 0.0]])
    np.testing.assert_allclose(fe.squared_distances(E), [[0, 25, 1], [25, 0, 20], [1, 20, 0]], atol=1e-12)


# --- verification and recognition ------------------------------------------------------------------------

def flat_model(images):
    return np.asarray(images, dtype=float).reshape(len(images), -1)


def test_verify_by_hand():
    database = {"ana": np.array([0.0, 0.0]), "bo": np.array([3.0, 0.0])}
    image = np.array([3.0, 4.0])                                # encodes to itself: 5 from ana, 4 from bo
    assert fe.verify(image, "ana", database, flat_model, 5.0) == (5.0, True)    # d <= tau: the door opens
    assert fe.verify(image, "ana", database, flat_model, 4.9) == (5.0, False)
    dist, door = fe.verify(image, "bo", database, flat_model, 4.5)
    assert (type(dist), type(door), dist, door) == (float, bool, 4.0, True)
    with pytest.raises(ValueError, match="'cy' is not in the database"):
        fe.verify(image, "cy", database, flat_model, 1.0)


def test_who_is_it_by_hand():
    database = {"ana": np.array([0.0, 0.0]), "bo": np.array([3.0, 0.0]), "cy": np.array([[10.0, 10.0]])}
    assert fe.who_is_it(np.array([3.0, 4.0]), database, flat_model) == (4.0, "bo")
    assert fe.who_is_it(np.array([0.0, 1.0]), database, flat_model) == (1.0, "ana")
    with pytest.raises(ValueError, match="the database is empty"):
        fe.who_is_it(np.array([0.0, 1.0]), {}, flat_model)


def test_verify_and_who_is_it_name_their_parts():
    from course_utils.grading.checks import output_parts

    assert repr(output_parts(fe.verify)) == "(dist, door_open)"
    assert repr(output_parts(fe.who_is_it)) == "(min_dist, identity)"


def test_verify_with_the_encoder_as_model():
    params = fe.initialize_encoder(seed=0)
    faces = rng.random((3, 25, 25))
    model = functools.partial(fe.encode_images, parameters=params)
    database = {name: model(faces[k:k + 1])[0] for k, name in enumerate("abc")}
    dist, door = fe.verify(faces[1], "b", database, model, 0.1)
    assert dist < 1e-6 and door
    assert fe.who_is_it(faces[2], database, model)[1] == "c"


# --- measuring -------------------------------------------------------------------------------------------

def test_pairs_and_thresholds_by_hand():
    i, j, same = fe.pair_indices(np.array([0, 0, 1]))
    assert (i.tolist(), j.tolist(), same.tolist()) == ([0, 0, 1], [1, 2, 2], [True, False, False])
    E = np.array([[0.0, 0.0], [3.0, 4.0], [0.0, 1.0]])
    np.testing.assert_allclose(fe.pair_distances(E, i, j), [5.0, 1.0, np.sqrt(18)])
    np.testing.assert_allclose(fe.pair_features(E, i, j), [[3, 0, 3], [4, 1, 3]])
    d = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
    s = np.array([True, True, False, True, False, False])
    assert fe.balanced_accuracy(d, s, 0.25) == pytest.approx((2 / 3 + 1) / 2)
    threshold, acc = fe.best_threshold(d, s)
    assert threshold == pytest.approx(0.45) and acc == pytest.approx(5 / 6)
    assert fe.best_threshold(np.array([1.0, 2.0]), np.array([True, False])) == (pytest.approx(1.5), 1.0)
    with pytest.raises(ValueError, match="both kinds"):
        fe.best_threshold(d, np.ones(6, dtype=bool))


# --- the stand-in data and training ---------------------------------------------------------------------

def test_face_views_are_seeded_pictures_of_the_same_size():
    faces = rng.random((3, 25, 25)).astype(np.float32)
    v = fe.face_views(faces, seed=1)
    assert v.shape == faces.shape and v.dtype == np.float32 and v.min() >= 0 and v.max() <= 1
    np.testing.assert_array_equal(v, fe.face_views(faces, seed=1))
    assert not np.array_equal(v, fe.face_views(faces, seed=2))
    still = fe.face_views(faces, seed=3, max_shift=0, max_angle=0, max_contrast=0, max_brightness=0, noise=0)
    assert all(np.allclose(s, f, atol=1e-6) or np.allclose(s, f[:, ::-1], atol=1e-6)   # mirrored or not
               for s, f in zip(still, faces))
    with pytest.raises(ValueError, match="grey pictures"):
        fe.face_views(rng.random((2, 5, 5, 3)))


def test_training_goes_through_the_loop_and_the_same_seed_gives_the_same_pictures():
    faces = rng.random((6, 8, 8, 1)).astype(np.float32)
    params = fe.initialize_encoder((8, 8, 1), filters=(2,), n_encoding=4, seed=0)
    p1, h1 = fe.train_encoder(faces, params, strategy="semi-hard", num_epochs=2, batch_identities=3, seed=5)
    p2, h2 = fe.train_encoder(faces, params, strategy="semi-hard", num_epochs=2, batch_identities=3, seed=5)
    assert len(h1["batch_cost"]) == 4 and h1["batch_cost"] == h2["batch_cost"]
    for k in params:
        np.testing.assert_array_equal(p1[k], p2[k])
    # the step's pictures do not depend on the strategy: with alpha so large that every triplet is active,
    # random and semi-hard first steps differ only in their negatives, never in the anchors' pictures
    s_random, s_semi = fe.make_triplet_step("random", seed=9), fe.make_triplet_step("semi-hard", seed=9)
    ids = np.arange(6).reshape(-1, 1)
    c_random, _ = s_random(params, faces, ids)
    c_semi, _ = s_semi(params, faces, ids)
    assert c_random >= 0 and c_semi >= 0
    with pytest.raises(ValueError, match="views must be"):
        fe.make_triplet_step(views=1)


def test_the_kit_weights_have_both_encoders_and_their_curves():
    arrays, meta = fe.train_kit_encoders(num_epochs=1, record_every=1)
    for key in ("semi_hard", "random", "hard"):
        assert {f"{key}_W1", f"{key}_b3", f"{key}_cost", f"{key}_auc"} <= set(arrays)
        assert arrays[f"{key}_W1"].dtype == np.float32 and arrays[f"{key}_auc"].shape == (2,)
    assert arrays["epoch"].tolist() == [0, 1]
    np.testing.assert_array_equal(arrays["semi_hard_auc"][0], arrays["random_auc"][0])   # one initialisation
    assert set(meta) == {"source", "licence", "how_built", "seed", "figures", "train_seconds"}
    assert meta["figures"]["semi_hard_steps"] == meta["figures"]["random_steps"] == meta["figures"]["hard_steps"] == 3
    assert fe.kit_weights.__doc__ and "kit_weights" not in fe.__all__        # the store's entry point: by name
