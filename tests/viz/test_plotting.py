"""course_utils.viz.plotting: each function draws what it says and returns what it drew on."""

import matplotlib

matplotlib.use("Agg")  # no display; must precede pyplot

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import PathCollection  # noqa: E402
from matplotlib.contour import ContourSet  # noqa: E402

from course_utils.viz import plotting  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    plt.close("all")
    yield
    plt.close("all")


# --- plot_costs ------------------------------------------------------------------------

def test_plot_costs_draws_one_curve_at_the_recorded_iterations():
    ax = plotting.plot_costs([0.7, 0.5, 0.4, 0.35], every=50, title="training")
    assert len(ax.figure.axes) == 1 and len(ax.lines) == 1
    x, y = ax.lines[0].get_data()
    np.testing.assert_array_equal(x, [0, 50, 100, 150])
    np.testing.assert_array_equal(y, [0.7, 0.5, 0.4, 0.35])
    assert ax.get_title() == "training"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("iteration", "cost")
    assert ax.get_legend() is None  # no label, no legend


def test_plot_costs_flattens_and_compares_runs_on_one_axes():
    ax = plotting.plot_costs(np.array([[1.0, 0.5, 0.25]]), label="lr=0.1")
    same = plotting.plot_costs([2.0, 1.0], label="lr=0.01", ax=ax)
    assert same is ax and len(plt.get_fignums()) == 1
    assert len(ax.lines) == 2
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [0, 100, 200])  # default every=100
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["lr=0.1", "lr=0.01"]
    assert ax.get_title() == ""


# --- show_images -----------------------------------------------------------------------

def test_show_images_grid_titles_and_pixels():
    images = np.random.default_rng(0).random((5, 4, 6))
    fig = plotting.show_images(images, labels=list("abcde"), ncols=3)
    axes = fig.axes
    assert len(axes) == 6  # 2 rows x 3 columns
    drawn = [ax for ax in axes if ax.images]
    assert len(drawn) == 5 and not axes[5].images
    for i, ax in enumerate(drawn):
        np.testing.assert_array_equal(ax.images[0].get_array(), images[i])
        assert ax.images[0].get_clim() == (0, 1)
        assert ax.images[0].get_cmap().name == "gray"
        assert ax.get_title() == "abcde"[i]
    assert all(not ax.axison for ax in axes)


def test_show_images_colour_and_few_images():
    rgb = np.random.default_rng(1).random((2, 3, 3, 3))
    fig = plotting.show_images(rgb)  # ncols=8 shrinks to the 2 images
    assert len(fig.axes) == 2
    assert fig.axes[0].images[0].get_array().shape == (3, 3, 3)
    assert [ax.get_title() for ax in fig.axes] == ["", ""]
    np.testing.assert_allclose(fig.get_size_inches()[0], 1.3 * 2)


def test_show_images_with_fewer_labels_than_images_fails():
    with pytest.raises(ValueError, match="3 images but 1 labels"):
        plotting.show_images(np.zeros((3, 2, 2)), labels=["only one"])
    with pytest.raises(ValueError, match=r"images must be \(k, h, w\) or \(k, h, w, 3\), got shape \(4, 4\)"):
        plotting.show_images(np.zeros((4, 4)))


# --- show_mislabeled -------------------------------------------------------------------

def test_show_mislabeled_shows_only_the_mistakes():
    images = np.arange(6 * 2 * 2, dtype=float).reshape(6, 2, 2) / 24
    Y_true = np.array([[0, 1, 1, 0, 1, 0]])
    Y_pred = np.array([[0, 0, 1, 1, 1, 0]])
    fig = plotting.show_mislabeled(images, Y_true, Y_pred, [b"non-cat", "cat"])
    drawn = [ax for ax in fig.axes if ax.images]
    assert len(drawn) == 2
    assert [ax.get_title() for ax in drawn] == ["pred non-cat\ntrue cat", "pred cat\ntrue non-cat"]
    np.testing.assert_array_equal(drawn[0].images[0].get_array(), images[1])
    np.testing.assert_array_equal(drawn[1].images[0].get_array(), images[3])


def test_show_mislabeled_caps_the_number_of_images():
    Y_true = np.zeros((1, 30), dtype=int)
    fig = plotting.show_mislabeled(np.zeros((30, 2, 2)), Y_true, 1 - Y_true, ["a", "b"], max_images=4)
    assert sum(bool(ax.images) for ax in fig.axes) == 4


def test_show_mislabeled_with_no_mistake_returns_none(capsys):
    Y = np.array([[1, 0, 1]])
    assert plotting.show_mislabeled(np.zeros((3, 2, 2)), Y, Y, ["a", "b"]) is None
    assert "No mislabelled images." in capsys.readouterr().out
    assert plt.get_fignums() == []


# --- plot_decision_boundary ------------------------------------------------------------

def test_plot_decision_boundary_colours_the_plane_and_scatters_the_points():
    X = np.array([[-1.0, 0.0, 2.0, 1.0], [0.5, -2.0, 1.0, 3.0]])
    Y = np.array([[0, 1, 1, 0]])
    calls = []

    def predict(P):
        calls.append(P.shape)
        return (P[0:1] > 0).astype(int)

    ax = plotting.plot_decision_boundary(predict, X, Y, steps=20, title="a line")
    assert calls == [(2, 400)]  # one call on a steps x steps grid
    assert any(isinstance(c, ContourSet) for c in ax.collections)
    scatter = [c for c in ax.collections if isinstance(c, PathCollection) and not isinstance(c, ContourSet)]
    assert len(scatter) == 1
    np.testing.assert_array_equal(scatter[0].get_offsets(), X.T)
    np.testing.assert_array_equal(scatter[0].get_array(), Y.ravel())
    assert ax.get_xlim() == pytest.approx((-1.5, 2.5)) and ax.get_ylim() == pytest.approx((-2.5, 3.5))
    assert ax.get_title() == "a line" and ax.get_xlabel() == "$x_1$"


def test_plot_decision_boundary_draws_on_a_given_axes():
    fig, ax = plt.subplots()
    X = np.random.default_rng(2).standard_normal((2, 10))
    out = plotting.plot_decision_boundary(lambda P: np.zeros((1, P.shape[1])), X, np.zeros((1, 10)), ax=ax, steps=5)
    assert out is ax and len(plt.get_fignums()) == 1 and len(fig.axes) == 1


def test_plot_decision_boundary_rejects_a_predict_of_the_wrong_size():
    X = np.random.default_rng(3).standard_normal((2, 6))
    with pytest.raises(ValueError, match=r"predict was given 25 points \(2, 25\) and returned 7 values"):
        plotting.plot_decision_boundary(lambda P: np.zeros((1, 7)), X, np.zeros((1, 6)), steps=5)
    with pytest.raises(ValueError, match="X has 6 points but Y has 5 labels"):
        plotting.plot_decision_boundary(lambda P: np.zeros((1, P.shape[1])), X, np.zeros((1, 5)), steps=5)


# --- plot_functions --------------------------------------------------------------------

def test_plot_functions_one_line_per_function_and_the_axes_lines():
    ax = plotting.plot_functions({"tanh": np.tanh, "square": np.square}, title="activations")
    assert len(ax.lines) == 4  # two functions + the horizontal and vertical zero lines
    x, y = ax.lines[0].get_data()
    assert len(x) == 401 and x[0] == -5 and x[-1] == 5
    np.testing.assert_allclose(y, np.tanh(x))
    np.testing.assert_allclose(ax.lines[1].get_ydata(), np.square(x))
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["tanh", "square"]
    assert ax.get_title() == "activations"


def test_plot_functions_on_given_points():
    x = np.array([-1.0, 0.0, 2.0])
    ax = plotting.plot_functions({"relu": lambda v: np.maximum(v, 0)}, x=x)
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), x)
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), [0.0, 0.0, 2.0])
    assert ax.get_title() == ""


def test_the_plots_render():
    ax = plotting.plot_costs([1.0, 0.5])
    fig = plotting.show_images(np.zeros((2, 3, 3)), ["a", "b"])
    for f in (ax.figure, fig):
        f.canvas.draw()  # a drawing error would only show up here
        assert f.canvas.buffer_rgba().shape[2] == 4
