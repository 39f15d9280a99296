"""Grade a folder of submissions with nbgrader: scores as CSV, feedback as HTML, a log.

Input layout (nbgrader's own): ``SUBMISSIONS/<student_id>/<assignment>/<notebook>.ipynb``
where ``<assignment>`` is a track folder name such as ``1_neural_networks``.

Output, all under ``OUT`` (safe to re-run; every run rewrites the same rows):

- ``grades.csv``          one row per student and assignment: score, max_score, problems
- ``grades_by_cell.csv``  one row per student and graded cell: score, max_score, status
- ``feedback/<student>/<assignment>/<notebook>.html``  per-student feedback, hidden tests removed
- ``grading.log``         what failed, and why, per student
- ``course/``             nbgrader's course root (submitted/, autograded/, release/), ``gradebook.db``

One bad submission never stops the class: a file that is not a notebook is reported and
scores 0 for that notebook, and the rest is graded.
"""

from __future__ import annotations

import csv
import json
import warnings
import logging
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from . import course
from .release import _api, build_release


@dataclass
class StudentResult:
    student: str
    assignment: str
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _read_problem(path: Path) -> str | None:
    """Why ``path`` cannot be graded as a notebook, or None if it can."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return f"cannot be read: {exc}"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"is not UTF-8 text ({exc.reason} at byte {exc.start})"
    try:
        nb = nbformat.reads(text, as_version=4)
    except (json.JSONDecodeError, nbformat.reader.NotJSONError) as exc:
        return f"is not a notebook (invalid JSON: {str(exc)[:200]})"
    except Exception as exc:  # nbformat raises several types for malformed structure
        return f"is not a valid notebook ({type(exc).__name__}: {str(exc)[:200]})"
    if not isinstance(nb.get("cells"), list):
        return "is not a valid notebook (no list of cells)"
    return None


def _setup_logger(path: Path) -> logging.Logger:
    logger = logging.getLogger("autograder.grade")
    logger.handlers.clear()
    logger.setLevel(logging.INFO)
    handler = logging.FileHandler(path, mode="w", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger.addHandler(handler)
    logger.propagate = False
    return logger


def discover(submissions: Path, assignments: list[str]) -> list[tuple[str, str]]:
    """(student, assignment) pairs present in the submissions folder, sorted."""
    pairs = []
    for sdir in sorted(p for p in submissions.iterdir() if p.is_dir() and not p.name.startswith(".")):
        for a in assignments:
            if (sdir / a).is_dir():
                pairs.append((sdir.name, a))
    return pairs


def grade(submissions: Path, out: Path, source: Path = course.SOURCE, log=print) -> list[StudentResult]:
    """Grade every submission under ``submissions`` into ``out``; return per-submission results."""
    # nbgrader 0.9.6's gradebook code emits SQLAlchemy "not in session" warnings on every
    # autograde; they are about nbgrader's internals and would bury the real messages.
    warnings.filterwarnings("ignore", message=".*not in session.*")
    submissions, out = Path(submissions).resolve(), Path(out).resolve()
    if not submissions.is_dir():
        raise FileNotFoundError(f"submissions folder not found: {submissions}")
    root = out / "course"
    out.mkdir(parents=True, exist_ok=True)
    logger = _setup_logger(out / "grading.log")
    db_path = out / "gradebook.db"

    build_release(root, source, log=lambda m: logger.info(m), db_path=db_path)
    api = _api(root, source, db_path)
    known = course.assignments(source)
    pairs = discover(submissions, known)
    unknown = sorted({p.name for s in submissions.iterdir() if s.is_dir() for p in s.iterdir()
                      if p.is_dir() and p.name not in known})
    if unknown:
        logger.warning("ignored folders that are not assignments: %s (known: %s)", unknown, known)
    if not pairs:
        log(f"grade: no submissions found under {submissions} (expected <student>/<assignment>/*.ipynb "
            f"with assignment one of {known})")
    results = []
    for i, (student, assignment) in enumerate(pairs, start=1):
        t0 = time.perf_counter()
        res = StudentResult(student, assignment)
        target = root / "submitted" / student / assignment
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        src_dir = submissions / student / assignment
        expected = {p.name for p in (source / assignment).glob("*.ipynb")}
        for nb_path in sorted(src_dir.glob("*.ipynb")):
            problem = _read_problem(nb_path)
            if problem:
                res.problems.append(f"{nb_path.name} {problem}; scored 0")
                continue  # left out: nbgrader scores a missing notebook 0
            shutil.copyfile(nb_path, target / nb_path.name)
        for name in sorted(expected - {p.name for p in src_dir.glob("*.ipynb")}):
            res.problems.append(f"{name} was not submitted; scored 0")
        if not any(target.glob("*.ipynb")):
            res.problems.append("no gradable notebook in this submission")
        else:
            _autograde_one(api, res, logger)
        res.seconds = time.perf_counter() - t0
        for p in res.problems:
            logger.warning("%s/%s: %s", student, assignment, p)
        logger.info("%s/%s graded in %.1f s", student, assignment, res.seconds)
        log(f"grade [{i}/{len(pairs)}] {student}/{assignment}: {res.seconds:.1f} s"
            + (f", {len(res.problems)} problem(s)" if res.problems else ""))
        results.append(res)

    rows = export(db_path, results)
    _write_csvs(out, rows, results)
    _collect_feedback(root, out, results)
    return results


def _autograde_one(api, res: StudentResult, logger: logging.Logger) -> None:
    """nbgrader autograde, then feedback, for one submission; failures become problems."""
    student, assignment = res.student, res.assignment
    result = api.autograde(assignment, student, force=True, create=True)
    if not result["success"]:
        res.problems.append("nbgrader autograde failed: " + _last_line(result.get("error") or result.get("log")))
        logger.error("%s/%s autograde failed:\n%s\n%s", student, assignment, result.get("error"), result.get("log"))
        return
    fb = api.generate_feedback(assignment, student, force=True)
    if not fb["success"]:
        res.problems.append("feedback could not be generated: " + _last_line(fb.get("error") or fb.get("log")))
        logger.error("%s/%s feedback failed:\n%s", student, assignment, fb.get("error"))


def _last_line(text: str | None) -> str:
    lines = [ln for ln in (text or "").strip().splitlines() if ln.strip()]
    return lines[-1][:300] if lines else "no error message"


def export(db_path: Path, results: list[StudentResult]) -> list[dict]:
    """Per-cell rows from the gradebook for the graded (student, assignment) pairs."""
    from nbgrader.api import Gradebook, MissingEntry

    rows = []
    with Gradebook(f"sqlite:///{db_path}") as gb:
        for res in results:
            try:
                assignment = gb.find_assignment(res.assignment)
            except MissingEntry:
                continue
            for notebook in sorted(assignment.notebooks, key=lambda n: n.name):
                try:
                    sub = gb.find_submission_notebook(notebook.name, res.assignment, res.student)
                except MissingEntry:
                    sub = None
                for grade_cell in sorted(notebook.grade_cells, key=lambda c: c.name):
                    score, status = 0.0, "not graded"
                    if sub is not None:
                        g = gb.find_grade(grade_cell.name, notebook.name, res.assignment, res.student)
                        score = float(g.score or 0.0)
                        status = "passed" if score >= grade_cell.max_score else "failed"
                    rows.append({
                        "student": res.student, "assignment": res.assignment, "notebook": notebook.name,
                        "cell": grade_cell.name, "score": score, "max_score": float(grade_cell.max_score),
                        "status": status,
                    })
    return rows


def _write_csvs(out: Path, rows: list[dict], results: list[StudentResult]) -> None:
    fields = ["student", "assignment", "notebook", "cell", "score", "max_score", "status"]
    _atomic_csv(out / "grades_by_cell.csv", fields, rows)
    summary = []
    for res in results:
        mine = [r for r in rows if r["student"] == res.student and r["assignment"] == res.assignment]
        summary.append({
            "student": res.student, "assignment": res.assignment,
            "score": sum(r["score"] for r in mine), "max_score": sum(r["max_score"] for r in mine),
            "problems": "; ".join(res.problems),
        })
    _atomic_csv(out / "grades.csv", ["student", "assignment", "score", "max_score", "problems"], summary)


def _atomic_csv(path: Path, fields: list[str], rows: list[dict]) -> None:
    tmp = path.with_suffix(".csv.tmp")
    with tmp.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
    tmp.replace(path)


def _collect_feedback(root: Path, out: Path, results: list[StudentResult]) -> None:
    for res in results:
        src = root / "feedback" / res.student / res.assignment
        dest = out / "feedback" / res.student / res.assignment
        if dest.exists():
            shutil.rmtree(dest)
        if src.is_dir():
            shutil.copytree(src, dest)
