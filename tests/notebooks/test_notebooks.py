"""Source notebooks: their conventions, read without a kernel.

What is proven where: every notebook runs whole in tests/autograder/test_student_checks.py, twice: the
honest hand-in (the release solved with the instructor's solutions; every cell without an error, every
hidden test passing as the grader judges it and again on salted inputs, `make check` and `nbgrader
validate` passing every cell) and the untouched release. That each visible check and hidden test agree
on near misses is tests/grading/test_near_misses.py, without a kernel."""

import re

import pytest

from helpers import defined_functions, graded_cells, nb_id, nbg, read, solution_cells, source_notebooks

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
