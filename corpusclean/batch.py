"""Clean column batches: `datasets.Dataset.map`, pandas DataFrames and pyarrow Tables.

A batch is a mapping of column name to a list of values, the shape `datasets` hands to
`map(..., batched=True)`. Each row becomes the Document its JSONL line would (the text
column, the id column, every other column as metadata), goes through the same `Cleaner`
as the CLI, and comes back as one row of flat, Arrow-friendly columns (`BATCH_COLUMNS`):

    id, text, keep, drop_reason, drop_evidence_json, chars_in, chars_out,
    date, source, lang, removed_json, metadata_json

The schema is the same for every batch, and no column is ever null: an absent string is
`""`. `datasets` fixes a column's type from the first batch it writes, so a column that
is null throughout the first batch (no document dropped yet) would break the whole map.
Dropped documents stay in the output with `keep=False` and their reason, so nothing
vanishes; `.filter(lambda row: row["keep"])` keeps the clean corpus.

Corpus-level decisions (de-duplication) need the documents seen before:

* `clean_batch` is stateless across calls: duplicates are found inside one batch only.
  Safe with `num_proc`, caching and re-runs.
* A `BatchCleaner` keeps one `Cleaner` across calls: streaming de-duplication over every
  batch it is given, in order (the first seen is kept). With `num_proc > 1`, `datasets`
  copies it into each process, so each process de-duplicates its own shard only.
* `clean_dataframe` and `clean_arrow` see the whole table: one `Cleaner` for all rows,
  fitted on them first when a detector learns corpus statistics, as the CLI does.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Self

from .config import Config
from .document import Document
from .errors import InputError
from .io.readers import ReadError
from .io.records import row_document, row_id
from .pipeline import Cleaner, Outcome, build_corpus_stages

if TYPE_CHECKING:
    import pandas
    import pyarrow

# Metadata fields promoted to their own column; the rest of the metadata is JSON.
PROMOTED = ("date", "source", "lang")
# Every output column with its Arrow type name, in output order.
BATCH_SCHEMA: tuple[tuple[str, str], ...] = (
    ("id", "string"),
    ("text", "string"),
    ("keep", "bool"),
    ("drop_reason", "string"),
    ("drop_evidence_json", "string"),
    ("chars_in", "int64"),
    ("chars_out", "int64"),
    ("date", "string"),
    ("source", "string"),
    ("lang", "string"),
    ("removed_json", "string"),
    ("metadata_json", "string"),
)
BATCH_COLUMNS: tuple[str, ...] = tuple(name for name, _ in BATCH_SCHEMA)
# The drop_reason of a row that could not be read at all (no text, wrong type).
ERROR_REASON = "error"
_UNPROMOTED = {"chars_in", "chars_out", "removed", *PROMOTED}
_EMPTY_ROW: dict[str, Any] = {
    "id": "",
    "text": "",
    "keep": False,
    "drop_reason": "",
    "drop_evidence_json": "{}",
    "chars_in": 0,
    "chars_out": 0,
    "date": "",
    "source": "",
    "lang": "",
    "removed_json": "[]",
    "metadata_json": "{}",
}


class BatchCleaner:
    """Clean column batches with one `Cleaner` kept across calls (streaming de-duplication).

    Callable as `datasets.Dataset.map(BatchCleaner(config), batched=True)`; pass
    `with_indices=True` too when the data has no id column, so ids are the row indices.
    """

    def __init__(self, config: Config | None = None, *, cleaner: Cleaner | None = None) -> None:
        self.cleaner = cleaner if cleaner is not None else Cleaner(config)
        self.config = self.cleaner.config
        self._rows = 0  # rows seen, for ids when there is neither an id column nor indices

    def fit(self, batches: Iterable[Mapping[str, Sequence[Any]]]) -> Self:
        """Learn corpus statistics from a first pass over the batches (e.g. `ds.iter(1000)`)."""
        self.cleaner.fit(
            doc
            for batch in batches
            for doc in self.documents(batch, count=False)
            if isinstance(doc, Document)
        )
        return self

    def documents(
        self, batch: Mapping[str, Sequence[Any]], indices: Sequence[int] | None = None, *, count: bool = True
    ) -> list[Document | ReadError]:
        """Each row of the batch as a Document, or a ReadError saying why it cannot be one."""
        text_field = self.config.input.text_field
        if text_field not in batch:
            raise InputError(
                f"batch has no text column {text_field!r} (columns: {', '.join(map(str, batch))})"
            )
        columns = list(batch)
        size = len(batch[text_field])
        first = self._rows
        if count:
            self._rows += size
        rows: list[Document | ReadError] = []
        for position in range(size):
            record = {name: batch[name][position] for name in columns}
            number = int(indices[position]) if indices is not None else first + position
            default_id = f"row-{number}"
            doc = row_document(record, self.config.input, default_id)
            if isinstance(doc, str):
                rows.append(ReadError("<batch>", number, doc, row_id(record, self.config.input, default_id)))
            else:
                rows.append(doc)
        return rows

    def outcomes(
        self, batch: Mapping[str, Sequence[Any]], indices: Sequence[int] | None = None
    ) -> list[Outcome | ReadError]:
        """What happened to each row, in order (a row that is not a document is a ReadError)."""
        return list(self.cleaner.run(self.documents(batch, indices)))

    def __call__(
        self, batch: Mapping[str, Sequence[Any]], indices: Sequence[int] | None = None
    ) -> dict[str, list[Any]]:
        """The batch's output columns (`BATCH_COLUMNS`; cleaned text under the text column)."""
        inputs = set(batch)
        rows = [outcome_row(outcome, inputs) for outcome in self.outcomes(batch, indices)]
        out = {name: [row[name] for row in rows] for name in BATCH_COLUMNS}
        text_field = self.config.input.text_field
        if text_field != "text":
            out[text_field] = out.pop("text")
        return out

    def arrow(self, table: pyarrow.Table | pyarrow.RecordBatch) -> pyarrow.Table:
        """A pyarrow Table or RecordBatch with the cleaned text and the output columns."""
        import pyarrow as pa

        columns = self(table.to_pydict())
        types = {"string": pa.string(), "bool": pa.bool_(), "int64": pa.int64()}
        produced = {
            name: pa.field(name, types[kind], nullable=False) for name, kind in _output_schema(self.config)
        }
        # Input columns keep their place (the text column is replaced in place); new ones follow.
        names = list(table.schema.names) + [name for name in produced if name not in table.schema.names]
        arrays, fields = [], []
        for name in names:
            if name in produced:
                fields.append(produced[name])
                arrays.append(pa.chunked_array([pa.array(columns[name], produced[name].type)]))
            else:
                fields.append(table.schema.field(name))
                arrays.append(_chunked(table.column(name)))
        return pa.Table.from_arrays(arrays, schema=pa.schema(fields, metadata=table.schema.metadata))

    def dataframe(self, frame: pandas.DataFrame) -> pandas.DataFrame:
        """A copy of the DataFrame with the cleaned text and the output columns (index kept)."""
        columns = self(frame.to_dict(orient="list"))
        out = frame.copy()
        for name, kind in _output_schema(self.config):
            out[name] = _pandas_column(columns[name], kind, frame.index)
        return out


def clean_batch(
    batch: Mapping[str, Sequence[Any]], indices: Sequence[int] | None = None, *, config: Config | None = None
) -> dict[str, list[Any]]:
    """Clean one column batch; for `datasets.Dataset.map(clean_batch, batched=True)`.

    Stateless across calls: de-duplication happens inside the batch only, so the result
    does not depend on what was mapped before, on `num_proc` or on the cache. Use a
    `BatchCleaner` to de-duplicate across batches. Give a config with
    `fn_kwargs={"config": config}`.
    """
    config = config or Config()
    try:
        cleaner = _shared_cleaner(config)
    except TypeError:  # a config holding an unhashable value cannot be a cache key
        cleaner = Cleaner(config)
    # The per-document work is shared; the corpus-level state is new for every call.
    cleaner.corpus_stages = build_corpus_stages(cleaner.config)
    return BatchCleaner(cleaner=cleaner)(batch, indices)


def clean_dataframe(
    frame: pandas.DataFrame, config: Config | None = None, *, cleaner: Cleaner | None = None
) -> pandas.DataFrame:
    """Clean a pandas DataFrame: a copy with the cleaned text and the output columns.

    One Cleaner sees every row in order, so duplicates across the whole frame are found;
    a new Cleaner is first fitted on the frame when a detector learns corpus statistics.
    """
    batch_cleaner = _whole_table_cleaner(config, cleaner, lambda: [frame.to_dict(orient="list")])
    return batch_cleaner.dataframe(frame)


def clean_arrow(
    table: pyarrow.Table, config: Config | None = None, *, cleaner: Cleaner | None = None
) -> pyarrow.Table:
    """Clean a pyarrow Table: the cleaned text and the output columns, batch by batch.

    One Cleaner sees every row in order, as `clean_dataframe` does.
    """
    import pyarrow as pa

    batch_cleaner = _whole_table_cleaner(
        config, cleaner, lambda: (batch.to_pydict() for batch in table.to_batches())
    )
    parts = [batch_cleaner.arrow(batch) for batch in table.to_batches() if batch.num_rows]
    if not parts:
        return batch_cleaner.arrow(table)
    return pa.concat_tables(parts)


def clean_record_batches(
    batches: Iterable[pyarrow.RecordBatch], config: Config | None = None, *, cleaner: Cleaner | None = None
) -> Iterator[pyarrow.Table]:
    """Clean a stream of Arrow record batches lazily, de-duplicating across all of them.

    For inputs too large to hold (`pyarrow.dataset.Dataset.to_batches()`, a Parquet
    file's `iter_batches()`); no fit pass is made, so pass a fitted `cleaner` when a
    detector needs corpus statistics.
    """
    batch_cleaner = BatchCleaner(config, cleaner=cleaner)
    for batch in batches:
        yield batch_cleaner.arrow(batch)


def outcome_row(outcome: Outcome | ReadError, input_columns: Iterable[str] = ()) -> dict[str, Any]:
    """One output row (`BATCH_COLUMNS`); input columns are left out of metadata_json.

    A ReadError (a row without usable text) is kept as a dropped row with reason
    `error`, the batch form of errors.jsonl, so that rows in = rows out.
    """
    if isinstance(outcome, ReadError):
        return {
            **_EMPTY_ROW,
            "id": outcome.id or f"row-{outcome.line}",
            "drop_reason": ERROR_REASON,
            "drop_evidence_json": _dumps({"error": outcome.error}),
        }
    doc = outcome.doc
    metadata = doc.metadata
    skip = _UNPROMOTED | set(input_columns)
    drop = outcome.drop
    return {
        "id": doc.id,
        "text": doc.text,
        "keep": drop is None,
        "drop_reason": str(drop.reason) if drop is not None else "",
        "drop_evidence_json": _dumps(dict(drop.evidence)) if drop is not None else "{}",
        "chars_in": int(metadata.get("chars_in", outcome.chars_in) or 0),
        "chars_out": len(doc.text),
        "date": _text(metadata.get("date")),
        "source": _text(metadata.get("source")),
        "lang": _text(metadata.get("lang")),
        "removed_json": _dumps(metadata.get("removed", [])),
        "metadata_json": _dumps({k: v for k, v in metadata.items() if k not in skip}),
    }


@lru_cache(maxsize=8)
def _shared_cleaner(config: Config) -> Cleaner:
    # Building detectors can load rule packs and models: once per config per process.
    return Cleaner(config)


def _whole_table_cleaner(
    config: Config | None,
    cleaner: Cleaner | None,
    batches: Any,
) -> BatchCleaner:
    batch_cleaner = BatchCleaner(config, cleaner=cleaner)
    if cleaner is None and any(hasattr(d, "fit") for d in batch_cleaner.cleaner.detectors):
        batch_cleaner.fit(batches())
    return batch_cleaner


def _output_schema(config: Config) -> list[tuple[str, str]]:
    text_field = config.input.text_field
    return [(text_field if name == "text" else name, kind) for name, kind in BATCH_SCHEMA]


def _chunked(column: Any) -> Any:
    import pyarrow as pa

    return column if isinstance(column, pa.ChunkedArray) else pa.chunked_array([column], column.type)


def _pandas_column(values: list[Any], kind: str, index: Any) -> Any:
    import pandas as pd

    # Strings take pandas' default string dtype (object before pandas 3, str from 3 on).
    return pd.Series(values, index=index, dtype=None if kind == "string" else kind)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
