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

``make formgrader`` does not read that folder: the instructor keeps every nbgrader plugin. It shows
a graded class (``grade``'s ``--out`` folder, :func:`formgrader_course`), laid out as nbgrader's
formgrader reads a course (:func:`prepare_formgrader`), with the server rooted where every link it
builds opens, and the buttons that would bypass the kit's grader refused (:data:`REFUSED`).
"""

from __future__ import annotations

import functools
import json
import os
import secrets
import shutil
import socket
import sys
from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass
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


def formgrader_config_path(environ: Mapping[str, str] | None = None, server_config: Path | None = None) -> str:
    """JUPYTER_CONFIG_PATH of the instructor's server: autograder/ first (nbgrader_config.py),
    then ``server_config`` (a folder :func:`write_formgrader_config` wrote) when given, and never
    the student's configuration, even when ``environ`` names it (a terminal of the student's lab
    inherits that path)."""
    path = config_path_with(course.PACKAGE_DIR, environ, without=(STUDENT_CONFIG_DIR,)
                            + ((Path(server_config),) if server_config else ()))
    if server_config is None:
        return path
    first, _, rest = path.partition(os.pathsep)
    return os.pathsep.join([first, str(server_config)] + ([rest] if rest else []))


#: where :func:`start_formgrader` writes the instructor's server configuration (generated, git-ignored)
FORMGRADER_CONFIG_DIR = course.BUILD / "jupyter" / "formgrader"

#: Python configuration of the instructor's server. On a graded class, three of the formgrader's
#: buttons would bypass the kit's grader: Autograde (nbgrader would run a student's notebook
#: unsandboxed inside this server), Generate Feedback (nbgrader would replace the grader's
#: feedback page with its own) and Release Feedback (nbgrader's exchange, which the kit does not
#: use). Each is refused with the reason instead (:func:`refuse_on_graded_class`).
FORMGRADER_SERVER_CONFIG_PY = f"""# Written by autograder/student/lab.py for make formgrader's JupyterLab; regenerated at each start.
import sys
if {str(course.REPO)!r} not in sys.path:
    sys.path.insert(0, {str(course.REPO)!r})
from nbgrader.apps.api import NbGraderAPI as _NbGraderAPI
from autograder.student.lab import refuse_on_graded_class as _refuse
_refuse(_NbGraderAPI)
"""

#: why the formgrader does not run nbgrader's action of that name on a graded class
REFUSED = {
    "autograde": (
        "Autograde is off in this formgrader: the class was graded by `python -m autograder grade`, which runs "
        "each notebook in a sandbox and judges it outside the student's code; nbgrader's autograder would run "
        "the student's code unsandboxed inside this server. To grade again: python -m autograder grade "
        "SUBMISSIONS --out {results} (only the students in SUBMISSIONS are replaced)."),
    "generate_feedback": (
        "Generate Feedback is off in this formgrader: each student's feedback page is already written by "
        "`python -m autograder grade`, in {results}/feedback/<student>/<assignment>/<notebook>.html (linked from "
        "course/feedback/), without the hidden tests; nbgrader would replace it with its own page."),
    "release_feedback": (
        "Release Feedback is off in this formgrader: the kit does not use nbgrader's exchange. Hand each student "
        "the pages in {results}/feedback/<student>/ (one HTML file per notebook, readable offline)."),
}


def refuse_on_graded_class(api_cls) -> None:
    """Change nbgrader's ``NbGraderAPI`` class (what the formgrader's buttons call) so that, on a
    graded class (:data:`RESULTS_ENV` set), each action of :data:`REFUSED` returns nbgrader's
    failure result (``success`` False, the reason as ``log`` and ``error``) before touching any
    file; elsewhere each runs as before. Called once, by the instructor's server configuration."""
    for name in REFUSED:
        original = getattr(api_cls, name)

        def refusing(self, *args, _name=name, _original=original, **kwargs):
            results = os.environ.get(RESULTS_ENV)
            if not results:
                return _original(self, *args, **kwargs)
            msg = REFUSED[_name].format(results=results)
            return {"success": False, "log": f"[ERROR] {msg}", "error": msg}

        refusing.__name__ = name
        refusing.__doc__ = original.__doc__
        setattr(api_cls, name, refusing)


def write_formgrader_config(folder: Path = FORMGRADER_CONFIG_DIR) -> Path:
    """Write :data:`FORMGRADER_SERVER_CONFIG_PY` as ``folder/jupyter_server_config.py`` (replaced
    whole); return ``folder``. Raises OSError when it cannot be written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "jupyter_server_config.py"
    tmp = path.with_name(f".{path.name}.{os.getpid()}.partial")
    tmp.write_text(FORMGRADER_SERVER_CONFIG_PY)
    tmp.replace(path)
    return folder


def start(notebook_dir: Path = course.STUDENT_DIR, port: int | None = None, no_browser: bool = False) -> None:
    """Replace this process with JupyterLab on the student's folder, with the student's
    configuration (:func:`student_config_path`); prints the URL first.

    Raises OSError when the configuration cannot be written or JupyterLab cannot be started.
    """
    os.environ["JUPYTER_CONFIG_PATH"] = student_config_path()
    _exec_lab(Path(notebook_dir), port, no_browser, "lab",
              f"JupyterLab is starting on your notebooks in {notebook_dir}")


#: the environment variable that names a graded class (the ``--out`` folder of ``grade``) to
#: nbgrader's configuration (autograder/nbgrader_config.py): the formgrader sets it for its
#: server, and nbgrader's own command line reads it too (``COURSE_RESULTS=results nbgrader export``)
RESULTS_ENV = "COURSE_RESULTS"
#: the folder of a graded class the formgrader shows by default (``grade --out``'s default)
DEFAULT_RESULTS = Path("results")


class NoGradedClass(FileNotFoundError):
    """A folder given as a graded class holds no gradebook (``grade`` was not run into it)."""


@dataclass(frozen=True)
class FormgraderCourse:
    """What the formgrader shows: nbgrader's course root, the gradebook, and the server's root.

    ``results`` is the graded class (``grade``'s ``--out``), or None for the release build
    (``build/course``: the assignments and their gradebook, no students).
    """

    results: Path | None
    course_root: Path
    gradebook: Path
    source: Path

    @property
    def server_root(self) -> Path:
        """The Jupyter server's root: the course root's parent, so every path the formgrader links
        (``course/source/...``, ``course/release/...``, ``course/autograded/...``) lies inside it."""
        return self.course_root.parent

    @property
    def view_source(self) -> Path:
        """The source folder nbgrader is given: one entry per real assignment (:func:`prepare_formgrader`)."""
        return self.course_root / "source"


def build_course(source: Path = course.SOURCE) -> FormgraderCourse:
    """The release build as the formgrader shows it: ``build/course`` and its gradebook, no students."""
    return FormgraderCourse(None, course.RELEASE_ROOT.resolve(), (course.RELEASE_ROOT / "gradebook.db").resolve(),
                            Path(source).resolve())


def formgrader_course(results: Path | None = None, source: Path = course.SOURCE) -> FormgraderCourse:
    """Which class the formgrader shows.

    ``results`` (a ``grade --out`` folder) must hold ``gradebook.db``; without it, ``results/``
    of the current folder when it holds one, else the release build (``build/course``).
    Raises :class:`NoGradedClass` when ``results`` is given and holds no gradebook.
    """
    if results is None:
        if not (DEFAULT_RESULTS / "gradebook.db").is_file():
            return build_course(source)
        results = DEFAULT_RESULTS
    results = Path(results).resolve()
    if not (results / "gradebook.db").is_file():
        raise NoGradedClass(
            f"{results} holds no graded class: there is no gradebook.db in it. Grade the class into it first "
            f"(python -m autograder grade SUBMISSIONS --out {results}), or name the folder grade wrote.")
    return FormgraderCourse(results, results / "course", results / "gradebook.db", Path(source).resolve())


def formgrader_nbgrader_config(fc: FormgraderCourse):
    """nbgrader's configuration for the class ``fc``: its course root and gradebook, and the
    source folder :func:`prepare_formgrader` made (the notebooks' folder until it exists)."""
    source = fc.view_source if fc.view_source.is_dir() else fc.source
    return course.nbgrader_config(fc.course_root, source, fc.gradebook)


def _gradebook_rows(gradebook: Path) -> tuple[list[str], list[tuple[str, str]]]:
    """(assignment names, (student, assignment) of every submission) in an nbgrader gradebook."""
    import sqlite3

    if not gradebook.is_file():
        return [], []
    with closing(sqlite3.connect(f"file:{gradebook}?mode=ro", uri=True)) as db:
        names = [r[0] for r in db.execute("select name from assignment order by name")]
        subs = db.execute("select s.student_id, a.name from submitted_assignment s "
                          "join assignment a on s.assignment_id = a.id order by s.student_id, a.name").fetchall()
    return names, [(s, a) for s, a in subs]


def _clear_made(folder: Path) -> None:
    """Remove what :func:`prepare_formgrader` made in ``folder`` (symbolic links and the folders
    that held them); a real file someone put there stays, with the folders above it."""
    if folder.is_symlink():
        folder.unlink()
        return
    if not folder.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(folder, topdown=False):
        here = Path(dirpath)
        for name in dirnames + filenames:
            if (here / name).is_symlink():
                (here / name).unlink()
        try:
            here.rmdir()
        except OSError:  # holds a real file
            pass


def prepare_formgrader(fc: FormgraderCourse) -> list[str]:
    """Lay out ``fc.course_root`` the way nbgrader's formgrader reads a course; return the
    assignments it lists.

    - ``source/``: one entry per real assignment: each track of ``fc.source``
      (:func:`autograder.course.assignments`, a link to its folder) and each single-notebook
      assignment the gradebook knows (a folder with a link to its notebook). Nothing else of
      the notebooks' folder (``images/``) is an assignment.
    - ``submitted/<student>/<assignment>/``: an empty folder per submission in the gradebook, so
      the formgrader counts and lists it; a submission whose grading failed has no autograded
      notebook and shows as "needs autograding", without a score (grading is
      ``python -m autograder grade``; the formgrader's Autograde button is refused,
      :data:`REFUSED`, and would find no notebook there anyway).
    - ``feedback/<student>/<assignment>``: a link to the page the grader wrote
      (``results/feedback/...``), never a page regenerated by nbgrader (Generate Feedback is
      refused, and nbgrader cannot remove a link).

    Only links and empty folders are made, and only those are removed when it runs again.
    Raises OSError when the course root cannot be written.
    """
    root = fc.course_root
    names, subs = _gradebook_rows(fc.gradebook)
    tracks = course.assignments(fc.source)
    singles = course.notebook_assignments(fc.source)
    view = fc.view_source
    _clear_made(view)
    view.mkdir(parents=True, exist_ok=True)
    for track in tracks:
        (view / track).symlink_to(fc.source / track, target_is_directory=True)
    graded_singles = [n for n in names if n in singles and n not in tracks]
    for name in graded_singles:
        track, nb = singles[name]
        (view / name).mkdir()
        (view / name / nb).symlink_to(fc.source / track / nb)
    (root / "exchange").mkdir(parents=True, exist_ok=True)
    for folder in ("submitted", "feedback"):
        _clear_made(root / folder)
    if fc.results is not None:
        for student, assignment in subs:
            (root / "submitted" / student / assignment).mkdir(parents=True, exist_ok=True)
            page_dir = fc.results / "feedback" / student / assignment
            if page_dir.is_dir():
                link = root / "feedback" / student / assignment
                link.parent.mkdir(parents=True, exist_ok=True)
                link.symlink_to(os.path.relpath(page_dir, link.parent), target_is_directory=True)
    return sorted(tracks + graded_singles)


_UNSCORED_SQL = """select distinct a.name, sa.student_id from grade g
    join submitted_notebook sn on g.notebook_id = sn.id join submitted_assignment sa on sn.assignment_id = sa.id
    join assignment a on sa.assignment_id = a.id where g.auto_score is null and g.manual_score is null"""


def unscored_submissions(gradebook) -> set[tuple[str, str]]:
    """(assignment, student) of every submission in an nbgrader ``Gradebook`` with a graded cell
    that has neither an auto score nor a manual score: ``grade`` stores a submission whose
    grading failed so (it needs grading again), and nbgrader would count it as 0."""
    from sqlalchemy import text

    return {(a, s) for a, s in gradebook.db.execute(text(_UNSCORED_SQL))}


@functools.lru_cache(maxsize=None)
def csv_export_plugin():
    """nbgrader's CSV export (``nbgrader export``), except that a submission of
    :func:`unscored_submissions` gets an empty ``raw_score`` and ``score``, as in the kit's
    grades.csv, instead of nbgrader's 0: a grading failure is never a student's 0. Every other
    row and column is nbgrader's. autograder/nbgrader_config.py makes it ``ExportApp.plugin_class``."""
    from nbgrader.plugins.export import CsvExportPlugin

    class CsvExportWithoutFalseZeros(CsvExportPlugin):
        __doc__ = csv_export_plugin.__doc__

        def export(self, gradebook) -> None:
            super().export(gradebook)
            unscored = unscored_submissions(gradebook)
            if not unscored:
                return
            dest = Path(self.to or "grades.csv")
            lines = dest.read_text().splitlines()
            keys = lines[0].split(",")
            at = {k: keys.index(k) for k in ("assignment", "student_id", "raw_score", "score")}
            for i, line in enumerate(lines[1:], 1):
                row = line.split(",")
                if len(row) == len(keys) and (row[at["assignment"]], row[at["student_id"]]) in unscored:
                    row[at["raw_score"]] = row[at["score"]] = ""
                    lines[i] = ",".join(row)
                    self.log.warning("%s/%s: no score: a graded cell has neither an auto score nor a manual one "
                                     "(its grading failed; grade it again)", row[at["student_id"]],
                                     row[at["assignment"]])
            dest.write_text("\n".join(lines) + "\n")

    return CsvExportWithoutFalseZeros


def start_formgrader(port: int | None = None, no_browser: bool = False, results: Path | None = None,
                     source: Path = course.SOURCE) -> None:
    """Replace this process with JupyterLab for the instructor, with nbgrader's formgrader on
    the class :func:`formgrader_course` picks (a graded class, else the release build).

    The course root is laid out for the formgrader first (:func:`prepare_formgrader`); the
    server is rooted at its parent, which nbgrader requires and which makes the links it
    builds open. autograder/nbgrader_config.py (found through JUPYTER_CONFIG_PATH,
    :func:`formgrader_config_path`) reads which class from :data:`RESULTS_ENV`. Every nbgrader
    plugin is there. Raises :class:`NoGradedClass` for a ``results`` folder without a gradebook,
    OSError when the course root cannot be written or JupyterLab cannot be started.
    """
    course.prepare_environment()
    fc = formgrader_course(results, source)
    listed = prepare_formgrader(fc)
    if fc.results is None:
        os.environ.pop(RESULTS_ENV, None)
        what = (f"the release build {fc.course_root} (no graded class: {DEFAULT_RESULTS.resolve()} holds no "
                f"gradebook.db; give --results OUT, the folder grade wrote)")
    else:
        os.environ[RESULTS_ENV] = str(fc.results)
        what = f"the graded class in {fc.results} (gradebook {fc.gradebook})"
    os.environ["JUPYTER_CONFIG_PATH"] = formgrader_config_path(server_config=write_formgrader_config())
    _exec_lab(fc.server_root, port, no_browser, "formgrader",
              f"JupyterLab with nbgrader's formgrader on {what}\n    assignments: {', '.join(listed) or 'none'}")


def _exec_lab(root: Path, port: int | None, no_browser: bool, page: str, headline: str) -> None:
    open_browser = not (no_browser or os.environ.get("CI"))
    port = port or free_port()
    token = secrets.token_hex(16)
    url = f"http://127.0.0.1:{port}/{page}?token={token}"
    print(f"\n{headline}\n    Open: {url}\nStop it with Ctrl-C.\n", flush=True)
    course.prepare_environment()
    cmd = lab_command(root, port, token, open_browser)
    os.execv(cmd[0], cmd)
