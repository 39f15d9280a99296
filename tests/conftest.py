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


@pytest.fixture(autouse=True)
def _reseed_module_rng(request):
    """Reseed a test module's module-level ``rng`` (a numpy Generator) from the test's own id.

    Several modules draw their random inputs from one ``rng = np.random.default_rng(seed)``; under xdist
    the tests of a module run on either worker in either order, so each test's draws depended on which
    tests ran before it on that worker, and a run could fail on inputs no other run had seen (CI, stop 22).
    Reseeding from a CRC of the node id gives every test the same inputs in every run and order.
    """
    import zlib

    import numpy as np

    module = request.module
    if isinstance(getattr(module, "rng", None), np.random.Generator):
        module.rng = np.random.default_rng(zlib.crc32(request.node.nodeid.split("@")[0].encode()))
    yield


#: Tests that each run whole notebooks (in a kernel or in the browser), in the order they start.
#: xdist (``--dist loadgroup``) hands out its xdist_group units first (the graded class, the adversarial
#: class, the browser journeys: largest first), then single tests in collection order, a few at a time
#: to whichever worker is free. A test that runs a notebook and starts last keeps one worker busy for a
#: minute while the other has nothing left: so these start before the hundreds of quick tests, which
#: then fill both workers to the end. Every notebook a track adds joins its test's place here.
START_FIRST = (
    "tests/autograder/test_student_checks.py::test_an_honest_hand_in_passes_every_check_and_every_hidden_test",
    "tests/autograder/test_student_checks.py::test_the_untouched_release_runs_to_the_end_and_fails_every_check",
    "tests/autograder/test_student_checks.py::test_make_check_and_nbgrader_validate_name_exactly_the_wrong_cell",
    "tests/autograder/test_release.py::test_student_self_check_command",
    "tests/grading/test_near_misses.py::test_visible_and_hidden_verdicts_agree_on_near_misses",
)


def _start_rank(item) -> int:
    return next((i for i, prefix in enumerate(START_FIRST) if item.nodeid.startswith(prefix)), len(START_FIRST))


def pytest_collection_modifyitems(config, items):
    """Put the tests of :data:`START_FIRST` first, in that order; every other test keeps its place."""
    items.sort(key=_start_rank)


def _name_xdist_groups(config, items):  # registered below, on xdist's workers only
    """Give each test marked ``xdist_group(name)`` the node id ``...@name``, as pytest-xdist intends.

    xdist's ``--dist loadgroup`` sends every test whose node id ends in ``@name`` to one worker;
    xdist 3.8 writes that suffix into ``item._nodeid``, which pytest 9 no longer reads (the id is
    ``item._id``), so every group was silently split: the grading class, the adversarial class and
    the student kit were each built on both workers. Raises RuntimeError if the id cannot be set,
    rather than splitting the groups again without a word.
    """
    from _pytest.nodeid import NodeId

    for item in items:
        names = sorted({str(m.args[0] if m.args else m.kwargs.get("name", "default"))
                        for m in item.iter_markers("xdist_group")})
        if not names:
            continue
        suffix = "@" + "_".join(names)
        if not item.nodeid.endswith(suffix):
            item._id = NodeId.parse(item.nodeid + suffix)
        if not item.nodeid.endswith(suffix):
            raise RuntimeError(f"cannot mark {item.nodeid} for its xdist group {suffix}: see tests/conftest.py")


def pytest_configure(config):
    if getattr(config.option, "loadgroup", False) and hasattr(config, "workerinput"):
        class _Groups:
            pytest_collection_modifyitems = staticmethod(
                pytest.hookimpl(trylast=True)(_name_xdist_groups))

        config.pluginmanager.register(_Groups(), "course-xdist-groups")


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
