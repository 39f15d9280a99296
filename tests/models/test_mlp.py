"""course_utils.models.mlp and course_utils.models.logistic: compositions trained by the one loop."""

import numpy as np
import pytest

import course_utils.exercises.logistic_regression as classic_logistic
from course_utils.gradcheck import gradient_difference, numerical_gradient
from course_utils.metrics.classification import accuracy
from course_utils.models.logistic import initialize_logistic, train_logistic_regression
from course_utils.models.mlp import L_model_backward, L_model_forward, mlp_step, num_layers, predict, train_mlp
from course_utils.nn.init import initialize_parameters_deep
from course_utils.nn.losses import cross_entropy_cost


def problem(m=200, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((2, m))
    Y = (X[0:1] * X[1:2] > 0).astype(float)  # XOR-like: needs a hidden layer
    return X, Y


@pytest.mark.parametrize("hidden", ["relu", "tanh", "sigmoid"])
def test_backward_is_the_gradient_of_the_average_cost(hidden):
    X, Y = problem(m=9)
    p = initialize_parameters_deep([2, 5, 3, 1], seed=2, scale="xavier")
    AL, caches = L_model_forward(X, p, hidden)
    grads = L_model_backward(AL, Y, caches, hidden)
    assert set(grads) == {"d" + k for k in p}
    num = numerical_gradient(lambda q: cross_entropy_cost(L_model_forward(X, q, hidden)[0], Y), p)
    assert gradient_difference(grads, num) < 1e-7


def test_l2_step_adds_the_penalty_and_its_gradient():
    X, Y = problem(m=9)
    p = initialize_parameters_deep([2, 4, 1], seed=3, scale="he")
    cost, grads = mlp_step(p, X, Y, lambd=0.5)
    num = numerical_gradient(lambda q: mlp_step(q, X, Y, lambd=0.5)[0], p)
    assert gradient_difference(grads, num) < 1e-7
    assert cost > mlp_step(p, X, Y)[0]


def test_training_learns_a_problem_logistic_regression_cannot():
    X, Y = problem()
    params, history = train_mlp(X, Y, [2, 8, 1], seed=1, optimizer="adam", config={"learning_rate": 0.05},
                                num_epochs=300, record_every=50)
    assert history["cost"][-1] < 0.5 * history["cost"][0]
    assert accuracy(predict(params, X), Y) >= 0.9
    lr_params, _ = train_logistic_regression(X, Y, learning_rate=0.5, num_iterations=300)
    assert accuracy(predict(lr_params, X), Y) < 0.7


def test_library_logistic_regression_is_the_classic_one():
    X, Y = problem(seed=4)
    params, history = train_logistic_regression(X, Y, learning_rate=0.3, num_iterations=120, record_every=100)
    d = classic_logistic.model(X, Y, X, Y, num_iterations=120, learning_rate=0.3)
    np.testing.assert_allclose(params["W1"].T, d["w"], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(params["b1"][0, 0], d["b"], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(history["cost"], d["costs"], rtol=1e-12)
    np.testing.assert_array_equal(predict(params, X), d["Y_prediction_train"])


def test_errors():
    with pytest.raises(ValueError, match="parameters must hold W1, b1, ..., WL, bL; missing \\['b2'\\]"):
        num_layers({"W1": 1, "b1": 1, "W2": 1, "c": 1})
    with pytest.raises(ValueError, match=r"layer sizes must start with n0 = 2 and end with 1, got \[3, 1\]"):
        train_mlp(*problem(), [3, 1])
    with pytest.raises(ValueError, match="n_x must be a positive integer"):
        initialize_logistic(0)


def test_shuffle_seed_is_separate_from_the_initialisation_seed():
    X, Y = problem(m=30)
    kw = dict(optimizer="gd", config={"learning_rate": 0.1}, num_epochs=2, mini_batch_size=8)
    a, _ = train_mlp(X, Y, [2, 3, 1], seed=1, shuffle_seed=0, **kw)
    b, _ = train_mlp(X, Y, [2, 3, 1], seed=1, shuffle_seed=5, **kw)
    c, _ = train_mlp(X, Y, [2, 3, 1], seed=1, shuffle_seed=0, **kw)
    assert not np.allclose(a["W1"], b["W1"])
    np.testing.assert_array_equal(a["W1"], c["W1"])
