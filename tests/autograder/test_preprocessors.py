"""The two nbgrader fixes, each shown against nbgrader's own behaviour."""

import nbformat
from nbgrader import utils

from autograder.preprocessors import HIDDEN_NOTICE, HideHiddenTests, KeepStderrFromFailing, remove_hidden

SOURCE = '''"""checks f"""
check_function(f, ref, [(x,)])
### BEGIN HIDDEN TESTS
t = HiddenTest("f", f, ref, seed=918273)
t.case(t.rng.standard_normal((3, 2)))
t.finish()
### END HIDDEN TESTS'''


def _graded_cell(outputs):
    cell = nbformat.v4.new_code_cell(SOURCE, execution_count=7)
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": "test_f", "locked": True, "points": 2,
                                 "schema_version": 3, "solution": False, "task": False}
    cell.outputs = [nbformat.from_dict(o) for o in outputs]
    return cell


def test_stderr_warning_no_longer_zeroes_a_passing_cell():
    warning = {"output_type": "stream", "name": "stderr",
               "text": "<ipython-input>:3: RuntimeWarning: overflow encountered in exp\n"}
    cell = _graded_cell([warning, {"output_type": "stream", "name": "stdout", "text": "passed\n"}])
    assert utils.determine_grade(cell) == (0, 2.0)  # nbgrader 0.9.6 on its own
    cell, _ = KeepStderrFromFailing().preprocess_cell(cell, {}, 0)
    assert utils.determine_grade(cell) == (2.0, 2.0)
    assert "RuntimeWarning" in cell.outputs[0]["text"]  # kept for the reader


def test_a_real_failure_still_fails():
    error = {"output_type": "error", "ename": "AssertionError", "evalue": "f: 1 of 1 hidden checks failed",
             "traceback": []}
    cell, _ = KeepStderrFromFailing().preprocess_cell(_graded_cell([error]), {}, 0)
    assert utils.determine_grade(cell) == (0, 2.0)


def test_hidden_source_and_traceback_frames_are_removed():
    traceback = [
        "\x1b[0;31m----------\x1b[0m\n\x1b[0;31mAssertionError\x1b[0m   Traceback (most recent call last)",
        "Cell \x1b[0;32mIn[7], line 6\x1b[0m\n      4 t = HiddenTest(\"f\", f, ref, seed=918273)\n----> 6 t.finish()",
        "File \x1b[0;32m~/student/helper.py:3\x1b[0m, in \x1b[0;36mf\x1b[0;34m(x)\x1b[0m\n----> 3 return x[9]",
        "\x1b[0;31mAssertionError\x1b[0m: f: 1 of 1 hidden checks failed.",
    ]
    cell = _graded_cell([{"output_type": "error", "ename": "AssertionError",
                          "evalue": "f: 1 of 1 hidden checks failed.", "traceback": traceback}])
    cell, _ = HideHiddenTests().preprocess_cell(cell, {}, 0)
    assert "seed=918273" not in cell.source and HIDDEN_NOTICE in cell.source
    assert "check_function(f, ref, [(x,)])" in cell.source  # the visible check stays
    tb = "\n".join(cell.outputs[0]["traceback"])
    assert "918273" not in tb and "t.finish()" not in tb
    assert "return x[9]" in tb  # the student's own frame stays
    assert "1 of 1 hidden checks failed" in tb


def test_remove_hidden_keeps_everything_else():
    assert remove_hidden("a\n### BEGIN HIDDEN TESTS\nsecret\n### END HIDDEN TESTS\nb") == f"a\n{HIDDEN_NOTICE}\nb"
