"""Concatenation along the channels: the U-Net's skip connection (Track 4, notebook 06).

A U-Net copies the encoder's activation of each resolution across to the decoder and stacks it with the
decoder's upsampled activation of the same height and width, channel after channel (Ronneberger, Fischer
and Brox 2015, the "copy and crop" arrows). The layer has no parameters; its backward pass hands each
input the part of the gradient that belongs to its channels. It follows the library's layer interface
(:mod:`course_utils.nn`): ``concat_forward(A, B) -> (out, cache)``, ``concat_backward(d_out, cache) ->
((dA, dB), {})``.

Shapes (channels last): A ``(m, n_H, n_W, n_C_A)``, B ``(m, n_H, n_W, n_C_B)``, out ``(m, n_H, n_W, n_C_A + n_C_B)``.
Source: O. Ronneberger, P. Fischer and T. Brox (2015), "U-Net: Convolutional Networks for Biomedical Image
Segmentation", MICCAI, LNCS 9351, pp. 234-241 (arXiv:1505.04597).
"""

from __future__ import annotations

import numpy as np

__all__ = ["concat_forward", "concat_backward"]


def concat_forward(A, B):
    """Stack B's channels after A's: ``out[..., :n_C_A] = A``, ``out[..., n_C_A:] = B``.

    Arguments: A ``(m, n_H, n_W, n_C_A)`` and B ``(m, n_H, n_W, n_C_B)``: the same examples, height and width.
    Returns: ``(out, cache)``: out ``(m, n_H, n_W, n_C_A + n_C_B)`` (a new array, of ``numpy.result_type(A, B)``);
        the cache ``(n_C_A, n_C_B)`` for :func:`concat_backward`.
    Raises: ValueError if A or B is not 4-D, or their first three axes differ (the message gives both shapes).
    """
    A, B = np.asarray(A), np.asarray(B)
    if A.ndim != 4 or B.ndim != 4 or A.shape[:3] != B.shape[:3]:
        raise ValueError(f"concat_forward: A and B must be (m, n_H, n_W, n_C) with the same m, n_H and n_W, "
                         f"got A {A.shape} and B {B.shape}")
    return np.concatenate([A, B], axis=3), (A.shape[3], B.shape[3])


def concat_backward(d_out, cache):
    """Backward pass of :func:`concat_forward`: the gradient of the first n_C_A channels goes to A, the rest to B.

    Arguments: d_out ``(m, n_H, n_W, n_C_A + n_C_B)``; cache -- ``(n_C_A, n_C_B)`` from :func:`concat_forward`.
    Returns: ``((dA, dB), {})``: dA ``(m, n_H, n_W, n_C_A)`` and dB ``(m, n_H, n_W, n_C_B)`` (new arrays); no
        parameter gradients.
    Raises: ValueError if d_out is not 4-D with n_C_A + n_C_B channels.
    """
    n_C_A, n_C_B = cache
    d_out = np.asarray(d_out)
    if d_out.ndim != 4 or d_out.shape[3] != n_C_A + n_C_B:
        raise ValueError(f"concat_backward: d_out must be (m, n_H, n_W, {n_C_A + n_C_B}), got {d_out.shape}")
    return (d_out[..., :n_C_A].copy(), d_out[..., n_C_A:].copy()), {}
