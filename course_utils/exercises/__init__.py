"""One module per notebook whose graded functions keep the classic exercise signatures (flat tuple
caches, per-example gradients, optimiser state as separate arguments, ...). Each is a thin adapter
over the concept packages and is the hidden tests' reference for that notebook; only that notebook
(and, for helpers it hands on, the next notebook's adapter) imports it.

Track 1: :mod:`~course_utils.exercises.introduction` (00), :mod:`~course_utils.exercises.numpy_basics` (01),
:mod:`~course_utils.exercises.logistic_regression` (02), :mod:`~course_utils.exercises.shallow_network` (03),
:mod:`~course_utils.exercises.deep_step_by_step` (04), :mod:`~course_utils.exercises.deep_network_application` (05).
Track 2: :mod:`~course_utils.exercises.initialization` (01), :mod:`~course_utils.exercises.regularization`
(02), :mod:`~course_utils.exercises.gradient_checking` (03), :mod:`~course_utils.exercises.optimization`
(04), :mod:`~course_utils.exercises.batch_norm_and_softmax`
(07). Notebooks 05, 06 and 08 of Track 2 grade functions whose library signatures are the
classic ones (:mod:`course_utils.optim.ewa`, :mod:`course_utils.optim.tuning`, :mod:`course_utils.autodiff`).
Track 3 has no adapter (its references are :mod:`course_utils.metrics`, :mod:`course_utils.data` and
:mod:`course_utils.strategy`). Track 4: :mod:`~course_utils.exercises.fast_convolution` (02); notebook 01's
classic loops are :mod:`course_utils.nn.conv_loops` itself, and notebooks 03 and 04 grade library functions
(:mod:`course_utils.models.cnn`, :mod:`course_utils.nn.residual`, :mod:`course_utils.nn.efficient`).
Track 5: :mod:`~course_utils.exercises.rnn_step_by_step` (01),
:mod:`~course_utils.exercises.gru_lstm_and_vanishing_gradients` (02),
:mod:`~course_utils.exercises.character_language_model` (03), :mod:`~course_utils.exercises.word_vectors` (04);
notebook 05 grades :mod:`course_utils.text.word2vec` itself.
"""
