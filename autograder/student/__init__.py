"""The student's side of the kit: the commands a student runs on their own notebooks.

- :mod:`~autograder.student.lab` -- ``make lab`` / ``python -m autograder lab``: JupyterLab on
  ``student/``, printing the URL (and ``formgrader``, the same launcher rooted at the
  repository for an instructor).
- :mod:`~autograder.student.selfcheck` -- ``make check`` / ``python -m autograder check``:
  nbgrader's validator with the kit's fixes, run on one notebook.
- :mod:`~autograder.student.workspace` -- the copy of the release into ``student/`` that
  never overwrites a notebook, and says why a kept copy may no longer run.

Building the release itself (nbgrader ``generate_assignment``) is not here: the grader
needs it too, so it is :func:`autograder.course.build_release`. Nothing here imports
:mod:`autograder.engine`.
"""
