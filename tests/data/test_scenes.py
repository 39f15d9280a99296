"""Unit tests of course_utils.data.scenes: generated scenes with exact labels (Track 4, notebooks 05 and 06)."""

import numpy as np
import pytest

from course_utils.data.scenes import CLASSES, make_scenes
from course_utils.metrics.detection import iou_matrix


def test_a_fixed_seed_gives_these_scenes():
    s = make_scenes(3, seed=0)
    assert s.images.shape == (3, 32, 32, 3) and s.images.dtype == np.float32
    assert s.masks.shape == (3, 32, 32) and s.masks.dtype == np.int64
    assert s.boxes[0].tolist() == [[22.0, 14.0, 32.0, 24.0], [21.0, 2.0, 31.0, 12.0]]
    assert s.labels[0].tolist() == [2, 1] and [CLASSES[c] for c in s.labels[0]] == ["triangle", "square"]
    assert s.boxes[2].tolist()[0] == [2.0, 6.0, 10.0, 14.0] and s.labels[2].tolist() == [1, 1, 0]
    again = make_scenes(3, seed=0)
    assert np.array_equal(again.images, s.images) and np.array_equal(again.masks, s.masks)
    assert not np.array_equal(make_scenes(3, seed=1).images, s.images)


def test_boxes_are_the_tight_boxes_of_the_mask_pixels_and_labels_are_exact():
    s = make_scenes(40, size=(24, 40), objects=(1, 3), object_size=(6, 12), max_iou=0.0, seed=45)
    assert s.images.shape == (40, 24, 40, 3) and 0.0 <= s.images.min() and s.images.max() <= 1.0
    for mask, boxes, labels in zip(s.masks, s.boxes, s.labels):
        assert boxes.shape == (len(labels), 4) and 1 <= len(labels) <= 3
        assert set(np.unique(mask)) == {0} | {1 + int(c) for c in labels}
        for (x1, y1, x2, y2), c in zip(boxes.astype(int), labels):
            assert 0 <= x1 < x2 <= 40 and 0 <= y1 < y2 <= 24 and max(x2 - x1, y2 - y1) <= 12
            inside = mask[y1:y2, x1:x2] == 1 + c
            # with max_iou = 0 no object covers another, so every side of the box touches the object's pixels
            assert inside[0].any() and inside[-1].any() and inside[:, 0].any() and inside[:, -1].any()
            outside = (mask == 1 + c).copy()
            outside[y1:y2, x1:x2] = False
            assert not outside.any() or (labels == c).sum() > 1
        overlaps = iou_matrix(boxes, boxes)
        assert np.allclose(overlaps - np.diag(np.diag(overlaps)), 0.0)      # max_iou = 0: objects apart


def test_empty_scenes_and_bad_arguments():
    s = make_scenes(2, objects=(0, 0), seed=3)
    assert [b.shape for b in s.boxes] == [(0, 4), (0, 4)] and [l.shape for l in s.labels] == [(0,), (0,)]
    assert s.masks.max() == 0
    with pytest.raises(ValueError, match="m must be at least 1"):
        make_scenes(0)
    with pytest.raises(ValueError, match="at least 8 x 8"):
        make_scenes(1, size=(6, 32))
    with pytest.raises(ValueError, match="object_size"):
        make_scenes(1, object_size=(8, 40))
    with pytest.raises(RuntimeError, match="could not place"):
        make_scenes(1, size=(8, 8), objects=(5, 5), object_size=(8, 8), max_iou=0.0, seed=0)
