"""What is computed on word vectors: similarity, analogies, and removing a bias direction.

The lecture (course 5, week 2, "Properties of word embeddings") measures how alike two words are by
the cosine of the angle between their vectors, ``sim(u, v) = u^T v / (||u||_2 ||v||_2)``, and completes
an analogy "a is to b as c is to ?" with the word w whose vector is most similar to
``e_b - e_a + e_c`` (man : woman :: king : ? gives ``argmax_w sim(e_w, e_king - e_man + e_woman)``,
queen). The tables these functions take are :class:`course_utils.data.text.WordVectors` (``words``,
``vectors (n, d)``, ``index``, ``vector(word)``), as :func:`course_utils.data.text.load_glove` returns
them (any object with those four members works), or the classic exercises' ``word_to_vec_map``, a dict
``{word: (d,) vector}`` whose order is the table's.

Debiasing follows T. Bolukbasi, K.-W. Chang, J. Zou, V. Saligrama and A. Kalai (2016), "Man is to
Computer Programmer as Woman is to Homemaker? Debiasing Word Embeddings", NeurIPS: the bias direction
is the first principal component of the differences within definitional pairs (she - he, woman - man,
...) of unit-length vectors (:func:`bias_direction`); a word that should not carry it loses its
component along it (:func:`neutralize`); the two words of a pair that should differ only along it are
made symmetric about the directions orthogonal to it, with unit length (:func:`equalize`).

Analogy benchmarks: :func:`read_analogy_questions` reads the word2vec format of ``questions-words.txt``
(T. Mikolov, K. Chen, G. Corrado and J. Dean (2013), "Efficient Estimation of Word Representations in
Vector Space", ICLR workshop), :func:`analogy_questions` builds the same kind of question from pairs of
one relation, and :func:`evaluate_analogies` answers many questions at once exactly as
:func:`complete_analogy` answers one.
"""

from __future__ import annotations

from itertools import permutations
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

__all__ = ["cosine_similarity", "nearest_words", "complete_analogy", "analogy_questions", "read_analogy_questions",
           "evaluate_analogies", "pair_differences_pca", "bias_direction", "neutralize", "equalize"]

#: how far from 1 the length of a vector :func:`equalize` takes may be (float32 GloVe rows divided by
#: their norm are within 1e-7 of it)
UNIT_TOLERANCE = 1e-4


def _float(a, where: str, name: str) -> np.ndarray:
    a = np.asarray(a)
    if a.dtype == object or not (np.issubdtype(a.dtype, np.number) or a.dtype == bool):
        raise ValueError(f"{where}: {name} must be an array of numbers, got dtype {a.dtype}")
    return a.astype(np.result_type(a.dtype, np.float32), copy=False)


def cosine_similarity(u, v):
    """The cosine of the angle between u and v: ``u^T v / (||u||_2 ||v||_2)``, from -1 to 1.

    1 for vectors pointing the same way, 0 for orthogonal ones, -1 for opposite ones.

    Arguments: u, v -- arrays whose last axis is the vector, of the same length d: two ``(d,)`` vectors,
        or stacks ``(..., d)`` that broadcast against each other (``cosine_similarity(e, E)`` with e
        ``(d,)`` and E ``(n, d)`` compares e with every row of E).
    Returns: for two ``(d,)`` vectors a numpy float of their precision (float32 for GloVe's vectors,
        float64 for float64 ones, computed in that precision as ``np.dot(u, v) / (norm(u) * norm(v))``);
        for stacks, an array of the broadcast shape without the last axis.
    Raises: ValueError if the last axes differ in length, an input is 0-d or not numeric, or a vector
        is all zeros (its angle to anything is undefined; the message says which argument).
    """
    where = "cosine_similarity"
    u, v = _float(u, where, "u"), _float(v, where, "v")
    if u.ndim == 0 or v.ndim == 0:
        raise ValueError(f"{where}: u and v must be vectors (their last axis holds the d entries), got shapes "
                         f"{u.shape} and {v.shape}")
    if u.shape[-1] != v.shape[-1]:
        raise ValueError(f"{where}: u has {u.shape[-1]} entries and v has {v.shape[-1]}; both must have the same length")
    dtype = np.result_type(u.dtype, v.dtype)
    u, v = u.astype(dtype, copy=False), v.astype(dtype, copy=False)
    norm_u, norm_v = np.linalg.norm(u, axis=-1), np.linalg.norm(v, axis=-1)
    for name, norm in (("u", norm_u), ("v", norm_v)):
        if np.any(norm == 0):
            raise ValueError(f"{where}: {name} is the zero vector (or holds one), and the angle between a zero vector "
                             f"and any other is undefined")
    if u.ndim == v.ndim == 1:
        return np.dot(u, v) / (norm_u * norm_v)
    return np.sum(u * v, axis=-1) / (norm_u * norm_v)


def _row_norms(V: np.ndarray) -> np.ndarray:
    return np.sqrt(np.einsum("ij,ij->i", V, V))


def _unit_rows(vectors) -> np.ndarray:
    """The rows of ``vectors`` divided by their norms (zero rows stay zero)."""
    V = np.asarray(vectors)
    V = V.astype(np.result_type(V.dtype, np.float32), copy=False)
    norms = _row_norms(V)
    return V / np.where(norms > 0, norms, 1)[:, None]


class _DictTable:
    """A ``{word: vector}`` dict seen as a table: ``words`` in the dict's order, ``vectors (n, d)``, ``index``."""

    def __init__(self, word_to_vec_map: dict) -> None:
        if not word_to_vec_map:
            raise ValueError("the word_to_vec_map dict is empty: a table needs at least one word")
        self.words = list(word_to_vec_map)
        self.vectors = np.array([np.asarray(word_to_vec_map[w]) for w in self.words])
        if self.vectors.ndim != 2:
            raise ValueError(f"the vectors of word_to_vec_map must all have one shape (d,), got an array of shape "
                             f"{self.vectors.shape}")
        self.index = {w: i for i, w in enumerate(self.words)}

    def vector(self, word: str) -> np.ndarray:
        try:
            return self.vectors[self.index[word]]
        except KeyError:
            raise KeyError(f"{word!r} is not among the {len(self.words):,} words of word_to_vec_map") from None


def _table(word_vectors):
    """The table behind ``word_vectors``: itself, or a dict ``{word: vector}`` as a table."""
    return _DictTable(word_vectors) if isinstance(word_vectors, dict) else word_vectors


def _as_vector(word_vectors, query, where: str) -> np.ndarray:
    if isinstance(query, str):
        return np.asarray(word_vectors.vector(query))
    q = _float(query, where, "query")
    d = np.asarray(word_vectors.vectors).shape[1]
    if q.shape != (d,):
        raise ValueError(f"{where}: the query vector has shape {q.shape}; the table's vectors have shape ({d},)")
    return q


def nearest_words(word_vectors, query, k: int = 5, *, exclude: Iterable[str] = ()) -> list[tuple[str, float]]:
    """The k words of the table whose vectors are most similar (cosine) to ``query``.

    Arguments: word_vectors -- a table (``words``, ``vectors (n, d)``, ``index``, ``vector``) or a dict
        ``{word: (d,) vector}``; query -- a word of the table or a ``(d,)`` vector; k -- how many words, >= 1;
        exclude -- words not to return (a word query is not excluded unless listed here).
    Returns: a list of at most k ``(word, similarity)`` pairs, most similar first (ties: the word
        earlier in the table first), similarities as Python floats.
    Raises: KeyError for a query word not in the table; ValueError for k < 1, a query vector of the
        wrong shape, or a zero query vector.
    """
    where = "nearest_words"
    if int(k) != k or k < 1:
        raise ValueError(f"{where}: k must be a positive integer, got {k!r}")
    word_vectors = _table(word_vectors)
    q = _as_vector(word_vectors, query, where)
    norm = np.linalg.norm(q)
    if norm == 0:
        raise ValueError(f"{where}: the query is the zero vector, which has no direction to compare")
    V = np.asarray(word_vectors.vectors)
    V = V.astype(np.result_type(V.dtype, np.float32), copy=False)
    norms = _row_norms(V)
    with np.errstate(invalid="ignore", divide="ignore"):
        sims = (V @ q.astype(V.dtype, copy=False)) / (norms * V.dtype.type(norm))
    sims[norms == 0] = -np.inf                       # a zero row has no direction
    skip = [word_vectors.index[w] for w in exclude if w in word_vectors.index]
    sims[skip] = -np.inf
    k = min(int(k), sims.size)
    if k == 1:
        order = [int(np.argmax(sims))]               # the first of equal maxima: the earlier word
    else:                                            # the k largest, ties broken by position
        threshold = np.partition(sims, sims.size - k)[sims.size - k]
        candidates = np.flatnonzero(sims >= threshold)
        order = candidates[np.lexsort((candidates, -sims[candidates]))][:k]
    return [(word_vectors.words[i], float(sims[i])) for i in order if np.isfinite(sims[i])]


def complete_analogy(word_a: str, word_b: str, word_c: str, word_vectors) -> str:
    """Complete "a is to b as c is to ?": the word w, other than a, b and c, that maximises
    ``cosine_similarity(e_w, e_b - e_a + e_c)``.

    ``complete_analogy("man", "woman", "king", load_glove())`` is ``"queen"``.

    Arguments: word_a, word_b, word_c -- words of the table (GloVe 6B is lowercase);
        word_vectors -- a table (``words``, ``vectors (n, d)``, ``index``, ``vector``), or the classic
        ``word_to_vec_map``, a dict ``{word: (d,) vector}`` (its order is the table's).
    Returns: the word, a str. Among equally similar words the one earlier in the table (GloVe: the more
        frequent) wins.
    Raises: KeyError naming a word that is not in the table; ValueError if the table holds no word
        other than the three, or if ``e_b - e_a + e_c`` is the zero vector.
    """
    word_vectors = _table(word_vectors)
    e_a, e_b, e_c = (np.asarray(word_vectors.vector(w)) for w in (word_a, word_b, word_c))
    target = e_b - e_a + e_c
    if not np.any(target):
        raise ValueError("complete_analogy: e_b - e_a + e_c is the zero vector, so no word is closer to it than another")
    best = nearest_words(word_vectors, target, 1, exclude=(word_a, word_b, word_c))
    if not best:
        raise ValueError("complete_analogy: the table has no word other than the three of the question")
    return best[0][0]


def analogy_questions(pairs: Sequence[Sequence[str]]) -> list[tuple[str, str, str, str]]:
    """Analogy questions from pairs of one relation: for every two different pairs (x_i, y_i) and
    (x_j, y_j), the question (x_i, y_i, x_j, y_j), "x_i is to y_i as x_j is to ?", answer y_j.

    This is how the sections of ``questions-words.txt`` are built. n pairs give n (n - 1) questions.
    Arguments: pairs -- a sequence of 2-item sequences of str, e.g. ``[("france", "paris"), ("italy", "rome")]``.
    Returns: a list of 4-tuples of str, in the order of the pairs.
    Raises: ValueError if an item is not a pair of two words or a pair occurs twice.
    """
    pairs = [tuple(p) for p in pairs]
    bad = [p for p in pairs if len(p) != 2 or not all(isinstance(w, str) and w for w in p)]
    if bad:
        raise ValueError(f"analogy_questions: every item must be a pair of two words, got {bad[:3]}")
    if len(set(pairs)) != len(pairs):
        raise ValueError("analogy_questions: a pair occurs twice, which would ask questions whose answer is in them")
    return [(a, b, c, d) for (a, b), (c, d) in permutations(pairs, 2)]


def read_analogy_questions(path) -> dict[str, list[tuple[str, str, str, str]]]:
    """Read an analogy benchmark in the word2vec format (``questions-words.txt``).

    The format: a line ``: section-name`` starts a section; every other non-blank line holds four words
    ``a b c d``, meaning "a is to b as c is to d".
    Arguments: path -- the file (str or Path), UTF-8.
    Returns: ``{section name: [(a, b, c, d), ...]}`` in the file's order, words lowercased.
    Raises: FileNotFoundError if the file does not exist; ValueError naming the line number for a
        question before the first section or a line that does not hold four words.
    """
    sections: dict[str, list[tuple[str, str, str, str]]] = {}
    current = None
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        if line.startswith(":"):
            current = line[1:].strip()
            sections.setdefault(current, [])
            continue
        words = line.lower().split()
        if current is None:
            raise ValueError(f"{path}, line {number}: a question before the first ': section' line")
        if len(words) != 4:
            raise ValueError(f"{path}, line {number}: an analogy question has 4 words, this line has {len(words)}: {line!r}")
        sections[current].append(tuple(words))
    return sections


def evaluate_analogies(word_vectors, questions: Iterable[Sequence[str]], *, batch_size: int = 256) -> dict:
    """Answer analogy questions as :func:`complete_analogy` does, all at once, and score them.

    Arguments: word_vectors -- a table (``words``, ``vectors (n, d)``, ``index``, ``vector``) or a dict
        ``{word: (d,) vector}``; questions -- 4-word sequences (a, b, c, d): "a is to b as c is to d"; batch_size -- questions
        per matrix product (memory: batch_size x n floats).
    Returns: a dict with ``"accuracy"`` (a float, the fraction of the answered questions whose answer is
        d; NaN if none was answered), ``"correct"``, ``"answered"`` and ``"skipped"`` (ints: a question
        with a word outside the table is skipped, as gensim does), and ``"predictions"`` (one str per
        question, None for a skipped one).
    Raises: ValueError for a question that does not have 4 words or a batch_size < 1.
    """
    if int(batch_size) != batch_size or batch_size < 1:
        raise ValueError(f"evaluate_analogies: batch_size must be a positive integer, got {batch_size!r}")
    word_vectors = _table(word_vectors)
    questions = [tuple(q) for q in questions]
    bad = [q for q in questions if len(q) != 4]
    if bad:
        raise ValueError(f"evaluate_analogies: a question has 4 words (a, b, c, d), got {bad[:3]}")
    index = word_vectors.index
    answerable = [i for i, q in enumerate(questions) if all(w in index for w in q)]
    rows = np.array([[index[w] for w in questions[i]] for i in answerable], dtype=np.int64).reshape(-1, 4)
    V = np.asarray(word_vectors.vectors)
    U = _unit_rows(V)
    predictions: list = [None] * len(questions)
    correct = 0
    for start in range(0, len(answerable), int(batch_size)):
        r = rows[start:start + int(batch_size)]
        targets = V[r[:, 1]] - V[r[:, 0]] + V[r[:, 2]]
        sims = targets @ U.T          # proportional to the cosine in each row: the target's norm is one number per row
        sims[np.arange(len(r))[:, None], r[:, :3]] = -np.inf
        best = np.argmax(sims, axis=1)
        correct += int(np.sum(best == r[:, 3]))
        for k, b in zip(answerable[start:start + int(batch_size)], best):
            predictions[k] = word_vectors.words[b]
    answered = len(answerable)
    return {"accuracy": correct / answered if answered else float("nan"), "correct": correct, "answered": answered,
            "skipped": len(questions) - answered, "predictions": predictions}


def pair_differences_pca(word_vectors, pairs: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
    """The principal components of the differences within word pairs (Bolukbasi et al. 2016, section 5).

    Each word's vector is scaled to unit length; each pair's mean is subtracted from its two words; the
    principal components of these 2 x n_pairs centred vectors are returned.
    Arguments: word_vectors -- a table; pairs -- 2-word sequences (``[("man", "woman"), ("he", "she"), ...]``), at least 2.
    Returns: ``(components, explained)``: components ``(k, d)`` float64, unit rows, k = min(n_pairs, d),
        the first oriented so that second words minus first words project positively on it on average;
        explained ``(k,)``, the fraction of the total variance along each, largest first, summing to 1.
    Raises: KeyError for a word not in the table; ValueError for fewer than 2 pairs, an item that is not
        a pair, or pairs whose two words have the same vector.
    """
    pairs = [tuple(p) for p in pairs]
    if len(pairs) < 2 or any(len(p) != 2 for p in pairs):
        raise ValueError(f"pair_differences_pca: needs at least 2 pairs of two words, got {pairs[:3]}")
    centred, differences = [], []
    for a, b in pairs:
        e_a, e_b = (np.asarray(word_vectors.vector(w), dtype=np.float64) for w in (a, b))
        e_a, e_b = e_a / np.linalg.norm(e_a), e_b / np.linalg.norm(e_b)
        mean = (e_a + e_b) / 2
        centred += [e_a - mean, e_b - mean]
        differences.append(e_b - e_a)
    D = np.array(centred)
    if not np.any(D):
        raise ValueError("pair_differences_pca: the words of every pair have the same vector; there is no difference to analyse")
    _, s, vt = np.linalg.svd(D, full_matrices=False)
    k = min(len(pairs), D.shape[1])
    components, variance = vt[:k].copy(), s[:k] ** 2
    if np.mean(np.array(differences) @ components[0]) < 0:
        components[0] = -components[0]
    return components, variance / np.sum(s ** 2)


def bias_direction(word_vectors, pairs: Sequence[Sequence[str]], *, method: str = "pca") -> np.ndarray:
    """A bias direction g, e.g. gender from ``[("man", "woman"), ("he", "she"), ...]``, as a unit vector.

    Arguments: word_vectors -- a table; pairs -- 2-word sequences, each (first, second) differing in the
        bias (a single pair only with ``method="mean"``); method -- ``"pca"`` (Bolukbasi et al. 2016: the
        first principal component of the pairs' centred unit vectors, :func:`pair_differences_pca`) or
        ``"mean"`` (the average of the pairs' differences of unit vectors, e.g. ``e_woman - e_man`` for one pair).
    Returns: g ``(d,)`` float64 with ``||g|| = 1``, pointing from the first words towards the second ones
        (the second words project positively on it on average).
    Raises: KeyError for a word not in the table; ValueError for another method, no pairs (or one, with
        "pca"), an item that is not a pair, or differences that cancel to the zero vector.
    """
    if method == "pca":
        return pair_differences_pca(word_vectors, pairs)[0][0]
    if method != "mean":
        raise ValueError(f"bias_direction: method must be 'pca' or 'mean', not {method!r}")
    pairs = [tuple(p) for p in pairs]
    if not pairs or any(len(p) != 2 for p in pairs):
        raise ValueError(f"bias_direction: needs at least one pair of two words, got {pairs[:3]}")
    diffs = []
    for a, b in pairs:
        e_a, e_b = (np.asarray(word_vectors.vector(w), dtype=np.float64) for w in (a, b))
        diffs.append(e_b / np.linalg.norm(e_b) - e_a / np.linalg.norm(e_a))
    g = np.mean(diffs, axis=0)
    norm = np.linalg.norm(g)
    if norm == 0:
        raise ValueError("bias_direction: the pairs' differences cancel to the zero vector; there is no direction")
    return g / norm


def _direction(g, where: str) -> np.ndarray:
    g = _float(g, where, "g")
    if g.ndim != 1:
        raise ValueError(f"{where}: g must be a vector (d,), got shape {g.shape}")
    if not np.any(g):
        raise ValueError(f"{where}: g is the zero vector, which points in no direction")
    return g


def neutralize(e, g):
    """Remove the component of e along the bias direction g: ``e - (e . g / ||g||^2) g``.

    Afterwards e is orthogonal to g (its cosine similarity with g is 0) and unchanged in every direction
    orthogonal to g. g need not have unit length. Bolukbasi et al. (2016) also rescale the result to unit
    length; that changes no cosine similarity.
    Arguments: e -- a word vector ``(d,)``, or several as rows ``(n, d)``; g -- the bias direction ``(d,)``, not zero.
    Returns: the neutralized vector(s), e's shape, in the precision of e and g together (float32 GloVe
        rows with a float64 g give float64).
    Raises: ValueError if g is not a vector or is zero, or if e's last axis is not as long as g.
    """
    where = "neutralize"
    g = _direction(g, where)
    e = _float(e, where, "e")
    if e.ndim == 0 or e.shape[-1] != g.shape[0]:
        raise ValueError(f"{where}: e has shape {e.shape}; its last axis must have g's {g.shape[0]} entries")
    e_bias = np.multiply.outer(e @ g / (g @ g), g)
    return e - e_bias


def equalize(e_w1, e_w2, g):
    """Make the two words of a pair (actress/actor) differ only along the bias direction g, symmetrically,
    with unit length (Bolukbasi et al. 2016, "equalize").

    With ``u = g / ||g||`` and ``mu = (e_w1 + e_w2) / 2``: ``mu_B = (mu . u) u`` and ``nu = mu - mu_B``
    (the pair's shared part, orthogonal to g); each word keeps only ``nu`` orthogonal to g and, along g,
    ``sqrt(1 - ||nu||^2) (e_wB - mu_B) / ||e_wB - mu_B||`` with ``e_wB = (e_w . u) u``. So the two results
    have unit length, the same part orthogonal to g, and opposite components along g: every neutralized
    word is equally similar to both.
    Arguments: e_w1, e_w2 -- the pair's word vectors ``(d,)``, each of unit length (divide a GloVe row by
        its norm first: the formula is Bolukbasi's for unit vectors); g -- the bias direction ``(d,)``, not zero.
    Returns: ``(e_w1_new, e_w2_new)``, two ``(d,)`` arrays in the precision of the inputs together.
    Raises: ValueError if a vector's shape differs from g's, if e_w1 or e_w2 is not of unit length (within
        1e-4), if g is zero, or if the two have the same component along g (nothing to equalize along it).
    """
    where = "equalize"
    g = _direction(g, where)
    e1, e2 = _float(e_w1, where, "e_w1"), _float(e_w2, where, "e_w2")
    for name, e in (("e_w1", e1), ("e_w2", e2)):
        if e.shape != g.shape:
            raise ValueError(f"{where}: {name} has shape {e.shape}; it must be a vector of g's shape {g.shape}")
        norm = float(np.linalg.norm(e))
        if abs(norm - 1) > UNIT_TOLERANCE:
            raise ValueError(f"{where}: {name} has length {norm:.6g}, not 1; equalize works on unit vectors "
                             f"(divide the vector by np.linalg.norm of it first)")
    u = g / np.linalg.norm(g)
    mu = (e1 + e2) / 2
    mu_B = (mu @ u) * u
    nu = mu - mu_B
    e1_B, e2_B = (e1 @ u) * u, (e2 @ u) * u
    if (e1 - e2) @ u == 0:
        raise ValueError(f"{where}: the two words have the same component along g, so there is nothing to equalize "
                         f"along it")
    scale = np.sqrt(max(1.0 - float(nu @ nu), 0.0))
    e1_new = nu + scale * (e1_B - mu_B) / np.linalg.norm(e1_B - mu_B)
    e2_new = nu + scale * (e2_B - mu_B) / np.linalg.norm(e2_B - mu_B)
    return e1_new, e2_new


#: the names of equalize's two results, as messages of the course's checks name them
equalize.__output_parts__ = "e_w1_new, e_w2_new"
