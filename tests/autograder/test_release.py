"""The student release: no solutions, no hidden tests; `make check` on the source and on the release."""

import re
import subprocess
import sys

import pytest

from autograder.preprocessors import hidden_lines, remove_hidden
from helpers import nb_id, read, solution_cells, source_notebooks, graded_cells

NOTEBOOKS = source_notebooks()


def released(release_dir, path):
    return release_dir / path.parent.name / path.name


def _solution_lines(nb):
    lines = []
    for c in solution_cells(nb):
        m = re.search(r"### BEGIN SOLUTION\n(.*?)\n\s*### END SOLUTION", c.source, re.S)
        lines += [ln.strip() for ln in m.group(1).splitlines() if len(ln.strip()) > 8]
    return lines


@pytest.mark.parametrize("path", NOTEBOOKS, ids=nb_id)
def test_release_has_no_solution_or_hidden_text(release_dir, path):
    rel = released(release_dir, path)
    text = rel.read_text()
    for marker in ["BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", "HiddenTest"]:
        assert marker not in text
    student_nb = read(rel)
    student_code = "\n".join(c.source for c in student_nb.cells if c.cell_type == "code")
    student_all = "\n".join(c.source for c in student_nb.cells)
    src = read(path)
    # a line of an answer must not appear as a line of student code, unless the source
    # shows the same line outside the answers too (e.g. a `return s` in a demo)
    outside = {ln.strip() for c in src.cells
               for ln in re.sub(r"### BEGIN SOLUTION.*?### END SOLUTION", "", c.source, flags=re.S).splitlines()}
    code_lines = {ln.strip() for ln in student_code.splitlines()}
    leaked = [ln for ln in _solution_lines(src) if ln in code_lines and ln not in outside]
    assert not leaked, f"solution code leaked into the release: {leaked[:3]}"
    # a hidden line must not reach the release, unless the same line is also in the source
    # outside the hidden regions (a common line such as `for l in (1, 2, 3):`)
    visible = {ln.strip() for c in src.cells for ln in remove_hidden(c.source).splitlines()}
    for line in [ln.strip() for c in graded_cells(src) for ln in hidden_lines(c.source)]:
        if len(line) > 8 and line not in visible:
            assert line not in student_all, f"hidden test leaked into the release: {line!r}"
    assert len(graded_cells(read(rel))) == len(graded_cells(src))


# That no graded cell of any untouched notebook passes `nbgrader validate --invert` is proven on every
# notebook by tests/autograder/test_student_checks.py (the untouched release's one run, judged inverted).


def test_student_self_check_command(release_dir):
    path = next(p for p in NOTEBOOKS if p.stem == "01_numpy_basics")  # 1/01, as before 00_introduction opened Track 1
    ok = subprocess.run([sys.executable, "-m", "autograder", "check", str(path)], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "All visible checks pass" in ok.stdout
    bad = subprocess.run([sys.executable, "-m", "autograder", "check", str(released(release_dir, path))],
                         capture_output=True, text=True)
    assert bad.returncode == 1
    assert f"{len(graded_cells(read(path)))} check(s) fail" in bad.stdout
    assert "is not implemented yet" in bad.stdout
