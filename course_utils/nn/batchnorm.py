"""Batch normalisation of a layer's pre-activations Z (Track 2, notebook 07).

Z has shape ``(n, m)``: n units, m examples of the mini-batch. Statistics are taken over
the examples (axis 1), per unit:

    mu = mean(Z), var = mean((Z - mu)**2), Z_norm = (Z - mu) / sqrt(var + eps),
    Z_tilde = gamma * Z_norm + beta        with gamma, beta of shape (n, 1), learned.

At test time there is no batch: mu and var come from exponentially weighted averages of
the training batches' statistics (``update_running_stats``).
"""

from __future__ import annotations

import numpy as np

__all__ = ["batchnorm_forward", "batchnorm_backward", "update_running_stats", "batchnorm_forward_test"]

EPS = 1e-8


def _check(Z, gamma, beta):
    Z = np.asarray(Z, dtype=float)
    if Z.ndim != 2:
        raise ValueError(f"Z must be 2-D (n, m), got shape {Z.shape}")
    n = Z.shape[0]
    for name, p in (("gamma", gamma), ("beta", beta)):
        if np.shape(p) != (n, 1):
            raise ValueError(f"{name} must have shape {(n, 1)}, got {np.shape(p)}")
    return Z, np.asarray(gamma, dtype=float), np.asarray(beta, dtype=float)


def batchnorm_forward(Z, gamma, beta, eps: float = EPS):
    """Normalise each row of Z over the batch, then scale and shift.

    Arguments: Z ``(n, m)``; gamma, beta ``(n, 1)``; eps > 0.
    Returns: ``(Z_tilde, cache)`` with Z_tilde ``(n, m)`` and
    ``cache = (Z_norm, mu, var, gamma, eps)`` where mu, var are ``(n, 1)``.
    """
    Z, gamma, beta = _check(Z, gamma, beta)
    mu = np.mean(Z, axis=1, keepdims=True)
    var = np.mean((Z - mu) ** 2, axis=1, keepdims=True)
    Z_norm = (Z - mu) / np.sqrt(var + eps)
    return gamma * Z_norm + beta, (Z_norm, mu, var, gamma, eps)


def batchnorm_backward(dZ_tilde, cache):
    """Gradients of batch norm.

    Arguments: dZ_tilde ``(n, m)``; cache from ``batchnorm_forward``.
    Returns: ``(dZ, dgamma, dbeta)`` with shapes ``(n, m)``, ``(n, 1)``, ``(n, 1)``.
    dgamma and dbeta are sums over the batch. With the course's convention (upstream
    gradients per example, ``linear_backward`` dividing dW by m) the caller divides them by
    m to get the gradient of the average cost, as ``bn_network`` does.
    Uses the compact form ``dZ = (gamma / sqrt(var + eps)) * (d - mean(d) - Z_norm * mean(d * Z_norm))``
    with ``d = dZ_tilde``, means over the batch.
    """
    Z_norm, mu, var, gamma, eps = cache
    d = np.asarray(dZ_tilde, dtype=float)
    if d.shape != Z_norm.shape:
        raise ValueError(f"dZ_tilde has shape {d.shape}, expected {Z_norm.shape}")
    dbeta = np.sum(d, axis=1, keepdims=True)
    dgamma = np.sum(d * Z_norm, axis=1, keepdims=True)
    dZ = (gamma / np.sqrt(var + eps)) * (d - np.mean(d, axis=1, keepdims=True)
                                         - Z_norm * np.mean(d * Z_norm, axis=1, keepdims=True))
    return dZ, dgamma, dbeta


def update_running_stats(running_mu, running_var, mu, var, momentum: float = 0.9):
    """EWA of the batch statistics: ``running = momentum * running + (1 - momentum) * batch``.

    All arguments ``(n, 1)``. Returns: ``(running_mu, running_var)``, new arrays.
    """
    shapes = {np.shape(running_mu), np.shape(running_var), np.shape(mu), np.shape(var)}
    if len(shapes) != 1 or len(next(iter(shapes))) != 2 or next(iter(shapes))[1] != 1:
        raise ValueError(f"update_running_stats: all arguments must have the same shape (n, 1), got {sorted(shapes)}")
    return (momentum * np.asarray(running_mu) + (1 - momentum) * np.asarray(mu),
            momentum * np.asarray(running_var) + (1 - momentum) * np.asarray(var))


def batchnorm_forward_test(Z, gamma, beta, running_mu, running_var, eps: float = EPS):
    """Batch norm at test time with the running statistics: works for a single example.

    Arguments: Z ``(n, m)``; gamma, beta, running_mu, running_var ``(n, 1)``. Returns: Z_tilde ``(n, m)``.
    """
    Z, gamma, beta = _check(Z, gamma, beta)
    for name, p in (("running_mu", running_mu), ("running_var", running_var)):
        if np.shape(p) != gamma.shape:
            raise ValueError(f"{name} must have shape {gamma.shape}, got {np.shape(p)}")
    return gamma * (Z - running_mu) / np.sqrt(np.asarray(running_var) + eps) + beta
