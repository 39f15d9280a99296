"""End to end: one fixture class graded by ONE `python -m autograder grade` run over every track
(sandboxed workers in parallel, nbgrader's gradebook). Each student hands in only what proves
their point; scores are per notebook, so a partial hand-in is graded as such.

"Solved" below is what an honest student hands in: the release with each stub replaced by
the source's solution (tests/helpers.py: solved).

  alice  per track, one notebook solved (carol's)                -> full marks on it
  bob    per track, that notebook untouched                      -> 0, and every cell still ran
  carol  per track, the one notebook with one function wrong     -> that notebook's points minus that test's
Every notebook's honest hand-in and untouched release are judged without the sandbox in
tests/autograder/test_student_checks.py (one run each: the grader's own judge, make check, nbgrader
validate); this class proves the sandboxed path on one notebook per track, which is all that depends
on the notebook there.
  dave   Track 1 notebook 01 only, sigmoid prints an overflow RuntimeWarning -> full marks on 01
  erin   Track 1: 01 is corrupted JSON, 02 solved                -> 01 scores 0 and is reported; 02 graded
Nothing handed in is ignored (issue 11, point 9):
  gina   01 one folder deeper (a zip extracted into its own folder), a notes file beside it
         -> graded, and the row says where it was found; the notes file is a helper
  hank   02 at the top of his folder, a scratch notebook, macOS zip metadata, Jupyter checkpoints;
         a file outside every student's folder  -> 02 graded and said so; every other file named
Notebooks as editors write them (point 10):
  ivy    01 saved by VS Code on Windows (CRLF, nbformat 4.2, its metadata, widget state), its
         solution importing a helper module handed in beside it  -> full marks
  jack   01 downloaded from Colab and saved with a UTF-8 byte-order mark (nbformat 4.0, Colab's
         cell and notebook metadata, another kernelspec)         -> full marks
One notebook as its own assignment (point 12):
  frank  01_numpy_basics/01_numpy_basics.ipynb (the assignment named after the notebook) -> 10/10

Every row of grades_by_notebook.csv is asserted. The grader's failures (point 11) are in
test_grading_failures.py, the adversarial class in test_grading_adversarial.py.
The class report and the similarity report this run ends with (issue 18, points 2 and 3) are read
back at the end; their own classes are in tests/browser/test_class_report.py and test_similarity.py.
"""

import csv
import json
import re
import subprocess
import sys
import time

import nbformat
import pytest

from autograder.engine.sandbox import available
from autograder.preprocessors import hidden_lines
from helpers import SOURCE, as_colab, as_vscode, graded_cells, html_text, nbg, points, read, replace_solution, solved

pytestmark = pytest.mark.xdist_group("grading-class")

# One function per track made wrong for carol: (notebook stem, function, wrong solution body).
# The function must be one that no other graded function of its notebook calls.
WRONG = {
    "1_neural_networks": ("01_numpy_basics", "L1", "    return float(np.sum(np.abs(y - yhat))) + 1.0"),
    "2_improving_deep_networks": ("05_exponentially_weighted_averages", "ewa_bias_corrected",
                                  "    return ewa(theta, beta) / (1 - beta)"),   # one correction for every t
    "3_ml_strategy": ("02_data_splits_and_mismatch", "split_sizes",   # a quarter each instead of a fifth
                      "    m_dev = min(m // 4, cap)\n    return m - 2 * m_dev, m_dev, m_dev"),
    "4_convolutional_networks": ("02_fast_convolution", "conv_forward_vectorized", (   # the bias forgotten
        "    stride, pad = hparameters['stride'], hparameters['pad']\n"
        "    m, n_H_prev, n_W_prev, n_C_prev = A_prev.shape\n"
        "    f, _, _, n_C = W.shape\n"
        "    n_H = (n_H_prev + 2 * pad - f) // stride + 1\n"
        "    n_W = (n_W_prev + 2 * pad - f) // stride + 1\n"
        "    A_prev_pad = np.pad(A_prev, ((0, 0), (pad, pad), (pad, pad), (0, 0)))\n"
        "    Z = im2col(A_prev_pad, f, stride) @ W.reshape(f * f * n_C_prev, n_C)\n"
        "    return Z.reshape(m, n_H, n_W, n_C), (A_prev, W, b, hparameters)")),
    "5_sequence_models": ("07_attention_date_translation", "exact_match",   # per character, not per date
                          "    return float(np.mean(Y_hat == Y))"),   # (07 loads the kit's date model in the sandbox)
}
TRACK1, TRACK2 = "1_neural_networks", "2_improving_deep_networks"
SMALL = "01_numpy_basics"        # Track 1's quickest notebook to grade
WARN = (SMALL, "sigmoid", (
    "    import warnings\n"
    "    with warnings.catch_warnings():\n"
    "        warnings.simplefilter('always')\n"
    "        np.exp(np.float64(1000.0))  # overflows on every call: a RuntimeWarning on stderr\n"
    "    return 1 / (1 + np.exp(-x))"))
CORRUPT = SMALL
ERIN_OTHER = "04_deep_network_step_by_step"   # Track 1's quickest notebook after 01
HANK_TOP = ERIN_OTHER                 # a notebook at the top of hank's folder
HELPER = ("sigmoid_helper.py", "import math\n\n\ndef basic_sigmoid_of(x):\n    return 1.0 / (1.0 + math.exp(-x))\n")

TRACKS = sorted(p.name for p in SOURCE.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def _edit(nb, grade_id, body):
    cell = next(c for c in nb.cells if nbg(c).get("grade_id") == grade_id)
    cell.source = replace_solution(cell.source, body)
    return nb


def _solved(release_dir, track, stem, edit=None):
    source = read(SOURCE / track / f"{stem}.ipynb")
    if edit:
        _edit(source, *edit)
    return solved(read(release_dir / track / f"{stem}.ipynb"), source)


def _bytes(nb) -> bytes:
    return nbformat.writes(nb).encode("utf-8")


def _class(release_dir) -> dict[str, bytes]:
    """{path under SUBMISSIONS: bytes}: the whole class."""
    files = {}
    for track in TRACKS:
        stem, fn, body = WRONG[track]
        files[f"alice/{track}/{stem}.ipynb"] = _bytes(_solved(release_dir, track, stem))
        files[f"bob/{track}/{stem}.ipynb"] = _bytes(read(release_dir / track / f"{stem}.ipynb"))
        files[f"carol/{track}/{stem}.ipynb"] = _bytes(_solved(release_dir, track, stem, (fn, body)))
    files[f"dave/{TRACK1}/{SMALL}.ipynb"] = _bytes(_solved(release_dir, TRACK1, SMALL, (WARN[1], WARN[2])))
    files[f"erin/{TRACK1}/{CORRUPT}.ipynb"] = b'{"cells": [ {"cell_type": "code", "sour'
    files[f"erin/{TRACK1}/{ERIN_OTHER}.ipynb"] = _bytes(_solved(release_dir, TRACK1, ERIN_OTHER))
    small = _bytes(_solved(release_dir, TRACK1, SMALL))
    # point 9
    files[f"gina/{TRACK1}/{TRACK1}/{SMALL}.ipynb"] = small
    files[f"gina/{TRACK1}/{TRACK1}/notes.txt"] = b"my notes\n"
    files[f"hank/{HANK_TOP}.ipynb"] = _bytes(_solved(release_dir, TRACK1, HANK_TOP))
    files["hank/scratch.ipynb"] = small
    files[f"hank/__MACOSX/{TRACK1}/._{SMALL}.ipynb"] = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X"
    files[f"hank/.ipynb_checkpoints/{HANK_TOP}-checkpoint.ipynb"] = small
    files["class-list.txt"] = b"alice bob carol\n"
    # point 10: the helper module ivy's solution imports
    ivy = json.loads(small)
    cell = next(c for c in ivy["cells"] if nbg(c).get("grade_id") == "basic_sigmoid")
    cell["source"] = ("from sigmoid_helper import basic_sigmoid_of\n\n\n"
                      "def basic_sigmoid(x):\n    return basic_sigmoid_of(x)\n")
    files[f"ivy/{TRACK1}/{SMALL}.ipynb"] = as_vscode(ivy)
    files[f"ivy/{TRACK1}/{HELPER[0]}"] = HELPER[1].encode()
    files[f"jack/{TRACK1}/{SMALL}.ipynb"] = as_colab(json.loads(small))
    # point 12
    files[f"frank/{SMALL}/{SMALL}.ipynb"] = small
    return files


@pytest.fixture(scope="module")
def graded(tmp_path_factory, release_dir):
    """Grade the class once; returns (out folder, the finished process, seconds, submissions folder)."""
    subs = tmp_path_factory.mktemp("submissions")
    out = tmp_path_factory.mktemp("results")
    for rel, data in _class(release_dir).items():
        (subs / rel).parent.mkdir(parents=True, exist_ok=True)
        (subs / rel).write_bytes(data)
    t0 = time.perf_counter()
    # without bubblewrap the grader refuses untrusted work; this class is trusted fixtures
    unsandboxed = [] if available()[0] else ["--unsandboxed"]
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(subs), "--out", str(out), "--no-progress",
                           *unsandboxed], capture_output=True, text=True, timeout=3000)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out, proc, time.perf_counter() - t0, subs


def _rows(out, name):
    with open(out / name, newline="") as f:
        return list(csv.DictReader(f))


def _points(track):
    return {p.stem: points(read(p)) for p in (SOURCE / track).glob("*.ipynb")}


def _notebooks(out, student, assignment):
    return {r["notebook"]: (float(r["score"]), float(r["max_score"]), r["status"])
            for r in _rows(out, "grades_by_notebook.csv") if (r["student"], r["assignment"]) == (student, assignment)}


def _expected_notebooks(track, handed_in: dict[str, float]):
    """{notebook: (score, max, status)}: ``handed_in`` maps a submitted notebook to its score."""
    return {stem: (handed_in[stem], sum(cells.values()), "submitted") if stem in handed_in else
            (0.0, sum(cells.values()), "not submitted") for stem, cells in _points(track).items()}


def test_scores_per_student(graded, record_property):
    """The same grades as before for every notebook graded, plus the per-notebook rows."""
    out, proc, seconds, _ = graded
    scores = {(r["student"], r["assignment"]): (float(r["score"]), float(r["max_score"]), r["status"])
              for r in _rows(out, "grades.csv")}
    for track in TRACKS:
        per_nb = _points(track)
        total = sum(sum(v.values()) for v in per_nb.values())
        full = {stem: sum(cells.values()) for stem, cells in per_nb.items()}
        stem, fn, _ = WRONG[track]
        assert scores[("alice", track)] == (full[stem], total, "graded")
        assert scores[("bob", track)] == (0.0, total, "graded")
        assert _notebooks(out, "alice", track) == _expected_notebooks(track, {stem: full[stem]})
        assert _notebooks(out, "bob", track) == _expected_notebooks(track, {stem: 0.0})
        carol = full[stem] - per_nb[stem][f"test_{fn}"]
        assert scores[("carol", track)] == (carol, total, "graded")
        assert _notebooks(out, "carol", track) == _expected_notebooks(track, {stem: carol})
    full1 = {stem: sum(cells.values()) for stem, cells in _points(TRACK1).items()}
    total1 = sum(full1.values())
    assert scores[("dave", TRACK1)] == (full1[SMALL], total1, "graded")
    assert _notebooks(out, "dave", TRACK1) == _expected_notebooks(TRACK1, {SMALL: full1[SMALL]})
    assert scores[("erin", TRACK1)] == (full1[ERIN_OTHER], total1, "graded")
    assert _notebooks(out, "erin", TRACK1) == _expected_notebooks(TRACK1, {CORRUPT: 0.0, ERIN_OTHER: full1[ERIN_OTHER]})
    for student, stem in (("gina", SMALL), ("hank", HANK_TOP), ("ivy", SMALL), ("jack", SMALL)):
        assert scores[(student, TRACK1)] == (full1[stem], total1, "graded"), student
        assert _notebooks(out, student, TRACK1) == _expected_notebooks(TRACK1, {stem: full1[stem]}), student
    assert scores[("frank", SMALL)] == (full1[SMALL], full1[SMALL], "graded")
    assert _notebooks(out, "frank", SMALL) == {SMALL: (full1[SMALL], full1[SMALL], "submitted")}
    assert len(scores) == 3 * len(TRACKS) + 7  # alice, bob, carol per track; 7 students of one assignment
    n_nb = len(_rows(out, "grades_by_notebook.csv"))
    record_property("timing", (f"grading the fixture class: {len(scores)} submissions, {n_nb} notebook rows, "
                               "whole command", seconds))
    flags = {r["student"]: r["flags"] for r in _rows(out, "grades.csv")}
    assert not any(flags.values()), flags  # honest work is never flagged
    assert "grader self-test: a known-good notebook scored full marks" in (out / "grading.log").read_text()


def test_scores_per_cell(graded):
    out, *_ = graded
    rows = _rows(out, "grades_by_cell.csv")
    submissions = {(r["student"], r["assignment"]) for r in _rows(out, "grades.csv")}
    expected = sum(sum(len(v) for v in _points(a).values()) if a in TRACKS else len(_points(TRACK1)[a])
                   for _, a in submissions)
    assert len(rows) == expected
    for track in TRACKS:
        carol = {(r["notebook"], r["cell"]): (float(r["score"]), r["status"]) for r in rows
                 if (r["student"], r["assignment"]) == ("carol", track)}
        wrong = (WRONG[track][0], f"test_{WRONG[track][1]}")
        for nb, cells in _points(track).items():
            for cell, pts in cells.items():
                if nb != wrong[0]:
                    assert carol[(nb, cell)] == (0.0, "not graded"), (nb, cell)
                else:
                    assert carol[(nb, cell)] == ((0.0, "failed") if (nb, cell) == wrong else (pts, "passed")), (nb, cell)


def test_untouched_release_ran_to_the_end(graded):
    """bob's autograded notebooks: every code cell executed; every graded cell met the stub."""
    out, *_ = graded
    for track in TRACKS:
        paths = sorted((out / "course" / "autograded" / "bob" / track).glob("*.ipynb"))
        assert [p.stem for p in paths] == [WRONG[track][0]]
        for path in paths:
            nb = read(path)
            code = [c for c in nb.cells if c.cell_type == "code"]
            assert all(c.get("execution_count") for c in code), f"{path.name}: the kernel stopped early"
            for c in graded_cells(nb):
                errs = [o for o in c.outputs if o.get("output_type") == "error"]
                assert errs and errs[0]["ename"] == "NotImplementedError", (path.name, nbg(c)["grade_id"])
                assert "is not implemented yet" in errs[0]["evalue"]


def test_feedback_never_shows_hidden_tests(graded):
    out, *_ = graded
    release_text = {p.stem: "\n".join(c.source for c in read(p).cells)
                    for p in (out / "course" / "release").glob("*/*.ipynb")}
    files = sorted((out / "feedback").rglob("*.html"))
    graded_nbs = [r for r in _rows(out, "grades_by_notebook.csv") if r["status"] == "submitted"]
    assert len(files) == len(graded_nbs) - 1  # erin's corrupt file has no feedback
    for f in files:
        text = html_text(f)
        source = next(SOURCE.glob(f"*/{f.stem}.ipynb"))
        secret = [ln.strip() for c in graded_cells(read(source)) for ln in hidden_lines(c.source)]
        secret = [s for s in secret if len(s) >= 6 and s not in release_text[f.stem]]
        assert secret
        leaks = [s for s in secret if s in text]
        assert not leaks, f"{f}: {leaks[:3]}"
        assert "hidden tests: not shown" in text


def test_malformed_submission_is_reported_and_the_rest_graded(graded):
    out, proc, *_ = graded
    erin = next(r for r in _rows(out, "grades.csv") if r["student"] == "erin")
    assert f"{CORRUPT}.ipynb is not a notebook (invalid JSON" in erin["problems"]
    assert "problem" in proc.stdout
    log = (out / "grading.log").read_text()
    assert f"erin/{TRACK1}" in log and "invalid JSON" in log
    notebooks = {r["notebook"]: r for r in _rows(out, "grades_by_notebook.csv") if r["student"] == "erin"}
    assert notebooks[CORRUPT]["problems"].startswith(f"{CORRUPT}.ipynb is not a notebook (invalid JSON")
    assert notebooks[ERIN_OTHER]["problems"] == ""
    assert (out / "feedback" / "erin" / TRACK1 / f"{ERIN_OTHER}.html").exists()


def test_warning_reached_a_graded_cell_and_cost_nothing(graded):
    out, *_ = graded
    stem, fn, _ = WARN
    nb = read(out / "course" / "autograded" / "dave" / TRACK1 / f"{stem}.ipynb")
    cell = next(c for c in graded_cells(nb) if nbg(c)["grade_id"] == f"test_{fn}")
    err = "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream" and o["name"] == "stderr")
    assert "RuntimeWarning" in err and "overflow" in err
    rows = {(r["notebook"], r["cell"]): r for r in _rows(out, "grades_by_cell.csv") if r["student"] == "dave"}
    assert rows[(stem, f"test_{fn}")]["status"] == "passed"


def test_feedback_tells_bob_what_to_do(graded):
    out, *_ = graded
    text = html_text(out / "feedback" / "bob" / TRACK1 / "01_numpy_basics.html")
    assert "is not implemented yet" in text


def test_nothing_handed_in_is_silently_ignored(graded):
    """Point 9: every file under SUBMISSIONS is graded, used as a helper, or named with the reason."""
    out, proc, _, subs = graded
    files = {r["path"]: (r["student"], r["status"], r["reason"], r["assignment"], r["notebook"])
             for r in _rows(out, "submitted_files.csv")}
    nested = f"gina/{TRACK1}/{TRACK1}/{SMALL}.ipynb"
    assert files[nested] == ("gina", "graded", f"graded as {TRACK1}/{SMALL}.ipynb (expected at "
                             f"gina/{TRACK1}/{SMALL}.ipynb)", TRACK1, f"{SMALL}.ipynb")
    assert files[f"gina/{TRACK1}/{TRACK1}/notes.txt"] == (
        "gina", "helper", "copied beside the notebooks while they run; not graded itself", TRACK1, "")
    assert files[f"hank/{HANK_TOP}.ipynb"] == ("hank", "graded", f"graded as {TRACK1}/{HANK_TOP}.ipynb (expected at "
                                               f"hank/{TRACK1}/{HANK_TOP}.ipynb)", TRACK1, f"{HANK_TOP}.ipynb")
    ignored = {path: reason for path, (_, status, reason, *_r) in files.items() if status == "ignored"}
    assert ignored == {
        "class-list.txt": "is not inside a student's folder (expected "
                          "SUBMISSIONS/<student>/<assignment>/<notebook>.ipynb)",
        "hank/.ipynb_checkpoints/": "Jupyter's automatic checkpoint copies: its 1 file(s) are not read",
        "hank/__MACOSX/": "metadata macOS adds to a zip: its 1 file(s) are not read",
        "hank/scratch.ipynb": "is not a notebook of any assignment (no assignment has a notebook named "
                              "scratch.ipynb); not graded",
    }
    handed_in = {p.relative_to(subs).as_posix() for p in subs.rglob("*") if p.is_file()}
    listed = {p for p in files if not p.endswith("/")} | {
        p for p in handed_in if any(p.startswith(d) for d in files if d.endswith("/"))}
    assert listed == handed_in  # every file is in the CSV (a skipped folder stands for its files)
    # the rows say where a notebook was found; the log names every file not graded
    gina = next(r for r in _rows(out, "grades_by_notebook.csv") if (r["student"], r["notebook"]) == ("gina", SMALL))
    assert gina["problems"] == (f"{SMALL}.ipynb: was not at gina/{TRACK1}/{SMALL}.ipynb: graded the copy found at "
                                f"{nested}")
    log = (out / "grading.log").read_text()
    for path, reason in ignored.items():
        assert f"{path}: not graded: {reason}" in log
    assert f"{len(ignored)} file(s) under" in proc.stdout and "were not graded" in proc.stdout


def test_notebooks_as_editors_write_them(graded):
    """Point 10: VS Code's and Colab's files (CRLF, a BOM, nbformat 4.0 and 4.2, their metadata,
    widget state, a helper module) are graded as they are: full marks, nothing reported."""
    out, *_ = graded
    summary = {r["student"]: r for r in _rows(out, "grades.csv")}
    not_submitted = sorted(f"{p.name} was not submitted; scored 0" for p in (SOURCE / TRACK1).glob("*.ipynb")
                           if p.stem != SMALL)
    for student in ("ivy", "jack"):
        assert summary[student]["problems"] == "; ".join(not_submitted), student
        cells = [r for r in _rows(out, "grades_by_cell.csv") if (r["student"], r["notebook"]) == (student, SMALL)]
        assert cells and all(r["status"] == "passed" for r in cells), cells
    files = {r["path"]: r["status"] for r in _rows(out, "submitted_files.csv")}
    assert files[f"ivy/{TRACK1}/{HELPER[0]}"] == "helper"


def test_one_notebook_as_its_own_assignment(graded):
    """Point 12: frank hands in 01_numpy_basics as the assignment of that name."""
    out, *_ = graded
    (row,) = [r for r in _rows(out, "grades.csv") if r["student"] == "frank"]
    assert (row["assignment"], row["score"], row["max_score"], row["status"], row["problems"]) == (
        SMALL, "10.0", "10.0", "graded", "")
    assert (out / "feedback" / "frank" / SMALL / f"{SMALL}.html").exists()
    assert sorted(p.name for p in (out / "course" / "release" / SMALL).iterdir()) == [f"{SMALL}.ipynb"]


def test_every_track_has_a_partial_submission():
    assert set(TRACKS) <= set(WRONG), f"add a WRONG entry for {sorted(set(TRACKS) - set(WRONG))}"


# --- the reports grade writes at the end of the run (issue 18, points 2 and 3) ---------------------

def _table(page, table_id: str) -> list[list[str]]:
    """The rows of the report's table ``table_id`` (header first), each cell's text with its spaces squeezed."""
    from bs4 import BeautifulSoup

    table = BeautifulSoup(page, "html.parser").find(id=table_id)
    return [[" ".join(c.get_text(" ").split()) for c in tr.find_all(["th", "td"])] for tr in table.find_all("tr")]


def test_class_report(graded):
    """class_report.html beside the CSVs: its counts are grades.csv's, carol's failing exercise of each
    track is in the pass-rate table with its rate and her reason, nobody flagged, nobody failed to grade."""
    import base64

    from bs4 import BeautifulSoup

    out, proc, *_ = graded
    page = (out / "class_report.html").read_text(encoding="utf-8")
    grades = _rows(out, "grades.csv")
    soup = BeautifulSoup(page, "html.parser")
    summary = " ".join(soup.find(id="summary").get_text(" ").split())
    with_problems = sorted(r["student"] for r in grades  # problems other than "X.ipynb was not submitted; scored 0"
                           if re.sub(r"\S+\.ipynb was not submitted; scored 0(; )?", "", r["problems"]).strip("; "))
    assert with_problems == ["erin", "gina", "hank"]  # the unreadable file and the two found out of place
    assert summary == (f"{len({r['student'] for r in grades})} students, {len(grades)} submissions (student and "
                       f"assignment) {len(grades)} graded, 0 grading failed (no score) 0 flagged for review, "
                       f"{len(with_problems)} with problems other than notebooks not handed in")
    # per assignment: the same numbers as grades.csv
    for name, n, failed, top, mean, *_ in _table(page, "assignments")[1:]:
        scores = [float(r["score"]) for r in grades if r["assignment"] == name]
        assert (int(n), int(failed), float(top)) == (len(scores), 0, float(next(
            r["max_score"] for r in grades if r["assignment"] == name)))
        assert float(mean) == round(sum(scores) / len(scores), 1)
    assert len(_table(page, "assignments")) == 1 + len({r["assignment"] for r in grades})
    # exercises: lowest pass rate first; carol's wrong function of each track with its rate and her reason
    rows = _table(page, "exercises")[1:]
    rates = [int(r[4].rstrip("%")) for r in rows]
    assert rates == sorted(rates)
    by_exercise = {(r[0], r[1].split(" ")[0]): r for r in rows}
    # 01_numpy_basics was handed in by alice, bob, carol, dave, erin (unreadable), gina, ivy, jack and frank
    assert by_exercise[("01_numpy_basics", "L1")][2:] == [
        "1", "6 / 9", "67%", "not implemented (the release's stub): 1 (bob) notebook not gradable: is not a "
        "notebook: 1 (erin) visible check failed: L1 output: wrong values: 1 (carol)"]
    assert by_exercise[("05_exponentially_weighted_averages", "ewa_bias_corrected")][2:] == [
        "1", "1 / 3", "33%", "not implemented (the release's stub): 1 (bob) visible check failed: ewa_bias_corrected "
        "output: wrong values: 1 (carol)"]
    assert by_exercise[("02_data_splits_and_mismatch", "split_sizes")][2:] == [
        "1", "1 / 3", "33%", "not implemented (the release's stub): 1 (bob) visible check failed: wrong values: 1 (carol)"]
    assert by_exercise[("02_fast_convolution", "conv_forward_vectorized")][2:] == [
        "2", "1 / 3", "33%", "not implemented (the release's stub): 1 (bob) visible check failed: wrong values: "
        "1 (carol)"]
    assert by_exercise[("07_attention_date_translation", "exact_match")][2:] == [
        "1", "1 / 3", "33%", "not implemented (the release's stub): 1 (bob) visible check failed: exact_match "
        "output: wrong values: 1 (carol)"]
    assert by_exercise[("01_numpy_basics", "L2")][3:5] == ["7 / 9", "78%"]
    cells = {(r["notebook"], r["cell"]) for r in _rows(out, "grades_by_cell.csv") if r["status"] != "not graded"}
    assert len(rows) == len(cells)  # every graded cell someone handed in (not those of notebooks nobody did)
    # nobody flagged, nobody failed to grade: said in words, as grades.csv has it
    assert not any(r["flags"] for r in grades) and not any(r["status"] == "grading failed" for r in grades)
    assert soup.find(id="flagged").get_text() == "No submission was flagged for review."
    assert soup.find(id="failed").get_text() == "No submission failed to grade."
    # the plots are PNG images inside the page; the timings are this run's
    imgs = {img["id"]: img["src"] for img in soup.find_all("img")}
    assert sorted(imgs) == ["plot-assignments", "plot-notebooks", "plot-timing"]
    for src in imgs.values():
        assert base64.b64decode(src.split(",", 1)[1]).startswith(b"\x89PNG\r\n\x1a\n")
    timings = dict((r[0], r[1]) for r in _table(page, "timings")[1:])
    assert f"grading {len(grades)} submission(s), last run" in timings
    timed = {r[0]: int(r[1]) for r in _table(page, "notebook-timings")[1:]}
    submitted = [r for r in _rows(out, "grades_by_notebook.csv") if r["status"] == "submitted"]
    assert sum(timed.values()) == len(submitted) - 1  # every notebook that ran (erin's unreadable one did not)
    assert "<script" not in page and " href=" not in page
    assert "reports: " in proc.stdout and "class_report.html" in proc.stdout


def test_similarity_report_of_the_class(graded):
    """similarity.csv of the fixture class: every two students who handed in the same solved notebook
    share each of its exercises long enough to compare (score 100%); exercises under the token rule,
    carol's wrong split_sizes and ewa_bias_corrected among them, never appear."""
    from autograder.engine.similarity import MIN_TOKENS, solution_tokens

    out, *_ = graded
    solved_by = {  # (notebook, students who handed it in solved, from the class above)
        "01_numpy_basics": ["alice", "carol", "dave", "frank", "gina", "ivy", "jack"],
        ERIN_OTHER: ["erin", "hank"],
        "05_exponentially_weighted_averages": ["alice", "carol"],
        "02_data_splits_and_mismatch": ["alice", "carol"],
        "02_fast_convolution": ["alice", "carol"],
        "07_attention_date_translation": ["alice", "carol"],
    }
    carols_wrong = {("carol", stem, fn) for stem, fn, _ in WRONG.values()}
    expected = set()
    for stem, students in solved_by.items():
        source = read(next(SOURCE.glob(f"*/{stem}.ipynb")))
        for cell in source.cells:
            gid = nbg(cell).get("grade_id")
            if not nbg(cell).get("solution"):
                continue
            body = cell.source.split("### BEGIN SOLUTION", 1)[1].split("### END SOLUTION", 1)[0]
            if solution_tokens(body) >= MIN_TOKENS:  # dave's sigmoid, ivy's basic_sigmoid, carol's ewa_bias_corrected: shorter
                same = [s for s in students if (s, stem, gid) not in carols_wrong]   # her wrong answer is her own
                expected |= {(stem, gid, a, b, "1.00") for i, a in enumerate(same) for b in same[i + 1:]}
    # carol's wrong conv_forward_vectorized is alice's with the bias left out: still flagged, at 76 %
    expected.add(("02_fast_convolution", "conv_forward_vectorized", "alice", "carol", "0.76"))
    rows = {(r["notebook"], r["exercise"], r["student_a"], r["student_b"], r["score"])
            for r in _rows(out, "similarity.csv")}
    # softmax: 7 students, 21 pairs; 1/04's eight long exercises, 1 pair each; 2/05's ewa, 1 pair (carol's wrong
    # ewa_bias_corrected is under the token rule); 3/02's make_training_dev_split, 1 pair (her wrong split_sizes is under
    # the token rule); 4/02's im2col, 1 pair, and her conv_forward_vectorized; 5/07's masked_softmax and
    # one_step_attention, 1 pair each (her wrong exact_match is under the token rule)
    assert rows == expected and len(rows) == 21 + 8 * 1 + 1 + 1 + 1 + 1 + 2 * 1
