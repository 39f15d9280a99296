"""What a student runs on what a student hands in: `make check` (python -m autograder check) and
nbgrader's own `nbgrader validate` (the JupyterLab Validate button runs the same validator) on the
release solved honestly except for exactly one wrong answer.

Both must report exactly that cell, with no crash: before 0.2.0 a visible check returned its number
of cases, which showed as `Out[n]: 2` under every graded cell, and nbgrader read it as partial credit
("partial credit cannot be greater than maximum points for cell" crashed the validator on a
1-point cell). Both halves are proven per notebook: every correct cell passes, the one wrong cell is
named.

What is proven where (one kernel run of each notebook serves both tools):

* Per notebook, ``test_make_check_and_nbgrader_validate_name_exactly_the_wrong_cell``: the notebook
  runs ONCE, through `make check`'s own code (``selfcheck.check``, hence ``CourseValidator`` and its
  whole pipeline: nbgrader's CheckCellMetadata, ClearOutput, Execute, then the kit's preprocessors).
  Both tools execute the notebook the same way (nbgrader's Execute in a fresh python3 kernel, in the
  notebook's folder); they differ only in how they judge the executed cells. So the executed notebook
  is also taken right after Execute and judged by nbgrader's stock ``Validator`` (no preprocessors left
  to run), which is what `nbgrader validate` prints. What depends on a notebook's content (its correct
  cells pass under both tools' rules, displayed values are not read as partial credit, the wrong cell
  fails with a readable message) is therefore proven on all of them, by each tool's own judging code.
* Once, the command lines: what neither depends on the notebook (argument handling, exit status,
  nothing on stderr, no kernel transport warning, the report on stdout). ``python -m autograder
  check`` runs on Track 1's 01 (the issue's instance, L2 returning a (1, 1) array) and ``nbgrader
  validate`` on Track 2's 08 (its quickest run); each must print exactly what the in-process run of
  the same file printed, which is what makes the per-notebook shortcut above trustworthy.

Before: 13 runs of each command (26 executions of whole notebooks); now 13 + 2.
"""

import contextlib
import copy
import io
import os
import re
import subprocess
import sys
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


#: what `make check` prints for the issue's instance (point 5): one block, the problem on its first line
L2_BLOCK = """1 check(s) fail:

- L2: L2 output should be a single number (a float), got a numpy array of shape (1, 1). Turn it into a number, \
e.g. with float(...): np.dot or @ of two 2-D arrays gives a 2-D array, even when it holds a single entry.
    in case 1: L2(array(1, 5), array(1, 5))
"""


def _param(path: Path):
    """A notebook; the two whose command lines also run share a worker with that test (one run each)."""
    marks = [pytest.mark.xdist_group(f"student-checks-{path.stem}")] if path in (MAKE_CHECK_CLI, VALIDATE_CLI) else []
    return pytest.param(path, id=nb_id(path), marks=marks)


@pytest.mark.parametrize("path", [_param(p) for p in NOTEBOOKS])
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
