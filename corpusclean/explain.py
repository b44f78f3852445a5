"""Explain one document of a run: what was cut from it and why, or why it was dropped.

`explain(OUT, DOC_ID)` streams the output directory's files (plain or gzip) to find the
document, so it works on runs of any size. The plain-text view marks each cut in place:

    [-removed: REASON RULE key=value ...-]THE REMOVED TEXT[-]

Line breaks at either end of a cut are printed outside the markers (before the opening
one, after the closing one), so every marker sits on the lines it removed. On a terminal
the same view is coloured by reason.
"""

from __future__ import annotations

import itertools
import shutil
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from .errors import CorpuscleanError
from .reporting import html as report_html
from .reporting.outputs import check_output_dir, find_records, iter_records, output_file
from .reporting.plots import colour_of
from .reporting.views import Piece, document_pieces, format_value, shared_pieces

MARK_OPEN = "[-removed: {label}-]"
MARK_CLOSE = "[-]"
_LEDGER_FIELDS = ("id", "reason", "text", "metadata")


class UnknownDocumentError(CorpuscleanError):
    """The id is in none of the output files of the run."""


@dataclass(frozen=True, slots=True)
class Explanation:
    """Where a document ended up and the records that say why.

    `kind` is "kept" (a documents.jsonl record), "dropped" (a dropped.jsonl row) or
    "error" (an errors.jsonl row); for a dropped duplicate, `kept` is the record of the
    document it duplicates (None when that one is not in this output, e.g. it came from
    an earlier run's index).
    """

    doc_id: str
    kind: Literal["kept", "dropped", "error"]
    record: Mapping[str, Any]
    kept: Mapping[str, Any] | None = None

    @property
    def reason(self) -> str | None:
        """The drop reason, for a dropped document."""
        return str(self.record.get("reason")) if self.kind == "dropped" else None

    @property
    def evidence(self) -> dict[str, Any]:
        """The drop's evidence: every ledger field but id, reason, text and metadata."""
        return {k: v for k, v in self.record.items() if k not in _LEDGER_FIELDS}

    def headline(self) -> str:
        """One line: what happened to the document."""
        if self.kind == "kept":
            cuts = (self.record.get("metadata") or {}).get("removed") or []
            removed = sum(len(str(c.get("text") or "")) for c in cuts)
            return (
                f"{self.doc_id}: kept, {len(cuts)} cut{'s' if len(cuts) != 1 else ''} "
                f"({removed:,} characters removed)"
            )
        if self.kind == "error":
            line = self.record.get("line")
            where = f"{self.record.get('path')}:{line}" if line is not None else str(self.record.get("path"))
            return f"{self.doc_id}: could not be read: {where}: {self.record.get('error')}"
        if self.reason == "duplicate":
            similarity = self.record.get("similarity")
            shown = f", similarity {similarity:.3f}" if isinstance(similarity, int | float) else ""
            return (
                f"{self.doc_id}: dropped (duplicate): duplicate of {self.record.get('duplicate_of')}{shown}"
            )
        return f"{self.doc_id}: dropped ({self.reason})"

    def to_text(self, width: int | None = None) -> str:
        """The plain-text view, with `[-removed: ...-]...[-]` markers (see the module doc)."""
        lines = [self.headline()]
        lines += _facts_lines(self.record)
        evidence = " ".join(f"{k}={format_value(v)}" for k, v in self.evidence.items())
        if self.kind == "dropped" and evidence:
            lines.append(f"  evidence: {evidence}")
        if self.kind == "kept":
            lines += ["", marked_text(document_pieces(self.record))]
        elif self.kind == "dropped" and self.reason == "duplicate":
            lines += ["", side_by_side(self.kept, self.record, width or _width())]
        elif self.kind == "dropped":
            lines += ["", "text at the moment of the decision:", str(self.record.get("text") or "")]
        return "\n".join(lines).rstrip("\n") + "\n"

    def print_rich(self, console: Any) -> None:
        """The same view, coloured by reason, on a rich Console."""
        from rich.table import Table
        from rich.text import Text

        console.print(Text(self.headline(), style="bold"))
        for line in _facts_lines(self.record):
            console.print(Text(line, style="dim"))
        evidence = " ".join(f"{k}={format_value(v)}" for k, v in self.evidence.items())
        if self.kind == "dropped" and evidence:
            console.print(Text(f"  evidence: {evidence}", style="dim"))
        console.print()
        if self.kind == "kept":
            console.print(_rich_text(document_pieces(self.record)))
        elif self.kind == "dropped" and self.reason == "duplicate":
            kept_text = str(self.kept.get("text") or "") if self.kept is not None else ""
            dup_text = str(self.record.get("text") or "")
            table = Table(show_lines=False, expand=True)
            table.add_column(f"kept: {self.record.get('duplicate_of')}", ratio=1)
            table.add_column(f"dropped: {self.doc_id}", ratio=1)
            left = (
                _rich_text(shared_pieces(kept_text, dup_text))
                if self.kept is not None
                else Text("(not in this output)", style="dim")
            )
            table.add_row(left, _rich_text(shared_pieces(dup_text, kept_text)))
            console.print(table)
            console.print(Text("shared passages", style="on #5c4d00"), Text("are highlighted", style="dim"))
        elif self.kind == "dropped":
            console.print(Text("text at the moment of the decision:", style="dim"))
            console.print(Text(str(self.record.get("text") or "")))

    def to_html(self) -> str:
        """The same view as a self-contained HTML page."""
        view = report_html.kept_view(self.record) if self.kind == "kept" else None
        pair = None
        if self.kind == "dropped" and self.reason == "duplicate":
            pair = report_html.pair_view(self.record, self.kept)
        elif self.kind == "dropped":
            view = report_html.DocumentView(
                self.doc_id, [Piece(str(self.record.get("text") or ""))], 0, report_html._facts(self.record)
            )
        return report_html.render_page(
            f"corpusclean explain {self.doc_id}",
            "explain.html.j2",
            headline=self.headline(),
            evidence=list(self.evidence.items()) if self.kind != "kept" else [],
            view=view,
            pair=pair,
            span_reasons=report_html.SPAN_REASONS,
        )


def explain(out_dir: str | Path, doc_id: str) -> Explanation:
    """Find `doc_id` in an output directory and say what happened to it."""
    out_dir = Path(out_dir)
    documents = check_output_dir(out_dir)
    found = find_records(documents, [doc_id]).get(doc_id)
    if found is not None:
        return Explanation(doc_id, "kept", found)
    row = find_records(output_file(out_dir, "dropped"), [doc_id]).get(doc_id)
    if row is not None:
        kept = None
        if row.get("reason") == "duplicate" and row.get("duplicate_of") is not None:
            kept = find_records(documents, [str(row["duplicate_of"])]).get(str(row["duplicate_of"]))
        return Explanation(doc_id, "dropped", row, kept)
    for error in iter_records(output_file(out_dir, "errors")):
        if error.get("id") == doc_id:
            return Explanation(doc_id, "error", error)
    raise UnknownDocumentError(f"{doc_id}: no such document in {out_dir} (kept, dropped or errors)")


def marked_text(pieces: list[Piece]) -> str:
    """Pieces as plain text, each cut wrapped in `[-removed: LABEL-]...[-]`."""
    out = []
    for piece in pieces:
        if piece.removal is None:
            out.append(piece.text)
            continue
        body = piece.text.strip("\n")
        before = piece.text[: len(piece.text) - len(piece.text.lstrip("\n"))]
        after = piece.text[len(before) + len(body) :]
        out.append(before + MARK_OPEN.format(label=piece.label) + body + MARK_CLOSE + after)
    return "".join(out)


def side_by_side(kept: Mapping[str, Any] | None, duplicate: Mapping[str, Any], width: int) -> str:
    """Two columns of wrapped text: the kept document left, the dropped duplicate right."""
    column = max(20, (width - 3) // 2)
    kept_id = str(duplicate.get("duplicate_of"))
    left_text = str(kept.get("text") or "") if kept is not None else "(not in this output)"
    left = [f"kept: {kept_id}", "-" * column, *_wrap(left_text, column)]
    right = [
        f"dropped: {duplicate.get('id')}",
        "-" * column,
        *_wrap(str(duplicate.get("text") or ""), column),
    ]
    rows = itertools.zip_longest(left, right, fillvalue="")
    return "\n".join(f"{a[:column]:<{column}} | {b[:column]}".rstrip() for a, b in rows)


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines += textwrap.wrap(paragraph, width) or [""]
    return lines


def _facts_lines(record: Mapping[str, Any]) -> list[str]:
    facts = report_html._facts(record)
    return ["  " + " · ".join(f"{k}: {v}" for k, v in facts)] if facts else []


def _width() -> int:
    return shutil.get_terminal_size((120, 40)).columns


def _rich_text(pieces: list[Piece]) -> Any:
    from rich.text import Text

    text = Text()
    for piece in pieces:
        if piece.removal is not None:
            colour = colour_of(piece.reason or "")
            body = piece.text.strip("\n")
            before = piece.text[: len(piece.text) - len(piece.text.lstrip("\n"))]
            text.append(before)
            text.append(f"⟦{piece.label}⟧", style=f"dim {colour}")
            text.append(body, style=f"{colour} strike")
            text.append(piece.text[len(before) + len(body) :])
        elif piece.shared:
            text.append(piece.text, style="on #5c4d00")
        else:
            text.append(piece.text)
    return text
