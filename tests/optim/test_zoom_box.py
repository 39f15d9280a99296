"""course_utils.optim.tuning.zoom_box (graded in Track 2, notebook 06): the box of the second round of
coarse to fine, on trials whose box is worked out here by hand."""

import math

import pytest

from course_utils.optim.tuning import zoom_box


def _trial(learning_rate, beta1, dev_acc):
    return {"learning_rate": learning_rate, "beta1": beta1, "dev_acc": dev_acc}


TRIALS = [_trial(0.02, 0.95, 0.91), _trial(0.0005, 0.995, 0.88), _trial(0.004, 0.99, 0.95),
          _trial(0.3, 0.9, 0.5), _trial(0.008, 0.998, 0.91), _trial(0.0001, 0.92, 0.7)]


def test_the_box_of_the_best_trials_in_exponent_space():
    # the three best: 0.004 / 0.99 (0.95), then the tie at 0.91, both kept: 0.02 / 0.95 and 0.008 / 0.998
    lr_box, beta_box = zoom_box(TRIALS, 3, 0.2, (-4.0, 0.0), (-3.0, -1.0))
    assert lr_box == pytest.approx((math.log10(0.004) - 0.2, math.log10(0.02) + 0.2), abs=1e-12)
    assert beta_box == pytest.approx((math.log10(0.002) - 0.2, math.log10(0.05) + 0.2), abs=1e-12)
    assert all(type(v) is float for v in lr_box + beta_box)


def test_a_tie_at_the_last_place_keeps_the_earlier_trial():
    # k = 2: 0.004 first, then of the tied 0.02 (index 0) and 0.008 (index 4) the earlier, 0.02
    lr_box, beta_box = zoom_box(TRIALS, 2, 0.0, (-4.0, 0.0), (-3.0, -1.0))
    assert lr_box == pytest.approx((math.log10(0.004), math.log10(0.02)), abs=1e-12)
    assert beta_box == pytest.approx((math.log10(0.01), math.log10(0.05)), abs=1e-12)


def test_the_box_stays_inside_the_first_rounds_range():
    # one trial at the notes' best value 100 on a range of 10 to 1000; a pad of 2 decades reaches past both ends
    notes = [_trial(10.0, 0.9, 0.81), _trial(100.0, 0.99, 0.93), _trial(1000.0, 0.999, 0.86)]
    lr_box, beta_box = zoom_box(notes, 1, 0.2, (1.0, 3.0), (-3.0, -1.0))
    assert lr_box + beta_box == pytest.approx((1.8, 2.2, -2.2, -1.8), abs=1e-12)
    assert all(10 ** lr_box[0] <= v <= 10 ** lr_box[1] for v in (80, 100, 120, 150))      # the notes' fine values
    assert zoom_box(notes, 1, 2.0, (1.0, 3.0), (-3.0, -1.0)) == ((1.0, 3.0), (-3.0, -1.0))
    lr_box, beta_box = zoom_box(notes, 10, 0.0, (1.0, 3.0), (-3.0, -1.0))                  # k beyond the trials: all
    assert lr_box + beta_box == pytest.approx((1.0, 3.0, -3.0, -1.0), abs=1e-12)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="k >= 1"):
        zoom_box(TRIALS, 0, 0.2, (-4.0, 0.0), (-3.0, -1.0))
    with pytest.raises(ValueError, match="at least one trial"):
        zoom_box([], 3, 0.2, (-4.0, 0.0), (-3.0, -1.0))
    with pytest.raises(KeyError):
        zoom_box([{"learning_rate": 0.01, "beta1": 0.9}], 1, 0.2, (-4.0, 0.0), (-3.0, -1.0))
