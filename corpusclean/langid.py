"""Language identification: deterministic, fast, and pluggable.

The default backend (`fast`) scores langdetect's own shipped language profiles (55
languages, character 1- to 3-grams) with the full n-gram log-likelihood, vectorized with
numpy, instead of langdetect's random sampling trials: langdetect draws a random n-gram
about a thousand times, seven times over, so its answer depends on a seed and costs
milliseconds; summing the same smoothed per-n-gram probabilities over every n-gram of the
text gives the label those trials converge to, the same in every run and every process,
at a fraction of the cost. The text preparation mirrors langdetect's (URL and e-mail
removal, Vietnamese normalization, dropping Latin letters from mostly non-Latin text,
its per-character `NGram.normalize`, and skipping n-grams inside all-capital words), by
calling langdetect's own helpers to build lookup tables once per process.

Other backends sit behind the `LanguageIdentifier` protocol: `langdetect` (the original,
seeded, for comparison), and optional `lingua` and `fasttext` adapters (the latter with a
user-supplied model file; nothing is ever downloaded).
"""

from __future__ import annotations

import functools
import math
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from .errors import ConfigError

UNDETERMINED = "und"

# langdetect's smoothing: every n-gram probability is P_lang(w) + alpha / BASE_FREQ
# (detector.py: ALPHA_DEFAULT = 0.5, BASE_FREQ = 10000).
_ALPHA = 0.5
_BASE_FREQ = 10_000

# Compact alphabet: id 0 is "a character no profile knows" (emoji, rare symbols), 1 is the
# word separator every non-letter normalizes to; letters start at 2.
_UNKNOWN = 0
_SPACE = 1


@dataclass(frozen=True, slots=True)
class LanguageResult:
    """The language of a text: an ISO 639-1 code (or `und`), its probability, runners-up."""

    lang: str
    prob: float
    alternatives: tuple[tuple[str, float], ...] = ()
    ngrams: int = 0  # n-grams (or other units) of evidence the decision rests on

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON form."""
        return {
            "lang": self.lang,
            "prob": round(self.prob, 4),
            "alternatives": [[lang, round(prob, 4)] for lang, prob in self.alternatives],
        }


UND = LanguageResult(UNDETERMINED, 0.0)


class LanguageIdentifier(Protocol):
    """Anything that names the language of a text; same text, same answer, always."""

    name: str

    def identify(self, text: str) -> LanguageResult:
        """The most likely language of `text`, or `und` when there is too little to tell."""
        ...


# --------------------------------------------------------------------------- tables


@dataclass(frozen=True, slots=True)
class _Tables:
    """langdetect's profiles as arrays: character lookup tables, n-gram keys, log-probs."""

    langs: tuple[str, ...]
    char_id: npt.NDArray[np.uint16]  # BMP code point -> compact id of its normalized form
    upper: npt.NDArray[np.bool_]  # BMP code point -> normalized form is upper case
    base: int  # radix of the n-gram keys
    keys: npt.NDArray[np.int64]  # sorted n-gram keys
    slots: tuple[npt.NDArray[np.int64], npt.NDArray[np.int32], npt.NDArray[np.int64], npt.NDArray[np.int32]]
    logprob: npt.NDArray[np.float64]  # (n-grams, languages): log(P_lang(w) + alpha / BASE_FREQ)


def _key(ids: Sequence[int], base: int) -> int:
    # Keys of different lengths never collide: a 1-gram key is < base, a 2-gram key is in
    # [base, base**2) (its first id is >= 1), a 3-gram key is >= base**2.
    key = 0
    for char in ids:
        key = key * base + char
    return key


@functools.cache
def _tables() -> _Tables:
    """Load langdetect's profiles once per process (about a second) into lookup arrays."""
    import json

    from langdetect.detector_factory import PROFILES_DIRECTORY
    from langdetect.utils.ngram import NGram

    profiles: dict[str, dict[str, Any]] = {}
    for filename in sorted(os.listdir(PROFILES_DIRECTORY)):
        path = os.path.join(PROFILES_DIRECTORY, filename)
        if filename.startswith(".") or not os.path.isfile(path):
            continue
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        profiles[data["name"]] = data
    langs = tuple(profiles)

    alphabet = sorted({char for data in profiles.values() for gram in data["freq"] for char in gram} - {" "})
    letter_id = {char: index + 2 for index, char in enumerate(alphabet)}
    letter_id[" "] = _SPACE
    char_id = np.zeros(0x10000, dtype=np.uint16)
    upper = np.zeros(0x10000, dtype=np.bool_)
    for code in range(0x10000):
        normalized = NGram.normalize(chr(code))
        char_id[code] = letter_id.get(normalized, _UNKNOWN)
        upper[code] = normalized.isupper()

    base = len(alphabet) + 2
    rows: dict[int, list[float]] = {}
    for index, data in enumerate(profiles.values()):
        n_words = data["n_words"]
        for gram, count in data["freq"].items():
            if not 1 <= len(gram) <= 3:
                continue
            key = _key([letter_id[char] for char in gram], base)
            rows.setdefault(key, [0.0] * len(langs))[index] = count / n_words[len(gram) - 1]
    keys = np.array(sorted(rows), dtype=np.int64)
    probs = np.array([rows[int(key)] for key in keys], dtype=np.float64)
    logprob = np.log(probs + _ALPHA / _BASE_FREQ)
    return _Tables(langs, char_id, upper, base, keys, _cuckoo(keys.tolist()), logprob)


# Cuckoo hashing (Pagh & Rodler, 2004): every key sits in one of two slots, so a lookup
# is two vectorized gathers and compares, against the ~17 dependent probes per key of a
# binary search. Two tables of 2**17 slots hold the ~88,000 n-grams at load 1/3.
_SLOT_BITS = 17
_HASH_A = 0x9E3779B97F4A7C15  # 2**64 / golden ratio (Knuth's multiplicative hashing)
_HASH_B = 0xC2B2AE3D27D4EB4F  # a 64-bit odd constant from xxHash
_MASK64 = (1 << 64) - 1


def _cuckoo(
    keys: list[int],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int32], npt.NDArray[np.int64], npt.NDArray[np.int32]]:
    size = 1 << _SLOT_BITS
    shift = 64 - _SLOT_BITS
    tables: list[list[int]] = [[-1] * size, [-1] * size]
    rows: list[list[int]] = [[-1] * size, [-1] * size]
    for row, key in enumerate(keys):
        item = (key, row)
        for attempt in range(1000):
            side = attempt % 2
            slot = ((item[0] * (_HASH_A, _HASH_B)[side]) & _MASK64) >> shift
            evicted = (tables[side][slot], rows[side][slot])
            tables[side][slot], rows[side][slot] = item
            if evicted[0] == -1:
                break
            item = evicted
        else:  # pragma: no cover - impossible at this load factor with these constants
            raise RuntimeError("n-gram table: cuckoo insertion cycled")
    return (
        np.array(tables[0], dtype=np.int64),
        np.array(rows[0], dtype=np.int32),
        np.array(tables[1], dtype=np.int64),
        np.array(rows[1], dtype=np.int32),
    )


def _lookup(tables: _Tables, grams: npt.NDArray[np.int64]) -> npt.NDArray[np.int32]:
    """The profile row of each n-gram, -1 for n-grams no profile knows."""
    keys_a, rows_a, keys_b, rows_b = tables.slots
    unsigned = grams.view(np.uint64)
    shift = np.uint64(64 - _SLOT_BITS)
    with np.errstate(over="ignore"):
        slot_a = (unsigned * np.uint64(_HASH_A)) >> shift
        slot_b = (unsigned * np.uint64(_HASH_B)) >> shift
    return np.where(keys_a[slot_a] == grams, rows_a[slot_a], np.where(keys_b[slot_b] == grams, rows_b[slot_b], -1))


# --------------------------------------------------------------------------- the fast backend


def _url_mail_vi(text: str) -> str:
    from langdetect.detector import Detector
    from langdetect.utils.ngram import NGram

    # Each pattern needs a character most texts lack; testing for it first skips two
    # regex scans that cost more than the whole n-gram scoring.
    if "http" in text:
        text = Detector.URL_RE.sub(" ", text)
    if "@" in text:
        text = Detector.MAIL_RE.sub(" ", text)
    if any(mark in text for mark in NGram.DMARK_CLASS):
        text = NGram.normalize_vi(text)
    return text


_SPACE_RE = re.compile(r"\s+")


def sample_text(text: str, max_chars: int, pieces: int = 4) -> str:
    """At most about `max_chars` characters of `text`, taken from `pieces` places spread over it.

    A long article's language is the language of any few thousand of its characters; a
    sample from its beginning, middle and end also sees past a foreign lead paragraph.
    Cuts fall on whitespace so no word is split.
    """
    if max_chars <= 0 or len(text) <= max_chars:
        return text
    window = max(1, max_chars // pieces)
    step = (len(text) - window) / max(1, pieces - 1)
    parts = []
    for index in range(pieces):
        start = int(index * step)
        end = start + window
        if start > 0:
            space = text.find(" ", start, start + window // 4)
            start = space + 1 if space >= 0 else start
        if end < len(text):
            space = text.rfind(" ", start, end)
            end = space if space > start else end
        parts.append(text[start:end])
    return " ".join(parts)


@dataclass(frozen=True, slots=True)
class FastLangId:
    """langdetect's profiles scored with the full n-gram log-likelihood; deterministic.

    `prob` is a softmax over the languages' mean log-likelihood per n-gram, scaled by the
    evidence (the number of n-grams, capped at `evidence_cap`): the posterior one would
    have after `evidence_cap` n-grams at most. A clean article scores ≥ 0.99, a short
    or mixed text lower; capping keeps a long article that mixes two languages from
    looking certain just because it is long.
    """

    name: str = "fast"
    sample_chars: int = 3000
    min_letters: int = 12
    evidence_cap: int = 60
    top: int = 3

    def identify(self, text: str) -> LanguageResult:
        """The most likely of langdetect's 55 languages, or `und` below `min_letters` letters."""
        scores, count = self.scores(text)
        if scores is None:
            return UND
        return self._result(scores, count)

    def identify_many(self, texts: Iterable[str]) -> list[LanguageResult]:
        """`identify` over many texts."""
        return [self.identify(text) for text in texts]

    @property
    def languages(self) -> tuple[str, ...]:
        """The codes this backend can answer (besides `und`)."""
        return _tables().langs

    def scores(self, text: str) -> tuple[npt.NDArray[np.float64] | None, int]:
        """Summed log-likelihood per language and the number of n-grams; None when undetermined."""
        tables = _tables()
        text = sample_text(_url_mail_vi(text), self.sample_chars)
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        if codes.size == 0:
            return None, 0
        # langdetect's cleaning_text: in a text mostly of non-Latin letters, drop A-z
        # (its check against the "Latin Extended Additional" block compares a block id
        # with a name and is never true, so every code point from U+0300 counts).
        latin = np.count_nonzero((codes >= 0x41) & (codes <= 0x7A))
        if latin * 2 < np.count_nonzero(codes >= 0x300):
            codes = codes[(codes < 0x41) | (codes > 0x7A)]
        bmp = np.minimum(codes, 0xFFFF)
        ids = np.where(codes <= 0xFFFF, tables.char_id[bmp], _UNKNOWN).astype(np.int64)
        upper = tables.upper[bmp] & (codes <= 0xFFFF)
        # Runs of separators collapse to one, and the stream starts after a separator,
        # exactly as langdetect's NGram buffer behaves.
        space = ids == _SPACE
        keep = ~(space & np.concatenate(([True], space[:-1])))
        ids = np.concatenate(([_SPACE], ids[keep]))
        upper = np.concatenate(([False], upper[keep]))
        letters = int(np.count_nonzero(ids > _SPACE))
        if letters < self.min_letters:
            return None, 0

        base = tables.base
        cur = ids[1:]
        prev = ids[:-1]
        # NGram.capitalword: a capital right after a capital emits nothing (acronyms).
        # A character no profile knows spoils every n-gram it is in; dropping those here
        # also keeps a 2-gram key from ever equalling a 1-gram key, and so on.
        known = ids != _UNKNOWN
        emit = ~(upper[1:] & upper[:-1]) & known[1:]
        one = cur[emit & (cur > _SPACE)]
        two = (prev * base + cur)[emit & known[:-1]]
        emit3 = emit[1:] & known[:-2] & known[1:-1] & (prev[1:] != _SPACE)
        three = ((ids[:-2] * base + ids[1:-1]) * base + ids[2:])[emit3]
        grams = np.concatenate((one, two, three))
        # Count each distinct n-gram once (a news article has ~7,000 n-grams but ~1,100
        # distinct ones), look up only those, and weigh their rows by the counts. einsum
        # sums in float64 without BLAS, so the result never depends on thread count.
        grams.sort()
        first = np.empty(grams.size, dtype=np.bool_)
        first[:1] = True
        np.not_equal(grams[1:], grams[:-1], out=first[1:])
        starts = np.flatnonzero(first)
        counts = np.diff(np.append(starts, grams.size))
        rows = _lookup(tables, grams[starts])
        known_rows = rows >= 0
        rows, counts = rows[known_rows], counts[known_rows]
        if rows.size == 0:
            return None, 0
        summed = np.einsum("i,ij->j", counts.astype(np.float64), np.take(tables.logprob, rows, axis=0))
        return summed, int(counts.sum())

    def _result(self, scores: npt.NDArray[np.float64], count: int) -> LanguageResult:
        langs = _tables().langs
        logits = scores / count * min(count, self.evidence_cap)
        logits -= logits.max()
        probs = np.exp(logits)
        probs /= probs.sum()
        order = np.argsort(-probs, kind="stable")
        best = int(order[0])
        alternatives = tuple(
            (langs[int(index)], float(probs[index])) for index in order[1 : 1 + self.top] if probs[index] > 1e-4
        )
        return LanguageResult(langs[best], float(probs[best]), alternatives, count)
