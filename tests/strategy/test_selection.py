"""course_utils.strategy.selection: one optimising metric, satisficing constraints."""

import math

import pytest

from course_utils.strategy.selection import pick_model

NOTES = [{"name": "A", "accuracy": 0.90, "running_time_ms": 80},
         {"name": "B", "accuracy": 0.92, "running_time_ms": 95},
         {"name": "C", "accuracy": 0.95, "running_time_ms": 1500}]


def test_the_notes_table_picks_b_under_100_ms():
    assert pick_model(NOTES, "accuracy", {"running_time_ms": 100}) == "B"


def test_without_constraints_the_best_wins_and_a_tighter_bound_changes_the_choice():
    assert pick_model(NOTES, "accuracy", {}) == "C"
    assert pick_model(NOTES, "accuracy", {"running_time_ms": 90}) == "A"
    assert pick_model(NOTES, "accuracy", {"running_time_ms": 95}) == "B"     # the bound itself is acceptable


def test_nothing_acceptable_or_nothing_to_choose_gives_none():
    assert pick_model(NOTES, "accuracy", {"running_time_ms": 50}) is None
    assert pick_model([], "accuracy", {"running_time_ms": 50}) is None


def test_several_constraints_and_a_tie_goes_to_the_first():
    wake = [{"name": "w1", "accuracy": 0.97, "false_positives_per_day": 3.0, "ms": 1},
            {"name": "w2", "accuracy": 0.95, "false_positives_per_day": 0.5, "ms": 9},
            {"name": "w3", "accuracy": 0.95, "false_positives_per_day": 1.0, "ms": 2}]
    assert pick_model(wake, "accuracy", {"false_positives_per_day": 1}) == "w2"
    assert pick_model(wake, "accuracy", {"false_positives_per_day": 1, "ms": 5}) == "w3"


def test_missing_or_nan_values_raise():
    with pytest.raises(KeyError, match="candidate 'A' has no value for 'latency'"):
        pick_model(NOTES, "accuracy", {"latency": 1})
    with pytest.raises(ValueError, match="candidate 'x': accuracy is NaN"):
        pick_model([{"name": "x", "accuracy": math.nan}], "accuracy", {})
