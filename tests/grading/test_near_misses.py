"""The visible check never passes what the hidden test fails (issue 11, point 2).

Every graded function of every source notebook gets near-miss variants of its correct answer:

* a float returned as a ``(1, 1)`` array, or as a 0-d array;
* a list instead of an array (or of a number);
* float32 instead of float64;
* a transposed result (the first 2-D part that is not square);
* an extra axis;
* an input modified in place (the result itself correct);
* a list instead of a tuple (accepted by both, by design: it unpacks the same way).

Each variant runs the notebook's own visible check (the graded cell's visible part, as the student
runs it) and the cell's hidden tests as the grader runs them: recorded in the notebook's namespace
(``HiddenTest`` in record mode) and judged by replaying the instructor's hidden text against the
records in a separate namespace (``autograder.engine.verdicts.judge``). The two verdicts must agree,
and for every variant but the last the visible check must refuse it: it applies every acceptance rule
of the hidden test.

Cheap by construction: no kernel and no whole-notebook run. From each source notebook it executes
only the cells the graded cells need (a reaching-definitions slice of the setup, solution, example
and helper cells; ``autograder.preprocessors.statement_flow``), once, and keeps the namespace each
graded cell sees. A variant is the notebook's own teaching solution, wrapped. The teaching solution
and the reference each compute a result once per input over all the variants
(:func:`wrapped`, :func:`references_computed_once`).

What is proven where: this module proves, per graded function, that the visible check and the
hidden test give the same verdict on each near miss (the comparison rules). That the teaching
solution passes its hidden tests on other inputs in a real kernel run of the whole source notebook
is tests/notebooks/test_notebooks.py; what `make check` and `nbgrader validate` report on a handed-in
notebook is tests/autograder/test_student_checks.py.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import hashlib
import io
import pickle
import json
import os
import re
import time
import types
import warnings

import numpy as np
import pytest

from autograder.preprocessors import BEGIN_HIDDEN, statement_flow
from course_utils.grading.records import RECORD_ENV, read_records
from helpers import nb_id, source_notebooks

NOTEBOOKS = source_notebooks()


# --- the variants ------------------------------------------------------------------------------

def _is_float(x) -> bool:
    return isinstance(x, (float, np.floating)) and not isinstance(x, (bool, np.bool_))


def _replace_first(value, pred, fn):
    """(value with its first part that satisfies ``pred`` replaced by ``fn(part)``, whether one was)."""
    if pred(value):
        return fn(value), True
    if isinstance(value, (tuple, list)):
        items = list(value)
        for i, item in enumerate(items):
            new, done = _replace_first(item, pred, fn)
            if done:
                items[i] = new
                return (tuple(items) if isinstance(value, tuple) else items), True
    elif isinstance(value, dict):
        for key, item in value.items():
            new, done = _replace_first(item, pred, fn)
            if done:
                out = dict(value)
                out[key] = new
                return out, True
    return value, False


def _first_array(values):
    """The first writeable, non-empty numeric array among (nested) call arguments."""
    for v in values:
        if isinstance(v, np.ndarray) and v.size and v.dtype.kind in "biuf" and v.flags.writeable:
            return v
        if isinstance(v, dict):
            v = list(v.values())
        if isinstance(v, (list, tuple)):
            found = _first_array(v)
            if found is not None:
                return found
    return None


class Variant:
    """A near miss: ``apply(result, args, kwargs, undo)`` -> (the changed result, whether it changed)."""

    def __init__(self, name, accepted_by_design=False, pred=None, fn=None, mutates=False):
        self.name, self.accepted_by_design = name, accepted_by_design
        self.pred, self.fn, self.mutates = pred, fn, mutates

    def apply(self, result, args, kwargs, undo):
        if self.mutates:
            a = _first_array(list(args) + list(kwargs.values()))
            if a is None:
                return result, False
            old = a.flat[0]
            a.flat[0] = (not old) if a.dtype.kind == "b" else old + 1
            undo.append((a, old))
            return result, True
        if self.pred is None:  # tuple -> list
            return (list(result), True) if isinstance(result, tuple) else (result, False)
        leaves = []

        def fn(leaf):
            leaves.append(leaf)
            return self.fn(leaf)
        result, changed = _replace_first(result, self.pred, fn)
        self.numpy_scalar = bool(leaves) and isinstance(leaves[0], np.generic)
        return result, changed

    def would_apply(self, result, args, kwargs) -> bool:
        """Whether :meth:`apply` would change this call (without changing anything)."""
        if self.mutates:
            return _first_array(list(args) + list(kwargs.values())) is not None
        if self.pred is None:
            return isinstance(result, tuple)
        return _replace_first(result, self.pred, lambda leaf: leaf)[1]

    def __repr__(self):
        return self.name


BASELINE = Variant("the correct answer", accepted_by_design=True, pred=lambda x: False, fn=None)
VARIANTS = [
    Variant("a float as a (1, 1) array", pred=_is_float, fn=lambda x: np.array([[x]])),
    # where the reference itself returns a numpy scalar (unbroadcast to shape (), sigmoid of a number),
    # a 0-d array is the same thing (numpy's own form of it): both accept it, by design
    Variant("a float as a 0-d array", pred=_is_float, fn=lambda x: np.array(x)),
    Variant("a list instead of an array or number",
            pred=lambda x: isinstance(x, np.ndarray) and x.dtype.kind in "biuf" or _is_float(x),
            fn=lambda x: x.tolist() if isinstance(x, np.ndarray) else [x]),
    Variant("float32", pred=lambda x: isinstance(x, np.ndarray) and x.dtype == np.float64 or _is_float(x),
            fn=lambda x: x.astype(np.float32) if isinstance(x, np.ndarray) else np.float32(x)),
    Variant("transposed", pred=lambda x: isinstance(x, np.ndarray) and x.ndim == 2 and x.shape[0] != x.shape[1],
            fn=lambda x: x.T.copy()),
    Variant("an extra axis", pred=lambda x: isinstance(x, np.ndarray) and x.dtype.kind in "biuf" or _is_float(x),
            fn=lambda x: x[np.newaxis] if isinstance(x, np.ndarray) else np.array([x])),
    Variant("an input modified in place", mutates=True),
    Variant("a list instead of a tuple", accepted_by_design=True),
]


_MEMO: dict = {}


def _memo_key(fn, args, kwargs):
    try:
        return fn.__name__, hashlib.sha1(pickle.dumps((args, kwargs), protocol=4)).hexdigest()
    except Exception:  # a lambda or a graph node among the arguments: call it each time
        return None


def _plain(value) -> bool:
    """Numbers, arrays, strings and containers of them only: a copy is as good as the original (a
    list of graph nodes is not: topological_order's callers compare the nodes by identity)."""
    if isinstance(value, (tuple, list)):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(_plain(v) for v in value.values())
    return value is None or isinstance(value, (np.ndarray, np.generic, int, float, complex, str))


def wrapped(fn, variant, applied, undo):
    """The teaching solution ``fn`` made into a near miss; each call that changed something is logged
    in ``applied`` (for the baseline: the variants that would change it). The teaching solution's
    result is computed once per input over all variants (a copy is returned each time)."""
    @functools.wraps(fn)
    def student(*args, **kwargs):
        key = _memo_key(fn, args, kwargs)
        if key in _MEMO:
            result = copy.deepcopy(_MEMO[key])
        else:
            result = fn(*args, **kwargs)
            if key is not None and _plain(result):
                _MEMO[key] = copy.deepcopy(result)
        if variant is BASELINE:
            applied.extend(v.name for v in VARIANTS if v.would_apply(result, args, kwargs))
            return result
        result, changed = variant.apply(result, args, kwargs, undo)
        if changed:
            applied.append("numpy scalar" if getattr(variant, "numpy_scalar", False) else "changed")
        return result
    return student


_REFERENCE_MEMO: dict = {}


def _memoized_reference(fn):
    """``fn`` computing each result once per input (a copy is returned each time). Only calls whose
    inputs and result are plain values are reused (a generator among the arguments, whose state the
    call would advance, is passed through)."""
    @functools.wraps(fn)
    def reference(*args, **kwargs):
        if not _plain([list(args), kwargs]):
            return fn(*args, **kwargs)
        key = (fn.__module__, fn.__qualname__, hashlib.sha1(pickle.dumps((args, kwargs), protocol=4)).hexdigest())
        if key not in _REFERENCE_MEMO:
            result = fn(*args, **kwargs)
            if not _plain(result):
                return result
            _REFERENCE_MEMO[key] = copy.deepcopy(result)
        return copy.deepcopy(_REFERENCE_MEMO[key])
    return reference


@contextlib.contextmanager
def references_computed_once(sliced):
    """While a notebook's variants run, each graded function's reference (the same-named function of a
    course_utils module the notebook imports, ``ref.L_layer_model``) computes each result once: the
    visible checks and the replay give it the same inputs for every variant (the replay draws the
    hidden inputs from the same seeds), and 1/05's reference trains a network per call. What is
    compared is unchanged; only the repeated computation goes."""
    modules = {id(v): v for v in sliced.live.values()
               if isinstance(v, types.ModuleType) and v.__name__.startswith("course_utils.")}
    patched = []
    try:
        for module in modules.values():
            for name in sliced.functions:
                fn = getattr(module, name, None)
                if isinstance(fn, types.FunctionType):
                    patched.append((module, name, fn))
                    setattr(module, name, _memoized_reference(fn))
        yield
    finally:
        for module, name, fn in reversed(patched):
            setattr(module, name, fn)
        _REFERENCE_MEMO.clear()


# --- the notebook, sliced ----------------------------------------------------------------------

def _nbgrader(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def _text(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _split(source):
    visible, _, hidden = source.partition(BEGIN_HIDDEN)
    return visible, hidden.split("### END HIDDEN TESTS")[0]


@functools.lru_cache(maxsize=None)
def _python(source):
    from IPython.core.inputtransformer2 import TransformerManager

    lines = TransformerManager().transform_cell(source).splitlines()
    return "\n".join("pass" if ln.lstrip().startswith("get_ipython()") else ln for ln in lines)


@functools.lru_cache(maxsize=None)
def _compiled(source, filename):
    """A graded cell's part, compiled once for all the variants that run it."""
    return compile(_python(source), filename, "exec")


def _cell_names(source):
    flow = statement_flow(source) or []
    exposed, binds, bound = set(), set(), set()
    for _, exp, b in flow:
        exposed |= exp - bound
        bound |= b
        binds |= b
    return exposed, binds


class Sliced:
    """A source notebook's graded cells, each with the namespace it runs in (built once)."""

    def __init__(self, path):
        self.path = path
        self.nb = json.loads(path.read_text(encoding="utf-8"))
        cells = [(i, c) for i, c in enumerate(self.nb["cells"]) if c["cell_type"] == "code"]
        self.graded = [(i, _nbgrader(c)["grade_id"], *_split(_text(c))) for i, c in cells if _nbgrader(c).get("grade")]
        self.functions = sorted({n for i, c in cells if _nbgrader(c).get("solution")
                                 for n in re.findall(r"^def\s+(\w+)\s*\(", _text(c), flags=re.M)})
        # reaching definitions, backwards: a cell runs if it binds a name a later cell that runs reads
        graded_ids = {i for i, *_ in self.graded}
        run, needed = set(), set()
        for i, c in reversed(cells):
            exposed, binds = _cell_names(_text(c))
            if i in graded_ids or binds & needed:
                run.add(i)
                needed = (needed - binds) | exposed
        self.ran = sorted(run - graded_ids)
        self.env = {}
        ns = {"__name__": "__main__"}
        from IPython.display import display
        ns["display"] = display
        for i, c in cells:
            if i in graded_ids:
                gid = _nbgrader(c)["grade_id"]
                self.env[gid] = dict(ns)  # what the graded cell sees
            elif i in run:
                exec(compile(_python(_text(c)), f"<{path.stem} cell {i}>", "exec"), ns)
        self.live = ns


@contextlib.contextmanager
def quiet(cwd):
    import matplotlib.pyplot as plt

    old = os.getcwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()), \
                warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        os.chdir(old)
        plt.close("all")


def run_variant(sliced, variant, records_file):
    """{grade_id: (visible message or None, whether the variant changed a result in the visible check)}
    and the grader's verdicts {grade_id: Verdict} for one variant of every graded function."""
    from autograder.engine.assemble import build_template
    from autograder.engine.verdicts import judge

    import course_utils.grading.checks as checks

    visible, compared = {}, []
    if records_file.exists():
        records_file.unlink()
    os.environ[RECORD_ENV] = str(records_file)
    real_compare = checks.compare

    def recording_compare(expected, got, **kwargs):  # the baseline notes what each visible check compares
        compared.append((kwargs.get("where"), expected, kwargs.get("parts")))
        return real_compare(expected, got, **kwargs)

    if variant is BASELINE:
        checks.compare = recording_compare
    try:
        for _, gid, vis, hidden in sliced.graded:
            ns = dict(sliced.env[gid])
            applied, undo = [], []
            for name in sliced.functions:
                ns[name] = wrapped(sliced.live[name], variant, applied, undo)
            try:
                exec(_compiled(vis, f"<visible part of {gid}>"), ns)
                message = None
            except Exception as exc:
                message = f"{type(exc).__name__}: {exc}"
            seen = set(applied) if variant is BASELINE else (
                "numpy scalar" if "numpy scalar" in applied else bool(applied))
            try:
                exec(_compiled(hidden, f"<hidden tests of {gid}>"), ns)
            except Exception:
                pass  # the replay below is the verdict; a crash here leaves no record, which fails it
            for array, old in reversed(undo):
                array.flat[0] = old
            visible[gid] = (message, seen)
    finally:
        del os.environ[RECORD_ENV]
        checks.compare = real_compare
    records, _ = read_records(records_file, 50_000_000)
    template = build_template(sliced.path.name, sliced.nb, sliced.nb)
    verdicts, errors = judge(template, records)
    assert errors == [], errors
    return visible, verdicts, compared


# --- point 4: the parts of every result are named ----------------------------------------------

def output_parts_of(parts):
    from course_utils.grading.checks import Parts

    return Parts.parse(parts) if isinstance(parts, str) else parts


def unnamed_tuples(expected, part, pos=""):
    """Positions of the tuples in ``expected`` whose items ``part`` does not name."""
    out = []
    if isinstance(expected, tuple):
        items = part.items if part is not None and part.items is not None else None
        if items is None or len(items) != len(expected) or not all(p.name for p in items):
            out.append(f"output{pos}")
        for i, e in enumerate(expected):
            out += unnamed_tuples(e, items[i] if items and len(items) == len(expected) else None, f"{pos}[{i}]")
    elif isinstance(expected, list):
        each = part.each if part is not None else None
        for i, e in enumerate(expected):
            out += unnamed_tuples(e, each, f"{pos}[{i}]")
    elif isinstance(expected, dict):
        for k, e in expected.items():
            out += unnamed_tuples(e, None, f"{pos}[{k!r}]")
    return out


def part_names(part):
    if part is None:
        return set()
    names = {part.name} if part.name else set()
    for child in (part.items or ()) + ((part.each,) if part.each is not None else ()):
        names |= part_names(child)
    return names


def docstring_names(sliced):
    """Every name the "Returns:" sections of the notebook's exercise docstrings use; "the linear
    cache" also counts as linear_cache."""
    import ast

    words = set()
    for cell in sliced.nb["cells"]:
        if not _nbgrader(cell).get("solution"):
            continue
        for node in ast.parse(_python(_text(cell))).body:
            doc = ast.get_docstring(node) if isinstance(node, ast.FunctionDef) else None
            if doc and "Returns:" in doc:
                section = doc.split("Returns:", 1)[1]
                tokens = re.findall(r"\w+", section)
                words |= set(tokens) | {f"{a}_{b}" for a, b in zip(tokens, tokens[1:])}
    return words


_SLICED = {}


def sliced(path):
    if path not in _SLICED:
        with quiet(path.parent):
            _SLICED[path] = Sliced(path)
    return _SLICED[path]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=nb_id)
def test_visible_and_hidden_verdicts_agree_on_near_misses(path, tmp_path, record_property):
    t0 = time.perf_counter()
    nb = sliced(path)
    outcomes = {}
    with quiet(path.parent), references_computed_once(nb):
        for variant in [BASELINE] + VARIANTS:
            visible, verdicts, compared = run_variant(nb, variant, tmp_path / "records.jsonl")
            for gid, (message, seen) in visible.items():
                outcomes[gid, variant.name] = (message, seen, verdicts[gid])
            if variant is BASELINE:
                baseline_compared = compared
    record_property("timing", (f"near misses {nb_id(path)}", time.perf_counter() - t0))

    problems = []
    for (gid, name), (message, seen, verdict) in outcomes.items():
        if name == BASELINE.name:
            if message is not None or not verdict.passed:
                problems.append(f"{gid}, correct answer: visible {message}, hidden {verdict.failures}")
            continue
        variant = next(v for v in VARIANTS if v.name == name)
        applicable = name in outcomes[gid, BASELINE.name][1]
        if bool(seen) != applicable:  # the harness itself: each near miss is tried wherever it applies
            problems.append(f"{gid}, {name}: changed a result of the visible check: {bool(seen)}, "
                            f"applicable to its results: {applicable}")
        if not seen:
            continue  # nothing on the visible example for it to catch (e.g. a number given to sigmoid is hidden)
        if (message is None) != verdict.passed:
            problems.append(f"{gid}, {name}: visible {'passes' if message is None else 'fails'}, "
                            f"hidden {'passes' if verdict.passed else 'fails: ' + '; '.join(verdict.failures)[:300]}")
        elif message is None and not variant.accepted_by_design and not (seen == "numpy scalar" and "0-d" in name):
            problems.append(f"{gid}, {name}: the visible check accepts it (so does the hidden test)")
    assert problems == []
    # point 4: every tuple in a graded function's result is named, as the exercises' docstrings name it
    assert [(where, pos) for where, expected, parts in baseline_compared
            for pos in unnamed_tuples(expected, output_parts_of(parts))] == []
    words = docstring_names(nb)
    assert {(where, name) for where, _, parts in baseline_compared
            for name in part_names(output_parts_of(parts)) if name not in words} == set()
    tried = {name for (gid, name), (_, seen, _) in outcomes.items() if seen and name != BASELINE.name}
    assert tried, "no near miss changed any result of this notebook"





@pytest.mark.parametrize("path", NOTEBOOKS, ids=nb_id)
def test_visible_check_and_hidden_test_use_the_same_tolerances(path):
    """The other place the two could differ: a cell's check_function and its HiddenTest(s) compare with
    the same rtol and atol (both default, or both the same literal)."""
    import ast

    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        if not _nbgrader(cell).get("grade"):
            continue
        tolerances = {}
        for node in ast.walk(ast.parse(_python(_text(cell)))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                    node.func.id in ("check_function", "HiddenTest"):
                given = {k.arg: ast.literal_eval(k.value) for k in node.keywords if k.arg in ("rtol", "atol")}
                tolerances.setdefault(node.func.id, set()).add((given.get("rtol"), given.get("atol")))
        assert len(tolerances) == 2, (_nbgrader(cell)["grade_id"], tolerances)
        assert tolerances["check_function"] == tolerances["HiddenTest"], (_nbgrader(cell)["grade_id"], tolerances)
