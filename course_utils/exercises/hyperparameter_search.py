"""Track 2, notebook 06 (hyperparameter search): the reference of the graded ``random_search``.

One round of random search over two hyperparameters, each on its own log scale: the learning
rate ``10**r`` and Adam's ``beta1 = 1 - 10**r``, drawn with :mod:`course_utils.optim.tuning`'s
samplers from one generator, then one evaluation (a training run) per drawn pair. The notebook
runs it twice, as the coarse and the fine round of coarse to fine.

Source: random search, Bergstra & Bengio (2012), "Random Search for Hyper-Parameter
Optimization", JMLR 13; coarse to fine, the lecture notes (Course 2, week 3, "Tuning process").
"""

from __future__ import annotations

from typing import Any, Callable

from course_utils.optim.tuning import sample_beta, sample_learning_rate
from course_utils.rng import make_rng

__all__ = ["random_search"]


def random_search(evaluate: Callable[[Any, Any], dict], num_trials: int, lr_range: tuple, beta_range: tuple,
                  seed=None) -> tuple[list, dict]:
    """One round of random search over the learning rate and Adam's ``beta1``.

    Draws ``num_trials`` learning rates ``sample_learning_rate(num_trials, *lr_range, seed=rng)``
    and then ``num_trials`` values ``sample_beta(num_trials, *beta_range, seed=rng)`` from one
    generator ``rng = make_rng(seed)`` (so the two draws differ: the same integer seed twice would
    pair a large learning rate with a small ``1 - beta1`` every time), and calls
    ``evaluate(learning_rate, beta1)`` once per pair, in the order drawn.

    Arguments:
        evaluate -- a function ``(learning_rate, beta1) -> dict`` with at least the key ``"dev_acc"``
        num_trials -- int >= 1
        lr_range -- ``(low, high)``, the exponent range of the learning rate
        beta_range -- ``(low, high)``, the exponent range of ``1 - beta1``
        seed -- an int, None or a ``np.random.Generator`` (whose stream the draws continue)
    Returns:
        trials -- the list of the ``num_trials`` dicts that ``evaluate`` returned, in order
        best -- the trial with the highest ``"dev_acc"``; on a tie the earliest of them
    Raises:
        ValueError if num_trials < 1 or a range is not ``(low, high)`` with low < high (from the
        samplers); KeyError if a trial has no ``"dev_acc"``.
    """
    rng = make_rng(seed)
    learning_rates = sample_learning_rate(num_trials, *lr_range, seed=rng)
    beta1s = sample_beta(num_trials, *beta_range, seed=rng)
    trials = [evaluate(lr, beta1) for lr, beta1 in zip(learning_rates, beta1s)]
    best = max(trials, key=lambda trial: trial["dev_acc"])      # max keeps the first of equal keys
    return trials, best
