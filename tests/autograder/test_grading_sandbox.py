"""Without bubblewrap the grader refuses untrusted work, unless told --unsandboxed, and then says so."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from autograder.engine.assemble import solved_submission
from autograder.engine.grade import UNSANDBOXED_BANNER
from helpers import SOURCE

TRACK, STEM = "1_neural_networks", "01_numpy_basics"


def _env_without_bwrap() -> dict:
    # only the venv's bin/ on PATH: bwrap (in /usr/bin) cannot be found
    return dict(os.environ, PATH=str(Path(sys.executable).parent))


def _one_student(tmp: Path, release_dir: Path) -> tuple[Path, Path]:
    src = tmp / "src"
    (src / TRACK).mkdir(parents=True)
    shutil.copy(SOURCE / TRACK / f"{STEM}.ipynb", src / TRACK)
    answer = solved_submission(json.loads((release_dir / TRACK / f"{STEM}.ipynb").read_text()),
                               json.loads((SOURCE / TRACK / f"{STEM}.ipynb").read_text()))
    folder = tmp / "subs" / "alice" / TRACK
    folder.mkdir(parents=True)
    (folder / f"{STEM}.ipynb").write_text(json.dumps(answer))
    return src, tmp / "subs"


def test_refuses_without_a_sandbox(tmp_path, release_dir):
    src, subs = _one_student(tmp_path, release_dir)
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(subs), "--out", str(tmp_path / "out"),
                           "--source", str(src)], capture_output=True, text=True, env=_env_without_bwrap(), timeout=300)
    assert proc.returncode == 2
    assert "refusing to grade untrusted submissions without a sandbox" in proc.stderr
    assert "bubblewrap" in proc.stderr and "--unsandboxed" in proc.stderr
    assert not (tmp_path / "out" / "grades.csv").exists()


def test_unsandboxed_grades_and_says_so_loudly(tmp_path, release_dir):
    src, subs = _one_student(tmp_path, release_dir)
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(subs), "--out", str(out), "--source",
                           str(src), "--unsandboxed", "--no-progress"], capture_output=True, text=True,
                          env=_env_without_bwrap(), timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count(UNSANDBOXED_BANNER) == 2  # at the start and at the end
    assert "UNSANDBOXED" in (out / "grading.log").read_text()
    with open(out / "grades.csv", newline="") as f:
        (row,) = list(csv.DictReader(f))
    assert (row["student"], float(row["score"]), float(row["max_score"])) == ("alice", 10.0, 10.0)
