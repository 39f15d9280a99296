"""The one helper that hidden tests go through.

Every hidden-test section of every notebook is written with :class:`HiddenTest`::

    ### BEGIN HIDDEN TESTS
    from course_utils.grading import HiddenTest
    import course_utils.exercises.numpy_basics as ref
    t = HiddenTest("normalize_rows", normalize_rows, ref.normalize_rows, seed=7301)
    t.case(t.rng.standard_normal((3, 7)))      # fresh shape
    t.case(t.rng.standard_normal((1, 4)))      # edge case: a single row
    t.finish()
    ### END HIDDEN TESTS

Three modes, one hidden-test text:

* **direct** (default: ``make check``, ``nbgrader validate``, the test suite): the student's
  function and the reference run side by side here and :meth:`HiddenTest.finish` raises
  on a difference.
* **record** (a kernel the autograder runs, in its sandbox, with ``$COURSE_GRADING_RECORD``
  set): the reference is not called and nothing is judged; each case only records the
  student's result (:mod:`course_utils.grading.records`). Whatever the student's code does to
  numpy, builtins or this module inside that kernel cannot turn a failure into a pass,
  because no verdict is made there.
* **replay** (the autograder's own process, inside :func:`replay`): the same hidden-test
  text runs again with the same seeds, so it draws the same hidden inputs; each case
  calls the reference and compares it with the student's recorded result. This is the
  verdict that counts.

Determinism: the inputs come from ``seed``, written in the hidden cell, so the student
never sees them and a re-grade gives the same result. The test suite sets
``COURSE_UTILS_SEED_SALT`` to draw *other* inputs from the same hidden tests, which
cross-checks each notebook's teaching version against the library on more random data.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import os
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

import numpy as np

from course_utils.grading.checks import (
    ATOL, RTOL, Case, CheckFailed, Parts, call_student, compare, install_display, output_parts,
)
from course_utils.grading.records import RECORD_ENV, RecordError, RecordWriter, Unsupported, decode, encode

__all__ = ["HiddenTest", "SALT_ENV", "Verdict", "replay"]

SALT_ENV = "COURSE_UTILS_SEED_SALT"


@dataclass
class Verdict:
    """The trusted outcome of one hidden test, made in the grader's process.

    Attributes: ``name`` (the test's name), ``count`` (hidden checks run), ``failures`` (one
    message per failed check), ``recorded`` (cases with a readable recorded result);
    ``passed`` is True when at least one check ran and none failed.
    """

    name: str
    count: int = 0
    failures: list[str] = field(default_factory=list)
    recorded: int = 0

    @property
    def passed(self) -> bool:
        return self.count > 0 and not self.failures


class _Replay:
    def __init__(self, records: dict[str, list[dict]]) -> None:
        self.records = records
        self.verdicts: dict[str, Verdict] = {}


_REPLAY: _Replay | None = None


@contextlib.contextmanager
def replay(records: dict[str, list[dict]]) -> Iterator[dict[str, Verdict]]:
    """Within this block, every :class:`HiddenTest` judges recorded results (see module doc).

    ``records`` maps test names to the events :func:`course_utils.grading.records.read_records`
    returned. The yielded dict fills with one :class:`Verdict` per finished test.
    Blocks may nest; the previous mode is restored on exit.
    """
    global _REPLAY
    previous, _REPLAY = _REPLAY, _Replay(records)
    try:
        yield _REPLAY.verdicts
    finally:
        _REPLAY = previous


def _reference_like(fn: Any) -> bool:
    """Whether a "student" function is really a course_utils function (flagged, not judged)."""
    seen = 0
    while isinstance(fn, functools.partial) and seen < 5:
        # partial(helper, student_fn): the course's helper wraps the student's function
        inner = [a for a in fn.args if callable(a)]
        fn, seen = (inner[0] if inner else fn.func), seen + 1
    module = getattr(fn, "__module__", None) or ""
    return isinstance(module, str) and module.split(".")[0] == "course_utils"


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
        parts: names of the parts of the result in messages (:class:`course_utils.grading.checks.Parts`);
            default: those of ``reference_fn``, as the visible check names them.

    Attributes: ``rng`` (a ``np.random.Generator`` seeded from ``seed``, salted by
    ``$COURSE_UTILS_SEED_SALT`` when set), ``count`` (checks so far), ``failures`` (messages).
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
        parts: Parts | str | None = None,
    ) -> None:
        install_display()
        self.name = name
        self.student_fn = student_fn
        self.reference_fn = reference_fn
        self.rng = np.random.default_rng(_salted(seed))
        self.rtol = rtol
        self.atol = atol
        self.parts = output_parts(reference_fn) if parts is None else parts
        self.failures: list[str] = []
        self.count = 0
        self._replay_count = 0  # replay mode: cases that had a readable recorded result
        self._replay = _REPLAY
        record_path = os.environ.get(RECORD_ENV) if _REPLAY is None else None
        self._writer = RecordWriter(record_path) if record_path else None
        if self._writer is not None:
            self._writer.write(test=name, event="start")
            if _reference_like(student_fn):
                self._writer.write(test=name, event="flag", reason="the graded function is a course_utils function")
        if self._replay is not None:
            events = self._replay.records.get(name, [])
            self._events = {e.get("n"): e for e in events if e.get("event") == "case" and isinstance(e.get("n"), int)}

    def case(self, *args: Any, rtol: float | None = None, atol: float | None = None, label: str | None = None, **kwargs: Any) -> Any:
        """Compare student and reference on one call; record (do not raise) a failure.

        Arguments: ``*args, **kwargs`` -- the call's arguments (arrays of the shapes the graded
        function takes); rtol, atol -- tolerances for this case (default: the test's);
        label -- a name for the case in messages.
        Returns the student's result, or None when the call failed (in record mode: the
        student's result, unjudged).
        Raises: NotImplementedError if the student's function is still the unimplemented stub
        (direct and record mode). A difference, an argument modified in place or an exception
        of the student's code is recorded as a failure, not raised; an exception of the
        reference propagates.
        """
        self.count += 1
        c = Case(*args, label=label, **kwargs)
        if self._writer is not None:
            return self._record(c)
        expected = self.reference_fn(*copy.deepcopy(c.args), **copy.deepcopy(c.kwargs))
        try:
            if self._replay is not None:
                got = self._recorded(c)
            else:
                got = call_student(self.student_fn, c, self.name)
            compare(
                expected,
                got,
                where=f"{self.name} output",
                rtol=self.rtol if rtol is None else rtol,
                atol=self.atol if atol is None else atol,
                parts=self.parts,
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

    def _record(self, c: Case) -> Any:
        """Record mode: call the student's function and write down its result, judge nothing."""
        try:
            got = call_student(self.student_fn, c, self.name)
        except NotImplementedError:
            self._writer.write(test=self.name, event="case", n=self.count, raised="NotImplementedError")
            raise
        except CheckFailed as exc:  # modified an argument in place
            self._writer.write(test=self.name, event="case", n=self.count, raised=str(exc)[:2000])
            return None
        except Exception as exc:
            self._writer.write(test=self.name, event="case", n=self.count,
                               raised=f"{type(exc).__name__}: {str(exc)[:2000]}")
            return None
        self._writer.write(test=self.name, event="case", n=self.count, value=encode(got))
        return got

    def _recorded(self, c: Case) -> Any:
        """Replay mode: the student's recorded result for this case (raises CheckFailed if none)."""
        event = self._events.get(self.count)
        if event is None:
            raise CheckFailed("no result was recorded for this case: the test cell did not run it")
        if "raised" in event:
            raised = str(event["raised"])
            if raised.startswith(self.name + " modified"):
                raise CheckFailed(raised)
            raise CheckFailed(f"raised {raised}")
        try:
            got = decode(event.get("value"))
        except RecordError as exc:
            raise CheckFailed(f"the recorded result is unreadable ({exc})") from None
        if isinstance(got, Unsupported):
            raise CheckFailed(f"{self.name} returned a {got.type_name}, which is not a value the course expects")
        self._replay_count += 1
        return got

    def expect(self, condition: bool, message: str) -> None:
        """Record a property check that is not a comparison (e.g. "returns a Python float").

        Arguments: condition -- the property's truth value; message -- what failed, for the report.
        """
        self.count += 1
        if not condition:
            self.failures.append(f"hidden check {self.count}: {message}")

    def _fail(self, c: Case, message: str) -> None:
        self.failures.append(f"hidden case {self.count} {c.describe()}: {message}")

    def finish(self) -> None:
        """Raise one ``AssertionError`` listing the failed hidden cases, or print a pass line.

        In record mode it only prints how many checks were recorded; in replay mode it also
        stores the :class:`Verdict` for :func:`replay`.
        Raises: RuntimeError if no case or check ran (a broken hidden test); CheckFailed (an
        ``AssertionError``) listing every failure, in direct and replay mode, if any case failed.
        """
        if self.count == 0:
            raise RuntimeError(f"HiddenTest({self.name!r}) ran no case: the hidden test is broken.")
        if self._writer is not None:
            print(f"\u2714 {self.name}: {self.count} hidden check(s) recorded; the grader judges them.")
            return
        if self._replay is not None:
            self._replay.verdicts[self.name] = Verdict(self.name, self.count, list(self.failures), self._replay_count)
        if self.failures:
            head = f"{self.name}: {len(self.failures)} of {self.count} hidden checks failed."
            raise CheckFailed("\n".join([head, *self.failures]))
        print(f"\u2714 {self.name}: {self.count} hidden check(s) passed.")
