"""Grade one submission: the task a local worker process or a Dask worker runs.

:func:`grade_submission` takes everything it needs in one picklable ``job`` dict (the
student's files as bytes, the trusted templates, the limits) and returns a plain dict, so
the same function runs in a process pool on this machine or on a Dask cluster. It never
touches the gradebook: only the coordinator (``autograder/engine/grade.py``) writes that.

Steps: check each notebook file (size, encoding, JSON, cell count); assemble it from the
template (``assemble.py``: tampering and deleted cells found here); run all of the
submission's notebooks in one sandbox (``sandbox.py``), with the helper files handed in
beside them; read what the sandbox wrote, with size limits; judge the hidden tests in this
process (``verdicts.py``); score; build the autograded notebook and the feedback HTML with
hidden tests removed.

A failure of the grader itself (the sandbox could not start the runner, a defect here, a
lost worker) is never scored: every cell it affects has the status ``grading failed``, the
result carries ``grading_failed`` (the reason) and, where there is one, ``sandbox_log``
(the sandbox's own output), and the coordinator exits non-zero. Every limit a notebook hit
(cell time, wall time, memory, processes, disk, output size) is a problem of the
submission, so it is in ``grading.log`` and ``grades.csv``, not only in the feedback.
"""

from __future__ import annotations

import json
import shutil
import signal
import tempfile
import time
import traceback
from pathlib import Path

from .. import course
from .sandbox import Limits, run, skip_unused_grammars

skip_unused_grammars()  # before .assemble imports nbgrader, and with it nbformat and jsonschema
from .assemble import Assembled, Template, assemble, notebook_json  # noqa: E402
from .feedback import attach_verdict, render_feedback  # noqa: E402

MAX_NOTEBOOK_BYTES = 50 * 1024 * 1024
MAX_CELLS = 1000
OUTPUT_TYPES = {"stream", "display_data", "execute_result", "error"}
#: cell status of a cell the grader failed to grade (never a score)
GRADING_FAILED = "grading failed"


class GradingFailed(RuntimeError):
    """The grader (not the student's code) failed: e.g. the sandbox could not start the runner."""


def too_big(size: int) -> str | None:
    """Why a notebook file of ``size`` bytes is not graded, or None."""
    if size > MAX_NOTEBOOK_BYTES:
        return f"is {size / 1e6:.0f} MB, more than the {MAX_NOTEBOOK_BYTES // 2**20} MiB limit"
    return None


def check_notebook(raw: bytes, max_cells: int = MAX_CELLS) -> tuple[dict | None, str | None]:
    """(notebook dict, None) if ``raw`` can be graded, else (None, why not, in one line).

    Accepts what the common editors write: any nbformat 4 minor version (4.0-4.5, with or
    without cell ids), a byte-order mark, CRLF line endings, and any notebook or cell
    metadata (VS Code's, Colab's, widget state, other kernels): only the cells are read.
    """
    if too_big(len(raw)):
        return None, too_big(len(raw))
    try:
        text = course.notebook_text(raw)
    except UnicodeDecodeError as exc:
        return None, f"is not UTF-8 text ({exc.reason} at byte {exc.start})"
    try:
        nb = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        return None, f"is not a notebook (invalid JSON: {str(exc)[:200]})"
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        if isinstance(nb, dict) and nb.get("nbformat") in (1, 2, 3) and isinstance(nb.get("worksheets"), list):
            return None, (f"is an old version-{nb['nbformat']} notebook: open it in JupyterLab or VS Code and "
                          "save it again (they write version 4)")
        return None, "is not a notebook (no list of cells)"
    if nb.get("nbformat") != 4:
        return None, f"is not a version-4 notebook (nbformat {str(nb.get('nbformat'))[:20]})"
    if len(nb["cells"]) > max_cells:
        return None, f"has {len(nb['cells'])} cells, more than the limit of {max_cells}"
    return course.normalise_line_endings(nb), None


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


def _read_cells(path: Path, max_bytes: int) -> tuple[dict[int, dict], bool, bool]:
    """Executed cells by index from the runner's file, whether it reached the end, and whether
    the output was truncated at the limit."""
    cells, done, truncated = {}, False, False
    if not path.is_file():
        return cells, done, truncated
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
            done, truncated = True, d.get("truncated") is True
        elif isinstance(d.get("index"), int):
            cells[d["index"]] = d
    return cells, done, truncated


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
        hint = {"SIGXCPU": f" (the CPU-time limit of {limits.cpu_time} s)",
                "SIGXFSZ": f" (the file-size limit of {limits.max_file_mb} MiB)",
                "SIGKILL": " (killed: memory or another limit)", "SIGSEGV": " (crashed)"}.get(name, "")
        return f"the notebook's process was ended by {name}{where}{hint}"
    if status.get("exit") not in (0, None):
        return f"the notebook's process exited with status {status['exit']}{where} (os._exit or a crash)"
    return None


def limit_hits(executed: dict[int, dict], truncated: bool, status: dict | None, limits: Limits) -> list[str]:
    """What in one notebook's run hit a grading limit or was interrupted, one line each."""
    hits = []
    for i in sorted(executed):
        cell = executed[i]
        if cell.get("interrupted"):
            hits.append(f"cell {i + 1} was interrupted after the cell time limit of {limits.cell_timeout:g} s")
            continue
        errors = [o for o in cell.get("outputs", []) if isinstance(o, dict) and o.get("output_type") == "error"]
        for o in errors[:1]:
            ename, evalue = str(o.get("ename", "")), str(o.get("evalue", ""))
            if ename == "MemoryError":
                hits.append(f"cell {i + 1} ran out of memory (the limit is {limits.memory_mb} MiB per process)")
            elif "No space left on device" in evalue or "Disk quota exceeded" in evalue:
                hits.append(f"cell {i + 1} filled the sandbox's disk (the limit is {limits.disk_mb} MiB)")
            elif "File too large" in evalue:
                hits.append(f"cell {i + 1} wrote a file over the limit of {limits.max_file_mb} MiB")
            elif "can't start new thread" in evalue or (ename == "BlockingIOError" and "Resource temporarily" in evalue):
                hits.append(f"cell {i + 1} hit the limit of {limits.max_procs} processes and threads")
    if truncated:
        hits.append(f"its output was cut at the limit of {limits.max_output} bytes")
    stray = status.get("stray_processes_killed") if isinstance(status, dict) else None
    if isinstance(stray, int) and stray > 0:
        hits.append(f"{stray} process(es) it left running were killed when it ended")
    return hits


def _first_error(outputs: list[dict]) -> str:
    for o in outputs:
        if o.get("output_type") == "error":
            first = (o.get("evalue") or "").strip().splitlines()
            return f"{o.get('ename')}: {first[0][:200] if first else ''}".strip()
    return "an error"


def problem(result: dict, name: str | None, text: str) -> None:
    """Report ``text`` for the submission, and for notebook ``name`` when given."""
    result["problems"].append(text)
    if name is not None:
        result["notebooks"].setdefault(name, {"cells": []}).setdefault("problems", []).append(text)


def failed_cells(tpl: Template, reason: str) -> list[dict]:
    """Cell results for a notebook the grader failed to grade: no score, the status says so."""
    return [{"grade_id": c.grade_id, "points": c.points, "score": 0.0, "status": GRADING_FAILED,
             "reason": reason} for c in tpl.grade_cells]


def grade_submission(job: dict) -> dict:
    """Grade one student's submission of one assignment and return the result (a plain dict).

    Never raises. The student's faults become problems and scores; a failure of the grader
    itself (:class:`GradingFailed`, or any exception here) marks every notebook not yet
    scored ``grading failed`` and sets ``result["grading_failed"]`` to the reason.
    """
    t0 = time.perf_counter()
    result = {"student": job["student"], "assignment": job["assignment"], "problems": [], "flags": [],
              "notebooks": {}, "seconds": 0.0, "sandboxed": job.get("sandboxed", True)}
    try:
        _grade(job, result)
    except Exception as exc:  # a failure of the grader itself: still a row, with the reason, never a 0
        why = str(exc) if isinstance(exc, GradingFailed) else f"{type(exc).__name__}: {exc}"
        result["grading_failed"] = why
        result["problems"].append(f"grading failed, not scored: {why}")
        if not isinstance(exc, GradingFailed):
            result["traceback"] = traceback.format_exc()
        for name, tdict in job["templates"].items():
            entry = result["notebooks"].setdefault(name, {"cells": []})
            if not entry.get("scored"):  # the failure came before this notebook was scored
                entry["cells"] = failed_cells(Template.from_dict(tdict), f"grading failed: {why}")
                entry["status"] = GRADING_FAILED
    result["seconds"] = time.perf_counter() - t0
    return result


def _write_helpers(work: Path, helpers: dict[str, bytes]) -> None:
    for rel, data in sorted(helpers.items()):
        target = (work / rel).resolve()
        if Path(rel).is_absolute() or ".." in Path(rel).parts or not target.is_relative_to(work.resolve()):
            continue  # the coordinator never sends such a path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def _grade(job: dict, result: dict) -> None:
    limits = Limits(**job.get("limits", {}))
    templates = {name: Template.from_dict(t) for name, t in job["templates"].items()}
    files: dict[str, bytes | str | None] = job["files"]
    assembled: dict[str, Assembled] = {}
    for name, tpl in templates.items():
        raw = files.get(name)
        entry = {"cells": [], "submitted": raw is not None, "status": "submitted" if raw is not None else "not submitted",
                 "problems": []}
        result["notebooks"][name] = entry
        for note in job.get("notes", {}).get(name, []):  # where the coordinator found this notebook
            problem(result, name, f"{name}: {note}")
        why = None
        if raw is None:
            why = "was not submitted"
        elif isinstance(raw, str):  # the coordinator could not read it; the reason travels as text
            why = raw
        else:
            nb, why = check_notebook(raw, job.get("max_cells", MAX_CELLS))
        if why:
            problem(result, name, f"{name} {why}; scored 0")
            entry["cells"] = [{"grade_id": c.grade_id, "points": c.points, "score": 0.0, "status": "not graded",
                               "reason": f"notebook {why}"} for c in tpl.grade_cells]
            entry["scored"] = True
            continue
        a = assemble(tpl, nb)
        assembled[name] = a
        for msg in a.issues + list(a.zeroed.values()):
            problem(result, name, f"{name}: {msg}")
        result["flags"] += [f"{name}: {msg}" for msg in a.flags]
    for extra in sorted(set(files) - set(templates)):
        problem(result, None, f"{extra} is not part of this assignment; ignored")
    if not assembled:
        return

    workdir = Path(tempfile.mkdtemp(prefix=f"grade-{job['student'][:20]}-", dir=job.get("scratch")))
    try:
        (workdir / "work").mkdir()
        _write_helpers(workdir / "work", job.get("helpers") or {})
        for name, a in assembled.items():
            (workdir / "work" / name).write_text(notebook_json(a.cells, templates[name].nb_metadata), encoding="utf-8")
        began = time.time()  # wall clock, as the status files' times below
        run_result = run(workdir, list(assembled), limits, sandboxed=job.get("sandboxed", True))
        result["sandbox_seconds"] = run_result.seconds
        _notebook_seconds(result, workdir / ".grader", list(assembled), began)
        if not run_result.started or run_result.returncode not in (0, None) and not run_result.timed_out:
            result["sandbox_log"] = run_result.log[-20_000:]
        if not run_result.started:
            if run_result.timed_out:
                raise GradingFailed(f"the grader's runner did not start within the wall-time limit of "
                                    f"{limits.wall_time:g} s")
            first = next((ln.strip() for ln in reversed(run_result.log.splitlines()) if ln.strip()), "")
            raise GradingFailed("the sandbox could not start the grader's runner (exit status "
                                f"{run_result.returncode}{': ' + first[:300] if first else ''}); "
                                "the sandbox's output is in grading.log")
        if run_result.timed_out:
            problem(result, None, f"stopped after the wall-time limit of {limits.wall_time:g} s")
        for name, a in assembled.items():
            _score_notebook(name, templates[name], a, workdir / ".grader", run_result, limits, result,
                            feedback=job.get("feedback", True))
            result["notebooks"][name]["scored"] = True
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _notebook_seconds(result: dict, gdir: Path, names: list[str], began: float) -> None:
    """Each notebook's seconds in the sandbox (the class report's timings), from the time the
    runner wrote its status file as the notebook ended; the first also carries the sandbox's
    start. A notebook that never ended gets none."""
    last = began
    for name in names:
        status = gdir / f"{name[:-len('.ipynb')] if name.endswith('.ipynb') else name}.status.json"
        try:
            st = status.stat()
        except OSError:
            continue
        if st.st_size > 0 and st.st_mtime >= last:
            result["notebooks"][name]["seconds"] = round(st.st_mtime - last, 3)
            last = st.st_mtime


def _score_notebook(name, tpl: Template, a: Assembled, gdir: Path, run_result, limits: Limits, result: dict,
                    feedback: bool = True) -> None:
    from course_utils.grading.records import read_records

    from .verdicts import judge

    stem = name[:-len(".ipynb")] if name.endswith(".ipynb") else name
    executed, done, truncated = _read_cells(gdir / f"{stem}.cells.jsonl", 4 * limits.max_output + 10_000_000)
    try:
        status = json.loads((gdir / f"{stem}.status.json").read_text(encoding="utf-8")[:10_000])
        status = status if isinstance(status, dict) else None
    except (OSError, ValueError):
        status = None
    stopped = None if done else (_status_text(status, run_result, limits)
                                 or "the notebook did not run to the end")
    if stopped:
        problem(result, name, f"{name}: {stopped}")
    for hit in limit_hits(executed, truncated, status, limits):
        problem(result, name, f"{name}: {hit}")
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
    if not feedback:  # the grader's self-test: nobody reads it
        return
    try:
        entry["feedback_html"] = render_feedback(nb_json, stem, total, max_total)
    except Exception as exc:
        problem(result, name, f"{name}: feedback could not be rendered ({type(exc).__name__}: {exc})")
