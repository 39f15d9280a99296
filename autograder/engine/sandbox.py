"""Run one submission's notebooks in a bubblewrap sandbox with limits.

The sandbox (``bwrap``, https://github.com/containers/bubblewrap) sees:

- the system (``/usr``, ``/etc``, ...), the Python installation and the kit's virtual
  environment, ``course_utils/``, ``autograder/`` and ``data/``: all **read-only**;
- one fresh folder of its own (``/home/student``) holding a copy of this submission;
- a private ``/tmp``, a private ``/proc`` and PID namespace, and **no network** (only its
  own loopback).

It does not see the source notebooks, the release (which has the hidden tests), the
gradebook, the results folder or any other student's files: none of them is mounted.

Limits, all in :class:`Limits` and on the ``grade`` command line: wall time for the whole
submission (the sandbox is killed), CPU seconds and address space per process, processes
(and threads) at once, the largest file it may write, output kept per notebook, and the
time each cell may run. When grading ends, normally or not, the PID namespace ends and
with it every process the submission started, detached or not.

Run as root (as in CI), the sandbox drops to an unprivileged user id of its own
(61000 + a slot number held with a lock file), so the process limit counts only that
sandbox's processes and setuid programs cannot regain privileges (``no_new_privs``).
Run as an ordinary user, bubblewrap uses a user namespace; the process limit then counts
the user's other processes too and is raised by that number.
"""

from __future__ import annotations

import fcntl
import os
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from .. import course
from .runner import READY

UID_BASE = 61000
SLOTS = 512
SLOT_DIR = Path(os.environ.get("COURSE_SANDBOX_SLOTS", "/tmp/dl-course-kit-sandbox-slots"))


@dataclass(frozen=True)
class Limits:
    """Per-submission limits; every field is a ``grade`` option of the same name."""

    wall_time: float = 1800.0      # seconds for all notebooks of one submission
    cell_timeout: float = float(course.CELL_TIMEOUT)  # seconds per cell before it is interrupted
    cpu_time: int = 1800           # CPU seconds per process
    memory_mb: int = 4096          # address space per process, MiB
    max_procs: int = 64            # processes and threads at once
    max_file_mb: int = 256         # largest file the sandbox may write, MiB
    max_output: int = 2_000_000    # bytes of output kept per notebook
    disk_mb: int = 512             # size of the sandbox's home and of its /tmp (RAM-backed), MiB each

    def as_dict(self) -> dict:
        return asdict(self)


def skip_unused_grammars() -> None:
    """Keep ``jsonschema`` from building grammars the grader never uses, in this process.

    nbformat imports jsonschema, which, when the optional ``rfc3987_syntax`` is installed (it
    is, for jupyter_events), builds 38 parser grammars at import time for its "iri" format
    check: about 1.3 s of CPU in every process that imports nbformat (the coordinator and
    each worker), for a check nbformat's schema never makes. Marking that module missing
    before jsonschema is imported makes jsonschema skip that one check. Does nothing once
    jsonschema is imported. Never raises.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)


class SandboxUnavailable(RuntimeError):
    """bubblewrap is missing or does not work on this machine."""


_PROBE: tuple[bool, str] | None = None


def available() -> tuple[bool, str]:
    """(True, "") if bubblewrap can build a sandbox here, else (False, why)."""
    global _PROBE
    if _PROBE is None:
        bwrap = shutil.which("bwrap")
        if not bwrap:
            _PROBE = (False, "bubblewrap (bwrap) is not installed; install it with `apt-get install bubblewrap`")
        elif os.geteuid() == 0 and not shutil.which("setpriv"):
            _PROBE = (False, "setpriv is missing (needed to drop root inside the sandbox); "
                             "install it with `apt-get install util-linux`")
        else:
            try:
                r = subprocess.run([bwrap, "--ro-bind", "/", "/", "--unshare-pid", "--unshare-net", "--proc", "/proc",
                                    "--dev", "/dev", "true"], capture_output=True, text=True, timeout=30)
                _PROBE = (r.returncode == 0, r.stderr.strip() or f"bwrap exited with {r.returncode}")
                if r.returncode == 0:
                    _PROBE = (True, "")
            except (OSError, subprocess.TimeoutExpired) as exc:
                _PROBE = (False, f"bwrap failed: {exc}")
    return _PROBE


@contextmanager
def uid_slot():
    """An unprivileged uid no other sandbox on this machine is using (root only)."""
    SLOT_DIR.mkdir(parents=True, exist_ok=True)
    for n in range(SLOTS):
        f = open(SLOT_DIR / f"slot-{n}.lock", "w")
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.close()
            continue
        try:
            yield UID_BASE + n
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)
            f.close()
        return
    raise RuntimeError(f"all {SLOTS} sandbox slots are busy")


def import_paths() -> tuple[list[Path], list[str]]:
    """(folders to mount, PYTHONPATH entries): where this interpreter imports from, so that the
    sandbox's interpreter finds the same packages wherever the environment lives (a venv
    elsewhere, a symlinked one, packages in the user's site-packages or on PYTHONPATH).

    A folder that contains the kit's repository, its source notebooks, its build folder or the
    current folder is never mounted whole (that would show hidden tests and grades to the
    sandbox); the kit's own packages are mounted on their own. The entries that only
    ``$PYTHONPATH`` or the user's site-packages put on ``sys.path`` are passed on as PYTHONPATH
    (the sandbox has another home and disables the user site).
    """
    import site

    private = [course.REPO, course.SOURCE, course.BUILD, Path.cwd()]
    env = {e for e in os.environ.get("PYTHONPATH", "").split(os.pathsep) if e}
    user_site = site.getusersitepackages() if site.ENABLE_USER_SITE else None
    mounts: list[Path] = []
    pythonpath: list[str] = []
    for entry in sys.path:
        if not entry or not Path(entry).is_dir():
            continue  # the current folder (""), or a zip file inside a mounted prefix
        path = Path(entry).absolute()
        real = path.resolve()
        if any(p.resolve() == real or p.resolve().is_relative_to(real) for p in private):
            continue
        mounts += [path] if path == real else [path, real]
        if entry in env or entry == user_site:
            pythonpath.append(str(path))
    return mounts, pythonpath


def _ro_paths() -> list[Path]:
    """What the sandbox may read: system, Python, venv, the kit's packages and data, and every
    other folder this interpreter imports from (:func:`import_paths`)."""
    import course_utils
    from course_utils.data import DATA_DIR

    paths = [Path(p) for p in ("/usr", "/etc", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/opt")]
    paths += [Path(sys.base_prefix), Path(sys.prefix), Path(sys.executable).resolve().parent.parent]
    paths += [Path(course_utils.__file__).resolve().parent, course.PACKAGE_DIR, Path(DATA_DIR).resolve()]
    paths += import_paths()[0]
    out: list[Path] = []
    for p in paths:
        if p.exists() and p not in out and not any(p.is_relative_to(q) for q in out if not q.is_symlink()):
            out.append(p)
    return out


def _bind_args(ro: list[Path], rw: list[Path] = ()) -> list[str]:
    # bwrap copies the host's mode for the folders it creates above a mount point, and
    # /root is 0700: make every such folder traversable for the sandbox's user
    args, made = [], set()
    for p in [*ro, *rw]:
        for parent in reversed(p.parents[:-1]):
            if parent not in made and not any(parent == q or parent.is_relative_to(q) for q in ro):
                args += ["--perms", "0755", "--dir", str(parent)]
                made.add(parent)
    for p in ro:
        if p.is_symlink() and len(p.parts) == 2:  # /lib -> usr/lib on merged-/usr systems
            args += ["--symlink", os.readlink(p), str(p)]
        else:
            args += ["--ro-bind", str(p), str(p)]
    return args


def _user_process_count(uid: int) -> int:
    n = 0
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                if p.stat().st_uid == uid:
                    n += len(list((p / "task").iterdir()))
            except OSError:
                pass
    return n


def matplotlib_cache() -> Path:
    """A prebuilt matplotlib font cache (building it costs seconds in every sandbox)."""
    cache = course.BUILD / "sandbox-cache" / "matplotlib"
    marker = cache / ".ready"
    if not marker.exists():
        cache.mkdir(parents=True, exist_ok=True)
        with open(cache.parent / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not marker.exists():
                env = dict(os.environ, MPLCONFIGDIR=str(cache))
                subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], env=env, check=False,
                               capture_output=True)
                marker.touch()
    return cache


@dataclass
class RunResult:
    """How one sandbox run ended.

    ``started``: the runner printed :data:`~autograder.engine.runner.READY`, so it could run
    notebooks; False means the sandbox or the environment failed (a grader failure, never the
    student's). ``log``: the sandbox's own output (bwrap's and the runner's stdout and stderr;
    its first and last kilobytes).
    """

    seconds: float
    timed_out: bool
    returncode: int | None
    log: str
    started: bool = False


class _Capture:
    """Drains a pipe in a thread; keeps its head and tail (a notebook may print gigabytes) and
    notes whether ``marker`` appeared on a line of its own."""

    def __init__(self, stream, marker: str, head: int = 16_000, tail: int = 8_000) -> None:
        self.head, self.tail, self.skipped = b"", b"", 0
        self.marker, self.seen, self._scan = b"\n" + marker.encode() + b"\n", False, b"\n"
        self._limits = (head, tail)
        self._thread = threading.Thread(target=self._drain, args=(stream,), daemon=True)
        self._thread.start()

    def _drain(self, stream) -> None:
        head_max, tail_max = self._limits
        while chunk := stream.read1(65536) if hasattr(stream, "read1") else stream.read(65536):
            if not self.seen:
                self._scan += chunk
                self.seen = self.marker in self._scan
                self._scan = self._scan[-len(self.marker):]
            if len(self.head) < head_max:
                room = head_max - len(self.head)
                self.head, chunk = self.head + chunk[:room], chunk[room:]
            if chunk:
                joined = self.tail + chunk
                self.skipped += max(0, len(joined) - tail_max)
                self.tail = joined[-tail_max:]
        stream.close()

    def text(self, timeout: float = 5.0) -> str:
        self._thread.join(timeout)  # a process outside a sandbox may keep the pipe open
        gap = f"\n[... {self.skipped} bytes not kept ...]\n".encode() if self.skipped else b""
        return (self.head + gap + self.tail).decode("utf-8", "replace")


def run(workdir: Path, notebooks: list[str], limits: Limits, *, sandboxed: bool = True) -> RunResult:
    """Execute ``workdir/work/<nb>`` with the runner; results land in ``workdir/.grader``.

    ``workdir`` must be a fresh folder holding ``work/`` (the submission: its notebooks and
    any helper files beside them, all copied next to the notebooks while they run). With
    ``sandboxed=False`` the runner is started as a plain subprocess with the same
    resource limits but no isolation (the command line says so loudly). Raises
    :class:`SandboxUnavailable` when ``sandboxed`` and bubblewrap cannot build a sandbox here.
    """
    home = "/home/student" if sandboxed else str(workdir)
    outdir = workdir / ".grader"
    outdir.mkdir(exist_ok=True)
    stems = [Path(nb).stem for nb in notebooks]
    for stem in stems:  # the only files the sandbox may write on the host's disk
        for suffix in (".cells.jsonl", ".records.jsonl", ".status.json"):
            (outdir / f"{stem}{suffix}").touch()
    mpl_src = matplotlib_cache()
    env = {
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"]),
        "HOME": home, "USER": "student", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
        "MPLCONFIGDIR": f"{home}/.config/matplotlib", "IPYTHONDIR": f"{home}/.ipython",
        "XDG_CACHE_HOME": f"{home}/.cache",
        "JUPYTER_PLATFORM_DIRS": "1", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1",
        "NBGRADER_EXECUTION": "autograde", "MPLBACKEND": "Agg", **course.SINGLE_THREAD_BLAS,
    }
    if import_paths()[1]:
        env["PYTHONPATH"] = os.pathsep.join(import_paths()[1])
    # the replay in the worker draws hidden inputs with the same salt as the sandbox
    for key in ("COURSE_DATA_DIR", "COURSE_UTILS_SEED_SALT"):
        if os.environ.get(key):
            env[key] = os.environ[key]
    runner = [sys.executable, "-m", "autograder.engine.runner", "--outdir", f"{home}/.grader",
              "--cell-timeout", str(limits.cell_timeout), "--max-output", str(limits.max_output)]
    if sandboxed:
        # home and /tmp are size-limited tmpfs: writing files cannot fill the host's disk or
        # take more than disk_mb of its memory. The submission and the matplotlib cache are
        # mounted read-only and copied in by the runner (after its imports); only .grader/
        # is on the host's disk.
        runner += ["--in-sandbox", "--stage", f"{home}/.submission", "--mpl-cache", f"{home}/.mpl-cache"]
        rundir = f"{home}/work"
    else:
        # the same order as in the sandbox: the runner starts in an empty folder and copies
        # the submission in after its own imports
        shutil.copytree(mpl_src, workdir / ".config" / "matplotlib", dirs_exist_ok=True)
        rundir = str(workdir / "run")
        Path(rundir).mkdir(exist_ok=True)
        runner += ["--stage", str(workdir / "work")]
    runner += [f"{rundir}/{nb}" for nb in notebooks]
    is_root = os.geteuid() == 0

    def run_with(cmd: list[str], nproc: int) -> RunResult:
        def preexec():
            mb = 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limits.memory_mb * mb,) * 2)
            resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_time, limits.cpu_time + 5))
            resource.setrlimit(resource.RLIMIT_FSIZE, (limits.max_file_mb * mb,) * 2)
            resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

        t0 = time.perf_counter()
        # a pipe, not a file: what the runner printed first cannot be truncated by a notebook
        proc = subprocess.Popen(cmd, env=env, cwd=None if sandboxed else rundir,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                preexec_fn=preexec, start_new_session=True)
        capture = _Capture(proc.stdout, READY)
        timed_out = False
        try:
            proc.wait(timeout=limits.wall_time)
        except subprocess.TimeoutExpired:
            timed_out = True
        finally:
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # bwrap, and with it the sandbox's PID namespace
            except ProcessLookupError:
                pass
            proc.wait()
        text = capture.text()
        return RunResult(time.perf_counter() - t0, timed_out, proc.returncode, text, capture.seen)

    if not sandboxed:
        return run_with(runner, _user_process_count(os.getuid()) + limits.max_procs)
    ok, why = available()
    if not ok:
        raise SandboxUnavailable(why)
    base = ["bwrap", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--die-with-parent", "--new-session", "--hostname", "grading",
            # /tmp first: the kit itself may live under /tmp (a fresh clone), and a tmpfs
            # mounted later would hide those binds
            "--size", str(limits.disk_mb * 2**20), "--perms", "1777", "--tmpfs", "/tmp",
            *_bind_args(_ro_paths(), [Path(home)]),
            "--proc", "/proc", "--dev", "/dev",
            "--size", str(limits.disk_mb * 2**20), "--perms", "1777", "--tmpfs", home,
            "--ro-bind", str(workdir / "work"), f"{home}/.submission",
            "--ro-bind", str(mpl_src), f"{home}/.mpl-cache",
            "--bind", str(outdir), f"{home}/.grader",
            "--perms", "1777", "--dir", f"{home}/work", "--chdir", f"{home}/work"]
    if is_root:
        with uid_slot() as uid:
            os.chmod(outdir, 0o755)  # root's: the sandbox may append to its files, not add new ones
            for p in outdir.iterdir():
                os.chown(p, uid, uid, follow_symlinks=False)
            drop = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--no-new-privs",
                    "--inh-caps=-all", "--bounding-set=-all", "--"]
            return run_with(base + ["--"] + drop + runner, limits.max_procs)
    return run_with(base + ["--unshare-user", "--"] + runner, _user_process_count(os.getuid()) + limits.max_procs)
