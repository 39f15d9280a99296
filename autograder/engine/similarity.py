"""Similarity across a class: which students' answers to the same exercise share code.

For each exercise (a solution cell, by its nbgrader ``grade_id``, e.g. ``L_model_forward``),
every two students' answers are compared with copydetect
(https://github.com/blingenf/copydetect, MIT licence):

- **Names and whitespace do not hide a copy.** copydetect tokenises the code with Pygments'
  Python lexer and replaces every variable, attribute and argument name with ``V``, every
  function name with ``F``, every class name with ``O`` and every string with ``S``, and drops
  whitespace and comments (``copydetect.utils.filter_code``). An answer whose names were all
  changed and which was re-indented and commented is the same text after that.
- **Fingerprints, as MOSS.** The tokenised code is cut into k-grams of :data:`NOISE`
  characters, hashed, and the hashes are selected by winnowing (Schleimer, Wilkerson and Aiken,
  "Winnowing: local algorithms for document fingerprinting", SIGMOD 2003: the method of
  Stanford's MOSS). Two answers' *shares* are the fractions of each one's fingerprinted code
  that is found in the other; the pair's score is the larger share, so a partial copy scores
  what it copied. A pair scores from 0 to 1 and is listed at :data:`THRESHOLD` or more.
- **The given scaffold is not a copy.** The release's text of the cell (the signature, the
  docstring, ``raise NotImplementedError()``) is copydetect's *boilerplate*: its fingerprints
  never count. An answer with nothing beyond the scaffold is "not answered".
- **Exercises too short to tell copies from honest work are excluded**, and the report says
  so: every correct ``sigmoid`` is ``1 / (1 + np.exp(-x))``, and after names are replaced two
  honest one-line answers are the same text. The rule: an exercise whose reference solution
  (the instructor's code between ``BEGIN SOLUTION`` and ``END SOLUTION``) has fewer than
  :data:`MIN_TOKENS` tokens (Pygments' tokens, without whitespace and comments) is excluded.
  The report also gives each exercise's median pair score, the class's own baseline.

:func:`similarity_report` reads either a results folder ``grade`` wrote (the solution cells of
its autograded notebooks, exactly what was graded, and its release) or a folder of submissions
(with the release to compare against), and writes ``similarity.html`` (the flagged pairs with
the shared code marked, and why each excluded exercise is excluded; template:
``autograder/templates/similarity_report/``) and ``similarity.csv`` (one row per flagged pair).
``grade`` writes both at the end of every run; ``python -m autograder similarity RESULTS`` writes
them again.

A score is a reason to look, not a verdict: code the course gives elsewhere (a helper from an
earlier notebook, an example in the text) is shared by honest students too.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import itertools
import json
import re
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from .. import course

#: k: the shortest run of tokenised code (characters; ``V`` stands for any name) that counts
#: as shared (copydetect's default noise threshold)
NOISE = 25
#: winnowing window: 1 keeps every k-gram's hash, so every shared run of NOISE characters is
#: found (copydetect's default: its guarantee threshold equals its noise threshold)
WINDOW = 1
#: a pair whose score (the larger share) is at least this is listed
THRESHOLD = 0.5
#: an exercise whose reference solution has fewer tokens than this is excluded
MIN_TOKENS = 30
#: pairs shown with their code in the HTML page (all of them are in the CSV)
MAX_SHOWN = 200
HTML_NAME, CSV_NAME = "similarity.html", "similarity.csv"
TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "similarity_report" / "index.html.j2"
CSV_FIELDS = ["notebook", "exercise", "student_a", "assignment_a", "student_b", "assignment_b", "score",
              "share_a", "share_b", "lines_a", "lines_b"]
_SOLUTION = re.compile(r"### BEGIN SOLUTION\n?(.*?)### END SOLUTION", re.S)


@dataclass
class Pair:
    """Two students' answers to one exercise that share code (``score`` >= the threshold).

    ``share_a``: the fraction of a's fingerprinted code found in b's (and ``share_b`` the
    other way); ``lines_a``: the lines of a's cell that hold the shared code ("12-18, 21";
    :func:`shared_lines`); ``marked_a``: a's cell as HTML with those lines in ``<mark>``.
    """

    notebook: str
    exercise: str
    a: tuple[str, str]          # (student, assignment)
    b: tuple[str, str]
    score: float
    share_a: float
    share_b: float
    lines_a: str
    lines_b: str
    marked_a: str = ""
    marked_b: str = ""

    def row(self) -> dict:
        return {"notebook": self.notebook, "exercise": self.exercise, "student_a": self.a[0],
                "assignment_a": self.a[1], "student_b": self.b[0], "assignment_b": self.b[1],
                "score": f"{self.score:.2f}", "share_a": f"{self.share_a:.2f}", "share_b": f"{self.share_b:.2f}",
                "lines_a": self.lines_a, "lines_b": self.lines_b}


@dataclass
class Exercise:
    """One solution cell across the class: how it was compared, or why it was not."""

    notebook: str
    exercise: str
    reference_tokens: int | None          # None: no reference solution found in the source
    excluded: str = ""                    # why it was not compared ("" if it was)
    answered: int = 0                     # answers with code beyond the release's scaffold
    not_answered: int = 0
    compared: int = 0                     # pairs compared
    scores: list[float] = field(default_factory=list)
    pairs: list[Pair] = field(default_factory=list)

    @property
    def baseline(self) -> float | None:
        """The median score of all pairs compared: what honest answers share in this class."""
        return statistics.median(self.scores) if self.scores else None


@dataclass
class SimilarityReport:
    """What :func:`similarity_report` found and wrote."""

    html: Path
    csv: Path
    exercises: list[Exercise]
    threshold: float
    min_tokens: int

    @property
    def pairs(self) -> list[Pair]:
        return [p for e in self.exercises for p in e.pairs]


# --- tokens and fingerprints ----------------------------------------------------------------

def solution_tokens(code: str) -> int:
    """How many tokens ``code`` has for Pygments' Python lexer, without whitespace and comments."""
    from pygments import lexers, token

    lexer = lexers.get_lexer_by_name("python")
    return sum(1 for kind, text in lexer.get_tokens(code)
               if text.strip() and kind not in token.Text and kind not in token.Comment)


def _fingerprint(code: str, boilerplate):
    from copydetect import CodeFingerprint

    return CodeFingerprint("cell.py", NOISE, WINDOW, boilerplate=boilerplate, fp=io.StringIO(code),
                           language="python")


def shared_lines(code: str, slices, scaffold: str | None) -> list[int]:
    """The lines of ``code`` (1-based) that hold shared code: at least half of a line's
    non-blank characters lie in copydetect's character ``slices`` (2 x N) and the line is not
    one of the release's own lines (``scaffold``: the signature and docstring it gave). A blank
    line between two such lines belongs to them."""
    given = {ln.strip() for ln in (scaffold or "").splitlines() if ln.strip()}
    inside = [False] * len(code)
    for start, end in zip(*slices):
        for i in range(max(0, int(start)), min(len(code), int(end))):
            inside[i] = True
    lines = code.split("\n")
    found, pos = [], 0
    for number, line in enumerate(lines, start=1):
        marks = [inside[pos + i] for i, ch in enumerate(line) if not ch.isspace()]
        if marks and 2 * sum(marks) >= len(marks) and line.strip() not in given:
            found.append(number)
        pos += len(line) + 1
    joined: list[int] = []
    for n in found:  # a blank line between two shared lines is part of the shared run
        if joined and all(not lines[m - 1].strip() for m in range(joined[-1] + 1, n)):
            joined.extend(range(joined[-1] + 1, n))
        joined.append(n)
    return joined


def line_ranges(numbers: list[int]) -> str:
    """[3, 4, 5, 7] -> "3-5, 7"."""
    runs = []
    for _, group in itertools.groupby(enumerate(numbers), key=lambda t: t[1] - t[0]):
        g = [n for _, n in group]
        runs.append(f"{g[0]}-{g[-1]}" if len(g) > 1 else str(g[0]))
    return ", ".join(runs)


def _marked(code: str, numbers: list[int]) -> str:
    """``code`` as HTML, the lines ``numbers`` in ``<mark>``."""
    import html

    chosen = set(numbers)
    return "\n".join(f"<mark>{html.escape(line)}</mark>" if n in chosen else html.escape(line)
                     for n, line in enumerate(code.split("\n"), start=1))


def compare_exercise(ex: Exercise, answers: dict[tuple[str, str], str], stub: str | None,
                     threshold: float = THRESHOLD) -> None:
    """Compare every two students' ``answers`` ({(student, assignment): cell text}) to ``ex``.

    Fills ``ex`` in: answered and not-answered counts, the pairs compared, their scores, and
    the pairs at ``threshold`` or more (most similar first). Two answers of the same student
    (the same notebook handed in as two assignments) are not compared.
    """
    import numpy as np
    from copydetect import compare_files

    boilerplate = np.array(sorted(_fingerprint(stub, None).hashes)) if stub else None
    prints = {}
    for who, code in sorted(answers.items()):
        fp = _fingerprint(code, boilerplate)
        if fp.hashes:
            prints[who] = fp
        else:
            ex.not_answered += 1
    ex.answered = len(prints)
    for a, b in itertools.combinations(sorted(prints), 2):
        if a[0] == b[0]:
            continue
        ex.compared += 1
        fa, fb = prints[a], prints[b]
        if not fa.hashes & fb.hashes:
            ex.scores.append(0.0)
            continue
        _, (share_a, share_b), (slices_a, slices_b) = compare_files(fa, fb)
        score = float(max(share_a, share_b))
        ex.scores.append(score)
        if score >= threshold:
            lines_a, lines_b = shared_lines(fa.raw_code, slices_a, stub), shared_lines(fb.raw_code, slices_b, stub)
            ex.pairs.append(Pair(ex.notebook, ex.exercise, a, b, score, float(share_a), float(share_b),
                                 line_ranges(lines_a), line_ranges(lines_b),
                                 _marked(fa.raw_code, lines_a), _marked(fb.raw_code, lines_b)))
    ex.pairs.sort(key=lambda p: (-p.score, p.a, p.b))


# --- reading the class -------------------------------------------------------------------------

def _solution_cells(nb: dict) -> dict[str, str]:
    """{grade_id: text} of a notebook's solution cells (the first cell of each id)."""
    cells = {}
    for c in nb.get("cells", []):
        md = c.get("metadata", {}).get("nbgrader", {}) if isinstance(c.get("metadata"), dict) else {}
        if isinstance(md, dict) and md.get("solution") and md.get("grade_id") and c.get("cell_type") == "code":
            src = c.get("source", "")
            cells.setdefault(md["grade_id"], "".join(src) if isinstance(src, list) else str(src))
    return cells


def _read_nb(path: Path) -> dict | None:
    try:
        nb = json.loads(course.notebook_text(path.read_bytes()))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    return nb if isinstance(nb, dict) and isinstance(nb.get("cells"), list) else None


def _from_results(out: Path) -> dict[tuple[str, str], dict[tuple[str, str], str]]:
    """{(notebook, exercise): {(student, assignment): cell text}} from a results folder's
    autograded notebooks (the solution cells as graded)."""
    answers: dict = {}
    for path in sorted((out / "course" / "autograded").glob("*/*/*.ipynb")):
        nb = _read_nb(path)
        if nb is None:
            continue
        student, assignment = path.parent.parent.name, path.parent.name
        for gid, text in _solution_cells(nb).items():
            answers.setdefault((path.stem, gid), {})[(student, assignment)] = text
    return answers


def _from_submissions(submissions: Path, source: Path) -> dict[tuple[str, str], dict[tuple[str, str], str]]:
    """The same from a submissions folder, read as ``grade`` reads it (``inventory.survey``)."""
    from .grade import catalogue
    from .inventory import survey

    subs, _ = survey(submissions, catalogue(source, submissions))
    answers: dict = {}
    for sub in subs:
        for name, path in sorted(sub.notebooks.items()):
            nb = _read_nb(path)
            if nb is None:
                continue
            for gid, text in _solution_cells(nb).items():
                answers.setdefault((Path(name).stem, gid), {})[(sub.student, sub.assignment)] = text
    return answers


def _stubs(release: list[Path], notebooks: set[str]) -> dict[tuple[str, str], str]:
    """{(notebook, exercise): the release's text of the solution cell}."""
    stubs: dict = {}
    for root in release:
        for stem in sorted(notebooks):
            for path in sorted(Path(root).glob(f"*/{stem}.ipynb")):
                nb = _read_nb(path)
                for gid, text in (_solution_cells(nb) if nb else {}).items():
                    stubs.setdefault((stem, gid), text)
    return stubs


def _references(source: Path, notebooks: set[str]) -> dict[tuple[str, str], str]:
    """{(notebook, exercise): the instructor's solution (between BEGIN and END SOLUTION)}."""
    refs: dict = {}
    for stem in sorted(notebooks):
        for path in sorted(Path(source).glob(f"*/{stem}.ipynb")):
            nb = _read_nb(path)
            for gid, text in (_solution_cells(nb) if nb else {}).items():
                m = _SOLUTION.search(text)
                refs.setdefault((stem, gid), m.group(1) if m else text)
    return refs


# --- the report ----------------------------------------------------------------------------------

def similarity_report(submissions_or_results: Path, out: Path | None = None, *, release: Path | None = None,
                      source: Path = course.SOURCE, threshold: float = THRESHOLD,
                      min_tokens: int = MIN_TOKENS) -> SimilarityReport:
    """Compare the class's answers per exercise; write ``similarity.html`` and ``similarity.csv``.

    ``submissions_or_results``: a folder ``grade`` wrote (it has ``course/autograded/``; its
    ``course/release/`` is the scaffold) or a folder of submissions in ``grade``'s layout.
    ``out``: where to write (default: the results folder; required for submissions).
    ``release``: the release folder (``<assignment>/<notebook>.ipynb``) for submissions; default:
    the kit's own builds (``build/course/release``, ``build/notebook-assignments/release``).
    ``source``: the instructor's notebooks, for the reference solutions' lengths.
    ``threshold``: the score from which a pair is listed; ``min_tokens``: exercises whose
    reference solution is shorter are excluded.

    Raises ``FileNotFoundError`` when the folder does not exist, or when submissions are given
    and no release is found; ``ValueError`` when submissions are given without ``out``.
    """
    path = Path(submissions_or_results)
    if not path.is_dir():
        raise FileNotFoundError(f"no such folder: {path}")
    if (path / "course" / "autograded").is_dir() or (path / "grades.csv").is_file():
        answers = _from_results(path)
        releases = [path / "course" / "release"]
        out = Path(out) if out else path
        kind = "results"
    else:
        if out is None:
            raise ValueError("similarity_report: give `out` (where to write) for a submissions folder")
        releases = [Path(release)] if release else [course.RELEASE_ROOT / "release",
                                                    course.NOTEBOOK_RELEASE_ROOT / "release"]
        if not any(r.is_dir() for r in releases):
            raise FileNotFoundError("no release to compare against (the scaffold students were given): build it "
                                    "with `python -m autograder release` or pass release=")
        answers = _from_submissions(path, Path(source))
        out = Path(out)
        kind = "submissions"
    notebooks = {nb for nb, _ in answers}
    stubs, refs = _stubs(releases, notebooks), _references(Path(source), notebooks)
    exercises = []
    for key in sorted(answers):
        ref = refs.get(key)
        ex = Exercise(key[0], key[1], solution_tokens(ref) if ref is not None else None)
        if ex.reference_tokens is not None and ex.reference_tokens < min_tokens:
            ex.excluded = (f"its reference solution has {ex.reference_tokens} tokens, fewer than {min_tokens}: "
                           "correct answers this short look alike")
        else:
            compare_exercise(ex, answers[key], stubs.get(key), threshold)
        exercises.append(ex)
    report = SimilarityReport(out / HTML_NAME, out / CSV_NAME, exercises, threshold, min_tokens)
    out.mkdir(parents=True, exist_ok=True)
    _write_csv(report)
    _write_html(report, path, kind, stubs)
    return report


def _write_csv(report: SimilarityReport) -> None:
    tmp = report.csv.with_suffix(".csv.tmp")
    with tmp.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=CSV_FIELDS)
        w.writeheader()
        w.writerows(p.row() for p in report.pairs)
    tmp.replace(report.csv)


def _write_html(report: SimilarityReport, folder: Path, kind: str, stubs: dict) -> None:
    from jinja2 import Environment
    from markupsafe import Markup

    env = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["pct"] = lambda v: "" if v is None else f"{100 * v:.0f}%"
    env.filters["marked"] = Markup  # _marked escaped the code; only <mark> is ours
    html = env.from_string(TEMPLATE.read_text(encoding="utf-8")).render(
        folder=folder.name, kind=kind, made=_dt.datetime.now().strftime("%Y-%m-%d %H:%M"), r=report,
        compared=[e for e in report.exercises if not e.excluded],
        excluded=[e for e in report.exercises if e.excluded],
        no_stub=[e for e in report.exercises if not e.excluded and (e.notebook, e.exercise) not in stubs],
        noise=NOISE, window=WINDOW, max_shown=MAX_SHOWN)
    tmp = report.html.with_suffix(".html.tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(report.html)

