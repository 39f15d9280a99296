"""course_utils: the shared numpy implementation behind the course notebooks.

One implementation per concept, organised by topic:

- :mod:`course_utils.activations` -- sigmoid, tanh, ReLU, leaky ReLU, softmax; derivatives; layer pairs
- :mod:`course_utils.arrays` -- image2vector, normalize_rows
- :mod:`course_utils.losses` -- L1, L2, cross-entropy
- :mod:`course_utils.logistic` -- logistic regression as a one-neuron network
- :mod:`course_utils.checks` -- the visible checks students run
- :mod:`course_utils.grading` -- the helper every hidden test goes through
- :mod:`course_utils.plotting` -- cost curves, image grids, decision boundaries
- :mod:`course_utils.data` -- build and load the course data (``python -m course_utils.data build``)
- :mod:`course_utils.progress` -- progress bars that stay quiet while grading
"""

__version__ = "0.1.0"
