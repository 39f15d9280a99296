"""Run All on an untouched release reaches the widgets at the end (issue 11, point 6).

JupyterLab's Run All queues every cell and the kernel drops the queue at the first error, so an
untouched release stopped at its first exercise and a student never saw the EWA explorer or the
gradient-descent playground. The release now tags ``raises-exception`` on every cell Run All may go
on past (autograder.preprocessors.ChecksDoNotStopRunAll), which JupyterLab honours.

One JupyterLab server started as `make lab` starts it, one journey: Run All, clicked once, on the
released notebook 2/05 as a student receives it (every exercise unimplemented): every cell runs, the
errors of the exercises included, and the explorer at the end renders; then the same on Track 3's
notebook 03, Track 4's notebook 05 (object detection: its kit-trained weights load in the lab, as 06-08's and
Track 5's load theirs) and Track 5's notebook 06 (sentiment: GloVe loads, the training cells say which
exercise to write first), whose plots appear. Each is the quickest untouched release of its part; every
notebook's untouched release runs to the end in tests/autograder/test_student_checks.py.
"""

from __future__ import annotations

import re
import shutil
import time

import pytest

from lab_support import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, lab_server, need_browser, widget_problems

pytestmark = pytest.mark.xdist_group("browser")

TRACK2 = "2_improving_deep_networks"
NB = "05_exponentially_weighted_averages.ipynb"
TRACK3, NB3 = "3_ml_strategy", "03_human_level_and_bias_variance.ipynb"   # Track 3's quickest notebook
TRACK4 = "4_convolutional_networks"
# Track 4's part 2: the detector's kit-trained weights load in the lab (06-08 load theirs the same way, through
# course_utils.data.store.load_arrays; every notebook's untouched release runs to the end in test_student_checks)
NB4 = {"05_object_detection.ipynb": ["iou", "yolo_filter_boxes"]}
TRACK5, NB5 = "5_sequence_models", "06_sentiment_classification.ipynb"   # Track 5's quickest untouched

_PROMPTS = """() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')]
                    .map(p => p.textContent.trim())"""


@pytest.fixture(scope="module")
def browser():
    need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def _run_all_once(page, base, token, path):
    """Open ``path``, click Run > Run All Cells once, and wait until the last code cell has run and the
    kernel is idle (no polling: one wait_for_function in the page). Returns the code cells' prompts
    ("[12]:" ran, "[ ]:" did not)."""
    page.goto(f"{base}/lab/tree/{path}?token={token}&reset")
    page.locator("#jp-main-statusbar").get_by_text(re.compile(r"\| Idle")).wait_for(timeout=90_000)
    page.locator(".jp-Notebook .jp-CodeCell").first.wait_for()
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name=re.compile(r"^Run All Cells")).click()
    done = """() => {
        const ps = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')].map(p => p.textContent);
        const sb = document.querySelector('#jp-main-statusbar');
        return ps.length > 0 && !ps.some(t => t.includes('*')) && sb && /\\| Idle/.test(sb.textContent)
            && /\\[\\d+\\]/.test(ps[ps.length - 1]);
    }"""
    try:
        page.wait_for_function(done, timeout=120_000)
    except Exception as exc:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"failed-run-all-{path}.png"))
        raise AssertionError(f"{path}: Run All did not finish: prompts {page.evaluate(_PROMPTS)}") from exc
    return page.evaluate(_PROMPTS)


def test_run_all_on_an_untouched_release_reaches_the_ewa_explorer(browser, tmp_path, release_dir, record_property):
    t0 = time.perf_counter()
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(release_dir / TRACK2 / NB, work / NB)
    shutil.copy(release_dir / TRACK3 / NB3, work / NB3)
    for nb4 in NB4:
        shutil.copy(release_dir / TRACK4 / nb4, work / nb4)
    shutil.copy(release_dir / TRACK5 / NB5, work / NB5)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(60_000)
    try:
        with lab_server(work, tmp_path) as (base, token):
            prompts = _run_all_once(page, base, token, NB)
            assert all(re.search(r"\[\d+\]", p) for p in prompts), prompts      # every cell ran, after one click
            explorer = page.locator(".ewa-explorer")
            explorer.wait_for()                                                # the widget is there
            assert widget_problems(page) == []
            # ... although the exercises above it failed: without the release's tags, JupyterLab would
            # have stopped at the first of these errors (the kernel drops the rest of the queue)
            failed = page.evaluate("""() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell')]
                .map((c, i) => (c.querySelector('.jp-OutputArea') || {innerText: ''}).innerText
                                 .includes('NotImplementedError') ? i : -1).filter(i => i >= 0)""")
            widget_cell = page.evaluate("""() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell')]
                .findIndex(c => c.querySelector('.ewa-explorer'))""")
            assert failed and failed[0] < widget_cell, (failed, widget_cell)
            body = page.locator(".jp-Notebook").inner_text()
            assert "ewa is not implemented yet" in body and "ewa_bias_corrected is not implemented yet" in body
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            explorer.screenshot(path=str(SCREENSHOTS / "run_all_untouched_release_ewa.png"))

            # Tracks 3, 4 and 5 as a student opens them: Run All on an untouched release runs every cell, draws
            # the plots and says which exercises are still to write
            for path, stubs in ((NB3, ["diagnose"]), *NB4.items(), (NB5, ["sentence_to_avg", "last_states", "lstm_classifier_forward"])):
                prompts = _run_all_once(page, base, token, path)
                assert all(re.search(r"\[\d+\]", p) for p in prompts), (path, prompts)
                assert page.locator(".jp-OutputArea-output img").count() >= 1, f"{path}: no plot appeared"
                body = page.locator(".jp-Notebook").inner_text()
                assert [name for name in stubs if f"{name} is not implemented yet" not in body] == [], path
                page.screenshot(path=str(SCREENSHOTS / f"run_all_untouched_release_{path[:-6]}.png"))
    finally:
        page.close()
    record_property("timing", ("browser: Run All on an untouched release", time.perf_counter() - t0))
