"""Unit tests of course_utils.metrics.bleu: Papineni et al.'s (2002) worked examples by hand, and corpus BLEU
cross-checked against sacrebleu (corpus_bleu, smooth_method "none", tokenize "none": 100 times ours) on hand
corpora and random ones, to 1e-9."""

import math

import numpy as np
import pytest
import sacrebleu

from course_utils.metrics.bleu import (bleu_statistics, brevity_penalty, clipped_counts, closest_reference_length,
                                       corpus_bleu, modified_precision, ngram_counts, sentence_bleu)

REF1 = "the cat is on the mat".split()
REF2 = "there is a cat on the mat".split()


def sacre(candidates, references):
    """sacrebleu's corpus BLEU (0-100) of token lists; a sentence with fewer references gets None."""
    n_refs = max(len(r) for r in references)
    streams = [[" ".join(r[j]) if j < len(r) else None for r in references] for j in range(n_refs)]
    return sacrebleu.corpus_bleu([" ".join(c) for c in candidates], streams, smooth_method="none",
                                 tokenize="none", force=True)


def test_ngram_counts():
    assert ngram_counts(["a", "b", "a", "b"], 2) == {("a", "b"): 2, ("b", "a"): 1}
    assert ngram_counts(["a"], 2) == {}
    with pytest.raises(ValueError, match="list of tokens"):
        ngram_counts("a b", 1)
    with pytest.raises(ValueError, match="order"):
        ngram_counts(["a"], 0)


def test_papineni_modified_unigram_precision():
    # Papineni et al. (2002): "the" seven times against the two references: 7/7 plain, 2/7 modified
    candidate = ["the"] * 7
    assert clipped_counts(candidate, [REF1, REF2], 1) == (2, 7)
    assert modified_precision(candidate, [REF1, REF2], 1) == 2 / 7
    assert modified_precision(candidate, [REF2], 1) == 1 / 7


def test_modified_bigram_precision_by_hand():
    # "the cat the cat on the mat": bigrams the-cat x2 (clipped to 1), cat-the (0), cat-on (1), on-the (1),
    # the-mat (1) -> 4 / 6
    candidate = "the cat the cat on the mat".split()
    assert clipped_counts(candidate, [REF1, REF2], 2) == (4, 6)
    assert modified_precision(candidate, [REF1, REF2], 2) == pytest.approx(4 / 6)
    assert modified_precision(candidate, [REF1, REF2], 1) == pytest.approx(5 / 7)   # the 3->2, cat 2->1, on, mat
    assert modified_precision(["cat"], [REF1], 2) == 0.0                            # no bigram at all
    assert modified_precision(REF1, [REF1, REF2], 4) == 1.0


def test_brevity_penalty_and_reference_length():
    assert brevity_penalty(7, 6) == 1.0
    assert brevity_penalty(6, 6) == 1.0                       # exp(1 - 1)
    assert brevity_penalty(4, 6) == pytest.approx(math.exp(-0.5))
    assert brevity_penalty(0, 6) == 0.0
    assert closest_reference_length(5, [6, 4]) == 4           # a tie goes to the shorter reference
    assert closest_reference_length(7, [6, 9]) == 6
    assert closest_reference_length(8, [6, 9]) == 9
    with pytest.raises(ValueError, match=">= 0"):
        brevity_penalty(-1, 3)
    with pytest.raises(ValueError, match="at least one"):
        closest_reference_length(3, [])


def test_bleu_by_hand():
    candidate = "the cat sat on the mat".split()
    # p1 = 5/6 (sat is missing), p2 = 3/5 (the-cat, on-the, the-mat), p3 = 1/4 (on-the-mat), p4 = 0 -> BLEU 0
    stats = bleu_statistics([candidate], [[REF1]])
    assert stats["matched"] == [5, 3, 1, 0] and stats["total"] == [6, 5, 4, 3]
    assert stats["bleu"] == 0.0 and sentence_bleu(candidate, [REF1]) == 0.0
    # with N = 3: BP = 1 (c = r = 6), BLEU = (5/6 * 3/5 * 1/4) ** (1/3)
    assert sentence_bleu(candidate, [REF1], max_n=3) == pytest.approx((5 / 6 * 3 / 5 * 1 / 4) ** (1 / 3))
    assert sentence_bleu(REF1, [REF1, REF2]) == 1.0
    short = "the cat".split()                                 # p1 = p2 = 1, BP = exp(1 - 6/2)
    assert sentence_bleu(short, [REF1], max_n=2) == pytest.approx(math.exp(-2))
    assert sentence_bleu([], [REF1]) == 0.0


def test_corpus_bleu_sums_counts_before_dividing():
    cands = ["the cat is on the mat".split(), "a dog".split()]
    refs = [[REF1], ["a big dog".split()]]
    stats = bleu_statistics(cands, refs, max_n=2)
    # unigrams 6/6 + 2/2; bigrams 5/5 + 0/1 ("a dog" is not a bigram of "a big dog"); c = 6 + 2, r = 6 + 3
    assert stats["matched"] == [8, 5] and stats["total"] == [8, 6]
    assert stats["candidate_length"] == 8 and stats["reference_length"] == 9
    assert stats["bleu"] == pytest.approx(math.exp(1 - 9 / 8) * math.sqrt(5 / 6))
    # not the mean of the sentence scores
    mean = np.mean([sentence_bleu(c, r, max_n=2) for c, r in zip(cands, refs)])
    assert abs(stats["bleu"] - mean) > 0.01


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="one list of references per candidate"):
        corpus_bleu([REF1], [[REF1], [REF2]])
    with pytest.raises(ValueError, match="non-empty list"):
        sentence_bleu(REF1, [])
    with pytest.raises(ValueError, match="str tokens"):
        sentence_bleu([1, 2], [REF1])


HAND_CORPORA = {
    "papineni": ([["the"] * 7, "the cat the cat on the mat".split(), "it is a guide to action which ensures that "
                  "the military always obeys the commands of the party".split()],
                 [[REF1, REF2], [REF1, REF2], ["it is a guide to action that ensures that the military will "
                                               "forever heed party commands".split(),
                                               "it is the guiding principle which guarantees the military forces "
                                               "always being under the command of the party".split()]]),
    "one sentence": (["the cat sat on the mat today".split()], [[REF1]]),
    "short candidates (brevity)": (["the cat is".split(), "there is a cat".split()], [[REF1], [REF2]]),
    "variable reference counts": ([REF1, "a cat is on a mat".split()], [[REF1], [REF1, REF2]]),
    "a zero precision": (["cat mat".split()], [[REF1]]),
    "an empty candidate": ([[], REF1], [[REF1], [REF1]]),
    "dates as characters": ([list("1958-08-30"), list("2024-01-02"), list("2001-12-31")],
                            [[list("1958-08-30")], [list("2024-02-01")], [list("2001-12-13")]]),
}


@pytest.mark.parametrize("name", HAND_CORPORA)
def test_agrees_with_sacrebleu_on_hand_corpora(name):
    cands, refs = HAND_CORPORA[name]
    ours, theirs = bleu_statistics(cands, refs), sacre(cands, refs)
    assert ours["matched"] == list(theirs.counts) and ours["total"] == list(theirs.totals)
    assert (ours["candidate_length"], ours["reference_length"]) == (theirs.sys_len, theirs.ref_len)
    assert abs(100 * ours["bleu"] - theirs.score) < 1e-9, (ours["bleu"], theirs.score)
    assert abs(ours["brevity_penalty"] - theirs.bp) < 1e-12


@pytest.mark.parametrize("seed", range(6))
def test_agrees_with_sacrebleu_on_random_corpora(seed):
    r = np.random.default_rng(63900 + seed)
    words = [f"w{i}" for i in range(6)]                      # a small vocabulary: many shared n-grams
    m = int(r.integers(1, 30))
    refs = [[list(r.choice(words, size=int(r.integers(3, 15)))) for _ in range(int(r.integers(1, 4)))]
            for _ in range(m)]
    cands = []
    for sentence_refs in refs:                               # an edited copy of the first reference
        c = list(sentence_refs[0])
        for _ in range(int(r.integers(0, 4))):
            c[int(r.integers(len(c)))] = str(r.choice(words))
        cands.append(c[: int(r.integers(1, len(c) + 3))])
    ours, theirs = bleu_statistics(cands, refs), sacre(cands, refs)
    assert ours["matched"] == list(theirs.counts) and ours["total"] == list(theirs.totals)
    assert abs(100 * ours["bleu"] - theirs.score) < 1e-9, (ours["bleu"], theirs.score)
    assert ours["bleu"] > 0 or min(ours["precisions"]) == 0
