"""Strategy for machine-learning projects (Track 3): the decisions of the lecture notes' course 3 as
computations on real runs.

- :mod:`course_utils.strategy.selection` -- pick a model by one optimising metric subject to
  satisficing constraints (``pick_model``)
"""
