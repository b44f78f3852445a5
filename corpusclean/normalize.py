"""Two normalizations: *display* (what people and models read) and *fingerprint* (matching only).

Display normalization repairs encoding damage with ftfy and tidies invisible
characters and whitespace, keeping legitimate typography (« », ’, dashes, emoji,
the narrow no-break spaces French puts before ; : ! ?). Its result is exactly
`ftfy.fix_text(text, config)` followed by `tidy`, but only the lines that can hold
encoding damage are handed to ftfy: a few C-speed scans over the whole document
prove the other lines are fixed points of ftfy (see `_ftfy_segments`).

Fingerprint normalization folds text aggressively for hashing and is never
written to output.
"""

from __future__ import annotations

import hashlib
import re
import sys
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING

import ftfy
from ftfy.badness import BADNESS_RE, MOJIBAKE_CATEGORIES
from ftfy.chardata import HTML_ENTITY_RE

from .config import NormalizeConfig

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

# --------------------------------------------------------------------------- display


# Curly quotes, ligatures and full-width forms are legitimate text: datatrove and NeMo
# Curator turn the same three ftfy fixers off for that reason. They are options here.
@lru_cache(maxsize=8)
def _ftfy_config(config: NormalizeConfig, unescape_html: str | bool = "auto") -> ftfy.TextFixerConfig:
    return ftfy.TextFixerConfig(
        unescape_html=unescape_html,
        uncurl_quotes=config.uncurl_quotes,
        fix_latin_ligatures=config.fix_ligatures,
        fix_character_width=config.fold_width,
        explain=False,
    )


def _expand(chars: str) -> set[str]:
    """The characters of a regex class body written as in ftfy.badness (`a-z` ranges, no escapes)."""
    out: set[str] = set()
    index = 0
    while index < len(chars):
        if index + 2 < len(chars) and chars[index + 1] == "-":
            out.update(chr(c) for c in range(ord(chars[index]), ord(chars[index + 2]) + 1))
            index += 3
        else:
            out.add(chars[index])
            index += 1
    return out


def _class(chars: set[str]) -> str:
    return "[" + "".join(re.escape(c) for c in sorted(chars)) + "]"


def _badness_prefilter() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """A regex that matches wherever ftfy's `BADNESS_RE` matches (a superset), at C speed.

    Every alternative of ftfy 6's `BADNESS_RE` contains a C1 control, an `Ã`/`Â`, an
    `Œ`/`œ` before a non-letter, or two *adjacent* characters from two of its
    categories. This keeps exactly those adjacent pairs (dropping the ASCII context
    around them, which only narrows a match), so a line without a hit cannot look
    like mojibake to ftfy. Grouped by first character and anchored on one character
    class, `re` skips ASCII at full speed; `BADNESS_RE` itself runs at ~5 MB/s.
    """
    cat = {name: _expand(chars) for name, chars in MOJIBAKE_CATEGORIES.items()}
    L, U, X = cat["lower_accented"], cat["upper_accented"], cat["box"]
    S, E, C, N, W = (cat[k] for k in ("start_punctuation", "end_punctuation", "currency", "numeric", "law"))
    B, LC, UC, K = (cat[k] for k in ("bad", "lower_common", "upper_common", "kaomoji"))
    CO, C1 = cat["common"], cat["c1"]
    # One (first, second) pair per alternative of BADNESS_RE, in its order.
    pairs: list[tuple[set[str], set[str]]] = [
        (B | L | U | X | S | E | C | N | W, B),
        (LC | UC, B),
        (B, L | U | X | S | E | C | N | W),
        (L | LC | X | E | C | N, U),
        (X | E | C | N, L),
        (L | X | E, C),
        (U, C),
        (U | X, N | W),
        (L | U | X | C | E, S),
        (L | U | C | N | X | W, E),
        (C | N | X, S),
        (U, S | C),
        (X, K),
        (L | U | C | N | S | E | W, X),
        (X, E),
        (L | U, S | E),
        (U, {"°"}),
        (set("ÎÐ"), set("€œŠš¢£Ÿž\xa0\xad®©°·»–—´") | S | E),
        ({"×"}, set("²³")),
        (set("ØÙ"), CO | C | B | N | S | set("ŸŠ®°µ»")),
        ({"à"}, set("²µ¹¼½¾")),
        ({"√"}, set("±∂†≠®™´≤≥¥µø")),
        ({"≈"}, set("°¢")),
        ({"‚"}, set("Äâó")),
        ({"в"}, {"Ђ"}),
        (set("ВГРС"), C1 | B | S | E | C | set("°µ")),
        ({"Г"}, {"ў"}),
        ({"β"}, {"€"}),
        (set("ΒΓΞΟ"), C1 | B | S | E | C | {"°"}),
        ({"ā"}, {"€"}),
    ]
    singles = C1 | set("ÃÂ")  # BADNESS_RE: [c1] | Ã[\xa0¡] | [a-z]\s?[ÃÂ][ ] | ^[ÃÂ][ ] | ... Â ...
    follows: dict[str, set[str]] = {}
    for firsts, seconds in pairs:
        for char in firsts - singles - set("Œœ"):
            follows.setdefault(char, set()).update(seconds)
    groups: dict[frozenset[str], set[str]] = {}
    for char, seconds in follows.items():
        groups.setdefault(frozenset(seconds), set()).add(char)
    branches = [f"(?<={_class(singles)})", "(?<=[Œœ])[^A-Za-z]"]
    branches += [f"(?<={_class(firsts)}){_class(set(seconds))}" for seconds, firsts in groups.items()]
    first = _class(singles | set("Œœ") | set(follows))
    second = _class(set().union(*follows.values()))
    exact = re.compile(first + "(?:" + "|".join(branches) + ")")
    # The coarse pass tests one class for the next character instead of every branch:
    # in French text most accented letters are followed by ASCII and stop there.
    coarse = re.compile(first + f"(?:(?<={_class(singles | set('Œœ'))})|{second})")
    return coarse, exact


# The pairs above mirror ftfy 6.3's heuristic; another version of it gets the safe (slow)
# prefilter, "any non-ASCII character", until the pairs are checked against it.
_BADNESS_SHA256 = "9dcc0f2ac90d9ae3"
if hashlib.sha256(BADNESS_RE.pattern.encode()).hexdigest()[:16] == _BADNESS_SHA256:
    _BADNESS_COARSE, _BADNESS_PREFILTER = _badness_prefilter()
else:  # pragma: no cover - depends on the installed ftfy
    _BADNESS_COARSE = _BADNESS_PREFILTER = re.compile("[^\x00-\x7f]")
# Characters some ftfy fixer (other than fix_encoding, unescape_html and the optional
# ones) changes: C1 controls, surrogates, the controls remove_control_chars and
# remove_terminal_escapes delete. Line breaks are absent on purpose (see `_ftfy_segments`).
_FTFY_CHARS = "\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ud800-\udfff\u206a-\u206f\ufeff\ufff9-\ufffc"
_MAX_DECODE_LENGTH = ftfy.TextFixerConfig().max_decode_length  # ftfy's default segment cap
_FTFY_LINE_BREAK = re.compile("[\r\u2028\u2029]")
# Sources of the optional fixers whose output may look different to ftfy's heuristics
# (non-ASCII results, `&`, composing marks): such lines go to ftfy when the option is on.
_LIGATURE_CHARS = "".join(chr(c) for c, v in ftfy.chardata.LIGATURES.items())
_WIDTH_CHARS = "\u3000\uff01-\uffef"
_UNCURL = str.maketrans(
    dict.fromkeys("\u02bc\u2018\u2019\u201a\u201b", "'") | dict.fromkeys("\u201c\u201d\u201e\u201f", '"')
)


@lru_cache(maxsize=8)
def _suspect_chars(config: NormalizeConfig) -> re.Pattern[str]:
    chars = _FTFY_CHARS
    if config.fix_ligatures:
        chars += re.escape(_LIGATURE_CHARS)
    if config.fold_width:
        chars += _WIDTH_CHARS
    return re.compile(f"[{chars}]")


def fix_encoding_damage(text: str, config: NormalizeConfig | None = None) -> str:
    """Exactly `ftfy.fix_text(text, config)`, handing ftfy only the lines that need it.

    ftfy fixes text line by line (cutting lines longer than `max_decode_length`
    into pieces) and is slow (~2-4 MB/s); most lines of real text are clean. A line
    is left out only when it has no HTML entity, no character a fixer would change,
    no pair of characters that ftfy's mojibake heuristic reacts to, and is already
    NFC: then every ftfy step is the identity on it, except line-break unification
    (and uncurling, when on), applied here to the whole text alike.
    """
    return _fix_encoding_damage(text, config or NormalizeConfig(), None)


def _fix_encoding_damage(
    text: str, config: NormalizeConfig, rare: str | None, nfc: bool | None = None
) -> str:
    """`fix_encoding_damage`; `rare`, when given, is `_rare_chars(text, config)`: the scans for
    characters it lacks are skipped; `nfc`, when given, is `_whole_nfc(text)`."""
    out: list[str] = []
    cursor = 0
    for start, end, html in _ftfy_segments(text, config, rare, nfc):
        out.append(text[cursor:start])
        out.append(ftfy.fix_text_segment(text[start:end], _ftfy_config(config, "auto" if html else False)))
        cursor = end
    out.append(text[cursor:])
    result = "".join(out) if len(out) > 1 else text
    if _FTFY_LINE_BREAK.search(result if rare is None or result is not text else rare):
        # ftfy unifies line breaks in every segment; the lines it did not see get the same.
        result = ftfy.fixes.fix_line_breaks(result)
    if config.uncurl_quotes:
        # Lines kept from ftfy have no mojibake: uncurling only replaces quotes with
        # ASCII, which can neither create a mojibake pair nor change NFC.
        result = result.translate(_UNCURL)
    return result


def _ftfy_segments(
    text: str, config: NormalizeConfig, rare: str | None = None, nfc: bool | None = None
) -> list[tuple[int, int, bool]]:
    """The (start, end, html) ranges of ftfy's own segments that may change under ftfy.

    Segments are ftfy's: lines with their `\\n`, cut every `max_decode_length`
    characters when longer (such giant lines always go to ftfy). `html` mirrors
    ftfy's `unescape_html="auto"`: from the first segment holding a `<` on, ftfy
    leaves entities alone.
    """
    limit = _MAX_DECODE_LENGTH
    flagged: dict[int, int] = {}  # start -> end of every segment ftfy must see

    def flag_line(position: int) -> int:
        start = text.rfind("\n", 0, position) + 1
        end = text.find("\n", position) + 1 or len(text)
        if end - start <= limit:
            flagged[start] = end
        else:
            for chunk in range(start, end, limit):
                flagged[chunk] = chunk + limit if end - chunk > limit else end
        return end

    suspect = _suspect_chars(config)
    for pattern in (suspect, HTML_ENTITY_RE):
        if pattern is suspect and rare is not None and not suspect.search(rare):
            continue
        position = 0
        while (match := pattern.search(text, position)) is not None:
            position = flag_line(match.start())
    position = 0
    while (match := _BADNESS_COARSE.search(text, position)) is not None:
        position = match.start()
        position = flag_line(position) if _BADNESS_PREFILTER.match(text, position) else position + 1
    if not (_whole_nfc(text) if nfc is None else nfc):
        position = 0
        while position < len(text):
            end = text.find("\n", position) + 1 or len(text)
            if end - position > limit or not unicodedata.is_normalized("NFC", text[position:end]):
                flag_line(position)
            position = end
    less_than = text.find("<")
    return [(start, end, less_than == -1 or end <= less_than) for start, end in sorted(flagged.items())]


# Invisible format characters that carry nothing in running text: soft hyphen, Mongolian
# vowel separator, zero-width space, LRM/RLM, word joiner and invisible operators, BOM,
# bidi embeddings and isolates. ZWNJ/ZWJ (U+200C/U+200D) are removed only next to Latin
# text: Persian and Indic scripts need them, and so do emoji sequences such as 👩‍💻.
_INVISIBLE = re.compile("[\u00ad\u180e\u200b\u200e\u200f\u2060-\u2064\ufeff\u202a-\u202e\u2066-\u2069]")
# Applied after _INVISIBLE, so a joiner's neighbours are final (idempotence).
_LATIN_JOINER = re.compile("(?<=[\x00-\u024f])[\u200c\u200d]+|[\u200c\u200d]+(?=[\x00-\u024f])")
_LINE_BREAKS = re.compile("\r\n|[\r\u2028\u2029\u0085\u000b\u000c]")
_LINE_BREAK_CHAR = re.compile("[\r\u2028\u2029\u0085\u000b\u000c]")
_INVISIBLE_CHAR = re.compile("[\u00ad\u180e\u200b-\u200f\u2060-\u2064\ufeff\u202a-\u202e\u2066-\u2069]")
# Typographic spaces that break like a space become one; FIGURE SPACE does not break,
# so it becomes the usual no-break space.
_SPACES = str.maketrans(
    dict.fromkeys("\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2008\u2009\u200a\u205f", " ")
    | {"\u2007": "\u00a0"}
)
_ODD_SPACE = re.compile("[\u1680\u2000-\u200a\u205f]")
# A run of horizontal space becomes one character: a no-break space if the run held one
# (it was there on purpose: `12 %`, `Macron :`), else a plain space.
_SPACE_RUN = re.compile("[ \t\u00a0\u202f]{2,}|\t")
_HORIZONTAL_SPACE = frozenset(" \t\u00a0\u202f")
_NO_BREAK_RUN = re.compile("[\u00a0\u202f](?:(?<=[ \t\u00a0\u202f].)|(?=[ \t\u00a0\u202f]))")
_TRAILING_SPACE = re.compile("[ \t\u00a0\u202f]+(?=\n|\\Z)")
_TRAILING_SPACE_HINT = re.compile("\n(?<=[ \t\u00a0\u202f]\n)")
_BLANK_RUN = re.compile("\n{3,}")
_TIDY_CHAR = re.compile(
    "[\r\u2028\u2029\u0085\u000b\u000c\u00ad\u180e\u200b-\u200f\u2060-\u2064\ufeff\u202a-\u202e"
    "\u2066-\u2069\u1680\u2000-\u200a\u205f]"
)
_FRENCH_SPACE = re.compile("[\u00a0\u202f](?:(?=[;:!?»])|(?<=«.))")


def _collapse(match: re.Match[str]) -> str:
    run = match.group()
    for char in run:
        if char in "\u00a0\u202f":
            return char
    return " "


def normalize_display(text: str, config: NormalizeConfig | None = None) -> str:
    """Repair and tidy text for output, keeping legitimate typography.

    Equal to `tidy(ftfy.fix_text(text, ftfy_config), config)`, at a multiple of its speed.

    >>> normalize_display("L\u00e2\u20ac\u2122\u00c3\u00a9t\u00c3\u00a9  arrive\\r\\n")
    'L’été arrive'
    """
    config = config or NormalizeConfig()
    # One scan for the rare characters most steps look for, instead of one scan per step.
    rare = _rare_chars(text, config)
    nfc = _whole_nfc(text)  # asked once, for ftfy's segments and for tidy's last step
    fixed = _fix_encoding_damage(text, config, rare, nfc)
    unchanged = fixed == text
    return _tidy(fixed, config, rare if unchanged else None, nfc and unchanged)


def _whole_nfc(text: str) -> bool:
    """True when `text` is NFC and short enough that ftfy sees each of its lines whole."""
    return len(text) <= _MAX_DECODE_LENGTH and unicodedata.is_normalized("NFC", text)


@lru_cache(maxsize=8)
def _rare_class(config: NormalizeConfig) -> re.Pattern[str]:
    """Every character a display step searches for before acting (not ftfy's mojibake pairs)."""
    return re.compile(
        f"[{_suspect_chars(config).pattern[1:-1]}{_TIDY_CHAR.pattern[1:-1]}\r\u2028\u2029\u00a0\u202f]"
    )


def _rare_chars(text: str, config: NormalizeConfig) -> str:
    """The distinct characters of `text` that some display step searches for, in one string.

    Searching this short string answers "does the text hold one?" for each step's class.
    """
    return "".join(set(_rare_class(config).findall(text)))


def tidy(text: str, config: NormalizeConfig | None = None) -> str:
    """The non-ftfy steps: line breaks, invisible characters, spaces, blank lines, NFC.

    Each step runs only when a search that `re` can run at full speed (one leading
    character class or literal) finds something for it to do.
    """
    return _tidy(text, config or NormalizeConfig(), None)


def _tidy(text: str, config: NormalizeConfig, rare: str | None, nfc: bool = False) -> str:
    """`tidy`; `rare`, when given, is `_rare_chars(text, config)`, searched instead of the text
    for those characters' classes; `nfc` says `text` is known to be NFC already."""
    given = text
    if _TIDY_CHAR.search(text if rare is None else rare):  # one scan for the three rare cases
        rare = None  # the text changes below: search the text itself from here
        if _LINE_BREAK_CHAR.search(text):
            text = _LINE_BREAKS.sub("\n", text)
        if _INVISIBLE_CHAR.search(text):
            text = _LATIN_JOINER.sub("", _INVISIBLE.sub("", text))
        if _ODD_SPACE.search(text):
            text = text.translate(_SPACES)
    no_break = rare is None or "\u00a0" in rare or "\u202f" in rare
    if "\t" in text or "  " in text or (no_break and _NO_BREAK_RUN.search(text)):
        text = _SPACE_RUN.sub(_collapse, text)
    if config.french_spaces == "to_space" and _FRENCH_SPACE.search(text):
        text = _FRENCH_SPACE.sub(" ", text)  # after the runs went: creates no new run
    if text[-1:] in _HORIZONTAL_SPACE or _TRAILING_SPACE_HINT.search(text):
        text = _TRAILING_SPACE.sub("", text)
    if "\n\n\n" in text:
        text = _BLANK_RUN.sub("\n\n", text)
    if not (nfc and text is given) and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text.strip()


# --------------------------------------------------------------------------- fingerprint

_DIGITS = re.compile(r"\d")
# Scripts written without spaces between words: Han, Hiragana, Katakana, Thai, Lao,
# Khmer, Myanmar, Tibetan and CJK compatibility forms. Their words are character bigrams.
_UNSPACED_RANGES = (
    (0x0E00, 0x0EFF), (0x0F00, 0x0FFF), (0x1000, 0x109F), (0x1780, 0x17FF), (0x2E80, 0x2FDF),
    (0x3005, 0x3007), (0x3021, 0x3029), (0x3031, 0x3035), (0x3040, 0x30FF), (0x31F0, 0x31FF),
    (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0xFF66, 0xFF9F), (0x20000, 0x3134F),
)  # fmt: skip
_UNSPACED = "".join(f"{chr(low)}-{chr(high)}" for low, high in _UNSPACED_RANGES)
_UNSPACED_RE = re.compile(f"[{_UNSPACED}]")
_UNSPACED_RUN = re.compile(f"[{_UNSPACED}]+|[^{_UNSPACED}]+")


def _ranges(codes: range, keep: Callable[[str], bool]) -> str:
    """A regex class body listing the code points `keep` accepts, as ranges."""
    ranges: list[list[int]] = []
    for code in codes:
        if keep(chr(code)):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    return "".join(re.escape(chr(a)) + (f"-{re.escape(chr(b))}" if b > a else "") for a, b in ranges)


def _is_separator(char: str) -> bool:
    # Word characters are letters, numbers and combining marks (Python's `\w` leaves
    # marks out, which would cut Thai `ข่าว` or Hindi `हिंदी` apart); all else separates.
    return unicodedata.category(char)[0] not in "LNM" or char == "_"


# Separators common in news text, replaced by str.replace (GB/s) before anything else;
# NBSP, narrow NBSP and the ellipsis are also what keeps typical text from being NFKC.
_COMMON_SEPARATORS = "\u00a0\u202f…’‘“”«»–—‐‑€°•·£§®©"  # each NFKC-folds to a separator
_SUPPLEMENTARY = re.compile("[\U00010000-\U0010ffff]")


@lru_cache(maxsize=1)
def _folding() -> tuple[bytes, re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """Tables for `_words`, built on first use from the Unicode database."""
    ascii_table = bytes(
        b if b >= 0x80 else (ord("0") if chr(b).isdigit() else b) if chr(b).isalnum() else ord(" ")
        for b in range(256)
    )
    bmp = range(0x80, 0x10000)
    rare = re.compile("[" + _ranges(bmp, lambda c: _is_separator(c) or c.isdecimal()) + "]")
    separators = re.compile("[" + _ranges(bmp, _is_separator) + "]+")
    marks = re.compile("[" + _ranges(bmp, lambda c: unicodedata.category(c)[0] == "M") + "]+")
    return ascii_table, rare, separators, marks


def _supplementary_separator(match: re.Match[str]) -> str:
    # Digits here too: `rare` covers the BMP only, so an astral digit (Osmanya, Adlam) would
    # otherwise become 0 only in a text that also holds a rare BMP character.
    char = match.group()
    return " " if _is_separator(char) else "0" if char.isdecimal() else char


# The last long text folded and its fingerprint: the pipeline measures the repetition
# signals and computes dedup features of the same clean text, one after the other, and
# both start from this. One entry, replaced as a whole (safe under threads).
_LAST_FOLD: tuple[str, bytes] = ("", b"")
# From this many characters on, a text folds through the per-character table in one
# compiled loop (`foldtable`); shorter ones (words, most lines) are cheaper through `_fold`:
# the loop costs ~3.5 µs to enter, and the two break even near 150-200 characters of news
# (4.5 vs 4.7 µs at 200, 18 vs 65 µs at 4,000).
_TABLE_FOLD_MIN_CHARS = 160


def fingerprint_bytes(text: str) -> bytes:
    """`fingerprint(text)` as UTF-8, what hashing reads (no decode and encode again).

    Long texts fold character by character through `foldtable` when none of their
    characters can combine with its neighbour (almost every text); the rest, and short
    texts, fold with the whole-text passes of `_fold`, which define the result.
    """
    global _LAST_FOLD
    last_text, last_folded = _LAST_FOLD
    if last_text is text or last_text == text:
        return last_folded
    folded = _fold_by_table(text, keep_lines=False) if len(text) >= _TABLE_FOLD_MIN_CHARS else None
    if folded is None:
        folded = " ".join(_fold_words(text, False)).encode("utf-8", "surrogatepass")
    if len(text) > 200:  # short texts (single words, lines) are cheap: keep the document's entry
        _LAST_FOLD = (text, folded)
    return folded


def _fold_by_table(text: str, *, keep_lines: bool) -> bytes | None:
    """The fingerprint from each character's own fold (see `foldtable`); None if one may combine."""
    import numpy as np

    from ._kernels import fold_utf8
    from .foldtable import fold_table

    table = fold_table()
    data = np.frombuffer(_utf8(text), dtype=np.uint8)
    folded, whole = fold_utf8(data, table.offsets, table.folded, table.unsafe, keep_lines)
    return folded.tobytes() if whole else None


# The last long text encoded and its UTF-8: a document's text is read as UTF-8 by several
# checks and folds in a row (the line fold, the word-wise check, the unspaced-script check).
_LAST_UTF8: tuple[str, bytes] = ("", b"")


def _utf8(text: str) -> bytes:
    """`text` as UTF-8, lone surrogates included (strict first: the common case is faster)."""
    global _LAST_UTF8
    last_text, last_data = _LAST_UTF8
    if last_text is text:
        return last_data
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        data = text.encode("utf-8", "surrogatepass")
    if len(text) >= _TABLE_FOLD_MIN_CHARS:  # words and lines are cheap: keep the document's entry
        _LAST_UTF8 = (text, data)
    return data


def _words(text: str, strip_accents: bool) -> list[str]:
    """The fingerprint's words: NFKC, casefold, digits to 0, split on every separator."""
    if strip_accents:
        return _fold_words(text, True)
    if len(text) < _TABLE_FOLD_MIN_CHARS:
        return _fold_words(text, False)
    return fingerprint_bytes(text).decode("utf-8", "surrogatepass").split()


def _fold_words(text: str, strip_accents: bool) -> list[str]:
    """`_fold`'s words: the common case is a handful of C-speed passes (str.replace,
    bytes.translate); a rarer separator, an emoji or a non-ASCII digit adds a regex pass."""
    return _fold(text, strip_accents, _folding()[0]).split()


# `_folding`'s ASCII table with the line break kept, for folding every line of a text at once.
_LINE_TABLE: list[bytes] = []


def fingerprint_lines(text: str) -> list[str]:
    """`fingerprint` of each line of `text` (its pieces between "\n"), from one fold of the whole text.

    A per-line fingerprint costs a dozen C-level passes whatever the line's length;
    folding the text once with the line breaks kept costs them once per document. Every
    step folds each character (or a run of separators, or a normalization segment)
    on its own and none joins or creates a line break, so the pieces are exactly the
    lines' fingerprints (a test compares them on arbitrary Unicode).
    """
    by_table = _lines_by_table(text)
    if by_table is not None:
        return by_table.decode("utf-8").split("\n")
    if not _LINE_TABLE:
        table = bytearray(_folding()[0])
        table[0x0A] = 0x0A
        _LINE_TABLE.append(bytes(table))
    folded = _fold(text, False, _LINE_TABLE[0])
    # Every separator is a space by now (whitespace is never a letter, number or mark), so
    # `" ".join(piece.split())` is: runs of spaces to one, then each piece stripped of them.
    pieces = _SPACE_RUNS.sub(" ", folded).split("\n")
    if len(pieces) != text.count("\n") + 1:  # never seen; the line-by-line way is the definition
        return [fingerprint(line) for line in text.split("\n")]
    return [piece.strip(" ") for piece in pieces]


def fingerprint_lines_utf8(text: str) -> bytes:
    """`"\\n".join(fingerprint_lines(text))` as UTF-8, for hashing lines without a string each."""
    by_table = _lines_by_table(text)
    if by_table is not None:
        return by_table
    return "\n".join(fingerprint_lines(text)).encode("utf-8", "surrogatepass")


def _lines_by_table(text: str) -> bytes | None:
    """The fingerprints of `text`'s lines joined by "\\n" from one table fold, when it applies."""
    return _fold_by_table(text, keep_lines=True) if len(text) >= _TABLE_FOLD_MIN_CHARS else None


_SPACE_RUNS = re.compile("  +")  # a literal first character: `re` skips ahead to each space


def _fold(text: str, strip_accents: bool, ascii_table: bytes) -> str:
    """The fingerprint's characters before the split into words (separators as spaces)."""
    _, rare, separators, marks = _folding()
    text = text.casefold()
    if not text.isascii():
        for separator in _COMMON_SEPARATORS:
            if separator in text:
                text = text.replace(separator, " ")
        if not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", text).casefold()
        if strip_accents:
            text = unicodedata.normalize("NFC", marks.sub("", unicodedata.normalize("NFD", text)))
    text = text.encode("utf-8", "surrogatepass").translate(ascii_table).decode("utf-8", "surrogatepass")
    if not text.isascii():
        if _SUPPLEMENTARY.search(text):
            text = _SUPPLEMENTARY.sub(_supplementary_separator, text)
        if rare.search(text):
            text = separators.sub(" ", text)
            if _DIGITS.search(text):
                text = _DIGITS.sub("0", text)
    return text


def fingerprint_is_wordwise(text: str) -> bool:
    """True when `fingerprint(text).split()` is the fingerprint tokens of each `[^\\W_]+` word of
    `text`, in order (a cheap sufficient check: one table look-up per character).

    The characters that fail it are those outside `\\w` (or `_`) that fold to something
    other than a separator (`foldtable`'s `not_wordwise`): combining marks, spacing
    accents (¨ folds to a space and a mark), ™ (folds to "tm") and the like; around
    them, a text folded whole and the same text folded word by word can give different
    tokens. Between the words of any other text lie only characters that fold to
    separators, every fold step works character by character or within a word, and
    composition (NFKC) needs a mark or a jamo, which are inside words or fail the check;
    so folding the text once gives what folding each word gives.
    """
    import numpy as np

    from ._kernels import any_marked_utf8
    from .foldtable import fold_table

    return not any_marked_utf8(np.frombuffer(_utf8(text), dtype=np.uint8), fold_table().not_wordwise)


def fingerprint(text: str, *, strip_accents: bool = False) -> str:
    """Fold text for matching only; never write the result out.

    NFKC, casefold, digits to `0`, every run of punctuation, symbols, quotes,
    apostrophes and dashes to one space (so `l’IA`, `l'IA` and `l IA` agree),
    optionally accents stripped. Texts that differ only by typography, case or
    numbers fold alike.

    >>> fingerprint("L’IA — «Le Monde»")
    'l ia le monde'
    >>> fingerprint("Hausse de 12 % à Séoul", strip_accents=True)
    'hausse de 00 a seoul'
    """
    if strip_accents:
        return " ".join(_fold_words(text, True))
    return fingerprint_bytes(text).decode("utf-8", "surrogatepass")


def token_bytes(text: str) -> bytes:
    """`tokenize(text)` joined by single spaces, as UTF-8: what the compiled word counters read."""
    if not _has_unspaced(text):
        return fingerprint_bytes(text)
    return " ".join(tokenize(text)).encode("utf-8", "surrogatepass")


def _has_unspaced(text: str) -> bool:
    """`_UNSPACED_RE.search(text)`, for a long text in one compiled pass over its UTF-8.

    The regex tests each character against fifteen ranges, several times slower than a
    table look-up per code point (13 vs 5 µs on a 4 KB article, the encoding included).
    """
    if text.isascii():
        return False
    if len(text) < _TABLE_FOLD_MIN_CHARS:
        return _UNSPACED_RE.search(text) is not None
    import numpy as np

    from ._kernels import any_marked_utf8

    return any_marked_utf8(np.frombuffer(_utf8(text), dtype=np.uint8), _unspaced_table())


@lru_cache(maxsize=1)
def _unspaced_table() -> NDArray[np.uint8]:
    """1 at each code point of a script written without spaces (`_UNSPACED_RANGES`)."""
    import numpy as np

    table = np.zeros(sys.maxunicode + 1, dtype=np.uint8)
    for low, high in _UNSPACED_RANGES:
        table[low : high + 1] = 1
    return table


def tokenize(text: str, *, strip_accents: bool = False) -> list[str]:
    """The words of the fingerprint of `text`, for shingling and MinHash.

    French elisions split (``l'IA`` → ``l``, ``ia``); runs of a script written without
    spaces (Chinese, Japanese, Thai, ...) become overlapping character bigrams.

    >>> tokenize("L’IA à 東京都")
    ['l', 'ia', 'à', '東京', '京都']
    """
    words = _words(text, strip_accents)
    if not _UNSPACED_RE.search(text):
        return words
    out: list[str] = []
    for word in words:
        if not _UNSPACED_RE.search(word):
            out.append(word)
            continue
        for run in _UNSPACED_RUN.findall(word):
            if len(run) > 1 and _UNSPACED_RE.match(run):
                out.extend(run[i : i + 2] for i in range(len(run) - 1))
            else:
                out.append(run)
    return out
