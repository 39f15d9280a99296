"""The student's JupyterLab as `make lab` starts it, seen in Chromium by a student who has never
used Jupyter before (an empty Jupyter configuration of their own): no news pop-up, nothing of
nbgrader's instructor side, the Validate button, and a notebook that opens unmodified.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from autograder.student.lab import free_port
from autograder.student.workspace import sync_student
from lab_support import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, need_browser, stop_server, wait_for_server

pytestmark = pytest.mark.xdist_group("browser")  # beside the other browser tests: one release, one core

NOTEBOOK = "1_neural_networks/01_numpy_basics.ipynb"
#: JupyterLab 4.6's own menus; nbgrader's "Nbgrader" menu (Formgrader, Create assignment,
#: Assignment List, Course List) must not be among them
LAB_MENUS = ["File", "Edit", "View", "Run", "Kernel", "Tabs", "Settings", "Help"]
#: JupyterLab's own right sidebar; nbgrader's "Nbgrader Create Assignment" must not be there
RIGHT_SIDEBAR = ["Property Inspector", "Debugger"]
INSTRUCTOR_WORDS = ("Nbgrader", "Formgrader", "Create Assignment", "Assignment List", "Course List")
CHROME_TEXT = """() => [...document.querySelectorAll(
    '#jp-top-panel, #jp-menu-panel, .jp-SideBar, #jp-left-stack, #jp-right-stack, .jp-Toolbar, #jp-main-statusbar')]
    .map(e => e.innerText).join('\\n')"""
DIRTY_TAB = ".lm-DockPanel-tabBar .lm-TabBar-tab.jp-mod-dirty"


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, ""


def test_student_lab_shows_student_tools_only_and_opens_notebooks_clean(tmp_path, release_dir, record_property):
    need_browser()
    from playwright.sync_api import sync_playwright

    t0 = time.perf_counter()
    student = tmp_path / "student"
    sync_student(release_dir, student)  # the student's copies, as `make lab` writes them
    # a fresh user: no Jupyter settings of their own; the kit's generated config goes to a
    # private build folder
    env = dict(os.environ, CI="true", JUPYTER_CONFIG_DIR=str(tmp_path / "user-config"),
               JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"), COURSE_BUILD_DIR=str(tmp_path / "build"))
    env.pop("JUPYTER_CONFIG_PATH", None)
    port = free_port(19400 + os.getpid() % 200)
    log = open(tmp_path / "lab.log", "w+")
    proc = subprocess.Popen(  # the lab command of `make lab`, after its release step
        [sys.executable, "-m", "autograder", "lab", "--skip-release", "--no-browser",
         "--student-dir", str(student), "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, text=True, env=env, start_new_session=True)
    try:
        token = wait_for_server(proc, log, port)
        base = f"http://127.0.0.1:{port}"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(60_000)
            page.goto(f"{base}/lab/tree/{NOTEBOOK}?token={token}&reset")
            page.locator("#jp-main-statusbar").get_by_text(re.compile(r"\| Idle")).wait_for()
            page.locator(".jp-Notebook .jp-CodeCell").first.wait_for()
            # JupyterLab asks about news once the app is restored, and writes the kernel's
            # metadata into the notebook as soon as the kernel answers: both came before Idle
            page.wait_for_timeout(1500)
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / "student_lab.png"))

            # no pop-up about Jupyter news, and none waiting in the notification centre
            assert page.locator(".Toastify__toast").all_inner_texts() == []
            settings = json.loads(_get(f"{base}/lab/api/settings/@jupyterlab/apputils-extension:notification"
                                       f"?token={token}")[1])
            assert settings["schema"]["properties"]["fetchNews"]["default"] == "false"  # the kit's default
            assert settings["settings"] == {}  # and no choice of the user's

            # nothing of the instructor's: no Nbgrader menu, no Create Assignment sidebar
            assert page.locator("#jp-menu-panel .lm-MenuBar-itemLabel").all_inner_texts() == LAB_MENUS
            right = page.locator(".jp-SideBar.jp-mod-right .lm-TabBar-tab")
            assert [right.nth(i).get_attribute("title") for i in range(right.count())] == RIGHT_SIDEBAR
            chrome = page.evaluate(CHROME_TEXT).lower()  # everything but the notebook's own text
            assert [w for w in INSTRUCTOR_WORDS if w.lower() in chrome] == []
            assert _get(f"{base}/formgrader?token={token}")[0] == 404  # nor the server's formgrader

            # the student's tool: the Validate button, with its server extension answering
            toolbar = page.locator(".jp-NotebookPanel-toolbar")
            assert toolbar.get_by_role("button", name="Validate").count() == 1
            status, reply = _get(f"{base}/nbgrader_version?version=none&token={token}")
            assert status == 200 and json.loads(reply)["success"] is False  # "none" is not its version

            # the notebook opened unmodified: its tab carries no unsaved marker ...
            tab = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text=Path(NOTEBOOK).name)
            assert tab.count() == 1
            assert page.locator(DIRTY_TAB).count() == 0
            # ... and it would carry one after a change (the marker is the one looked for above)
            page.locator(".jp-Notebook .jp-Cell").first.locator(".jp-InputPrompt").click()
            page.keyboard.press("Escape")
            page.keyboard.press("b")  # a new cell below: the notebook is now modified
            page.locator(DIRTY_TAB).wait_for(timeout=10_000)
            browser.close()
    finally:
        stop_server(proc)
        log.close()
    record_property("timing", ("browser: the student's lab as make lab starts it", time.perf_counter() - t0))
