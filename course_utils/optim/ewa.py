"""Exponentially weighted averages (Track 2, notebook 05, and the EWA explorer widget).

``v_0 = 0``, ``v_t = beta * v_{t-1} + (1 - beta) * theta_t`` for t = 1..T: an average over
roughly the last ``1 / (1 - beta)`` values, since ``beta ** (1 / (1 - beta)) ~ 1/e``.

Source: exponential smoothing, Brown (1956), "Exponential Smoothing for Predicting Demand";
bias correction: Kingma & Ba (2015), "Adam: A Method for Stochastic Optimization", ICLR, Sec. 3.
"""

from __future__ import annotations

import numpy as np

__all__ = ["ewa", "ewa_bias_corrected", "effective_window", "ewa_weights"]


def ewa(theta, beta: float) -> np.ndarray:
    """The averages ``v_1..v_T`` of a series ``theta`` of shape ``(T,)``. Returns shape ``(T,)``.

    Arguments: theta -- the series ``(T,)``; beta -- the weight of the previous average, in [0, 1).
    Returns: a new float array ``(T,)``: ``v_t = beta * v_{t-1} + (1 - beta) * theta_t``, ``v_0 = 0``.
    Raises: ValueError if theta is not 1-D or beta is not in [0, 1).
    Source: exponential smoothing, Brown (1956), "Exponential Smoothing for Predicting Demand".
    """
    theta = np.asarray(theta, dtype=float)
    if theta.ndim != 1:
        raise ValueError(f"theta must be a 1-D series (T,), got shape {theta.shape}")
    _check_beta(beta)
    v = np.empty_like(theta)
    prev = 0.0
    for t, x in enumerate(theta):
        prev = beta * prev + (1 - beta) * x
        v[t] = prev
    return v


def ewa_bias_corrected(theta, beta: float) -> np.ndarray:
    """``v_t / (1 - beta**t)``: removes the pull towards the start value 0. Shape ``(T,)``.

    Arguments: theta -- the series ``(T,)``; beta -- in [0, 1).
    Returns: a new float array ``(T,)``, t counted from 1.
    Raises: ValueError if theta is not 1-D or beta is not in [0, 1).
    Source: Kingma & Ba (2015), "Adam: A Method for Stochastic Optimization", ICLR, Sec. 3
    (initialization bias correction).
    """
    v = ewa(theta, beta)
    t = np.arange(1, v.size + 1)
    return v / (1 - beta ** t)


def _check_beta(beta: float) -> None:
    if not 0 <= beta < 1:
        raise ValueError(f"beta must be in [0, 1), got {beta}")


def effective_window(beta: float) -> float:
    """``1 / (1 - beta)``: about how many recent values the average covers.

    Arguments: beta -- in [0, 1). Returns: a float >= 1.
    Raises: ValueError if beta is not in [0, 1).
    """
    _check_beta(beta)
    return 1.0 / (1.0 - beta)


def ewa_weights(beta: float, k: int) -> np.ndarray:
    """The weights of the last ``k`` values in ``v_t`` unrolled: ``(1 - beta) * beta**j`` for
    j = 0 (today) .. k-1 (k-1 steps back). Returns shape ``(k,)``.

    Arguments: beta -- in [0, 1); k -- how many weights, >= 0.
    Raises: ValueError if beta is not in [0, 1) or k < 0.
    Source: exponential smoothing, Brown (1956), "Exponential Smoothing for Predicting Demand".
    """
    _check_beta(beta)
    if k < 0:
        raise ValueError(f"k (how many weights) must be >= 0, got {k}")
    return (1 - beta) * beta ** np.arange(k)
