"""Which cells Run All may go on past when they fail (issue 11, point 6), decided at release time by
autograder.preprocessors.run_all_decisions; the browser proof is tests/browser/test_run_all.py."""

import nbformat
import pytest

from autograder.preprocessors import RAISES_EXCEPTION, ChecksDoNotStopRunAll, run_all_decisions, statement_flow
from helpers import nb_id, read, source_notebooks


def code(source, **nbgrader):
    cell = nbformat.v4.new_code_cell(source)
    if nbgrader:
        cell.metadata["nbgrader"] = dict(nbgrader)
    return cell


CELLS = [
    code("import numpy as np\nold = 0", locked=True, grade_id="setup"),                   # 0
    code("def f(x):\n    raise NotImplementedError()", solution=True, grade_id="f"),      # 1
    code("a = 1\nb = f(a)\nc = b + 1"),                                                   # 2: b, c may stay unbound
    code("print(c)"),                                                                     # 3: reads c -> may fail
    code("check_function(f, g, [(a,)])", grade=True, grade_id="test_f"),                  # 4: a graded cell
    code("old = f(2)"),                                                                   # 5: old had a value
    code("print(old * 2)"),                                                               # 6: would use the stale one
    code("plot(np.arange(3))"),                                                           # 7: needs nothing of f
    code("from course_utils.viz.widgets import ewa_explorer\newa_explorer()"),           # 8: the widget
]


def test_a_cell_is_safe_to_go_past_unless_a_later_cell_would_use_an_old_value():
    assert run_all_decisions(CELLS) == {
        2: "safe",            # a is bound before the first use of f; b and c fail loudly (NameError) below
        3: "safe",            # it may fail (c), and leaves nothing behind
        4: "safe",            # a graded cell: the check is its last statement
        5: "unsafe: a later cell would use the old value of old",   # so Run All stops there if it fails,
    }                                                                # and 6 (which reads old) cannot fail


def test_the_release_tags_the_safe_cells_and_keeps_other_tags():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.from_dict(c) for c in CELLS]
    nb.cells[2].metadata["tags"] = ["mine"]
    nb, _ = ChecksDoNotStopRunAll().preprocess(nb, {})
    tags = {i: c.metadata.get("tags", []) for i, c in enumerate(nb.cells)}
    assert tags == {0: [], 1: [], 2: ["mine", RAISES_EXCEPTION], 3: [RAISES_EXCEPTION], 4: [RAISES_EXCEPTION],
                    5: [], 6: [], 7: [], 8: []}


def test_the_flow_follows_python_scopes():
    flow = statement_flow("x = [k for k in range(3)]\nfor i in x:\n    y = i + z\ndef g(p):\n    return p + w\n"
                          "%matplotlib inline")
    reads, exposed, binds = zip(*flow)
    assert exposed[0] == {"range"} and binds[0] == {"x"}          # k is the comprehension's own
    assert exposed[1] == {"z"} and binds[1] == {"i", "y"}         # x was bound above, i by the loop
    assert exposed[2] == {"w"} and binds[2] == {"g"}              # a function reads w when called
    assert exposed[3] == {"get_ipython"}                          # the magic, as IPython runs it
    assert statement_flow("def (") is None


@pytest.mark.parametrize("path", source_notebooks(), ids=nb_id)
def test_run_all_goes_on_past_every_cell_an_unfinished_exercise_can_fail(path):
    """So Run All on an untouched release reaches the end of every notebook (the widgets of 2/04 and 2/05)."""
    nb = read(path)
    decisions = run_all_decisions(nb.cells)
    assert {i: d for i, d in decisions.items() if d != "safe"} == {}
    graded = {i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade")}
    assert graded <= set(decisions)
