"""Progress bars for long loops, silenced while nbgrader grades.

nbgrader sets ``NBGRADER_EXECUTION`` while it executes notebooks; a progress bar there
only fills the log, so :func:`progress_range` turns it off.
"""

from __future__ import annotations

import os

__all__ = ["progress_range", "grading"]


def grading() -> bool:
    """True while nbgrader executes the notebook (autograde or validate)."""
    return bool(os.environ.get("NBGRADER_EXECUTION"))


def progress_range(n: int, *, enabled: bool = True, desc: str | None = None):
    """``range(n)`` with a tqdm progress bar when ``enabled`` and not grading.

    Arguments: n -- number of iterations; enabled -- show the bar at all; desc -- its label.
    Returns: ``range(n)``, or a tqdm iterator over it (the same numbers 0 .. n - 1).
    """
    if not enabled or grading():
        return range(n)
    from tqdm.auto import tqdm

    return tqdm(range(n), desc=desc, leave=False)
