"""An adversarial class, graded in one run of `python -m autograder grade` (2 sandboxed workers).

Every submission is Track 1's 01_numpy_basics (10 points) handed in by a student who
tries to cheat, breaks the grader, or is honest. Each gets its exact expected score and
reason. The cheats are the ones that beat plain nbgrader 0.9.6 (issue 5's table); the
attacks are told the real absolute paths of the gradebook, the source and the other
students' folders, so they fail because of the sandbox, not because they guessed wrong.

Also here: re-grading two students into the same folder keeps every other row; a
sequential run and a Dask cluster of 2 workers give the same rows as the parallel run.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from autograder.engine.sandbox import available
from helpers import SOURCE, graded_cells, html_text, nbg, read, replace_solution, solved
from autograder.preprocessors import hidden_lines

pytestmark = [pytest.mark.xdist_group("grading-adversarial"),
              pytest.mark.skipif(not available()[0], reason=f"no sandbox here: {available()[1]}")]

TRACK, STEM = "1_neural_networks", "01_numpy_basics"
POINTS = {"basic_sigmoid": 1, "sigmoid": 1, "sigmoid_derivative": 1, "image2vector": 1, "normalize_rows": 2,
          "softmax": 2, "L1": 1, "L2": 1}
COSTS_NOTHING = "the grader ran its own copy, so this cost nothing"
TOKEN = "adversarial-7f3a"  # in every attack process's command line, to find survivors
LIMITS = ["--cell-timeout", "8", "--memory-mb", "2048", "--max-procs", "64", "--wall-time", "240", "--disk-mb", "300"]


def _cell(nb, grade_id):
    """The cell with this nbgrader id (a solution cell's id is its function's name)."""
    return next(c for c in nb.cells if nbg(c).get("grade_id") == grade_id)


def _append(source_nb, fn, code):
    """Add code after the solution of ``fn`` (inside its solution cell, so it runs there)."""
    cell = _cell(source_nb, fn)
    cell.source = cell.source.replace("### END SOLUTION", "### END SOLUTION\n" + code, 1)


def _body(source_nb, fn, body):
    cell = _cell(source_nb, fn)
    cell.source = replace_solution(cell.source, body)


def _ctx(tmp):
    return {"out": tmp / "out", "subs": tmp / "subs", "src": tmp / "src"}


def build_class(tmp: Path, release_nb):
    """{student: (bytes of the notebook, expected score, expected reasons)}."""
    paths = _ctx(tmp)
    src_nb = read(SOURCE / TRACK / f"{STEM}.ipynb")
    gradebook = paths["out"] / "gradebook.db"
    other = paths["subs"] / "honest_full" / TRACK / f"{STEM}.ipynb"
    source_nb_path = paths["src"] / TRACK / f"{STEM}.ipynb"
    marker = tmp / "escaped-marker.txt"
    cls = {}

    def student(name, score, reasons=(), *, edit=None, handed_in=None, raw=None, flags=()):
        """``edit`` changes the source before it is solved; ``handed_in`` the solved notebook."""
        if raw is None:
            s = read(SOURCE / TRACK / f"{STEM}.ipynb")
            if edit:
                edit(s)
            nb = solved(release_nb, s)
            if handed_in:
                handed_in(nb)
            raw = nbformat.writes(nb).encode("utf-8")
        cls[name] = (raw, score, list(reasons), list(flags))

    # --- honest work ---------------------------------------------------------------------------
    student("honest_full", 10)

    def partial(s):
        _body(s, "L2", "    return float(np.sum(np.abs(y - yhat) ** 2)) + 0.5")
        _body(s, "normalize_rows", "    return x / np.linalg.norm(x, axis=0, keepdims=True)")
    student("honest_partial", 7, ["test_L2: the cell raised CheckFailed", "test_normalize_rows: the cell raised CheckFailed"],
            edit=partial)

    def warn(s):
        _body(s, "sigmoid", "    import warnings\n    with warnings.catch_warnings():\n"
                            "        warnings.simplefilter('always')\n        np.exp(np.float64(1000.0))\n"
                            "    return 1 / (1 + np.exp(-x))")
    student("runtime_warning", 10, edit=warn)

    # --- cheats that beat plain nbgrader -------------------------------------------------------------
    def patch(s):
        _body(s, "softmax", "    return np.zeros_like(x)")
        _append(s, "softmax", "np.allclose = lambda *a, **k: True\n"
                              "np.isclose = lambda a, b, **k: np.ones(np.broadcast(np.asarray(a), np.asarray(b)).shape, bool)\n"
                              "np.testing.assert_allclose = lambda *a, **k: None\n"
                              "import course_utils.grading.checks as _c\n_c.compare = lambda *a, **k: None\n")
    student("monkeypatch_allclose", 8, ["test_softmax: hidden tests failed"],
            flags=["softmax uses course_utils"], edit=patch)

    def transformer(s):
        _append(s, "sigmoid", "get_ipython().input_transformers_post.append(lambda lines: ['pass\\n'])\n")
    student("input_transformer", 1, ["test_sigmoid: the cell ran but its hidden tests recorded nothing"],
            edit=transformer)

    def disable_grading(s):
        for fn in POINTS:
            _body(s, fn, "    raise NotImplementedError()")
        _append(s, "basic_sigmoid", "import course_utils.grading as _g\n"
                                    "_g.HiddenTest.case = lambda self, *a, **k: None\n"
                                    "_g.HiddenTest.finish = lambda self: print('all hidden tests passed')\n"
                                    "check_function = lambda *a, **k: 0\n")
    student("patches_hidden_test_helper", 0, ["test_L2: the cell ran but its hidden tests recorded nothing"],
            flags=["basic_sigmoid uses course_utils"], edit=disable_grading)

    def forger(s):
        _body(s, "L2", "    return 0.0")
        _append(s, "L2", "import os, json\n"
                         "get_ipython().set_custom_exc((Exception,), lambda *a, **k: None)\n"
                         "import sys; sys.excepthook = lambda *a: None\n"
                         "_p = os.environ.get('COURSE_GRADING_RECORD', 'records.jsonl')\n"
                         "with open(_p, 'a') as _f:\n"
                         "    for _n in range(1, 12):\n"
                         "        _f.write(json.dumps({'test': 'L2', 'event': 'case', 'n': _n, 'value': 0.25}) + '\\n')\n"
                         "    _f.write('{not json\\n')\n")
    student("forged_records_and_hooks", 9, ["test_L2: hidden tests failed"], edit=forger)

    def detached(s):
        code = (f"import time, os; time.sleep(2); "
                f"[open(p, 'w').write('pwned') for p in ({str(gradebook)!r}, {str(marker)!r}) "
                f"if os.path.isdir(os.path.dirname(p))]")
        _append(s, "L2", "import subprocess, sys\n"
                         f"subprocess.Popen([sys.executable, '-c', {code!r}, {TOKEN!r}], start_new_session=True,\n"
                         "                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n")
    student("detached_gradebook_writer", 10, edit=detached)

    def reader(s):
        _append(s, "basic_sigmoid", "for _p in [%r, '../../../source/%s/%s.ipynb', %r]:\n"
                                    "    try:\n        print(open(_p).read()[:200000])\n"
                                    "    except OSError as e:\n        print('blocked:', type(e).__name__)\n"
                % (str(source_nb_path), TRACK, STEM, str(gradebook)))
    student("reads_source_and_gradebook", 10, edit=reader)

    def writer(s):
        _append(s, "basic_sigmoid", "for _p in [%r, %r, %r]:\n"
                                    "    try:\n        open(_p, 'w').write('overwritten')\n        print('wrote', _p)\n"
                                    "    except OSError as e:\n        print('blocked:', type(e).__name__)\n"
                % (str(other), str(source_nb_path), str(paths["out"] / "grades.csv")))
    student("writes_other_students_files", 10, edit=writer)

    # --- breaking the grader ---------------------------------------------------------------------
    def sigint(s):
        _append(s, "L2", "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                         "signal.signal(signal.SIGALRM, signal.SIG_IGN)\nwhile True:\n    pass\n")
    student("ignores_sigint_loop", 9, ["test_L2: the notebook was stopped"], edit=sigint)

    def os_exit(s):
        _append(s, "softmax", "import os\nos._exit(3)\n")
    student("os_exit", 6, ["test_softmax: the notebook's process exited with status 3"], edit=os_exit)

    def sys_exit(s):
        _append(s, "sigmoid", "import sys\nsys.exit(1)\n")
    student("sys_exit", 10, edit=sys_exit)

    def memory(s):
        _body(s, "image2vector", "    return image.reshape(-1, 1)")
        _append(s, "image2vector", "_hog = []\nwhile True:\n    _hog.append(np.ones(50_000_000))\n")
        # the bomb runs before the function is used; the MemoryError ends the cell, not the notebook
    student("memory_bomb", 10, edit=memory)

    def forkbomb(s):
        _append(s, "normalize_rows", "import os, time\n_n = 0\nwhile True:\n    try:\n"
                                     "        if os.fork() == 0:\n            time.sleep(600)\n            os._exit(0)\n"
                                     "        _n += 1\n    except OSError as e:\n"
                                     "        print('fork bomb stopped after', _n, 'processes:', type(e).__name__)\n"
                                     "        break\n")
    student("fork_bomb", 10, edit=forkbomb)

    def network(s):
        _append(s, "basic_sigmoid", "import socket, urllib.request\n"
                                    "for _t in [lambda: socket.create_connection(('1.1.1.1', 53), timeout=3),\n"
                                    "           lambda: urllib.request.urlopen('https://pypi.org', timeout=3)]:\n"
                                    "    try:\n        _t()\n        print('network: reached')\n"
                                    "    except OSError as e:\n        print('network blocked:', type(e).__name__)\n")
    student("network_access", 10, edit=network)

    student("imports_reference", 10, flags=["solution cell softmax uses course_utils",
                                            "the graded function is a course_utils function"],
            handed_in=lambda nb: setattr(_cell(nb, "softmax"), "source",
                                         "from course_utils.exercises.numpy_basics import softmax_rows as softmax"))

    def disk_filler(s):
        _append(s, "L1", "import os\nfor _d in ('/tmp', '.'):\n    try:\n        for _i in range(20):\n"
                         "            with open(os.path.join(_d, f'fill{_i}'), 'wb') as _f:\n"
                         "                _f.write(b'x' * 100_000_000)\n        print('disk: wrote 2 GB')\n"
                         "    except OSError as e:\n        print('disk full in', _d, ':', e.strerror)\n"
                         "    for _i in range(20):\n        try:\n            os.remove(os.path.join(_d, f'fill{_i}'))\n"
                         "        except OSError:\n            pass\n")
    student("fills_disk_and_tmp", 10, edit=disk_filler)

    def output_flood(s):
        _append(s, "basic_sigmoid", "for _ in range(1000):\n    print('x' * 1_000_000)\n")
    student("gigabyte_of_output", 10, edit=output_flood)

    # --- broken files and tampered cells ---------------------------------------------------------------
    student("corrupt_json", 0, ["is not a notebook (invalid JSON"], raw=b'{"cells": [ {"cell_type": "code", "sour')
    student("not_utf8", 0, ["is not UTF-8 text"],
            raw=nbformat.writes(solved(release_nb, src_nb)).replace("sigmoid", "sigmo\u00efd", 1).encode("latin-1", "replace"))
    student("not_a_notebook", 0, ["is not a notebook"], raw=b'{"hello": "a JSON file, but not a notebook"}')

    student("thousands_of_cells", 0, ["cells, more than the limit of 1000"],
            handed_in=lambda nb: nb.cells.extend(nbformat.v4.new_code_cell("") for _ in range(3000)))
    # --- edits of cells the student cannot change (issue 11, points 7 and 8) ----------------------------------
    # The grader runs its own copy of every locked and graded cell, so none of these edits can change what
    # runs: full marks, each edit flagged with what changed. Only a test id on two cells scores 0.
    def formatter(nb):  # an editor's formatter: one blank line after the docstring of every test cell
        for c in graded_cells(nb):
            first, rest = c.source.split("\n", 1)
            c.source = first + "\n\n" + rest
    student("formatter_blank_lines", 10, handed_in=formatter,
            flags=[f"test cell test_{fn} was changed (whitespace only): {COSTS_NOTHING}" for fn in POINTS])

    nb = solved(release_nb, src_nb)
    example = nb.cells.index(_cell(nb, "example_sigmoid"))
    assert "print(sigmoid(x_example))" in nb.cells[example + 1].source     # its "Try it" cell
    del nb.cells[example:example + 2]                                        # point 7: x_example's cells deleted
    _cell(nb, "example_losses").source = _cell(nb, "example_losses").source.replace("0.95]])", "0.5]])")
    l1 = _cell(nb, "test_L1")
    nb.cells[nb.cells.index(l1)] = nbformat.v4.new_markdown_cell(l1.source, metadata=l1.metadata)   # same text
    _cell(nb, "test_sigmoid").source = "print('all good')"
    nb.cells.remove(_cell(nb, "test_softmax"))
    stripped = _cell(nb, "test_normalize_rows")
    stripped.metadata.pop("nbgrader")
    _cell(nb, "test_L2").metadata.nbgrader.points = 100
    student("edited_locked_cells", 10, raw=nbformat.writes(nb).encode("utf-8"), flags=[
        "test cell test_sigmoid was changed (text: line 1 '\"\"\"sigmoid: the (2, 3) example above and the numb…' became "
        f"\"print('all good')\"; 2 lines removed and 1 added in all): {COSTS_NOTHING}",
        f"locked cell example_losses was changed (text: line 3 '…3, 0.6, 0.1, 0.95]])' became '…3, 0.6, 0.1, 0.5]])'; "
        f"1 line removed and 1 added in all): {COSTS_NOTHING}",
        f"test cell test_L1 was changed (turned into a markdown cell): {COSTS_NOTHING}",
        f"test cell test_L2 was changed (nbgrader points 100 instead of 1, which count): {COSTS_NOTHING}",
        "locked cell example_sigmoid was deleted (or its nbgrader metadata changed or removed): the grader put its "
        "own copy back at its place, so this cost nothing",
        f"test cell test_normalize_rows lost its nbgrader metadata (cell {nb.cells.index(stripped) + 1}): the grader "
        "ran its own copy there, so this cost nothing",
        "test cell test_softmax was deleted (or its nbgrader metadata changed or removed): the grader put its own "
        "copy back at its place, so this cost nothing"])

    nb = solved(release_nb, src_nb)
    _cell(nb, "test_L1").metadata.nbgrader.grade_id = "test_L2"     # now two cells claim to be test_L2
    first, second = [i + 1 for i, c in enumerate(nb.cells) if nbg(c).get("grade_id") == "test_L2"]
    student("collided_test_id", 9, [f"test cell test_L2: its nbgrader id is on 2 cells (cells {first} and {second}), "
                                    "so the grader cannot tell which one is the test; scored 0"],
            raw=nbformat.writes(nb).encode("utf-8"),
            flags=["test cell test_L1 was deleted (or its nbgrader metadata changed or removed): the grader put its "
                   "own copy back at its place, so this cost nothing"])
    return cls


def _rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def _tree_hashes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _grade(subs, out, src, *extra):
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(subs), "--out", str(out), "--source",
                           str(src), "--no-progress", *LIMITS, *extra], capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc, time.perf_counter() - t0


@pytest.fixture(scope="module")
def adversarial(tmp_path_factory, release_dir):
    tmp = tmp_path_factory.mktemp("adversarial")
    paths = _ctx(tmp)
    (paths["src"] / TRACK).mkdir(parents=True)
    shutil.copy(SOURCE / TRACK / f"{STEM}.ipynb", paths["src"] / TRACK)
    cls = build_class(tmp, read(release_dir / TRACK / f"{STEM}.ipynb"))
    for name, (raw, *_rest) in cls.items():
        folder = paths["subs"] / name / TRACK
        folder.mkdir(parents=True)
        (folder / f"{STEM}.ipynb").write_bytes(raw)
    before = {"subs": _tree_hashes(paths["subs"]), "src": _tree_hashes(paths["src"])}
    proc, seconds = _grade(paths["subs"], paths["out"], paths["src"], "--workers", "2")
    finished = time.time()
    gradebook_hash = hashlib.sha256((paths["out"] / "gradebook.db").read_bytes()).hexdigest()
    time.sleep(max(0.0, finished + 4 - time.time()))  # past the detached writer's 2 s sleep
    return {"tmp": tmp, **paths, "cls": cls, "before": before, "proc": proc, "seconds": seconds,
            "gradebook_hash": gradebook_hash}


def test_class_has_every_case(adversarial):
    assert len(adversarial["cls"]) >= 20


def test_every_grade(adversarial, record_property):
    got = {r["student"]: float(r["score"]) for r in _rows(adversarial["out"] / "grades.csv")}
    expected = {name: float(score) for name, (_, score, *_r) in adversarial["cls"].items()}
    assert got == expected
    record_property("timing", (f"adversarial class: {len(got)} submissions, 2 workers, whole command",
                               adversarial["seconds"]))


def test_every_reason_and_flag(adversarial):
    summary = {r["student"]: r for r in _rows(adversarial["out"] / "grades.csv")}
    cells = {}
    for r in _rows(adversarial["out"] / "grades_by_cell.csv"):
        cells.setdefault(r["student"], []).append(f"{r['cell']}: {r['reason']}")
    for name, (_, score, reasons, flags) in adversarial["cls"].items():
        text = summary[name]["problems"] + "\n" + "\n".join(cells.get(name, []))
        for reason in reasons:
            assert reason in text, f"{name}: {reason!r} not in\n{text}"
        for flag in flags:
            words = flag.split(" uses ")
            assert all(w in summary[name]["flags"] for w in words), f"{name}: {flag!r} not in {summary[name]['flags']!r}"
        if flags and not any(" uses " in f for f in flags):   # flags of the grader's own words: exactly these
            assert summary[name]["flags"] == "; ".join(f"{STEM}.ipynb: {f}" for f in flags), name
        if not flags:
            assert summary[name]["flags"] == "", f"{name} flagged: {summary[name]['flags']}"
        if score == 10 and not reasons:
            assert all(r.endswith(": ") for r in cells[name]), (name, cells[name])


def test_nothing_outside_the_sandbox_changed(adversarial):
    assert _tree_hashes(adversarial["subs"]) == adversarial["before"]["subs"]
    assert _tree_hashes(adversarial["src"]) == adversarial["before"]["src"]
    assert not (adversarial["tmp"] / "escaped-marker.txt").exists()
    now = hashlib.sha256((adversarial["out"] / "gradebook.db").read_bytes()).hexdigest()
    assert now == adversarial["gradebook_hash"], "the gradebook changed after grading ended"
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert TOKEN not in ps, "a process started by a submission outlived its grading"
    # and the gradebook holds exactly what the coordinator reported
    with sqlite3.connect(adversarial["out"] / "gradebook.db") as db:
        n = db.execute("select count(*) from grade").fetchone()[0]
    assert n == len(adversarial["cls"]) * len(POINTS)


def test_attacks_saw_nothing(adversarial):
    auto = adversarial["out"] / "course" / "autograded"

    def outputs(student):
        nb = read(auto / student / TRACK / f"{STEM}.ipynb")
        return "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert outputs("reads_source_and_gradebook").count("blocked: FileNotFoundError") == 3
    assert outputs("writes_other_students_files").count("blocked:") == 3
    assert outputs("network_access").count("network blocked:") == 2
    assert "fork bomb stopped after" in outputs("fork_bomb")
    assert outputs("fills_disk_and_tmp").count("disk full in") == 2
    assert "output truncated by the grader" in outputs("gigabyte_of_output")
    size = (adversarial["out"] / "feedback" / "gigabyte_of_output" / TRACK / f"{STEM}.html").stat().st_size
    assert size < 10_000_000


def test_feedback_never_shows_hidden_tests(adversarial):
    src = read(SOURCE / TRACK / f"{STEM}.ipynb")
    release = "\n".join(c.source for c in read(adversarial["out"] / "course" / "release" / TRACK / f"{STEM}.ipynb").cells)
    secret = [ln.strip() for c in graded_cells(src) for ln in hidden_lines(c.source)]
    secret = [s for s in secret if len(s) >= 6 and s not in release]
    files = sorted((adversarial["out"] / "feedback").rglob("*.html"))
    valid = [n for n, (_, _, reasons, _) in adversarial["cls"].items()
             if not any(r.startswith(("is not", "cells, more")) for r in reasons)]
    assert len(files) == len(valid)
    for f in files:
        text = html_text(f)
        leaks = [s for s in secret if s in text]
        assert not leaks, f"{f}: {leaks[:3]}"


def test_regrading_part_of_the_class_keeps_everyone_else(adversarial, tmp_path):
    out = adversarial["out"]
    def dump():
        with sqlite3.connect(out / "gradebook.db") as db:
            return sorted(db.execute(
                "select s.student_id, bc.name, g.auto_score, g.manual_score, g.needs_manual_grade from grade g "
                "join base_cell bc on g.cell_id = bc.id "
                "join submitted_notebook sn on g.notebook_id = sn.id join submitted_assignment s "
                "on sn.assignment_id = s.id").fetchall())
    before, csv_before = dump(), _rows(out / "grades.csv")
    subset = tmp_path / "subset"
    for name in ("honest_full", "honest_partial"):
        shutil.copytree(adversarial["subs"] / name, subset / name)
    _grade(subset, out, adversarial["src"], "--workers", "2")
    assert dump() == before
    assert _rows(out / "grades.csv") == csv_before


def _cell_rows(path, students):
    return [r for r in _rows(path) if r["student"] in students]


SUBSET = ("honest_partial", "monkeypatch_allclose", "corrupt_json", "os_exit")


def test_sequential_run_gives_the_same_rows(adversarial, tmp_path):
    subset = tmp_path / "subs"
    for name in SUBSET:
        shutil.copytree(adversarial["subs"] / name, subset / name)
    _grade(subset, tmp_path / "out", adversarial["src"], "--workers", "1")
    for name in ("grades.csv", "grades_by_cell.csv"):
        assert _rows(tmp_path / "out" / name) == _cell_rows(adversarial["out"] / name, SUBSET)


def test_dask_cluster_gives_the_same_rows(adversarial, tmp_path):
    distributed = pytest.importorskip("distributed")
    subset = tmp_path / "subs"
    for name in SUBSET:
        shutil.copytree(adversarial["subs"] / name, subset / name)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        proc, seconds = _grade(subset, tmp_path / "out", adversarial["src"], "--scheduler", cluster.scheduler_address)
        assert "Dask scheduler" in proc.stdout
        logs = json.dumps(cluster.get_logs() if hasattr(cluster, "get_logs") else {}, default=str)
    for name in ("grades.csv", "grades_by_cell.csv"):
        assert _rows(tmp_path / "out" / name) == _cell_rows(adversarial["out"] / name, SUBSET), logs[:2000]
