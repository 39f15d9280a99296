"""The feedback page as a student reads it: a real feedback file, opened offline in Chromium.

One submission of Track 1's 01_numpy_basics is graded once, through the worker the grader
uses (autograder.engine.worker.grade_submission, with a job built as grade.py builds it).
It is the release solved, with two functions wrong and one cell of the student's own:
  L1  wrong on the example too: the visible check raises;
  L2  right on the (1, m) example, wrong on other shapes: the visible check prints its "✔"
      lines and the hidden tests fail (the reader must not take the "✔" for the grade);
  a scratch cell trying np.reshape with a wrong shape: its traceback runs through numpy's
      files, so the kernel printed paths of the grading machine (its site-packages).
The page is opened with the browser offline and every request that is not the file itself
aborted and recorded. Screenshot: build/screenshots/feedback_page.png (git-ignored).
"""

from __future__ import annotations

import re
import sys
import sysconfig
import time

import nbformat
import pytest

from autograder import course
from autograder.engine.grade import templates_for
from autograder.engine.sandbox import available
from autograder.engine.worker import grade_submission
from helpers import SOURCE, count_formulas, nbg, points, read, replace_solution, solved
from lab_support import SCREENSHOTS, need_browser, offline_page

pytestmark = pytest.mark.xdist_group("browser")  # one browser at a time; shares the release build

TRACK, NB = "1_neural_networks", "01_numpy_basics.ipynb"
WRONG = {
    "L1": "    return float(np.sum(np.abs(y - yhat))) + 1.0",
    "L2": "    d = y - yhat\n    return float(np.dot(d[0], d[0]))  # only the first row: right for (1, m) only",
}
SCRATCH = "# trying reshape on my own\nnp.reshape(np.arange(6), (4, 4))"
FAILED = ("test_L1", "test_L2")
HOST_PATHS = ["/work", "/tmp", "/home", ".venv", "site-packages", str(course.REPO), sys.prefix]


@pytest.fixture(scope="module")
def graded(release_dir, tmp_path_factory):
    """(feedback HTML file, autograded notebook JSON, worker result, seconds) of the submission above."""
    source = read(SOURCE / TRACK / NB)
    for cell in source.cells:
        if nbg(cell).get("grade_id") in WRONG:
            cell.source = replace_solution(cell.source, WRONG[nbg(cell)["grade_id"]])
    submission = solved(read(release_dir / TRACK / NB), source)
    at = next(i for i, c in enumerate(submission.cells) if nbg(c).get("grade_id") == "L1")
    submission.cells.insert(at + 1, nbformat.v4.new_code_cell(SCRATCH))
    job = {"student": "stu", "assignment": TRACK, "files": {NB: nbformat.writes(submission).encode()},
           "templates": {NB: templates_for(release_dir, SOURCE, TRACK)[NB]}, "limits": {},
           # without bubblewrap the grader refuses untrusted work; this is a trusted fixture
           "sandboxed": available()[0], "scratch": None}
    t0 = time.perf_counter()
    result = grade_submission(job)
    seconds = time.perf_counter() - t0
    entry = result["notebooks"][NB]
    assert "feedback_html" in entry, result["problems"]
    path = tmp_path_factory.mktemp("feedback") / "01_numpy_basics.html"
    path.write_text(entry["feedback_html"], encoding="utf-8")
    return path, entry["autograded"], result, seconds


@pytest.fixture(scope="module")
def page(graded):
    """The page, loaded once in Chromium with the network off; (page, requests that were attempted)."""
    need_browser()
    path, *_ = graded
    with offline_page(path, 900) as (pg, attempted):
        pg.evaluate("document.querySelector('a[name=test_L2]').scrollIntoView()")
        pg.screenshot(path=str(SCREENSHOTS / "feedback_page.png"))
        yield pg, attempted


def test_the_submission_is_the_instance_of_the_issue(graded, record_property):
    """The fixture holds what the page must hide: a host path in a traceback, a "✔" above a failure."""
    _, autograded, result, seconds = graded
    record_property("timing", ("feedback page: grade one notebook through the worker", seconds))
    status = {c["grade_id"]: c["status"] for c in result["notebooks"][NB]["cells"]}
    assert status == {g: ("failed" if g in FAILED else "passed") for g in points(read(SOURCE / TRACK / NB))}
    printed = {nbg(c).get("grade_id"): "\n".join(o.get("text", "") + "\n".join(o.get("traceback", []))
                                                for o in c.get("outputs", []))
               for c in nbformat.reads(autograded, as_version=4).cells if c.cell_type == "code"}
    assert "✔ L2: all 1 check(s) match the reference." in printed["test_L2"]
    scratch = next(c for c in nbformat.reads(autograded, as_version=4).cells if c.source == SCRATCH)
    tb = "\n".join(scratch.outputs[0]["traceback"])
    assert f"{sysconfig.get_paths()['purelib']}/numpy/_core/fromnumeric.py" in tb  # as the kernel printed it


def test_the_page_loads_nothing(page):
    pg, attempted = page
    assert attempted == []
    assert pg.evaluate("document.scripts.length") == 0


def test_formulas_are_drawn_by_the_browser(page):
    pg, _ = page
    expected = 0
    for cell in read(SOURCE / TRACK / NB).cells:
        if cell.cell_type == "markdown":
            n_formulas = count_formulas(cell.source)
            expected += n_formulas
    drawn = pg.evaluate("""() => [...document.querySelectorAll('math')].map(m => {
        const r = m.getBoundingClientRect();
        return {mathml: m instanceof MathMLElement, width: r.width, height: r.height};
    })""")
    assert len(drawn) == expected and expected > 50
    assert all(m["mathml"] and m["width"] > 0 and m["height"] > 0 for m in drawn)
    prose = pg.evaluate("""() => {
        const body = document.body.cloneNode(true);
        body.querySelectorAll('pre, code, math').forEach(e => e.remove());
        return body.innerText;
    }""")
    assert "$$" not in prose
    assert re.findall(r"\\[A-Za-z]{2,}", prose) == []  # no \frac, \sigma, \begin left as text


def test_no_path_of_the_grading_machine_is_shown(page):
    pg, _ = page
    text = pg.evaluate("document.body.innerText")
    assert [p for p in HOST_PATHS if p in text] == []
    assert "<python packages>/numpy/_core/fromnumeric.py" in text  # the frames are kept, their paths neutral


def test_the_verdict_is_the_first_thing_under_each_graded_cell(page):
    pg, _ = page
    cells = pg.evaluate("""() => [...document.querySelectorAll('.kit-verdict')].map(v => {
        const cell = v.parentElement;
        const kids = [...cell.children].map(k => k.className);
        const out = cell.querySelector('.output_wrapper');
        return {grade_id: cell.querySelector('.input a[name]').getAttribute('name'), kids: kids,
                head: v.querySelector('.kit-verdict-head').innerText, reason: v.querySelector('pre').innerText,
                label: out ? out.firstElementChild.innerText : null,
                background: getComputedStyle(v).backgroundColor};
    })""")
    pts = points(read(SOURCE / TRACK / NB))
    assert [c["grade_id"] for c in cells] == list(pts)  # every graded cell has one, in order
    for c in cells:
        outcome = "failed" if c["grade_id"] in FAILED else "passed"
        assert c["kids"][:2] == ["input", f"kit-verdict kit-verdict-{outcome}"]  # nothing printed comes before
        p = f"{pts[c['grade_id']]:g}"
        unit = "point" if pts[c["grade_id"]] == 1 else "points"
        assert c["head"] == f"Grader: {outcome} — {'0' if outcome == 'failed' else p} / {p} {unit}"
        if c["label"] is not None:
            assert c["label"].startswith("Your notebook's output: what this cell printed when your notebook ran.")
    by_id = {c["grade_id"]: c for c in cells}
    l1 = by_id["test_L1"]["reason"]
    assert l1.startswith("This cell stopped with an error in your notebook, so its hidden checks did not run:\n"
                         "  CheckFailed: ")
    assert "1.05" in l1 and "2.05" in l1  # the example's expected and returned L1, from the check's message
    assert by_id["test_L2"]["reason"].startswith("1 of 5 hidden check(s) failed:\n  hidden case 2 (2, 6) arrays: L2 output:")
    # set apart by colour: both failures alike, unlike a pass
    assert by_id["test_L2"]["background"] == by_id["test_L1"]["background"] != by_id["test_sigmoid"]["background"]
    # the kernel's "✔" lines come after the verdict that failed the cell, under the label
    order = pg.evaluate("""() => {
        const verdict = document.querySelector('a[name=test_L2]').closest('.cell').querySelector('.kit-verdict');
        const ok = [...document.querySelectorAll('.kit-graded-output pre')].find(p => p.innerText.includes('✔ L2: all 1'));
        return !!ok && !!(verdict.compareDocumentPosition(ok) & Node.DOCUMENT_POSITION_FOLLOWING);
    }""")
    assert order is True


def test_the_reason_wraps_instead_of_scrolling(page):
    pg, _ = page
    boxes = pg.evaluate("""() => [...document.querySelectorAll('.kit-verdict, .kit-verdict pre, .output_area pre')]
        .map(e => ({cls: e.className, scroll: e.scrollWidth, client: e.clientWidth}))""")
    assert boxes and [b for b in boxes if b["scroll"] > b["client"]] == []
    # and the L2 reason needed wrapping at this width: it takes more lines than it has
    lines = pg.evaluate("""() => {
        const pre = document.querySelector('a[name=test_L2]').closest('.cell').querySelector('.kit-verdict pre');
        const lh = parseFloat(getComputedStyle(pre).lineHeight);
        return [Math.round(pre.getBoundingClientRect().height / lh), pre.innerText.split('\\n').length];
    }""")
    assert lines[0] > lines[1]


def test_the_index_names_the_exercises(page):
    pg, _ = page
    entries = pg.evaluate("[...document.querySelectorAll('#toc li')].map(li => li.innerText.replace(/\\s+/g, ' ').trim())")
    assert entries == [
        "Exercise 1 — basic_sigmoid (one number, with math) passed (Score: 1.0 / 1.0)",
        "Exercise 2 — sigmoid (numpy, any shape) passed (Score: 1.0 / 1.0)",
        "Exercise 3 — sigmoid_derivative passed (Score: 1.0 / 1.0)",
        "Exercise 4 — image2vector passed (Score: 1.0 / 1.0)",
        "Exercise 5 — normalize_rows passed (Score: 2.0 / 2.0)",
        "Exercise 6 — softmax (row-wise) passed (Score: 2.0 / 2.0)",
        "Exercise 7 — L1 loss failed (Score: 0.0 / 1.0)",
        "Exercise 8 — L2 loss failed (Score: 0.0 / 1.0)",
    ]
