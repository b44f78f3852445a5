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
from .classifier import LineClassifier
from .config import Config
from .dateline import DatelineDetector
from .dedup import build_dedup
from .document import Document, Drop, Reason, Span, sweep
from .io.readers import ReadError, as_documents
from .langid import build_language_stage
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
    if config.dateline.parse:
        detectors.append(DatelineDetector(remove=config.dateline.remove))
    detectors += build_boilerplate_detectors(config)  # rule packs, then learned lines
    # Repeats come after boilerplate: a footer or embed repeated in a document is boilerplate, and
    # the boilerplate rule's removal record is the more telling one.
    if config.repeats.enabled:
        detectors.append(RepeatDetector.from_config(config.repeats))
    if config.classifier.enabled:
        detectors.append(LineClassifier(config.classifier))  # last: named rules explain better
    return detectors


def build_corpus_stages(config: Config) -> list[CorpusStage]:
    """The corpus-level steps, applied in input order to documents that survived so far."""
    return [*build_dedup(config)]


class Cleaner:
    """Cleans documents one by one and de-duplicates them across the corpus."""

    def __init__(self, config: Config | None = None) -> None:
        self.config = config or Config()
        self.detectors = build_detectors(self.config)
        self.corpus_stages = build_corpus_stages(self.config)
        self.language = build_language_stage(self.config.lang)

    def fit(self, documents: Iterable[Document]) -> Self:
        """Learn corpus statistics (for detectors that need them) from a first pass."""
        fitters = [d for d in self.detectors if hasattr(d, "fit")]
        if fitters:
            docs = list(documents) if len(fitters) > 1 else documents
            for detector in fitters:
                detector.fit(docs)
        return self

    def warm_up(self) -> Self:
        """Build every table the kernel loads on first use (stop words, Unicode folding, regexes) now.

        Call it before forking worker processes: they then share the parent's tables
        instead of each building its own, which costs seconds per worker. Cleaning a
        short French and English text touches every stage; the result is discarded.
        """
        self.process(Document("warm-up", _WARM_UP_TEXT, {}))
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
        clock = time.perf_counter()
        result, language = self.language.annotate(segmented, spans, result)  # on the clean text
        timings["langid"] = time.perf_counter() - clock
        metadata.update(language)
        clean = result.text
        for name, values in result.extracted.items():
            metadata[name] = list(values) if name.endswith("s") else values[0]
        metadata["chars_out"] = len(clean)
        metadata["removed"] = [r.to_dict() for r in result.removed]
        if config.quality.signals or config.quality.filter:
            clock = time.perf_counter()
            metadata["repetition"] = repetition_signals(clean)
            timings["signals"] = time.perf_counter() - clock
        cleaned = Document(doc.id, clean, metadata)
        outcome = Outcome(cleaned, None, len(text), timings)
        outcome.drop = self._filter(outcome)
        if outcome.drop is None:  # per-document work of corpus stages (signatures) stays in workers
            for stage in self.corpus_stages:
                prepare = getattr(stage, "prepare", None)
                if prepare is not None:
                    clock = time.perf_counter()
                    outcome.features.update(prepare(cleaned))
                    timings[f"{_stage_name(stage)}_features"] = time.perf_counter() - clock
        return outcome

    def _filter(self, outcome: Outcome) -> Drop | None:
        """Document-level filters on the cleaned document; the first that fires drops it."""
        text = outcome.doc.text
        if not text.strip():
            return Drop(Reason.EMPTY, {"chars_in": outcome.chars_in})
        if len(text) < self.config.filters.min_chars:
            return Drop(Reason.TOO_SHORT, {"chars": len(text), "min_chars": self.config.filters.min_chars})
        if "repetition" in outcome.doc.metadata:
            # Only "under min_words words?" is asked: splitting stops there (a 4 KB article
            # costs 1 µs instead of 15), and the capped count answers the same.
            words = len(text.split(maxsplit=max(self.config.quality.min_words, 0)))
            drop = repetition_drop(outcome.doc.metadata["repetition"], self.config.quality, words)
            if drop is not None:
                return drop
        return self.language.decide(outcome.doc.metadata)

    def decide(self, outcome: Outcome) -> Outcome:
        """Apply the corpus-level stages (in input order, in this process)."""
        if outcome.drop is not None:
            return outcome
        for stage in self.corpus_stages:
            clock = time.perf_counter()
            drop = stage.decide(outcome)
            name = _stage_name(stage)
            outcome.timings[name] = outcome.timings.get(name, 0.0) + time.perf_counter() - clock
            if drop is not None:
                outcome.drop = drop
                break
        return outcome

    def decide_all(
        self, results: Iterable[Outcome | ReadError], spool_dir: str | None = None, *, streaming: bool = False
    ) -> Iterator[Outcome | ReadError]:
        """`decide` over every result in input order; two passes when a stage must see the corpus first.

        A stage with `observe` (dedup choosing one document per cluster) sees every surviving
        outcome, then `finish`es; the outcomes wait in a temporary file (`spool_dir`), not in
        memory, and come back in the same order for `decide`. With `streaming`, stages that
        can decide one document at a time (`needs_corpus` false) do so and results flow lazily.
        """
        observers = [
            stage
            for stage in self.corpus_stages
            if hasattr(stage, "observe") and not (streaming and not getattr(stage, "needs_corpus", True))
        ]
        if not observers:
            for result in results:
                yield result if isinstance(result, ReadError) else self.decide(result)
            return
        from .spool import OutcomeSpool

        with OutcomeSpool(spool_dir) as spool:
            for result in results:
                if isinstance(result, Outcome) and result.kept:
                    for stage in observers:
                        clock = time.perf_counter()
                        stage.observe(result)
                        result.timings[_stage_name(stage)] = time.perf_counter() - clock
                spool.write(result)
            for stage in observers:
                stage.finish()  # type: ignore[attr-defined]
            ordinal = 0
            for result in spool.read():
                if isinstance(result, Outcome) and result.kept:
                    result.features["corpus_seq"] = ordinal
                    ordinal += 1
                    self.decide(result)
                yield result

    def commit(self) -> None:
        """Make corpus state durable (the dedup index) once a run's outputs are written."""
        for stage in self.corpus_stages:
            if hasattr(stage, "commit"):
                stage.commit()

    def close(self) -> None:
        """Release corpus state (an uncommitted index is left as it was)."""
        for stage in self.corpus_stages:
            if hasattr(stage, "close"):
                stage.close()

    def run(self, items: Iterable[Document | ReadError]) -> Iterator[Outcome | ReadError]:
        """Every input item's fate, in input order (read errors pass through); commits at the end.

        Lazy when every corpus stage can stream (dedup keeping the first seen); a policy that
        needs whole clusters (`--keep longest`) reads everything before the first result.
        """
        try:
            yield from self.decide_all(
                (item if isinstance(item, ReadError) else self.process(item) for item in items),
                streaming=True,
            )
            self.commit()
        finally:
            self.close()

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


_WARM_UP_TEXT = (
    "PARIS, 10 février (AFP) – Le port de Marseille a enregistré une hausse de 12 % de son trafic.\n\n"
    "La direction attribue ce résultat au retour des croisiéristes, selon un communiqué publié mardi.\n\n"
    "The central bank held interest rates steady on Wednesday, citing persistent inflation.\n\n"
    "Suivez-nous sur Twitter et Facebook. © Le Monde 2024 – Tous droits réservés."
)


def _stage_name(stage: object) -> str:
    return str(getattr(stage, "name", type(stage).__name__.lower()))


def _source_of(metadata: dict[str, Any], config: Config) -> str | None:
    value = metadata.get(config.input.source_field)
    return str(value) if value is not None else None
