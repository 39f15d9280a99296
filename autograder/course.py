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
#: the student's working copies; never overwritten by any command
STUDENT_DIR = Path(os.environ.get("COURSE_STUDENT_DIR", REPO / "student"))

#: seconds one cell may run while grading before nbgrader interrupts it
CELL_TIMEOUT = int(os.environ.get("COURSE_CELL_TIMEOUT", "120"))


#: one BLAS thread per kernel: the course's matrices are small, and on a shared 2-core
#: machine a multi-threaded OpenBLAS was measured 10-40x slower on them (threads wait on
#: each other); grading runs several kernels side by side anyway
SINGLE_THREAD_BLAS = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


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
                  db_path: Path | None = None) -> Path:
    """Run nbgrader's generate_assignment for every track; return ``root/release``.

    Also records the assignments and their graded cells in the gradebook at ``db_path``.
    """
    api = _api(Path(root), Path(source), db_path)
    for assignment in assignments(Path(source)):
        result = api.generate_assignment(assignment, force=True, create=True)
        if not result["success"]:
            raise ReleaseError(
                f"nbgrader could not generate the student version of {assignment}:\n"
                f"{result.get('error', '')}\n{result.get('log', '')}"
            )
        n = len(list((Path(root) / "release" / assignment).glob("*.ipynb")))
        log(f"release: {assignment}: {n} notebook(s)")
    return Path(root) / "release"
