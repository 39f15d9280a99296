"""Source notebooks: conventions, clean execution, and the teaching versions agreeing with
course_utils on more random inputs.

What is proven where: each source notebook runs once here, whole, in a kernel, with the seed salt
(every cell without an error, every hidden test passing on other inputs: the only whole-notebook
run of the instructor's version). What `make check` and `nbgrader validate` report on what students
hand in (the solved release) is tests/autograder/test_student_checks.py, one run per notebook for
both tools; that each visible check and hidden test agree on near misses is
tests/grading/test_near_misses.py, without a kernel."""

import re

import pytest

from course_utils.grading import SALT_ENV
from helpers import (defined_functions, errors, execute, nb_id, nbg, read, solution_cells, source_notebooks,
                     graded_cells)

NOTEBOOKS = source_notebooks()


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 2


@pytest.mark.parametrize("path", NOTEBOOKS, ids=nb_id)
def test_conventions(path):
    nb = read(path)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert not any(c.get("outputs") for c in code), "committed source notebooks carry no outputs"
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    ids = [nbg(c)["grade_id"] for c in nb.cells if nbg(c)]
    assert len(ids) == len(set(ids)), "grade_ids must be unique"
    assert nbg(code[0]).get("grade_id") == "setup" and nbg(code[0]).get("locked"), "first code cell: locked setup"
    assert "np.random.seed(" not in "".join(c.source for c in code), "use np.random.default_rng(seed)"

    graded_names = [f for c in solution_cells(nb) for f in defined_functions(c)]
    assert graded_names, "no graded function"
    tests = graded_cells(nb)
    hidden_names = [n for c in tests for n in re.findall(r'HiddenTest\(\s*"(\w+)"', c.source)]
    for name in graded_names:
        assert name in hidden_names, f"{name} has no HiddenTest"
    # the grader keys recorded results by test name: one HiddenTest per name per notebook
    assert len(hidden_names) == len(set(hidden_names)), "each HiddenTest name is used once per notebook"
    seeds = [s for c in tests for s in re.findall(r"seed=(\d+)", c.source)]
    assert len(seeds) == len(set(seeds)), "every hidden test uses its own seed"
    for c in tests:
        assert nbg(c).get("locked") and float(nbg(c)["points"]) > 0
        assert c.source.lstrip().startswith('"""'), f"{nbg(c)['grade_id']}: start with a docstring"
        assert "### BEGIN HIDDEN TESTS" in c.source and "t.finish()" in c.source
        assert nbg(c)["grade_id"] == "test_" + re.findall(r'HiddenTest\(\s*"(\w+)"', c.source)[0]
    for c in solution_cells(nb):
        assert "### BEGIN SOLUTION" in c.source and "### END SOLUTION" in c.source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=nb_id)
def test_teaching_version_agrees_with_library_on_other_random_inputs(path, record_property):
    """Grading runs the hidden tests with their own seeds; this run draws other inputs."""
    nb, seconds = execute(read(path), path.parent, env={SALT_ENV: "1"})
    record_property("timing", (f"execute {nb_id(path)} (source, salted)", seconds))
    assert errors(nb) == []
    for c in graded_cells(nb):
        text = "".join(o.get("text", "") for o in c.outputs if o.get("output_type") == "stream")
        assert "hidden check(s) passed" in text, nbg(c)["grade_id"]
