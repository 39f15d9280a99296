"""Optimisation: update rules behind one interface, learning-rate schedules, exponentially weighted
averages, mini-batches, hyperparameter sampling, and the one training loop.

- :mod:`course_utils.optim.rules` -- ``gd``, ``momentum``, ``rmsprop``, ``adam``: ``rule.init(parameters)``
  and ``rule.update(parameters, grads, state, config) -> (parameters, state)``
- :mod:`course_utils.optim.loop` -- :func:`~course_utils.optim.loop.train`, the training loop
- :mod:`course_utils.optim.schedules` -- learning-rate decay
- :mod:`course_utils.optim.minibatch` -- ``random_mini_batches``
- :mod:`course_utils.optim.ewa` -- exponentially weighted averages
- :mod:`course_utils.optim.tuning` -- log-scale sampling, grid and random search
- :mod:`course_utils.optim.clipping` -- gradient clipping: elementwise ``clip`` and by global norm
"""
