"""Real-browser journeys: JupyterLab as a student and an instructor see it.

The server is started through `python -m autograder lab` (what `make lab` runs), Chromium
is Debian's, driven by Playwright. Screenshots of every journey's final state go to
build/screenshots/ (git-ignored).
"""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import nbformat
import pytest

from helpers import SOURCE, nbg, read, solved
from autograder.student.lab import free_port
from lab_support import (CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, lab_server, need_browser, open_and_run_all, stop_server,
                         wait_for_server, widget_problems, write_lab_settings)

pytestmark = pytest.mark.xdist_group("browser")

TRACK1 = "1_neural_networks"
NB01 = "01_numpy_basics.ipynb"


@pytest.fixture(scope="module")
def browser():
    need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    yield pg
    context.close()


TRACK2 = "2_improving_deep_networks"
WIDGET_CELLS = {"playground.ipynb": ("04_optimization.ipynb", "gradient_descent_playground("),
                "ewa.ipynb": ("05_exponentially_weighted_averages.ipynb", "ewa_explorer(")}


def _widget_notebook(folder: Path, name: str, release_dir: Path) -> str:
    """The released notebook's widget cell on its own, as a student runs it (the rest of the
    notebook needs the student's solutions and is covered elsewhere)."""
    source_nb, call = WIDGET_CELLS[name]
    released = read(release_dir / TRACK2 / source_nb)
    cell = next(c for c in released.cells if c.cell_type == "code" and call in c.source)
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = released.metadata["kernelspec"]
    nb.cells = [nbformat.v4.new_code_cell(cell.source)]
    nbformat.write(nb, folder / name)
    return name


def _sigmoid_solved(release_dir: Path, out: Path) -> None:
    """Released 1/01 as a student has it after solving one exercise, sigmoid: its solution cell as the
    source has it, every other cell as released (the other exercises still raise NotImplementedError)."""
    released = read(release_dir / TRACK1 / NB01)
    honest = solved(released, read(SOURCE / TRACK1 / NB01))
    cells = [c for c in released.cells if nbg(c).get("grade_id") == "sigmoid"]
    assert len(cells) == 1
    cells[0].source = next(c.source for c in honest.cells if nbg(c).get("grade_id") == "sigmoid")
    nbformat.write(released, out)


@pytest.fixture(scope="module")
def student_server(tmp_path_factory, release_dir):
    tmp = tmp_path_factory.mktemp("browser")
    work = tmp / "work"
    shutil.copytree(release_dir / TRACK1, work / "released")
    _sigmoid_solved(release_dir, work / "released" / NB01)
    _widget_notebook(work, "playground.ipynb", release_dir)
    _widget_notebook(work, "ewa.ipynb", release_dir)
    with lab_server(work, tmp) as (base, token):
        yield base, token


def _shot(locator_or_page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    locator_or_page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def _cell_output(page, marker: str) -> str:
    cell = page.locator(".jp-CodeCell").filter(has=page.locator(".jp-InputArea", has_text=marker)).first
    return cell.locator(".jp-OutputArea").inner_text()


def test_released_notebook_runs_with_plots_friendly_stubs_and_a_passing_check(page, student_server,
                                                                              record_property):
    """One Run All of released 1/01 with one exercise solved (sigmoid): a plot appears, an unimplemented
    exercise's check says so in plain words, and the solved one's check shows its tick and no error.
    One notebook shows both outputs; the instructor's source notebook needs no browser run of its own
    (tests/notebooks/test_notebooks.py executes it)."""
    base, token = student_server
    t0 = time.perf_counter()
    open_and_run_all(page, base, token, f"released/{NB01}")
    assert page.locator(".jp-OutputArea-output img").count() >= 1, "no plot image appeared"
    out = _cell_output(page, "check_function(sigmoid_derivative,")
    assert "NotImplementedError" in out and "is not implemented yet" in out
    out = _cell_output(page, "check_function(sigmoid,")
    assert "\u2714 sigmoid" in out and "Error" not in out
    _shot(page, "student_release_01")
    record_property("timing", ("browser: released notebook, one exercise solved", time.perf_counter() - t0))


def _image_src(widget):
    return widget.locator("img").first.get_attribute("src")


def _wait_changed(page, get, old, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        new = get()
        if new != old:
            return new
        page.wait_for_timeout(100)
    raise AssertionError("the widget did not change")


def _wait_idle(page) -> None:
    page.locator("#jp-main-statusbar").get_by_text(re.compile(r"\| Idle")).wait_for(timeout=90_000)
    page.wait_for_timeout(300)


def _wait_settled(page, css: str, text: str = "") -> None:
    """Wait until the widget's image has loaded and its readout shows ``text``."""
    page.wait_for_function(
        """([css, text]) => {
            const w = document.querySelector(css);
            const img = w && w.querySelector('img');
            return img && img.complete && img.naturalWidth > 0 && w.innerText.includes(text);
        }""", arg=[css, text], timeout=90_000)


def _set_readout(widget, label: str, value: str):
    row = widget.locator(".widget-slider").filter(has=widget.page.locator(".widget-label", has_text=re.compile(f"^{label}$")))
    readout = row.locator(".widget-readout")
    readout.click()
    readout.press("Control+a")
    readout.type(value)
    readout.press("Enter")


def _open_widget(page, server, notebook: str, css: str):
    """Run the widget notebook and return the widget, asserting it rendered as a widget."""
    base, token = server
    open_and_run_all(page, base, token, notebook)
    w = page.locator(css)
    w.wait_for()
    assert widget_problems(page) == []
    return w


def test_gradient_descent_playground_moves(page, student_server, record_property):
    t0 = time.perf_counter()
    w = _open_widget(page, student_server, "playground.ipynb", ".gd-playground")
    src0, final0 = _image_src(w), w.locator(".final-A").inner_text()
    cost0 = w.locator(".cost-A").inner_text()
    slider = w.locator(".widget-slider").filter(has=page.locator(".widget-label", has_text="learning rate")).locator("[role=slider]")
    slider.focus()
    for _ in range(3):
        slider.press("ArrowLeft")
    src1 = _wait_changed(page, lambda: _image_src(w), src0)
    final1 = _wait_changed(page, lambda: w.locator(".final-A").inner_text(), final0)
    _wait_idle(page)  # every slider step drawn before the next control moves
    src1 = _image_src(w)
    w.locator(".widget-dropdown").filter(has=page.locator(".widget-label", has_text="optimizer A")).locator("select").select_option("adam")
    _wait_changed(page, lambda: _image_src(w), src1)
    _wait_settled(page, ".gd-playground", "A (adam)")  # the readout now describes Adam's run
    assert w.locator(".cost-A").inner_text() != cost0 and final1 != final0
    _shot(w, "gd_playground")
    record_property("timing", ("browser: gradient-descent playground", time.perf_counter() - t0))


def test_ewa_explorer_moves(page, student_server, record_property):
    t0 = time.perf_counter()
    w = _open_widget(page, student_server, "ewa.ipynb", ".ewa-explorer")
    _set_readout(w, "beta", "0.5")
    page.wait_for_function("() => document.querySelector('.ewa-explorer .window').textContent.trim() === '2.0'")
    src_half = _image_src(w)
    _set_readout(w, "beta", "0.98")
    page.wait_for_function("() => document.querySelector('.ewa-explorer .window').textContent.trim() === '50.0'")
    _wait_changed(page, lambda: _image_src(w), src_half)
    first_raw = w.locator(".first-days").inner_text()
    w.locator("input[type=checkbox]").check()
    first_corrected = _wait_changed(page, lambda: w.locator(".first-days").inner_text(), first_raw)
    raw0, corr0 = float(first_raw.split(",")[0]), float(first_corrected.split(",")[0])
    assert raw0 < 0.1 * corr0  # without correction day 1 is 2% of the temperature
    _wait_settled(page, ".ewa-explorer", "effective window")
    _shot(w, "ewa_explorer")
    record_property("timing", ("browser: EWA explorer", time.perf_counter() - t0))


def test_negative_control_without_widget_manager(browser, tmp_path, release_dir):
    """With the widget manager disabled the check above must fail: it is not vacuous."""
    work = tmp_path / "work"
    work.mkdir()
    _widget_notebook(work, "playground.ipynb", release_dir)
    page = browser.new_page()
    page.set_default_timeout(60_000)
    try:
        with lab_server(work, tmp_path, disable_widgets=True) as (base, token):
            open_and_run_all(page, base, token, "playground.ipynb")
            problems = widget_problems(page)
            assert problems, "a page without the widget manager passed the widget check"
    finally:
        page.close()


def test_instructor_formgrader_lists_and_generates(browser, tmp_path, record_property):
    """The formgrader as `make formgrader` opens it lists the tracks, and generates one from the page."""
    import subprocess
    import sys

    from helpers import REPO

    t0 = time.perf_counter()
    # nbgrader wants the course root inside the server's root (the repository): a private
    # build folder under build/ (git-ignored), removed afterwards
    build = REPO / "build" / f"test-formgrader-{os.getpid()}"
    shutil.rmtree(build, ignore_errors=True)
    write_lab_settings(tmp_path / "cfg")
    env = dict(os.environ, CI="true", JUPYTER_CONFIG_DIR=str(tmp_path / "cfg"), JUPYTER_RUNTIME_DIR=str(tmp_path / "rt"),
               COURSE_BUILD_DIR=str(build))
    port = free_port(19600 + os.getpid() % 300)
    log = open(tmp_path / "formgrader.log", "w+")
    proc = subprocess.Popen([sys.executable, "-m", "autograder", "formgrader", "--port", str(port)],
                            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(90_000)
    try:
        token = wait_for_server(proc, log, port)
        page.goto(f"http://127.0.0.1:{port}/formgrader?token={token}")
        rows = page.locator("tr", has_text="1_neural_networks")
        rows.first.wait_for()
        body = page.locator("body").inner_text()
        for track in sorted(p.name for p in SOURCE.iterdir() if any(p.glob("*.ipynb"))):
            assert track in body, f"formgrader does not list {track}"
        assert "does not exist and could not be created" not in body  # the exchange exists
        rows.first.locator("td.assign a").click()  # the "Generate" column
        page.get_by_text(re.compile("Successfully created the student version of '1_neural_networks'")).wait_for()
        released = sorted(p.name for p in (build / "course" / "release" / TRACK1).glob("*.ipynb"))
        assert released == sorted(p.name for p in (SOURCE / TRACK1).glob("*.ipynb"))
        _shot(page, "formgrader")
    finally:
        page.close()
        stop_server(proc)
        log.close()
        shutil.rmtree(build, ignore_errors=True)
    record_property("timing", ("browser: formgrader list and generate", time.perf_counter() - t0))
