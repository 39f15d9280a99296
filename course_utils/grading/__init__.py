"""The kernel side of grading: what runs inside a student's notebook.

- :mod:`course_utils.grading.checks` -- the visible checks a student runs (``check_function``)
- :mod:`course_utils.grading.hidden` -- :class:`HiddenTest`, the one helper every hidden test uses
- :mod:`course_utils.grading.records` -- the pickle-free record format of hidden-test results

Hidden tests write ``from course_utils.grading import HiddenTest``.
"""

from course_utils.grading.hidden import SALT_ENV, HiddenTest, Verdict, replay

__all__ = ["HiddenTest", "SALT_ENV", "Verdict", "replay"]
