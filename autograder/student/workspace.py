"""Build the student release with nbgrader, and copy it into the student's folder
without ever overwriting a notebook that is already there."""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from . import course

STATE_FILE = ".release-state.json"


def _api(root: Path, source: Path, db_path: Path | None = None):
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    course.prepare_environment()
    config = course.nbgrader_config(root, source, db_path)
    (root / "exchange").mkdir(parents=True, exist_ok=True)  # nbgrader's exchange must exist
    coursedir = CourseDirectory(config=config)
    return NbGraderAPI(coursedir=coursedir, config=config)


class ReleaseError(RuntimeError):
    pass


def build_release(root: Path = course.RELEASE_ROOT, source: Path = course.SOURCE, log=print,
                  db_path: Path | None = None) -> Path:
    """Run nbgrader's generate_assignment for every track; return ``root/release``.

    Also records the assignments and their graded cells in the gradebook at ``db_path``.
    """
    api = _api(Path(root), Path(source), db_path)
    for assignment in course.assignments(Path(source)):
        result = api.generate_assignment(assignment, force=True, create=True)
        if not result["success"]:
            raise ReleaseError(
                f"nbgrader could not generate the student version of {assignment}:\n"
                f"{result.get('error', '')}\n{result.get('log', '')}"
            )
        n = len(list((Path(root) / "release" / assignment).glob("*.ipynb")))
        log(f"release: {assignment}: {n} notebook(s)")
    return Path(root) / "release"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept_changed_upstream: list[str] = field(default_factory=list)

    def lines(self, release: Path, student: Path) -> list[str]:
        out = [f"student: {len(self.added)} new notebook(s), {len(self.unchanged)} up to date, "
               f"{len(self.kept_changed_upstream)} differing from the release (your copy kept) in {student}"]
        out += [f"  new: {p}" for p in self.added]
        for p in self.kept_changed_upstream:
            out.append(f"  the release changed; your copy is kept: {student / p}\n"
                       f"      the new version is {release / p}; to take it, move your copy away and run make lab again")
        return out


def sync_student(release: Path, student: Path) -> SyncReport:
    """Copy released notebooks into ``student`` that are not there yet; never overwrite.

    ``student/.release-state.json`` remembers the hash of the released version each copy
    was made from, so a later release that changed a notebook is reported.
    """
    release, student = Path(release), Path(student)
    student.mkdir(parents=True, exist_ok=True)
    state_path = student / STATE_FILE
    state = json.loads(state_path.read_text()) if state_path.exists() else {}
    report = SyncReport()
    for src in sorted(release.rglob("*.ipynb")):
        if ".ipynb_checkpoints" in src.parts:
            continue
        rel = src.relative_to(release).as_posix()
        dest = student / rel
        digest = _sha(src)
        if not dest.exists():
            dest.parent.mkdir(parents=True, exist_ok=True)
            tmp = dest.with_name(dest.name + ".partial")
            shutil.copyfile(src, tmp)
            tmp.replace(dest)  # never leaves a half-copied notebook under the real name
            state[rel] = digest
            report.added.append(rel)
        elif state.get(rel) == digest or _sha(dest) == digest:
            state[rel] = digest
            report.unchanged.append(rel)
        else:
            report.kept_changed_upstream.append(rel)
    state_path.write_text(json.dumps(state, indent=1, sort_keys=True) + "\n")
    return report
