"""course_utils.viz.progress: progress bars that stay quiet while nbgrader grades."""

import pytest
from tqdm.std import tqdm as std_tqdm

from course_utils.viz.progress import grading, progress_range


@pytest.fixture
def not_grading(monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)


@pytest.mark.parametrize("value, expected", [
    (None, False), ("", False), ("autograde", True), ("validate", True), ("1", True),
])
def test_grading_reads_nbgrader_execution(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    else:
        monkeypatch.setenv("NBGRADER_EXECUTION", value)
    assert grading() is expected


def test_disabled_is_a_plain_range(not_grading):
    r = progress_range(5, enabled=False, desc="ignored")
    assert type(r) is range and r == range(5)


def test_while_grading_it_is_a_plain_range_even_if_enabled(monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    r = progress_range(4, enabled=True, desc="training")
    assert type(r) is range and r == range(4)


def test_otherwise_a_tqdm_bar_over_the_same_numbers(not_grading, capsys):
    bar = progress_range(6, desc="gradient descent")
    try:
        assert isinstance(bar, std_tqdm)
        assert bar.desc == "gradient descent"
        assert bar.total == 6
        assert bar.leave is False
        assert list(bar) == list(range(6))
        assert bar.n == 6
    finally:
        bar.close()


def test_enabled_is_the_default(not_grading):
    bar = progress_range(2)
    try:
        assert not isinstance(bar, range) and isinstance(bar, std_tqdm)
    finally:
        bar.close()


def test_zero_iterations(not_grading):
    assert list(progress_range(0, enabled=False)) == []
    bar = progress_range(0)
    try:
        assert list(bar) == []
    finally:
        bar.close()
