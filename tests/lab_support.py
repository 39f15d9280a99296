"""Start JupyterLab the way a student does (python -m autograder lab) and drive it with
Playwright in Debian's Chromium. Used by the tests under tests/browser/."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from autograder.student.lab import free_port

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "build" / "screenshots"


def need_browser() -> None:
    """Skip the calling test when Chromium is missing; fail it instead under CI, which must have it."""
    import pytest

    if Path(CHROMIUM).exists():
        return
    msg = "Chromium is not installed (make test installs it with apt-get where it can: needs root)"
    if os.environ.get("CI"):
        pytest.fail(msg + "; CI must have it")
    pytest.skip(msg)


@contextmanager
def offline_page(path: Path, width: int):
    """A page of ``path`` (a local HTML file) in Chromium with the network off; yields (page, the
    URLs it tried to request beyond the file itself, each refused). Call :func:`need_browser` first."""
    from playwright.sync_api import sync_playwright

    attempted: list[str] = []

    def only_the_file(route):
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            attempted.append(route.request.url)
            route.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": width, "height": 1000})
            context.set_offline(True)
            context.route("**/*", only_the_file)
            pg = context.new_page()
            pg.set_default_timeout(60_000)
            pg.goto(Path(path).as_uri(), wait_until="load")
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            yield pg, attempted
        finally:
            browser.close()


def write_lab_settings(config_dir: Path, disable_widgets: bool = False) -> None:
    """User settings for a test server: no news pop-up, every cell kept in the DOM."""
    settings = config_dir / "lab" / "user-settings" / "@jupyterlab"
    (settings / "apputils-extension").mkdir(parents=True, exist_ok=True)
    (settings / "apputils-extension" / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    (settings / "notebook-extension").mkdir(parents=True, exist_ok=True)
    (settings / "notebook-extension" / "tracker.jupyterlab-settings").write_text(
        json.dumps({"windowingMode": "none"}))
    if disable_widgets:  # the negative control: JupyterLab without the widget manager
        (config_dir / "labconfig").mkdir(parents=True, exist_ok=True)
        (config_dir / "labconfig" / "page_config.json").write_text(
            json.dumps({"disabledExtensions": {"@jupyter-widgets/jupyterlab-manager": True}}))


def wait_for_server(proc, log, port: int, timeout: float = 90) -> str:
    """Wait until the server that ``proc`` started answers on ``port``; return its token.

    The token is read from the URL our command prints. Fails with the server's log if the
    process exits or does not answer in time.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        log.seek(0)
        text = log.read()
        if proc.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with {proc.returncode} before answering:\n{text[-3000:]}")
        m = re.search(r"Open: http://127\.0\.0\.1:\d+/\w+\?token=(\w+)", text)
        if m:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={m.group(1)}", timeout=2):
                    return m.group(1)
            except OSError:
                pass
        time.sleep(0.3)
    log.seek(0)
    raise RuntimeError(f"JupyterLab did not answer within {timeout:.0f} s; its log:\n{log.read()[-3000:]}")


def stop_server(proc) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


@contextmanager
def lab_server(notebook_dir: Path, tmp: Path, *, disable_widgets: bool = False, timeout: float = 90):
    """Run ``python -m autograder lab`` (the code path of ``make lab``) headless; yield (base_url, token)."""
    config_dir = tmp / ("cfg-nowidgets" if disable_widgets else "cfg")
    write_lab_settings(config_dir, disable_widgets)
    env = dict(os.environ, CI="true", JUPYTER_CONFIG_DIR=str(config_dir),
               JUPYTER_RUNTIME_DIR=str(tmp / "runtime"))
    port = free_port(19000 + os.getpid() % 500)
    log = open(tmp / f"lab-{port}.log", "w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "autograder", "lab", "--skip-release", "--no-browser",
         "--student-dir", str(notebook_dir), "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, text=True, env=env, start_new_session=True)
    try:
        token = wait_for_server(proc, log, port, timeout)
        yield f"http://127.0.0.1:{port}", token
    finally:
        stop_server(proc)
        log.close()


_PROMPTS_JS = """() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')]
                        .map(p => p.textContent.trim())"""


def _wait_round(page, numbered_before: int, timeout_ms: int) -> list[str]:
    """Wait until more cells ran than before, nothing is pending and the kernel is idle."""
    page.wait_for_function(
        """(before) => {
            const ps = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')]
                .map(p => p.textContent.trim());
            const done = ps.filter(t => /\\[\\d+\\]/.test(t)).length;
            const sb = document.querySelector('#jp-main-statusbar');
            return done > before && !ps.some(t => t.includes('*')) && sb && /\\| Idle/.test(sb.textContent);
        }""", arg=numbered_before, timeout=timeout_ms)
    return page.evaluate(_PROMPTS_JS)


def _select_cell(page, code_index: int, attempts: int = 20) -> None:
    """Make the ``code_index``-th code cell the active one, and check it is.

    When Run All stops, JupyterLab moves the active cell to the end once its run promise
    settles, which can come just after the kernel reports idle and would undo a click made
    too early; so the click is repeated until the status bar shows the wanted cell.
    """
    position = page.evaluate(
        """(k) => { const cells = [...document.querySelectorAll('.jp-Notebook .jp-Cell')];
                    const code = cells.filter(c => c.classList.contains('jp-CodeCell'));
                    return cells.indexOf(code[k]) + 1; }""", code_index)
    cell = page.locator(".jp-Notebook .jp-CodeCell").nth(code_index)
    for _ in range(attempts):
        cell.locator(".jp-InputPrompt").click()
        try:
            page.locator("#jp-main-statusbar").get_by_text(re.compile(rf"Cell {position}/\d+")).wait_for(timeout=1500)
            page.wait_for_timeout(300)  # and it stays there
            if page.locator("#jp-main-statusbar").get_by_text(re.compile(rf"Cell {position}/\d+")).count():
                return
        except Exception:
            continue
    raise AssertionError(f"could not make code cell {code_index} (cell {position}) the active cell")


def open_and_run_all(page, base: str, token: str, path: str, timeout_ms: int = 90_000) -> None:
    """Open a notebook, wait for its kernel, and run every cell as a student would.

    JupyterLab's Run All stops at the first cell that raises (an unimplemented exercise
    does); like a student, we then run from the next cell on ("Run Selected Cell and All
    Below") until every code cell has run.
    """
    page.goto(f"{base}/lab/tree/{path}?token={token}&reset")
    status = page.locator("#jp-main-statusbar")
    status.get_by_text(re.compile(r"\| Idle")).wait_for(timeout=timeout_ms)
    page.locator(".jp-Notebook .jp-CodeCell").first.wait_for(timeout=timeout_ms)
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name=re.compile(r"^Run All Cells")).click()
    numbered = 0
    while True:
        try:
            prompts = _wait_round(page, numbered, timeout_ms)
        except Exception:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            shot = SCREENSHOTS / f"failed-{Path(path).stem}.png"
            page.screenshot(path=str(shot))
            raise AssertionError(f"{path}: cells stopped running; prompts {page.evaluate(_PROMPTS_JS)}, "
                                 f"status bar {page.locator('#jp-main-statusbar').inner_text()!r}; screenshot {shot}")
        numbered = sum(bool(re.search(r"\[\d+\]", t)) for t in prompts)
        if numbered == len(prompts):
            return
        # like a student after an error: go to the next cell and keep pressing Shift+Enter,
        # one cell at a time (a queued run would be cancelled by the next error)
        first_unrun = next(i for i, t in enumerate(prompts) if not re.search(r"\[\d+\]", t))
        _select_cell(page, first_unrun)
        n_cells = page.locator(".jp-Notebook .jp-Cell").count()
        for _ in range(2 * n_cells):
            page.keyboard.press("Shift+Enter")
            page.wait_for_function(
                """() => {
                    const ps = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')];
                    const sb = document.querySelector('#jp-main-statusbar');
                    return !ps.some(p => p.textContent.includes('*')) && sb && /\\| Idle/.test(sb.textContent);
                }""", timeout=timeout_ms)
            prompts = page.evaluate(_PROMPTS_JS)
            if all(re.search(r"\[\d+\]", t) for t in prompts):
                return
        numbered = sum(bool(re.search(r"\[\d+\]", t)) for t in prompts)


def widget_problems(page) -> list[str]:
    """What shows that widgets did NOT render: their repr as text, or an error message."""
    problems = []
    for text in page.locator(".jp-OutputArea-output[data-mime-type='text/plain']").all_inner_texts():
        if re.match(r"^\s*(VBox|HBox|Box|interactive|IntSlider|FloatSlider|FloatLogSlider|Image|Dropdown)\(", text):
            problems.append(f"widget shown as text: {text[:80]}")
    body = page.locator(".jp-Notebook").inner_text()
    for msg in ("Error displaying widget", "Failed to load model class", "Loading widget..."):
        if msg in body:
            problems.append(msg)
    if page.locator(".jupyter-widgets").count() == 0:
        problems.append("no .jupyter-widgets element")
    return problems
