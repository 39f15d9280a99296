"""The record/replay split of HiddenTest, and the record format, without a sandbox."""

from __future__ import annotations

import json

import numpy as np
import pytest

from course_utils.grading import hidden as grading
from course_utils.nn.activations import sigmoid as ref_sigmoid
from course_utils.grading.checks import CheckFailed
from course_utils.grading import HiddenTest, replay
from course_utils.grading.records import RECORD_ENV, RecordError, Unsupported, decode, encode, read_records


@pytest.mark.parametrize("value", [
    None, True, 3, 2**70, 1.5, float("inf"), -0.0, 1 + 2j, "text", np.float32(2.5), np.int64(7), np.array(3.0),
    np.arange(6, dtype=np.int8).reshape(2, 3), np.ones((2, 2), dtype=bool), (1, [2.0, {"W1": np.eye(2)}]),
    {1: "one", "b": (np.float64(0.5),)},
])
def test_values_survive_the_round_trip_with_their_types(value):
    back = decode(json.loads(json.dumps(encode(value))))
    assert type(back) is type(value)
    if isinstance(value, np.ndarray):
        assert back.shape == value.shape and back.dtype == value.dtype and np.array_equal(back, value)
    elif isinstance(value, (tuple, dict)):
        assert repr(back) == repr(value)
    else:
        assert back == value or (back != back and value != value)


def test_nan_survives():
    assert np.isnan(decode(json.loads(json.dumps(encode(float("nan"))))))


def test_objects_are_unsupported_not_executed():
    class Evil:
        def __reduce__(self):
            raise AssertionError("never pickled")
    got = decode(json.loads(json.dumps(encode(Evil()))))
    assert isinstance(got, Unsupported) and got.type_name == "Evil"
    assert isinstance(decode(encode(np.array([object()], dtype=object))), Unsupported)


@pytest.mark.parametrize("forged", [
    {"ndarray": "not base64!"}, {"pickle": "gASV"}, {"float": "1e999"}, {"list": "abc"}, {"dict": [[1]]},
    {"ndarray": __import__("base64").b64encode(b"\x93NUMPY\x01\x00v\x00{'descr': '|O', 'fortran_order': False, "
                                                b"'shape': (1,), }" + b" " * 60 + b"\n").decode()},
])
def test_forged_payloads_are_rejected(forged):
    with pytest.raises(RecordError):
        decode(forged)


def _hidden(student_fn, seed=11):
    t = HiddenTest("sigmoid", student_fn, ref_sigmoid, seed=seed)
    t.case(t.rng.standard_normal((2, 3)))
    r = t.case(0.0)
    t.expect(r is not None and np.isclose(r, 0.5), "sigmoid(0) should be 0.5")
    t.finish()


def test_record_mode_judges_nothing_and_replay_judges(tmp_path, monkeypatch, capsys):
    path = tmp_path / "records.jsonl"
    monkeypatch.setenv(RECORD_ENV, str(path))
    _hidden(lambda x: np.zeros_like(np.asarray(x, dtype=float)))  # wrong, but record mode does not judge
    assert "recorded" in capsys.readouterr().out
    monkeypatch.delenv(RECORD_ENV)
    records, notes = read_records(path, 10**6)
    assert [e["event"] for e in records["sigmoid"]] == ["start", "case", "case"] and not notes
    with replay(records) as verdicts, pytest.raises(CheckFailed):
        _hidden(None)
    v = verdicts["sigmoid"]
    assert not v.passed and v.count == 3 and len(v.failures) == 3


def test_replay_passes_a_correct_recording_and_ignores_forged_lines(tmp_path, monkeypatch):
    path = tmp_path / "records.jsonl"
    path.write_text('{"test": "sigmoid", "event": "case", "n": 1, "value": 0.5}\n{not json\n')
    monkeypatch.setenv(RECORD_ENV, str(path))
    _hidden(lambda x: ref_sigmoid(x))  # the student's own (correct) function
    monkeypatch.delenv(RECORD_ENV)
    records, notes = read_records(path, 10**6)
    assert notes == ["1 malformed test record line(s) ignored"]
    assert [e["event"] for e in records["sigmoid"]] == ["start", "case", "case"]  # the forged case is gone
    with replay(records) as verdicts:
        _hidden(None)
    assert verdicts["sigmoid"].passed


def test_replay_with_nothing_recorded_fails_every_case():
    with replay({}) as verdicts, pytest.raises(CheckFailed, match="no result was recorded"):
        _hidden(None)
    assert verdicts["sigmoid"].recorded == 0


def test_the_reference_itself_is_flagged_at_run_time(tmp_path, monkeypatch):
    path = tmp_path / "records.jsonl"
    monkeypatch.setenv(RECORD_ENV, str(path))
    _hidden(ref_sigmoid)
    records, _ = read_records(path, 10**6)
    assert any(e["event"] == "flag" for e in records["sigmoid"])
    assert grading._REPLAY is None
