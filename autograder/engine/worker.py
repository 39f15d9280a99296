"""Grade one submission: the task a local worker process or a Dask worker runs.

:func:`grade_submission` takes everything it needs in one picklable ``job`` dict (the
student's files as bytes, the trusted templates, the limits) and returns a plain dict, so
the same function runs in a process pool on this machine or on a Dask cluster. It never
touches the gradebook: only the coordinator (``autograder/engine/grade.py``) writes that.

Steps: check each notebook file (size, UTF-8, JSON, cell count); assemble it from the
template (``assemble.py``: tampering and deleted cells found here); run all of the
submission's notebooks in one sandbox (``sandbox.py``); read what the sandbox wrote, with
size limits; judge the hidden tests in this process (``verdicts.py``); score; build the
autograded notebook and the feedback HTML with hidden tests removed.
"""

from __future__ import annotations

import json
import shutil
import signal
import tempfile
import time
import traceback
from pathlib import Path

import nbformat

from .. import course
from .assemble import Assembled, Template, assemble, notebook_json
from .feedback import attach_verdict, render_feedback
from .sandbox import Limits, run

MAX_NOTEBOOK_BYTES = 50 * 1024 * 1024
MAX_CELLS = 1000
OUTPUT_TYPES = {"stream", "display_data", "execute_result", "error"}


def too_big(size: int) -> str | None:
    """Why a notebook file of ``size`` bytes is not graded, or None."""
    if size > MAX_NOTEBOOK_BYTES:
        return f"is {size / 1e6:.0f} MB, more than the {MAX_NOTEBOOK_BYTES // 2**20} MiB limit"
    return None


def check_notebook(raw: bytes, max_cells: int = MAX_CELLS) -> tuple[dict | None, str | None]:
    """(notebook dict, None) if ``raw`` can be graded, else (None, why not)."""
    if too_big(len(raw)):
        return None, too_big(len(raw))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, f"is not UTF-8 text ({exc.reason} at byte {exc.start})"
    try:
        nb = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        return None, f"is not a notebook (invalid JSON: {str(exc)[:200]})"
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        return None, "is not a notebook (no list of cells)"
    if nb.get("nbformat") != 4:
        return None, f"is not a version-4 notebook (nbformat {str(nb.get('nbformat'))[:20]})"
    if len(nb["cells"]) > max_cells:
        return None, f"has {len(nb['cells'])} cells, more than the limit of {max_cells}"
    return nb, None


def _clean_outputs(outputs) -> list[dict]:
    """Keep only well-formed nbformat outputs from the (untrusted) runner."""
    clean = []
    if not isinstance(outputs, list):
        return clean
    for o in outputs[:500]:
        if not isinstance(o, dict) or o.get("output_type") not in OUTPUT_TYPES:
            continue
        t = o["output_type"]
        if t == "stream" and o.get("name") in ("stdout", "stderr") and isinstance(o.get("text"), str):
            clean.append({"output_type": t, "name": o["name"], "text": o["text"]})
        elif t in ("display_data", "execute_result") and isinstance(o.get("data"), dict):
            data = {str(k): v for k, v in o["data"].items() if isinstance(v, (str, list, dict))}
            out = {"output_type": t, "data": data, "metadata": o.get("metadata") if isinstance(o.get("metadata"), dict) else {}}
            if t == "execute_result":
                out["execution_count"] = o.get("execution_count") if isinstance(o.get("execution_count"), int) else None
            clean.append(out)
        elif t == "error":
            tb = o.get("traceback")
            clean.append({"output_type": t, "ename": str(o.get("ename", ""))[:200], "evalue": str(o.get("evalue", ""))[:5000],
                          "traceback": [str(x) for x in tb[:200]] if isinstance(tb, list) else []})
    return clean


def _read_cells(path: Path, max_bytes: int) -> tuple[dict[int, dict], bool]:
    """Executed cells by index from the runner's file, and whether it reached the end."""
    cells, done = {}, False
    if not path.is_file():
        return cells, done
    with path.open("rb") as f:
        raw = f.read(max_bytes)
    for line in raw.split(b"\n"):
        try:
            d = json.loads(line.decode("utf-8"))
        except Exception:
            continue
        if not isinstance(d, dict):
            continue
        if d.get("done") is True:
            done = True
        elif isinstance(d.get("index"), int):
            cells[d["index"]] = d
    return cells, done


def _status_text(status: dict | None, run_result, limits: Limits) -> str | None:
    """Why a notebook stopped early, in words; None if it ran to the end."""
    if run_result is not None and run_result.timed_out:
        return f"the submission ran past its wall-time limit of {limits.wall_time:g} s and was stopped"
    if status is None:
        return "the sandbox ended before this notebook ran to the end"
    where = f" at cell {int(status['last_started']) + 1}" if str(status.get("last_started", "")).isdigit() else ""
    if status.get("killed"):
        return f"the notebook was stopped: {status['killed']}"
    if status.get("signal"):
        try:
            name = signal.Signals(int(status["signal"])).name
        except (ValueError, TypeError):
            name = str(status["signal"])
        hint = {"SIGXCPU": " (CPU-time limit)", "SIGKILL": " (killed: memory or another limit)",
                "SIGSEGV": " (crashed)"}.get(name, "")
        return f"the notebook's process was ended by {name}{where}{hint}"
    if status.get("exit") not in (0, None):
        return f"the notebook's process exited with status {status['exit']}{where} (os._exit or a crash)"
    return None


def _first_error(outputs: list[dict]) -> str:
    for o in outputs:
        if o.get("output_type") == "error":
            first = (o.get("evalue") or "").strip().splitlines()
            return f"{o.get('ename')}: {first[0][:200] if first else ''}".strip()
    return "an error"


def grade_submission(job: dict) -> dict:
    """Grade one student's submission of one assignment. Never raises: failures become problems."""
    t0 = time.perf_counter()
    result = {"student": job["student"], "assignment": job["assignment"], "problems": [], "flags": [],
              "notebooks": {}, "seconds": 0.0, "sandboxed": job.get("sandboxed", True)}
    try:
        _grade(job, result)
    except Exception as exc:  # a defect of the grader itself: still a row, with the reason
        result["problems"].append(f"grading failed ({type(exc).__name__}: {exc}); scored 0")
        result["traceback"] = traceback.format_exc()
        for name, tdict in job["templates"].items():
            entry = result["notebooks"].setdefault(name, {"cells": []})
            if not entry["cells"]:  # the failure came before this notebook was scored
                entry["cells"] = [{"grade_id": c.grade_id, "points": c.points, "score": 0.0, "status": "not graded",
                                   "reason": "grading failed"} for c in Template.from_dict(tdict).grade_cells]
    result["seconds"] = time.perf_counter() - t0
    return result


def _grade(job: dict, result: dict) -> None:
    limits = Limits(**job.get("limits", {}))
    templates = {name: Template.from_dict(t) for name, t in job["templates"].items()}
    files: dict[str, bytes | str | None] = job["files"]
    assembled: dict[str, Assembled] = {}
    for name, tpl in templates.items():
        entry = {"cells": []}
        result["notebooks"][name] = entry
        raw = files.get(name)
        why = None
        if raw is None:
            why = "was not submitted"
        elif isinstance(raw, str):  # the coordinator could not read it; the reason travels as text
            why = raw
        else:
            nb, why = check_notebook(raw, job.get("max_cells", MAX_CELLS))
        if why:
            result["problems"].append(f"{name} {why}; scored 0")
            entry["cells"] = [{"grade_id": c.grade_id, "points": c.points, "score": 0.0, "status": "not graded",
                               "reason": f"notebook {why}"} for c in tpl.grade_cells]
            continue
        a = assemble(tpl, nb)
        assembled[name] = a
        result["problems"] += [f"{name}: {msg}" for msg in a.issues + list(a.zeroed.values())]
        result["flags"] += [f"{name}: {msg}" for msg in a.flags]
    for extra in sorted(set(files) - set(templates)):
        result["problems"].append(f"{extra} is not part of this assignment; ignored")
    if not assembled:
        return

    workdir = Path(tempfile.mkdtemp(prefix=f"grade-{job['student'][:20]}-", dir=job.get("scratch")))
    try:
        (workdir / "work").mkdir()
        for name, a in assembled.items():
            (workdir / "work" / name).write_text(notebook_json(a.cells, templates[name].nb_metadata), encoding="utf-8")
        run_result = run(workdir, list(assembled), limits, sandboxed=job.get("sandboxed", True))
        result["sandbox_seconds"] = run_result.seconds
        if run_result.timed_out:
            result["problems"].append(f"stopped after the wall-time limit of {limits.wall_time:g} s")
        for name, a in assembled.items():
            _score_notebook(name, templates[name], a, workdir / ".grader", run_result, limits, result)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _score_notebook(name, tpl: Template, a: Assembled, gdir: Path, run_result, limits: Limits, result: dict) -> None:
    from course_utils.grading.records import read_records

    from .verdicts import judge

    stem = name[:-len(".ipynb")] if name.endswith(".ipynb") else name
    executed, done = _read_cells(gdir / f"{stem}.cells.jsonl", 4 * limits.max_output + 10_000_000)
    try:
        status = json.loads((gdir / f"{stem}.status.json").read_text(encoding="utf-8")[:10_000])
        status = status if isinstance(status, dict) else None
    except (OSError, ValueError):
        status = None
    stopped = None if done else (_status_text(status, run_result, limits)
                                 or "the notebook did not run to the end")
    if stopped:
        result["problems"].append(f"{name}: {stopped}")
    records, notes = read_records(gdir / f"{stem}.records.jsonl", 64 * 1024 * 1024)
    for flag_events in records.values():
        for e in flag_events:
            if e.get("event") == "flag":
                result["flags"].append(f"{name}: test {str(e.get('test'))[:60]}: {str(e.get('reason'))[:200]}")
    verdicts, errors = judge(tpl, records)
    result.setdefault("replay_errors", []).extend(f"{name}: {e}" for e in errors)

    index_of = {}
    for i, cell in enumerate(a.cells):
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid:
            index_of.setdefault(gid, i)
    cells_out = []
    total = max_total = 0.0
    for i, cell in enumerate(a.cells):
        if cell["cell_type"] == "code" and i in executed:
            cell["outputs"] = _clean_outputs(executed[i].get("outputs"))
            ec = executed[i].get("execution_count")
            cell["execution_count"] = ec if isinstance(ec, int) else None
    for tc in tpl.grade_cells:
        gid, points = tc.grade_id, tc.points
        i = index_of.get(gid)
        ran = executed.get(i) if i is not None else None
        v = verdicts.get(gid)
        if gid in a.zeroed:
            score, status, reason = 0.0, "tampered", a.zeroed[gid]
        elif ran is None:
            score, status, reason = 0.0, "not run", stopped or "this cell did not run"
        elif v is not None and not v.passed and v.recorded > 0:
            score, status, reason = 0.0, "failed", "hidden tests failed: " + v.failures[0].splitlines()[0][:300]
        elif ran.get("error"):
            score, status, reason = 0.0, "failed", "the cell raised " + _first_error(a.cells[i]["outputs"])
        elif v is None:
            score, status, reason = 0.0, "failed", "no hidden tests could be judged for this cell"
        elif v.passed:
            score, status, reason = points, "passed", ""
        elif v.recorded == 0 and v.count > 0:
            score, status, reason = 0.0, "failed", ("the cell ran but its hidden tests recorded nothing: "
                                                    "code in the notebook kept the tests from running")
        else:
            score, status, reason = 0.0, "failed", "hidden tests failed: " + v.failures[0].splitlines()[0][:300]
        if i is not None and v is not None and gid not in a.zeroed:
            attach_verdict(a.cells[i], v)
        if i is not None:
            a.cells[i]["metadata"]["nbgrader"]["score"] = score
            a.cells[i]["metadata"]["nbgrader"]["points"] = points
        total += score
        max_total += points
        cells_out.append({"grade_id": gid, "points": points, "score": score, "status": status, "reason": reason})
    nb_json = notebook_json(a.cells, tpl.nb_metadata)
    entry = result["notebooks"][name]
    entry["cells"] = cells_out
    entry["autograded"] = nb_json
    try:
        entry["feedback_html"] = render_feedback(nb_json, stem, total, max_total)
    except Exception as exc:
        result["problems"].append(f"{name}: feedback could not be rendered ({type(exc).__name__}: {exc})")
