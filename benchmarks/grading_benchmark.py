"""Wall time of grading one Track 1 notebook for a class, three ways, side by side in one run.

    .venv/bin/python benchmarks/grading_benchmark.py [--students 40] [--workers N] [--notebook 01_numpy_basics]

1. plain nbgrader:  ``nbgrader autograde`` (its own CLI, default preprocessors), sequential;
2. this grader, 1 worker:   ``python -m autograder grade --workers 1`` (sandboxed);
3. this grader, N workers:  ``python -m autograder grade --workers N`` (sandboxed; N = cores).

Every submission is an honest one (the release with the solutions filled in), so every
way must give full marks; the script checks that before it reports a time. Each way
starts from its own fresh folder. nbgrader's ``generate_assignment`` is run before timing
plain nbgrader but is *inside* the timing of this grader (it builds its release on every
run), so the comparison is conservative. The machine is shared and noisy: compare the
ratios of one run, not absolute seconds across runs. Each way's line ends with the load
averages (1, 5 and 15 minutes) when it finished, so a run on a busy machine says so.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from autograder import course  # noqa: E402
from autograder.course import build_release  # noqa: E402
from autograder.engine.assemble import solved_submission  # noqa: E402
from autograder.engine.grade import default_workers  # noqa: E402

TRACK = "1_neural_networks"

PLAIN_CONFIG = """c = get_config()
c.CourseDirectory.root = {root!r}
c.CourseDirectory.source_directory = {source!r}
c.CourseDirectory.db_url = "sqlite:///{root}/gradebook.db"
c.CourseDirectory.course_id = "benchmark"
c.Execute.timeout = 120
"""


def _env() -> dict:
    env = dict(os.environ, **course.SINGLE_THREAD_BLAS)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def plain_nbgrader(work: Path, source: Path, submissions: Path) -> tuple[float, float]:
    """Time ``nbgrader autograde`` on the class; return (seconds, mean score)."""
    root = work / "plain"
    root.mkdir()
    (root / "nbgrader_config.py").write_text(PLAIN_CONFIG.format(root=str(root), source=str(source)))
    env = _env()
    subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", TRACK, "--force", "--create"],
                   cwd=root, env=env, check=True, capture_output=True)
    shutil.copytree(submissions, root / "submitted")
    students = sorted(p.name for p in submissions.iterdir())
    (work / "students.csv").write_text("id\n" + "\n".join(students) + "\n")
    subprocess.run([sys.executable, "-m", "nbgrader", "db", "student", "import", str(work / "students.csv")],
                   cwd=root, env=env, check=True, capture_output=True)
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "nbgrader", "autograde", TRACK, "--force"], cwd=root, env=env,
                          capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"plain nbgrader failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root}/gradebook.db") as gb:
        scores = [gb.find_submission(TRACK, s).score for s in students]
    return seconds, sum(scores) / len(scores)


def this_grader(work: Path, source: Path, submissions: Path, workers: int) -> tuple[float, float]:
    out = work / f"ours-{workers}"
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(submissions), "--out", str(out),
                           "--source", str(source), "--workers", str(workers), "--no-progress"],
                          env=_env(), capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"this grader failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    with open(out / "grades.csv", newline="") as f:
        scores = [float(r["score"]) for r in csv.DictReader(f)]
    return seconds, sum(scores) / len(scores)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--students", type=int, default=40)
    p.add_argument("--workers", type=int, default=default_workers())
    p.add_argument("--notebook", default="01_numpy_basics")
    p.add_argument("--keep", action="store_true", help="keep the work folder")
    args = p.parse_args(argv)
    course.prepare_environment()
    work = Path(tempfile.mkdtemp(prefix="grading-benchmark-"))
    try:
        source = work / "source"
        (source / TRACK).mkdir(parents=True)
        shutil.copy(course.SOURCE / TRACK / f"{args.notebook}.ipynb", source / TRACK)
        release = build_release(work / "release-build", source, log=lambda m: None) / TRACK / f"{args.notebook}.ipynb"
        answer = solved_submission(json.loads(release.read_text()),
                                   json.loads((source / TRACK / f"{args.notebook}.ipynb").read_text()))
        subs = work / "submissions"
        for i in range(args.students):
            d = subs / f"student{i:03d}" / TRACK
            d.mkdir(parents=True)
            (d / f"{args.notebook}.ipynb").write_text(json.dumps(answer))
        print(f"{args.students} honest submissions of {TRACK}/{args.notebook}; {os.cpu_count()} cores; "
              f"N = {args.workers} workers; load {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
        rows = []
        for label, fn in [("plain nbgrader autograde (sequential)", lambda: plain_nbgrader(work, source, subs)),
                          ("this grader, sandboxed, 1 worker", lambda: this_grader(work, source, subs, 1)),
                          (f"this grader, sandboxed, {args.workers} workers",
                           lambda: this_grader(work, source, subs, args.workers))]:
            seconds, mean = fn()
            rows.append((label, seconds, mean))
            load = " ".join(f"{x:.1f}" for x in os.getloadavg())
            print(f"  {label:<42} {seconds:7.1f} s   {seconds / args.students:5.2f} s/notebook   "
                  f"mean score {mean:g}   load {load}", flush=True)
        ours = {m for label, _, m in rows[1:]}
        if len(ours) != 1:
            print(f"error: 1 worker and {args.workers} workers disagree on the scores: {sorted(ours)}")
            return 1
        if rows[0][2] != rows[1][2]:
            print(f"note: plain nbgrader's mean score {rows[0][2]:g} differs from this grader's {rows[1][2]:g}: "
                  "nbgrader 0.9.6 gives 0 to a test cell that printed to stderr (a RuntimeWarning "
                  "from a correct answer); this grader does not")
        base = rows[0][1]
        print("ratios to plain nbgrader:")
        for label, seconds, _ in rows[1:]:
            print(f"  {label:<42} {seconds / base:5.2f}x")
        return 0
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
