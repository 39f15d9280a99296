"""Feedback a student reads: the grader's verdict under each graded cell, rendered as HTML.

Trusted side (coordinator's worker process). The autograded notebook is rendered with
nbgrader's ``feedback`` template, the hidden tests removed (``HideHiddenTests``).
"""

from __future__ import annotations

import nbformat


def verdict_text(v) -> str:
    if v.passed:
        return f"Grader: passed ({v.count} hidden check(s), judged outside your notebook).\n"
    lines = [f"Grader: failed ({len(v.failures)} of {v.count} hidden check(s))."]
    lines += ["  " + f.replace("\n", "\n  ") for f in v.failures[:8]]
    if len(v.failures) > 8:
        lines.append(f"  ... and {len(v.failures) - 8} more")
    return "\n".join(lines) + "\n"



def attach_verdict(cell: dict, v) -> None:
    """Add the grader's verdict ``v`` (a ``course_utils.grading.Verdict``) to a graded cell's outputs."""
    cell.setdefault("outputs", []).append({"output_type": "stream", "name": "stdout", "text": verdict_text(v)})


_EXPORTER = None


def render_feedback(nb_json: str, stem: str, score: float, max_score: float) -> str:
    """nbgrader's feedback page for an autograded notebook, with hidden tests removed."""
    global _EXPORTER
    import os

    import nbgrader
    from nbconvert.exporters import HTMLExporter
    from traitlets.config import Config

    from ..preprocessors import HideHiddenTests

    if _EXPORTER is None:
        base = os.path.join(os.path.dirname(nbgrader.__file__), "server_extensions", "formgrader")
        c = Config()
        c.HTMLExporter.template_name = "feedback"
        c.HTMLExporter.extra_template_basedirs = [os.path.join(base, "templates")]
        c.HTMLExporter.extra_template_paths = [os.path.join(base, "static", "node_modules", "bootstrap", "dist", "css")]
        _EXPORTER = HTMLExporter(config=c)
    nb = nbformat.reads(nb_json, as_version=4)
    resources = {"nbgrader": {"notebook": stem, "score": score, "max_score": max_score, "late_penalty": 0}}
    nb, resources = HideHiddenTests().preprocess(nb, resources)
    html, _ = _EXPORTER.from_notebook_node(nb, resources=resources)
    return html
