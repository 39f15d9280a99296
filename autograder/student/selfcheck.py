"""A student checks a whole notebook: nbgrader's validator with the kit's fixes.

It runs the notebook top to bottom in a fresh kernel (the student's own file is not
modified) and reports each graded cell's *visible* check: the student version has no
hidden tests, so passing here means the visible checks pass, not full marks.
"""

from __future__ import annotations

import io
from pathlib import Path

from nbgrader.preprocessors import CheckCellMetadata, ClearOutput, Execute
from nbgrader.validator import Validator

from .. import course
from ..preprocessors import KeepStderrFromFailing, ResultsAreNotGrades


class CourseValidator(Validator):
    """nbgrader's Validator; warnings printed by a correct answer do not fail a cell, and a value a
    graded cell displays is not read as partial credit."""

    preprocessors = [CheckCellMetadata, ClearOutput, Execute, KeepStderrFromFailing, ResultsAreNotGrades]


def validate(path: Path, invert: bool = False) -> dict:
    """nbgrader-style validation results: keys among type_changed, changed, passed, failed."""
    path = Path(path).resolve()
    course.prepare_environment()
    config = course.nbgrader_config(course.RELEASE_ROOT)
    v = CourseValidator(config=config, invert=invert)
    v.stream = io.StringIO()
    return v.validate(str(path))


def check(path: Path, out=print) -> bool:
    """Print a readable report for one notebook; return True when every check passes."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no notebook at {path}")
    out(f"Checking {path} (this runs the whole notebook) ...")
    results = validate(path)
    if results.get("type_changed"):
        out("Some graded cells changed type (e.g. code to markdown); restore them from the release:")
        for c in results["type_changed"]:
            out("  " + c["source"].splitlines()[0][:80] if c["source"] else "  (empty cell)")
        return False
    if results.get("changed"):
        out(f"{len(results['changed'])} locked test cell(s) were edited; they are restored when graded, so "
            "your edits there do not count. Restore them from the release to check honestly:")
        for c in results["changed"]:
            out("  " + (c["source"].splitlines() or ["(empty)"])[0][:100])
        return False
    failed = results.get("failed", [])
    if not failed:
        out("All visible checks pass. The instructor's hidden tests will also try other inputs.")
        return True
    out(f"{len(failed)} check(s) fail:")
    for c in failed:
        first = (c["source"].splitlines() or [""])[0].strip().strip('"')
        err = [ln for ln in c.get("raw_error", "").strip().splitlines() if ln.strip()]
        out(f"- {first}")
        for ln in err[-4:]:
            out(f"    {ln}")
    return False
