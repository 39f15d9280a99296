"""Trusted side, before execution: what exactly runs for one submitted notebook.

A *template* is built once per notebook from the release (what students received) and
the instructor's source (which has the hidden tests). A submission is then *assembled*
from the template, taking from the student only what is theirs to write:

- **solution cells** (matched by nbgrader ``grade_id``): the student's code;
- **ordinary cells** without nbgrader metadata: kept, in place, and run;
- **locked and graded cells**: always the template's text, never the student's copy.
  A student's copy that differs from the release is reported as tampering and its
  graded cell scores 0; a graded cell that is missing (deleted, or its metadata stripped)
  scores 0 too; only those cells are affected.

Missing locked cells (e.g. the setup cell) and missing solution cells are put back at
their place (a solution cell as the release's stub), so later cells still run.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field

from ..preprocessors import BEGIN_HIDDEN, END_HIDDEN

#: student-authored code mentioning these is flagged for review
_REFERENCE_USE = re.compile(r"course_utils|__import__|importlib")


def cell_text(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _norm(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def _nbgrader(cell: dict) -> dict:
    md = cell.get("metadata")
    md = md.get("nbgrader") if isinstance(md, dict) else None
    return md if isinstance(md, dict) else {}


def split_hidden(source: str) -> tuple[str, str | None]:
    """(visible part, hidden part or None) of a graded cell's source."""
    if BEGIN_HIDDEN not in source:
        return source, None
    visible, hidden, inside = [], [], False
    for line in source.splitlines():
        s = line.strip()
        if s.startswith(BEGIN_HIDDEN):
            inside = True
        elif s.startswith(END_HIDDEN):
            inside = False
        elif inside:
            hidden.append(line)
        else:
            visible.append(line)
    return "\n".join(visible), "\n".join(hidden)


@dataclass
class TemplateCell:
    kind: str                 # "solution" | "grade" | "locked" | "plain"
    cell_type: str
    grade_id: str | None
    release_source: str       # what the student received
    grading_source: str       # what runs while grading (graded cells: with hidden tests)
    points: float = 0.0
    nbgrader: dict = field(default_factory=dict)


@dataclass
class Template:
    notebook: str             # file name, e.g. "01_numpy_basics.ipynb"
    cells: list[TemplateCell]
    nb_metadata: dict
    #: trusted code for the replay: the source notebook's non-solution code cells, in order
    replay_cells: list[dict]

    @property
    def grade_cells(self) -> list[TemplateCell]:
        return [c for c in self.cells if c.kind == "grade"]

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Template":
        return cls(d["notebook"], [TemplateCell(**c) for c in d["cells"]], d["nb_metadata"], d["replay_cells"])


def build_template(name: str, release_nb: dict, source_nb: dict) -> Template:
    """The template of one notebook from its release and source versions (dicts)."""
    source_by_id = {}
    replay_cells = []
    for cell in source_nb.get("cells", []):
        md = _nbgrader(cell)
        if md.get("grade_id"):
            source_by_id[md["grade_id"]] = cell_text(cell)
        if cell.get("cell_type") == "code" and not md.get("solution"):
            visible, hidden = split_hidden(cell_text(cell))
            replay_cells.append({"grade_id": md.get("grade_id") if md.get("grade") else None,
                                 "visible": visible, "hidden": hidden})
    cells = []
    for cell in release_nb.get("cells", []):
        md = _nbgrader(cell)
        text = cell_text(cell)
        gid = md.get("grade_id")
        if md.get("solution") and gid:
            kind = "solution"
        elif md.get("grade") and gid:
            kind = "grade"
        elif md.get("locked") and gid:
            kind = "locked"
        else:
            kind = "plain"
        grading = source_by_id.get(gid, text) if kind == "grade" else text
        cells.append(TemplateCell(kind, cell.get("cell_type", "code"), gid, text, grading,
                                  float(md.get("points") or 0.0), dict(md)))
    return Template(name, cells, release_nb.get("metadata", {}), replay_cells)


@dataclass
class Assembled:
    cells: list[dict]                       # notebook cells to run, in order
    #: grade_id -> why that graded cell scores 0 whatever happens
    zeroed: dict[str, str] = field(default_factory=dict)
    issues: list[str] = field(default_factory=list)   # reported, not scored
    flags: list[str] = field(default_factory=list)    # for an instructor to review


def _new_cell(cell_type: str, source: str, nbgrader_md: dict | None) -> dict:
    cell = {"cell_type": cell_type, "metadata": {}, "source": source}
    if nbgrader_md:
        cell["metadata"]["nbgrader"] = dict(nbgrader_md)
    if cell_type == "code":
        cell["outputs"], cell["execution_count"] = [], None
    return cell


def assemble(template: Template, student_nb: dict) -> Assembled:
    """The notebook that runs for this student, and what was wrong with their copy."""
    by_id = {c.grade_id: (i, c) for i, c in enumerate(template.cells) if c.grade_id}
    plain_release = {_norm(c.release_source) for c in template.cells if c.kind == "plain"}
    out: list[tuple[int | None, dict]] = []   # (template index or None, cell)
    seen: set[str] = set()
    result = Assembled([])
    for n, cell in enumerate(student_nb.get("cells", [])):
        if not isinstance(cell, dict):
            continue
        ctype = cell.get("cell_type") if cell.get("cell_type") in ("code", "markdown", "raw") else "raw"
        text = cell_text(cell)
        gid = _nbgrader(cell).get("grade_id")
        match = by_id.get(gid) if isinstance(gid, str) else None
        if gid and (match is None or gid in seen):
            why = "is a copy of another cell" if gid in seen else "does not belong to this notebook"
            result.issues.append(f"cell {n + 1} carries nbgrader id {str(gid)[:60]!r}, which {why}; "
                                 "it runs as an ordinary cell")
            match = None
        if match is None:
            out.append((None, _new_cell(ctype, text, None)))
            if ctype == "code" and _REFERENCE_USE.search(text) and _norm(text) not in plain_release:
                result.flags.append(f"cell {n + 1} (your own code) uses {_REFERENCE_USE.search(text).group(0)}: "
                                    "check that the graded answers are the student's own work")
            continue
        i, tc = match
        seen.add(gid)
        if tc.kind == "solution":
            out.append((i, _new_cell(tc.cell_type, text, tc.nbgrader)))
            if _REFERENCE_USE.search(text):
                result.flags.append(f"solution cell {gid} uses {_REFERENCE_USE.search(text).group(0)}: "
                                    "the answer may come from the course's reference implementation")
            continue
        # locked or graded: the template's text runs, whatever the copy says
        if ctype != tc.cell_type or _norm(text) != _norm(tc.release_source) or _tampered_md(cell, tc):
            what = f"{'test' if tc.kind == 'grade' else 'locked'} cell {gid} was modified"
            if tc.kind == "grade":
                result.zeroed[gid] = f"{what}; scored 0"
            else:
                result.issues.append(f"{what}; the original was used")
        out.append((i, _new_cell(tc.cell_type, tc.grading_source, tc.nbgrader)))
    for i, tc in enumerate(template.cells):
        if tc.kind == "plain" or tc.grade_id in seen:
            continue
        if tc.kind == "grade":
            result.zeroed[tc.grade_id] = f"test cell {tc.grade_id} was deleted or its nbgrader metadata removed; scored 0"
            continue
        if tc.kind == "solution":
            result.issues.append(f"solution cell {tc.grade_id} is missing (deleted, or its nbgrader metadata "
                                 "removed): the release's empty version was used")
        else:
            result.issues.append(f"locked cell {tc.grade_id} is missing: the original was put back")
        pos = len(out)
        for k, (ti, _) in enumerate(out):
            if ti is not None and ti > i:
                pos = k
                break
        out.insert(pos, (i, _new_cell(tc.cell_type, tc.grading_source if tc.kind != "solution" else tc.release_source,
                                      tc.nbgrader)))
    result.cells = [c for _, c in out]
    return result


def _tampered_md(cell: dict, tc: TemplateCell) -> bool:
    md = _nbgrader(cell)
    if tc.kind == "grade":
        try:
            if float(md.get("points") or 0) != tc.points:
                return True
        except (TypeError, ValueError):
            return True
    return bool(md.get("locked")) != bool(tc.nbgrader.get("locked")) or bool(md.get("grade")) != bool(tc.nbgrader.get("grade"))


def solved_submission(release_nb: dict, source_nb: dict) -> dict:
    """What an honest student hands in: the release, each solution stub replaced by the
    source's solution (without the solution markers); every other cell exactly as released.

    Used to check the grader end to end (tests, benchmark): it must give full marks.
    """
    import copy

    nb = copy.deepcopy(release_nb)
    answers = {_nbgrader(c).get("grade_id"): cell_text(c) for c in source_nb.get("cells", [])
               if _nbgrader(c).get("solution")}
    for cell in nb.get("cells", []):
        md = _nbgrader(cell)
        if md.get("solution") and md.get("grade_id") in answers:
            cell["source"] = "\n".join(ln for ln in answers[md["grade_id"]].splitlines()
                                       if ln.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION"))
    return nb


def notebook_json(cells: list[dict], metadata: dict) -> str:
    return json.dumps({"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 4})
