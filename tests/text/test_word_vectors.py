"""course_utils.text.word_vectors: cosine similarity, analogies, analogy benchmarks and debiasing
(Bolukbasi et al. 2016), on GloVe 6B 50-d (data/glove.h5) and on small tables whose answers are known;
and Track 5/04's adapter course_utils.exercises.word_vectors (E o_j = e_j as a product)."""

import numpy as np
import pytest

import course_utils.exercises.word_vectors as ex
from course_utils.data.text import WordVectors, load_glove
from course_utils.text import word_vectors as wv_lib

DEFINITIONAL_PAIRS = [("he", "she"), ("his", "her"), ("man", "woman"), ("john", "mary"), ("himself", "herself"),
                      ("son", "daughter"), ("father", "mother"), ("guy", "gal"), ("boy", "girl"), ("male", "female")]


@pytest.fixture(scope="module")
def glove():
    return load_glove()


def table(words, vectors):
    vectors = np.asarray(vectors, dtype=np.float64)
    return WordVectors(list(words), vectors, np.arange(len(words)))


# --- cosine similarity ----------------------------------------------------------------------------

def test_cosine_similarity_is_1_0_and_minus_1_at_the_notes_angles():
    u = np.array([2.0, 0.0])
    assert wv_lib.cosine_similarity(u, np.array([5.0, 0.0])) == 1.0      # 0 degrees
    assert wv_lib.cosine_similarity(u, np.array([0.0, 3.0])) == 0.0      # 90 degrees
    assert wv_lib.cosine_similarity(u, np.array([-1.0, 0.0])) == -1.0    # 180 degrees
    # 60 degrees, and the length of either vector does not matter
    assert wv_lib.cosine_similarity(np.array([1.0, 0.0]), 7 * np.array([0.5, np.sqrt(3) / 2])) == pytest.approx(0.5, abs=1e-15)


def test_cosine_similarity_keeps_glove_precision_and_compares_a_vector_with_every_row(glove):
    man, woman = glove.vector("man"), glove.vector("woman")
    s = wv_lib.cosine_similarity(man, woman)
    assert isinstance(s, np.float32) and abs(float(s) - 0.88603) < 1e-5
    rows = glove.vectors[:4]
    np.testing.assert_allclose(wv_lib.cosine_similarity(man, rows),
                               [wv_lib.cosine_similarity(man, r) for r in rows], rtol=1e-6)
    assert type(wv_lib.cosine_similarity(np.array([1.0, 2.0]), np.array([2.0, 1.0]))) is np.float64


def test_cosine_similarity_refuses_a_zero_vector_and_different_lengths():
    with pytest.raises(ValueError, match="v is the zero vector"):
        wv_lib.cosine_similarity(np.ones(3), np.zeros(3))
    with pytest.raises(ValueError, match="u has 3 entries and v has 2"):
        wv_lib.cosine_similarity(np.ones(3), np.ones(2))


# --- analogies --------------------------------------------------------------------------------------

def test_complete_analogy_answers_the_lectures_questions_on_glove(glove):
    assert wv_lib.complete_analogy("man", "woman", "king", glove) == "queen"
    assert wv_lib.complete_analogy("france", "paris", "italy", glove) == "rome"
    assert wv_lib.complete_analogy("small", "smaller", "big", glove) == "bigger"
    with pytest.raises(KeyError, match="'King' is not among the 50,007 words"):
        wv_lib.complete_analogy("man", "woman", "King", glove)
    # the classic word_to_vec_map: a dict {word: vector}, here GloVe's 1,000 most frequent words and the answer
    words = glove.words[:1000] + ["queen"]
    word_to_vec_map = {w: glove.vector(w) for w in words}
    assert wv_lib.complete_analogy("man", "woman", "king", word_to_vec_map) == "queen"
    with pytest.raises(KeyError, match="'durian' is not among the 1,001 words of word_to_vec_map"):
        wv_lib.complete_analogy("man", "woman", "durian", word_to_vec_map)


def test_complete_analogy_excludes_the_three_words_and_breaks_ties_by_position():
    # b - a is tiny, so the target is c itself: the answer is the word nearest to c among the others
    t = table(["a", "b", "c", "far", "near_c", "also_near_c"],
              [[1, 0, 0], [1, 0.001, 0], [0, 1, 0], [0, 0, 1], [0, 1, 0.2], [0, 1, -0.2]])
    assert wv_lib.complete_analogy("a", "b", "c", t) == "near_c"     # near_c and also_near_c tie: the earlier wins
    four = table(["w0", "w1", "w2", "w3"], np.eye(4))
    assert wv_lib.complete_analogy("w0", "w1", "w2", four) == "w3"
    kept = t.vectors.copy()
    wv_lib.evaluate_analogies(t, [("a", "b", "c", "far")])
    wv_lib.nearest_words(t, "a", 3, exclude=["b"])
    np.testing.assert_array_equal(t.vectors, kept)                  # the table is left as it was
    with pytest.raises(ValueError, match="no word other than the three"):
        wv_lib.complete_analogy("w0", "w1", "w2", table(["w0", "w1", "w2"], np.eye(3)))
    with pytest.raises(ValueError, match="zero vector"):
        wv_lib.complete_analogy("w0", "w1", "w0", table(["w0", "w1", "w2"], [[1, 0], [0, 0], [0, 1]]))


def test_nearest_words_lists_the_most_similar_first(glove):
    assert [w for w, _ in wv_lib.nearest_words(glove, "durian", 3, exclude=["durian"])] == ["papaya", "mango", "grapefruit"]
    t = table(["x", "y", "z", "zero"], [[1, 0], [1, 1], [-1, 0], [0, 0]])
    assert wv_lib.nearest_words(t, np.array([2.0, 0.0]), 4) == [("x", 1.0), ("y", pytest.approx(np.sqrt(0.5))),
                                                                ("z", -1.0)]    # a zero row has no direction
    with pytest.raises(ValueError, match="k must be a positive integer"):
        wv_lib.nearest_words(t, "x", 0)


def test_analogy_questions_pair_every_two_pairs_of_a_relation():
    pairs = [("france", "paris"), ("italy", "rome"), ("japan", "tokyo")]
    assert wv_lib.analogy_questions(pairs) == [
        ("france", "paris", "italy", "rome"), ("france", "paris", "japan", "tokyo"),
        ("italy", "rome", "france", "paris"), ("italy", "rome", "japan", "tokyo"),
        ("japan", "tokyo", "france", "paris"), ("japan", "tokyo", "italy", "rome")]
    with pytest.raises(ValueError, match="a pair occurs twice"):
        wv_lib.analogy_questions(pairs + [("italy", "rome")])
    with pytest.raises(ValueError, match="pair of two words"):
        wv_lib.analogy_questions([("a", "b", "c")])


def test_read_analogy_questions_reads_the_word2vec_format(tmp_path):
    f = tmp_path / "questions-words.txt"
    f.write_text(": capital-common-countries\nAthens Greece Baghdad Iraq\n\nBern Switzerland Cairo Egypt\n"
                 ": family\nboy girl brother sister\n", encoding="utf-8")
    assert wv_lib.read_analogy_questions(f) == {
        "capital-common-countries": [("athens", "greece", "baghdad", "iraq"), ("bern", "switzerland", "cairo", "egypt")],
        "family": [("boy", "girl", "brother", "sister")]}
    f.write_text(": family\nboy girl brother\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 2: an analogy question has 4 words, this line has 3"):
        wv_lib.read_analogy_questions(f)
    f.write_text("boy girl brother sister\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 1: a question before the first ': section' line"):
        wv_lib.read_analogy_questions(f)


def test_evaluate_analogies_answers_as_complete_analogy_does(glove):
    capitals = [("france", "paris"), ("italy", "rome"), ("japan", "tokyo"), ("spain", "madrid"), ("england", "london")]
    gender = [("man", "woman"), ("king", "queen"), ("boy", "girl")]
    questions = (wv_lib.analogy_questions(capitals) + wv_lib.analogy_questions(gender)
                 + [("man", "woman", "king", "notaword")])
    score = wv_lib.evaluate_analogies(glove, questions, batch_size=7)      # batches that do not divide the 26
    assert [score[k] for k in ("answered", "skipped")] == [26, 1]
    assert score["predictions"][:26] == [wv_lib.complete_analogy(a, b, c, glove) for a, b, c, _ in questions[:26]]
    assert score["predictions"][26] is None
    assert score["correct"] == sum(p == q[3] for p, q in zip(score["predictions"], questions)) == 16
    assert score["accuracy"] == 16 / 26


# --- debiasing ----------------------------------------------------------------------------------------

def test_bias_direction_finds_the_axis_the_pairs_differ_along():
    rng = np.random.default_rng(5)
    words, vectors, pairs = [], [], []
    for k in range(6):                       # pairs that differ along axis 2 (by 0.6) and a little noise
        shared = rng.standard_normal(5) * np.array([1, 1, 0, 1, 1])
        shared /= np.linalg.norm(shared) * 1.25
        for sign, name in ((-1, f"m{k}"), (1, f"f{k}")):
            e = shared + sign * 0.6 * np.eye(5)[2] + 0.01 * rng.standard_normal(5)
            words.append(name), vectors.append(e / np.linalg.norm(e))
        pairs.append((f"m{k}", f"f{k}"))
    t = table(words, vectors)
    g = wv_lib.bias_direction(t, pairs)
    assert np.linalg.norm(g) == pytest.approx(1.0) and g[2] > 0.999       # from the first words to the second
    components, explained = wv_lib.pair_differences_pca(t, pairs)
    assert components.shape == (5, 5) and explained.sum() == pytest.approx(1.0) and explained[0] > 0.99
    g_mean = wv_lib.bias_direction(t, pairs[:1], method="mean")
    expected = t.vector("f0") - t.vector("m0")
    np.testing.assert_allclose(g_mean, expected / np.linalg.norm(expected), atol=1e-12)
    with pytest.raises(ValueError, match="method must be 'pca' or 'mean'"):
        wv_lib.bias_direction(t, pairs, method="svd")
    with pytest.raises(ValueError, match="at least 2 pairs"):
        wv_lib.bias_direction(t, pairs[:1])


def test_the_gender_direction_of_glove_and_its_share_of_the_variance(glove):
    components, explained = wv_lib.pair_differences_pca(glove, DEFINITIONAL_PAIRS)
    assert explained[:2] == pytest.approx([0.4941, 0.3709], abs=1e-4)
    g = wv_lib.bias_direction(glove, DEFINITIONAL_PAIRS)
    unit = {w: glove.vector(w) / np.linalg.norm(glove.vector(w)) for w in ("woman", "man", "receptionist", "engineer")}
    assert wv_lib.cosine_similarity(g, unit["woman"] - unit["man"]) == pytest.approx(0.8244, abs=1e-4)
    assert wv_lib.cosine_similarity(unit["receptionist"], g) == pytest.approx(0.2972, abs=1e-4)
    assert wv_lib.cosine_similarity(unit["engineer"], g) == pytest.approx(-0.3044, abs=1e-4)


def test_neutralize_leaves_nothing_along_g_and_everything_else():
    rng = np.random.default_rng(8)
    e, g = rng.standard_normal(6), 3 * rng.standard_normal(6)
    out = wv_lib.neutralize(e, g)
    assert abs(out @ g) < 1e-12
    np.testing.assert_allclose(e - out, (e @ g / (g @ g)) * g, atol=1e-15)    # only the part along g was removed
    rows = rng.standard_normal((4, 6))
    np.testing.assert_allclose(wv_lib.neutralize(rows, g), [wv_lib.neutralize(r, g) for r in rows], atol=1e-15)
    np.testing.assert_array_equal(wv_lib.neutralize(np.array([0.0, 2.0]), np.array([5.0, 0.0])), [0.0, 2.0])
    with pytest.raises(ValueError, match="g is the zero vector"):
        wv_lib.neutralize(e, np.zeros(6))
    with pytest.raises(ValueError, match="its last axis must have g's 6 entries"):
        wv_lib.neutralize(np.ones(5), g)


def test_equalize_makes_the_pair_symmetric_about_g_with_unit_length():
    rng = np.random.default_rng(9)
    e1, e2, w = (x / np.linalg.norm(x) for x in rng.standard_normal((3, 8)))
    g = 2.5 * rng.standard_normal(8)
    u = g / np.linalg.norm(g)
    n1, n2 = wv_lib.equalize(e1, e2, g)
    assert np.linalg.norm(n1) == pytest.approx(1.0) and np.linalg.norm(n2) == pytest.approx(1.0)
    assert n1 @ u == pytest.approx(-(n2 @ u)) and np.sign(n1 @ u) == np.sign((e1 - e2) @ u)
    np.testing.assert_allclose(n1 - (n1 @ u) * u, n2 - (n2 @ u) * u, atol=1e-15)   # the same part orthogonal to g
    neutral = wv_lib.neutralize(w, g)
    assert wv_lib.cosine_similarity(neutral, n1) == pytest.approx(wv_lib.cosine_similarity(neutral, n2), abs=1e-12)
    # a pair that is already equalized is unchanged
    a, b = np.array([0.6, 0.8, 0.0]), np.array([0.6, -0.8, 0.0])
    for got, want in zip(wv_lib.equalize(a, b, np.array([0.0, 1.0, 0.0])), (a, b)):
        np.testing.assert_allclose(got, want, atol=1e-15)


def test_equalize_refuses_vectors_it_cannot_equalize():
    with pytest.raises(ValueError, match="e_w2 has length 2, not 1; equalize works on unit vectors"):
        wv_lib.equalize(np.array([1.0, 0.0]), np.array([0.0, 2.0]), np.array([1.0, 1.0]))
    with pytest.raises(ValueError, match="the same component along g"):
        wv_lib.equalize(np.array([0.6, 0.8]), np.array([-0.6, 0.8]), np.array([0.0, 1.0]))


def test_debiasing_glove_equalizes_the_lectures_babysitter_example(glove):
    def unit(w):
        e = glove.vector(w).astype(np.float64)
        return e / np.linalg.norm(e)
    g = wv_lib.bias_direction(glove, DEFINITIONAL_PAIRS)
    babysitter = wv_lib.neutralize(unit("babysitter"), g)
    before = [wv_lib.cosine_similarity(babysitter, unit(w)) for w in ("grandfather", "grandmother")]
    assert before == pytest.approx([0.3423, 0.4133], abs=1e-4)
    after = [wv_lib.cosine_similarity(babysitter, e) for e in wv_lib.equalize(unit("grandfather"), unit("grandmother"), g)]
    assert after == pytest.approx([0.3778, 0.3778], abs=1e-4) and abs(after[0] - after[1]) < 1e-12


# --- the adapter of notebook 04: E o_j = e_j ---------------------------------------------------------

def test_embed_by_product_is_the_product_with_the_one_hot_matrix():
    rng = np.random.default_rng(3)
    E = rng.standard_normal((4, 9))
    idx = np.array([8, 0, 3, 3])
    O = np.zeros((9, 4))
    O[idx, np.arange(4)] = 1
    np.testing.assert_array_equal(ex.embed_by_product(E, idx), E @ O)
    assert ex.embed_by_product(E.astype(np.float32), np.array([2])).dtype == np.float32
    with pytest.raises(ValueError, match="1-D array of m word indices"):
        ex.embed_by_product(E, idx[None, :])
    with pytest.raises(ValueError, match="index 9 is outside the vocabulary of E"):
        ex.embed_by_product(E, np.array([9]))
