"""The references of Track 5, notebook 03 (character-level language model), with the exercises' signatures.

Notebook 03 grades the two functions of the classic "dinosaur names" exercise, in the library's shapes
(one column per example, time last: x ``(n_x, m, T_x)``, a ``(n_a, m)``) and with a generator instead of
numpy's global seed:

* ``sample(parameters, end_index, seed, temperature=1.0, max_length=50)``: one name drawn from an RNN
  language model, token by token, as a list of indices that ends with ``end_index``. The library's
  :func:`course_utils.models.sampling.sample_sequence` draws the same tokens (one ``rng.random()`` per
  step, as ``rng.choice``); this adds the classic rule that a sample cut at ``max_length`` tokens gets
  the end token appended.
* ``optimize(X, Y, a_prev, parameters, learning_rate, maxValue=5.0) -> (loss, gradients, a_last,
  parameters)``: one step of training, forward, backward through time, clipping and a gradient-descent
  update, returning the classic 4-tuple. The library splits the same step between
  :func:`course_utils.models.char_lm.lm_cost_and_grads` (forward and backward),
  :func:`course_utils.optim.clipping.clip` and the update rule of :mod:`course_utils.optim.rules`
  (which :func:`course_utils.optim.loop.train` applies).
"""

from __future__ import annotations

import numpy as np

from course_utils.models.char_lm import lm_cost_and_grads
from course_utils.models.sampling import sample_sequence
from course_utils.optim.clipping import clip
from course_utils.optim.rules import get_rule

__all__ = ["RNN_PARAMETERS", "sample", "optimize"]

#: the parameters of the RNN language model, in the classic order
RNN_PARAMETERS = ("Wax", "Waa", "ba", "Wya", "by")


def _rnn_model(parameters, where):
    if not isinstance(parameters, dict):
        raise ValueError(f"{where}: parameters must be a dict of arrays, got {type(parameters).__name__}")
    missing = [k for k in RNN_PARAMETERS if k not in parameters]
    if missing:
        raise ValueError(f"{where}: parameters lack {missing}: the RNN language model has {list(RNN_PARAMETERS)}")
    return {k: parameters[k] for k in RNN_PARAMETERS}


def sample(parameters, end_index, seed, temperature=1.0, max_length=50):
    """Draw one sequence from an RNN language model, one token at a time.

    With ``rng = np.random.default_rng(seed)``, start from ``x<1> = 0`` and ``a<0> = 0``; at every step
    ``a<t> = tanh(Wax x<t> + Waa a<t-1> + ba)``, ``y<t> = softmax((Wya a<t> + by) / temperature)``, draw
    ``idx = rng.choice(n_y, p=y<t>.ravel())`` and
    feed its one-hot back as ``x<t+1>``. Stop after drawing ``end_index``, or after ``max_length`` draws,
    and then append ``end_index`` (so every sample ends with it).

    Arguments: parameters -- ``Wax (n_a, n_y)``, ``Waa (n_a, n_a)``, ``ba (n_a, 1)``, ``Wya (n_y, n_a)``,
        ``by (n_y, 1)``; end_index -- the end token's index; seed -- an int, or a ``np.random.Generator``
        whose stream continues (an int keeps the notebook's checks recordable for the student kit);
        temperature -- a number > 0 (1: the model's own probabilities);
        max_length -- the most tokens drawn (>= 1).
    Returns: a list of int indices, at most ``max_length + 1`` long, whose last entry is ``end_index``.
    Raises: ValueError for missing parameters, an input size that differs from the vocabulary, an index
        outside it, a temperature that is not > 0, or a length below 1.
    """
    where = "sample"
    if isinstance(temperature, bool) or not isinstance(temperature, (int, float, np.integer, np.floating)) \
            or not temperature > 0:
        raise ValueError(f"{where}: temperature must be a number > 0, got {temperature!r}")
    indices = sample_sequence(_rnn_model(parameters, where), end_index, seed=seed, cell="rnn",
                              temperature=temperature, max_length=max_length)[0]
    if indices[-1] != end_index:
        indices.append(int(end_index))
    return indices


def optimize(X, Y, a_prev, parameters, learning_rate, maxValue=5.0):
    """One step of training an RNN language model: forward, backward through time, clip, update.

    Forward: ``rnn_forward(X, a_prev, ...)``, then ``y_pred<t> = softmax(Wya a<t> + by)`` at every step; the
    loss is the cross-entropy summed over time and averaged over the m examples (a step whose Y column is
    zeros has no target). Backward through time gives that loss's gradients; each is clipped to
    ``[-maxValue, maxValue]``; then ``W <- W - learning_rate * dW`` for every parameter.

    Arguments: X ``(n_x, m, T_x)`` one-hot inputs (zero columns where there is none); Y ``(n_y, m, T_x)``
        one-hot targets (zero columns for none); a_prev ``(n_a, m)``, the state before the first step;
        parameters -- as :func:`sample`; learning_rate -- a number; maxValue -- the clipping bound (> 0).
    Returns: ``(loss, gradients, a_last, parameters)``: the loss before the update (a float), the clipped
        gradients ``{"dWax", "dWaa", "dba", "dWya", "dby"}``, the last hidden state ``a<T_x>`` ``(n_a, m)``,
        and the updated parameters (new arrays, the five keys).
    Raises: ValueError for missing parameters, shapes that do not fit (the recurrent layers' messages), or
        a maxValue that is not a number > 0.
    """
    where = "optimize"
    model = _rnn_model(parameters, where)
    loss, grads, a = lm_cost_and_grads(model, X, Y, a_prev, cell="rnn")
    gradients = clip(grads, maxValue)
    rule = get_rule("gd")
    updated, _ = rule.update(model, gradients, rule.init(model), {"learning_rate": learning_rate})
    return loss, gradients, a[:, :, -1], updated


optimize.__output_parts__ = "loss, gradients, a_last, parameters"
