"""Notebooks arrive the way their tools write them (issue 11, point 10).

What common tools write, from notebooks in public repositories (tests/helpers.py has their real
metadata): VS Code (nbformat 4.2 without cell ids, ``vscode`` and ``orig_nbformat`` metadata,
kernelspecs named after the environment, CRLF on Windows), Colab (nbformat 4.0, ``colab``
notebook and cell metadata, cell ids inside the cell metadata, a kernelspec without a
language), JupyterLab (4.5 with cell ids, widget state), Windows editors (a UTF-8 byte-order
mark, UTF-16 from PowerShell's ``>``), and old files (version 3).

Each is graded as it is (the grader runs exactly what it runs for the plain file) or refused
with a one-line reason, never a traceback; ``make check`` (autograder/student/selfcheck.py)
reads each the same way and always runs the kit's kernel. The graded end (a VS Code and a
Colab file scoring full marks in the sandbox) is in test_grading.py (ivy, jack).
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import pytest

from autograder.engine.assemble import assemble, build_template, solved_submission
from autograder.engine.worker import check_notebook
from autograder.student.selfcheck import UnreadableNotebook, read_notebook
from helpers import SOURCE, as_colab, as_vscode

TRACK, STEM = "1_neural_networks", "01_numpy_basics"


@pytest.fixture(scope="module")
def plain(release_dir):
    """(template, the solved notebook as JupyterLab writes it)."""
    release = json.loads((release_dir / TRACK / f"{STEM}.ipynb").read_text(encoding="utf-8"))
    source = json.loads((SOURCE / TRACK / f"{STEM}.ipynb").read_text(encoding="utf-8"))
    return build_template(f"{STEM}.ipynb", release, source), solved_submission(release, source)


def _minor(nb, minor):
    nb = copy.deepcopy(nb)
    nb["nbformat_minor"] = minor
    for n, cell in enumerate(nb["cells"]):
        cell.pop("id", None)
        if minor >= 5:
            cell["id"] = f"cell-{n}"
    return json.dumps(nb, indent=1).encode()


def _kernel(nb, spec):
    nb = copy.deepcopy(nb)
    nb["metadata"]["kernelspec"] = spec
    return json.dumps(nb, indent=1).encode()


def _line_endings(nb, ending):
    nb = copy.deepcopy(nb)
    for cell in nb["cells"]:
        text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        cell["source"] = text.replace("\n", ending)
    return json.dumps(nb, indent=1).encode()


VARIANTS = {
    "VS Code on Windows (CRLF, nbformat 4.2, vscode metadata, widget state)": lambda nb: as_vscode(nb),
    "Colab download saved with a UTF-8 BOM (nbformat 4.0, colab metadata)": lambda nb: as_colab(nb),
    "Colab download, no BOM": lambda nb: as_colab(nb, bom=False),
    "UTF-16 with a byte-order mark (PowerShell's >)": lambda nb: json.dumps(nb, indent=1).encode("utf-16"),
    **{f"nbformat 4.{m}": (lambda m: lambda nb: _minor(nb, m))(m) for m in range(6)},
    "kernelspec 'Python 3 (ipykernel)'": lambda nb: _kernel(nb, {"display_name": "Python 3 (ipykernel)",
                                                                 "language": "python", "name": "python3"}),
    "kernelspec of a VS Code venv": lambda nb: _kernel(nb, {"display_name": ".venv", "language": "python",
                                                            "name": ".venv"}),
    "kernelspec of a conda env": lambda nb: _kernel(nb, {"display_name": "Python [conda env:ml]", "language": "python",
                                                         "name": "conda-env-ml-py"}),
    "CRLF inside the cell sources": lambda nb: _line_endings(nb, "\r\n"),
    "CR inside the cell sources": lambda nb: _line_endings(nb, "\r"),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_graded_as_it_is(plain, variant):
    """The grader runs exactly the cells it runs for the plain file (so the score is the same)."""
    template, nb = plain
    got, why = check_notebook(VARIANTS[variant](nb))
    assert why is None
    assert assemble(template, got).cells == assemble(template, nb).cells
    assert assemble(template, got).issues == []


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_make_check_reads_it_as_it_is(plain, variant, tmp_path):
    _, nb = plain
    path = tmp_path / f"{STEM}.ipynb"
    path.write_bytes(VARIANTS[variant](nb))
    got = read_notebook(path)
    assert [(c.cell_type, c.source) for c in got.cells] == [
        (c["cell_type"], "".join(c["source"]) if isinstance(c["source"], list) else c["source"]) for c in nb["cells"]]


V3 = json.dumps({"nbformat": 3, "nbformat_minor": 0, "metadata": {"name": ""},
                 "worksheets": [{"cells": [{"cell_type": "code", "input": "1 + 1", "language": "python",
                                            "outputs": [], "metadata": {}}], "metadata": {}}]}).encode()
REFUSED = {
    "version 3": (V3, "is an old version-3 notebook: open it in JupyterLab or VS Code and save it again "
                      "(they write version 4)",
                  "it is not a version-4 notebook: open it in JupyterLab and save it again"),
    "Latin-1 text": ('{"cells": [], "metadata": {"author": "Zoë"}, "nbformat": 4, "nbformat_minor": 5}'.encode("latin-1"),
                     "is not UTF-8 text (invalid continuation byte at byte 40)",
                     "it is not UTF-8 text (invalid continuation byte at byte 40)"),
    "version 5": (b'{"cells": [], "metadata": {}, "nbformat": 5, "nbformat_minor": 0}',
                  "is not a version-4 notebook (nbformat 5)",
                  "it is not a version-4 notebook: open it in JupyterLab and save it again"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_refused_with_one_line(case, tmp_path):
    raw, grader, check = REFUSED[case]
    assert check_notebook(raw) == (None, grader)
    path = tmp_path / "nb.ipynb"
    path.write_bytes(raw)
    with pytest.raises(UnreadableNotebook) as info:
        read_notebook(path)
    assert str(info.value) == check


def test_make_check_runs_a_colab_file_with_another_kernel_in_the_kits_kernel(plain, tmp_path):
    """A BOM, CRLF sources and a kernelspec this machine does not have: the check runs it in the
    kit's kernel and every visible check passes (it crashed on the BOM, then on the kernel)."""
    _, nb = plain
    nb = json.loads(_line_endings(nb, "\r\n"))
    raw = as_colab(nb).decode("utf-8-sig")
    colab = json.loads(raw)
    colab["metadata"]["kernelspec"] = {"display_name": ".venv", "language": "python", "name": ".venv"}
    path = tmp_path / f"{STEM}.ipynb"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(colab, indent=2).encode())
    proc = subprocess.run([sys.executable, "-m", "autograder", "check", str(path)], capture_output=True, text=True,
                          timeout=600, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines()[-1] == ("All visible checks pass. The instructor's hidden tests will also try "
                                            "other inputs.")
    assert "Traceback" not in proc.stderr
