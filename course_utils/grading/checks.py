"""Student-facing checks: compare a student's function with the course reference.

The visible check cells of every notebook call :func:`check_function`; the hidden tests
(:class:`course_utils.grading.hidden.HiddenTest`) use the same comparison, :func:`compare`, so a student
gets the same kind of message from both.

The two accept exactly the same results (:func:`compare` lists the rules), so a visible check never
passes what a hidden test then fails for a reason its example shows.

A failed check raises :class:`CheckFailed` (an ``AssertionError``) whose message says, problem first,

* which function and which part of the return value is wrong, the part named as the exercise's
  docstring names it (``cache -> linear_cache -> W``, ``v['dW1']``; see :class:`Parts`),
* the expected and the received type or shape (with a hint for rank-1 arrays, transposed results,
  an extra axis, a one-entry array where a number is asked for),
* how many entries differ, the largest difference, and the first few differing
  entries with their index,
* where the first NaN or infinity appeared,
* which argument the function modified in place, if it did,
* and last, which case it was.

In a notebook the message is shown first, followed by the student's own frames only
(:func:`install_display`).
"""

from __future__ import annotations

import copy
import functools
import math
import os
import re
import sys
import types
from typing import Any, Callable, Iterable, Sequence

import numpy as np

__all__ = ["CheckFailed", "Case", "Parts", "OUTPUT_PARTS", "compare", "check_function", "describe", "output_parts",
           "install_display", "NotInStudentKit", "kit_result", "outcome"]

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

    def called(self, name: str) -> str:
        """The case as messages name it: ``L2(array(1, 5), array(1, 5))``, or with a label
        ``weighted_error (weights 10 for 3 and 8)``."""
        return f"{name} ({self.label})" if self.label else f"{name}{self.describe()}"


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


# --- naming the parts of a result ----------------------------------------------------------------

class Parts:
    """Names for the parts of a function's result, as the exercise's docstring names them.

    Messages then say ``cache -> linear_cache -> W`` instead of ``output[1][0][1]``. Written as a
    short spec (:meth:`parse`):

    * ``"w, b"``: a 2-tuple ``(w, b)``;
    * ``"A, cache=(linear_cache=(A_prev, W, b), activation_cache)"``: a part that is itself a
      tuple names its items in brackets;
    * ``"AL, caches=[(linear_cache=(A_prev, W, b), activation_cache)]"``: square brackets describe
      every element of a list (messages say ``caches[2] -> linear_cache -> W``);
    * a spec of one item names the whole result: ``"mini_batches=[(mini_batch_X, mini_batch_Y)]"``.

    Dict entries need no names: their keys are shown (``v['dW1']``). A tuple whose length differs
    from the spec's is reported by position.

    Arguments: name -- this part's name or None; items -- the Parts of a tuple's items, or None;
    each -- the Parts of every element of a list, or None.
    """

    __slots__ = ("name", "items", "each")

    def __init__(self, name: str | None = None, items: tuple | None = None, each: "Parts | None" = None) -> None:
        self.name = name
        self.items = items
        self.each = each

    def __repr__(self) -> str:
        inner = ""
        if self.items is not None:
            inner = "(" + ", ".join(map(repr, self.items)) + ")"
        elif self.each is not None:
            inner = f"[{self.each!r}]"
        if self.name and inner:
            return f"{self.name}={inner}"
        return self.name or inner

    @classmethod
    def parse(cls, spec: str) -> "Parts":
        """The Parts a spec describes (see the class docstring); ``repr`` gives the spec back.

        Arguments: spec -- a str such as ``"A, cache=(linear_cache=(A_prev, W, b), activation_cache)"``.
        Returns: a Parts. Raises: ValueError if the spec is not well formed.
        """
        tokens = _PARTS_TOKEN.findall(spec)
        if "".join(tokens) != re.sub(r"\s+", "", spec) or not tokens:
            raise ValueError(f"output parts {spec!r}: use names, '=', ',', brackets () and []")
        items, pos = _parse_items(tokens, 0, None, spec)
        return items[0] if len(items) == 1 else cls(items=tuple(items))


_PARTS_TOKEN = re.compile(r"[A-Za-z_]\w*|[=,()\[\]]")


def _parse_items(tokens: list, pos: int, closer: str | None, spec: str) -> tuple[list, int]:
    items = []
    while True:
        item, pos = _parse_item(tokens, pos, spec)
        items.append(item)
        tok = tokens[pos] if pos < len(tokens) else None
        if tok == "," and closer != "]":
            pos += 1
        elif tok == closer:
            return items, pos
        else:
            raise ValueError(f"output parts {spec!r}: unexpected {tok or 'end'!r}")


def _parse_item(tokens: list, pos: int, spec: str) -> tuple["Parts", int]:
    tok = tokens[pos] if pos < len(tokens) else None
    if tok is not None and (tok[0].isalpha() or tok[0] == "_"):
        if pos + 1 < len(tokens) and tokens[pos + 1] == "=":
            part, pos = _parse_struct(tokens, pos + 2, spec)
            part.name = tok
            return part, pos
        return Parts(tok), pos + 1
    return _parse_struct(tokens, pos, spec)


def _parse_struct(tokens: list, pos: int, spec: str) -> tuple["Parts", int]:
    tok = tokens[pos] if pos < len(tokens) else None
    if tok == "(":
        items, pos = _parse_items(tokens, pos + 1, ")", spec)
        return Parts(items=tuple(items)), pos + 1
    if tok == "[":
        items, pos = _parse_items(tokens, pos + 1, "]", spec)
        return Parts(each=items[0]), pos + 1
    raise ValueError(f"output parts {spec!r}: expected a name, '(' or '[', got {tok or 'end'!r}")


#: The names of the parts of every graded function's result whose parts are tuples, keyed by the
#: reference function (``module.qualname``) that the visible check and the hidden test compare
#: with, so both name a part the same way. The names are the exercise docstrings' (a test checks
#: that every tuple a graded function returns is named here, and the names against the docstrings).
OUTPUT_PARTS = {
    # Track 1
    "course_utils.exercises.logistic_regression.initialize_with_zeros": "w, b",
    "course_utils.exercises.logistic_regression.propagate": "grads, cost",
    "course_utils.exercises.logistic_regression.optimize": "params, grads, costs",
    "course_utils.exercises.shallow_network.layer_sizes": "n_x, n_h, n_y",
    "course_utils.exercises.shallow_network.forward_propagation": "A2, cache",
    "course_utils.nn.linear.linear_forward": "Z, cache=(A, W, b)",
    "course_utils.nn.linear.linear_activation_forward":
        "A, cache=(linear_cache=(A_prev, W, b), activation_cache)",
    "course_utils.models.mlp.L_model_forward": "AL, caches=[(linear_cache=(A_prev, W, b), activation_cache)]",
    "course_utils.exercises.deep_step_by_step.linear_backward": "dA_prev, dW, db",
    "course_utils.exercises.deep_step_by_step.linear_activation_backward": "dA_prev, dW, db",
    "course_utils.exercises.deep_network_application.two_layer_model": "parameters, costs",
    "course_utils.exercises.deep_network_application.L_layer_model": "parameters, costs",
    # Track 2
    "course_utils.exercises.regularization.forward_propagation_with_dropout":
        "A3, cache=(Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)",
    "course_utils.optim.minibatch.random_mini_batches": "mini_batches=[(mini_batch_X, mini_batch_Y)]",
    "course_utils.exercises.optimization.update_parameters_with_momentum": "parameters, v",
    "course_utils.exercises.optimization.update_parameters_with_rmsprop": "parameters, s",
    "course_utils.exercises.optimization.initialize_adam": "v, s",
    "course_utils.exercises.optimization.update_parameters_with_adam": "parameters, v, s, v_corrected, s_corrected",
    "course_utils.exercises.batch_norm_and_softmax.batchnorm_forward": "Z_tilde, cache=(Z_norm, mu, var, gamma, eps)",
    "course_utils.exercises.batch_norm_and_softmax.batchnorm_backward": "dZ, dgamma, dbeta",
    "course_utils.nn.batchnorm.update_running_stats": "running_mu, running_var",
    "course_utils.autodiff.matmul_backward": "dA, dB",
    "course_utils.optim.tuning.zoom_box": "fine_lr_range=(low, high), fine_beta_range=(low, high)",
    # Track 3
    "course_utils.metrics.classification.precision_recall_f1": "precision, recall, f1",
    "course_utils.data.splits.split_sizes": "m_train, m_dev, m_test",
    "course_utils.data.splits.make_training_dev_split": "X_train, Y_train, X_train_dev, Y_train_dev",
}


def output_parts(reference_fn: Any) -> Parts | None:
    """The names of the parts of ``reference_fn``'s result, or None if it has none.

    Looked up in :data:`OUTPUT_PARTS` by ``module.qualname``; a function (e.g. a notebook's own
    wrapper of a reference) may also carry a spec as its ``__output_parts__`` attribute.

    Arguments: reference_fn -- a reference function (anything; a non-function gives None).
    Returns: a :class:`Parts` or None. Raises: ValueError if the spec found is not well formed.
    """
    spec = getattr(reference_fn, "__output_parts__", None)
    if spec is None:
        key = f"{getattr(reference_fn, '__module__', '')}.{getattr(reference_fn, '__qualname__', '')}"
        spec = OUTPUT_PARTS.get(key)
    if spec is None:
        return None
    return spec if isinstance(spec, Parts) else _parsed(spec)


@functools.lru_cache(maxsize=None)
def _parsed(spec: str) -> Parts:
    return Parts.parse(spec)


class _Where:
    """Where in a result a comparison is: the position (``output[1][0][1]``) and, where the parts
    are named, the name (``cache -> linear_cache -> W``)."""

    __slots__ = ("root", "pos", "named", "part")

    def __init__(self, root: str, part: Parts | None, pos: str = "", named: str = "") -> None:
        self.root, self.part, self.pos = root, part, pos
        self.named = named or (part.name if part is not None and part.name and not pos else "") or ""

    def item(self, i: int, n: int) -> "_Where":
        """Item ``i`` of a tuple or list of ``n`` items."""
        part, named, child = self.part, self.named, None
        if part is not None and part.each is not None:
            child, named = part.each, f"{named}[{i}]" if named else ""
        elif part is not None and part.items is not None and len(part.items) == n:
            child = part.items[i]
            if child.name:
                named = f"{named} -> {child.name}" if named else child.name
            elif named:
                named = f"{named}[{i}]"
        elif named:
            named = f"{named}[{i}]"
        return _Where(self.root, child, f"{self.pos}[{i}]", named)

    def key(self, k: Any) -> "_Where":
        """The entry of key ``k`` of a dict."""
        return _Where(self.root, None, f"{self.pos}[{k!r}]", f"{self.named}[{k!r}]" if self.named else "")

    def __str__(self) -> str:
        here = f"{self.root}{self.pos}"
        return f"{self.named} ({here})" if self.named else here


# --- the comparison ----------------------------------------------------------------------------

def _shape_hint(expected: np.ndarray, got: np.ndarray) -> str:
    if got.ndim == 1 and expected.ndim == 2 and got.size == expected.size:
        return (
            f" Your result is a rank-1 array of shape {got.shape}; reshape it, for example "
            f"with .reshape{expected.shape}, so rows and columns are explicit."
        )
    if expected.ndim == got.ndim == 2 and expected.shape == got.shape[::-1]:
        return " The shape is transposed: check which axis holds the examples."
    if got.ndim > expected.ndim and tuple(n for n in got.shape if n != 1) == tuple(n for n in expected.shape if n != 1):
        return " Your result has an extra axis of length 1: check where it was added (e.g. keepdims, np.newaxis)."
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
    cause = ("NaN usually comes from log(0), 0/0 or an overflow earlier in the computation." if kind == "NaN" else
             "An infinity usually comes from a division by 0 or an overflow (exp of a large number).")
    if got.ndim == 0:   # a single number: there is no index to name
        return f"{where} is {'NaN (not a number)' if kind == 'NaN' else 'infinite'}. {cause}"
    return f"{where} contains {count} non-finite value(s); the first {kind} is at index {index}. {cause}"


def _precision_message(where: str, got_dtype: np.dtype, expected_dtype: np.dtype) -> str:
    digits = np.finfo(got_dtype).precision
    return (f"{where} has dtype {got_dtype}; expected {expected_dtype}. {got_dtype} keeps only about {digits} "
            f"significant digits, so results drift from the reference: compute in {expected_dtype} "
            f"(no .astype(np.{got_dtype}) or dtype=np.{got_dtype}).")


def _compare_arrays(where: str, expected: np.ndarray, got: np.ndarray, rtol: float, atol: float) -> None:
    if expected.shape != got.shape:
        raise CheckFailed(
            f"{where} has the wrong shape: expected {expected.shape}, got {got.shape}."
            + _shape_hint(expected, got)
        )
    if got.dtype == object:
        raise CheckFailed(f"{where} is an array of Python objects; expected numbers of dtype {expected.dtype}.")
    if expected.dtype.kind in "biuf" and got.dtype.kind not in "biuf":
        raise CheckFailed(f"{where} has dtype {got.dtype}; expected real numbers ({expected.dtype}).")
    if expected.dtype.kind == got.dtype.kind == "f" and got.dtype.itemsize < expected.dtype.itemsize:
        raise CheckFailed(_precision_message(where, got.dtype, expected.dtype))
    if expected.dtype.kind in "fc":
        msg = _nonfinite_message(where, got)
        if msg and not np.array_equal(np.isfinite(expected), np.isfinite(got)):
            raise CheckFailed(msg)
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


def _number_kind(value: Any) -> str | None:
    """"bool", "int", "float" or "complex" for a Python or numpy scalar; None for anything else."""
    if isinstance(value, (bool, np.bool_)):
        return "bool"
    if isinstance(value, (int, np.integer)):
        return "int"
    if isinstance(value, (float, np.floating)):
        return "float"
    if isinstance(value, (complex, np.complexfloating)):
        return "complex"
    return None


_KIND_WORDS = {"bool": "True or False", "int": "an integer", "float": "a float", "complex": "a complex number"}


def _brief(value: Any) -> str:
    """A value for a message: numbers and strings as they are, containers and arrays by shape."""
    if isinstance(value, (str, bool, int, float, np.generic)):
        return repr(value.item() if isinstance(value, np.generic) else value)
    return describe(value)


def _scale_hint(expected: Any, got: Any) -> str:
    """A hint when ``got`` is ``expected`` times 100 or divided by 100 (a percentage against a fraction)."""
    e, g = float(expected), float(got)
    if e == 0.0 or not np.isfinite(g):
        return ""
    if np.isclose(g, 100.0 * e, rtol=1e-6, atol=0.0):
        return " Your result is exactly 100 times the expected one: a percentage where a fraction is asked?"
    if np.isclose(g, e / 100.0, rtol=1e-6, atol=0.0):
        return " Your result is exactly the expected one divided by 100: a fraction where a percentage is asked?"
    return ""


def _compare_numbers(where: str, expected: Any, got: Any, rtol: float, atol: float) -> None:
    kind = _number_kind(expected)
    word = _KIND_WORDS[kind]
    if isinstance(got, np.ndarray) and got.ndim == 0 and isinstance(expected, np.generic):
        got = got[()]  # numpy's own result for a 0-d input: a numpy scalar and a 0-d array are one thing
    if isinstance(got, np.ndarray):
        what = "a 0-d numpy array (shape ())" if got.ndim == 0 else f"a numpy array of shape {got.shape}"
        hint = ""
        if got.ndim == 0:
            hint = " Turn it into a number with float(...)." if kind == "float" else " Turn it into a number."
        elif got.size == 1:
            hint = (" Turn it into a number, e.g. with float(...): np.dot or @ of two 2-D arrays gives a 2-D "
                    "array, even when it holds a single entry.")
        raise CheckFailed(f"{where} should be a single number ({word}), got {what}.{hint}")
    got_kind = _number_kind(got)
    if got_kind is None:
        raise CheckFailed(f"{where} should be a single number ({word}), got {type(got).__name__}.")
    if got_kind != kind:
        hint = " Convert it with float(...)." if kind == "float" and got_kind in ("int", "bool") else ""
        raise CheckFailed(f"{where} should be {word}, got {type(got).__name__} {got!r}.{hint}")
    e, g = np.asarray(expected), np.asarray(got)
    if kind == "float" and g.dtype.itemsize < e.dtype.itemsize:
        raise CheckFailed(_precision_message(where, g.dtype, e.dtype).replace(
            f"has dtype {g.dtype}; expected {e.dtype}", f"is a numpy {g.dtype}; expected a Python float ({e.dtype})"))
    try:
        _compare_arrays(where, e, g, rtol, atol)
    except CheckFailed as exc:
        hint = _scale_hint(expected, got) if kind in ("float", "int") else ""
        if not hint:
            raise
        raise CheckFailed(f"{exc}{hint}") from None


def compare(expected: Any, got: Any, *, where: str = "the result", rtol: float = RTOL, atol: float = ATOL,
            parts: "Parts | str | None" = None) -> None:
    """Raise :class:`CheckFailed` if ``got`` differs from ``expected``; return None if equal.

    The one comparison of the course: the visible checks (:func:`check_function`) and the hidden
    tests (:class:`course_utils.grading.hidden.HiddenTest`, in every mode) both use it, so a result
    the visible check accepts is never refused by a hidden test for a reason its example shows.

    Handles numbers, numpy arrays, strings, and dicts / tuples / lists of these,
    recursively. ``where`` names the value in messages, e.g. ``"L2 output"``; ``parts`` names
    the parts of a tuple result (:class:`Parts`), so a message says ``cache -> linear_cache -> W
    (linear_activation_forward output[1][0][1])`` rather than the position alone.

    Acceptance rules, for every part:

    * **type**: a number where a number is expected, of the same kind (an int is not a float,
      a bool is not an int); never an array, not even a one-entry array, and where the reference
      returns a Python number (the exercise asks for "a float") not a 0-d array either; where it
      returns a numpy scalar (an elementwise function given a number) a 0-d array is the same
      thing. An array where an array is expected (a 0-d array also takes a number); a dict, tuple
      or list where one is expected (a tuple and a list are interchangeable: both unpack the same way);
    * **shape**: exactly the expected shape (no rank-1 for a column, no transposition, no extra axis);
    * **dtype**: numbers (not objects or strings), and floats at least as precise as expected's
      (float32 is refused where float64 is expected); integer or bool entries that equal the
      expected values are accepted;
    * **finiteness**: NaN or infinity only where ``expected`` has them;
    * **values**: within ``rtol``/``atol`` (see :func:`numpy.isclose`).

    (The fifth rule, that arguments are left unchanged, is checked where the function is called:
    :func:`call_student`.)

    Arguments:
        expected: the reference's value.
        got: the student's value.
        where: the value's name in messages.
        rtol, atol: tolerances for numbers and float arrays.
        parts: a :class:`Parts`, a spec str for :meth:`Parts.parse`, or None (positions only).
    Returns: None.
    Raises: CheckFailed if ``got`` breaks one of the rules above, is None where a value is
    expected, or has other dict keys or another length; ValueError if ``parts`` is a malformed spec.
    """
    if isinstance(parts, str):
        parts = _parsed(parts)
    _compare(expected, got, _Where(where, parts), rtol, atol)


def _compare(expected: Any, got: Any, where: _Where, rtol: float, atol: float) -> None:
    if got is None and expected is not None:
        raise CheckFailed(f"{where}: expected {_brief(expected)}, got None (did the function forget to `return` it?).")
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
            _compare(expected[key], got[key], where.key(key), rtol, atol)
        return
    if isinstance(expected, (tuple, list)):
        if not isinstance(got, (tuple, list)):
            raise CheckFailed(
                f"{where} should be a {type(expected).__name__} of {len(expected)} items, got {type(got).__name__}."
            )
        if len(got) != len(expected):
            raise CheckFailed(f"{where} should have {len(expected)} items, got {len(got)}.")
        for i, (e, g) in enumerate(zip(expected, got)):
            _compare(e, g, where.item(i, len(expected)), rtol, atol)
        return
    if isinstance(expected, str):
        if got != expected:
            raise CheckFailed(f"{where}: expected {expected!r}, got {got!r}.")
        return
    if isinstance(expected, np.ndarray):
        if expected.ndim == 0 and _number_kind(got) is not None:
            got = np.asarray(got)
        if not isinstance(got, np.ndarray):
            hint = " Convert it with np.array(...)." if isinstance(got, (list, tuple)) else ""
            raise CheckFailed(
                f"{where} should be a numpy array of shape {expected.shape}, got {type(got).__name__}.{hint}"
            )
        _compare_arrays(str(where), expected, got, rtol, atol)
        return
    if _number_kind(expected) is not None:
        _compare_numbers(str(where), expected, got, rtol, atol)
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


def outcome(fn: Callable, *args: Any, **kwargs: Any) -> Any:
    """What ``fn(*args, **kwargs)`` does, as a value a check can compare: its result, or the string
    ``"raises ValueError"`` when it raises a ValueError (the refusal of an input it must not accept).

    Used as ``functools.partial(outcome, network_type)`` on both sides of a check (visible or
    hidden), so that a case whose right answer is a ValueError, the course's error for bad input, is
    compared like any other case (1/00's ``network_type``).
    Raises: whatever other exception ``fn`` raises (a crash is not a refusal).
    """
    try:
        return fn(*args, **kwargs)
    except ValueError:
        return "raises ValueError"


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
    parts: "Parts | str | None" = None,
) -> None:
    """Compare ``student_fn`` with ``reference_fn`` on each case; raise on the first difference.

    The message says the problem first, then the case: ``L2 output should be a single number
    (a float), got a numpy array of shape (1, 1). ...`` / ``  in case 1: L2(array(1, 5), array(1, 5))``.

    Arguments:
        student_fn: the student's function.
        reference_fn: the course_utils reference with the same signature.
        cases: argument tuples or :class:`Case` objects.
        name: the function's name in messages (default: ``student_fn.__name__``).
        rtol, atol: tolerances for numeric comparison (see :func:`numpy.isclose`).
        quiet: do not print the success line.
        parts: names of the parts of the result (see :class:`Parts`); default: those of
            ``reference_fn`` (:func:`output_parts`).

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
    install_display()
    name = name or getattr(student_fn, "__name__", "your function")
    if not callable(student_fn):
        raise CheckFailed(f"{name} is not a function (got {type(student_fn).__name__}); did you overwrite it?")
    parts = output_parts(reference_fn) if parts is None else parts
    n = 0
    for n, raw in enumerate(cases, start=1):
        case = Case.of(raw)
        try:
            expected = reference_fn(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
        except NotInStudentKit as exc:  # the student kit: no recorded result for this input
            if exc.differences is None:
                raise
            raise CheckFailed(_changed_example_message(name, exc.differences)
                              + f"\n  in case {n}: {case.called(name)}") from None
        got = call_student(student_fn, case, name)
        try:
            compare(expected, got, where=f"{name} output", rtol=rtol, atol=atol, parts=parts)
        except CheckFailed as exc:
            raise CheckFailed(f"{exc}\n  in case {n}: {case.called(name)}") from None
    if not quiet:
        print(f"\u2714 {name}: all {n} check(s) match the reference.")


# --- the student kit: results recorded when the kit was built -----------------------------------
#
# `python -m autograder kit ASSIGNMENT` (autograder/kit.py) ships a course_utils in which every
# function graded in that assignment is a stub whose body is one call of `kit_result`. The stub knows
# only the results the solved notebook obtained from it while the kit was built (the visible checks'
# expected results, the locked example cells' values), stored beside this module; a visible check
# compares with those exactly as it compares with the reference in the full library.

#: the file, beside this module in a student kit, holding the recorded results (absent in the full library)
KIT_RECORDING = "kit_recording.json"


class NotInStudentKit(RuntimeError):
    """A function the student kit leaves out was called with arguments it has no recorded result for.

    Attributes: ``differences`` -- when the function has recorded calls, lines saying how these
    arguments differ from the nearest recorded ones (a visible check turns them into its
    "example input changed" message); None when nothing was recorded for it.
    """

    def __init__(self, message: str, differences: list[str] | None = None) -> None:
        super().__init__(message)
        self.differences = differences


@functools.lru_cache(maxsize=1)
def _kit_recording() -> dict:
    import json

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), KIT_RECORDING)
    if not os.path.isfile(path):
        return {}
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def _same_input(recorded: Any, given: Any, where: str) -> str | None:
    """None if ``given`` is the recorded argument (within the checks' tolerances), else how it differs
    (the comparison's message, naming the argument ``where``, with the recorded value as "recorded")."""
    try:
        compare(recorded, given, where=where, rtol=RTOL, atol=ATOL)
    except CheckFailed as exc:
        text = str(exc).replace("from the reference", "from the recorded example").replace("expected ", "recorded ")
        return "  " + text.replace("\n", "\n  ")
    return None


def kit_result(function: str, exercise: str, arguments: dict) -> Any:
    """The result recorded for ``function`` called with ``arguments`` (a stub of the student kit calls this).

    Arguments:
        function: the left-out function, ``module.name`` (``course_utils.nn.activations.sigmoid``).
        exercise: the assignment and notebook whose exercise it is, for messages.
        arguments: the call's arguments by parameter name (the stub passes its ``locals()``).
    Returns: a fresh copy of the recorded result whose recorded arguments equal ``arguments``
    (arrays and numbers within ``RTOL``/``ATOL``, types exactly).
    Raises: NotInStudentKit when no recorded call has these arguments: with ``differences`` (how
    they differ from the nearest recorded call) if the function has recorded calls, else without.
    """
    from course_utils.grading.records import decode

    short = function.rpartition(".")[2]
    left_out = f"{short} is the exercise of {exercise}; the student kit leaves it out."
    calls = _kit_recording().get(function, [])
    if not calls:
        raise NotInStudentKit(f"{left_out} Write your own {short} in the notebook, or use the one you wrote there.")
    nearest: list[str] | None = None
    for call in calls:
        recorded = {k: decode(v) for k, v in call["arguments"]}
        diffs = []
        for i, (key, value) in enumerate(recorded.items(), start=1):
            why = _same_input(value, arguments[key], f"argument {i} ({key})") if key in arguments else (
                f"  argument {i} ({key}) is missing")
            if why is not None:
                diffs.append(why)
        if not diffs:
            return decode(call["result"])
        if nearest is None or len(diffs) < len(nearest):
            nearest = diffs
    raise NotInStudentKit(f"{left_out} It knows only the results of its notebook's examples, and these arguments "
                          "are not one of them.\n" + "\n".join(nearest), differences=nearest)


def _changed_example_message(name: str, differences: list[str]) -> str:
    """The visible check's message when its example input is not the one recorded in the student kit."""
    return (
        f"{name}: the example input of this check is not the one the check was recorded with when your course kit "
        "was built, so there is no expected result to compare your result with.\n"
        + "\n".join(differences) + "\n"
        "Likely cause: the example changed after its locked cell ran, because an earlier exercise of yours that the "
        "example is computed with is wrong, or because a cell you ran assigns to the example's variable. Fix that "
        "exercise first (its own check says what is wrong), then run the notebook again from the top "
        "(Run > Restart Kernel and Run All Cells)."
    )


def is_close_scalar(a: float, b: float, rtol: float = RTOL, atol: float = ATOL) -> bool:
    """``math.isclose`` with the course tolerances (helper for worked examples).

    Arguments: a, b -- numbers. Returns: a bool.
    """
    return math.isclose(a, b, rel_tol=rtol, abs_tol=atol)


# --- how a failed check is shown in the notebook -------------------------------------------------
#
# IPython prints a traceback top to bottom and the message last: a failed check's useful line ("L2
# output should be a single number ...") sat under 15-40 lines of this module's own frames. The
# kernel's traceback formatter is wrapped so that an error raised inside a check shows the message
# first, then only the frames of the student's notebook (the check cell, the student's functions);
# frames of course_utils, numpy, IPython and the standard library are left out. The error is still an
# error output of the cell, so nbgrader, `make check` and the grader see it exactly as before.
# The same applies to the unimplemented stub (`raise NotImplementedError()`) called from an ordinary
# cell: the message names the function, and says how to run the cells below it.

_GRADING_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "")


@functools.lru_cache(maxsize=1)
def _library_dirs() -> tuple[str, ...]:
    import site
    import sysconfig

    dirs = {os.path.dirname(os.path.dirname(os.path.abspath(__file__)))}  # course_utils/
    dirs |= {sys.prefix, sys.base_prefix, sys.exec_prefix}
    dirs |= {p for p in sysconfig.get_paths().values() if p}
    try:
        dirs |= set(site.getsitepackages()) | {site.getusersitepackages()}
    except AttributeError:  # a virtualenv's old site.py
        pass
    dirs = {os.path.join(os.path.abspath(d), "") for d in dirs if d}
    return tuple(sorted(d for d in dirs if d != os.path.join(os.path.abspath(os.sep), "")))


def _library_file(filename: str) -> bool:
    """Whether a frame's file is library code (course_utils, the Python installation, site-packages)
    rather than the student's notebook cells or their own modules."""
    if filename.startswith("<"):
        return not filename.startswith("<ipython-input-")
    path = os.path.abspath(filename)
    return any(path.startswith(d) for d in _library_dirs())


def _frames(tb: types.TracebackType | None) -> list[types.TracebackType]:
    out = []
    while tb is not None:
        out.append(tb)
        tb = tb.tb_next
    return out


_STUB_MESSAGE = (
    "{name} is not implemented yet: replace `raise NotImplementedError()` in its cell with your code, "
    "then run that cell.\nIf Run All stopped here: the cells below this one need {name}. To run them "
    "anyway, click the next cell and choose Run > Run Selected Cell and All Below."
)


def _stub_name(evalue: BaseException, frames: list) -> str | None:
    """The function name if ``evalue`` is a bare NotImplementedError raised by a stub in a notebook cell."""
    if not isinstance(evalue, NotImplementedError) or evalue.args or not frames:
        return None
    code = frames[-1].tb_frame.f_code
    if _library_file(code.co_filename) or code.co_name.startswith("<"):
        return None
    return code.co_name


def _is_header(entry: str) -> bool:
    plain = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", entry).strip()
    return not plain or set(plain) <= {"-"} or plain.endswith("Traceback (most recent call last)")


def student_traceback(format_tb: Callable, etype: type, evalue: BaseException,
                      tb: types.TracebackType | None) -> list[str] | None:
    """The traceback entries a student sees for a failed check, or None for IPython's own.

    For an exception raised inside :mod:`course_utils.grading` (a failed check, or the student's
    function raising while a check called it), and for the unimplemented stub raised from any cell:
    the exception's message first, then the frames of the student's notebook only (the cell and
    the student's functions), without the exceptions it was chained from.

    Arguments:
        format_tb: IPython's ``structured_traceback(etype, evalue, tb, tb_offset=...)``.
        etype, evalue, tb: the exception, as ``sys.exc_info()`` gives it.
    Returns: the list of str entries (ANSI-coloured as ``format_tb`` colours them), or None when
    the exception is none of the above. Raises: whatever ``format_tb`` raises.
    """
    if evalue is None or tb is None:
        return None
    frames = _frames(tb)
    through_checks = any(os.path.abspath(f.tb_frame.f_code.co_filename).startswith(_GRADING_DIR) for f in frames)
    stub = None if through_checks else _stub_name(evalue, frames)
    if not through_checks and stub is None:
        return None
    if stub is not None:
        evalue.args = (_STUB_MESSAGE.format(name=stub),)
    kept = None
    for f in reversed([f for f in frames if not _library_file(f.tb_frame.f_code.co_filename)]):
        kept = types.TracebackType(kept, f.tb_frame, f.tb_lasti, f.tb_lineno)
    saved = evalue.__cause__, evalue.__context__, evalue.__suppress_context__
    evalue.__cause__ = evalue.__context__ = None
    evalue.__suppress_context__ = True
    try:
        entries = list(format_tb(etype, evalue, kept, tb_offset=0))
    finally:
        evalue.__cause__, evalue.__context__, evalue.__suppress_context__ = saved
    if not entries:
        return None
    return [entries[-1]] + [e for e in entries[:-1] if not _is_header(e)]


def install_display(shell: Any = None) -> bool:
    """Show failed checks with the message first and the student's frames only (see
    :func:`student_traceback`), in the IPython shell ``shell`` (default: the running one).

    Called when this module is imported and again by every check, so it also reaches a shell
    created after the import (the grader's runner imports course_utils before it starts one).
    Installing twice does nothing. Outside IPython it does nothing.

    Arguments: shell -- an IPython InteractiveShell, or None for ``IPython.get_ipython()``.
    Returns: True if the display is installed in a shell. Never raises.
    """
    try:
        if shell is None:
            ipython = sys.modules.get("IPython")
            shell = ipython.get_ipython() if ipython is not None else None
        formatter = getattr(shell, "InteractiveTB", None)
        if formatter is None:
            return False
        if getattr(formatter, "_course_student_traceback", False):
            return True
        original = formatter.structured_traceback

        def structured_traceback(etype, evalue=None, etb=None, tb_offset=None, context=5, **kwargs):
            try:
                entries = student_traceback(original, etype, evalue, etb)
            except Exception:  # never lose an error because of its display
                entries = None
            if entries is not None:
                return entries
            return original(etype, evalue, etb, tb_offset=tb_offset, context=context, **kwargs)

        formatter.structured_traceback = structured_traceback
        formatter._course_student_traceback = True
        return True
    except Exception:
        return False


install_display()
