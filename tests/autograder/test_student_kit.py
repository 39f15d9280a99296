"""The student kit (``python -m autograder kit``) of the single-notebook assignment 01_numpy_basics.

One kit is built (by the command) and installed into a fresh virtual environment that holds no
other course_utils: the environment's site-packages gets the kit's wheel, and a path file names the
instructor environment's site-packages as a plain folder, so numpy, IPython and Jupyter import from
there while the instructor's editable course_utils (installed by a path hook that file never runs)
stays out of reach. Then:

- no function graded in the assignment has its body anywhere in the kit (library, adapters and the
  functions the adapters wrap; the notebook's solutions too), and each left-out function is the stub;
- the solved release scores full marks through the kit's visible checks, run in that environment;
- the visible checks give the full library's messages, and a changed example input its own message;
- the grader gives the solved release full marks and the untouched release 0.
"""

from __future__ import annotations

import ast
import csv
import inspect
import json
import os
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import pytest

from autograder.engine.assemble import solved_submission
from autograder.engine.sandbox import available
from helpers import SOURCE

pytestmark = pytest.mark.xdist_group("student-kit")

ASSIGNMENT = "01_numpy_basics"
NOTEBOOK = SOURCE / "1_neural_networks" / f"{ASSIGNMENT}.ipynb"
EXERCISE = "01_numpy_basics/01_numpy_basics"
#: every function holding an answer of 01_numpy_basics: the checks' references, and the library
#: function the adapter softmax_rows wraps (softmax(x, axis=1)), where that answer actually is
OWN_ANSWERS = {
    "course_utils.exercises.numpy_basics.basic_sigmoid",
    "course_utils.exercises.numpy_basics.image2vector",
    "course_utils.exercises.numpy_basics.normalize_rows",
    "course_utils.exercises.numpy_basics.softmax_rows",
    "course_utils.nn.activations.sigmoid",
    "course_utils.nn.activations.sigmoid_derivative",
    "course_utils.nn.activations.softmax",
    "course_utils.nn.losses.L1",
    "course_utils.nn.losses.L2",
}
SOLUTION_FUNCTIONS = ["basic_sigmoid", "sigmoid", "sigmoid_derivative", "image2vector", "normalize_rows",
                      "softmax", "L1", "L2"]
POINTS = 10.0


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    """(kit folder, the kit's python, {phase: seconds}): built by the command, installed into a fresh venv."""
    seconds = {}
    out = tmp_path_factory.mktemp("kit")
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "autograder", "kit", ASSIGNMENT, "--out", str(out)],
                          capture_output=True, text=True, timeout=1200)
    seconds["kit command"] = time.perf_counter() - t0
    assert proc.returncode == 0, proc.stdout + proc.stderr
    wheels = sorted(out.glob("dl_course_kit_student-*.whl"))
    assert len(wheels) == 1 and proc.stdout.strip().endswith(f"(students: pip install {wheels[0].name})")

    t0 = time.perf_counter()
    venv = tmp_path_factory.mktemp("kit-venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
                    "--quiet", str(wheels[0])], check=True, timeout=300)
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    # the instructor environment's packages as a plain folder: its .pth files (the editable course_utils) never run
    (site / "instructor_packages.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    seconds["fresh venv + pip install"] = time.perf_counter() - t0
    return out, python, site, seconds


def _run_in_kit(python: Path, code: str, cwd: Path) -> dict:
    """Run ``code`` with the kit's python (outside the repository, so nothing else is importable); its last
    stdout line is JSON."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "COURSE_UTILS_SEED_SALT")}
    proc = subprocess.run([str(python), "-c", code], capture_output=True, text=True, cwd=cwd, env=env, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _body(fn_node: ast.AST) -> str:
    """A function's body without its docstring, as ``ast.dump`` (formatting and comments do not count)."""
    body = fn_node.body[1:] if ast.get_docstring(fn_node) is not None else fn_node.body
    return ast.dump(ast.Module(body=body, type_ignores=[]))


def _answer_bodies() -> dict[str, str]:
    """The instructor library's body of every function holding an answer of the assignment."""
    import importlib

    out = {}
    for key in OWN_ANSWERS:
        module, _, name = key.rpartition(".")
        fn = getattr(importlib.import_module(module), name)
        out[key] = _body(ast.parse(inspect.getsource(fn)).body[0])
    return out


def _solutions() -> tuple[dict[str, str], list[str]]:
    """The notebook's teaching versions: each solution function's body (as :func:`_body`), and every code
    line of the solution regions."""
    nb = json.loads(NOTEBOOK.read_text())
    bodies, lines, inside = {}, [], False
    for cell in nb["cells"]:
        if not cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
            continue
        text = "".join(cell["source"])
        for node in ast.parse(text).body:
            if isinstance(node, ast.FunctionDef):
                bodies[f"the solution {node.name}"] = _body(node)
        for line in text.splitlines():
            if "### BEGIN SOLUTION" in line:
                inside = True
            elif "### END SOLUTION" in line:
                inside = False
            elif inside and line.strip() and not line.strip().startswith("#"):
                lines.append(line.split("#")[0].strip())
    return bodies, lines


def test_the_kit_holds_no_answer_of_the_assignment(kit, record_property):
    out, python, site, seconds = kit
    t0 = time.perf_counter()
    installed = _run_in_kit(python, "import json, course_utils; print(json.dumps(course_utils.__file__))", out)
    assert installed == str(site / "course_utils" / "__init__.py")

    solution_bodies, solution_lines = _solutions()
    assert sorted(solution_bodies) == sorted(f"the solution {name}" for name in SOLUTION_FUNCTIONS)
    answers = {**_answer_bodies(), **solution_bodies}
    stub_bodies, found = {}, []
    files = sorted((site / "course_utils").rglob("*.py"))
    assert len(files) > 30
    for path in files:
        tree = ast.parse(path.read_text())
        module = "course_utils." + ".".join(path.relative_to(site / "course_utils").with_suffix("").parts)
        module = module.removesuffix(".__init__")
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                body = _body(node)
                found += [(key, f"{path.name}:{node.name}") for key, b in answers.items() if b == body]
                if f"{module}.{node.name}" in OWN_ANSWERS and node in tree.body:
                    stub_bodies[f"{module}.{node.name}"] = ast.unparse(node.body[1:])
    assert found == []
    assert set(stub_bodies) == OWN_ANSWERS
    for key, text in stub_bodies.items():
        assert text == ("_arguments = dict(locals())\nfrom course_utils.grading.checks import kit_result\n"
                        f"return kit_result({key!r}, {EXERCISE!r}, _arguments)")

    # the release notebook carries no line of a solution region either
    release = {ln.split("#")[0].strip() for c in json.loads((out / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())[
        "cells"] for ln in "".join(c["source"]).splitlines()}
    assert len(solution_lines) == 23 and [ln for ln in solution_lines if ln in release] == []
    record_property("timing", ("student kit: build (command) + fresh venv + search", sum(seconds.values())
                               + time.perf_counter() - t0))


_RUN_NOTEBOOK = """
import json, sys
import nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True).execute()
cells = []
for cell in nb.cells:
    gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
    if cell.get("metadata", {}).get("nbgrader", {}).get("grade"):
        text = "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")
        errors = [o["ename"] + ": " + o["evalue"] for o in cell.outputs if o.get("output_type") == "error"]
        cells.append([gid, text.strip(), errors])
    if gid == "setup":
        pass
print(json.dumps(cells))
"""


def test_a_solved_release_passes_every_visible_check_in_the_kit(kit, record_property):
    out, python, site, _ = kit
    t0 = time.perf_counter()
    release = json.loads((out / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    solved = solved_submission(release, json.loads(NOTEBOOK.read_text()))
    # one more cell: which course_utils the kernel imported
    solved["cells"].append({"cell_type": "code", "metadata": {"nbgrader": {"grade": True, "grade_id": "where"}},
                            "source": "import course_utils; print(course_utils.__file__)", "outputs": [],
                            "execution_count": None})
    path = out / "solved.ipynb"
    path.write_text(json.dumps(solved))
    code = _RUN_NOTEBOOK.replace("sys.argv[1]", repr(str(path)))
    cells = _run_in_kit(python, code, out)
    counts = {"basic_sigmoid": 2, "sigmoid": 2, "sigmoid_derivative": 2, "image2vector": 1, "normalize_rows": 1,
              "softmax": 1, "L1": 1, "L2": 1}
    assert cells == [[f"test_{name}", f"\u2714 {name}: all {n} check(s) match the reference.", []]
                     for name, n in counts.items()] + [["where", str(site / "course_utils" / "__init__.py"), []]]
    record_property("timing", ("student kit: the solved release in the kit's kernel", time.perf_counter() - t0))


#: wrong students, each run through the kit's check and the full library's: the messages must be equal
_WRONG = {
    "rank-1": "lambda x: np.ravel(1 / (1 + np.exp(-x)))",
    "one entry": "lambda x: np.where(x == 3.0, 0.5, 1 / (1 + np.exp(-x)))",
    "NaN": "lambda x: np.where(x == -4.0, np.nan, 1 / (1 + np.exp(-x)))",
    "float32": "lambda x: (1 / (1 + np.exp(-x))).astype(np.float32)",
}
_CHECKS = """
import json
import numpy as np
from course_utils.grading.checks import CheckFailed, NotInStudentKit, check_function
import course_utils.nn.activations as ref_act
import course_utils.exercises.numpy_basics as ref
x_example = np.array([[-2.0, 0.0, 1.0], [0.5, 3.0, -4.0]])
wrong = {WRONG}
messages = {{}}
def sigmoid(x):
    return 1 / (1 + np.exp(-x))
for label, text in wrong.items():
    try:
        check_function(eval(text), ref_act.sigmoid, [(x_example,), (0.0,)], name="sigmoid", quiet=True)
        messages[label] = None
    except CheckFailed as exc:
        messages[label] = str(exc)
# an earlier result that is wrong changes the example: one entry of x_example
changed = x_example.copy()
changed[1, 2] = 4.0
try:
    check_function(sigmoid, ref_act.sigmoid, [(x_example,), (changed,)], quiet=True)
except CheckFailed as exc:
    messages["changed example"] = str(exc)
try:
    ref.normalize_rows(np.ones((2, 2)))
except NotInStudentKit as exc:
    messages["called elsewhere"] = str(exc)
try:
    ref_act.tanh(0.5)  # graded nowhere: the full implementation
    import course_utils.nn.linear as lin
    lin.linear_forward(np.ones((2, 1)), np.ones((1, 2)), np.zeros((1, 1)))  # 1/04's exercise: a later one
except NotInStudentKit as exc:
    messages["later exercise"] = str(exc)
print(json.dumps(messages))
"""


def test_the_kit_checks_keep_their_messages_and_name_a_changed_example(kit, record_property):
    out, python, _, _ = kit
    t0 = time.perf_counter()
    code = _CHECKS.format(WRONG=repr(_WRONG))
    in_kit = _run_in_kit(python, code, out)
    full = _run_in_kit(Path(sys.executable), code, out)  # the instructor's full library, same checks
    for label in _WRONG:
        assert in_kit[label] is not None and in_kit[label] == full[label], label
    assert in_kit["NaN"] == (
        "sigmoid output contains 1 non-finite value(s); the first NaN is at index (1, 2). NaN usually comes from "
        "log(0), 0/0 or an overflow earlier in the computation.\n  in case 1: sigmoid(array(2, 3))")
    assert "changed example" not in full  # the full library compares the changed example with the reference
    assert in_kit["changed example"] == (
        "sigmoid: the example input of this check is not the one the check was recorded with when your course kit "
        "was built, so there is no expected result to compare your result with.\n"
        "  argument 1 (z): 1 of 6 entries differ from the recorded example (largest difference 8; tolerance "
        "rtol=1e-06, atol=1e-08).\n"
        "    index (1, 2): recorded -4, got 4\n"
        "Likely cause: the example changed after its locked cell ran, because an earlier exercise of yours that the "
        "example is computed with is wrong, or because a cell you ran assigns to the example's variable. Fix that "
        "exercise first (its own check says what is wrong), then run the notebook again from the top "
        "(Run > Restart Kernel and Run All Cells).\n"
        "  in case 2: sigmoid(array(2, 3))")
    assert in_kit["called elsewhere"] == (
        "normalize_rows is the exercise of 01_numpy_basics/01_numpy_basics; the student kit leaves it out. It knows "
        "only the results of its notebook's examples, and these arguments are not one of them.\n"
        "  argument 1 (x) has the wrong shape: recorded (2, 3), got (2, 2).")
    assert in_kit["later exercise"] == (
        "linear_forward is the exercise of 1_neural_networks/04_deep_network_step_by_step; the student kit leaves "
        "it out. Write your own linear_forward in the notebook, or use the one you wrote there.")
    record_property("timing", ("student kit: check messages, kit vs full library", time.perf_counter() - t0))


def test_the_grader_gives_the_kit_release_full_marks_solved_and_0_untouched(kit, tmp_path, record_property):
    out, _, _, _ = kit
    t0 = time.perf_counter()
    release = json.loads((out / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    subs = tmp_path / "submissions"
    for student, nb in [("solved", solved_submission(release, json.loads(NOTEBOOK.read_text()))),
                        ("untouched", release)]:
        (subs / student / ASSIGNMENT).mkdir(parents=True)
        (subs / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").write_text(json.dumps(nb))
    results = tmp_path / "results"
    unsandboxed = [] if available()[0] else ["--unsandboxed"]
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(subs), "--out", str(results),
                           "--no-progress", "--workers", "2", *unsandboxed], capture_output=True, text=True,
                          timeout=1200)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with open(results / "grades.csv", newline="") as f:
        rows = {r["student"]: (r["assignment"], float(r["score"]), float(r["max_score"]), r["status"])
                for r in csv.DictReader(f)}
    assert rows == {"solved": (ASSIGNMENT, POINTS, POINTS, "graded"), "untouched": (ASSIGNMENT, 0.0, POINTS, "graded")}
    record_property("timing", ("student kit: grading the kit's release, 2 students", time.perf_counter() - t0))
