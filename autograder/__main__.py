"""Command line of the course kit: ``python -m autograder COMMAND``.

  release   build the student release (nbgrader) and copy new notebooks into student/
  lab       release, then start JupyterLab on student/ (prints the URL)
  formgrader  JupyterLab for the instructor with nbgrader's formgrader
  check     run a notebook's visible checks (a student's self-check)
  grade     autograde a folder of submissions: CSV, feedback HTML, log
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import course


def _release(args) -> int:
    from .release import ReleaseError, build_release, sync_student

    try:
        release = build_release(course.RELEASE_ROOT)
    except ReleaseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    report = sync_student(release, args.student_dir)
    print("\n".join(report.lines(release, args.student_dir)))
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("release", help="build the student release and copy new notebooks into student/")
    p.add_argument("--student-dir", type=Path, default=course.STUDENT_DIR)

    p = sub.add_parser("lab", help="start JupyterLab on the student notebooks")
    p.add_argument("--student-dir", type=Path, default=course.STUDENT_DIR)
    p.add_argument("--no-browser", action="store_true", help="do not open a browser (implied when CI is set)")
    p.add_argument("--port", type=int, default=None, help="port (default: the first free one from 8888)")
    p.add_argument("--skip-release", action="store_true", help="start on student/ as it is")

    p = sub.add_parser("formgrader", help="JupyterLab at the repository root with nbgrader's formgrader (instructors)")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser (implied when CI is set)")
    p.add_argument("--port", type=int, default=None)

    p = sub.add_parser("check", help="run a notebook's visible checks and report")
    p.add_argument("notebook", type=Path)

    p = sub.add_parser("grade", help="autograde SUBMISSIONS/<student>/<assignment>/*.ipynb")
    p.add_argument("submissions", type=Path)
    p.add_argument("--out", type=Path, default=Path("results"), help="output folder (default: ./results)")
    p.add_argument("--source", type=Path, default=course.SOURCE,
                   help="folder of track folders with the instructor notebooks (default: notebooks/)")

    args = parser.parse_args(argv)
    if args.command == "release":
        return _release(args)
    if args.command == "lab":
        if not args.skip_release and _release(args) != 0:
            return 1
        from .lab import start

        start(args.student_dir, port=args.port, no_browser=args.no_browser)
        return 0
    if args.command == "formgrader":
        from .lab import start_formgrader

        start_formgrader(port=args.port, no_browser=args.no_browser)
        return 0
    if args.command == "check":
        from .selfcheck import check

        try:
            return 0 if check(args.notebook) else 1
        except FileNotFoundError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    if args.command == "grade":
        from .grade import grade

        try:
            results = grade(args.submissions, args.out, source=args.source)
        except FileNotFoundError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        bad = [r for r in results if r.problems]
        print(f"graded {len(results)} submission(s); {len(bad)} with problems (see {args.out / 'grading.log'})")
        print(f"scores: {args.out / 'grades.csv'}  per cell: {args.out / 'grades_by_cell.csv'}  "
              f"feedback: {args.out / 'feedback'}")
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
