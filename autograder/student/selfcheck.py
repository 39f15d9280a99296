"""A student checks a whole notebook: nbgrader's validator with the kit's fixes.

It runs the notebook top to bottom in a fresh kernel (the student's own file is not
modified) and reports each graded cell's *visible* check: the student version has no
hidden tests, so passing here means the visible checks pass, not full marks.
"""

from __future__ import annotations

import io
import json
import re
import tempfile
from pathlib import Path

import nbformat
from nbgrader import utils as nbgrader_utils
from nbgrader.preprocessors import CheckCellMetadata, ClearOutput, Execute
from nbgrader.validator import Validator

from .. import course
from ..preprocessors import KeepStderrFromFailing, ResultsAreNotGrades, strip_ansi


class CourseValidator(Validator):
    """nbgrader's Validator; warnings printed by a correct answer do not fail a cell, and a value a
    graded cell displays is not read as partial credit. A failed cell's error is reported as its
    message and where the student's code raised it (:func:`failure_lines`), not as a traceback."""

    preprocessors = [CheckCellMetadata, ClearOutput, Execute, KeepStderrFromFailing, ResultsAreNotGrades]

    def _extract_error(self, cell) -> str:
        lines = failure_lines(cell.get("outputs", [])) if cell.cell_type == "code" else []
        return "\n".join(lines) if lines else super()._extract_error(cell)

    #: the folder the notebook runs in (its own, though the validator reads a normalised copy)
    run_in: Path | None = None

    def _preprocess(self, nb):
        if self.run_in is None:
            return super()._preprocess(nb)
        with nbgrader_utils.chdir(str(self.run_in)):
            return super()._preprocess(nb)


#: a traceback frame of a notebook cell (IPython: "Cell In[5], line 3, in L2(yhat, y)") and its arrow line
_CELL_FRAME = re.compile(r"^Cell In\[\d+\], line (\d+), in (\w+)")
_ARROW = re.compile(r"^-+>\s*(\d+)\s?(.*)$")


def failure_lines(outputs: list) -> list[str]:
    """What went wrong in a cell, from its error outputs: the exception's message (its type first,
    except for a failed check and an unimplemented stub, whose messages say it all), then, if the student's
    own function raised it, where (``raised in L2, line 3: return np.dot(d, d.T)``).

    No traceback, no library source and no ANSI colour codes. Arguments: outputs -- a cell's
    outputs (nbformat dicts). Returns: a list of lines, empty if no output is an error.
    """
    lines: list[str] = []
    for out in outputs:
        if out.get("output_type") != "error":
            continue
        ename, evalue = str(out.get("ename", "Error")), strip_ansi(str(out.get("evalue", "")))
        says_it_all = ename == "CheckFailed" or ename == "NotImplementedError" and "not implemented yet" in evalue
        message = evalue if says_it_all and evalue else f"{ename}: {evalue}".rstrip(": ")
        lines += message.splitlines() or [ename]
        where = None
        for entry in out.get("traceback", []):
            plain = strip_ansi(str(entry)).strip("\n").splitlines()
            frame = _CELL_FRAME.match(plain[0]) if plain else None
            if frame is None or frame.group(2) == "module":
                continue
            arrow = next((_ARROW.match(ln) for ln in plain[1:] if _ARROW.match(ln)), None)
            code = f": {arrow.group(2).strip()}" if arrow else ""
            where = f"raised in {frame.group(2)}, line {frame.group(1)}{code}"
        if where:
            lines.append(where)
    return lines


#: the kernel every check runs in: the kit's own Python, whatever kernel the notebook names
KERNEL = "python3"


class UnreadableNotebook(ValueError):
    """A file that cannot be checked as a notebook; the message says why, in one line."""


def read_notebook(path: Path):
    """The notebook at ``path`` as editors write it: a byte-order mark, CRLF line endings, any
    nbformat 4 minor version, VS Code's or Colab's metadata, widget state. Raises
    :class:`UnreadableNotebook` (one line: why) for a file that is not a version-4 notebook."""
    try:
        text = course.notebook_text(Path(path).read_bytes())
        nb = json.loads(text)
    except UnicodeDecodeError as exc:
        raise UnreadableNotebook(f"it is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except ValueError as exc:
        raise UnreadableNotebook(f"it is not a notebook (invalid JSON: {str(exc)[:200]})") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list) or nb.get("nbformat") != 4:
        raise UnreadableNotebook("it is not a version-4 notebook: open it in JupyterLab and save it again")
    return nbformat.reads(json.dumps(course.normalise_line_endings(nb)), as_version=4)


def validate(path: Path, invert: bool = False) -> dict:
    """nbgrader-style validation results: keys among type_changed, changed, passed, failed.

    The notebook runs in its own folder, in the kit's kernel (:data:`KERNEL`) whatever kernel
    it names. Raises :class:`UnreadableNotebook` when the file is not a version-4 notebook.
    """
    path = Path(path).resolve()
    nb = read_notebook(path)
    nb.metadata["kernelspec"] = {"name": KERNEL, "display_name": "Python 3", "language": "python"}
    course.prepare_environment()
    config = course.nbgrader_config(course.RELEASE_ROOT)
    config.Execute.kernel_name = KERNEL
    v = CourseValidator(config=config, invert=invert)
    v.stream = io.StringIO()
    v.run_in = path.parent  # relative paths and helper files as in the student's own folder
    with tempfile.TemporaryDirectory(prefix="check-") as tmp:
        copy = Path(tmp) / path.name  # the normalised copy nbgrader's validator reads
        copy.write_text(nbformat.writes(nb), encoding="utf-8")
        return v.validate(str(copy))


def check(path: Path, out=print) -> bool:
    """Print a readable report for one notebook; return True when every check passes."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no notebook at {path}")
    out(f"Checking {path} (this runs the whole notebook) ...")
    try:
        results = validate(path)
    except UnreadableNotebook as exc:
        out(f"{path} cannot be checked: {exc}")
        return False
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
        out("")
        for line in failure_block(c["source"], c.get("raw_error", "")):
            out(line)
    return False


#: lines of one failed cell's message that `make check` prints; the rest is cut
MAX_BLOCK_LINES = 12


def failure_block(source: str, error: str) -> list[str]:
    """The lines `make check` prints for one failed cell: ``- <function>: <the problem>`` and the rest
    of the message, indented. The function is named as the cell's docstring names it ("L2: the
    example above ..."), else by the cell's first line. Arguments: source -- the cell's source;
    error -- what :func:`failure_lines` found (or nbgrader's own text). Returns: a list of str."""
    first = (source.strip().splitlines() or [""])[0].strip().strip('"').strip("'").strip()
    label = first.split(":", 1)[0] if re.match(r"^\w+:", first) else first[:60]
    message = [ln.rstrip() for ln in strip_ansi(error).strip().splitlines() if ln.strip()] or ["(no message)"]
    block = [f"- {label}: {message[0]}"] + [f"    {ln.strip()}" for ln in message[1:]]
    if len(block) > MAX_BLOCK_LINES:
        block = block[:MAX_BLOCK_LINES] + [f"    ... ({len(block) - MAX_BLOCK_LINES} more lines)"]
    return block
