"""A temporary file of outcomes, for corpus stages that must see every document first.

Keep policies such as `longest` or `earliest` cannot decide a document before its whole
cluster is known. Rather than holding outcomes (full texts) in memory, the first pass
writes them here and the second pass reads them back in the same order: memory stays
bounded by the corpus stages' own state, disk use by the size of the cleaned corpus.
Records are pickled plain dicts (a quarter of JSON's cost both ways): the file is unnamed
(`TemporaryFile`), written and read by this process only.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from .document import Document, Drop, Reason
from .io.readers import ReadError
from .pipeline import Outcome


class OutcomeSpool:
    """Write outcomes and read errors once, then read them back in order."""

    def __init__(self, directory: str | Path | None = None) -> None:
        # Lives across both passes; `close()` (or the with block) deletes it.
        self._file: IO[bytes] = tempfile.TemporaryFile(  # noqa: SIM115
            "w+b", dir=directory, prefix=".corpusclean-spool-"
        )
        self.count = 0

    def write(self, item: Outcome | ReadError) -> None:
        """Append one item (the outcome's `features` are not kept: they were for the first pass)."""
        record: dict[str, Any]
        if isinstance(item, ReadError):
            record = {"error": item.to_dict()}
        else:
            record = {"doc": item.doc.to_dict(), "chars_in": item.chars_in, "timings": item.timings}
            if item.drop is not None:
                record["drop"] = str(item.drop.reason)
                record["evidence"] = dict(item.drop.evidence)
        pickle.dump(record, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self.count += 1

    def read(self) -> Iterator[Outcome | ReadError]:
        """Every item written, in order."""
        self._file.flush()
        self._file.seek(0)
        for _ in range(self.count):
            record = pickle.load(self._file)
            if "error" in record:
                error = record["error"]
                yield ReadError(error["path"], error["line"], error["error"], error.get("id"), error["kind"])
                continue
            doc = record["doc"]
            drop = Drop(Reason(record["drop"]), record.get("evidence") or {}) if "drop" in record else None
            yield Outcome(
                Document(doc["id"], doc["text"], doc["metadata"]), drop, record["chars_in"], record["timings"]
            )

    def close(self) -> None:
        """Delete the temporary file."""
        self._file.close()

    def __enter__(self) -> OutcomeSpool:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()
