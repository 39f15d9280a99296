"""Drawing detections on pictures: boxes with their class and score, a YOLO grid (Track 4, notebook 05).

Boxes are ``(x1, y1, x2, y2)`` corners in pixels, ``x`` the column (the convention of
:mod:`course_utils.data.scenes`). ``imshow`` puts pixel ``(row, col)`` at the square centred on ``(col, row)``, so
a pixel box ``x1 <= col < x2`` runs from ``x1 - 0.5`` to ``x2 - 0.5`` on the axes; the functions here shift by
that half pixel, so drawn boxes sit exactly on the pixels they cover.
"""

from __future__ import annotations

import numpy as np

__all__ = ["CLASS_COLOURS", "draw_boxes", "draw_grid"]

#: One colour per class of :data:`course_utils.data.scenes.CLASSES` (circle, square, triangle).
CLASS_COLOURS = ("tab:red", "tab:blue", "gold")


def draw_boxes(ax, boxes, classes=None, scores=None, class_names=None, colour=None, linestyle="-", linewidth=1.5,
               fontsize=7):
    """Draw boxes on an axes that shows a picture with ``imshow``.

    Arguments: ax -- a matplotlib axes; boxes -- ``(k, 4)`` corners in pixels; classes -- ``(k,)`` integers or
        None (colours and labels by class); scores -- ``(k,)`` or None (written beside the class); class_names --
        names of the classes (default the scenes' CLASSES); colour -- one colour for every box (default by class);
        linestyle, linewidth, fontsize -- matplotlib's.
    Returns: the list of Rectangle patches added (k of them).
    Raises: ValueError if boxes is not ``(k, 4)``.
    """
    from matplotlib.patches import Rectangle

    from course_utils.data.scenes import CLASSES

    boxes = np.asarray(boxes, dtype=float).reshape(-1, 4) if np.size(boxes) == 0 else np.asarray(boxes, dtype=float)
    if boxes.ndim != 2 or boxes.shape[1] != 4:
        raise ValueError(f"draw_boxes: boxes must be (k, 4) corners (x1, y1, x2, y2), got shape {boxes.shape}")
    names = CLASSES if class_names is None else class_names
    patches = []
    for i, (x1, y1, x2, y2) in enumerate(boxes):
        c = None if classes is None else int(np.asarray(classes).reshape(-1)[i])
        edge = colour or (CLASS_COLOURS[c % len(CLASS_COLOURS)] if c is not None else "white")
        patch = Rectangle((x1 - 0.5, y1 - 0.5), x2 - x1, y2 - y1, fill=False, edgecolor=edge, linestyle=linestyle,
                          linewidth=linewidth)
        ax.add_patch(patch)
        patches.append(patch)
        text = [] if c is None else [str(names[c])]
        if scores is not None:
            text.append(f"{float(np.asarray(scores).reshape(-1)[i]):.2f}")
        if text:
            ax.text(x1 - 0.5, y1 - 0.8, " ".join(text), color="black", fontsize=fontsize, va="bottom",
                    bbox={"facecolor": edge, "alpha": 0.7, "pad": 0.5, "edgecolor": "none"})
    return patches


def draw_grid(ax, image_size, grid_size, colour="white", linewidth=0.8):
    """Draw the lines of an ``S_H x S_W`` grid of cells over an ``n_H x n_W`` picture shown with ``imshow``.

    Arguments: ax -- a matplotlib axes; image_size -- ``(n_H, n_W)`` pixels; grid_size -- ``(S_H, S_W)`` cells;
        colour, linewidth -- matplotlib's.
    Returns: None.
    """
    n_H, n_W = image_size
    S_H, S_W = grid_size
    for r in range(1, int(S_H)):
        ax.axhline(r * n_H / S_H - 0.5, color=colour, linewidth=linewidth, linestyle="--")
    for c in range(1, int(S_W)):
        ax.axvline(c * n_W / S_W - 0.5, color=colour, linewidth=linewidth, linestyle="--")
