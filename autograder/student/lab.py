"""Start JupyterLab on the student's notebooks, printing the URL to open."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import sys
from pathlib import Path

from .. import course


def free_port(start: int = 8888, tries: int = 50) -> int:
    for port in range(start, start + tries):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise RuntimeError(f"no free port between {start} and {start + tries - 1}")


def lab_command(notebook_dir: Path, port: int, token: str, open_browser: bool) -> list[str]:
    """The ``jupyter lab`` command line a student's server runs with."""
    jupyter = shutil.which("jupyter", path=str(Path(sys.executable).parent)) or "jupyter"
    cmd = [
        jupyter, "lab",
        f"--ServerApp.root_dir={notebook_dir}",
        "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        # no news pop-up or update check: there may be no network, and it covers the notebook
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if not open_browser:
        cmd.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    return cmd


def start(notebook_dir: Path = course.STUDENT_DIR, port: int | None = None, no_browser: bool = False) -> None:
    """Replace this process with JupyterLab on the student's folder; prints the URL first."""
    _exec_lab(Path(notebook_dir), port, no_browser, "lab",
              f"JupyterLab is starting on your notebooks in {notebook_dir}")


def start_formgrader(port: int | None = None, no_browser: bool = False) -> None:
    """JupyterLab for the instructor, rooted at the repository, with nbgrader's formgrader.

    nbgrader requires the course root (build/course) to lie inside the server's root, and
    finds autograder/nbgrader_config.py (in course.PACKAGE_DIR) through JUPYTER_CONFIG_PATH.
    """
    course.prepare_environment()
    paths = [str(course.PACKAGE_DIR)] + [p for p in os.environ.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep) if p]
    os.environ["JUPYTER_CONFIG_PATH"] = os.pathsep.join(paths)
    _exec_lab(course.REPO, port, no_browser, "formgrader",
              f"JupyterLab with nbgrader's formgrader (course root {course.RELEASE_ROOT})")


def _exec_lab(root: Path, port: int | None, no_browser: bool, page: str, headline: str) -> None:
    open_browser = not (no_browser or os.environ.get("CI"))
    port = port or free_port()
    token = secrets.token_hex(16)
    url = f"http://127.0.0.1:{port}/{page}?token={token}"
    print(f"\n{headline}\n    Open: {url}\nStop it with Ctrl-C.\n", flush=True)
    course.prepare_environment()
    cmd = lab_command(root, port, token, open_browser)
    os.execv(cmd[0], cmd)
