"""Every file under SUBMISSIONS, and what grading does with it: graded, used, or named with a reason.

nbgrader's layout is ``SUBMISSIONS/<student>/<assignment>/<notebook>.ipynb``. Students hand
in other layouts too, and nothing they hand in may be dropped without a word:

- a notebook **where its assignment is unambiguous** is graded, and the row says where it
  was found: one folder deeper (a zip extracted into its own folder,
  ``s/1_neural_networks/1_neural_networks/01_numpy_basics.ipynb``), at the student's top
  level (``s/01_numpy_basics.ipynb``), in another folder. The assignment is the one folder
  on its path that is an assignment holding a notebook of that name; else the only
  assignment of this class (the assignment folders under SUBMISSIONS) with such a notebook;
  else the only one of the course. Two copies of one notebook where neither is in the
  assignment's folder are both named and neither is graded: which one counts is the
  student's choice, not the grader's;
- **helper files** (any other file in the folder of a graded notebook, or below it) are
  copied beside the notebooks while they run, as nbgrader does, and named as such;
- everything else is **named with the reason** it is not graded: notebooks of no
  assignment, a second copy, files outside a student's folder, symbolic links, hidden files
  and folders, Jupyter's checkpoints, the metadata macOS and Windows add to zips.

The result is one :class:`Entry` per file (or per skipped folder) and one
:class:`Submission` per student and assignment to grade.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

#: helper files copied beside one submission's notebooks: at most this many, this large in all
MAX_HELPER_FILES = 100
MAX_HELPER_BYTES = 20 * 1024 * 1024

_JUNK_DIRS = {
    ".ipynb_checkpoints": "Jupyter's automatic checkpoint copies",
    "__MACOSX": "metadata macOS adds to a zip",
    "__pycache__": "Python's compiled-code cache",
}
_JUNK_FILES = {".DS_Store": "metadata macOS adds to a folder", "Thumbs.db": "metadata Windows adds to a folder",
               "desktop.ini": "metadata Windows adds to a folder"}

GRADED, HELPER, IGNORED = "graded", "helper", "ignored"


@dataclass
class Entry:
    """One file (or one skipped folder, with how many files it holds) and what became of it."""

    path: str                # relative to SUBMISSIONS, with "/"; a folder ends with "/"
    student: str             # "" outside any student's folder
    status: str              # graded | helper | ignored
    reason: str = ""
    assignment: str = ""
    notebook: str = ""

    def as_row(self) -> dict:
        return asdict(self)


@dataclass
class Submission:
    """What one student hands in for one assignment, as the grader will read it."""

    student: str
    assignment: str
    notebooks: dict[str, Path] = field(default_factory=dict)   # notebook file name -> file to read
    helpers: dict[str, Path] = field(default_factory=dict)     # path beside the notebooks -> file
    notes: dict[str, list[str]] = field(default_factory=dict)  # notebook -> where it was found, etc.


def _junk(name: str, is_dir: bool) -> str | None:
    table = _JUNK_DIRS if is_dir else _JUNK_FILES
    if name in table:
        return table[name]
    if name.startswith("._"):
        return "metadata macOS adds to a zip (an AppleDouble file)"
    if name.startswith("."):
        return f"a hidden {'folder' if is_dir else 'file'}"
    return None


def _count_files(folder: Path) -> int:
    return sum(len(files) for _, _, files in os.walk(folder))


def _rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def survey(submissions: Path, catalogue: dict[str, list[str]]) -> tuple[list[Submission], list[Entry]]:
    """The submissions to grade and one entry per file under ``submissions``, both sorted.

    ``catalogue`` maps each assignment the course offers to its notebook file names.
    """
    submissions = Path(submissions)
    entries: list[Entry] = []
    subs: dict[tuple[str, str], Submission] = {}
    students = []
    for top in sorted(submissions.iterdir()):
        rel = _rel(top, submissions)
        if top.is_symlink():
            entries.append(Entry(rel, "", IGNORED, "is a symbolic link; links are not followed"))
        elif top.is_dir() and _junk(top.name, True):
            entries.append(Entry(rel + "/", "", IGNORED, f"{_junk(top.name, True)}: its {_count_files(top)} "
                                 "file(s) are not read"))
        elif top.is_dir():
            students.append(top)
        else:
            entries.append(Entry(rel, "", IGNORED, "is not inside a student's folder (expected "
                                 "SUBMISSIONS/<student>/<assignment>/<notebook>.ipynb)"))
    # the assignments this class hands in: a folder named after one, in any student's folder
    in_class = {d.name for s in students for d in s.iterdir() if d.is_dir() and d.name in catalogue}
    for sdir in students:
        _survey_student(sdir, submissions, catalogue, in_class, subs, entries)
    return [subs[k] for k in sorted(subs)], sorted(entries, key=lambda e: (e.student, e.path))


def _survey_student(sdir: Path, root: Path, catalogue: dict[str, list[str]], in_class: set[str],
                    subs: dict[tuple[str, str], Submission], entries: list[Entry]) -> None:
    student = sdir.name
    notebooks: list[Path] = []
    others: list[Path] = []
    for folder, dirs, files in os.walk(sdir):
        here = Path(folder)
        for d in sorted(dirs):
            p = here / d
            why = "is a symbolic link; links are not followed" if p.is_symlink() else None
            if why is None and _junk(d, True):
                why = f"{_junk(d, True)}: its {_count_files(p)} file(s) are not read"
            if why:
                dirs.remove(d)
                entries.append(Entry(_rel(p, root) + "/", student, IGNORED, why))
        dirs.sort()
        for f in sorted(files):
            p = here / f
            if p.is_symlink() or not p.is_file():
                entries.append(Entry(_rel(p, root), student, IGNORED,
                                     "is a symbolic link; links are not followed" if p.is_symlink()
                                     else "is not a regular file"))
            elif _junk(f, False):
                entries.append(Entry(_rel(p, root), student, IGNORED, f"{_junk(f, False)}; not graded"))
            elif p.suffix.lower() == ".ipynb":
                notebooks.append(p)
            else:
                others.append(p)
    # every assignment folder the student has is a submission, even an empty one
    for d in sorted(sdir.iterdir()):
        if d.is_dir() and not d.is_symlink() and d.name in catalogue:
            subs.setdefault((student, d.name), Submission(student, d.name))

    def sub(assignment: str) -> Submission:
        return subs.setdefault((student, assignment), Submission(student, assignment))

    # notebooks: exactly in place, or one unambiguous place for one assignment
    direct: dict[tuple[str, str], Path] = {}
    found: dict[tuple[str, str], list[Path]] = {}
    for p in notebooks:
        parts = p.relative_to(sdir).parts
        if len(parts) == 2 and parts[0] in catalogue and parts[1] in catalogue[parts[0]]:
            direct[(parts[0], parts[1])] = p
            continue
        owners = [a for a in sorted(catalogue) if p.name in catalogue[a]]
        on_path = [a for a in owners if a in parts[:-1]]
        of_class = [a for a in owners if a in in_class]
        choice = on_path or of_class or owners
        rel = _rel(p, root)
        if not owners:
            where = f" of {parts[0]}" if len(parts) == 2 and parts[0] in catalogue else " of any assignment"
            entries.append(Entry(rel, student, IGNORED, f"is not a notebook{where} (no assignment has a notebook "
                                 f"named {p.name}); not graded"))
        elif len(choice) > 1:
            entries.append(Entry(rel, student, IGNORED, f"{p.name} is a notebook of {len(choice)} assignments "
                                 f"({', '.join(choice)}): put it in the folder of the one it is for; not graded"))
        else:
            found.setdefault((choice[0], p.name), []).append(p)
    helper_roots: dict[Path, set[str]] = {}
    for (assignment, name), p in sorted(direct.items()):
        sub(assignment).notebooks[name] = p
        entries.append(Entry(_rel(p, root), student, GRADED, "", assignment, name))
        helper_roots.setdefault(p.parent, set()).add(assignment)
        for q in found.pop((assignment, name), []):
            entries.append(Entry(_rel(q, root), student, IGNORED, f"another copy of {assignment}/{name}, which was "
                                 "graded instead", assignment, name))
    for (assignment, name), paths in sorted(found.items()):
        expected = f"{student}/{assignment}/{name}"
        if len(paths) == 1:
            p = paths[0]
            where = _rel(p, root)
            s = sub(assignment)
            s.notebooks[name] = p
            s.notes.setdefault(name, []).append(f"was not at {expected}: graded the copy found at {where}")
            entries.append(Entry(where, student, GRADED, f"graded as {assignment}/{name} (expected at {expected})",
                                 assignment, name))
            helper_roots.setdefault(p.parent, set()).add(assignment)
        else:
            listed = ", ".join(_rel(p, root) for p in paths)
            sub(assignment).notes.setdefault(name, []).append(
                f"{len(paths)} copies were handed in ({listed}) and none at {expected}: none was graded; "
                f"hand in one, at {expected}")
            for p in paths:
                entries.append(Entry(_rel(p, root), student, IGNORED, f"one of {len(paths)} copies of "
                                     f"{assignment}/{name}, none at {expected}: which one counts is unclear; "
                                     "not graded", assignment, name))
    # other files: helpers of the graded notebooks in their folder (or above them), else named
    budget: dict[str, list[int]] = {}
    for p in others:
        rel = _rel(p, root)
        homes = [r for r in helper_roots if p.is_relative_to(r)]
        if not homes:
            entries.append(Entry(rel, student, IGNORED, "is not a notebook and not beside a graded notebook; "
                                 "only notebooks are graded"))
            continue
        home = max(homes, key=lambda r: len(r.parts))
        size = p.stat().st_size
        took, full = [], []
        for assignment in sorted(helper_roots[home]):
            used = budget.setdefault(assignment, [0, 0])
            if used[0] >= MAX_HELPER_FILES or used[1] + size > MAX_HELPER_BYTES:
                full.append(assignment)
                continue
            used[0], used[1] = used[0] + 1, used[1] + size
            sub(assignment).helpers[p.relative_to(home).as_posix()] = p
            took.append(assignment)
        if took:
            entries.append(Entry(rel, student, HELPER, "copied beside the notebooks while they run; not graded "
                                 "itself", ", ".join(took)))
        else:
            entries.append(Entry(rel, student, IGNORED, f"beside the notebooks of {', '.join(full)}, but over the "
                                 f"limit of {MAX_HELPER_FILES} helper files and {MAX_HELPER_BYTES // 2**20} MiB; "
                                 "not copied", ", ".join(full)))
