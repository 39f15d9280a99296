"""Display only: plots, widgets and progress bars. Nothing here computes what a student is graded on.

- :mod:`course_utils.viz.plotting` -- cost curves, image grids, decision boundaries
- :mod:`course_utils.viz.widgets` -- the gradient-descent playground and the EWA explorer
- :mod:`course_utils.viz.playground` -- the playground's computation (cost surfaces, trajectories)
- :mod:`course_utils.viz.detection` -- boxes (class, score) and YOLO grids drawn on pictures
- :mod:`course_utils.viz.progress` -- progress bars, silent while nbgrader executes a notebook
"""
