"""Command line of the course kit: ``python -m autograder COMMAND``.

  release   build the student release (nbgrader) and copy new notebooks into student/
  lab       release, then start JupyterLab on student/ (prints the URL)
  formgrader  JupyterLab for the instructor with nbgrader's formgrader on the graded class in
            results/ (--results OUT for another grade --out), else on the release build
  check     run a notebook's visible checks (a student's self-check)
  kit       build the student kit of one assignment: its release and a course_utils wheel without
            that assignment's answers (exits 2 when the assignment needs a left-out answer at run time)
  grade     autograde a folder of submissions: CSV, feedback HTML, log; exits 3 when the grader
            failed on any submission (its row says "grading failed" and has no score); writes the
            class report and the similarity report at the end
  report    write the class report (class_report.html) again for a folder `grade` wrote
  similarity  write the similarity report (similarity.html, similarity.csv) again for such a folder
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import course


def _release(args) -> int:
    from .student.workspace import sync_student

    if getattr(args, "notebook", None):
        return _release_notebooks(args.notebook)
    try:
        release = course.build_release(course.RELEASE_ROOT)
    except course.ReleaseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    report = sync_student(release, args.student_dir)
    print("\n".join(report.lines(release, args.student_dir)))
    return 0


def _release_notebooks(notebooks: list[str]) -> int:
    """Release single notebooks as assignments of their own, into course.NOTEBOOK_RELEASE_ROOT."""
    offered = course.notebook_assignments()
    names = []
    for spec in notebooks:
        track, _, stem = spec.strip("/").removesuffix(".ipynb").rpartition("/")
        if stem not in offered or (track and offered[stem][0] != track):
            where = f"{track}/{stem}" if track else stem
            print(f"error: no notebook {where} can be released on its own; these can: "
                  + ", ".join(f"{t}/{Path(f).stem}" for t, f in offered.values()), file=sys.stderr)
            return 2
        names.append(stem)
    try:
        release = course.build_release(course.NOTEBOOK_RELEASE_ROOT, only=names)
    except course.ReleaseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for name in names:
        print(f"assignment {name}: hand out {release / name}/; students hand it in as "
              f"SUBMISSIONS/<student>/{name}/{offered[name][1]}")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("release", help="build the student release and copy new notebooks into student/")
    p.add_argument("--student-dir", type=Path, default=course.STUDENT_DIR)
    p.add_argument("--notebook", action="append", metavar="TRACK/NOTEBOOK",
                   help="release only this notebook, as an assignment of its own named after it (a weekly "
                        "deadline), e.g. 1_neural_networks/01_numpy_basics; repeatable. Built into "
                        "build/notebook-assignments/release/; student/ is not touched")

    p = sub.add_parser("lab", help="start JupyterLab on the student notebooks")
    p.add_argument("--student-dir", type=Path, default=course.STUDENT_DIR)
    p.add_argument("--no-browser", action="store_true", help="do not open a browser (implied when CI is set)")
    p.add_argument("--port", type=int, default=None, help="port (default: the first free one from 8888)")
    p.add_argument("--skip-release", action="store_true", help="start on student/ as it is")

    p = sub.add_parser("formgrader", help="JupyterLab with nbgrader's formgrader on a graded class (instructors)")
    p.add_argument("--results", type=Path, default=None, metavar="OUT",
                   help="the graded class: the --out folder of grade, with its gradebook.db (default: ./results if "
                        "it holds one, else the release build in build/course, which has no students)")
    p.add_argument("--source", type=Path, default=course.SOURCE,
                   help="folder of track folders the class was graded from (default: notebooks/)")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser (implied when CI is set)")
    p.add_argument("--port", type=int, default=None)

    p = sub.add_parser("check", help="run a notebook's visible checks and report")
    p.add_argument("notebook", type=Path)

    p = sub.add_parser("kit", help="build the student kit of one assignment, without its answers")
    p.add_argument("assignment", help="a track (1_neural_networks) or a single-notebook assignment (01_numpy_basics)")
    p.add_argument("--out", type=Path, default=course.BUILD / "kit", help="output folder (default: build/kit)")
    p.add_argument("--source", type=Path, default=course.SOURCE,
                   help="folder of track folders with the instructor notebooks (default: notebooks/)")
    p.add_argument("--keep-needed", action="store_true",
                   help="instead of refusing, keep (with a warning) the assignment's own answers it calls at run time")

    p = sub.add_parser("grade", help="autograde SUBMISSIONS/<student>/<assignment>/*.ipynb")
    p.add_argument("submissions", type=Path)
    p.add_argument("--out", type=Path, default=Path("results"), help="output folder (default: ./results)")
    p.add_argument("--source", type=Path, default=course.SOURCE,
                   help="folder of track folders with the instructor notebooks (default: notebooks/)")
    p.add_argument("--workers", type=int, default=None, help="local worker processes (default: number of cores)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="grade on a Dask distributed cluster, e.g. tcp://10.0.0.5:8786 (needs the [dask] extra)")
    p.add_argument("--unsandboxed", action="store_true",
                   help="grade even without bubblewrap: student code then runs with YOUR permissions")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    from .engine.sandbox import Limits

    d = Limits()
    p.add_argument("--wall-time", type=float, default=d.wall_time, help=f"seconds per submission (default {d.wall_time:g})")
    p.add_argument("--cell-timeout", type=float, default=d.cell_timeout, help=f"seconds per cell (default {d.cell_timeout:g})")
    p.add_argument("--cpu-time", type=int, default=d.cpu_time, help=f"CPU seconds per process (default {d.cpu_time})")
    p.add_argument("--memory-mb", type=int, default=d.memory_mb, help=f"MiB of address space per process (default {d.memory_mb})")
    p.add_argument("--max-procs", type=int, default=d.max_procs, help=f"processes and threads at once (default {d.max_procs})")
    p.add_argument("--max-file-mb", type=int, default=d.max_file_mb, help=f"largest file written, MiB (default {d.max_file_mb})")
    p.add_argument("--max-output", type=int, default=d.max_output, help=f"output bytes kept per notebook (default {d.max_output})")
    p.add_argument("--disk-mb", type=int, default=d.disk_mb,
                   help=f"MiB the sandbox may write in its home and in /tmp, each (RAM-backed; default {d.disk_mb})")

    p = sub.add_parser("report", help="write the class report (class_report.html) for a folder `grade` wrote")
    p.add_argument("results", type=Path, help="the --out folder of a grade run")

    p = sub.add_parser("similarity", help="write the similarity report (similarity.html, .csv) for a graded class")
    p.add_argument("results", type=Path, help="the --out folder of a grade run")
    p.add_argument("--threshold", type=float, default=None, help="list pairs scoring at least this (default 0.5)")
    p.add_argument("--min-tokens", type=int, default=None,
                   help="exclude exercises whose reference solution has fewer tokens (default 30)")

    args = parser.parse_args(argv)
    if args.command == "release":
        return _release(args)
    if args.command == "lab":
        if not args.skip_release and _release(args) != 0:
            return 1
        from .student.lab import start

        start(args.student_dir, port=args.port, no_browser=args.no_browser)
        return 0
    if args.command == "formgrader":
        from .student.lab import NoGradedClass, start_formgrader

        try:
            start_formgrader(port=args.port, no_browser=args.no_browser, results=args.results, source=args.source)
        except NoGradedClass as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        return 0
    if args.command == "check":
        from .student.selfcheck import check

        try:
            return 0 if check(args.notebook) else 1
        except FileNotFoundError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    if args.command == "kit":
        from .kit import KitError, KitRefused, build_kit

        try:
            kit = build_kit(args.assignment, args.out, source=args.source, keep_needed=args.keep_needed)
        except KitRefused as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        except (KitError, course.ReleaseError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(f"hand out {kit.release}/ and {kit.wheel} (students: pip install {kit.wheel.name})")
        return 0
    if args.command == "grade":
        from .engine.grade import SandboxRefused, grade
        from .engine.sandbox import Limits

        limits = Limits(wall_time=args.wall_time, cell_timeout=args.cell_timeout, cpu_time=args.cpu_time,
                        memory_mb=args.memory_mb, max_procs=args.max_procs, max_file_mb=args.max_file_mb,
                        max_output=args.max_output, disk_mb=args.disk_mb)
        try:
            results = grade(args.submissions, args.out, source=args.source, workers=args.workers, limits=limits,
                            scheduler=args.scheduler, unsandboxed=args.unsandboxed, progress=not args.no_progress)
        except (FileNotFoundError, SandboxRefused, course.ReleaseError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        bad = [r for r in results if r.problems]
        flagged = [r for r in results if r.flags]
        print(f"graded {len(results) - len(results.failed)} submission(s); {len(bad)} with problems, "
              f"{len(flagged)} flagged for review (see {args.out / 'grading.log'})")
        if results.ignored:
            print(f"{len(results.ignored)} file(s) under {args.submissions} were not graded; each is named with the "
                  f"reason in {args.out / 'submitted_files.csv'} and the log")
        print(f"scores: {args.out / 'grades.csv'}  per notebook: {args.out / 'grades_by_notebook.csv'}  "
              f"per cell: {args.out / 'grades_by_cell.csv'}  feedback: {args.out / 'feedback'}")
        if results.failed:
            print(f"error: GRADING FAILED for {len(results.failed)} submission(s), so they have no score "
                  f"(not a 0): {results.self_test_failed or 'see grading.log'}. Fix the cause and grade them again.",
                  file=sys.stderr)
            return 3
        return 0
    if args.command == "report":
        from .engine.report import write_class_report

        try:
            print(f"class report: {write_class_report(args.results)}")
        except FileNotFoundError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        return 0
    if args.command == "similarity":
        from .engine import similarity

        if not (args.results / "course" / "autograded").is_dir():
            print(f"error: {args.results} is not a folder `grade` wrote (it has no course/autograded/)", file=sys.stderr)
            return 2
        rep = similarity.similarity_report(
            args.results, threshold=similarity.THRESHOLD if args.threshold is None else args.threshold,
            min_tokens=similarity.MIN_TOKENS if args.min_tokens is None else args.min_tokens)
        excluded = sum(1 for e in rep.exercises if e.excluded)
        print(f"similarity: {len(rep.pairs)} pair(s) listed over {len(rep.exercises) - excluded} exercise(s) "
              f"({excluded} too short to compare): {rep.html}, {rep.csv}")
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
