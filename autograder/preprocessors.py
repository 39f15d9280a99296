"""nbgrader preprocessors the kit adds to nbgrader's own pipelines (see course.py)."""

from __future__ import annotations

import ast
import re

from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor

BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"
STDERR_BANNER = "[printed to stderr while testing; this does not affect the grade]\n"
HIDDEN_NOTICE = "# [hidden tests: not shown in feedback]"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


class KeepStderrFromFailing(NbGraderPreprocessor):
    """In graded code cells, relabel stderr stream output as stdout after execution.

    nbgrader's ``determine_grade`` gives 0 to a test cell with any stderr output. Our
    tests fail by raising (an ``error`` output), never by printing, so stderr here is a
    warning or a progress bar: it is kept, marked, and no longer costs points.
    """

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "code" and utils.is_grade(cell):
            for out in cell.get("outputs", []):
                if out.get("output_type") == "stream" and out.get("name") == "stderr":
                    out["name"] = "stdout"
                    out["text"] = STDERR_BANNER + out.get("text", "")
        return cell, resources


class ResultsAreNotGrades(NbGraderPreprocessor):
    """In graded code cells, show a displayed value (``Out[n]: ...``) as display data, not as a result.

    nbgrader reads an ``execute_result`` of a grade cell that casts to a number as partial credit,
    and its validator crashes when that number exceeds the cell's points ("partial credit cannot be
    greater than maximum points"). In this kit a graded cell passes or fails by raising; a value it
    happens to display is never a grade. The value stays visible to the student.
    """

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "code" and utils.is_grade(cell):
            for out in cell.get("outputs", []):
                if out.get("output_type") == "execute_result":
                    out["output_type"] = "display_data"
                    out.pop("execution_count", None)
        return cell, resources


def hidden_lines(source: str) -> list[str]:
    """The lines between the hidden-test markers of a cell's source."""
    lines, inside = [], False
    for line in source.splitlines():
        if line.strip().startswith(BEGIN_HIDDEN):
            inside = True
        elif line.strip().startswith(END_HIDDEN):
            inside = False
        elif inside:
            lines.append(line)
    return lines


def remove_hidden(source: str) -> str:
    """The source with every hidden-test region replaced by one notice line."""
    out, inside = [], False
    for line in source.splitlines():
        if line.strip().startswith(BEGIN_HIDDEN):
            inside = True
            out.append(HIDDEN_NOTICE)
        elif line.strip().startswith(END_HIDDEN):
            inside = False
        elif not inside:
            out.append(line)
    return "\n".join(out)


class HideHiddenTests(NbGraderPreprocessor):
    """Remove hidden-test source from feedback, including what tracebacks quote.

    The cell's hidden region becomes one notice line. In its error outputs, every
    traceback frame of the cell itself (IPython's ``Cell In[N]``) and any frame quoting a
    hidden line is replaced by a notice; the exception's own message, which the
    ``HiddenTest`` helper writes for the student, is kept.
    """

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type != "code" or BEGIN_HIDDEN not in cell.source:
            return cell, resources
        secret = [ln.strip() for ln in hidden_lines(cell.source) if len(ln.strip()) >= 4]
        cell.source = remove_hidden(cell.source)
        own_frame = f"Cell In[{cell.get('execution_count')}]" if cell.get("execution_count") else None
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                kept = []
                for entry in out.get("traceback", []):
                    plain = strip_ansi(entry)
                    if (own_frame and own_frame in plain) or any(s in plain for s in secret):
                        if not kept or kept[-1] != HIDDEN_NOTICE:
                            kept.append(HIDDEN_NOTICE)
                    else:
                        kept.append(entry)
                out["traceback"] = kept
            elif out.get("output_type") == "stream":
                text = out.get("text", "")
                if any(s in text for s in secret):
                    out["text"] = "\n".join(
                        HIDDEN_NOTICE if any(s in ln for s in secret) else ln for ln in text.splitlines()
                    )
        return cell, resources


# --- Run All goes on past a failed check ---------------------------------------------------------
#
# JupyterLab's Run All sends every cell at once and the kernel drops the rest of the queue at the
# first error, so an untouched release stopped at its first exercise and a student never reached
# the widgets at the end. A cell tagged ``raises-exception`` is sent with ``stop_on_error: false``
# (JupyterLab 4's OutputArea.execute; nbclient honours the tag too), so the run goes on past it.
# The release tags a cell only where going on is safe: the cell uses a graded function, and no
# later cell reads a name that the cell would have bound at or after its first use of one (so a
# failure leaves nothing undefined or stale behind for the cells below). Graded test cells pass
# this test by construction (the check is their last statement). Where it is not safe, the cell
# stops Run All as before, and the stub's message (course_utils.grading.checks) says how to run
# the cells below anyway.

RAISES_EXCEPTION = "raises-exception"


class _Flow(ast.NodeVisitor):
    """The names top-level code reads and binds, in execution order: a read of a name that the same
    code has not bound before it is *exposed* (its value comes from an earlier cell)."""

    def __init__(self, bound: set[str] | None = None) -> None:
        self.bound = set(bound or ())
        self.exposed: set[str] = set()
        self.binds: set[str] = set()
        self.reads: set[str] = set()

    def _read(self, name: str) -> None:
        self.reads.add(name)
        if name not in self.bound:
            self.exposed.add(name)

    def _bind(self, name: str) -> None:
        self.bound.add(name)
        self.binds.add(name)

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Load):
            self._read(node.id)
        else:
            self._bind(node.id)

    def visit_Assign(self, node):
        self.visit(node.value)
        for target in node.targets:
            self.visit(target)

    def visit_AnnAssign(self, node):
        if node.value is not None:
            self.visit(node.value)
        self.visit(node.target)

    def visit_AugAssign(self, node):
        if isinstance(node.target, ast.Name):
            self._read(node.target.id)
        self.visit(node.value)
        self.visit(node.target)

    def visit_NamedExpr(self, node):
        self.visit(node.value)
        self.visit(node.target)

    def visit_For(self, node):
        self.visit(node.iter)
        self.visit(node.target)
        for stmt in node.body + node.orelse:
            self.visit(stmt)

    visit_AsyncFor = visit_For

    def visit_With(self, node):
        for item in node.items:
            self.visit(item.context_expr)
            if item.optional_vars is not None:
                self.visit(item.optional_vars)
        for stmt in node.body:
            self.visit(stmt)

    visit_AsyncWith = visit_With

    def visit_Import(self, node):
        for alias in node.names:
            self._bind((alias.asname or alias.name).split(".")[0])

    def visit_ImportFrom(self, node):
        for alias in node.names:
            if alias.name != "*":
                self._bind(alias.asname or alias.name)

    def visit_ExceptHandler(self, node):
        if node.type is not None:
            self.visit(node.type)
        if node.name:
            self._bind(node.name)
        for stmt in node.body:
            self.visit(stmt)

    def _scope(self, body_nodes, local: set[str]) -> None:
        """A function, lambda, class or comprehension body: its free names are read (when it runs)."""
        stored = set(local)
        loaded = set()
        for node in body_nodes:
            for sub in ast.walk(node):
                if isinstance(sub, ast.Name):
                    (loaded if isinstance(sub.ctx, ast.Load) else stored).add(sub.id)
                elif isinstance(sub, ast.arg):
                    stored.add(sub.arg)
                elif isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    stored.add(sub.name)
                elif isinstance(sub, (ast.Import, ast.ImportFrom)):
                    stored |= {(a.asname or a.name).split(".")[0] for a in sub.names}
        for name in sorted(loaded - stored):
            self._read(name)

    def visit_FunctionDef(self, node):
        for expr in node.decorator_list + node.args.defaults + [d for d in node.args.kw_defaults if d]:
            self.visit(expr)
        args = node.args
        params = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
        params |= {a.arg for a in (args.vararg, args.kwarg) if a is not None}
        self._scope(node.body, params)
        self._bind(node.name)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node):
        for expr in node.args.defaults + [d for d in node.args.kw_defaults if d]:
            self.visit(expr)
        args = node.args
        params = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
        params |= {a.arg for a in (args.vararg, args.kwarg) if a is not None}
        self._scope([node.body], params)

    def visit_ClassDef(self, node):
        for expr in node.decorator_list + node.bases + [k.value for k in node.keywords]:
            self.visit(expr)
        self._scope(node.body, set())
        self._bind(node.name)

    def _comprehension(self, node, parts):
        self.visit(node.generators[0].iter)
        targets = {n.id for g in node.generators for n in ast.walk(g.target) if isinstance(n, ast.Name)}
        rest = [g.iter for g in node.generators[1:]] + [c for g in node.generators for c in g.ifs] + parts
        self._scope(rest, targets)

    def visit_ListComp(self, node):
        self._comprehension(node, [node.elt])

    visit_SetComp = visit_GeneratorExp = visit_ListComp

    def visit_DictComp(self, node):
        self._comprehension(node, [node.key, node.value])


def python_source(source: str) -> str:
    """IPython syntax (magics, ``!`` commands) turned into plain Python, as the kernel runs it. The
    result may still not parse (``ast.parse`` then raises SyntaxError)."""
    global _TRANSFORMER
    try:
        ast.parse(source)
        return source   # plain Python already: IPython's transforms only rewrite what is not
    except SyntaxError:
        pass
    if _TRANSFORMER is None:
        from IPython.core.inputtransformer2 import TransformerManager

        _TRANSFORMER = TransformerManager()
    return _TRANSFORMER.transform_cell(source)


_TRANSFORMER = None   # one IPython TransformerManager, made on first use (it keeps no state between cells)


def statement_flow(source: str) -> list[tuple[set[str], set[str], set[str]]] | None:
    """Per top-level statement of a cell: (names it reads, exposed reads, names it binds), in order.

    A read is *exposed* when no earlier statement of the cell bound the name. IPython syntax
    (magics) is turned into Python first. Returns None if the cell does not parse.
    """
    try:
        tree = ast.parse(python_source(source))
    except SyntaxError:
        return None
    flow, out = _Flow(), []
    for stmt in tree.body:
        flow.reads, flow.exposed, flow.binds = set(), set(), set()
        flow.visit(stmt)
        out.append((set(flow.reads), set(flow.exposed), set(flow.binds)))
    return out


def _read_before_bound(flows: list, name: str) -> bool:
    """Whether the first of these cells (statement flows, in order) that reads or binds ``name``
    reads it before binding it."""
    for flow in flows:
        for _, exposed, binds in flow or []:
            if name in exposed:
                return True
            if name in binds:
                return False
    return False


def run_all_decisions(cells: list) -> dict[int, str]:
    """For each code cell that may fail because of an unfinished exercise (not a solution cell):
    "safe" if Run All may go on past it, else why not.

    A cell *may fail* if it uses a graded function (one the notebook's solution cells define) or
    reads a name that an earlier cell which may fail binds only after its first risky statement.
    Going on past such a cell is safe unless a name it binds from that statement on already had a
    value before it and a later cell reads it: after a failure that cell would silently use the
    old value. A name that has no earlier value fails loudly (NameError) in the cells that read it,
    which may fail in turn and are judged the same way.

    Arguments: cells -- a notebook's cells (dicts). Returns: ``{index: "safe" or "unsafe: ..."}``.
    """
    def meta(cell):
        return (cell.get("metadata") or {}).get("nbgrader") or {}

    def text(cell):
        src = cell.get("source", "")
        return "".join(src) if isinstance(src, list) else str(src)

    order = [i for i, c in enumerate(cells) if c.get("cell_type") == "code"]
    flows = {i: statement_flow(text(cells[i])) for i in order}
    graded = set()
    for i in order:
        if meta(cells[i]).get("solution") and flows[i] is not None:
            graded |= {n.name for n in ast.parse(python_source(text(cells[i]))).body
                       if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    decisions: dict[int, str] = {}
    defined: set[str] = set()   # names some earlier cell binds
    maybe: set[str] = set()     # names an earlier cell that may fail binds only after its risky statement
    for k, i in enumerate(order):
        flow = flows[i] or []
        risky = None
        if not meta(cells[i]).get("solution"):
            risky = next((j for j, (reads, exposed, _) in enumerate(flow) if reads & graded or exposed & maybe), None)
        binds = set().union(*(b for _, _, b in flow))
        if risky is None:
            defined |= binds
            maybe -= binds
            continue
        before = set().union(*(b for _, _, b in flow[:risky]))
        at_risk = set().union(*(b for _, _, b in flow[risky:]))
        later = [flows[j] for j in order[k + 1:]]
        stale = sorted(n for n in at_risk if n in defined and _read_before_bound(later, n))
        decisions[i] = f"unsafe: a later cell would use the old value of {', '.join(stale)}" if stale else "safe"
        maybe = (maybe - before - at_risk) | (at_risk if not stale else set())
        defined |= binds
    return decisions


class ChecksDoNotStopRunAll(NbGraderPreprocessor):
    """Release: tag ``raises-exception`` on every cell Run All may safely go on past when it fails
    (:func:`run_all_decisions`): every graded test cell, and each "Try it" cell whose failure leaves
    nothing undefined for the cells below. Other tags of a cell are kept."""

    def preprocess(self, nb, resources):
        for index, decision in run_all_decisions(nb.cells).items():
            if decision == "safe":
                metadata = nb.cells[index].setdefault("metadata", {})
                tags = list(metadata.get("tags", []))
                if RAISES_EXCEPTION not in tags:
                    metadata["tags"] = tags + [RAISES_EXCEPTION]
        return nb, resources
