"""`make lab`: JupyterLab starts on the student's folder and prints its URL, after building the
release once; the student's lab has nbgrader's student tools only; released notebooks open unmodified."""

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from autograder.student.lab import free_port
from helpers import source_notebooks


def test_lab_starts_headless_and_prints_the_url(tmp_path):
    (tmp_path / "student").mkdir()
    (tmp_path / "student" / "hello.ipynb").write_text(json.dumps(
        {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    env = dict(os.environ, CI="true", JUPYTER_CONFIG_DIR=str(tmp_path / "cfg"), JUPYTER_RUNTIME_DIR=str(tmp_path / "rt"))
    port = free_port(18888)
    proc = subprocess.Popen(
        [sys.executable, "-m", "autograder", "lab", "--skip-release", "--student-dir", str(tmp_path / "student"),
         "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, start_new_session=True)
    try:
        url = None
        deadline = time.monotonic() + 60
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            assert line or proc.poll() is None, "the lab command exited before printing a URL"
            m = re.search(r"Open: (http://127\.0\.0\.1:(\d+)/lab\?token=(\w+))", line)
            if m:
                url, token = m.group(1), m.group(3)
        assert url and f":{port}/" in url
        status = None
        while time.monotonic() < deadline:
            assert proc.poll() is None, "JupyterLab exited"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents?token={token}", timeout=2) as r:
                    status = json.load(r)
                break
            except OSError:
                time.sleep(0.3)
        assert status is not None, "JupyterLab did not answer within 60 s"
        assert [c["name"] for c in status["content"]] == ["hello.ipynb"]  # served from the student folder
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


# --- make lab builds the release once ------------------------------------------------------

# Stands in for the venv's python under `make lab VENV=...`: runs each command make gives it
# through the kit's real command line, but logs instead of building data, building the
# release (autograder.course.build_release) and starting a server.
_FAKE_PYTHON = r'''#!{python}
import runpy, sys
from pathlib import Path
LOG = {log!r}
def note(what):
    with open(LOG, "a") as f:
        f.write(what + "\n")
args = sys.argv[1:]
if args[:2] == ["-m", "course_utils.data"]:
    note("data " + " ".join(args[2:]))
    sys.exit(0)
from autograder import course
from autograder.student import lab
def build_release(root=course.RELEASE_ROOT, *a, **k):
    note("build release")
    (Path(root) / "release").mkdir(parents=True, exist_ok=True)
    return Path(root) / "release"
course.build_release = build_release
lab.start = lambda *a, **k: note("start lab")
lab.start_formgrader = lambda *a, **k: note("start formgrader")
assert args[0] == "-m", args
sys.argv = [args[1]] + args[2:]
runpy.run_module(args[1], run_name="__main__", alter_sys=True)
'''


def _make(target: str, tmp_path) -> list[str]:
    from helpers import REPO

    venv, log = tmp_path / f"venv-{target}", tmp_path / f"{target}.log"
    (venv / "bin").mkdir(parents=True)
    fake = venv / "bin" / "python"
    fake.write_text(_FAKE_PYTHON.format(python=sys.executable, log=str(log)))
    fake.chmod(0o755)
    stamp = venv / ".installed-stamp"  # installed: make must not run pip with the stand-in
    stamp.touch()
    later = (REPO / "pyproject.toml").stat().st_mtime + 10
    os.utime(stamp, (later, later))
    env = dict(os.environ, COURSE_BUILD_DIR=str(tmp_path / "build"), COURSE_STUDENT_DIR=str(tmp_path / "student"))
    proc = subprocess.run(["make", "-s", "-C", str(REPO), target, f"VENV={venv}"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return log.read_text().splitlines()


def test_make_lab_builds_the_release_once_and_formgrader_too(tmp_path):
    """`make lab` used to build the release in its `release` prerequisite and again in the lab
    command (about 13 s each): every command make runs is run, and each build is counted."""
    assert _make("lab", tmp_path) == ["data build", "build release", "start lab"]
    assert _make("formgrader", tmp_path) == ["data build", "build release", "start formgrader"]


# --- the student's lab: nbgrader's student tools only; the instructor's lab: all of them ---

def _installed_nbgrader_plugins() -> set[str]:
    """The plugin ids in the installed nbgrader labextension's code."""
    from jupyter_core.paths import jupyter_path
    from jupyterlab_server.config import get_federated_extensions

    ext = get_federated_extensions(jupyter_path("labextensions"))["@jupyter/nbgrader"]
    code = "".join(p.read_text(errors="replace") for p in Path(ext["ext_path"], "static").glob("*.js"))
    return set(re.findall(r'"(@jupyter/nbgrader:[\w-]+)"', code))


def _as_jupyter_sees_it(monkeypatch, config_path: str, tmp_path) -> tuple[set[str], dict[str, bool]]:
    """(disabled nbgrader lab plugins, nbgrader server extensions on/off) as JupyterLab and the
    Jupyter server compute them with this JUPYTER_CONFIG_PATH and an empty user config."""
    from jupyter_core.paths import jupyter_config_path, jupyter_path
    from jupyter_server.extension.config import ExtensionConfigManager
    from jupyterlab_server.config import get_page_config

    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(tmp_path / "user-config"))
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", config_path)
    page = get_page_config(jupyter_path("labextensions"))
    disabled = {p for p in page["disabledExtensions"] if p.startswith("@jupyter/nbgrader")}
    servers = ExtensionConfigManager(read_config_path=jupyter_config_path()).get_jpserver_extensions()
    return disabled, {k: v for k, v in servers.items() if k.startswith("nbgrader.")}


def test_student_lab_disables_exactly_nbgraders_instructor_plugins(monkeypatch, tmp_path):
    from autograder.student.lab import (INSTRUCTOR_PLUGINS, STUDENT_PLUGINS, formgrader_config_path,
                                        student_config_path)

    # every plugin of the installed nbgrader is named, either way: a new one cannot slip in
    assert _installed_nbgrader_plugins() == set(INSTRUCTOR_PLUGINS) | set(STUDENT_PLUGINS)
    student = student_config_path({}, folder=tmp_path / "student-config")
    assert _as_jupyter_sees_it(monkeypatch, student, tmp_path) == (
        {"@jupyter/nbgrader:menu", "@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
         "@jupyter/nbgrader:assignment-list", "@jupyter/nbgrader:course-list"},
        {"nbgrader.server_extensions.formgrader": False, "nbgrader.server_extensions.validate_assignment": True,
         "nbgrader.server_extensions.assignment_list": False, "nbgrader.server_extensions.course_list": False})
    # make formgrader keeps them all, even started from a terminal of the student's lab
    from autograder.student import lab

    monkeypatch.setattr(lab, "STUDENT_CONFIG_DIR", tmp_path / "student-config")
    instructor = formgrader_config_path({"JUPYTER_CONFIG_PATH": student})
    assert str(tmp_path / "student-config") not in instructor.split(os.pathsep)
    assert _as_jupyter_sees_it(monkeypatch, instructor, tmp_path) == (
        set(),
        {"nbgrader.server_extensions.formgrader": True, "nbgrader.server_extensions.validate_assignment": True,
         "nbgrader.server_extensions.assignment_list": True, "nbgrader.server_extensions.course_list": True})


# --- released notebooks open unmodified -----------------------------------------------------

def test_released_notebooks_carry_the_metadata_their_kernel_reports(release_dir):
    """JupyterLab writes the kernel's kernelspec and language_info into a notebook when its
    kernel starts, so a release that says anything else opens marked unsaved: the release had
    language_info {"name": "python"} and, in three notebooks, the display name "Python 3"."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import start_new_kernel

    from autograder.course import prepare_environment

    prepare_environment()
    km, kc = start_new_kernel(kernel_name="python3")
    try:
        reply = kc.kernel_info(reply=True, timeout=60)["content"]
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    spec = KernelSpecManager().get_kernel_spec("python3")
    expected = {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
                "language_info": reply["language_info"]}
    assert expected["kernelspec"]["display_name"] == spec.display_name
    notebooks = sorted(release_dir.rglob("*.ipynb"))
    assert [p.relative_to(release_dir).as_posix() for p in notebooks] == \
           [f"{p.parent.name}/{p.name}" for p in source_notebooks()]  # every notebook, none twice
    for path in notebooks:
        meta = json.loads(path.read_text())["metadata"]
        assert {k: meta[k] for k in expected} == expected, path.relative_to(release_dir)


# --- the Validate button judges as make check does ------------------------------------------

_VALIDATE = r'''
import json, sys
from traitlets.config.loader import PyFileConfigLoader
import nbgrader.server_extensions.validate_assignment.handlers as handlers
if sys.argv[1] == "student":
    PyFileConfigLoader("jupyter_server_config.py", path=sys.argv[2]).load_config()
print(json.dumps([handlers.Validator.__name__, handlers.Validator().validate(sys.argv[3])]))
'''


def test_validate_button_passes_a_correct_answer_that_prints_a_warning(tmp_path):
    """The handler behind the Validate button builds ``handlers.Validator``; in the student's
    server (its config loaded) that is the kit's CourseValidator, which passes a graded cell
    whose correct answer wrote a warning to stderr. nbgrader's own fails it (the instance)."""
    from autograder.student.lab import write_student_config

    nb = {"nbformat": 4, "nbformat_minor": 5,
          "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
          "cells": [{"cell_type": "code", "id": "t1", "execution_count": None, "outputs": [],
                     "metadata": {"nbgrader": {"grade": True, "grade_id": "test_warns", "locked": True,
                                               "points": 1, "schema_version": 3, "solution": False,
                                               "task": False}},
                     "source": "import sys\nprint('RuntimeWarning: overflow in exp', file=sys.stderr)\nassert 1 + 1 == 2"}]}
    path = tmp_path / "warns.ipynb"
    path.write_text(json.dumps(nb))
    folder = write_student_config(tmp_path / "cfg")
    seen = {}
    for who in ("student", "plain"):
        proc = subprocess.run([sys.executable, "-c", _VALIDATE, who, str(folder), str(path)],
                              capture_output=True, text=True, timeout=120, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        seen[who] = json.loads(proc.stdout.strip().splitlines()[-1])
    assert seen["student"] == ["CourseValidator", {}]  # no failed, changed or type_changed cell
    name, plain = seen["plain"]
    assert name == "Validator" and [c["source"].splitlines()[-1] for c in plain["failed"]] == ["assert 1 + 1 == 2"]
