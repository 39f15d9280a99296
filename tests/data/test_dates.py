"""Track 5's date translation data (course_utils.data.dates): seeded faker dates written by babel, and ISO dates."""

import datetime as dt
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from course_utils.data import dates

#: the first pairs of seed 0 (faker 40.63, babel 2.19 with CLDR 49)
FIRST_PAIRS = [("11.06.2034", "2034-06-11", "tr_TR", "dd.MM.y"),
               ("18 oct 2025", "2025-10-18", "es_ES", "d MMM y"),
               ("22 jan. 1992", "1992-01-22", "de_DE", "dd MMM y"),
               ("22.11.1975", "1975-11-22", "en_GB", "dd.MM.y"),
               ("vendredi 16 février 2001", "2001-02-16", "fr_FR", "full"),
               ("june 30, 1990", "1990-06-30", "en_US", "long")]

_IN_A_PROCESS = "import json\nfrom course_utils.data.dates import make_dates\nprint(json.dumps(make_dates(500, 17)))"


def test_a_fixed_seed_gives_these_pairs():
    human, iso, locales, formats = dates.make_dates(6, 0)
    assert list(zip(human, iso, locales, formats)) == FIRST_PAIRS
    assert dates.make_dates(6, 0) == (human, iso, locales, formats)
    assert dates.make_dates(6, 1)[1] != iso
    assert dates.make_dates(0, 0) == ([], [], [], [])


def test_the_same_seed_gives_the_same_pairs_in_other_processes_and_time_zones():
    expected = json.loads(json.dumps(dates.make_dates(500, 17)))
    for tz in ("UTC", "Pacific/Kiritimati", "America/Los_Angeles"):  # UTC+14 and UTC-8: faker's dates are UTC
        env = dict(os.environ, TZ=tz, PYTHONHASHSEED=str(len(tz)))
        out = subprocess.run([sys.executable, "-c", _IN_A_PROCESS], capture_output=True, text=True, env=env,
                             check=True, timeout=120).stdout
        assert json.loads(out) == expected, tz


def test_iso_dates_are_valid_in_range_and_written_by_their_locale_and_format():
    human, iso, locales, formats = dates.make_dates(3000, 5)
    days = [dt.date.fromisoformat(d) for d in iso]
    assert all(dt.date(1950, 1, 1) <= d <= dt.date(2049, 12, 31) for d in days)
    assert all(len(d) == 10 and d[4] == d[7] == "-" for d in iso)
    from babel.dates import format_date
    assert all(format_date(d, f, locale=loc).lower() == h for h, d, loc, f in zip(human, days, locales, formats))
    # uniform over the hundred years: each decade holds about a tenth
    decades = np.bincount([(d.year - 1950) // 10 for d in days], minlength=10)
    assert decades.min() > 240 and decades.max() < 360


def test_every_locale_and_format_of_the_grid_is_drawn():
    grid = dates.format_grid()
    assert len(grid) == 65
    _, _, locales, formats = dates.make_dates(2000, 3)
    assert set(locales) == set(dates.LOCALES)
    assert set(zip(locales, formats)) == {(loc, f) for loc, f, _ in grid}


def test_the_year_is_the_calendar_year_y_never_the_week_year_Y():
    new_year = dt.date(2024, 12, 30)  # a Monday of ISO week 1 of 2025
    from babel.dates import format_date
    assert format_date(new_year, "d MMM YYY", locale="en_US") == "30 Dec 2025"  # the trap
    for loc, fmt, pattern in dates.format_grid():
        assert "Y" not in pattern, (loc, fmt, pattern)
        text = dates._format(new_year, loc, fmt, True)
        two_digits = "yy" in pattern and "yyy" not in pattern
        assert ("24" if two_digits else "2024") in text and "25" not in text, (loc, fmt, text)
    with pytest.raises(ValueError, match="week-based year"):
        dates.format_grid(["en_US"], ["d MMM YYY"])
    with pytest.raises(ValueError, match="week-based year"):
        dates.make_dates(3, 0, formats=["dd.MM.YY"])


def test_a_string_means_one_date_whatever_its_locale():
    grid = dates.format_grid()
    kept = {(loc, f) for loc, f, _ in grid}
    assert ("en_US", "short") in kept and ("en_US", "M/d/y") in kept and ("de_DE", "short") in kept
    for loc in ("en_GB", "fr_FR", "es_ES", "it_IT"):  # their short format is dd/MM/y or d/M/yy: day first with slashes
        assert (loc, "short") not in kept and (loc, "M/d/y") not in kept
    assert ("en_US", "dd.MM.y") not in kept  # en_US writes month first
    seen = {}
    start = dt.date(2023, 1, 1)
    for k in range(731):  # two years: every day and month, each weekday with each
        day = start + dt.timedelta(days=k)
        for loc, fmt, _ in grid:
            text = dates._format(day, loc, fmt, True)
            assert seen.setdefault(text, day) == day, (text, day, seen[text], loc, fmt)


def test_the_vocabularies_cover_every_character():
    hv, mv = dates.human_vocabulary(), dates.machine_vocabulary()
    assert len(hv) == 50 and hv.tokens[0] == dates.PAD and hv.tokens[-1] == "<UNK>"
    assert mv.tokens == list("0123456789-") and len(mv) == 11
    human, iso, _, _ = dates.make_dates(3000, 8)
    assert set("".join(human)) <= set(hv.tokens)
    assert {"ı", "ş", "ç", "ğ", "é", "ä", "ì"} <= set(hv.tokens)  # Turkish, French, German, Italian
    assert all(len(h) <= dates.T_X for h in human)
    uppercase = dates.human_vocabulary(["de_DE"], ["full"], lowercase=False)
    assert {"M", "D", "S", "F"} <= set(uppercase.tokens)


def test_the_longest_string_is_t_x():
    days = [dt.date(2023, 1, 1) + dt.timedelta(days=k) for k in range(731)]
    longest = {(loc, f): max(len(dates._format(d, loc, f, True)) for d in days) for loc, f, _ in dates.format_grid()}
    assert max(longest.values()) == dates.T_X == longest[("es_ES", "full")] == 35
    assert longest[("en_US", "short")] == 8 and longest[("de_DE", "full")] == 30


def test_dates_to_arrays_gives_padded_indices():
    human, iso, _, _ = dates.make_dates(50, 4)
    hv, mv = dates.human_vocabulary(), dates.machine_vocabulary()
    X, Y = dates.dates_to_arrays(human, iso, dates.T_X, hv, mv)
    assert X.shape == (50, 35) and Y.shape == (50, 10) and X.dtype == Y.dtype == np.int64
    for j in range(50):
        assert hv.decode(X[j, :len(human[j])]) == human[j] and (X[j, len(human[j]):] == 0).all()
        assert mv.decode(Y[j]) == iso[j]
    X1, _ = dates.dates_to_arrays(["3/14/21 ☃"], ["2021-03-14"], 12, hv, mv)
    assert X1[0, 8] == hv.index["<UNK>"] and X1[0, 9:].tolist() == [0, 0, 0]
    with pytest.raises(ValueError, match="more than T_x"):
        dates.dates_to_arrays(human, iso, 5, hv, mv)
    with pytest.raises(ValueError, match="human-readable dates but"):
        dates.dates_to_arrays(human, iso[:-1], 35, hv, mv)
    with pytest.raises(ValueError, match="not an ISO date"):
        dates.dates_to_arrays(["1/2/24"], ["2024-1-2"], 35, hv, mv)
    with pytest.raises(ValueError, match="no <pad>"):
        dates.dates_to_arrays(["1/2/24"], ["2024-01-02"], 35, mv, mv)


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="does not know the locale"):
        dates.make_dates(3, 0, locales=["xx_YY"])
    with pytest.raises(ValueError, match="seed must be"):
        dates.make_dates(3, -1)
    with pytest.raises(ValueError, match="seed must be"):
        dates.make_dates(3, 1.5)
    with pytest.raises(ValueError, match="m must be"):
        dates.make_dates(-1, 0)
    with pytest.raises(ValueError, match="day .d., the month .M. and the year"):
        dates.format_grid(["en_US"], ["MMMM y"])
    with pytest.raises(ValueError, match="no format"):
        dates.format_grid(["en_GB"], ["short"])


def test_generation_is_fast_enough_for_a_notebook():
    import time

    dates.make_dates(100, 0)  # babel's locale data loaded
    t0 = time.perf_counter()
    dates.make_dates(10_000, 1)
    assert time.perf_counter() - t0 < 5.0  # about 0.2 s on the course machines
