"""What runs for a submission, and what is reported, for every kind of edit of a cell the student
cannot change (issue 11, points 7 and 8). Unit tests of ``assemble`` on the real templates (built
from the real release and source notebooks, as the coordinator builds them), and of the replay's
namespace; the graded outcome of the instances is in test_grading_adversarial.py.

The rule behind every expectation: the grader runs its own copy of each locked and graded cell, so
an edit of one cannot change what runs. The assembled notebook is then *the same* as an honest
student's, and the edit is only flagged, saying what changed. Only a test cell's id on several
cells (the grader cannot tell which is the test) scores 0.
"""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest

from autograder.engine.assemble import Template, assemble, build_template, solved_submission
from autograder.engine.grade import templates_for
from autograder.engine.verdicts import judge
from course_utils.grading.records import RECORD_ENV, read_records
from helpers import SOURCE

T1, T2 = "1_neural_networks", "2_improving_deep_networks"
TESTS_01 = ["test_basic_sigmoid", "test_sigmoid", "test_sigmoid_derivative", "test_image2vector",
            "test_normalize_rows", "test_softmax", "test_L1", "test_L2"]
COSTS_NOTHING = "the grader ran its own copy, so this cost nothing"


@pytest.fixture(scope="module")
def templates(release_dir):
    return {track: {name: Template.from_dict(t) for name, t in templates_for(release_dir, SOURCE, track).items()}
            for track in (T1, T2)}


def _honest(release_dir, track, stem):
    return solved_submission(json.loads((release_dir / track / f"{stem}.ipynb").read_text(encoding="utf-8")),
                             json.loads((SOURCE / track / f"{stem}.ipynb").read_text(encoding="utf-8")))


def _index(nb, grade_id):
    return next(i for i, c in enumerate(nb["cells"]) if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id)


@pytest.fixture
def numpy_basics(templates, release_dir):
    """(template, honest notebook, what runs for the honest notebook) of 1/01_numpy_basics."""
    tpl = templates[T1]["01_numpy_basics.ipynb"]
    nb = _honest(release_dir, T1, "01_numpy_basics")
    honest = assemble(tpl, nb)
    assert (honest.zeroed, honest.issues, honest.flags) == ({}, [], [])
    assert [c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in honest.cells
            if c.get("metadata", {}).get("nbgrader", {}).get("grade")] == TESTS_01
    return tpl, nb, honest.cells


# --- point 8: harmless edits of locked cells -------------------------------------------------------------

def test_a_formatter_adding_a_blank_line_to_every_test_cell_changes_nothing_that_runs(numpy_basics):
    tpl, nb, honest = numpy_basics
    for gid in TESTS_01:
        cell = nb["cells"][_index(nb, gid)]
        first, rest = "".join(cell["source"]).split("\n", 1)
        cell["source"] = first + "\n\n" + rest
    a = assemble(tpl, nb)
    assert a.cells == honest and a.zeroed == {} and a.issues == []
    assert a.flags == [f"test cell {gid} was changed (whitespace only): {COSTS_NOTHING}" for gid in TESTS_01]


def test_a_test_cell_turned_into_markdown_runs_as_code_and_says_so(numpy_basics):
    tpl, nb, honest = numpy_basics
    cell = nb["cells"][_index(nb, "test_L1")]
    cell["cell_type"] = "markdown"
    del cell["outputs"], cell["execution_count"]
    a = assemble(tpl, nb)
    assert a.cells == honest and a.zeroed == {} and a.issues == []
    assert a.flags == [f"test cell test_L1 was changed (turned into a markdown cell): {COSTS_NOTHING}"]


def test_a_test_cell_whose_text_was_replaced_is_flagged_with_a_short_diff(numpy_basics):
    tpl, nb, honest = numpy_basics
    nb["cells"][_index(nb, "test_sigmoid")]["source"] = "print('all good')"
    a = assemble(tpl, nb)
    assert a.cells == honest and a.zeroed == {} and a.issues == []
    assert a.flags == [
        "test cell test_sigmoid was changed (text: line 1 '\"\"\"sigmoid: the (2, 3) example above and the numb…' "
        "became \"print('all good')\"; 2 lines removed and 1 added in all): " + COSTS_NOTHING]


def test_changed_points_and_lock_flags_do_not_count(numpy_basics):
    tpl, nb, honest = numpy_basics
    md = nb["cells"][_index(nb, "test_L2")]["metadata"]["nbgrader"]
    md["points"], md["locked"] = 100, False
    nb["cells"][_index(nb, "setup")]["metadata"]["nbgrader"]["locked"] = False
    a = assemble(tpl, nb)
    assert a.cells == honest and a.zeroed == {} and a.issues == []
    assert a.flags == [f"locked cell setup was changed (nbgrader flag locked changed): {COSTS_NOTHING}",
                       f"test cell test_L2 was changed (nbgrader points 100 instead of 1, which count; "
                       f"nbgrader flag locked changed): {COSTS_NOTHING}"]


def test_a_deleted_test_cell_is_put_back_at_its_place(numpy_basics):
    tpl, nb, honest = numpy_basics
    del nb["cells"][_index(nb, "test_softmax")]
    a = assemble(tpl, nb)
    assert a.cells == honest and a.zeroed == {} and a.issues == []
    assert a.flags == ["test cell test_softmax was deleted (or its nbgrader metadata changed or removed): the grader "
                       "put its own copy back at its place, so this cost nothing"]


def test_a_test_cell_without_its_metadata_is_recognised_by_its_text(numpy_basics):
    tpl, nb, honest = numpy_basics
    i = _index(nb, "test_L1")
    nb["cells"][i]["metadata"].pop("nbgrader")
    a = assemble(tpl, nb)
    assert a.cells == honest and a.zeroed == {} and a.issues == []
    assert a.flags == [f"test cell test_L1 lost its nbgrader metadata (cell {i + 1}): the grader ran its own copy "
                       "there, so this cost nothing"]


def test_a_test_id_on_two_cells_scores_that_cell_0(numpy_basics):
    """An id changed to collide with another test cell's: the grader cannot tell which is the test."""
    tpl, nb, _ = numpy_basics
    i, j = _index(nb, "test_L1"), _index(nb, "test_L2")
    nb["cells"][i]["metadata"]["nbgrader"]["grade_id"] = "test_L2"
    a = assemble(tpl, nb)
    assert a.zeroed == {"test_L2": f"test cell test_L2: its nbgrader id is on 2 cells (cells {i + 1} and {j + 1}), "
                                   "so the grader cannot tell which one is the test; scored 0"}
    assert a.flags == ["test cell test_L1 was deleted (or its nbgrader metadata changed or removed): the grader put "
                       "its own copy back at its place, so this cost nothing"]
    ran = [c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in a.cells]
    assert ran.count("test_L1") == 1 and ran.count("test_L2") == 1   # the second carrier runs as ordinary code


def test_a_copied_test_cell_is_a_collision_too(numpy_basics):
    tpl, nb, _ = numpy_basics
    i = _index(nb, "test_L2")
    nb["cells"].append(copy.deepcopy(nb["cells"][i]))
    a = assemble(tpl, nb)
    assert a.zeroed == {"test_L2": f"test cell test_L2: its nbgrader id is on 2 cells (cells {i + 1} and "
                                   f"{len(nb['cells'])}), so the grader cannot tell which one is the test; scored 0"}
    assert a.flags == [] and a.issues == []


def test_a_deleted_solution_cell_runs_the_stub(numpy_basics):
    tpl, nb, honest = numpy_basics
    del nb["cells"][_index(nb, "L2")]
    a = assemble(tpl, nb)
    assert a.issues == ["solution cell L2 is missing (deleted, or its nbgrader metadata removed): the release's "
                        "empty version was used"]
    assert a.zeroed == {} and a.flags == []
    k = next(k for k, c in enumerate(honest) if c["metadata"].get("nbgrader", {}).get("grade_id") == "L2")
    stub = a.cells[k]   # exactly where the student's L2 was
    assert stub["metadata"]["nbgrader"]["grade_id"] == "L2" and "raise NotImplementedError()" in stub["source"]
    assert a.cells[:k] + a.cells[k + 1:] == honest[:k] + honest[k + 1:]


def test_a_copied_solution_cell_runs_as_the_students_code(numpy_basics):
    tpl, nb, honest = numpy_basics
    i = _index(nb, "L2")
    nb["cells"].insert(i + 1, copy.deepcopy(nb["cells"][i]))
    a = assemble(tpl, nb)
    assert a.zeroed == {} and a.issues == []
    assert a.flags == [f"cell {i + 2} is a copy of solution cell L2 (it carries the same nbgrader id): it ran as the "
                       "student's own code"]
    assert a.cells[i + 1]["source"] == honest[i]["source"] and "nbgrader" not in a.cells[i + 1]["metadata"]


# --- point 7: graded cells depend only on what the student cannot change ----------------------------------

def test_deleting_the_example_and_try_it_cells_of_x_example_changes_nothing_graded(numpy_basics):
    """Instance (b): x_example now lives in a locked cell, which is put back; the "Try it" cell is the student's."""
    tpl, nb, honest = numpy_basics
    i = _index(nb, "example_sigmoid")
    try_it = nb["cells"][i + 1]
    assert "print(sigmoid(x_example))" in "".join(try_it["source"]) and not try_it["metadata"].get("nbgrader")
    del nb["cells"][i:i + 2]
    a = assemble(tpl, nb)
    assert a.cells == honest[:i + 1] + honest[i + 2:] and a.zeroed == {} and a.issues == []
    assert a.flags == ["locked cell example_sigmoid was deleted (or its nbgrader metadata changed or removed): the "
                       "grader put its own copy back at its place, so this cost nothing"]


def test_editing_the_cell_that_defines_random_example_changes_nothing_that_runs_or_is_replayed(templates, release_dir):
    """Instance (a), 2/02_regularization: the hidden tests draw their inputs with random_example. The student's
    edit of the cell that defines it (once an ordinary "Try it" cell, now locked) never runs: the sandbox runs
    the template's copy, the very text the replay takes its definitions from."""
    tpl = templates[T2]["02_regularization.ipynb"]
    nb = _honest(release_dir, T2, "02_regularization")
    honest = assemble(tpl, nb)
    assert (honest.zeroed, honest.issues, honest.flags) == ({}, [], [])
    i = _index(nb, "example_network")
    text = "".join(nb["cells"][i]["source"])
    assert "def random_example(rng, layer_dims, m):" in text
    nb["cells"][i]["source"] = text.replace("* np.sqrt(2 / layer_dims[l - 1])", "* 0.5")
    a = assemble(tpl, nb)
    assert a.cells == honest.cells and a.zeroed == {} and a.issues == []
    assert a.flags == [
        "locked cell example_network was changed (text: line 7 '…ims[l - 1])) * np.sqrt(2 / layer_dims[l - 1])' "
        "became '…ims[l - 1])) * 0.5'; 1 line removed and 1 added in all): " + COSTS_NOTHING]
    # the replay's definitions come from exactly the locked and graded cells the sandbox runs from the template
    ran = [c for c in honest.cells if c.get("metadata", {}).get("nbgrader", {}).get("locked") and c["cell_type"] == "code"]
    assert [c["visible"] for c in tpl.replay_cells] == [
        c["source"].split("### BEGIN HIDDEN TESTS")[0].rstrip("\n") if "### BEGIN HIDDEN TESTS" in c["source"]
        else c["source"] for c in ran]
    assert any("def random_example(" in c["visible"] for c in tpl.replay_cells)


HELPER = "def helper(rng):\n    return rng.standard_normal(3)\n"
HIDDEN = ("from course_utils.grading import HiddenTest\nimport course_utils.nn.activations as act\n"
          "t = HiddenTest('sigmoid', sigmoid, act.sigmoid, seed=11)\nt.case(helper(t.rng))\nt.finish()")


def _template(helper_kind: str) -> Template:
    """A notebook whose hidden test draws its input with a helper defined in an ordinary or a locked cell."""
    md = {"plain": {}, "locked": {"grade_id": "example", "locked": True}}[helper_kind]

    def nb(test_source):
        return {"metadata": {}, "cells": [
            {"cell_type": "code", "metadata": {"nbgrader": {"grade_id": "sigmoid", "solution": True}},
             "source": "def sigmoid(x):\n    raise NotImplementedError()"},
            {"cell_type": "code", "metadata": {"nbgrader": md} if md else {}, "source": HELPER},
            {"cell_type": "code", "metadata": {"nbgrader": {"grade_id": "test_sigmoid", "grade": True, "locked": True,
                                                            "points": 1}}, "source": test_source}]}
    return build_template("x.ipynb", nb(""), nb("### BEGIN HIDDEN TESTS\n" + HIDDEN + "\n### END HIDDEN TESTS"))


def test_the_replay_takes_definitions_only_from_cells_the_student_cannot_change(tmp_path, monkeypatch):
    """A helper in an ordinary cell is not defined in the replay (the sandbox runs the student's copy of that
    cell, which may differ); the same helper in a locked cell is, and the hidden test is judged."""
    path = tmp_path / "records.jsonl"
    monkeypatch.setenv(RECORD_ENV, str(path))   # the sandbox's side: a correct sigmoid, recorded
    exec(HELPER + HIDDEN, {"sigmoid": lambda x: 1 / (1 + np.exp(-x))})
    monkeypatch.delenv(RECORD_ENV)
    records, notes = read_records(path, 10**6)
    assert notes == [] and [e["event"] for e in records["sigmoid"]] == ["start", "case"]

    verdicts, errors = judge(_template("locked"), records)
    assert verdicts["test_sigmoid"].passed and errors == []
    verdicts, errors = judge(_template("plain"), records)
    assert not verdicts["test_sigmoid"].passed
    assert errors == ["test_sigmoid: replay stopped: RuntimeError: the replay tried to call the student's 'helper': "
                      "the hidden test is not replayable"]
