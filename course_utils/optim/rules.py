"""Update rules behind one interface: gradient descent, momentum, RMSprop, Adam.

Every rule is an :class:`UpdateRule` with two functions and a dict of default hyperparameters::

    state = rule.init(parameters)
    parameters, state = rule.update(parameters, grads, state, config)

* ``parameters`` -- ``{"W1": (n1, n0), "b1": (n1, 1), ...}`` (any names, any shapes).
* ``grads`` -- ``{"dW1": ..., "db1": ..., ...}``: ``"d" + name`` for every parameter, same shape.
  Extra keys (such as ``"dA0"``) are ignored.
* ``state`` -- the rule's own dict, explicit: ``{}`` for gradient descent, ``{"v": {...}}`` for
  momentum, ``{"s": {...}}`` for RMSprop, ``{"v": {...}, "s": {...}, "t": int}`` for Adam, with
  the inner dicts keyed like ``grads``. The caller keeps it; nothing hides in a global.
* ``config`` -- hyperparameters, e.g. ``{"learning_rate": 0.01, "beta1": 0.9}``; missing keys take
  the rule's ``defaults``, unknown keys raise ``ValueError``.

Every update returns *new* dicts; no argument is modified in place. :func:`get_rule` looks a rule
up by name (``"gd"``, ``"momentum"``, ``"rmsprop"``, ``"adam"``), so code that lets a user pick an
optimiser never needs an ``if/elif`` over names. The classic exercise signatures
(``update_parameters_with_adam(parameters, grads, v, s, t, learning_rate, beta1, beta2, epsilon)``,
...) are thin adapters over these rules in :mod:`course_utils.exercises.optimization`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

__all__ = ["UpdateRule", "RULES", "get_rule", "gd", "momentum", "rmsprop", "adam", "zeros_like_grads"]


@dataclass(eq=False)
class UpdateRule:
    """An update rule: ``init(parameters) -> state`` and ``update(parameters, grads, state, config)
    -> (parameters, state)``, with its default hyperparameters."""

    name: str
    init: Callable[[dict], dict]
    step: Callable[[dict, dict, dict, dict], tuple]
    defaults: dict = field(default_factory=dict)

    def config(self, config: dict | None = None) -> dict:
        """The defaults updated with ``config``. Raises: ValueError for a key the rule does not take."""
        config = dict(config or {})
        unknown = sorted(set(config) - set(self.defaults))
        if unknown:
            raise ValueError(f"{self.name} takes the hyperparameters {sorted(self.defaults)}, not {unknown}")
        return {**self.defaults, **config}

    def pick(self, **hyperparameters) -> dict:
        """The hyperparameters this rule takes, from a larger offer (``beta`` is dropped for Adam, ...).

        For code that lets a user choose the rule by name and offers every rule's settings at once.
        """
        return {k: v for k, v in hyperparameters.items() if k in self.defaults}

    def update(self, parameters: dict, grads: dict, state: dict, config: dict | None = None):
        """One step. Returns ``(parameters, state)``, both new dicts.

        Raises: KeyError if grads lacks ``"d" + name`` for a parameter; ValueError if a gradient's
        shape differs from its parameter's, or for an unknown hyperparameter.
        """
        return self.step(parameters, grads, state, self.config(config))


def _float_dtype(a) -> np.dtype:
    """The dtype a parameter trains in: its own if floating point (float32 stays float32), else float64."""
    dtype = np.asarray(a).dtype
    return dtype if np.issubdtype(dtype, np.floating) else np.dtype(float)


def _grad(grads: dict, key: str, like) -> np.ndarray:
    g = grads.get("d" + key)
    if g is None:
        raise KeyError(f"grads has no 'd{key}' for parameter {key!r}")
    if np.shape(g) != np.shape(like):
        raise ValueError(f"d{key} has shape {np.shape(g)}, but {key} has {np.shape(like)}")
    return np.asarray(g, dtype=_float_dtype(like))


def zeros_like_grads(parameters: dict) -> dict:
    """``{"dW1": zeros, "db1": zeros, ...}``: one zero array per parameter, keyed like the gradients."""
    return {"d" + k: np.zeros_like(np.asarray(v, dtype=_float_dtype(v))) for k, v in parameters.items()}


# --- gradient descent --------------------------------------------------------------------------

def _gd_step(parameters, grads, state, config):
    lr = config["learning_rate"]
    return {k: np.asarray(v - lr * _grad(grads, k, v)) for k, v in parameters.items()}, {}


gd = UpdateRule("gd", init=lambda parameters: {}, step=_gd_step, defaults={"learning_rate": 0.01})
gd.__doc__ = """Gradient descent: ``P = P - learning_rate * dP``. State: ``{}``.

Source: Cauchy (1847), "Methode generale pour la resolution des systemes d'equations simultanees"."""


# --- momentum ----------------------------------------------------------------------------------

def _momentum_step(parameters, grads, state, config):
    beta, lr = config["beta"], config["learning_rate"]
    new_p, new_v = {}, {}
    for k, p in parameters.items():
        g = _grad(grads, k, p)
        new_v["d" + k] = beta * state["v"]["d" + k] + (1 - beta) * g
        new_p[k] = np.asarray(p - lr * new_v["d" + k])
    return new_p, {"v": new_v}


momentum = UpdateRule("momentum", init=lambda parameters: {"v": zeros_like_grads(parameters)},
                      step=_momentum_step, defaults={"learning_rate": 0.01, "beta": 0.9})
momentum.__doc__ = """Momentum, in the lecture's EWA form: ``v = beta v + (1 - beta) dP``; ``P = P - learning_rate v``.

State: ``{"v": {"dW1": ..., ...}}``. Source: Polyak (1964), "Some methods of speeding up the
convergence of iteration methods"; the (1 - beta) scaling is the course's convention."""


# --- RMSprop -----------------------------------------------------------------------------------

def _rmsprop_step(parameters, grads, state, config):
    beta2, lr, eps = config["beta2"], config["learning_rate"], config["epsilon"]
    new_p, new_s = {}, {}
    for k, p in parameters.items():
        g = _grad(grads, k, p)
        new_s["d" + k] = beta2 * state["s"]["d" + k] + (1 - beta2) * g ** 2
        new_p[k] = np.asarray(p - lr * g / (np.sqrt(new_s["d" + k]) + eps))
    return new_p, {"s": new_s}


rmsprop = UpdateRule("rmsprop", init=lambda parameters: {"s": zeros_like_grads(parameters)}, step=_rmsprop_step,
                     defaults={"learning_rate": 0.01, "beta2": 0.999, "epsilon": 1e-8})
rmsprop.__doc__ = """RMSprop: ``s = beta2 s + (1 - beta2) dP**2``; ``P = P - learning_rate dP / (sqrt(s) + epsilon)``.

State: ``{"s": {...}}``. Source: Tieleman & Hinton (2012), Coursera "Neural Networks for Machine
Learning", lecture 6e (unpublished; the rule is known from that slide)."""


# --- Adam --------------------------------------------------------------------------------------

def _adam_step(parameters, grads, state, config):
    b1, b2 = config["beta1"], config["beta2"]
    lr, eps = config["learning_rate"], config["epsilon"]
    t = int(state["t"]) + 1
    new_p, new_v, new_s = {}, {}, {}
    for k, p in parameters.items():
        g, key = _grad(grads, k, p), "d" + k
        new_v[key] = b1 * state["v"][key] + (1 - b1) * g
        new_s[key] = b2 * state["s"][key] + (1 - b2) * g ** 2
        v_hat = new_v[key] / (1 - b1 ** t)
        s_hat = new_s[key] / (1 - b2 ** t)
        new_p[k] = np.asarray(p - lr * v_hat / (np.sqrt(s_hat) + eps))
    return new_p, {"v": new_v, "s": new_s, "t": t}


adam = UpdateRule("adam", init=lambda parameters: {"v": zeros_like_grads(parameters),
                                                   "s": zeros_like_grads(parameters), "t": 0},
                  step=_adam_step, defaults={"learning_rate": 0.001, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8})
adam.__doc__ = """Adam: momentum and RMSprop with bias correction, step ``t`` counted from 1.

``v = beta1 v + (1 - beta1) dP``; ``s = beta2 s + (1 - beta2) dP**2``;
``v_hat = v / (1 - beta1**t)``; ``s_hat = s / (1 - beta2**t)``;
``P = P - learning_rate v_hat / (sqrt(s_hat) + epsilon)``.
State: ``{"v": {...}, "s": {...}, "t": steps taken so far}``; each update increments t first.
Source: Kingma & Ba (2015), "Adam: A Method for Stochastic Optimization", ICLR, Algorithm 1
(epsilon added outside the square root, as there)."""


RULES = {rule.name: rule for rule in (gd, momentum, rmsprop, adam)}


def get_rule(rule) -> UpdateRule:
    """An :class:`UpdateRule` from its name (``"gd"``, ``"momentum"``, ``"rmsprop"``, ``"adam"``) or itself.

    Raises: ValueError for an unknown name.
    """
    if isinstance(rule, UpdateRule):
        return rule
    try:
        return RULES[rule]
    except (KeyError, TypeError):
        raise ValueError(f"optimizer must be one of {sorted(RULES)} or an UpdateRule, got {rule!r}") from None
