"""Similarity across a class (issue 18, point 3): autograder.engine.similarity on a class of solution
cells, no sandbox (the report compares the cells handed in; grading them adds nothing).

The class hands in Track 1's 04_deep_network_step_by_step, answering four exercises; every other
solution cell is left as the release gave it (the scaffold, which must never count as a copy):

  ann  her own initialize_parameters_deep, L_model_forward and compute_cost
  ben  ann's three answers with every name changed, re-indented, blank lines and comments added
       -> the pair ann/ben listed on all three exercises, score 100%
  cat, dan  their own, written differently (zip over layer sizes, a dict comprehension, a loop
       over examples, a matrix product...)   -> never listed with anyone
  eve  her own initialize_parameters_deep and compute_cost; in L_model_forward ann's loop over
       the hidden layers copied as it is, the output layer her own
       -> listed with ann (and with ben, who has ann's code) on L_model_forward only, with a lower
          score, and the lines she copied marked
  everyone answers linear_forward (one line: Z = W A + b) in one of four honest ways -> the
       exercise is excluded (its reference has 20 tokens, fewer than 30) and the report says so;
       without the rule, two honest one-liners would be listed.

Every honest answer is checked against the course's reference first (they are correct code, not
just different text).
"""

from __future__ import annotations

import csv
import html
import json
import time

import numpy as np
import pytest

from autograder.engine import similarity
from autograder.engine.similarity import MIN_TOKENS, THRESHOLD, similarity_report, solution_tokens
from helpers import html_text, nbg

TRACK, STEM = "1_neural_networks", "04_deep_network_step_by_step"

ANN = {
    "initialize_parameters_deep": """\
    generator = np.random.default_rng(seed)
    params = {}
    for layer in range(1, len(layer_dims)):
        fan_out, fan_in = layer_dims[layer], layer_dims[layer - 1]
        params["W" + str(layer)] = generator.standard_normal((fan_out, fan_in)) * 0.01
        params["b" + str(layer)] = np.zeros((fan_out, 1))
    return params""",
    "L_model_forward": """\
    caches = []
    A = X
    n_layers = len(parameters) // 2
    for layer in range(1, n_layers):
        W, b = parameters["W" + str(layer)], parameters["b" + str(layer)]
        A, cache = linear_activation_forward(A, W, b, activation="relu")
        caches.append(cache)
    W, b = parameters["W" + str(n_layers)], parameters["b" + str(n_layers)]
    AL, cache = linear_activation_forward(A, W, b, activation="sigmoid")
    caches.append(cache)
    assert AL.shape == (1, X.shape[1])
    return AL, caches""",
    "compute_cost": """\
    m = Y.shape[1]
    logprobs = np.multiply(Y, np.log(AL)) + np.multiply(1 - Y, np.log(1 - AL))
    cost = -np.sum(logprobs) / m
    cost = np.squeeze(cost)
    return float(cost)""",
    "linear_forward": """\
    Z = W @ A + b
    cache = (A, W, b)
    return Z, cache""",
}
BEN = {  # ann's, every name changed, whitespace and comments added
    "initialize_parameters_deep": """\
    # make the generator first
    g = np.random.default_rng( seed )
    out = {}

    for i in range(1, len(layer_dims)):   # one pass per layer
        n_o, n_i = layer_dims[i], layer_dims[i - 1]
        out["W" + str(i)] = g.standard_normal((n_o, n_i)) * 0.01
        out["b" + str(i)] = np.zeros((n_o, 1))

    return out""",
    "L_model_forward": """\
    cache_list = []
    act = X
    depth = len(parameters) // 2

    # hidden layers
    for k in range(1, depth):
        w, bias = parameters["W" + str(k)], parameters["b" + str(k)]
        act, c = linear_activation_forward(act, w, bias, activation="relu")
        cache_list.append(c)
    # output layer
    w, bias = parameters["W" + str(depth)], parameters["b" + str(depth)]
    out, c = linear_activation_forward(act, w, bias, activation="sigmoid")
    cache_list.append(c)
    assert out.shape == (1, X.shape[1])
    return out, cache_list""",
    "compute_cost": """\
    n = Y.shape[1]
    lp = np.multiply(Y, np.log(AL)) + np.multiply(1 - Y, np.log(1 - AL))   # per example
    c = -np.sum(lp) / n
    c = np.squeeze(c)
    return float(c)""",
    "linear_forward": """\
    Z = np.dot(W, A) + b
    cache = (A, W, b)
    return Z, cache""",
}
CAT = {
    "initialize_parameters_deep": """\
    rng = np.random.default_rng(seed)
    parameters = {}
    dims = list(layer_dims)
    for l, (n_prev, n) in enumerate(zip(dims[:-1], dims[1:]), start=1):
        parameters[f"W{l}"] = 0.01 * rng.standard_normal(size=(n, n_prev))
        parameters[f"b{l}"] = np.zeros(shape=(n, 1))
    return parameters""",
    "L_model_forward": """\
    L = len(parameters) // 2
    caches = []
    A = X
    for l in range(1, L + 1):
        activation = "sigmoid" if l == L else "relu"
        A, cache = linear_activation_forward(A, parameters[f"W{l}"], parameters[f"b{l}"], activation)
        caches.append(cache)
    return A, caches""",
    "compute_cost": """\
    m = AL.shape[1]
    total = 0.0
    for i in range(m):
        y, p = Y[0, i], AL[0, i]
        total += y * np.log(p) + (1 - y) * np.log(1 - p)
    return float(-total / m)""",
    "linear_forward": """\
    out = np.matmul(W, A) + b
    return out, (A, W, b)""",
}
DAN = {
    "initialize_parameters_deep": """\
    rng = np.random.default_rng(seed)
    sizes = layer_dims
    weights = [rng.standard_normal((sizes[i], sizes[i - 1])) * 0.01 for i in range(1, len(sizes))]
    return {key: value for i, w in enumerate(weights, 1)
            for key, value in ((f"W{i}", w), (f"b{i}", np.zeros((w.shape[0], 1))))}""",
    "L_model_forward": """\
    names = sorted({int(k[1:]) for k in parameters})
    activations = ["relu"] * (len(names) - 1) + ["sigmoid"]
    A, caches = X, []
    for l, act in zip(names, activations):
        A, cache = linear_activation_forward(A, parameters["W%d" % l], parameters["b%d" % l], act)
        caches += [cache]
    return A, caches""",
    "compute_cost": """\
    m = Y.shape[1]
    cost = -(Y @ np.log(AL).T + (1 - Y) @ np.log(1 - AL).T) / m
    return cost.item()""",
    "linear_forward": """\
    cache = (A, W, b)
    Z = W.dot(A) + b
    return Z, cache""",
}
#: eve's L_model_forward: ann's loop over the hidden layers (COPIED), the output layer her own
COPIED = """\
    caches = []
    A = X
    n_layers = len(parameters) // 2
    for layer in range(1, n_layers):
        W, b = parameters["W" + str(layer)], parameters["b" + str(layer)]
        A, cache = linear_activation_forward(A, W, b, activation="relu")
        caches.append(cache)"""
EVE_OWN = """\
    last = {name: parameters[name + str(n_layers)] for name in ("W", "b")}
    output, final = linear_activation_forward(A, last["W"], last["b"], "sigmoid")
    return output, caches + [final]"""
EVE = {
    "initialize_parameters_deep": """\
    rng = np.random.default_rng(seed)
    parameters = {}
    L = len(layer_dims)
    l = 1
    while l < L:
        parameters["W%d" % l] = rng.standard_normal((layer_dims[l], layer_dims[l - 1])) / 100
        parameters["b%d" % l] = np.zeros((layer_dims[l], 1), dtype=float)
        l += 1
    return parameters""",
    "L_model_forward": COPIED + "\n" + EVE_OWN,
    "compute_cost": """\
    per_example = np.where(Y == 1, np.log(AL), np.log(1 - AL))
    return float(-per_example.mean())""",
    "linear_forward": """\
    Z = np.einsum("ij,jk->ik", W, A) + b
    return Z, (A, W, b)""",
}
CLASS = {"ann": ANN, "ben": BEN, "cat": CAT, "dan": DAN, "eve": EVE}
ANSWERED = sorted(ANN)   # the four exercises answered; every other solution cell is the release's stub


def _cell_with(release_text: str, body: str) -> str:
    """The release's cell with its stub replaced by ``body`` (what a student hands in)."""
    stub = "    # YOUR CODE HERE\n    raise NotImplementedError()"
    assert release_text.count(stub) == 1
    return release_text.replace(stub, body)


@pytest.fixture(scope="module")
def class_folder(release_dir, tmp_path_factory):
    """SUBMISSIONS/<student>/1_neural_networks/04_deep_network_step_by_step.ipynb for the class above."""
    subs = tmp_path_factory.mktemp("similarity-class")
    release_nb = json.loads((release_dir / TRACK / f"{STEM}.ipynb").read_text(encoding="utf-8"))
    for student, answers in CLASS.items():
        nb = json.loads(json.dumps(release_nb))
        for cell in nb["cells"]:
            gid = nbg(cell).get("grade_id")
            if gid in answers:
                cell["source"] = _cell_with("".join(cell["source"]), answers[gid])
        path = subs / student / TRACK / f"{STEM}.ipynb"
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return subs


@pytest.fixture(scope="module")
def report(class_folder, release_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("similarity-out")
    t0 = time.perf_counter()
    rep = similarity_report(class_folder, out, release=release_dir)
    rep.seconds = time.perf_counter() - t0
    return rep


def _pairs(rep) -> dict[tuple[str, str, str], float]:
    return {(p.exercise, p.a[0], p.b[0]): round(p.score, 2) for p in rep.pairs}


def _handed_in(class_folder, student: str, exercise: str) -> str:
    nb = json.loads((class_folder / student / TRACK / f"{STEM}.ipynb").read_text(encoding="utf-8"))
    return next("".join(c["source"]) for c in nb["cells"] if nbg(c).get("grade_id") == exercise)


def test_every_answer_is_correct_code():
    """The class's answers are right (so 'honest' means honest work, not wrong code), checked with
    the course's own comparison against the reference."""
    import course_utils.exercises.deep_step_by_step as ref
    from course_utils.grading.checks import compare

    rng = np.random.default_rng(5)
    params = ref.initialize_parameters_deep([5, 4, 3, 1], seed=2)
    calls = {"initialize_parameters_deep": ([4, 3, 2, 1], 7),
             "L_model_forward": (rng.standard_normal((5, 7)), params),
             "compute_cost": (rng.uniform(0.05, 0.95, (1, 7)), (rng.random((1, 7)) < 0.5).astype(float)),
             "linear_forward": (rng.standard_normal((5, 7)), rng.standard_normal((3, 5)), rng.standard_normal((3, 1)))}
    signature = {"initialize_parameters_deep": "layer_dims, seed=3", "L_model_forward": "X, parameters",
                 "compute_cost": "AL, Y", "linear_forward": "A, W, b"}
    for student, answers in CLASS.items():
        for fn, body in answers.items():
            ns = {"np": np, "linear_activation_forward": ref.linear_activation_forward}
            exec(f"def {fn}({signature[fn]}):\n{body}\n", ns)
            compare(getattr(ref, fn)(*calls[fn]), ns[fn](*calls[fn]), where=f"{student}'s {fn} output")


def test_names_and_whitespace_do_not_hide_a_copy():
    """copydetect's tokenisation, as the report uses it: ben's renamed, re-indented, commented
    copy of each of ann's answers is the same text as hers; cat's and dan's own are not."""
    from copydetect.utils import filter_code

    def tokens(fn, body):
        return filter_code(f"def {fn}(a, b):\n{body}\n", "cell.py", "python")[0]

    for fn in ("initialize_parameters_deep", "L_model_forward", "compute_cost"):
        assert tokens(fn, BEN[fn]) == tokens(fn, ANN[fn]), fn
        assert tokens(fn, CAT[fn]) != tokens(fn, ANN[fn]) and tokens(fn, DAN[fn]) != tokens(fn, ANN[fn]), fn


def test_the_listed_pairs_are_the_copies(report, record_property):
    """Exactly the copies are listed: ann/ben on all three (100%), eve's partial copy of ann's
    L_model_forward (so also of ben's) with a lower score; no pair of honest answers."""
    record_property("timing", ("similarity report of a class of 5 (one notebook, no sandbox)", report.seconds))
    assert _pairs(report) == {
        ("initialize_parameters_deep", "ann", "ben"): 1.0,
        ("L_model_forward", "ann", "ben"): 1.0,
        ("L_model_forward", "ann", "eve"): 0.83,
        ("L_model_forward", "ben", "eve"): 0.83,
        ("compute_cost", "ann", "ben"): 1.0,
    }
    by_ex = {e.exercise: e for e in report.exercises}
    for ex in ("initialize_parameters_deep", "L_model_forward", "compute_cost"):
        e = by_ex[ex]
        assert (e.excluded, e.answered, e.not_answered, e.compared, len(e.scores)) == ("", 5, 0, 10, 10), ex
        assert sorted(s for s in e.scores if s >= THRESHOLD) == sorted(p.score for p in e.pairs), ex
    # the honest pairs' baseline: what independent answers share is far below the threshold
    assert max(s for s in by_ex["initialize_parameters_deep"].scores if s < 1.0) < 0.3
    assert by_ex["compute_cost"].baseline == 0.0 and by_ex["L_model_forward"].baseline == 0.0


def test_the_partial_copy_names_what_was_copied(report, class_folder):
    """eve/ann on L_model_forward: eve's lines in the pair are exactly the ones she copied, marked
    in her cell; her own output layer is not. Her share (what of her answer is ann's) is lower
    than ann's (what of ann's answer is in hers: the loop, and ann's output layer that repeats the
    loop's call)."""
    (pair,) = [p for p in report.pairs if (p.exercise, p.a[0], p.b[0]) == ("L_model_forward", "ann", "eve")]
    cell = _handed_in(class_folder, "eve", "L_model_forward").split("\n")
    first = cell.index(COPIED.split("\n")[0]) + 1
    copied = list(range(first, first + len(COPIED.split("\n"))))
    assert pair.lines_b == f"{copied[0]}-{copied[-1]}"
    assert (round(pair.share_a, 2), round(pair.share_b, 2)) == (0.83, 0.59)
    marked = [ln[len("<mark>"):-len("</mark>")] for ln in pair.marked_b.split("\n") if ln.startswith("<mark>")]
    assert marked == [html.escape(cell[n - 1]) for n in copied]
    assert pair.lines_a == f"{copied[0]}-{copied[-1] + 3}"  # ann's loop, and her output layer's three lines


def test_the_scaffold_never_counts(report):
    """The five exercises nobody answered hold only the release's text: nothing to compare, no pair."""
    unanswered = [e for e in report.exercises if e.exercise not in ANSWERED]
    assert sorted(e.exercise for e in unanswered) == ["L_model_backward", "linear_activation_backward",
                                                      "linear_activation_forward", "linear_backward",
                                                      "update_parameters"]
    for e in unanswered:
        assert (e.excluded, e.answered, e.not_answered, e.compared, e.pairs) == ("", 0, 5, 0, []), e.exercise


def test_a_one_line_exercise_is_excluded_and_the_report_says_so(report, class_folder, release_dir):
    """linear_forward's reference is 20 tokens: excluded, with the rule. Without the rule, two honest
    one-liners (ben's np.dot and cat's np.matmul: the same text once names are V) would be listed."""
    (e,) = [e for e in report.exercises if e.exercise == "linear_forward"]
    assert e.reference_tokens == solution_tokens(ANN["linear_forward"]) == 20 < MIN_TOKENS == 30
    assert e.excluded == ("its reference solution has 20 tokens, fewer than 30: correct answers this short "
                          "look alike")
    assert (e.compared, e.pairs) == (0, [])
    # the rule is what keeps honest work off the list
    release_nb = json.loads((release_dir / TRACK / f"{STEM}.ipynb").read_text(encoding="utf-8"))
    stub = next("".join(c["source"]) for c in release_nb["cells"] if nbg(c).get("grade_id") == "linear_forward")
    unruled = similarity.Exercise(STEM, "linear_forward", 20)
    answers = {(s, TRACK): _handed_in(class_folder, s, "linear_forward") for s in CLASS}
    similarity.compare_exercise(unruled, answers, stub)
    assert [(p.a[0], p.b[0], round(p.score, 2)) for p in unruled.pairs] == [("ben", "cat", 0.62)]


def test_the_files(report):
    """similarity.csv: one row per listed pair; similarity.html: the pairs with the shared lines
    marked, every exercise compared, the excluded one with the rule; no script, nothing loaded."""
    with open(report.csv, newline="", encoding="utf-8") as f:
        rows = [(r["exercise"], r["student_a"], r["student_b"], r["score"], r["share_a"], r["share_b"], r["lines_b"])
                for r in csv.DictReader(f)]
    eve_lines = next(p.lines_b for p in report.pairs if p.b[0] == "eve")
    assert rows == [
        ("L_model_forward", "ann", "ben", "1.00", "1.00", "1.00", "12-26"),
        ("L_model_forward", "ann", "eve", "0.83", "0.83", "0.59", eve_lines),
        ("L_model_forward", "ben", "eve", "0.83", "0.83", "0.59", eve_lines),
        ("compute_cost", "ann", "ben", "1.00", "1.00", "1.00", "11-15"),
        ("initialize_parameters_deep", "ann", "ben", "1.00", "1.00", "1.00", "11-20"),
    ]
    page = report.html.read_text(encoding="utf-8")
    text = html_text(report.html)
    assert "<script" not in page and "<link" not in page and " src=" not in page
    assert "Pairs at 50% or more: 5" in text
    assert "L_model_forward: ann and eve, score 83%" in text
    assert f"eve: 59% of this answer is in ann's (lines {eve_lines})." in text
    assert page.count("<mark>") == sum(len(p.marked_a.split("<mark>")) + len(p.marked_b.split("<mark>")) - 2
                                       for p in report.pairs)
    excluded = page.split('id="excluded"', 1)[1]
    assert "linear_forward" in excluded and "fewer than 30" in excluded
    assert "has fewer than 30 tokens is not compared" in " ".join(text.split())  # the rule, stated


def test_a_report_that_cannot_be_made_is_logged_never_raised(tmp_path):
    """grade's end-of-run call (report.end_of_run): a class report that fails to render (here a
    grades.csv without its columns) is logged and named, the similarity report is still written,
    and nothing is raised, so no grade and no exit status depends on the reports."""
    import logging

    from autograder.engine.report import end_of_run

    (tmp_path / "grades.csv").write_text("who\nalice\n", encoding="utf-8")
    records, said = [], []
    logger = logging.getLogger("test-end-of-run")
    handler = logging.Handler()
    handler.emit = records.append
    logger.addHandler(handler)
    try:
        written = end_of_run(tmp_path, logger, said.append)
    finally:
        logger.removeHandler(handler)
    assert written == [tmp_path / "similarity.html"]
    assert said == ["grade: the class report could not be made (KeyError: 'max_score'); the grades are not affected",
                    f"reports: {tmp_path / 'similarity.html'}"]
    assert [r.getMessage() for r in records if r.levelno == logging.ERROR] == [said[0][len("grade: "):]]
