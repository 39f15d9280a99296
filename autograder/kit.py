"""The student kit of one assignment: its release notebooks and a ``course_utils`` without the answer key.

``python -m autograder kit ASSIGNMENT --out DIR`` (ASSIGNMENT a track, or a notebook released as an
assignment of its own) writes

- ``DIR/ASSIGNMENT/*.ipynb``: the release, exactly as ``release`` builds it (no solutions, no hidden
  tests), so what students hand in grades as usual;
- ``DIR/dl_course_kit_student-*.whl``: an installable ``course_utils`` in which **no function graded in
  that assignment has an implementation**, nor any function graded in a later assignment that this
  one does not call at run time (next week's key is no help this week; a later answer the
  assignment's own code calls, such as the network 1/02's comparison trains, stays and is named).
  Functions graded in earlier assignments keep theirs: later notebooks use them, as the classic
  course shipped earlier weeks' solutions as helper modules.

Which functions hold an answer (:func:`answer_functions`)
    For every graded cell of every notebook of the course: the reference its visible check and its
    hidden test compare with (``check_function(f, REF, ...)``, ``HiddenTest(name, f, REF, ...)``),
    evaluated in the notebook's own locked definitions. A reference written in the notebook (a
    lambda, a ``def`` in the test cell, a ``functools.partial``) is unwrapped to the course functions
    it calls (for a partial, its function-valued arguments: the function it applies is the same
    helper for the student's side). An adapter of ``course_utils.exercises`` is a thin wrapper when
    its body is at most three statements besides its docstring; the course functions it calls are then
    where the answer actually is (``softmax_rows`` is ``softmax(x, axis=1)``, the classic
    ``linear_backward`` divides the library's by m), and they are left out too; a private helper such
  a wrapper calls stays when a function holding no answer calls it as well (an argument check).

What a left-out function becomes (:func:`strip_source`)
    Its body is replaced, in the parsed module (``ast``; the module is written back with
    ``ast.unparse``, so no comment survives either), by a stub that keeps the signature and the
    docstring's first paragraph and calls :func:`course_utils.grading.checks.kit_result`. The stub
    returns the results recorded for the arguments it was called with when the kit was built, and
    otherwise raises ``NotInStudentKit`` ("sigmoid is the exercise of 01_numpy_basics/01_numpy_basics;
    the student kit leaves it out. ...").

What is recorded (:func:`record_notebook`)
    The solved release of each of the assignment's notebooks runs once in a kernel of the full
    library, with every left-out function instrumented. The outermost call of one is recorded (its
    arguments by parameter name and its result, in the pickle-free format of
    :mod:`course_utils.grading.records`) when a visible check's reference makes it, or a notebook
    cell (an example cell building its inputs with the reference, a demo). So the visible checks
    compare with exactly the values the reference gave, with all of their messages, and a changed
    example input is named as such (``checks.kit_result``).

What the kit refuses (:class:`KitRefused`, exit status 2)
    A left-out function that the assignment needs at run time with inputs nobody can record: called
    by other library code (``optim.loop.train`` calling a graded forward pass) or by a student's own
    solution (a later notebook's solution using an earlier notebook's graded function, when both are
    in one track), or with more than ``MAX_RECORDED_CALLS`` different arguments by the notebook's own
    code (a training loop in a demo). The message names each function, its exercise, the caller and
    the notebook cell.
    Such an assignment is released per notebook (``release --notebook``; a notebook's kit keeps what
    earlier notebooks graded). Where one notebook needs its own answer (1/03's demos train the
    library's network, which calls 1/03's graded ``cross_entropy_cost``), ``--keep-needed`` builds
    the kit anyway, keeping those functions with their answers and saying so in a warning. Arguments or results the record format cannot carry (functions, graph
    nodes) are refused the same way. The dependency order is in ``autograder/README.md``.

The grader never uses the kit: it grades with the full library, as before.
"""

from __future__ import annotations

import ast
import functools
import inspect
import json
import os
import shutil
import subprocess
import sys
import tempfile
import types
from dataclasses import dataclass, field
from pathlib import Path

from . import course

#: the name of the kit's distribution (the wheel holds only ``course_utils``)
DIST_NAME = "dl-course-kit-student"
#: a left-out function called with more distinct arguments than this while one notebook runs is in a loop
#: (a training demo): the kit cannot serve it from records, and refuses
MAX_RECORDED_CALLS = 50
#: adapters whose body has at most this many statements (docstring aside) are thin wrappers
THIN_WRAPPER_STATEMENTS = 3
#: the kit's dependencies are the course's, without these (grading, reports, building the kit)
_INSTRUCTOR_ONLY = ("nbgrader", "latex2mathml", "copydetect", "wheel")
#: course_utils packages that never hold an exercise's answer (the checks themselves, seeds)
_NEVER_ANSWERS = ("course_utils.grading", "course_utils.rng")


class KitError(RuntimeError):
    """The kit could not be built (the solved notebook failed, a reference could not be found)."""


class KitRefused(KitError):
    """The kit would not work without an answer it must leave out; the message names each case."""


@dataclass
class Answer:
    """A function that holds the answer of a graded exercise.

    Attributes: ``key`` (``module.name``), ``notebook`` (``track/notebook``), ``exercise`` (the graded
    function's name), ``why`` (the reference of its checks, or the function a thin adapter wraps).
    """

    key: str
    notebook: str
    exercise: str
    why: str


@dataclass
class Kit:
    """What :func:`build_kit` wrote: the release folder, the wheel, the left-out functions with their
    exercise (``key -> "assignment/notebook"``), the recorded calls per left-out function, and the answers
    kept because the assignment calls them (``key -> exercise``: later assignments' answers, and with
    ``keep_needed`` its own)."""

    release: Path
    wheel: Path
    left_out: dict[str, str]
    recorded: dict[str, int] = field(default_factory=dict)
    kept: dict[str, str] = field(default_factory=dict)


# --- which functions hold an answer -------------------------------------------------------------

def _nbgrader(cell: dict) -> dict:
    md = cell.get("metadata", {}).get("nbgrader", {})
    return md if isinstance(md, dict) else {}


def _key(fn: types.FunctionType) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


def _is_course_function(obj) -> bool:
    return (isinstance(obj, types.FunctionType) and (obj.__module__ or "").startswith("course_utils.")
            and not obj.__module__.startswith(_NEVER_ANSWERS))


def _named_functions(code: types.CodeType, namespace: dict) -> list[types.FunctionType]:
    """The course functions a notebook-written function's code names (``ref.nn_model``, ``ref_act.softmax``)."""
    found: list[types.FunctionType] = []
    codes = [code]
    while codes:
        c = codes.pop()
        codes += [k for k in c.co_consts if isinstance(k, types.CodeType)]
        for name in c.co_names:
            value = namespace.get(name)
            if _is_course_function(value):
                found.append(value)
            elif isinstance(value, types.ModuleType) and value.__name__.startswith("course_utils."):
                found += [getattr(value, a) for a in c.co_names if _is_course_function(getattr(value, a, None))]
    return found


def _references_in(obj) -> list[types.FunctionType]:
    """The course functions a reference expression's value stands for (see the module docstring)."""
    if isinstance(obj, functools.partial):
        given = [a for a in (*obj.args, *obj.keywords.values()) if callable(a)]
        return [f for a in given for f in _references_in(a)] if given else _references_in(obj.func)
    if _is_course_function(obj):
        return [obj]
    if isinstance(obj, types.FunctionType):
        return _named_functions(obj.__code__, obj.__globals__)
    return []


def _wrapped(fn: types.FunctionType) -> list[types.FunctionType]:
    """The course functions a thin adapter of ``course_utils.exercises`` calls (empty for anything else)."""
    if not fn.__module__.startswith("course_utils.exercises."):
        return []
    node = ast.parse(inspect.getsource(fn)).body[0]
    body = node.body[1:] if ast.get_docstring(node) is not None else node.body
    if len(body) > THIN_WRAPPER_STATEMENTS:
        return []
    out = []
    for call in (n for n in ast.walk(node) if isinstance(n, ast.Call)):
        f = call.func
        value = None
        if isinstance(f, ast.Name):
            value = fn.__globals__.get(f.id)
        elif isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name):
            value = getattr(fn.__globals__.get(f.value.id), f.attr, None)
        if _is_course_function(value) and value is not fn:
            out.append(value)
    return out


def _reference_expressions(tree: ast.AST) -> list[ast.expr]:
    """The reference arguments of ``check_function(student, REF, ...)`` and ``HiddenTest(name, student, REF, ...)``."""
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
            continue
        position = {"check_function": 1, "HiddenTest": 2}.get(node.func.id)
        if position is not None and len(node.args) > position:
            out.append(node.args[position])
    return out


def notebook_answers(source_nb: dict, notebook: str) -> dict[str, Answer]:
    """Every function holding the answer of a graded exercise of one source notebook, by key.

    Arguments: source_nb -- the instructor's notebook (a dict); notebook -- its ``track/name``.
    Returns: ``{key: Answer}``. Raises: KitError if a reference expression cannot be evaluated
    in the notebook's locked definitions or names no course function.
    """
    from course_utils.grading.checks import CheckFailed  # noqa: F401  (the definitions import it)

    from .engine.assemble import cell_text, definitions, is_unchangeable, split_hidden
    from .engine.verdicts import StudentPlaceholder, free_names

    ns: dict = {"__name__": "__kit__"}
    answers: dict[str, Answer] = {}
    for cell in source_nb.get("cells", []):
        if not is_unchangeable(cell):
            continue
        visible, hidden = split_hidden(cell_text(cell))
        defs = definitions(visible)
        if defs is not None and defs.body:
            exec(compile(defs, f"<{notebook} definitions>", "exec"), ns)
        gid = _nbgrader(cell).get("grade_id", "")
        if not _nbgrader(cell).get("grade"):
            continue
        exercise = gid[len("test_"):] if gid.startswith("test_") else gid
        for text in (visible, hidden or ""):
            from .preprocessors import python_source

            for expr in _reference_expressions(ast.parse(python_source(text))):
                for name in free_names(expr):
                    ns.setdefault(name, StudentPlaceholder(name))
                try:
                    value = eval(compile(ast.Expression(expr), "<reference>", "eval"), ns)
                except Exception as exc:
                    raise KitError(f"{notebook}, {gid}: the reference {ast.unparse(expr)!r} cannot be evaluated "
                                   f"from the notebook's locked cells: {type(exc).__name__}: {exc}") from None
                refs = _references_in(value)
                if not refs:
                    raise KitError(f"{notebook}, {gid}: the reference {ast.unparse(expr)!r} names no course_utils "
                                   "function, so the kit cannot tell where its answer is")
                for ref in refs:
                    answers.setdefault(_key(ref), Answer(_key(ref), notebook, exercise,
                                                         f"the reference of {exercise}'s checks"))
                    for inner in _wrapped(ref):
                        answers.setdefault(_key(inner), Answer(_key(inner), notebook, exercise,
                                                               f"wrapped by the adapter {_key(ref)}"))
    return answers


def _shared_helper(key: str, answers: set[str]) -> bool:
    """Whether ``key`` is a private helper (``_dims``, ``_number``: argument checks) that a function of
    its module holding no answer calls too: shared infrastructure, not an exercise's answer."""
    import importlib

    module, _, name = key.rpartition(".")
    if not name.startswith("_"):
        return False
    tree = ast.parse(inspect.getsource(importlib.import_module(module)))
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and f"{module}.{node.name}" not in answers:
            if any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(node)):
                return True
    return False


def course_notebooks(source: Path = course.SOURCE) -> list[str]:
    """Every notebook of the course as ``track/name``, in course order (tracks, then notebooks)."""
    return [f"{t}/{p.stem}" for t in course.assignments(source) for p in sorted((Path(source) / t).glob("*.ipynb"))]


def answer_functions(assignment: str, source: Path = course.SOURCE) -> dict[str, Answer]:
    """The functions the kit of ``assignment`` leaves out, by key, each with the exercise it answers.

    Those holding an answer of the assignment's own notebooks (a function an own adapter wraps only
    when no earlier notebook grades it: an earlier answer may stay), and those holding an answer of a
    later notebook that no earlier notebook grades (a later answer is no help to this assignment, and
    the kit of an earlier week must not carry next week's key; :func:`build_kit` keeps those the
    assignment calls at run time).

    Raises: KitError for an unknown assignment, or as :func:`notebook_answers`.
    """
    own = [f"{p.parent.name}/{p.stem}" for p in course.assignment_notebooks(Path(source), assignment)]
    if not own:
        raise KitError(f"no assignment named {assignment!r}: the tracks are {course.assignments(Path(source))}, "
                       f"and each notebook they hold: {sorted(course.notebook_assignments(Path(source)))}")
    order = course_notebooks(source)
    first, last = order.index(own[0]), order.index(own[-1])
    per_nb = {nb: notebook_answers(json.loads((Path(source) / f"{nb}.ipynb").read_text(encoding="utf-8")), nb)
              for nb in order}
    every = {k for answers in per_nb.values() for k in answers}
    shared = {k for k in every if _shared_helper(k, every)}
    per_nb = {nb: {k: a for k, a in answers.items() if k not in shared} for nb, answers in per_nb.items()}
    earlier = {k for nb in order[:first] for k in per_nb[nb]}
    out: dict[str, Answer] = {}
    for nb in own:
        out.update({k: a for k, a in per_nb[nb].items()
                    if k not in out and not (k in earlier and a.why.startswith("wrapped by"))})
    for nb in order[last + 1:]:
        out.update({k: a for k, a in per_nb[nb].items() if k not in out and k not in earlier})
    return out


def exercise_label(answer: Answer, assignment: str) -> str:
    """``assignment/notebook`` for the assignment's own answers, ``track/notebook`` for a later one's."""
    name = answer.notebook.rpartition("/")[2]
    track = answer.notebook.partition("/")[0]
    if assignment in (name, track):
        return f"{assignment}/{name}"
    return answer.notebook


# --- the stubs ----------------------------------------------------------------------------------

_STUB = """\
_arguments = dict(locals())
from course_utils.grading.checks import kit_result
return kit_result({key!r}, {exercise!r}, _arguments)
"""


def strip_source(text: str, stubs: dict[str, tuple[str, str]], filename: str = "<module>") -> str:
    """A module's source with the bodies of some top-level functions replaced by the kit's stub.

    Arguments: text -- the module's source; stubs -- ``{function name: (key, exercise)}``;
    filename -- for messages.
    Returns: the module as ``ast.unparse`` writes it (no comments), each named function keeping its
    signature, decorators and the first paragraph of its docstring.
    Raises: KitError if a named function is not a top-level ``def`` of the module.
    """
    tree = ast.parse(text, filename)
    done = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in stubs:
            key, exercise = stubs[node.name]
            doc = (ast.get_docstring(node) or "").split("\n\n")[0].strip()
            note = f"{doc}\n\n    Left out of the student kit: the exercise of {exercise}.\n    ".lstrip()
            node.body = [ast.Expr(ast.Constant(note))] + ast.parse(_STUB.format(key=key, exercise=exercise)).body
            done.add(node.name)
    missing = sorted(set(stubs) - done)
    if missing:
        raise KitError(f"{filename}: {', '.join(missing)} is not a top-level function there, so the kit cannot "
                       "leave it out")
    return ast.unparse(ast.fix_missing_locations(tree)) + "\n"


# --- recording the solved notebook (runs inside the kernel) ------------------------------------

class _Recorder:
    """Instruments left-out functions in a kernel of the full library; see :func:`record_notebook`."""

    def __init__(self, keys: list[str], solution_names: list[str], later: list[str] = ()) -> None:
        import importlib

        from course_utils.grading import checks

        self.check_code = checks.check_function.__code__
        self.student_code = checks.call_student.__code__
        self.library_file = checks._library_file
        self.solution_names = set(solution_names)
        self.functions: dict[str, tuple] = {}
        self.calls: dict[str, list] = {}
        self.dependencies: list[dict] = []
        self.unrecordable: list[dict] = []
        self.seen: dict[str, set[str]] = {}
        self.later = set(later)
        self.used_later: set[str] = set()
        self.depth = 0
        self.cell = ""
        for key in [*keys, *later]:
            module, _, name = key.rpartition(".")
            fn = getattr(importlib.import_module(module), name)
            if fn.__closure__:
                raise KitError(f"{key} is a closure; the kit cannot record it")
            orig = types.FunctionType(fn.__code__, fn.__globals__, fn.__name__, fn.__defaults__, None)
            orig.__kwdefaults__ = fn.__kwdefaults__
            self.functions[key] = (orig, inspect.signature(fn))
            wrapper: dict = {}
            exec(f"def {name}(*args, **kwargs):\n    return __course_kit_recorder__({key!r}, args, kwargs)\n", wrapper)
            fn.__globals__["__course_kit_recorder__"] = self.call
            fn.__code__, fn.__defaults__, fn.__kwdefaults__ = wrapper[name].__code__, None, None

    def _context(self, caller) -> str:
        frame = caller
        while frame is not None:
            if frame.f_code is self.student_code:
                return "student"
            if frame.f_code is self.check_code:
                return "check"
            frame = frame.f_back
        if self.library_file(caller.f_code.co_filename):
            return "library"
        return "student" if caller.f_code.co_name in self.solution_names else "notebook"

    def call(self, key: str, args: tuple, kwargs: dict):
        from course_utils.grading.records import encode

        orig, signature = self.functions[key]
        if self.depth:
            return orig(*args, **kwargs)
        if key in self.later:  # a later assignment's answer: only whether this one uses it matters
            self.used_later.add(key)
            return orig(*args, **kwargs)
        caller = sys._getframe(2)
        context = self._context(caller)
        arguments = None
        if context == "notebook" and len(self.seen.get(key, ())) >= MAX_RECORDED_CALLS:
            context = "loop"
        if context in ("check", "notebook"):
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            arguments = [[k, encode(v)] for k, v in bound.arguments.items()]
        self.depth += 1
        try:
            result = orig(*args, **kwargs)
        finally:
            self.depth -= 1
        if arguments is None:
            module = caller.f_globals.get("__name__", "")
            in_library = self.library_file(caller.f_code.co_filename)
            dep = {"function": key, "context": context, "cell": self.cell,
                   "caller": f"{module}.{caller.f_code.co_name}" if in_library else
                   "the cell's own code" if caller.f_code.co_name.startswith("<") else caller.f_code.co_name}
            if dep not in self.dependencies:
                self.dependencies.append(dep)
        else:
            encoded = encode(result)
            text = json.dumps(arguments)
            if '"unsupported"' in text or '"unsupported"' in json.dumps(encoded):
                self.unrecordable.append({"function": key, "cell": self.cell, "context": context})
            elif text not in self.seen.setdefault(key, set()):
                self.seen[key].add(text)
                self.calls.setdefault(key, []).append({"arguments": arguments, "result": encoded})
        return result

    def save(self, path: str) -> None:
        with open(path, "w", encoding="utf-8") as f:
            json.dump({"calls": self.calls, "dependencies": self.dependencies, "unrecordable": self.unrecordable,
                       "used_later": sorted(self.used_later)}, f)


_RECORDER: _Recorder | None = None


def install_recorder(keys: list[str], solution_names: list[str], later: list[str] = ()) -> None:
    """Instrument the left-out functions in this (kernel) process; called by :func:`record_notebook`'s first cell.

    ``keys``: the assignment's own answers (recorded, or reported when they cannot be); ``later``: later
    assignments' answers (only noted when called, at any depth outside an own answer's call).
    """
    global _RECORDER
    _RECORDER = _Recorder(keys, solution_names, later)

    def before(info) -> None:
        _RECORDER.cell = info.raw_cell

    import IPython

    IPython.get_ipython().events.register("pre_run_cell", before)


def save_recording(path: str) -> None:
    """Write what the recorder saw as JSON; called by :func:`record_notebook`'s last cell."""
    _RECORDER.save(path)


def record_notebook(solved_nb: dict, keys: list[str], solution_names: list[str], workdir: Path,
                    later: list[str] = ()) -> dict:
    """Run a solved release notebook in a kernel of the full library, recording calls of left-out functions.

    Arguments: keys -- the assignment's own answers; solution_names -- the functions its solution cells
    define; workdir -- the kernel's folder; later -- later assignments' answers (see :func:`install_recorder`).
    Returns: ``{"calls": {key: [{"arguments": [[name, encoded]], "result": encoded}]}, "dependencies":
    [{"function", "context", "caller", "cell"}], "unrecordable": [...], "used_later": [key, ...],
    "errors": [(cell index, message)]}``; ``cell`` is the source of the cell that ran.
    Raises: KitError if the kernel wrote no recording; whatever nbclient raises when the kernel dies.
    """
    import copy

    import nbformat
    from nbclient import NotebookClient

    out = Path(workdir) / "recording.json"
    nb = copy.deepcopy(solved_nb)
    first = nbformat.v4.new_code_cell(f"import autograder.kit as _kit_\n_kit_.install_recorder({list(keys)!r}, "
                                      f"{sorted(solution_names)!r}, {list(later)!r})")
    last = nbformat.v4.new_code_cell(f"_kit_.save_recording({str(out)!r})")
    nb["cells"] = [first] + nb["cells"] + [last]
    node = nbformat.reads(json.dumps(nb), as_version=4)
    course.prepare_environment()
    config = course.nbgrader_config(Path(workdir) / "course")  # the kit's kernel settings (encrypted transport)
    client = NotebookClient(node, timeout=course.CELL_TIMEOUT, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(workdir)}}, config=config)
    client.execute(env=dict(os.environ, MPLBACKEND="module://matplotlib_inline.backend_inline"))
    errors = [(i - 1, f"{o.get('ename')}: {o.get('evalue')}") for i, c in enumerate(node.cells)
              for o in c.get("outputs", []) if o.get("output_type") == "error"]
    if not out.is_file() or errors[:1] and errors[0][0] == -1:
        trace = "\n".join(t for o in node.cells[0].get("outputs", []) for t in o.get("traceback", []))
        raise KitError(f"the recording kernel could not instrument the left-out functions: {errors}\n{trace}")
    result = json.loads(out.read_text(encoding="utf-8"))
    result["errors"] = errors
    return result


# --- the kit -------------------------------------------------------------------------------------

def _solution_names(source_nb: dict) -> set[str]:
    from .engine.assemble import cell_text
    from .preprocessors import python_source

    names = set()
    for cell in source_nb.get("cells", []):
        if _nbgrader(cell).get("solution") and cell.get("cell_type") == "code":
            names |= {n.name for n in ast.walk(ast.parse(python_source(cell_text(cell))))
                      if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    return names


def _first_line(cell: str) -> str:
    lines = [ln for ln in cell.splitlines() if ln.strip()]
    return (lines[0][:80] if lines else "(empty)")


def _refusals(notebook: str, recording: dict, left_out: dict[str, str], cells: list[str]) -> list[str]:
    """One line per left-out function the notebook needs at run time: who calls it, in which cells."""
    why: dict[str, dict[str, list]] = {}
    for dep in recording["dependencies"]:
        who = {"library": f"by the library function {dep['caller']}",
               "student": f"by the library function {dep['caller']}, for a solution" if "." in dep["caller"]
               else f"by the solution {dep['caller']}",
               "loop": f"more than {MAX_RECORDED_CALLS} times with other inputs by {dep['caller']}"}[dep["context"]]
        why.setdefault(dep["function"], {}).setdefault(who, []).append(dep["cell"])
    for bad in recording["unrecordable"]:
        who = "with arguments or a result the kit cannot record (numbers, strings, arrays and containers of them)"
        why.setdefault(bad["function"], {}).setdefault(who, []).append(bad["cell"])
    lines = []
    for key, callers in why.items():
        parts = []
        for who, in_cells in callers.items():
            numbers = sorted({cells.index(c) for c in in_cells if c in cells})
            parts.append(f"{who} (cell{'s' if len(numbers) > 1 else ''} {', '.join(map(str, numbers)) or '?'})")
        lines.append(f"  {notebook} calls {key} (the exercise of {left_out[key]}) " + "; ".join(parts))
    return lines


def _pyproject(assignment: str) -> str:
    from importlib import metadata

    main = metadata.metadata("dl-course-kit")
    # the kit's own dependencies, without the instructor's grading tools and the extras
    deps = [d for d in metadata.requires("dl-course-kit") or []
            if "extra ==" not in d and not d.startswith(_INSTRUCTOR_ONLY)]
    local = "".join(ch if ch.isalnum() else "." for ch in assignment).strip(".")
    return (
        "[build-system]\nrequires = [\"setuptools>=65\"]\nbuild-backend = \"setuptools.build_meta\"\n\n"
        f"[project]\nname = \"{DIST_NAME}\"\nversion = \"{main['Version']}+{local}\"\n"
        f"description = \"course_utils for the students of {assignment} (without that assignment's answers)\"\n"
        f"requires-python = \"{main['Requires-Python']}\"\ndependencies = {json.dumps(deps)}\n\n"
        "[tool.setuptools.packages.find]\ninclude = [\"course_utils*\"]\n\n"
        "[tool.setuptools.package-data]\ncourse_utils = [\"grading/kit_recording.json\"]\n"
    )


def _builds_wheels_here() -> bool:
    """Whether this environment's setuptools builds a wheel without pip's isolated build environment
    (setuptools >= 70.1, or an older one with the wheel package); otherwise pip builds the kit's wheel
    in its isolated environment, from the package index (as tests/test_packaging.py does)."""
    import importlib.util
    from importlib.metadata import PackageNotFoundError, version

    try:
        major, minor = (int(x) for x in version("setuptools").split(".")[:2])
    except (PackageNotFoundError, ValueError):
        return False
    return (major, minor) >= (70, 1) or importlib.util.find_spec("wheel") is not None


def build_kit(assignment: str, out: Path, source: Path = course.SOURCE, log=print, keep_needed: bool = False) -> Kit:
    """Build the student kit of ``assignment`` into ``out`` (see the module docstring).

    Arguments: assignment -- a track or a single-notebook assignment; out -- the output folder
    (created; an existing release folder and wheel of the same assignment are replaced);
    source -- the folder of track folders; log -- progress lines; keep_needed -- instead of refusing,
    keep in the kit (with their answers, said in a warning) the assignment's own answers it needs at run
    time, and record again until nothing left out is needed.
    Returns: a :class:`Kit`.
    Raises: KitRefused when the assignment needs one of its own answers at run time with inputs that
    cannot be recorded and ``keep_needed`` is False (the message names each function, caller and
    cell); KitError for an unknown assignment, a solved notebook that fails, or a wheel that cannot be
    built; course.ReleaseError when nbgrader cannot build the release.
    """
    out = Path(out).resolve()
    source = Path(source).resolve()
    answers = answer_functions(assignment, source)
    left_out = {k: exercise_label(a, assignment) for k, a in answers.items()}
    own = course.assignment_notebooks(source, assignment)
    own_names = {f"{p.parent.name}/{p.stem}" for p in own}
    mine = sorted(k for k, a in answers.items() if a.notebook in own_names)
    later = sorted(set(left_out) - set(mine))
    used_later: set[str] = set()
    needed_kept: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="course-kit-") as tmp:
        tmp = Path(tmp)
        release = course.build_release(tmp / "course", source, log=lambda m: None, db_path=tmp / "gradebook.db",
                                       only=[assignment]) / assignment
        from .engine.assemble import cell_text, solved_submission

        while True:
            calls: dict[str, list] = {}
            refusals: list[str] = []
            needed: set[str] = set()
            for src_path in own:
                notebook = f"{src_path.parent.name}/{src_path.stem}"
                source_nb = json.loads(src_path.read_text(encoding="utf-8"))
                solved = solved_submission(json.loads((release / src_path.name).read_text(encoding="utf-8")), source_nb)
                log(f"kit: recording {notebook} (the solved release, in a kernel of the full library)")
                rec = record_notebook(solved, mine, sorted(_solution_names(source_nb)), tmp, later=later)
                used_later |= set(rec["used_later"])
                if rec["errors"]:
                    raise KitError(f"the solved release of {notebook} fails, so nothing can be recorded: "
                                   + "; ".join(f"cell {i}: {e}" for i, e in rec["errors"]))
                refusals += _refusals(notebook, rec, left_out, [cell_text(c) for c in solved["cells"]])
                needed |= {d["function"] for d in rec["dependencies"] + rec["unrecordable"]}
                for key, recorded in rec["calls"].items():
                    known = calls.setdefault(key, [])
                    known += [c for c in recorded if all(json.dumps(c["arguments"]) != json.dumps(k["arguments"])
                                                         for k in known)]
            if not refusals:
                break
            if not keep_needed:
                per_notebook = ("" if len(own) == 1 else
                                "Release these notebooks as assignments of their own (python -m autograder kit NOTEBOOK, "
                                f"e.g. {own[-1].stem}): a notebook's kit keeps the functions earlier notebooks graded. Or ")
                raise KitRefused(
                    f"the student kit of {assignment} cannot leave out these functions, because {assignment} itself "
                    "uses them at run time with inputs that cannot be recorded in advance:\n" + "\n".join(refusals)
                    + f"\n{per_notebook}{'b' if per_notebook else 'B'}uild the kit anyway with --keep-needed: these "
                    "functions then stay in it, with their answers. The dependency order is in autograder/README.md "
                    "(The student kit).")
            log("kit: WARNING: these functions stay in the kit WITH THEIR ANSWERS (--keep-needed), because "
                f"{assignment} uses them at run time:\n" + "\n".join(refusals))
            needed_kept.update({k: left_out.pop(k) for k in sorted(needed)})
            mine = [k for k in mine if k not in needed]

        kept = {k: left_out.pop(k) for k in sorted(used_later)}
        if kept:
            log(f"kit: {len(kept)} function(s) graded in later assignments stay, because {assignment} calls them at "
                "run time: " + ", ".join(f"{k} ({e})" for k, e in kept.items()))
        kept.update(needed_kept)
        stage = tmp / "stage"
        shutil.copytree(course.REPO / "course_utils", stage / "course_utils",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "kit_recording.json"))
        by_module: dict[str, dict[str, tuple[str, str]]] = {}
        for key, exercise in left_out.items():
            module, _, name = key.rpartition(".")
            by_module.setdefault(module, {})[name] = (key, exercise)
        for module, stubs in sorted(by_module.items()):
            path = stage.joinpath(*module.split(".")).with_suffix(".py")
            if not path.is_file():
                raise KitError(f"{module} is not a module file of course_utils ({path.name}), so the kit cannot "
                               f"leave out {', '.join(stubs)}")
            path.write_text(strip_source(path.read_text(encoding="utf-8"), stubs, str(path)), encoding="utf-8")
        (stage / "course_utils" / "grading" / "kit_recording.json").write_text(
            json.dumps(calls, separators=(",", ":")), encoding="utf-8")
        (stage / "pyproject.toml").write_text(_pyproject(assignment), encoding="utf-8")

        out.mkdir(parents=True, exist_ok=True)
        for old in out.glob(f"{DIST_NAME.replace('-', '_')}-*.whl"):
            old.unlink()
        isolation = ["--no-build-isolation", "--no-index"] if _builds_wheels_here() else []
        proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", *isolation, "--quiet", "-w",
                               str(out), str(stage)], capture_output=True, text=True)
        wheels = sorted(out.glob(f"{DIST_NAME.replace('-', '_')}-*.whl"))
        if proc.returncode != 0 or len(wheels) != 1:
            raise KitError(f"pip could not build the kit's wheel:\n{proc.stdout}\n{proc.stderr}")
        target = out / assignment
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(release, target)
    log(f"kit: {assignment}: {len(left_out)} function(s) left out, "
        f"{sum(len(v) for v in calls.values())} recorded call(s); release {target}/, package {wheels[0].name}")
    return Kit(target, wheels[0], left_out, {k: len(v) for k, v in calls.items()}, kept)
