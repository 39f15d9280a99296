"""Unit tests of course_utils.models.detector: the backward pass through the numerical gradient check, targets of
the notes' layout, a short deterministic training run, and the kit's committed weights measured on fresh scenes."""

import numpy as np
import pytest

from course_utils.data.scenes import make_scenes
from course_utils.gradcheck import gradient_difference, numerical_gradient
from course_utils.models import detector as det

rng = np.random.default_rng(0)


def _tiny():
    # 16 x 8 pictures (non-square): three pooled blocks give a 2 x 1 grid; float64 for the check
    p = det.initialize_detector((16, 8, 3), (3, 2, 2, 2), seed=1, dtype=np.float64)
    p["W_out"] = p["W_out"] * 10                               # outputs away from the calm start
    for k in p:
        if k.startswith("b"):
            p[k] = p[k] + 0.1 * rng.standard_normal(p[k].shape)
    return p, rng.random((2, 16, 8, 3))


def test_detector_backward_is_the_gradient(check_backward):
    p, X = _tiny()
    Y_hat, caches = det.detector_forward(X, p)
    assert Y_hat.shape == (2, 2, 1, 16)
    D = rng.standard_normal(Y_hat.shape)
    grads = det.detector_backward(D, caches)
    names = sorted(p)
    assert sorted(grads) == ["d" + n for n in names]

    def forward(*values):
        return det.detector_forward(X, dict(zip(names, values)))[0]
    check_backward(forward, [p[n] for n in names], D, [grads["d" + n] for n in names])


def test_the_cost_and_its_gradients_pass_the_numerical_gradient_check():
    p, X = _tiny()
    Y = det.detector_targets([np.array([[1, 1, 6, 7]]), np.array([[0, 9, 8, 16], [2, 1, 5, 4]])],
                             [np.array([2]), np.array([0, 1])], (16, 8))
    assert Y.shape == (2, 2, 1, 16) and Y[..., [0, 8]].sum() == 3
    cost, grads = det.detector_step(p, X, Y)
    numerical = numerical_gradient(lambda q: det.detector_step(q, X, Y)[0], p, epsilon=1e-6)
    assert gradient_difference(grads, numerical) < 1e-7
    assert cost == pytest.approx(det.detector_cost(det.detector_forward(X, p)[0], Y)[0])


def test_a_short_kit_run_is_deterministic_and_gives_the_manifest_entries():
    arrays, meta = det.train_kit_detector(num_epochs=2, train_scenes=32, test_scenes=8)
    again, _ = det.train_kit_detector(num_epochs=2, train_scenes=32, test_scenes=8)
    assert all(np.array_equal(arrays[k], again[k]) for k in arrays)
    assert all(v.dtype == np.float32 for v in arrays.values())
    assert set(meta) == {"source", "licence", "how_built", "seed", "figures", "train_seconds"}
    assert set(meta["figures"]) == {"map50", "mean_iou", "ap50_circle", "ap50_square", "ap50_triangle", "final_cost"}


def test_the_kit_weights_detect_fresh_scenes():
    from course_utils.data.store import load_arrays

    params = load_arrays("detector")
    assert sorted(params) == sorted(det.initialize_detector())
    scenes = make_scenes(120, seed=777)                    # not a seed of the kit's training or test scenes
    result = det.evaluate_detector(scenes, params)
    assert result["map50"] > 0.6 and result["mean_iou"] > 0.5, (result["map50"], result["mean_iou"])
    scores, boxes, classes = result["final"]
    assert len(scores) == 120 and all(b.shape == (len(s), 4) for s, b in zip(scores, boxes))
