"""A minimal reverse-mode automatic differentiation over numpy arrays (Track 2, notebook 08).

What a deep-learning framework does, in a few hundred lines: the user writes only the forward
computation, with :class:`Tensor` objects instead of arrays; every operation records a node of
the **computation graph** (its result, its parents, and a closure that turns the gradient of the
result into gradients for the parents); :func:`backward` then walks the graph once, from the
output back to the inputs, and leaves in every node's ``.grad`` the derivative of the output.

Conventions:

* ``node.data`` is a float ``np.ndarray`` of any shape (``()`` for a scalar); a node never
  changes it, and never changes its parents' data.
* ``node.parents`` is a tuple of Tensors, in argument order (``a * b`` has parents ``(a, b)``;
  ``3 * v`` has parents ``(Tensor(3.0), v)``).
* ``node.backward_fn(out_grad)`` takes ``out_grad``, shaped like ``node.data`` (the derivative of
  the final output with respect to this node), and returns a tuple with one array per parent,
  each shaped like that parent's data: the parent's share of the gradient. It does not modify
  anything; :func:`backward` adds the shares up, so a node used twice receives two shares.
* ``node.grad`` is ``None`` until :func:`backward` runs, then an array shaped like ``node.data``.
* Operations broadcast like numpy (a bias ``(n, 1)`` plus ``(n, m)``); their gradients are summed
  back to each operand's shape by :func:`unbroadcast`.

There is no global state: a graph lives as long as its nodes do, and every call of
:func:`backward` resets the gradients of the graph it walks.

:func:`relu`, :func:`sigmoid` and :func:`tanh` are the functions of the same names in
:mod:`course_utils.nn.activations`, lifted to Tensors (same parameter ``z``, same values).

Source: reverse-mode automatic differentiation, Linnainmaa (1970), "The representation of the
cumulative rounding error of an algorithm as a Taylor expansion of the local rounding errors",
master's thesis (in Finnish), University of Helsinki; survey: Baydin, Pearlmutter, Radul &
Siskind (2018), "Automatic Differentiation in Machine Learning: a Survey", JMLR 18. Applied to
neural networks it is back-propagation: Rumelhart, Hinton & Williams (1986), "Learning
representations by back-propagating errors", Nature.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from course_utils.nn.activations import sigmoid as _sigmoid
from course_utils.optim.loop import train

__all__ = [
    "Tensor", "as_tensor", "unbroadcast", "add_backward", "mul_backward", "matmul_backward",
    "topological_order", "backward", "exp", "log", "relu", "sigmoid", "tanh",
    "minimize_with_adam", "order_positions", "gradients_after",
]


# --------------------------------------------------------------------------------------------
# gradient rules on plain arrays
# --------------------------------------------------------------------------------------------

def unbroadcast(grad, shape) -> np.ndarray:
    """Sum a gradient back to the shape of an operand that numpy broadcast.

    If ``x`` of shape ``shape`` was broadcast to ``grad.shape`` in the forward pass, every entry of
    ``x`` was used once along each broadcast axis, so its gradient is the sum over those axes:
    first the leading axes that ``x`` did not have, then (keeping them) the axes where ``x`` has
    size 1 and ``grad`` does not.

    Arguments:
        grad -- array of the broadcast shape, e.g. ``(n, m)``.
        shape -- the operand's shape, e.g. ``(n, 1)``, ``(1, m)``, ``(m,)`` or ``()``.
    Returns:
        a new array of shape ``shape`` (0-d for ``()``).
    Raises:
        ValueError if ``shape`` does not broadcast to ``grad.shape``.
    """
    grad = np.asarray(grad, dtype=float)
    shape = tuple(int(s) for s in shape)
    try:
        compatible = len(shape) <= grad.ndim and np.broadcast_shapes(shape, grad.shape) == grad.shape
    except ValueError:
        compatible = False
    if not compatible:
        raise ValueError(f"unbroadcast: an operand of shape {shape} cannot have been broadcast to "
                         f"the gradient's shape {grad.shape}")
    out = grad.sum(axis=tuple(range(grad.ndim - len(shape)))) if grad.ndim > len(shape) else grad
    axes = tuple(i for i, s in enumerate(shape) if s == 1 and out.shape[i] != 1)
    if axes:
        out = out.sum(axis=axes, keepdims=True)
    return np.array(out, dtype=float).reshape(shape)


def add_backward(a, b, out_grad):
    """Gradients of ``out = a + b`` (numpy broadcasting).

    Arguments: a, b -- the operands (any shapes that broadcast together); out_grad -- shaped like
    ``a + b``. Returns: ``(da, db)`` shaped like ``a`` and ``b``.
    Raises: ValueError if a and b do not broadcast together, or out_grad does not have the
    shape of ``a + b``.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    out_grad = _check_out_grad(out_grad, np.broadcast_shapes(a.shape, b.shape), "add_backward")
    return unbroadcast(out_grad, a.shape), unbroadcast(out_grad, b.shape)


def mul_backward(a, b, out_grad):
    """Gradients of the elementwise product ``out = a * b`` (numpy broadcasting).

    ``d out / d a = b`` and ``d out / d b = a`` entry by entry, so ``da = out_grad * b`` and
    ``db = out_grad * a``, each summed back to its operand's shape.

    Arguments: a, b -- the operands (shapes that broadcast, e.g. ``(n, 1)`` and ``(n, m)``);
    out_grad -- shaped like ``a * b``.
    Returns: ``(da, db)`` shaped like ``a`` and ``b``.
    Raises: ValueError if a and b do not broadcast together, or out_grad does not have the
    shape of ``a * b``.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    out_grad = _check_out_grad(out_grad, np.broadcast_shapes(a.shape, b.shape), "mul_backward")
    return unbroadcast(out_grad * b, a.shape), unbroadcast(out_grad * a, b.shape)


def matmul_backward(A, B, out_grad):
    """Gradients of the matrix product ``out = A @ B``.

    Arguments: A ``(n, k)``; B ``(k, m)``; out_grad ``(n, m)``.
    Returns: ``(dA, dB)`` = ``(out_grad @ B.T, A.T @ out_grad)``, shapes ``(n, k)`` and ``(k, m)``.
    Raises: ValueError if A and B are not 2-D with matching inner sizes, or out_grad is not ``(n, m)``.
    """
    A, B = np.asarray(A, dtype=float), np.asarray(B, dtype=float)
    if A.ndim != 2 or B.ndim != 2 or A.shape[1] != B.shape[0]:
        raise ValueError(f"matmul_backward: expected A (n, k) and B (k, m), got A {A.shape} and B {B.shape}")
    out_grad = _check_out_grad(out_grad, (A.shape[0], B.shape[1]), "matmul_backward")
    return out_grad @ B.T, A.T @ out_grad


def _check_out_grad(out_grad, shape, name) -> np.ndarray:
    out_grad = np.asarray(out_grad, dtype=float)
    if out_grad.shape != tuple(shape):
        raise ValueError(f"{name}: out_grad must have the output's shape {tuple(shape)}, got {out_grad.shape}")
    return out_grad


# --------------------------------------------------------------------------------------------
# the node
# --------------------------------------------------------------------------------------------

class Tensor:
    """A node of the computation graph: a value, its parents, and how to pass gradients back.

    Arguments:
        data -- a number or an array of any shape; it is copied (as float), so later changes to
            the caller's array do not reach the graph.
        parents -- the Tensors this node was computed from, in argument order (``()`` for a leaf).
        backward_fn -- ``out_grad -> tuple of parent gradients`` (see the module docstring);
            ``None`` for a leaf.
        op -- a short name of the operation (``"leaf"``, ``"add"``, ``"matmul"``, ...).
        name -- an optional label for printing (``"W1"``, ``"w"``).

    Attributes: ``data``, ``grad`` (``None`` until :func:`backward`), ``parents``,
    ``backward_fn``, ``op``, ``name``; ``shape`` and ``ndim`` as in numpy.
    Arithmetic with numbers or arrays wraps them in leaf Tensors first.
    Operations: ``+ - * /`` (broadcasting like numpy), unary ``-``, ``** p`` for a constant
    number p, ``@`` (2-D only), indexing, :meth:`sum`, :meth:`mean`, and the elementwise
    ``exp``, ``log``, ``relu``, ``sigmoid``, ``tanh``; each returns a new Tensor.
    Raises: TypeError if ``data`` is already a Tensor or a parent is not a Tensor; ValueError if
    parents are given without a ``backward_fn``. ``a @ b`` raises ValueError unless the shapes
    are ``(n, k)`` and ``(k, m)``; ``a ** p`` raises TypeError unless p is a plain number.
    """

    __array_ufunc__ = None  # numpy defers to Tensor: `array * tensor` calls Tensor.__rmul__

    def __init__(self, data, parents: Sequence["Tensor"] = (), backward_fn: Callable | None = None,
                 op: str = "leaf", name: str | None = None) -> None:
        if isinstance(data, Tensor):
            raise TypeError("Tensor(data): data is already a Tensor; use it directly or as_tensor()")
        self.data = np.array(data, dtype=float, copy=True)
        self.parents = tuple(parents)
        if not all(isinstance(p, Tensor) for p in self.parents):
            raise TypeError("Tensor: every parent must be a Tensor")
        if self.parents and backward_fn is None:
            raise ValueError(f"Tensor({op!r}): a node with parents needs a backward_fn")
        self.backward_fn = backward_fn
        self.op = op
        self.name = name
        self.grad = None

    # -- description ----------------------------------------------------------------------
    @property
    def shape(self) -> tuple:
        """``data.shape``."""
        return self.data.shape

    @property
    def ndim(self) -> int:
        """``data.ndim``."""
        return self.data.ndim

    @property
    def label(self) -> str:
        """``name`` if set, else ``op``."""
        return self.name if self.name is not None else self.op

    def item(self) -> float:
        """The value of a one-entry Tensor (any shape with one entry) as a Python float.

        Raises: ValueError if the Tensor has more or fewer than one entry.
        """
        if self.data.size != 1:
            raise ValueError(f"item() needs a one-entry Tensor, this one has shape {self.shape}")
        return float(self.data.reshape(-1)[0])

    def __repr__(self) -> str:
        value = f"{self.data.item():.6g}" if self.data.size == 1 else f"shape {self.shape}"
        return f"Tensor({self.label}, {value})"

    def backward(self) -> None:
        """Run :func:`backward` from this node (same raises)."""
        backward(self)

    # -- arithmetic ----------------------------------------------------------------------
    def __add__(self, other):
        other = as_tensor(other)
        a, b = self.data, other.data
        return Tensor(a + b, (self, other), lambda g: add_backward(a, b, g), "add")

    def __radd__(self, other):
        return as_tensor(other).__add__(self)

    def __neg__(self):
        return Tensor(-self.data, (self,), lambda g: (-g,), "neg")

    def __sub__(self, other):
        other = as_tensor(other)
        a, b = self.data, other.data
        return Tensor(a - b, (self, other), lambda g: (unbroadcast(g, a.shape), -unbroadcast(g, b.shape)), "sub")

    def __rsub__(self, other):
        return as_tensor(other).__sub__(self)

    def __mul__(self, other):
        other = as_tensor(other)
        a, b = self.data, other.data
        return Tensor(a * b, (self, other), lambda g: mul_backward(a, b, g), "mul")

    def __rmul__(self, other):
        return as_tensor(other).__mul__(self)

    def __truediv__(self, other):
        other = as_tensor(other)
        a, b = self.data, other.data

        def backward_fn(g):
            # out = a / b: d/da = 1 / b, d/db = -a / b^2
            return unbroadcast(g / b, a.shape), unbroadcast(-g * a / b ** 2, b.shape)

        return Tensor(a / b, (self, other), backward_fn, "div")

    def __rtruediv__(self, other):
        return as_tensor(other).__truediv__(self)

    def __pow__(self, exponent):
        if isinstance(exponent, Tensor) or np.ndim(exponent) != 0:
            raise TypeError("Tensor ** p: p must be a plain number (a constant exponent)")
        p = float(exponent)
        a = self.data
        return Tensor(a ** p, (self,), lambda g: (g * p * a ** (p - 1),), f"pow{p:g}")

    def __matmul__(self, other):
        other = as_tensor(other)
        A, B = self.data, other.data
        if A.ndim != 2 or B.ndim != 2 or A.shape[1] != B.shape[0]:
            raise ValueError(f"matmul: expected (n, k) @ (k, m), got {A.shape} @ {B.shape}")
        return Tensor(A @ B, (self, other), lambda g: matmul_backward(A, B, g), "matmul")

    def __rmatmul__(self, other):
        return as_tensor(other).__matmul__(self)

    def __getitem__(self, index):
        a = self.data

        def backward_fn(g):
            out = np.zeros_like(a)
            np.add.at(out, index, g)   # repeated indices receive every share
            return (out,)

        return Tensor(a[index], (self,), backward_fn, "index")

    # -- reductions ----------------------------------------------------------------------
    def sum(self, axis=None, keepdims: bool = False):
        """Sum over ``axis`` (an int, a tuple, or None for all entries), as ``np.sum``.

        Returns: a new Tensor shaped like ``np.sum(data, axis, keepdims=keepdims)``, e.g. ``()``
        for all entries, ``(1, m)`` for ``axis=0, keepdims=True`` on ``(n, m)``.
        """
        a = self.data
        out = np.sum(a, axis=axis, keepdims=keepdims)

        def backward_fn(g):
            g = np.asarray(g, dtype=float)
            if not keepdims and axis is not None:
                g = np.expand_dims(g, _normalise_axes(axis, a.ndim))
            return (np.broadcast_to(g, a.shape).copy(),)

        return Tensor(out, (self,), backward_fn, "sum")

    def mean(self, axis=None, keepdims: bool = False):
        """Mean over ``axis``, as ``np.mean``: the sum divided by the number of entries averaged.

        Returns: a new Tensor shaped like :meth:`sum`'s result for the same arguments.
        """
        count = self.data.size if axis is None else int(np.prod([self.data.shape[i] for i in
                                                                  _normalise_axes(axis, self.ndim)]))
        return self.sum(axis=axis, keepdims=keepdims) * (1.0 / count)

    # -- elementwise functions -----------------------------------------------------------
    def exp(self):
        """Elementwise ``e**data``, as :func:`exp`: a new Tensor of the same shape."""
        out = np.exp(self.data)
        return Tensor(out, (self,), lambda g: (g * out,), "exp")

    def log(self):
        """Elementwise natural logarithm, as :func:`log`: a new Tensor of the same shape."""
        a = self.data
        return Tensor(np.log(a), (self,), lambda g: (g / a,), "log")

    def relu(self):
        """Elementwise ``max(data, 0)``, as :func:`relu`: a new Tensor of the same shape."""
        a = self.data
        return Tensor(np.maximum(a, 0.0), (self,), lambda g: (np.where(a > 0, g, 0.0),), "relu")

    def sigmoid(self):
        """Elementwise logistic sigmoid, as :func:`sigmoid`: a new Tensor of the same shape."""
        s = _sigmoid(self.data)
        return Tensor(s, (self,), lambda g: (g * s * (1.0 - s),), "sigmoid")

    def tanh(self):
        """Elementwise hyperbolic tangent, as :func:`tanh`: a new Tensor of the same shape."""
        t = np.tanh(self.data)
        return Tensor(t, (self,), lambda g: (g * (1.0 - t * t),), "tanh")


def _normalise_axes(axis, ndim) -> tuple:
    axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
    return tuple(sorted(int(a) % ndim for a in axes))


def as_tensor(x) -> Tensor:
    """``x`` itself if it is a Tensor, else a new leaf holding a float copy of ``x``.

    Arguments: x -- a Tensor, number or array of any shape. Returns: a Tensor of ``x``'s shape.
    """
    return x if isinstance(x, Tensor) else Tensor(x)


def exp(x) -> Tensor:
    """Elementwise ``e**x``. Arguments: x -- a Tensor, number or array of any shape (non-Tensors become
    leaves). Returns: a new Tensor of the same shape; its gradient rule is ``d e**x / dx = e**x``.
    (No namesake in :mod:`course_utils.nn.activations`.)"""
    return as_tensor(x).exp()


def log(x) -> Tensor:
    """Elementwise natural logarithm. Arguments: x -- a Tensor, number or array of any shape, entries > 0.
    Returns: a new Tensor of the same shape; its gradient rule is ``d log x / dx = 1 / x``.
    (Not checked: entries <= 0 give NaN or -inf, with numpy's warning. No namesake in
    :mod:`course_utils.nn.activations`.)"""
    return as_tensor(x).log()


def relu(z) -> Tensor:
    """Elementwise ``max(z, 0)``; its derivative is taken as 0 at ``z == 0``.

    The same function as :func:`course_utils.nn.activations.relu`, lifted to Tensors: it accepts
    a Tensor or an array (or a number), and returns a Tensor whose data equals
    ``activations.relu(z)`` and whose gradient rule is ``activations.relu_derivative``.
    Arguments: z -- a Tensor, number or array of any shape (non-Tensors become leaves).
    Returns: a new Tensor of the same shape.
    Source: Nair & Hinton (2010), "Rectified Linear Units Improve Restricted Boltzmann
    Machines", ICML; Glorot, Bordes & Bengio (2011), "Deep Sparse Rectifier Neural Networks",
    AISTATS.
    """
    return as_tensor(z).relu()


def sigmoid(z) -> Tensor:
    """Elementwise ``1 / (1 + e**-z)`` (computed without overflow).

    The same function as :func:`course_utils.nn.activations.sigmoid`, lifted to Tensors (its
    data is computed by that function): it accepts a Tensor or an array (or a number), and its
    gradient rule is ``s * (1 - s)``.
    Arguments: z -- a Tensor, number or array of any shape (non-Tensors become leaves).
    Returns: a new Tensor of the same shape.
    Source: the logistic function, Verhulst (1845); as the activation of units trained by
    back-propagation, Rumelhart, Hinton & Williams (1986), "Learning representations by
    back-propagating errors", Nature. Numerically stable form: see
    :func:`course_utils.nn.activations.sigmoid`.
    """
    return as_tensor(z).sigmoid()


def tanh(z) -> Tensor:
    """Elementwise hyperbolic tangent.

    The same function as :func:`course_utils.nn.activations.tanh`, lifted to Tensors: it accepts
    a Tensor or an array (or a number), and its gradient rule is ``1 - tanh(z)**2``.
    Arguments: z -- a Tensor, number or array of any shape (non-Tensors become leaves).
    Returns: a new Tensor of the same shape.
    Source: as an activation, LeCun, Bottou, Orr & Müller (1998), "Efficient BackProp", in
    Neural Networks: Tricks of the Trade, Springer, LNCS 1524.
    """
    return as_tensor(z).tanh()


# --------------------------------------------------------------------------------------------
# the backward pass
# --------------------------------------------------------------------------------------------

def topological_order(root: Tensor) -> list:
    """Every node that ``root`` depends on, each once, every node after all of its parents.

    The order is the depth-first **post-order over parents in argument order**: the result of
    ``visit(root)`` with::

        visit(node): if node was visited already, return; mark it visited;
                     visit each of node.parents in order; append node.

    (Written here with an explicit stack, so deep graphs do not hit Python's recursion limit;
    the order is the same.) Nodes are compared by identity.

    Arguments: root -- a Tensor.
    Returns: a new list of Tensors; ``root`` is last.
    Raises: TypeError if root is not a Tensor.
    Source: topological sorting by depth-first search, Tarjan (1976), "Edge-disjoint spanning
    trees and depth-first search", Acta Informatica.
    """
    if not isinstance(root, Tensor):
        raise TypeError(f"topological_order: root must be a Tensor, got {type(root).__name__}")
    order, visited = [], {id(root)}
    stack = [(root, iter(root.parents))]
    while stack:
        node, parents = stack[-1]
        for parent in parents:
            if id(parent) not in visited:
                visited.add(id(parent))
                stack.append((parent, iter(parent.parents)))
                break
        else:
            stack.pop()
            order.append(node)
    return order


def backward(root: Tensor) -> None:
    """Fill ``.grad`` of every node of ``root``'s graph with ``d sum(root) / d node``.

    Steps: ``order = topological_order(root)``; set every node's ``grad`` to zeros shaped like
    its data; set ``root.grad`` to ones (the derivative of the root with respect to itself; for
    a scalar cost, 1); then, for every node in **reversed** order that has parents, call
    ``node.backward_fn(node.grad)`` and **add** the i-th returned array to the i-th parent's grad.
    A node is processed only after every node that uses it, so its grad is complete by then.

    Arguments: root -- a Tensor, usually a scalar cost (shape ``()``).
    Returns: None (the results are in the nodes' ``grad`` attributes; no ``data`` changes).
    Raises: TypeError if root is not a Tensor; ValueError if a backward_fn returns the wrong
    number of arrays or a wrong shape.
    Source: reverse-mode automatic differentiation, Linnainmaa (1970); Baydin, Pearlmutter,
    Radul & Siskind (2018), "Automatic Differentiation in Machine Learning: a Survey", JMLR 18.
    """
    order = topological_order(root)
    for node in order:
        node.grad = np.zeros_like(node.data)
    root.grad = np.ones_like(root.data)
    for node in reversed(order):
        if not node.parents:
            continue
        shares = node.backward_fn(node.grad)
        if len(shares) != len(node.parents):
            raise ValueError(f"backward_fn of {node.label!r} returned {len(shares)} gradients "
                             f"for {len(node.parents)} parents")
        for parent, share in zip(node.parents, shares):
            share = np.asarray(share, dtype=float)
            if share.shape != parent.shape:
                raise ValueError(f"backward_fn of {node.label!r} returned a gradient of shape {share.shape} "
                                 f"for a parent of shape {parent.shape}")
            parent.grad = parent.grad + share


# --------------------------------------------------------------------------------------------
# optimisation with course_utils.optim.rules's Adam
# --------------------------------------------------------------------------------------------

def minimize_with_adam(cost_fn: Callable[[dict], Tensor], parameters: dict, learning_rate: float = 0.1,
                       num_steps: int = 1000, *, beta1: float = 0.9, beta2: float = 0.999,
                       epsilon: float = 1e-8, backward_pass: Callable[[Tensor], None] | None = None,
                       progress: bool = False, desc: str | None = None):
    """Minimise a cost written with Tensors, with gradients from the graph and Adam updates.

    At every step t = 1, ..., num_steps: wrap each parameter array in a leaf Tensor (named by
    its key), build ``cost = cost_fn(leaves)`` (the forward pass: the only code the user
    writes), run ``backward_pass(cost)``, collect ``grads = {"d" + key: leaf.grad}``, and update
    with the library's Adam rule, through the one training loop :func:`course_utils.optim.loop.train`.

    Arguments:
        cost_fn -- maps a dict of Tensors (same keys as ``parameters``) to a one-entry Tensor.
        parameters -- dict of arrays of any shapes (``()`` for a single number); not modified.
        learning_rate, beta1, beta2, epsilon -- Adam's hyperparameters.
        num_steps -- number of updates.
        backward_pass -- the function that fills the grads (default: :func:`backward`).
        progress, desc -- show a progress bar (quiet while grading).
    Returns:
        ``(parameters, history)``: the new parameter dict after ``num_steps`` updates, and a dict
        with ``history["cost"]`` of shape ``(num_steps,)`` and ``history[key]`` of shape
        ``(num_steps, *parameters[key].shape)``: the cost and parameters at the start of each step.
    Raises:
        ValueError if num_steps < 0 or is not a whole number, or ``cost_fn`` returns anything but
        a one-entry Tensor; what ``backward_pass`` raises (for :func:`backward`: ValueError for a
        bad backward_fn); KeyError if ``backward_pass`` leaves a parameter's grad unset (None), and
        ValueError if it leaves one of the wrong shape (from the Adam rule's update,
        :data:`course_utils.optim.rules.adam`).
    Source: Adam, Kingma & Ba (2015), "Adam: A Method for Stochastic Optimization", ICLR,
        Algorithm 1; gradients by reverse-mode automatic differentiation (see :func:`backward`).
    """
    if num_steps < 0:
        raise ValueError(f"num_steps must be >= 0, got {num_steps}")
    backward_pass = backward if backward_pass is None else backward_pass
    trail = {k: [] for k in parameters}

    def step(params, _X, _Y):
        leaves = {k: Tensor(p, name=k) for k, p in params.items()}
        cost = cost_fn(leaves)
        if not isinstance(cost, Tensor) or cost.data.size != 1:
            raise ValueError(f"cost_fn must return a one-entry Tensor, got {cost!r}")
        backward_pass(cost)
        return cost.item(), {"d" + k: leaf.grad for k, leaf in leaves.items()}

    def remember(_step, params):
        for k, p in params.items():
            trail[k].append(p)

    params, fit = train(step, parameters, optimizer="adam",  # no data: the cost is all of the model
                        config={"learning_rate": learning_rate, "beta1": beta1, "beta2": beta2, "epsilon": epsilon},
                        num_epochs=num_steps, callback=remember, stop_on_nonfinite=False, progress=progress,
                        desc=desc)
    costs = fit["cost"]
    history = {"cost": np.array(costs, dtype=float)}
    for k, p in parameters.items():
        history[k] = np.array(trail[k], dtype=float).reshape((num_steps,) + np.shape(p))
    return params, history


# --------------------------------------------------------------------------------------------
# adaptors for the checks: turn a graph function's effect into plain, comparable values
# --------------------------------------------------------------------------------------------

def order_positions(order_fn: Callable[[Tensor], list], make_graph: Callable[[], Tensor]) -> list:
    """Run ``order_fn`` on a fresh graph and describe its answer by positions in the reference order.

    Arguments: order_fn -- a function like :func:`topological_order`; make_graph -- a function
    of no arguments that builds a new graph and returns its root.
    Returns: a list of ints, one per node that ``order_fn`` returned: the node's position in
    ``topological_order(root)`` (-1 for anything that is not a node of the graph). The
    reference itself gives ``[0, 1, ..., k - 1]``.
    Raises: TypeError if make_graph does not return a Tensor; what ``order_fn`` raises propagates.
    """
    root = make_graph()
    position = {id(node): i for i, node in enumerate(topological_order(root))}
    return [position.get(id(node), -1) for node in order_fn(root)]


def gradients_after(backward_fn: Callable[[Tensor], None], make_graph: Callable[[], Tensor], repeats: int = 1) -> dict:
    """Run ``backward_fn`` on a fresh graph (``repeats`` times) and collect every node's grad.

    Arguments: backward_fn -- a function like :func:`backward`; make_graph -- builds a new graph
    and returns its root; repeats -- how many times to call ``backward_fn(root)`` on that graph.
    Returns: a dict ``{"node i (label)": grad}`` over the nodes in ``topological_order(root)``,
    with the string ``"not set"`` where a grad is still None.
    Raises: what ``backward_fn`` raises; TypeError if make_graph does not return a Tensor (after
    ``backward_fn`` ran on it).
    """
    root = make_graph()
    for _ in range(repeats):
        backward_fn(root)
    return {f"node {i} ({node.label})": ("not set" if node.grad is None else np.array(node.grad, dtype=float))
            for i, node in enumerate(topological_order(root))}

