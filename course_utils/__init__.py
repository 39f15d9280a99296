"""course_utils: the shared numpy implementation behind the course notebooks.

One implementation per concept, organised by topic:

Track 1 -- neural networks
- :mod:`course_utils.nn.activations` -- sigmoid, tanh, ReLU, leaky ReLU, softmax; derivatives; forward/backward pairs
- :mod:`course_utils.exercises.numpy_basics` -- image2vector, normalize_rows
- :mod:`course_utils.nn.losses` -- L1, L2, cross-entropy
- :mod:`course_utils.exercises.logistic_regression` -- logistic regression as a one-neuron network
- :mod:`course_utils.nn.linear` -- linear and linear-activation layers
- :mod:`course_utils.exercises.shallow_network` -- one hidden layer (tanh) network
- :mod:`course_utils.models.mlp` -- L-layer network, two_layer_model, L_layer_model
- :mod:`course_utils.gradcheck` -- numerical gradients and relative differences

Track 2 -- improving deep networks
- :mod:`course_utils.exercises.initialization` -- zeros, large random, He, Xavier
- :mod:`course_utils.exercises.regularization` -- L2 and inverted dropout for a 3-layer network
- :mod:`course_utils.exercises.gradient_checking` -- the gradient-check exercises
- :mod:`course_utils.optim.rules` -- gradient descent, mini-batches, momentum, RMSprop, Adam, learning-rate decay
- :mod:`course_utils.optim.ewa` -- exponentially weighted averages
- :mod:`course_utils.optim.tuning` -- log-scale sampling, grid and random search
- :mod:`course_utils.nn.batchnorm`, :mod:`course_utils.nn.softmax` -- batch norm, softmax cross-entropy
- :mod:`course_utils.viz.playground`, :mod:`course_utils.viz.widgets` -- the gradient-descent playground and EWA explorer

Shared
- :mod:`course_utils.grading.checks` -- the visible checks students run
- :mod:`course_utils.grading` -- the helper every hidden test goes through
- :mod:`course_utils.viz.plotting` -- cost curves, image grids, decision boundaries
- :mod:`course_utils.data` -- build and load the course data (``python -m course_utils.data build``)
- :mod:`course_utils.data.synthetic` -- seeded synthetic 2-D data (flower, circles, moons, blobs)
- :mod:`course_utils.viz.progress`, :mod:`course_utils.rng` -- progress bars quiet while grading; seeded generators
"""

__version__ = "0.1.0"
