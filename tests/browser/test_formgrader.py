"""The formgrader shows the class that was graded (issue 18, point 1).

A tiny class of the single-notebook assignment 01_numpy_basics is graded with the real command
(`python -m autograder grade SUBS --out OUT`): alice hands in the release solved (10 / 10), bob
the same with L1 wrong (9 / 10). carol's row is then stored the way the coordinator stores a
submission whose worker was lost ("grading failed": no score, no auto score in the gradebook,
no autograded notebook, no feedback page). `python -m autograder formgrader --results OUT` is
started on it and driven in Chromium as an instructor would, and nbgrader's own export is run
on it. What failed before, each asserted here:

- the formgrader read build/course/gradebook.db, not OUT/gradebook.db: 0 submissions, no students;
- every folder of notebooks/ was an assignment (`images`, whose "Generate" raised);
- the assignment's link opened "File Load Error ... 404" (paths relative to a server root that
  did not hold them).

Screenshots: build/screenshots/formgrader_*.png (git-ignored).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import subprocess
import sys
import time

import pytest

from autograder import course
from autograder.engine.assemble import solved_submission
from autograder.engine.sandbox import available
from autograder.student.lab import free_port
from helpers import REPO, SOURCE, replace_solution
from lab_support import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, need_browser, stop_server, wait_for_server, write_lab_settings

pytestmark = [pytest.mark.xdist_group("browser"),  # one browser at a time; shares the release build
              pytest.mark.filterwarnings("ignore:.*not in session")]  # nbgrader 0.9.6's SQLAlchemy noise

TRACK, STEM = "1_neural_networks", "01_numpy_basics"
NB = f"{STEM}.ipynb"
WRONG_L1 = "    return float(np.sum(np.abs(y - yhat))) + 1.0"
LOST = "the worker was lost (BrokenProcessPool: a process in the pool was terminated abruptly)"
#: every real assignment: the tracks, and the single-notebook assignment this class was graded in
ASSIGNMENTS = sorted(course.assignments(SOURCE) + [STEM])


def _points() -> dict[str, float]:
    nb = json.loads((SOURCE / TRACK / NB).read_text())
    return {c["metadata"]["nbgrader"]["grade_id"]: float(c["metadata"]["nbgrader"]["points"])
            for c in nb["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade")}


def _rows(path) -> list[dict]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def graded(release_dir, tmp_path_factory):
    """OUT of `grade` for alice (full marks) and bob (L1 wrong), plus carol's grading-failed row."""
    from nbgrader.api import Gradebook

    from autograder.engine import grade as grade_module

    tmp = tmp_path_factory.mktemp("formgrader")
    release = json.loads((release_dir / TRACK / NB).read_text())
    for student in ("alice", "bob"):
        source = json.loads((SOURCE / TRACK / NB).read_text())
        if student == "bob":
            cell = next(c for c in source["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "L1")
            cell["source"] = replace_solution("".join(cell["source"]), WRONG_L1)
        folder = tmp / "subs" / student / STEM
        folder.mkdir(parents=True)
        (folder / NB).write_text(json.dumps(solved_submission(json.loads(json.dumps(release)), source)))
    out = tmp / "out"
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(tmp / "subs"), "--out", str(out),
                           "--no-progress", *([] if available()[0] else ["--unsandboxed"])],
                          capture_output=True, text=True, timeout=900, cwd=tmp)
    seconds = time.perf_counter() - t0
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # carol: stored as the coordinator stores a submission whose worker process died
    raw = {"student": "carol", "assignment": STEM, "notebooks": {}, "flags": [], "grading_failed": LOST,
           "problems": [f"grading failed, not scored: {LOST}"], "seconds": 0.0}
    logger = grade_module._setup_logger(out / "grading.log")
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}") as gb:
        grade_module._store(gb, raw, out / "course", out, logger)
    for h in list(logger.handlers):
        h.close()
        logger.removeHandler(h)
    grade_module._write_csvs(out, out / "gradebook.db", grade_module._all_results(out))
    assert [(r["student"], r["score"], r["status"]) for r in _rows(out / "grades.csv")] == [
        ("alice", "10.0", "graded"), ("bob", "9.0", "graded"), ("carol", "", "grading failed")]
    return tmp, out, seconds


@pytest.fixture(scope="module")
def formgrader(graded):
    """`python -m autograder formgrader --results OUT` (what `make formgrader` runs); (base URL, token, log)."""
    tmp, out, _ = graded
    write_lab_settings(tmp / "cfg")
    # COURSE_BUILD_DIR: the server's generated configuration goes to a folder of this test, not build/
    env = dict(os.environ, CI="true", JUPYTER_CONFIG_DIR=str(tmp / "cfg"), JUPYTER_RUNTIME_DIR=str(tmp / "rt"),
               COURSE_BUILD_DIR=str(tmp / "build"))
    port = free_port(19300 + os.getpid() % 300)
    log = open(tmp / "formgrader.log", "w+")
    proc = subprocess.Popen([sys.executable, "-m", "autograder", "formgrader", "--results", str(out),
                             "--port", str(port)], cwd=tmp, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        token = wait_for_server(proc, log, port)
        log.seek(0)
        yield f"http://127.0.0.1:{port}", token, log.read()
    finally:
        stop_server(proc)
        log.close()


@pytest.fixture(scope="module")
def context(formgrader):
    """A browser signed in to the formgrader through the URL the command printed."""
    need_browser()
    from playwright.sync_api import sync_playwright

    base, token, _ = formgrader
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
        ctx.set_default_timeout(90_000)
        page = ctx.new_page()
        page.goto(f"{base}/formgrader?token={token}")  # sets the login cookie the formgrader's own calls use
        page.locator("td.name a").first.wait_for()
        page.close()
        yield ctx
        browser.close()


@pytest.fixture
def page(context):
    pg = context.new_page()
    yield pg
    pg.close()


def _shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"formgrader_{name}.png"))


def _cells(page, row_selector: str, *classes: str) -> list[tuple[str, ...]]:
    return [tuple(row.locator(f"td.{c}").inner_text().strip() for c in classes)
            for row in page.locator(row_selector).all()]


def test_the_command_names_the_class_it_shows(graded, formgrader, record_property):
    tmp, out, seconds = graded
    record_property("timing", ("formgrader: grade the class of 2 (the command)", seconds))
    *_, log = formgrader
    assert f"JupyterLab with nbgrader's formgrader on the graded class in {out} (gradebook {out / 'gradebook.db'})" in log
    assert f"assignments: {', '.join(ASSIGNMENTS)}" in log


def test_only_real_assignments_are_listed_and_their_links_open(formgrader, context, page, record_property):
    t0 = time.perf_counter()
    base, *_ = formgrader
    page.goto(f"{base}/formgrader/manage_assignments")
    page.locator("td.name a").first.wait_for()
    rows = _cells(page, "#main-table tr", "name", "num-submissions")
    assert rows == [(STEM, "3")] + [(a, "0") for a in ASSIGNMENTS if a != STEM]  # no `images`
    _shot(page, "assignments")
    row = page.locator("#main-table tr", has_text=STEM)
    for column, folder, listed in (("name", "source", NB), ("preview", "release", NB)):
        with context.expect_page() as opened:
            row.locator(f"td.{column} a").click()
        tab = opened.value
        tab.get_by_text(listed).first.wait_for()
        assert tab.url == f"{base}/tree/course/{folder}/{STEM}"
        assert tab.locator("body").inner_text().count("404") == 0
        assert "File Load Error" not in tab.locator("body").inner_text()
        tab.close()
    record_property("timing", ("formgrader: assignments and their links", time.perf_counter() - t0))


def test_every_student_and_submission_with_its_score(formgrader, page):
    base, *_ = formgrader
    page.goto(f"{base}/formgrader/manage_submissions/{STEM}")
    page.locator("td.student-id", has_text="carol").wait_for()
    assert _cells(page, "#main-table tr", "student-id", "status", "score") == [
        ("alice", "graded", "10 / 10"), ("bob", "graded", "9 / 10"),
        ("carol", "needs autograding", "")]  # grading failed: no score, never a 0
    _shot(page, "submissions")
    page.goto(f"{base}/formgrader/manage_students")
    page.locator("td.id", has_text="carol").wait_for()
    assert {i: s for i, s in _cells(page, "#main-table tr", "id", "score")
            if i != "carol"} == {"alice": "10 / 10", "bob": "9 / 10"}
    assert sorted(_cells(page, "#main-table tr", "id")) == [("alice",), ("bob",), ("carol",)]


def test_the_manual_grading_view_of_a_submission_opens(formgrader, page, record_property):
    t0 = time.perf_counter()
    base, *_ = formgrader
    page.goto(f"{base}/formgrader/gradebook")
    page.locator("#main-table a", has_text=STEM).click()
    page.wait_for_url(f"{base}/formgrader/gradebook/{STEM}")
    page.locator("#main-table a", has_text=STEM).click()  # the assignment's one notebook
    page.wait_for_url(f"{base}/formgrader/gradebook/{STEM}/{STEM}")
    page.get_by_text("Submission #1").wait_for()
    # carol has no autograded notebook, so nothing of hers to grade by hand
    assert sorted(_cells(page, "#main-table tr", "score")) == [("10 / 10",), ("9 / 10",)]
    page.locator("#main-table tr", has_text="9 / 10").locator("a.name-hidden").click()
    # each graded cell's score field shows its auto score once the formgrader has loaded the grades
    page.wait_for_function("() => { const f = [...document.querySelectorAll('input.score')];"
                           " return f.length > 0 && f.every(e => e.getAttribute('placeholder') !== null); }")
    auto = page.evaluate("() => Object.fromEntries([...document.querySelectorAll('input.score')]"
                         ".map(e => [e.id, e.getAttribute('placeholder')]))")
    assert auto == {g: f"{0 if g == 'test_L1' else p:g}" for g, p in _points().items()}
    _shot(page, "manual_grading")
    record_property("timing", ("formgrader: manual grading view", time.perf_counter() - t0))


def test_the_feedback_link_opens_the_page_the_grader_wrote(graded, formgrader, context, page):
    _, out, _ = graded
    base, token, _ = formgrader
    page.goto(f"{base}/tree/course/feedback/bob/{STEM}")
    link = page.get_by_text(f"{STEM}.html").first
    link.wait_for()
    with context.expect_page() as opened:
        link.dblclick()
    tab = opened.value
    frame = tab.frame_locator("iframe").first
    frame.get_by_text(f"{STEM} (Score: 9.0 / 10.0)").wait_for()
    assert frame.locator("li", has_text="L1").first.inner_text().split("—")[-1].strip() == \
        "L1 loss failed (Score: 0.0 / 1.0)"
    _shot(tab, "feedback")
    served = context.request.get(f"{base}/files/course/feedback/bob/{STEM}/{STEM}.html?token={token}").body()
    assert hashlib.sha256(served).digest() == hashlib.sha256(
        (out / "feedback" / "bob" / STEM / f"{STEM}.html").read_bytes()).digest()
    assert b"HiddenTest" not in served and b"BEGIN HIDDEN TESTS" not in served
    tab.close()


def test_buttons_that_would_bypass_the_grader_say_why_and_change_nothing(graded, formgrader, page):
    _, out, _ = graded
    base, *_ = formgrader
    pages = {p: p.read_bytes() for p in (out / "feedback").rglob("*.html")}
    autograded = {p: p.read_bytes() for p in (out / "course" / "autograded").rglob("*.ipynb")}
    page.goto(f"{base}/formgrader/manage_submissions/{STEM}")
    row = page.locator("#main-table tr", has_text="alice")
    row.locator("td.generate-feedback a").click()
    modal = page.locator(".modal-dialog")
    modal.get_by_text("Generate Feedback is off in this formgrader: each student's feedback page is already "
                      "written by `python -m autograder grade`").first.wait_for()
    modal.get_by_role("button", name="OK").click()
    modal.wait_for(state="detached")
    page.locator("#main-table tr", has_text="carol").locator("td.autograde a").click()
    modal.get_by_text(re.compile(r"Autograde is off in this formgrader: the class was graded by "
                                 r"`python -m autograder grade`, which runs each notebook in a sandbox")).first.wait_for()
    assert {p: p.read_bytes() for p in (out / "feedback").rglob("*.html")} == pages
    assert {p: p.read_bytes() for p in (out / "course" / "autograded").rglob("*.ipynb")} == autograded


def test_nbgraders_export_has_the_scores_and_no_false_zero(graded, tmp_path, record_property):
    _, out, _ = graded
    dest = tmp_path / "export.csv"
    t0 = time.perf_counter()
    proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), "nbgrader"), "export", "--to", str(dest)],
                          cwd=REPO / "autograder", env=dict(os.environ, COURSE_RESULTS=str(out)),
                          capture_output=True, text=True, timeout=300)
    record_property("timing", ("formgrader: nbgrader export", time.perf_counter() - t0))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # one row per student, in the order nbgrader's gradebook holds them (results are stored as they arrive)
    assert sorted((r["assignment"], r["student_id"], r["raw_score"], r["score"], r["max_score"]) for r in _rows(dest)) == [
        (STEM, "alice", "10.0", "10.0", "10.0"), (STEM, "bob", "9.0", "9.0", "10.0"), (STEM, "carol", "", "", "10.0")]
    assert "carol/01_numpy_basics: no score: a graded cell has neither an auto score nor a manual one" in proc.stderr


def test_a_folder_without_a_gradebook_is_named_not_shown(tmp_path):
    (tmp_path / "results").mkdir()
    proc = subprocess.run([sys.executable, "-m", "autograder", "formgrader", "--results", str(tmp_path / "results")],
                          capture_output=True, text=True, timeout=120, env=dict(os.environ, CI="true"))
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"error: {tmp_path / 'results'} holds no graded class: there is no gradebook.db in it.")
