"""Every notebook run as students hand it in, each run judged by every tool that judges it.

Per notebook, TWO kernel runs (this module is where each notebook runs whole; nothing else does):

* **The honest hand-in** (``test_an_honest_hand_in_passes_every_check_and_every_hidden_test``): the
  release solved as an honest student solves it (tests/helpers.py: ``solved``), run ONCE through
  `make check`'s own code (``selfcheck.check``: ``CourseValidator``, nbgrader's CheckCellMetadata,
  ClearOutput, Execute, then the kit's preprocessors). After each graded cell, two cells are added
  that run that cell's hidden tests exactly as the grader's sandbox runs them (the same text, right
  after the visible check): once in **record** mode, whose records the grader's own judge
  (``autograder.engine.verdicts.judge``, on the template the grader builds) then judges in this
  process, as it judges any student, and once in **direct** mode with the seed salt, which draws other
  inputs (the teaching version against the library on more random data). One run proves: every cell
  of the instructor's solution runs without an error; `make check` passes every cell; nbgrader's stock
  ``Validator`` (what `nbgrader validate` prints), judging the same executed cells, passes every cell
  and reads no displayed value as partial credit; the grader gives every graded cell full marks; the
  hidden tests pass on other inputs too.
* **The untouched release** (``test_the_untouched_release_runs_to_the_end_and_fails_every_check``),
  through the same code: every code cell runs, every graded cell meets the stub and `make check` names
  each one as not implemented; the stock Validator fails every graded cell, and inverted (``nbgrader
  validate --invert``, the instructor's check of a release) passes none.

What the sandbox adds to this (bubblewrap, the grader's own runner, its limits) is proven by the grading
class (tests/autograder/test_grading.py), on one notebook per track.

Once, the command lines (``test_the_make_check_command_...``, ``test_the_nbgrader_validate_command_...``):
what depends on no notebook (argument handling, exit status, nothing on stderr, no kernel transport
warning, the report on stdout), on a release solved except for exactly one wrong answer. ``python -m
autograder check`` runs on Track 1's 01 (the issue's instance, L2 returning a (1, 1) array) and
``nbgrader validate`` on Track 2's 08; each must print exactly what the in-process run of the same file
printed, and the in-process run must name exactly the wrong cell.

Before (stop 22): four runs of each notebook (the salted source, the one-wrong release through `make
check`, alice's and bob's in the grading class); now two.
"""

import contextlib
import copy
import io
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple
from unittest import mock

import nbformat
import pytest

from helpers import SOURCE, defined_functions, graded_cells, nb_id, nbg, read, solution_cells, solved, source_notebooks

NOTEBOOKS = source_notebooks()
WRONG = "\n\n\ndef {name}(*args, **kwargs):\n    return None  # a wrong answer, handed in on purpose\n"
#: notebook 1/01's wrong answer is the issue's instance: L2 as np.dot of a row with itself, a (1, 1) array
L2_WRONG = "\n\n\ndef L2(yhat, y):\n    d = yhat - y\n    return np.dot(d, d.T)\n"
#: the notebooks whose command lines run as well (see the module docstring): the issue's instance, and
#: the Track 2 notebook whose run is quickest (measured: 17 s of 13 to 67 s under load)
MAKE_CHECK_CLI = SOURCE / "1_neural_networks" / "01_numpy_basics.ipynb"
VALIDATE_CLI = SOURCE / "2_improving_deep_networks" / "08_autodiff.ipynb"


def one_wrong(release_dir: Path, path: Path, folder: Path):
    """The solved release with the last graded function replaced by one that returns None (in 1/01:
    L2 returning a (1, 1) array).

    Returns the file, the first line of the test cell that must fail and the function's name."""
    src = read(path)
    nb = solved(read(release_dir / path.parent.name / path.name), src)
    last = [c for c in solution_cells(nb) if defined_functions(c)][-1]
    name = defined_functions(last)[-1]
    last.source += L2_WRONG if name == "L2" else WRONG.format(name=name)
    cell = next(c for c in graded_cells(nb) if nbg(c)["grade_id"] == f"test_{name}")
    out = folder / path.parent.name / path.name
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, out)
    return out, cell.source.splitlines()[0], name


def _env():
    return dict(os.environ, PYTHONWARNINGS="ignore")


def _same_run(text: str) -> str:
    """``text`` with what differs between any two runs of one notebook masked: object addresses in
    reprs (``<function make_notes_graph at 0x7f41ba62e200>``)."""
    return re.sub(r" at 0x[0-9a-f]+>", " at 0x...>", text)


@contextlib.contextmanager
def _as_the_commands_run():
    """The environment the command-line runs give their kernel (:func:`_env`)."""
    old = os.environ.get("PYTHONWARNINGS")
    os.environ["PYTHONWARNINGS"] = "ignore"
    try:
        yield
    finally:
        if old is None:
            del os.environ["PYTHONWARNINGS"]
        else:
            os.environ["PYTHONWARNINGS"] = old


class Checked(NamedTuple):
    """One run of a one-wrong notebook and what each tool made of it."""
    file: Path          # the notebook handed in
    first_line: str     # the first line of the test cell that must fail
    name: str           # the wrong function
    passed: bool        # what `make check` returned (the command exits 1 when False)
    printed: str        # everything `make check` printed, "Checking <file> ..." first
    validated: str      # what `nbgrader validate` prints for the same executed notebook


def _validator_keeping_the_run(runs: list):
    """``selfcheck.CourseValidator`` with one step added right after nbgrader's Execute: a copy of the
    executed notebook goes to ``runs`` (before the kit's own preprocessors change any output)."""
    from nbgrader.preprocessors import Execute, NbGraderPreprocessor

    from autograder.student import selfcheck

    class KeepTheRun(NbGraderPreprocessor):
        def preprocess(self, nb, resources):
            runs.append(copy.deepcopy(nb))
            return nb, resources

    steps = list(selfcheck.CourseValidator.preprocessors)
    assert Execute in steps, steps  # make check executes with nbgrader's Execute, as nbgrader validate does
    steps.insert(steps.index(Execute) + 1, KeepTheRun)
    return type("CourseValidatorKeepingTheRun", (selfcheck.CourseValidator,), {"preprocessors": steps})


def nbgrader_validate_output(executed, folder: Path) -> str:
    """What `nbgrader validate` prints for a notebook it has executed into ``executed``: nbgrader's stock
    Validator, judging the executed cells (its execution steps already ran)."""
    from nbgrader.validator import Validator

    folder.mkdir(parents=True, exist_ok=True)
    file = folder / "executed.ipynb"
    nbformat.write(executed, file)
    validator = Validator()
    validator.preprocessors = []
    validator.stream = io.StringIO()
    validator.validate_and_print(str(file))
    return validator.stream.getvalue()


_RUNS: dict[Path, Checked] = {}


@pytest.fixture(scope="session")
def checked(release_dir, tmp_path_factory):
    """``checked(path)``: the one-wrong version of source notebook ``path``, run once per test worker
    through `make check`'s code, with both tools' reports (:class:`Checked`)."""
    from autograder.student import selfcheck

    def run(path: Path) -> Checked:
        if path not in _RUNS:
            folder = tmp_path_factory.mktemp(f"checks-{path.stem}")
            file, first_line, name = one_wrong(release_dir, path, folder)
            runs, printed = [], []
            with mock.patch.object(selfcheck, "CourseValidator", _validator_keeping_the_run(runs)), \
                    _as_the_commands_run():
                passed = selfcheck.check(file, out=printed.append)
            assert len(runs) == 1, f"{nb_id(path)}: make check executed the notebook {len(runs)} times"
            validated = nbgrader_validate_output(runs[0], folder / "nbgrader-validate")
            _RUNS[path] = Checked(file, first_line, name, passed, "".join(f"{ln}\n" for ln in printed), validated)
        return _RUNS[path]
    return run


# --- the two runs of every notebook -----------------------------------------------------------------------

#: metadata key of the cells this module adds after each graded cell (they run its hidden tests)
ADDED = "course_test_added"
SALT = "1"


class Run(NamedTuple):
    """One run of a notebook through `make check`'s code, and what each tool made of it."""
    file: Path          # the notebook handed in (with the added hidden-test cells, for the honest run)
    passed: bool        # what `make check` returned
    printed: str        # everything `make check` printed
    executed: object    # the executed notebook (nbformat), added cells included
    validated: str      # what `nbgrader validate` prints for the student's cells of that run
    inverted: dict      # nbgrader's Validator with invert=True on the same cells (`nbgrader validate --invert`)
    seconds: float      # the whole `make check` call


def _added(kind: str, source: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata[ADDED] = kind
    return cell


def with_hidden_tests_run(nb, hidden_by_id: dict[str, str], record: Path):
    """``nb`` with two cells after each graded cell that has hidden tests: its hidden-test text in record
    mode (results to ``record``, as the grader's sandbox runs it right after the visible check), then the
    same text in direct mode with the seed salt (other inputs, judged in the kernel)."""
    from course_utils.grading import SALT_ENV
    from course_utils.grading.records import RECORD_ENV

    cells = []
    for cell in nb.cells:
        cells.append(cell)
        hidden = hidden_by_id.get(nbg(cell).get("grade_id")) if nbg(cell).get("grade") else None
        if hidden is None:
            continue
        cells.append(_added("record", f"import os as _os_added\n_os_added.environ.pop({SALT_ENV!r}, None)\n"
                                      f"_os_added.environ[{RECORD_ENV!r}] = {str(record)!r}\n{hidden}"))
        cells.append(_added("salted", f"_os_added.environ.pop({RECORD_ENV!r}, None)\n"
                                      f"_os_added.environ[{SALT_ENV!r}] = {SALT!r}\n{hidden}\n"
                                      f"_os_added.environ.pop({SALT_ENV!r}, None)"))
    nb.cells = cells
    return nb


def _student_cells(executed):
    nb = copy.deepcopy(executed)
    nb.cells = [c for c in nb.cells if ADDED not in c.metadata]
    return nb


def run_through_make_check(file: Path, folder: Path) -> Run:
    """Run ``file`` once through `make check`'s own code; judge the executed notebook also with nbgrader's
    stock Validator, plain and inverted (the added cells left out: they are no cells of the student's)."""
    from nbgrader.validator import Validator

    from autograder.student import selfcheck

    runs, printed = [], []
    t0 = time.perf_counter()
    with mock.patch.object(selfcheck, "CourseValidator", _validator_keeping_the_run(runs)), _as_the_commands_run():
        passed = selfcheck.check(file, out=printed.append)
    seconds = time.perf_counter() - t0
    assert len(runs) == 1, f"{file.name}: make check executed the notebook {len(runs)} times"
    student = _student_cells(runs[0])
    validated = nbgrader_validate_output(student, folder / "nbgrader-validate")
    inverted = Validator(invert=True)
    inverted.preprocessors = []
    inverted_results = inverted.validate(str(folder / "nbgrader-validate" / "executed.ipynb"))
    return Run(file, passed, "".join(f"{ln}\n" for ln in printed), runs[0], validated, inverted_results, seconds)


def _release(release_dir: Path, path: Path):
    return read(release_dir / path.parent.name / path.name)


def _cell_errors(nb) -> list[str]:
    return [f"cell {i} ({nbg(c).get('grade_id') or c.metadata.get(ADDED) or 'ordinary'}): {o.get('ename')}: "
            f"{str(o.get('evalue'))[:300]}"
            for i, c in enumerate(nb.cells) if c.cell_type == "code"
            for o in c.get("outputs", []) if o.get("output_type") == "error"]


def _stream(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=nb_id)
def test_an_honest_hand_in_passes_every_check_and_every_hidden_test(release_dir, tmp_path, path, record_property):
    """The solved release, one run: no cell raises; `make check` and nbgrader's Validator pass every cell
    and read no displayed value as partial credit; the grader's judge gives every graded cell all its
    hidden checks (the records of the run, judged as a student's); the hidden tests pass on salted inputs.
    """
    from autograder.engine.assemble import build_template
    from autograder.engine.verdicts import judge
    from course_utils.grading.records import read_records

    source = read(path)
    release = _release(release_dir, path)
    template = build_template(path.stem, release, source)
    hidden = {c["grade_id"]: c["hidden"] for c in template.replay_cells if c["grade_id"] and c["hidden"]}
    graded = [nbg(c)["grade_id"] for c in graded_cells(source)]
    assert sorted(hidden) == sorted(graded), "every graded cell has hidden tests (AUTHORING.md)"
    record = tmp_path / "records.jsonl"
    file = tmp_path / path.parent.name / path.name
    file.parent.mkdir(parents=True)
    nbformat.write(with_hidden_tests_run(solved(release, source), hidden, record), file)

    run = run_through_make_check(file, tmp_path)
    record_property("timing", (f"execute {nb_id(path)} (honest hand-in, hidden tests recorded and salted)",
                               run.seconds))
    assert _cell_errors(run.executed) == []
    assert run.passed and run.printed.endswith("All visible checks pass. The instructor's hidden tests will also "
                                               "try other inputs.\n"), run.printed
    assert "Success! Your notebook passes all the tests." in run.validated, run.validated[-3000:]
    assert "partial credit" not in run.validated
    # the grader's verdicts: every graded cell judged, every hidden check recorded and passed
    records, notes = read_records(record, 50_000_000)
    assert notes == []
    verdicts, replay_errors = judge(template, records)
    assert replay_errors == []
    assert sorted(verdicts) == sorted(graded)
    for gid, v in verdicts.items():
        assert v.failures == [] and 0 < v.recorded <= v.count, (gid, v)   # count also has expect() checks
    # the salted direct run of the same hidden tests
    salted = [c for c in run.executed.cells if c.metadata.get(ADDED) == "salted"]
    assert len(salted) == len(graded)
    for c in salted:
        assert "hidden check(s) passed" in _stream(c), _stream(c)[-2000:]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=nb_id)
def test_the_untouched_release_runs_to_the_end_and_fails_every_check(release_dir, tmp_path, path, record_property):
    """The release as it is handed out: every code cell runs (an unimplemented exercise stops nothing
    after it), each graded cell meets its stub, `make check` names each as not implemented, nbgrader's
    Validator fails each and, inverted (`nbgrader validate --invert`), passes none."""
    release = _release(release_dir, path)
    file = tmp_path / path.parent.name / path.name
    file.parent.mkdir(parents=True)
    nbformat.write(release, file)
    run = run_through_make_check(file, tmp_path)
    record_property("timing", (f"execute {nb_id(path)} (untouched release)", run.seconds))
    graded = graded_cells(run.executed)
    code = [c for c in run.executed.cells if c.cell_type == "code"]
    assert all(c.get("execution_count") for c in code), "the kernel stopped early"
    for c in graded:
        errs = [o for o in c.outputs if o.get("output_type") == "error"]
        assert errs and errs[0]["ename"] == "NotImplementedError", (nbg(c)["grade_id"], errs[:1])
        assert "is not implemented yet" in errs[0]["evalue"]
    assert not run.passed
    assert f"{len(graded)} check(s) fail:" in run.printed, run.printed
    assert run.printed.count("is not implemented yet") >= len(graded), run.printed
    assert f"VALIDATION FAILED ON {len(graded)} CELL(S)!" in run.validated, run.validated[-3000:]
    assert "partial credit" not in run.validated
    assert "changed" not in run.inverted and "type_changed" not in run.inverted
    assert run.inverted.get("passed", []) == []


#: what `make check` prints for the issue's instance (point 5): one block, the problem on its first line
L2_BLOCK = """1 check(s) fail:

- L2: L2 output should be a single number (a float), got a numpy array of shape (1, 1). Turn it into a number, \
e.g. with float(...): np.dot or @ of two 2-D arrays gives a 2-D array, even when it holds a single entry.
    in case 1: L2(array(1, 5), array(1, 5))
"""


def _param(path: Path):
    """A notebook whose command line also runs: it shares a worker with that test (one run each)."""
    return pytest.param(path, id=nb_id(path), marks=[pytest.mark.xdist_group(f"student-checks-{path.stem}")])


@pytest.mark.parametrize("path", [_param(p) for p in (MAKE_CHECK_CLI, VALIDATE_CLI)])
def test_make_check_and_nbgrader_validate_name_exactly_the_wrong_cell(checked, path):
    """`make check`: one block for the one failing cell; its first line names the function and the
    problem. Nothing of the libraries (no course_utils/ source, no traceback), no ANSI colour codes.
    `nbgrader validate`, judging the same run: exactly that cell fails, and no displayed value is read
    as partial credit."""
    c = checked(path)
    assert c.passed is False, c.printed
    assert c.printed.startswith(f"Checking {c.file} (this runs the whole notebook) ...\n"), c.printed
    report = c.printed.split("\n", 1)[1]
    assert report.startswith("1 check(s) fail:\n\n- "), c.printed
    block = report.rstrip("\n").split("\n")[2:]
    assert block[0].startswith(f"- {c.name}: ") and len(block[0]) > len(c.name) + 10, c.printed
    assert all(line.startswith("    ") for line in block[1:] if line), c.printed
    assert c.first_line.startswith(f'"""{c.name}: ')  # the docstring convention the label relies on
    if c.name == "L2":
        assert report == L2_BLOCK
    assert "course_utils/" not in report and "Traceback" not in report and "\x1b[" not in report
    assert "WARNING" not in report and "partial credit" not in report

    assert "partial credit" not in c.validated, c.validated[-3000:]
    assert "VALIDATION FAILED ON 1 CELL(S)!" in c.validated, c.validated[-3000:]
    failed = re.split(r"The following cell failed:", c.validated)[1:]
    assert len(failed) == 1 and c.first_line.strip()[:60] in failed[0], c.validated[-3000:]  # nbgrader cuts at 90


@pytest.mark.xdist_group(f"student-checks-{MAKE_CHECK_CLI.stem}")
def test_the_make_check_command_prints_that_report_and_nothing_else(checked):
    """``python -m autograder check FILE`` on 1/01 (the issue's instance): exit status 1, stdout exactly
    what the in-process run of the same file printed (object addresses aside), and nothing on stderr:
    no traceback, no "Kernel is running over TCP without encryption" warning (kernels start with
    CurveZMQ)."""
    c = checked(MAKE_CHECK_CLI)
    run = subprocess.run([sys.executable, "-m", "autograder", "check", str(c.file)], capture_output=True, text=True,
                         cwd=c.file.parent.parent, env=_env(), timeout=600)
    assert (run.returncode, _same_run(run.stdout), run.stderr) == (1, _same_run(c.printed), ""), run.stdout + run.stderr
    assert c.name == "L2" and run.stdout.split("\n", 1)[1] == L2_BLOCK


@pytest.mark.xdist_group(f"student-checks-{VALIDATE_CLI.stem}")
def test_the_nbgrader_validate_command_prints_that_report(checked):
    """``nbgrader validate FILE`` (nbgrader's own command, the Validate button's validator) on a Track 2
    notebook: it prints exactly what nbgrader's Validator printed for the in-process run of the same
    file (object addresses aside), and does not crash."""
    c = checked(VALIDATE_CLI)
    nbgrader = Path(sys.executable).parent / "nbgrader"
    run = subprocess.run([str(nbgrader), "validate", str(c.file)], capture_output=True, text=True,
                         cwd=c.file.parent.parent, env=_env(), timeout=600)
    assert _same_run(run.stdout) == _same_run(c.validated), run.stdout[-3000:] + run.stderr[-3000:]
    assert "VALIDATION FAILED ON 1 CELL(S)!" in run.stdout and "Traceback" not in run.stderr, run.stderr[-3000:]


def test_the_release_lets_run_all_go_on_past_every_check(release_dir):
    """Point 6: every graded cell of every released notebook is tagged raises-exception (JupyterLab's
    Run All then goes on past it), and no solution cell is (a syntax error there must stop the run)."""
    for path in NOTEBOOKS:
        nb = read(release_dir / path.parent.name / path.name)
        tagged = {nbg(c).get("grade_id"): "raises-exception" in c.metadata.get("tags", [])
                  for c in nb.cells if nbg(c).get("grade") or nbg(c).get("solution")}
        assert {gid for gid, t in tagged.items() if t} == {gid for gid in tagged if gid.startswith("test_")}, nb_id(path)


def test_a_failure_block_is_the_message_and_where_the_students_code_raised_it():
    """The block `make check` prints, from a cell's error output as the kernel sends it (ANSI colours,
    the message first; course_utils.grading.checks.install_display)."""
    from autograder.student.selfcheck import failure_block, failure_lines

    outputs = [{"output_type": "stream", "name": "stdout", "text": "printed\n"},
               {"output_type": "error", "ename": "KeyError", "evalue": "'dA0'", "traceback": [
                   "\x1b[31mKeyError\x1b[39m: 'dA0'",
                   "\x1b[36mCell\x1b[39m In[12], line 2\n      1 \"\"\"L_model_backward: ...\"\"\"\n"
                   "\x1b[32m----> \x1b[39m2 check_function(L_model_backward, ref.L_model_backward, cases)\n",
                   "\x1b[36mCell\x1b[39m In[9], line 25, in \x1b[36mL_model_backward\x1b[39m(AL, Y, caches)\n"
                   "     24     grads = {}\n\x1b[32m---> \x1b[39m25     return grads[\"dA0\"]\n"]}]
    lines = failure_lines(outputs)
    assert lines == ["KeyError: 'dA0'", 'raised in L_model_backward, line 25: return grads["dA0"]']
    assert failure_block('"""L_model_backward: the [4, 3, 2, 1] example above (visible); ..."""\ncheck(...)',
                         "\n".join(lines)) == [
        "- L_model_backward: KeyError: 'dA0'", '    raised in L_model_backward, line 25: return grads["dA0"]']
    check_failed = [{"output_type": "error", "ename": "CheckFailed", "evalue": "L2 output ...\n  in case 1: L2(x)",
                     "traceback": []}]
    assert failure_block("check_function(L2, ref, cases)", "\n".join(failure_lines(check_failed))) == [
        "- check_function(L2, ref, cases): L2 output ...", "    in case 1: L2(x)"]
