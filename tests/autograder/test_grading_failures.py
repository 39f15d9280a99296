"""A grader failure is never a student's 0 (issue 11, point 11).

The sandbox is broken for real here: an address-space limit too small for the runner to import
numpy (``--memory-mb 60``) stops it before it can run a notebook, as a venv outside the
sandbox's mounts did. Then:

- ``grade`` grades its built-in known-good notebook first, sees it fail, grades nobody, writes
  every row as "grading failed" with no score, puts the sandbox's own output in
  ``grading.log`` and exits 3;
- a submission whose sandbox fails after the self-test passed is stored the same way: no
  score in the CSVs, no auto score in the gradebook (it needs a manual grade);
- every limit a notebook hits is a problem of the submission, so it is in ``grading.log``.
"""

from __future__ import annotations

import csv
import json
import logging
import re
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import course
from autograder.engine import grade as grade_module
from autograder.engine.assemble import build_template, solved_submission
from autograder.engine.sandbox import Limits, available, import_paths
from autograder.engine.worker import GRADING_FAILED, grade_submission
from helpers import SOURCE

pytestmark = pytest.mark.filterwarnings("ignore:.*not in session")  # nbgrader 0.9.6's SQLAlchemy noise

TRACK, STEM = "1_neural_networks", "01_numpy_basics"
NB = f"{STEM}.ipynb"
TOO_LITTLE_MEMORY = 60   # MiB of address space: Python starts, numpy cannot be mapped
SANDBOXED = available()[0]


def _rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def _solved(release_dir) -> dict:
    return solved_submission(json.loads((release_dir / TRACK / NB).read_text()), json.loads((SOURCE / TRACK / NB).read_text()))


def test_a_broken_sandbox_grades_nobody_and_exits_non_zero(tmp_path, release_dir):
    subs = tmp_path / "subs"
    for folder in (subs / "alice" / TRACK, subs / "frank" / STEM):
        folder.mkdir(parents=True)
        (folder / NB).write_text(json.dumps(_solved(release_dir)))
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(subs), "--out", str(out), "--no-progress",
                           "--memory-mb", str(TOO_LITTLE_MEMORY), *([] if SANDBOXED else ["--unsandboxed"])],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    why_start = "the sandbox could not start the grader's runner (exit status "
    (line,) = [ln for ln in proc.stderr.splitlines() if ln.startswith("error: ")]
    assert line.startswith(f"error: GRADING FAILED for 2 submission(s), so they have no score (not a 0): {why_start}")
    why = line.split("(not a 0): ", 1)[1].removesuffix(". Fix the cause and grade them again.")
    points = {c: p for c, p in _points(SOURCE / TRACK / NB).items()}
    track_max = sum(sum(_points(p).values()) for p in (SOURCE / TRACK).glob("*.ipynb"))
    assert [(r["student"], r["assignment"], r["score"], r["max_score"], r["status"], r["problems"])
            for r in _rows(out / "grades.csv")] == [
        ("alice", TRACK, "", str(track_max), GRADING_FAILED, f"grading failed, not scored: {why}"),
        ("frank", STEM, "", str(sum(points.values())), GRADING_FAILED, f"grading failed, not scored: {why}")]
    assert {(r["student"], r["notebook"], r["score"], r["status"]) for r in _rows(out / "grades_by_notebook.csv")} == {
        *{("alice", p.stem, "", GRADING_FAILED) for p in (SOURCE / TRACK).glob("*.ipynb")},
        ("frank", STEM, "", GRADING_FAILED)}
    cells = _rows(out / "grades_by_cell.csv")
    assert {(r["score"], r["status"], r["reason"]) for r in cells} == {("", GRADING_FAILED, f"grading failed: {why}")}
    log = (out / "grading.log").read_text()
    assert f"grader self-test FAILED: {why}" in log
    sandbox_output = log.split("grader self-test: the sandbox's own output:\n", 1)[1]
    quoted = re.fullmatch(r"the sandbox could not start the grader's runner \(exit status -?\d+: (.+)\); "
                          r"the sandbox's output is in grading.log", why)
    assert quoted and quoted.group(1) in sandbox_output  # the reason quotes the output's last line ...
    assert "autograder/engine/runner.py" in sandbox_output  # ... which ends the runner's own traceback
    assert "alice/1_neural_networks: grading failed, not scored:" in log
    assert not (out / "course").exists()  # the release was never built: nothing was graded


def _points(path: Path) -> dict[str, float]:
    nb = json.loads(path.read_text())
    return {c["metadata"]["nbgrader"]["grade_id"]: float(c["metadata"]["nbgrader"]["points"])
            for c in nb["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade")}


@pytest.fixture(scope="module")
def single(tmp_path_factory, release_dir):
    """The gradebook of the single-notebook assignment 01_numpy_basics, and its template."""
    root = tmp_path_factory.mktemp("single")
    release = course.build_release(root / "course", SOURCE, log=lambda m: None, db_path=root / "gradebook.db",
                                   only=[STEM])
    template = build_template(NB, json.loads((release / STEM / NB).read_text()), json.loads((SOURCE / TRACK / NB).read_text()))
    return root, template


def _job(template, nb: dict, **limits) -> dict:
    return {"student": "alice", "assignment": STEM, "files": {NB: json.dumps(nb).encode()},
            "templates": {NB: template.to_dict()}, "limits": Limits(**limits).as_dict(), "sandboxed": SANDBOXED,
            "scratch": None}


def _store(root: Path, raw: dict) -> tuple[list[dict], str]:
    from nbgrader.api import Gradebook

    out = root / "out"
    out.mkdir(exist_ok=True)
    logger = grade_module._setup_logger(out / "grading.log")
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        grade_module._store(gb, raw, root / "course", out, logger)
    logging.shutdown()
    grade_module._write_csvs(out, root / "gradebook.db", grade_module._all_results(out))
    return _rows(out / "grades_by_cell.csv"), (out / "grading.log").read_text()


def _gradebook(root: Path) -> set[tuple]:
    import sqlite3

    with sqlite3.connect(root / "gradebook.db") as db:
        return set(db.execute("select bc.name, g.auto_score, g.needs_manual_grade from grade g "
                              "join base_cell bc on g.cell_id = bc.id").fetchall())


def test_a_submission_whose_sandbox_fails_is_not_scored(single, release_dir):
    root, template = single
    nb = _solved(release_dir)
    ok = grade_submission(_job(template, nb))
    cells, _ = _store(root, ok)  # an earlier, good grade ...
    assert {r["status"] for r in cells} == {"passed"}
    raw = grade_submission(_job(template, nb, memory_mb=TOO_LITTLE_MEMORY))
    why = raw["grading_failed"]
    assert why.startswith("the sandbox could not start the grader's runner (exit status ")
    assert raw["problems"] == [f"grading failed, not scored: {why}"]
    assert [c["status"] for c in raw["notebooks"][NB]["cells"]] == [GRADING_FAILED] * len(template.grade_cells)
    assert "Traceback (most recent call last)" in raw["sandbox_log"]
    cells, log = _store(root, raw)  # ... is not kept: the cells need grading again
    assert {(r["score"], r["status"], r["reason"]) for r in cells} == {("", GRADING_FAILED, f"grading failed: {why}")}
    (row,) = _rows(root / "out" / "grades.csv")
    assert (row["score"], row["status"]) == ("", GRADING_FAILED)
    (nb_row,) = _rows(root / "out" / "grades_by_notebook.csv")
    assert (nb_row["score"], nb_row["status"]) == ("", GRADING_FAILED)
    assert _gradebook(root) == {(c.grade_id, None, 1) for c in template.grade_cells}
    assert f"alice/{STEM}: grading failed, not scored: {why}" in log
    assert f"alice/{STEM}: the sandbox's own output:\n" in log and "Traceback (most recent call last)" in log


def test_every_limit_hit_is_in_the_log(single, release_dir):
    """A cell interrupted at the cell time limit, a MemoryError, output cut at its limit."""
    root, template = single
    nb = _solved(release_dir)
    extra = ["import time\ntime.sleep(600)", "import numpy as np\n_big = np.ones(10**10)", "print('x' * 300_000)"]
    first = len(nb["cells"]) + 1  # the cells are appended at the end: cell numbers from here
    nb["cells"] += [{"cell_type": "code", "metadata": {}, "source": s, "outputs": [], "execution_count": None}
                    for s in extra]
    raw = grade_submission(_job(template, nb, cell_timeout=10, memory_mb=2048, max_output=100_000))
    hits = [f"{NB}: cell {first} was interrupted after the cell time limit of 10 s",
            f"{NB}: cell {first + 1} ran out of memory (the limit is 2048 MiB per process)",
            f"{NB}: its output was cut at the limit of 100000 bytes"]
    assert raw["problems"] == hits
    assert {c["status"] for c in raw["notebooks"][NB]["cells"]} == {"passed"}  # limits hit, full marks kept
    _, log = _store(root, raw)
    for hit in hits:
        assert f"alice/{STEM}: {hit}" in log


def test_the_sandbox_sees_where_the_environment_lives(tmp_path, monkeypatch):
    """Packages on PYTHONPATH or in the user's site-packages are mounted and passed on; a folder
    holding the kit's source notebooks (hidden tests) or the current folder never is."""
    extra = tmp_path / "site"
    extra.mkdir()
    monkeypatch.setenv("PYTHONPATH", str(extra))
    monkeypatch.setattr(sys, "path", [*sys.path, str(extra), str(course.REPO), str(course.REPO.parent)])
    mounts, pythonpath = import_paths()
    assert extra in mounts and pythonpath == [str(extra)]
    assert not any(course.SOURCE.is_relative_to(m) or Path.cwd().is_relative_to(m) for m in mounts)
