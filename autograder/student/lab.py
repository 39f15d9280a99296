"""Start JupyterLab on the student's notebooks (``make lab``) or for the instructor
(``make formgrader``), printing the URL to open.

The student's server reads a Jupyter configuration of the kit's own: :func:`write_student_config`
writes it into ``build/jupyter/student/`` and :func:`start` puts that folder first on
``JUPYTER_CONFIG_PATH`` for that server only. Nothing is written to the user's own Jupyter
configuration, and a setting the user chose there still wins. It makes the student's lab show
the student's tools and nothing of the instructor's:

- JupyterLab 4 asks "Would you like to get notified about official Jupyter news?" in a pop-up
  over the notebook unless the front-end setting ``fetchNews`` of
  ``@jupyterlab/apputils-extension:notification`` says otherwise (the server's
  ``--LabApp.news_url`` does not stop the question): its default is "false" here
  (:data:`SETTING_DEFAULTS`, as ``labconfig/default_setting_overrides.json``);
- nbgrader's instructor plugins (:data:`INSTRUCTOR_PLUGINS`: the Nbgrader menu, the formgrader,
  the Create Assignment sidebar, the assignment and course lists) are disabled by name
  (``labconfig/page_config.json``), and so are their server extensions; the Validate button
  (:data:`STUDENT_PLUGINS`) stays, and runs the kit's validator, as ``make check`` does
  (:data:`SERVER_CONFIG_PY`).

``make formgrader`` does not read that folder: the instructor keeps every nbgrader plugin.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import sys
from collections.abc import Mapping
from pathlib import Path

from .. import course

#: where :func:`start` writes the student's Jupyter configuration (generated, git-ignored)
STUDENT_CONFIG_DIR = course.BUILD / "jupyter" / "student"

#: nbgrader's lab plugins a student never sees, by the ids the nbgrader labextension gives
#: them. The assignment and course lists serve nbgrader's exchange, which this kit does not
#: use: students get their notebooks with ``make lab`` and hand them in as files.
INSTRUCTOR_PLUGINS = (
    "@jupyter/nbgrader:menu",  # the Nbgrader menu: Assignment List, Course List, Formgrader, Create assignment
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:create-assignment",  # the "Create Assignment" right sidebar
    "@jupyter/nbgrader:assignment-list",
    "@jupyter/nbgrader:course-list",
)
#: nbgrader's lab plugins a student keeps: the Validate button of the notebook toolbar
STUDENT_PLUGINS = ("@jupyter/nbgrader:validate-assignment",)
#: nbgrader's server extensions behind :data:`INSTRUCTOR_PLUGINS`, off in the student's server
#: (``validate_assignment``, behind the Validate button, stays on)
INSTRUCTOR_SERVER_EXTENSIONS = (
    "nbgrader.server_extensions.formgrader",
    "nbgrader.server_extensions.assignment_list",
    "nbgrader.server_extensions.course_list",
)
#: defaults of JupyterLab settings in the student's lab: no question about Jupyter news (there
#: may be no network, and the question covers the notebook), no check for JupyterLab updates
SETTING_DEFAULTS = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
}


def free_port(start: int = 8888, tries: int = 50) -> int:
    """The first port from ``start`` on that is free on 127.0.0.1.

    Raises RuntimeError when none of the ``tries`` ports is free.
    """
    for port in range(start, start + tries):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise RuntimeError(f"no free port between {start} and {start + tries - 1}")


def lab_command(notebook_dir: Path, port: int, token: str, open_browser: bool) -> list[str]:
    """The ``jupyter lab`` command line a student's (and the instructor's) server runs with."""
    jupyter = shutil.which("jupyter", path=str(Path(sys.executable).parent)) or "jupyter"
    cmd = [
        jupyter, "lab",
        f"--ServerApp.root_dir={notebook_dir}",
        "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        # the server never fetches news nor checks for updates (there may be no network); the
        # pop-up asking about news is a front-end setting (SETTING_DEFAULTS)
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if not open_browser:
        cmd.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    return cmd


def student_config() -> dict[str, dict]:
    """The files of the student's Jupyter configuration folder: relative path -> JSON content.

    ``labconfig/`` is read by JupyterLab from every folder of JUPYTER_CONFIG_PATH
    (``page_config.json``: disabled plugins; ``default_setting_overrides.json``: setting
    defaults), ``jupyter_server_config.json`` by the Jupyter server.
    """
    return {
        "labconfig/page_config.json": {"disabledExtensions": {p: True for p in INSTRUCTOR_PLUGINS}},
        "labconfig/default_setting_overrides.json": SETTING_DEFAULTS,
        "jupyter_server_config.json": {
            "ServerApp": {"jpserver_extensions": {e: False for e in INSTRUCTOR_SERVER_EXTENSIONS}}},
    }


#: Python configuration of the student's server. nbgrader's Validate button builds a plain
#: ``nbgrader.validator.Validator``, whose preprocessors are not configurable: it would fail a
#: correct answer that prints a warning, which ``make check`` passes. The button runs the kit's
#: validator instead (:class:`autograder.student.selfcheck.CourseValidator`), so the two agree.
SERVER_CONFIG_PY = f"""# Written by autograder/student/lab.py for the student's JupyterLab; regenerated at each start.
import sys
if {str(course.REPO)!r} not in sys.path:
    sys.path.insert(0, {str(course.REPO)!r})
import nbgrader.server_extensions.validate_assignment.handlers as _validate_handlers
from autograder.student.selfcheck import CourseValidator as _CourseValidator
_validate_handlers.Validator = _CourseValidator
"""


def write_student_config(folder: Path = STUDENT_CONFIG_DIR) -> Path:
    """Write :func:`student_config` into ``folder`` (each file replaced whole, so two servers
    starting at once never read half a file); return ``folder``.

    Raises OSError when the folder cannot be written.
    """
    folder = Path(folder)
    for rel, content in student_config().items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.partial")
        tmp.write_text(json.dumps(content, indent=1) + "\n")
        tmp.replace(path)
    path = folder / "jupyter_server_config.py"
    tmp = path.with_name(f".{path.name}.{os.getpid()}.partial")
    tmp.write_text(SERVER_CONFIG_PY)
    tmp.replace(path)
    return folder


def config_path_with(folder: Path, environ: Mapping[str, str] | None = None, without: tuple[Path, ...] = ()) -> str:
    """JUPYTER_CONFIG_PATH with ``folder`` first, then the folders ``environ`` (default: this
    process's environment) already names, except those in ``without``. The user's own config
    folder (JUPYTER_CONFIG_DIR, ~/.jupyter) still comes before all of them."""
    environ = os.environ if environ is None else environ
    drop = {str(folder)} | {str(p) for p in without}
    others = [p for p in environ.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep) if p and p not in drop]
    return os.pathsep.join([str(folder)] + others)


def student_config_path(environ: Mapping[str, str] | None = None, folder: Path = STUDENT_CONFIG_DIR) -> str:
    """JUPYTER_CONFIG_PATH of the student's server: writes the student's configuration into
    ``folder`` (:func:`write_student_config`) and puts it first. Raises OSError when the
    configuration cannot be written."""
    return config_path_with(write_student_config(folder), environ)


def formgrader_config_path(environ: Mapping[str, str] | None = None) -> str:
    """JUPYTER_CONFIG_PATH of the instructor's server: autograder/ first (nbgrader_config.py),
    and never the student's configuration, even when ``environ`` names it (a terminal of the
    student's lab inherits that path)."""
    return config_path_with(course.PACKAGE_DIR, environ, without=(STUDENT_CONFIG_DIR,))


def start(notebook_dir: Path = course.STUDENT_DIR, port: int | None = None, no_browser: bool = False) -> None:
    """Replace this process with JupyterLab on the student's folder, with the student's
    configuration (:func:`student_config_path`); prints the URL first.

    Raises OSError when the configuration cannot be written or JupyterLab cannot be started.
    """
    os.environ["JUPYTER_CONFIG_PATH"] = student_config_path()
    _exec_lab(Path(notebook_dir), port, no_browser, "lab",
              f"JupyterLab is starting on your notebooks in {notebook_dir}")


def start_formgrader(port: int | None = None, no_browser: bool = False) -> None:
    """JupyterLab for the instructor, rooted at the repository, with nbgrader's formgrader.

    nbgrader requires the course root (build/course) to lie inside the server's root, and
    finds autograder/nbgrader_config.py (in course.PACKAGE_DIR) through JUPYTER_CONFIG_PATH.
    Every nbgrader plugin is there (:func:`formgrader_config_path`).
    Raises OSError when JupyterLab cannot be started.
    """
    course.prepare_environment()
    os.environ["JUPYTER_CONFIG_PATH"] = formgrader_config_path()
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
