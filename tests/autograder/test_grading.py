"""End to end: a fixture class graded by `python -m autograder grade` (sandboxed workers,
nbgrader's gradebook), one grading run per track.

"Solved" below is what an honest student hands in: the release with each stub replaced by
the source's solution (tests/helpers.py: solved).

Every track:
  alice  solved                                        -> full marks
  bob    the untouched student release                 -> 0, and every cell still ran
  carol  solved, with exactly one function wrong       -> full minus that test's points
Track 1 also:
  dave   solved, whose sigmoid also prints an overflow RuntimeWarning -> full marks
  erin   notebook 01 is corrupted JSON, the rest fine  -> 01 scores 0 and is reported; the rest graded

The adversarial class (cheating and crashing submissions) is in test_grading_adversarial.py.
"""

import csv
import subprocess
import sys

import nbformat
import pytest

import time

from autograder.preprocessors import hidden_lines
from autograder.engine.sandbox import available
from helpers import SOURCE, graded_cells, html_text, nbg, points, read, replace_solution, solved

# One function per track made wrong for carol: (notebook stem, function, wrong solution body).
# The function must be one that no other graded function of its notebook calls.
WRONG = {
    "1_neural_networks": ("01_numpy_basics", "L1", "    return float(np.sum(np.abs(y - yhat))) + 1.0"),
    "2_improving_deep_networks": ("04_optimization", "update_lr",
                                  "    return learning_rate0 / (1 + decay_rate * epoch_num) + 0.5"),
}
TRACK1 = "1_neural_networks"
WARN = ("01_numpy_basics", "sigmoid", (
    "    import warnings\n"
    "    with warnings.catch_warnings():\n"
    "        warnings.simplefilter('always')\n"
    "        np.exp(np.float64(1000.0))  # overflows on every call: a RuntimeWarning on stderr\n"
    "    return 1 / (1 + np.exp(-x))"))
CORRUPT = "01_numpy_basics"

TRACKS = sorted(p.name for p in SOURCE.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))
PARAMS = [pytest.param(t, marks=pytest.mark.xdist_group(f"grading-{t}"), id=t) for t in TRACKS]


def _edit(nb, grade_id, body):
    cell = next(c for c in nb.cells if nbg(c).get("grade_id") == grade_id)
    cell.source = replace_solution(cell.source, body)
    return nb


def _class(track, release_dir):
    """{student: {stem: notebook}}; edits are made to the source, then handed in solved."""
    src = {p.stem: p for p in (SOURCE / track).glob("*.ipynb")}
    edits = {"alice": {}, "bob": None, "carol": {}}
    if track in WRONG:
        stem, fn, body = WRONG[track]
        edits["carol"][stem] = (fn, body)
    if track == TRACK1:
        stem, fn, body = WARN
        edits.update(dave={stem: (fn, body)}, erin={})
    students = {}
    for name, mine in edits.items():
        students[name] = {}
        for stem, path in src.items():
            release = read(release_dir / track / path.name)
            if mine is None:
                students[name][stem] = release
                continue
            source = read(path)
            if stem in mine:
                _edit(source, *mine[stem])
            students[name][stem] = solved(release, source)
    return students


@pytest.fixture(scope="module")
def graded(request, tmp_path_factory, release_dir):
    """Grade one track's fixture class once per module; returns (track, out folder, stdout)."""
    track = request.param
    subs = tmp_path_factory.mktemp(f"submissions-{track}")
    out = tmp_path_factory.mktemp(f"results-{track}")
    for student, nbs in _class(track, release_dir).items():
        folder = subs / student / track
        folder.mkdir(parents=True)
        for stem, nb in nbs.items():
            nbformat.write(nb, folder / f"{stem}.ipynb")
    if track == TRACK1:
        (subs / "erin" / track / f"{CORRUPT}.ipynb").write_text('{"cells": [ {"cell_type": "code", "sour')
    t0 = time.perf_counter()
    # without bubblewrap the grader refuses untrusted work; this class is trusted fixtures
    unsandboxed = [] if available()[0] else ["--unsandboxed"]
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(subs), "--out", str(out), "--no-progress",
                           *unsandboxed],
                          capture_output=True, text=True, timeout=3000)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return track, out, proc.stdout, time.perf_counter() - t0


def _rows(out, name):
    with open(out / name, newline="") as f:
        return list(csv.DictReader(f))


def _points(track):
    return {p.stem: points(read(p)) for p in (SOURCE / track).glob("*.ipynb")}


@pytest.mark.parametrize("graded", PARAMS, indirect=True)
def test_scores_per_student(graded, record_property):
    track, out, stdout, seconds = graded
    per_nb = _points(track)
    total = sum(sum(v.values()) for v in per_nb.values())
    scores = {r["student"]: (float(r["score"]), float(r["max_score"])) for r in _rows(out, "grades.csv")}
    assert scores["alice"] == (total, total)
    assert scores["bob"] == (0.0, total)
    if track in WRONG:
        stem, fn, _ = WRONG[track]
        assert scores["carol"] == (total - per_nb[stem][f"test_{fn}"], total)
    if track == TRACK1:
        assert scores["dave"] == (total, total)
        assert scores["erin"] == (total - sum(per_nb[CORRUPT].values()), total)
    n_nb = len(per_nb) * len(scores)
    record_property("timing", (f"grading {track}: {len(scores)} submissions, {n_nb} notebooks, whole command", seconds))
    flags = {r["student"]: r["flags"] for r in _rows(out, "grades.csv")}
    assert not any(flags.values()), flags  # honest work is never flagged


@pytest.mark.parametrize("graded", PARAMS, indirect=True)
def test_scores_per_cell(graded):
    track, out, *_ = graded
    per_nb = _points(track)
    rows = _rows(out, "grades_by_cell.csv")
    n_students = len({r["student"] for r in rows})
    assert len(rows) == n_students * sum(len(v) for v in per_nb.values())
    carol = {(r["notebook"], r["cell"]): float(r["score"]) for r in rows if r["student"] == "carol"}
    wrong = (WRONG[track][0], f"test_{WRONG[track][1]}") if track in WRONG else None
    for nb, cells in per_nb.items():
        for cell, pts in cells.items():
            assert carol[(nb, cell)] == (0.0 if (nb, cell) == wrong else pts), (nb, cell)


@pytest.mark.parametrize("graded", PARAMS, indirect=True)
def test_untouched_release_ran_to_the_end(graded):
    """bob's autograded notebooks: every code cell executed; every graded cell met the stub."""
    track, out, *_ = graded
    for path in sorted((out / "course" / "autograded" / "bob" / track).glob("*.ipynb")):
        nb = read(path)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(c.get("execution_count") for c in code), f"{path.name}: the kernel stopped early"
        for c in graded_cells(nb):
            errs = [o for o in c.outputs if o.get("output_type") == "error"]
            assert errs and errs[0]["ename"] == "NotImplementedError", (path.name, nbg(c)["grade_id"])
            assert "is not implemented yet" in errs[0]["evalue"]


@pytest.mark.parametrize("graded", PARAMS, indirect=True)
def test_feedback_never_shows_hidden_tests(graded):
    track, out, *_ = graded
    release_text = {p.stem: "\n".join(c.source for c in read(p).cells)
                    for p in (out / "course" / "release" / track).glob("*.ipynb")}
    files = sorted((out / "feedback").rglob("*.html"))
    n_students = len(list((out / "feedback").iterdir()))
    expected = n_students * len(release_text) - (1 if track == TRACK1 else 0)  # erin's corrupt file
    assert len(files) == expected
    for f in files:
        text = html_text(f)
        secret = [ln.strip() for c in graded_cells(read(SOURCE / track / f"{f.stem}.ipynb"))
                  for ln in hidden_lines(c.source)]
        secret = [s for s in secret if len(s) >= 6 and s not in release_text[f.stem]]
        assert secret
        leaks = [s for s in secret if s in text]
        assert not leaks, f"{f}: {leaks[:3]}"
        assert "hidden tests: not shown" in text


@pytest.mark.parametrize("graded", [p for p in PARAMS if p.values[0] == TRACK1], indirect=True)
def test_malformed_submission_is_reported_and_the_rest_graded(graded):
    track, out, stdout, _ = graded
    erin = next(r for r in _rows(out, "grades.csv") if r["student"] == "erin")
    assert f"{CORRUPT}.ipynb is not a notebook (invalid JSON" in erin["problems"]
    assert "problem" in stdout
    log = (out / "grading.log").read_text()
    assert f"erin/{track}" in log and "invalid JSON" in log
    others = [p for p in (SOURCE / track).glob("*.ipynb") if p.stem != CORRUPT]
    for p in others:
        assert (out / "feedback" / "erin" / track / f"{p.stem}.html").exists()


@pytest.mark.parametrize("graded", [p for p in PARAMS if p.values[0] == TRACK1], indirect=True)
def test_warning_reached_a_graded_cell_and_cost_nothing(graded):
    track, out, *_ = graded
    stem, fn, _ = WARN
    nb = read(out / "course" / "autograded" / "dave" / track / f"{stem}.ipynb")
    cell = next(c for c in graded_cells(nb) if nbg(c)["grade_id"] == f"test_{fn}")
    err = "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream" and o["name"] == "stderr")
    assert "RuntimeWarning" in err and "overflow" in err
    rows = {(r["notebook"], r["cell"]): r for r in _rows(out, "grades_by_cell.csv") if r["student"] == "dave"}
    assert rows[(stem, f"test_{fn}")]["status"] == "passed"


@pytest.mark.parametrize("graded", [p for p in PARAMS if p.values[0] == TRACK1], indirect=True)
def test_feedback_tells_bob_what_to_do(graded):
    track, out, *_ = graded
    text = html_text(out / "feedback" / "bob" / track / "01_numpy_basics.html")
    assert "is not implemented yet" in text


def test_every_track_has_a_partial_submission():
    assert set(TRACKS) <= set(WRONG), f"add a WRONG entry for {sorted(set(TRACKS) - set(WRONG))}"
