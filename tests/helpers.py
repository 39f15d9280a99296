"""Shared helpers for the test suite (imported by the test modules)."""

from __future__ import annotations


import json
import os
import re
import time
from html.parser import HTMLParser
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from autograder import course
from autograder.preprocessors import BEGIN_HIDDEN, END_HIDDEN, hidden_lines

REPO = course.REPO
SOURCE = course.SOURCE


def source_notebooks() -> list[Path]:
    return sorted(SOURCE.glob("*/*.ipynb"))


def nb_id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def read(path: Path):
    return nbformat.read(path, as_version=4)


def nbg(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def graded_cells(nb) -> list:
    return [c for c in nb.cells if nbg(c).get("grade") and c.cell_type == "code"]


def solution_cells(nb) -> list:
    return [c for c in nb.cells if nbg(c).get("solution") and c.cell_type == "code"]


def defined_functions(cell) -> list[str]:
    return re.findall(r"^def\s+(\w+)\s*\(", cell.source, flags=re.M)


def points(nb) -> dict[str, float]:
    return {nbg(c)["grade_id"]: float(nbg(c)["points"]) for c in graded_cells(nb)}


def all_hidden_lines(nb) -> list[str]:
    return [ln for c in graded_cells(nb) for ln in hidden_lines(c.source)]


def execute(nb, cwd: Path, *, allow_errors: bool = False, env: dict | None = None, timeout: int = 120):
    """Run a notebook in a fresh kernel of this environment; return (notebook, seconds)."""
    course.prepare_environment()
    full_env = dict(os.environ, **(env or {}))
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=allow_errors,
                            resources={"metadata": {"path": str(cwd)}})
    t0 = time.perf_counter()
    client.execute(env=full_env)
    return nb, time.perf_counter() - t0


def errors(nb) -> list[tuple[int, str]]:
    out = []
    for i, c in enumerate(nb.cells):
        for o in c.get("outputs", []):
            if o.get("output_type") == "error":
                out.append((i, f"{o.get('ename')}: {o.get('evalue')}"))
    return out


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def html_text(path: Path) -> str:
    """What a reader of an HTML file sees (tags and styles removed, entities decoded).

    Syntax highlighting splits source lines into many spans, so leaks are searched in
    this text, never in the raw HTML.
    """
    p = _Text()
    p.feed(Path(path).read_text(encoding="utf-8"))
    return "".join(p.parts)


def replace_solution(source: str, body: str) -> str:
    """Replace the text between BEGIN/END SOLUTION of a cell with ``body``."""
    pattern = re.compile(r"(### BEGIN SOLUTION\n).*?(\n\s*### END SOLUTION)", re.S)
    new, n = pattern.subn(lambda m: m.group(1) + body + m.group(2), source)
    assert n == 1, "expected exactly one solution region"
    return new


def solved(release_nb, source_nb):
    """What an honest student hands in (autograder.engine.assemble.solved_submission), as a NotebookNode."""
    from autograder.engine.assemble import solved_submission

    return nbformat.from_dict(solved_submission(release_nb, source_nb))


# --- notebooks as other editors write them ------------------------------------------------------------------
# Real metadata, surveyed from notebooks in public repositories: what VS Code's Jupyter extension and
# Google Colab write around the same cells. Each function takes a notebook dict (nbformat 4) and
# returns the file's bytes.

#: VS Code (Jupyter extension): nbformat 4.2 (no cell ids), "orig_nbformat", the interpreter hash, a
#: kernelspec naming the environment it ran in, the full language_info
VSCODE_METADATA = {
    "kernelspec": {"display_name": "Python 3.9.12 ('base')", "language": "python", "name": "python3"},
    "language_info": {"codemirror_mode": {"name": "ipython", "version": 3}, "file_extension": ".py",
                      "mimetype": "text/x-python", "name": "python", "nbconvert_exporter": "python",
                      "pygments_lexer": "ipython3", "version": "3.9.12"},
    "orig_nbformat": 4,
    "vscode": {"interpreter": {"hash": "a2ab3825ac7005fb7b26f112e9c99ae62f464c629e30b0d534c3b931b6cbc3ff"}},
}
#: ipywidgets' saved widget state (JupyterLab and VS Code write it under metadata.widgets)
WIDGET_STATE = {"application/vnd.jupyter.widget-state+json": {
    "state": {"083ea69907bb48d4a8fff919bac51aad": {
        "model_module": "@jupyter-widgets/base", "model_module_version": "1.2.0", "model_name": "LayoutModel",
        "state": {"_model_module": "@jupyter-widgets/base", "_model_module_version": "1.2.0",
                  "_model_name": "LayoutModel", "_view_count": None, "width": "50%"}}},
    "version_major": 2, "version_minor": 0}}
#: Google Colab: nbformat 4.0, "colab" notebook metadata, a kernelspec without a language, a GPU
COLAB_METADATA = {"colab": {"provenance": [], "collapsed_sections": [], "name": "01_numpy_basics.ipynb"},
                  "kernelspec": {"name": "python3", "display_name": "Python 3"},
                  "language_info": {"name": "python"}, "accelerator": "GPU", "gpuClass": "standard"}


def _copy(nb: dict) -> dict:
    import copy

    return copy.deepcopy(nb)


def _lines(source) -> list[str]:
    text = "".join(source) if isinstance(source, list) else source
    return text.splitlines(keepends=True)


def as_vscode(nb: dict, *, crlf: bool = True) -> bytes:
    """VS Code on Windows: nbformat 4.2 without cell ids, its metadata, sources as line lists,
    CRLF line endings in the file."""
    nb = _copy(nb)
    nb["nbformat_minor"] = 2
    nb["metadata"] = {**VSCODE_METADATA, "widgets": WIDGET_STATE}
    for cell in nb["cells"]:
        cell.pop("id", None)
        cell["source"] = _lines(cell["source"])
    text = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
    return (text.replace("\n", "\r\n") if crlf else text).encode("utf-8")


def as_colab(nb: dict, *, bom: bool = True) -> bytes:
    """Google Colab's download (saved again on Windows with a UTF-8 byte-order mark): nbformat 4.0,
    "nbformat" first, two-space indent, cell ids in each cell's metadata with Colab's own keys."""
    nb = _copy(nb)
    cells = []
    for n, cell in enumerate(nb["cells"]):
        cell.pop("id", None)
        md = {**cell.get("metadata", {}), "id": f"c{n:04d}Xq9Zk2"}
        if cell["cell_type"] == "code":
            md.update(colab={"base_uri": "https://localhost:8080/"}, outputId=f"8a9d865b-a45f-4c64-efdf-{n:012d}")
        cells.append({"cell_type": cell["cell_type"], "source": _lines(cell["source"]), "metadata": md,
                      **({"execution_count": None, "outputs": []} if cell["cell_type"] == "code" else {})})
    out = {"nbformat": 4, "nbformat_minor": 0, "metadata": COLAB_METADATA, "cells": cells}
    text = json.dumps(out, indent=2, ensure_ascii=False)
    return ("\ufeff" + text if bom else text).encode("utf-8")


__all__ = [
    "BEGIN_HIDDEN", "END_HIDDEN", "REPO", "SOURCE", "source_notebooks", "nb_id", "read", "nbg",
    "graded_cells", "solution_cells", "defined_functions", "points", "all_hidden_lines", "execute", "errors",
    "html_text", "replace_solution", "solved", "VSCODE_METADATA", "WIDGET_STATE", "COLAB_METADATA", "as_vscode",
    "as_colab",
]


def count_formulas(markdown: str) -> int:
    """How many formulas nbconvert's own markdown parser finds in ``markdown`` (what MathJax would
    have drawn): display and inline math and LaTeX environments."""
    from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

    class Counter(IPythonRenderer):
        def __init__(self):
            super().__init__(escape=False)
            self.n = 0

        def block_math(self, body):
            self.n += 1
            return ""

        inline_math = block_math

        def latex_environment(self, name, body):
            self.n += 1
            return ""

    counter = Counter()
    MarkdownWithMath(renderer=counter).render(markdown)
    return counter.n
