"""course_utils: the numpy library the course notebooks teach with, organised by concept.

One implementation per concept; the package map, the layer and update-rule interfaces and the one
gradient convention are in ``ARCHITECTURE.md`` at the repository root.

- :mod:`course_utils.nn` -- layers as forward/backward pairs: activations, linear, losses,
  initialisation, dropout, L2 penalty, batch norm
- :mod:`course_utils.optim` -- update rules (one interface), THE training loop, schedules,
  mini-batches, exponentially weighted averages, hyperparameter sampling
- :mod:`course_utils.models` -- MLP, logistic regression, MLP with batch norm
- :mod:`course_utils.metrics` -- accuracy (a fraction) and predicted classes
- :mod:`course_utils.data` -- the HDF5 store and manifest, synthetic data, one-hot encoding
- :mod:`course_utils.viz` -- plots, widgets, progress bars (display only)
- :mod:`course_utils.grading` -- visible checks, the hidden-test helper, records (the kernel side)
- :mod:`course_utils.exercises` -- one adapter module per notebook with classic exercise signatures
- :mod:`course_utils.autodiff` -- reverse-mode automatic differentiation
- :mod:`course_utils.gradcheck` -- gradient checking: numerical gradients, thresholds, verdicts
- :mod:`course_utils.rng` -- seeded generators (never numpy's global state)
"""

__version__ = "0.2.0"
