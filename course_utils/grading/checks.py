"""Student-facing checks: compare a student's function with the course reference.

The visible check cells of every notebook call :func:`check_function`; the hidden tests
(:class:`course_utils.grading.hidden.HiddenTest`) use the same comparison, :func:`compare`, so a student
gets the same kind of message from both.

A failed check raises :class:`CheckFailed` (an ``AssertionError``) whose message says

* which function, which case and which part of the return value is wrong,
* the expected and the received shape (with a hint for rank-1 arrays),
* how many entries differ, the largest difference, and the first few differing
  entries with their index,
* where the first NaN or infinity appeared,
* which argument the function modified in place, if it did.
"""

from __future__ import annotations

import copy
import math
from typing import Any, Callable, Iterable, Sequence

import numpy as np

__all__ = ["CheckFailed", "Case", "compare", "check_function", "describe"]

#: Default tolerances: float64 work in these notebooks agrees to ~1e-12, so these only
#: absorb the difference between e.g. ``np.sum(a * b)`` and ``a @ b``.
RTOL = 1e-6
ATOL = 1e-8
MAX_LISTED = 5


class CheckFailed(AssertionError):
    """A student's result differs from the reference. The message says how.

    A subclass of ``AssertionError``, so nbgrader and pytest count it as a failed check.
    """


class Case:
    """Arguments for one call: ``Case(x, y, learning_rate=0.1)``.

    A plain tuple also works as a case (positional arguments only); ``Case`` adds keyword
    arguments and a ``label`` that appears in messages.

    Arguments:
        *args, **kwargs: the call's arguments, of any type and shape; kept as given (not copied).
        label: a name for the case in messages (default: the arguments' shapes, see :meth:`describe`).
    """

    def __init__(self, *args: Any, label: str | None = None, **kwargs: Any) -> None:
        self.args = args
        self.kwargs = kwargs
        self.label = label

    @classmethod
    def of(cls, case: Any) -> "Case":
        """``case`` as a Case: a Case itself, a tuple as positional arguments, anything else as
        the single positional argument."""
        if isinstance(case, Case):
            return case
        if isinstance(case, tuple):
            return cls(*case)
        return cls(case)

    def describe(self) -> str:
        """The label, or the arguments as ``(array(3, 4), learning_rate=0.1)``: arrays by shape."""
        if self.label:
            return self.label
        parts = [describe(a) for a in self.args]
        parts += [f"{k}={describe(v)}" for k, v in self.kwargs.items()]
        return "(" + ", ".join(parts) + ")"


def describe(value: Any) -> str:
    """Short description of a value for messages: arrays by shape, not by content.

    Arguments: value -- anything; an array of shape ``(n, m)`` is described as ``array(n, m)``.
    Returns: a str.
    """
    if isinstance(value, np.ndarray):
        return f"array{value.shape}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {describe(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)) and len(value) > 4:
        return f"{type(value).__name__} of {len(value)}"
    if isinstance(value, float):
        return f"{value:.6g}"
    return repr(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.number, np.bool_, bool)) and not isinstance(value, str)


def _shape_hint(expected: np.ndarray, got: np.ndarray) -> str:
    if got.ndim == 1 and expected.ndim == 2 and got.size == expected.size:
        return (
            f" Your result is a rank-1 array of shape {got.shape}; reshape it, for example "
            f"with .reshape{expected.shape}, so rows and columns are explicit."
        )
    if expected.ndim == got.ndim == 2 and expected.shape == got.shape[::-1]:
        return " The shape is transposed: check which axis holds the examples."
    if got.size == expected.size:
        return " Same number of entries, different shape: check your reshape."
    return ""


def _nonfinite_message(where: str, got: np.ndarray) -> str | None:
    bad = ~np.isfinite(got)
    if not bad.any():
        return None
    index = tuple(int(i) for i in np.argwhere(bad)[0])
    kind = "NaN" if np.isnan(got[index]) else "infinity"
    count = int(bad.sum())
    loc = f" at index {index}" if got.ndim else ""
    return (
        f"{where} contains {count} non-finite value(s); the first {kind} is{loc}. "
        "NaN usually comes from log(0), 0/0 or an overflow earlier in the computation."
    )


def _compare_arrays(where: str, expected: np.ndarray, got: np.ndarray, rtol: float, atol: float) -> None:
    if expected.shape != got.shape:
        raise CheckFailed(
            f"{where} has the wrong shape: expected {expected.shape}, got {got.shape}."
            + _shape_hint(expected, got)
        )
    if got.dtype == object:
        raise CheckFailed(f"{where} is an array of Python objects; expected numbers of dtype {expected.dtype}.")
    if expected.dtype.kind in "fc":
        msg = _nonfinite_message(where, got)
        if msg and not np.array_equal(np.isfinite(expected), np.isfinite(got)):
            raise CheckFailed(msg)
    if expected.dtype.kind in "biuf" and got.dtype.kind not in "biufc":
        raise CheckFailed(f"{where} has dtype {got.dtype}; expected numbers ({expected.dtype}).")
    close = np.isclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)
    if close.all():
        return
    bad = np.argwhere(~close)
    diff = np.abs(np.asarray(got, dtype=float) - np.asarray(expected, dtype=float))
    diff = np.where(close, 0.0, diff)
    lines = [
        f"{where}: {len(bad)} of {expected.size} entries differ from the reference "
        f"(largest difference {np.nanmax(diff):.3g}; tolerance rtol={rtol:g}, atol={atol:g})."
    ]
    for idx in bad[:MAX_LISTED]:
        idx = tuple(int(i) for i in idx)
        label = f"index {idx}" if expected.ndim else "value"
        lines.append(f"  {label}: expected {expected[idx]:.6g}, got {got[idx]:.6g}")
    if len(bad) > MAX_LISTED:
        lines.append(f"  ... and {len(bad) - MAX_LISTED} more")
    raise CheckFailed("\n".join(lines))


def compare(expected: Any, got: Any, *, where: str = "the result", rtol: float = RTOL, atol: float = ATOL) -> None:
    """Raise :class:`CheckFailed` if ``got`` differs from ``expected``; return None if equal.

    Handles numbers, numpy arrays, strings, and dicts / tuples / lists of these,
    recursively. ``where`` names the value in messages, e.g. ``"grads['dw']"``.

    Arguments:
        expected: the reference's value; arrays of any shape.
        got: the student's value; an array must have exactly ``expected``'s shape (a number
            matches a 0-d array and a one-entry array matches a number).
        rtol, atol: tolerances for numbers and float arrays (see :func:`numpy.isclose`).
    Returns: None.
    Raises: CheckFailed if ``got`` is None, of another type or container kind, has other dict
    keys or another length, another shape, a non-numeric dtype, NaN or infinity where
    ``expected`` is finite, or entries outside the tolerance.
    """
    if got is None and expected is not None:
        raise CheckFailed(f"{where} is None: did the function forget to `return` it?")
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            raise CheckFailed(f"{where} should be a dict with keys {sorted(expected)}, got {type(got).__name__}.")
        missing = [k for k in expected if k not in got]
        extra = [k for k in got if k not in expected]
        if missing or extra:
            raise CheckFailed(
                f"{where} has the wrong keys: missing {missing}, unexpected {extra} "
                f"(expected exactly {list(expected)})."
            )
        for key in expected:
            compare(expected[key], got[key], where=f"{where}[{key!r}]", rtol=rtol, atol=atol)
        return
    if isinstance(expected, (tuple, list)):
        if not isinstance(got, (tuple, list)):
            raise CheckFailed(
                f"{where} should be a {type(expected).__name__} of {len(expected)} items, got {type(got).__name__}."
            )
        if len(got) != len(expected):
            raise CheckFailed(f"{where} should have {len(expected)} items, got {len(got)}.")
        for i, (e, g) in enumerate(zip(expected, got)):
            compare(e, g, where=f"{where}[{i}]", rtol=rtol, atol=atol)
        return
    if isinstance(expected, str):
        if got != expected:
            raise CheckFailed(f"{where}: expected {expected!r}, got {got!r}.")
        return
    if isinstance(expected, np.ndarray):
        if _is_number(got) and expected.ndim == 0:
            got = np.asarray(got)
        if not isinstance(got, np.ndarray):
            raise CheckFailed(
                f"{where} should be a numpy array of shape {expected.shape}, got {type(got).__name__}."
            )
        _compare_arrays(where, expected, got, rtol, atol)
        return
    if _is_number(expected):
        if isinstance(got, np.ndarray):
            if got.size != 1:
                raise CheckFailed(f"{where} should be a single number, got an array of shape {got.shape}.")
            got = got.reshape(())
        elif not _is_number(got):
            raise CheckFailed(f"{where} should be a number, got {type(got).__name__}.")
        _compare_arrays(where, np.asarray(expected), np.asarray(got), rtol, atol)
        return
    if got != expected:
        raise CheckFailed(f"{where}: expected {expected!r}, got {got!r}.")


def _snapshot(args: Sequence[Any], kwargs: dict) -> tuple:
    return copy.deepcopy(tuple(args)), copy.deepcopy(dict(kwargs))


def _mutated(before: Any, after: Any) -> bool:
    """True if ``after`` (an argument after the call) differs from its copy ``before``.

    Arrays, numbers, strings and containers of them are compared exactly; other objects
    (functions, graph nodes, ...) have no value to compare and count as unchanged.
    """
    if isinstance(before, np.ndarray):
        return not (isinstance(after, np.ndarray) and before.shape == after.shape
                    and np.array_equal(before, after, equal_nan=before.dtype.kind in "fc"))
    if isinstance(before, dict):
        return (not isinstance(after, dict) or before.keys() != after.keys()
                or any(_mutated(before[k], after[k]) for k in before))
    if isinstance(before, (list, tuple)):
        return (not isinstance(after, (list, tuple)) or len(before) != len(after)
                or any(_mutated(b, a) for b, a in zip(before, after)))
    if isinstance(before, (str, bytes)) or _is_number(before):
        return not (before == after or (before != before and after != after))  # NaN stays NaN
    return False


def _raising_function(exc: BaseException) -> str | None:
    """The name of the function whose frame raised ``exc`` (the innermost frame of its traceback)."""
    tb, last = exc.__traceback__, None
    while tb is not None:
        last, tb = tb.tb_frame.f_code.co_name, tb.tb_next
    return None if last in (None, "<module>", "<lambda>") else last


def call_student(fn: Callable, case: Case, name: str) -> Any:
    """Call a student's function on a case, checking it leaves its arguments alone.

    A ``NotImplementedError`` (the stub nbgrader leaves in the student version) is
    re-raised with a message that says what to do, naming the stub that raised: when a finished
    function calls one that is still the stub, the message names that one and says which calls it.

    Arguments:
        fn: the student's function.
        case: the :class:`Case` to call it with; its arguments are compared with deep copies
            taken before the call.
        name: the function's name in messages.
    Returns: whatever ``fn`` returned.
    Raises: NotImplementedError if ``fn`` raises it (the unimplemented stub); CheckFailed if
    ``fn`` modified one of its arguments in place. Any other exception of ``fn`` propagates.
    """
    args_before, kwargs_before = _snapshot(case.args, case.kwargs)
    try:
        result = fn(*case.args, **case.kwargs)
    except NotImplementedError as exc:
        stub = _raising_function(exc)
        if stub and stub != name and stub != getattr(fn, "__name__", name):
            raise NotImplementedError(
                f"{stub} is not implemented yet, and {name} calls it: replace `raise NotImplementedError()` "
                f"in {stub}'s cell with your code, run that cell, then run this check again."
            ) from exc
        raise NotImplementedError(
            f"{name} is not implemented yet: replace `raise NotImplementedError()` in its cell "
            "with your code, run that cell, then run this check again."
        ) from exc
    for i, (b, a) in enumerate(zip(args_before, case.args)):
        if _mutated(b, a):
            raise CheckFailed(
                f"{name} modified its argument {i + 1} in place. Work on a copy "
                "(e.g. `x = x.copy()` or `np.array(x, copy=True)`) so the caller's data is unchanged."
            )
    for k in kwargs_before:
        if _mutated(kwargs_before[k], case.kwargs[k]):
            raise CheckFailed(f"{name} modified its argument `{k}` in place; work on a copy.")
    return result


def check_function(
    student_fn: Callable,
    reference_fn: Callable,
    cases: Iterable[Any],
    *,
    name: str | None = None,
    rtol: float = RTOL,
    atol: float = ATOL,
    quiet: bool = False,
) -> None:
    """Compare ``student_fn`` with ``reference_fn`` on each case; raise on the first difference.

    Arguments:
        student_fn: the student's function.
        reference_fn: the course_utils reference with the same signature.
        cases: argument tuples or :class:`Case` objects.
        name: the function's name in messages (default: ``student_fn.__name__``).
        rtol, atol: tolerances for numeric comparison (see :func:`numpy.isclose`).
        quiet: do not print the success line.

    Returns:
        None, on purpose: a visible check is the last line of a graded cell, and nbgrader reads a
        number displayed there (``Out[n]: 2``) as partial credit, which crashes its validator when
        the number exceeds the cell's points. The number of cases is in the printed line.
    Raises:
        CheckFailed if ``student_fn`` is not callable, modifies an argument in place, or returns
        something that differs from the reference's result (see :func:`compare`);
        NotImplementedError if ``student_fn`` is still the unimplemented stub. An exception
        raised by either function propagates.
    """
    name = name or getattr(student_fn, "__name__", "your function")
    if not callable(student_fn):
        raise CheckFailed(f"{name} is not a function (got {type(student_fn).__name__}); did you overwrite it?")
    n = 0
    for n, raw in enumerate(cases, start=1):
        case = Case.of(raw)
        expected = reference_fn(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
        got = call_student(student_fn, case, name)
        try:
            compare(expected, got, where=f"{name} output", rtol=rtol, atol=atol)
        except CheckFailed as exc:
            raise CheckFailed(f"{name}{case.describe()}, case {n}:\n{exc}") from None
    if not quiet:
        print(f"\u2714 {name}: all {n} check(s) match the reference.")


def is_close_scalar(a: float, b: float, rtol: float = RTOL, atol: float = ATOL) -> bool:
    """``math.isclose`` with the course tolerances (helper for worked examples).

    Arguments: a, b -- numbers. Returns: a bool.
    """
    return math.isclose(a, b, rel_tol=rtol, abs_tol=atol)
