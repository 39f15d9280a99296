"""Unit tests of course_utils.viz.detection: boxes land on the pixels they cover (imshow's half-pixel offset)."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_utils.viz.detection import CLASS_COLOURS, draw_boxes, draw_grid  # noqa: E402


def test_boxes_cover_their_pixels_and_are_coloured_by_class():
    fig, ax = plt.subplots()
    ax.imshow(np.zeros((8, 10)))
    patches = draw_boxes(ax, np.array([[2, 1, 5, 4], [0, 0, 10, 8]]), classes=[1, 2], scores=[0.9, 0.7])
    assert len(patches) == 2
    assert patches[0].get_xy() == (1.5, 0.5) and patches[0].get_width() == 3 and patches[0].get_height() == 3
    assert matplotlib.colors.same_color(patches[0].get_edgecolor(), CLASS_COLOURS[1])
    assert [t.get_text() for t in ax.texts] == ["square 0.90", "triangle 0.70"]
    assert draw_boxes(ax, np.zeros((0, 4))) == []
    draw_grid(ax, (8, 10), (2, 5))
    assert len(ax.lines) == 1 + 4
    with pytest.raises(ValueError, match=r"\(k, 4\)"):
        draw_boxes(ax, np.zeros((2, 3)))
    plt.close(fig)
