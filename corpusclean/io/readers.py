"""Readers: turn input paths into a stream of `Document`s and `ReadError`s, in a stable order.

Supported inputs: a directory (walked recursively, sorted), article dumps (`.txt`, with
the optional leading ` date YYYY-MM ` header), JSONL (`.jsonl`, `.jsonl.gz`,
`.jsonl.zst`), Parquet (`.parquet`, with the `parquet` extra) and `-` for JSONL on
standard input. Anything that cannot be read (a missing path, a binary file, a bad line,
a truncated archive) becomes a `ReadError` naming the file and line; it never stops the
stream. docs/failure-modes.md lists them.
"""

from __future__ import annotations

import contextlib
import errno
import gzip
import io
import json
import math
import os
import re
import stat
import sys
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import xxhash

from ..config import InputConfig
from ..document import Document
from ..errors import InputError
from .writers import OUTPUT_FILES

TEXT_SUFFIXES = (".txt",)
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".jsonl.zst", ".ndjson")
PARQUET_SUFFIXES = (".parquet",)
_HEADER = re.compile(r"\A[ \t]*date[ \t]+(\d{4}-\d{2}(?:-\d{2})?)(?:[ \t]+|[ \t]*\n)")
# PDF, ZIP (also docx/xlsx/epub), PNG, JPEG, GIF, ELF, gzip, zstd, bzip2, xz, 7z.
_BINARY_MAGIC = (
    b"%PDF",
    b"PK\x03\x04",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"\x7fELF",
    b"\x1f\x8b",
    b"\x28\xb5\x2f\xfd",
    b"BZh",
    b"\xfd7zXZ\x00",
    b"7z\xbc\xaf\x27\x1c",
)
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Encoding detection looks at this many bytes from the start plus as many around the
# first byte that is not UTF-8: enough for charset-normalizer to decide, and a 10 MB
# file costs no more than a 64 KiB one.
DETECT_BYTES = 1 << 15
FEED_BYTES = 1024  # compressed bytes given to the zstd decompressor at a time
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class ReadError:
    """An input record (or a whole input) that could not be read: where, what went wrong, and its kind.

    `kind` is a stable kebab-case name (`missing-input`, `binary`, `invalid-json`, ...)
    counted in report.json; `error` is the human message.
    """

    path: str
    line: int | None
    error: str
    id: str | None = None
    kind: str = "unreadable"

    def to_dict(self) -> dict[str, Any]:
        """The JSON form written to `errors.jsonl`."""
        return {"path": self.path, "line": self.line, "id": self.id, "kind": self.kind, "error": self.error}


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


def printable_path(name: str) -> str:
    """A file name as valid text: bytes that are not UTF-8 (kept by Python as surrogate
    escapes, which no UTF-8 writer accepts) are shown as `\\xe9`.

    >>> printable_path(os.fsdecode(b"\\xe9t\\xe9.txt"))
    '\\\\xe9t\\\\xe9.txt'
    """
    if not _SURROGATE.search(name):
        return name
    return name.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="backslashreplace")


def missing_inputs(paths: Iterable[str]) -> list[str]:
    """The named inputs that do not exist (a broken or looping symlink counts as missing)."""
    return [raw for raw in paths if raw != "-" and not Path(raw).exists()]


def expand_inputs(
    paths: Iterable[str], exclude: Path | None = None
) -> Iterator[tuple[str, Path | ReadError | None]]:
    """Each input file as `(root, path)`, directories walked in sorted order.

    `root` is what the user named (relative paths in metadata are taken from it);
    `path` is None for standard input, or a `ReadError` for something that cannot be
    read at all (missing path, unreadable directory, symlink loop). The output
    directory `exclude` is never read back.
    """
    excluded = exclude.resolve() if exclude is not None else None
    for raw in paths:
        if raw == "-":
            yield raw, None
            continue
        path = Path(raw)
        if (
            excluded is not None
            and path.name in OUTPUT_FILES
            and Path(os.path.realpath(path)).parent == excluded
        ):
            message = "this run's own output file: not read"
            yield raw, ReadError(printable_path(raw), None, message, kind="own-output")
            continue
        if not path.exists():  # also a broken or looping symbolic link, as `ls` says
            message = "no such file or directory"
            yield raw, ReadError(printable_path(raw), None, message, kind="missing-input")
            continue
        if path.is_dir():
            for found in _walk(path, excluded):
                yield raw, found
            continue
        # A file named on the command line may be a pipe (`<(zcat dump.gz)`): read it as is.
        yield raw, path


def _walk(root: Path, excluded: Path | None) -> Iterator[Path | ReadError]:
    """Files under `root` in sorted relative order; loops, pipes and unreadable folders reported."""
    seen: dict[tuple[int, int], str] = {}
    stack = [root]
    found: list[tuple[str, Path | ReadError]] = []
    while stack:
        folder = stack.pop()
        relative = printable_path(folder.relative_to(root).as_posix())
        try:
            stat_result = folder.stat()
        except OSError as error:
            message = f"cannot read directory: {error.strerror or error}"
            found.append((relative, ReadError(relative, None, message, kind="unreadable")))
            continue
        key = (stat_result.st_dev, stat_result.st_ino)
        if key in seen:
            message = (
                f"directory already read as {seen[key]!r} (symbolic link loop or duplicate link): skipped"
            )
            found.append((relative, ReadError(relative, None, message, kind="symlink-loop")))
            continue
        seen[key] = relative
        is_output_dir = excluded is not None and folder.resolve() == excluded
        if is_output_dir and folder != root:
            continue  # our own output directory inside an input directory
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as error:
            message = f"cannot read directory: {error.strerror or error}"
            found.append((relative, ReadError(relative, None, message, kind="unreadable")))
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            entry_path = Path(entry.path)
            entry_relative = printable_path(entry_path.relative_to(root).as_posix())
            if _is_dir(entry):
                stack.append(entry_path)
            elif not _is_supported(entry.name) or (is_output_dir and entry.name in OUTPUT_FILES):
                continue
            elif _is_regular(entry):
                found.append((entry_relative, entry_path))
            else:
                found.append((entry_relative, _special_file_error(entry_path, entry_relative)))
    found.sort(key=lambda pair: pair[0])
    for _, item in found:
        yield item


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _is_regular(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file()
    except OSError:
        return False


def _special_file_error(path: Path, relative: str) -> ReadError:
    """Why a directory entry that looks like an input is not a regular file."""
    try:
        mode = path.stat().st_mode
    except OSError as error:
        if error.errno == errno.ELOOP:
            return ReadError(relative, None, "symbolic link loop: skipped", kind="symlink-loop")
        return ReadError(relative, None, "broken symbolic link: skipped", kind="unreadable")
    what = "named pipe" if stat.S_ISFIFO(mode) else "socket" if stat.S_ISSOCK(mode) else "device"
    # Reading a pipe found while walking a dump would block the run forever.
    message = f"not a regular file ({what}): skipped; name it on the command line to read it"
    return ReadError(relative, None, message, kind="not-regular")


def _is_supported(name: str) -> bool:
    lowered = name.lower()
    return lowered.endswith(TEXT_SUFFIXES + JSONL_SUFFIXES + PARQUET_SUFFIXES)


def read_inputs(
    paths: Iterable[str], config: InputConfig | None = None, exclude: Path | None = None
) -> Iterator[InputItem]:
    """Stream every record of every input, in a stable order, with unique document ids."""
    return unique_ids(_read_all(paths, config or InputConfig(), exclude))


def _read_all(paths: Iterable[str], config: InputConfig, exclude: Path | None) -> Iterator[InputItem]:
    for root, path in expand_inputs(paths, exclude):
        if path is None:
            yield from read_jsonl_stream(sys.stdin.buffer, "<stdin>", "stdin", config)
            continue
        if isinstance(path, ReadError):
            yield path
            continue
        yield from read_path(root, path, config)


def read_path(root: str, path: Path, config: InputConfig) -> Iterator[InputItem]:
    """Every record of one input file found under `root` (as `expand_inputs` gives it), ids as read."""
    name = path.name.lower()
    relative = printable_path(_relative(root, path))
    if name.endswith(JSONL_SUFFIXES):
        yield from read_jsonl(path, relative, config)
    elif name.endswith(PARQUET_SUFFIXES):
        from .parquet import read_parquet  # pyarrow is an optional extra

        yield from read_parquet(path, relative, config)
    else:
        yield read_text_file(path, relative, config)


def unique_ids(items: Iterable[InputItem]) -> Iterator[InputItem]:
    """Make document ids unique in input order: the second `x` becomes `x#2`, and so on.

    The original id is kept in `metadata["id_original"]`. Ids are remembered as 64-bit
    hashes, a fraction of the memory their strings would take; a hash collision (odds
    about 3e-4 at 10^8 ids) only renames one document, which is recorded all the same.
    """
    seen: set[int] = set()
    for item in items:
        if isinstance(item, ReadError):
            yield item
            continue
        key = xxhash.xxh3_64_intdigest(item.id.encode("utf-8", errors="surrogatepass"))
        if key not in seen:
            seen.add(key)
            yield item
            continue
        number = 2
        while (key := xxhash.xxh3_64_intdigest(f"{item.id}#{number}".encode(errors="surrogatepass"))) in seen:
            number += 1
        seen.add(key)
        metadata = dict(item.metadata)
        metadata["id_original"] = item.id
        yield Document(f"{item.id}#{number}", item.text, metadata)


def _relative(root: str, path: Path) -> str:
    root_path = Path(root)
    if not root_path.is_dir():
        return path.name
    return path.relative_to(root_path).as_posix()


def read_text_file(path: Path, relative: str, config: InputConfig) -> InputItem:
    """One article dump: id from the file stem, date header into metadata.

    At most `max_bytes + 1` bytes are read: a larger file becomes an empty Document
    marked `oversize` (dropped as too_large) without loading the rest.
    """
    name = printable_path(path.name)
    doc_id = name[: -len(path.suffix)] if path.suffix else name
    metadata: dict[str, Any] = {"path": relative}
    parent = Path(relative).parent.as_posix()
    if parent != ".":
        metadata["source"] = parent.split("/")[0]
    try:
        with path.open("rb") as handle:
            data = handle.read(config.max_bytes + 1)
            if len(data) > config.max_bytes:
                size = _size_of(handle, len(data))
                metadata.update({"oversize": True, "bytes": size})
                return Document(doc_id, "", metadata)
    except OSError as error:
        return ReadError(relative, None, f"cannot read file: {error.strerror or error}", doc_id, "unreadable")
    if _looks_binary(data):
        return ReadError(relative, None, "binary file (not text): skipped", doc_id, "binary")
    decoded = decode_bytes(data, config.on_decode_error)
    if decoded.text is None:
        return ReadError(relative, None, decoded.problem or "cannot decode text", doc_id, "decode")
    if decoded.encoding != "utf-8":
        metadata["encoding"] = decoded.encoding
    if decoded.replaced:
        metadata["decode_errors"] = decoded.replaced
    text, header = parse_header(decoded.text)
    metadata.update(header)
    return Document(doc_id, text, metadata)


def _size_of(handle: IO[bytes], already: int) -> int:
    """The size of an oversize input, streamed through in 1 MiB reads (a pipe has no st_size)."""
    try:
        info = os.fstat(handle.fileno())
        if stat.S_ISREG(info.st_mode):
            return info.st_size
    except (OSError, ValueError):
        pass
    size = already
    while chunk := handle.read(1 << 20):
        size += len(chunk)
    return size


def _looks_binary(data: bytes) -> bool:
    if data.startswith(_BINARY_MAGIC):
        return True
    head = data[:8192]
    if head.startswith(_UTF16_BOMS):
        return False  # UTF-16 with a byte order mark: text with NUL bytes
    return b"\x00" in head


@dataclass(frozen=True, slots=True)
class Decoded:
    """The result of `decode_bytes`: text (None when undecodable), the encoding, what went wrong."""

    text: str | None
    encoding: str
    problem: str | None = None
    replaced: int = 0  # U+FFFD characters a lossy decode put in


def decode_bytes(data: bytes, on_error: str = "error") -> Decoded:
    """Decode bytes as UTF-8 (BOM allowed), UTF-16 with a BOM, else by detection.

    Detection (charset-normalizer) sees a bounded sample, then the whole input is
    decoded strictly with the encoding found. Bytes that still fail make an undecodable
    result, or with `on_error="replace"` a lossy decode whose U+FFFD count is returned.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict_or_replace(data[3:], "utf-8-sig", "utf-8", on_error)
    if data.startswith(_UTF16_BOMS):
        return _strict_or_replace(data, "utf-16", "utf-16", on_error)
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as error:
        first_bad = error.start
    encoding = detect_encoding(data, first_bad)
    if encoding is None:
        problem = f"not valid UTF-8 (first bad byte at offset {first_bad}) and no encoding detected"
        if on_error == "replace":
            text = data.decode("utf-8", errors="replace")
            return Decoded(text, "utf-8", problem, text.count("\ufffd"))
        return Decoded(None, "unknown", problem)
    return _strict_or_replace(data, encoding, encoding, on_error)


def _strict_or_replace(data: bytes, name: str, codec: str, on_error: str) -> Decoded:
    try:
        return Decoded(data.decode(codec), name)
    except UnicodeDecodeError as error:
        problem = f"invalid {name} at byte {error.start}"
    if on_error == "replace":
        text = data.decode(codec, errors="replace")
        return Decoded(text, name, problem, text.count("\ufffd"))
    return Decoded(None, name, problem)


def detect_encoding(data: bytes, first_bad: int = 0) -> str | None:
    """The most likely encoding of `data` judged from at most ~64 KiB of it, or None."""
    from charset_normalizer import from_bytes

    if len(data) > 2 * DETECT_BYTES:
        around = max(first_bad - DETECT_BYTES // 2, DETECT_BYTES)
        # Cut at line breaks so the sample does not start or end mid-character.
        sample = data[:DETECT_BYTES] + b"\n" + data[around : around + DETECT_BYTES]
    else:
        sample = data
    try:
        best = from_bytes(sample).best()
    except Exception:
        return None
    if best is None or best.encoding is None or best.encoding in ("utf_8", "utf-8"):
        return None
    return str(best.encoding)


def read_jsonl(path: Path, relative: str, config: InputConfig) -> Iterator[InputItem]:
    """Every line of a JSONL file (plain, gzip or zstd); damage becomes `ReadError`s."""
    try:
        handle = _open_compressed(path)
    except OSError as error:
        yield ReadError(relative, None, f"cannot read file: {error.strerror or error}", kind="unreadable")
        return
    with handle:
        yield from read_jsonl_stream(handle, relative, _stem(relative), config)


def _open_compressed(path: Path) -> IO[bytes]:
    name = path.name.lower()
    if name.endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    if name.endswith(".zst"):
        return io.BufferedReader(_ZstdReader(path.open("rb")), buffer_size=1 << 16)
    return path.open("rb")


class _ZstdReader(io.RawIOBase):
    """Decompress concatenated zstd frames, raising EOFError when the input ends mid-frame.

    zstandard's `stream_reader` returns a clean end of file for a truncated frame, which
    would lose its records silently; here a cut archive is an error, like gzip's.
    """

    def __init__(self, raw: IO[bytes]) -> None:
        import zstandard

        self._raw = raw
        self._new = zstandard.ZstdDecompressor().decompressobj
        self._frame = self._new()
        self._input = b""
        self._pending = b""
        self._offset = 0
        self._fed = False  # input given to the current frame that it has not finished

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while self._offset >= len(self._pending):
            if not self._input:
                self._input = self._raw.read(1 << 16)
                if not self._input:
                    if self._fed:
                        raise EOFError("zstd stream ended before the end of a frame")
                    return 0
            # Small pieces bound what one call can inflate to (a zstd bomb of runs of one
            # byte grows ~32 MB per KiB at worst) instead of the whole 64 KiB read.
            piece, self._input = self._input[:FEED_BYTES], self._input[FEED_BYTES:]
            self._fed = True
            self._pending, self._offset = self._frame.decompress(piece), 0
            if self._frame.eof:
                self._input = self._frame.unused_data + self._input
                self._frame = self._new()
                self._fed = False
        size = min(len(buffer), len(self._pending) - self._offset)
        buffer[:size] = self._pending[self._offset : self._offset + size]
        self._offset += size
        return size

    def close(self) -> None:
        self._raw.close()
        super().close()


def _stream_errors() -> tuple[type[BaseException], ...]:
    """What a damaged gzip or zstd stream raises while it is read."""
    import zstandard

    return (EOFError, OSError, ValueError, zlib.error, zstandard.ZstdError)


def read_jsonl_slice(
    path: Path, relative: str, config: InputConfig, start: int, end: int, first_line: int
) -> Iterator[InputItem]:
    """The records of a plain JSONL file whose lines start in bytes [start, end).

    What a parallel engine reads for one partition of a large file: slices of one file
    cut anywhere together read every line once, numbered as a whole-file read numbers
    them (`first_line` is the number of the first line starting at or after `start`).
    Problems of the whole file (binary, UTF-16) are reported by the slice at 0 only.
    """
    if start == 0:
        with path.open("rb") as handle:
            yield from read_jsonl_stream(handle, relative, _stem(relative), config, end=end)
        return
    with path.open("rb") as handle:
        head = handle.read(8192)
        if head.startswith(_UTF16_BOMS) or head.startswith(_BINARY_MAGIC) or b"\x00" in head:
            return
        handle.seek(start - 1)
        handle.readline()  # the end of a line that started before `start` (or just its newline)
        if handle.tell() >= end:
            return
        yield from read_jsonl_stream(
            handle, relative, _stem(relative), config, first_line=first_line, end=end, check_head=False
        )


def _stem(relative: str) -> str:
    return Path(relative).name.split(".")[0]


def read_jsonl_stream(
    handle: IO[bytes],
    relative: str,
    stem: str,
    config: InputConfig,
    *,
    first_line: int = 1,
    end: int | None = None,
    check_head: bool = True,
) -> Iterator[InputItem]:
    """Parse JSONL from a binary stream, one record per line, numbering lines from `first_line`.

    A line is read with at most `max_bytes + 1` bytes in memory; a longer one is
    streamed past and becomes an `oversize` Document. Records before a truncated or
    corrupt stretch of a compressed stream are kept; the damage is one `ReadError`.
    With `end` (a seekable plain file), lines starting at or after byte `end` are left.
    """
    damaged = _stream_errors()
    buffered: IO[bytes] = handle if hasattr(handle, "peek") else io.BufferedReader(handle)  # type: ignore[type-var]
    line_number = first_line - 1
    if check_head:
        try:
            head = buffered.peek(8192)[:8192]  # type: ignore[attr-defined]
        except damaged as error:
            yield ReadError(relative, 1, f"stream is truncated or corrupt: {error}", kind="truncated")
            return
        if head.startswith(_UTF16_BOMS):
            yield ReadError(relative, None, "JSONL must be UTF-8; this file is UTF-16", kind="decode")
            return
        if head.startswith(_BINARY_MAGIC) or b"\x00" in head:
            yield ReadError(relative, None, "binary file (not JSONL text): skipped", kind="binary")
            return
    while True:
        if end is not None and buffered.tell() >= end:
            return
        try:
            raw = buffered.readline(config.max_bytes + 1)
        except damaged as error:
            yield ReadError(
                relative, line_number + 1, f"stream is truncated or corrupt: {error}", kind="truncated"
            )
            return
        if not raw:
            return
        line_number += 1
        if line_number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if len(raw) > config.max_bytes and not raw.endswith(b"\n"):
            try:
                yield _skip_oversize_line(buffered, raw, relative, line_number, stem)
            except damaged as error:
                message = f"stream is truncated or corrupt: {error}"
                yield ReadError(relative, line_number, message, kind="truncated")
                return
            continue
        if not raw.strip():
            continue
        yield parse_jsonl_line(raw, relative, line_number, stem, config)


def _skip_oversize_line(handle: IO[bytes], head: bytes, relative: str, line: int, stem: str) -> Document:
    size = len(head)
    while True:
        chunk = handle.readline(1 << 20)
        size += len(chunk)
        if not chunk or chunk.endswith(b"\n"):
            break
    doc_id = f"{stem}-L{line}"
    return Document(doc_id, "", {"path": relative, "line": line, "oversize": True, "bytes": size})


def _reject_constant(name: str) -> Any:
    raise ValueError(f"non-standard JSON constant {name}")


def _finite_float(text: str) -> float:
    # `1e999` is valid JSON but becomes inf, which no JSON writer can put back.
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"number {text[:20]} is out of range")
    return value


def parse_jsonl_line(raw: bytes, relative: str, line: int, stem: str, config: InputConfig) -> InputItem:
    """One JSONL record as a Document, or a ReadError saying what is wrong with it."""
    replaced = 0
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        if config.on_decode_error != "replace":
            message = f"invalid UTF-8 at byte {error.start} of the line"
            return ReadError(relative, line, message, kind="decode")
        text = raw.decode("utf-8", errors="replace")
        replaced = text.count("\ufffd")
    try:
        record = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except json.JSONDecodeError as error:
        return ReadError(
            relative, line, f"invalid JSON: {error.msg} at column {error.colno}", kind="invalid-json"
        )
    except RecursionError:
        return ReadError(relative, line, "invalid JSON: nested too deeply", kind="invalid-json")
    except ValueError as error:  # NaN/Infinity, or an integer longer than Python converts
        return ReadError(relative, line, f"invalid JSON: {error}", kind="invalid-json")
    if not isinstance(record, dict):
        return ReadError(
            relative, line, f"expected a JSON object, got {_json_type(record)}", kind="not-object"
        )
    if b"\\u" in raw or b"\\U" in raw:
        # `"\ud800"` is valid JSON but no valid text: it cannot be written as UTF-8.
        lone = _count_surrogates(record)
        if lone and config.on_decode_error != "replace":
            return ReadError(
                relative, line, "lone surrogate escape (\\ud800-\\udfff) in record", kind="decode"
            )
        if lone:
            record = _replace_surrogates(record)
            replaced += lone
    default_id = f"{stem}-L{line}"
    document = record_document(record, config, default_id, {"path": relative, "line": line})
    if isinstance(document, str):
        return ReadError(relative, line, document, _record_id(record, config, default_id), "missing-text")
    if replaced:
        document.metadata["decode_errors"] = replaced
    return document


def record_document(
    record: Mapping[str, Any], config: InputConfig, default_id: str, where: Mapping[str, Any] | None = None
) -> Document | str:
    """One record (a JSONL object, a Parquet or dataframe row) as a Document, or what is wrong with it.

    Every structured input goes through here, so a row of Parquet, of a `datasets` batch
    or of a datatrove pipeline becomes the same Document its JSONL line would.
    A `metadata` mapping (or its JSON text, as corpusclean writes it to Parquet) is
    merged with the other fields; `where` (path, line or row) fills what is still unset.
    An id that cannot be one (a bool, an empty string, a list) is replaced by `default_id`
    and kept in `metadata["id_invalid"]`.
    """
    body = record.get(config.text_field)
    if body is None:
        return f"missing text field {config.text_field!r}"
    if not isinstance(body, str):
        return f"text field {config.text_field!r} is {_json_type(body)}, not a string"
    nested = record.get("metadata")
    if isinstance(nested, str) and nested.startswith("{"):
        with contextlib.suppress(json.JSONDecodeError):
            nested = json.loads(nested)
    metadata = dict(nested) if isinstance(nested, Mapping) else {}
    for key, value in record.items():
        if key not in (config.text_field, config.id_field, "metadata"):
            metadata.setdefault(key, value)
    raw_id = record.get(config.id_field)
    if raw_id is not None and not _usable_id(raw_id):
        metadata["id_invalid"] = raw_id
    for key, value in (where or {}).items():
        metadata.setdefault(key, value)
    body, header = parse_header(body)
    for key, value in header.items():
        metadata.setdefault(key, value)
    return Document(_record_id(record, config, default_id), body, metadata)


def _usable_id(raw_id: Any) -> bool:
    return isinstance(raw_id, str | int) and not isinstance(raw_id, bool) and str(raw_id).strip() != ""


def _record_id(record: Mapping[str, Any], config: InputConfig, default_id: str) -> str:
    raw_id = record.get(config.id_field)
    return str(raw_id) if _usable_id(raw_id) else default_id


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")


def _count_surrogates(value: Any) -> int:
    if isinstance(value, str):
        return len(_SURROGATE.findall(value))
    if isinstance(value, dict):
        return sum(_count_surrogates(k) + _count_surrogates(v) for k, v in value.items())
    if isinstance(value, list):
        return sum(_count_surrogates(v) for v in value)
    return 0


def _replace_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_replace_surrogates(k): _replace_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace_surrogates(v) for v in value]
    return value


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
