"""A line classifier for boilerplate in plain article text, in the spirit of jusText.

jusText (Pomikálek, 2011) separates content from navigation in HTML by the length and
stop-word density of each block, then lets short and uncertain blocks take the class of
their neighbours. Extracted text has no markup left, so this adaptation adds what plain
text still shows: terminal punctuation, title-case and digit shares, separators
(``|``, ``›``, ``•``), URLs and handles, a small lexicon of interface words, and the line's
position relative to the main body. Each removed line carries its features and score as
evidence, so `corpusclean explain` shows why it went.
"""

from __future__ import annotations

import itertools
import operator
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from . import _kernels
from .config import ClassifierConfig
from .document import Reason, Span
from .segment import Segment, SegmentedText

Label = Literal["good", "neargood", "short", "bad"]

# Languages whose stop-word lists (stopwords-iso) the classifier chooses from; the
# document's language is the one whose list covers most of its first words.
STOPWORD_LANGUAGES = (
    "fr", "en", "de", "es", "it", "pt", "nl", "ca", "ro", "pl", "sv", "da", "no", "fi", "cs", "hu", "tr", "ru",
)  # fmt: skip

_WORD = re.compile(r"[^\W\d_]+")
_CUE_MAX_CHARS = 250
_TITLE_MAX_CHARS = 120
_FOREIGN_CHECK_WORDS = 8
_HEAD_CHARS = 800  # the document's language is read from its start
_LANGUAGE_SAMPLE = 120
_SEPARATOR_MARKS = "|›•·>/»"
# A run of separator marks standing alone between spaces (or the line's ends).
_SEPARATOR = re.compile(rf"(?<!\S)[{_SEPARATOR_MARKS}]+(?!\S)")
_URL = re.compile(r"https?://|www\.|\b[\w.-]+\.(?:com|fr|org|net|info|io|co\.uk|be|ch)\b|@\w{2,}|#\w{2,}")
_TERMINAL_MARKS = ".!?…:;"
_CLOSING = "\"'”»)]"
_SEPARATOR_HINT = re.compile(f"[{_SEPARATOR_MARKS}]")
_LINK_HINTS = (
    "@",
    "#",
    "http",
    "www.",
    ".com",
    ".fr",
    ".org",
    ".net",
    ".io",
    ".info",
    ".co.uk",
    ".be",
    ".ch",
)
_LINK_HINT = re.compile("|".join(map(re.escape, _LINK_HINTS)))
_FIRST_CHAR = operator.itemgetter(slice(0, 1))
_START = operator.attrgetter("start")
_END = operator.attrgetter("end")
# Interface words of news sites: share, subscription, cookie and comment prompts, tag
# lists. A cue alone does not remove a line; it shifts the verdict on short and
# isolated lines, where navigation lives.
_CUE_WORDS = frozenset(
    word + mark
    for word in [
        "cookie",
        "cookies",
        "newsletter",
        "newsletters",
        "abonnez",
        "abonner",
        "abonnement",
        "abonnés",
        "subscribe",
        "subscription",
        "inscrivez",
        "partager",
        "partagez",
        "share",
        "tweet",
        "tweeter",
        "commentaire",
        "commentaires",
        "comments",
        "réagir",
        "tags",
        "mots-clés",
        "publicité",
        "advertisement",
        "sponsored",
        "connexion",
        "menu",
        "accueil",
        "home",
        "copyright",
        "updated",
        "published",
        "imprimer",
        "print",
        "suivez-nous",
    ]
    for mark in ("", ":", ".", ",", "!")
)
_CUE_PAIRS = frozenset(
    tuple(pair.split()) for pair in (
        "lire aussi", "à lire", "read more", "sign up", "sign in", "log in", "copier le", "copy link",
        "droits réservés", "rights reserved", "follow us", "se connecter",
        "mis à", "publié le", "voir aussi", "see also", "join the",
    )
)  # fmt: skip


# Punctuation that sticks to a word in running text ("qui," "(AFP" "mardi."). Rather than
# strip every token in Python, each stop word is stored with these attached as well, so
# counting stays one C-level `map` over `str.split()`: the classifier reads every line.
_LEADING = ("(", "«", '"', "“", "[", "¿", "¡")
_TRAILING = (",", ".", ";", ":", "!", "?", ")", "»", '"', "”", "]", "…", ".»", ",»", '."', '",', ").", "),")
PUNCTUATION_TOKENS = frozenset(
    [
        "–",
        "—",
        "-",
        "«",
        "»",
        ":",
        ";",
        "!",
        "?",
        ",",
        ".",
        "…",
        "/",
        "|",
        "›",
        "•",
        "·",
        ">",
        "*",
        "=",
        "+",
        "&",
        "%",
        "(",
        ")",
        "[",
        "]",
        "'",
        '"',
        "“",
        "”",
    ]
)


@lru_cache(maxsize=1)
def _stopword_parts() -> dict[str, frozenset[str]]:
    """Each language's stop words, lower-cased and split at apostrophes."""
    import stopwordsiso

    return {
        lang: frozenset(
            part for word in stopwordsiso.stopwords(lang) for part in re.split(r"['’]", word.lower()) if part
        )
        for lang in STOPWORD_LANGUAGES
    }


@lru_cache(maxsize=1)
def _stopword_sets() -> dict[str, frozenset[str]]:
    """Each language's stop words (`_stopword_parts`) with their punctuation variants."""
    sets = {}
    for lang, parts in _stopword_parts().items():
        words = set(parts)
        for part in parts:
            words.update(part + mark for mark in _TRAILING)
            words.update(mark + part for mark in _LEADING)
        sets[lang] = frozenset(words)
    return sets


def _words(line: str) -> list[str]:
    """Lower-cased whitespace tokens, split at apostrophes too (l’IA → l, ia)."""
    return line.lower().replace("’", " ").replace("'", " ").split()


@lru_cache(maxsize=1)
def _stopword_masks() -> dict[str, int]:
    """Word → bit mask of the languages whose stop-word list holds it (one look-up per word)."""
    masks: dict[str, int] = {}
    for bit, lang in enumerate(STOPWORD_LANGUAGES):
        for word in _stopword_sets()[lang]:
            masks[word] = masks.get(word, 0) | (1 << bit)
    return masks


# The languages (bit numbers) of each stop-word mask met so far: a few hundred masks in all.
_BITS: dict[int, tuple[int, ...]] = {}


def document_stopwords(words: Sequence[str], sample: int = _LANGUAGE_SAMPLE) -> tuple[str, frozenset[str]]:
    """The language whose stop words cover most of the first `sample` words, and that list."""
    masks = _stopword_masks()
    per_mask = Counter(map(masks.get, words[:sample], itertools.repeat(0)))
    hits = [0] * len(STOPWORD_LANGUAGES)
    for mask, count in per_mask.items():
        bits = _BITS.get(mask)
        if bits is None:
            bits = _BITS[mask] = tuple(bit for bit in range(len(STOPWORD_LANGUAGES)) if mask >> bit & 1)
        for bit in bits:
            hits[bit] += count
    best = max(range(len(hits)), key=lambda bit: (hits[bit], -bit))
    lang = STOPWORD_LANGUAGES[best]
    return lang, _stopword_sets()[lang]


@dataclass(slots=True)
class LineFeatures:
    """What the classifier measures on one line."""

    chars: int
    words: int
    stop_density: float
    terminal: bool
    title_share: float
    digit_share: float
    separators: int
    links: int
    cue: bool
    copyright: bool

    def as_evidence(self) -> dict[str, float | int | bool]:
        """Rounded, JSON-friendly form for the removal record."""
        return {
            "chars": self.chars,
            "words": self.words,
            "stop_density": round(self.stop_density, 2),
            "terminal": self.terminal,
            "title_share": round(self.title_share, 2),
            "separators": self.separators,
            "links": self.links,
            "cue": self.cue,
        }


def line_features(line: str, stopwords: frozenset[str], tokens: list[str] | None = None) -> LineFeatures:
    """Measure one line (its text without the line break); `tokens` are its `_words` if known."""
    if tokens is None:
        tokens = _words(line)
    stops = sum(map(stopwords.__contains__, tokens))
    words = len(tokens) - sum(map(PUNCTUATION_TOKENS.__contains__, tokens))
    if words >= _FOREIGN_CHECK_WORDS and stops < 0.3 * words:
        # Prose in another language than the document (an English quote in a French
        # article) is still prose: judge the line by its own best stop-word list too.
        _, own = document_stopwords(tokens)
        if own is not stopwords:
            stops = max(stops, sum(map(own.__contains__, tokens)))
    separators = links = titled = digits = 0
    cue = False
    # Interface prompts, menus and titles are short: the finer features only matter there.
    if len(line) < _CUE_MAX_CHARS:
        cue = not _CUE_WORDS.isdisjoint(tokens) or not _CUE_PAIRS.isdisjoint(itertools.pairwise(tokens))
    if len(line) < _TITLE_MAX_CHARS:
        # Words starting with a capital that are not stop words, with C-level iterators only.
        spaced = line.split()
        capitalized = list(itertools.compress(spaced, map(str.isupper, map(_FIRST_CHAR, spaced))))
        titled = len(capitalized) - sum(map(stopwords.__contains__, map(str.lower, capitalized)))
        digits = sum(map(line.count, "0123456789"))
    if _SEPARATOR_HINT.search(line):
        separators = len(_SEPARATOR.findall(line))
        if "«" in line:
            separators = max(separators - line.count("»"), 0)  # French quotes, not a breadcrumb
    if _LINK_HINT.search(line):
        links = len(_URL.findall(line))
    content_words = words - stops
    return LineFeatures(
        chars=len(line),
        words=words,
        stop_density=min(stops / words, 1.0) if words > 0 else 0.0,
        terminal=line.rstrip(_CLOSING + " ")[-1:] in _TERMINAL_MARKS if line else False,
        title_share=titled / content_words if content_words > 0 else 0.0,
        digit_share=digits / len(line) if line else 0.0,
        separators=separators,
        links=links,
        cue=cue,
        copyright="©" in line or "(c)" in line or "(C)" in line,
    )


@dataclass(frozen=True, slots=True)
class _Tables:
    """What `_kernels.line_counts` reads besides the text (see the `# Line classifier` kernels)."""

    chars: NDArray[np.uint32]
    words: NDArray[np.int32]
    pairs: NDArray[np.uint8]
    strings: NDArray[np.uint32]
    string_starts: NDArray[np.int64]
    limits: NDArray[np.int64]


def _code_points(text: str) -> NDArray[np.uint32]:
    """`text` as an array of code points (lone surrogates included)."""
    try:
        data = text.encode("utf-32-le")
    except UnicodeEncodeError:
        data = text.encode("utf-32-le", "surrogatepass")
    return np.frombuffer(data, np.uint32)


def _joined(strings: Sequence[str]) -> tuple[NDArray[np.uint32], NDArray[np.int64]]:
    """The strings' code points end to end, and where each starts (plus the total)."""
    starts = np.zeros(len(strings) + 1, np.int64)
    np.cumsum([len(string) for string in strings], out=starts[1:])
    return _code_points("".join(strings)), starts


def _char_table() -> NDArray[np.uint32]:
    """Each code point lower-cased, shifted left by `CHAR_BITS`, with its `CHAR_*` classes."""
    every = "".join(map(chr, range(0x110000)))
    lowered = {ord(char): char.lower() for char in every if char.lower() != char}
    # Σ lower-cases by its neighbours (final sigma), İ into two code points.
    inexact = [chr(code) for code, lower in lowered.items() if len(lower) != 1] + ["Σ"]
    lower = np.arange(0x110000, dtype=np.uint32)
    single = [code for code, low in lowered.items() if len(low) == 1]
    lower[single] = [ord(lowered[code]) for code in single]
    spaces = "".join(filter(str.isspace, every))
    classes = np.zeros(0x110000, np.uint32)
    for chars, bit in [
        (spaces, _kernels.CHAR_SPACE),
        (filter(str.isupper, every), _kernels.CHAR_UPPER),
        (_SEPARATOR_MARKS, _kernels.CHAR_MARK),
        (_CLOSING + " ", _kernels.CHAR_CLOSING),
        (_TERMINAL_MARKS, _kernels.CHAR_TERMINAL),
        ([hint[0] for hint in _LINK_HINTS], _kernels.CHAR_HINT),
        ("0123456789«»©(", _kernels.CHAR_NOTED),
        (inexact, _kernels.CHAR_INEXACT),
    ]:
        classes[[ord(char) for char in chars]] |= bit
    # Words split and carry punctuation after lower-casing.
    for marks, bit in [
        (spaces + "’'", _kernels.CHAR_WORD_BREAK),
        ({mark[-1] for mark in _TRAILING}, _kernels.CHAR_TRAILING),
        ({mark[0] for mark in _LEADING}, _kernels.CHAR_LEADING),
    ]:
        classes[np.isin(lower, [ord(char) for char in marks])] |= bit
    return (lower << _kernels.CHAR_BITS | classes).astype(np.uint32)


def _word_values() -> dict[str, int]:
    """The word table: stop words (language bits) without their punctuation variants, punctuation
    tokens, cue words and the words of cue pairs, each with its `_kernels.WORD_*` bits."""
    values: dict[str, int] = {}
    for bit, lang in enumerate(STOPWORD_LANGUAGES):
        for part in _stopword_parts()[lang]:
            values[part] = values.get(part, 0) | 1 << bit
    for token in PUNCTUATION_TOKENS:
        values[token] = values.get(token, 0) | _kernels.WORD_PUNCTUATION
    for word in _CUE_WORDS:
        values[word] = values.get(word, 0) | _kernels.WORD_CUE
    for number, word in enumerate(_pair_words(), 1):
        values[word] = values.get(word, 0) | number << _kernels.WORD_PAIR_SHIFT
    return values


def _pair_words() -> list[str]:
    """The words of the cue pairs, numbered from 1 in this order."""
    words = sorted({word for pair in _CUE_PAIRS for word in pair})
    assert len(words) <= _kernels.WORD_PAIRS, "cue-pair numbers must fit `_kernels.WORD_PAIRS`"
    return words


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    """The compiled path's tables, built on first use (about a second, most of it loading stop words)."""
    values = _word_values()
    assert len(values) <= 1 << 16, "`_kernels.build_word_table` numbers words in 16 bits"
    code_points, starts = _joined(list(values))
    pair_words = _pair_words()
    pairs = np.zeros((len(pair_words) + 1, len(pair_words) + 1), np.uint8)
    for first, second in _CUE_PAIRS:
        pairs[pair_words.index(first) + 1, pair_words.index(second) + 1] = 1
    strings, string_starts = _joined([*_LINK_HINTS, *_TRAILING, *_LEADING])
    limits = {
        _kernels.LIMIT_LANGUAGES: len(STOPWORD_LANGUAGES),
        _kernels.LIMIT_HEAD: _HEAD_CHARS,
        _kernels.LIMIT_SAMPLE: _LANGUAGE_SAMPLE,
        _kernels.LIMIT_FOREIGN_WORDS: _FOREIGN_CHECK_WORDS,
        _kernels.LIMIT_CUE_CHARS: _CUE_MAX_CHARS,
        _kernels.LIMIT_TITLE_CHARS: _TITLE_MAX_CHARS,
        _kernels.LIMIT_HINTS: len(_LINK_HINTS),
        _kernels.LIMIT_TRAILING: len(_TRAILING),
        _kernels.LIMIT_LEADING: len(_LEADING),
    }
    return _Tables(
        chars=_char_table(),
        words=_kernels.build_word_table(
            code_points,
            starts,
            np.array(list(values.values()), np.int64),
            1 << len(values).bit_length(),
        ),
        pairs=pairs,
        strings=strings,
        string_starts=string_starts,
        limits=np.array([limits[key] for key in sorted(limits)], np.int64),
    )


def _compiled_features(body: str, lines: Sequence[Segment]) -> list[LineFeatures] | None:
    """`line_features` of every line at once, from one compiled pass; None when only Python can tell.

    Equal to measuring each line with the document's stop words, as `classify` does;
    None for the rare texts holding a character that lower-cases by context (Σ) or into
    several (İ).
    """
    tables = _tables()
    line_starts = np.fromiter(map(_START, lines), np.int64, len(lines))
    line_ends = np.fromiter(map(_END, lines), np.int64, len(lines))
    counts, exact = _kernels.line_counts(
        _code_points(body), line_starts, line_ends, tables.chars, tables.words,
        tables.pairs, tables.strings, tables.string_starts, tables.limits,
    )  # fmt: skip
    if not exact:
        return None
    features = []
    # Columns in `_kernels.COUNT_*` order.
    for segment, (words, stops, cue, titled, digits, separators, hint, terminal, copyright) in zip(
        lines, counts.tolist(), strict=True
    ):
        chars = segment.end - segment.start
        content_words = words - stops
        links = len(_URL.findall(body[segment.start : segment.end])) if hint else 0
        features.append(
            LineFeatures(  # positional, in field order: twice as fast as keywords
                chars,
                words,
                min(stops / words, 1.0) if words > 0 else 0.0,
                terminal == 1,
                titled / content_words if content_words > 0 else 0.0,
                digits / chars,
                separators,
                links,
                cue == 1,
                copyright == 1,
            )
        )
    return features


def _python_features(body: str, lines: Sequence[Segment]) -> list[LineFeatures]:
    """`line_features` of each line with the stop words of the document's language: the definition."""
    folded = body.lower().replace("’", " ").replace("'", " ")
    _, stopwords = document_stopwords(folded[:_HEAD_CHARS].split())
    if len(folded) == len(body):  # lower() kept every offset (it does but for rare letters like İ)
        return [
            line_features(body[s.start : s.end], stopwords, folded[s.start : s.end].split()) for s in lines
        ]
    return [line_features(body[s.start : s.end], stopwords) for s in lines]


@dataclass(frozen=True, slots=True)
class LineVerdict:
    """The classifier's decision on one line: final label, initial label and score."""

    segment: Segment
    label: Label
    initial: Label
    score: float  # confidence that the line is boilerplate, 0..1
    features: LineFeatures


@dataclass
class LineClassifier:
    """Mark boilerplate lines from the text alone; short lines inside the body stay."""

    config: ClassifierConfig = field(default_factory=ClassifierConfig)
    name: str = "classifier"

    def detect(self, text: SegmentedText) -> Iterator[Span]:
        """Remove lines judged boilerplate with enough confidence; flag the uncertain ones."""
        for seg, label, initial, score, features in self._judge(text):
            if label != "bad":
                continue
            evidence = {"score": round(score, 2), "initial": initial, **features.as_evidence()}
            if score >= self.config.min_confidence:
                yield Span(seg.start, seg.end, Reason.BOILERPLATE, rule="classifier", evidence=evidence)
            else:
                value = {"start": seg.start, "end": seg.end, "score": round(score, 2)}
                yield Span(
                    seg.start, seg.end, Reason.BOILERPLATE, rule="classifier",
                    evidence=evidence, moves_to="uncertain_lines", value=value, remove=False,
                )  # fmt: skip

    def classify(self, text: SegmentedText) -> list[LineVerdict]:
        """Every line with its label and score, after context revision."""
        return [LineVerdict(*judged) for judged in self._judge(text)]

    def _judge(self, text: SegmentedText) -> list[tuple[Segment, Label, Label, float, LineFeatures]]:
        """`classify`'s verdicts as tuples: `detect` builds no object for the lines that stay."""
        lines = text.lines
        if not lines:
            return []
        body = text.text
        features = _compiled_features(body, lines)
        if features is None:
            features = _python_features(body, lines)
        initial = [self._initial_label(f) for f in features]
        clean = [not (f.cue or f.separators or f.links or f.copyright) for f in features]
        punctuated = [c and f.terminal and f.words >= 2 for c, f in zip(clean, features, strict=True)]
        headings = [
            c and not f.terminal and f.words >= self.config.heading_words and f.digit_share < 0.15
            for c, f in zip(clean, features, strict=True)
        ]
        labels = _revise(list(initial), punctuated, headings)
        body_start, body_end = _main_body(labels, features)
        has_body = body_start <= body_end
        if not has_body:
            # No line reads as prose (a one-line dispatch, a list): context has nothing to
            # go on, so only lines showing chrome (separators, links, cues, ©) go.
            labels = [
                "bad" if label == "bad" and not c else "good" for label, c in zip(initial, clean, strict=True)
            ]
        verdicts = []
        for i, segment in enumerate(lines):
            label = labels[i]
            inside = body_start <= i <= body_end
            if label == "good" and has_body and not inside and self._island_is_chrome(features[i]):
                label = "bad"
            score = self._score(initial[i], label, features[i], inside)
            verdicts.append((segment, label, initial[i], score, features[i]))
        return verdicts

    def _initial_label(self, f: LineFeatures) -> Label:
        """jusText's context-free classes, with plain-text cues for the bad ones."""
        cfg = self.config
        if f.copyright or f.separators >= 2 or (f.links and f.words <= 2 * f.links + 2):
            return "bad"
        if f.cue and f.chars < cfg.length_high and not (f.terminal and f.stop_density >= cfg.stop_high):
            return "bad"
        if f.chars < cfg.length_low:
            sentence_like = f.terminal and f.words >= 5 and f.stop_density >= cfg.stop_low
            return "neargood" if sentence_like else "short"
        prose = f.terminal and f.words >= cfg.sentence_words
        if f.stop_density >= cfg.stop_high and (f.chars >= cfg.length_high or prose):
            return "good"
        if f.stop_density >= cfg.stop_low:
            return "neargood"
        return "bad"

    def _island_is_chrome(self, f: LineFeatures) -> bool:
        """A good-looking line cut off from the main body: a cookie or newsletter blurb?"""
        return f.cue or f.chars < self.config.length_high

    def _score(self, initial: Label, label: Label, f: LineFeatures, inside: bool) -> float:
        """Confidence that a line labelled bad really is boilerplate."""
        if label != "bad":
            return 0.0
        score = {"bad": 0.8, "short": 0.65, "neargood": 0.45, "good": 0.5}[initial]
        if f.separators >= 2 or f.links or f.copyright:
            score += 0.15
        if f.cue:
            score += 0.15
        if not f.terminal:
            score += 0.1
        if f.title_share >= 0.5 and f.words >= 2:
            score += 0.05
        if f.digit_share >= 0.15:
            score += 0.05  # counters, dates and times: "176 comments", "14h32"
        if f.terminal and f.stop_density >= self.config.stop_low and f.words >= 5:
            score -= 0.2
        if inside:
            score -= 0.2
        return min(max(score, 0.0), 1.0)


def _neighbour(labels: list[Label], index: int, step: int, ignore_neargood: bool) -> Label:
    """The nearest non-short label in one direction; the document's edge counts as bad."""
    index += step
    while 0 <= index < len(labels):
        label = labels[index]
        if label in ("good", "bad") or (label == "neargood" and not ignore_neargood):
            return label
        index += step
    return "bad"


def _revise(labels: list[Label], punctuated: list[bool], headings: list[bool]) -> list[Label]:
    """jusText's context revision: short lines, then near-good ones, take their neighbours' class.

    Two plain-text additions: a short line that ends like a sentence and shows no chrome
    cue (a list item, a one-line quote) sides with good text when one neighbour is good;
    and a title-like line right before good text is a heading (jusText's heading rule,
    without the markup that tells headings apart in HTML).
    """
    revised = list(labels)
    for i, label in enumerate(labels):
        if label != "short":
            continue
        before = _neighbour(labels, i, -1, ignore_neargood=True)
        after = _neighbour(labels, i, 1, ignore_neargood=True)
        if before == after:
            revised[i] = before
        elif punctuated[i] or (headings[i] and _next_is_text(labels, i)):
            revised[i] = "good"
        else:
            before = _neighbour(labels, i, -1, ignore_neargood=False)
            after = _neighbour(labels, i, 1, ignore_neargood=False)
            revised[i] = "good" if "neargood" in (before, after) else "bad"
    final = list(revised)
    for i, label in enumerate(revised):
        if label != "neargood":
            continue
        before = _neighbour(revised, i, -1, ignore_neargood=True)
        after = _neighbour(revised, i, 1, ignore_neargood=True)
        final[i] = "bad" if before == after == "bad" else "good"
    return final


def _next_is_text(labels: list[Label], index: int) -> bool:
    return index + 1 < len(labels) and labels[index + 1] in ("good", "neargood")


def _main_body(labels: list[Label], features: list[LineFeatures]) -> tuple[int, int]:
    """The run of lines holding the most good characters, bad lines inside it costing theirs.

    A maximum-sum subarray (Kadane) over +chars for good lines and -chars for bad ones:
    the article body is where content outweighs chrome.
    """
    best_sum, best = 0, (0, -1)
    running, start = 0, 0
    for i, (label, f) in enumerate(zip(labels, features, strict=True)):
        weight = f.chars if label == "good" else -f.chars
        if running <= 0:
            running, start = weight, i
        else:
            running += weight
        if running > best_sum:
            best_sum, best = running, (start, i)
    return best
