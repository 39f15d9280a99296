"""Packaging: the conda and pip routes install the same things; the layout is as designed."""

import re
import tomllib

from helpers import REPO


def _name_and_spec(req: str) -> tuple[str, str]:
    m = re.match(r"\s*([A-Za-z0-9_.\-]+)\s*(.*)", req)
    return m.group(1).lower().replace("_", "-"), m.group(2).replace(" ", "")


def _conda_dependencies() -> dict[str, str]:
    deps, in_deps = {}, False
    for line in (REPO / "environment.yml").read_text().splitlines():
        if line.startswith("dependencies:"):
            in_deps = True
            continue
        if in_deps and re.match(r"^  - (?!pip:)", line):
            name, spec = _name_and_spec(line[4:])
            deps[name] = spec
        elif in_deps and re.match(r"^\S", line):
            break
    return deps


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    pip_deps = dict(_name_and_spec(r) for r in project["dependencies"] + project["optional-dependencies"]["test"])
    conda = _conda_dependencies()
    assert conda.pop("python") == ">=" + project["requires-python"].lstrip(">=")
    assert conda.pop("pip") == ""
    assert conda == pip_deps


def test_layout_of_the_design_card():
    for name in ["README.md", "environment.yml", "pyproject.toml", "notebooks", "course_utils", "data",
                 "autograder", "tests", "Makefile", ".ci/run"]:
        assert (REPO / name).exists(), name
    ignored = (REPO / ".gitignore").read_text()
    for generated in ["build/", "student/", "results/", ".venv/", "data/*.h5"]:
        assert generated in ignored


def test_ci_runs_the_readme_test_command():
    readme = (REPO / "README.md").read_text()
    assert "make test" in readme and "make lab" in readme
    assert "make test" in (REPO / ".ci" / "run").read_text()
