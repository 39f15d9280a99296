# nbgrader's own command line and the formgrader read this file when run from autograder/:
#     cd autograder && ../.venv/bin/nbgrader generate_assignment 1_neural_networks
#     cd autograder && ../.venv/bin/jupyter lab        (then Nbgrader > Formgrader)
# It holds no settings of its own: they all come from autograder/course.py, as for
# `python -m autograder`, so the two can never disagree.
#
# Which course: the release build (build/course, its gradebook) unless COURSE_RESULTS names a
# graded class, the --out folder of `python -m autograder grade` (its course/ and gradebook.db):
#     cd autograder && COURSE_RESULTS=../results ../.venv/bin/nbgrader export --to ../results/nbgrader_export.csv
# `python -m autograder formgrader` sets it for its server (autograder/student/lab.py).
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from autograder import course  # noqa: E402
from autograder.student import lab  # noqa: E402

course.prepare_environment()  # nbgrader runs `alembic` by name
_fc = lab.formgrader_course(Path(os.environ[lab.RESULTS_ENV])) if os.environ.get(lab.RESULTS_ENV) else lab.build_course()
(_fc.course_root / "exchange").mkdir(parents=True, exist_ok=True)
c = get_config()  # noqa: F821
c.merge(lab.formgrader_nbgrader_config(_fc))
# nbgrader export: a submission whose grading failed has no score (not nbgrader's 0), as in grades.csv
c.ExportApp.plugin_class = lab.csv_export_plugin()
