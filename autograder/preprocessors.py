"""nbgrader preprocessors the kit adds to nbgrader's own pipelines (see course.py)."""

from __future__ import annotations

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
