"""The whole flow of one document, top to bottom, and the corpus-level steps after it.

    read → parse header → normalize → segment → spans from every detector → sweep
         → document signals and filters → corpus-level decisions (dedup) → write

`Cleaner.process` is the per-document kernel: pure, picklable, run in worker processes.
`Cleaner.run` feeds it documents, applies the corpus-level steps in input order in one
process, and yields one `Outcome` per input document, kept or dropped.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol, Self

from .boilerplate import build_boilerplate_detectors
from .config import Config
from .document import Document, Drop, Reason, Span, sweep
from .io.readers import ReadError, as_documents
from .normalize import normalize_display
from .repeats import RepeatDetector
from .segment import SegmentedText
from .signals import repetition_drop, repetition_signals


class Detector(Protocol):
    """Anything that marks spans on a segmented document; it never edits text."""

    @property
    def name(self) -> str:
        """Stable kebab-case name (timings, rule names); read-only, so frozen detectors qualify."""
        ...

    def detect(self, text: SegmentedText) -> Iterable[Span]:
        """Spans to remove (or to extract) from the normalized text."""
        ...


class CorpusStage(Protocol):
    """A decision that needs the documents seen before (dedup); runs in one process, in order."""

    def decide(self, outcome: Outcome) -> Drop | None:
        """Drop this document, or keep it (and remember it)."""
        ...


@dataclass(slots=True)
class Outcome:
    """What happened to one input document: the cleaned document, or why it was dropped."""

    doc: Document
    drop: Drop | None = None
    chars_in: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    features: dict[str, Any] = field(default_factory=dict)  # for corpus stages, never written

    @property
    def kept(self) -> bool:
        """True when the document goes to documents.jsonl."""
        return self.drop is None


def build_detectors(config: Config) -> list[Detector]:
    """The detectors, in priority order: where two spans overlap, the earlier one wins."""
    detectors: list[Detector] = []
    detectors += build_boilerplate_detectors(config)  # rule packs, then learned lines
    # Repeats go last: a footer or embed repeated in a document is boilerplate first, and
    # the boilerplate rule's removal record is the more telling one.
    if config.repeats.enabled:
        detectors.append(RepeatDetector.from_config(config.repeats))
    return detectors


def build_corpus_stages(config: Config) -> list[CorpusStage]:
    """The corpus-level steps, applied in input order to documents that survived so far."""
    return []


class Cleaner:
    """Cleans documents one by one and de-duplicates them across the corpus."""

    def __init__(self, config: Config | None = None) -> None:
        self.config = config or Config()
        self.detectors = build_detectors(self.config)
        self.corpus_stages = build_corpus_stages(self.config)

    def fit(self, documents: Iterable[Document]) -> Self:
        """Learn corpus statistics (for detectors that need them) from a first pass."""
        fitters = [d for d in self.detectors if hasattr(d, "fit")]
        if fitters:
            docs = list(documents) if len(fitters) > 1 else documents
            for detector in fitters:
                detector.fit(docs)
        return self

    def process(self, doc: Document) -> Outcome:
        """The per-document kernel: normalize, mark, sweep, measure, filter."""
        config = self.config
        timings: dict[str, float] = {}
        if doc.metadata.get("oversize"):
            drop = Drop(
                Reason.TOO_LARGE, {"bytes": doc.metadata.get("bytes"), "max_bytes": config.input.max_bytes}
            )
            return Outcome(doc, drop, int(doc.metadata.get("bytes") or 0), timings)

        clock = time.perf_counter()
        text = normalize_display(doc.text, config.normalize)
        timings["normalize"] = time.perf_counter() - clock
        metadata = dict(doc.metadata)
        metadata["chars_in"] = len(text)
        if not text:
            metadata["chars_out"] = 0
            return Outcome(Document(doc.id, "", metadata), Drop(Reason.EMPTY), 0, timings)

        segmented = SegmentedText(text, source=_source_of(metadata, config), lang=metadata.get("lang"))
        spans: list[Span] = []
        for detector in self.detectors:
            clock = time.perf_counter()
            spans.extend(detector.detect(segmented))
            timings[detector.name] = time.perf_counter() - clock

        clock = time.perf_counter()
        result = sweep(text, spans)
        timings["sweep"] = time.perf_counter() - clock
        clean = result.text
        for name, values in result.extracted.items():
            metadata[name] = list(values) if name.endswith("s") else values[0]
        metadata["chars_out"] = len(clean)
        metadata["removed"] = [r.to_dict() for r in result.removed]
        if config.quality.signals or config.quality.filter:
            metadata["repetition"] = repetition_signals(clean)
        cleaned = Document(doc.id, clean, metadata)
        outcome = Outcome(cleaned, None, len(text), timings)
        outcome.drop = self._filter(outcome)
        return outcome

    def _filter(self, outcome: Outcome) -> Drop | None:
        """Document-level filters on the cleaned document; the first that fires drops it."""
        text = outcome.doc.text
        if not text.strip():
            return Drop(Reason.EMPTY, {"chars_in": outcome.chars_in})
        if len(text) < self.config.filters.min_chars:
            return Drop(Reason.TOO_SHORT, {"chars": len(text), "min_chars": self.config.filters.min_chars})
        if "repetition" in outcome.doc.metadata:
            return repetition_drop(outcome.doc.metadata["repetition"], self.config.quality)
        return None

    def decide(self, outcome: Outcome) -> Outcome:
        """Apply the corpus-level stages (in input order, in this process)."""
        if outcome.drop is not None:
            return outcome
        for stage in self.corpus_stages:
            clock = time.perf_counter()
            drop = stage.decide(outcome)
            outcome.timings[type(stage).__name__.lower()] = time.perf_counter() - clock
            if drop is not None:
                outcome.drop = drop
                break
        return outcome

    def run(self, items: Iterable[Document | ReadError]) -> Iterator[Outcome | ReadError]:
        """Every input item's fate, in input order (read errors pass through)."""
        for item in items:
            if isinstance(item, ReadError):
                yield item
            else:
                yield self.decide(self.process(item))

    def clean(self, items: Iterable[str | dict[str, Any] | Document]) -> Iterator[Document]:
        """Kept documents only, lazily; strings and dicts are made Documents first."""
        for outcome in self.run(as_documents(items, self.config.input.text_field)):
            if isinstance(outcome, Outcome) and outcome.kept:
                yield outcome.doc


def clean(
    items: Iterable[str | dict[str, Any] | Document], config: Config | None = None
) -> Iterator[Document]:
    """Clean an iterable of strings, dicts or Documents; yields kept Documents lazily."""
    return Cleaner(config).clean(items)


def _source_of(metadata: dict[str, Any], config: Config) -> str | None:
    value = metadata.get(config.input.source_field)
    return str(value) if value is not None else None
