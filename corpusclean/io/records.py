"""Rows of tabular inputs (Parquet, Arrow, pandas, `datasets` batches) as Documents.

Every tabular row goes through `row_document`, so a Parquet row, a dataframe row and a
`datasets` row become the same Document that the JSONL line with the same fields would.
"""

from __future__ import annotations

import base64
import datetime
import decimal
from collections.abc import Mapping
from typing import Any

from ..config import InputConfig
from ..document import Document
from .readers import record_document


def plain(value: Any) -> Any:
    """A cell as JSON-ready data: dates as ISO text, bytes as UTF-8 (else base64), NaN as None."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if hasattr(value, "tolist") and not isinstance(value, str | bytes):
        return plain(value.tolist())  # numpy arrays and scalars (pandas cells)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return base64.b64encode(value).decode("ascii")
    if isinstance(value, float) and value != value:  # NaN (pandas' missing value) is not JSON
        return None
    return value


def row_id(record: Mapping[str, Any], config: InputConfig, default_id: str) -> str:
    """The row's id from the id column, or `default_id` when it is missing or empty."""
    raw_id = record.get(config.id_field)
    return str(raw_id) if isinstance(raw_id, str | int) and str(raw_id) != "" else default_id


def row_document(
    record: Mapping[str, Any], config: InputConfig, default_id: str, where: Mapping[str, Any] | None = None
) -> Document | str:
    """One tabular row as a Document (oversize rows marked as the readers do), or what is wrong."""
    body = record.get(config.text_field)
    if isinstance(body, str) and len(body) * 4 > config.max_bytes:
        size = len(body.encode("utf-8"))
        if size > config.max_bytes:
            metadata = {**(where or {}), "oversize": True, "bytes": size}
            return Document(row_id(record, config, default_id), "", metadata)
    cells = {key: plain(value) for key, value in record.items()}
    return record_document(cells, config, default_id, where)
