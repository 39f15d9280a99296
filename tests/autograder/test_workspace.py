"""The student's folder: new notebooks are added, edited ones are never overwritten."""

import json

from autograder.release import STATE_FILE, sync_student


def _nb(text):
    return json.dumps({"cells": [{"cell_type": "markdown", "metadata": {}, "source": text}],
                       "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def test_sync_adds_keeps_and_reports(tmp_path):
    release, student = tmp_path / "release", tmp_path / "student"
    (release / "1_nn").mkdir(parents=True)
    (release / "1_nn" / "01.ipynb").write_text(_nb("v1"))
    r = sync_student(release, student)
    assert r.added == ["1_nn/01.ipynb"]
    assert (student / "1_nn" / "01.ipynb").read_text() == _nb("v1")

    # the student edits; running again (make lab) changes nothing
    (student / "1_nn" / "01.ipynb").write_text(_nb("my work"))
    r = sync_student(release, student)
    assert r.added == [] and r.unchanged == ["1_nn/01.ipynb"] and not r.kept_changed_upstream
    assert (student / "1_nn" / "01.ipynb").read_text() == _nb("my work")

    # upstream changes the notebook and adds another: the new one arrives, the edited one stays
    (release / "1_nn" / "01.ipynb").write_text(_nb("v2"))
    (release / "1_nn" / "02.ipynb").write_text(_nb("new"))
    r = sync_student(release, student)
    assert r.added == ["1_nn/02.ipynb"]
    assert r.kept_changed_upstream == ["1_nn/01.ipynb"]
    assert (student / "1_nn" / "01.ipynb").read_text() == _nb("my work")
    lines = "\n".join(r.lines(release, student))
    assert "your copy is kept" in lines and str(release / "1_nn" / "01.ipynb") in lines

    # moving the copy away takes the new version
    (student / "1_nn" / "01.ipynb").rename(student / "1_nn" / "01.old.ipynb")
    r = sync_student(release, student)
    assert r.added == ["1_nn/01.ipynb"] and (student / "1_nn" / "01.ipynb").read_text() == _nb("v2")
    assert (student / "1_nn" / "01.old.ipynb").read_text() == _nb("my work")


def test_unchanged_release_is_quiet_even_without_state(tmp_path):
    release, student = tmp_path / "release", tmp_path / "student"
    (release / "a").mkdir(parents=True)
    (release / "a" / "n.ipynb").write_text(_nb("x"))
    sync_student(release, student)
    (student / STATE_FILE).unlink()
    r = sync_student(release, student)
    assert r.unchanged == ["a/n.ipynb"] and not r.kept_changed_upstream
