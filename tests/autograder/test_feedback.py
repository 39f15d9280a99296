"""The feedback page's parts, without a browser (autograder/engine/feedback.py).

The page as a student reads it, offline in Chromium, is tests/browser/test_feedback_page.py.
"""

import re
import sys
import sysconfig

import nbformat

from autograder import course
from autograder.engine.feedback import (ACTIVE_OUTPUT_NOTE, OWN_OUTPUT_LABEL, VERDICT_KEY, attach_verdict,
                                        exercise_titles, latex_to_mathml, lay_out, markdown_to_html, neutral_paths,
                                        render_feedback)
from course_utils.grading.hidden import Verdict
from helpers import count_formulas, read, source_notebooks

# --- formulas ---------------------------------------------------------------------------


def test_a_formula_becomes_mathml_inline_or_as_a_block():
    inline = latex_to_mathml(r"\frac{1}{m}")
    assert inline.startswith('<math display="inline">')
    assert "<mfrac>" in inline and "$" not in inline and "\\" not in inline
    assert latex_to_mathml(r"\sigma(z)", display=True).startswith('<math display="block">')
    # latex2mathml 3.81 leaves a delimiter after \big as its command; it is drawn as the character
    assert latex_to_mathml(r"\big\lVert W \big\rVert_F^2").count('maxsize="1.2em">&#x02016;</mo>') == 2


def test_a_formula_latex2mathml_does_not_know_shows_as_its_source_never_as_dollars():
    assert latex_to_mathml(r"\notacommand x + 1") == '<code class="kit-tex">\\notacommand x + 1</code>'
    assert latex_to_mathml(r"\frac{1}{") == '<code class="kit-tex">\\frac{1}{</code>'  # unbalanced
    assert latex_to_mathml(r"a < b") == latex_to_mathml(r"a < b")  # cached, and the < is an entity
    assert "<mo>&#x0003C;</mo>" in latex_to_mathml(r"a < b")


def test_every_standard_operator_name_is_drawn_as_an_operator():
    """The kind: LaTeX's operator names, \\arg among them, which latex2mathml 3.81 does not know."""
    names = ("arccos arcsin arctan arg cos cosh cot coth csc deg det dim exp gcd hom inf ker lg lim liminf "
             "limsup ln log max min Pr sec sin sinh sup tan tanh").split()
    for name in names:
        out = latex_to_mathml(f"\\{name} x").replace("lim&#x02006;", "lim")  # \\liminf: lim, a thin space, inf
        assert re.search(f"<m[io][^>]*>{name}</m[io]><mi>x</mi>", out), (name, out)
    # the instance: Track 5/04's analogy, which the feedback page showed as its LaTeX source
    out = latex_to_mathml(r"w^\star = \arg\max_{w}\ \text{sim}\!\left(e_w,\ e_{king} - e_{man} + e_{woman}\right).",
                          display=True)
    assert "<mo>arg</mo><msub><mo>max</mo><mrow><mi>w</mi></mrow></msub>" in out
    assert latex_to_mathml(r"\argument x") == '<code class="kit-tex">\\argument x</code>'  # a longer name is not \arg


def test_text_inside_a_formula_cannot_open_an_html_tag():
    assert "<mtext>&lt;script&gt;</mtext>" in latex_to_mathml(r"\text{<script>}")


_PLAIN_PARTS = re.compile(r"<(math|code|pre)\b.*?</\1>|<[^>]+>", re.S)


def test_every_formula_of_every_notebook_is_drawn_as_mathml(record_property):
    """The kind: every formula of the course's markdown, not only notebook 01's, renders offline."""
    import time

    t0 = time.perf_counter()
    total = 0
    for path in source_notebooks():
        for i, cell in enumerate(read(path).cells):
            if cell.cell_type != "markdown":
                continue
            n_formulas = count_formulas(cell.source)
            out = markdown_to_html(cell.source)
            where = f"{path.parent.name}/{path.name} cell {i}"
            assert out.count("<math ") == n_formulas, where
            assert 'class="kit-tex"' not in out, f"{where}: a formula latex2mathml cannot draw"
            plain = _PLAIN_PARTS.sub("", out)
            assert "$$" not in plain and "\\begin{" not in plain and "\\frac" not in plain, where
            total += n_formulas
    assert total > 2000  # the course's notebooks hold about 2,300 formulas
    record_property("timing", ("feedback: every formula of every notebook to MathML", time.perf_counter() - t0))


# --- paths of the grading machine -----------------------------------------------------


def test_host_paths_become_neutral_names_and_cell_frames_stay():
    purelib = sysconfig.get_paths()["purelib"]
    cases = {
        f"File {purelib}/numpy/_core/fromnumeric.py:86, in _wrapreduction":
            "File <python packages>/numpy/_core/fromnumeric.py:86, in _wrapreduction",
        f"File {course.REPO}/course_utils/grading/checks.py:339, in check_function":
            "File <course>/course_utils/grading/checks.py:339, in check_function",
        f"File \x1b[0;32m{course.REPO}/course_utils/grading/checks.py:339\x1b[0m, in \x1b[0;36mcheck_function":
            "File \x1b[0;32m<course>/course_utils/grading/checks.py:339\x1b[0m, in \x1b[0;36mcheck_function",
        "FileNotFoundError: '/home/student/work/weights.npy'": "FileNotFoundError: '~/work/weights.npy'",
        f"{course.BUILD}/sandboxes/grade-alice-x8k2_q1/work/01_numpy_basics.ipynb": "~/work/01_numpy_basics.ipynb",
        "/tmp/grade-bob-3jd9/work/out.txt": "~/work/out.txt",
        "/tmp/scratch.txt and /root/.cache/x": "<tmp>/scratch.txt and ~/.cache/x",
        "/usr/lib/python3.11/json/decoder.py:355": "<python>/json/decoder.py:355",
        "/opt/conda/lib/python3.12/site-packages/scipy/x.py": "<python packages>/scipy/x.py",
        "Cell In[30], line 12, in L1(yhat, y)": "Cell In[30], line 12, in L1(yhat, y)",
        "expected (4, 1), got (4,) / reshape it": "expected (4, 1), got (4,) / reshape it",
        "/tmpdir_is_a_name and a/relative/site-packages/x": "/tmpdir_is_a_name and a/relative/site-packages/x",
    }
    if sys.prefix != sys.base_prefix:  # a virtual environment
        cases[f"{sys.prefix}/bin/python -m autograder"] = "<python env>/bin/python -m autograder"
    for text, expected in cases.items():
        assert neutral_paths(text) == expected, text


# --- exercise names -------------------------------------------------------------------


def test_the_index_names_each_exercise_of_a_real_notebook():
    nb = read(course.SOURCE / "1_neural_networks" / "01_numpy_basics.ipynb")
    assert exercise_titles(nb.cells) == {
        "test_basic_sigmoid": "Exercise 1 — <code>basic_sigmoid</code> (one number, with <code>math</code>)",
        "test_sigmoid": "Exercise 2 — <code>sigmoid</code> (numpy, any shape)",
        "test_sigmoid_derivative": "Exercise 3 — <code>sigmoid_derivative</code>",
        "test_image2vector": "Exercise 4 — <code>image2vector</code>",
        "test_normalize_rows": "Exercise 5 — <code>normalize_rows</code>",
        "test_softmax": "Exercise 6 — <code>softmax</code> (row-wise)",
        "test_L1": "Exercise 7 — <code>L1</code> loss",
        "test_L2": "Exercise 8 — <code>L2</code> loss",
    }
    autodiff = exercise_titles(read(course.SOURCE / "2_improving_deep_networks" / "08_autodiff.ipynb").cells)
    assert autodiff["test_topological_order"] == "Exercise 3: <code>topological_order</code>"
    # 4/07: one markdown cell introduces verify and who_is_it, and who_is_it's check calls
    # functools.partial(outcome, who_is_it): the verify check was titled "Exercise 3 — who_is_it — checks verify"
    # and the who_is_it check "... — checks functools"
    faces = exercise_titles(read(course.SOURCE / "4_convolutional_networks" / "07_face_verification.ipynb").cells)
    assert faces["test_verify"] == "Exercise 2 — <code>verify</code>"
    assert faces["test_who_is_it"] == "Exercise 3 — <code>who_is_it</code>"
    # 5/07: one_step_attention's check re-checks masked_softmax (check_function, quietly) to say which exercise to
    # fix first; the title read "Exercise 2 — one_step_attention — checks masked_softmax"
    attention = exercise_titles(read(course.SOURCE / "5_sequence_models" /
                                     "07_attention_date_translation.ipynb").cells)
    assert attention["test_one_step_attention"] == "Exercise 2 — <code>one_step_attention</code>"


def test_every_graded_cell_of_every_notebook_is_titled_by_the_function_it_tests():
    """The class of the 4/07 instance: each test cell's title names its HiddenTest's function, and no other
    graded function of its notebook."""
    from helpers import source_notebooks

    wrong = {}
    for path in source_notebooks():
        nb = read(path)
        titles = exercise_titles(nb.cells)
        tested = {c.metadata["nbgrader"]["grade_id"]: re.findall(r'HiddenTest\(\s*"(\w+)"', c.source)
                  for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")}
        every = {n for ns in tested.values() for n in ns}
        for gid, names in tested.items():
            shown = set(re.findall(r"<code>(\w+)</code>", titles[gid]))
            if names and not (set(names) & shown) or (shown & every) - set(names):
                wrong[f"{path.parent.name}/{path.stem}:{gid}"] = titles[gid]
    assert wrong == {}


def _md(text):
    return nbformat.v4.new_markdown_cell(text)


def _test_cell(grade_id, source="", points=1, **extra):
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": grade_id, "locked": True, "points": points,
                                 "solution": False, "task": False, "schema_version": 3, **extra}
    return cell


def test_an_exercise_is_named_by_its_heading_its_function_or_its_grade_id():
    cells = [_test_cell("test_my_thing"),  # nothing to go by: the grade id in words
             _test_cell("test_f", "check_function(f, ref, [(x,)])"),  # no heading yet: the function
             _md("## Exercise 2: the $\\sigma$ of **everything**"),
             _md("Some code:\n```python\n# a comment, not a heading\nx = 1\n```"),
             _test_cell("test_g", 'check_function(partial(g, 2), ref, [(x,)])\n'
                                  '### BEGIN HIDDEN TESTS\nt = HiddenTest("g", g, ref, seed=1)\n### END HIDDEN TESTS'),
             _test_cell("test_g_again", 'check_function(g, ref, [(y,)])')]
    titles = exercise_titles(cells)
    sigma = latex_to_mathml("\\sigma")
    assert titles == {
        "test_my_thing": "test my thing",
        "test_f": "checks <code>f</code>",
        "test_g": f"Exercise 2: the {sigma} of everything — checks <code>g</code> (<code>test_g</code>)",
        "test_g_again": f"Exercise 2: the {sigma} of everything — checks <code>g</code> (<code>test_g_again</code>)",
    }


# --- the verdict under a graded cell ---------------------------------------------------


def _verdict(cell, score):
    nb = nbformat.v4.new_notebook(cells=[cell])
    cell.metadata["nbgrader"]["score"] = score
    lay_out(nb)
    return cell.metadata["feedback"]["verdict"]


def _out(text):
    return nbformat.v4.new_output("stream", name="stdout", text=text)


def test_a_hidden_failure_leads_above_the_visible_checks_that_passed():
    cell = _test_cell("test_L2", "check_function(L2, ref, [(a, b)])")
    cell.execution_count = 36
    cell.outputs = [_out("✔ L2: all 1 check(s) match the reference.\n✔ L2: 7 hidden check(s) recorded.\n")]
    attach_verdict(cell, Verdict("test_L2", 7, ["hidden case 3 (2, 6) arrays: L2 output: expected 29.7, got 18.0"], 7))
    assert cell.outputs[-1]["text"].startswith("Grader: failed (1 of 7 hidden check(s)).")  # the autograded notebook
    assert _verdict(cell, 0.0) == {
        "outcome": "failed", "headline": "Grader: failed — 0 / 1 point",
        "reason": "1 of 7 hidden check(s) failed:\n  hidden case 3 (2, 6) arrays: L2 output: expected 29.7, got 18.0"}
    # the plain-text verdict left the outputs (the page draws it first); the kernel's lines stay, labelled
    assert [o["text"][:5] for o in cell.outputs] == ["✔ L2:"]


def test_a_visible_check_that_raised_is_the_reason_with_its_whole_message():
    cell = _test_cell("test_L1", "check_function(L1, ref, [(a, b)])")
    cell.execution_count = 33
    cell.outputs = [nbformat.v4.new_output(
        "error", ename="CheckFailed", traceback=["..."],
        evalue="L1(array(1, 5), array(1, 5)), case 1:\nL1 output: 1 of 1 entries differ\n  value: expected 1.05, got 2.05")]
    attach_verdict(cell, Verdict("test_L1", 6, ["hidden case 1: no result was recorded for this case"] * 6, 0))
    assert _verdict(cell, 0.0) == {
        "outcome": "failed", "headline": "Grader: failed — 0 / 1 point",
        "reason": "This cell stopped with an error in your notebook, so its hidden checks did not run:\n"
                  "  CheckFailed: L1(array(1, 5), array(1, 5)), case 1:\n  L1 output: 1 of 1 entries differ\n"
                  "    value: expected 1.05, got 2.05\n"
                  "6 hidden check(s) not run. The whole error is below, in your notebook's output."}


def test_a_passed_cell_and_a_cell_the_grader_did_not_judge():
    passed = _test_cell("test_softmax", points=2)
    passed.execution_count = 20
    attach_verdict(passed, Verdict("test_softmax", 9, [], 9))
    assert _verdict(passed, 2.0) == {"outcome": "passed", "headline": "Grader: passed — 2 / 2 points",
                                     "reason": "All 9 hidden check(s) passed, judged outside your notebook."}
    ungraded = _test_cell("test_practice", points=0)  # a check worth no points still says how it went
    ungraded.execution_count = 21
    attach_verdict(ungraded, Verdict("test_practice", 2, [], 2))
    assert _verdict(ungraded, 0.0)["headline"] == "Grader: passed — 0 / 0 points"
    # no verdict attached (a cell that did not run, or was zeroed): a "Grader: passed" the
    # student's own code printed is not taken for the verdict, and stays labelled as theirs
    forged = _test_cell("test_sigmoid", points=1)
    forged.execution_count = 5
    forged.outputs = [_out("Grader: passed (5 hidden check(s), judged outside your notebook).\n")]
    assert _verdict(forged, 0.0) == {
        "outcome": "failed", "headline": "Grader: failed — 0 / 1 point",
        "reason": "The grader did not judge this cell's hidden tests (see the problems listed with your grade)."}
    assert len(forged.outputs) == 1
    not_run = _test_cell("test_L2")
    assert _verdict(not_run, 0.0)["reason"] == ("This cell did not run: the run of your notebook ended before it "
                                                "(see the problems listed with your grade).")
    assert VERDICT_KEY not in not_run.metadata


# --- the page -------------------------------------------------------------------------


def test_the_page_has_no_script_and_draws_every_kind_of_formula():
    """Markdown cells, a comment, text/markdown and text/latex outputs (display(Math(...)))."""
    md = _md("# Exercise 1 — `f`\nThe cost $J = \\frac{1}{m}\\sum_i L_i$ and\n$$\\hat y = \\sigma(z)$$")
    show = nbformat.v4.new_code_cell("display(Math(...))", execution_count=1)
    show.outputs = [nbformat.v4.new_output("display_data", data={"text/latex": "$$x^2$$", "text/plain": "<Math>"}),
                    nbformat.v4.new_output("display_data", data={"text/markdown": "and $y^3$",
                                                                 "text/plain": "<Markdown>"})]
    test = _test_cell("test_f", "check_function(f, ref, [(x,)])\n### BEGIN HIDDEN TESTS\n"
                                "t = HiddenTest('f', f, ref, seed=918273)\nt.finish()\n### END HIDDEN TESTS")
    test.execution_count = 2
    test.outputs = [_out(f"✔ f: all 1 check(s) match the reference.\nsaved to {course.REPO}/x.npy\n")]
    attach_verdict(test, Verdict("test_f", 3, [], 3))
    test.metadata["nbgrader"]["score"] = 1.0
    nb = nbformat.v4.new_notebook(cells=[md, show, test])
    page = render_feedback(nbformat.writes(nbformat.from_dict(nb)), "01_f", 1.0, 1.0)
    assert "<script" not in page and "mathjax" not in page.lower()
    assert not re.findall(r"""(?:src|href)=["']?(?:https?:)?//""", page)
    assert page.count("<math ") == 4 and "$$" not in page
    assert "918273" not in page and "hidden tests: not shown in feedback" in page
    assert '<a href="#test_f">Exercise 1 — <code>f</code></a>' in page
    verdict = page.index('<div class="kit-verdict kit-verdict-passed"')
    assert page.index("Grader: passed — 1 / 1 point") > verdict
    assert verdict < page.index(OWN_OUTPUT_LABEL) < page.index("✔ f: all 1 check(s) match")
    assert "saved to &lt;course&gt;/x.npy" in page and str(course.REPO) not in page


def test_a_reason_quoting_hidden_source_is_withheld_like_any_printed_line():
    cell = _test_cell("test_f", "check_function(f, ref, [(x,)])\n### BEGIN HIDDEN TESTS\n"
                                "t = HiddenTest('f', f, ref, seed=918273)\nassert f(secret_input_7) == 3\n"
                                "### END HIDDEN TESTS")
    cell.execution_count = 3
    attach_verdict(cell, Verdict("test_f", 2, ["hidden check 1: assert f(secret_input_7) == 3 failed",
                                               "hidden check 2: f should return an int"], 2))
    assert _verdict(cell, 0.0)["reason"] == ("2 of 2 hidden check(s) failed:\n# [hidden tests: not shown in feedback]\n"
                                             "  hidden check 2: f should return an int")


def test_nothing_a_student_notebook_holds_runs_or_loads_on_the_page():
    """The kind: any HTML from the student's notebook (a markdown cell they wrote, an HTML, SVG,
    JavaScript or widget output, saved widget state). The instance: display(HTML("<script>...<img
    src=http://...>")) reached the page as it was."""
    md = _md("Mine: <script>alert('md')</script><img src=\"http://example.com/a.png\" onerror=\"x()\"> "
             "<a href=\"javascript:alert(1)\">j</a> <a href=\"https://numpy.org\">numpy</a> and $x^2$\n\n"
             "![kept](data:image/png;base64,iVBORw0KGgo=)")
    show = nbformat.v4.new_code_cell("display(...)", execution_count=1)
    svg = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(3)</script><circle r="4"/></svg>'
    show.outputs = [
        nbformat.v4.new_output("display_data", data={
            "text/html": "<b>bold</b><script>alert('out')</script><img src=http://example.com/t.gif>"
                         "<div style=\"color: red; background-image: url(http://example.com/b.png)\" "
                         "onclick=\"x()\">styled</div><iframe src=\"https://example.com\"></iframe>",
            "text/plain": "<HTML>"}),
        nbformat.v4.new_output("display_data", data={"application/javascript": "alert(2)",
                                                     "text/plain": "<Javascript>"}),
        nbformat.v4.new_output("display_data", data={"application/vnd.jupyter.widget-view+json":
                                                     {"model_id": "m1", "version_major": 2, "version_minor": 0}}),
        nbformat.v4.new_output("display_data", data={"image/svg+xml": svg, "text/plain": "<Figure>"}),
    ]
    nb = nbformat.v4.new_notebook(cells=[md, show])
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}, "version_major": 2,
                                                                           "version_minor": 0}}
    page = render_feedback(nbformat.writes(nb), "01_f", 0.0, 0.0)
    lowered = page.lower()
    assert "<script" not in lowered and "<iframe" not in lowered and "javascript:" not in lowered
    assert not re.findall(r"""\son\w+=""", lowered)
    assert not re.findall(r"""src=["']?(?:https?:)?//""", page)  # a link loads nothing until followed
    assert re.findall(r"""href=["']?(?:https?:)?//[^"'>]*""", page) == ['href="https://numpy.org']
    assert "url(" not in page.split("</style>")[-1]
    assert "alert" not in page
    assert "<b>bold</b>" in page and '<div style="color: red;">styled</div>' in page
    assert '<a href="https://numpy.org">numpy</a>' in page and page.count("<math ") == 1
    assert '<img src="data:image/png;base64,iVBORw0KGgo=" alt="kept"' in page
    assert ACTIVE_OUTPUT_NOTE in page and "&lt;Javascript&gt;" in page
    assert 'src="data:image/svg+xml;base64,' in page and "<svg" not in page
