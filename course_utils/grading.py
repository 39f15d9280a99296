"""The one helper that hidden tests go through.

Every hidden-test section of every notebook is written with :class:`HiddenTest`::

    ### BEGIN HIDDEN TESTS
    from course_utils.grading import HiddenTest
    import course_utils.vectors as ref
    t = HiddenTest("normalize_rows", normalize_rows, ref.normalize_rows, seed=7301)
    t.case(t.rng.standard_normal((3, 7)))      # fresh shape
    t.case(t.rng.standard_normal((1, 4)))      # edge case: a single row
    t.finish()
    ### END HIDDEN TESTS

Keeping the verdict logic here, and nowhere in the notebooks, means that moving verdicts
out of the student's kernel (the hardening planned for the autograder) changes this
module only.

Determinism: the inputs come from ``seed``, written in the hidden cell, so the student
never sees them and a re-grade gives the same result. The test suite sets
``COURSE_UTILS_SEED_SALT`` to draw *other* inputs from the same hidden tests, which
cross-checks each notebook's teaching version against the library on more random data.
"""

from __future__ import annotations

import copy
import os
from typing import Any, Callable

import numpy as np

from .checks import ATOL, RTOL, Case, CheckFailed, call_student, compare

__all__ = ["HiddenTest", "SALT_ENV"]

SALT_ENV = "COURSE_UTILS_SEED_SALT"


def _salted(seed: int) -> int:
    salt = int(os.environ.get(SALT_ENV, "0") or 0)
    return seed if salt == 0 else int(np.random.SeedSequence([seed, salt]).generate_state(1)[0])


class HiddenTest:
    """Run a student's function against the reference on hidden cases, then give one verdict.

    Arguments:
        name: the graded function's name (used in messages and reports).
        student_fn: the student's function object.
        reference_fn: the course_utils reference with the same signature.
        seed: integer seed for :attr:`rng`; write a fresh one in each hidden cell.
        rtol, atol: default tolerances for :meth:`case`.
    """

    def __init__(
        self,
        name: str,
        student_fn: Callable,
        reference_fn: Callable,
        *,
        seed: int,
        rtol: float = RTOL,
        atol: float = ATOL,
    ) -> None:
        self.name = name
        self.student_fn = student_fn
        self.reference_fn = reference_fn
        self.rng = np.random.default_rng(_salted(seed))
        self.rtol = rtol
        self.atol = atol
        self.failures: list[str] = []
        self.count = 0

    def case(self, *args: Any, rtol: float | None = None, atol: float | None = None, label: str | None = None, **kwargs: Any) -> Any:
        """Compare student and reference on one call; record (do not raise) a failure.

        Returns the student's result, or None when the call failed.
        """
        self.count += 1
        c = Case(*args, label=label, **kwargs)
        expected = self.reference_fn(*copy.deepcopy(c.args), **copy.deepcopy(c.kwargs))
        try:
            got = call_student(self.student_fn, c, self.name)
            compare(
                expected,
                got,
                where=f"{self.name} output",
                rtol=self.rtol if rtol is None else rtol,
                atol=self.atol if atol is None else atol,
            )
        except NotImplementedError:
            raise
        except CheckFailed as exc:
            self._fail(c, str(exc))
            return None
        except Exception as exc:  # the student's code crashed on a hidden input
            self._fail(c, f"raised {type(exc).__name__}: {exc}")
            return None
        return got

    def expect(self, condition: bool, message: str) -> None:
        """Record a property check that is not a comparison (e.g. "returns a Python float")."""
        self.count += 1
        if not condition:
            self.failures.append(f"hidden check {self.count}: {message}")

    def _fail(self, c: Case, message: str) -> None:
        self.failures.append(f"hidden case {self.count} {c.describe()}: {message}")

    def finish(self) -> None:
        """Raise one ``AssertionError`` listing the failed hidden cases, or print a pass line."""
        if self.count == 0:
            raise RuntimeError(f"HiddenTest({self.name!r}) ran no case: the hidden test is broken.")
        if self.failures:
            head = f"{self.name}: {len(self.failures)} of {self.count} hidden checks failed."
            raise CheckFailed("\n".join([head, *self.failures]))
        print(f"\u2714 {self.name}: {self.count} hidden check(s) passed.")
