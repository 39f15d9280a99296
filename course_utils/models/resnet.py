"""A deep convolutional network with or without skip connections, for the plain-versus-residual
comparison of Track 4, notebook 04 (no new maths: convolutions, ReLU, identity blocks, softmax).

The network, for images ``(m, n_H, n_W, n_C_in)`` and ``n_y`` classes:

    stem:    conv 3 x 3, stride 2, pad 1, n_C_in -> channels, ReLU
    blocks:  ``blocks`` times either an identity block (:func:`course_utils.nn.residual.identity_block_forward`,
             or any pair of functions with its interface, such as a notebook's own:
             conv, ReLU, conv, plus the block's input, ReLU) or the same two layers without the skip
             ("plain": conv, ReLU, conv, ReLU)
    head:    flatten, fully connected to n_y, softmax

so a network of ``blocks`` blocks has ``2 blocks + 2`` weight layers, the same with and without the skips,
and the same parameters: the only difference is the addition. It trains through
:func:`course_utils.optim.loop.train` with ``example_axis=0``.

The stem has stride 2 (:data:`STEM_STRIDE`): 8 x 8 digits become a 4 x 4 grid, so a stack of many
blocks stays cheap enough to train inside a notebook.

Initialisation: He (``Var(W) = 2 / (f f n_C_prev)``) for every layer, drawn in the same order from one
seed for both kinds; in the residual network the second convolution of every block is then scaled by
``1 / sqrt(blocks)``, so that the sum of ``blocks`` branches added onto the input keeps the signal's size
at the start (without it the variance roughly doubles per block). This is Fixup's rule for branches of
two layers without batch normalisation: H. Zhang, Y. N. Dauphin and T. Ma (2019), "Fixup Initialization:
Residual Learning Without Normalization", ICLR (scale ``L^(-1/(2m-2))`` for L branches of m layers).
A plain network keeps He's scale in every layer: its signal has to pass through each of them.
"""

from __future__ import annotations

import numpy as np

from course_utils.nn.conv import conv2d_backward, conv2d_forward, conv_output_size
from course_utils.nn.losses import softmax_cross_entropy_cost, softmax_cross_entropy_cost_backward
from course_utils.nn.activations import softmax
from course_utils.nn.residual import identity_block_backward, identity_block_forward
from course_utils.optim.loop import train
from course_utils.rng import make_rng

#: the stem's stride: it halves the digits' 8 x 8 grid, so that deep stacks of blocks stay cheap
STEM_STRIDE = 2

__all__ = ["initialize_deep_cnn", "deep_cnn_forward", "deep_cnn_step", "deep_cnn_predict", "train_deep_cnn"]


def _identity_block(residual):
    """None for a plain network; else the identity block's ``(forward, backward)``: the library's for True,
    the given pair otherwise."""
    if residual is True:
        return identity_block_forward, identity_block_backward
    if residual is False or residual is None:
        return None
    if isinstance(residual, tuple) and len(residual) == 2 and all(callable(f) for f in residual):
        return residual
    raise ValueError(f"residual must be False, True or a pair (block_forward, block_backward), got {residual!r}")


def _blocks(parameters):
    return sum(1 for k in parameters if k.startswith("W1_"))


def initialize_deep_cnn(input_shape, n_y, blocks, residual, channels=8, f=3, seed=0, dtype=np.float32):
    """He-initialised parameters of the network in the module docstring (zero biases).

    Arguments: input_shape -- ``(n_H, n_W, n_C_in)``; n_y -- classes; blocks -- number of two-layer blocks
        (>= 0); residual -- True scales every block's second convolution by ``1 / sqrt(blocks)`` (module
        docstring); channels -- the channels of every convolution; f -- their (odd) filter size; seed; dtype.
    Returns: ``{"W_stem": (f, f, n_C_in, channels), "b_stem": (1, 1, 1, channels), "W1_1", "b1_1", "W2_1",
        "b2_1", ..., "W_fc": (n_H' n_W' channels, n_y), "b_fc": (1, n_y)}``, drawn in that order, where
        n_H' and n_W' are the stem's output size (about half of n_H and n_W).
    Raises: ValueError if blocks < 0, channels < 1 or f is not odd.
    """
    n_H, n_W, n_C_in = (int(s) for s in input_shape)
    if blocks < 0 or channels < 1 or f < 1 or f % 2 == 0:
        raise ValueError(f"initialize_deep_cnn: blocks >= 0, channels >= 1 and an odd f, got {blocks}, {channels}, {f}")
    rng = make_rng(seed)

    def he(shape, fan_in):
        return (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(dtype)

    p = {"W_stem": he((f, f, n_C_in, channels), f * f * n_C_in), "b_stem": np.zeros((1, 1, 1, channels), dtype)}
    branch = 1.0 / np.sqrt(blocks) if residual and blocks else 1.0
    for l in range(1, blocks + 1):
        for k in (1, 2):
            p[f"W{k}_{l}"] = he((f, f, channels, channels), f * f * channels) * np.asarray(branch if k == 2 else 1.0, dtype)
            p[f"b{k}_{l}"] = np.zeros((1, 1, 1, channels), dtype)
    n_H, n_W = (conv_output_size(n, f, STEM_STRIDE, (f - 1) // 2) for n in (n_H, n_W))
    p["W_fc"] = he((n_H * n_W * channels, n_y), n_H * n_W * channels)
    p["b_fc"] = np.zeros((1, n_y), dtype)
    return p


def deep_cnn_forward(X, parameters, residual):
    """Scores (logits) of the network for images X.

    Arguments: X ``(m, n_H, n_W, n_C_in)``; parameters from :func:`initialize_deep_cnn`; residual -- False
        for the plain blocks; True for identity blocks (skip connections) computed by
        :mod:`course_utils.nn.residual`; or a pair ``(block_forward, block_backward)`` with that module's
        interface, which then computes them (a notebook trains with the student's own block this way).
    Returns: ``(scores, caches)`` with scores ``(m, n_y)``; caches for :func:`deep_cnn_step`'s backward pass.
    Raises: ValueError if the convolutions refuse the shapes, or residual is none of the three.
    """
    p = parameters
    identity = _identity_block(residual)
    pad = (p["W_stem"].shape[0] - 1) // 2
    Z, stem = conv2d_forward(X, p["W_stem"], p["b_stem"], stride=STEM_STRIDE, pad=pad)
    A = np.maximum(Z, 0)
    caches = [(stem, Z)]
    for l in range(1, _blocks(p) + 1):
        block = {"W1": p[f"W1_{l}"], "b1": p[f"b1_{l}"], "W2": p[f"W2_{l}"], "b2": p[f"b2_{l}"]}
        if identity is not None:
            A, cache = identity[0](A, block)
        else:
            Z1, c1 = conv2d_forward(A, block["W1"], block["b1"], stride=1, pad=pad)
            Z2, c2 = conv2d_forward(np.maximum(Z1, 0), block["W2"], block["b2"], stride=1, pad=pad)
            A, cache = np.maximum(Z2, 0), (c1, Z1, c2, Z2)
        caches.append(cache)
    flat = A.reshape(A.shape[0], -1)
    caches.append(flat)
    return flat @ p["W_fc"] + p["b_fc"], caches


def deep_cnn_step(parameters, X, Y, residual):
    """One forward and backward pass: ``(cost, grads)`` for :func:`course_utils.optim.loop.train`.

    Arguments: parameters; X ``(m, n_H, n_W, n_C_in)``; Y ``(m, n_y)`` one-hot; residual (see
        :func:`deep_cnn_forward`).
    Returns: the softmax cross-entropy cost (the mean over the m examples) and ``{"d" + name: ...}`` of
        every parameter's shape and dtype.
    Raises: ValueError if Y is not ``(m, n_y)``.
    """
    p = parameters
    scores, caches = deep_cnn_forward(X, p, residual)
    identity = _identity_block(residual)
    Y = np.asarray(Y)
    if Y.shape != scores.shape:
        raise ValueError(f"deep_cnn_step: Y must be one-hot (m, n_y) = {scores.shape}, got {Y.shape}")
    probs = softmax(scores, axis=1)
    cost = softmax_cross_entropy_cost(probs.T, Y.T)
    d_scores = softmax_cross_entropy_cost_backward(probs.T, Y.T).T.astype(scores.dtype)
    flat = caches.pop()
    Z_shape = caches[0][1].shape           # every block keeps the stem's output shape
    grads = {"dW_fc": flat.T @ d_scores, "db_fc": d_scores.sum(axis=0, keepdims=True)}
    dA = (d_scores @ p["W_fc"].T).reshape(Z_shape)
    for l in range(_blocks(p), 0, -1):
        cache = caches.pop()
        if identity is not None:
            dA, g = identity[1](dA, cache)
        else:
            c1, Z1, c2, Z2 = cache
            dA1, g2 = conv2d_backward(np.where(Z2 > 0, dA, 0).astype(dA.dtype), c2)
            dA, g1 = conv2d_backward(np.where(Z1 > 0, dA1, 0).astype(dA.dtype), c1)
            g = {"dW1": g1["dW"], "db1": g1["db"], "dW2": g2["dW"], "db2": g2["db"]}
        for name, value in g.items():
            grads[f"{name}_{l}"] = value
    stem, Z = caches.pop()
    _, g = conv2d_backward(np.where(Z > 0, dA, 0).astype(dA.dtype), stem)
    grads["dW_stem"], grads["db_stem"] = g["dW"], g["db"]
    return cost, grads


def deep_cnn_predict(parameters, X, residual, batch=512):
    """Predicted classes ``(m,)`` (the largest score), computed ``batch`` images at a time.

    Arguments: parameters; X ``(m, n_H, n_W, n_C_in)``; residual; batch -- images per forward pass.
    Returns: int array ``(m,)``.
    """
    return np.concatenate([deep_cnn_forward(X[i:i + batch], parameters, residual)[0].argmax(axis=1)
                           for i in range(0, X.shape[0], batch)])


def train_deep_cnn(X, Y, blocks, residual, *, channels=8, seed=0, num_epochs=10, mini_batch_size=64,
                   learning_rate=0.003, progress=False):
    """Initialise (:func:`initialize_deep_cnn`, float32) and train with Adam through the one training loop.

    Arguments: X ``(m, n_H, n_W, n_C_in)`` float32; Y ``(m, n_y)`` one-hot; blocks; residual (False, True or a
        pair of block functions, :func:`deep_cnn_forward`); channels;
        seed (the weights; the mini-batches use seed too); num_epochs; mini_batch_size; learning_rate;
        progress -- show a progress bar.
    Returns: ``(parameters, history)`` of :func:`course_utils.optim.loop.train`; ``history["cost"]`` is the
        mean training cost of each epoch.
    Raises: ValueError as :func:`initialize_deep_cnn` and :func:`course_utils.optim.loop.train`.
    """
    parameters = initialize_deep_cnn(X.shape[1:], Y.shape[1], blocks, _identity_block(residual) is not None, channels,
                                     seed=seed)
    return train(lambda p, Xb, Yb: deep_cnn_step(p, Xb, Yb, residual), parameters, X, Y, optimizer="adam",
                 config={"learning_rate": learning_rate}, num_epochs=num_epochs, mini_batch_size=mini_batch_size,
                 seed=seed, example_axis=0, progress=progress,
                 desc=f"{'plain' if _identity_block(residual) is None else 'residual'}, {blocks} blocks")
