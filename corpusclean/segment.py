"""Split normalized text into lines and paragraphs, keeping offsets.

Every detector looks at the same `SegmentedText`, so offsets agree everywhere. A
*line* is a run of text between line breaks; a *paragraph* is a run of non-blank
lines between blank lines. News dumps use both layouts (seed 001 puts one paragraph
per line; the others separate paragraphs by a blank line), so detectors that think
in paragraphs should use `blocks`: paragraphs, or lines when the document has no
blank lines at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property


@dataclass(frozen=True, slots=True)
class Segment:
    """A half-open range `[start, end)` of the text, without its line break."""

    start: int
    end: int
    index: int

    def text_of(self, text: str) -> str:
        """The segment's characters in `text`."""
        return text[self.start : self.end]


@dataclass(frozen=True)
class SegmentedText:
    """Normalized text with its lines and paragraphs; what every detector reads."""

    text: str
    source: str | None = None
    lang: str | None = None

    @cached_property
    def lines(self) -> tuple[Segment, ...]:
        """Non-blank lines, in order (leading/trailing spaces excluded from the range)."""
        out: list[Segment] = []
        text = self.text
        cursor = 0
        length = len(text)
        while cursor <= length:
            newline = text.find("\n", cursor)
            end = length if newline == -1 else newline
            start, stop = _strip_range(text, cursor, end)
            if start < stop:
                out.append(Segment(start, stop, len(out)))
            if newline == -1:
                break
            cursor = newline + 1
        return tuple(out)

    @cached_property
    def paragraphs(self) -> tuple[Segment, ...]:
        """Runs of consecutive non-blank lines separated by blank lines."""
        out: list[Segment] = []
        lines = self.lines
        if not lines:
            return ()
        first = lines[0]
        last = lines[0]
        for line in lines[1:]:
            between = self.text[last.end : line.start]
            if between.count("\n") >= 2:
                out.append(Segment(first.start, last.end, len(out)))
                first = line
            last = line
        out.append(Segment(first.start, last.end, len(out)))
        return tuple(out)

    @cached_property
    def line_fingerprints(self) -> tuple[str, ...]:
        """`normalize.fingerprint` of each line of `lines`, folded in one pass over the text.

        Rule packs and learned boilerplate both match lines by fingerprint; computed once
        here, a document's lines are folded once, not once per detector.
        """
        from .normalize import fingerprint_lines

        pieces = fingerprint_lines(self.text)
        out: list[str] = []
        piece = cursor = 0
        for line in self.lines:
            piece += self.text.count("\n", cursor, line.start)
            cursor = line.start
            out.append(pieces[piece])
        return tuple(out)

    @cached_property
    def blocks(self) -> tuple[Segment, ...]:
        """Paragraphs, or lines when the text never separates paragraphs by a blank line."""
        if len(self.paragraphs) == 1 and len(self.lines) > 1:
            return self.lines
        return self.paragraphs


def _strip_range(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
