"""The class report: one self-contained HTML page per graded run, for the instructor.

:func:`write_class_report` reads only what ``grade`` wrote into its output folder
(``grades.csv``, ``grades_by_notebook.csv``, ``grades_by_cell.csv``, ``grading.log`` and
``results/<student>/<assignment>.json``) and writes ``class_report.html`` beside the CSVs:

- the score distribution per assignment and per notebook (matplotlib plots, embedded as
  PNG ``data:`` URIs, and the numbers in tables);
- every exercise's pass rate, lowest first, with its most common failure reasons: each
  reason the grader gave is reduced to its kind (:func:`failure_kind`: "hidden case 5 large
  scores (needs the max trick): non-finite values", "visible check failed: L1 output: wrong
  values", "not implemented (the release's stub)"), so the same mistake of many students is
  counted once, with their names;
- the submissions flagged for review, and why; those whose grading failed (the grader's
  fault: no score); other problems of submissions (unreadable files, limits hit);
- timings: this run's self-test, total and per stored result (from ``grading.log``), and
  per submission and per notebook (from the results).

The page (template: ``autograder/templates/class_report/``) has no script and loads nothing: it
reads the same offline as the feedback pages. ``grade`` writes it at the end of every run
(:func:`end_of_run`, which also writes the similarity report); ``python -m autograder report
RESULTS`` writes it again for a folder.
"""

from __future__ import annotations

import base64
import csv
import datetime as _dt
import io
import json
import logging
import re
import statistics
from collections import Counter, defaultdict
from pathlib import Path


REPORT_NAME = "class_report.html"
TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "class_report" / "index.html.j2"
#: the status of a row the grader failed to grade (``worker.GRADING_FAILED``, not imported from
#: there: the worker pulls in nbgrader, seconds of imports for ``python -m autograder report``)
GRADING_FAILED = "grading failed"
#: failure reasons shown per exercise (the most common first)
REASONS_SHOWN = 3
#: students named under one failure reason
NAMES_SHOWN = 8
NOT_SUBMITTED = re.compile(r"^\S+\.ipynb was not submitted; scored 0$")


# --- failure reasons, grouped by kind ---------------------------------------------------------

#: (pattern in a check's message, the kind it names); the first that matches wins
_PROBLEM_KINDS = [
    (re.compile(r"non-finite value"), "non-finite values"),
    (re.compile(r"has the wrong shape"), "wrong shape"),
    (re.compile(r"entries differ from the reference"), "wrong values"),
    (re.compile(r"should be a single number"), "not a single number"),
    (re.compile(r"has dtype|is a numpy float"), "wrong dtype"),
    (re.compile(r" is None: "), "returned None"),
    (re.compile(r"has the wrong keys"), "wrong keys"),
    (re.compile(r"should be |should have \d+ items|is an array of Python objects"), "wrong type"),
    (re.compile(r"modified its argument"), "modified an argument in place"),
    (re.compile(r"returned a .*, which is not a value"), "returned a value of an unsupported type"),
    (re.compile(r"no result was recorded"), "no result recorded for this case"),
    (re.compile(r"recorded result is unreadable"), "unreadable recorded result"),
    (re.compile(r": expected .*, got "), "wrong value"),
]
_RAISED = re.compile(r"^raised (\w+)")
_HIDDEN_CASE = re.compile(
    r"^hidden case (\d+) (.*?): ((?:\w+ output|raised |no result was recorded|the recorded result|\w+ returned a "
    r"|\w+ modified ).*)$", re.S)
_HIDDEN_CHECK = re.compile(r"^hidden check (\d+): (.*)$", re.S)
_PART = re.compile(r"^\w+ output -> (.+?)(?: \(output[^)]*\))?(?: |:)")


def _problem_kind(message: str) -> str:
    """The kind of a check's message (a comparison with the reference, or an exception)."""
    m = _RAISED.match(message)
    if m:
        return f"raised {m.group(1)}"
    for pattern, kind in _PROBLEM_KINDS:
        if pattern.search(message):
            part = _PART.match(message)  # which part of a tuple or dict result, when it names one
            return f"{part.group(1)}: {kind}" if part else kind
    return _numbers_out(message)


def _numbers_out(text: str, width: int = 100) -> str:
    """``text`` with its numbers as N, cut to ``width``: what is left names the kind of message."""
    text = re.sub(r"\d+(\.\d+)?(e-?\d+)?", "N", text.strip().splitlines()[0] if text.strip() else "")
    return text if len(text) <= width else text[:width - 1] + "…"


def failure_kind(status: str, reason: str) -> str:
    """What went wrong in a graded cell, in a few words that are the same for the same mistake.

    ``status`` and ``reason`` are a row of ``grades_by_cell.csv``. The kind keeps where the
    problem is (which hidden case or check, which part of the result) and drops what differs
    between students (their values, the size of the difference). Returns "" for a passed
    cell; never raises.
    """
    if status == "passed":
        return ""
    reason = (reason or "").strip()
    if reason.startswith("hidden tests failed: "):
        rest = reason[len("hidden tests failed: "):]
        m = _HIDDEN_CASE.match(rest)
        if m:
            return f"hidden case {m.group(1)} {m.group(2)}: {_problem_kind(m.group(3))}"
        m = _HIDDEN_CHECK.match(rest)
        if m:
            return f"hidden check {m.group(1)}: {_numbers_out(m.group(2))}"
        return "hidden tests failed: " + _numbers_out(rest)
    m = re.match(r"^the cell raised (\w+)(?:: (.*))?$", reason, re.S)
    if m:
        ename, message = m.group(1), (m.group(2) or "")
        if ename == "NotImplementedError" and "is not implemented yet" in message:
            return "not implemented (the release's stub)"
        if ename == "CheckFailed":
            where = re.match(r"^(\w+ output)", message)
            kind = _problem_kind(message)
            return f"visible check failed: {where.group(1) + ': ' if where else ''}{kind}"
        return f"the cell raised {ename}"
    if reason.startswith("notebook "):  # the notebook file could not be graded
        return "notebook not gradable: " + re.split(r" \(|;", reason[len("notebook "):], maxsplit=1)[0]
    if status == "not run":
        return "did not run: " + _numbers_out(reason)
    if status == "tampered":
        return "tampered: " + _numbers_out(re.sub(r"\(cells [\d, and]+\)", "", reason))
    return _numbers_out(reason)


# --- reading the run ---------------------------------------------------------------------------

def _rows(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _num(text) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def _results(out: Path) -> list[dict]:
    found = []
    for path in sorted((out / "results").glob("*/*.json")):
        try:
            found.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    return found


def _log_facts(path: Path) -> dict:
    """What ``grading.log`` says about the last run: its start and end, the self-test, the
    total time, the coordinator's time per stored result."""
    facts: dict = {"stored": []}
    if not path.is_file():
        return facts
    stamp = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),\d+ ")
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        m = stamp.match(line)
        if m:
            facts.setdefault("start", m.group(1))
            facts["end"] = m.group(1)
        if m := re.search(r"grader self-test: a known-good notebook scored full marks in ([\d.]+) s", line):
            facts["self_test"] = float(m.group(1))
        elif m := re.search(r"grader self-test FAILED: (.*)$", line):
            facts["self_test_failed"] = m.group(1)
        elif m := re.search(r"graded (\d+) submission\(s\) in ([\d.]+) s", line):
            facts["graded"], facts["seconds"] = int(m.group(1)), float(m.group(2))
        elif m := re.search(r"grading (\d+) submission\(s\) on (.*?), (sandboxed|UNSANDBOXED)", line):
            facts["engine"], facts["sandbox"] = m.group(2), m.group(3)
        elif m := re.search(r"stored in ([\d.]+) s \(coordinator\)", line):
            facts["stored"].append(float(m.group(1)))
    return facts


# --- plots ---------------------------------------------------------------------------------------

def _png(fig) -> str:
    """A matplotlib figure as a ``data:`` URI (PNG)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)  # the figures are laid out already (tight_layout)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _assignment_plot(per_assignment: dict[str, list[float]], max_scores: dict[str, float]) -> str | None:
    from matplotlib.figure import Figure
    import numpy as np

    names = [a for a in per_assignment if per_assignment[a]]
    if not names:
        return None
    fig = Figure(figsize=(4.2 * min(len(names), 3), 2.8 * ((len(names) + 2) // 3)))
    for i, a in enumerate(names):
        ax = fig.add_subplot((len(names) + 2) // 3, min(len(names), 3), i + 1)
        top = max_scores[a] or 1.0
        ax.hist(per_assignment[a], bins=np.linspace(0, top, 11), color="#4c72b0", edgecolor="white")
        ax.set_title(a, fontsize=10)
        ax.set_xlabel(f"score (of {top:g})")
        ax.set_ylabel("submissions")
        ax.set_xlim(0, top)
        ax.yaxis.get_major_locator().set_params(integer=True)
    fig.tight_layout()
    return _png(fig)


def _notebook_plot(per_notebook: dict[str, list[float]]) -> str | None:
    """One row per notebook: each submitted notebook's score in percent of its maximum."""
    from matplotlib.figure import Figure
    import numpy as np

    labels = [k for k in per_notebook if per_notebook[k]]
    if not labels:
        return None
    fig = Figure(figsize=(7.5, 0.9 + 0.42 * len(labels)))
    ax = fig.add_subplot(1, 1, 1)
    data = [per_notebook[k] for k in labels]
    ax.boxplot(data, orientation="horizontal", widths=0.5, showfliers=False)
    rng = np.random.default_rng(0)  # the same jitter every time the report is made
    for i, values in enumerate(data, start=1):
        ax.scatter(values, i + rng.uniform(-0.15, 0.15, len(values)), s=12, color="#dd8452", alpha=0.8, zorder=3)
    ax.set_yticks(range(1, len(labels) + 1), labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(-3, 103)
    ax.set_xlabel("score, % of the notebook's points (submitted notebooks)")
    fig.tight_layout()
    return _png(fig)


def _timing_plot(per_notebook: dict[str, list[float]]) -> str | None:
    from matplotlib.figure import Figure

    labels = [k for k in per_notebook if per_notebook[k]]
    if not labels:
        return None
    fig = Figure(figsize=(7.5, 0.9 + 0.42 * len(labels)))
    ax = fig.add_subplot(1, 1, 1)
    ax.boxplot([per_notebook[k] for k in labels], orientation="horizontal", widths=0.5)
    ax.set_yticks(range(1, len(labels) + 1), labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("seconds in the sandbox per notebook")
    fig.tight_layout()
    return _png(fig)


# --- the report ----------------------------------------------------------------------------------

def _stats(values: list[float]) -> dict:
    return {"n": len(values), "total": sum(values), "mean": statistics.fmean(values) if values else None,
            "median": statistics.median(values) if values else None,
            "min": min(values) if values else None, "max": max(values) if values else None}


def class_report_data(out_dir: Path) -> dict:
    """Everything the class report shows, computed from the files ``grade`` wrote into ``out_dir``.

    Raises ``FileNotFoundError`` when ``out_dir`` holds no ``grades.csv`` (not a results folder).
    """
    out = Path(out_dir)
    if not (out / "grades.csv").is_file():
        raise FileNotFoundError(f"{out} is not a folder `grade` wrote: it has no grades.csv")
    grades = _rows(out / "grades.csv")
    by_notebook = _rows(out / "grades_by_notebook.csv") if (out / "grades_by_notebook.csv").is_file() else []
    by_cell = _rows(out / "grades_by_cell.csv") if (out / "grades_by_cell.csv").is_file() else []
    results = {(r["student"], r["assignment"]): r for r in _results(out)}
    log = _log_facts(out / "grading.log")

    # scores per assignment and per notebook (grading failed: no score, counted apart)
    per_assignment: dict[str, list[float]] = defaultdict(list)
    max_by_assignment: dict[str, float] = {}
    failed_by_assignment: Counter = Counter()
    for r in grades:
        max_by_assignment[r["assignment"]] = _num(r["max_score"]) or 0.0
        if r["status"] == GRADING_FAILED or _num(r["score"]) is None:
            failed_by_assignment[r["assignment"]] += 1
        else:
            per_assignment[r["assignment"]].append(_num(r["score"]))
    assignments = []
    for a in sorted(max_by_assignment):
        s = _stats(per_assignment[a])
        s.update(name=a, max_score=max_by_assignment[a], failed=failed_by_assignment[a],
                 full=sum(1 for v in per_assignment[a] if v == max_by_assignment[a]),
                 zero=sum(1 for v in per_assignment[a] if v == 0))
        assignments.append(s)

    submitted = {(r["student"], r["assignment"], r["notebook"]) for r in by_notebook if r["status"] == "submitted"}
    nb_percent: dict[str, list[float]] = defaultdict(list)
    nb_rows: dict[str, dict] = {}
    for r in by_notebook:
        key = r["notebook"] if r["assignment"] == r["notebook"] else f"{r['assignment']}/{r['notebook']}"
        row = nb_rows.setdefault(key, {"name": key, "scores": [], "max_score": _num(r["max_score"]) or 0.0,
                                       "not_submitted": 0, "failed": 0})
        if r["status"] == "submitted" and _num(r["score"]) is not None:
            row["scores"].append(_num(r["score"]))
            if row["max_score"]:
                nb_percent[key].append(100.0 * _num(r["score"]) / row["max_score"])
        elif r["status"] == GRADING_FAILED:
            row["failed"] += 1
        else:
            row["not_submitted"] += 1
    notebooks = []
    for key in sorted(nb_rows):
        row = nb_rows[key]
        s = _stats(row["scores"])
        s.update(name=key, max_score=row["max_score"], not_submitted=row["not_submitted"], failed=row["failed"],
                 full=sum(1 for v in row["scores"] if v == row["max_score"]),
                 zero=sum(1 for v in row["scores"] if v == 0))
        notebooks.append(s)

    # exercises: pass rates over the notebooks handed in, reasons grouped by kind
    ex: dict[tuple[str, str], dict] = {}
    for r in by_cell:
        if (r["student"], r["assignment"], r["notebook"]) not in submitted or r["status"] == GRADING_FAILED:
            continue
        e = ex.setdefault((r["notebook"], r["cell"]), {"notebook": r["notebook"], "cell": r["cell"],
                                                       "points": _num(r["max_score"]) or 0.0, "passed": 0,
                                                       "attempted": 0, "reasons": defaultdict(list)})
        e["attempted"] += 1
        if r["status"] == "passed":
            e["passed"] += 1
        else:
            e["reasons"][failure_kind(r["status"], r["reason"])].append(r["student"])
    exercises = []
    for e in ex.values():
        e["rate"] = e["passed"] / e["attempted"]
        e["function"] = e["cell"][len("test_"):] if e["cell"].startswith("test_") else e["cell"]
        reasons = sorted(e.pop("reasons").items(), key=lambda kv: (-len(kv[1]), kv[0]))
        e["reasons"] = [{"kind": k, "count": len(names), "students": sorted(set(names))} for k, names in reasons]
        exercises.append(e)
    exercises.sort(key=lambda e: (e["rate"], e["notebook"], e["cell"]))

    flagged, failed, problems = [], [], []
    for r in grades:
        res = results.get((r["student"], r["assignment"]), {})
        flags = res.get("flags") if res else [f for f in r["flags"].split("; ") if f]
        probs = res.get("problems") if res else [p for p in r["problems"].split("; ") if p]
        if flags:
            flagged.append({"student": r["student"], "assignment": r["assignment"], "flags": flags})
        if r["status"] == GRADING_FAILED:
            why = [p for p in probs if p.startswith("grading failed")] or ["grading failed (no reason recorded)"]
            failed.append({"student": r["student"], "assignment": r["assignment"], "reasons": why})
        other = [p for p in probs if not p.startswith("grading failed") and not NOT_SUBMITTED.match(p)]
        if other:
            problems.append({"student": r["student"], "assignment": r["assignment"], "problems": other})

    # timings: per submission (the worker's time) and per notebook (its time in the sandbox)
    sub_seconds = []
    nb_seconds: dict[str, list[float]] = defaultdict(list)
    nb_slowest: dict[str, tuple[float, str]] = {}
    for (student, assignment), res in sorted(results.items()):
        secs = _num(res.get("seconds"))
        if secs is not None and secs > 0:
            handed_in = sum(1 for nb in res.get("notebooks", []) if nb.get("status") == "submitted")
            sub_seconds.append({"student": student, "assignment": assignment, "seconds": secs, "notebooks": handed_in})
        for nb in res.get("notebooks", []):
            s = _num(nb.get("seconds"))
            if s is None:
                continue
            key = nb["notebook"] if assignment == nb["notebook"] else f"{assignment}/{nb['notebook']}"
            nb_seconds[key].append(s)
            if s > nb_slowest.get(key, (-1.0, ""))[0]:
                nb_slowest[key] = (s, student)
    sub_seconds.sort(key=lambda d: -d["seconds"])
    timing_notebooks = [dict(_stats(nb_seconds[k]), name=k, slowest=nb_slowest[k][1]) for k in sorted(nb_seconds)]
    stored = log.get("stored", [])

    return {
        "folder": out.name, "made": _dt.datetime.now().strftime("%Y-%m-%d %H:%M"), "log": log,
        "counts": {"students": len({r["student"] for r in grades}), "submissions": len(grades),
                   "graded": sum(1 for r in grades if r["status"] != GRADING_FAILED),
                   "failed": len(failed), "flagged": len(flagged), "problems": len(problems)},
        "assignments": assignments, "notebooks": notebooks, "exercises": exercises,
        "flagged": flagged, "failed": failed, "problems": problems,
        "timing": {"submissions": _stats([d["seconds"] for d in sub_seconds]), "slowest": sub_seconds[:10],
                   "notebooks": timing_notebooks, "stored": _stats(stored) if stored else None},
        "plots": {"assignments": _assignment_plot(per_assignment, max_by_assignment),
                  "notebooks": _notebook_plot(nb_percent),
                  "timing": _timing_plot(nb_seconds)},
    }


def _number(value: float | None, digits: int = 1) -> str:
    """``value`` with at most ``digits`` decimals and no trailing zeros; "" for None."""
    if value is None:
        return ""
    text = f"{value:.{digits}f}"
    return text.rstrip("0").rstrip(".") if digits else text


def write_class_report(out_dir: Path) -> Path:
    """Write ``class_report.html`` into ``out_dir`` (a folder ``grade`` wrote) and return its path.

    Reads only ``out_dir``. Raises ``FileNotFoundError`` when ``out_dir`` has no ``grades.csv``.
    """
    from jinja2 import Environment

    out = Path(out_dir)
    data = class_report_data(out)
    env = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["num"] = _number
    html = env.from_string(TEMPLATE.read_text(encoding="utf-8")).render(**data, reasons_shown=REASONS_SHOWN,
                                                                        names_shown=NAMES_SHOWN)
    path = out / REPORT_NAME
    tmp = path.with_suffix(".html.tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(path)
    return path


def end_of_run(out_dir: Path, logger: logging.Logger | None = None, log=None) -> list[Path]:
    """Write the class report and the similarity report for ``out_dir``; return the files written.

    Called by ``grade`` at the end of every run. Never raises: a report that cannot be made
    is logged (``logger``) and named through ``log`` (e.g. ``print``); no grade depends on it.
    """
    import time

    from .similarity import similarity_report

    written = []
    for what, make in (("class report", lambda: write_class_report(out_dir)),
                       ("similarity report", lambda: similarity_report(out_dir).html)):
        t0 = time.perf_counter()
        try:
            written.append(make())
        except Exception as exc:  # a report is never worth a grade
            msg = f"the {what} could not be made ({type(exc).__name__}: {exc}); the grades are not affected"
            if logger is not None:
                logger.exception(msg)
            if log is not None:
                log(f"grade: {msg}")
            continue
        if logger is not None:
            logger.info("%s: %s, written in %.1f s", what, written[-1], time.perf_counter() - t0)
    if written and log is not None:
        log("reports: " + "  ".join(str(p) for p in written))
    return written

