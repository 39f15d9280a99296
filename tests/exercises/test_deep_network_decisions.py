"""The decisions notebooks 1/04 and 1/05 leave to the student (issue 12, point 6) are real: each way the
text allows passes the check the graded cell runs, on the notebook's example and on inputs like the hidden
tests' (L = 1, m = 1, ReLU inputs exactly 0, a width-1 layer, integer labels).

* 1/04 ``L_model_backward``: through the output layer with ``linear_activation_backward(dA[L], ...,
  "sigmoid")``, or from ``dZ[L] = A[L] - Y`` with ``linear_backward``; the layers walked by a ``for``
  loop or a ``while`` loop.
* 1/05 ``two_layer_model``: the output layer's gradients from ``dA[2]`` through the sigmoid block, or
  written out from ``dZ[2] = A[2] - Y``.

Each test draws from its own seeded generator.
"""

import numpy as np
import pytest

import course_utils.exercises.deep_network_application as app
import course_utils.exercises.deep_step_by_step as step
from course_utils.data import load_digits_split
from course_utils.grading.checks import Case, CheckFailed, check_function


def backward_through_sigmoid_block(AL, Y, caches):
    grads, L = {}, len(caches)
    Y = Y.reshape(AL.shape)
    dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    grads[f"dA{L - 1}"], grads[f"dW{L}"], grads[f"db{L}"] = step.linear_activation_backward(dAL, caches[L - 1], "sigmoid")
    for l in reversed(range(1, L)):
        grads[f"dA{l - 1}"], grads[f"dW{l}"], grads[f"db{l}"] = step.linear_activation_backward(
            grads[f"dA{l}"], caches[l - 1], "relu")
    return grads


def backward_from_dZ(AL, Y, caches):
    grads, L = {}, len(caches)
    dZ = AL - Y.reshape(AL.shape)                       # sigmoid and cross-entropy together
    grads[f"dA{L - 1}"], grads[f"dW{L}"], grads[f"db{L}"] = step.linear_backward(dZ, caches[L - 1][0])
    l = L - 1
    while l >= 1:
        grads[f"dA{l - 1}"], grads[f"dW{l}"], grads[f"db{l}"] = step.linear_activation_backward(
            grads[f"dA{l}"], caches[l - 1], "relu")
        l -= 1
    return grads


def _backward_case(rng, dims, m, zero_row=False):
    p = {}
    for l in range(1, len(dims)):
        p[f"W{l}"] = rng.standard_normal((dims[l], dims[l - 1]))
        p[f"b{l}"] = 0.5 * rng.standard_normal((dims[l], 1))
    if zero_row:
        p["W1"][0], p["b1"][0] = 0.0, 0.0
    AL, caches = step.L_model_forward(rng.standard_normal((dims[0], m)), p)
    return AL, (rng.random((1, m)) < 0.5).astype(float), caches


def _notebook_example():
    # the locked example of exercise 8 in 1/04: layer sizes [4, 3, 2, 1], m = 3
    rng = np.random.default_rng(2026)
    X = rng.standard_normal((4, 3))
    p = {}
    for l, (n_now, n_prev) in enumerate([(3, 4), (2, 3), (1, 2)], start=1):
        p[f"W{l}"] = rng.standard_normal((n_now, n_prev))
        p[f"b{l}"] = 0.1 * rng.standard_normal((n_now, 1))
    AL, caches = step.L_model_forward(X, p)
    return AL, np.array([[1.0, 0.0, 1.0]]), caches


@pytest.mark.parametrize("student", [backward_through_sigmoid_block, backward_from_dZ])
def test_L_model_backward_either_start_passes_the_check(student):
    rng = np.random.default_rng(9412)
    cases = [_notebook_example(), _backward_case(rng, [5, 4, 3, 1], 6), _backward_case(rng, [3, 1], 5),
             _backward_case(rng, [4, 3, 2, 1], 1), _backward_case(rng, [3, 4, 2, 1], 5, zero_row=True),
             _backward_case(rng, [3, 1, 2, 1], 4)]
    check_function(student, step.L_model_backward, cases, name="L_model_backward", quiet=True)


def test_L_model_backward_check_still_catches_a_wrong_start():
    # dZ[L] = Y - A[L] (the sign turned): the check the graded cell runs must refuse it
    def wrong(AL, Y, caches):
        return backward_from_dZ(AL, 2 * AL - Y.reshape(AL.shape), caches)   # AL - (2 AL - Y) = Y - AL
    with pytest.raises(CheckFailed):
        check_function(wrong, step.L_model_backward, [_notebook_example()], name="L_model_backward", quiet=True)


def _two_layer(output_gradients):
    def two_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
        n_x, n_h, n_y = layers_dims
        parameters = app.initialize_parameters(n_x, n_h, n_y, seed=1)
        costs = []
        for i in range(num_iterations):
            A1, cache1 = app.linear_activation_forward(X, parameters["W1"], parameters["b1"], "relu")
            A2, cache2 = app.linear_activation_forward(A1, parameters["W2"], parameters["b2"], "sigmoid")
            cost = app.compute_cost(A2, Y)
            dA1, dW2, db2 = output_gradients(A1, A2, Y, cache2, parameters["W2"])
            _, dW1, db1 = app.linear_activation_backward(dA1, cache1, "relu")
            parameters = app.update_parameters(parameters, {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2},
                                               learning_rate)
            if i % 100 == 0:
                costs.append(cost)
        return parameters, costs
    return two_layer_model


def through_sigmoid_block(A1, A2, Y, cache2, W2):
    dA2 = -(np.divide(Y, A2) - np.divide(1 - Y, 1 - A2))
    return app.linear_activation_backward(dA2, cache2, "sigmoid")


def written_out(A1, A2, Y, cache2, W2):
    m = A1.shape[1]
    dZ2 = A2 - Y
    return W2.T @ dZ2, dZ2 @ A1.T / m, np.sum(dZ2, axis=1, keepdims=True) / m


@pytest.mark.parametrize("output_gradients", [through_sigmoid_block, written_out])
def test_two_layer_model_either_output_gradient_passes_the_check(output_gradients):
    digits_x, digits_y, _, _ = load_digits_split()
    X_small = digits_x[:60].reshape(60, -1).T                  # the notebook's visible example
    Y_small = (digits_y[:, :60] % 2 == 0).astype(float)
    rng = np.random.default_rng(9413)
    cases = [Case(X_small, Y_small, (64, 6, 1), learning_rate=0.1, num_iterations=301),
             Case(rng.standard_normal((7, 23)), (rng.random((1, 23)) < 0.5).astype(float), (7, 5, 1), 0.5, 250),
             Case(rng.standard_normal((3, 1)), np.array([[1.0]]), (3, 4, 1), learning_rate=0.3, num_iterations=101),
             Case(rng.standard_normal((5, 9)), (rng.random((1, 9)) < 0.5).astype(float), [5, 1, 1],
                  learning_rate=0.2, num_iterations=1),
             Case(rng.random((10, 30)).astype(np.float32), rng.integers(0, 2, (1, 30)), (10, 3, 1),
                  learning_rate=0.4, num_iterations=60)]
    check_function(_two_layer(output_gradients), app.two_layer_model, cases, name="two_layer_model", quiet=True)
