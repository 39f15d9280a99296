"""No text the kit ships holds a control character.

The instance: an edit to 1/02's markdown went through a Python string that was not raw, so the
``\\f`` of ``\\frac`` became a form feed and the ``\\a`` of ``\\approx`` a bell. The formula showed as
"rac1m X' dZ^T" and "255^2 pprox 65,000", in JupyterLab and on the feedback page, and every other
check passed: the formula still converted, to the wrong text. The kind: any C0 control character
(other than tab, newline and carriage return) in a tracked text file, a notebook's cell sources
included, which is what a non-raw ``"\\b"``, ``"\\v"``, ``"\\f"`` or ``"\\a"`` leaves behind.
"""

from __future__ import annotations

import json
import re
import subprocess

from helpers import REPO, SOURCE, read

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
TEXT = (".py", ".md", ".ipynb", ".json", ".toml", ".yml", ".yaml", ".txt", ".cfg", ".csv", ".html", ".css", ".js",
        ".sh", "Makefile", "run")
NAMES = {"\x07": "\\a (bell)", "\x08": "\\b (backspace)", "\x0b": "\\v (vertical tab)", "\x0c": "\\f (form feed)"}


def control_characters(text: str) -> list[str]:
    """Each control character of ``text`` as 'line N: <name> before "<next characters>"'."""
    found = []
    for m in CONTROL.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        name = NAMES.get(m.group(), f"\\x{ord(m.group()):02x}")
        found.append(f"line {line}: {name} before {text[m.end():m.end() + 12]!r}")
    return found


def test_the_detector_names_the_escape_a_string_lost():
    assert control_characters("a\n$\x0crac1m$ and $\x07pprox$") == [
        "line 2: \\f (form feed) before 'rac1m$ and $'", "line 2: \\a (bell) before 'pprox$'"]
    assert control_characters("tab\tnewline\ncr\r\n") == []


def test_no_tracked_text_file_holds_a_control_character():
    # -z: names end with NUL, so a path with a space (or a quoted non-ASCII name) is read whole
    listing = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    files = [name for name in listing.split("\0") if name]
    problems = {}
    for name in files:
        path = REPO / name
        if not name.endswith(TEXT) or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if name.endswith(".ipynb"):  # JSON escapes them ("\f", "\u0007"): look at the cells' text itself
            cells = json.loads(text)["cells"]
            found = [f"cell {i} {p}" for i, c in enumerate(cells)
                     for p in control_characters("".join(c["source"]) if isinstance(c["source"], list) else c["source"])]
        else:
            found = control_characters(text)
        if found:
            problems[name] = found
    assert problems == {}, f"control characters (a non-raw string's escape?): {problems}"


def test_the_instance_1_02_draws_its_formulas():
    cell = read(SOURCE / "1_neural_networks" / "02_logistic_regression.ipynb").cells[6].source
    assert "$dw' = \\frac1m X' dZ^T = \\frac1c \\cdot \\frac1m X dZ^T = dw / c$" in cell
    assert "$c^2 = 255^2 \\approx 65\\,000$" in cell
