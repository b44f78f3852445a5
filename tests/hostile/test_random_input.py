"""Random bytes and random JSONL records through reader + pipeline: nothing escapes, the ledger balances."""

from __future__ import annotations

import gzip
import io
import json
import tempfile
from pathlib import Path

import zstandard
from hypothesis import given
from hypothesis import strategies as st

from corpusclean import Cleaner, Config, Document, InputConfig, ReadError
from corpusclean.io.readers import _BINARY_MAGIC, _open_compressed, read_jsonl_stream, read_text_file
from corpusclean.io.writers import dumps
from corpusclean.report import RunStats

from strategies import hostile_bytes, jsonl_lines, news_text


def _through_pipeline(items: list[Document | ReadError], config: Config) -> RunStats:
    """Process every item as the runner does and check each written row is valid UTF-8 JSON."""
    cleaner = Cleaner(config)
    stats = RunStats()
    for result in cleaner.run(items):
        if isinstance(result, ReadError):
            row = result.to_dict()
            assert row["path"] and row["error"] and row["kind"]
        else:
            row = result.doc.to_dict()
        json.loads(dumps(row).encode("utf-8"))  # what the writers write must be readable back
        stats.add(result)
    assert stats.balanced()
    assert stats.docs_in == len(items)
    return stats


@given(data=hostile_bytes(), on_error=st.sampled_from(["error", "replace"]))
def test_random_bytes_as_a_text_file(data: bytes, on_error: str) -> None:
    """Any bytes in a .txt become one Document or one ReadError; with `replace`, never a decode error."""
    config = Config(input=InputConfig(max_bytes=4096, on_decode_error=on_error))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "dépêche.txt"
        path.write_bytes(data)
        item = read_text_file(path, path.name, config.input)
    if on_error == "replace" and isinstance(item, ReadError):
        assert item.kind == "binary", item
    _through_pipeline([item], config)


@given(lines=jsonl_lines(), on_error=st.sampled_from(["error", "replace"]))
def test_random_jsonl_records(lines: list[bytes], on_error: str) -> None:
    """Every non-blank line is exactly one Document or ReadError, numbered by its line; a file
    that opens like UTF-16 or a binary format (or holds a NUL early) is one error for the file."""
    config = Config(input=InputConfig(max_bytes=2048, on_decode_error=on_error))
    data = b"\n".join(lines) + b"\n"
    items = list(read_jsonl_stream(io.BytesIO(data), "feed.jsonl", "feed", config.input))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        assert [(i.kind, i.line) for i in items if isinstance(i, ReadError)] == [("decode", None)]
        assert len(items) == 1
    elif data.startswith(_BINARY_MAGIC) or b"\x00" in data[:8192]:
        assert [(i.kind, i.line) for i in items if isinstance(i, ReadError)] == [("binary", None)]
        assert len(items) == 1
    else:
        expected = [n for n, line in enumerate(data.split(b"\n")[:-1], 1) if line.strip()]
        assert [i.line if isinstance(i, ReadError) else i.metadata["line"] for i in items] == expected
    _through_pipeline(items, config)


@given(
    texts=st.lists(news_text(), min_size=1, max_size=6),
    cut=st.integers(min_value=1, max_value=400),
    codec=st.sampled_from(["gz", "zst"]),
)
def test_truncated_archive_keeps_what_came_before(texts: list[str], cut: int, codec: str) -> None:
    """A compressed JSONL cut anywhere: the records read are a prefix of the original, then one error."""
    records = [{"id": f"d{i}", "text": text} for i, text in enumerate(texts)]
    raw = b"".join(json.dumps(r).encode() + b"\n" for r in records)
    packed = gzip.compress(raw, mtime=0) if codec == "gz" else zstandard.ZstdCompressor().compress(raw)
    config = InputConfig()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"feed.jsonl.{codec}"
        path.write_bytes(packed[: len(packed) - min(cut, len(packed) - 1)])
        with _open_compressed(path) as handle:
            items = list(read_jsonl_stream(handle, path.name, "feed", config))
    docs = [i for i in items if isinstance(i, Document)]
    assert [d.id for d in docs] == [r["id"] for r in records[: len(docs)]]
    assert len(docs) <= len(records)
    assert isinstance(items[-1], ReadError) and items[-1].kind == "truncated"
