"""Start JupyterLab on the student's notebooks, printing the URL to open."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import sys
from pathlib import Path

from . import course


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
    """Replace this process with JupyterLab; prints the URL first."""
    open_browser = not (no_browser or os.environ.get("CI"))
    port = port or free_port()
    token = secrets.token_hex(16)
    url = f"http://127.0.0.1:{port}/lab?token={token}"
    print(f"\nJupyterLab is starting on your notebooks in {notebook_dir}\n    Open: {url}\n"
          "Stop it with Ctrl-C.\n", flush=True)
    cmd = lab_command(Path(notebook_dir), port, token, open_browser)
    os.execv(cmd[0], cmd)
