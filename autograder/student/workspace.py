"""The student's folder: copy the release into it without ever overwriting a notebook
that is already there, and say why a kept copy may no longer run.

A kept copy is never touched, so after an update it can still import modules the course
library no longer has: ``course_utils`` was reorganised in version 0.2.0 (``deep`` is now
``models.mlp``, ...). Each kept copy's imports of ``course_utils`` are checked, and the
report names every one that no longer resolves, with its new module where known
(:data:`MOVED_MODULES`, the one table of those moves).
"""

from __future__ import annotations

import ast
import hashlib
import importlib
import importlib.util
import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

STATE_FILE = ".release-state.json"

#: the version of the kit in which the modules of :data:`MOVED_MODULES` moved
REORGANISED_IN = "0.2.0"

#: course_utils modules that moved in REORGANISED_IN: old name -> new name, or the new names
#: of a module that was split (all under ``course_utils.``)
MOVED_MODULES: dict[str, str | tuple[str, ...]] = {
    "activations": "nn.activations",
    "layers": "nn.linear",
    "losses": "nn.losses",
    "batchnorm": "nn.batchnorm",
    # one_hot, softmax_cross_entropy_cost and predict_classes: first moved to nn.softmax,
    # which was then split
    "multiclass": ("nn.losses", "metrics.classification", "data.encoding"),
    "optim": "optim.rules",
    "ewa": "optim.ewa",
    "tuning": "optim.tuning",
    "deep": "models.mlp",
    "bn_network": "models.bn_mlp",
    "shallow": "exercises.shallow_network",
    "logistic": "exercises.logistic_regression",
    "initialization": "exercises.initialization",
    "regularization": "exercises.regularization",
    "gradient_checking": "exercises.gradient_checking",
    "arrays": "exercises.numpy_basics",
    "datasets": "data.synthetic",
    "plotting": "viz.plotting",
    "widgets": "viz.widgets",
    "playground": "viz.playground",
    "progress": "viz.progress",
    "checks": "grading.checks",
    "records": "grading.records",
}

PACKAGE = "course_utils"


@dataclass(frozen=True)
class StaleImport:
    """One import in a student's copy that no longer resolves."""

    statement: str  # as the student wrote it, on one line
    module: str  # the course_utils module that is gone, e.g. course_utils.deep
    new: str | None  # where it went, e.g. course_utils.models.mlp; None when unknown

    def line(self) -> str:
        where = f"; {self.module} is now {self.new}" if self.new else ""
        return f"`{self.statement}` no longer resolves{where}"


#: notebook metadata that says which kernel and Python ran it, not what the student is taught:
#: the release writes them to match this machine's kernel (autograder.course.kernel_metadata),
#: and JupyterLab rewrites them when a kernel starts; a difference there alone is not a change
MACHINE_METADATA = ("kernelspec", "language_info")


def _sha(path: Path) -> str:
    """A digest of the notebook at ``path`` that leaves out :data:`MACHINE_METADATA` (a file
    that is not a notebook's JSON is digested as its bytes)."""
    data = path.read_bytes()
    try:
        nb = json.loads(data)
        meta = nb.get("metadata")
    except (UnicodeDecodeError, ValueError, AttributeError):
        return hashlib.sha256(data).hexdigest()
    if isinstance(meta, dict):
        nb["metadata"] = {k: v for k, v in meta.items() if k not in MACHINE_METADATA}
    return hashlib.sha256(json.dumps(nb, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept_changed_upstream: list[str] = field(default_factory=list)
    #: kept copies (either kind) whose course_utils imports no longer resolve
    stale_imports: dict[str, list[StaleImport]] = field(default_factory=dict)

    def lines(self, release: Path, student: Path) -> list[str]:
        out = [f"student: {len(self.added)} new notebook(s), {len(self.unchanged)} up to date, "
               f"{len(self.kept_changed_upstream)} differing from the release (your copy kept) in {student}"]
        out += [f"  new: {p}" for p in self.added]
        for p in self.kept_changed_upstream:
            out.append(f"  the release changed; your copy is kept: {student / p}\n"
                       f"      the new version is {release / p}; to take it, move your copy away and run make lab again")
            if p in self.stale_imports:
                out.append(f"      why: the course library was reorganised in version {REORGANISED_IN}, "
                           f"and your copy imports modules that no longer exist:")
                out += [f"      - {s.line()}" for s in self.stale_imports[p]]
        for p in self.unchanged:
            if p in self.stale_imports:
                out.append(f"  your copy imports modules that no longer exist: {student / p}\n"
                           f"      the course library was reorganised in version {REORGANISED_IN}; "
                           f"change these imports in your copy:")
                out += [f"      - {s.line()}" for s in self.stale_imports[p]]
        return out


def sync_student(release: Path, student: Path) -> SyncReport:
    """Copy released notebooks into ``student`` that are not there yet; never overwrite.

    ``student/.release-state.json`` remembers the hash of the released version each copy
    was made from, so a later release that changed a notebook is reported; a change of its
    kernel metadata alone (:data:`MACHINE_METADATA`, e.g. a new Python version) is not. Every kept
    copy's imports of course_utils are checked (:func:`stale_imports`).
    """
    release, student = Path(release), Path(student)
    student.mkdir(parents=True, exist_ok=True)
    state_path = student / STATE_FILE
    state = json.loads(state_path.read_text()) if state_path.exists() else {}
    report = SyncReport()
    resolves: dict[str, bool] = {}
    for src in sorted(release.rglob("*.ipynb")):
        if ".ipynb_checkpoints" in src.parts:
            continue
        rel = src.relative_to(release).as_posix()
        dest = student / rel
        digest = _sha(src)
        if not dest.exists():
            dest.parent.mkdir(parents=True, exist_ok=True)
            tmp = dest.with_name(dest.name + ".partial")
            shutil.copyfile(src, tmp)
            tmp.replace(dest)  # never leaves a half-copied notebook under the real name
            state[rel] = digest
            report.added.append(rel)
            continue
        if state.get(rel) == digest or _sha(dest) == digest:
            state[rel] = digest
            report.unchanged.append(rel)
        else:
            report.kept_changed_upstream.append(rel)
        stale = stale_imports(dest, resolves)
        if stale:
            report.stale_imports[rel] = stale
    state_path.write_text(json.dumps(state, indent=1, sort_keys=True) + "\n")
    return report


# --- which course_utils imports of a notebook no longer resolve ---------------------------

_MAGIC = re.compile(r"^\s*[%!]")


def _code_cells(path: Path) -> list[str]:
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
        cells = nb.get("cells", [])
    except (OSError, UnicodeDecodeError, ValueError, AttributeError):
        return []  # not a notebook we can read: nothing to say about its imports
    out = []
    for cell in cells:
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            src = cell.get("source", "")
            out.append("".join(src) if isinstance(src, list) else str(src))
    return out


def _import_nodes(source: str) -> list[ast.Import | ast.ImportFrom]:
    """The import statements of a cell; IPython magics are skipped, and a cell that is not
    valid Python (the student's work in progress) is read one import line at a time."""
    lines = ["" if _MAGIC.match(ln) else ln for ln in source.splitlines()]
    try:
        trees = [ast.parse("\n".join(lines))]
    except SyntaxError:
        trees = []
        for ln in lines:
            if ln.lstrip().startswith(("import ", "from ")):
                try:
                    trees.append(ast.parse(ln.strip()))
                except SyntaxError:
                    pass
    return [n for t in trees for n in ast.walk(t) if isinstance(n, (ast.Import, ast.ImportFrom))]


def _statement(node: ast.Import | ast.ImportFrom) -> str:
    names = ", ".join(a.name + (f" as {a.asname}" if a.asname else "") for a in node.names)
    if isinstance(node, ast.Import):
        return f"import {names}"
    return f"from {'.' * node.level}{node.module or ''} import {names}"


def _resolves(module: str, cache: dict[str, bool]) -> bool:
    if module not in cache:
        try:
            cache[module] = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):  # a parent package is gone, or is not a package
            cache[module] = False
    return cache[module]


def _first_missing(module: str, cache: dict[str, bool]) -> str | None:
    """The shortest prefix of a dotted course_utils module name that does not resolve."""
    parts = module.split(".")
    for i in range(2, len(parts) + 1):
        if not _resolves(".".join(parts[:i]), cache):
            return ".".join(parts[:i])
    return None


def _new_name(module: str) -> str | None:
    """Where a moved module went, as the report says it: one module, or "split between" several."""
    parts = module.split(".")
    if len(parts) != 2 or parts[1] not in MOVED_MODULES:
        return None
    new = MOVED_MODULES[parts[1]]
    names = [f"{PACKAGE}.{n}" for n in ((new,) if isinstance(new, str) else new)]
    return names[0] if len(names) == 1 else f"split between {', '.join(names[:-1])} and {names[-1]}"


def _has_name(module: str, name: str, cache: dict[str, bool]) -> bool:
    if _resolves(f"{module}.{name}", cache):
        return True
    try:
        return hasattr(importlib.import_module(module), name)
    except Exception:  # noqa: BLE001 - a module that fails to import has none of its names
        return False


def _check(node: ast.Import | ast.ImportFrom, cache: dict[str, bool]) -> list[tuple[str, str | None]]:
    """(module that is gone, its new name) for each course_utils module the statement needs."""
    found = []
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.name.startswith(PACKAGE + "."):
                missing = _first_missing(alias.name, cache)
                if missing:
                    found.append((missing, _new_name(missing)))
        return found
    if node.level or not node.module or node.module.split(".")[0] != PACKAGE:
        return found
    if node.module == PACKAGE:  # from course_utils import deep, rng
        for alias in node.names:
            module = f"{PACKAGE}.{alias.name}"
            if alias.name != "*" and not _has_name(PACKAGE, alias.name, cache):
                found.append((module, _new_name(module)))
        return found
    missing = _first_missing(node.module, cache)
    if missing:
        found.append((missing, _new_name(missing)))
    elif _new_name(node.module):
        # the old name is a package now (course_utils.optim): its old contents moved inside it
        if any(a.name != "*" and not _has_name(node.module, a.name, cache) for a in node.names):
            found.append((node.module, _new_name(node.module)))
    return found


def stale_imports(notebook: Path, cache: dict[str, bool] | None = None) -> list[StaleImport]:
    """The imports of course_utils modules in ``notebook`` that no longer resolve.

    Covers ``import course_utils.X``, ``from course_utils.X import ...`` and
    ``from course_utils import X``; each statement is listed once, in notebook order.
    """
    cache = {} if cache is None else cache
    out: list[StaleImport] = []
    for source in _code_cells(Path(notebook)):
        if PACKAGE not in source:
            continue
        for node in _import_nodes(source):
            for module, new in _check(node, cache):
                stale = StaleImport(_statement(node), module, new)
                if stale not in out:
                    out.append(stale)
    return out
