"""Shared helpers for the test suite (imported by the test modules)."""

from __future__ import annotations


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


__all__ = [
    "BEGIN_HIDDEN", "END_HIDDEN", "REPO", "SOURCE", "source_notebooks", "nb_id", "read", "nbg",
    "graded_cells", "solution_cells", "defined_functions", "points", "all_hidden_lines", "execute", "errors",
    "html_text", "replace_solution", "solved",
]
