"""Gradient clipping: a cure for exploding gradients in recurrent networks.

Two rules, both on a gradient dict ``{"dWax": ..., "dba": ...}`` (keys ``"d" + name``), both returning
new arrays (nothing is modified in place):

* :func:`clip` -- the classic exercise's rule: every entry is clipped to ``[-maxValue, maxValue]``.
  Simple, but it changes the gradient's direction when only some entries are large.
* :func:`clip_by_global_norm` -- Pascanu et al.'s rule: when the norm of all the gradients together
  exceeds ``max_norm``, every gradient is scaled by ``max_norm / norm``; the direction is kept.

Use either between the backward pass and the update (the ``optimize`` step of a language model:
forward, backward, clip, update), inside the ``step`` that :func:`course_utils.optim.loop.train` calls.
Only the parameters' gradients should be clipped: ``keys`` selects them when the dict also holds
gradients of inputs (``dx``, ``da0``), which the others pass through untouched.

Source: R. Pascanu, T. Mikolov and Y. Bengio (2013), "On the difficulty of training recurrent neural
networks", ICML (Algorithm 1: rescaling by the norm).
"""

from __future__ import annotations

import numpy as np

__all__ = ["clip", "global_norm", "clip_by_global_norm"]


def _positive(value, name, where):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or not value > 0:
        raise ValueError(f"{where}: {name} must be a number > 0, got {value!r}")
    return float(value)


def _float(g):
    g = np.asarray(g)
    return g.astype(np.result_type(g.dtype, np.float32), copy=False)


def _keys(gradients, keys, where):
    if not isinstance(gradients, dict):
        raise ValueError(f"{where}: gradients must be a dict of arrays keyed 'd' + name, got {type(gradients).__name__}")
    keys = list(gradients) if keys is None else list(keys)
    missing = [k for k in keys if k not in gradients]
    if missing:
        raise ValueError(f"{where}: gradients lack {missing}; got the keys {sorted(gradients)}")
    return keys


def clip(gradients, maxValue, keys=None):
    """Clip every entry of the gradients to ``[-maxValue, maxValue]`` (the classic ``clip``).

    Arguments: gradients -- dict of arrays (any shapes), e.g. ``{"dWaa", "dWax", "dWya", "dba", "dby"}``;
        maxValue -- a number > 0; keys -- the gradients to clip (None: all), the others are passed on.
    Returns: a new dict, same keys and shapes: ``np.clip(g, -maxValue, maxValue)`` for the clipped keys.
        An infinite entry becomes ``+-maxValue``; a NaN stays NaN (there is no value to clip it to).
    Raises: ValueError if maxValue is not a number > 0, gradients is not a dict, or a key is missing.
    """
    where = "clip"
    maxValue = _positive(maxValue, "maxValue", where)
    keys = set(_keys(gradients, keys, where))
    return {k: np.clip(_float(g), -maxValue, maxValue) if k in keys else np.array(g, copy=True)
            for k, g in gradients.items()}


def global_norm(gradients, keys=None) -> float:
    """``sqrt(sum over the gradients of sum(g^2))``: the norm of all of them as one vector.

    Arguments: gradients -- dict of arrays; keys -- which to include (None: all).
    Returns: a float >= 0 (inf or NaN when an entry is).
    Raises: ValueError if gradients is not a dict or a key is missing.
    """
    keys = _keys(gradients, keys, "global_norm")
    arrays = [np.asarray(gradients[k], dtype=float) for k in keys]
    largest = float(np.max([np.max(np.abs(g), initial=0.0) for g in arrays], initial=0.0))   # NaN if any is
    if largest == 0.0 or not np.isfinite(largest):
        return largest   # 0, inf or nan
    # divided by the largest entry first, so squares neither overflow (1e200) nor underflow (1e-200)
    return largest * float(np.sqrt(sum(float(np.sum(np.square(g / largest))) for g in arrays)))


def clip_by_global_norm(gradients, max_norm, keys=None):
    """Rescale the gradients together so that their global norm is at most ``max_norm``.

    ``g <- g * max_norm / norm`` for every clipped key when ``norm = global_norm(gradients, keys)``
    exceeds ``max_norm``; otherwise the gradients are returned unchanged (as copies).
    Arguments: gradients -- dict of arrays; max_norm -- a number > 0; keys -- the gradients that form
        the norm and are scaled (None: all); the others are passed on.
    Returns: ``(clipped, norm)``: a new dict with the same keys and shapes, and the norm *before*
        clipping (worth recording: spikes show the exploding gradients).
    Raises: ValueError if max_norm is not a number > 0, gradients is not a dict or a key is missing;
        FloatingPointError if a gradient holds NaN or infinity, naming it: rescaling cannot repair a
        gradient that has already overflowed.
    Source: Pascanu, Mikolov & Bengio (2013), "On the difficulty of training recurrent neural
    networks", ICML, Algorithm 1.
    """
    where = "clip_by_global_norm"
    max_norm = _positive(max_norm, "max_norm", where)
    keys = _keys(gradients, keys, where)
    bad = [k for k in keys if not np.all(np.isfinite(gradients[k]))]
    if bad:
        raise FloatingPointError(f"{where}: {', '.join(bad)} hold{'s' if len(bad) == 1 else ''} NaN or infinity; "
                                 f"clipping cannot repair a gradient that has already overflowed")
    norm = global_norm(gradients, keys)
    scale = max_norm / norm if norm > max_norm else 1.0
    chosen = set(keys)
    return {k: (_float(g) * scale if (k in chosen and scale != 1.0) else np.array(g, copy=True))
            for k, g in gradients.items()}, norm
