"""The widgets compute with the library (optimisers, EWA) and redraw one figure in place."""

import numpy as np
import pytest

import course_utils.optim.ewa as ewa_lib
import course_utils.exercises.optimization as optim
from course_utils.viz.playground import SURFACES, optimize_trajectory
from course_utils.viz.widgets import ewa_explorer, gradient_descent_playground


def test_trajectory_is_the_library_optimizer():
    s = SURFACES["elongated bowl"]
    tr = optimize_trajectory("elongated bowl", "adam", learning_rate=0.1, beta1=0.8, beta2=0.99, steps=3)
    p = {"p": np.array(s.start)}
    v, sq = optim.initialize_adam(p)
    expected = [p["p"]]
    for t in (1, 2, 3):
        p, v, sq, _, _ = optim.update_parameters_with_adam(p, {"dp": s.grad(*p["p"])}, v, sq, t, 0.1, 0.8, 0.99)
        expected.append(p["p"])
    np.testing.assert_allclose(tr.points, np.array(expected))
    np.testing.assert_allclose(tr.costs, s.cost(tr.points[:, 0], tr.points[:, 1]))


def test_momentum_oscillates_less_than_gd_on_the_elongated_bowl():
    gd = optimize_trajectory("elongated bowl", "gd", learning_rate=0.07, steps=40)
    mom = optimize_trajectory("elongated bowl", "momentum", learning_rate=0.07, beta=0.9, steps=40)
    swings = lambda tr: np.sum(np.diff(np.sign(tr.points[:, 1])) != 0)  # noqa: E731
    assert swings(gd) > swings(mom)


def test_playground_controls_drive_the_computation():
    w = gradient_descent_playground()
    figure, image0 = w.figure, w.children[1].value
    c = w.controls
    c["optimizer_a"].value = "momentum"
    c["optimizer_b"].value = "rmsprop"
    c["learning_rate"].value = 0.02
    c["beta"].value = 0.8
    c["beta2"].value = 0.99
    c["steps"].value = 25
    c["start_x"].value = -3.0
    kw = dict(learning_rate=c["learning_rate"].value, beta=0.8, beta1=c["beta1"].value, beta2=0.99, steps=25,
              start=(-3.0, c["start_y"].value))
    np.testing.assert_allclose(w.result["A"].points, optimize_trajectory("elongated bowl", "momentum", **kw).points)
    np.testing.assert_allclose(w.result["B"].points, optimize_trajectory("elongated bowl", "rmsprop", **kw).points)
    assert len(w.result["A"].points) == 26
    assert w.children[1].value != image0 and w.figure is figure  # redrawn in place
    final = w.result["A"].final.copy()
    c["learning_rate"].value = 0.005
    assert not np.allclose(w.result["A"].final, final)
    assert "final point" in w.children[2].value


def test_playground_switching_surface_resets_the_start(monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")  # asserts on the controls and results only: no PNG needed
    w = gradient_descent_playground()
    w.controls["surface"].value = "Rosenbrock valley"
    s = SURFACES["Rosenbrock valley"]
    assert (w.controls["start_x"].value, w.controls["start_y"].value) == pytest.approx(s.start)
    np.testing.assert_allclose(w.result["A"].points[0], s.start)
    w.controls["optimizer_b"].value = "none"
    assert set(w.result) == {"A"}


def test_ewa_explorer_follows_beta_and_bias_correction():
    theta = 10 + np.sin(np.arange(120) / 9.0) * 5
    w = ewa_explorer(temperatures=theta, beta=0.5)
    np.testing.assert_allclose(w.result["v"], ewa_lib.ewa(theta, 0.5))
    image0 = w.children[1].value
    w.controls["beta"].value = 0.98
    np.testing.assert_allclose(w.result["v"], ewa_lib.ewa(theta, 0.98))
    assert w.result["window"] == pytest.approx(50.0) and w.result["delay"] == pytest.approx(49.0)
    assert w.children[1].value != image0
    raw_first = w.result["v"][:3].copy()
    w.controls["bias_correction"].value = True
    np.testing.assert_allclose(w.result["v"], ewa_lib.ewa_bias_corrected(theta, 0.98))
    assert raw_first[0] == pytest.approx(0.02 * theta[0]) and w.result["v"][0] == pytest.approx(theta[0])


def test_ewa_explorer_defaults_to_seattle():
    w = ewa_explorer()
    assert w.result["v"].shape == (365,)
    assert "effective window" in w.children[2].value


def test_widgets_skip_drawing_while_grading(monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    w = gradient_descent_playground()
    assert w.children[1].value == b"" and len(w.result["A"].points) == 61  # computed, not drawn


def test_a_diverging_run_is_labelled_and_leaves_the_converging_one_readable(monkeypatch):
    """The issue's instance: on the elongated bowl at learning rate 0.1 gradient descent diverges
    (its cost reaches 2.65e13 at step 34) while momentum converges. The cost axis is logarithmic, so
    momentum's curve keeps its shape, and the diverged run says so in the legend and the readout."""
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")  # the figure's artists are set, only the PNG is skipped
    w = gradient_descent_playground(surface="elongated bowl", optimizer_a="gd", optimizer_b="momentum",
                                    learning_rate=0.1, steps=60)
    gd, mom = w.result["A"], w.result["B"]
    assert (gd.diverged_at, mom.diverged_at) == (34, None)
    assert gd.costs[34] == pytest.approx(2.65e13, rel=1e-3)
    ax_cost = w.figure.axes[1]
    assert ax_cost.get_yscale() == "log"
    assert [t.get_text() for t in ax_cost.get_legend().get_texts()] == ["A: gd, diverged at step 34", "B: momentum"]
    assert "diverged at step 34" in w.children[2].value and "diverged" not in w.children[2].value.split("B (")[1]
    # momentum's whole curve lies inside the axis and spans 24 % of its height (on a
    # linear axis up to 2.65e13 it was a flat line at 0)
    lo, hi = ax_cost.get_ylim()
    gap = mom.costs - SURFACES["elongated bowl"].min_cost
    assert lo <= gap.min() and gap.max() <= hi
    assert np.log10(gap.max() / gap.min()) / np.log10(hi / lo) == pytest.approx(0.2385, abs=5e-4)
    # choosing a learning rate at which both converge removes the label
    w.controls["learning_rate"].value = 0.05
    assert [t.get_text() for t in ax_cost.get_legend().get_texts()] == ["A: gd", "B: momentum"]
    assert "diverged" not in w.children[2].value


def test_a_run_that_never_leaves_the_box_has_not_diverged_and_one_that_does_stops_there():
    gd = optimize_trajectory("elongated bowl", "gd", learning_rate=0.1, steps=60)
    assert gd.diverged and gd.diverged_at == 34
    assert np.abs(gd.points[33]).max() <= 1e6 < np.abs(gd.points[34]).max()
    np.testing.assert_array_equal(gd.points[35:], np.repeat(gd.points[34:35], 26, axis=0))
    assert not optimize_trajectory("elongated bowl", "gd", learning_rate=0.05, steps=60).diverged
