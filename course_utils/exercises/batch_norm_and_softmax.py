"""Track 2, notebook 07 (batch norm and softmax): the classic exercise signatures, as thin adapters
over :mod:`course_utils.nn.batchnorm` and :mod:`course_utils.nn.losses`.

The library's batch-norm layer selects train or test behaviour with ``training=True/False`` and
returns its parameter gradients in a dict; the exercises keep the lecture's separate
``batchnorm_forward_test`` and the flat ``(dZ, dgamma, dbeta)``. ``update_running_stats`` has the
same signature in the library and is imported from there.
"""

from __future__ import annotations

import numpy as np

from course_utils.nn import batchnorm as bn
from course_utils.nn.batchnorm import EPS, update_running_stats

__all__ = ["batchnorm_forward", "batchnorm_backward", "update_running_stats", "batchnorm_forward_test",
           "softmax_cross_entropy_backward"]


def batchnorm_forward(Z, gamma, beta, eps: float = EPS):
    """Normalise each row of Z over the batch, then scale and shift.

    Arguments: Z ``(n, m)``; gamma, beta ``(n, 1)``; eps > 0.
    Returns: ``(Z_tilde, cache)`` with Z_tilde ``(n, m)`` and ``cache = (Z_norm, mu, var, gamma, eps)``.
    Raises: ValueError on mismatched shapes. Source: Ioffe & Szegedy (2015), Algorithm 1.
    """
    return bn.batchnorm_forward(Z, gamma, beta, eps=eps)


def batchnorm_backward(dZ_tilde, cache):
    """Gradients of batch norm: ``(dZ, dgamma, dbeta)``, shapes ``(n, m)``, ``(n, 1)``, ``(n, 1)``.

    dgamma and dbeta are sums over the batch.
    Raises: ValueError if dZ_tilde does not match the cache.
    """
    dZ, grads = bn.batchnorm_backward(dZ_tilde, cache)
    return dZ, grads["dgamma"], grads["dbeta"]


def batchnorm_forward_test(Z, gamma, beta, running_mu, running_var, eps: float = EPS):
    """Batch norm at test time with the running statistics: works for a single example.

    Arguments: Z ``(n, m)``; gamma, beta, running_mu, running_var ``(n, 1)``. Returns: Z_tilde ``(n, m)``.
    Raises: ValueError on mismatched shapes. Source: Ioffe & Szegedy (2015), Algorithm 2.
    """
    return bn.batchnorm_forward(Z, gamma, beta, training=False, running_mu=running_mu, running_var=running_var,
                                eps=eps)[0]


def softmax_cross_entropy_backward(Y_hat, Y) -> np.ndarray:
    """Gradient of the *summed* softmax cross-entropy with respect to the scores Z: ``dZ = Y_hat - Y``.

    The softmax's Jacobian and the log's derivative cancel to this simple difference.
    Arguments: Y_hat = softmax(Z) and one-hot Y, both ``(C, m)``. Returns ``(C, m)``.
    (The library's :func:`course_utils.nn.losses.softmax_cross_entropy_cost_backward` is the gradient
    of the average cost, ``(Y_hat - Y) / m``.)
    Raises: ValueError if the shapes differ.
    """
    Y_hat, Y = np.asarray(Y_hat, dtype=float), np.asarray(Y, dtype=float)
    if Y_hat.shape != Y.shape:
        raise ValueError(f"Y_hat has shape {Y_hat.shape} but Y has shape {Y.shape}")
    return Y_hat - Y
