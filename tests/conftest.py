import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import helpers  # noqa: E402


@pytest.fixture(scope="session")
def release_dir(tmp_path_factory):
    """The student release of the real notebooks, built once with nbgrader."""
    from autograder.release import build_release

    root = tmp_path_factory.mktemp("course")
    return build_release(root, helpers.SOURCE, log=lambda m: None)


def pytest_terminal_summary(terminalreporter):
    if helpers.TIMINGS:
        terminalreporter.section("notebook execution times (s)")
        for label, seconds in sorted(helpers.TIMINGS.items()):
            terminalreporter.write_line(f"{seconds:7.1f}  {label}")
