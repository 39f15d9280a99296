import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import gradients  # noqa: E402
import helpers  # noqa: E402


@pytest.fixture(scope="session")
def release_dir(tmp_path_factory):
    """The student release of the real notebooks, built once (per worker) with nbgrader."""
    from autograder.course import build_release

    root = tmp_path_factory.mktemp("course")
    return build_release(root, helpers.SOURCE, log=lambda m: None)


@pytest.fixture
def check_backward():
    """``check_backward(forward, inputs, d_out, grads, *, h=1e-6, tol=1e-7)`` from ``tests/gradients.py``.

    Asserts that ``grads`` are the gradients of ``sum(forward(*inputs) * d_out)`` with respect to
    each input, by central differences (CS231n's ``eval_numerical_gradient_array``).
    """
    return gradients.check_backward


def pytest_terminal_summary(terminalreporter):
    """Print the timings tests recorded with record_property("timing", (label, seconds)).

    user_properties travel from xdist workers to the controller, so this works with -n.
    """
    rows = []
    for reports in terminalreporter.stats.values():
        for rep in reports:
            if getattr(rep, "when", None) == "call":
                rows += [value for name, value in getattr(rep, "user_properties", []) if name == "timing"]
    if rows:
        terminalreporter.section("measured times (s)")
        for label, seconds in sorted(rows):
            terminalreporter.write_line(f"{seconds:7.1f}  {label}")
