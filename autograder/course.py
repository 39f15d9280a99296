"""Where things live, the nbgrader configuration every command of the kit uses, and the
student release built with it.

The course root given to nbgrader is a *build* folder (git-ignored); its source directory
is the repository's ``notebooks/`` folder, named by absolute path, so the committed
notebooks are the only source of truth. Each track folder is one nbgrader assignment.

Shared by both sides of the kit: the student commands (:mod:`autograder.student`) build the
release before copying it into ``student/``, and the grader (:mod:`autograder.engine`)
builds it to make its templates and the gradebook.
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

from traitlets.config import Config

#: the autograder package; also the folder of nbgrader_config.py, which nbgrader's own
#: command line and the formgrader read
PACKAGE_DIR = Path(__file__).resolve().parent
REPO = PACKAGE_DIR.parent
SOURCE = REPO / "notebooks"
BUILD = Path(os.environ.get("COURSE_BUILD_DIR", REPO / "build"))
#: nbgrader course root for the student release
RELEASE_ROOT = BUILD / "course"
#: nbgrader course root for notebooks released as assignments of their own
#: (``python -m autograder release --notebook``); kept apart so student/ never receives them
NOTEBOOK_RELEASE_ROOT = BUILD / "notebook-assignments"
#: the student's working copies; never overwritten by any command
STUDENT_DIR = Path(os.environ.get("COURSE_STUDENT_DIR", REPO / "student"))

#: seconds one cell may run while grading before nbgrader interrupts it
CELL_TIMEOUT = int(os.environ.get("COURSE_CELL_TIMEOUT", "120"))


#: one BLAS thread per kernel: the course's matrices are small, and on a shared 2-core
#: machine a multi-threaded OpenBLAS was measured 10-40x slower on them (threads wait on
#: each other); grading runs several kernels side by side anyway
SINGLE_THREAD_BLAS = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


#: byte-order marks editors write, and the encoding each names (longest first)
_BOMS = (("\xff\xfe\x00\x00", "utf-32"), ("\x00\x00\xfe\xff", "utf-32"), ("\xef\xbb\xbf", "utf-8-sig"),
         ("\xff\xfe", "utf-16"), ("\xfe\xff", "utf-16"))


def notebook_text(raw: bytes) -> str:
    """A notebook file's text: UTF-8, or the encoding its byte-order mark names (Windows
    editors write UTF-8 with a BOM, PowerShell's ``>`` UTF-16); the mark itself is dropped.

    Raises ``UnicodeDecodeError`` when the bytes are not text in that encoding.
    """
    for bom, encoding in _BOMS:
        if raw.startswith(bom.encode("latin-1")):
            return raw.decode(encoding)
    return raw.decode("utf-8")


def normalise_line_endings(nb: dict) -> dict:
    """Turn Windows (CRLF) and old Mac (CR) line endings inside cell sources into ``\\n``, so a
    cell reads the same whichever system saved it; returns ``nb``, changed in place."""
    for cell in nb.get("cells", []):
        if not isinstance(cell, dict):
            continue
        src = cell.get("source")
        if isinstance(src, str) and "\r" in src:
            cell["source"] = src.replace("\r\n", "\n").replace("\r", "\n")
        elif isinstance(src, list) and any(isinstance(x, str) and "\r" in x for x in src):
            cell["source"] = "".join(x for x in src if isinstance(x, str)).replace("\r\n", "\n").replace("\r", "\n")
    return nb


def prepare_environment() -> None:
    """Prepare the environment that kernels inherit.

    Puts this interpreter's bin/ first on PATH (nbgrader runs ``alembic`` by name, and
    kernels and ``jupyter`` must come from the kit's environment) and limits BLAS to one
    thread unless the user already chose a number.
    """
    for key, value in SINGLE_THREAD_BLAS.items():
        os.environ.setdefault(key, value)
    bindir = str(Path(sys.executable).parent)
    parts = os.environ.get("PATH", "").split(os.pathsep)
    if parts[0] != bindir:
        os.environ["PATH"] = os.pathsep.join([bindir] + [p for p in parts if p != bindir])


def assignments(source: Path = SOURCE) -> list[str]:
    """Track folders that hold at least one notebook, in order."""
    return sorted(p.name for p in source.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def notebook_assignments(source: Path = SOURCE) -> dict[str, tuple[str, str]]:
    """Single-notebook assignments (a weekly deadline): ``{name: (track, notebook file)}``.

    Every notebook can be released and graded on its own, as the assignment named after
    it (``01_numpy_basics``): students hand it in as
    ``SUBMISSIONS/<student>/01_numpy_basics/01_numpy_basics.ipynb``. A notebook name found
    in two tracks, or equal to a track's name, is not offered (it would be ambiguous).
    """
    tracks = assignments(source)
    found: dict[str, list[tuple[str, str]]] = {}
    for track in tracks:
        for nb in sorted((Path(source) / track).glob("*.ipynb")):
            found.setdefault(nb.stem, []).append((track, nb.name))
    return {name: places[0] for name, places in sorted(found.items()) if len(places) == 1 and name not in tracks}


def assignment_notebooks(source: Path, assignment: str) -> list[Path]:
    """The source notebooks of an assignment (a track, or one notebook); [] for an unknown name."""
    if assignment in assignments(source):
        return sorted((Path(source) / assignment).glob("*.ipynb"))
    single = notebook_assignments(source).get(assignment)
    return [Path(source) / single[0] / single[1]] if single else []


def _single_source(root: Path, source: Path, assignment: str) -> Path:
    """A source folder for nbgrader holding only ``assignment/<its one notebook>`` (a copy)."""
    import shutil

    single = notebook_assignments(source).get(assignment)
    if single is None:
        raise ReleaseError(f"no assignment named {assignment!r}: the tracks are {assignments(source)}, and each "
                           f"notebook they hold not named twice: {sorted(notebook_assignments(source))}")
    staged = Path(root).resolve() / "single-notebook-source"
    (staged / assignment).mkdir(parents=True, exist_ok=True)
    shutil.copyfile(Path(source) / single[0] / single[1], staged / assignment / single[1])
    return staged


def nbgrader_config(root: Path, source: Path = SOURCE, db_path: Path | None = None) -> Config:
    """The nbgrader configuration for a course rooted at ``root``.

    ``root`` holds release/, submitted/, autograded/ and feedback/; ``source`` is the
    folder of track folders (the repository's notebooks/ unless a test says otherwise).
    """
    from .preprocessors import HideHiddenTests, KeepStderrFromFailing, ResultsAreNotGrades
    from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
    from nbgrader.preprocessors import (
        AssignLatePenalties, CheckCellMetadata, Execute, GetGrades, IgnorePattern, LimitOutput, SaveAutoGrades,
    )

    root = Path(root).resolve()
    db_path = Path(db_path).resolve() if db_path else root / "gradebook.db"
    c = Config()
    c.CourseDirectory.root = str(root)
    c.CourseDirectory.source_directory = str(Path(source).resolve())
    c.CourseDirectory.db_url = f"sqlite:///{db_path}"
    c.CourseDirectory.course_id = "dl-course-kit"
    # notebooks only: nothing else in a track folder is part of an assignment
    c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "*.md"]
    c.Exchange.root = str(root / "exchange")
    c.Exchange.assignment_dir = str(root)
    c.Execute.timeout = CELL_TIMEOUT
    c.Execute.interrupt_on_timeout = True
    # nbgrader 0.9.6 zeroes any test cell that wrote to stderr, so a correct numpy answer
    # that triggers "RuntimeWarning: overflow in exp" lost its points. Keep that output,
    # visibly marked, but stop it deciding the grade.
    # A value a graded cell displays is not partial credit either (ResultsAreNotGrades).
    c.Autograde.autograde_preprocessors = [
        Execute, KeepStderrFromFailing, ResultsAreNotGrades, IgnorePattern, ClearMetadataPreprocessor, LimitOutput,
        SaveAutoGrades, AssignLatePenalties, CheckCellMetadata,
    ]
    # nbgrader 0.9.6 feedback shows the restored hidden tests (nbgrader issue 917), and
    # tracebacks quote their lines. Strip both before the HTML is written.
    c.GenerateFeedback.preprocessors = [HideHiddenTests, GetGrades, CSSHTMLHeaderPreprocessor]
    # Run All in JupyterLab goes on past a failed check, so an untouched release reaches the widgets
    # at the end: the release tags the cells where that is safe (preprocessors.ChecksDoNotStopRunAll).
    from .preprocessors import ChecksDoNotStopRunAll
    from nbgrader.converters import GenerateAssignment

    c.GenerateAssignment.preprocessors = list(GenerateAssignment.class_traits()["preprocessors"].default()) + [
        ChecksDoNotStopRunAll]
    # Kernels this configuration starts (`make check`, nbgrader validate) talk to us over encrypted
    # TCP, so ipykernel 7 does not print "Kernel is running over TCP without encryption" on every check.
    import zmq

    if zmq.has("curve"):
        c.KernelManager.transport_encryption = "auto"
    return c


class ReleaseError(RuntimeError):
    """nbgrader could not generate the student version of a track."""


def _api(root: Path, source: Path, db_path: Path | None = None):
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    prepare_environment()
    config = nbgrader_config(root, source, db_path)
    (root / "exchange").mkdir(parents=True, exist_ok=True)  # nbgrader's exchange must exist
    coursedir = CourseDirectory(config=config)
    return NbGraderAPI(coursedir=coursedir, config=config)


def build_release(root: Path = RELEASE_ROOT, source: Path = SOURCE, log=print,
                  db_path: Path | None = None, only: list[str] | None = None) -> Path:
    """Run nbgrader's generate_assignment for every track; return ``root/release``.

    ``only``: the assignments to build instead, tracks or single notebooks
    (:func:`notebook_assignments`); an unknown name raises :class:`ReleaseError`. Also records
    the assignments and their graded cells in the gradebook at ``db_path``.
    """
    api = _api(Path(root), Path(source), db_path)
    tracks = assignments(Path(source))
    for assignment in tracks if only is None else only:
        this = api if assignment in tracks else _api(Path(root), _single_source(root, Path(source), assignment), db_path)
        result = this.generate_assignment(assignment, force=True, create=True)
        if not result["success"]:
            raise ReleaseError(
                f"nbgrader could not generate the student version of {assignment}:\n"
                f"{result.get('error', '')}\n{result.get('log', '')}"
            )
        released = sorted((Path(root) / "release" / assignment).glob("*.ipynb"))
        for notebook in released:
            match_kernel_metadata(notebook)
        log(f"release: {assignment}: {len(released)} notebook(s)")
    return Path(root) / "release"


#: executables jupyter_client runs as its own interpreter (KernelManager.format_kernel_cmd)
_THIS_PYTHON = {"python", f"python{sys.version_info[0]}", "python{}.{}".format(*sys.version_info[:2]),
                sys.executable}


def kernel_metadata(name: str) -> dict:
    """The notebook metadata JupyterLab writes when it starts the kernel ``name``.

    JupyterLab sets ``kernelspec`` (name, display name, language) and ``language_info``
    (the kernel's reply, with the Python version) as soon as a notebook's kernel starts; a
    notebook that says anything else opens marked unsaved. ``kernelspec`` comes from the
    installed kernel spec; ``language_info`` from ipykernel when the spec runs this
    interpreter's ipykernel (the kit's kernel: jupyter_client runs "python" as the server's own
    interpreter, which is this one under make); otherwise it is left out, since only starting
    that kernel could tell. Raises jupyter_client's NoSuchKernel when ``name`` is not installed.
    """
    import json

    return json.loads(_kernel_metadata_json(name))


@functools.lru_cache(maxsize=None)
def _kernel_metadata_json(name: str) -> str:
    import json

    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec(name)
    meta = {"kernelspec": {"display_name": spec.display_name, "language": spec.language, "name": name}}
    if spec.argv and spec.argv[0] in _THIS_PYTHON and "ipykernel_launcher" in spec.argv:
        from ipykernel.ipkernel import IPythonKernel

        meta["language_info"] = IPythonKernel.language_info
    return json.dumps(meta)


def match_kernel_metadata(notebook: Path) -> None:
    """Give a released notebook the kernel metadata JupyterLab would write on opening it
    (:func:`kernel_metadata` of its kernel, ``python3`` when it names none), so it opens
    clean, not marked unsaved. Only the notebook's ``kernelspec`` and ``language_info`` change;
    the file is rewritten only if they differ.
    """
    import json

    notebook = Path(notebook)
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    name = nb.get("metadata", {}).get("kernelspec", {}).get("name") or "python3"
    wanted = kernel_metadata(name)
    if all(nb["metadata"].get(key) == value for key, value in wanted.items()):
        return
    nb["metadata"].update(wanted)
    notebook.write_text(json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
