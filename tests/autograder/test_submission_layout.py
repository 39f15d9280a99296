"""Where students put their files, and single-notebook assignments (issue 11, points 9 and 12).

Point 9: every file under SUBMISSIONS is graded, used as a helper, or named with the reason
(``autograder/engine/inventory.py``); a notebook whose assignment is unambiguous is graded
wherever it is, and said so. Point 12: one notebook released and graded as an assignment of
its own. No notebook runs here, except in the release command's test (nbgrader, one notebook);
the graded end of both points is in test_grading.py (gina, hank, frank).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import course
from autograder.engine import grade as grade_module
from autograder.engine import inventory
from autograder.engine.inventory import survey
from helpers import SOURCE, read

T1, T2 = "1_neural_networks", "2_improving_deep_networks"
CATALOGUE = {T1: ["01_numpy_basics.ipynb", "02_logistic_regression.ipynb"],
             T2: ["01_initialization.ipynb", "04_optimization.ipynb"]}
NB = "{}"


def _tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def _entries(entries) -> dict[str, tuple[str, str, str, str, str]]:
    return {e.path: (e.student, e.status, e.reason, e.assignment, e.notebook) for e in entries}


def test_every_file_is_graded_used_or_named(tmp_path):
    subs = _tree(tmp_path / "subs", {
        f"ann/{T1}/01_numpy_basics.ipynb": NB,                     # in place
        f"ann/{T1}/utils.py": "x = 1",                              # helper beside it
        f"ann/{T1}/data/points.csv": "1,2",                         # helper below it
        f"ann/{T1}/.ipynb_checkpoints/01_numpy_basics-checkpoint.ipynb": NB,
        f"ann/{T1}/.DS_Store": "",
        f"ann/{T1}/__pycache__/utils.cpython-311.pyc": "",
        f"ann/{T1}/{T1}/01_numpy_basics.ipynb": NB,                 # a second copy, one deeper
        f"ann/{T1}/scratch.ipynb": NB,                              # a notebook of no assignment
        f"ann/{T1}/01_initialization.ipynb": NB,                    # Track 2's, in Track 1's folder
        "ann/report.pdf": "%PDF",                                   # not beside any graded notebook
        f"ben/{T1}/{T1}/02_logistic_regression.ipynb": NB,          # a zip extracted into its own folder
        f"ben/{T1}/{T1}/helper.py": "y = 2",
        "cat/02_logistic_regression.ipynb": NB,                     # at the top of the student's folder
        "cat/.hidden": "",
        f"cat/__MACOSX/{T1}/._02_logistic_regression.ipynb": "\x00",
        f"dan/copy1/{T1}/01_numpy_basics.ipynb": NB,                # two copies, none in place
        f"dan/copy2/{T1}/01_numpy_basics.ipynb": NB,
        f"eve/{T2}/notes.md": "",                                   # an assignment folder without a notebook
        "roster.csv": "ann,ben",
        "__MACOSX/._roster.csv": "",
    })
    (subs / "ann" / T1 / "link.ipynb").symlink_to(subs / "ann" / T1 / "01_numpy_basics.ipynb")
    (subs / "fay").symlink_to(subs / "ann")
    subs_list, entries = survey(subs, CATALOGUE)
    ignored = "is not a notebook and not beside a graded notebook; only notebooks are graded"
    helper = "copied beside the notebooks while they run; not graded itself"
    link = "is a symbolic link; links are not followed"
    assert _entries(entries) == {
        "__MACOSX/": ("", "ignored", "metadata macOS adds to a zip: its 1 file(s) are not read", "", ""),
        "fay": ("", "ignored", link, "", ""),
        "roster.csv": ("", "ignored", "is not inside a student's folder (expected "
                                      "SUBMISSIONS/<student>/<assignment>/<notebook>.ipynb)", "", ""),
        f"ann/{T1}/01_numpy_basics.ipynb": ("ann", "graded", "", T1, "01_numpy_basics.ipynb"),
        f"ann/{T1}/utils.py": ("ann", "helper", helper, f"{T1}, {T2}", ""),   # beside notebooks of both
        f"ann/{T1}/data/points.csv": ("ann", "helper", helper, f"{T1}, {T2}", ""),
        f"ann/{T1}/.ipynb_checkpoints/": ("ann", "ignored", "Jupyter's automatic checkpoint copies: its 1 file(s) "
                                                            "are not read", "", ""),
        f"ann/{T1}/.DS_Store": ("ann", "ignored", "metadata macOS adds to a folder; not graded", "", ""),
        f"ann/{T1}/__pycache__/": ("ann", "ignored", "Python's compiled-code cache: its 1 file(s) are not read", "",
                                   ""),
        f"ann/{T1}/{T1}/01_numpy_basics.ipynb": ("ann", "ignored", f"another copy of {T1}/01_numpy_basics.ipynb, "
                                                 "which was graded instead", T1, "01_numpy_basics.ipynb"),
        f"ann/{T1}/scratch.ipynb": ("ann", "ignored", f"is not a notebook of {T1} (no assignment has a notebook "
                                    "named scratch.ipynb); not graded", "", ""),
        f"ann/{T1}/01_initialization.ipynb": ("ann", "graded", f"graded as {T2}/01_initialization.ipynb (expected "
                                              f"at ann/{T2}/01_initialization.ipynb)", T2, "01_initialization.ipynb"),
        f"ann/{T1}/link.ipynb": ("ann", "ignored", link, "", ""),
        "ann/report.pdf": ("ann", "ignored", ignored, "", ""),
        f"ben/{T1}/{T1}/02_logistic_regression.ipynb": (
            "ben", "graded", f"graded as {T1}/02_logistic_regression.ipynb (expected at "
                             f"ben/{T1}/02_logistic_regression.ipynb)", T1, "02_logistic_regression.ipynb"),
        f"ben/{T1}/{T1}/helper.py": ("ben", "helper", helper, T1, ""),
        "cat/02_logistic_regression.ipynb": ("cat", "graded", f"graded as {T1}/02_logistic_regression.ipynb "
                                             f"(expected at cat/{T1}/02_logistic_regression.ipynb)", T1,
                                             "02_logistic_regression.ipynb"),
        "cat/.hidden": ("cat", "ignored", "a hidden file; not graded", "", ""),
        "cat/__MACOSX/": ("cat", "ignored", "metadata macOS adds to a zip: its 1 file(s) are not read", "", ""),
        f"dan/copy1/{T1}/01_numpy_basics.ipynb": (
            "dan", "ignored", f"one of 2 copies of {T1}/01_numpy_basics.ipynb, none at dan/{T1}/01_numpy_basics.ipynb:"
                              " which one counts is unclear; not graded", T1, "01_numpy_basics.ipynb"),
        f"dan/copy2/{T1}/01_numpy_basics.ipynb": (
            "dan", "ignored", f"one of 2 copies of {T1}/01_numpy_basics.ipynb, none at dan/{T1}/01_numpy_basics.ipynb:"
                              " which one counts is unclear; not graded", T1, "01_numpy_basics.ipynb"),
        f"eve/{T2}/notes.md": ("eve", "ignored", ignored, "", ""),
    }
    by_pair = {(s.student, s.assignment): s for s in subs_list}
    assert sorted(by_pair) == [("ann", T1), ("ann", T2), ("ben", T1), ("cat", T1), ("dan", T1), ("eve", T2)]
    ann = by_pair[("ann", T1)]
    assert ann.notebooks == {"01_numpy_basics.ipynb": subs / "ann" / T1 / "01_numpy_basics.ipynb"}
    assert ann.helpers == {"utils.py": subs / "ann" / T1 / "utils.py",
                           "data/points.csv": subs / "ann" / T1 / "data" / "points.csv"}
    assert by_pair[("ann", T2)].notes == {"01_initialization.ipynb": [
        f"was not at ann/{T2}/01_initialization.ipynb: graded the copy found at ann/{T1}/01_initialization.ipynb"]}
    assert by_pair[("ben", T1)].helpers == {"helper.py": subs / "ben" / T1 / T1 / "helper.py"}
    assert by_pair[("dan", T1)].notebooks == {}
    assert by_pair[("dan", T1)].notes == {"01_numpy_basics.ipynb": [
        f"2 copies were handed in (dan/copy1/{T1}/01_numpy_basics.ipynb, dan/copy2/{T1}/01_numpy_basics.ipynb) and "
        f"none at dan/{T1}/01_numpy_basics.ipynb: none was graded; hand in one, at dan/{T1}/01_numpy_basics.ipynb"]}
    assert by_pair[("eve", T2)].notebooks == {}  # an empty assignment folder is still a row: "not submitted"


def test_helper_files_have_a_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(inventory, "MAX_HELPER_FILES", 2)
    subs = _tree(tmp_path / "subs", {f"ann/{T1}/01_numpy_basics.ipynb": NB, f"ann/{T1}/a.py": "", f"ann/{T1}/b.py": "",
                                     f"ann/{T1}/c.py": ""})
    (sub,), entries = survey(subs, CATALOGUE)
    assert sorted(sub.helpers) == ["a.py", "b.py"]
    assert _entries(entries)[f"ann/{T1}/c.py"] == (
        "ann", "ignored", f"beside the notebooks of {T1}, but over the limit of 2 helper files and 20 MiB; not copied",
        T1, "")


def test_a_notebook_of_a_track_and_of_its_own_assignment_is_placed_by_the_class(tmp_path):
    """01_numpy_basics is both a notebook of Track 1 and an assignment of its own: a copy at the top
    of a student's folder goes to the one the class hands in; with both in the class it is named."""
    cat = {**CATALOGUE, "01_numpy_basics": ["01_numpy_basics.ipynb"]}
    weekly = _tree(tmp_path / "weekly", {"ann/01_numpy_basics/01_numpy_basics.ipynb": NB, "ben/01_numpy_basics.ipynb": NB})
    subs, entries = survey(weekly, cat)
    assert [(s.student, s.assignment, sorted(s.notebooks)) for s in subs] == [
        ("ann", "01_numpy_basics", ["01_numpy_basics.ipynb"]), ("ben", "01_numpy_basics", ["01_numpy_basics.ipynb"])]
    both = _tree(tmp_path / "both", {"ann/01_numpy_basics/01_numpy_basics.ipynb": NB,
                                     f"cid/{T1}/02_logistic_regression.ipynb": NB, "ben/01_numpy_basics.ipynb": NB})
    _, entries = survey(both, cat)
    assert _entries(entries)["ben/01_numpy_basics.ipynb"] == (
        "ben", "ignored", f"01_numpy_basics.ipynb is a notebook of 2 assignments (01_numpy_basics, {T1}): put it in "
                          "the folder of the one it is for; not graded", "", "")


def test_catalogue_has_the_tracks_and_the_single_notebook_assignments_handed_in(tmp_path):
    _tree(tmp_path, {f"ann/{T1}/x.ipynb": NB, "ben/01_numpy_basics/01_numpy_basics.ipynb": NB, "cid/homework/a.txt": ""})
    cat = grade_module.catalogue(SOURCE, tmp_path)
    assert sorted(cat) == sorted(course.assignments(SOURCE) + ["01_numpy_basics"])
    assert cat["01_numpy_basics"] == ["01_numpy_basics.ipynb"]
    assert cat[T1] == sorted(p.name for p in (SOURCE / T1).glob("*.ipynb"))


def test_every_notebook_is_offered_as_its_own_assignment_unless_its_name_is_ambiguous(tmp_path):
    offered = course.notebook_assignments(SOURCE)
    assert offered == {p.stem: (p.parent.name, p.name) for p in SOURCE.glob("*/*.ipynb")}
    _tree(tmp_path, {"a/01_intro.ipynb": NB, "b/01_intro.ipynb": NB, "b/02_more.ipynb": NB, "c/a.ipynb": NB})
    assert course.notebook_assignments(tmp_path) == {"02_more": ("b", "02_more.ipynb")}
    assert course.assignment_notebooks(tmp_path, "02_more") == [tmp_path / "b" / "02_more.ipynb"]
    assert course.assignment_notebooks(tmp_path, "01_intro") == []


def test_release_one_notebook_as_its_own_assignment(tmp_path, release_dir):
    """`release --notebook TRACK/NB` builds that notebook alone, as the assignment named after it,
    apart from the course's release, and never touches student/."""
    env = dict(os.environ, COURSE_BUILD_DIR=str(tmp_path / "build"), COURSE_STUDENT_DIR=str(tmp_path / "student"))
    cmd = [sys.executable, "-m", "autograder", "release", "--notebook"]
    proc = subprocess.run(cmd + [f"{T1}/01_numpy_basics"], capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    folder = tmp_path / "build" / "notebook-assignments" / "release" / "01_numpy_basics"
    assert proc.stdout.splitlines()[-2:] == [
        "release: 01_numpy_basics: 1 notebook(s)",
        f"assignment 01_numpy_basics: hand out {folder}/; students hand it in as "
        "SUBMISSIONS/<student>/01_numpy_basics/01_numpy_basics.ipynb"]
    assert sorted(p.name for p in folder.iterdir()) == ["01_numpy_basics.ipynb"]
    mine, track = read(folder / "01_numpy_basics.ipynb"), read(release_dir / T1 / "01_numpy_basics.ipynb")
    assert [c.source for c in mine.cells] == [c.source for c in track.cells]  # the student version: no solutions
    assert not (tmp_path / "student").exists()
    proc = subprocess.run(cmd + [f"{T2}/01_numpy_basics"], capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"error: no notebook {T2}/01_numpy_basics can be released on its own; these can: ")
    assert f"{T1}/01_numpy_basics" in proc.stderr


def test_submissions_of_both_kinds_are_read_in_place(tmp_path):
    """The inventory is what the coordinator reads: a weekly folder holds the one notebook."""
    _tree(tmp_path, {"ann/01_numpy_basics/01_numpy_basics.ipynb": json.dumps({"cells": []})})
    subs, entries = survey(tmp_path, grade_module.catalogue(SOURCE, tmp_path))
    assert [(s.student, s.assignment) for s in subs] == [("ann", "01_numpy_basics")]
    files, helpers = grade_module._read_files(subs[0])
    assert files == {"01_numpy_basics.ipynb": b'{"cells": []}'} and helpers == {}


@pytest.mark.parametrize("name", ["__MACOSX", ".git"])
def test_folders_of_tools_are_named_once(tmp_path, name):
    _tree(tmp_path, {f"{name}/a/b.txt": "", f"{name}/c.txt": ""})
    _, entries = survey(tmp_path, CATALOGUE)
    reason = "metadata macOS adds to a zip" if name == "__MACOSX" else "a hidden folder"
    assert _entries(entries) == {f"{name}/": ("", "ignored", f"{reason}: its 2 file(s) are not read", "", "")}
