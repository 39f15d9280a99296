"""Numerical gradient checks for the tests (CS231n's ``eval_numerical_gradient_array``).

Tests use it through the ``check_backward`` fixture of ``conftest.py``::

    def test_layer_backward(check_backward):
        out, cache = layer_forward(X, W)
        dX, dW = layer_backward(D, cache)
        check_backward(lambda X, W: layer_forward(X, W)[0], [X, W], D, [dX, dW])

The analytic gradients are those of the scalar ``sum(forward(*inputs) * d_out)``, which is
what a backward pass computes when ``d_out`` is the upstream gradient.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

H = 1e-6
TOL = 1e-7

__all__ = ["H", "TOL", "eval_numerical_gradient_array", "numerical_gradient_and_roundoff", "relative_error", "check_backward"]


def eval_numerical_gradient_array(f: Callable[[np.ndarray], np.ndarray], x: np.ndarray, df, h: float = H) -> np.ndarray:
    """Central-difference gradient of ``sum(f(x) * df)`` with respect to ``x``.

    ``x`` is a float64 array that is perturbed in place, one entry at a time, and restored
    afterwards. ``f(x + h) - f(x - h)`` is taken entry by entry before it is weighted by ``df``
    and summed, so the outputs that one entry does not change cancel exactly and add no
    rounding error.
    """
    return numerical_gradient_and_roundoff(f, x, df, h)[0]


def numerical_gradient_and_roundoff(f: Callable[[np.ndarray], np.ndarray], x: np.ndarray, df,
                                    h: float = H) -> tuple[np.ndarray, np.ndarray]:
    """:func:`eval_numerical_gradient_array` and, entry by entry, a bound on its rounding error.

    Each output that an entry changes is computed twice to within half an ulp, about
    ``2**-53 * |f|``, and their difference is divided by ``2 h``: so the numerical gradient of an
    entry can be wrong by up to ``sum(|df| * (|f(x + h)| + |f(x - h)|)) * 2**-52 / (2 h)`` over the
    outputs it changes, whatever the analytic gradient. With ``h = 1e-6`` and outputs near 1 that
    is about 1e-10 per changed output: a relative error above 1e-7 for a gradient entry of 0.003
    says nothing about the backward pass (seen in CI on a convolution, 2.7e-7 at an entry of 0.0026).
    The returned bound is 4 times that estimate (the forward pass rounds more than once per output).
    """
    df = np.asarray(df, dtype=np.float64)
    grad = np.zeros_like(x, dtype=np.float64)
    roundoff = np.zeros_like(x, dtype=np.float64)
    for ix in np.ndindex(x.shape):
        old = x[ix]
        x[ix] = old + h
        pos = np.array(f(x), dtype=np.float64, copy=True)
        x[ix] = old - h
        neg = np.array(f(x), dtype=np.float64, copy=True)
        x[ix] = old
        grad[ix] = np.sum((pos - neg) * df) / (2 * h)
        changed = pos != neg
        roundoff[ix] = 4 * np.finfo(np.float64).eps * np.sum(
            (np.abs(df) * (np.abs(pos) + np.abs(neg)))[changed]) / (2 * h)
    return grad, roundoff


def relative_error(a, n) -> np.ndarray:
    """Entrywise ``|a - n| / max(1e-8, |a| + |n|)``."""
    a, n = np.asarray(a, dtype=np.float64), np.asarray(n, dtype=np.float64)
    return np.abs(a - n) / np.maximum(1e-8, np.abs(a) + np.abs(n))


def check_backward(forward: Callable[..., np.ndarray], inputs: Sequence, d_out, grads: Sequence, *,
                   h: float = H, tol: float = TOL, names: Sequence[str] | None = None) -> list[np.ndarray]:
    """Assert that ``grads`` are the gradients of ``sum(forward(*inputs) * d_out)``.

    Arguments:
        forward -- ``forward(*inputs) -> out``, ``out`` an array (or a number, with ``d_out`` 1.0).
        inputs -- the inputs; each is copied to float64, the caller's arrays are never touched.
            A number stays a Python float when it is passed to ``forward``.
        d_out -- the upstream gradient, of ``out``'s shape.
        grads -- the analytic gradient with respect to each input, of that input's shape.
        h, tol -- the central-difference step and the largest entrywise relative error allowed.
        names -- names of the inputs for the messages (default ``inputs[0]``, ``inputs[1]``, ...).
    Returns: the numerical gradients (for further checks).
    Raises: AssertionError naming the input, the worst entry and both values when the
    largest relative error ``|a - n| / max(1e-8, |a| + |n|)`` is not below ``tol`` at an entry where
    ``|a - n|`` is also above the numerical gradient's own rounding error there
    (:func:`numerical_gradient_and_roundoff`): a gradient entry near 0 is judged by the absolute
    error the arithmetic allows, not by a relative error that rounding alone can exceed.
    """
    inputs, grads = list(inputs), list(grads)
    names = list(names) if names is not None else [f"inputs[{i}]" for i in range(len(inputs))]
    assert len(grads) == len(inputs) == len(names), (
        f"check_backward: {len(inputs)} inputs, {len(grads)} gradients and {len(names)} names")
    xs = [np.array(x, dtype=np.float64, copy=True) for x in inputs]
    scalar = [np.ndim(x) == 0 and not isinstance(x, np.ndarray) for x in inputs]

    def call():
        return forward(*(float(x) if s else x for x, s in zip(xs, scalar)))

    out = np.asarray(call(), dtype=np.float64)
    d_out = np.asarray(d_out, dtype=np.float64)
    assert d_out.shape == out.shape, f"check_backward: d_out has shape {d_out.shape}, forward's output {out.shape}"

    numerical = []
    for i, (x, g, name) in enumerate(zip(xs, grads, names)):
        g = np.asarray(g, dtype=np.float64)
        assert g.shape == x.shape, f"gradient of {name} has shape {g.shape}, the input has shape {x.shape}"
        num, roundoff = numerical_gradient_and_roundoff(lambda _: call(), x, d_out, h)
        err = relative_error(g, num)
        err = np.where(np.abs(g - num) <= roundoff, 0.0, err)   # within rounding: no evidence of a bug
        if err.size:
            worst = tuple(int(i) for i in np.unravel_index(int(np.argmax(err)), err.shape))
            assert err[worst] < tol, (
                f"gradient of {name} is wrong: relative error {float(err[worst]):.3g} >= {tol:g} at entry {worst}: "
                f"analytic {float(g[worst])!r}, numerical {float(num[worst])!r} "
                f"(rounding alone could explain {float(roundoff[worst]):.2g})")
        numerical.append(num)
    return numerical
