"""BLEU, the bilingual evaluation understudy (Papineni et al. 2002): how much of a machine translation's
wording the human references share, as one number in [0, 1].

Sentences are lists of tokens (str): tokenise and lowercase them first, the metric compares tokens
exactly. A candidate is scored against one or more references of the same source sentence.

* **Modified n-gram precision** (:func:`modified_precision`): count the candidate's n-grams (n
  consecutive tokens), but credit each at most as often as it occurs in any single reference (its
  count is *clipped* to the largest count in one reference), and divide by the number of the
  candidate's n-grams. "the the the the the the the" against "the cat is on the mat" has unigram
  precision 7/7 but modified precision 2/7.
* **Brevity penalty** (:func:`brevity_penalty`): precision alone rewards short outputs, so with c the
  candidate length and r the reference length, ``BP = 1`` if ``c > r`` and ``exp(1 - r / c)`` otherwise
  (0 for an empty candidate). With several references, r is the length of the reference closest to
  c (the shorter one on a tie; :func:`closest_reference_length`).
* **Corpus BLEU** (:func:`corpus_bleu`): clipped and total n-gram counts and the lengths c and r are
  summed over all sentences first, then ``BLEU = BP * exp(sum_n (1/N) log p_n)`` with p_n the corpus
  modified precision of n-grams, n = 1..N (N = 4 as usual). A precision of 0 makes BLEU 0 (there is no
  smoothing). :func:`sentence_bleu` is the corpus BLEU of one sentence.

These are the definitions of ``sacrebleu`` (M. Post 2018, "A Call for Clarity in Reporting BLEU
Scores", WMT) with ``smooth_method="none"`` and ``tokenize="none"``: ``sacrebleu.corpus_bleu`` gives 100
times :func:`corpus_bleu` (tests/metrics/test_bleu.py checks agreement to 1e-9).

Source: K. Papineni, S. Roukos, T. Ward and W.-J. Zhu (2002), "BLEU: a Method for Automatic Evaluation
of Machine Translation", ACL.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Sequence

__all__ = ["ngram_counts", "clipped_counts", "modified_precision", "closest_reference_length", "brevity_penalty",
           "bleu_statistics", "corpus_bleu", "sentence_bleu"]

Sentence = Sequence[str]


def _tokens(sentence, what: str, where: str) -> tuple:
    if isinstance(sentence, str):
        raise ValueError(f"{where}: {what} must be a list of tokens, got the str {sentence!r} "
                         "(split it first, e.g. sentence.lower().split())")
    tokens = tuple(sentence)
    for tok in tokens:
        if not isinstance(tok, str):
            raise ValueError(f"{where}: {what} must hold str tokens, got {tok!r}")
    return tokens


def _references(references, where: str) -> list:
    if isinstance(references, str) or len(references) == 0:
        raise ValueError(f"{where}: references must be a non-empty list of token lists, got {references!r}")
    return [_tokens(r, "each reference", where) for r in references]


def _order(n, where: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"{where}: the n-gram order must be an int >= 1, got {n!r}")
    return n


def ngram_counts(tokens: Sentence, n: int) -> Counter:
    """How often each n-gram (tuple of n consecutive tokens) occurs in a sentence.

    Arguments: tokens -- list of T str tokens; n -- int >= 1.
    Returns: a Counter {tuple of n str: count}; empty when T < n (T - n + 1 n-grams otherwise).
    Raises: ValueError if tokens is a str or holds a non-str, or n is not an int >= 1.
    """
    tokens = _tokens(tokens, "tokens", "ngram_counts")
    n = _order(n, "ngram_counts")
    return Counter(tokens[i:i + n] for i in range(len(tokens) - n + 1))


def clipped_counts(candidate: Sentence, references: Sequence[Sentence], n: int) -> tuple:
    """The numerator and denominator of the modified n-gram precision.

    Arguments:
        candidate: list of str tokens (the machine translation).
        references: non-empty list of reference token lists.
        n: int >= 1, the n-gram order.
    Returns: ``(matched, total)`` ints: the sum over the candidate's distinct n-grams g of
    ``min(count of g in the candidate, max over references of the count of g)``, and the candidate's
    number of n-grams (``max(0, len(candidate) - n + 1)``).
    Raises: ValueError if a sentence is a str or holds a non-str, references is empty, or n is not an int >= 1.
    """
    cand = ngram_counts(candidate, n)
    limit: Counter = Counter()
    for ref in _references(references, "clipped_counts"):
        for gram, count in ngram_counts(ref, n).items():
            limit[gram] = max(limit[gram], count)
    matched = sum(min(count, limit[gram]) for gram, count in cand.items())
    return int(matched), int(sum(cand.values()))


def modified_precision(candidate: Sentence, references: Sequence[Sentence], n: int) -> float:
    """The modified (clipped) n-gram precision p_n of one candidate sentence.

    Arguments:
        candidate: list of str tokens.
        references: non-empty list of reference token lists.
        n: int >= 1.
    Returns: a float in [0, 1], matched / total of :func:`clipped_counts`; 0.0 when the candidate has
    no n-gram (it is shorter than n).
    Raises: ValueError if a sentence is a str or holds a non-str, references is empty, or n is not an int >= 1.
    """
    matched, total = clipped_counts(candidate, references, n)
    return matched / total if total else 0.0


def closest_reference_length(candidate_length: int, reference_lengths: Sequence[int]) -> int:
    """The effective reference length r of one sentence: the reference length closest to c, the shorter on a tie.

    Arguments: candidate_length -- int c >= 0; reference_lengths -- non-empty list of ints >= 0.
    Returns: an int, one of reference_lengths.
    Raises: ValueError if reference_lengths is empty or a length is negative.
    """
    lengths = [int(r) for r in reference_lengths]
    if not lengths or min(lengths) < 0 or candidate_length < 0:
        raise ValueError(f"closest_reference_length: lengths must be >= 0 and there must be at least one "
                         f"reference, got c = {candidate_length!r}, r = {lengths}")
    return min(lengths, key=lambda r: (abs(candidate_length - r), r))


def brevity_penalty(c: int, r: int) -> float:
    """BLEU's brevity penalty: 1 if c > r, else ``exp(1 - r / c)``; 0.0 for an empty candidate (c = 0).

    Arguments: c -- int >= 0, the candidate length (tokens; summed over a corpus); r -- int >= 0, the
    effective reference length.
    Returns: a float in [0, 1].
    Raises: ValueError if c or r is negative.
    """
    if c < 0 or r < 0:
        raise ValueError(f"brevity_penalty: lengths must be >= 0, got c = {c!r}, r = {r!r}")
    if c > r:
        return 1.0
    if c == 0:
        return 0.0
    return math.exp(1.0 - r / c)


def bleu_statistics(candidates: Sequence[Sentence], references: Sequence[Sequence[Sentence]],
                    max_n: int = 4) -> dict:
    """The corpus sums BLEU is made of, and BLEU itself.

    Arguments:
        candidates: list of m candidate token lists.
        references: list of m lists, ``references[i]`` the reference token lists of sentence i (at least one each).
        max_n: int >= 1, the largest n-gram order N.
    Returns: a dict with ``matched`` and ``total`` (lists of N ints, summed clipped counts and n-gram
    counts for n = 1..N), ``precisions`` (list of N floats, matched / total, 0.0 where total is 0),
    ``candidate_length`` c and ``reference_length`` r (ints, summed), ``brevity_penalty`` and ``bleu``
    (floats in [0, 1]; bleu is 0.0 when any precision is 0).
    Raises: ValueError if candidates and references differ in length or are empty, a sentence is a str
    or holds a non-str, a sentence has no reference, or max_n is not an int >= 1.
    """
    max_n = _order(max_n, "bleu_statistics")
    if isinstance(candidates, str) or len(candidates) != len(references) or len(candidates) == 0:
        raise ValueError(f"bleu_statistics: need one list of references per candidate and at least one candidate, "
                         f"got {len(candidates)} candidates and {len(references)} reference lists")
    matched, total = [0] * max_n, [0] * max_n
    c = r = 0
    for cand, refs in zip(candidates, references):
        cand = _tokens(cand, "each candidate", "bleu_statistics")
        refs = _references(refs, "bleu_statistics")
        c += len(cand)
        r += closest_reference_length(len(cand), [len(ref) for ref in refs])
        for n in range(1, max_n + 1):
            mt, tt = clipped_counts(cand, refs, n)
            matched[n - 1] += mt
            total[n - 1] += tt
    precisions = [m / t if t else 0.0 for m, t in zip(matched, total)]
    bp = brevity_penalty(c, r)
    bleu = 0.0 if min(precisions) == 0.0 else bp * math.exp(sum(math.log(p) for p in precisions) / max_n)
    return {"matched": matched, "total": total, "precisions": precisions, "candidate_length": c,
            "reference_length": r, "brevity_penalty": bp, "bleu": bleu}


def corpus_bleu(candidates: Sequence[Sentence], references: Sequence[Sequence[Sentence]], max_n: int = 4) -> float:
    """Corpus BLEU in [0, 1]: ``BP(c, r) * exp(sum_{n=1..N} (1/N) log p_n)`` with corpus-summed counts.

    Arguments:
        candidates: list of m candidate token lists.
        references: list of m lists of reference token lists (``references[i]`` for candidate i).
        max_n: int >= 1, the largest n-gram order N (4 as usual).
    Returns: a float in [0, 1]; 0.0 when some p_n is 0 (no smoothing). ``sacrebleu.corpus_bleu`` with
    ``smooth_method="none", tokenize="none"`` gives 100 times this value.
    Raises: ValueError as :func:`bleu_statistics`.
    """
    return bleu_statistics(candidates, references, max_n)["bleu"]


def sentence_bleu(candidate: Sentence, references: Sequence[Sentence], max_n: int = 4) -> float:
    """BLEU of one candidate against its references: the corpus BLEU of a one-sentence corpus.

    Arguments:
        candidate: list of str tokens.
        references: non-empty list of reference token lists.
        max_n: int >= 1, the largest n-gram order N.
    Returns: a float in [0, 1]; 0.0 when the candidate shares no n-gram of some order n <= N (for example,
    when it is shorter than N tokens).
    Raises: ValueError as :func:`bleu_statistics`.
    """
    return corpus_bleu([candidate], [references], max_n)
