"""The course kit's commands and its autograder, split by audience.

- :mod:`autograder.student` -- what a student runs: the JupyterLab launcher (``make lab``),
  the self-check (``make check``) and the copy of the release into ``student/``.
- :mod:`autograder.engine` -- the grader an instructor runs (``python -m autograder grade``):
  coordinator, workers, sandbox, in-sandbox runner, templates, verdicts.
- Shared by both, here at the top: ``__main__.py`` (the one command line,
  ``python -m autograder lab|release|grade|check|formgrader``), ``course.py`` (where things
  live, nbgrader's configuration and the release build), ``preprocessors.py`` (the kit's
  nbgrader preprocessors) and ``nbgrader_config.py`` (read by nbgrader's own command line
  and the formgrader from this folder).

Neither subpackage imports the other. This package and its subpackages import nothing when
imported: the runner (``autograder.engine.runner``) starts inside the grading sandbox
through them.
"""
