"""Trusted verdicts: judge a submission's recorded results in the grader's own process.

The hidden-test text of each graded cell (from the instructor's source, never from the
submission) runs here a second time, inside :func:`course_utils.grading.replay`. It
draws the same hidden inputs from the same seeds, calls the reference, and compares it
with what the student's function returned in the sandbox (the record file). The student's
code does not run here, so nothing it did in its kernel (patched numpy, input
transformers, exception hooks, forged files) changes these verdicts.

The replay namespace holds only trusted names: the imports, functions and classes defined
in the cells a student cannot change, the locked and graded cells (setup and example cells,
the visible part of test cells), taken from the template exactly as the sandbox runs them,
in order. Ordinary cells never count, even the instructor's: the sandbox runs the student's
copy of those, so a definition taken from them could differ between the two sides (issue 11,
point 7; ``assemble.dependency_problems`` keeps every hidden test to these names). A name the
hidden text uses that none of these define is a graded function of the student's; it is
bound to a placeholder that is never called.
"""

from __future__ import annotations

import ast
import builtins
import io
import contextlib
import warnings

import numpy as np

from course_utils.grading.checks import CheckFailed
from course_utils.grading import Verdict, replay

from .assemble import Template, definitions, python_source


class StudentPlaceholder:
    """Stands for a student's function in the replay; it must never be called."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, *args, **kwargs):
        raise RuntimeError(f"the replay tried to call the student's {self.name!r}: the hidden test is not replayable")

    def __repr__(self) -> str:
        return f"<student's {self.name}>"


def free_names(tree: ast.AST) -> set[str]:
    loaded = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return loaded - set(dir(builtins))


def judge(template: Template, records: dict[str, list[dict]]) -> tuple[dict[str, Verdict], list[str]]:
    """One verdict per graded cell id (merged over its hidden tests), and replay errors.

    A graded cell passes only if every hidden test in it ran its cases in the sandbox and
    every recorded result matches the reference here.
    """
    ns: dict = {"__name__": "__replay__", "np": np}
    by_cell: dict[str, Verdict] = {}
    errors: list[str] = []
    sink = io.StringIO()
    with replay(records) as verdicts, contextlib.redirect_stdout(sink), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for cell in template.replay_cells:
            defs = definitions(cell["visible"])
            if defs is not None and defs.body:
                try:
                    exec(compile(defs, "<setup>", "exec"), ns)
                except Exception as exc:  # a helper the replay cannot define: reported, judged below
                    errors.append(f"replay setup: {type(exc).__name__}: {exc}")
            gid, hidden = cell["grade_id"], cell["hidden"]
            if not gid or hidden is None:
                continue
            try:
                tree = ast.parse(python_source(hidden))
            except SyntaxError as exc:
                errors.append(f"{gid}: hidden tests do not parse: {exc}")
                by_cell[gid] = Verdict(gid, 0, ["the grader could not read this cell's hidden tests"])
                continue
            for name in free_names(tree):
                ns.setdefault(name, StudentPlaceholder(name))
            verdicts.clear()
            try:
                exec(compile(tree, f"<hidden tests of {gid}>", "exec"), ns)
            except CheckFailed:
                pass  # finish() raised after storing its verdict
            except Exception as exc:
                errors.append(f"{gid}: replay stopped: {type(exc).__name__}: {exc}")
            names = list(verdicts)
            merged = Verdict(gid)
            for n in names:
                v = verdicts[n]
                merged.count += v.count
                merged.recorded += v.recorded
                merged.failures += v.failures
            if not names:
                merged.failures.append("the grader could not replay this cell's hidden tests")
            by_cell[gid] = merged
    return by_cell, errors
