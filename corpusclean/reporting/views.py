"""Document views: the normalized text cut into pieces, each removed or kept, and shared passages.

Both the HTML report and `corpusclean explain` show a kept document as its normalized
text (the clean text with every cut put back, see docs/output-format.md) with the cuts
in place, and a dropped duplicate beside its kept document with the passages they share.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import CorpuscleanError

# Word n-grams shared by two documents mark a "shared passage"; 5 words is long enough
# that common phrases ("a déclaré le président") rarely match by chance.
SHARED_WORDS = 5
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of a document's text: kept, removed by a cut, or shared with another document."""

    text: str
    removal: Mapping[str, Any] | None = None
    shared: bool = False

    @property
    def reason(self) -> str | None:
        """The cut's reason, or None for kept text."""
        return str(self.removal.get("reason")) if self.removal is not None else None

    @property
    def label(self) -> str:
        """`reason rule key=value ...`: what a reader sees on hover or in a marker."""
        if self.removal is None:
            return ""
        parts = [str(self.removal.get("reason")), str(self.removal.get("rule"))]
        parts += [f"{k}={format_value(v)}" for k, v in (self.removal.get("evidence") or {}).items()]
        return " ".join(parts)


def format_value(value: Any) -> str:
    """Evidence values the way people read them: `[120, 366]` as `120:366`, floats short."""
    if isinstance(value, list | tuple) and len(value) == 2 and all(isinstance(v, int) for v in value):
        return f"{value[0]}:{value[1]}"
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, list | tuple):
        return ",".join(format_value(v) for v in value)
    return str(value)


def removals_of(record: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The cuts recorded in a document's metadata, in text order."""
    removed = (record.get("metadata") or {}).get("removed") or []
    return sorted((r for r in removed if isinstance(r, Mapping)), key=lambda r: (r["start"], r["end"]))


def document_pieces(record: Mapping[str, Any]) -> list[Piece]:
    """The normalized text of a kept document as pieces: the clean text with each cut put back.

    Raises CorpuscleanError when the recorded cuts do not fit the text (an output that
    was edited by hand, or written by an incompatible version).
    """
    clean = str(record.get("text") or "")
    pieces: list[Piece] = []
    clean_at = 0  # position in the clean text
    normalized_at = 0  # position in the normalized text
    for removal in removals_of(record):
        start, end, text = int(removal["start"]), int(removal["end"]), str(removal.get("text") or "")
        if start < normalized_at or end - start != len(text):
            raise CorpuscleanError(f"{record.get('id')}: removed span [{start}, {end}) does not fit the text")
        take = start - normalized_at
        if clean_at + take > len(clean):
            raise CorpuscleanError(f"{record.get('id')}: removed span [{start}, {end}) is past the text")
        if take:
            pieces.append(Piece(clean[clean_at : clean_at + take]))
        pieces.append(Piece(text, removal))
        clean_at += take
        normalized_at = end
    if clean_at < len(clean):
        pieces.append(Piece(clean[clean_at:]))
    return pieces


def truncate(pieces: Sequence[Piece], max_chars: int) -> tuple[list[Piece], int]:
    """At most `max_chars` characters of pieces, and how many characters were left out."""
    out: list[Piece] = []
    used = 0
    total = sum(len(p.text) for p in pieces)
    for piece in pieces:
        if used >= max_chars:
            break
        room = max_chars - used
        out.append(
            piece if len(piece.text) <= room else Piece(piece.text[:room], piece.removal, piece.shared)
        )
        used += len(out[-1].text)
    return out, total - used


def _shingles(text: str) -> tuple[list[tuple[int, int]], list[str]]:
    words = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    folded = [text[s:e].casefold() for s, e in words]
    return words, [" ".join(folded[i : i + SHARED_WORDS]) for i in range(len(folded) - SHARED_WORDS + 1)]


def shared_pieces(text: str, other: str) -> list[Piece]:
    """`text` cut into pieces, marking the passages (runs of 5-word shingles) also found in `other`."""
    words, grams = _shingles(text)
    _, other_grams = _shingles(other)
    common = set(grams) & set(other_grams)
    covered = [False] * len(words)
    for index, gram in enumerate(grams):
        if gram in common:
            for word in range(index, index + SHARED_WORDS):
                covered[word] = True
    ranges: list[list[int]] = []
    for index, (start, end) in enumerate(words):
        if not covered[index]:
            continue
        if ranges and covered[index - 1]:
            ranges[-1][1] = end
        else:
            ranges.append([start, end])
    pieces: list[Piece] = []
    cursor = 0
    for start, end in ranges:
        if start > cursor:
            pieces.append(Piece(text[cursor:start]))
        pieces.append(Piece(text[start:end], shared=True))
        cursor = end
    if cursor < len(text):
        pieces.append(Piece(text[cursor:]))
    return pieces


def shingle_similarity(text: str, other: str) -> float:
    """Jaccard similarity of the two texts' 5-word shingle sets (shown when the ledger has none)."""
    a, b = set(_shingles(text)[1]), set(_shingles(other)[1])
    return len(a & b) / len(a | b) if a | b else 1.0
