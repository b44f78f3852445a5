"""Writers: JSONL (optionally gzip) written atomically, so a half-written file never looks complete."""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import sys
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

import xxhash


def dumps(record: Any) -> str:
    """One JSON line: UTF-8 text kept as is, stable key order as given."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


class AtomicOutput:
    """An output written to `PATH.partial` and renamed to `PATH` only on a clean close.

    An interrupted run leaves a `.partial` file (removed on the next run) and never a
    file under the final name that looks complete. Subclasses say how to finish writing
    (`_close`); committing, aborting and the `with` protocol are shared.
    """

    path: Path | None
    _temp: Path | None

    def _close(self) -> None:
        """Flush and close the underlying file."""
        raise NotImplementedError

    def commit(self) -> None:
        """Finish the file and rename it to its final name."""
        if self._temp is None or self.path is None:
            return
        self._close()
        os.replace(self._temp, self.path)
        self._temp = None

    def abort(self) -> None:
        """Close and delete the temporary file: nothing under the final name is touched."""
        if self._temp is None:
            return
        try:
            self._close()
        finally:
            self._temp.unlink(missing_ok=True)
            self._temp = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if kind is None:
            self.commit()
        else:
            self.abort()


class AtomicJsonlWriter(AtomicOutput):
    """Write JSON lines atomically (see `AtomicOutput`); `path="-"` writes to stdout."""

    def __init__(self, path: Path | str, *, compress: bool = False) -> None:
        self.path = Path(path) if str(path) != "-" else None
        self.count = 0
        self._handle: IO[str]
        if self.path is None:
            self._temp = None
            self._handle = sys.stdout
            return
        self._temp = self.path.with_name(self.path.name + ".partial")
        if compress:
            # mtime=0 keeps gzip output byte-identical across runs.
            raw = gzip.GzipFile(self._temp, "wb", mtime=0)
            self._handle = io.TextIOWrapper(raw, encoding="utf-8", newline="\n")
        else:
            self._handle = self._temp.open("w", encoding="utf-8", newline="\n")

    def write(self, record: Any) -> None:
        """Append one record as a JSON line."""
        self._handle.write(dumps(record))
        self._handle.write("\n")
        self.count += 1

    def commit(self) -> None:
        """Rename the finished file to its final name (on stdout: flush)."""
        if self.path is None:
            self._handle.flush()
            return
        super().commit()

    def _close(self) -> None:
        self._handle.flush()
        self._handle.close()


def write_json_atomic(path: Path, data: Any) -> None:
    """Write one JSON document (the report) atomically, pretty-printed and stable."""
    temp = path.with_name(path.name + ".partial")
    temp.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(temp, path)


# Every file a run writes into its output directory; readers never read these back.
OUTPUT_FILES = frozenset(
    {
        "documents.jsonl",
        "documents.jsonl.gz",
        "dropped.jsonl",
        "dropped.jsonl.gz",
        "errors.jsonl",
        "documents.parquet",
        "dropped.parquet",
        "report.json",
        "report.html",
    }
)
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(doc_id: str, *, max_chars: int = 80) -> str:
    """A file name made from a document id that cannot escape a directory or name a device.

    Ids come from untrusted input (`../../etc/passwd`, `CON`, 10 kB of emoji): only
    ASCII letters, digits, `.`, `_` and `-` survive, never as a leading dot, and a
    short hash of the full id is appended whenever anything was changed, so two ids
    never share a name.

    >>> safe_filename("001_d123fd011bf649b3")
    '001_d123fd011bf649b3'
    >>> safe_filename("../../etc/passwd")
    'etc_passwd-f2c2ba8b2d201361'
    """
    cleaned = _UNSAFE.sub("_", doc_id).strip("._-")[:max_chars]
    if cleaned and cleaned == doc_id and cleaned.split(".")[0].upper() not in _RESERVED:
        return cleaned
    digest = xxhash.xxh3_64_hexdigest(doc_id.encode("utf-8", errors="surrogatepass"))
    return f"{cleaned or 'id'}-{digest}"


# Windows device names: a file called `CON.json` cannot be created there.
_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL"} | {f"COM{i}" for i in range(1, 10)} | {f"LPT{i}" for i in range(1, 10)}
)
