"""THE training loop: course_utils.optim.loop.train."""

import numpy as np
import pytest

from course_utils.optim.loop import train
from course_utils.optim.minibatch import random_mini_batches
from course_utils.optim.rules import adam
from course_utils.optim.schedules import update_lr


def quadratic_problem(m=10, seed=0):
    """Least squares y = w x: cost = mean((w x - y)^2) / 2, gradient mean((w x - y) x)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((1, m))
    Y = 3.0 * X + 0.1 * rng.standard_normal((1, m))

    def step(p, Xb, Yb):
        r = p["w"] * Xb - Yb
        return float(np.mean(r ** 2) / 2), {"dw": np.mean(r * Xb, keepdims=True).reshape(np.shape(p["w"]))}

    return X, Y, step


def test_full_batch_gd_equals_the_loop_written_out():
    X, Y, step = quadratic_problem()
    params, history = train(step, {"w": np.zeros((1, 1))}, X, Y, config={"learning_rate": 0.3}, num_epochs=25,
                            record_every=5)
    w, costs = np.zeros((1, 1)), []
    for i in range(25):
        cost, g = step({"w": w}, X, Y)
        if i % 5 == 0:
            costs.append(cost)
        w = w - 0.3 * g["dw"]
    assert params["w"] == pytest.approx(w, abs=0, rel=0)
    assert history["cost"] == costs and history["epoch"] == [0, 5, 10, 15, 20]
    assert len(history["batch_cost"]) == 25
    assert history["learning_rate"] == [0.3] * 5


def test_mini_batches_shuffle_with_seed_plus_epoch_and_adam_state_runs_across_batches():
    X, Y, step = quadratic_problem(m=23)
    params, history = train(step, {"w": np.zeros((1, 1))}, X, Y, optimizer="adam",
                            config={"learning_rate": 0.05}, num_epochs=3, mini_batch_size=5, seed=7)
    p, state, epoch_costs = {"w": np.zeros((1, 1))}, adam.init({"w": np.zeros((1, 1))}), []
    for epoch in range(3):
        total = 0.0
        for Xb, Yb in random_mini_batches(X, Y, 5, seed=7 + epoch):
            cost, g = step(p, Xb, Yb)
            total += cost * Xb.shape[1]
            p, state = adam.update(p, g, state, {"learning_rate": 0.05})
        epoch_costs.append(total / 23)
    assert state["t"] == 15 and len(history["batch_cost"]) == 15
    np.testing.assert_array_equal(params["w"], p["w"])
    np.testing.assert_allclose(history["cost"], epoch_costs, rtol=1e-15)


def test_schedule_metrics_and_callback_see_the_start_of_each_recorded_epoch():
    X, Y, step = quadratic_problem()
    seen = []
    params, history = train(step, {"w": np.zeros((1, 1))}, X, Y, config={"learning_rate": 0.4}, num_epochs=6,
                            schedule=lambda lr0, e: update_lr(lr0, e, 1.0), record_every=2,
                            callback=lambda e, p: seen.append((e, float(p["w"][0, 0]))),
                            metrics={"w": lambda p: float(p["w"][0, 0])})
    assert history["learning_rate"] == [0.4, 0.4 / 3, 0.4 / 5]
    assert [e for e, _ in seen] == [0, 2, 4] and seen[0][1] == 0.0
    assert history["w"] == [w for _, w in seen]


def test_a_diverging_run_stops_with_its_cause_unless_told_otherwise():
    X, Y, step = quadratic_problem()
    with pytest.raises(FloatingPointError, match=r"the cost became inf in epoch \d+: the training diverged"):
        with np.errstate(over="ignore", invalid="ignore"):
            train(step, {"w": np.zeros((1, 1))}, X, Y, config={"learning_rate": 1e6}, num_epochs=200)
    with np.errstate(over="ignore", invalid="ignore"):
        _, history = train(step, {"w": np.zeros((1, 1))}, X, Y, config={"learning_rate": 1e6}, num_epochs=200,
                           stop_on_nonfinite=False)
    assert not np.isfinite(history["cost"][-1])


def test_the_loop_never_modifies_its_inputs_and_validates_them():
    X, Y, step = quadratic_problem()
    start = {"w": np.ones((1, 1))}
    train(step, start, X, Y, num_epochs=3)
    assert start["w"][0, 0] == 1.0
    with pytest.raises(ValueError, match=r"same m examples; got X \(1, 10\), Y \(1, 9\)"):
        train(step, start, X, Y[:, :9])
    with pytest.raises(ValueError, match="num_epochs must be a whole number >= 0"):
        train(step, start, X, Y, num_epochs=-1)
    with pytest.raises(ValueError, match="record_every must be >= 1"):
        train(step, start, X, Y, record_every=0)
    with pytest.raises(ValueError, match="mini_batch_size must be >= 1 or None"):
        train(step, start, X, Y, mini_batch_size=0)
    with pytest.raises(ValueError, match="adam takes the hyperparameters"):
        train(step, start, X, Y, optimizer="adam", config={"beta": 0.9})


def test_prints_the_cost_when_asked(capsys):
    X, Y, step = quadratic_problem()
    train(step, {"w": np.zeros((1, 1))}, X, Y, num_epochs=3, print_every=2)
    assert capsys.readouterr().out.splitlines()[0].startswith("Cost after iteration 0: ")
    train(step, {"w": np.zeros((1, 1))}, X, Y, num_epochs=1, mini_batch_size=4, print_every=1)
    assert capsys.readouterr().out.startswith("Cost after epoch 0: ")


def test_a_cost_without_data_trains_on_full_batches():
    """minimize_with_adam's case: step gets (None, None); one update per epoch."""
    seen = []

    def step(p, Xb, Yb):
        seen.append((Xb, Yb))
        return float((p["w"] - 5.0) ** 2), {"dw": 2 * (p["w"] - 5.0)}

    params, history = train(step, {"w": np.array(0.0)}, config={"learning_rate": 0.1}, num_epochs=50)
    assert seen[0] == (None, None) and len(history["batch_cost"]) == 50
    assert abs(float(params["w"]) - 5.0) < 1e-3
    with pytest.raises(ValueError, match="both None .* or both arrays"):
        train(step, {"w": np.array(0.0)}, np.zeros((1, 3)))
    with pytest.raises(ValueError, match="both None"):
        train(step, {"w": np.array(0.0)}, mini_batch_size=2)


def test_examples_on_the_first_axis_train_exactly_as_columns():
    """example_axis=0 (images (m, n_H, n_W, n_C), labels (m, n_y)) draws the same mini-batches as the
    columns of the transposed arrays: the same parameters after 3 epochs of Adam, bit for bit."""
    X, Y, step = quadratic_problem(m=37, seed=4)

    def step_rows(p, Xb, Yb):
        return step(p, Xb.T, Yb.T)

    kw = dict(optimizer="adam", config={"learning_rate": 0.1}, num_epochs=3, mini_batch_size=8, seed=11)
    cols, h_cols = train(step, {"w": np.zeros((1, 1))}, X, Y, **kw)
    rows, h_rows = train(step_rows, {"w": np.zeros((1, 1))}, X.T, Y.T, example_axis=0, **kw)
    np.testing.assert_array_equal(rows["w"], cols["w"])
    assert h_rows["batch_cost"] == h_cols["batch_cost"] and len(h_rows["batch_cost"]) == 3 * 5
    images = np.arange(5 * 2 * 3 * 1.0).reshape(5, 2, 3, 1)
    batches = random_mini_batches(images, np.arange(5.0)[:, None], 2, seed=0, example_axis=0)
    assert [b[0].shape for b in batches] == [(2, 2, 3, 1), (2, 2, 3, 1), (1, 2, 3, 1)]
    for Xb, Yb in batches:   # each image stays with its label
        np.testing.assert_array_equal(Xb[:, 0, 0, 0], 6 * Yb[:, 0])


def test_float32_parameters_train_in_float32_and_a_bad_axis_is_refused():
    X, Y, step = quadratic_problem()
    params, _ = train(step, {"w": np.zeros((1, 1), dtype=np.float32)}, X.astype(np.float32), Y.astype(np.float32),
                      config={"learning_rate": 0.1}, num_epochs=2)
    assert params["w"].dtype == np.float32
    with pytest.raises(ValueError, match=r"example_axis must be -1 \(columns\) or 0 \(first axis\), got 1"):
        train(step, {"w": np.zeros((1, 1))}, X, Y, example_axis=1)
    with pytest.raises(ValueError, match=r"X \(m, \.\.\.\) and Y \(m, \.\.\.\) must hold the same m examples on axis 0"):
        train(step, {"w": np.zeros((1, 1))}, X, Y.T, example_axis=0)
