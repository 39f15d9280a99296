"""Strategy for machine-learning projects (Track 3): the decisions of the lecture notes' course 3 as
computations on real runs.

- :mod:`course_utils.strategy.selection` -- pick a model by one optimising metric subject to
  satisficing constraints (``pick_model``)
- :mod:`course_utils.strategy.diagnosis` -- avoidable bias, variance, data mismatch and dev-set
  overfitting from a row of errors (``diagnose``); the exact Bayes error of two Gaussian classes
- :mod:`course_utils.strategy.error_analysis` -- the error-analysis table of examined dev mistakes
  and the ceiling each category puts on improvement (``error_analysis_table``)
"""
