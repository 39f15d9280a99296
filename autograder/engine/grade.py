"""Grade a class: sandboxed, in parallel, with verdicts made outside the students' code.

Input layout (nbgrader's own): ``SUBMISSIONS/<student_id>/<assignment>/<notebook>.ipynb``
where ``<assignment>`` is a track folder name such as ``1_neural_networks``, or a single
notebook released as its own assignment (``01_numpy_basics``; see
:func:`autograder.course.notebook_assignments`). Other layouts are read as
``inventory.py`` says: a notebook whose assignment is unambiguous is graded, and every
other file is named with the reason.

This process is the trusted *coordinator*. It first grades a built-in known-good notebook
(``canary.py``) the way every submission is graded: if that fails, the grader is broken,
so nobody is graded and every row says "grading failed". Then it builds the release and
the gradebook with nbgrader, builds one template per notebook (``assemble.py``), and
hands one job per submission to N workers: local processes (default: one per core) or,
with ``scheduler=``, a Dask distributed cluster. A worker (``worker.py``) runs the
submission in a bubblewrap sandbox, judges the hidden tests in its own process and returns
scores, the autograded notebook and the feedback HTML. Only this process writes the
gradebook, one result at a time, as results arrive; the output files do not depend on the
order in which they arrive, so N workers give exactly what one gives.

Output, all under ``OUT`` (safe to re-run: every run rewrites the same rows):

- ``grades.csv``          one row per student and assignment: score, max_score, status, problems, flags
- ``grades_by_notebook.csv``  one row per student, assignment and notebook: score, max_score,
  status (submitted, not submitted, grading failed), problems
- ``grades_by_cell.csv``  one row per student and graded cell: score, max_score, status, reason
- ``submitted_files.csv`` one row per file under SUBMISSIONS: graded, helper or ignored, and why
- ``feedback/<student>/<assignment>/<notebook>.html``  per-student feedback, hidden tests removed
- ``grading.log``         what failed, and why, per student (this run), with every limit hit,
  every file not graded, and the sandbox's own output when the grader failed
- ``results/<student>/<assignment>.json``  the last result of each submission; the CSVs are
  built from all of these (and ``inventory/``), so grading part of a class again keeps
  everyone else's rows
- ``gradebook.db``        nbgrader's gradebook (``course/`` holds nbgrader's course root:
  release/ and autograded/)

Scores: a row whose status is "grading failed" has an empty score, never a 0: the grader
failed, not the student (its gradebook cells need a manual grade until it is graded again).

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
from .sandbox import Limits, available, skip_unused_grammars

skip_unused_grammars()  # before canary imports nbgrader, and with it nbformat and jsonschema
from . import canary  # noqa: E402
from .assemble import build_template  # noqa: E402
from .inventory import Entry, Submission, survey  # noqa: E402
from .report import end_of_run  # noqa: E402
from .worker import GRADING_FAILED, grade_submission, too_big  # noqa: E402


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
    """One student's graded assignment: problems, flags, and one dict per graded cell (its
    notebook, cell, score, max_score, status, reason) and per notebook (notebook, status,
    problems)."""

    student: str
    assignment: str
    problems: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    seconds: float = 0.0
    cells: list[dict] = field(default_factory=list)   # one per graded cell, with its notebook
    notebooks: list[dict] = field(default_factory=list)

    @property
    def score(self) -> float:
        return sum(c["score"] for c in self.cells)

    @property
    def max_score(self) -> float:
        return sum(c["max_score"] for c in self.cells)

    @property
    def status(self) -> str:
        """"grading failed" when the grader failed on any of its cells, else "graded"."""
        return GRADING_FAILED if any(c["status"] == GRADING_FAILED for c in self.cells) else "graded"


class GradeRun(list):
    """What :func:`grade` returns: a list of :class:`StudentResult`, and what else the run found.

    ``self_test_failed``: why the grader's self-test failed (then nobody was graded), or None.
    ``ignored``: the files under SUBMISSIONS that were neither graded nor used, with the reason.
    """

    def __init__(self, results=(), self_test_failed: str | None = None, ignored=()) -> None:
        super().__init__(results)
        self.self_test_failed = self_test_failed
        self.ignored: list[Entry] = list(ignored)

    @property
    def failed(self) -> list[StudentResult]:
        """The submissions the grader failed to grade (status "grading failed")."""
        return [r for r in self if r.status == GRADING_FAILED]


def _setup_logger(path: Path) -> logging.Logger:
    logger = logging.getLogger("autograder.engine.grade")
    logger.handlers.clear()
    logger.setLevel(logging.INFO)
    handler = logging.FileHandler(path, mode="w", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger.addHandler(handler)
    logger.propagate = False
    return logger


def templates_for(release_dir: Path, source: Path, assignment: str) -> dict[str, dict]:
    out = {}
    sources = {p.name: p for p in course.assignment_notebooks(source, assignment)}
    for rel in sorted((release_dir / assignment).glob("*.ipynb")):
        out[rel.name] = build_template(rel.name, json.loads(rel.read_text(encoding="utf-8")),
                                       json.loads(sources[rel.name].read_text(encoding="utf-8"))).to_dict()
    return out


def _read(path: Path) -> bytes | str:
    """A submitted file's bytes; a reason (str) instead when it cannot be read."""
    try:
        if path.is_symlink() or not path.is_file():
            return "is not a regular file"
        if too_big(path.stat().st_size):  # never read a huge file into memory
            return too_big(path.stat().st_size)
        return path.read_bytes()
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"


def _read_files(sub: Submission) -> tuple[dict[str, bytes | str], dict[str, bytes]]:
    """The submission's notebooks as bytes (a reason, str, for one that cannot be read), and its
    helper files."""
    files = {name: _read(path) for name, path in sorted(sub.notebooks.items())}
    helpers = {}
    for rel, path in sorted(sub.helpers.items()):
        data = _read(path)
        if isinstance(data, bytes):
            helpers[rel] = data
    return files, helpers


def catalogue(source: Path, submissions: Path) -> dict[str, list[str]]:
    """{assignment: notebook file names}: every track, and each single-notebook assignment that
    a student folder under ``submissions`` has a folder for."""
    cat = {a: [p.name for p in course.assignment_notebooks(source, a)] for a in course.assignments(source)}
    singles = course.notebook_assignments(source)
    present = {d.name for s in submissions.iterdir() if s.is_dir() and not s.is_symlink()
               for d in s.iterdir() if d.is_dir() and d.name in singles}
    for name in sorted(present):
        cat[name] = [singles[name][1]]
    return cat


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def grade(submissions: Path, out: Path, source: Path = course.SOURCE, log=print, *, workers: int | None = None,
          limits: Limits | None = None, scheduler: str | None = None, unsandboxed: bool = False,
          progress: bool = True) -> GradeRun:
    """Grade every submission under ``submissions`` into ``out``; return per-submission results.

    ``workers``: local worker processes (default: the number of cores). ``scheduler``: the
    address of a Dask distributed scheduler to grade on instead. ``unsandboxed``: grade even
    where bubblewrap is unavailable (see :data:`UNSANDBOXED_BANNER`).

    Raises ``FileNotFoundError`` when ``submissions`` is not a folder, :class:`SandboxRefused`
    when there is no sandbox and ``unsandboxed`` is False, and ``course.ReleaseError`` when
    nbgrader cannot build the release. A failure of the grader while grading is not raised: the
    rows it affects say "grading failed" (see :class:`GradeRun`).
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
    cat = catalogue(source, submissions)
    subs, entries = survey(submissions, cat)
    ignored = [e for e in entries if e.status == "ignored"]
    for e in entries:
        if e.status == "ignored":
            logger.warning("%s: not graded: %s", e.path, e.reason)
        elif e.reason:
            logger.info("%s: %s", e.path, e.reason)
    _save_inventory(out, submissions, entries)
    pairs = [(sub.student, sub.assignment) for sub in subs]
    by_pair = {(sub.student, sub.assignment): sub for sub in subs}
    if not pairs:
        log(f"grade: no submissions found under {submissions} (expected <student>/<assignment>/*.ipynb "
            f"with assignment one of {course.assignments(source)}, or a notebook's name)")
    scratch = course.BUILD / "sandboxes"
    scratch.mkdir(parents=True, exist_ok=True)
    scratch_dir = None if scheduler else str(scratch)
    engine = f"Dask scheduler {scheduler}" if scheduler else f"{workers} local worker(s)"

    if pairs and not scheduler and workers > 1 and len(pairs) > 1:
        _start_forkserver()  # its imports run beside the self-test and the release build
    broken = _self_test(limits, sandboxed, scratch_dir, scheduler, logger) if pairs else None
    if broken:
        log(f"grade: the grader's self-test failed, so nobody was graded: {broken} (see {out / 'grading.log'})")
        for sub in subs:
            _store_failed(sub, source, broken, out, logger)
        _write_csvs(out, db_path, _all_results(out))  # the gradebook is left as it was
        end_of_run(out, logger, log)  # the class report, the similarity report
        if not sandboxed:
            log(UNSANDBOXED_BANNER)
        return GradeRun([r for r in _all_results(out) if (r.student, r.assignment) in by_pair], broken, ignored)

    if pairs:
        _seed_gradebook(db_path)
        build_release(root, source, log=lambda m: logger.info(m), db_path=db_path,
                      only=sorted({a for _, a in pairs}))
    templates = {a: templates_for(root / "release", source, a) for a in sorted({a for _, a in pairs})}

    def make_job(pair: tuple[str, str]) -> dict:
        # read only when the job is handed out: a class's files never sit in memory all at once
        sub = by_pair[pair]
        files, helpers = _read_files(sub)
        return {"student": sub.student, "assignment": sub.assignment, "files": files, "helpers": helpers,
                "notes": sub.notes, "templates": templates[sub.assignment], "limits": limits.as_dict(),
                "sandboxed": sandboxed, "scratch": scratch_dir}

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
    ordered = GradeRun([results[p] for p in pairs], None, ignored)
    _write_csvs(out, db_path, _all_results(out))
    logger.info("graded %d submission(s) in %.1f s", len(ordered), time.perf_counter() - t0)
    if ordered.failed:
        logger.error("grading failed for %d submission(s): %s; their rows have no score. Grade them again "
                     "once the cause is fixed.", len(ordered.failed),
                     ", ".join(f"{r.student}/{r.assignment}" for r in ordered.failed))
    end_of_run(out, logger, log)  # the class report, the similarity report; never raises
    if not sandboxed:
        log(UNSANDBOXED_BANNER)
    return ordered


def _self_test(limits: Limits, sandboxed: bool, scratch: str | None, scheduler: str | None,
               logger: logging.Logger) -> str | None:
    """Grade the built-in known-good notebook where the class will be graded; None if it scored
    full marks, else why not (logged with the sandbox's own output)."""
    t0 = time.perf_counter()
    job = canary.job(limits.as_dict(), sandboxed, scratch)
    try:
        if scheduler:
            from distributed import Client

            with Client(scheduler, timeout="30s") as client:
                raw = client.submit(grade_submission, job, pure=False, key="grade-self-test").result()
        else:
            raw = grade_submission(job)
    except Exception as exc:  # the cluster itself failed
        raw = {"grading_failed": f"{type(exc).__name__}: {exc}"}
    broken = canary.verdict(raw)
    if broken is None:
        logger.info("grader self-test: a known-good notebook scored full marks in %.1f s", time.perf_counter() - t0)
        return None
    logger.error("grader self-test FAILED: %s", broken)
    for p in raw.get("problems", []):
        logger.error("grader self-test: %s", p)
    if raw.get("sandbox_log"):
        logger.error("grader self-test: the sandbox's own output:\n%s", raw["sandbox_log"])
    if raw.get("traceback"):
        logger.error("grader self-test: traceback:\n%s", raw["traceback"])
    return broken


def _store_failed(sub: Submission, source: Path, why: str, out: Path, logger: logging.Logger) -> None:
    """Record a submission nobody graded because the grader is broken: every cell "grading failed"."""
    cells, notebooks = [], []
    for path in course.assignment_notebooks(source, sub.assignment):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for c in nb.get("cells", []):
            md = c.get("metadata", {}).get("nbgrader", {})
            if md.get("grade") and md.get("grade_id"):
                cells.append({"notebook": path.stem, "cell": md["grade_id"], "score": 0.0,
                              "max_score": float(md.get("points") or 0.0), "status": GRADING_FAILED,
                              "reason": f"grading failed: {why}"})
        notebooks.append({"notebook": path.stem, "status": GRADING_FAILED, "problems": []})
    res = StudentResult(sub.student, sub.assignment, [f"grading failed, not scored: {why}"], [], 0.0, cells, notebooks)
    _save_result(out, res)
    logger.error("%s/%s: grading failed, not scored: %s", sub.student, sub.assignment, why)


#: what the local worker processes import once, in the forkserver they are forked from
WORKER_PRELOAD = ["autograder.engine.worker", "autograder.engine.verdicts", "course_utils.grading.records",
                  "nbconvert.exporters.html", "latex2mathml.converter"]


def _start_forkserver() -> None:
    """Start the forkserver the local worker pool forks from, with the worker's imports done.

    Each worker would otherwise import nbgrader, nbformat and nbconvert itself (about 2 s of
    CPU each); the forkserver does it once, in its own process, while this one grades the
    self-test and builds the release. A module that fails to import there is imported by
    each worker as before (multiprocessing ignores preload errors).
    """
    import multiprocessing
    from multiprocessing import forkserver

    course.prepare_environment()  # the workers' environment (one BLAS thread) before numpy is imported there
    multiprocessing.get_context("forkserver").set_forkserver_preload(WORKER_PRELOAD)
    forkserver.ensure_running()


def _seed_gradebook(db_path: Path) -> None:
    """Start a new gradebook as a copy of an empty one nbgrader made (no-op if ``db_path`` exists).

    nbgrader starts every new gradebook by running ``alembic heads`` in a subprocess (a
    Python start and alembic's imports: seconds on a busy machine). The empty gradebook it
    makes is the same every time for one nbgrader version and course id, so it is made once,
    by nbgrader, into ``build/grader-cache/`` and copied. Raises ``OSError`` if the copy
    cannot be written.
    """
    if db_path.exists():
        return
    import nbgrader
    from nbgrader.api import Gradebook

    course_id = course.nbgrader_config(db_path.parent, course.SOURCE, db_path).CourseDirectory.course_id
    empty = course.BUILD / "grader-cache" / f"empty-gradebook-nbgrader-{nbgrader.__version__}-{course_id}.db"
    if not empty.exists():
        empty.parent.mkdir(parents=True, exist_ok=True)
        tmp = empty.with_name(f"{empty.name}.{os.getpid()}.tmp")
        tmp.unlink(missing_ok=True)
        Gradebook(f"sqlite:///{tmp}", course_id=course_id).close()
        tmp.replace(empty)
    tmp = db_path.with_name(db_path.name + ".tmp")
    shutil.copyfile(empty, tmp)
    tmp.replace(db_path)


def _execute(pairs: list[tuple[str, str]], make_job, workers: int, scheduler: str | None, progress: bool):
    """Yield worker results as they finish, with a progress bar; a lost task still yields a result.

    At most twice as many jobs as there are workers are handed out at a time, so the
    coordinator holds only those submissions' files in memory, whatever the class size.
    """
    from tqdm.auto import tqdm

    bar = tqdm(total=len(pairs), desc="grading", unit="submission", disable=not progress or not pairs,
               file=sys.stderr, dynamic_ncols=True)
    todo = iter(pairs)

    def lost(pair, exc):  # the worker itself was lost: a grader failure, never a 0
        why = f"the worker was lost ({type(exc).__name__}: {str(exc)[:300]})"
        return {"student": pair[0], "assignment": pair[1], "notebooks": {}, "flags": [], "grading_failed": why,
                "problems": [f"grading failed, not scored: {why}"], "seconds": 0.0}

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
    """Write one worker result: gradebook rows, autograded notebooks, feedback. Coordinator only.

    A cell the grader failed to grade gets no auto score in the gradebook and needs a manual
    grade (nbgrader's formgrader lists it), so an earlier score is not kept for it either.
    """
    t0 = time.perf_counter()
    student, assignment = raw["student"], raw["assignment"]
    res = StudentResult(student, assignment, list(raw.get("problems", [])), list(raw.get("flags", [])),
                        float(raw.get("seconds", 0.0)))
    failed = raw.get("grading_failed")
    gb.update_or_create_student(student)
    submission = gb.update_or_create_submission(assignment, student)
    assignment_row = gb.find_assignment(assignment)
    known_notebooks = {nb.name: nb for nb in assignment_row.notebooks}
    grades = _submission_grades(gb, submission.id)
    auto_dir = root / "autograded" / student / assignment
    fb_dir = out / "feedback" / student / assignment
    for d in (auto_dir, fb_dir):
        if d.exists():
            shutil.rmtree(d)
    for stem in sorted(known_notebooks):
        nb_result = raw.get("notebooks", {}).get(f"{stem}.ipynb", {})
        by_id = {c["grade_id"]: c for c in nb_result.get("cells", [])}
        missing = ({"score": 0.0, "status": GRADING_FAILED, "reason": f"grading failed: {failed}"} if failed else
                   {"score": 0.0, "status": "not graded", "reason": "no result for this cell"})
        for gc in sorted(known_notebooks[stem].grade_cells, key=lambda c: c.name):
            c = by_id.get(gc.name, missing)
            grade = grades.get((stem, gc.name)) or gb.find_grade(gc.name, stem, assignment, student)
            grade.manual_score = None
            if c["status"] == GRADING_FAILED:
                grade.auto_score, grade.needs_manual_grade = None, True
            else:
                grade.auto_score, grade.needs_manual_grade = float(c["score"]), False
            res.cells.append({"notebook": stem, "cell": gc.name, "score": float(c["score"]),
                              "max_score": float(gc.max_score), "status": c["status"], "reason": c.get("reason", "")})
        status = nb_result.get("status") or (GRADING_FAILED if failed else "not submitted")
        if any(c["status"] == GRADING_FAILED for c in res.cells if c["notebook"] == stem):
            status = GRADING_FAILED
        res.notebooks.append({"notebook": stem, "status": status, "problems": list(nb_result.get("problems", [])),
                              "seconds": nb_result.get("seconds")})
        if nb_result.get("autograded"):
            auto_dir.mkdir(parents=True, exist_ok=True)
            (auto_dir / f"{stem}.ipynb").write_text(nb_result["autograded"], encoding="utf-8")
        if nb_result.get("feedback_html"):
            fb_dir.mkdir(parents=True, exist_ok=True)
            (fb_dir / f"{stem}.html").write_text(nb_result["feedback_html"], encoding="utf-8")
    gb.db.commit()
    _save_result(out, res)
    for p in res.problems:
        (logger.error if p.startswith("grading failed") else logger.warning)("%s/%s: %s", student, assignment, p)
    for f in res.flags:
        logger.warning("%s/%s: FLAG: %s", student, assignment, f)
    for e in raw.get("replay_errors", []):
        logger.error("%s/%s: replay: %s", student, assignment, e)
    if raw.get("sandbox_log"):
        logger.error("%s/%s: the sandbox's own output:\n%s", student, assignment, raw["sandbox_log"])
    if raw.get("traceback"):
        logger.error("%s/%s: grader traceback:\n%s", student, assignment, raw["traceback"])
    logger.info("%s/%s: %s in %.1f s (worker); stored in %.3f s (coordinator)", student, assignment,
                "grading failed" if res.status == GRADING_FAILED else f"{res.score:.1f}/{res.max_score:.1f}",
                res.seconds, time.perf_counter() - t0)
    return res


def _submission_grades(gb, submission_id: str) -> dict:
    """{(notebook, grade cell): nbgrader Grade} of one submitted assignment, in one query
    (nbgrader's ``find_grade`` makes one seven-table query per cell)."""
    from nbgrader.api import Grade, GradeCell, Notebook, SubmittedNotebook

    rows = (gb.db.query(Grade, Notebook.name, GradeCell.name)
            .join(GradeCell, GradeCell.id == Grade.cell_id)
            .join(SubmittedNotebook, SubmittedNotebook.id == Grade.notebook_id)
            .join(Notebook, Notebook.id == SubmittedNotebook.notebook_id)
            .filter(SubmittedNotebook.assignment_id == submission_id))
    return {(notebook, cell): grade for grade, notebook, cell in rows}


def _gradebook_scores(db_path: Path) -> dict[tuple[str, str, str, str], float | None]:
    """{(student, assignment, notebook, grade cell): score} of every grade in the gradebook, in
    one query: nbgrader's score (a manual grade over the auto score, plus extra credit)."""
    from nbgrader.api import (Assignment, Grade, GradeCell, Gradebook, Notebook, SubmittedAssignment,
                              SubmittedNotebook)

    with Gradebook(f"sqlite:///{db_path}") as gb:
        rows = (gb.db.query(SubmittedAssignment.student_id, Assignment.name, Notebook.name, GradeCell.name,
                            Grade.score)
                .join(GradeCell, GradeCell.id == Grade.cell_id)
                .join(SubmittedNotebook, SubmittedNotebook.id == Grade.notebook_id)
                .join(Notebook, Notebook.id == SubmittedNotebook.notebook_id)
                .join(SubmittedAssignment, SubmittedAssignment.id == SubmittedNotebook.assignment_id)
                .join(Assignment, Assignment.id == SubmittedAssignment.assignment_id))
        return {(student, assignment, notebook, cell): score for student, assignment, notebook, cell, score in rows}


def _save_result(out: Path, res: StudentResult) -> None:
    saved = out / "results" / res.student / f"{res.assignment}.json"
    saved.parent.mkdir(parents=True, exist_ok=True)
    tmp = saved.with_suffix(".json.tmp")
    tmp.write_text(json.dumps({"student": res.student, "assignment": res.assignment, "problems": res.problems,
                               "flags": res.flags, "seconds": res.seconds, "cells": res.cells,
                               "notebooks": res.notebooks}, indent=1), encoding="utf-8")
    tmp.replace(saved)


def _save_inventory(out: Path, submissions: Path, entries: list[Entry]) -> None:
    """Keep this run's file list per student folder (and for the top of SUBMISSIONS), replacing
    only those students' earlier lists, as results/ does."""
    inv = out / "inventory"
    by_student: dict[str, list[dict]] = {}
    for e in entries:
        by_student.setdefault(e.student, []).append(e.as_row())
    for s in sorted(p.name for p in submissions.iterdir() if p.is_dir() and not p.is_symlink()):
        by_student.setdefault(s, [])
    for student, rows in by_student.items():
        path = inv / "outside student folders.json" if student == "" else inv / "students" / f"{student}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(rows, indent=1), encoding="utf-8")
        tmp.replace(path)
    if "" not in by_student and (inv / "outside student folders.json").exists():
        (inv / "outside student folders.json").unlink()


def _all_results(out: Path) -> list[StudentResult]:
    """Every submission graded into ``out`` so far (this run and earlier ones), sorted."""
    found = []
    for path in sorted((out / "results").glob("*/*.json")):
        d = json.loads(path.read_text(encoding="utf-8"))
        found.append(StudentResult(d["student"], d["assignment"], d["problems"], d["flags"], d["seconds"], d["cells"],
                                   d.get("notebooks", [])))
    return sorted(found, key=lambda r: (r.student, r.assignment))


def _all_files(out: Path) -> list[dict]:
    rows = []
    for path in sorted((out / "inventory").rglob("*.json")):
        rows += json.loads(path.read_text(encoding="utf-8"))
    return sorted(rows, key=lambda r: (r["student"], r["path"]))


def _write_csvs(out: Path, db_path: Path, results: list[StudentResult]) -> None:
    """CSVs from the gradebook (scores) and the results (reasons), in submission order.

    A cell, notebook or assignment the grader failed to grade has an empty score.
    """
    rows = []
    scores = _gradebook_scores(db_path)
    for res in results:
        for c in res.cells:
            if c["status"] == GRADING_FAILED:
                score = ""
            else:
                # a cell missing from the gradebook raises, as nbgrader's find_grade did
                score = float(scores[(res.student, res.assignment, c["notebook"], c["cell"])] or 0.0)
            rows.append({"student": res.student, "assignment": res.assignment, "notebook": c["notebook"],
                         "cell": c["cell"], "score": score, "max_score": float(c["max_score"]),
                         "status": c["status"], "reason": c["reason"]})
    _atomic_csv(out / "grades_by_cell.csv",
                ["student", "assignment", "notebook", "cell", "score", "max_score", "status", "reason"], rows)

    def total(mine: list[dict]) -> float | str:
        return "" if any(r["status"] == GRADING_FAILED for r in mine) else sum(r["score"] for r in mine)

    summary, per_notebook = [], []
    for res in results:
        mine = [r for r in rows if r["student"] == res.student and r["assignment"] == res.assignment]
        summary.append({"student": res.student, "assignment": res.assignment, "score": total(mine),
                        "max_score": sum(r["max_score"] for r in mine), "status": res.status,
                        "problems": "; ".join(res.problems), "flags": "; ".join(res.flags)})
        for nb in res.notebooks:
            cells = [r for r in mine if r["notebook"] == nb["notebook"]]
            per_notebook.append({"student": res.student, "assignment": res.assignment, "notebook": nb["notebook"],
                                 "score": total(cells), "max_score": sum(r["max_score"] for r in cells),
                                 "status": nb["status"], "problems": "; ".join(nb["problems"])})
    _atomic_csv(out / "grades.csv", ["student", "assignment", "score", "max_score", "status", "problems", "flags"],
                summary)
    _atomic_csv(out / "grades_by_notebook.csv",
                ["student", "assignment", "notebook", "score", "max_score", "status", "problems"], per_notebook)
    _atomic_csv(out / "submitted_files.csv", ["student", "path", "status", "reason", "assignment", "notebook"],
                _all_files(out))


def _atomic_csv(path: Path, fields: list[str], rows: list[dict]) -> None:
    tmp = path.with_suffix(".csv.tmp")
    with tmp.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
    tmp.replace(path)
