"""The executor that runs *inside* a grading sandbox: untrusted from the first student cell on.

``python -m autograder.engine.runner --outdir DIR [options] NB.ipynb ...`` runs each notebook's
code cells in order in a fresh IPython shell, in a child process forked from this one
(IPython, numpy and matplotlib are imported once, before the fork, so each notebook
starts in about the time of a fork instead of a kernel start). For each notebook it
writes, into ``DIR``:

- ``<stem>.cells.jsonl``   one line per executed cell: its outputs (nbformat dicts),
  whether it raised, its execution count; written as each cell ends, so a notebook
  that is killed half-way keeps the cells that ran;
- ``<stem>.records.jsonl`` what the hidden tests recorded (``course_utils.grading``,
  record mode);
- ``<stem>.status.json``   how the notebook's process ended.

Before any student file exists in the sandbox, the runner prints :data:`READY` on its
standard output (after its own imports). The grader reads that output through a pipe, so
nothing a notebook does later can remove the line: a run without it is the grader's own
failure (the sandbox or the environment could not start the runner), never a student's.
Only then are the submission's files (the notebooks and any helper files beside them)
copied into the working folder, so a student's ``numpy.py`` cannot shadow the runner's
imports.

Nothing here is trusted by the grader: student code runs in this process's children and
can overwrite these files. The grader reads them with size limits, rebuilds every cell
source from its own copy, and judges hidden tests in its own process
(``autograder/engine/verdicts.py``). A forged file can only describe outputs; it cannot make
wrong outputs pass.

Limits: each cell gets ``--cell-timeout`` seconds, then SIGALRM raises ``TimeoutError``
in it (nbgrader interrupts a kernel the same way); a cell that ignores that for
``--grace`` more seconds has its notebook's process killed. After each notebook every
other process in the sandbox is killed, so nothing a notebook started outlives it.
"""

from __future__ import annotations

import argparse
import json
import os
import select
import signal
import sys
import time
from pathlib import Path

#: printed by the runner once it can run notebooks, before any student file is in the sandbox
READY = "autograder-runner: ready"

TRUNCATED = "\n[output truncated by the grader: this notebook printed more than {limit} bytes]\n"


class Outputs:
    """The outputs of the running cell, with a byte budget for the whole notebook."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self.cell: list[dict] = []
        self.truncated = False

    def _fits(self, size: int) -> bool:
        if self.truncated:
            return False
        if self.used + size > self.limit:
            self.truncated = True
            self.cell.append({"output_type": "stream", "name": "stderr",
                              "text": TRUNCATED.format(limit=self.limit)})
            return False
        self.used += size
        return True

    def stream(self, name: str, text: str) -> None:
        if not text:
            return
        room = self.limit - self.used
        if len(text) > room and not self.truncated:
            if room > 0:  # keep what fits, then the notice
                self.stream(name, text[:room])
            self._fits(self.limit + 1)
            return
        if not self._fits(len(text)):
            return
        last = self.cell[-1] if self.cell else None
        if last and last["output_type"] == "stream" and last["name"] == name:
            last["text"] += text
        else:
            self.cell.append({"output_type": "stream", "name": name, "text": text})

    def rich(self, output: dict) -> None:
        try:
            size = len(json.dumps(output, default=str))
        except Exception:
            return
        if self._fits(size):
            self.cell.append(output)

    def clear(self) -> None:
        self.cell = []


class CapturedStream:
    """Stands in for sys.stdout / sys.stderr while a cell runs."""

    encoding = "utf-8"
    errors = "replace"

    def __init__(self, outputs: Outputs, name: str) -> None:
        self._outputs, self.name = outputs, name

    def write(self, text) -> int:
        if not isinstance(text, str):
            text = str(text)
        self._outputs.stream(self.name, text)
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def writable(self) -> bool:
        return True


def _jsonable(value):
    """Display data as nbformat wants it: str values (bytes become base64 upstream)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, bytes):
        import base64

        return base64.b64encode(value).decode("ascii")
    return str(value)


def make_shell(outputs: Outputs):
    """A fresh IPython shell whose displays, results and tracebacks go to ``outputs``."""
    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets import Type
    from traitlets.config import Config

    class Publisher(DisplayPublisher):
        def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs):
            outputs.rich({"output_type": "display_data", "data": _jsonable(data),
                          "metadata": _jsonable(metadata or {})})

        def clear_output(self, wait=False):
            outputs.clear()

    class Hook(DisplayHook):
        def start_displayhook(self):
            pass

        def write_output_prompt(self):
            pass

        def write_format_data(self, format_dict, md_dict=None):
            outputs.rich({"output_type": "execute_result", "data": _jsonable(format_dict),
                          "metadata": _jsonable(md_dict or {}),
                          # IPython has already counted this cell when the hook runs
                          "execution_count": self.shell.execution_count - 1})

        def finish_displayhook(self):
            pass

    class Shell(InteractiveShell):
        displayhook_class = Type(Hook)
        display_pub_class = Type(Publisher)

        def enable_gui(self, gui=None):  # "%matplotlib inline" needs no event loop
            pass

        def _showtraceback(self, etype, evalue, stb):
            outputs.rich({"output_type": "error", "ename": getattr(etype, "__name__", str(etype)),
                          "evalue": str(evalue)[:5000], "traceback": [str(s) for s in stb][:200]})

    c = Config()
    c.HistoryManager.hist_file = ":memory:"
    c.InteractiveShell.colors = "nocolor"
    c.InteractiveShell.autocall = 0
    return Shell.instance(config=c)


def _no_input(*args, **kwargs):
    raise RuntimeError("input() is not available while the notebook is graded")


def run_notebook(path: Path, outdir: Path, cell_timeout: float, max_output: int, beat: int) -> None:
    """Child process: run every code cell of ``path``, writing results as it goes."""
    import builtins

    stem = path.stem
    os.environ["COURSE_GRADING_RECORD"] = str(outdir / f"{stem}.records.jsonl")
    nb = json.loads(path.read_text(encoding="utf-8"))
    outputs = Outputs(max_output)
    shell = make_shell(outputs)
    builtins.input = _no_input
    cells_file = (outdir / f"{stem}.cells.jsonl").open("a", encoding="utf-8")
    real_out, real_err = sys.stdout, sys.stderr

    interrupted = []

    def on_alarm(signum, frame):
        interrupted.append(True)
        raise TimeoutError(f"this cell ran for more than {cell_timeout:g} s and was interrupted by the grader")

    for index, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        outputs.clear()
        interrupted.clear()
        count = shell.execution_count
        os.write(beat, f"start {index}\n".encode())
        signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, cell_timeout)
        sys.stdout, sys.stderr = CapturedStream(outputs, "stdout"), CapturedStream(outputs, "stderr")
        try:
            result = shell.run_cell(source, store_history=True)
            error = not result.success
        except BaseException as exc:  # a TimeoutError raised outside the cell's own code
            error = True
            outputs.rich({"output_type": "error", "ename": type(exc).__name__, "evalue": str(exc), "traceback": []})
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            sys.stdout, sys.stderr = real_out, real_err
            # nobody debugs here: do not let a failed cell's traceback keep its memory alive
            sys.last_type = sys.last_value = sys.last_traceback = None
        line = json.dumps({"index": index, "outputs": outputs.cell, "error": bool(error),
                           "execution_count": count, "interrupted": bool(interrupted)}, default=str)
        cells_file.write(line + "\n")
        cells_file.flush()
        os.write(beat, f"end {index}\n".encode())
    cells_file.write(json.dumps({"done": True, "truncated": outputs.truncated}) + "\n")
    cells_file.close()


def _kill_others() -> int:
    """Kill every process of this sandbox except this one and the sandbox's init; return count."""
    me, killed = os.getpid(), 0
    for _ in range(5):
        pids = [int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) not in (me, 1)]
        if not pids:
            break
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except (ProcessLookupError, PermissionError):
                pass
        time.sleep(0.05)
    return killed


def supervise(path: Path, outdir: Path, cell_timeout: float, grace: float, max_output: int, in_sandbox: bool) -> dict:
    """Fork a child for one notebook, watch its heartbeat, and report how it ended."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: student code runs here
        os.close(read_end)
        code = 0
        try:
            run_notebook(path, outdir, cell_timeout, max_output, write_end)
        except BaseException:
            code = 70
        finally:
            os._exit(code)
    os.close(write_end)
    status = {"notebook": path.name, "killed": None, "last_started": None}
    current, started_at, buffer, raw = None, None, b"", None
    # The heartbeat pipe may stay open after the child ends (processes it forked inherit
    # it), so the child's end is watched with waitpid, not with end-of-file.
    while raw is None:
        wait = 0.5 if current is None else min(0.5, max(0.0, started_at + cell_timeout + grace - time.monotonic()))
        ready, _, _ = select.select([read_end], [], [], wait)
        if ready:
            chunk = os.read(read_end, 4096)
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                kind, _, idx = line.decode(errors="replace").partition(" ")
                if kind == "start":
                    current, started_at = idx, time.monotonic()
                    status["last_started"] = idx
                elif kind == "end":
                    current = None
            if not chunk:  # every writer closed the pipe
                _, raw = os.waitpid(pid, 0)
                break
        done, raw_status = os.waitpid(pid, os.WNOHANG)
        if done:
            raw = raw_status
            break
        if current is not None and time.monotonic() > started_at + cell_timeout + grace:
            os.kill(pid, signal.SIGKILL)  # the cell outlived its timeout and the interrupt
            status["killed"] = f"cell {int(current) + 1} ran past {cell_timeout:g} s and ignored the interrupt"
            _, raw = os.waitpid(pid, 0)
            break
    os.close(read_end)
    if os.WIFSIGNALED(raw):
        status["signal"] = os.WTERMSIG(raw)
    else:
        status["exit"] = os.WEXITSTATUS(raw)
    if in_sandbox:
        status["stray_processes_killed"] = _kill_others()
    return status


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m autograder.engine.runner")
    p.add_argument("--outdir", type=Path, required=True)
    p.add_argument("--cell-timeout", type=float, default=120.0)
    p.add_argument("--grace", type=float, default=5.0)
    p.add_argument("--max-output", type=int, default=2_000_000, help="bytes of output kept per notebook")
    p.add_argument("--in-sandbox", action="store_true", help="kill every other process after each notebook")
    p.add_argument("--stage", type=Path, default=None, help="copy this folder (notebooks and helper files) into the notebooks' folder, after the imports")
    p.add_argument("--mpl-cache", type=Path, default=None, help="copy this matplotlib cache into $MPLCONFIGDIR first")
    p.add_argument("notebooks", nargs="+", type=Path)
    args = p.parse_args(argv)
    import shutil

    if args.mpl_cache and os.environ.get("MPLCONFIGDIR"):
        shutil.copytree(args.mpl_cache, os.environ["MPLCONFIGDIR"], dirs_exist_ok=True)
    # warm imports once, before the forks, and before any student file is here
    import numpy  # noqa: F401
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401
    import matplotlib_inline.backend_inline  # noqa: F401
    import IPython.core.interactiveshell  # noqa: F401
    import course_utils  # noqa: F401

    print(READY, flush=True)
    if args.stage:  # the notebooks and the helper files handed in beside them
        work = args.notebooks[0].parent
        for entry in sorted(args.stage.iterdir()):
            if entry.is_dir():
                shutil.copytree(entry, work / entry.name, dirs_exist_ok=True)
            else:
                shutil.copyfile(entry, work / entry.name)
    args.outdir.mkdir(parents=True, exist_ok=True)
    for nb in args.notebooks:
        status = supervise(nb, args.outdir, args.cell_timeout, args.grace, args.max_output, args.in_sandbox)
        (args.outdir / f"{nb.stem}.status.json").write_text(json.dumps(status), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
