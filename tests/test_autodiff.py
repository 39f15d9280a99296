"""Unit tests of course_utils.autodiff (Track 2, notebook 08)."""

import copy

import numpy as np
import pytest

import course_utils.autodiff as ad
from course_utils.models.mlp import L_model_backward, L_model_forward
from course_utils.nn.init import initialize_parameters_deep
from course_utils.nn.losses import cross_entropy_cost as compute_cost
from course_utils.gradcheck import relative_difference
from course_utils.exercises.optimization import initialize_adam, update_parameters_with_adam

RNG = np.random.default_rng(0)


def finite_difference_grads(f, arrays, weights, eps=1e-6):
    """d sum(weights * f(arrays)) / d arrays[i] by central differences, on plain numpy."""
    grads = []
    for i, x in enumerate(arrays):
        g = np.zeros_like(x)
        for idx in np.ndindex(x.shape):
            plus = [a.copy() for a in arrays]
            minus = [a.copy() for a in arrays]
            plus[i][idx] += eps
            minus[i][idx] -= eps
            g[idx] = (np.sum(weights * f(*plus)) - np.sum(weights * f(*minus))) / (2 * eps)
        grads.append(g)
    return grads


def autodiff_grads(op, arrays, weights):
    """The same derivatives from the graph: leaves, op, sum(weights * out), backward."""
    leaves = [ad.Tensor(a) for a in arrays]
    out = op(*leaves)
    cost = (out * weights).sum()
    ad.backward(cost)
    return [leaf.grad for leaf in leaves], out.data


def positive(shape):
    return RNG.uniform(0.5, 2.0, shape)


# (name, Tensor op, numpy op, input arrays): every operation, with broadcasting and scalars
OPS = [
    ("add (n,1)+(n,m)", lambda a, b: a + b, lambda a, b: a + b, [RNG.standard_normal((3, 1)), RNG.standard_normal((3, 5))]),
    ("add (1,m)+(n,m)", lambda a, b: a + b, lambda a, b: a + b, [RNG.standard_normal((1, 4)), RNG.standard_normal((2, 4))]),
    ("add ()+(n,m)", lambda a, b: a + b, lambda a, b: a + b, [RNG.standard_normal(()), RNG.standard_normal((2, 3))]),
    ("add (m,)+(n,m)", lambda a, b: a + b, lambda a, b: a + b, [RNG.standard_normal(4), RNG.standard_normal((3, 4))]),
    ("radd number", lambda a: 2.5 + a, lambda a: 2.5 + a, [RNG.standard_normal((2, 3))]),
    ("sub (n,m)-(n,1)", lambda a, b: a - b, lambda a, b: a - b, [RNG.standard_normal((3, 4)), RNG.standard_normal((3, 1))]),
    ("rsub number", lambda a: 1 - a, lambda a: 1 - a, [RNG.standard_normal((2, 3))]),
    ("mul (n,1)*(n,m)", lambda a, b: a * b, lambda a, b: a * b, [RNG.standard_normal((3, 1)), RNG.standard_normal((3, 5))]),
    ("mul ()*()", lambda a, b: a * b, lambda a, b: a * b, [RNG.standard_normal(()), RNG.standard_normal(())]),
    ("rmul array", lambda a: np.array([[2.0], [-1.0]]) * a, lambda a: np.array([[2.0], [-1.0]]) * a,
     [RNG.standard_normal((2, 3))]),
    ("div (n,m)/(1,m)", lambda a, b: a / b, lambda a, b: a / b, [RNG.standard_normal((3, 4)), positive((1, 4))]),
    ("rdiv number", lambda a: 3.0 / a, lambda a: 3.0 / a, [positive((2, 2))]),
    ("neg", lambda a: -a, lambda a: -a, [RNG.standard_normal((2, 3))]),
    ("pow 2", lambda a: a ** 2, lambda a: a ** 2, [RNG.standard_normal((3, 2))]),
    ("pow -1.5", lambda a: a ** -1.5, lambda a: a ** -1.5, [positive((3, 2))]),
    ("matmul", lambda a, b: a @ b, lambda a, b: a @ b, [RNG.standard_normal((3, 4)), RNG.standard_normal((4, 2))]),
    ("matmul m=1", lambda a, b: a @ b, lambda a, b: a @ b, [RNG.standard_normal((1, 4)), RNG.standard_normal((4, 1))]),
    ("sum all", lambda a: a.sum(), lambda a: a.sum(), [RNG.standard_normal((3, 4))]),
    ("sum axis 1 keepdims", lambda a: a.sum(axis=1, keepdims=True), lambda a: a.sum(axis=1, keepdims=True),
     [RNG.standard_normal((3, 4))]),
    ("sum axis 0", lambda a: a.sum(axis=0), lambda a: a.sum(axis=0), [RNG.standard_normal((3, 4))]),
    ("sum axis -1 3d", lambda a: a.sum(axis=-1), lambda a: a.sum(axis=-1), [RNG.standard_normal((2, 3, 4))]),
    ("sum axes (0,2)", lambda a: a.sum(axis=(0, 2)), lambda a: a.sum(axis=(0, 2)), [RNG.standard_normal((2, 3, 4))]),
    ("mean all", lambda a: a.mean(), lambda a: a.mean(), [RNG.standard_normal((3, 4))]),
    ("mean axis 1 keepdims", lambda a: a.mean(axis=1, keepdims=True), lambda a: a.mean(axis=1, keepdims=True),
     [RNG.standard_normal((3, 4))]),
    ("exp", lambda a: a.exp(), np.exp, [RNG.standard_normal((2, 3))]),
    ("log", lambda a: ad.log(a), np.log, [positive((2, 3))]),
    ("relu", lambda a: ad.relu(a), lambda a: np.maximum(a, 0), [RNG.standard_normal((3, 4)) + 0.05]),
    ("sigmoid", lambda a: ad.sigmoid(a), lambda a: 1 / (1 + np.exp(-a)), [RNG.standard_normal((3, 4))]),
    ("tanh", lambda a: ad.tanh(a), np.tanh, [RNG.standard_normal((3, 4))]),
    ("exp fn", lambda a: ad.exp(a), np.exp, [RNG.standard_normal((2, 2))]),
    ("index row", lambda a: a[1], lambda a: a[1], [RNG.standard_normal((3, 4))]),
    ("index repeated", lambda a: a[[0, 0, 2]], lambda a: a[[0, 0, 2]], [RNG.standard_normal(3)]),
    ("composite", lambda a, b: ((a * b).sigmoid() - a / 3).tanh() ** 2,
     lambda a, b: np.tanh(1 / (1 + np.exp(-a * b)) - a / 3) ** 2,
     [RNG.standard_normal((2, 1)), RNG.standard_normal((2, 3))]),
]


@pytest.mark.parametrize("name, op, np_op, arrays", OPS, ids=[o[0] for o in OPS])
def test_every_operation_against_finite_differences(name, op, np_op, arrays):
    out_shape = np.shape(np_op(*arrays))
    weights = np.random.default_rng(1).standard_normal(out_shape)
    before = copy.deepcopy(arrays)
    grads, value = autodiff_grads(op, arrays, weights)
    np.testing.assert_allclose(value, np_op(*arrays), rtol=1e-12, atol=1e-12)
    expected = finite_difference_grads(np_op, arrays, weights)
    for g, e, a in zip(grads, expected, arrays):
        assert g.shape == a.shape
        np.testing.assert_allclose(g, e, rtol=1e-6, atol=1e-7)
    for b, a in zip(before, arrays):   # the inputs are untouched
        np.testing.assert_array_equal(b, a)


def test_pow_needs_a_constant_exponent():
    with pytest.raises(TypeError):
        ad.Tensor(2.0) ** ad.Tensor(3.0)


def test_matmul_shape_error():
    with pytest.raises(ValueError, match=r"\(3, 4\) @ \(3, 2\)"):
        ad.Tensor(np.ones((3, 4))) @ ad.Tensor(np.ones((3, 2)))


def test_tensor_copies_its_data_and_ops_do_not_touch_inputs():
    x = np.arange(6.0).reshape(2, 3)
    t = ad.Tensor(x)
    x[0, 0] = 100.0
    assert t.data[0, 0] == 0.0
    a, b = ad.Tensor(RNG.standard_normal((2, 1))), ad.Tensor(RNG.standard_normal((2, 3)))
    a0, b0 = a.data.copy(), b.data.copy()
    cost = ((a * b).relu().sum() + 1).log()
    ad.backward(cost)
    np.testing.assert_array_equal(a.data, a0)
    np.testing.assert_array_equal(b.data, b0)


def test_unbroadcast_against_loops():
    g = RNG.standard_normal((2, 3, 4))
    np.testing.assert_allclose(ad.unbroadcast(g, (3, 4)), sum(g[i] for i in range(2)))
    np.testing.assert_allclose(ad.unbroadcast(g, (3, 1)), sum(g[i][:, j:j + 1] for i in range(2) for j in range(4)))
    np.testing.assert_allclose(ad.unbroadcast(g, (1, 4)), sum(g[i][j:j + 1] for i in range(2) for j in range(3)))
    np.testing.assert_allclose(ad.unbroadcast(g, ()), g.sum())
    np.testing.assert_allclose(ad.unbroadcast(g, (4,)), g.reshape(-1, 4).sum(axis=0))
    np.testing.assert_allclose(ad.unbroadcast(g, g.shape), g)
    assert ad.unbroadcast(g, ()).shape == ()
    g2 = RNG.standard_normal((5, 1))   # m = 1: nothing to sum
    np.testing.assert_array_equal(ad.unbroadcast(g2, (5, 1)), g2)


def test_unbroadcast_does_not_mutate_or_alias():
    g = RNG.standard_normal((3, 4))
    g0 = g.copy()
    out = ad.unbroadcast(g, (3, 4))
    out[0, 0] = 99.0
    np.testing.assert_array_equal(g, g0)


@pytest.mark.parametrize("grad_shape, shape", [((3, 4), (4, 1)), ((3, 4), (2, 3, 4)), ((3, 1), (3, 4)), ((3,), (2,))])
def test_unbroadcast_rejects_incompatible_shapes(grad_shape, shape):
    with pytest.raises(ValueError, match="cannot have been broadcast"):
        ad.unbroadcast(np.ones(grad_shape), shape)


@pytest.mark.parametrize("fn, np_op, shapes", [
    (ad.add_backward, lambda a, b: a + b, [(3, 1), (3, 5)]),
    (ad.mul_backward, lambda a, b: a * b, [(3, 1), (3, 5)]),
    (ad.mul_backward, lambda a, b: a * b, [(1, 4), (2, 4)]),
    (ad.mul_backward, lambda a, b: a * b, [(), (2, 2)]),
    (ad.matmul_backward, lambda a, b: a @ b, [(3, 4), (4, 2)]),
    (ad.matmul_backward, lambda a, b: a @ b, [(2, 3), (3, 1)]),
])
def test_array_rules_against_finite_differences_without_mutation(fn, np_op, shapes):
    a, b = (RNG.standard_normal(s) for s in shapes)
    g = RNG.standard_normal(np.shape(np_op(a, b)))
    a0, b0, g0 = a.copy(), b.copy(), g.copy()
    da, db = fn(a, b, g)
    ea, eb = finite_difference_grads(np_op, [a, b], g)
    np.testing.assert_allclose(da, ea, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(db, eb, rtol=1e-6, atol=1e-7)
    assert da.shape == a.shape and db.shape == b.shape
    for x, x0 in ((a, a0), (b, b0), (g, g0)):
        np.testing.assert_array_equal(x, x0)


def test_array_rules_reject_wrong_shapes():
    with pytest.raises(ValueError, match=r"A \(3, 4\) and B \(3, 2\)"):
        ad.matmul_backward(np.ones((3, 4)), np.ones((3, 2)), np.ones((3, 2)))
    with pytest.raises(ValueError, match=r"\(3, 2\).*\(2, 3\)"):
        ad.matmul_backward(np.ones((3, 4)), np.ones((4, 2)), np.ones((2, 3)))
    with pytest.raises(ValueError, match="out_grad"):
        ad.mul_backward(np.ones((3, 1)), np.ones((3, 4)), np.ones((3, 1)))


def notes_graph():
    a, b, c = ad.Tensor(5.0, name="a"), ad.Tensor(3.0, name="b"), ad.Tensor(2.0, name="c")
    u = b * c
    v = a + u
    J = 3 * v
    return J, (a, b, c, u, v)


def test_topological_order_of_the_notes_graph():
    J, (a, b, c, u, v) = notes_graph()
    order = ad.topological_order(J)
    assert order[1:] == [a, b, c, u, v, J]
    assert order[0].op == "leaf" and float(order[0].data) == 3.0


def is_topological(order, root):
    seen = set()
    for node in order:
        if id(node) in seen or any(id(p) not in seen for p in node.parents):
            return False
        seen.add(id(node))
    return order[-1] is root


def recursive_order(root):
    """The definition in the docstring, written recursively."""
    order, visited = [], set()

    def visit(node):
        if id(node) in visited:
            return
        visited.add(id(node))
        for p in node.parents:
            visit(p)
        order.append(node)

    visit(root)
    return order


def network_graph(m=6, seed=0):
    rng = np.random.default_rng(seed)
    X, Y = rng.standard_normal((3, m)), (rng.random((1, m)) < 0.5).astype(float)
    P = {k: ad.Tensor(v, name=k) for k, v in {"W1": rng.standard_normal((4, 3)), "b1": rng.standard_normal((4, 1)),
                                               "W2": rng.standard_normal((1, 4)), "b2": rng.standard_normal((1, 1))}.items()}
    A1 = (P["W1"] @ X + P["b1"]).relu()
    A2 = (P["W2"] @ A1 + P["b2"]).sigmoid()
    cost = -(Y * A2.log() + (1 - Y) * (1 - A2).log()).sum() / m
    return cost, P


def test_topological_order_properties_and_definition():
    for root in (notes_graph()[0], network_graph()[0]):
        order = ad.topological_order(root)
        assert is_topological(order, root)
        assert order == recursive_order(root)
    x = ad.Tensor(2.0)
    diamond = (x * x + x).exp()           # x used three times, listed once
    order = ad.topological_order(diamond)
    assert sum(n is x for n in order) == 1 and is_topological(order, diamond)
    leaf = ad.Tensor(1.0)
    assert ad.topological_order(leaf) == [leaf]


def test_topological_order_of_a_deep_chain_without_recursion_error():
    x = ad.Tensor(0.5)
    y = x
    for _ in range(5000):
        y = y * 1.0001
    order = ad.topological_order(y)
    assert len(order) == 1 + 2 * 5000 and is_topological(order, y)
    ad.backward(y)
    np.testing.assert_allclose(x.grad, 1.0001 ** 5000)


def test_backward_on_the_notes_graph_and_accumulation():
    J, (a, b, c, u, v) = notes_graph()
    ad.backward(J)
    assert (float(J.grad), float(v.grad), float(u.grad)) == (1.0, 3.0, 3.0)
    assert (float(a.grad), float(b.grad), float(c.grad)) == (3.0, 6.0, 9.0)
    x = ad.Tensor(np.array([[1.0, -2.0, 0.5]]))
    y = x * x + x                          # dy/dx = 2x + 1: x receives three shares
    ad.backward(y.sum())
    np.testing.assert_allclose(x.grad, 2 * x.data + 1)


def test_backward_resets_and_does_not_touch_data():
    cost, P = network_graph()
    data_before = {k: p.data.copy() for k, p in P.items()}
    ad.backward(cost)
    first = {k: p.grad.copy() for k, p in P.items()}
    ad.backward(cost)
    for k, p in P.items():
        np.testing.assert_array_equal(p.grad, first[k])
        np.testing.assert_array_equal(p.data, data_before[k])


def test_backward_of_a_non_scalar_root_is_the_gradient_of_its_sum():
    x = ad.Tensor(RNG.standard_normal((2, 3)))
    y = x.tanh()
    ad.backward(y)
    np.testing.assert_allclose(x.grad, 1 - np.tanh(x.data) ** 2)
    np.testing.assert_array_equal(y.grad, np.ones((2, 3)))


def test_backward_checks_the_shares():
    x = ad.Tensor(np.ones(3))
    bad = ad.Tensor(x.data * 2, (x,), lambda g: (g.sum(),), "bad")
    with pytest.raises(ValueError, match=r"shape \(\) for a parent of shape \(3,\)"):
        ad.backward(bad)
    bad2 = ad.Tensor(x.data * 2, (x,), lambda g: (g, g), "bad2")
    with pytest.raises(ValueError, match="2 gradients for 1 parents"):
        ad.backward(bad2)


def test_network_gradients_match_hand_written_backprop():
    rng = np.random.default_rng(3)
    X, Y = rng.standard_normal((2, 7)), (rng.random((1, 7)) < 0.5).astype(float)
    params = initialize_parameters_deep([2, 5, 3, 1], seed=4, scale="he")
    params = {k: v + 0.1 * rng.standard_normal(v.shape) for k, v in params.items()}
    AL, caches = L_model_forward(X, params)
    hand = L_model_backward(AL, Y, caches)
    P = {k: ad.Tensor(v, name=k) for k, v in params.items()}
    A = ad.Tensor(X)
    for l in (1, 2):
        A = (P[f"W{l}"] @ A + P[f"b{l}"]).relu()
    A = (P["W3"] @ A + P["b3"]).sigmoid()
    m = X.shape[1]
    cost = -(Y * A.log() + (1 - Y) * (1 - A).log()).sum() / m
    ad.backward(cost)
    assert abs(cost.item() - compute_cost(AL, Y)) < 1e-12
    for k in params:
        assert relative_difference(P[k].grad, hand["d" + k]) < 1e-12, k


def test_minimize_with_adam_matches_a_hand_adam_loop_and_reaches_five():
    start = {"w": np.array(0.0)}
    params, history = ad.minimize_with_adam(lambda p: p["w"] ** 2 - 10 * p["w"] + 25, start, 0.1, 1000)
    assert start["w"] == 0.0                     # not modified
    assert abs(float(params["w"]) - 5) < 1e-6
    assert history["cost"].shape == (1000,) and history["w"].shape == (1000,)
    assert history["w"][0] == 0.0 and history["cost"][0] == 25.0
    p, (v, s) = {"w": np.array(0.0)}, initialize_adam({"w": np.array(0.0)})
    for t in range(1, 1001):
        assert p["w"] == history["w"][t - 1]
        p, v, s, _, _ = update_parameters_with_adam(p, {"dw": 2 * p["w"] - 10}, v, s, t, learning_rate=0.1)
    assert float(p["w"]) == float(params["w"])


def test_minimize_with_adam_uses_the_given_backward_and_arrays():
    calls = []

    def counting_backward(root):
        calls.append(root)
        ad.backward(root)

    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    start = {"W": np.zeros((2, 2)), "b": np.zeros((2, 1))}
    params, history = ad.minimize_with_adam(lambda p: ((p["W"] + p["b"] - x) ** 2).sum(), start, 0.05, 30,
                                            backward_pass=counting_backward)
    assert len(calls) == 30 and history["W"].shape == (30, 2, 2) and history["b"].shape == (30, 2, 1)
    assert history["cost"][-1] < history["cost"][0]
    np.testing.assert_array_equal(start["W"], np.zeros((2, 2)))
    with pytest.raises(ValueError, match="one-entry Tensor"):
        ad.minimize_with_adam(lambda p: p["W"] * 2, start, 0.1, 1)


def test_check_adaptors():
    make = lambda: notes_graph()[0]
    assert ad.order_positions(ad.topological_order, make) == list(range(7))
    assert ad.order_positions(lambda r: list(reversed(ad.topological_order(r))), make) == list(range(6, -1, -1))
    assert ad.order_positions(lambda r: [ad.Tensor(1.0)], make) == [-1]
    grads = ad.gradients_after(ad.backward, make)
    assert list(grads) == ["node 0 (leaf)", "node 1 (a)", "node 2 (b)", "node 3 (c)", "node 4 (mul)",
                           "node 5 (add)", "node 6 (mul)"]
    assert float(grads["node 3 (c)"]) == 9.0
    assert ad.gradients_after(lambda r: None, make)["node 1 (a)"] == "not set"
    twice = ad.gradients_after(ad.backward, make, repeats=2)
    assert all(float(twice[k]) == float(grads[k]) for k in grads)


def test_repr_label_item():
    t = ad.Tensor(2.0, name="w")
    assert repr(t) == "Tensor(w, 2)" and t.label == "w" and t.item() == 2.0
    assert repr(ad.Tensor(np.ones((2, 3))) * 2).startswith("Tensor(mul, shape (2, 3))")
    with pytest.raises(ValueError):
        ad.Tensor(np.ones(2)).item()
    with pytest.raises(TypeError):
        ad.topological_order(np.ones(2))


def _sample_calls():
    """One call per public name, on plain arrays held in `inputs` (checked for mutation)."""
    x = RNG.standard_normal((3, 4))
    b = RNG.standard_normal((3, 1))
    B = RNG.standard_normal((4, 2))
    g = RNG.standard_normal((3, 4))
    p = {"W": RNG.standard_normal((3, 4)), "b": RNG.standard_normal((3, 1))}
    make = lambda: (ad.Tensor(x) * ad.Tensor(b)).sigmoid().sum()
    calls = {
        "Tensor": (lambda: ad.Tensor(x), [x]),
        "as_tensor": (lambda: ad.as_tensor(x), [x]),
        "unbroadcast": (lambda: ad.unbroadcast(g, (3, 1)), [g]),
        "add_backward": (lambda: ad.add_backward(b, x, g), [b, x, g]),
        "mul_backward": (lambda: ad.mul_backward(b, x, g), [b, x, g]),
        "matmul_backward": (lambda: ad.matmul_backward(x, B, RNG.standard_normal((3, 2))), [x, B]),
        "topological_order": (lambda: ad.topological_order(make()), [x, b]),
        "backward": (lambda: ad.backward(make()), [x, b]),
        "exp": (lambda: ad.exp(x), [x]),
        "log": (lambda: ad.log(np.abs(x) + 1), [x]),
        "relu": (lambda: ad.relu(x), [x]),
        "sigmoid": (lambda: ad.sigmoid(x), [x]),
        "tanh": (lambda: ad.tanh(x), [x]),
        "minimize_with_adam": (lambda: ad.minimize_with_adam(lambda q: ((q["W"] + q["b"]) ** 2).sum(), p, 0.1, 3),
                               [p["W"], p["b"]]),
        "order_positions": (lambda: ad.order_positions(ad.topological_order, make), [x, b]),
        "gradients_after": (lambda: ad.gradients_after(ad.backward, make, repeats=2), [x, b]),
    }
    return calls


def test_no_public_name_mutates_its_inputs_and_all_are_documented():
    calls = _sample_calls()
    assert set(calls) == set(ad.__all__), f"add a sample call for {sorted(set(ad.__all__) ^ set(calls))}"
    for name, (call, inputs) in calls.items():
        before = [a.copy() for a in inputs]
        call()
        for a, a0 in zip(inputs, before):
            np.testing.assert_array_equal(a, a0, err_msg=f"{name} mutated an input")
        doc = getattr(ad, name).__doc__ or ""
        assert len(doc) > 40, f"autodiff.{name} needs a docstring with shapes"
