"""Feedback a student reads: the grader's verdict under each graded cell, rendered as HTML.

Trusted side (coordinator's worker process). The autograded notebook is rendered with the
kit's ``student_feedback`` template (``autograder/templates/student_feedback/``), which
follows nbgrader's feedback page with these differences:

- **Readable offline.** The page loads nothing: formulas are converted to MathML here
  (``latex2mathml``; Chromium, Firefox and Safari draw MathML themselves), instead of
  nbgrader's MathJax from a CDN. A formula ``latex2mathml`` cannot convert is shown as its
  LaTeX source in a ``code`` element, never as ``$$...$$`` text.
- **Named exercises.** The index and each graded cell's heading name the exercise (the
  notebook's heading above the cell) and the function it checks, not "Test cell".
- **The verdict first.** Under each graded cell, the grader's verdict comes before
  anything the cell printed, coloured by outcome and wrapped (never scrolled sideways).
  What the cell printed is labelled as the student's notebook's own output, so a "✔" a
  visible check printed cannot be read as the grade.
- **No grading-machine paths.** File paths in outputs (tracebacks, warnings) name the
  virtual environment, site-packages, the course folder, the sandbox's folder, home
  folders and ``/tmp`` neutrally (:func:`neutral_paths`); a student's own cell frames
  (``Cell In[n]``) are kept as they are.
- Hidden tests removed (``autograder.preprocessors.HideHiddenTests``), as before.
- **Nothing from the notebook runs or loads.** A student's markdown and outputs are HTML they
  wrote: it is sanitised (:func:`sanitize_html`, bleach), JavaScript and widget outputs are left
  out and an SVG output is shown as an image (:func:`inert_outputs`).
"""

from __future__ import annotations

import functools
import html
import os
import re
import sys
import sysconfig
from pathlib import Path

import nbformat

#: the key of a graded cell's metadata where :func:`attach_verdict` keeps the verdict
VERDICT_KEY = "autograder_verdict"
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
TEMPLATE_NAME = "student_feedback"
OWN_OUTPUT_LABEL = ("Your notebook's output: what this cell printed when your notebook ran. "
                    "The grade is the grader's verdict above.")
MAX_FAILURES_SHOWN = 8
MAX_ERROR_LINES = 12


def verdict_text(v) -> str:
    """The grader's verdict ``v`` (a ``course_utils.grading.Verdict``) in plain words, one block."""
    if v.passed:
        return f"Grader: passed ({v.count} hidden check(s), judged outside your notebook).\n"
    lines = [f"Grader: failed ({len(v.failures)} of {v.count} hidden check(s))."]
    lines += ["  " + f.replace("\n", "\n  ") for f in v.failures[:MAX_FAILURES_SHOWN]]
    if len(v.failures) > MAX_FAILURES_SHOWN:
        lines.append(f"  ... and {len(v.failures) - MAX_FAILURES_SHOWN} more")
    return "\n".join(lines) + "\n"


def attach_verdict(cell: dict, v) -> None:
    """Add the grader's verdict ``v`` (a ``course_utils.grading.Verdict``) to a graded cell.

    The verdict is appended to the cell's outputs as text (what the autograded notebook
    shows) and kept in the cell's metadata under :data:`VERDICT_KEY`, where
    :func:`render_feedback` reads it: only the trusted grader writes a graded cell's
    metadata, so an output a student's code printed cannot pass for the verdict.
    """
    cell.setdefault("outputs", []).append({"output_type": "stream", "name": "stdout", "text": verdict_text(v)})
    cell.setdefault("metadata", {})[VERDICT_KEY] = {
        "passed": bool(v.passed), "count": int(v.count), "recorded": int(v.recorded),
        "failures": [str(f) for f in v.failures[:MAX_FAILURES_SHOWN]],
        "more": max(0, len(v.failures) - MAX_FAILURES_SHOWN),
    }


# --- formulas: LaTeX to MathML, here, so the page needs no script ------------------------

_UNCONVERTED = re.compile(r"<m(?:i|o|n|text)[^>]*>\\[A-Za-z]+")
#: delimiters latex2mathml leaves as their command after \big, \Big, \bigl, ... (3.81)
_DELIMITERS = {"lVert": "&#x02016;", "rVert": "&#x02016;", "Vert": "&#x02016;", "|": "&#x02016;",
               "lvert": "|", "rvert": "|", "vert": "|", "langle": "&#x027E8;", "rangle": "&#x027E9;",
               "lfloor": "&#x0230A;", "rfloor": "&#x0230B;", "lceil": "&#x02308;", "rceil": "&#x02309;",
               "{": "{", "}": "}", "lbrace": "{", "rbrace": "}"}
_DELIMITER_MO = re.compile(r"(<mo[^>]*>)\\(" + "|".join(re.escape(k) for k in _DELIMITERS) + r")(</mo>)")
_MTEXT = re.compile(r"(<mtext[^>]*>)(.*?)(</mtext>)", re.S)
#: LaTeX's standard operator names that latex2mathml (3.81) does not know, as the \operatorname it does
_OPERATORS = re.compile(r"\\(arg)(?![A-Za-z])")


@functools.lru_cache(maxsize=8192)  # a course's formulas repeat for every student a worker grades
def latex_to_mathml(tex: str, display: bool = False) -> str:
    """``tex`` (the inside of ``$...$``, ``$$...$$`` or an environment) as a MathML element.

    Never raises: a formula that ``latex2mathml`` rejects, or that still holds a command it
    did not know (it would show as ``\\foo``), comes back as its escaped source in
    ``<code class="kit-tex">``, so a reader sees the formula as written, without dollars.
    """
    from latex2mathml.converter import convert

    tex_in = _OPERATORS.sub(r"\\operatorname{\1}", tex)
    try:
        mathml = convert(tex_in, display="block" if display else "inline")
    except Exception:  # latex2mathml raises its own exception types, and IndexError etc. on bad input
        mathml = None
    if mathml is not None:
        mathml = _DELIMITER_MO.sub(lambda m: m.group(1) + _DELIMITERS[m.group(2)] + m.group(3), mathml)
    if mathml is None or _UNCONVERTED.search(mathml):
        return f'<code class="kit-tex">{html.escape(tex.strip(), quote=False)}</code>'
    # latex2mathml copies \text{...} verbatim: escape what HTML would read as a tag
    mathml = _MTEXT.sub(lambda m: m.group(1) + m.group(2).replace("<", "&lt;").replace(">", "&gt;") + m.group(3),
                        mathml)
    # HTML knows <math> without a namespace; with one, nbconvert's heading anchors (an XML
    # parser) would rename it ns0:math, which no browser draws
    return mathml.replace(' xmlns="http://www.w3.org/1998/Math/MathML"', "", 1)


@functools.cache
def _renderer_class():
    from nbconvert.filters.markdown_mistune import IPythonRenderer

    class MathMLRenderer(IPythonRenderer):
        """nbconvert's markdown renderer, with every kind of formula it finds drawn as MathML."""

        def block_math(self, body: str) -> str:
            return latex_to_mathml(body, display=True)

        def inline_math(self, body: str) -> str:
            return latex_to_mathml(body, display=False)

        def latex_environment(self, name: str, body: str) -> str:
            return latex_to_mathml(f"\\begin{{{name}}}{body}\\end{{{name}}}", display=True)

        def multiline_math(self, text: str) -> str:  # mistune 2 only: the whole $$...$$ block
            inner = text.strip()
            for left, right in (("$$", "$$"), ("\\[", "\\]")):
                if inner.startswith(left) and inner.endswith(right):
                    return latex_to_mathml(inner[len(left):-len(right)], display=True)
            return latex_to_mathml(inner, display=True)

    return MathMLRenderer


def markdown_to_html(source: str, **renderer_options) -> str:
    """Markdown (a notebook's markdown cell, a comment) as HTML, formulas as MathML.

    ``renderer_options`` are nbconvert's ``IPythonRenderer`` options (attachments, path,
    anchor links). Raises nbconvert's ``InvalidNotebook`` when the markdown shows an
    ``attachment:`` image that the cell does not carry, as nbconvert does.
    """
    from nbconvert.filters.markdown_mistune import MarkdownWithMath

    return sanitize_html(MarkdownWithMath(renderer=_renderer_class()(escape=False, **renderer_options)).render(source))


# --- what a student's notebook puts on the page --------------------------------------------
#
# Markdown cells that are not locked, and every output, come from the student's notebook: a
# ``display(HTML("<script>...<img src=http://...>"))`` or a ``<script>`` in a markdown cell would
# reach the page as it is. The page promises no script and nothing loaded, so every piece of
# HTML from a notebook goes through bleach (the sanitiser nbconvert itself depends on) with an
# allow-list: text, lists, tables, images, code and MathML; no event handler; an image only from
# a data: URI or a relative path; a link only to http(s), mailto or an anchor.

#: elements a notebook's HTML may keep on the page (text, tables, images, code) ...
_HTML_TAGS = frozenset("""a abbr acronym b blockquote br caption center cite code col colgroup dd del details
    dfn div dl dt em figcaption figure font h1 h2 h3 h4 h5 h6 hr i img ins kbd li mark ol p pre q s samp small
    span strong sub summary sup table tbody td tfoot th thead tr tt u ul var""".split())
#: ... and MathML, which formulas are drawn as (latex2mathml's output and a notebook's own)
_MATHML_TAGS = frozenset("""math maction annotation menclose merror mfenced mfrac mi mmultiscripts mn mo mover
    mpadded mphantom mprescripts mroot mrow ms mspace msqrt mstyle msub msubsup msup mtable mtd mtext mtr
    munder munderover none semantics""".split())
#: attributes that load something or run something, on any element
_NEVER = frozenset({"srcset", "action", "formaction", "background", "poster", "ping", "xlink:href", "lowsrc",
                    "dynsrc", "data", "codebase"})
#: what a style attribute may set (bleach's CSS sanitiser drops every other property)
_CSS_PROPERTIES = ("text-align", "vertical-align", "color", "background-color", "font-weight", "font-style",
                   "font-size", "font-family", "text-decoration", "white-space", "width", "height", "max-width",
                   "margin", "margin-left", "margin-right", "padding", "border", "border-collapse")
_SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.I | re.S)
_CLEANER = None


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    name = name.lower()
    if name.startswith("on") or name in _NEVER:
        return False
    v = value.strip().lower()
    if name == "src":
        relative = not v.startswith("//") and ":" not in v.split("/", 1)[0]
        return tag == "img" and (v.startswith("data:image/") or relative)
    if name == "href":
        return tag == "a" and v.startswith(("#", "http://", "https://", "mailto:"))
    return True


def sanitize_html(fragment: str) -> str:
    """``fragment`` (HTML from a notebook: a markdown cell rendered, an output) with nothing that
    runs or loads: no script or style element (removed with their text), no element outside an
    allow-list of text, table, image, code and MathML elements (the tag is dropped, its text
    kept), no event-handler attribute, an ``img`` only from a data: URI or a relative path, a link
    only to http(s), mailto or an anchor, and only layout and colour properties in a style.
    Uses bleach (https://github.com/mozilla/bleach), nbconvert's own sanitiser. Never raises
    for any text."""
    global _CLEANER
    if _CLEANER is None:
        import bleach
        from bleach.css_sanitizer import CSSSanitizer

        _CLEANER = bleach.Cleaner(tags=_HTML_TAGS | _MATHML_TAGS, attributes=_allowed_attribute,
                                  protocols=["http", "https", "mailto", "data"], strip=True, strip_comments=True,
                                  css_sanitizer=CSSSanitizer(allowed_css_properties=_CSS_PROPERTIES))
    if "<" not in fragment:
        return fragment
    return _CLEANER.clean(_SCRIPT_OR_STYLE.sub("", fragment))


#: output types that are code to run in the page (a JavaScript display, a widget's view): not shown
_ACTIVE_MIMES = ("application/javascript", "text/javascript", "application/vnd.jupyter.widget-view+json",
                 "application/vnd.jupyter.widget-state+json")
ACTIVE_OUTPUT_NOTE = "[an interactive output (JavaScript or a widget): not shown in this page]"


def inert_outputs(nb) -> None:
    """Make every output of ``nb`` safe for a page with no script, in place: HTML outputs
    sanitised (:func:`sanitize_html`), an SVG drawing shown as an image (where its scripts and
    links do nothing), JavaScript and widget views left out (a note says so when nothing else
    of the output remains), and the notebook's saved widget state dropped (nbconvert's template
    would load the widget library from the network to draw it). Markdown and LaTeX outputs go
    through :func:`markdown_to_html` when the page is drawn."""
    import base64

    nb.get("metadata", {}).pop("widgets", None)
    for cell in nb.get("cells", []):
        for o in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            data = o.get("data")
            if not isinstance(data, dict):
                continue
            for mime in _ACTIVE_MIMES:
                data.pop(mime, None)
            svg = data.pop("image/svg+xml", None)
            if isinstance(svg, list):
                svg = "".join(svg)
            if isinstance(svg, str) and not any(m.startswith("image/") for m in data) and "text/html" not in data:
                uri = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
                data["text/html"] = f'<img src="{uri}" alt="a drawing (SVG) from your notebook">'
            elif "text/html" in data:
                text = data["text/html"]
                data["text/html"] = sanitize_html("".join(text) if isinstance(text, list) else str(text))
            if not data:
                data["text/plain"] = ACTIVE_OUTPUT_NOTE


# --- paths of the grading machine --------------------------------------------------------

_ANSI_CODE = re.compile(r"(\x1b\[[0-9;]*[A-Za-z])")
_PATH_END = r"(?![\w.+-])"
_START = r"(?<![\w.>~-])"  # an absolute path starts here, not inside a name or a replaced path
_SEG = r"(?:/[\w.+@~-]+)"
#: before this machine's own folders: a whole path that one of them would only shorten
_GENERIC_FIRST = [
    # anything installed: .../lib/python3.11/site-packages/numpy/... -> <python packages>/numpy/...
    (re.compile(_START + _SEG + r"*/(?:site|dist)-packages" + _PATH_END), "<python packages>"),
    # the worker's scratch folder (worker.py's mkdtemp "grade-<student>-"): unsandboxed, the home
    (re.compile(_START + _SEG + r"*/grade-[^\s/'\"\x1b]+" + _PATH_END), "~"),
]
#: after them: the same kinds of folder on any other machine
_GENERIC_LAST = [
    (re.compile(_START + _SEG + r"*/lib/python3(?:\.\d+)?" + _PATH_END), "<python>"),
    (re.compile(_START + r"/home/[\w.+@-]+" + _PATH_END), "~"),
    (re.compile(_START + r"/root" + _PATH_END), "~"),
    (re.compile(_START + r"/tmp" + _PATH_END), "<tmp>"),
]


@functools.lru_cache(maxsize=1)
def _known_paths() -> tuple[re.Pattern, dict[str, str]]:
    """One pattern matching this machine's own folders (longest first), and each one's neutral name."""
    from .. import course

    named: dict[str, str] = {}

    def add(path, name):
        if path:
            for p in {str(path).rstrip("/"), os.path.realpath(str(path)).rstrip("/")}:
                if len(p) > 1:
                    named.setdefault(p, name)

    paths = sysconfig.get_paths()
    for key in ("purelib", "platlib"):
        add(paths.get(key), "<python packages>")
    add(paths.get("stdlib"), "<python>")
    add(paths.get("platstdlib"), "<python>")
    add(sys.prefix, "<python env>")
    add(sys.base_prefix, "<python>")
    add(course.REPO, "<course>")
    add(os.path.expanduser("~"), "~")
    ordered = sorted(named, key=len, reverse=True)
    return re.compile(_START + "(" + "|".join(map(re.escape, ordered)) + ")" + _PATH_END), named


def neutral_paths(text: str) -> str:
    """``text`` with the grading machine's folders replaced by neutral names.

    Anything under a ``site-packages`` folder becomes ``<python packages>/...``, the
    virtual environment ``<python env>``, the Python installation ``<python>``, the course
    folder ``<course>``, the sandbox's home (``/home/student``), the worker's scratch
    folder and any home folder ``~``, and ``/tmp`` ``<tmp>``. What follows a folder (a
    file name, a line number) is kept, so a traceback still says which file and line;
    names that are not absolute paths (``Cell In[3], line 2``) are left alone.
    """
    if "/" not in text:
        return text
    if "\x1b" in text:  # a coloured traceback: paths lie between the colour codes
        return "".join(part if _ANSI_CODE.fullmatch(part) else neutral_paths(part) for part in _ANSI_CODE.split(text))
    for pattern, name in _GENERIC_FIRST:
        text = pattern.sub(name, text)
    known, names = _known_paths()
    text = known.sub(lambda m: names[m.group(1)], text)
    for pattern, name in _GENERIC_LAST:
        text = pattern.sub(name, text)
    return text


def _neutral(value):
    if isinstance(value, str):
        return neutral_paths(value)
    if isinstance(value, list) and all(isinstance(x, str) for x in value):
        return [neutral_paths(x) for x in value]
    return value


# --- the page's layout: exercise names, verdict blocks -----------------------------------

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.M)
_FENCED = re.compile(r"^\s{0,3}(```|~~~).*?^\s{0,3}\1", re.M | re.S)  # a "# comment" there is no heading
_CHECKED = re.compile(r"""HiddenTest\(\s*["']([\w.]+)["']|check_function\(\s*([A-Za-z_][\w.]*)""")


def _text(source) -> str:
    return "".join(source) if isinstance(source, list) else str(source or "")


def _inline_html(md: str) -> str:
    """A heading's text as inline HTML: code spans and formulas kept, other markup dropped."""
    out = []
    for part in re.split(r"(`[^`]+`|\$[^$]+\$)", md):
        if part.startswith("`") and part.endswith("`") and len(part) > 1:
            out.append(f"<code>{html.escape(part[1:-1], quote=False)}</code>")
        elif part.startswith("$") and part.endswith("$") and len(part) > 1:
            out.append(latex_to_mathml(part[1:-1]))
        else:
            out.append(html.escape(re.sub(r"[*_]{2}|(?<!\w)[*_]|[*_](?!\w)", "", part), quote=False))
    return "".join(out)


def exercise_titles(cells: list) -> dict[str, str]:
    """For each graded cell's ``grade_id``, what the cell is, as inline HTML a student recognises.

    The exercise is named by the notebook's last heading above the cell (of the last markdown cell with
    headings, the one that names the cell's function if one does); the functions it
    checks (its ``HiddenTest("...")`` names, or without hidden tests its ``check_function(...)`` calls) are
    added when that heading does not name them. Without either, the ``grade_id`` in words (``test_L1`` -> "test L1"). Two cells that would read the same
    are told apart by their ``grade_id``.
    """
    titles: dict[str, str] = {}
    headings: list[str] = []      # the headings of the last markdown cell that has any
    for cell in cells:
        meta = cell.get("metadata", {})
        nbg = meta.get("nbgrader", {})
        if cell.get("cell_type") == "markdown":
            found = _HEADING.findall(_FENCED.sub("", _text(cell.get("source"))))
            if found:
                headings = found
        if not (nbg.get("grade") or nbg.get("task")) or not nbg.get("grade_id"):
            continue
        hidden, visible = [], []
        for a, b in _CHECKED.findall(_text(cell.get("source"))):
            # check_function(functools.partial(outcome, f), ...) names no function itself
            names = hidden if a else visible
            if (a or b) not in names and (a or b).split(".")[-1] != "partial":
                names.append(a or b)
        # the hidden tests name what the cell grades; a visible check of another function (5/07's
        # one_step_attention cell re-checks masked_softmax to say which exercise to fix first) does not
        names = hidden or visible
        # one markdown cell may introduce several exercises ("Exercise 2 - verify", "Exercise 3 - who_is_it"):
        # the heading that names this cell's function, else the last one
        heading = next((h for h in reversed(headings) for n in names
                        if re.search(rf"(?<!\w){re.escape(n)}(?!\w)", re.sub(r"[`*]", "", h))),
                       headings[-1] if headings else None)
        plain_heading = re.sub(r"[`*]", "", heading or "")
        missing = [n for n in names if not re.search(rf"(?<!\w){re.escape(n)}(?!\w)", plain_heading)]
        if heading and missing:
            title = _inline_html(heading) + " — checks " + ", ".join(f"<code>{html.escape(n)}</code>" for n in missing)
        elif heading:
            title = _inline_html(heading)
        elif names:
            title = "checks " + ", ".join(f"<code>{html.escape(n)}</code>" for n in names)
        else:
            title = html.escape(nbg["grade_id"].replace("_", " ").strip())
        titles[nbg["grade_id"]] = title
    seen: dict[str, int] = {}
    for t in titles.values():
        seen[t] = seen.get(t, 0) + 1
    return {gid: (t if seen[t] == 1 else f"{t} (<code>{html.escape(gid)}</code>)") for gid, t in titles.items()}


def _points(x) -> str:
    x = float(x or 0)
    return f"{x:g}"


def _verdict_block(cell: dict) -> dict:
    """What the grader's verdict block under a graded cell says: outcome, headline, reason lines."""
    from ..preprocessors import HIDDEN_NOTICE, hidden_lines, strip_ansi

    meta = cell["metadata"]
    nbg = meta["nbgrader"]
    score, points = float(nbg.get("score") or 0), float(nbg.get("points") or 0)
    v = meta.get(VERDICT_KEY)
    errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    ran = cell.get("execution_count") is not None or bool(cell.get("outputs"))
    lines: list[str] = []
    error_lines = []
    if errors:  # the first error the cell raised, as the student's kernel reported it
        e = errors[0]
        message = strip_ansi(str(e.get("evalue") or "")).strip().splitlines()
        if len(message) > MAX_ERROR_LINES:
            message = message[:MAX_ERROR_LINES] + ["..."]
        error_lines = [f"  {e.get('ename')}: " + "\n  ".join(message)]
    # the same order of reasons as the worker's scores (worker.py: _score_notebook)
    if v and not v.get("passed") and v.get("recorded"):
        lines.append(f"{len(v['failures']) + v.get('more', 0)} of {v['count']} hidden check(s) failed:")
        lines += ["  " + f.replace("\n", "\n  ") for f in v["failures"]]
        if v.get("more"):
            lines.append(f"  ... and {v['more']} more")
        if error_lines:
            lines += ["The cell also stopped with an error in your notebook:"] + error_lines
    elif error_lines:
        lines += ["This cell stopped with an error in your notebook, so its hidden checks did not run:"] + error_lines
        if v and v.get("count"):
            lines.append(f"{v['count']} hidden check(s) not run. The whole error is below, in your notebook's output.")
    elif v is None and not ran:
        lines.append("This cell did not run: the run of your notebook ended before it "
                     "(see the problems listed with your grade).")
    elif v is None:
        lines.append("The grader did not judge this cell's hidden tests (see the problems listed with your grade).")
    elif v.get("passed"):
        lines.append(f"All {v['count']} hidden check(s) passed, judged outside your notebook.")
    elif v.get("count") and not v.get("recorded"):
        lines.append("The cell ran but its hidden tests recorded nothing: code in the notebook kept the tests "
                     "from running.")
    else:
        lines.append(f"{len(v['failures']) + v.get('more', 0)} of {v['count']} hidden check(s) failed:")
        lines += ["  " + f.replace("\n", "\n  ") for f in v["failures"]]
    if (points > 0 and score >= points) or (points == 0 and v is not None and v.get("passed") and not errors):
        outcome = "passed"
    elif score > 0:
        outcome = "partial"
    else:
        outcome = "failed"
    unit = "point" if points == 1 else "points"
    headline = f"Grader: {outcome} — {_points(score)} / {_points(points)} {unit}"
    # as HideHiddenTests treats what a cell printed: a line quoting hidden-test source is withheld
    secret = [ln.strip() for ln in hidden_lines(_text(cell.get("source"))) if len(ln.strip()) >= 4]
    reason = "\n".join(HIDDEN_NOTICE if any(x in ln for x in secret) else ln for ln in "\n".join(lines).splitlines())
    return {"outcome": outcome, "headline": headline, "reason": neutral_paths(reason)}


def _is_verdict_output(output: dict, cell: dict) -> bool:
    v = cell["metadata"].get(VERDICT_KEY)
    return (v is not None and output.get("output_type") == "stream" and output.get("name") == "stdout"
            and _text(output.get("text")).startswith("Grader: "))


def lay_out(nb) -> None:
    """Prepare an autograded notebook for the ``student_feedback`` template, in place.

    Each graded cell gets ``metadata.feedback = {"title", "verdict": {"outcome",
    "headline", "reason"}}`` and loses the plain-text copy of the verdict that
    :func:`attach_verdict` appended (the template draws the verdict first instead); every
    text output has the grading machine's paths replaced (:func:`neutral_paths`).
    Call it before hidden tests are removed: titles read the test's name from the source.
    """
    titles = exercise_titles(nb.cells)
    for cell in nb.cells:
        nbg = cell.get("metadata", {}).get("nbgrader", {})
        graded = bool(nbg.get("grade") and nbg.get("grade_id"))
        if cell.get("cell_type") == "code":
            outs = cell.get("outputs", [])
            if graded and outs and _is_verdict_output(outs[-1], cell):
                outs.pop()
            for o in outs:
                for key in ("text", "evalue", "traceback"):
                    if key in o:
                        o[key] = _neutral(o[key])
                if isinstance(o.get("data"), dict):
                    for mime in list(o["data"]):
                        if mime.startswith("text/"):  # text/plain, text/html, text/markdown, text/latex
                            o["data"][mime] = _neutral(o["data"][mime])
        if graded or (nbg.get("task") and nbg.get("grade_id")):
            fb = {"title": titles.get(nbg["grade_id"], html.escape(nbg["grade_id"]))}
            if graded and cell.get("cell_type") == "code" and not nbg.get("solution"):
                fb["verdict"] = _verdict_block(cell)
            cell["metadata"]["feedback"] = fb


# --- the exporter --------------------------------------------------------------------------
#
# A worker renders one page per notebook for a whole class, and most of every page is the
# same for every student: the instructor's markdown and the locked and test cells. So the
# HTML of a markdown text and of a highlighted cell is kept per worker (keyed by its text
# and every option that changes it), and the exporter skips what nbconvert's HTMLExporter
# does after rendering (a BeautifulSoup parse and re-serialisation of the whole page, to
# add tab stops to JupyterLab's markup, which this classic page does not have, and alt
# texts, which :func:`_image_alt_texts` adds here).

_EXPORTER = None
#: what an image with no description of its own says to a screen reader (nbconvert's words)
IMAGE_ALT = "No description has been provided for this image"
_IMG_WITHOUT_ALT = re.compile(r"<img\b(?![^>]*\salt=)", re.I)


@functools.lru_cache(maxsize=4096)
def _markdown_cached(source: str, path: str, embed_images: bool, anchor_link_text: str,
                     exclude_anchor_links: bool, lexer_options: tuple) -> str:
    return markdown_to_html(source, attachments={}, embed_images=embed_images, path=path,
                            anchor_link_text=anchor_link_text, exclude_anchor_links=exclude_anchor_links,
                            **dict(lexer_options))


@functools.lru_cache(maxsize=16)
def _highlighter(lexer):
    """nbconvert's highlighter for a notebook whose kernel's lexer is ``lexer`` (None: IPython 3)."""
    from nbconvert.filters.highlight import Highlight2HTML

    return Highlight2HTML(pygments_lexer=lexer, parent=_exporter())


@functools.lru_cache(maxsize=4096)
def _highlight_cached(lexer, source: str, language, magics_language) -> str:
    return _highlighter(lexer)(source, language, {"magics_language": magics_language} if magics_language else None)


def _image_alt_texts(page: str) -> str:
    """Every ``<img>`` of the page without an ``alt`` gets :data:`IMAGE_ALT`, as nbconvert's
    HTMLExporter does. In text the page shows, ``<`` is escaped, so only real tags match."""
    return _IMG_WITHOUT_ALT.sub(f'<img alt="{IMAGE_ALT}"', page)


def _exporter():
    global _EXPORTER
    if _EXPORTER is None:
        import jinja2
        from nbconvert.exporters import HTMLExporter, TemplateExporter
        from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
        from traitlets.config import Config

        class FeedbackExporter(HTMLExporter):
            """nbconvert's HTML exporter whose markdown filter draws formulas as MathML, which
            keeps the HTML of texts and cells that repeat from page to page, and which does not
            parse its own page again (see above)."""

            @jinja2.pass_context
            def markdown2html(self, context, source):
                cell = context.get("cell", {})
                path = context.get("resources", {}).get("metadata", {}).get("path", "")
                options = dict(embed_images=self.embed_images, anchor_link_text=self.anchor_link_text,
                               exclude_anchor_links=self.exclude_anchor_links)
                if cell.get("attachments"):  # a student's pasted image: this cell's alone
                    return markdown_to_html(source, attachments=cell["attachments"], path=path, **options,
                                            **self.lexer_options)
                return _markdown_cached(source, path, lexer_options=tuple(sorted(self.lexer_options.items())),
                                        **options)

            def _preprocess(self, nb, resources):
                # nb is already this render's own copy (Exporter.from_notebook_node made it) and
                # was validated when it was read: no second copy, no validation per preprocessor
                for preprocessor in self._preprocessors:
                    nb, resources = preprocessor(nb, resources)
                return nb, resources

            def from_notebook_node(self, nb, resources=None, **kw):
                langinfo = nb.metadata.get("language_info", {})
                lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))

                def highlight_code(source, language=None, metadata=None):
                    return _highlight_cached(lexer, source, language, (metadata or {}).get("magics_language"))

                resources = self._init_resources(resources)
                self.register_filter("highlight_code", highlight_code)
                self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                    notebook_metadata=self._nb_metadata, parent=self, resources=resources))
                page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
                return _image_alt_texts(page), resources

        c = Config()
        c.FeedbackExporter.template_name = TEMPLATE_NAME
        c.FeedbackExporter.extra_template_basedirs = [str(TEMPLATES)]
        # nbconvert's default preprocessors are all disabled, yet each one is run and the
        # notebook validated after it; the template's own (pygments' CSS) is all this page uses
        c.FeedbackExporter.default_preprocessors = []
        _EXPORTER = FeedbackExporter(config=c)
    return _EXPORTER


def render_feedback(nb_json: str, stem: str, score: float, max_score: float) -> str:
    """The feedback page of an autograded notebook (JSON text), as one self-contained HTML file.

    ``stem`` names the notebook on the page; ``score`` and ``max_score`` are its total.
    Hidden tests are removed, the verdict leads each graded cell, formulas are MathML, and
    the grading machine's paths are replaced (see the module's docstring). The page has
    no script and loads nothing. Raises what ``nbformat.reader.reads`` raises for JSON that is not
    a notebook, and ``jinja2``/``nbconvert`` errors if the template is missing.
    """
    from ..preprocessors import HideHiddenTests

    # the worker built this JSON itself from checked cells: read, not validated against the schema
    nb = nbformat.reader.reads(nb_json)
    lay_out(nb)
    inert_outputs(nb)
    resources = {"nbgrader": {"notebook": stem, "score": score, "max_score": max_score, "late_penalty": 0},
                 # text, not an attribute: only <, > and & need escaping (the template does not escape it)
                 "feedback": {"own_output_label": html.escape(OWN_OUTPUT_LABEL, quote=False)}}
    nb, resources = HideHiddenTests().preprocess(nb, resources)
    page, _ = _exporter().from_notebook_node(nb, resources=resources)
    return page
