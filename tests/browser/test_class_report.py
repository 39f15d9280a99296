"""The class report as an instructor reads it: class_report.html of a real small graded class,
opened offline in Chromium (issue 18, point 2).

Two students hand in Track 1's 01_numpy_basics: the fewest that give the report a failed hidden
case, a flag and a grading failure. Each is graded through the worker the grader uses and stored
by the coordinator's own code (autograder.engine.grade._store, _write_csvs), as
test_grading_failures.py does, so no release is built and no self-test runs:
  carol  softmax without the max trick (large scores overflow), and basic_sigmoid calling the
         course's own sigmoid                                -> softmax fails on the hidden large
         scores; flagged for using course_utils
  fay    graded with an address-space limit too small for the sandbox to start
                                                             -> grading failed, no score
The report is opened with the browser offline and every request that is not the file itself
aborted and recorded. Screenshot: build/screenshots/class_report.png (git-ignored).
"""

from __future__ import annotations

import logging
import re
import shutil
import time

import pytest

from autograder.engine import grade as grade_module
from autograder.engine.report import write_class_report
from autograder.engine.sandbox import Limits, available
from autograder.engine.worker import grade_submission
from helpers import SOURCE, nbg, points, read, replace_solution, solved
from lab_support import SCREENSHOTS, need_browser, offline_page

pytestmark = [pytest.mark.xdist_group("browser"), pytest.mark.filterwarnings("ignore:.*not in session")]

TRACK, NB = "1_neural_networks", "01_numpy_basics.ipynb"
CAROL = {
    "softmax": ("    e = np.exp(x)  # no max subtracted: large scores overflow\n"
                "    return e / np.sum(e, axis=1, keepdims=True)"),
    "basic_sigmoid": ("    import course_utils.nn.activations as act  # the course's own sigmoid\n"
                      "    return float(act.sigmoid_forward(np.array(float(x)))[0])"),
}
TOO_LITTLE_MEMORY = 60  # MiB: Python starts, numpy cannot be mapped (as in test_grading_failures.py)


def _submission(release_dir, wrong: dict | None = None) -> bytes:
    source = read(SOURCE / TRACK / NB)
    for cell in source.cells:
        if nbg(cell).get("grade_id") in (wrong or {}):
            cell.source = replace_solution(cell.source, wrong[nbg(cell)["grade_id"]])
    import nbformat

    return nbformat.writes(solved(read(release_dir / TRACK / NB), source)).encode()


@pytest.fixture(scope="module")
def report(release_dir, tmp_path_factory):
    """(class_report.html, results folder, seconds to grade and store the class and write the report)."""
    root = tmp_path_factory.mktemp("class-report")
    out = root / "out"
    out.mkdir()
    shutil.copyfile(release_dir.parent / "gradebook.db", out / "gradebook.db")  # the release's assignments
    shutil.copytree(release_dir / TRACK, out / "course" / "release" / TRACK)  # as grade lays out --out
    templates = grade_module.templates_for(release_dir, SOURCE, TRACK)
    sandboxed = available()[0]  # without bubblewrap the grader refuses untrusted work; these are trusted fixtures
    jobs = [("carol", _submission(release_dir, CAROL), {}),
            ("fay", _submission(release_dir), {"memory_mb": TOO_LITTLE_MEMORY})]
    t0 = time.perf_counter()
    from nbgrader.api import Gradebook

    logger = grade_module._setup_logger(out / "grading.log")
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}") as gb:
        for student, data, limits in jobs:
            raw = grade_submission({"student": student, "assignment": TRACK, "files": {NB: data},
                                    "templates": templates, "limits": Limits(**limits).as_dict(),
                                    "sandboxed": sandboxed, "scratch": None})
            grade_module._store(gb, raw, out / "course", out, logger)
    logging.shutdown()
    grade_module._write_csvs(out, out / "gradebook.db", grade_module._all_results(out))
    path = write_class_report(out)
    return path, out, time.perf_counter() - t0


@pytest.fixture(scope="module")
def page(report):
    """The report, loaded once in Chromium with the network off; (page, requests that were attempted)."""
    need_browser()
    path, *_ = report
    with offline_page(path, 1100) as (pg, attempted):
        pg.screenshot(path=str(SCREENSHOTS / "class_report.png"), full_page=True)
        yield pg, attempted


def _rows(pg, table_id: str) -> list[list[str]]:
    return pg.evaluate("""id => [...document.getElementById(id).querySelectorAll('tr')].slice(1)
        .map(tr => [...tr.children].map(td => td.innerText.replace(/\\s+/g, ' ').trim()))""", table_id)


def test_the_class_is_the_instance(report, record_property):
    """The run holds what the report must show: a failed hidden case, a flag, a grading failure."""
    _, out, seconds = report
    record_property("timing", ("class report: grade 2 submissions through the worker, store, write the report",
                               seconds))
    import csv

    with open(out / "grades.csv", newline="") as f:
        rows = {r["student"]: (r["score"], r["status"]) for r in csv.DictReader(f)}
    pts = points(read(SOURCE / TRACK / NB))
    full = sum(pts.values())
    assert rows == {"carol": (f"{full - pts['test_softmax']:.1f}", "graded"), "fay": ("", "grading failed")}


def test_the_report_loads_nothing(page):
    pg, attempted = page
    assert attempted == []
    assert pg.evaluate("document.scripts.length") == 0
    assert pg.evaluate("[...document.querySelectorAll('link, iframe, object, embed')].length") == 0


def test_the_plots_are_images_that_loaded(page):
    pg, _ = page
    imgs = pg.evaluate("""[...document.images].map(i => ({id: i.id, complete: i.complete, w: i.naturalWidth,
        h: i.naturalHeight, data: i.src.startsWith('data:image/png;base64,')}))""")
    assert [i["id"] for i in imgs] == ["plot-assignments", "plot-notebooks", "plot-timing"]
    assert all(i["complete"] and i["w"] > 0 and i["h"] > 0 and i["data"] for i in imgs), imgs


def test_the_tables_say_what_happened(page):
    pg, _ = page
    assert pg.evaluate("[...document.querySelectorAll('table')].map(t => t.id)") == [
        "assignments", "notebooks", "exercises", "flagged", "failed", "timings", "slowest", "notebook-timings"]
    # carol's only problems are the four notebooks of the track she did not hand in
    assert pg.inner_text("#problems") == "None, apart from notebooks not handed in."
    pts = points(read(SOURCE / TRACK / NB))
    carol = sum(pts.values()) - pts["test_softmax"]
    track_max = sum(sum(points(read(nb)).values()) for nb in (SOURCE / TRACK).glob("*.ipynb"))

    def shown(v):
        return f"{v:.1f}".rstrip("0").rstrip(".")

    # graded 1 (fay failed: no score), the track's points, mean, median, lowest, highest; not full, not zero
    assert _rows(pg, "assignments") == [[TRACK, "1", "1", shown(track_max)] + [shown(carol)] * 4 + ["0", "0"]]
    exercises = _rows(pg, "exercises")
    assert exercises[0] == ["01_numpy_basics", "softmax (test_softmax)", "2", "0 / 1", "0%",
                            "hidden case 6 large scores (needs the max trick): non-finite values: 1 (carol)"]
    assert [r[3:5] for r in exercises[1:]] == [["1 / 1", "100%"]] * 7
    (flag,) = _rows(pg, "flagged")
    assert flag == ["carol", TRACK, f"{NB}: solution cell basic_sigmoid uses course_utils: the answer may come "
                                    "from the course's reference implementation"]
    (failed,) = _rows(pg, "failed")
    assert failed[:2] == ["fay", TRACK]
    assert failed[2].startswith("grading failed, not scored: the sandbox could not start the grader's runner")
    timed = _rows(pg, "notebook-timings")
    assert [r[:2] for r in timed] == [[f"{TRACK}/01_numpy_basics", "1"]]  # carol's; fay's never ran
    assert pg.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_the_commands_write_the_reports_again(report, tmp_path, capsys):
    """`python -m autograder report RESULTS` and `similarity RESULTS` on this folder (in process: the
    same main() the command runs); a folder grade did not write is refused with the reason."""
    from autograder.__main__ import main

    path, out, _ = report
    before = path.read_text(encoding="utf-8")
    path.unlink()
    assert main(["report", str(out)]) == 0
    assert capsys.readouterr().out == f"class report: {path}\n"
    made = re.compile(r"made \d{4}-\d\d-\d\d \d\d:\d\d")
    assert made.sub("", path.read_text(encoding="utf-8")) == made.sub("", before)
    assert main(["similarity", str(out)]) == 0
    # carol alone answered: softmax is the one exercise of 01_numpy_basics long enough to compare
    assert capsys.readouterr().out == (f"similarity: 0 pair(s) listed over 1 exercise(s) (7 too short to compare): "
                                       f"{out / 'similarity.html'}, {out / 'similarity.csv'}\n")
    assert main(["report", str(tmp_path)]) == 2
    assert capsys.readouterr().err == f"error: {tmp_path} is not a folder `grade` wrote: it has no grades.csv\n"
    assert main(["similarity", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (f"error: {tmp_path} is not a folder `grade` wrote (it has no "
                                       "course/autograded/)\n")
