"""Face verification with a small convolutional encoder trained by the triplet loss (Track 4, notebook 07).

An **encoder** maps a picture x to an encoding f(x), a vector of ``d`` numbers of length 1. Two pictures
show the same person when their encodings are close: the distance ``d(x1, x2) = ||f(x1) - f(x2)||_2``
is at most a threshold tau (**verification**); the person in a picture is the database entry whose
encoding is nearest (**recognition**, "who is it"). The encoder is trained so that, for an anchor A,
a positive P (another picture of A's person) and a negative N (someone else),

    ||f(A) - f(P)||^2 + alpha <= ||f(A) - f(N)||^2,

through the triplet loss ``max(||f(A) - f(P)||^2 - ||f(A) - f(N)||^2 + alpha, 0)``.
Sources: F. Schroff, D. Kalenichenko and J. Philbin (2015), "FaceNet: A Unified Embedding for Face
Recognition and Clustering", CVPR (the triplet loss, encodings of length 1, semi-hard triplets chosen
inside each mini-batch); Y. Taigman, M. Yang, M. Ranzato and L. Wolf (2014), "DeepFace: Closing the Gap to
Human-Level Performance in Face Verification", CVPR (one network applied to both pictures, a "Siamese"
network; a logistic unit on ``|f(x_i) - f(x_j)|`` as a learned same/different classifier).

**Shapes.** Examples come first, as everywhere in Track 4: images ``(m, n_H, n_W)`` or ``(m, n_H, n_W, n_C)``;
encodings ``(m, d)``, one row per picture; anchors, positives and negatives of m triplets are three
``(m, d)`` arrays whose row i forms triplet i. A database is a dict ``{identity: encoding}`` with
encodings of shape ``(d,)`` (``(1, d)`` works too). A ``model`` is any callable ``images (m, ...) ->
encodings (m, d)``, e.g. ``functools.partial(encode_images, parameters=parameters)``.

**The encoder** (parameters a dict, read from their shapes; the pieces of :mod:`course_utils.models.cnn`):

    [CONV 3x3 same -> RELU -> MAX POOL 2x2] x B -> FLATTEN -> FC (d units) -> L2 NORMALISATION

built from :mod:`course_utils.nn.conv`, :mod:`course_utils.nn.activations` and :mod:`course_utils.nn.linear`,
initialised by :func:`course_utils.models.cnn.initialize_cnn` (its output layer is the encoding layer). It
trains through the one loop, :func:`course_utils.optim.loop.train`, with :func:`make_triplet_step`.

**The stand-in data.** No identity-labelled face set installs offline. Each face photo of
:func:`course_utils.data.load_faces` stands for one person, and :func:`face_views` makes "other pictures of
that person" from it (mirrored, moved, turned, lit and exposed differently, with sensor noise).
No function modifies its arguments, and randomness comes from seeded generators only.
"""

from __future__ import annotations

import time

import numpy as np

from course_utils.data.augment import random_shift_rotate
from course_utils.models.cnn import conv_blocks_backward, conv_blocks_forward, initialize_cnn
from course_utils.nn.linear import linear_backward, linear_forward
from course_utils.optim.loop import train
from course_utils.rng import make_rng

__all__ = ["ALPHA", "STRATEGIES", "triplet_loss", "triplet_cost_forward", "triplet_cost_backward",
           "l2_normalize_forward", "l2_normalize_backward", "initialize_encoder", "encoder_forward",
           "encoder_backward", "encode_images", "squared_distances", "select_triplets", "face_views", "make_triplet_step",
           "train_encoder", "verify", "who_is_it", "pair_indices", "pair_distances", "pair_features",
           "balanced_accuracy", "best_threshold", "identity_split", "train_kit_encoders"]
# kit_weights (below) is the data store's entry point (course_utils.data.store.KIT_MODELS), not listed here: it
# trains for about a minute, and the library's no-mutation test calls every listed function.

#: The margin of the notes and of FaceNet (encodings of length 1).
ALPHA = 0.2
#: How :func:`select_triplets` may choose the negative of each anchor-positive pair.
STRATEGIES = ("random", "semi-hard", "hard")
#: The kit's encoder: a 16-number encoding of a 25 x 25 grey face.
KIT_SEED = 7
KIT_FILTERS = (8, 16)
KIT_ENCODING = 16
_EPS = 1e-12


# --- the triplet loss ----------------------------------------------------------------------------

def _triplet_arrays(anchor, positive, negative, alpha, where):
    arrays = [np.asarray(a, dtype=float) for a in (anchor, positive, negative)]
    if arrays[0].ndim != 2 or any(a.shape != arrays[0].shape for a in arrays):
        raise ValueError(f"{where}: anchor, positive and negative must be encodings of one shape (m, d); got "
                         f"{[a.shape for a in arrays]}")
    if isinstance(alpha, bool) or not np.isfinite(alpha) or alpha < 0:
        raise ValueError(f"{where}: alpha, the margin, must be a finite number >= 0, got {alpha!r}")
    return arrays


def triplet_loss(anchor, positive, negative, alpha=ALPHA):
    """The notes' cost J: the triplet loss summed over the m triplets (Schroff et al. 2015).

    Arguments:
        anchor, positive, negative -- ``(m, d)`` encodings, row i of each forming triplet i.
        alpha -- the margin, a number >= 0 (0.2 in the notes).
    Returns: a float, ``sum_i max(||a_i - p_i||^2 - ||a_i - n_i||^2 + alpha, 0)``: 0.0 when every triplet
        already has its negative farther than its positive by at least alpha.
    Raises: ValueError if the three arrays are not 2-D of one shape, or alpha is negative or not finite.
    """
    a, p, n = _triplet_arrays(anchor, positive, negative, alpha, "triplet_loss")
    losses = np.sum((a - p) ** 2, axis=1) - np.sum((a - n) ** 2, axis=1) + alpha
    return float(np.sum(np.maximum(losses, 0.0)))


def triplet_cost_forward(anchor, positive, negative, alpha=ALPHA):
    """The training cost: the triplet loss *averaged* over the m triplets (the library's cost convention).

    Arguments: anchor, positive, negative -- ``(m, d)``; alpha -- the margin.
    Returns: ``(cost, cache)``: cost a float, ``triplet_loss(...) / m``; cache for :func:`triplet_cost_backward`.
    Raises: ValueError as :func:`triplet_loss`, or for m = 0.
    """
    a, p, n = _triplet_arrays(anchor, positive, negative, alpha, "triplet_cost_forward")
    if a.shape[0] == 0:
        raise ValueError("triplet_cost_forward: no triplets (m = 0)")
    losses = np.sum((a - p) ** 2, axis=1) - np.sum((a - n) ** 2, axis=1) + alpha
    return float(np.mean(np.maximum(losses, 0.0))), (a, p, n, losses > 0)


def triplet_cost_backward(cache):
    """Gradients of the averaged triplet cost with respect to the three encodings.

    Arguments: cache -- from :func:`triplet_cost_forward`.
    Returns: ``(d_anchor, d_positive, d_negative)``, each ``(m, d)``: for a triplet whose loss is positive,
        ``2 (n - p) / m``, ``2 (p - a) / m`` and ``2 (a - n) / m``; 0 for a triplet whose loss is 0 (also
        exactly at the kink, where 0 is a subgradient).
    """
    a, p, n, active = cache
    scale = (2.0 / a.shape[0]) * active[:, None]
    return scale * (n - p), scale * (p - a), scale * (a - n)


# --- the encoder ---------------------------------------------------------------------------------

def l2_normalize_forward(Z):
    """Every row scaled to length 1: ``E = Z / sqrt(||Z||^2 + 1e-12)`` (FaceNet's encodings lie on a sphere).

    Arguments: Z -- ``(m, d)``.
    Returns: ``(E, cache)``: E ``(m, d)`` float64 with rows of length 1 (0 for a row of zeros).
    Raises: ValueError if Z is not 2-D.
    """
    Z = np.asarray(Z, dtype=float)
    if Z.ndim != 2:
        raise ValueError(f"l2_normalize_forward: Z must be (m, d), got shape {Z.shape}")
    s = np.sqrt(np.sum(Z ** 2, axis=1, keepdims=True) + _EPS)
    E = Z / s
    return E, (E, s)


def l2_normalize_backward(dE, cache):
    """Backward pass of :func:`l2_normalize_forward`: ``dZ = (dE - E (dE . E)) / s`` row by row.

    Arguments: dE -- ``(m, d)``; cache -- ``(E, s)`` from the forward pass.
    Returns: ``(dZ, {})``: dZ ``(m, d)``; no parameters.
    Raises: ValueError if dE does not have E's shape.
    """
    E, s = cache
    dE = np.asarray(dE, dtype=float)
    if dE.shape != E.shape:
        raise ValueError(f"l2_normalize_backward: dE has shape {dE.shape}, expected {E.shape}")
    return (dE - E * np.sum(dE * E, axis=1, keepdims=True)) / s, {}


def initialize_encoder(input_shape=(25, 25, 1), filters=KIT_FILTERS, n_encoding=KIT_ENCODING, f=3, seed=1,
                       dtype=np.float32):
    """He-initialised encoder parameters: :func:`course_utils.models.cnn.initialize_cnn` with d output units.

    Arguments: input_shape -- ``(n_H, n_W, n_C)`` of one picture; filters -- filters per block, e.g. ``(8, 16)``;
        n_encoding -- d, the encoding's length; f -- the filters' size (odd); seed -- int or Generator;
        dtype -- the parameters' dtype (float32 trains faster; float64 for gradient checks).
    Returns: ``{"W1", "b1", ..., "WL", "bL"}``: blocks ``W{l} (f, f, n_C_prev, n_C)``, ``b{l} (1, 1, 1, n_C)``,
        the encoding layer ``WL (d, n_flat)``, ``bL (d, 1)``.
    Raises: ValueError as :func:`course_utils.models.cnn.initialize_cnn`.
    """
    return initialize_cnn(input_shape, filters, f=f, n_classes=n_encoding, seed=seed, dtype=dtype)


def _n_blocks(parameters, where):
    if not isinstance(parameters, dict) or len(parameters) < 4 or len(parameters) % 2:
        raise ValueError(f"{where}: parameters must be the dict W1, b1, ..., WL, bL of initialize_encoder")
    L = len(parameters) // 2
    names = {f"{p}{l}" for l in range(1, L + 1) for p in ("W", "b")}
    if set(parameters) != names or np.ndim(parameters["W1"]) != 4 or np.ndim(parameters[f"W{L}"]) != 2:
        raise ValueError(f"{where}: parameters must be W1, b1, ..., WL, bL (conv blocks, then the encoding layer); "
                         f"got {sorted(parameters)}")
    return L - 1


def _images(X, parameters, where):
    X = np.asarray(X)
    if X.ndim == 3:
        X = X[..., np.newaxis]
    n_C = np.shape(parameters["W1"])[2]
    if X.ndim != 4 or X.shape[3] != n_C:
        raise ValueError(f"{where}: X must be images (m, n_H, n_W) or (m, n_H, n_W, {n_C}), got {np.shape(X)}")
    dtype = np.asarray(parameters["W1"]).dtype
    return X.astype(dtype if np.issubdtype(dtype, np.floating) else float, copy=False)


def encoder_forward(X, parameters):
    """Encodings of a batch of pictures.

    Arguments: X -- images ``(m, n_H, n_W)`` or ``(m, n_H, n_W, n_C)`` (computed in the parameters' dtype);
        parameters -- from :func:`initialize_encoder`.
    Returns: ``(E, cache)``: E ``(m, d)`` float64, every row of length 1; cache for :func:`encoder_backward`.
    Raises: ValueError for malformed parameters or images that do not fit them.
    """
    where = "encoder_forward"
    B = _n_blocks(parameters, where)
    A = _images(X, parameters, where)
    A, caches, _ = conv_blocks_forward(A, parameters, B)
    m, L = A.shape[0], B + 1
    n_flat = int(np.prod(A.shape[1:]))
    if n_flat != np.shape(parameters[f"W{L}"])[1]:
        raise ValueError(f"{where}: the last block gives {n_flat} numbers per picture but W{L} takes "
                         f"{np.shape(parameters[f'W{L}'])[1]}: these pictures do not fit the encoder")
    Z, linear_cache = linear_forward(A.reshape(m, n_flat).T, parameters[f"W{L}"], parameters[f"b{L}"])
    E, norm_cache = l2_normalize_forward(Z.T)
    caches.append((linear_cache, A.shape, norm_cache))
    return E, caches


def encoder_backward(dE, caches):
    """Gradients of a cost with respect to every encoder parameter, given its gradient dE on the encodings.

    Arguments: dE -- ``(m, d)``, the gradient of the (already averaged) cost with respect to E; caches -- from
        :func:`encoder_forward`.
    Returns: grads ``{"dW1", "db1", ..., "dWL", "dbL"}`` of the parameters' shapes (sums over the batch).
    Raises: ValueError if dE does not have the encodings' shape.
    """
    linear_cache, pooled_shape, norm_cache = caches[-1]
    dZ, _ = l2_normalize_backward(dE, norm_cache)
    B = len(caches) - 1
    grads = {}
    dA_flat, g = linear_backward(dZ.T, linear_cache)
    grads[f"dW{B + 1}"], grads[f"db{B + 1}"] = g["dW"], g["db"]
    _, block_grads = conv_blocks_backward(dA_flat.T.reshape(pooled_shape), caches[:B])
    grads.update(block_grads)
    return grads


def encode_images(X, parameters, batch_size=256):
    """f(x) for every picture, without caches: the ``model`` of :func:`verify` and :func:`who_is_it`.

    Arguments: X -- images ``(m, n_H, n_W)`` or ``(m, n_H, n_W, n_C)``; parameters; batch_size -- pictures per
        forward pass (memory only).
    Returns: ``(m, d)`` float64 encodings of length 1.
    Raises: ValueError as :func:`encoder_forward`, or for batch_size < 1.
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"encode_images: batch_size must be an integer >= 1, got {batch_size!r}")
    X = np.asarray(X)
    parts = [encoder_forward(X[k:k + batch_size], parameters)[0] for k in range(0, X.shape[0], batch_size)]
    if not parts:
        return np.zeros((0, np.shape(parameters[f"W{_n_blocks(parameters, 'encode_images') + 1}"])[0]))
    return np.concatenate(parts, axis=0)


# --- choosing triplets -----------------------------------------------------------------------------

def squared_distances(E):
    """All squared distances ``||E_i - E_j||^2`` between the rows of E.

    Arguments: E -- ``(m, d)``.
    Returns: ``(m, m)`` float64, symmetric, 0 on the diagonal, never negative.
    Raises: ValueError if E is not 2-D.
    """
    E = np.asarray(E, dtype=float)
    if E.ndim != 2:
        raise ValueError(f"squared_distances: E must be (m, d), got shape {E.shape}")
    sq = np.sum(E ** 2, axis=1)
    D = np.maximum(sq[:, None] + sq[None, :] - 2.0 * E @ E.T, 0.0)
    np.fill_diagonal(D, 0.0)
    return D


def select_triplets(encodings, labels, strategy="semi-hard", rng=None):
    """Triplets inside a batch: every anchor-positive pair, with a negative chosen by ``strategy``.

    Arguments:
        encodings -- ``(m, d)``, the batch's current encodings (only read, to measure distances).
        labels -- ``(m,)`` identities (any hashable numbers); a picture whose identity has no other picture in
            the batch is no anchor.
        strategy -- ``"random"``: a negative drawn uniformly from the other identities; ``"hard"``: the closest
            negative, ``argmin d(A, N)``; ``"semi-hard"`` (FaceNet, Sec. 3.2): the closest negative that is still
            farther than the positive, ``d(A, P) < d(A, N)``, so usually within the margin, where
            ``d(A, P) ~ d(A, N)``; if every negative is closer than the positive, the farthest one (as
            TensorFlow Addons' ``triplet_semihard_loss`` does). Distances are squared Euclidean.
        rng -- int, None or Generator; used by ``"random"`` only.
    Returns: ``(anchor_idx, positive_idx, negative_idx)``, three int arrays ``(k,)`` indexing the batch, the
        ordered anchor-positive pairs in order of anchor, then positive.
    Raises: ValueError for an unknown strategy, labels that do not match the encodings, or a batch with a single
        identity (no negative).
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"select_triplets: strategy must be one of {list(STRATEGIES)}, got {strategy!r}")
    labels = np.asarray(labels).ravel()
    E = np.asarray(encodings, dtype=float)
    if E.ndim != 2 or labels.shape[0] != E.shape[0]:
        raise ValueError(f"select_triplets: need encodings (m, d) and m labels; got {E.shape} and {labels.shape[0]}")
    same = labels[:, None] == labels[None, :]
    if same.all():
        raise ValueError("select_triplets: the batch holds a single identity, so there is no negative")
    anchors, positives = np.nonzero(same & ~np.eye(len(labels), dtype=bool))
    different = ~same[anchors]                                     # (k, m): the candidate negatives
    if strategy == "random":
        r = make_rng(rng)
        draws = r.random(different.shape) * different            # a uniform choice among the candidates
        negatives = np.argmax(draws, axis=1)
    else:
        D = squared_distances(E)
        d_an = D[anchors]
        if strategy == "hard":
            negatives = np.argmin(np.where(different, d_an, np.inf), axis=1)
        else:
            d_ap = D[anchors, positives][:, None]
            outside = different & (d_an > d_ap)
            closest_outside = np.argmin(np.where(outside, d_an, np.inf), axis=1)
            farthest = np.argmax(np.where(different, d_an, -np.inf), axis=1)
            negatives = np.where(outside.any(axis=1), closest_outside, farthest)
    return anchors.astype(np.int64), positives.astype(np.int64), negatives.astype(np.int64)


# --- the stand-in data: other pictures of one face --------------------------------------------------

def face_views(images, seed=None, max_shift=2.0, max_angle=10.0, max_contrast=0.3, max_brightness=0.1,
               noise=0.03):
    """One new "picture of the same person" per face: the photo mirrored or not, moved, turned, re-lit, noisy.

    Arguments:
        images -- grey faces ``(m, n_H, n_W)`` or ``(m, n_H, n_W, 1)``, values in [0, 1].
        seed -- int, None or Generator; drawn in order: mirror flags ``(m,)``, shifts and angles
            (:func:`course_utils.data.augment.random_shift_rotate`), contrast ``(m,)``, brightness ``(m,)``,
            noise (the images' shape).
        max_shift, max_angle -- pixels and degrees of the move and turn; max_contrast -- each picture's contrast
            is scaled by a factor uniform in ``[1 - max_contrast, 1 + max_contrast]`` about its mean;
            max_brightness -- a uniform offset in ``[-max_brightness, max_brightness]``; noise -- the standard
            deviation of Gaussian noise per pixel.
    Returns: the new pictures, the input's shape, float32, clipped to [0, 1]. Pixels turned in from outside the
        photo are 0 (black corners), as :func:`course_utils.data.augment.shift_rotate` fills them.
    Raises: ValueError if images are not a batch of grey pictures, or a setting is negative or not finite.
    """
    X = np.asarray(images, dtype=np.float32)
    if X.ndim not in (3, 4) or (X.ndim == 4 and X.shape[3] != 1) or X.shape[0] < 1:
        raise ValueError(f"face_views: images must be grey pictures (m, n_H, n_W) or (m, n_H, n_W, 1), got {X.shape}")
    for name, value in (("max_shift", max_shift), ("max_angle", max_angle), ("max_contrast", max_contrast),
                        ("max_brightness", max_brightness), ("noise", noise)):
        if isinstance(value, bool) or not np.isfinite(value) or value < 0:
            raise ValueError(f"face_views: {name} must be a finite number >= 0, got {value!r}")
    rng = make_rng(seed)
    m = X.shape[0]
    mirror = rng.random(m) < 0.5
    X = np.where(mirror.reshape((m,) + (1,) * (X.ndim - 1)), X[:, :, ::-1], X)
    X = random_shift_rotate(X, max_shift, max_angle, seed=rng)
    contrast = rng.uniform(1 - max_contrast, 1 + max_contrast, size=m).astype(np.float32)
    brightness = rng.uniform(-max_brightness, max_brightness, size=m).astype(np.float32)
    axes = tuple(range(1, X.ndim))
    mean = X.mean(axis=axes, keepdims=True)
    shape = (m,) + (1,) * (X.ndim - 1)
    X = (X - mean) * contrast.reshape(shape) + mean + brightness.reshape(shape)
    X = X + (rng.standard_normal(X.shape) * noise).astype(np.float32)
    return np.clip(X, 0.0, 1.0).astype(np.float32)


def identity_split(views=4, seed=2607):
    """The stand-in identities of notebook 07: each face photo of :func:`course_utils.data.load_faces` is a person.

    Arguments: views -- pictures made per held-out person (:func:`face_views`); seed -- their seed.
    Returns: a dict with ``"train_faces"`` ``(75, 25, 25, 1)`` (the training split's 75 faces, one photo per
        training person), ``"test_images"`` ``(25 views, 25, 25, 1)`` (views of the test split's 25 faces, held-out
        people: person j's pictures are rows ``j, j + 25, ...``), ``"test_labels"`` ``(25 views,)`` ints 0-24,
        ``"test_faces"`` ``(25, 25, 25, 1)`` (the held-out photos themselves) and ``"non_faces"`` ``(100, 25, 25, 1)``
        (both splits' non-face patches).
    Raises: DataError if the faces are not built (:func:`course_utils.data.load_faces`); ValueError if views < 2.
    """
    from course_utils.data.store import load_faces

    if isinstance(views, bool) or not isinstance(views, (int, np.integer)) or views < 2:
        raise ValueError(f"identity_split: views must be an integer >= 2 (pairs of one person), got {views!r}")
    train_x, train_y, test_x, test_y, _ = load_faces()
    train_faces = train_x[train_y[0] == 1][..., np.newaxis]
    test_faces = test_x[test_y[0] == 1][..., np.newaxis]
    rng = make_rng(seed)
    images = np.concatenate([face_views(test_faces, seed=rng) for _ in range(views)])
    labels = np.tile(np.arange(test_faces.shape[0]), views)
    non_faces = np.concatenate([train_x[train_y[0] == 0], test_x[test_y[0] == 0]])[..., np.newaxis]
    return {"train_faces": train_faces, "test_images": images, "test_labels": labels, "test_faces": test_faces,
            "non_faces": non_faces}


# --- training through the one loop -----------------------------------------------------------------

def make_triplet_step(strategy="semi-hard", alpha=ALPHA, seed=0, views=2):
    """A ``step(parameters, X_batch, Y_batch) -> (cost, grads)`` for :func:`course_utils.optim.loop.train`.

    Each call turns its mini-batch of B face photos (``X_batch (B, n_H, n_W, 1)``, identities ``Y_batch (B, 1)``)
    into ``views`` new pictures of every person (:func:`face_views`), encodes the ``views B`` pictures in one
    forward pass, chooses triplets inside the batch with :func:`select_triplets` (FaceNet's online selection:
    every anchor-positive pair, the negative by ``strategy``), and returns their average triplet cost and its
    gradients through one backward pass (a picture used in several triplets adds up its gradients).

    Arguments: strategy -- one of :data:`STRATEGIES`; alpha -- the margin; seed -- the step's two generators (the
        pictures' and the random negatives'; two, so that the same seed gives every strategy the same pictures);
        views -- pictures per person and batch, >= 2.
    Returns: the step function (it keeps its generators: call :func:`make_triplet_step` again to start over).
    Raises: ValueError for an unknown strategy or views < 2. The step raises ValueError as :func:`select_triplets`.
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"make_triplet_step: strategy must be one of {list(STRATEGIES)}, got {strategy!r}")
    if isinstance(views, bool) or not isinstance(views, (int, np.integer)) or views < 2:
        raise ValueError(f"make_triplet_step: views must be an integer >= 2, got {views!r}")
    view_seed, negative_seed = np.random.SeedSequence(seed).spawn(2)
    view_rng, negative_rng = np.random.default_rng(view_seed), np.random.default_rng(negative_seed)

    def step(parameters, X_batch, Y_batch):
        pictures = np.concatenate([face_views(X_batch, seed=view_rng) for _ in range(views)])
        labels = np.tile(np.asarray(Y_batch).ravel(), views)
        E, caches = encoder_forward(pictures, parameters)
        a, p, n = select_triplets(E, labels, strategy, rng=negative_rng)
        cost, cache = triplet_cost_forward(E[a], E[p], E[n], alpha)
        d_a, d_p, d_n = triplet_cost_backward(cache)
        dE = np.zeros_like(E)
        for idx, d in ((a, d_a), (p, d_p), (n, d_n)):
            np.add.at(dE, idx, d)
        return cost, encoder_backward(dE, caches)

    return step


def train_encoder(faces, parameters, *, strategy="semi-hard", alpha=ALPHA, learning_rate=0.003, num_epochs=10,
                  batch_identities=25, seed=0, metrics=None, record_every=1, progress=False, desc=None):
    """Train the encoder with Adam on triplets chosen inside each mini-batch, through the one training loop.

    Arguments:
        faces -- ``(n_people, n_H, n_W, 1)``: one photo per person (person i's identity is i).
        parameters -- the starting parameters (:func:`initialize_encoder`; not modified).
        strategy, alpha -- as :func:`make_triplet_step`; learning_rate -- Adam's step;
        num_epochs -- passes over the people; batch_identities -- people per mini-batch (epoch e shuffles them
            with seed ``seed + e``); seed -- also the step's seed, so two strategies with one seed see the same
            batches and pictures.
        metrics, record_every, progress, desc -- passed on to :func:`course_utils.optim.loop.train`.
    Returns: ``(parameters, history)`` as the loop returns them (``history["batch_cost"]``: one cost per step).
    Raises: ValueError as :func:`make_triplet_step` and the loop, or for faces that are not a batch of pictures.
    """
    faces = np.asarray(faces, dtype=np.float32)
    if faces.ndim == 3:
        faces = faces[..., np.newaxis]
    if faces.ndim != 4 or faces.shape[0] < 2:
        raise ValueError(f"train_encoder: faces must be (n_people >= 2, n_H, n_W, 1), got {faces.shape}")
    ids = np.arange(faces.shape[0]).reshape(-1, 1)
    return train(make_triplet_step(strategy, alpha, seed), parameters, faces, ids, optimizer="adam",
                 config={"learning_rate": learning_rate}, num_epochs=num_epochs, mini_batch_size=batch_identities,
                 seed=seed, metrics=metrics, record_every=record_every, progress=progress,
                 desc=desc or f"triplets ({strategy})", example_axis=0)


# --- verification and recognition ------------------------------------------------------------------

def _encoding_of(image, model):
    return np.asarray(model(np.asarray(image)[np.newaxis]), dtype=float)


def verify(image, identity, database, model, threshold):
    """Face verification: is the person in ``image`` the one they claim to be?

    Arguments: image -- one picture, of the shape the model takes per example (e.g. ``(n_H, n_W, n_C)``);
        identity -- the claimed name, a key of database; database -- ``{identity: encoding (d,)}``;
        model -- callable, images ``(m, ...) -> (m, d)`` encodings; threshold -- tau.
    Returns: ``(dist, door_open)``: dist a float, ``||f(image) - database[identity]||_2`` (the distance, not
        squared); door_open a bool, ``dist <= threshold`` (the notes: d <= tau means "same").
    Raises: ValueError if identity is not in the database.
    """
    if identity not in database:
        raise ValueError(f"verify: {identity!r} is not in the database (it holds {len(database)} identities)")
    dist = float(np.linalg.norm(_encoding_of(image, model) - np.asarray(database[identity], dtype=float)))
    return dist, bool(dist <= threshold)


verify.__output_parts__ = "dist, door_open"


def who_is_it(image, database, model):
    """Face recognition: the database entry nearest to the person in ``image``.

    Arguments: image -- one picture; database -- ``{identity: encoding (d,)}``; model -- as :func:`verify`.
    Returns: ``(min_dist, identity)``: the smallest distance ``||f(image) - encoding||_2`` (a float) and the
        identity it belongs to (the first one met, in the database's order, if two tie). The person is "not in
        the database" when min_dist exceeds the verification threshold: the caller compares.
    Raises: ValueError if the database is empty (nobody to recognise).
    """
    if not database:
        raise ValueError("who_is_it: the database is empty, so there is nobody to recognise; add encodings first")
    encoding = _encoding_of(image, model)
    min_dist, found = np.inf, None
    for name, stored in database.items():
        dist = float(np.linalg.norm(encoding - np.asarray(stored, dtype=float)))
        if dist < min_dist:
            min_dist, found = dist, name
    return min_dist, found


who_is_it.__output_parts__ = "min_dist, identity"


# --- measuring verification ------------------------------------------------------------------------

def pair_indices(labels):
    """Every pair of pictures once: which are of one person.

    Arguments: labels -- ``(m,)`` identities.
    Returns: ``(i, j, same)``: int arrays ``(n_pairs,)`` with ``i < j``, n_pairs = m (m - 1) / 2, and a bool array
        ``same (n_pairs,)``, ``labels[i] == labels[j]``.
    Raises: ValueError if labels is not 1-D (or (1, m)).
    """
    labels = np.asarray(labels)
    if labels.ndim == 2 and labels.shape[0] == 1:
        labels = labels[0]
    if labels.ndim != 1:
        raise ValueError(f"pair_indices: labels must be (m,), got shape {labels.shape}")
    i, j = np.triu_indices(labels.shape[0], k=1)
    return i.astype(np.int64), j.astype(np.int64), labels[i] == labels[j]


def pair_distances(E, i, j):
    """``d = ||E_i - E_j||_2`` for pairs of rows: the distance :func:`verify` compares with the threshold.

    Arguments: E -- ``(m, d)`` encodings (or flattened pictures); i, j -- ``(n_pairs,)`` row indices.
    Returns: ``(n_pairs,)`` float64 distances.
    Raises: ValueError if E is not 2-D or i and j differ in shape.
    """
    E = np.asarray(E, dtype=float)
    i, j = np.asarray(i), np.asarray(j)
    if E.ndim != 2 or i.shape != j.shape:
        raise ValueError(f"pair_distances: need E (m, d) and index arrays of one shape; got {E.shape}, {i.shape}, {j.shape}")
    return np.sqrt(np.sum((E[i] - E[j]) ** 2, axis=1))


def pair_features(E, i, j):
    """The inputs of the learned same/different classifier (DeepFace): ``|f(x_i) - f(x_j)|``, one row per pair.

    Arguments: E -- ``(m, d)``; i, j -- ``(n_pairs,)``.
    Returns: ``(d, n_pairs)`` float64: one column per pair, the layout of the library's logistic regression
        (:mod:`course_utils.models.logistic`, ``yhat = sigmoid(sum_k w_k |f(x_i)_k - f(x_j)_k| + b)``).
    Raises: ValueError as :func:`pair_distances`.
    """
    E = np.asarray(E, dtype=float)
    i, j = np.asarray(i), np.asarray(j)
    if E.ndim != 2 or i.shape != j.shape:
        raise ValueError(f"pair_features: need E (m, d) and index arrays of one shape; got {E.shape}, {i.shape}, {j.shape}")
    return np.abs(E[i] - E[j]).T


def balanced_accuracy(distances, same, threshold):
    """Verification accuracy at ``threshold`` on pairs half of one person and half of two.

    Arguments: distances -- ``(n_pairs,)``; same -- ``(n_pairs,)`` bool; threshold -- tau ("same" when d <= tau).
    Returns: a float, the mean of the accuracy on same-person pairs and on different-person pairs: the accuracy
        on a set of pairs with as many of each kind (there are many more different pairs than same ones).
    Raises: ValueError if the shapes differ or one kind of pair is missing.
    """
    distances, same = np.asarray(distances, dtype=float), np.asarray(same, dtype=bool)
    if distances.shape != same.shape or same.all() or not same.any():
        raise ValueError("balanced_accuracy: need distances and same of one shape, with pairs of both kinds")
    said_same = distances <= threshold
    return float((np.mean(said_same[same]) + np.mean(~said_same[~same])) / 2)


def best_threshold(distances, same):
    """The threshold with the highest :func:`balanced_accuracy` (chosen on training pairs, used on others).

    Arguments: distances -- ``(n_pairs,)``; same -- ``(n_pairs,)`` bool.
    Returns: ``(threshold, accuracy)``: floats; the threshold is a midpoint between two sorted distances (or
        just below / above all of them), the smallest one of the best.
    Raises: ValueError as :func:`balanced_accuracy`.
    """
    distances, same = np.asarray(distances, dtype=float), np.asarray(same, dtype=bool)
    if distances.shape != same.shape or same.all() or not same.any():
        raise ValueError("best_threshold: need distances and same of one shape, with pairs of both kinds")
    order = np.argsort(distances, kind="stable")
    d, s = distances[order], same[order]
    # accepting the k smallest distances (k = 0 .. n): true accepts and true rejects, all at once
    tpr = np.concatenate([[0], np.cumsum(s)]) / s.sum()
    tnr = 1 - np.concatenate([[0], np.cumsum(~s)]) / (~s).sum()
    cuts = np.concatenate([[d[0] - 1e-6], (d[:-1] + d[1:]) / 2, [d[-1] + 1e-6]])
    valid = np.concatenate([[True], d[1:] > d[:-1], [True]])       # never cut between two equal distances
    score = np.where(valid, (tpr + tnr) / 2, -1.0)
    k = int(np.argmax(score))
    return float(cuts[k]), float(score[k])


# --- the kit's weights -----------------------------------------------------------------------------

def kit_weights():
    """The kit's ``face_encoder`` weights, for the data store: :func:`train_kit_encoders` with its defaults.

    Returns: ``(arrays, meta)`` as :func:`train_kit_encoders` (about a minute on one core).
    Raises: DataError if the faces are not built.
    """
    return train_kit_encoders()


def train_kit_encoders(num_epochs=300, seed=KIT_SEED, record_every=20):
    """Train the kit's three encoders (semi-hard, random and hard triplets, same steps, same seed) and measure them.

    All three start from :func:`initialize_encoder` with ``seed``, see the same batches and pictures
    (:func:`train_encoder` on the 75 training faces of :func:`identity_split`, 3 batches of 25 people an epoch,
    Adam 0.003, alpha 0.2), and differ only in how the negatives are chosen. Every ``record_every``
    epochs the held-out area under the ROC curve (scikit-learn's ``roc_auc_score`` on all pairs of the 25
    held-out people's views, score ``-d``) is recorded.

    Arguments: num_epochs -- passes over the 75 people; seed -- initialisation and training seed;
        record_every -- epochs between held-out measurements.
    Returns: ``(arrays, meta)``: arrays ``{"semi_hard_W1", ..., "random_W1", ..., "hard_W1", ...}`` (float32
        parameters), ``"epoch"`` (the recorded epochs and the last), ``"<strategy>_cost"`` (the training cost per
        recorded epoch) and ``"<strategy>_auc"`` (held-out AUC at each recorded epoch and at the end), float32;
        meta with "source", "licence", "how_built", "seed", "figures" (final held-out AUCs, steps) and
        "train_seconds".
    Raises: DataError if the faces are not built.

    It trains with one BLAS thread whatever the environment allows: several threads sum the matrix products
    in another order, which gives other float32 weights, and a rebuild on the same machine must give the same
    file.
    """
    from sklearn.metrics import roc_auc_score
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):      # one summation order, however many threads are allowed
        return _train_kit(num_epochs, seed, record_every, roc_auc_score)


def _train_kit(num_epochs, seed, record_every, roc_auc_score):
    data = identity_split()
    i, j, same = pair_indices(data["test_labels"])

    def heldout_auc(parameters):
        return roc_auc_score(same, -pair_distances(encode_images(data["test_images"], parameters), i, j))

    start = time.perf_counter()
    parameters0 = initialize_encoder(seed=seed)
    arrays, figures = {}, {}
    for strategy in ("semi-hard", "random", "hard"):
        key = strategy.replace("-", "_")
        parameters, history = train_encoder(data["train_faces"], parameters0, strategy=strategy,
                                            num_epochs=num_epochs, seed=seed, record_every=record_every,
                                            metrics={"auc": heldout_auc})
        for name, value in parameters.items():
            arrays[f"{key}_{name}"] = value.astype(np.float32)
        arrays[f"{key}_cost"] = np.asarray(history["cost"], dtype=np.float32)
        arrays[f"{key}_auc"] = np.asarray(history["auc"] + [heldout_auc(parameters)], dtype=np.float32)
        arrays["epoch"] = np.asarray(history["epoch"] + [num_epochs], dtype=np.float32)
        figures[f"{key}_heldout_auc"] = round(float(arrays[f"{key}_auc"][-1]), 4)
        figures[f"{key}_steps"] = len(history["batch_cost"])
    seconds = time.perf_counter() - start
    meta = {
        "source": "trained by course_utils.models.face_encoder.kit_weights on the faces of skimage.data.lfw_subset()",
        "licence": "BSD-3-Clause (scikit-image); LFW images are public research data",
        "how_built": (f"three encoders [conv3x3(8)-relu-pool, conv3x3(16)-relu-pool, fc({KIT_ENCODING}), l2 norm], one "
                      f"initialisation (seed {seed}), {num_epochs} epochs of Adam (0.003) over the 75 training faces "
                      f"in batches of 25 people x 2 augmented views, triplet loss alpha {ALPHA}; negatives semi-hard "
                      f"(FaceNet), random or hard; held-out ROC AUC on 25 unseen faces x 4 views every {record_every} epochs"),
        "seed": int(seed),
        "figures": figures,
        "train_seconds": round(seconds, 1),
    }
    return arrays, meta
