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
# A run of separator marks standing alone between spaces (or the line's ends).
_SEPARATOR = re.compile(r"(?<!\S)[|›•·>/»]+(?!\S)")
_URL = re.compile(r"https?://|www\.|\b[\w.-]+\.(?:com|fr|org|net|info|io|co\.uk|be|ch)\b|@\w{2,}|#\w{2,}")
_TERMINAL_MARKS = ".!?…:;"
_CLOSING = "\"'”»)]"
_SEPARATOR_HINT = re.compile(r"[|›•·>/»]")
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
def _stopword_sets() -> dict[str, frozenset[str]]:
    """Each language's stop words, lower-cased, split at apostrophes, with punctuation variants."""
    import stopwordsiso

    sets = {}
    for lang in STOPWORD_LANGUAGES:
        words: set[str] = set()
        for word in stopwordsiso.stopwords(lang):
            for part in re.split(r"['’]", word.lower()):
                if not part:
                    continue
                words.add(part)
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


def document_stopwords(words: Sequence[str], sample: int = 120) -> tuple[str, frozenset[str]]:
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
        for verdict in self.classify(text):
            if verdict.label != "bad":
                continue
            evidence = {
                "score": round(verdict.score, 2),
                "initial": verdict.initial,
                **verdict.features.as_evidence(),
            }
            seg = verdict.segment
            if verdict.score >= self.config.min_confidence:
                yield Span(seg.start, seg.end, Reason.BOILERPLATE, rule="classifier", evidence=evidence)
            else:
                value = {"start": seg.start, "end": seg.end, "score": round(verdict.score, 2)}
                yield Span(
                    seg.start, seg.end, Reason.BOILERPLATE, rule="classifier",
                    evidence=evidence, moves_to="uncertain_lines", value=value, remove=False,
                )  # fmt: skip

    def classify(self, text: SegmentedText) -> list[LineVerdict]:
        """Every line with its label and score, after context revision."""
        lines = text.lines
        if not lines:
            return []
        body = text.text
        folded = body.lower().replace("’", " ").replace("'", " ")
        _, stopwords = document_stopwords(folded[:800].split())
        if len(folded) == len(body):  # lower() kept every offset (it does but for rare letters like İ)
            features = [
                line_features(body[s.start : s.end], stopwords, folded[s.start : s.end].split())
                for s in lines
            ]
        else:
            features = [line_features(body[s.start : s.end], stopwords) for s in lines]
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
            verdicts.append(LineVerdict(segment, label, initial[i], score, features[i]))
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
