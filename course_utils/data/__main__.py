"""``python -m course_utils.data build [--force] [--data-dir DIR]``: build the course data files."""

import sys

from course_utils.data.store import main

sys.exit(main())
