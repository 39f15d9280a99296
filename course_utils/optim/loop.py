"""THE training loop: every model in the library, and every notebook that trains, goes through :func:`train`.

A model gives the loop one function, ``step(parameters, X_batch, Y_batch) -> (cost, grads)``: its
forward pass, its cost (averaged over the batch) and its backward pass. The loop owns everything
else: epochs, shuffled mini-batches, the update rule and its state, the learning-rate schedule, a
progress bar (silent while grading), printed costs, and the history it returns.
"""

from __future__ import annotations

import time
from typing import Callable

import numpy as np

from course_utils.optim.minibatch import random_mini_batches
from course_utils.optim.rules import get_rule
from course_utils.viz.progress import progress_range

__all__ = ["train"]


def train(step: Callable, parameters: dict, X=None, Y=None, *, optimizer="gd", config: dict | None = None,
          num_epochs: int = 1, mini_batch_size: int | None = None, seed=0, schedule: Callable | None = None,
          record_every: int = 1, print_every: int | None = None, callback: Callable | None = None,
          metrics: dict | None = None, stop_on_nonfinite: bool = True, progress: bool = False,
          desc: str | None = None, example_axis: int = -1):
    """Train ``parameters`` by mini-batch (or full-batch) descent with any update rule.

    Arguments:
        step -- ``step(parameters, X_batch, Y_batch) -> (cost, grads)``: the cost (a float, the
            average over the batch) *before* the update, and ``grads = {"dW1": ..., ...}`` of that cost.
        parameters -- the starting parameter dict (not modified).
        X, Y -- inputs ``(n_x, m)`` and targets ``(n_y, m)``, one column per example; both None for a
            cost that does not depend on data (full batches only; ``step`` gets ``None, None``).
            With ``example_axis=0``: any shapes whose first axis counts the examples, e.g. images
            ``(m, n_H, n_W, n_C)`` and one-hot labels ``(m, n_y)`` for a convolutional network.
        optimizer -- an update rule or its name: ``"gd"``, ``"momentum"``, ``"rmsprop"``, ``"adam"``
            (:mod:`course_utils.optim.rules`).
        config -- the rule's hyperparameters, e.g. ``{"learning_rate": 0.01, "beta1": 0.9}``.
        num_epochs -- passes over the training set. With ``mini_batch_size=None`` every epoch is one
            full-batch iteration, so ``num_epochs`` is the classic ``num_iterations``.
        mini_batch_size -- examples per mini-batch; epoch e (from 0) uses
            ``random_mini_batches(X, Y, mini_batch_size, seed=seed + e)``. None: the whole set, in order.
        schedule -- optional ``schedule(learning_rate0, epoch) -> learning_rate``
            (:mod:`course_utils.optim.schedules`), applied at the start of every epoch.
        record_every -- record the epoch's cost every ``record_every`` epochs (0, record_every, ...).
        print_every -- print the cost every ``print_every`` epochs (None: never).
        callback -- optional ``callback(epoch, parameters)``, called whenever a cost is recorded,
            with the parameters at the start of that epoch.
        metrics -- optional ``{"name": fn(parameters) -> float}``, evaluated when a cost is recorded
            (at the start of that epoch, like the callback) and stored under that name.
        progress -- show a tqdm progress bar over the epochs (never while nbgrader executes).
        stop_on_nonfinite -- raise when an epoch's cost is NaN or infinite (default); False keeps
            training and records it (a hyperparameter search that tries learning rates too large).
        desc -- the progress bar's label.
        example_axis -- the axis of X and Y that counts the examples: -1 (the default, columns of 2-D
            arrays) or 0 (the first axis, any number of dimensions).
    Returns:
        ``(parameters, history)``: the trained parameters (new arrays), and a dict with
        ``"epoch"`` (the recorded epochs), ``"cost"`` (per recorded epoch: the mean over its
        examples of the mini-batch costs, each measured before that mini-batch's update; for full
        batches, the cost before the epoch's update), ``"batch_cost"`` (every mini-batch cost, in
        order, so its length is the number of updates), ``"learning_rate"`` (per recorded epoch), one
        list per metric, and ``"seconds"`` (wall time). Floating-point parameters keep their dtype
        (float32 trains in float32); other parameters become float64.
    Raises:
        ValueError for an unknown optimizer or hyperparameter, X and Y with different numbers of
        examples (or only one of them None, or None with mini-batches), ``num_epochs < 0``, ``record_every < 1``,
        ``mini_batch_size < 1`` or an ``example_axis`` other than -1 and 0;
        FloatingPointError if a cost becomes NaN or infinite (naming the epoch) and
        ``stop_on_nonfinite``: a diverging run stops with its cause instead of filling the history with NaN.
    """
    rule = get_rule(optimizer)
    config = rule.config(config)
    if X is None or Y is None:
        if X is not None or Y is not None or mini_batch_size is not None:
            raise ValueError("X and Y are both None (a cost without data, full batches) or both arrays")
    elif example_axis == -1:
        X, Y = np.asarray(X), np.asarray(Y)
        if X.ndim != 2 or Y.ndim != 2 or X.shape[1] != Y.shape[1]:
            raise ValueError(f"X (n_x, m) and Y (n_y, m) must hold the same m examples; got X {X.shape}, Y {Y.shape}")
    elif example_axis == 0:
        X, Y = np.asarray(X), np.asarray(Y)
        if X.ndim < 1 or Y.ndim < 1 or X.shape[0] != Y.shape[0]:
            raise ValueError(f"X (m, ...) and Y (m, ...) must hold the same m examples on axis 0; got X {X.shape}, "
                             f"Y {Y.shape}")
    else:
        raise ValueError(f"example_axis must be -1 (columns) or 0 (first axis), got {example_axis!r}")
    if int(num_epochs) != num_epochs or num_epochs < 0:
        raise ValueError(f"num_epochs must be a whole number >= 0, got {num_epochs!r}")
    if record_every < 1:
        raise ValueError(f"record_every must be >= 1, got {record_every}")
    if mini_batch_size is not None and mini_batch_size < 1:
        raise ValueError(f"mini_batch_size must be >= 1 or None, got {mini_batch_size}")
    parameters = {k: np.array(v, dtype=v.dtype if np.issubdtype(np.asarray(v).dtype, np.floating) else float, copy=True)
                  for k, v in ((k, np.asarray(v)) for k, v in parameters.items())}
    state = rule.init(parameters)
    learning_rate0 = config.get("learning_rate")
    m = 1 if X is None else X.shape[example_axis]
    history = {"epoch": [], "cost": [], "batch_cost": [], "learning_rate": [], "seconds": 0.0}
    for name in metrics or {}:
        history[name] = []
    start = time.perf_counter()
    for epoch in progress_range(int(num_epochs), enabled=progress, desc=desc):
        if schedule is not None:
            config["learning_rate"] = schedule(learning_rate0, epoch)
        recording = epoch % record_every == 0
        if recording:
            if callback is not None:
                callback(epoch, parameters)
            for name, fn in (metrics or {}).items():
                history[name].append(float(fn(parameters)))
        if mini_batch_size is None:
            batches = [(X, Y)]
        else:
            batches = random_mini_batches(X, Y, mini_batch_size, seed=seed + epoch, example_axis=example_axis)
        total = 0.0
        for X_batch, Y_batch in batches:
            cost, grads = step(parameters, X_batch, Y_batch)
            cost = float(cost)
            history["batch_cost"].append(cost)
            total += cost * (1 if X_batch is None else X_batch.shape[example_axis])
            parameters, state = rule.update(parameters, grads, state, config)
        epoch_cost = cost if len(batches) == 1 else total / m  # one batch: its cost, not cost * m / m
        if stop_on_nonfinite and not np.isfinite(epoch_cost):
            raise FloatingPointError(f"the cost became {epoch_cost} in epoch {epoch}: the training diverged "
                                     f"(try a smaller learning rate)")
        if recording:
            history["epoch"].append(epoch)
            history["cost"].append(epoch_cost)
            history["learning_rate"].append(config.get("learning_rate"))
        if print_every and epoch % print_every == 0:
            print(f"Cost after {'iteration' if mini_batch_size is None else 'epoch'} {epoch}: {epoch_cost:.6f}")
    history["seconds"] = time.perf_counter() - start
    return parameters, history
