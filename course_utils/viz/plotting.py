"""Plotting helpers shared by the notebooks. Each returns the matplotlib objects it drew
on, so a notebook can restyle them; none calls ``plt.show()`` itself."""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

__all__ = ["plot_costs", "show_images", "show_mislabeled", "plot_decision_boundary", "plot_functions"]


def _axes(ax=None, figsize=(6, 4)):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def plot_costs(costs, *, every: int = 100, label: str | None = None, ax=None, title: str | None = None):
    """Plot a cost curve recorded every ``every`` iterations. Returns the Axes.

    Call it several times with the same ``ax`` and a ``label`` to compare runs.
    Arguments: costs -- ``(k,)`` (any shape, flattened): the cost at iterations 0, every, 2 * every, ...;
    label, title -- optional text; ax -- Axes to draw on (default: a new figure).
    """
    ax = _axes(ax)
    costs = np.asarray(costs, dtype=float).ravel()
    ax.plot(np.arange(len(costs)) * every, costs, label=label)
    ax.set_xlabel("iteration")
    ax.set_ylabel("cost")
    if title:
        ax.set_title(title)
    if label:
        ax.legend()
    return ax


def show_images(images, labels: Sequence[str] | None = None, *, ncols: int = 8, size: float = 1.3, cmap="gray"):
    """Show images ``(k, h, w)`` or ``(k, h, w, 3)`` in a grid with optional titles. Returns the Figure.

    Arguments: images -- values in [0, 1] (the colour scale is fixed to that range); labels --
    ``k`` titles or None; ncols -- images per row (at most ``k``); size -- inches per image;
    cmap -- colour map for grey images.
    Raises: ValueError if images is not ``(k, h, w)`` or ``(k, h, w, 3)``, or labels are not k.
    """
    import matplotlib.pyplot as plt

    images = np.asarray(images)
    if images.ndim not in (3, 4) or (images.ndim == 4 and images.shape[-1] not in (3, 4)):
        raise ValueError(f"show_images: images must be (k, h, w) or (k, h, w, 3), got shape {images.shape}")
    k = len(images)
    if labels is not None and len(labels) != k:
        raise ValueError(f"show_images: {k} images but {len(labels)} labels; give one label per image or None")
    ncols = max(1, min(ncols, k))
    nrows = max(1, int(np.ceil(k / ncols)))
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + 0.3 * (labels is not None)),
                             squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < k:
            ax.imshow(images[i], cmap=cmap if images[i].ndim == 2 else None, vmin=0, vmax=1)
            if labels is not None:
                ax.set_title(str(labels[i]), fontsize=8)
    fig.tight_layout()
    return fig


def show_mislabeled(images, Y_true, Y_pred, classes, *, max_images: int = 16):
    """Show the images whose prediction differs from the label, titled "pred / true".

    Arguments: images ``(m, h, w[, c])``; Y_true, Y_pred ``(1, m)`` of class indices;
    classes -- names indexed by class (bytes or str). Returns the Figure, or None when
    every image is labelled correctly.
    """
    y_true = np.asarray(Y_true).ravel().astype(int)
    y_pred = np.asarray(Y_pred).ravel().astype(int)
    wrong = np.flatnonzero(y_true != y_pred)[:max_images]
    if wrong.size == 0:
        print("No mislabelled images.")
        return None
    name = [c.decode() if isinstance(c, bytes) else str(c) for c in classes]
    titles = [f"pred {name[y_pred[i]]}\ntrue {name[y_true[i]]}" for i in wrong]
    return show_images(np.asarray(images)[wrong], titles, ncols=8, size=1.4)


def plot_decision_boundary(predict: Callable[[np.ndarray], np.ndarray], X, Y, *, ax=None, steps: int = 300,
                           title: str | None = None):
    """Colour the plane by ``predict`` and scatter the points.

    Arguments: predict -- maps ``(2, k)`` points to ``(1, k)`` labels (any shape with ``k``
    entries; it is called once with ``k = steps ** 2``); X ``(2, m)``; Y ``(1, m)``.
    Returns the Axes.
    Raises: ValueError if X is not ``(2, m)``, Y does not hold m labels, or predict does not return
    one label per point it is given.
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[0] != 2:
        raise ValueError(f"plot_decision_boundary: X must be (2, m) points in the plane, got shape {X.shape}")
    if np.size(Y) != X.shape[1]:
        raise ValueError(f"plot_decision_boundary: X has {X.shape[1]} points but Y has {np.size(Y)} labels")
    ax = _axes(ax, figsize=(5, 4))
    pad = 0.5
    x0 = np.linspace(X[0].min() - pad, X[0].max() + pad, steps)
    x1 = np.linspace(X[1].min() - pad, X[1].max() + pad, steps)
    g0, g1 = np.meshgrid(x0, x1)
    Z = np.asarray(predict(np.vstack([g0.ravel(), g1.ravel()])))
    if Z.size != g0.size:
        raise ValueError(f"plot_decision_boundary: predict was given {g0.size} points (2, {g0.size}) and returned "
                         f"{Z.size} values (shape {Z.shape}); it must return one label per point")
    Z = Z.reshape(g0.shape)
    ax.contourf(g0, g1, Z, alpha=0.35, cmap="coolwarm")
    ax.scatter(X[0], X[1], c=np.asarray(Y).ravel(), cmap="coolwarm", s=12, edgecolors="k", linewidths=0.3)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title:
        ax.set_title(title)
    return ax


def plot_functions(functions: dict[str, Callable], *, x=None, ax=None, title: str | None = None):
    """Plot several 1-D functions (e.g. activations and their derivatives) on one Axes.

    Arguments: functions -- ``{label: f}``, each ``f`` maps ``x`` of shape ``(k,)`` to ``(k,)``;
    x -- the points, default 401 points from -5 to 5; ax, title -- as in :func:`plot_costs`.
    Returns the Axes.
    """
    ax = _axes(ax)
    x = np.linspace(-5, 5, 401) if x is None else np.asarray(x)
    for label, f in functions.items():
        ax.plot(x, f(x), label=label)
    ax.axhline(0, color="grey", lw=0.5)
    ax.axvline(0, color="grey", lw=0.5)
    ax.legend()
    if title:
        ax.set_title(title)
    return ax
