"""A vocabulary: tokens (characters or words) to indices and back, and the one-hot sequences of Track 5.

The lecture's notation (course 5, week 1, "Notation"): a dictionary of n_x tokens, each token of a
sentence x^<t> written as a one-hot vector of length n_x, an unknown-word token ``<UNK>`` for anything
not in the dictionary, and an end-of-sentence token ``<EOS>`` that a language model learns to predict.
Batches of sequences follow the recurrent layers' shapes (:mod:`course_utils.nn.recurrent`):
``x (n_x, m, T_x)``, one column per example, time last.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Iterable, Sequence

import numpy as np

__all__ = ["UNK", "EOS", "Vocabulary", "tokenize_words"]

#: the unknown-word token: every token outside the vocabulary maps to it
UNK = "<UNK>"
#: the end-of-sequence token
EOS = "<EOS>"

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


def tokenize_words(text: str) -> list[str]:
    """The words of ``text``, lowercased: runs of letters a-z, with one inner apostrophe kept ("don't");
    digits and punctuation are dropped. ``tokenize_words("Cats average 15 hours of sleep a day.")``
    is ``["cats", "average", "hours", "of", "sleep", "a", "day"]``."""
    return _WORD.findall(text.lower())


class Vocabulary:
    """Tokens to indices and back.

    Arguments:
        tokens -- the vocabulary's tokens in the order of their indices (duplicates raise).
        unk -- add :data:`UNK` (at the end unless already in ``tokens``) and map unknown tokens to it;
            without it an unknown token raises KeyError.
        eos -- add :data:`EOS` (likewise).
    Attributes: ``tokens`` (list), ``index`` (dict token -> int), ``unk_index`` and ``eos_index``
    (int or None); ``len(vocab)`` is n_x.
    Raises: ValueError for an empty or duplicated token list.
    """

    def __init__(self, tokens: Sequence[str], *, unk: bool = False, eos: bool = False) -> None:
        tokens = list(tokens)
        for special, wanted in ((UNK, unk), (EOS, eos)):
            if wanted and special not in tokens:
                tokens.append(special)
        if not tokens:
            raise ValueError("a vocabulary needs at least one token")
        dup = [t for t, n in Counter(tokens).items() if n > 1]
        if dup:
            raise ValueError(f"tokens must be distinct; repeated: {dup[:5]}")
        self.tokens = tokens
        self.index = {t: i for i, t in enumerate(tokens)}
        self.unk_index = self.index.get(UNK) if unk else None
        self.eos_index = self.index.get(EOS) if eos else None

    @classmethod
    def from_corpus(cls, sequences: Iterable[Sequence[str]], *, max_size: int | None = None, min_count: int = 1,
                    unk: bool = True, eos: bool = False) -> "Vocabulary":
        """The tokens of ``sequences`` (each a string of characters or a list of words), most frequent
        first (ties alphabetical), keeping at most ``max_size`` (the special tokens not counted) that
        occur at least ``min_count`` times. Raises ValueError if nothing is kept."""
        counts = Counter(t for seq in sequences for t in seq)
        kept = sorted((t for t, n in counts.items() if n >= min_count), key=lambda t: (-counts[t], t))
        if max_size is not None:
            kept = kept[:max_size]
        if not kept:
            raise ValueError("no token occurs often enough to be kept")
        return cls(kept, unk=unk, eos=eos)

    def __len__(self) -> int:
        return len(self.tokens)

    def __contains__(self, token: str) -> bool:
        return token in self.index

    def __repr__(self) -> str:
        return f"Vocabulary({len(self)} tokens: {self.tokens[:8]}{' ...' if len(self) > 8 else ''})"

    def encode(self, sequence: Sequence[str], *, add_eos: bool = False) -> list[int]:
        """The indices of a sequence's tokens (``add_eos``: then :data:`EOS`'s).

        Raises: KeyError naming the token when it is unknown and the vocabulary has no :data:`UNK`;
        ValueError for ``add_eos`` without :data:`EOS`.
        """
        out = []
        for t in sequence:
            i = self.index.get(t, self.unk_index)
            if i is None:
                raise KeyError(f"{t!r} is not in the vocabulary and it has no {UNK} token (Vocabulary(..., unk=True))")
            out.append(i)
        if add_eos:
            if self.eos_index is None:
                raise ValueError(f"add_eos needs a vocabulary with {EOS} (Vocabulary(..., eos=True))")
            out.append(self.eos_index)
        return out

    def decode(self, indices: Iterable[int], *, sep: str = "", stop_at_eos: bool = True) -> str:
        """The tokens of ``indices`` joined by ``sep`` ("" for characters, " " for words), up to (not
        including) the first :data:`EOS` when ``stop_at_eos``. Raises IndexError for an index outside
        ``[0, n_x)``."""
        words = []
        for i in indices:
            i = int(i)
            if not 0 <= i < len(self):
                raise IndexError(f"index {i} is outside the vocabulary's 0 .. {len(self) - 1}")
            if stop_at_eos and i == self.eos_index:
                break
            words.append(self.tokens[i])
        return sep.join(words)

    def one_hot(self, sequences: Sequence[Sequence[str]], *, T_x: int | None = None, add_eos: bool = False,
                dtype=np.float64) -> np.ndarray:
        """The one-hot batch ``x (n_x, m, T_x)`` of m sequences: ``x[i, j, t] = 1`` when token t of sequence j
        has index i. Shorter sequences end in zero columns (padding); ``T_x`` defaults to the longest.

        Raises: ValueError if a sequence is longer than ``T_x`` or there are no sequences; KeyError as
        :meth:`encode`.
        """
        encoded = [self.encode(s, add_eos=add_eos) for s in sequences]
        if not encoded:
            raise ValueError("one_hot needs at least one sequence")
        longest = max(len(e) for e in encoded)
        T_x = longest if T_x is None else int(T_x)
        if longest > T_x:
            raise ValueError(f"a sequence has {longest} tokens, more than T_x = {T_x}")
        x = np.zeros((len(self), len(encoded), T_x), dtype=dtype)
        for j, e in enumerate(encoded):
            x[e, j, np.arange(len(e))] = 1
        return x
