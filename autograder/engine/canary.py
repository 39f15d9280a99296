"""The grader's self-test: one tiny known-good notebook graded before any student's work.

It takes the path every submission takes (a worker, the sandbox with the class's limits,
the runner, ``course_utils`` imported in the sandbox, a visible check, a hidden test that
records in the sandbox and is replayed here; only its feedback page is not rendered) and
costs about as much as starting one sandbox. If it does not score full marks, the fault is the grader's (a sandbox that cannot
start the runner, an environment the sandbox cannot see, limits too small to import
numpy), so the coordinator grades nobody, marks every submission ``grading failed`` and
exits non-zero, instead of giving every student a 0.
"""

from __future__ import annotations

import json

from .assemble import build_template, split_hidden

#: the self-test's notebook file, assignment and student names (never a real student's)
NOTEBOOK = "grader_self_test.ipynb"
ASSIGNMENT = "(grader self-test)"
STUDENT = "(grader self-test)"


def _cell(cell_type: str, source: str, nbgrader: dict | None = None) -> dict:
    cell = {"cell_type": cell_type, "metadata": {"nbgrader": {"schema_version": 3, **nbgrader}} if nbgrader else {},
            "source": source}
    if cell_type == "code":
        cell.update(outputs=[], execution_count=None)
    return cell


def _notebooks() -> tuple[dict, dict]:
    """(source notebook, submission): a setup cell, a solved exercise, a visible check and a hidden test."""
    setup = ("import numpy as np\n"
             "from course_utils.grading.checks import check_function, Case\n"
             "import course_utils.nn.activations as ref_act")
    answer = "def sigmoid(x):\n    return 1 / (1 + np.exp(-x))"
    test = ('check_function(sigmoid, ref_act.sigmoid, [Case(np.array([[-1.0, 0.0, 2.0]]))])\n'
            "### BEGIN HIDDEN TESTS\n"
            "from course_utils.grading import HiddenTest\n"
            't = HiddenTest("sigmoid", sigmoid, ref_act.sigmoid, seed=1)\n'
            "t.case(t.rng.normal(size=(2, 3)))\n"
            "t.finish()\n"
            "### END HIDDEN TESTS")
    flags = {"grade": False, "locked": True, "solution": False, "task": False}
    source = {"cells": [
        _cell("markdown", "The grader's self-test: if this notebook does not score full marks, the grader is broken."),
        _cell("code", setup, {**flags, "grade_id": "setup"}),
        _cell("code", answer, {**flags, "locked": False, "solution": True, "grade_id": "sigmoid"}),
        _cell("code", test, {**flags, "grade": True, "grade_id": "test_sigmoid", "points": 1}),
    ], "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
        "nbformat": 4, "nbformat_minor": 5}
    submission = json.loads(json.dumps(source))
    test_cell = submission["cells"][-1]
    test_cell["source"] = split_hidden(test_cell["source"])[0]  # what a student receives
    return source, submission


def job(limits: dict, sandboxed: bool, scratch: str | None) -> dict:
    """The self-test's job for :func:`autograder.engine.worker.grade_submission`."""
    source, submission = _notebooks()
    template = build_template(NOTEBOOK, submission, source)
    return {"student": STUDENT, "assignment": ASSIGNMENT, "files": {NOTEBOOK: json.dumps(submission).encode()},
            "templates": {NOTEBOOK: template.to_dict()}, "limits": limits, "sandboxed": sandboxed,
            "scratch": scratch, "feedback": False}


def verdict(result: dict) -> str | None:
    """None when the self-test's result is full marks with nothing reported, else what went wrong."""
    if result.get("grading_failed"):
        return result["grading_failed"]
    cells = result.get("notebooks", {}).get(NOTEBOOK, {}).get("cells", [])
    wrong = [c for c in cells if c.get("status") != "passed"]
    if not cells or wrong:
        why = wrong[0].get("reason") if wrong else "no cell was graded"
        return f"the known-good notebook did not score full marks ({why})"
    if result.get("problems") or result.get("replay_errors"):
        return f"the known-good notebook was reported: {(result.get('problems') or result.get('replay_errors'))[0]}"
    return None
