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
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from ._cache import cache_file, read_arrays, write_arrays
from .config import LangConfig
from .document import Drop, Reason, Removal, Span, SweepResult, sweep
from .errors import ConfigError
from .segment import SegmentedText

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
    ngrams: int = 0  # n-grams of evidence the decision rests on (fast backend)


UND = LanguageResult(UNDETERMINED, 0.0)

# A paragraph needs this many letters before it can be called foreign: shorter lines are
# mostly names, handles and datelines, which no character model identifies reliably
# (seed 002's "— Sam Altman (@sama) November 15, 2024" comes out as Indonesian).
PARAGRAPH_MIN_LETTERS = 30


class LanguageIdentifier(Protocol):
    """Anything that names the language of a text; same text, same answer, always."""

    @property
    def name(self) -> str:
        """The backend's name, as `--lang-backend` spells it."""
        ...

    def identify(self, text: str) -> LanguageResult:
        """The most likely language of `text`, or `und` when there is too little to tell."""
        ...


# --------------------------------------------------------------------------- tables


@dataclass(frozen=True, slots=True)
class _Tables:
    """langdetect's profiles as arrays: character lookup tables, n-gram keys, log-probs."""

    langs: tuple[str, ...]
    alphabet: str  # compact id -> character ("?" for unknown, " " for the separator)
    char_id: npt.NDArray[np.uint16]  # BMP code point -> compact id of its normalized form
    upper: npt.NDArray[np.bool_]  # BMP code point -> normalized form is upper case
    base: int  # radix of the n-gram keys
    keys: npt.NDArray[np.int64]  # n-gram key of each row (rows: most probable n-grams first)
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
    """Load langdetect's profiles once per process into lookup arrays.

    Building them from langdetect's JSON profiles takes about a second, paid by every
    process that identifies a language (each CLI run, each test): the arrays are kept in
    a cache file (see `_cache_path`) and only the log-probabilities are recomputed from
    the stored probabilities, with the same operations, so the tables are identical.
    """
    path = _cache_path()
    arrays = read_arrays(path, _CACHED_ARRAYS) if path is not None else None
    if arrays is None:
        arrays = _profile_arrays()
        if path is not None:
            write_arrays(path, arrays)
    logprob = _smoothed_log_probabilities(arrays)
    slots = (arrays["slot_keys_a"], arrays["slot_rows_a"], arrays["slot_keys_b"], arrays["slot_rows_b"])
    return _Tables(
        tuple(arrays["langs"].tolist()),
        str(arrays["alphabet"]),
        arrays["char_id"],
        arrays["upper"],
        int(arrays["base"]),
        arrays["keys"],
        slots,
        logprob,
    )


def _smoothed_log_probabilities(arrays: Mapping[str, Any]) -> npt.NDArray[np.float64]:
    """log(P_lang(w) + alpha / BASE_FREQ) for every n-gram and language, as langdetect smooths.

    Only ~2 of a row's 55 probabilities are non-zero: the rest all take log(alpha / BASE_FREQ),
    so the table is filled with that value and the logarithm is taken of the non-zero ones
    only (about 0.3 s less per process; the same bits, checked by a test).
    """
    smoothing = _ALPHA / _BASE_FREQ
    shape = (arrays["keys"].size, len(arrays["langs"]))
    logprob = np.full(shape, np.log(np.full(1, smoothing))[0], dtype=np.float64)
    logprob[arrays["row_of"], arrays["gram_langs"]] = np.log(arrays["gram_probs"] + smoothing)
    return logprob


# Bump when `_profile_arrays` changes what it stores.
_CACHE_FORMAT = "2"


def _cache_path() -> str | None:
    """The profile arrays' cache file (see `_cache.cache_file`).

    The name carries langdetect's version and the profiles' names, sizes and times, so
    another langdetect (or edited profiles) gets its own file. None when there is no home.
    """
    import hashlib
    from importlib.metadata import version

    from langdetect.detector_factory import PROFILES_DIRECTORY

    stamp = hashlib.sha256(f"{_CACHE_FORMAT} {version('langdetect')} {np.__version__}".encode())
    for entry in sorted(os.scandir(PROFILES_DIRECTORY), key=lambda entry: entry.name):
        info = entry.stat()
        stamp.update(f"{entry.name} {info.st_size} {info.st_mtime_ns}".encode())
    return cache_file(f"langdetect-profiles-{stamp.hexdigest()[:16]}.npz")


_CACHED_ARRAYS = frozenset(
    [
        "langs",
        "alphabet",
        "char_id",
        "upper",
        "base",
        "keys",
        "row_of",
        "gram_langs",
        "gram_probs",
        "slot_keys_a",
        "slot_rows_a",
        "slot_keys_b",
        "slot_rows_b",
    ]
)


def _profile_arrays() -> dict[str, Any]:
    """langdetect's profiles as plain arrays (what the cache file holds)."""
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
    # One call of langdetect's own NGram.normalize per BMP code point, so the lookup
    # tables mirror it exactly (code points beyond the BMP are in no profile).
    normalized = [NGram.normalize(chr(code)) for code in range(0x10000)]
    char_id = np.array([letter_id.get(char, _UNKNOWN) for char in normalized], dtype=np.uint16)
    upper = np.array([char.isupper() for char in normalized], dtype=np.bool_)

    base = len(alphabet) + 2
    gram_keys: list[int] = []
    gram_langs: list[int] = []
    gram_probs: list[float] = []
    for index, data in enumerate(profiles.values()):
        n_words = data["n_words"]
        for gram, count in data["freq"].items():
            if 1 <= len(gram) <= 3:
                gram_keys.append(_key([letter_id[char] for char in gram], base))
                gram_langs.append(index)
                gram_probs.append(count / n_words[len(gram) - 1])
    keys, row_of = np.unique(np.array(gram_keys, dtype=np.int64), return_inverse=True)
    # Rows ordered by the n-gram's probability summed over the languages, most probable first:
    # the n-grams most documents hold then share pages and cache lines of the 38 MB table
    # (~25 % faster scoring when other work ran in between). Scores do not change: they add
    # n-grams in key order, whatever row holds each.
    probs = np.array(gram_probs, dtype=np.float64)
    rank = np.empty(keys.size, dtype=np.int64)
    rank[np.argsort(-np.bincount(row_of, weights=probs, minlength=keys.size), kind="stable")] = np.arange(
        keys.size
    )
    keys = keys[np.argsort(rank)]
    row_of = rank[row_of]
    keys_a, rows_a, keys_b, rows_b = _cuckoo(keys.tolist())
    return {
        "langs": np.array(langs),
        "alphabet": np.array("? " + "".join(alphabet)),
        "char_id": char_id,
        "upper": upper,
        "base": np.array(base),
        "keys": keys,
        "row_of": row_of,
        "gram_langs": np.array(gram_langs, dtype=np.int64),
        "gram_probs": probs,
        "slot_keys_a": keys_a,
        "slot_rows_a": rows_a,
        "slot_keys_b": keys_b,
        "slot_rows_b": rows_b,
    }


# Cuckoo hashing (Pagh & Rodler, 2004): every key sits in one of two slots, so a lookup
# is two vectorized gathers and compares, against the ~17 dependent probes per key of a
# binary search. Two tables of 2**17 slots hold the ~88,000 n-grams at load 1/3.
_SLOT_BITS = 17
_HASH_A = 0x9E3779B97F4A7C15  # 2**64 / golden ratio (Knuth's multiplicative hashing)
_HASH_B = 0xC2B2AE3D27D4EB4F  # a 64-bit odd constant from xxHash
# As numpy scalars, for numpy's look-up and for the compiled kernel: a Python int above
# 2**63 - 1 is not typed by numba's fast dispatch path, so every call would fall back to
# typing its arguments in Python (~50 µs).
_HASH_A_U64 = np.uint64(_HASH_A)
_HASH_B_U64 = np.uint64(_HASH_B)
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
        slot_a = (unsigned * _HASH_A_U64) >> shift
        slot_b = (unsigned * _HASH_B_U64) >> shift
    return np.where(
        keys_a[slot_a] == grams, rows_a[slot_a], np.where(keys_b[slot_b] == grams, rows_b[slot_b], -1)
    )


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

    `prob` is a softmax over the languages' mean log-likelihood per n-gram, times the
    evidence: the number of n-grams over three (each character starts up to three
    overlapping n-grams, which are far from independent), capped at `evidence_cap`. So a
    short text earns less confidence than a paragraph, and a long article that mixes two
    languages is not made certain by its length alone. With the cap at 30, clean news
    articles score above 0.999 (their mean gap to the runner-up is about 0.3 nats per
    n-gram), Dutch close to Afrikaans about 0.93, a half-French half-English text ~0.7.
    """

    name: str = "fast"
    sample_chars: int = 3000
    min_letters: int = 12
    evidence_cap: float = 30.0
    top: int = 3

    def identify(self, text: str) -> LanguageResult:
        """The most likely of langdetect's 55 languages, or `und` below `min_letters` letters."""
        scores, count = self.scores(text)
        if scores is None:
            return UND
        return self._result(scores, count)

    @property
    def languages(self) -> tuple[str, ...]:
        """The codes this backend can answer (besides `und`)."""
        return _tables().langs

    def scores(self, text: str) -> tuple[npt.NDArray[np.float64] | None, int]:
        """Summed log-likelihood per language and the number of n-grams; None when undetermined."""
        grams = self._grams(text)
        if grams is None:
            return None, 0
        from . import _kernels

        tables = _tables()
        keys_a, rows_a, keys_b, rows_b = tables.slots
        # One compiled pass over the sorted n-grams: count each distinct one, find its profile
        # row, add count x row. Same order and arithmetic as summing the rows of
        # `_counted_rows`, so the same bits, without a (distinct n-grams x 55) temporary.
        summed, count = _kernels.langdetect_scores(
            np.sort(grams),
            keys_a,
            rows_a,
            keys_b,
            rows_b,
            tables.logprob,
            _SLOT_BITS,
            _HASH_A_U64,
            _HASH_B_U64,
        )
        if count == 0:
            return None, 0
        return summed, count

    def ngrams(self, text: str) -> dict[str, int]:
        """The n-grams the decision rests on, with their counts (what langdetect would sample from)."""
        counted = self._counted_rows(text)
        if counted is None:
            return {}
        tables = _tables()
        out: dict[str, int] = {}
        for row, count in zip(counted[0].tolist(), counted[1].tolist(), strict=True):
            key = int(tables.keys[row])
            chars = []
            while key:
                key, char = divmod(key, tables.base)
                chars.append(tables.alphabet[char])
            out["".join(reversed(chars))] = count
        return out

    def _grams(self, text: str) -> npt.NDArray[np.int64] | None:
        """langdetect's n-gram keys of (a sample of) `text`, unsorted; None below `min_letters`."""
        tables = _tables()
        text = sample_text(_url_mail_vi(text), self.sample_chars)
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        if codes.size == 0:
            return None
        # langdetect's cleaning_text and NGram buffer, in one compiled pass (see
        # `_kernels.langdetect_grams`). Its check against the "Latin Extended Additional"
        # block compares a block id with a name and is never true, so every code point
        # from U+0300 counts as non-Latin.
        from . import _kernels  # numba loads on first use, not on `import corpusclean`

        astral = codes[codes > 0xFFFF]
        # No profile has code points beyond the BMP, but a capital like 𝐀 still starts an acronym.
        astral_upper = np.array([chr(code).isupper() for code in astral.tolist()], dtype=np.bool_)
        grams, letters = _kernels.langdetect_grams(
            codes, tables.char_id, tables.upper, astral_upper, tables.base
        )
        if letters < self.min_letters:
            return None
        return grams

    def _counted_rows(self, text: str) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int64]] | None:
        """Profile rows of the distinct known n-grams of `text` and their counts."""
        grams = self._grams(text)
        if grams is None:
            return None
        tables = _tables()
        # Count each distinct n-gram once (a news article has ~7,000 n-grams but ~1,100
        # distinct ones) and look up only those. `scores` does the same in one compiled
        # loop and sums count x row in this order, in float64 without BLAS, so no thread
        # count can change a sum.
        grams.sort()
        first = np.empty(grams.size, dtype=np.bool_)
        first[:1] = True
        np.not_equal(grams[1:], grams[:-1], out=first[1:])
        starts = np.flatnonzero(first)
        counts = np.diff(np.append(starts, grams.size))
        rows = _lookup(tables, grams[starts])
        known_rows = rows >= 0
        if not known_rows.any():
            return None
        return rows[known_rows], counts[known_rows]

    def _result(self, scores: npt.NDArray[np.float64], count: int) -> LanguageResult:
        langs = _tables().langs
        logits = scores / count * min(count / 3, self.evidence_cap)
        logits -= logits.max()
        probs = np.exp(logits)
        probs /= probs.sum()
        order = np.argsort(-probs, kind="stable")
        best = int(order[0])
        alternatives = tuple(
            (langs[int(index)], float(probs[index]))
            for index in order[1 : 1 + self.top]
            if probs[index] > 1e-4
        )
        return LanguageResult(langs[best], float(probs[best]), alternatives, count)


# --------------------------------------------------------------------------- other backends


def _letters(text: str) -> int:
    return sum(1 for char in text if char.isalpha())


@functools.cache
def _langdetect_factory() -> Any:
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    factory.set_seed(0)  # the seed langdetect's documentation recommends for reproducible output
    return factory


@dataclass(frozen=True, slots=True)
class LangdetectLangId:
    """The original langdetect, seeded (seed 0), with its own factory: slower, for comparison.

    It leaves langdetect's global `DetectorFactory` alone, so callers that use
    `langdetect.detect` themselves see no change.
    """

    name: str = "langdetect"
    min_letters: int = 12
    max_chars: int = 10_000  # langdetect's own default max_text_length

    def identify(self, text: str) -> LanguageResult:
        """langdetect's answer with seed 0, or `und` below `min_letters` letters or without features."""
        from langdetect.lang_detect_exception import LangDetectException

        if _letters(text) < self.min_letters:
            return UND
        detector = _langdetect_factory().create()
        detector.set_max_text_length(self.max_chars)
        detector.append(text)
        try:
            found = detector.get_probabilities()
        except LangDetectException:
            return UND
        if not found:
            return UND
        alternatives = tuple((item.lang, float(item.prob)) for item in found[1:4])
        return LanguageResult(found[0].lang, float(found[0].prob), alternatives)


@functools.cache
def _lingua_detector() -> Any:
    from lingua import LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_all_languages().build()


@dataclass(frozen=True, slots=True)
class LinguaLangId:
    """lingua-language-detector (75 languages, n-grams up to 5): slower, stronger on short texts."""

    name: str = "lingua"
    min_letters: int = 12

    def __post_init__(self) -> None:
        try:
            import lingua  # noqa: F401
        except ImportError:
            raise ConfigError(
                "--lang-backend lingua needs the lingua-language-detector package: "
                "pip install 'corpusclean[lingua]'"
            ) from None

    def identify(self, text: str) -> LanguageResult:
        """lingua's most confident language as an ISO 639-1 code."""
        if _letters(text) < self.min_letters:
            return UND
        values = _lingua_detector().compute_language_confidence_values(text)
        ranked = [(value.language.iso_code_639_1.name.lower(), float(value.value)) for value in values[:4]]
        if not ranked or ranked[0][1] <= 0.0:
            return UND
        return LanguageResult(ranked[0][0], ranked[0][1], tuple(ranked[1:]))


@functools.cache
def _fasttext_model(path: str) -> Any:
    import fasttext

    return fasttext.load_model(path)


@dataclass(frozen=True, slots=True)
class FastTextLangId:
    """A fastText language model the user supplies (e.g. lid.176.bin); never downloaded."""

    model: str
    name: str = "fasttext"
    min_letters: int = 12

    def __post_init__(self) -> None:
        try:
            import fasttext  # noqa: F401
        except ImportError:
            raise ConfigError(
                "--lang-backend fasttext needs the fasttext package: pip install 'corpusclean[fasttext]'"
            ) from None
        if not self.model:
            raise ConfigError("--lang-backend fasttext needs a model file: --lang-model PATH")
        if not os.path.isfile(self.model):
            raise ConfigError(f"{self.model}: fastText model file not found")

    def identify(self, text: str) -> LanguageResult:
        """The model's top label (`__label__xx` becomes `xx`) and its probability."""
        if _letters(text) < self.min_letters:
            return UND
        # fastText predicts one line; its Python wrapper's predict() breaks under numpy 2,
        # so call the binding underneath (it returns (probability, label) pairs).
        line = " ".join(text.split())
        pairs = _fasttext_model(self.model).f.predict(line + "\n", 4, 0.0, "strict")
        ranked = [(label.removeprefix("__label__").lower(), min(1.0, float(prob))) for prob, label in pairs]
        if not ranked:
            return UND
        return LanguageResult(ranked[0][0], ranked[0][1], tuple(ranked[1:]))


def build_identifier(config: LangConfig) -> LanguageIdentifier:
    """The backend the configuration names; a missing extra or model is a ConfigError."""
    if config.backend == "fast":
        return FastLangId(sample_chars=config.sample_chars, min_letters=config.min_letters)
    if config.backend == "langdetect":
        return LangdetectLangId(min_letters=config.min_letters)
    if config.backend == "lingua":
        return LinguaLangId(min_letters=config.min_letters)
    if config.backend == "fasttext":
        return FastTextLangId(config.model or "", min_letters=config.min_letters)
    raise ConfigError(f"unknown language backend {config.backend!r}")


# --------------------------------------------------------------------------- the pipeline stage


@dataclass(frozen=True, slots=True)
class LanguageStage:
    """Names the language of each cleaned document, finds foreign paragraphs, filters.

    It runs after the sweep, because the language that matters is the language of the
    text that is kept, not of the navigation and boilerplate around it. Foreign
    paragraphs are judged against that document language, on the normalized text's
    blocks, and a paragraph to drop becomes a `Span` given to `sweep` again together with
    the detectors' spans: `sweep` stays the only place text is cut, every offset stays
    an offset into the normalized text, and overlaps with other removals are settled
    the usual way.
    """

    identifier: LanguageIdentifier
    config: LangConfig = field(default_factory=LangConfig)

    def annotate(
        self, segmented: SegmentedText, spans: Sequence[Span], swept: SweepResult
    ) -> tuple[SweepResult, dict[str, Any]]:
        """The metadata to record (`lang`, `lang_prob`, maybe `foreign_paragraphs`) and the final sweep."""
        found = self.identifier.identify(swept.text)
        metadata: dict[str, Any] = {"lang": found.lang, "lang_prob": round(found.prob, 4)}
        if self.config.paragraphs or self.config.drop_paragraphs:
            foreign = self.foreign_paragraphs(segmented, found.lang, swept.removed)
            metadata["foreign_paragraphs"] = [
                {"start": span.start, "end": span.end, **span.evidence} for span in foreign
            ]
            if foreign and self.config.drop_paragraphs:
                swept = sweep(segmented.text, [*spans, *foreign])
        return swept, metadata

    def foreign_paragraphs(
        self, segmented: SegmentedText, doc_lang: str, removed: Sequence[Removal] = ()
    ) -> list[Span]:
        """Blocks confidently in another language than `doc_lang`, as spans to remove.

        A block the sweep already removed in most part is not judged again, and a block
        with fewer than `PARAGRAPH_MIN_LETTERS` letters is never foreign.
        """
        if doc_lang == UNDETERMINED:
            return []
        text = segmented.text
        out: list[Span] = []
        for block in segmented.blocks:
            covered = sum(max(0, min(block.end, r.end) - max(block.start, r.start)) for r in removed)
            block_text = text[block.start : block.end]
            if covered * 2 >= block.end - block.start or _letters(block_text) < PARAGRAPH_MIN_LETTERS:
                continue
            found = self.identifier.identify(block_text)
            if found.lang in (doc_lang, UNDETERMINED) or found.prob < self.config.paragraph_min_prob:
                continue
            evidence = {"lang": found.lang, "prob": round(found.prob, 4), "doc_lang": doc_lang}
            out.append(
                Span(
                    block.start,
                    block.end,
                    Reason.LANGUAGE_SPAN,
                    rule="foreign-paragraph",
                    evidence=evidence,
                    remove=self.config.drop_paragraphs,
                )
            )
        return out

    def decide(self, metadata: Mapping[str, Any]) -> Drop | None:
        """Drop a document outside the kept languages or below the minimum probability."""
        lang = str(metadata.get("lang", UNDETERMINED))
        prob = float(metadata.get("lang_prob", 0.0))
        keep = [code.lower() for code in self.config.keep]
        evidence: dict[str, Any] = {"lang": lang, "lang_prob": prob, "keep": keep}
        if keep and lang.lower() not in keep:
            return Drop(Reason.LANGUAGE, evidence)
        kept_und = lang == UNDETERMINED and UNDETERMINED in keep
        if prob < self.config.min_prob and not kept_und:
            return Drop(Reason.LANGUAGE, {**evidence, "min_prob": self.config.min_prob})
        return None


def build_language_stage(config: LangConfig) -> LanguageStage:
    """The language stage of a pipeline built from `config`."""
    identifier = build_identifier(config)
    if isinstance(identifier, FastLangId):
        _tables()  # load now, so worker processes forked later share the tables
    return LanguageStage(identifier, config)
