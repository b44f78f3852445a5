"""Parquet in and out, streaming in row groups with pyarrow (the optional `parquet` extra).

Reading: a `.parquet` input is read batch by batch, never whole; every row becomes the
Document its JSONL line would (see `record_document`): the text column, the id column
(`FILE-R<row>` when missing), a `metadata` struct or JSON object merged with the other
columns. A row that cannot be used becomes a `ReadError` whose `line` is the row number.

Writing: `documents.parquet` has the columns `id`, `text`, `metadata`; `dropped.parquet`
has `id`, `reason`, `evidence`, `text`, `metadata`. `metadata` and `evidence` are JSON
text: metadata is free-form (each input brings its own fields), and a struct column would
need one schema for all of them; JSON keeps every value exactly as documents.jsonl has it.
Files are written to `NAME.partial`, a row group at a time, and renamed on a clean close;
`iter_output_records` reads them back as the records they were given (for explain and
the report).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

from ..config import InputConfig
from ..errors import ConfigError, InputError
from .readers import InputItem, ReadError
from .records import row_document, row_id
from .writers import AtomicOutput

INSTALL_HINT = "pip install 'corpusclean[parquet]'"

# Rows per read batch and per written row group: large enough for Parquet's columnar
# compression to pay off, small enough that a batch of long articles stays a few MB.
ROWS_PER_BATCH = 1024
ROWS_PER_GROUP = 4096
# A row group is also closed once its text reaches this many characters, so memory stays
# bounded when documents are long.
CHARS_PER_GROUP = 64 * 1024 * 1024


def require_pyarrow(purpose: str, error: type[Exception] = ConfigError) -> ModuleType:
    """Import pyarrow, or raise a one-line error saying how to install it."""
    try:
        import pyarrow
        import pyarrow.parquet  # the submodule must load too
    except ImportError:
        raise error(f"{purpose} needs pyarrow: {INSTALL_HINT}") from None
    module: ModuleType = pyarrow
    return module


def read_parquet(path: Path, relative: str, config: InputConfig) -> Iterator[InputItem]:
    """Every row of a Parquet file, in order, read one batch at a time."""
    pa = require_pyarrow(f"{path}: reading Parquet", InputError)
    stem = Path(relative).name.split(".")[0]
    try:
        parquet = pa.parquet.ParquetFile(path)
    except (OSError, pa.ArrowException) as error:
        yield ReadError(relative, None, f"not a readable Parquet file: {error}")
        return
    row = 0
    with parquet:
        batches = parquet.iter_batches(batch_size=ROWS_PER_BATCH)
        while True:
            try:
                batch = next(batches)
            except StopIteration:
                return
            except (OSError, pa.ArrowException) as error:
                yield ReadError(relative, row + 1, f"Parquet data is truncated or corrupt: {error}")
                return
            for record in batch.to_pylist():
                row += 1
                yield _row_item(record, relative, row, stem, config)


def _row_item(record: dict[str, Any], relative: str, row: int, stem: str, config: InputConfig) -> InputItem:
    default_id = f"{stem}-R{row}"
    document = row_document(record, config, default_id, {"path": relative, "row": row})
    if isinstance(document, str):
        return ReadError(relative, row, document, row_id(record, config, default_id))
    return document


# (column, Arrow type name, written as JSON text); `rest` names the JSON column that
# receives a record's other keys (a drop's evidence).
DOCUMENT_COLUMNS = (("id", "string", False), ("text", "string", False), ("metadata", "string", True))
DROPPED_COLUMNS = (
    ("id", "string", False),
    ("reason", "string", False),
    ("evidence", "string", True),
    ("text", "string", False),
    ("metadata", "string", True),
)


class AtomicParquetWriter(AtomicOutput):
    """Write records to `PATH.partial` as Parquet row groups, renamed to `PATH` on a clean close.

    Takes the same records as `AtomicJsonlWriter` (`{"id", "text", "metadata"}`, or a
    dropped record with its reason and evidence), so the runner does not care which it has;
    committing and aborting are `AtomicOutput`'s.
    """

    def __init__(self, path: Path | str, kind: str = "documents") -> None:
        pa = require_pyarrow("--format parquet")
        if kind not in ("documents", "dropped"):
            raise ValueError(f"kind must be 'documents' or 'dropped', not {kind!r}")
        self._pa = pa
        self.path = Path(path)
        self.count = 0
        self._columns = DOCUMENT_COLUMNS if kind == "documents" else DROPPED_COLUMNS
        self._rest = "evidence" if kind == "dropped" else "metadata"
        fields = [pa.field(name, pa.string(), nullable=False) for name, _, _ in self._columns]
        self._schema = pa.schema(fields)
        self._temp: Path | None = self.path.with_name(self.path.name + ".partial")
        self._writer = pa.parquet.ParquetWriter(
            self._temp, self._schema, compression="zstd", write_statistics=["id", "reason"]
        )
        self._buffer: dict[str, list[str]] = {name: [] for name, _, _ in self._columns}
        self._buffered_chars = 0

    def write(self, record: Mapping[str, Any]) -> None:
        """Append one record; a row group is flushed when the buffer is full."""
        known = {name for name, _, _ in self._columns}
        rest = {key: value for key, value in record.items() if key not in known}
        for name, _, as_json in self._columns:
            value = record.get(name)
            if name == self._rest and rest:
                value = {**(value or {}), **rest} if isinstance(value, Mapping) or value is None else value
            if as_json:
                cell = _dumps(value if value is not None else {})
            else:
                cell = "" if value is None else str(value)
            self._buffer[name].append(cell)
            self._buffered_chars += len(cell)
        self.count += 1
        if len(self._buffer["id"]) >= ROWS_PER_GROUP or self._buffered_chars >= CHARS_PER_GROUP:
            self._flush()

    def _flush(self) -> None:
        if not self._buffer["id"]:
            return
        pa = self._pa
        arrays = [pa.array(self._buffer[name], pa.string()) for name, _, _ in self._columns]
        self._writer.write_table(pa.Table.from_arrays(arrays, schema=self._schema))
        self._buffer = {name: [] for name, _, _ in self._columns}
        self._buffered_chars = 0

    def _close(self) -> None:
        self._flush()
        self._writer.close()


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def iter_output_records(path: Path) -> Iterator[dict[str, Any]]:
    """The records of a documents.parquet or dropped.parquet, shaped as their JSONL lines."""
    pa = require_pyarrow(f"{path}: reading Parquet", InputError)
    with pa.parquet.ParquetFile(path) as parquet:
        for batch in parquet.iter_batches(batch_size=ROWS_PER_BATCH):
            for row in batch.to_pylist():
                yield output_record(row)


def find_output_records(path: Path, ids: Collection[str]) -> dict[str, dict[str, Any]]:
    """The records of a corpusclean Parquet output whose id is in `ids`, reading until all are found."""
    pa = require_pyarrow(f"{path}: reading Parquet", InputError)
    import pyarrow.compute as pc

    wanted = pa.array(sorted(set(ids)), pa.string())
    found: dict[str, dict[str, Any]] = {}
    with pa.parquet.ParquetFile(path) as parquet:
        for batch in parquet.iter_batches(batch_size=ROWS_PER_BATCH):
            matches = batch.filter(pc.is_in(batch.column("id"), value_set=wanted))
            for row in matches.to_pylist():
                found.setdefault(row["id"], output_record(row))
            if len(found) == len(wanted):
                break
    return found


def output_record(row: Mapping[str, Any]) -> dict[str, Any]:
    """A row written by `AtomicParquetWriter` back as the record given to it (JSON decoded)."""
    record: dict[str, Any] = {"id": row["id"]}
    if "reason" in row:
        record["reason"] = row["reason"]
        for key, value in json.loads(row.get("evidence") or "{}").items():
            record.setdefault(key, value)
    record["text"] = row["text"]
    record["metadata"] = json.loads(row.get("metadata") or "{}")
    return record
