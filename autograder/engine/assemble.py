"""Trusted side, before execution: what exactly runs for one submitted notebook.

A *template* is built once per notebook from the release (what students received) and
the instructor's source (which has the hidden tests). A submission is then *assembled*
from the template, taking from the student only what is theirs to write:

- **solution cells** (matched by nbgrader ``grade_id``): the student's code;
- **ordinary cells** without nbgrader metadata: kept, in place, and run;
- **locked and graded cells**: always the template's text, never the student's copy.

Because the grader always runs its own copy of every locked and graded cell, a student's
edit of one of them cannot change what runs, and so it costs nothing: it is *flagged* for
review, saying what changed (whitespace only, the cell type, the text with a short diff,
nbgrader metadata). A deleted locked or graded cell is put back at its place. Only what can
change the outcome scores 0: a test cell's nbgrader id carried by several cells (the grader
cannot tell which one is the test, nor where it should run), and a deleted solution cell
(the release's stub runs in its place, so its tests fail). See :func:`assemble` for each
decision and why.

What runs from the template is also all that the replay of the hidden tests
(``verdicts.py``) takes its definitions from, and :func:`dependency_problems` checks that
every graded cell of a source notebook depends on nothing else.
"""

from __future__ import annotations

import ast
import builtins
import difflib
import json
import re
import symtable
from dataclasses import asdict, dataclass, field

from ..preprocessors import BEGIN_HIDDEN, END_HIDDEN, python_source

#: student-authored code mentioning these is flagged for review
_REFERENCE_USE = re.compile(r"course_utils|__import__|importlib")


def cell_text(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _norm(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def _squash(text: str) -> str:
    """The text without any whitespace: equal for two texts that differ only in whitespace."""
    return re.sub(r"\s+", "", text)


def _nbgrader(cell: dict) -> dict:
    md = cell.get("metadata")
    md = md.get("nbgrader") if isinstance(md, dict) else None
    return md if isinstance(md, dict) else {}


def split_hidden(source: str) -> tuple[str, str | None]:
    """(visible part, hidden part or None) of a graded cell's source."""
    if BEGIN_HIDDEN not in source:
        return source, None
    visible, hidden, inside = [], [], False
    for line in source.splitlines():
        s = line.strip()
        if s.startswith(BEGIN_HIDDEN):
            inside = True
        elif s.startswith(END_HIDDEN):
            inside = False
        elif inside:
            hidden.append(line)
        else:
            visible.append(line)
    return "\n".join(visible), "\n".join(hidden)


@dataclass
class TemplateCell:
    kind: str                 # "solution" | "grade" | "locked" | "plain"
    cell_type: str
    grade_id: str | None
    release_source: str       # what the student received
    grading_source: str       # what runs while grading (graded cells: with hidden tests)
    points: float = 0.0
    nbgrader: dict = field(default_factory=dict)


@dataclass
class Template:
    notebook: str             # file name, e.g. "01_numpy_basics.ipynb"
    cells: list[TemplateCell]
    nb_metadata: dict
    #: trusted code for the replay: the locked and graded code cells, exactly as the grader runs them
    #: (``{"grade_id": id of a graded cell or None, "visible": text, "hidden": text or None}``, in order)
    replay_cells: list[dict]

    @property
    def grade_cells(self) -> list[TemplateCell]:
        return [c for c in self.cells if c.kind == "grade"]

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Template":
        return cls(d["notebook"], [TemplateCell(**c) for c in d["cells"]], d["nb_metadata"], d["replay_cells"])


def build_template(name: str, release_nb: dict, source_nb: dict) -> Template:
    """The template of one notebook from its release and source versions (dicts).

    A graded cell runs its source version (with the hidden tests); every other cell its
    release version. The replay cells are the locked and graded code cells, the only
    ones whose text the grader always takes from here: the student's notebook cannot make
    the sandbox and the replay see different definitions (issue 11, point 7).
    """
    source_by_id = {_nbgrader(c)["grade_id"]: cell_text(c) for c in source_nb.get("cells", [])
                    if _nbgrader(c).get("grade_id")}
    cells, replay_cells = [], []
    for cell in release_nb.get("cells", []):
        md = _nbgrader(cell)
        text = cell_text(cell)
        gid = md.get("grade_id")
        if md.get("solution") and gid:
            kind = "solution"
        elif md.get("grade") and gid:
            kind = "grade"
        elif md.get("locked") and gid:
            kind = "locked"
        else:
            kind = "plain"
        grading = source_by_id.get(gid, text) if kind == "grade" else text
        tc = TemplateCell(kind, cell.get("cell_type", "code"), gid, text, grading,
                          float(md.get("points") or 0.0), dict(md))
        cells.append(tc)
        if kind in ("grade", "locked") and tc.cell_type == "code":
            visible, hidden = split_hidden(grading)
            replay_cells.append({"grade_id": gid if kind == "grade" else None, "visible": visible, "hidden": hidden})
    return Template(name, cells, release_nb.get("metadata", {}), replay_cells)


@dataclass
class Assembled:
    cells: list[dict]                       # notebook cells to run, in order
    #: grade_id -> why that graded cell scores 0 whatever happens
    zeroed: dict[str, str] = field(default_factory=dict)
    issues: list[str] = field(default_factory=list)   # reported, not scored
    flags: list[str] = field(default_factory=list)    # for an instructor to review


def _new_cell(cell_type: str, source: str, nbgrader_md: dict | None) -> dict:
    cell = {"cell_type": cell_type, "metadata": {}, "source": source}
    if nbgrader_md:
        cell["metadata"]["nbgrader"] = dict(nbgrader_md)
    if cell_type == "code":
        cell["outputs"], cell["execution_count"] = [], None
    return cell


def _cells_word(numbers: list[int]) -> str:
    return ", ".join(str(n + 1) for n in numbers[:-1]) + f" and {numbers[-1] + 1}"


def assemble(template: Template, student_nb: dict) -> Assembled:
    """The notebook that runs for this student, and what was wrong with their copy.

    Raises nothing: whatever the student's cells hold, the result is a notebook to run, the
    graded cells that score 0 whatever happens (``zeroed``, with the reason), problems to
    report (``issues``) and edits to review (``flags``).

    Each kind of edit of a cell the student cannot change, and why it is scored so (the
    grader always runs its own copy of locked and graded cells, issue 11, point 8):

    - *text, whitespace or cell type of a test or locked cell changed* (an editor's
      formatter, a test cell turned into markdown): the grader's copy runs where the
      student's copy is, as code. The edit cannot change what runs, so the points stay;
      flagged with what changed. A test cell turned into markdown does not run in the
      student's own kernel, but nothing the grader scores comes from that kernel.
    - *nbgrader metadata of a test cell changed* (``points``, ``locked``, ``grade``): the
      points and flags come from the template (``TemplateCell.points``, ``nbgrader``), never
      from the student's copy, so this cannot raise a score either; flagged.
    - *a test or locked cell deleted, or its nbgrader metadata removed*: the grader's copy
      runs where the cell was (a cell with the same text but no metadata is taken as that
      cell) or else at its place in the template. The hidden tests still run, and are still
      judged by the replay, so nothing is gained; flagged.
    - *a test cell's id on several cells* (an id changed to collide with a test cell's, or a
      copied test cell): the grader cannot tell which cell is the test, and where it runs
      decides whether the function it tests is defined by then. This can change the outcome,
      so that test cell scores 0 (its copy runs at the first of those cells, so that later
      cells still run).
    - *a solution cell deleted, or its metadata removed*: the release's stub runs at its
      place, so the function is the stub and its tests fail: 0 for them, reported.
    - *a copy of a solution or locked cell (the same id), or an id from another notebook*:
      runs as the student's own ordinary code, in place (as in the student's own kernel);
      flagged.
    """
    by_id = {c.grade_id: (i, c) for i, c in enumerate(template.cells) if c.grade_id and c.kind != "plain"}
    plain_release = {_norm(c.release_source) for c in template.cells if c.kind == "plain"}
    student = student_nb.get("cells", [])
    student = student if isinstance(student, list) else []
    carriers: dict[str, list[int]] = {}
    for n, cell in enumerate(student):
        gid = _nbgrader(cell).get("grade_id") if isinstance(cell, dict) else None
        if isinstance(gid, str) and gid in by_id:
            carriers.setdefault(gid, []).append(n)
    result = Assembled([])
    for gid, ns in carriers.items():
        if len(ns) > 1 and by_id[gid][1].kind == "grade":
            result.zeroed[gid] = (f"test cell {gid}: its nbgrader id is on {len(ns)} cells (cells {_cells_word(ns)}), "
                                  "so the grader cannot tell which one is the test; scored 0")
    out: list[tuple[int | None, dict, int | None]] = []   # (template index or None, cell, student's cell or None)
    seen: set[str] = set()
    for n, cell in enumerate(student):
        if not isinstance(cell, dict):
            continue
        ctype = cell.get("cell_type") if cell.get("cell_type") in ("code", "markdown", "raw") else "raw"
        text = cell_text(cell)
        gid = _nbgrader(cell).get("grade_id")
        match = by_id.get(gid) if isinstance(gid, str) else None
        if match is not None and gid in seen:
            if gid not in result.zeroed:
                kind = {"solution": "solution", "grade": "test", "locked": "locked"}[match[1].kind]
                result.flags.append(f"cell {n + 1} is a copy of {kind} cell {gid} (it carries the same nbgrader id): "
                                    "it ran as the student's own code")
            match = None
        elif gid and match is None:
            result.flags.append(f"cell {n + 1} carries nbgrader id {str(gid)[:60]!r}, which does not belong to this "
                                "notebook: it ran as the student's own code")
        if match is None:
            out.append((None, _new_cell(ctype, text, None), n))
            if ctype == "code" and _REFERENCE_USE.search(text) and _norm(text) not in plain_release:
                result.flags.append(f"cell {n + 1} (your own code) uses {_REFERENCE_USE.search(text).group(0)}: "
                                    "check that the graded answers are the student's own work")
            continue
        i, tc = match
        seen.add(gid)
        if tc.kind == "solution":
            out.append((i, _new_cell(tc.cell_type, text, tc.nbgrader), n))
            if _REFERENCE_USE.search(text):
                result.flags.append(f"solution cell {gid} uses {_REFERENCE_USE.search(text).group(0)}: "
                                    "the answer may come from the course's reference implementation")
            continue
        # locked or graded: the template's text runs, whatever the copy says
        changes = _changes(ctype, text, cell, tc)
        if changes and gid not in result.zeroed:
            result.flags.append(f"{'test' if tc.kind == 'grade' else 'locked'} cell {gid} was changed "
                                f"({'; '.join(changes)}): the grader ran its own copy, so this cost nothing")
        out.append((i, _new_cell(tc.cell_type, tc.grading_source, tc.nbgrader), n))
    claimed: set[int] = set()
    plain_at: dict[str, list[int]] = {}   # an ordinary cell's text -> where the template has it
    for i, tc in enumerate(template.cells):
        if tc.kind == "plain":
            plain_at.setdefault(_norm(tc.release_source), []).append(i)
    for i, tc in enumerate(template.cells):
        if tc.kind == "plain" or tc.grade_id in seen:
            continue
        what = f"{'test' if tc.kind == 'grade' else tc.kind} cell {tc.grade_id}"
        if tc.kind == "solution":
            result.issues.append(f"solution cell {tc.grade_id} is missing (deleted, or its nbgrader metadata "
                                 "removed): the release's empty version was used")
        else:
            # the same text without nbgrader metadata: that cell, its metadata removed
            same = _squash(tc.release_source)
            k = next((k for k, (ti, c, _) in enumerate(out) if ti is None and k not in claimed and same
                      and _squash(cell_text(c)) == same), None)
            if k is not None:
                claimed.add(k)
                out[k] = (i, _new_cell(tc.cell_type, tc.grading_source, tc.nbgrader), out[k][2])
                result.flags.append(f"{what} lost its nbgrader metadata (cell {out[k][2] + 1}): the grader ran its "
                                    "own copy there, so this cost nothing")
                continue
            result.flags.append(f"{what} was deleted (or its nbgrader metadata changed or removed): the grader put "
                                "its own copy back at its place, so this cost nothing")
        places = _places(out, plain_at)
        pos = next((k for k, place in enumerate(places) if place is not None and place > i), len(out))
        out.insert(pos, (i, _new_cell(tc.cell_type, tc.grading_source if tc.kind != "solution" else tc.release_source,
                                      tc.nbgrader), None))
    result.cells = [c for _, c, _ in out]
    return result


def _places(out: list[tuple[int | None, dict, int | None]], plain_at: dict[str, list[int]]) -> list[int | None]:
    """Where each cell to run stands in the template: its index for a cell taken from the template,
    and for an ordinary cell the index of the template's unchanged copy of it, if it has one (the next
    after the cell before it); None for the student's own cells. A missing cell is put back before
    the first cell that stands after it, so it lands exactly where it was, as long as the cells
    around it are unchanged."""
    places: list[int | None] = []
    last = -1
    for ti, cell, _ in out:
        place = ti if ti is not None else next((j for j in plain_at.get(_norm(cell_text(cell)), []) if j > last), None)
        places.append(place)
        last = place if place is not None else last
    return places


def _short(a: str, b: str, width: int = 50) -> tuple[str, str]:
    """Two different lines, shortened around where they first differ."""
    a, b = " ".join(a.split()), " ".join(b.split())
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    start = max(0, start - 15) if start > 25 else 0

    def cut(s: str) -> str:
        s = ("…" if start else "") + s[start:]
        return repr(s if len(s) <= width else s[:width - 1] + "…")
    return cut(a), cut(b)


def _diff_summary(old: str, new: str) -> str:
    """A short account of how ``new`` differs from ``old``, ignoring whitespace: the first
    changed line, then how many lines were removed and added in all."""
    numbered = [(k + 1, " ".join(ln.split())) for k, ln in enumerate(old.splitlines()) if ln.strip()]
    a, b = [t for _, t in numbered], [" ".join(ln.split()) for ln in new.splitlines() if ln.strip()]
    ops = [op for op in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes() if op[0] != "equal"]
    if not ops:
        return "text changed"
    tag, i1, i2, j1, j2 = ops[0]
    if tag == "replace":
        first = "line {} {} became {}".format(numbered[i1][0], *_short(a[i1], b[j1]))
    elif tag == "delete":
        first = f"line {numbered[i1][0]} {_short(a[i1], '')[0]} removed"
    else:
        first = f"{_short(b[j1], '')[0]} added " + (f"after line {numbered[i1 - 1][0]}" if i1 else "at the top")
    removed, added = sum(op[2] - op[1] for op in ops), sum(op[4] - op[3] for op in ops)
    return f"text: {first}; {removed} line{'s' * (removed != 1)} removed and {added} added in all"


def _changes(ctype: str, text: str, cell: dict, tc: TemplateCell) -> list[str]:
    """What differs between a student's copy of a locked or graded cell and the release, in words."""
    out = []
    if ctype != tc.cell_type:
        out.append(f"turned into a {ctype} cell")
    if _norm(text) != _norm(tc.release_source):
        out.append("whitespace only" if _squash(text) == _squash(tc.release_source)
                   else _diff_summary(tc.release_source, text))
    md = _nbgrader(cell)
    if tc.kind == "grade":
        try:
            points = float(md.get("points") or 0)
        except (TypeError, ValueError):
            points = None
        if points != tc.points:
            out.append(f"nbgrader points {str(md.get('points'))[:20]} instead of {tc.points:g}, which count")
    flags = [f for f in ("grade", "solution", "locked") if bool(md.get(f)) != bool(tc.nbgrader.get(f))]
    if flags:
        out.append(f"nbgrader flag{'s' * (len(flags) > 1)} {', '.join(flags)} changed")
    return out


# --- What a graded cell may depend on --------------------------------------------------------------------
#
# The grader runs the template's copy of every locked and graded cell, and the student's copy of every
# other cell (above). So a graded cell, its visible check included, must depend only on what the
# student cannot change: builtins, cells that run from the template (``is_unchangeable``), and the
# functions and classes of the solution cells (the answers being graded). A name that only an ordinary
# cell defines differs between the student's kernel, the sandbox and the replay, or is gone when the
# student deletes that cell. ``dependency_problems`` finds every such name; the test suite runs it on
# every source notebook (tests/notebooks/test_authoring.py).

#: names IPython itself puts in every kernel's namespace
_IPYTHON_NAMES = frozenset({"get_ipython", "display", "In", "Out", "exit", "quit"})


def is_unchangeable(cell: dict) -> bool:
    """Whether the grader always runs this cell as the template has it (a locked or graded code cell
    with a grade id that is not a solution cell); a student's copy of it never runs."""
    md = _nbgrader(cell)
    return (cell.get("cell_type") == "code" and bool(md.get("grade_id")) and not md.get("solution")
            and bool(md.get("locked") or md.get("grade")))


def definitions(source: str) -> ast.Module | None:
    """Only the top-level imports, function and class definitions of a cell (nothing that computes);
    None when the cell does not parse."""
    try:
        tree = ast.parse(python_source(source))
    except SyntaxError:
        return None
    keep = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom, ast.FunctionDef,
                                                    ast.AsyncFunctionDef, ast.ClassDef))]
    return ast.Module(body=keep, type_ignores=[])


def defined_names(tree: ast.Module) -> set[str]:
    """The names a cell binds at its top level (assignments, loops, imports, defs, classes, ...).
    Raises nothing for a parsed tree."""
    if not tree.body:
        return set()
    table = symtable.symtable(ast.unparse(tree), "<cell>", "exec")
    return {s.get_name() for s in table.get_symbols() if s.is_assigned() or s.is_imported()}


def _globals_read(table: symtable.SymbolTable) -> set[str]:
    """Global names read inside the nested scopes (functions, classes, comprehensions) of a table."""
    out: set[str] = set()
    for child in table.get_children():
        out |= {s.get_name() for s in child.get_symbols() if s.is_referenced() and s.is_global()}
        out |= _globals_read(child)
    return out


def _target_reads(targets: list[ast.expr]) -> list[ast.expr]:
    """The parts of assignment targets that are read (``x`` of ``x[i]`` or ``x.a``), not bound."""
    out: list[ast.expr] = []
    for t in targets:
        if isinstance(t, (ast.Tuple, ast.List)):
            out += _target_reads(t.elts)
        elif isinstance(t, ast.Starred):
            out += _target_reads([t.value])
        elif not isinstance(t, ast.Name):
            out.append(t)
    return out


def used_names(tree: ast.Module) -> list[tuple[str, int]]:
    """(name, line) of every name a cell reads from outside itself, in the order of its statements
    (sorted within one): a name counts when a statement reads it before the cell has bound it
    (function bodies may read names the cell binds anywhere at its top level, because they run when
    called). Builtins count too; the caller decides what is allowed. Raises nothing for a parsed tree."""
    steps = []   # per statement: (line, [(names read at its top, global names read in nested scopes, locals)], binds)
    for stmt in tree.body:
        if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and stmt.value is not None:
            # the value is computed before the targets are bound (`x = x + 1` reads the old x)
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            parts = [ast.Expr(stmt.value)] + [ast.Expr(t) for t in _target_reads(targets)]  # `x[i] = ...` reads x, i
            if isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
                parts.append(ast.Expr(ast.Name(stmt.target.id, ast.Load())))
            binds = {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
            binds |= {n.target.id for n in ast.walk(stmt.value) if isinstance(n, ast.NamedExpr)}
        else:
            parts, binds = [stmt], None
        reads = []
        for part in parts:
            table = symtable.symtable(ast.unparse(ast.fix_missing_locations(ast.Module([part], []))),
                                      "<statement>", "exec")
            local = {s.get_name() for s in table.get_symbols() if s.is_assigned() or s.is_imported()}
            top = {s.get_name() for s in table.get_symbols() if s.is_referenced()} - local
            reads.append((top, _globals_read(table), local))
            if binds is None:
                binds = local
        steps.append((stmt.lineno, reads, binds))
    bound_anywhere = set().union(*(b for _, _, b in steps))
    bound: set[str] = set()
    out: list[tuple[str, int]] = []
    for line, reads, binds in steps:
        for top, nested, local in reads:
            for name in sorted((top - bound) | (nested - bound - local - bound_anywhere)):
                out.append((name, line))
        bound |= binds
    return out


def dependency_problems(source_nb: dict, name: str = "") -> list[str]:
    """Every name a locked or graded cell of a source notebook uses that a student can change.

    Each locked or graded code cell (``is_unchangeable``), the visible part of a graded cell
    included, may use only: builtins, names that locked or graded cells above it bind (their
    visible parts), and the functions and classes of the solution cells above it. It is a problem
    when the name is bound last by an ordinary cell (or by a solution cell's own code besides its
    functions), because a student can change or delete that cell, and when nothing above binds it.
    The hidden part of a graded cell is held to what the replay (``verdicts.judge``) defines: ``np``,
    the imports, functions and classes of the locked and graded cells above and of its own visible
    part, and the solution cells' functions.

    Returns one message per (cell, name), naming the notebook, the cell (index and grade id), the
    line and the name; an empty list when the notebook follows the rule. Raises nothing: a locked or
    graded cell that does not parse is reported as a problem.
    """
    problems: list[str] = []
    #: name -> (index of the cell that bound it last, what that cell is, if a student can change the binding)
    binder: dict[str, tuple[int, str | None]] = {}
    replayed: set[str] = {"np"}          # what the replay defines besides the builtins
    for n, cell in enumerate(source_nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        md = _nbgrader(cell)
        where = f"{name}: cell {n} ({md.get('grade_id') or 'ordinary'})"
        text = cell_text(cell)
        if not is_unchangeable(cell):
            try:
                tree = ast.parse(python_source(text))
            except SyntaxError:
                continue
            funcs = {d.name for d in (definitions(text) or ast.Module([], [])).body
                     if isinstance(d, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
            solution_funcs = funcs if md.get("solution") else set()
            kind = "solution cell" if md.get("solution") else "ordinary cell"
            binder.update({b: (n, None if b in solution_funcs else kind) for b in defined_names(tree)})
            replayed |= solution_funcs
            continue
        visible, hidden = split_hidden(text)
        own_defs: set[str] = set()
        reported: set[tuple[str, str]] = set()
        for label, part in [("", visible)] + ([("the hidden tests, ", hidden)] if hidden is not None else []):
            try:
                tree = ast.parse(python_source(part))
            except SyntaxError as exc:
                problems.append(f"{where}: {label or 'the cell'} does not parse: {exc.msg} (line {exc.lineno})")
                continue
            for used, line in used_names(tree):
                by, changeable = binder.get(used, (None, None))
                if by is not None and changeable:
                    why = (f"which {changeable} {by} binds: a student can change or delete that cell; "
                           "define it in a locked cell (or inline it)")
                elif by is None and used not in dir(builtins) and used not in _IPYTHON_NAMES:
                    why = "which no cell above it defines"
                elif label and used not in replayed | own_defs and used not in dir(builtins):
                    why = ("which the replay does not define: it runs only the imports, functions and classes "
                           "of the locked and graded cells")
                else:
                    continue
                if (label, used) not in reported:   # the first line that uses it is enough
                    reported.add((label, used))
                    problems.append(f"{where}: {label}line {line} uses {used!r}, {why}")
            if not label:
                binder.update({b: (n, None) for b in defined_names(tree)})
                own_defs = defined_names(definitions(part) or ast.Module([], []))
        replayed |= own_defs
    return problems


def solved_submission(release_nb: dict, source_nb: dict) -> dict:
    """What an honest student hands in: the release, each solution stub replaced by the
    source's solution (without the solution markers); every other cell exactly as released.

    Used to check the grader end to end (tests, benchmark): it must give full marks.
    """
    import copy

    nb = copy.deepcopy(release_nb)
    answers = {_nbgrader(c).get("grade_id"): cell_text(c) for c in source_nb.get("cells", [])
               if _nbgrader(c).get("solution")}
    for cell in nb.get("cells", []):
        md = _nbgrader(cell)
        if md.get("solution") and md.get("grade_id") in answers:
            cell["source"] = "\n".join(ln for ln in answers[md["grade_id"]].splitlines()
                                       if ln.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION"))
    return nb


def notebook_json(cells: list[dict], metadata: dict) -> str:
    return json.dumps({"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 4})
