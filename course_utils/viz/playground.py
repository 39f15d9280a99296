"""The computation behind the gradient-descent playground: 2-D cost surfaces and optimiser
trajectories on them, using the library's own update rules (course_utils.optim.rules).

A point is a parameter dict ``{"p": array([x, y])}`` and its gradient ``{"dp": ...}``, so the
trajectories here are exactly what the optimisers students implement would produce.

Source: the "Rosenbrock valley" surface is Rosenbrock's function ``(a - x)^2 + b (y - x^2)^2``,
Rosenbrock (1960), "An automatic method for finding the greatest or least value of a function",
The Computer Journal; here with a = 1, b = 10 (the usual test function has b = 100). The update
rules' sources are in :mod:`course_utils.optim.rules`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from course_utils.optim.rules import RULES, get_rule

__all__ = ["Surface", "SURFACES", "OPTIMIZERS", "DIVERGENCE_LIMIT", "Trajectory", "optimize_trajectory"]

#: a run whose point leaves ``|x|, |y| <= DIVERGENCE_LIMIT`` (or stops being finite) has diverged
DIVERGENCE_LIMIT = 1e6


@dataclass(frozen=True)
class Surface:
    """A cost J(x, y) with its gradient, a view box and a default start point."""

    name: str
    cost: Callable[[np.ndarray, np.ndarray], np.ndarray]
    grad: Callable[[float, float], np.ndarray]
    box: tuple  # (xmin, xmax, ymin, ymax)
    start: tuple
    minimum: tuple

    @property
    def min_cost(self) -> float:
        """The cost at the surface's minimum: the floor of every run's cost."""
        return float(self.cost(np.float64(self.minimum[0]), np.float64(self.minimum[1])))


SURFACES = {
    # the lecture's picture of oscillating gradient descent: steep in y, shallow in x
    "elongated bowl": Surface(
        "elongated bowl",
        cost=lambda x, y: 0.5 * (x ** 2 + 25.0 * y ** 2),
        grad=lambda x, y: np.array([x, 25.0 * y]),
        box=(-4.5, 4.5, -2.0, 2.0), start=(-4.0, 1.5), minimum=(0.0, 0.0)),
    # a saddle at the origin, with a quartic term so the cost is bounded below along y
    "saddle": Surface(
        "saddle",
        cost=lambda x, y: 0.5 * x ** 2 - 0.5 * y ** 2 + 0.05 * y ** 4,
        grad=lambda x, y: np.array([x, -y + 0.2 * y ** 3]),
        box=(-3.0, 3.0, -3.5, 3.5), start=(-2.5, 0.01), minimum=(0.0, np.sqrt(5.0))),
    # a curved narrow valley (Rosenbrock with a = 1, b = 10)
    "Rosenbrock valley": Surface(
        "Rosenbrock valley",
        cost=lambda x, y: (1 - x) ** 2 + 10.0 * (y - x ** 2) ** 2,
        grad=lambda x, y: np.array([-2 * (1 - x) - 40.0 * x * (y - x ** 2), 20.0 * (y - x ** 2)]),
        box=(-2.0, 2.0, -1.0, 3.0), start=(-1.5, 2.5), minimum=(1.0, 1.0)),
}

#: the update rules a trajectory can use, in the order the widget lists them
OPTIMIZERS = tuple(RULES)


@dataclass
class Trajectory:
    """An optimiser's path: points ``(steps + 1, 2)``, the start first, and their costs ``(steps + 1,)``.

    ``diverged_at`` is the first step whose point left ``|x|, |y| <= DIVERGENCE_LIMIT`` or was not
    finite (None for a run that stayed bounded); from there on the trajectory repeats that point.
    """

    points: np.ndarray  # (steps + 1, 2), the start first
    costs: np.ndarray  # (steps + 1,)
    diverged_at: int | None = None

    @property
    def final(self) -> np.ndarray:
        return self.points[-1]

    @property
    def diverged(self) -> bool:
        """True if the run left the bounded region (see ``diverged_at``)."""
        return self.diverged_at is not None


def optimize_trajectory(surface: Surface | str, optimizer: str = "gd", *, learning_rate: float = 0.05,
                        beta: float = 0.9, beta1: float = 0.9, beta2: float = 0.999, epsilon: float = 1e-8,
                        steps: int = 50, start=None) -> Trajectory:
    """Run ``steps`` updates of ``optimizer`` on ``surface`` from ``start`` (default: the surface's).

    Optimisers: "gd", "momentum" (``beta``), "rmsprop" (``beta2``), "adam" (``beta1``, ``beta2``).
    A run that diverges stops growing: the first point beyond :data:`DIVERGENCE_LIMIT` (or not
    finite) is kept as it is reached, its step is the trajectory's ``diverged_at``, and the rest of
    the trajectory repeats that point, so plots stay readable.
    Arguments: surface -- a :class:`Surface` or a key of :data:`SURFACES`; start -- a point ``(x, y)``.
    Returns: a :class:`Trajectory`, points ``(steps + 1, 2)``, costs ``(steps + 1,)`` and
    ``diverged_at`` (the step at which the run diverged, or None).
    Raises: KeyError if surface is a name not in :data:`SURFACES`; ValueError if optimizer is not
    one of :data:`OPTIMIZERS` or start is not a point of shape ``(2,)``.
    Source: Rosenbrock (1960), The Computer Journal, for the "Rosenbrock valley" (see the module
    docstring); the update rules' sources are in :mod:`course_utils.optim.rules`.
    """
    surface = SURFACES[surface] if isinstance(surface, str) else surface
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {optimizer!r}")
    p = {"p": np.array(surface.start if start is None else start, dtype=float)}
    if p["p"].shape != (2,):
        raise ValueError(f"start must be a point (x, y), got shape {p['p'].shape}")
    rule = get_rule(optimizer)
    config = rule.pick(learning_rate=learning_rate, beta=beta, beta1=beta1, beta2=beta2, epsilon=epsilon)
    state = rule.init(p)
    points = [p["p"].copy()]
    diverged_at = None
    for step in range(1, steps + 1):
        x, y = points[-1]
        if diverged_at is not None:
            points.append(points[-1].copy())
            continue
        with np.errstate(over="ignore", invalid="ignore"):
            p, state = rule.update(p, {"dp": surface.grad(x, y)}, state, config)
        points.append(p["p"].copy())
        if not np.all(np.isfinite(points[-1])) or np.max(np.abs(points[-1])) > DIVERGENCE_LIMIT:
            diverged_at = step
    pts = np.array(points)
    with np.errstate(over="ignore", invalid="ignore"):
        costs = surface.cost(pts[:, 0], pts[:, 1])
    return Trajectory(pts, np.asarray(costs, dtype=float), diverged_at)
