"""Properties every module of course_utils must have: it imports, its public functions say what
shapes they take, no function modifies its inputs, and no code touches numpy's global random state.

The modules are found with ``pkgutil.walk_packages``, so a new module is checked without being
added to a list. Sample inputs for the no-mutation check are listed per module in ``SAMPLES``;
a module without samples must be named in ``NOT_SAMPLED`` with the reason, so a new module fails
here until somebody decides which it is.
"""

import copy
import functools
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import numpy as np
import pytest

import course_utils


def _walk() -> list[str]:
    errors = []
    names = [m.name for m in pkgutil.walk_packages(course_utils.__path__, "course_utils.", onerror=errors.append)
             if m.name.rsplit(".", 1)[-1] != "__main__"]  # __main__ runs a command line when imported
    return ["course_utils"] + sorted(names + errors)  # a package that failed to import fails its tests


MODULES = _walk()


def test_the_walk_finds_the_package_tree():
    # the walk must reach into every subpackage, or the checks below would quietly check less
    for name in ("course_utils.nn.activations", "course_utils.optim.tuning", "course_utils.exercises.numpy_basics",
                 "course_utils.viz.plotting", "course_utils.data.synthetic", "course_utils.grading.checks",
                 "course_utils.gradcheck", "course_utils.rng"):
        assert name in MODULES
    assert not any(name.endswith("__main__") for name in MODULES)


def _public(module) -> dict:
    """Public functions and classes *defined* in the module: its ``__all__`` (or its names without a
    leading underscore). Re-exports are checked in the module that defines them; constants are data."""
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in vars(module) if not n.startswith("_")]
    out = {}
    for n in names:
        obj = getattr(module, n)
        if (inspect.isfunction(obj) or inspect.isclass(obj)) and obj.__module__ == module.__name__:
            out[n] = obj
    return out


@pytest.mark.parametrize("name", MODULES)
def test_every_module_imports(name):
    importlib.import_module(name)


# --- docstrings document shapes ----------------------------------------------------------

@pytest.mark.parametrize("name", MODULES)
def test_public_functions_document_shapes(name):
    module = importlib.import_module(name)
    for n, obj in _public(module).items():
        doc = obj.__doc__ or ""  # a class's own docstring, not one inherited from its base
        assert len(inspect.cleandoc(doc)) > 20, f"{name}.{n} needs a docstring that states shapes"


# --- no function mutates its inputs --------------------------------------------------------

def call(*args, **kwargs):
    return args, kwargs


@functools.lru_cache(maxsize=1)
def _analogy_file() -> str:
    """A two-line analogy benchmark in questions-words.txt's format, written once per test process."""
    import tempfile

    path = Path(tempfile.mkdtemp()) / "questions-words.txt"
    path.write_text(": family\nboy girl brother sister\n", encoding="utf-8")
    return str(path)


def _word_vector_samples() -> dict:
    """Track 5/04's word-vector functions on a table of 5 words in 3 dimensions, and its adapter. (A table is
    an object this check does not look into: tests/text/test_word_vectors.py checks that tables stay unchanged.)"""
    from course_utils.data.text import WordVectors

    r = np.random.default_rng(4)
    vectors = r.standard_normal((5, 3))
    table = WordVectors(["a", "b", "c", "d", "e"], vectors, np.arange(5))
    u, v = vectors[0] / np.linalg.norm(vectors[0]), vectors[1] / np.linalg.norm(vectors[1])
    pairs = [("a", "b"), ("c", "d")]
    return {
        "course_utils.text.word_vectors": {
            "cosine_similarity": call(vectors[0], vectors), "nearest_words": call(table, vectors[2], 2, exclude=["c"]),
            "complete_analogy": call("a", "b", "c", table), "analogy_questions": call(pairs),
            "read_analogy_questions": call(_analogy_file()),
            "evaluate_analogies": call(table, [("a", "b", "c", "d"), ("a", "b", "x", "d")], batch_size=1),
            "pair_differences_pca": call(table, pairs), "bias_direction": call(table, pairs, method="mean"),
            "neutralize": call(vectors, vectors[4]), "equalize": call(u, v, vectors[4]),
        },
        "course_utils.exercises.word_vectors": {"embed_by_product": call(vectors.T, np.array([4, 0, 0]))},
    }


def _recurrent_samples() -> dict:
    """Track 5's recurrent layers, embedding, clipping, sampling and 01's classic RNN adapter: n_x 3, n_a 4, m 2,
    T_x 5, n_y 6."""
    from course_utils.exercises import rnn_step_by_step as classic
    from course_utils.nn import recurrent as rec
    from course_utils.exercises import gru_lstm_and_vanishing_gradients as gated
    from course_utils.nn.embedding import embedding_forward

    r = np.random.default_rng(5)
    x, a0, xt, d1 = r.standard_normal((3, 2, 5)), r.standard_normal((4, 2)), r.standard_normal((3, 2)), r.standard_normal((4, 2))
    da = r.standard_normal((4, 2, 5))
    p = {c: rec.initialize_recurrent_parameters(c, 3, 4, 6, seed=1) for c in ("rnn", "gru", "lstm")}
    bi = {k + s: v for s in ("_fw", "_bw") for k, v in p["rnn"].items()}
    y = np.eye(6)[:, [[0, 1, 2, 3, 4], [5, 0, 1, 2, 3]]]
    y_pred, out_cache = rec.softmax_output_forward(da, p["rnn"])
    lm = rec.initialize_recurrent_parameters("rnn", 6, 4, 6, seed=2)
    from course_utils.models.char_lm import one_hot_indices
    from course_utils.text.vocab import Vocabulary
    lm_X, lm_Y = np.array([[-1, 1, 2], [-1, 4, -1]]), np.array([[1, 2, 0], [4, 0, -1]])   # names "12", "4" (end 0)
    grads = {"dWaa": r.standard_normal((4, 4)) * 10, "dba": r.standard_normal((4, 1)), "dx": x}
    return {
        "course_utils.nn.recurrent": {
            "sequence_layer": call("gru"), "initialize_recurrent_parameters": call("lstm", 3, 4, 6, seed=0),
            "rnn_cell_forward": call(xt, a0, p["rnn"]),
            "rnn_cell_backward": call(d1, rec.rnn_cell_forward(xt, a0, p["rnn"])[1]),
            "rnn_forward": call(x, a0, p["rnn"]), "rnn_backward": call(da, rec.rnn_forward(x, a0, p["rnn"])[1]),
            "gru_cell_forward": call(xt, a0, p["gru"]),
            "gru_cell_backward": call(d1, rec.gru_cell_forward(xt, a0, p["gru"])[1]),
            "gru_forward": call(x, a0, p["gru"]), "gru_backward": call(da, rec.gru_forward(x, a0, p["gru"])[1]),
            "lstm_cell_forward": call(xt, a0, d1, p["lstm"]),
            "lstm_cell_backward": call(d1, d1 * 2, rec.lstm_cell_forward(xt, a0, d1, p["lstm"])[1]),
            "lstm_forward": call(x, a0, p["lstm"], c0=d1),
            "lstm_backward": call(da, rec.lstm_forward(x, a0, p["lstm"])[1]),
            "memory_cells": call(rec.lstm_forward(x, a0, p["lstm"])[1]),
            "gate_values": call(rec.gru_forward(x, a0, p["gru"])[1]),
            "bidirectional_forward": call(x, bi, cell="rnn"),
            "bidirectional_backward": call(np.ones((8, 2, 5)), rec.bidirectional_forward(x, bi)[1]),
            "softmax_output_forward": call(da, p["rnn"]), "softmax_output_backward": call(y_pred - y, out_cache),
            "sequence_cross_entropy_cost": call(y_pred, y), "sequence_cross_entropy_cost_backward": call(y_pred, y),
        },
        "course_utils.nn.embedding": {
            "embedding_forward": call(np.array([[0, 3, 3]]), d1.T),
            "embedding_backward": call(np.ones((2, 1, 3)), embedding_forward(np.array([[0, 3, 3]]), d1.T)[1]),
        },
        "course_utils.optim.clipping": {
            "clip": call(grads, 5.0, keys=["dWaa", "dba"]), "global_norm": call(grads),
            "clip_by_global_norm": call(grads, 1.0, keys=["dWaa", "dba"]),
        },
        "course_utils.models.sampling": {
            "with_temperature": call(y_pred[:, :, 0], 0.5), "sample_index": call(y_pred[:, :, 0], 3, temperature=2.0),
            "sample_from_logits": call(xt, 3, temperature=0.5),
            "sample_sequence": call(lm, 0, seed=3, max_length=7, n_samples=2),
        },
        "course_utils.models.char_lm": {
            "next_token_data": call(["ab", "b"], Vocabulary(list("ab"), eos=True)),
            "text_windows": call("abba", Vocabulary(list("ab")), 2), "one_hot_indices": call(lm_X, 6),
            "lm_cost_and_grads": call(lm, one_hot_indices(lm_X, 6), one_hot_indices(lm_Y, 6), cell="rnn"),
            "lm_step": call(lm, lm_X, lm_Y, max_value=1.0), "sequence_log_probabilities": call(lm, lm_X, lm_Y),
            "perplexity": call(lm, lm_X, lm_Y), "unigram_probabilities": call(lm_Y, 6),
            "unigram_perplexity": call(np.full(6, 1 / 6), lm_Y),
        },
        "course_utils.exercises.character_language_model": {
            "sample": call(lm, 0, 3, temperature=0.5, max_length=7),
            "optimize": call(one_hot_indices(lm_X, 6), one_hot_indices(lm_Y, 6), a0, lm, 0.01, maxValue=1.0),
        },
        "course_utils.exercises.rnn_step_by_step": {
            "rnn_cell_forward": call(xt, a0, p["rnn"]), "rnn_forward": call(x, a0, p["rnn"]),
            "rnn_cell_backward": call(d1, classic.rnn_cell_forward(xt, a0, p["rnn"])[2]),
            "rnn_backward": call(da, classic.rnn_forward(x, a0, p["rnn"])[2]),
        },
        "course_utils.exercises.gru_lstm_and_vanishing_gradients": {
            "gru_cell_forward": call(xt, a0, p["gru"]), "lstm_cell_forward": call(xt, a0, d1, p["lstm"]),
            "lstm_forward": call(x, a0, p["lstm"]),
            "lstm_cell_backward": call(d1, d1 * 2, gated.lstm_cell_forward(xt, a0, d1, p["lstm"])[2]),
        },
    }


def _face_encoder_samples() -> dict:
    """Track 4/07's encoder, triplet loss and verification: 3 grey 6 x 7 pictures, 2-number encodings."""
    import course_utils.models.face_encoder as fe

    r = np.random.default_rng(6)
    pictures, enc = r.random((3, 6, 7)), r.standard_normal((4, 2))
    small = fe.initialize_encoder((6, 7, 1), (2,), n_encoding=2, seed=0, dtype=np.float64)
    E, caches = fe.encoder_forward(pictures, small)
    _, triplet_cache = fe.triplet_cost_forward(enc[:2], enc[2:], enc[::-1][:2], 0.5)
    _, norm_cache = fe.l2_normalize_forward(enc)
    database = {"a": enc[0], "b": enc[1]}

    def model(images):
        return np.asarray(images, dtype=float).reshape(len(images), -1)[:, :2]

    i, j, same = fe.pair_indices(np.array([0, 0, 1]))
    return {"course_utils.models.face_encoder": {
        "triplet_loss": call(enc[:2], enc[2:], enc[::-1][:2], 0.2),
        "triplet_cost_forward": call(enc[:2], enc[2:], enc[::-1][:2], 0.5), "triplet_cost_backward": call(triplet_cache),
        "l2_normalize_forward": call(enc), "l2_normalize_backward": call(enc * 2, norm_cache),
        "initialize_encoder": call((6, 7, 1), (2,), n_encoding=2, seed=0), "encoder_forward": call(pictures, small),
        "encoder_backward": call(E * 2, caches), "encode_images": call(pictures, small, batch_size=2),
        "squared_distances": call(enc), "select_triplets": call(enc, np.array([0, 0, 1, 1]), "random", rng=0),
        "face_views": call(pictures.astype(np.float32), seed=0),
        "make_triplet_step": call("hard", seed=0), "train_encoder": call(r.random((4, 6, 7, 1)), small, num_epochs=1,
                                                                          batch_identities=2),
        "verify": call(pictures[0], "a", database, model, 0.5), "who_is_it": call(pictures[0], database, model),
        "pair_indices": call(np.array([0, 0, 1])), "pair_distances": call(enc[:3], i, j),
        "pair_features": call(enc[:3], i, j), "balanced_accuracy": call(np.array([0.1, 0.5, 0.9]), same, 0.4),
        "best_threshold": call(np.array([0.1, 0.5, 0.9]), same), "identity_split": call(views=2),
        "train_kit_encoders": call(num_epochs=1),
    }}


def _style_samples() -> dict:
    """Track 4/08's style costs, the random texture network and the style images: a 3-layer network on 8 x 8 images."""
    import course_utils.models.style_transfer as st
    import course_utils.nn.style as sty

    r = np.random.default_rng(7)
    a, b = r.standard_normal((1, 3, 4, 2)), r.standard_normal((1, 3, 4, 2))
    S, G = {"x": a, "y": b[:, :2]}, {"x": b, "y": a[:, :2]}
    layers = [("x", 0.4), ("y", 0.6)]
    net = st.initialize_texture_network((2, 3, 4), seed=0, dtype=np.float64)
    C, T, X = r.random((3, 1, 8, 8, 3))
    outputs, cache = st.texture_network_forward(X, net)
    small = [("conv1", 0.5), ("conv3", 0.5)]
    return {
        "course_utils.nn.style": {
            "unroll": call(a), "gram_matrix": call(a[0, 0]), "compute_content_cost": call(a, b),
            "compute_content_cost_backward": call(a, b), "compute_layer_style_cost": call(a, b),
            "compute_layer_style_cost_backward": call(a, b), "compute_style_cost": call(S, G, layers),
            "compute_style_cost_backward": call(S, G, layers), "gram_matrices": call(S),
            "style_cost_and_grad": call(sty.gram_matrices(S), G, layers), "total_cost": call(0.5, 0.25, 1, 2),
        },
        "course_utils.models.style_transfer": {
            "initialize_texture_network": call((2, 3), seed=0), "layer_names": call(net),
            "texture_network_forward": call(X, net), "texture_network_backward": call(outputs, cache),
            "receptive_fields": call(net), "top_activating_patches": call(r.random((2, 16, 16, 3)), net, "conv2", [0, 2], k=2),
            "generated_start": call(C, 0.3, seed=1),
            "style_transfer_cost_and_grad": call(X, C, T, net, content_layer="conv2", style_layers=small),
            "style_transfer": call(C, T, net, X, content_layer="conv2", style_layers=small, num_iterations=2),
        },
        "course_utils.data.style_images": {"load_style_images": call(8)},
    }


def _unet_samples() -> dict:
    """Track 4/06's skip connection, per-class IoU and U-Net: 2 images of 4 x 8 with 2 channels, 3 classes."""
    import course_utils.models.unet as un
    from course_utils.nn.concat import concat_forward

    r = np.random.default_rng(8)
    X, masks = r.standard_normal((2, 4, 8, 2)), r.integers(0, 3, size=(2, 4, 8))
    p = un.initialize_unet((4, 8, 2), (2, 3), n_classes=3, seed=0)
    probs, caches = un.unet_forward(X, p)
    stacked, concat_cache = concat_forward(X, X[..., :1])
    return {
        "course_utils.nn.concat": {"concat_forward": call(X, X[..., :1]), "concat_backward": call(stacked, concat_cache)},
        "course_utils.metrics.segmentation": {"per_class_iou": call(masks, masks[:, ::-1], 3),
                                              "mean_iou": call(masks, masks[:, ::-1], 3)},
        "course_utils.models.unet": {
            "initialize_unet": call((4, 8, 2), (2, 3), n_classes=3, seed=0), "unet_forward": call(X, p),
            "unet_backward": call(probs, masks, caches), "unet_step": call(p, X, masks),
            "unet_predict": call(X, p, batch_size=1), "unet_activations": call(X, p),
            "train_unet": call(X, masks, p, num_epochs=2, mini_batch_size=1),
            "train_kit_unet": call(num_epochs=1, train_scenes=2, test_scenes=2),
        },
    }


def _detection_samples() -> dict:
    """Track 4/05's scenes, detection metrics, YOLO pieces and small detector: 16 x 8 pictures, a 2 x 1 grid."""
    import course_utils.models.detector as det
    import course_utils.models.yolo as yo
    from course_utils.data.scenes import make_scenes

    r = np.random.default_rng(9)
    boxes, labels = np.array([[1.0, 1.0, 6.0, 7.0], [0.0, 9.0, 8.0, 16.0]]), np.array([2, 0])
    y_hat, y = r.random((8, 3)), np.vstack([[1.0, 0.0, 1.0], r.random((7, 3))])
    anchors, Z = np.array([[1.0, 1.0], [1.5, 1.5]]), r.standard_normal((2, 2, 1, 16))
    head, head_cache = yo.yolo_head_forward(Z, anchors)
    conf, corners, probs = yo.yolo_boxes_to_corners(head[0], (16, 8), 2)
    scores = r.random(2)
    p = det.initialize_detector((16, 8, 3), (2, 2, 2), seed=0, dtype=np.float64)
    X = r.random((2, 16, 8, 3))
    Y = det.detector_targets([boxes[:1], boxes[1:]], [labels[:1], labels[1:]], (16, 8))
    Y_hat, caches = det.detector_forward(X, p)
    scenes = make_scenes(2, size=(16, 8), object_size=(4, 6), seed=0)
    return {
        "course_utils.data.scenes": {"make_scenes": call(2, size=(16, 8), object_size=(4, 6), seed=0)},
        "course_utils.metrics.detection": {
            "iou": call(boxes[0], boxes[1]), "iou_matrix": call(boxes, boxes[::-1]),
            "average_precision": call(np.array([0.5, 1.0]), np.array([1.0, 0.5])),
            "match_detections": call(boxes, scores, boxes[:1]),
            "mean_average_precision": call([boxes], [scores], [labels], [boxes], [labels], 3),
            "mean_best_iou": call([boxes], [boxes[:1]]),
        },
        "course_utils.models.yolo": {
            "localization_loss": call(y_hat, y), "localization_loss_backward": call(y_hat, y, 5.0, 0.5),
            "assign_anchor_boxes": call(boxes, labels, (16, 8), (2, 1), anchors), "anchor_shape_iou": call(anchors, anchors),
            "yolo_head_forward": call(Z, anchors), "yolo_head_backward": call(head * 2, head_cache),
            "yolo_boxes_to_corners": call(head[0], (16, 8), 2), "yolo_filter_boxes": call(conf, corners, probs, 0.1),
            "non_max_suppression": call(scores, boxes), "yolo_non_max_suppression": call(scores, boxes, labels),
            "yolo_eval": call(head[0], (16, 8), 2, score_threshold=0.1),
        },
        "course_utils.models.detector": {
            "initialize_detector": call((16, 8, 3), (2, 2, 2), seed=0), "detector_targets": call([boxes], [labels], (16, 8)),
            "detector_forward": call(X, p), "detector_backward": call(Y_hat * 2, caches), "detector_cost": call(Y_hat, Y),
            "detector_step": call(p, X, Y), "detector_predict": call(X, p, batch_size=1), "detect": call(X, p),
            "train_detector": call(X, Y, p, num_epochs=2, mini_batch_size=1),
            "evaluate_detector": call(scenes, p), "train_kit_detector": call(num_epochs=1, train_scenes=2, test_scenes=2),
        },
    }


def _decoding_samples() -> dict:
    """Track 5/08's decoders on a 3-token, 3-step Markov model (token 0 ends), and BLEU on two short sentences."""
    from course_utils.models.decoding import markov_step_function

    r = np.random.default_rng(8)
    first, nxt = r.standard_normal(3), r.standard_normal((2, 3, 3))
    step = markov_step_function(first, nxt)
    cand, refs = ["the", "cat", "sat", "on", "the", "mat"], [["the", "cat", "is", "on", "the", "mat"], ["a", "cat"]]
    return {
        "course_utils.models.decoding": {
            "markov_step_function": call(first, nxt), "score_tokens": call(step, [1, 2, 0]),
            "greedy_decode": call(step, 3, end_token=0), "beam_search": call(step, 2, 3, end_token=0, alpha=0.7),
            "length_normalised_score": call(first, 0.7), "exhaustive_search": call(step, 3, 3),
            "attribute_error": call(first[0], first[1]),
            "beam_search_many": call(lambda rows, prefixes: step(prefixes), 2, 2, 3, end_token=0, alpha=0.7),
        },
        "course_utils.metrics.bleu": {
            "ngram_counts": call(cand, 2), "clipped_counts": call(cand, refs, 2), "modified_precision": call(cand, refs, 1),
            "closest_reference_length": call(6, [6, 2]), "brevity_penalty": call(2, 6),
            "bleu_statistics": call([cand, refs[1]], [refs, refs[1:]], 2), "corpus_bleu": call([cand], [refs], 3),
            "sentence_bleu": call(cand, refs, 2),
        },
    }


def _transformer_samples() -> dict:
    """Track 5/09's transformer layers (m 2, T 3, d_model 4, 2 heads) and the date transformer (d_model 4, 2 heads)."""
    import course_utils.models.date_transformer as dtr
    import course_utils.nn.transformer as tr

    r = np.random.default_rng(64)
    x, enc = r.standard_normal((2, 3, 4)), r.standard_normal((2, 5, 4))
    mask = tr.padding_mask(np.array([[1, 2, 0, 0, 0], [1, 2, 3, 4, 5]]))
    mha = {n: r.standard_normal((4, 4)) for n in ("Wq", "Wk", "Wv", "Wo")}
    ffn = {"W1": r.standard_normal((4, 6)), "b1": np.zeros(6), "W2": r.standard_normal((6, 4)), "b2": np.zeros(4)}
    el, dl = tr.initialize_encoder_layer(4, 2, 6, seed=0), tr.initialize_decoder_layer(4, 2, 6, seed=1)
    e_cache = tr.encoder_layer_forward(enc, el, 2, mask)[1]
    d_cache = tr.decoder_layer_forward(x, enc, dl, 2, tr.causal_mask(3), mask)[1]
    p = dtr.initialize_date_transformer(n_x=6, d_model=4, num_heads=2, d_ff=3, enc_layers=1, dec_layers=1, seed=0)
    X, Y = np.array([[1, 2, 5, 0], [3, 3, 0, 0]]), r.integers(0, 11, (2, 10))
    return {
        "course_utils.nn.transformer": {
            "scaled_dot_product_attention": call(x, enc, enc, mask), "attention_forward": call(x, enc, enc, mask),
            "attention_backward": call(x, tr.attention_forward(x, enc, enc, mask)[1]),
            "get_angles": call(np.arange(3)[:, None], np.arange(4)[None, :], 4), "positional_encoding": call(3, 4),
            "causal_mask": call(3), "padding_mask": call(X),
            "multi_head_attention": call(x, enc, enc, mha, 2, mask),
            "multi_head_attention_forward": call(x, enc, enc, mha, 2, mask),
            "multi_head_attention_backward": call(x, tr.multi_head_attention_forward(x, enc, enc, mha, 2, mask)[1]),
            "layer_norm_forward": call(x, np.ones(4), np.zeros(4)),
            "layer_norm_backward": call(x, tr.layer_norm_forward(x, np.ones(4), np.zeros(4))[1]),
            "feed_forward_forward": call(x, ffn), "feed_forward_backward": call(x, tr.feed_forward_forward(x, ffn)[1]),
            "initialize_encoder_layer": call(4, 2, 6, seed=0), "initialize_decoder_layer": call(4, 2, 6, seed=0),
            "encoder_layer_forward": call(enc, el, 2, mask), "encoder_layer_backward": call(enc, e_cache),
            "decoder_layer_forward": call(x, enc, dl, 2, tr.causal_mask(3), mask),
            "decoder_layer_backward": call(x, d_cache), "attention_maps": call(d_cache),
        },
        "course_utils.models.date_transformer": {
            "initialize_date_transformer": call(n_x=6, d_model=4, num_heads=2, d_ff=3, enc_layers=1, dec_layers=1),
            "date_transformer_forward": call(p, X, Y),
            "date_transformer_backward": call(r.standard_normal((2, 10, 11)), dtr.date_transformer_forward(p, X, Y)[1]),
            "date_transformer_step": call(p, X, Y), "translate": call(p, X, return_attention=True),
            "train_date_transformer": call(X, Y, p, num_epochs=1, mini_batch_size=2, decay_base=0.5),
            "train_kit_date_transformer": call(num_epochs=1, train_m=4, test_m=2),
        },
    }


def _date_attention_samples() -> dict:
    """Track 5/07's attention (n_a 4, n_s 3, n_e 2, m 2, T_x 5; one input half padded), the date translator (n_a 2,
    n_s 3, n_e 2; two dates cut to 12 characters) and the sequence metrics."""
    import course_utils.models.date_attention as dat
    import course_utils.nn.attention as att

    r = np.random.default_rng(62)
    a, s, e = r.standard_normal((4, 2, 5)), r.standard_normal((3, 2)), r.standard_normal((2, 5))
    mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], dtype=bool)
    ap = att.initialize_attention(3, 4, 2, seed=0)
    a_cache = att.one_step_attention_forward(a, s, ap, mask)[1]
    p = dat.initialize_date_attention(n_a=2, n_s=3, n_e=2, seed=0)
    X, Y = dat.date_data(2, 0)[:2]
    X = X[:, :12]
    y_pred, _, cache = dat.date_attention_forward(p, X, Y)
    return {
        "course_utils.nn.attention": {
            "masked_softmax": call(e, mask), "masked_softmax_backward": call(e, att.masked_softmax(e, mask)),
            "initialize_attention": call(3, 4, 2, seed=0), "one_step_attention": call(a, s, ap, mask),
            "one_step_attention_forward": call(a, s, ap, mask),
            "one_step_attention_backward": call(r.standard_normal((4, 2)), a_cache, dalpha=e),
        },
        "course_utils.models.date_attention": {
            "date_data": call(2, 0), "initialize_date_attention": call(n_a=2, n_s=3, n_e=2, seed=0),
            "date_attention_forward": call(p, X, Y), "date_attention_backward": call(y_pred - 0.5, cache),
            "date_attention_step": call(p, X, Y), "train_date_attention": call(X, Y, p, num_epochs=1, decay_base=0.5),
            "translate": call(p, X, return_attention=True, batch_size=1), "sequence_log_probability": call(p, X, Y),
            "step_function": call(p, X[0]), "step_function_many": call(p, X), "load_date_attention": call(),
            "train_kit_date_attention": call(num_epochs=1, train_m=4, test_m=2),
            "train_kit_date_model": call(dict(dat.KIT, n_a=2, n_s=3, n_e=2), dat.initialize_date_attention,
                                         ("n_a", "n_s", "n_e"), dat.train_date_attention, dat.translate, "a test model",
                                         num_epochs=1, train_m=4, test_m=2),
        },
        "course_utils.metrics.sequence": {
            "exact_matches": call(Y, Y[::-1]), "exact_match": call(Y, Y[::-1]),
            "accuracy_by_group": call(np.array([True, False]), ["fr_FR", "en_US"]),
        },
    }


def _sentiment_samples() -> dict:
    """Track 5/06's sentence classifiers: a 3-word table in 3 dimensions, n_a 2, n_y 3, two sentences (one padded)."""
    import course_utils.models.sentiment as sm
    from course_utils.nn.recurrent import initialize_recurrent_parameters

    r = np.random.default_rng(9)
    table, E = {"i": r.standard_normal(3), "love": r.standard_normal(3), "you": r.standard_normal(3)}, r.standard_normal((3, 3))
    idx = np.array([[0, 1, 2], [2, sm.PAD, sm.PAD]])
    lstm = initialize_recurrent_parameters("lstm", 3, 2, 3, seed=0)
    x, lengths = sm.embed_padded(idx, E)
    avg = {"W": r.standard_normal((3, 3)), "b": np.zeros((3, 1))}
    return {
        "course_utils.models.sentiment": {
            "sentence_to_avg": call("I love xyzzy", table), "sentences_to_avg": call(["i love", "you"], table),
            "encode_sentences": call(["i love you", "you"], {"i": 0, "love": 1, "you": 2}, T_x=4),
            "one_hot_labels": call(np.array([2, 0]), 3), "average_classifier_forward": call(x[:, :, 0], avg),
            "average_classifier_step": call(avg, x[:, :, 0], sm.one_hot_labels([2, 0], 3)),
            "last_states": call(x, lengths), "embed_padded": call(idx, E),
            "lstm_classifier_forward": call(x, lengths, lstm),
            "lstm_classifier_cost_and_grads": call(lstm, x, lengths, sm.one_hot_labels([2, 0], 3)),
            "lstm_classifier_step": call(lstm, idx, np.array([2, 0]), E=E),
        },
    }


def _dates_vocabulary(machine: bool = False):
    """Track 5's date vocabularies for dates_to_arrays: en_US "short" dates, or ISO dates."""
    from course_utils.data import dates

    return dates.machine_vocabulary() if machine else dates.human_vocabulary(["en_US"], ["short"])


def _samples() -> dict:
    """``{module name: {function name: call(*args, **kwargs)}}``, built fresh for every test."""
    import course_utils.nn.activations as act
    import course_utils.nn.batchnorm as bn
    import course_utils.nn.dropout as dropout
    import course_utils.nn.conv as conv
    import course_utils.nn.conv_loops as conv_loops
    import course_utils.nn.linear as linear

    images = np.linspace(-1.0, 1.0, 120).reshape(2, 4, 5, 3)   # no ties: max pooling's choice is unambiguous
    filters, fbias = np.linspace(-0.5, 0.4, 54).reshape(3, 3, 3, 2), np.array([[[[0.1, -0.2]]]])
    import course_utils.nn.efficient as efficient
    import course_utils.nn.residual as residual
    from course_utils.models.resnet import initialize_deep_cnn

    block = {"W1": filters[:, :, :, :1].repeat(3, axis=3), "b1": np.full((1, 1, 1, 3), 0.1),
             "W2": -filters[:, :, :, 1:].repeat(3, axis=3), "b2": np.full((1, 1, 1, 3), -0.1)}
    _, block_cache = residual.identity_block_forward(images, block)
    bottleneck = {"W_expand": filters[:1, :1, :, :1].repeat(2, axis=3) * 3, "b_expand": np.full((1, 1, 1, 2), 0.1),
                  "W_depth": filters[:, :, :2, 0], "b_depth": np.zeros((1, 1, 1, 2)),
                  "W_project": filters[:1, :1, :2, :1].repeat(3, axis=3), "b_project": np.zeros((1, 1, 1, 3))}
    _, bottleneck_cache = efficient.mobilenet_v2_bottleneck_forward(images, bottleneck)
    deep = {k: v.astype(float) for k, v in initialize_deep_cnn((4, 5, 3), 2, 1, True, channels=2, seed=0).items()}
    from course_utils import gradcheck as gc

    r = np.random.default_rng(1)
    Z = r.standard_normal((3, 4))
    Z[0, 0] = 0.0
    X = r.standard_normal((3, 5))
    Y = (r.random((1, 5)) > 0.5).astype(float)
    w = r.standard_normal((3, 1))
    W, b = r.standard_normal((2, 3)), r.standard_normal((2, 1))
    gamma, beta = r.standard_normal((3, 1)), r.standard_normal((3, 1))
    P = act.softmax(r.standard_normal((3, 4)))
    onehot = np.eye(3)[:, [0, 2, 1, 1]]
    params = {"W1": W, "b1": b, "W2": r.standard_normal((1, 2)), "b2": np.zeros((1, 1))}
    _, bn_cache = bn.batchnorm_forward(Z, gamma, beta)
    _, lin_cache = linear.linear_forward(X, W, b)
    _, la_cache = linear.linear_activation_forward(X, W, b, "relu")
    _, drop_cache = dropout.dropout_forward(Z, 0.8, 0)
    theta, layout = gc.dictionary_to_vector(params)
    from course_utils.models.mlp import L_model_forward
    from course_utils.exercises.shallow_network import forward_propagation as shallow_forward

    grads = {"d" + k: v * 0.1 + 0.05 for k, v in params.items()}
    zeros = {"d" + k: np.zeros_like(v) for k, v in params.items()}
    AL, mlp_caches = L_model_forward(X, params)
    shallow = {"W1": W, "b1": b, "W2": params["W2"], "b2": params["b2"]}
    _, shallow_cache = shallow_forward(X, shallow)
    quadratic = lambda p: float(np.sum(p["W1"] ** 2))  # noqa: E731
    from course_utils.models.cnn import cnn_forward, initialize_cnn

    cnn_params = initialize_cnn((4, 4, 2), (3,), n_classes=3, seed=0, dtype=np.float64)
    cnn_onehot = np.eye(3)[[1, 0]]
    cnn_probs, cnn_caches = cnn_forward(images[:, :4, :4, :2], cnn_params)

    def step(p, Xb, Yb):  # a least-squares step for train()
        err = p["w"].T @ Xb - Yb
        return float(np.mean(err ** 2)), {"dw": 2 * Xb @ err.T / Xb.shape[1]}

    return {
        "course_utils.nn.activations": {
            "sigmoid": call(Z), "sigmoid_derivative": call(Z), "tanh": call(Z), "tanh_derivative": call(Z),
            "relu": call(Z), "relu_derivative": call(Z), "leaky_relu": call(Z), "leaky_relu_derivative": call(Z),
            "softmax": call(Z), "log_softmax": call(Z),
            "sigmoid_forward": call(Z), "tanh_forward": call(Z), "relu_forward": call(Z), "leaky_relu_forward": call(Z),
            "sigmoid_backward": call(Z * 2, Z), "tanh_backward": call(Z * 2, Z), "relu_backward": call(Z * 2, Z),
            "leaky_relu_backward": call(Z * 2, (Z, 0.01)),
        },
        "course_utils.nn.losses": {
            "L1": call(Y * 0.5, Y), "L2": call(Y * 0.5, Y), "cross_entropy_cost": call(Y * 0.5 + 0.2, Y),
            "cross_entropy_cost_from_logits": call(Z[:1], Z[:1] > 0),
            "sigmoid_cross_entropy_cost_backward": call(Y * 0.5 + 0.2, Y),
            "softmax_cross_entropy_cost": call(P, onehot), "softmax_cross_entropy_cost_backward": call(P, onehot),
        },
        "course_utils.nn.batchnorm": {
            "batchnorm_forward": call(Z, gamma, beta),
            "batchnorm_backward": call(Z * 2, bn_cache),
            "update_running_stats": call(gamma, beta ** 2, gamma * 2, beta ** 2 + 1),
        },
        "course_utils.nn.conv_loops": {
            "zero_pad": call(images, 1), "conv_single_step": call(images[0, :3, :3], filters[:, :, :, 0], 0.5),
            "conv_forward": call(images, filters, fbias, {"stride": 2, "pad": 1}),
            "conv_backward": call(np.ones((2, 2, 3, 2)), conv_loops.conv_forward(images, filters, fbias,
                                                                                {"stride": 2, "pad": 1})[1]),
            "pool_forward": call(images, {"f": 2, "stride": 1}, "max"),
            "create_mask_from_window": call(images[0, :2, :2, 0]), "distribute_value": call(2.0, (2, 2)),
            "pool_backward": call(np.ones((2, 3, 4, 3)), conv_loops.pool_forward(images, {"f": 2, "stride": 1})[1]),
        },
        "course_utils.nn.conv": {
            "conv_output_size": call(5, 3, 2, 1), "conv_transpose_output_size": call(3, 3, 2, 1, 1),
            "conv2d_forward": call(images, filters, fbias, 2, 1),
            "conv2d_backward": call(np.ones((2, 2, 3, 2)), conv.conv2d_forward(images, filters, fbias, 2, 1)[1]),
            "max_pool_forward": call(images, 2, 1), "average_pool_forward": call(images, 2, 1),
            "max_pool_backward": call(np.ones((2, 3, 4, 3)), conv.max_pool_forward(images, 2, 1)[1]),
            "average_pool_backward": call(np.ones((2, 3, 4, 3)), conv.average_pool_forward(images, 2, 1)[1]),
            "conv_transpose_forward": call(np.ones((2, 3, 3, 2)), filters, np.ones((1, 1, 1, 3)), 2, 1, 1),
            "conv_transpose_backward": call(np.ones((2, 5, 5, 3)), conv.conv_transpose_forward(
                np.ones((2, 3, 3, 2)), filters, np.ones((1, 1, 1, 3)), 2, 1, 0)[1]),
        },
        "course_utils.nn.residual": {
            "identity_block_forward": call(images, block), "identity_block_backward": call(images * 0.5, block_cache),
        },
        "course_utils.nn.efficient": {
            "conv_multiplications": call(28, 28, 32, 5, 192), "bottleneck_multiplications": call(28, 28, 192, 16, 5, 32),
            "depthwise_separable_multiplications": call(4, 4, 3, 3, 5),
            "depthwise_conv_forward": call(images, filters[:, :, :, 0], fbias[..., :1].repeat(3, axis=3), 2, 1),
            "depthwise_conv_backward": call(np.ones((2, 2, 3, 3)), efficient.depthwise_conv_forward(
                images, filters[:, :, :, 0], np.zeros((1, 1, 1, 3)), 2, 1)[1]),
            "depthwise_separable_conv_forward": call(images, filters[:, :, :, 0], np.zeros((1, 1, 1, 3)),
                                                     filters[:1, :1], fbias, 1, 1),
            "depthwise_separable_conv_backward": call(np.ones((2, 4, 5, 2)), efficient.depthwise_separable_conv_forward(
                images, filters[:, :, :, 0], np.zeros((1, 1, 1, 3)), filters[:1, :1], fbias, 1, 1)[1]),
            "mobilenet_v2_bottleneck_forward": call(images, bottleneck),
            "mobilenet_v2_bottleneck_backward": call(np.ones((2, 4, 5, 3)), bottleneck_cache),
        },
        "course_utils.nn.linear": {
            "activation_pair": call("relu"),
            "linear_forward": call(X, W, b), "linear_backward": call(np.ones((2, 5)), lin_cache),
            "linear_activation_forward": call(X, W, b, "tanh"),
            "linear_activation_backward": call(np.ones((2, 5)), la_cache, "relu"),
        },
        "course_utils.nn.dropout": {
            "dropout_forward": call(Z, 0.5, 3), "dropout_backward": call(Z * 2, drop_cache),
        },
        "course_utils.nn.l2": {
            "weight_keys": call(params), "l2_penalty": call(params, 0.7, 5), "l2_penalty_backward": call(params, 0.7, 5),
        },
        "course_utils.nn.init": {
            "weight_scale": call("he", 4), "initialize_parameters_deep": call([3, 2, 1], 0, "xavier"),
            "signal_stds": call(X, [3, 4, 2], "relu", "he", 0),
        },
        "course_utils.exercises.introduction": {
            "housing_price_neuron": call(np.array([[20.0, 40.0, 90.0], [150.0, 200.0, 35.0]]), 1.5, -60.0),
            "network_type": call(["image", "radar"], "positions"),
        },
        "course_utils.exercises.numpy_basics": {
            "basic_sigmoid": call(0.3), "softmax_rows": call(Z),
            "image2vector": call(r.random((2, 3, 4))), "normalize_rows": call(X),
        },
        "course_utils.exercises.logistic_regression": {
            "initialize_with_zeros": call(3), "propagate": call(w, 0.1, X, Y),
            "optimize": call(w, 0.1, X, Y, 101, 0.01), "predict": call(w, 0.1, X),
            "model": call(X, Y, X, Y, 101, 0.01),
        },
        "course_utils.exercises.optimization": {
            "update_parameters_with_gd": call(params, grads, 0.1),
            "initialize_velocity": call(params),
            "update_parameters_with_momentum": call(params, grads, zeros, 0.9, 0.1),
            "initialize_rmsprop": call(params),
            "update_parameters_with_rmsprop": call(params, grads, zeros, 0.999, 0.1),
            "initialize_adam": call(params),
            "update_parameters_with_adam": call(params, grads, zeros, {k: v + 1 for k, v in zeros.items()}, 2),
        },
        "course_utils.exercises.deep_step_by_step": {
            "sigmoid_backward": call(Z * 2, Z), "relu_backward": call(Z * 2, Z),
            "linear_backward": call(np.ones((2, 5)), lin_cache),
            "linear_activation_backward": call(np.ones((2, 5)), la_cache, "relu"),
            "L_model_backward": call(AL, Y, mlp_caches),
        },
        "course_utils.exercises.initialization": {
            "initialize_parameters_zeros": call([3, 2, 1]), "initialize_parameters_random": call([3, 2, 1]),
            "initialize_parameters_he": call([3, 2, 1]), "initialize_parameters_xavier": call([3, 2, 1]),
            "model": call(X, Y, dict(params), 0.01, 3),
        },
        "course_utils.exercises.shallow_network": {
            "layer_sizes": call(X, Y), "initialize_parameters": call(3, 2, 1),
            "update_parameters": call(shallow, grads, 0.1), "forward_propagation": call(X, shallow),
            "backward_propagation": call(shallow, shallow_cache, X, Y), "nn_model": call(X, Y, 2, 3),
            "predict": call(shallow, X),
        },
        "course_utils.models.mlp": {
            "num_layers": call(params), "L_model_forward": call(X, params),
            "L_model_backward": call(AL, Y, mlp_caches), "predict": call(params, X),
            "mlp_step": call(params, X, Y, lambd=0.1), "train_mlp": call(X, Y, params, num_epochs=2),
        },
        "course_utils.models.resnet": {
            "initialize_deep_cnn": call((4, 5, 3), 2, 1, True, channels=2, seed=0),
            "deep_cnn_forward": call(images, deep, True), "deep_cnn_step": call(deep, images, np.eye(2), False),
            "deep_cnn_predict": call(deep, images, True), "train_deep_cnn": call(images, np.eye(2), 1, True, channels=2,
                                                                                num_epochs=2, mini_batch_size=1),
        },
        "course_utils.models.logistic": {
            "initialize_logistic": call(3), "train_logistic_regression": call(X, Y, num_iterations=3),
        },
        "course_utils.exercises.batch_norm_and_softmax": {
            "batchnorm_forward": call(Z, gamma, beta), "batchnorm_backward": call(Z * 2, bn_cache),
            "batchnorm_forward_test": call(Z, gamma, beta, gamma * 0.1, beta ** 2 + 1),
            "softmax_cross_entropy_backward": call(P, onehot),
        },
        "course_utils.data.encoding": {"one_hot": call(np.array([[0, 2, 1]]), 3)},
        "course_utils.data.synthetic": {
            "planar_flower": call(m=10, seed=0), "two_circles": call(m=10, seed=0),
            "moons": call(m=10, seed=0), "noisy_blobs": call(m=10, seed=0),
        },
        "course_utils.exercises.fast_convolution": {
            "im2col": call(r.standard_normal((2, 5, 6, 3)), 3, 2),
            "conv_forward_vectorized": call(r.standard_normal((2, 5, 6, 3)), r.standard_normal((3, 3, 3, 4)),
                                            r.standard_normal((1, 1, 1, 4)), {"stride": 2, "pad": 1}),
        },
        "course_utils.metrics.classification": {
            "accuracy": call(Y, Y), "predict_classes": call(P),
            "precision_recall_f1": call(np.array([[1, 0, 1, 1]]), np.array([[1, 1, 0, 1]])),
            "weighted_error": call(np.array([[3, 8, 1]]), np.array([[8, 8, 1]]), np.array([[10.0, 1.0, 1.0]])),
            "confusion_matrix": call(np.array([[0, 2, 1, 2]]), np.array([[0, 1, 1, 2]]), 3),
        },
        "course_utils.models.cnn": {
            "conv_output_shape": call((7, 10, 3), {"kind": "conv", "f": 3, "n_C": 4, "stride": 2, "pad": 1}),
            "count_parameters": call((5, 5, 16), {"kind": "fc", "units": 120}),
            "initialize_cnn": call((6, 8, 2), (3, 4), seed=0),
            "cnn_forward": call(images[:, :4, :4, :2], cnn_params),
            "cnn_backward": call(cnn_probs, cnn_onehot, cnn_caches),
            "cnn_step": call(cnn_params, images[:, :4, :4, :2], cnn_onehot),
            "cnn_predict": call(images[:, :4, :4, :2], cnn_params, batch_size=1),
            "cnn_feature_maps": call(images[:, :4, :4, :2], cnn_params),
            "train_cnn": call(images[:, :4, :4, :2], np.array([[1, 0]]), cnn_params, n_classes=3, num_epochs=2,
                              mini_batch_size=1),
        },
        "course_utils.data.augment": {
            "shift_rotate": call(images, np.array([[1.0, -0.5], [0.0, 2.0]]), np.array([10.0, -5.0])),
            "random_shift_rotate": call(images, seed=0),
            "augment": call(images, np.array([[1, 0]]), copies=2, seed=0),
        },
        "course_utils.data.mismatch": {
            "degrade_digits": call(r.random((3, 8, 8)), seed=0), "load_web_mobile_digits": call(),
        },
        "course_utils.data.dates": {
            "format_grid": call(["en_US", "de_DE"], ["short", "d MMM y"]), "make_dates": call(3, 0, locales=["fr_FR"]),
            "human_vocabulary": call(["en_US"], ["short"]), "machine_vocabulary": call(),
            "dates_to_arrays": call(["1/2/24"], ["2024-01-02"], 8, _dates_vocabulary(), _dates_vocabulary(machine=True)),
        },
        "course_utils.data.splits": {
            "split_sizes": call(1_000_000), "shuffled_split": call(X, Y, (3, 1, 1), seed=0),
            "make_training_dev_split": call(X, Y, 2, seed=0),
        },
        "course_utils.text.vocab": {"tokenize_words": call("Cats average 15 hours of sleep a day.")},
        **_word_vector_samples(),
        "course_utils.text.word2vec": {
            "skipgram_pairs": call(np.array([3, 0, 2, 2]), 2), "unigram_distribution": call(X[0] ** 2),
            "sample_negatives": call(X[0] ** 2, 3, 2, seed=0), "initialize_word2vec": call(6, 3, seed=0),
            "negative_sampling_loss_and_grads": call(W, W * 2, np.array([0, 2]), np.array([1, 1]), np.array([[2], [0]])),
            "skipgram_softmax_cost": call(W, W * 2, np.array([0, 2]), np.array([1, 1])),
            "negative_sampling_step": call(X[0] ** 2, 2), "nearest_neighbours": call(W, 1, 2),
            "neighbour_rank": call(W, 0, 2),
        },
        "course_utils.strategy.selection": {
            "pick_model": call([{"name": "A", "accuracy": 0.90, "running_time_ms": 80},
                                {"name": "B", "accuracy": 0.92, "running_time_ms": 95}], "accuracy",
                               {"running_time_ms": 100}),
        },
        "course_utils.strategy.diagnosis": {
            "diagnose": call(1.0, 8.0, train_dev=9.0, dev=10.0, test=10.5),
            "gaussian_bayes_error": call(2.0, 1.0, 0.3), "gaussian_threshold": call(2.0, 1.0, 0.3),
            "two_gaussians": call(10, seed=0),
        },
        "course_utils.strategy.error_analysis": {
            "error_analysis_table": call({"dog": np.array([True, False, True]), "blurry": np.array([0, 1, 1])}, 0.1),
            "best_error_after_fix": call(10.0, 5, 100),
        },
        "course_utils.optim.ewa": {
            "ewa": call(X[0], 0.9), "ewa_bias_corrected": call(X[0], 0.9), "effective_window": call(0.9),
            "ewa_weights": call(0.9, 4),
        },
        "course_utils.optim.tuning": {
            "sample_learning_rate": call(4, seed=0), "sample_beta": call(4, seed=0),
            "grid_points": call({"lr": (-4, 0), "beta": [-3, -1]}, 2),
            "random_points": call({"lr": (-4, 0)}, 3, seed=0),
            "zoom_box": call([{"learning_rate": 0.01, "beta1": 0.9, "dev_acc": 0.8},
                              {"learning_rate": 0.001, "beta1": 0.99, "dev_acc": 0.9}], 1, 0.2, (-4, 0), (-3, -1)),
        },
        "course_utils.optim.minibatch": {"random_mini_batches": call(X, Y, 2, 0)},
        "course_utils.optim.schedules": {
            "update_lr": call(0.1, 3, 1.0), "schedule_lr_decay": call(0.1, 3000, 1.0),
            "exponential_lr": call(0.1, 3), "inverse_sqrt_lr": call(0.1, 3),
        },
        "course_utils.optim.rules": {"get_rule": call("adam"), "zeros_like_grads": call(params)},
        "course_utils.optim.loop": {
            "train": call(step, {"w": w}, X, Y, optimizer="adam", config={"learning_rate": 0.1}, num_epochs=3,
                          mini_batch_size=2),
        },
        "course_utils.gradcheck": {
            "numerical_gradient": call(quadratic, params), "relative_difference": call(W, W * 2),
            "dictionary_to_vector": call(params), "vector_to_dictionary": call(theta, layout),
            "gradient_difference": call(params, params), "difference_message": call(1e-5),
        },
        "course_utils.rng": {"make_rng": call(np.random.default_rng(0))},
        **_recurrent_samples(),
        **_face_encoder_samples(),
        **_style_samples(),
        **_unet_samples(),
        **_detection_samples(),
        **_decoding_samples(),
        **_sentiment_samples(),
        **_transformer_samples(),
        **_date_attention_samples(),
    }


#: modules whose functions have no sample inputs yet, and why
NOT_SAMPLED = {
    "course_utils.autodiff": "Tensor graph API; its inputs are Tensors, not arrays (tests/test_autodiff.py)",
    "course_utils.data.store": "builds and reads files; takes paths, not arrays (tests/data/test_store.py)",
    "course_utils.data.text": "reads the built text files; takes paths and str, not arrays (tests/data/test_text.py)",
    "course_utils.data.sentiment": "reads the packaged sentences and the built file; takes paths, not arrays "
                                   "(tests/data/test_sentiment.py)",
    "course_utils.grading.checks": "checks run student functions; takes callables and cases",
    "course_utils.grading.hidden": "hidden-test helper; takes callables and cases",
    "course_utils.grading.records": "result records; takes records and files",
    "course_utils.viz.playground": "takes names of surfaces and optimisers, no arrays",
    "course_utils.viz.plotting": "draws figures (tests/viz/test_plotting.py)",
    "course_utils.viz.detection": "draws boxes and grids on matplotlib axes (tests/viz/test_detection_drawing.py)",
    "course_utils.viz.progress": "takes an int",
    "course_utils.viz.widgets": "builds widgets from names and numbers",
    "course_utils.models.bn_mlp": "not sampled yet: a batch-norm network with running statistics",
    "course_utils.exercises.deep_network_application": "not sampled yet: whole-model exercise adapters",
    "course_utils.exercises.gradient_checking": "not sampled yet: whole-model exercise adapters",
    "course_utils.exercises.regularization": "not sampled yet: whole-model exercise adapters",
}


def test_samples_and_exemptions_do_not_overlap():
    assert not set(NOT_SAMPLED) & set(_samples())


def _assert_unchanged(after, before, where):
    if isinstance(before, np.random.Generator):
        assert after.bit_generator.state == before.bit_generator.state, f"{where} advanced a Generator"
    elif isinstance(before, dict):
        assert list(after) == list(before), f"{where} changed a dict's keys"
        for k in before:
            _assert_unchanged(after[k], before[k], f"{where}[{k!r}]")
    elif isinstance(before, (tuple, list)):
        assert len(after) == len(before), f"{where} changed a sequence's length"
        for i, (x, y) in enumerate(zip(after, before)):
            _assert_unchanged(x, y, f"{where}[{i}]")
    elif isinstance(before, (np.ndarray, float, int, bool, np.generic)):
        np.testing.assert_array_equal(after, before, err_msg=f"{where} mutated an input")


@pytest.mark.parametrize("name", MODULES)
def test_no_function_mutates_its_inputs(name):
    module = importlib.import_module(name)
    public = {n for n, obj in _public(module).items() if inspect.isfunction(obj)}
    if not public:
        return  # a package or a module of classes and data: nothing to call
    if name in NOT_SAMPLED:
        pytest.skip(f"no samples: {NOT_SAMPLED[name]}")
    samples = _samples().get(name, {})
    assert public == set(samples), (f"add sample inputs for {name}: {sorted(public ^ set(samples))} "
                                    f"(or name the module in NOT_SAMPLED with the reason)")
    for fname, (args, kwargs) in samples.items():
        before = copy.deepcopy((args, kwargs))
        getattr(module, fname)(*args, **kwargs)
        _assert_unchanged((args, kwargs), before, f"{name}.{fname}")


def test_the_mutation_check_catches_a_mutation():
    def scale_in_place(A, factor):
        A *= factor
        return A

    args = (np.ones((2, 2)), 3.0)
    before = copy.deepcopy(args)
    scale_in_place(*args)
    with pytest.raises(AssertionError, match="mutated an input"):
        _assert_unchanged(args, before, "scale_in_place")
    d = {"W": np.ones(2)}
    before = copy.deepcopy(d)
    d["W"][0] = 5.0
    with pytest.raises(AssertionError, match=r"\['W'\] mutated"):
        _assert_unchanged(d, before, "f")
    g = np.random.default_rng(0)
    before = copy.deepcopy(g)
    g.random()
    with pytest.raises(AssertionError, match="advanced a Generator"):
        _assert_unchanged(g, before, "f")


# --- numpy's global random state -----------------------------------------------------------

#: numpy.random names that do not use the global state
_ALLOWED_NP_RANDOM = {"default_rng", "Generator", "SeedSequence", "BitGenerator", "PCG64", "PCG64DXSM", "Philox",
                      "SFC64", "MT19937"}
_NP_RANDOM = re.compile(r"\b(?:np|numpy)\.random\.(\w+)")
_STDLIB_RANDOM = re.compile(r"^\s*(?:import random\b|from random import)", re.M)


@pytest.mark.parametrize("name", MODULES)
def test_no_module_uses_global_random_state(name):
    module = importlib.import_module(name)
    source = Path(module.__file__).read_text(encoding="utf-8")
    used = set(_NP_RANDOM.findall(source)) - _ALLOWED_NP_RANDOM
    assert not used, f"{name} uses numpy's global random state: np.random.{sorted(used)}; use course_utils.rng.make_rng"
    assert not _STDLIB_RANDOM.search(source), f"{name} imports the standard library's random (global state)"
    assert "from numpy.random import" not in source and "from numpy import random" not in source


def test_the_source_check_sees_global_calls():
    assert set(_NP_RANDOM.findall("x = np.random.rand(3); np.random.seed(0); np.random.default_rng(1)")) \
        - _ALLOWED_NP_RANDOM == {"rand", "seed"}
    assert _STDLIB_RANDOM.search("def f():\n    import random\n")


def test_library_never_touches_numpy_global_seed():
    import course_utils.exercises.logistic_regression as logistic
    from course_utils.data import synthetic
    from course_utils.optim import tuning

    np.random.seed(123)
    expected = np.random.random(3)
    np.random.seed(123)
    logistic.model(*([np.ones((2, 3)), np.ones((1, 3))] * 2), num_iterations=10)
    for make in (synthetic.planar_flower, synthetic.two_circles, synthetic.moons, synthetic.noisy_blobs):
        make(m=10)
    tuning.sample_learning_rate(5)
    tuning.random_points({"lr": (-4, 0)}, 3)
    np.testing.assert_array_equal(np.random.random(3), expected)
