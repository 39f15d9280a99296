"""One training loop: course_utils.optim.loop.train. Nothing else in course_utils or in a notebook
(outside the solution cells, where writing the loop is the exercise) loops over epochs or iterations,
and no code picks an update rule with an if/elif over names."""

import json
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LOOP = re.compile(r"^\s*for\s+\w+\s+in\s+(?:progress_range|range|tqdm)\(\s*(?:int\()?"
                  r"(?:num_iterations|num_epochs|num_steps|iterations|epochs)\b")
EPOCH_LOOP = re.compile(r"^\s*for\s+epoch\s+in\s+(?:progress_range|range|tqdm)\(")
DISPATCH = re.compile(r"""^\s*(?:el)?if\s+(?:optimizer|name|rule)\s*==\s*["'](?:gd|momentum|rmsprop|adam)["']""")
THE_LOOP = "course_utils/optim/loop.py"


def code_outside_solutions(path: Path, root: Path = REPO):
    """(place, line) for every code line of a module, or of a notebook's code cells outside solution regions."""
    if path.suffix == ".ipynb":
        cells = [(f"{path.relative_to(root)} cell {i}", "".join(c["source"]))
                 for i, c in enumerate(json.loads(path.read_text())["cells"]) if c["cell_type"] == "code"]
    else:
        cells = [(str(path.relative_to(root)), path.read_text())]
    for place, source in cells:
        inside = False
        for line in source.splitlines():
            if "### BEGIN SOLUTION" in line:
                inside = True
            elif "### END SOLUTION" in line:
                inside = False
            elif not inside:
                yield place, line


def findings(paths, root: Path = REPO):
    loops, dispatches = [], []
    for path in paths:
        for place, line in code_outside_solutions(path, root):
            if LOOP.search(line) or EPOCH_LOOP.search(line):
                loops.append(f"{place}: {line.strip()}")
            if DISPATCH.search(line):
                dispatches.append(f"{place}: {line.strip()}")
    return loops, dispatches


def kit_files():
    return sorted(REPO.glob("course_utils/**/*.py")) + sorted(REPO.glob("notebooks/*/*.ipynb"))


def test_the_only_training_loop_is_the_library_loop():
    loops, dispatches = findings(kit_files())
    assert [l.split(":")[0] for l in loops] == [THE_LOOP], loops
    assert dispatches == []


def test_the_scan_finds_a_loop_and_a_dispatch(tmp_path):
    """The check itself: a notebook's own loop and if/elif dispatch are reported; a solution's loop is not."""
    nb = {"cells": [{"cell_type": "code", "source": [
        "for epoch in range(num_epochs):\n", "    if optimizer == \"adam\":\n", "        pass\n",
        "### BEGIN SOLUTION\n", "for i in range(num_iterations):\n", "    pass\n", "### END SOLUTION\n"]}]}
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(nb))
    loops, dispatches = findings([path], tmp_path)
    assert loops == ["nb.ipynb cell 0: for epoch in range(num_epochs):"]
    assert dispatches == ['nb.ipynb cell 0: if optimizer == "adam":']
