"""Track 5's sentiment sentences: 320 short English sentences in five classes, with an emoji each.

No emoji-labelled set installs offline, so the course kit has its own: the sentences in
``sentiment_sentences.tsv`` beside this module were written for the kit (not copied from any
dataset) and labelled by their authors' judgement. Five classes, 64 sentences each:

- 0 love (heart, U+2764 U+FE0F): love, affection, the people one loves
- 1 sports (baseball, U+26BE): playing or watching a sport
- 2 happy (smiling face, U+1F604): joy, good news, fun
- 3 sad (disappointed face, U+1F61E): sadness, disappointment, bad news
- 4 food (fork and knife, U+1F374): eating, cooking, meals

Every sentence is 3 to 12 lowercase words separated by single spaces, no punctuation, and every
word is among GloVe's 50,000 most frequent words (``data/glove.h5``, :func:`course_utils.data.text.load_glove`).
12 sentences per class are marked *hard*: their meaning turns on negation or word order
("i am not happy at all" is sad, "i was sad but now i am happy" is happy, "i love pizza more
than you" is food while "i love you more than pizza" is love), so a classifier that averages
word vectors -- which ignores word order and sees "not" as one more word -- is expected to fail
on many of them. Several hard sentences come in pairs with the same words in another order and
another label, which an average cannot tell apart.

``python -m course_utils.data build sentiment`` splits them (stratified 75/25 per class and
per hard/not hard, numpy ``default_rng(SENTIMENT_SEED)``) into ``data/sentiment.h5`` with a
manifest entry: :func:`load_sentiment` reads it.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import numpy as np

from course_utils.data.store import DataError, load_arrays

__all__ = ["SENTENCES_FILE", "CLASSES", "EMOJI", "SENTIMENT_SEED", "SentimentSet", "read_sentences",
           "load_sentiment"]

#: the sentences: a UTF-8 text file shipped with the package, columns ``label<TAB>sentence<TAB>hard``
SENTENCES_FILE = Path(__file__).resolve().parent / "sentiment_sentences.tsv"
#: the class names, in label order
CLASSES = ("love", "sports", "happy", "sad", "food")
#: one emoji per class, for display: heart, baseball, smiling face with open mouth and smiling eyes,
#: disappointed face, fork and knife
EMOJI = ("\u2764\ufe0f", "\u26be", "\U0001F604", "\U0001F61E", "\U0001F374")
#: the seed of the train/test split
SENTIMENT_SEED = 2031
#: sentences per class, and how many of them are hard; the split takes TRAIN_FRACTION of each
PER_CLASS, HARD_PER_CLASS, TRAIN_FRACTION = 64, 12, 0.75
_HEADER = "label\tsentence\thard"


def read_sentences(path: str | Path | None = None) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Read and check the sentences file, in file order.

    Arguments: path -- a file in the format of :data:`SENTENCES_FILE` (default: that file):
    the header ``label<TAB>sentence<TAB>hard``, then one sentence per line, label 0-4, hard 0 or 1.
    Returns: ``(sentences, labels, hard)``: a list of n str, ``(n,)`` int64 labels and ``(n,)``
    bool hard flags (n = 320 for the packaged file).
    Raises: DataError if the file is missing, its header differs, a line has not three
    tab-separated fields, a label is not 0-4, a hard flag not 0 or 1, a sentence is not 3 to 12
    lowercase words (letters and apostrophes) separated by single spaces, or a sentence appears
    twice.
    """
    import re

    path = Path(path or SENTENCES_FILE)
    if not path.is_file():
        raise DataError(f"the sentiment sentences {path} are missing; they ship with course_utils "
                        "(reinstall the kit with: pip install -e .)")
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines or lines[0] != _HEADER:
        raise DataError(f"{path}: the first line must be the header {_HEADER!r}")
    sentences, labels, hard, seen = [], [], [], set()
    for number, line in enumerate(lines[1:], start=2):
        fields = line.split("\t")
        if len(fields) != 3:
            raise DataError(f"{path}:{number}: expected label<TAB>sentence<TAB>hard, got {line!r}")
        label, sentence, flag = fields
        if label not in {str(k) for k in range(len(CLASSES))} or flag not in ("0", "1"):
            raise DataError(f"{path}:{number}: label must be 0-{len(CLASSES) - 1} and hard 0 or 1, got {line!r}")
        if not re.fullmatch(r"[a-z']+(?: [a-z']+){2,11}", sentence):
            raise DataError(f"{path}:{number}: {sentence!r} is not 3 to 12 lowercase words separated by single spaces")
        if sentence in seen:
            raise DataError(f"{path}:{number}: {sentence!r} appears twice")
        seen.add(sentence)
        sentences.append(sentence)
        labels.append(int(label))
        hard.append(flag == "1")
    return sentences, np.array(labels, dtype=np.int64), np.array(hard, dtype=bool)


def _build_sentiment():
    sentences, labels, hard = read_sentences()
    counts = np.bincount(labels, minlength=len(CLASSES)).tolist()
    hard_counts = np.bincount(labels[hard], minlength=len(CLASSES)).tolist()
    if counts != [PER_CLASS] * len(CLASSES) or hard_counts != [HARD_PER_CLASS] * len(CLASSES):
        raise DataError(f"{SENTENCES_FILE.name} has {counts} sentences and {hard_counts} hard ones per class, "
                        f"expected {PER_CLASS} and {HARD_PER_CLASS} in each of the {len(CLASSES)} classes")
    rng = np.random.default_rng(SENTIMENT_SEED)
    train_idx, test_idx = [], []
    for cls in range(len(CLASSES)):  # stratified per class and per hard / not hard
        for flag in (False, True):
            idx = rng.permutation(np.flatnonzero((labels == cls) & (hard == flag)))
            cut = int(round(TRAIN_FRACTION * idx.size))
            train_idx.append(idx[:cut])
            test_idx.append(idx[cut:])
    train_idx = rng.permutation(np.concatenate(train_idx))
    test_idx = rng.permutation(np.concatenate(test_idx))
    encoded = np.array([s.encode("utf-8") for s in sentences])
    arrays = {
        "train_sentences": encoded[train_idx], "train_labels": labels[train_idx], "train_hard": hard[train_idx],
        "test_sentences": encoded[test_idx], "test_labels": labels[test_idx], "test_hard": hard[test_idx],
        "classes": np.array([c.encode() for c in CLASSES]),
        "emoji": np.array([e.encode("utf-8") for e in EMOJI]),
    }

    def per_class(idx, only_hard=False):
        keep = labels[idx][hard[idx]] if only_hard else labels[idx]
        return {CLASSES[k]: int(n) for k, n in enumerate(np.bincount(keep, minlength=len(CLASSES)))}

    words = [w for s in sentences for w in s.split()]
    meta = {
        "source": "written for this course kit (course_utils/data/sentiment_sentences.tsv): 320 short English "
                  "sentences in five classes, the project's own text, not copied from any dataset",
        "licence": "MIT (the course kit's own text)",
        "how_built": f"the sentences of sentiment_sentences.tsv, labelled by the kit's authors' honest judgement "
                     f"(0 love, 1 sports, 2 happy, 3 sad, 4 food; one emoji each for display); {HARD_PER_CLASS} per "
                     "class are marked hard, where negation or word order decides the label; every word is among "
                     "GloVe 6B's 50,000 most frequent; stratified split per class and per hard / not hard, "
                     f"{TRAIN_FRACTION:.0%} train, numpy default_rng({SENTIMENT_SEED}), then each split shuffled; "
                     "sentences UTF-8 bytes, labels int64, hard bool",
        "figures": {"sentences": len(sentences), "train": int(train_idx.size), "test": int(test_idx.size),
                    "hard": int(hard.sum()), "train_hard": int(hard[train_idx].sum()),
                    "test_hard": int(hard[test_idx].sum()), "train_per_class": per_class(train_idx),
                    "test_per_class": per_class(test_idx), "train_hard_per_class": per_class(train_idx, True),
                    "test_hard_per_class": per_class(test_idx, True), "words": len(words),
                    "distinct_words": len(set(words)), "longest_words": max(len(s.split()) for s in sentences)},
    }
    return arrays, meta


class SentimentSet(NamedTuple):
    """The sentiment sentences, split: what :func:`load_sentiment` returns.

    Attributes: train_sentences -- list of 240 str; train_labels -- ``(240,)`` int64 labels 0-4;
    train_hard -- ``(240,)`` bool, True for a hard sentence (negation or word order decides);
    test_sentences -- list of 80 str; test_labels -- ``(80,)`` int64; test_hard -- ``(80,)`` bool;
    classes -- the 5 class names (``classes[label]``); emoji -- the 5 emoji (``emoji[label]``).
    """

    train_sentences: list
    train_labels: np.ndarray
    train_hard: np.ndarray
    test_sentences: list
    test_labels: np.ndarray
    test_hard: np.ndarray
    classes: list
    emoji: list


def load_sentiment(data_dir: Path | None = None) -> SentimentSet:
    """The course kit's own sentiment sentences, split into train and test.

    Arguments: data_dir -- the folder with ``manifest.json`` (default: the course's ``data/``).
    Returns: a :class:`SentimentSet` ``(train_sentences, train_labels, train_hard, test_sentences,
    test_labels, test_hard, classes, emoji)``:
        train_sentences -- list of 240 str (3 to 12 lowercase words, no punctuation)
        train_labels -- ``(240,)`` int64, 0 love, 1 sports, 2 happy, 3 sad, 4 food (48 per class)
        train_hard -- ``(240,)`` bool, 45 hard sentences (9 per class)
        test_sentences -- list of 80 str; test_labels -- ``(80,)`` int64 (16 per class);
        test_hard -- ``(80,)`` bool, 15 hard sentences (3 per class)
        classes -- ``["love", "sports", "happy", "sad", "food"]``; emoji -- the 5 emoji, one per class
    Raises: DataError if ``data/sentiment.h5`` is missing, unreadable or fails its checksum (see
    :func:`course_utils.data.store.load_arrays`; the message names the build command).
    Source: written for this course kit, labelled by its authors (``sentiment_sentences.tsv``).
    """
    a = load_arrays("sentiment", data_dir)

    def text(key):
        return [s.decode("utf-8") for s in a[key]]

    return SentimentSet(text("train_sentences"), a["train_labels"], a["train_hard"], text("test_sentences"),
                        a["test_labels"], a["test_hard"], text("classes"), text("emoji"))
