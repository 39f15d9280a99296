"""The student's folder: new notebooks are added, edited ones are never overwritten."""

import importlib.util
import json

from autograder.student.workspace import MOVED_MODULES, STATE_FILE, sync_student


def _nb(text, *code):
    cells = [{"cell_type": "markdown", "metadata": {}, "source": text}]
    cells += [{"cell_type": "code", "metadata": {}, "source": src, "outputs": [], "execution_count": None}
              for src in code]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


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


def test_kept_copy_importing_a_moved_module_is_explained(tmp_path):
    """A copy kept from before course_utils was reorganised: the report says which import
    broke, why, where the new notebook is, and where the module went."""
    release, student = tmp_path / "release", tmp_path / "student"
    (release / "1_nn").mkdir(parents=True)
    (release / "1_nn" / "04.ipynb").write_text(_nb("v1", "from course_utils.deep import L_layer_model"))
    sync_student(release, student)
    (student / "1_nn" / "04.ipynb").write_text(
        _nb("my work", "from course_utils.deep import L_layer_model", "parameters = L_layer_model(X, Y)"))
    (release / "1_nn" / "04.ipynb").write_text(_nb("v2", "from course_utils.models.mlp import L_layer_model"))

    r = sync_student(release, student)
    assert r.kept_changed_upstream == ["1_nn/04.ipynb"]
    assert "\n".join(r.lines(release, student)).splitlines() == [
        f"student: 0 new notebook(s), 0 up to date, 1 differing from the release (your copy kept) in {student}",
        f"  the release changed; your copy is kept: {student}/1_nn/04.ipynb",
        f"      the new version is {release}/1_nn/04.ipynb; to take it, move your copy away and run make lab again",
        "      why: the course library was reorganised in version 0.2.0, and your copy imports modules that no "
        "longer exist:",
        "      - `from course_utils.deep import L_layer_model` no longer resolves; "
        "course_utils.deep is now course_utils.models.mlp",
    ]
    assert (student / "1_nn" / "04.ipynb").read_text().count("my work") == 1  # still never overwritten


def test_every_import_form_is_checked_in_an_up_to_date_copy(tmp_path):
    """The student's own imports in a copy whose release did not change: all three forms,
    magics and unfinished code around them; imports that resolve are not reported."""
    release, student = tmp_path / "release", tmp_path / "student"
    (release / "a").mkdir(parents=True)
    (release / "a" / "n.ipynb").write_text(_nb("x", "from course_utils.models.mlp import predict"))
    sync_student(release, student)
    (student / "a" / "n.ipynb").write_text(_nb(
        "x",
        "from course_utils.models.mlp import predict",
        "%matplotlib inline\nimport numpy as np, course_utils.checks as c\nfrom course_utils import layers, rng",
        "def f(:\n    pass\nimport course_utils.no_such_module",  # not valid Python yet
        "from course_utils import layers, rng",  # the same statement again: listed once
        "import course_utils.nn.activations\nfrom course_utils.nn import losses",
        "from course_utils.multiclass import one_hot",
    ))
    r = sync_student(release, student)
    assert r.unchanged == ["a/n.ipynb"] and not r.kept_changed_upstream
    assert "\n".join(r.lines(release, student)).splitlines()[1:] == [
        f"  your copy imports modules that no longer exist: {student}/a/n.ipynb",
        "      the course library was reorganised in version 0.2.0; change these imports in your copy:",
        "      - `import numpy as np, course_utils.checks as c` no longer resolves; "
        "course_utils.checks is now course_utils.grading.checks",
        "      - `from course_utils import layers, rng` no longer resolves; course_utils.layers is now course_utils.nn.linear",
        "      - `import course_utils.no_such_module` no longer resolves",
        "      - `from course_utils.multiclass import one_hot` no longer resolves; course_utils.multiclass is now "
        "split between course_utils.nn.losses, course_utils.metrics.classification and course_utils.data.encoding",
    ]


def test_the_table_of_moved_modules_matches_course_utils():
    """The report sends students to these modules: each new one exists, and each old one is
    gone or is now a package (course_utils.optim, whose old contents are in optim.rules)."""
    new = [n for v in MOVED_MODULES.values() for n in ((v,) if isinstance(v, str) else v)]
    assert [n for n in new if importlib.util.find_spec(f"course_utils.{n}") is None] == []
    for old in MOVED_MODULES:
        spec = importlib.util.find_spec(f"course_utils.{old}")
        assert spec is None or spec.submodule_search_locations is not None, old


def test_a_release_whose_kernel_metadata_alone_changed_is_not_a_change(tmp_path):
    """The release writes the machine's kernel metadata (Python version included) so that
    notebooks open unmodified; a new Python must not report every kept copy as changed."""
    release, student = tmp_path / "release", tmp_path / "student"
    (release / "t").mkdir(parents=True)

    def nb(version, text="x"):
        d = json.loads(_nb(text, "x = 1"))
        d["metadata"] = {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
                         "language_info": {"name": "python", "version": version}}
        return json.dumps(d)

    (release / "t" / "a.ipynb").write_text(nb("3.11.7"))
    (release / "t" / "b.ipynb").write_text(nb("3.11.7"))
    sync_student(release, student)
    (student / "t" / "b.ipynb").write_text(nb("3.11.7", "my work"))
    (release / "t" / "a.ipynb").write_text(nb("3.12.1"))
    (release / "t" / "b.ipynb").write_text(nb("3.12.1"))
    r = sync_student(release, student)
    assert (r.added, r.unchanged, r.kept_changed_upstream) == ([], ["t/a.ipynb", "t/b.ipynb"], [])
    (release / "t" / "a.ipynb").write_text(nb("3.12.1", "new text"))  # a real change still counts
    assert sync_student(release, student).kept_changed_upstream == ["t/a.ipynb"]
