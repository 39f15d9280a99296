"""Track 5's date translation data: human-readable dates in several locales and formats, and their ISO dates.

The notes' attention example translates "the 29th of August 1958", "30/08/58", "August 30 1958" ...
into "1958-08-30". :func:`make_dates` draws m random dates with ``faker`` and writes each with
``babel`` (CLDR's date formats) in a locale and a format drawn for it; the target is the ISO date
``YYYY-MM-DD``. Everything is seeded: the same ``seed`` gives the same pairs in any process, in any
time zone (faker is seeded per instance, ``Faker.seed_instance``, and draws instants in UTC; the
locale and format come from a numpy ``default_rng(seed)``).

Dates run from 1950-01-01 to 2049-12-31, so a two-digit year is never ambiguous: 50-99 are
1950-1999, 00-49 are 2000-2049. Patterns use ``y`` (the calendar year), never ``Y``/``YYY``, which
is the week-based year: ``format_date(date(2024, 12, 30), "d MMM YYY")`` gives "30 Dec 2025".

A string must mean one date whatever its locale, since the model does not see the locale, so a
numeric date follows its locale's order (month first in en_US, day first elsewhere) and the
separator tells the order across the set: slashes are month first ("3/14/21", "3/14/2021", US),
dots day first ("14.03.21", "14.03.2021"). A locale's numeric format that breaks this rule -- the
day-first ``dd/MM/y`` "short" format of en_GB, fr_FR, es_ES and it_IT -- is left out of the grid
(:func:`format_grid`).

Vocabularies (:class:`course_utils.text.vocab.Vocabulary`): :func:`human_vocabulary`, the
characters of every string the grid can give plus :data:`PAD` (index 0) and ``<UNK>`` (last), and
:func:`machine_vocabulary`, ``"0123456789-"``. :func:`dates_to_arrays` turns pairs into index
arrays ``X (m, T_x)`` and ``Y (m, 10)``.
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
from typing import Sequence

import numpy as np

from course_utils.text.vocab import Vocabulary

__all__ = ["LOCALES", "FORMATS", "STANDARD_FORMATS", "FIRST_DATE", "LAST_DATE", "T_X", "T_Y", "PAD",
           "MACHINE_CHARACTERS", "format_grid", "make_dates", "human_vocabulary", "machine_vocabulary",
           "dates_to_arrays"]

DATES_INSTALL = ".venv/bin/pip install 'faker>=40.63' 'babel>=2.19' (or make install)"
#: the locales of the default grid (babel has all of them)
LOCALES = ("en_US", "en_GB", "fr_FR", "de_DE", "es_ES", "tr_TR", "it_IT")
#: babel's four standard date formats, CLDR's patterns for each locale
STANDARD_FORMATS = ("short", "medium", "long", "full")
#: the formats of the default grid: the standard ones and explicit CLDR patterns (``y`` is the year)
FORMATS = STANDARD_FORMATS + ("d MMMM y", "d MMM y", "dd MMM y", "EEEE d MMMM y", "dd.MM.yy", "dd.MM.y", "M/d/y")
#: the first and the last date :func:`make_dates` draws
FIRST_DATE, LAST_DATE = _dt.date(1950, 1, 1), _dt.date(2049, 12, 31)
#: the longest human-readable date of the default grid, lowercase ("miércoles, 11 de septiembre de 2024",
#: es_ES "full"): the default input length
T_X = 35
#: the length of an ISO date YYYY-MM-DD
T_Y = 10
#: the padding token of the human vocabulary (index 0)
PAD = "<pad>"
#: the characters of ISO dates, in the machine vocabulary's order
MACHINE_CHARACTERS = "0123456789-"


def _babel():
    try:
        import babel.dates
        from babel import Locale
    except ImportError:
        raise ImportError(f"the date data needs babel. Install it with: {DATES_INSTALL}") from None
    return babel.dates, Locale


@functools.lru_cache(maxsize=None)
def _locale(name: str):
    babel_dates, Locale = _babel()
    try:
        return Locale.parse(name)
    except Exception as exc:  # babel's UnknownLocaleError, or ValueError for a malformed name
        raise ValueError(f"babel does not know the locale {name!r} ({exc})") from None


def _pattern(fmt: str, locale_name: str) -> str:
    """The CLDR pattern of ``fmt`` in a locale: babel's for a standard format, else ``fmt`` itself."""
    if fmt in STANDARD_FORMATS:
        return _babel()[0].get_date_format(fmt, locale=_locale(locale_name)).pattern
    return fmt


def _unquoted(pattern: str) -> str:
    """The pattern without its quoted literals ('de', '')."""
    return re.sub(r"'[^']*'", "", pattern)


def _numeric_order(pattern: str) -> str | None:
    """"md" or "dm" for a numeric date pattern (day, month and year as numbers), None if the month is a name."""
    letters = set(re.findall(r"[A-Za-z]", _unquoted(pattern)))
    if letters - {"d", "M", "y"} or "MMM" in pattern:
        return None
    core = _unquoted(pattern)
    return "md" if core.index("M") < core.index("d") else "dm"


def _check_pattern(fmt: str) -> None:
    core = _unquoted(fmt)
    if "Y" in core:
        raise ValueError(f"the pattern {fmt!r} uses Y, the week-based year (2024-12-30 would be written 2025); "
                         "use y, the calendar year")
    if not all(c in core for c in "dMy"):
        raise ValueError(f"the pattern {fmt!r} must give the day (d), the month (M) and the year (y)")


@functools.lru_cache(maxsize=None)
def _grid(locales: tuple, formats: tuple) -> tuple:
    out = []
    for name in locales:
        _locale(name)
        for fmt in formats:
            if fmt not in STANDARD_FORMATS:
                _check_pattern(fmt)
            pattern = _pattern(fmt, name)
            if "Y" in _unquoted(pattern):
                raise ValueError(f"babel's {fmt!r} pattern for {name} is {pattern!r}, with a week-based year Y")
            order = _numeric_order(pattern)
            if order is not None:
                by_separator = "md" if "/" in pattern else "dm"
                if not order == by_separator == _numeric_order(_pattern("short", name)):
                    continue
            out.append((name, fmt, pattern))
    if not out:
        raise ValueError(f"no format of {list(formats)} is unambiguous in the locales {list(locales)}")
    return tuple(out)


def format_grid(locales: Sequence[str] = LOCALES, formats: Sequence[str] = FORMATS) -> list[tuple[str, str, str]]:
    """The (locale, format) pairs that :func:`make_dates` draws from, with the CLDR pattern of each.

    Arguments: locales -- babel locale names; formats -- babel's standard formats ("short", "medium",
    "long", "full") and CLDR patterns with ``d``, ``M`` and ``y``.
    Returns: a list of ``(locale, format, pattern)``, locales and formats in the order given, without
    the numeric formats that break the set's rule (slashes month first, dots day first, in the
    locale's own order); 65 triples for the defaults.
    Raises: ValueError for a locale babel does not know, a pattern with ``Y`` (the week-based year)
    or without a day, month or year, or when no pair is left; ImportError without babel.
    """
    return list(_grid(tuple(locales), tuple(formats)))


def _faker(seed: int):
    try:
        from faker import Faker
    except ImportError:
        raise ImportError(f"the date data needs faker. Install it with: {DATES_INSTALL}") from None
    fake = Faker("en_US")
    fake.seed_instance(seed)  # the instance's own random.Random: no global state
    return fake


def _format(date: _dt.date, locale_name: str, fmt: str, lowercase: bool) -> str:
    text = _babel()[0].format_date(date, fmt, locale=_locale(locale_name))
    return text.lower() if lowercase else text


def make_dates(m: int, seed: int, locales: Sequence[str] = LOCALES, formats: Sequence[str] = FORMATS,
               lowercase: bool = True) -> tuple[list[str], list[str], list[str], list[str]]:
    """m random dates, each written in a random locale and format, with its ISO date.

    Arguments: m -- how many pairs (>= 0); seed -- an int >= 0: the same seed gives the same pairs in
    any process and time zone; locales, formats -- the grid to draw from (see :func:`format_grid`);
    lowercase -- lowercase the human-readable dates (as the model reads them).
    Returns: ``(human, iso, locale, format)``, four lists of m str: the human-readable date
    ("30 déc. 2024", "12/30/24", ...), the ISO date "YYYY-MM-DD" (between 1950-01-01 and
    2049-12-31), and the locale and format that wrote it. The date is drawn uniformly by faker
    (``date_time_between_dates`` in UTC), the (locale, format) pair uniformly from the grid by
    numpy ``default_rng(seed)``.
    Raises: ValueError for a negative m, a seed that is not an int >= 0, or a grid error (see
    :func:`format_grid`); ImportError without faker or babel.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be an int >= 0, not {seed!r}")
    if m < 0:
        raise ValueError(f"m must be >= 0, not {m}")
    grid = _grid(tuple(locales), tuple(formats))
    fake = _faker(int(seed))
    # the instants as Unix timestamps (faker reads an int as one; it would convert a datetime at every draw)
    start = int(_dt.datetime.combine(FIRST_DATE, _dt.time(), _dt.timezone.utc).timestamp())
    end = int(_dt.datetime.combine(LAST_DATE + _dt.timedelta(days=1), _dt.time(), _dt.timezone.utc).timestamp())
    picks = np.random.default_rng(int(seed)).integers(len(grid), size=int(m))
    human, iso, used_locales, used_formats = [], [], [], []
    for k in picks:
        date = fake.date_time_between_dates(start, end, tzinfo=_dt.timezone.utc).date()
        name, fmt, _ = grid[k]
        human.append(_format(date, name, fmt, lowercase))
        iso.append(date.isoformat())
        used_locales.append(name)
        used_formats.append(fmt)
    return human, iso, used_locales, used_formats


@functools.lru_cache(maxsize=None)
def _characters(locales: tuple, formats: tuple, lowercase: bool) -> tuple:
    # every day of a leap year: each month, each weekday and each digit of a day occurs
    days = [_dt.date(2024, 1, 1) + _dt.timedelta(days=i) for i in range(366)]
    chars = set()
    for name, fmt, _ in _grid(locales, formats):
        for day in days:
            chars.update(_format(day, name, fmt, lowercase))
    return tuple(sorted(chars))


def human_vocabulary(locales: Sequence[str] = LOCALES, formats: Sequence[str] = FORMATS,
                     lowercase: bool = True) -> Vocabulary:
    """The character vocabulary of the human-readable dates of a grid.

    Arguments: locales, formats, lowercase -- as for :func:`make_dates`.
    Returns: a :class:`~course_utils.text.vocab.Vocabulary` of n_x tokens: :data:`PAD` at index 0,
    then every character the grid writes (found by writing every day of 2024: each month, weekday
    and digit), sorted, then ``<UNK>``; 50 tokens for the defaults.
    Raises: ValueError as :func:`format_grid`; ImportError without babel.
    """
    return Vocabulary([PAD, *_characters(tuple(locales), tuple(formats), bool(lowercase))], unk=True)


def machine_vocabulary() -> Vocabulary:
    """The vocabulary of ISO dates: the 11 tokens ``"0123456789-"``, digit k at index k, "-" at 10."""
    return Vocabulary(list(MACHINE_CHARACTERS))


def dates_to_arrays(human: Sequence[str], iso: Sequence[str], T_x: int, human_vocab: Vocabulary,
                    machine_vocab: Vocabulary) -> tuple[np.ndarray, np.ndarray]:
    """Index arrays of date pairs.

    Arguments: human -- m human-readable dates; iso -- their m ISO dates "YYYY-MM-DD"; T_x -- the
    input length; human_vocab -- from :func:`human_vocabulary` (a character outside it becomes
    ``<UNK>``); machine_vocab -- from :func:`machine_vocabulary`.
    Returns: ``(X, Y)``: X ``(m, T_x)`` int64, the characters' indices, padded at the end with
    :data:`PAD`'s index; Y ``(m, 10)`` int64, the ISO characters' indices.
    Raises: ValueError if the lists differ in length, a human date is longer than T_x, an ISO date
    is not 10 characters long, or human_vocab has no :data:`PAD`; KeyError for an ISO character
    outside machine_vocab.
    """
    if len(human) != len(iso):
        raise ValueError(f"{len(human)} human-readable dates but {len(iso)} ISO dates")
    if PAD not in human_vocab:
        raise ValueError(f"human_vocab has no {PAD} token: use human_vocabulary()")
    T_x = int(T_x)
    X = np.full((len(human), T_x), human_vocab.index[PAD], dtype=np.int64)
    Y = np.zeros((len(iso), T_Y), dtype=np.int64)
    for j, (h, d) in enumerate(zip(human, iso)):
        if len(h) > T_x:
            raise ValueError(f"{h!r} has {len(h)} characters, more than T_x = {T_x}")
        if len(d) != T_Y:
            raise ValueError(f"{d!r} is not an ISO date YYYY-MM-DD")
        X[j, :len(h)] = human_vocab.encode(h)
        Y[j] = machine_vocab.encode(d)
    return X, Y
