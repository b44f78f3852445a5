"""A datatrove pipeline step that cleans documents with corpusclean and drops the rejected ones.

    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from corpusclean.integrations.datatrove import CorpuscleanStep

    LocalPipelineExecutor(
        pipeline=[JsonlReader("raw/"), CorpuscleanStep(config), JsonlWriter("clean/")], tasks=1
    ).run()

Each datatrove Document becomes the corpusclean Document its JSONL line would (id, text,
metadata), goes through a `Cleaner`, and comes out with the cleaned text and corpusclean's
metadata (`chars_in`, `chars_out`, `removed`, what was parsed) merged into its own. A
dropped document is not forwarded; it goes to the `exclusion_writer` when one is given,
with `filter_reason` set as datatrove's own filters do.

De-duplication is streaming within one task: every task (rank) gets a new Cleaner (or a
copy of the fitted one given), so documents are de-duplicated against the earlier ones of
the same task. Run with `tasks=1` for one corpus-wide pass, or shard by source.
"""

from __future__ import annotations

import contextlib
import copy
from typing import Any

try:
    from datatrove.data import Document as DatatroveDocument
    from datatrove.data import DocumentsPipeline
    from datatrove.pipeline.base import PipelineStep
    from datatrove.pipeline.writers.disk_base import DiskWriter
    from datatrove.utils.typeshelper import StatHints
except ImportError as error:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        f"corpusclean.integrations.datatrove needs datatrove: pip install 'corpusclean[datatrove]' ({error})"
    ) from None

from ..config import Config
from ..io.readers import ReadError
from ..io.records import row_document
from ..pipeline import Cleaner, Outcome

__all__ = ["CorpuscleanStep"]


class CorpuscleanStep(PipelineStep):  # type: ignore[misc]  # datatrove ships no type hints
    """Clean each datatrove Document with corpusclean; forward kept ones, drop the rest.

    Give a `config`, or a `cleaner` already fitted (`Cleaner(config).fit(documents)`)
    when a detector learns corpus statistics: a step sees its documents once, so it
    cannot make the fit pass itself.
    """

    name = "🧽 corpusclean"
    type = "✂️ - FORMAT"

    def __init__(
        self,
        config: Config | None = None,
        *,
        cleaner: Cleaner | None = None,
        exclusion_writer: DiskWriter | None = None,
    ) -> None:
        super().__init__()
        if config is not None and cleaner is not None and cleaner.config != config:
            raise ValueError("give a config or a cleaner built from it, not both")
        self.config = cleaner.config if cleaner is not None else (config or Config())
        self.cleaner = cleaner
        self.exclusion_writer = exclusion_writer

    def new_cleaner(self) -> Cleaner:
        """The Cleaner of one task: a copy of the given one, or a new one from the config."""
        return copy.deepcopy(self.cleaner) if self.cleaner is not None else Cleaner(self.config)

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        """Forward every kept document, cleaned; count and optionally write the dropped ones."""
        if data is None:
            return
        cleaner = self.new_cleaner()
        writer_context = self.exclusion_writer if self.exclusion_writer else contextlib.nullcontext()
        with writer_context as writer:
            for document in data:
                self.stat_update(StatHints.total)
                with self.track_time():
                    result = self._clean(cleaner, document)
                if isinstance(result, ReadError):
                    self._drop(document, "error", {"error": result.error}, writer, rank)
                elif result.drop is not None:
                    document.text = result.doc.text
                    document.metadata = result.doc.metadata
                    self._drop(document, str(result.drop.reason), dict(result.drop.evidence), writer, rank)
                else:
                    yield self._forward(document, result)

    def _clean(self, cleaner: Cleaner, document: DatatroveDocument) -> Outcome | ReadError:
        record: dict[str, Any] = {"metadata": dict(document.metadata or {})}
        record[self.config.input.id_field] = document.id
        record[self.config.input.text_field] = document.text
        doc = row_document(record, self.config.input, str(document.id))
        if isinstance(doc, str):
            return ReadError("<datatrove>", None, doc, str(document.id))
        return cleaner.decide(cleaner.process(doc))

    def _forward(self, document: DatatroveDocument, outcome: Outcome) -> DatatroveDocument:
        self.stat_update(StatHints.forwarded)
        for removal in outcome.doc.metadata.get("removed", ()):
            self.stat_update(f"removed_chars_{removal['reason']}", value=len(removal["text"]))
        document.text = outcome.doc.text
        document.metadata = outcome.doc.metadata
        self.update_doc_stats(document)
        return document

    def _drop(
        self,
        document: DatatroveDocument,
        reason: str,
        evidence: dict[str, Any],
        writer: Any,
        rank: int,
    ) -> None:
        self.stat_update(StatHints.dropped)
        self.stat_update(f"dropped_{reason}")
        if writer is not None:
            document.metadata["filter_reason"] = reason
            if evidence:
                document.metadata["drop_evidence"] = evidence
            writer.write(document, rank)
