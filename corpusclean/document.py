"""Documents, the spans detectors mark on them, and the one sweep that cuts text.

Detectors never edit text: they return `Span`s over the display-normalized text.
`sweep` alone settles overlaps, removes what is to be removed, and returns the clean
text together with a `Removal` record per cut, so every removal is explainable and the
clean text is provably the normalized text minus exactly the recorded pieces.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Reason(StrEnum):
    """Why a span was removed or a document dropped (a closed set)."""

    # Span reasons: a piece of a document.
    BOILERPLATE = "boilerplate"
    REPEAT = "repeat"
    EMBED = "embed"
    CREDIT = "credit"
    METADATA = "metadata"
    LANGUAGE_SPAN = "language_span"
    # Document reasons: the whole document.
    EMPTY = "empty"
    TOO_SHORT = "too_short"
    TOO_LARGE = "too_large"
    LANGUAGE = "language"
    QUALITY = "quality"
    DUPLICATE = "duplicate"


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open range `[start, end)` of the normalized text that a detector marked.

    `remove=False` marks a span that only carries information into metadata (an
    "extract and keep" rule); `moves_to` names the metadata field that receives
    `value` (or the span's text when `value` is None).
    """

    start: int
    end: int
    reason: Reason
    rule: str
    evidence: Mapping[str, Any] = field(default_factory=dict)
    moves_to: str | None = None
    value: Any = None
    remove: bool = True

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"invalid span [{self.start}, {self.end})")


@dataclass(frozen=True, slots=True)
class Removal:
    """One cut the sweep made: offsets into the normalized text and the text removed."""

    start: int
    end: int
    reason: Reason
    rule: str
    text: str
    evidence: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form written under `metadata["removed"]`."""
        out: dict[str, Any] = {
            "start": self.start,
            "end": self.end,
            "reason": str(self.reason),
            "rule": self.rule,
            "text": self.text,
        }
        if self.evidence:
            out["evidence"] = _jsonable(self.evidence)
        return out


@dataclass(frozen=True, slots=True)
class Drop:
    """A document-level decision: the whole document leaves the output, with its reason."""

    reason: Reason
    evidence: Mapping[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Document:
    """One record: a stable `id`, its `text` and free-form `metadata`."""

    id: str
    text: str
    metadata: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The output contract: `{"id", "text", "metadata"}`."""
        return {"id": self.id, "text": self.text, "metadata": self.metadata}

    @classmethod
    def from_dict(cls, record: Mapping[str, Any], text_field: str = "text") -> Document:
        """Build a Document from a mapping with an `id` and a text field."""
        meta = dict(record.get("metadata") or {})
        for key, value in record.items():
            if key not in ("id", text_field, "metadata"):
                meta.setdefault(key, value)
        return cls(id=str(record["id"]), text=str(record[text_field]), metadata=meta)


@dataclass(frozen=True, slots=True)
class SweepResult:
    """What `sweep` returns: the clean text, the cuts, and what moved into metadata."""

    text: str
    removed: tuple[Removal, ...]
    extracted: Mapping[str, list[Any]]


def sweep(text: str, spans: Iterable[Span]) -> SweepResult:
    """Cut every removal span out of `text`, settling overlaps; collect extracted values.

    Overlaps are settled in favour of the span given first (detectors run in the
    pipeline's stage order, so a rule beats a learned line beats the classifier); a later
    span keeps only its part that nothing earlier covers. A span covering whole lines
    also takes the line breaks after it (or, at the end of the text, before it), so
    removing a paragraph never leaves a hole of blank lines.
    """
    span_list = list(spans)
    extracted: dict[str, list[Any]] = {}
    for span in span_list:
        if span.moves_to is not None:
            value = span.value if span.value is not None else text[span.start : span.end]
            extracted.setdefault(span.moves_to, []).append(value)

    claimed: list[tuple[int, int]] = []  # disjoint, sorted ranges already cut
    pieces: list[tuple[int, int, Span]] = []
    for span in span_list:
        if not span.remove or span.start >= span.end or span.end > len(text):
            continue
        for start, end in _subtract(span.start, span.end, claimed):
            pieces.append((start, end, span))
            _insert(claimed, start, end)
    pieces.sort(key=lambda piece: (piece[0], piece[1]))
    pieces = _absorb_line_breaks(text, pieces)

    removed = tuple(
        Removal(start, end, span.reason, span.rule, text[start:end], span.evidence)
        for start, end, span in pieces
    )
    out: list[str] = []
    cursor = 0
    for cut in removed:
        out.append(text[cursor : cut.start])
        cursor = cut.end
    out.append(text[cursor:])
    return SweepResult("".join(out), removed, extracted)


def _subtract(start: int, end: int, claimed: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of `[start, end)` that no claimed range covers."""
    free: list[tuple[int, int]] = []
    cursor = start
    for c_start, c_end in claimed:
        if c_end <= cursor:
            continue
        if c_start >= end:
            break
        if c_start > cursor:
            free.append((cursor, c_start))
        cursor = max(cursor, c_end)
        if cursor >= end:
            break
    if cursor < end:
        free.append((cursor, end))
    return free


def _insert(claimed: list[tuple[int, int]], start: int, end: int) -> None:
    """Insert a range into the sorted list of disjoint claimed ranges."""
    index = 0
    while index < len(claimed) and claimed[index][0] < start:
        index += 1
    claimed.insert(index, (start, end))


def _is_whole_lines(text: str, start: int, end: int) -> bool:
    starts_line = start == 0 or text[start - 1] == "\n"
    ends_line = end == len(text) or text[end] == "\n" or text[end - 1] == "\n"
    return starts_line and ends_line


def _absorb_line_breaks(text: str, pieces: list[tuple[int, int, Span]]) -> list[tuple[int, int, Span]]:
    """Extend whole-line cuts over the line breaks that would otherwise be left behind."""
    extended: list[tuple[int, int, Span]] = []
    for index, (start, end, span) in enumerate(pieces):
        if _is_whole_lines(text, start, end):
            limit = pieces[index + 1][0] if index + 1 < len(pieces) else len(text)
            while end < limit and text[end] == "\n":
                end += 1
        extended.append((start, end, span))
    # A cut that now reaches the end of the text leaves the break before it behind:
    # walk back from the end, taking the preceding breaks (never into another cut).
    tail = len(text)
    for index in range(len(extended) - 1, -1, -1):
        start, end, span = extended[index]
        if end != tail or not _is_whole_lines(text, start, end):
            break
        floor = extended[index - 1][1] if index > 0 else 0
        while start > floor and text[start - 1] == "\n":
            start -= 1
        extended[index] = (start, end, span)
        tail = start
    return extended


def _jsonable(value: Any) -> Any:
    """Evidence as plain JSON types (tuples become lists, keys strings)."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, float):
        return round(value, 4)
    return value
