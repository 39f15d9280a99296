"""Interactive widgets for the notebooks: the gradient-descent playground and the EWA explorer.

Each factory returns a widget and never displays it (write ``display(w)`` or leave it as
the last expression of a cell). Computation lives in :mod:`course_utils.viz.playground` and
:mod:`course_utils.optim.ewa`; these functions only draw. Every control change redraws the
*same* matplotlib Figure (artists are updated in place, no new figure is made) into an
``ipywidgets.Image``, which renders in any Jupyter front end without a matplotlib backend
extension. The latest computed result is kept on the returned widget as ``w.result`` and
the controls as ``w.controls``, so tests and curious students can read what is drawn.
"""

from __future__ import annotations

import io

import numpy as np

import course_utils.optim.ewa as ewa_lib
from course_utils.viz.playground import DIVERGENCE_LIMIT, OPTIMIZERS, SURFACES, optimize_trajectory
from course_utils.viz.progress import grading

__all__ = ["gradient_descent_playground", "ewa_explorer"]

_COLORS = {"A": "tab:red", "B": "tab:blue"}
_LOG_FLOOR = 1e-16  # where the cost curve draws a cost that equals the minimum exactly


def _png(fig) -> bytes:
    """The figure as PNG bytes; empty while nbgrader executes the notebook, where nobody
    looks at it and rendering would only slow grading down."""
    if grading():
        return b""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80)
    return buf.getvalue()


def gradient_descent_playground(surface: str = "elongated bowl", optimizer_a: str = "gd",
                                optimizer_b: str = "adam", learning_rate: float = 0.05, steps: int = 60):
    """Two optimisers side by side on a 2-D cost surface.

    Controls: surface; optimiser A and B (gd, momentum, rmsprop, adam); learning rate (log
    slider); beta (momentum), beta1 and beta2 (Adam/RMSprop); number of steps; start x and y.
    Shows the trajectories on the contour plot and, on a log axis, the cost above the surface's
    minimum against the step, so that a run that converges stays readable next to one that
    diverges (cost 1e13); a diverged run is drawn up to the step it diverged at and labelled
    "diverged at step k" in the legend and the readout.
    Arguments: the controls' start values: surface -- a name in
    :data:`course_utils.viz.playground.SURFACES`; optimizer_a, optimizer_b -- names in
    :data:`course_utils.viz.playground.OPTIMIZERS` (B may also be ``"none"``); learning_rate;
    steps (1 to 300).
    Returns: an ``ipywidgets.VBox`` with ``.controls``, ``.result`` (``{"A": Trajectory, "B": ...}``,
    each trajectory's points ``(steps + 1, 2)``, costs ``(steps + 1,)`` and ``diverged_at``),
    ``.figure`` and ``.redraw()``.
    Raises: KeyError for an unknown surface; ``traitlets.TraitError`` for an unknown optimiser name.
    Source: the update rules of :mod:`course_utils.optim.rules`: gradient descent (Cauchy (1847)),
    momentum (Polyak (1964), "Some methods of speeding up the convergence of iteration methods"),
    RMSprop (Tieleman & Hinton (2012), Coursera "Neural Networks for Machine Learning", lecture 6e),
    Adam (Kingma & Ba (2015), "Adam: A Method for Stochastic Optimization", ICLR).
    """
    import ipywidgets as W
    from matplotlib.figure import Figure
    from matplotlib.ticker import LogFormatter, NullFormatter

    style = {"description_width": "90px"}
    layout = W.Layout(width="330px")
    surf0 = SURFACES[surface]
    c = {
        "surface": W.Dropdown(options=list(SURFACES), value=surface, description="surface", style=style, layout=layout),
        "optimizer_a": W.Dropdown(options=OPTIMIZERS, value=optimizer_a, description="optimizer A", style=style, layout=layout),
        "optimizer_b": W.Dropdown(options=("none",) + OPTIMIZERS, value=optimizer_b, description="optimizer B", style=style, layout=layout),
        "learning_rate": W.FloatLogSlider(value=learning_rate, base=10, min=-4, max=0, step=0.05, description="learning rate",
                                          readout_format=".4f", style=style, layout=layout, continuous_update=False),
        "beta": W.FloatSlider(value=0.9, min=0.0, max=0.99, step=0.01, description="beta (mom.)", style=style, layout=layout, continuous_update=False),
        "beta1": W.FloatSlider(value=0.9, min=0.0, max=0.99, step=0.01, description="beta1 (Adam)", style=style, layout=layout, continuous_update=False),
        "beta2": W.FloatSlider(value=0.999, min=0.5, max=0.9999, step=0.0001, description="beta2", readout_format=".4f",
                               style=style, layout=layout, continuous_update=False),
        "steps": W.IntSlider(value=steps, min=1, max=300, description="steps", style=style, layout=layout, continuous_update=False),
        "start_x": W.FloatSlider(value=surf0.start[0], min=surf0.box[0], max=surf0.box[1], step=0.05, description="start x",
                                 style=style, layout=layout, continuous_update=False),
        "start_y": W.FloatSlider(value=surf0.start[1], min=surf0.box[2], max=surf0.box[3], step=0.05, description="start y",
                                 style=style, layout=layout, continuous_update=False),
    }
    image = W.Image(format="png", layout=W.Layout(width="760px"))
    readout = W.HTML()

    fig = Figure(figsize=(9.5, 4.0))
    ax_map, ax_cost = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.25, 1]})
    state = {"surface": None}
    lines = {k: ax_map.plot([], [], "o-", ms=2.5, lw=1.2, color=col, label=k)[0] for k, col in _COLORS.items()}
    cost_lines = {k: ax_cost.plot([], [], lw=1.5, color=col, label=k)[0] for k, col in _COLORS.items()}
    ax_cost.set_yscale("log")  # a diverged run (cost 1e13) would flatten a converging one on a linear axis
    # plain-text tick labels ("1e+12"): the default 10^k labels go through mathtext, a third of a redraw
    ax_cost.yaxis.set_major_formatter(LogFormatter(labelOnlyBase=True))
    ax_cost.yaxis.set_minor_formatter(NullFormatter())
    ax_cost.set_xlabel("step")
    ax_cost.set_ylabel("cost - minimum cost (log scale)")
    ax_cost.set_title("cost against step")

    box = W.VBox([W.HBox([W.VBox(list(c.values())[:5]), W.VBox(list(c.values())[5:])]), image, readout])
    box.add_class("gd-playground")
    box.controls, box.figure, box.result = c, fig, {}

    def draw_surface(name):
        s = SURFACES[name]
        for coll in list(ax_map.collections):
            coll.remove()
        xs = np.linspace(s.box[0], s.box[1], 200)
        ys = np.linspace(s.box[2], s.box[3], 200)
        gx, gy = np.meshgrid(xs, ys)
        J = s.cost(gx, gy)
        levels = np.quantile(J, np.linspace(0.0, 0.97, 25))
        ax_map.contour(gx, gy, J, levels=np.unique(levels), cmap="viridis", linewidths=0.6)
        ax_map.set_xlim(s.box[0], s.box[1])
        ax_map.set_ylim(s.box[2], s.box[3])
        ax_map.set_title(f"{name}: trajectories")
        state["surface"] = name

    def redraw(*_):
        name = c["surface"].value
        if state["surface"] != name:
            s = SURFACES[name]
            for key, lo, hi, v in (("start_x", s.box[0], s.box[1], s.start[0]), ("start_y", s.box[2], s.box[3], s.start[1])):
                with c[key].hold_trait_notifications():
                    c[key].min, c[key].max = min(lo, c[key].min), max(hi, c[key].max)
                    c[key].value = v
                    c[key].min, c[key].max = lo, hi
            draw_surface(name)
        kw = dict(learning_rate=c["learning_rate"].value, beta=c["beta"].value, beta1=c["beta1"].value,
                  beta2=c["beta2"].value, steps=c["steps"].value, start=(c["start_x"].value, c["start_y"].value))
        result = {"A": optimize_trajectory(name, c["optimizer_a"].value, **kw)}
        if c["optimizer_b"].value != "none":
            result["B"] = optimize_trajectory(name, c["optimizer_b"].value, **kw)
        text, drawn = [], []
        floor = SURFACES[name].min_cost
        for key in _COLORS:
            tr = result.get(key)
            label = c["optimizer_a" if key == "A" else "optimizer_b"].value
            if tr is None:
                lines[key].set_data([], [])
                cost_lines[key].set_data([], [])
                cost_lines[key].set_label(f"_{key}")  # no legend entry
                continue
            name_key = f"{key}: {label}" + (f", diverged at step {tr.diverged_at}" if tr.diverged else "")
            end = len(tr.costs) if not tr.diverged else tr.diverged_at + 1  # a diverged run stops where it left
            with np.errstate(invalid="ignore"):
                gap = np.maximum(tr.costs[:end] - floor, _LOG_FLOOR)  # a gap of 0 cannot be drawn on a log axis
            gap = gap[np.isfinite(gap)]
            drawn.append(gap)
            lines[key].set_data(tr.points[:end, 0], tr.points[:end, 1])
            lines[key].set_label(name_key)
            cost_lines[key].set_data(np.arange(gap.size), gap)
            cost_lines[key].set_label(name_key)
            fx, fy = tr.final
            outcome = (f"<span class='diverged-{key}'>diverged at step {tr.diverged_at}</span> (|x| or |y| went past "
                       f"{DIVERGENCE_LIMIT:.0e}); " if tr.diverged else "")
            text.append(f"<b style='color:{_COLORS[key]}'>{key} ({label})</b>: {outcome}final point "
                        f"<span class='final-{key}'>({fx:.4g}, {fy:.4g})</span>, final cost "
                        f"<span class='cost-{key}'>{tr.costs[-1]:.4g}</span>")
        ax_cost.set_xlim(0, max(1, c["steps"].value))
        values = np.concatenate(drawn) if drawn else np.array([])
        if values.size:
            lo, hi = float(values.min()), float(values.max())
            ax_cost.set_ylim(lo / 2, max(hi * 2, lo * 10))  # every drawn value inside, with a margin
        ax_map.legend(loc="upper right", fontsize=8)
        ax_cost.legend(loc="upper right", fontsize=8)
        fig.tight_layout()
        image.value = _png(fig)
        readout.value = "<br>".join(text)
        box.result = result

    for w in c.values():
        w.observe(redraw, names="value")
    box.redraw = redraw
    redraw()
    return box


def ewa_explorer(dates=None, temperatures=None, beta: float = 0.9, bias_correction: bool = False, days: int = 365):
    """The daily temperature series with its exponentially weighted average.

    Controls: beta (0.5 to 0.999), bias correction on/off. Shows the effective window
    ``1 / (1 - beta)`` and the average's mean delay ``beta / (1 - beta)`` days, and the first
    days' values, where bias correction matters.
    Arguments: dates ``(T,)`` and temperatures ``(T,)``; default: Seattle's daily maxima of 2012
    (``course_utils.data.load_seattle_temperatures``), the first ``days`` days.
    beta -- the slider's start value (kept within 0.5 to 0.999); bias_correction -- the
    checkbox's start value.
    Returns: an ``ipywidgets.VBox`` with ``.controls``, ``.result`` (``{"v": (T,), "beta", "window", "delay"}``),
    ``.figure`` and ``.redraw()``.
    Raises: ValueError if ``temperatures`` is not 1-D (from :func:`course_utils.optim.ewa.ewa`);
    :class:`course_utils.data.store.DataError` if the default data is needed and ``data/seattle.h5``
    is missing or corrupt.
    Source: exponential smoothing (Brown (1956)); bias correction as in Adam (Kingma & Ba (2015),
    "Adam: A Method for Stochastic Optimization", ICLR, Sec. 3).
    """
    import ipywidgets as W
    from matplotlib.figure import Figure

    if temperatures is None:
        from course_utils.data.store import load_seattle_temperatures

        dates, temperatures, _ = load_seattle_temperatures()
        dates, temperatures = dates[:days], temperatures[:days]
    theta = np.asarray(temperatures, dtype=float)
    x = np.arange(theta.size) if dates is None else np.asarray(dates)
    style = {"description_width": "100px"}
    c = {
        "beta": W.FloatSlider(value=beta, min=0.5, max=0.999, step=0.001, readout_format=".3f", description="beta",
                              style=style, layout=W.Layout(width="420px"), continuous_update=False),
        "bias_correction": W.Checkbox(value=bias_correction, description="bias correction", style=style),
    }
    image = W.Image(format="png", layout=W.Layout(width="760px"))
    readout = W.HTML()
    fig = Figure(figsize=(9.5, 3.6))
    ax = fig.subplots()
    ax.plot(x, theta, ".", ms=3, color="0.6", label="daily maximum")
    (avg_line,) = ax.plot(x, np.zeros_like(theta), lw=2, color="tab:red", label="EWA")
    ax.set_ylabel("°C")
    ax.legend(loc="upper left", fontsize=8)
    box = W.VBox([W.HBox([c["beta"], c["bias_correction"]]), image, readout])
    box.add_class("ewa-explorer")
    box.controls, box.figure, box.result = c, fig, {}

    def redraw(*_):
        b = c["beta"].value
        v = ewa_lib.ewa_bias_corrected(theta, b) if c["bias_correction"].value else ewa_lib.ewa(theta, b)
        avg_line.set_ydata(v)
        window, delay = ewa_lib.effective_window(b), b / (1 - b)
        avg_line.set_label(f"EWA, beta = {b:.3f}" + (" (bias-corrected)" if c["bias_correction"].value else ""))
        ax.legend(loc="upper left", fontsize=8)
        ax.set_title(f"window 1/(1-beta) = {window:.1f} days, mean delay beta/(1-beta) = {delay:.1f} days")
        fig.tight_layout()
        image.value = _png(fig)
        first = ", ".join(f"{val:.2f}" for val in v[:5])
        readout.value = (f"effective window: <span class='window'>{window:.1f}</span> days; "
                         f"first five averages: <span class='first-days'>{first}</span> "
                         f"(temperatures: {', '.join(f'{t:.1f}' for t in theta[:5])})")
        box.result = {"v": v, "beta": b, "window": window, "delay": delay}

    for w in c.values():
        w.observe(redraw, names="value")
    box.redraw = redraw
    redraw()
    return box
