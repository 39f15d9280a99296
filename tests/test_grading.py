"""End to end: a fixture class graded by `python -m autograder grade` (nbgrader underneath).

alice  the source notebooks                          -> full marks
bob    the untouched student release                 -> 0
carol  source, with exactly one function wrong (L1)  -> full minus that test's points
dave   source, whose sigmoid also prints an overflow RuntimeWarning -> full marks
erin   notebook 01 is corrupted JSON, notebook 02 fine -> 01 scores 0 and is reported; 02 graded
"""

import csv
import shutil
import subprocess
import sys

import nbformat
import pytest

from autograder.preprocessors import STDERR_BANNER
from helpers import (SOURCE, html_text, nbg, points, read, replace_solution, source_notebooks,
                     graded_cells)
from autograder.preprocessors import hidden_lines

ASSIGNMENT = "1_neural_networks"
NB01, NB02 = "01_numpy_basics", "02_logistic_regression"
WRONG_FN = "L1"
WARN_FN = "sigmoid"


def _edit(nb, grade_id, edit):
    cell = next(c for c in nb.cells if nbg(c).get("grade_id") == grade_id)
    cell.source = edit(cell.source)
    return nb


@pytest.fixture(scope="module")
def graded(tmp_path_factory, release_dir):
    subs = tmp_path_factory.mktemp("submissions")
    out = tmp_path_factory.mktemp("results")
    src = {p.stem: p for p in (SOURCE / ASSIGNMENT).glob("*.ipynb")}
    students = {"alice": {}, "bob": {}, "carol": {}, "dave": {}, "erin": {}}
    for stem, path in src.items():
        students["alice"][stem] = read(path)
        students["bob"][stem] = read(release_dir / ASSIGNMENT / path.name)
        students["carol"][stem] = read(path)
        students["dave"][stem] = read(path)
        students["erin"][stem] = read(path)
    _edit(students["carol"][NB01], WRONG_FN,
          lambda s: replace_solution(s, "    return float(np.sum(np.abs(y - yhat))) + 1.0"))
    _edit(students["dave"][NB01], WARN_FN, lambda s: replace_solution(s, (
        "    import warnings\n"
        "    with warnings.catch_warnings():\n"
        "        warnings.simplefilter('always')\n"
        "        np.exp(np.float64(1000.0))  # overflows on every call: a RuntimeWarning on stderr\n"
        "    return 1 / (1 + np.exp(-x))")))
    for student, nbs in students.items():
        folder = subs / student / ASSIGNMENT
        folder.mkdir(parents=True)
        for stem, nb in nbs.items():
            nbformat.write(nb, folder / f"{stem}.ipynb")
    (subs / "erin" / ASSIGNMENT / f"{NB01}.ipynb").write_text('{"cells": [ {"cell_type": "code", "sour')
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(subs), "--out", str(out)],
                          capture_output=True, text=True, timeout=1500)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out, proc.stdout


def _rows(out, name):
    with open(out / name, newline="") as f:
        return list(csv.DictReader(f))


def _totals():
    per_nb = {p.stem: points(read(p)) for p in (SOURCE / ASSIGNMENT).glob("*.ipynb")}
    return per_nb, sum(sum(v.values()) for v in per_nb.values())


def test_scores_per_student(graded):
    out, _ = graded
    per_nb, total = _totals()
    scores = {r["student"]: (float(r["score"]), float(r["max_score"])) for r in _rows(out, "grades.csv")}
    assert scores["alice"] == (total, total)
    assert scores["bob"] == (0.0, total)
    assert scores["carol"] == (total - per_nb[NB01][f"test_{WRONG_FN}"], total)
    assert scores["dave"] == (total, total)
    assert scores["erin"] == (total - sum(per_nb[NB01].values()), total)


def test_scores_per_cell(graded):
    out, _ = graded
    per_nb, _ = _totals()
    rows = _rows(out, "grades_by_cell.csv")
    assert len(rows) == 5 * sum(len(v) for v in per_nb.values())
    carol = {(r["notebook"], r["cell"]): float(r["score"]) for r in rows if r["student"] == "carol"}
    for nb, cells in per_nb.items():
        for cell, pts in cells.items():
            expected = 0.0 if (nb, cell) == (NB01, f"test_{WRONG_FN}") else pts
            assert carol[(nb, cell)] == expected, (nb, cell)


def test_malformed_submission_is_reported_and_the_rest_graded(graded):
    out, stdout = graded
    erin = next(r for r in _rows(out, "grades.csv") if r["student"] == "erin")
    assert f"{NB01}.ipynb is not a notebook (invalid JSON" in erin["problems"]
    assert "problem" in stdout
    log = (out / "grading.log").read_text()
    assert "erin/1_neural_networks" in log and "invalid JSON" in log
    assert (out / "feedback" / "erin" / ASSIGNMENT / f"{NB02}.html").exists()


def test_warning_reached_a_graded_cell_and_cost_nothing(graded):
    out, _ = graded
    nb = read(out / "course" / "autograded" / "dave" / ASSIGNMENT / f"{NB01}.ipynb")
    cell = next(c for c in graded_cells(nb) if nbg(c)["grade_id"] == f"test_{WARN_FN}")
    text = "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")
    assert STDERR_BANNER.strip() in text and "RuntimeWarning" in text and "overflow" in text


def test_feedback_never_shows_hidden_tests(graded):
    out, _ = graded
    release_text = {p.stem: "\n".join(c.source for c in read(p).cells)
                    for p in (out / "course" / "release" / ASSIGNMENT).glob("*.ipynb")}
    files = sorted((out / "feedback").rglob("*.html"))
    assert len(files) == 5 * 2 - 1  # erin's corrupt notebook has no feedback
    for f in files:
        text = html_text(f)
        secret = [ln.strip() for c in graded_cells(read(SOURCE / ASSIGNMENT / f"{f.stem}.ipynb"))
                  for ln in hidden_lines(c.source)]
        secret = [s for s in secret if len(s) >= 6 and s not in release_text[f.stem]]
        assert secret
        leaks = [s for s in secret if s in text]
        assert not leaks, f"{f}: {leaks[:3]}"
        assert "hidden tests: not shown" in text


def test_feedback_tells_bob_what_to_do(graded):
    out, _ = graded
    text = html_text(out / "feedback" / "bob" / ASSIGNMENT / f"{NB01}.html")
    assert "is not implemented yet" in text
