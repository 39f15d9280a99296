"""Graded cells depend only on what a student cannot change (issue 11, point 7).

The grader runs its own copy of every locked and graded cell and the student's copy of every
other cell. A graded cell, its visible check included, that uses a name only an ordinary cell
defines broke two ways: a student who edited the "Try it" cell defining ``random_example``
(used by the hidden tests of 2/02_regularization) got 0/10 on a correct notebook, because the
sandbox drew the hidden inputs with the student's copy and the replay with the instructor's;
and a student who deleted the "Try it" cell defining ``x_example`` lost every graded cell that
used it (NameError). ``autograder.engine.assemble.dependency_problems`` finds every such name
statically; here it runs on every source notebook, and on small notebooks with one fault each.
The graded outcome of both instances is in tests/autograder/test_assemble.py (the assembled
notebook and the replay) and tests/autograder/test_grading_adversarial.py (full marks).
"""

from __future__ import annotations

import ast
import json
import re

import pytest

from autograder.engine.assemble import dependency_problems, python_source, used_names
from helpers import nb_id, source_notebooks

NOTEBOOKS = source_notebooks()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=nb_id)
def test_graded_cells_use_only_what_a_student_cannot_change(path):
    assert dependency_problems(json.loads(path.read_text(encoding="utf-8")), nb_id(path)) == []


def _cell(kind: str, source: str, gid: str | None = None) -> dict:
    md = {"solution": {"solution": True, "grade": False, "locked": False},
          "grade": {"solution": False, "grade": True, "locked": True, "points": 1},
          "locked": {"solution": False, "grade": False, "locked": True},
          "plain": None}[kind]
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": source}
    if md is not None:
        cell["metadata"]["nbgrader"] = dict(md, grade_id=gid, schema_version=3)
    return cell


SETUP = _cell("locked", "%matplotlib inline\nimport numpy as np\nimport course_utils.exercises.x as ref\n", "setup")
SOLUTION = _cell("solution", "def f(x):\n    ### BEGIN SOLUTION\n    helper_of_f = 1\n    return x\n    ### END SOLUTION\n"
                 "f_demo = f(2)\n", "f")


def test_each_kind_of_dependency_is_named_with_its_notebook_cell_and_line():
    nb = {"cells": [
        SETUP,
        SOLUTION,
        _cell("plain", "x_try = np.ones(3)\ndef try_helper():\n    return 1\n"),
        _cell("locked", "x_example = np.zeros(2)\ndef make_input(rng):\n    return rng.random(3)\n", "example_f"),
        {"cell_type": "markdown", "metadata": {}, "source": "text"},
        _cell("grade", '"""f: checks."""\n'
                       "check_function(f, ref.f, [(x_example,), (x_try,), (f_demo,), (len([1]),)])\n"
                       "### BEGIN HIDDEN TESTS\n"
                       "t = HiddenTest('f', f, ref.f, seed=1)\n"
                       "t.case(make_input(t.rng))\n"
                       "t.case(try_helper())\n"
                       "t.case(x_example)\n"
                       "t.case(undefined_name)\n"
                       "### END HIDDEN TESTS\n", "test_f"),
    ]}
    assert dependency_problems(nb, "demo") == [
        "demo: cell 5 (test_f): line 2 uses 'check_function', which no cell above it defines",
        "demo: cell 5 (test_f): line 2 uses 'f_demo', which solution cell 1 binds: a student can change or "
        "delete that cell; define it in a locked cell (or inline it)",
        "demo: cell 5 (test_f): line 2 uses 'x_try', which ordinary cell 2 binds: a student can change or "
        "delete that cell; define it in a locked cell (or inline it)",
        "demo: cell 5 (test_f): the hidden tests, line 1 uses 'HiddenTest', which no cell above it defines",
        "demo: cell 5 (test_f): the hidden tests, line 3 uses 'try_helper', which ordinary cell 2 binds: a "
        "student can change or delete that cell; define it in a locked cell (or inline it)",
        "demo: cell 5 (test_f): the hidden tests, line 4 uses 'x_example', which the replay does not define: it "
        "runs only the imports, functions and classes of the locked and graded cells",
        "demo: cell 5 (test_f): the hidden tests, line 5 uses 'undefined_name', which no cell above it defines",
    ]


def test_an_ordinary_cell_that_rebinds_a_locked_name_is_a_problem_and_a_locked_one_is_not():
    def nb(rebinder: str) -> dict:
        return {"cells": [
            SETUP, SOLUTION,
            _cell("locked", "x_example = np.zeros(2)\nfrom course_utils.grading.checks import check_function\n",
                  "example_f"),
            _cell(rebinder, "x_example = np.ones(2)\n", "example_again" if rebinder == "locked" else None),
            _cell("grade", "check_function(f, ref.f, [(x_example,)])\n", "test_f"),
        ]}
    assert dependency_problems(nb("plain"), "demo") == [
        "demo: cell 4 (test_f): line 1 uses 'x_example', which ordinary cell 3 binds: a student can change or "
        "delete that cell; define it in a locked cell (or inline it)"]
    assert dependency_problems(nb("locked"), "demo") == []
    # a solution cell's own code besides its functions is the student's too
    assert dependency_problems({"cells": [SETUP, SOLUTION, _cell("grade", "print(f_demo, f)\n", "test_f")]}, "demo") == [
        "demo: cell 2 (test_f): line 1 uses 'f_demo', which solution cell 1 binds: a student can change or "
        "delete that cell; define it in a locked cell (or inline it)"]


def test_names_bound_in_the_cell_itself_are_not_dependencies():
    source = ("%matplotlib inline\n"
              "import numpy as np\n"
              "a, (b, *c) = 1, (2, 3, 4)\n"
              "total = sum(k for k in range(a))\n"
              "squares = {k: k * k for k in c}\n"
              "for i in range(b):\n"
              "    total += i\n"
              "def later():\n"
              "    return defined_below + np.pi\n"
              "defined_below = 1\n"
              "with open('f') as handle:\n"
              "    pass\n"
              "lambda q: q + outside_lambda\n"
              "x = x + 1\n"
              "y += 1\n"
              "z[0] = w\n")
    names = [n for n, _ in used_names(ast.parse(python_source(source)))]
    # in order of statements (sorted within one); magics become get_ipython() calls; x, y and z are read
    # before the cell binds them
    assert names == ["get_ipython", "range", "sum", "range", "open", "outside_lambda", "x", "y", "w", "z"]


# --- prose numbers (issue 12, section 2) ------------------------------------------------------------
# A number the text quotes from a run goes stale silently when the run changes: 2/06 said
# "97.0 / 95.7 / 97.3 / 96.3 %", 2/05 "39 / 40.5 days", 2/08 "5.04 near step 100", none of them
# computed. The rule (notebooks/AUTHORING.md, "Numbers in the text"): every number of a markdown
# cell, outside formulas and code spans, except the integers 0-10, occurs as a literal in a code cell
# of the same notebook (a value the code uses, or the value an assert checks; a percentage may be
# written as its fraction), or is listed with its reason in metadata.course.prose_numbers.

_PROSE_NUMBER = re.compile(r"(?<![\w.,^_\\/-])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?(?:[eE]-?\d+)?)(?![\w]|\.\d|,\d{3})")
_NOT_PROSE = [re.compile(p, re.S | re.M) for p in (
    r"\$\$.*?\$\$", r"\$[^$\n]*\$", r"\\\(.*?\\\)", r"\\\[.*?\\\]",   # formulas
    r"```.*?```", r"`[^`\n]*`",                                         # code
    r"<[^>\n]*>", r"\]\([^)\n]*\)", r"^[ \t]*#+[ \t]*[\d.]+[ \t]",        # tags, link targets, heading numbers
)]


def _value(text: str) -> float:
    return float(text.replace(",", ""))


def code_numbers(nb: dict) -> set[float]:
    """Every int and float literal of the notebook's code cells (not inside strings)."""
    found: set[float] = set()
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        try:
            tree = ast.parse(python_source("".join(cell["source"])))
        except SyntaxError:
            continue
        found |= {abs(float(n.value)) for n in ast.walk(tree)
                  if isinstance(n, ast.Constant) and type(n.value) in (int, float)}
    return found


def prose_number_problems(nb: dict) -> list[str]:
    """The numbers of markdown cells that no code cell of ``nb`` uses or asserts and that
    ``metadata.course.prose_numbers`` does not list, as ``"cell N: 97.0"``; listed numbers that the
    text no longer uses and listed numbers without a reason are problems too."""
    literals = code_numbers(nb)
    listed = nb.get("metadata", {}).get("course", {}).get("prose_numbers", {})
    problems, used = [], set()
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        text = "".join(cell["source"])
        for pattern in _NOT_PROSE:
            text = pattern.sub(" ", text)
        for number in _PROSE_NUMBER.findall(text):
            value = _value(number)
            if value == int(value) and value <= 10:
                continue
            if number in listed:
                used.add(number)
                continue
            if any(abs(value - x) <= 1e-9 * max(1.0, value) or abs(value / 100 - x) <= 1e-12 for x in literals):
                continue
            problems.append(f"cell {index}: {number}")
    problems += [f"metadata.course.prose_numbers: {n} is not in the text any more" for n in listed if n not in used]
    problems += [f"metadata.course.prose_numbers: {n} has no reason" for n, why in listed.items() if not str(why).strip()]
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=nb_id)
def test_prose_numbers_are_computed_or_asserted(path):
    problems = prose_number_problems(json.loads(path.read_text(encoding="utf-8")))
    assert problems == [], (f"{nb_id(path)}: numbers in the text that no code cell uses or asserts (assert the "
                            f"measured value, print it instead, or list a definition in "
                            f"metadata.course.prose_numbers with its reason): {problems}")


def _markdown(text: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def test_prose_numbers_the_issue_named_are_found_and_an_assert_or_a_reason_clears_them():
    # the instance: 2/06's sentence before issue 12, with nothing computing it
    said = _markdown("Dev accuracy 97.0 / 95.7 / 97.3 / 96.3 % after 2,500 steps; $W^{[2]}$ with "
                     "$\\alpha = 0.0075$, `seed=1234`, ![fig](img/v2.5.png), 3 layers, 1,797 digits.")
    nb = {"metadata": {}, "cells": [said, _cell("plain", "steps = 2_500\n")]}
    assert prose_number_problems(nb) == ["cell 0: 97.0", "cell 0: 95.7", "cell 0: 97.3", "cell 0: 96.3",
                                         "cell 0: 1,797"]
    nb["cells"].append(_cell("plain", "assert abs(acc[0] - 0.970) < 0.005 and abs(acc[1] - 95.7) < 0.5\n"
                                      "assert (0.973, 96.3) == claims\n"))
    nb["metadata"] = {"course": {"prose_numbers": {"1,797": "the number of images in scikit-learn's digits",
                                                   "40.5": ""}}}
    assert prose_number_problems(nb) == ["metadata.course.prose_numbers: 40.5 is not in the text any more",
                                         "metadata.course.prose_numbers: 40.5 has no reason"]
