# nbgrader's own command line and the formgrader read this file when run from autograder/:
#     cd autograder && ../.venv/bin/nbgrader generate_assignment 1_neural_networks
#     cd autograder && ../.venv/bin/jupyter lab        (then Nbgrader > Formgrader)
# It holds no settings of its own: they all come from autograder/course.py, as for
# `python -m autograder`, so the two can never disagree.
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from autograder import course  # noqa: E402

course.prepare_environment()  # nbgrader runs `alembic` by name
(course.RELEASE_ROOT / "exchange").mkdir(parents=True, exist_ok=True)
c = get_config()  # noqa: F821
c.merge(course.nbgrader_config(course.RELEASE_ROOT))
