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


def one_wrong(release_dir: Path, path: Path, folder: Path):
    """The solved release with the last graded function replaced by one that returns None.

    Returns the file and the first line of the test cell that must fail."""
    src = read(path)
    nb = solved(read(release_dir / path.parent.name / path.name), src)
    last = [c for c in solution_cells(nb) if defined_functions(c)][-1]
    name = defined_functions(last)[-1]
    last.source += WRONG.format(name=name)
    cell = next(c for c in graded_cells(nb) if nbg(c)["grade_id"] == f"test_{name}")
    out = folder / path.parent.name / path.name
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, out)
    return out, cell.source.splitlines()[0]


def _env():
    return dict(os.environ, PYTHONWARNINGS="ignore")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=nb_id)
def test_make_check_names_exactly_the_wrong_cell(release_dir, tmp_path, path):
    file, first_line = one_wrong(release_dir, path, tmp_path)
    run = subprocess.run([sys.executable, "-m", "autograder", "check", str(file)], capture_output=True, text=True,
                         cwd=tmp_path, env=_env(), timeout=600)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "1 check(s) fail:" in run.stdout, run.stdout
    assert f"- {first_line.strip().strip(chr(34))}" in run.stdout, run.stdout
    assert "partial credit" not in run.stdout + run.stderr


@pytest.mark.parametrize("path", NOTEBOOKS, ids=nb_id)
def test_nbgrader_validate_names_exactly_the_wrong_cell(release_dir, tmp_path, path):
    file, first_line = one_wrong(release_dir, path, tmp_path)
    nbgrader = Path(sys.executable).parent / "nbgrader"
    run = subprocess.run([str(nbgrader), "validate", str(file)], capture_output=True, text=True, cwd=tmp_path,
                         env=_env(), timeout=600)
    text = run.stdout + run.stderr
    assert "partial credit" not in text, text[-3000:]
    assert "VALIDATION FAILED ON 1 CELL(S)!" in text, text[-3000:]
    failed = re.split(r"The following cell failed:", text)[1:]
    assert len(failed) == 1 and first_line.strip()[:60] in failed[0], text[-3000:]  # nbgrader cuts lines at 90
