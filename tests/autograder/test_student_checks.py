"""What a student runs on what a student hands in: `make check` (python -m autograder check) and
nbgrader's own `nbgrader validate` (the JupyterLab Validate button runs the same validator) on the
release solved honestly except for exactly one wrong answer.

Both must report exactly that cell, with no crash: before 0.2.0 a visible check returned its number
of cases, which showed as `Out[n]: 2` under every graded cell, and nbgrader read it as partial credit
("partial credit cannot be greater than maximum points for cell" crashed the validator on a
1-point cell). One run per tool and notebook proves both halves: every correct cell passes, the one
wrong cell is named.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from helpers import defined_functions, graded_cells, nb_id, nbg, read, solution_cells, solved, source_notebooks

NOTEBOOKS = source_notebooks()
WRONG = "\n\n\ndef {name}(*args, **kwargs):\n    return None  # a wrong answer, handed in on purpose\n"
#: notebook 1/01's wrong answer is the issue's instance: L2 as np.dot of a row with itself, a (1, 1) array
L2_WRONG = "\n\n\ndef L2(yhat, y):\n    d = yhat - y\n    return np.dot(d, d.T)\n"


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


#: what `make check` prints for the issue's instance (point 5): one block, the problem on its first line
L2_BLOCK = """1 check(s) fail:

- L2: L2 output should be a single number (a float), got a numpy array of shape (1, 1). Turn it into a number, \
e.g. with float(...): np.dot or @ of two 2-D arrays gives a 2-D array, even when it holds a single entry.
    in case 1: L2(array(1, 5), array(1, 5))
"""


@pytest.mark.parametrize("path", NOTEBOOKS, ids=nb_id)
def test_make_check_names_exactly_the_wrong_cell(release_dir, tmp_path, path):
    """One block for the one failing cell; its first line names the function and the problem. Nothing
    of the libraries (no course_utils/ source, no traceback), no ANSI colour codes in a pipe, and no
    kernel transport warning ("Kernel is running over TCP without encryption")."""
    file, first_line, name = one_wrong(release_dir, path, tmp_path)
    run = subprocess.run([sys.executable, "-m", "autograder", "check", str(file)], capture_output=True, text=True,
                         cwd=tmp_path, env=_env(), timeout=600)
    assert run.returncode == 1, run.stdout + run.stderr
    report = run.stdout.split("\n", 1)[1]  # after "Checking <file> ..."
    assert report.startswith("1 check(s) fail:\n\n- "), run.stdout
    block = report.split("\n")[2:]
    assert block[0].startswith(f"- {name}: ") and len(block[0]) > len(name) + 10, run.stdout
    assert all(line.startswith("    ") for line in block[1:] if line), run.stdout
    assert first_line.startswith(f'"""{name}: ')  # the docstring convention the label relies on
    if name == "L2":
        assert report == L2_BLOCK
    assert run.stderr == ""
    for text in (run.stdout, run.stderr):
        assert "course_utils/" not in text and "Traceback" not in text and "\x1b[" not in text
        assert "WARNING" not in text and "partial credit" not in text


@pytest.mark.parametrize("path", NOTEBOOKS, ids=nb_id)
def test_nbgrader_validate_names_exactly_the_wrong_cell(release_dir, tmp_path, path):
    file, first_line, _ = one_wrong(release_dir, path, tmp_path)
    nbgrader = Path(sys.executable).parent / "nbgrader"
    run = subprocess.run([str(nbgrader), "validate", str(file)], capture_output=True, text=True, cwd=tmp_path,
                         env=_env(), timeout=600)
    text = run.stdout + run.stderr
    assert "partial credit" not in text, text[-3000:]
    assert "VALIDATION FAILED ON 1 CELL(S)!" in text, text[-3000:]
    failed = re.split(r"The following cell failed:", text)[1:]
    assert len(failed) == 1 and first_line.strip()[:60] in failed[0], text[-3000:]  # nbgrader cuts lines at 90


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
