"""Grade a class: sandboxed, in parallel, with verdicts made outside the students' code.

Input layout (nbgrader's own): ``SUBMISSIONS/<student_id>/<assignment>/<notebook>.ipynb``
where ``<assignment>`` is a track folder name such as ``1_neural_networks``.

This process is the trusted *coordinator*. It builds the release and the gradebook with
nbgrader, builds one template per notebook (``assemble.py``), and hands one job per
submission to N workers: local processes (default: one per core) or, with
``scheduler=``, a Dask distributed cluster. A worker (``worker.py``) runs the submission
in a bubblewrap sandbox, judges the hidden tests in its own process and returns scores,
the autograded notebook and the feedback HTML. Only this process writes the gradebook,
one result at a time, as results arrive; the output files do not depend on the order in
which they arrive, so N workers give exactly what one gives.

Output, all under ``OUT`` (safe to re-run: every run rewrites the same rows):

- ``grades.csv``          one row per student and assignment: score, max_score, problems, flags
- ``grades_by_cell.csv``  one row per student and graded cell: score, max_score, status, reason
- ``feedback/<student>/<assignment>/<notebook>.html``  per-student feedback, hidden tests removed
- ``grading.log``         what failed, and why, per student (this run)
- ``results/<student>/<assignment>.json``  the last result of each submission; the CSVs are
  built from all of these, so grading part of a class again keeps everyone else's rows
- ``gradebook.db``        nbgrader's gradebook (``course/`` holds nbgrader's course root:
  release/ and autograded/)

One bad submission never stops the class: it gets a score and a reason, and the rest is graded.
"""

from __future__ import annotations

import csv
import json
import logging
import os
import shutil
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from .. import course
from ..course import build_release
from .assemble import build_template
from .sandbox import Limits, available
from .worker import grade_submission, too_big


class SandboxRefused(RuntimeError):
    """No sandbox here and the instructor did not ask to grade without one."""


UNSANDBOXED_BANNER = (
    "WARNING: GRADING WITHOUT A SANDBOX. Student code runs with your permissions: it can read "
    "and change any file you can, use the network and leave processes behind. Verdicts are "
    "still judged outside the student's code. Install bubblewrap (apt-get install bubblewrap) "
    "to grade untrusted work."
)


@dataclass
class StudentResult:
    student: str
    assignment: str
    problems: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    seconds: float = 0.0
    cells: list[dict] = field(default_factory=list)   # one per graded cell, with its notebook

    @property
    def score(self) -> float:
        return sum(c["score"] for c in self.cells)

    @property
    def max_score(self) -> float:
        return sum(c["max_score"] for c in self.cells)


def _setup_logger(path: Path) -> logging.Logger:
    logger = logging.getLogger("autograder.engine.grade")
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


def templates_for(release_dir: Path, source: Path, assignment: str) -> dict[str, dict]:
    out = {}
    for rel in sorted((release_dir / assignment).glob("*.ipynb")):
        src = source / assignment / rel.name
        out[rel.name] = build_template(rel.name, json.loads(rel.read_text(encoding="utf-8")),
                                       json.loads(src.read_text(encoding="utf-8"))).to_dict()
    return out


def _read_files(folder: Path) -> dict[str, bytes | str]:
    """The submitted notebooks as bytes; a reason (str) instead for one that cannot be read."""
    files: dict[str, bytes | str] = {}
    for p in sorted(folder.glob("*.ipynb")):
        try:
            if p.is_symlink() or not p.is_file():
                files[p.name] = "is not a regular file"
            elif too_big(p.stat().st_size):  # never read a huge file into memory
                files[p.name] = too_big(p.stat().st_size)
            else:
                files[p.name] = p.read_bytes()
        except OSError as exc:
            files[p.name] = f"cannot be read ({exc.strerror})"
    return files


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def grade(submissions: Path, out: Path, source: Path = course.SOURCE, log=print, *, workers: int | None = None,
          limits: Limits | None = None, scheduler: str | None = None, unsandboxed: bool = False,
          progress: bool = True) -> list[StudentResult]:
    """Grade every submission under ``submissions`` into ``out``; return per-submission results.

    ``workers``: local worker processes (default: the number of cores). ``scheduler``: the
    address of a Dask distributed scheduler to grade on instead. ``unsandboxed``: grade even
    where bubblewrap is unavailable (see :data:`UNSANDBOXED_BANNER`).
    """
    warnings.filterwarnings("ignore", message=".*not in session.*")  # nbgrader 0.9.6 SQLAlchemy noise
    submissions, out = Path(submissions).resolve(), Path(out).resolve()
    if not submissions.is_dir():
        raise FileNotFoundError(f"submissions folder not found: {submissions}")
    limits = limits or Limits()
    workers = workers or default_workers()
    sandboxed = True
    ok, why = available()
    if not ok and scheduler is None:
        if not unsandboxed:
            raise SandboxRefused(f"refusing to grade untrusted submissions without a sandbox: {why}. "
                                 "Pass --unsandboxed to grade anyway, with no isolation.")
        sandboxed = False
    elif unsandboxed:
        sandboxed = False
    out.mkdir(parents=True, exist_ok=True)
    logger = _setup_logger(out / "grading.log")
    if not sandboxed:
        logger.warning(UNSANDBOXED_BANNER)
        log(UNSANDBOXED_BANNER)
    root = out / "course"
    db_path = out / "gradebook.db"
    build_release(root, source, log=lambda m: logger.info(m), db_path=db_path)
    known = course.assignments(source)
    pairs = discover(submissions, known)
    unknown = sorted({p.name for s in submissions.iterdir() if s.is_dir() for p in s.iterdir()
                      if p.is_dir() and p.name not in known})
    if unknown:
        logger.warning("ignored folders that are not assignments: %s (known: %s)", unknown, known)
    if not pairs:
        log(f"grade: no submissions found under {submissions} (expected <student>/<assignment>/*.ipynb "
            f"with assignment one of {known})")
    templates = {a: templates_for(root / "release", source, a) for a in sorted({a for _, a in pairs})}
    scratch = course.BUILD / "sandboxes"
    scratch.mkdir(parents=True, exist_ok=True)
    scratch_dir = None if scheduler else str(scratch)

    def make_job(pair: tuple[str, str]) -> dict:
        # read only when the job is handed out: a class's files never sit in memory all at once
        s, a = pair
        return {"student": s, "assignment": a, "files": _read_files(submissions / s / a), "templates": templates[a],
                "limits": limits.as_dict(), "sandboxed": sandboxed, "scratch": scratch_dir}

    engine = f"Dask scheduler {scheduler}" if scheduler else f"{workers} local worker(s)"
    logger.info("grading %d submission(s) on %s, %s; limits: %s", len(pairs), engine,
                "sandboxed (bubblewrap)" if sandboxed else "UNSANDBOXED", limits.as_dict())
    log(f"grade: {len(pairs)} submission(s) on {engine}" + ("" if sandboxed else " -- UNSANDBOXED"))

    t0 = time.perf_counter()
    results: dict[tuple[str, str], StudentResult] = {}
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{db_path}") as gb:
        for raw in _execute(pairs, make_job, workers, scheduler, progress):
            res = _store(gb, raw, root, out, logger)
            results[(res.student, res.assignment)] = res
    ordered = [results[p] for p in pairs]
    _write_csvs(out, db_path, _all_results(out))
    logger.info("graded %d submission(s) in %.1f s", len(ordered), time.perf_counter() - t0)
    if not sandboxed:
        log(UNSANDBOXED_BANNER)
    return ordered


def _execute(pairs: list[tuple[str, str]], make_job, workers: int, scheduler: str | None, progress: bool):
    """Yield worker results as they finish, with a progress bar; a lost task still yields a result.

    At most twice as many jobs as there are workers are handed out at a time, so the
    coordinator holds only those submissions' files in memory, whatever the class size.
    """
    from tqdm.auto import tqdm

    bar = tqdm(total=len(pairs), desc="grading", unit="submission", disable=not progress or not pairs,
               file=sys.stderr, dynamic_ncols=True)
    todo = iter(pairs)

    def lost(pair, exc):
        return {"student": pair[0], "assignment": pair[1], "notebooks": {}, "flags": [],
                "problems": [f"grading failed ({type(exc).__name__}: {str(exc)[:300]}); scored 0"], "seconds": 0.0}

    try:
        if scheduler:
            from distributed import Client, as_completed

            with Client(scheduler, timeout="30s") as client:
                window = 2 * max(1, sum(client.nthreads().values()))
                futures = {}

                def submit_next() -> bool:
                    pair = next(todo, None)
                    if pair is None:
                        return False
                    fut = client.submit(grade_submission, make_job(pair), pure=False,
                                        key=f"grade-{len(futures)}-{pair[0]}-{pair[1]}")
                    futures[fut] = pair
                    queue.add(fut)
                    return True

                queue = as_completed()
                for _ in range(window):
                    if not submit_next():
                        break
                for fut in queue:
                    try:
                        yield fut.result()
                    except Exception as exc:
                        yield lost(futures[fut], exc)
                    fut.release()
                    bar.update(1)
                    submit_next()
        elif workers == 1:
            for pair in todo:
                yield grade_submission(make_job(pair))
                bar.update(1)
        else:
            import multiprocessing
            from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

            ctx = multiprocessing.get_context("forkserver")
            with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
                running = {}
                for pair in todo:
                    running[pool.submit(grade_submission, make_job(pair))] = pair
                    if len(running) >= 2 * workers:
                        break
                while running:
                    done, _ = wait(running, return_when=FIRST_COMPLETED)
                    for fut in done:
                        pair = running.pop(fut)
                        try:
                            yield fut.result()
                        except Exception as exc:  # a worker process died
                            yield lost(pair, exc)
                        bar.update(1)
                        nxt = next(todo, None)
                        if nxt is not None:
                            running[pool.submit(grade_submission, make_job(nxt))] = nxt
    finally:
        bar.close()


def _store(gb, raw: dict, root: Path, out: Path, logger: logging.Logger) -> StudentResult:
    """Write one worker result: gradebook rows, autograded notebooks, feedback. Coordinator only."""
    t0 = time.perf_counter()
    student, assignment = raw["student"], raw["assignment"]
    res = StudentResult(student, assignment, list(raw.get("problems", [])), list(raw.get("flags", [])),
                        float(raw.get("seconds", 0.0)))
    gb.update_or_create_student(student)
    gb.update_or_create_submission(assignment, student)
    assignment_row = gb.find_assignment(assignment)
    known_notebooks = {nb.name: nb for nb in assignment_row.notebooks}
    auto_dir = root / "autograded" / student / assignment
    fb_dir = out / "feedback" / student / assignment
    for d in (auto_dir, fb_dir):
        if d.exists():
            shutil.rmtree(d)
    for stem in sorted(known_notebooks):
        nb_result = raw.get("notebooks", {}).get(f"{stem}.ipynb", {})
        by_id = {c["grade_id"]: c for c in nb_result.get("cells", [])}
        for gc in sorted(known_notebooks[stem].grade_cells, key=lambda c: c.name):
            c = by_id.get(gc.name, {"score": 0.0, "status": "not graded", "reason": "no result for this cell"})
            grade = gb.find_grade(gc.name, stem, assignment, student)
            grade.auto_score = float(c["score"])
            grade.manual_score = None
            grade.needs_manual_grade = False
            res.cells.append({"notebook": stem, "cell": gc.name, "score": float(c["score"]),
                              "max_score": float(gc.max_score), "status": c["status"], "reason": c.get("reason", "")})
        if nb_result.get("autograded"):
            auto_dir.mkdir(parents=True, exist_ok=True)
            (auto_dir / f"{stem}.ipynb").write_text(nb_result["autograded"], encoding="utf-8")
        if nb_result.get("feedback_html"):
            fb_dir.mkdir(parents=True, exist_ok=True)
            (fb_dir / f"{stem}.html").write_text(nb_result["feedback_html"], encoding="utf-8")
    gb.db.commit()
    saved = out / "results" / student / f"{assignment}.json"
    saved.parent.mkdir(parents=True, exist_ok=True)
    tmp = saved.with_suffix(".json.tmp")
    tmp.write_text(json.dumps({"student": student, "assignment": assignment, "problems": res.problems,
                               "flags": res.flags, "seconds": res.seconds, "cells": res.cells}, indent=1),
                   encoding="utf-8")
    tmp.replace(saved)
    for p in res.problems:
        logger.warning("%s/%s: %s", student, assignment, p)
    for f in res.flags:
        logger.warning("%s/%s: FLAG: %s", student, assignment, f)
    for e in raw.get("replay_errors", []):
        logger.error("%s/%s: replay: %s", student, assignment, e)
    if raw.get("traceback"):
        logger.error("%s/%s: grader traceback:\n%s", student, assignment, raw["traceback"])
    logger.info("%s/%s: %.1f/%.1f in %.1f s (worker); stored in %.3f s (coordinator)", student, assignment,
                res.score, res.max_score, res.seconds, time.perf_counter() - t0)
    return res


def _all_results(out: Path) -> list[StudentResult]:
    """Every submission graded into ``out`` so far (this run and earlier ones), sorted."""
    found = []
    for path in sorted((out / "results").glob("*/*.json")):
        d = json.loads(path.read_text(encoding="utf-8"))
        found.append(StudentResult(d["student"], d["assignment"], d["problems"], d["flags"], d["seconds"], d["cells"]))
    return sorted(found, key=lambda r: (r.student, r.assignment))


def _write_csvs(out: Path, db_path: Path, results: list[StudentResult]) -> None:
    """CSVs from the gradebook (scores) and the results (reasons), in submission order."""
    from nbgrader.api import Gradebook

    rows = []
    with Gradebook(f"sqlite:///{db_path}") as gb:
        for res in results:
            for c in res.cells:
                g = gb.find_grade(c["cell"], c["notebook"], res.assignment, res.student)
                rows.append({"student": res.student, "assignment": res.assignment, "notebook": c["notebook"],
                             "cell": c["cell"], "score": float(g.score or 0.0), "max_score": float(g.max_score),
                             "status": c["status"], "reason": c["reason"]})
    _atomic_csv(out / "grades_by_cell.csv",
                ["student", "assignment", "notebook", "cell", "score", "max_score", "status", "reason"], rows)
    summary = []
    for res in results:
        mine = [r for r in rows if r["student"] == res.student and r["assignment"] == res.assignment]
        summary.append({"student": res.student, "assignment": res.assignment,
                        "score": sum(r["score"] for r in mine), "max_score": sum(r["max_score"] for r in mine),
                        "problems": "; ".join(res.problems), "flags": "; ".join(res.flags)})
    _atomic_csv(out / "grades.csv", ["student", "assignment", "score", "max_score", "problems", "flags"], summary)


def _atomic_csv(path: Path, fields: list[str], rows: list[dict]) -> None:
    tmp = path.with_suffix(".csv.tmp")
    with tmp.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
    tmp.replace(path)
