"""The HTML run report: one self-contained file of totals, inline SVG plots and document views.

Rendered from Jinja2 templates (autoescaped) shipped in `corpusclean/templates/`; no
script, stylesheet or font is fetched, so the page opens from disk in any browser. The
page holds samples only (the most-edited documents, a few duplicate clusters, each text
capped), so it stays a few megabytes at most whatever the corpus size.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import CorpuscleanError
from . import plots
from .collect import LENGTH_EDGES, ReportCollector
from .outputs import check_output_dir, find_records, iter_records, output_file
from .views import Piece, document_pieces, format_value, shared_pieces, shingle_similarity, truncate

MAX_VIEW_CHARS = 20_000  # characters of one document shown in a view
MAX_CUTS_LISTED = 200  # rows of a document's table of cuts
TOP_SOURCES = 50  # rows of the per-source table
# Cluster-size bins (left edges; the last is open): a pair, small groups, syndicated wires.
CLUSTER_EDGES = (2, 3, 4, 5, 6, 11, 21, 51, 101)
SPAN_REASONS = ("boilerplate", "repeat", "embed", "credit", "metadata", "language_span")


@dataclass
class DocumentView:
    """One document as the report shows it: pieces of text, a summary line and its cuts."""

    id: str
    pieces: list[Piece]
    omitted: int = 0
    facts: list[tuple[str, str]] = field(default_factory=list)
    cuts: list[Mapping[str, Any]] = field(default_factory=list)
    note: str = ""


@dataclass
class PairView:
    """A dropped duplicate beside the kept document it duplicates."""

    duplicate: DocumentView
    kept: DocumentView | None
    similarity: float | None
    similarity_source: str
    cluster: str


@functools.cache
def environment() -> Any:
    """The Jinja2 environment: package templates, autoescape on, strict undefined."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("corpusclean", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["num"] = lambda value: f"{value:,}"
    env.filters["pct"] = lambda value: f"{100 * value:.1f} %"
    env.filters["colour"] = plots.colour_of
    env.filters["show"] = format_value
    env.globals["version"] = __version__
    env.globals["reason_colours"] = plots.REASON_COLOURS
    return env


def _facts(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    meta = record.get("metadata") or {}
    facts = []
    for key in ("source", "date", "lang", "path", "chars_in", "chars_out", "cluster", "cluster_size"):
        value = meta.get(key)
        if value not in (None, ""):
            facts.append((key, format_value(value) if key != "lang" else _lang(meta)))
    return facts


def _lang(meta: Mapping[str, Any]) -> str:
    prob = meta.get("lang_prob")
    return f"{meta['lang']} ({prob:.2f})" if isinstance(prob, float) else str(meta["lang"])


def kept_view(record: Mapping[str, Any]) -> DocumentView:
    """A kept document: its normalized text with every cut highlighted in place."""
    pieces, omitted = truncate(document_pieces(record), MAX_VIEW_CHARS)
    cuts = list((record.get("metadata") or {}).get("removed") or [])
    return DocumentView(str(record.get("id")), pieces, omitted, _facts(record), cuts[:MAX_CUTS_LISTED])


def pair_view(duplicate: Mapping[str, Any], kept: Mapping[str, Any] | None) -> PairView:
    """A dropped duplicate and its kept document, shared passages marked in both."""
    dup_text = str(duplicate.get("text") or "")
    kept_text = str(kept.get("text") or "") if kept is not None else ""
    similarity = duplicate.get("similarity")
    source = "recorded by the dedup stage"
    if not isinstance(similarity, int | float) and kept is not None:
        similarity, source = shingle_similarity(dup_text, kept_text), "5-word shingles of the clean texts"
    elif not isinstance(similarity, int | float):
        similarity, source = None, "unknown"
    dup_pieces, dup_omitted = truncate(shared_pieces(dup_text, kept_text), MAX_VIEW_CHARS)
    dup_view = DocumentView(str(duplicate.get("id")), dup_pieces, dup_omitted, _facts(duplicate))
    kept_id = str(duplicate.get("duplicate_of") or "")
    if kept is None:
        kept_doc = None
    else:
        kept_pieces, kept_omitted = truncate(shared_pieces(kept_text, dup_text), MAX_VIEW_CHARS)
        kept_doc = DocumentView(kept_id, kept_pieces, kept_omitted, _facts(kept))
    cluster = str(duplicate.get("cluster") or kept_id)
    return PairView(dup_view, kept_doc, similarity, source, cluster)


def build_context(
    report: Mapping[str, Any] | None, collector: ReportCollector, kept_docs: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any]:
    """Everything the report template shows, from report.json (when given) and the collector."""
    report = dict(report or {})
    dropped = dict(collector.dropped)
    totals = {
        "docs_in": report.get("docs_in", collector.docs_in),
        "docs_out": report.get("docs_out", collector.kept),
        "docs_dropped": report.get("docs_dropped", sum(dropped.values())),
        "errors": report.get("errors", collector.errors),
        "chars_in": report.get("chars_in", collector.chars_in),
        "chars_out": report.get("chars_out", collector.chars_out),
    }
    totals["balanced"] = totals["docs_in"] == totals["docs_out"] + totals["docs_dropped"] + totals["errors"]
    chars_in = totals["chars_in"]
    totals["removed_share"] = 1 - totals["chars_out"] / chars_in if chars_in else 0.0

    cluster_sizes = collector.cluster_sizes()
    cluster_counts = [0] * len(CLUSTER_EDGES)
    for size, count in cluster_sizes.items():
        index = max(i for i, edge in enumerate(CLUSTER_EDGES) if size >= edge)
        cluster_counts[index] += count
    learned_labels = {
        line: f"{line} ({collector.learned_evidence[line]})" if line in collector.learned_evidence else line
        for line in collector.learned_lines
    }
    figures = [
        plots.bar_chart(
            "chars-removed-by-reason",
            "Characters removed by reason (kept documents)",
            collector.chars_removed,
            xlabel="characters",
            colours=plots.REASON_COLOURS,
        ),
        plots.bar_chart(
            "docs-dropped-by-reason",
            "Documents dropped by reason",
            dropped,
            xlabel="documents",
            colours=plots.REASON_COLOURS,
        ),
        plots.histogram(
            "cluster-sizes",
            "Duplicate clusters by size (kept document + duplicates)",
            plots.bin_labels(CLUSTER_EDGES),
            {"clusters": cluster_counts},
            xlabel="documents in the cluster",
            ylabel="clusters",
        ),
        plots.grouped_bars(
            "languages",
            "Documents by language",
            {"kept": collector.languages_kept, "dropped": collector.languages_dropped},
            xlabel="documents",
        ),
        plots.histogram(
            "length-before-after",
            "Document length before and after cleaning",
            plots.bin_labels(LENGTH_EDGES),
            {
                "before (every document)": collector.length_before,
                "after (kept documents)": collector.length_after,
            },
            xlabel="characters",
        ),
        plots.bar_chart(
            "top-rules",
            "Top rules by spans removed",
            collector.rules,
            xlabel="spans removed",
            colours={rule: plots.colour_of(reason) for rule, reason in collector.rule_reasons.items()},
        ),
        plots.bar_chart(
            "top-learned-lines",
            "Top learned boilerplate lines by hits",
            {learned_labels[line]: n for line, n in collector.learned_lines.most_common(15)},
            xlabel="documents where the line was removed",
            colours={label: plots.colour_of("boilerplate") for label in learned_labels.values()},
        ),
    ]
    sources = [{"name": name, "row": row} for name, row in collector.source_rows()[:TOP_SOURCES]]
    edited = [kept_view(record) for record in collector.most_edited()]
    pairs = [pair_view(d, kept_docs.get(str(d.get("duplicate_of")))) for d in collector.duplicate_sample]
    return {
        "title": "corpusclean run report",
        "totals": totals,
        "dropped": sorted(dropped.items(), key=lambda kv: (-kv[1], kv[0])),
        "chars_removed": sorted(collector.chars_removed.items(), key=lambda kv: (-kv[1], kv[0])),
        "figures": figures,
        "sources": sources,
        "sources_total": len(collector.sources),
        "learned": collector.learned_lines.most_common(20),
        "learned_evidence": collector.learned_evidence,
        "edited": edited,
        "pairs": pairs,
        "dropped_sample": sorted(collector.dropped_sample.items()),
        "errors": collector.error_sample,
        "seconds": report.get("seconds_by_stage") or {},
        "inputs": report.get("inputs") or [],
        "span_reasons": SPAN_REASONS,
    }


def render_report(
    report: Mapping[str, Any] | None,
    collector: ReportCollector,
    kept_docs: Mapping[str, Mapping[str, Any]] | None = None,
) -> str:
    """The report page as a string."""
    context = build_context(report, collector, kept_docs or {})
    return str(environment().get_template("report.html.j2").render(**context))


def write_report_html(
    out_dir: Path, report: Mapping[str, Any] | None, collector: ReportCollector, path: Path | None = None
) -> Path:
    """Write `report.html` (atomically) for a run whose outputs are in `out_dir`.

    The kept documents of the sampled duplicate clusters are read back from
    documents.jsonl, reading only until they are all found.
    """
    wanted = {str(d.get("duplicate_of")) for d in collector.duplicate_sample if d.get("duplicate_of")}
    kept_docs = find_records(output_file(out_dir, "documents"), wanted)
    html = render_report(report, collector, kept_docs)
    target = path or out_dir / "report.html"
    write_text_atomic(target, html)
    return target


def write_text_atomic(path: Path, text: str) -> None:
    """Write a text file under a temporary name and rename it, so it is whole or absent."""
    temp = path.with_name(path.name + ".partial")
    try:
        temp.write_text(text, encoding="utf-8")
        os.replace(temp, path)
    except OSError as error:
        temp.unlink(missing_ok=True)
        raise CorpuscleanError(f"{path}: cannot write: {error.strerror or error}") from None


def collect_outputs(out_dir: Path) -> ReportCollector:
    """Feed a collector with every record of an earlier run's output files."""
    collector = ReportCollector()
    for record in iter_records(check_output_dir(out_dir)):
        collector.add_kept(record)
    for record in iter_records(output_file(out_dir, "dropped")):
        collector.add_dropped(record)
    for row in iter_records(output_file(out_dir, "errors")):
        collector.add_error(row)
    return collector


def rebuild_report(out_dir: str | Path, path: str | Path | None = None) -> Path:
    """Rebuild `report.html` from the outputs of an earlier run (`corpusclean report`)."""
    import json

    out_dir = Path(out_dir)
    collector = collect_outputs(out_dir)
    report_json = out_dir / "report.json"
    report = None
    if report_json.is_file():
        try:
            report = json.loads(report_json.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise CorpuscleanError(f"{report_json}: invalid JSON: {error.msg}") from None
    return write_report_html(out_dir, report, collector, Path(path) if path is not None else None)


def render_page(title: str, template: str, **context: Any) -> str:
    """Render another page of the report's look (used by `corpusclean explain --html`)."""
    return str(environment().get_template(template).render(title=title, **context))


__all__: Sequence[str] = (
    "DocumentView",
    "PairView",
    "kept_view",
    "pair_view",
    "rebuild_report",
    "render_report",
    "write_report_html",
)
