"""Track 5's sentiment sentences (course_utils.data.sentiment): the kit's own labelled set, its split and loader."""

import json

import numpy as np
import pytest

from course_utils.data import sentiment, store
from course_utils.data.text import GLOVE_TOP, load_glove


def _write(data_dir, arrays, meta):
    """What store.build writes for a dataset (the lead registers "sentiment" in store.BUILDERS)."""
    entry = {"file": "sentiment.h5", **meta,
             "arrays": {k: {"shape": list(v.shape), "dtype": v.dtype.str} for k, v in sorted(arrays.items())},
             "sha256": store.content_sha256(arrays)}
    store._write_h5(data_dir / entry["file"], arrays)
    (data_dir / "manifest.json").write_text(json.dumps({"sentiment": entry}, indent=2, sort_keys=True) + "\n")
    return entry


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    d = tmp_path_factory.mktemp("sentiment_data")
    arrays, meta = sentiment._build_sentiment()
    _write(d, arrays, meta)
    return d, arrays, meta


def test_the_file_has_64_sentences_per_class_and_12_hard_ones():
    sentences, labels, hard = sentiment.read_sentences()
    assert len(sentences) == 320 and labels.shape == hard.shape == (320,)
    assert labels.dtype == np.int64 and hard.dtype == bool
    assert np.bincount(labels).tolist() == [64] * 5
    assert np.bincount(labels[hard], minlength=5).tolist() == [12] * 5
    assert len(set(sentences)) == 320
    assert all(3 <= len(s.split()) <= 12 and s == s.lower() for s in sentences)


def test_known_sentences_have_their_labels():
    sentences, labels, hard = sentiment.read_sentences()
    label = dict(zip(sentences, labels.tolist()))
    is_hard = dict(zip(sentences, hard.tolist()))
    expected = {"i love you": 0, "he hit a home run": 1, "i am so happy": 2, "i am so sad": 3, "i am hungry": 4,
                "i am not happy at all": 3, "i am not sad at all": 2, "i love pizza more than you": 4,
                "i love you more than pizza": 0}
    assert {s: label[s] for s in expected} == expected
    assert [is_hard[s] for s in expected] == [False] * 5 + [True] * 4


def test_hard_sentences_turn_on_negation_or_word_order():
    sentences, labels, hard = sentiment.read_sentences()
    negations = {"not", "no", "never", "nothing"}
    negated = np.array([bool(negations & set(s.split())) for s in sentences])
    assert not (negated & ~hard).any()          # a negation word appears only in hard sentences
    assert int(negated.sum()) == 41 and np.bincount(labels[negated], minlength=5).tolist() == [11, 6, 10, 9, 5]
    # the same words in another order with another label: an average of word vectors cannot separate these
    bags = {}
    for s, y in zip(sentences, labels):
        bags.setdefault(tuple(sorted(s.split())), set()).add(int(y))
    pairs = [ys for ys in bags.values() if len(ys) > 1]
    assert len(pairs) == 13
    assert bags[tuple(sorted("i was sad but now i am happy".split()))] == {2, 3}
    assert all(hard[i] for i, s in enumerate(sentences) if len(bags[tuple(sorted(s.split()))]) > 1)


def test_every_word_is_among_glove_s_50000_most_frequent():
    wv = load_glove()
    sentences, _, _ = sentiment.read_sentences()
    words = {w for s in sentences for w in s.split()}
    missing = sorted(w for w in words if w not in wv or wv.rank[wv.index[w]] >= GLOVE_TOP)
    assert missing == []
    assert len(words) == 522


def test_the_split_is_stratified_and_deterministic(built):
    d, arrays, meta = built
    again, meta_again = sentiment._build_sentiment()
    assert store.content_sha256(again) == store.content_sha256(arrays) and meta_again == meta
    assert arrays["train_labels"].shape == arrays["train_hard"].shape == arrays["train_sentences"].shape == (240,)
    assert arrays["test_labels"].shape == arrays["test_hard"].shape == arrays["test_sentences"].shape == (80,)
    assert np.bincount(arrays["train_labels"]).tolist() == [48] * 5
    assert np.bincount(arrays["test_labels"]).tolist() == [16] * 5
    assert np.bincount(arrays["train_labels"][arrays["train_hard"]]).tolist() == [9] * 5
    assert np.bincount(arrays["test_labels"][arrays["test_hard"]]).tolist() == [3] * 5
    assert not set(arrays["train_sentences"].tolist()) & set(arrays["test_sentences"].tolist())
    f = meta["figures"]
    counts = (f["sentences"], f["train"], f["test"], f["hard"], f["train_hard"], f["test_hard"])
    assert counts == (320, 240, 80, 60, 45, 15)
    assert f["test_per_class"] == dict.fromkeys(sentiment.CLASSES, 16)
    assert "written for this course kit" in meta["source"] and "judgement" in meta["how_built"]
    # the split of SENTIMENT_SEED = 2031
    assert [s.decode() for s in arrays["train_sentences"][:3]] == [
        "the kids are giggling", "the fans cheered for the home team", "i lost my job"]
    assert arrays["train_labels"][:3].tolist() == [2, 1, 3]


def test_load_sentiment_returns_the_split(built):
    d, arrays, _ = built
    s = sentiment.load_sentiment(d)
    assert len(s.train_sentences) == 240 and len(s.test_sentences) == 80
    assert s.train_labels.shape == (240,) and s.train_labels.dtype == np.int64 and s.train_hard.dtype == bool
    assert s.test_labels.shape == (80,) and int(s.test_hard.sum()) == 15
    assert s.classes == ["love", "sports", "happy", "sad", "food"]
    assert s.emoji == ["\u2764\ufe0f", "\u26be", "\U0001F604", "\U0001F61E", "\U0001F374"]
    assert s.train_sentences[0] == "the kids are giggling" and s.emoji[s.train_labels[0]] == "\U0001F604"


def test_a_missing_or_corrupt_file_raises_data_error(built, tmp_path):
    d, arrays, meta = built
    with pytest.raises(store.DataError, match="not in"):
        sentiment.load_sentiment(tmp_path)
    _write(tmp_path, arrays, meta)
    (tmp_path / "sentiment.h5").unlink()
    with pytest.raises(store.DataError, match="missing"):
        sentiment.load_sentiment(tmp_path)
    changed = dict(arrays, train_labels=arrays["train_labels"][::-1].copy())
    store._write_h5(tmp_path / "sentiment.h5", changed)
    with pytest.raises(store.DataError, match="checksum"):
        sentiment.load_sentiment(tmp_path)


@pytest.mark.parametrize("body, message", [
    ("label\tsentence\n0\ti love you\n", "header"),
    ("label\tsentence\thard\n0\ti love you\n", "expected label"),
    ("label\tsentence\thard\n5\ti love you\t0\n", "label must be"),
    ("label\tsentence\thard\n0\ti love you\t2\n", "label must be"),
    ("label\tsentence\thard\n0\tI love you\t0\n", "lowercase words"),
    ("label\tsentence\thard\n0\ti love you!\t0\n", "lowercase words"),
    ("label\tsentence\thard\n0\tlove you\t0\n", "3 to 12"),
    ("label\tsentence\thard\n0\ti love you\t0\n0\ti love you\t1\n", "twice"),
])
def test_read_sentences_rejects_a_bad_file(tmp_path, body, message):
    path = tmp_path / "bad.tsv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(store.DataError, match=message):
        sentiment.read_sentences(path)
    with pytest.raises(store.DataError, match="missing"):
        sentiment.read_sentences(tmp_path / "none.tsv")
