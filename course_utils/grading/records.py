"""Safe transport of a student function's results from a grading kernel to the grader.

While a class is graded (``autograder``), the hidden tests do not judge anything inside
the student's kernel: :class:`course_utils.grading.hidden.HiddenTest` only *records* what the
student's function returned on each hidden input, as JSON lines written here. The grader
reads them in its own, trusted process and compares them with the reference there.

The format is deliberately dull: JSON for structure, and numpy arrays as ``.npy`` bytes
(base64) read back with ``allow_pickle=False``. Nothing a student's kernel writes can run
code in the grader; a value the format cannot express is recorded as "unsupported" with
its type name, and fails the comparison with a clear message.
"""

from __future__ import annotations

import base64
import io
import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["RECORD_ENV", "encode", "decode", "RecordWriter", "read_records", "Unsupported", "RecordError"]

#: path of the JSON-lines file a grading kernel appends its records to
RECORD_ENV = "COURSE_GRADING_RECORD"
MAX_DEPTH = 20


class RecordError(ValueError):
    """A record file or value is malformed (possibly forged); the grader treats it as missing."""


class Unsupported:
    """Stands for a returned value of a type the record format does not carry.

    Arguments: type_name -- the value's type, e.g. ``"generator"``; text -- a short ``repr``.
    """

    def __init__(self, type_name: str, text: str) -> None:
        self.type_name = type_name
        self.text = text

    def __repr__(self) -> str:
        return f"<{self.type_name} {self.text}>"


def _npy(a: np.ndarray) -> str:
    buf = io.BytesIO()
    np.save(buf, a, allow_pickle=False)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _float(x: float) -> Any:
    return x if math.isfinite(x) else {"float": repr(x)}


def encode(value: Any, _depth: int = 0) -> Any:
    """A JSON-able description of ``value`` that :func:`decode` turns back into it.

    Python types are kept apart (``float`` vs ``np.float64`` vs ``int``, tuple vs list)
    because the hidden tests check them.

    Arguments: value -- a student's result: None, bool, str, int, float, complex, a numpy
    array of any shape (numeric, bool or string dtype) or numpy scalar, and lists, tuples and
    dicts of these nested at most ``MAX_DEPTH`` deep. A subclass of one of these (an OrderedDict,
    a namedtuple, np.matrix) is recorded as the base type, which is what the checks compare it as.
    Returns: a JSON-able value (with ``allow_nan=False``: NaN and infinities are tagged);
    anything else becomes ``{"unsupported": type name, "text": repr}``. Never raises, not even
    for a student object whose ``__repr__`` raises.
    """
    if _depth > MAX_DEPTH:
        return {"unsupported": "nesting", "text": "nested too deeply"}
    d = _depth + 1
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and type(value) is int:
        return value if abs(value) < 2**53 else {"bigint": str(value)}
    if type(value) is float:
        return _float(value)
    if type(value) is complex:
        return {"complex": [repr(value.real), repr(value.imag)]}
    if isinstance(value, np.ndarray):
        if value.dtype.hasobject or value.dtype.kind not in "biufcSU":
            return {"unsupported": f"numpy array of dtype {value.dtype}", "text": ""}
        if type(value) is not np.ndarray:  # np.matrix, a masked array: the checks compare them as arrays
            try:
                value = np.asarray(value)
            except Exception:
                return {"unsupported": type(value).__name__, "text": ""}
        return {"ndarray": _npy(value)}  # np.save keeps 0-d shapes; ascontiguousarray would not
    if isinstance(value, np.generic):
        if value.dtype.kind not in "biufcSU":
            return {"unsupported": f"numpy scalar {type(value).__name__}", "text": ""}
        return {"npscalar": _npy(np.asarray(value))}
    # Subclasses (OrderedDict, defaultdict, a namedtuple, an IntEnum, a str subclass) are what the
    # visible checks accept as a dict, tuple, number or str: record them as that, or the grader would
    # refuse what the visible check passed.
    if isinstance(value, list):
        return {"list": [encode(v, d) for v in list(value)]}
    if isinstance(value, tuple):
        return {"tuple": [encode(v, d) for v in tuple(value)]}
    if isinstance(value, dict):
        return {"dict": [[encode(k, d), encode(v, d)] for k, v in dict(value).items()]}
    if isinstance(value, int):
        return encode(int(value), _depth)
    if isinstance(value, float):
        return encode(float(value), _depth)
    if isinstance(value, complex):
        return encode(complex(value), _depth)
    try:
        text = repr(value)[:200]
    except Exception:  # a student's __repr__ may raise
        text = "(repr failed)"
    return {"unsupported": type(value).__name__, "text": text}


def _load_npy(text: Any) -> np.ndarray:
    if not isinstance(text, str):
        raise RecordError("array payload is not text")
    try:
        return np.load(io.BytesIO(base64.b64decode(text, validate=True)), allow_pickle=False)
    except Exception as exc:
        raise RecordError(f"array payload unreadable: {exc}") from None


def decode(obj: Any, _depth: int = 0) -> Any:
    """The value :func:`encode` described.

    Arguments: obj -- a value parsed from one record's JSON.
    Returns: the value, with arrays of their recorded shape and dtype (read with
    ``allow_pickle=False``), or an :class:`Unsupported` for a value encode could not carry.
    Raises: RecordError for a value that is not None, a bool, str, int, float or a one- or
    two-key tagged dict; an unknown tag; a bad float, list, tuple or dict payload; an
    unreadable array payload or a scalar one that is not 0-d; an unhashable dict key; or
    nesting deeper than ``MAX_DEPTH + 1``.
    A malformed ``bigint`` or ``complex`` payload raises what ``int()``/``float()`` or the
    indexing raise (ValueError, TypeError, IndexError or KeyError) instead; a hidden test in
    replay mode counts any of these as a failed case.
    """
    if _depth > MAX_DEPTH + 1:
        raise RecordError("nested too deeply")
    d = _depth + 1
    if obj is None or isinstance(obj, (bool, str, int)) and not isinstance(obj, dict):
        return obj
    if isinstance(obj, float):
        return obj
    if not isinstance(obj, dict) or len(obj) not in (1, 2):
        raise RecordError(f"unexpected value in record: {type(obj).__name__}")
    (key, payload), *rest = obj.items()
    if key == "float":
        if payload not in ("nan", "inf", "-inf"):
            raise RecordError("bad float")
        return float(payload)
    if key == "bigint":
        return int(str(payload)[:5000])
    if key == "complex":
        return complex(float(payload[0]), float(payload[1]))
    if key == "ndarray":
        return _load_npy(payload)
    if key == "npscalar":
        a = _load_npy(payload)
        if a.ndim != 0:
            raise RecordError("scalar payload is not 0-d")
        return a[()]
    if key in ("list", "tuple"):
        if not isinstance(payload, list):
            raise RecordError("sequence payload is not a list")
        items = [decode(v, d) for v in payload]
        return items if key == "list" else tuple(items)
    if key == "dict":
        if not isinstance(payload, list):
            raise RecordError("dict payload is not a list")
        out = {}
        for pair in payload:
            if not (isinstance(pair, list) and len(pair) == 2):
                raise RecordError("dict entry is not a pair")
            k = decode(pair[0], d)
            try:
                out[k] = decode(pair[1], d)
            except TypeError:
                raise RecordError("unhashable dict key") from None
        return out
    if key == "unsupported":
        text = rest[0][1] if rest and rest[0][0] == "text" else ""
        return Unsupported(str(payload)[:100], str(text)[:200])
    raise RecordError(f"unknown record tag {key!r}")


class RecordWriter:
    """Appends one JSON line per event to the file named by ``$COURSE_GRADING_RECORD``.

    Arguments: path -- the record file; it is created on the first write.
    """

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)

    def write(self, **event: Any) -> None:
        """Append ``event`` (keyword arguments of JSON-able values, e.g. from :func:`encode`) as one line.

        Raises: ValueError (``json.dumps`` with ``allow_nan=False``) for a NaN or infinite float
        and TypeError for a value JSON cannot hold; OSError if the file cannot be written.
        """
        line = json.dumps(event, allow_nan=False, separators=(",", ":"))
        with self.path.open("a", encoding="utf-8") as f:
            f.write(line + "\n")


def read_records(path: Path, max_bytes: int) -> tuple[dict[str, list[dict]], list[str]]:
    """Events per test name from a record file, and notes on what was skipped.

    Each ``start`` event of a test name begins a fresh list, so only the last run of a
    hidden test counts. Lines that are not valid JSON, and anything past ``max_bytes``,
    are skipped with a note; they never raise.

    Arguments: path -- the record file (a missing file gives no events); max_bytes -- how
    much of it to read.
    Returns: ``(tests, notes)``: ``{test name: [event dict, ...]}`` and a list of str.
    Raises: OSError only if an existing file cannot be read; malformed content never raises.
    """
    notes: list[str] = []
    tests: dict[str, list[dict]] = {}
    if not path.is_file():
        return tests, notes
    size = path.stat().st_size
    with path.open("rb") as f:
        raw = f.read(max_bytes)
    if size > max_bytes:
        notes.append(f"test records truncated at {max_bytes} bytes (file had {size})")
    bad = 0
    for line in raw.split(b"\n"):
        if not line.strip():
            continue
        try:
            event = json.loads(line.decode("utf-8"))
            name, kind = event["test"], event["event"]
            if not isinstance(name, str) or kind not in ("start", "case", "flag"):
                raise ValueError
        except Exception:
            bad += 1
            continue
        if kind == "start":
            tests[name] = [event]
        else:
            tests.setdefault(name, []).append(event)
    if bad:
        notes.append(f"{bad} malformed test record line(s) ignored")
    return tests, notes
