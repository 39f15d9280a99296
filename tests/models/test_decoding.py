"""Unit tests of course_utils.models.decoding on hand-made models whose beam search is worked out by hand, and
on random position-dependent Markov models against exhaustive search. (The module has no backward pass: nothing
here is trained, so there is no gradient to check.)"""

import math

import numpy as np
import pytest

from course_utils.models.decoding import (attribute_error, beam_search, beam_search_many, exhaustive_search, greedy_decode,
                                          length_normalised_score, markov_step_function, score_tokens)

# tokens 0, 1, 2; P(y1) = (.5, .4, .1); P(y2 | y1 = 0) = (.35, .35, .3), P(y2 | 1) = (.9, .05, .05), P(y2 | 2) flat
TWO_STEP = (np.log([0.5, 0.4, 0.1]), np.log([[[0.35, 0.35, 0.3], [0.9, 0.05, 0.05], [1 / 3, 1 / 3, 1 / 3]]]))

# token 0 is the end token; P(y1) = (.3, .45, .25); step 2 after 1: (.15, .6, .25), after 2: (.5, .25, .25);
# step 3 after 1: (.7, .2, .1), after 2: (.6, .2, .2) (rows after the end token are never used)
FLAT = [1 / 3] * 3
WITH_END = (np.log([0.3, 0.45, 0.25]),
            np.log([[FLAT, [0.15, 0.6, 0.25], [0.5, 0.25, 0.25]], [FLAT, [0.7, 0.2, 0.1], [0.6, 0.2, 0.2]]]))


def random_model(r, n_y, max_len, scale=2.0):
    return markov_step_function(scale * r.standard_normal(n_y), scale * r.standard_normal((max_len - 1, n_y, n_y)))


def test_markov_step_function_gives_log_probabilities():
    step = markov_step_function(*TWO_STEP)
    out = step([(), ()])
    assert out.shape == (2, 3) and np.allclose(np.exp(out), [[0.5, 0.4, 0.1]] * 2)
    assert np.allclose(np.exp(step([(0,), (1,)])), [[0.35, 0.35, 0.3], [0.9, 0.05, 0.05]])
    assert np.allclose(np.exp(markov_step_function([0.0, 0.0], np.zeros((1, 2, 2)))([()])), 0.5)  # logits normalised
    with pytest.raises(ValueError, match="same length"):
        step([(), (0,)])
    with pytest.raises(ValueError, match="at most 1 tokens"):
        step([(0, 1)])
    with pytest.raises(ValueError, match="next_logits must have shape"):
        markov_step_function(np.zeros(3), np.zeros((2, 3, 2)))


def test_markov_step_function_has_a_readable_repr():
    # a check's message shows the step function it called beam_search with: the model, not <function ... at 0x...>
    assert repr(markov_step_function(*TWO_STEP)) == "markov model: 3 tokens, 2 steps"
    assert repr(markov_step_function(*WITH_END)) == "markov model: 3 tokens, 3 steps"
    named = markov_step_function(*TWO_STEP, name="the tiny model of section 1")
    assert repr(named) == "the tiny model of section 1" and str(named) == "the tiny model of section 1"
    assert callable(named) and np.allclose(np.exp(named([()])), [[0.5, 0.4, 0.1]])


def test_greedy_is_not_the_most_likely_sequence():
    step = markov_step_function(*TWO_STEP)
    tokens, log_p = greedy_decode(step, 2)
    assert tokens == [0, 0] and log_p == pytest.approx(math.log(0.5 * 0.35))
    best, best_log_p = exhaustive_search(step, 3, 2)
    assert best == [1, 0] and best_log_p == pytest.approx(math.log(0.4 * 0.9))
    assert score_tokens(step, (1, 0)) == pytest.approx(math.log(0.36))


def test_beam_search_by_hand():
    step = markov_step_function(*TWO_STEP)
    # step 1 keeps 0 (.5) and 1 (.4); step 2 ranks .36 (1, 0), .175 (0, 0), .175 (0, 1) ...: a tie keeps (0, 0)
    out = beam_search(step, 2, 2, alpha=0.0)
    assert [t for t, _ in out] == [[1, 0], [0, 0]]
    assert [s for _, s in out] == pytest.approx([math.log(0.36), math.log(0.175)])
    out1 = beam_search(step, 1, 2, alpha=0.0)
    assert out1 == [greedy_decode(step, 2)]
    # alpha = 1 divides by the length T_y = 2 (the ranking of equal lengths is unchanged)
    assert beam_search(step, 2, 2)[0][1] == pytest.approx(math.log(0.36) / 2)
    assert isinstance(out[0][0], list) and isinstance(out[0][0][0], int) and isinstance(out[0][1], float)


def test_beam_search_with_an_end_token_by_hand():
    step = markov_step_function(*WITH_END)
    # step 1: (1) .45 and (0) .3, which ends; step 2 from (1): (1,1) .27, (1,2) .1125 kept ((1,0) .0675 is not)
    # step 3: (1,1,0) .189 and (1,2,0) .0675 both end: finished (0), (1,1,0), (1,2,0)
    raw = beam_search(step, 2, 3, end_token=0, alpha=0.0)
    assert [t for t, _ in raw] == [[0], [1, 1, 0]]                      # the sum favours the short output
    assert [s for _, s in raw] == pytest.approx([math.log(0.3), math.log(0.189)])
    normalised = beam_search(step, 2, 3, end_token=0, alpha=1.0)
    assert [t for t, _ in normalised] == [[1, 1, 0], [1, 2, 0]]           # the average favours the long one
    assert [s for _, s in normalised] == pytest.approx([math.log(0.189) / 3, math.log(0.0675) / 3])
    assert beam_search(step, 3, 3, end_token=0, alpha=0.7)[2] == ([1, 2, 0], pytest.approx(math.log(0.0675) / 3 ** 0.7))
    assert greedy_decode(step, 3, end_token=0) == ([1, 1, 0], pytest.approx(math.log(0.189)))
    assert beam_search(step, 1, 1, end_token=0) == [([1], pytest.approx(math.log(0.45)))]


@pytest.mark.parametrize("seed", range(5))
def test_beam_width_one_is_greedy_and_a_wide_beam_is_exact(seed):
    r = np.random.default_rng(63950 + seed)
    n_y, max_len = 4, 5
    step = random_model(r, n_y, max_len)
    tokens, log_p = greedy_decode(step, max_len)
    [(b_tokens, b_score)] = beam_search(step, 1, max_len, alpha=0.0)
    assert b_tokens == tokens and b_score == pytest.approx(log_p)
    best, best_log_p = exhaustive_search(step, n_y, max_len)
    # a beam that keeps every prefix of length max_len - 1 searches exhaustively
    wide = beam_search(step, n_y ** (max_len - 1), max_len, alpha=0.0)
    assert wide[0][0] == best and wide[0][1] == pytest.approx(best_log_p)
    scores = [s for _, s in beam_search(step, 3, max_len, alpha=0.0)]
    assert scores == sorted(scores, reverse=True) and len(scores) == 3
    assert all(s <= best_log_p + 1e-12 for s in scores) and scores[0] >= log_p - 1e-12
    assert score_tokens(step, wide[1][0]) == pytest.approx(wide[1][1])


def test_beam_search_calls_the_model_once_per_step():
    calls = []
    step = markov_step_function(*WITH_END)

    def counting(prefixes):
        calls.append(len(prefixes))
        return step(prefixes)

    beam_search(counting, 3, 3)
    assert calls == [1, 3, 3]


def test_length_normalised_score():
    lp = np.log([0.5, 0.2, 0.1])
    assert length_normalised_score(lp, 1.0) == pytest.approx(np.log(0.01) / 3)
    assert length_normalised_score(lp, 0.0) == pytest.approx(np.log(0.01))
    assert length_normalised_score(lp, 0.7) == pytest.approx(np.log(0.01) / 3 ** 0.7)
    assert length_normalised_score([-2.0]) == -2.0
    with pytest.raises(ValueError, match="T_y >= 1"):
        length_normalised_score([])
    with pytest.raises(ValueError, match="alpha"):
        length_normalised_score(lp, -1.0)


def test_products_underflow_and_log_sums_do_not():
    p = np.full(400, 0.1)
    assert np.prod(p) == 0.0 and np.sum(np.log(p)) == pytest.approx(400 * np.log(0.1))


def test_attribute_error_cases():
    assert attribute_error(0.3, 0.1) == "beam search"          # case 1: the model prefers y*
    assert attribute_error(0.1, 0.3) == "model"                # case 2
    assert attribute_error(0.2, 0.2) == "model"                # a tie is case 2, as in the notes
    assert attribute_error(-1.0, -2.5) == "beam search"        # log-probabilities: the same order
    assert attribute_error(np.float64(-3.0), -3) == "model"
    with pytest.raises(ValueError, match="one real number"):
        attribute_error(np.array([0.1, 0.2]), 0.3)
    with pytest.raises(ValueError, match="p_hat"):
        attribute_error(0.1, float("nan"))


def test_arguments_are_checked():
    step = markov_step_function(*TWO_STEP)
    with pytest.raises(ValueError, match="B must be an integer >= 1"):
        beam_search(step, 0, 2)
    with pytest.raises(ValueError, match="max_len"):
        greedy_decode(step, 0)
    with pytest.raises(ValueError, match="step_fn must return"):
        beam_search(lambda prefixes: np.zeros(3), 2, 2)
    with pytest.raises(ValueError, match="too many"):
        exhaustive_search(step, 11, 6)


@pytest.mark.parametrize("end_token", [None, 0])
def test_beam_search_many_equals_one_input_at_a_time(end_token):
    r = np.random.default_rng(63960)
    models = [random_model(r, 4, 5) for _ in range(3)]

    def many(rows, prefixes):
        return np.concatenate([models[i]([p]) for i, p in zip(rows, prefixes)])

    for B in (1, 3):
        together = beam_search_many(many, 3, B, 5, end_token=end_token, alpha=0.7)
        alone = [beam_search(f, B, 5, end_token=end_token, alpha=0.7) for f in models]
        assert together == alone
    with pytest.raises(ValueError, match="m must be"):
        beam_search_many(many, 0, 2, 5)
