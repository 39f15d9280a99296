# nbgrader's own command line and the formgrader read this file when run from autograder/:
#     cd autograder && nbgrader generate_assignment 1_neural_networks
# It holds no settings of its own: they all come from autograder/course.py, as for
# `python -m autograder`, so the two can never disagree.
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from autograder import course  # noqa: E402

c = get_config()  # noqa: F821
c.merge(course.nbgrader_config(course.RELEASE_ROOT))
