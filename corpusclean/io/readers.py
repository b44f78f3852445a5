"""Readers: turn input paths into a stream of `Document`s and `ReadError`s, in a stable order.

Supported inputs: a directory (walked recursively, sorted), article dumps (`.txt`, with
the optional leading ` date YYYY-MM ` header), JSONL (`.jsonl`, `.jsonl.gz`,
`.jsonl.zst`), Parquet (`.parquet`, with the `parquet` extra) and `-` for JSONL on
standard input. A record that cannot be read becomes a `ReadError` naming the file and
line; it never stops the stream.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ..config import InputConfig
from ..document import Document
from ..errors import InputError

TEXT_SUFFIXES = (".txt",)
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".jsonl.zst", ".ndjson")
PARQUET_SUFFIXES = (".parquet",)
_HEADER = re.compile(r"\A[ \t]*date[ \t]+(\d{4}-\d{2}(?:-\d{2})?)(?:[ \t]+|[ \t]*\n)")
_BINARY_MAGIC = (b"%PDF", b"PK\x03\x04", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x7fELF")


@dataclass(frozen=True, slots=True)
class ReadError:
    """An input record that could not be read: where it was and what went wrong."""

    path: str
    line: int | None
    error: str
    id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form written to `errors.jsonl`."""
        return {"path": self.path, "line": self.line, "id": self.id, "error": self.error}


InputItem = Document | ReadError


def parse_header(text: str) -> tuple[str, dict[str, str]]:
    """Split the optional ` date YYYY-MM ` header off an article dump.

    >>> parse_header(" date 2025-02 PARIS, 10 février")
    ('PARIS, 10 février', {'date': '2025-02'})
    """
    match = _HEADER.match(text)
    if not match:
        return text, {}
    return text[match.end() :], {"date": match.group(1)}


def expand_inputs(paths: Iterable[str], exclude: Path | None = None) -> Iterator[tuple[str, Path | None]]:
    """Each input file as `(root, path)`, directories walked in sorted order.

    `root` is what the user named (relative paths in metadata are taken from it);
    `path` is None for standard input. The output directory is never read back.
    """
    excluded = exclude.resolve() if exclude is not None else None
    for raw in paths:
        if raw == "-":
            yield raw, None
            continue
        path = Path(raw)
        if not path.exists():
            raise InputError(f"{raw}: no such file or directory")
        if path.is_file():
            yield raw, path
            continue
        for found in _walk(path, excluded):
            yield raw, found


def _walk(root: Path, excluded: Path | None) -> Iterator[Path]:
    seen: set[tuple[int, int]] = set()
    stack = [root]
    files: list[Path] = []
    while stack:
        folder = stack.pop()
        try:
            stat = folder.stat()
        except OSError:
            continue
        if (stat.st_dev, stat.st_ino) in seen:
            continue  # a symlink loop
        seen.add((stat.st_dev, stat.st_ino))
        if excluded is not None and folder.resolve() == excluded:
            continue
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            entry_path = Path(entry.path)
            if entry.is_dir():
                stack.append(entry_path)
            elif _is_supported(entry.name):
                files.append(entry_path)
    yield from sorted(files, key=lambda p: p.relative_to(root).as_posix())


def _is_supported(name: str) -> bool:
    lowered = name.lower()
    return lowered.endswith(TEXT_SUFFIXES + JSONL_SUFFIXES + PARQUET_SUFFIXES)


def read_inputs(
    paths: Iterable[str], config: InputConfig | None = None, exclude: Path | None = None
) -> Iterator[InputItem]:
    """Stream every record of every input, in a stable order."""
    config = config or InputConfig()
    for root, path in expand_inputs(paths, exclude):
        if path is None:
            yield from read_jsonl_stream(sys.stdin.buffer, "<stdin>", "stdin", config)
            continue
        name = path.name.lower()
        relative = _relative(root, path)
        if name.endswith(JSONL_SUFFIXES):
            yield from read_jsonl(path, relative, config)
        elif name.endswith(PARQUET_SUFFIXES):
            from .parquet import read_parquet  # pyarrow is an optional extra

            yield from read_parquet(path, relative, config)
        else:
            yield read_text_file(path, relative, config)


def _relative(root: str, path: Path) -> str:
    root_path = Path(root)
    if root_path.is_file():
        return path.name
    return path.relative_to(root_path).as_posix()


def read_text_file(path: Path, relative: str, config: InputConfig) -> InputItem:
    """One article dump: id from the file stem, date header into metadata."""
    doc_id = path.name[: -len(path.suffix)] if path.suffix else path.name
    metadata: dict[str, Any] = {"path": relative}
    parent = Path(relative).parent.as_posix()
    if parent != ".":
        metadata["source"] = parent.split("/")[0]
    try:
        with path.open("rb") as handle:
            data = handle.read(config.max_bytes + 1)
    except OSError as error:
        return ReadError(relative, None, f"cannot read file: {error.strerror or error}", doc_id)
    if len(data) > config.max_bytes:
        size = path.stat().st_size
        metadata.update({"oversize": True, "bytes": size})
        return Document(doc_id, "", metadata)
    if _looks_binary(data):
        return ReadError(relative, None, "binary file (not text): skipped", doc_id)
    text, encoding, problem = decode_bytes(data)
    if text is None:
        return ReadError(relative, None, problem or "cannot decode text", doc_id)
    if encoding != "utf-8":
        metadata["encoding"] = encoding
    text, header = parse_header(text)
    metadata.update(header)
    return Document(doc_id, text, metadata)


def _looks_binary(data: bytes) -> bool:
    if data.startswith(_BINARY_MAGIC):
        return True
    head = data[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False  # UTF-16 with a byte order mark: text with NUL bytes
    return b"\x00" in head


def decode_bytes(data: bytes) -> tuple[str | None, str, str | None]:
    """Decode bytes as UTF-8 (BOM allowed), else by detection; `(text, encoding, problem)`."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig", None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16", None
        except UnicodeDecodeError as error:
            return None, "utf-16", f"invalid UTF-16 at byte {error.start}"
    try:
        return data.decode("utf-8"), "utf-8", None
    except UnicodeDecodeError as error:
        first_bad = error.start
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        return (
            None,
            "unknown",
            f"not valid UTF-8 (first bad byte at offset {first_bad}) and no encoding detected",
        )
    return str(best), best.encoding, None


def read_jsonl(path: Path, relative: str, config: InputConfig) -> Iterator[InputItem]:
    """Every line of a JSONL file (plain, gzip or zstd); damage becomes `ReadError`s."""
    try:
        handle = _open_compressed(path)
    except OSError as error:
        yield ReadError(relative, None, f"cannot read file: {error.strerror or error}")
        return
    with handle:
        yield from read_jsonl_stream(handle, relative, Path(relative).name.split(".")[0], config)


def _open_compressed(path: Path) -> IO[bytes]:
    name = path.name.lower()
    if name.endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    if name.endswith(".zst"):
        import zstandard

        raw = path.open("rb")
        return zstandard.ZstdDecompressor().stream_reader(raw, closefd=True)
    return path.open("rb")


def read_jsonl_stream(
    handle: IO[bytes], relative: str, stem: str, config: InputConfig
) -> Iterator[InputItem]:
    """Parse JSONL from a binary stream, one record per line, numbering lines from 1."""
    line_number = 0
    buffered: IO[bytes] = handle if hasattr(handle, "peek") else io.BufferedReader(handle)  # type: ignore[type-var]
    while True:
        try:
            raw = buffered.readline(config.max_bytes + 1)
        except (EOFError, OSError, ValueError) as error:
            yield ReadError(relative, line_number + 1, f"stream is truncated or corrupt: {error}")
            return
        if not raw:
            return
        line_number += 1
        if len(raw) > config.max_bytes and not raw.endswith(b"\n"):
            yield from _skip_oversize_line(buffered, raw, relative, line_number, stem, config)
            continue
        if not raw.strip():
            continue
        yield parse_jsonl_line(raw, relative, line_number, stem, config)


def _skip_oversize_line(
    handle: IO[bytes], head: bytes, relative: str, line: int, stem: str, config: InputConfig
) -> Iterator[InputItem]:
    size = len(head)
    while True:
        chunk = handle.readline(1 << 20)
        size += len(chunk)
        if not chunk or chunk.endswith(b"\n"):
            break
    doc_id = f"{stem}-L{line}"
    yield Document(doc_id, "", {"path": relative, "line": line, "oversize": True, "bytes": size})


def parse_jsonl_line(raw: bytes, relative: str, line: int, stem: str, config: InputConfig) -> InputItem:
    """One JSONL record as a Document, or a ReadError saying what is wrong with it."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return ReadError(relative, line, f"invalid UTF-8 at byte {error.start} of the line")
    try:
        record = json.loads(text)
    except json.JSONDecodeError as error:
        return ReadError(relative, line, f"invalid JSON: {error.msg} at column {error.colno}")
    if not isinstance(record, dict):
        return ReadError(relative, line, f"expected a JSON object, got {type(record).__name__}")
    document = record_document(record, config, f"{stem}-L{line}", {"path": relative, "line": line})
    if isinstance(document, str):
        return ReadError(relative, line, document, _record_id(record, config, f"{stem}-L{line}"))
    return document


def record_document(
    record: Mapping[str, Any], config: InputConfig, default_id: str, where: Mapping[str, Any] | None = None
) -> Document | str:
    """One record (a JSONL object, a Parquet or dataframe row) as a Document, or what is wrong with it.

    Every structured input goes through here, so a row of Parquet, of a `datasets` batch
    or of a datatrove pipeline becomes the same Document its JSONL line would.
    A `metadata` mapping (or its JSON text, as corpusclean writes it to Parquet) is
    merged with the other fields; `where` (path, line or row) fills what is still unset.
    """
    body = record.get(config.text_field)
    if body is None:
        return f"missing text field {config.text_field!r}"
    if not isinstance(body, str):
        return f"text field {config.text_field!r} is not a string"
    nested = record.get("metadata")
    if isinstance(nested, str) and nested.startswith("{"):
        with contextlib.suppress(json.JSONDecodeError):
            nested = json.loads(nested)
    metadata = dict(nested) if isinstance(nested, Mapping) else {}
    for key, value in record.items():
        if key not in (config.text_field, config.id_field, "metadata"):
            metadata.setdefault(key, value)
    for key, value in (where or {}).items():
        metadata.setdefault(key, value)
    body, header = parse_header(body)
    for key, value in header.items():
        metadata.setdefault(key, value)
    return Document(_record_id(record, config, default_id), body, metadata)


def _record_id(record: Mapping[str, Any], config: InputConfig, default_id: str) -> str:
    raw_id = record.get(config.id_field)
    return str(raw_id) if isinstance(raw_id, str | int) and str(raw_id) != "" else default_id


def as_documents(
    items: Iterable[str | dict[str, Any] | Document], text_field: str = "text"
) -> Iterator[Document]:
    """Library input: strings, mappings or Documents, each made a Document with a stable id."""
    for position, item in enumerate(items):
        if isinstance(item, Document):
            yield item
        elif isinstance(item, str):
            yield Document(f"doc-{position}", item, {})
        elif isinstance(item, dict):
            record = dict(item)
            record.setdefault("id", f"doc-{position}")
            if text_field not in record:
                raise InputError(f"record {position}: missing text field {text_field!r}")
            yield Document.from_dict(record, text_field)
        else:
            raise InputError(f"record {position}: expected str, dict or Document, got {type(item).__name__}")
