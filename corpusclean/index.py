"""The persistent de-duplication index: every kept document's signature, kept across runs.

A later run opens the index, drops documents that duplicate anything kept before, and
adds what it keeps. Two stores answer the one `IndexStore` interface and check the same
manifest, so either engine uses either and `convert_index` turns one into the other:

* `SqliteIndex` (a file; the one-machine default): SQLite is embedded (stdlib `sqlite3`,
  no server), the file is in WAL mode, and a run holds one write transaction from open to
  commit: an interrupted run leaves the index exactly as it was, and a second process
  opening the same index gets a clear "index is in use" error instead of waiting.
* `ParquetIndex` (a directory; `corpusclean.parquet_index`): Parquet files that a Dask
  cluster reads and appends to in parallel, for `--engine dask`.

Nothing is pickled: signatures are raw little-endian uint32 bytes, band keys signed
64-bit integers.

On disk, per kept document: one `docs` row (id, source, exact hash, signature of
`4 × num_perm` bytes, and with exact verification the shingle-hash set, 4 bytes per
distinct shingle) and one `bands` row per LSH band plus one for the exact hash (about
20 bytes each with the b-tree overhead): about 0.9 KB per document at the defaults plus
the shingle set (about 2.5 KB for a 4 KB article).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from .errors import IndexStoreError

FORMAT_VERSION = "1"
_SQLITE_MAGIC = b"SQLite format 3\x00"
_SCHEMA = (
    "CREATE TABLE manifest (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE docs (doc INTEGER PRIMARY KEY, id TEXT NOT NULL, source TEXT, run INTEGER NOT NULL, "
    "exact INTEGER NOT NULL, signature BLOB, shingles BLOB)",
    "CREATE TABLE bands (key INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (key, doc)) WITHOUT ROWID",
    "CREATE TABLE runs (run INTEGER PRIMARY KEY, docs INTEGER NOT NULL)",
)
# SQLite caps host parameters per statement (999 before 3.32); stay well under it.
_MAX_PARAMS = 500
_MASK64 = (1 << 64) - 1


@dataclass(frozen=True, slots=True)
class IndexedDoc:
    """A document kept by an earlier run, as the index returns it."""

    row: int
    id: str
    source: str | None
    exact: int
    signature: NDArray[np.uint32] | None


@dataclass(frozen=True, slots=True)
class StoredDoc:
    """One document of an index, whole: what `IndexStore.documents` yields and `add` takes."""

    id: str
    source: str | None
    exact: int
    signature: NDArray[np.uint32] | None
    keys: tuple[int, ...]
    shingles: NDArray[np.uint32] | None


class IndexStore(Protocol):
    """What de-duplication needs of a persistent index, whichever store holds it.

    Opening an index checks its manifest against the run's settings and locks it; `add`
    queues a kept document, `commit` makes the queued ones durable (and starts the next
    run), `close` releases the lock, rolling back anything not committed.
    """

    path: Path
    manifest: dict[str, str]
    run: int

    def __len__(self) -> int: ...

    def query(self, keys: Sequence[int]) -> list[IndexedDoc]: ...

    def shingles(self, row: int) -> NDArray[np.uint32] | None: ...

    def add(
        self,
        doc_id: str,
        source: str | None,
        exact: int,
        signature: NDArray[np.uint32] | None,
        keys: Sequence[int],
        shingles: NDArray[np.uint32] | None = None,
    ) -> None: ...

    def commit(self) -> int: ...

    def documents(self) -> Iterator[StoredDoc]: ...

    def close(self) -> None: ...

    def __enter__(self) -> IndexStore: ...

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None: ...


def open_index(path: str | Path, manifest: Mapping[str, str] | None = None) -> IndexStore:
    """Open (and lock) the index at `path`: a directory is a `ParquetIndex`, a file a `SqliteIndex`.

    A new index is a directory when `path` ends with a separator or `.parquet`, else an
    SQLite file. `manifest` None opens an existing index with whatever settings it holds
    (for conversion and inspection); otherwise they must match.
    """
    target = Path(path)
    if target.is_dir() or (
        not target.exists() and (str(path).endswith(("/", "\\")) or target.suffix == ".parquet")
    ):
        from .parquet_index import ParquetIndex

        return ParquetIndex(target, manifest)
    return SqliteIndex(target, manifest)


def convert_index(source: str | Path, target: str | Path) -> int:
    """Copy every document of one index into a new one of the other kind (same manifest); returns the count.

    Document order, ids, keys, signatures and shingle sets are kept, so a run against the
    copy decides exactly as a run against the original.
    """
    if Path(target).exists() and (not Path(target).is_dir() or any(Path(target).iterdir())):
        raise IndexStoreError(f"{target}: already exists; convert into a new path")
    with open_index(source) as old, open_index(target, old.manifest) as new:
        for doc in old.documents():
            new.add(doc.id, doc.source, doc.exact, doc.signature, doc.keys, doc.shingles)
        return new.commit()


def to_signed(keys: Iterable[int]) -> list[int]:
    """Unsigned 64-bit keys as the signed integers SQLite stores."""
    return [key - (1 << 64) if key >= 1 << 63 else key for key in keys]


def _blob(values: NDArray[np.uint32] | None) -> bytes | None:
    return values.astype("<u4", copy=False).tobytes() if values is not None else None


def _uint32s(blob: bytes | None) -> NDArray[np.uint32] | None:
    return np.frombuffer(blob, dtype="<u4").astype(np.uint32) if blob else None


class SqliteIndex:
    """An open, locked SQLite index; `commit()` makes this run's additions durable, `close()` ends it."""

    def __init__(self, path: str | Path, manifest: Mapping[str, str] | None = None) -> None:
        self.path = Path(path)
        self.manifest = {**(manifest or {}), "format_version": FORMAT_VERSION}
        self._check_settings = manifest is not None
        self._pending: list[tuple[str, str | None, int, bytes | None, bytes | None, Sequence[int]]] = []
        new = not self.path.exists() or self.path.stat().st_size == 0
        if new and manifest is None:
            raise IndexStoreError(f"{self.path}: no such index")
        if not new:
            self._check_magic()
        try:
            self._db = sqlite3.connect(self.path, timeout=0, isolation_level=None)
        except sqlite3.Error as error:
            raise IndexStoreError(f"{self.path}: cannot open index: {error}") from None
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            # One write transaction for the whole run: it is both the lock and the atomicity.
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            self._db.close()
            if "locked" in str(error) or "busy" in str(error):
                raise IndexStoreError(f"{self.path}: index is in use by another process") from None
            raise IndexStoreError(f"{self.path}: cannot open index: {error}") from None
        except sqlite3.DatabaseError:
            self._db.close()
            raise IndexStoreError(f"{self.path}: not a corpusclean index") from None
        try:
            self._open_schema(new)
        except BaseException:
            self.close()
            raise
        self.run = int(self._db.execute("SELECT COALESCE(MAX(run), 0) + 1 FROM runs").fetchone()[0])

    def _check_magic(self) -> None:
        try:
            with self.path.open("rb") as handle:
                head = handle.read(len(_SQLITE_MAGIC))
        except OSError as error:
            raise IndexStoreError(f"{self.path}: cannot read index: {error.strerror or error}") from None
        if head != _SQLITE_MAGIC:
            raise IndexStoreError(f"{self.path}: not a corpusclean index (not an SQLite database)")

    def _open_schema(self, new: bool) -> None:
        tables = {row[0] for row in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if new or not tables:
            for statement in _SCHEMA:
                self._db.execute(statement)
            self._db.executemany("INSERT INTO manifest VALUES (?, ?)", sorted(self.manifest.items()))
            return
        if not {"manifest", "docs", "bands", "runs"} <= tables:
            raise IndexStoreError(f"{self.path}: not a corpusclean index (no manifest)")
        stored = dict(self._db.execute("SELECT key, value FROM manifest").fetchall())
        if stored.get("format_version") != FORMAT_VERSION:
            raise IndexStoreError(
                f"{self.path}: index format version {stored.get('format_version')!r} is not supported "
                f"(this version reads {FORMAT_VERSION!r})"
            )
        if not self._check_settings:
            self.manifest = stored
            return
        for key, value in self.manifest.items():
            if stored.get(key) != value:
                raise IndexStoreError(
                    f"{self.path}: index was built with other settings: {key} is {stored.get(key)!r} "
                    f"in the index, {value!r} in this run"
                )

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM docs").fetchone()[0])

    def query(self, keys: Sequence[int]) -> list[IndexedDoc]:
        """Documents of earlier runs sharing at least one band key (or the exact key) with `keys`."""
        if not keys:
            return []
        signed = to_signed(keys)
        rows: dict[int, IndexedDoc] = {}
        for start in range(0, len(signed), _MAX_PARAMS):
            chunk = signed[start : start + _MAX_PARAMS]
            marks = ",".join("?" * len(chunk))
            sql = (
                "SELECT d.doc, d.id, d.source, d.exact, d.signature FROM docs d WHERE d.doc IN "
                f"(SELECT DISTINCT doc FROM bands WHERE key IN ({marks})) ORDER BY d.doc"
            )
            for row, doc_id, source, exact, blob in self._db.execute(sql, chunk):
                rows[row] = IndexedDoc(row, doc_id, source, int(exact) & _MASK64, _uint32s(blob))
        return [rows[row] for row in sorted(rows)]

    def shingles(self, row: int) -> NDArray[np.uint32] | None:
        """The stored shingle-hash set of one document (None when its run did not keep it)."""
        found = self._db.execute("SELECT shingles FROM docs WHERE doc = ?", (row,)).fetchone()
        return _uint32s(found[0]) if found else None

    def add(
        self,
        doc_id: str,
        source: str | None,
        exact: int,
        signature: NDArray[np.uint32] | None,
        keys: Sequence[int],
        shingles: NDArray[np.uint32] | None = None,
    ) -> None:
        """Queue one kept document; it is written and made durable by `commit()`.

        `shingles` (the sorted shingle-hash set) lets later runs verify candidates exactly.
        """
        self._pending.append((doc_id, source, exact, _blob(signature), _blob(shingles), keys))

    def commit(self) -> int:
        """Write this run's documents and commit; returns how many were added."""
        added = len(self._pending)
        first = int(self._db.execute("SELECT COALESCE(MAX(doc), 0) + 1 FROM docs").fetchone()[0])
        self._db.executemany(
            "INSERT INTO docs (doc, id, source, run, exact, signature, shingles) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                (first + offset, doc_id, source, self.run, to_signed([exact])[0], blob, shingles)
                for offset, (doc_id, source, exact, blob, shingles, _) in enumerate(self._pending)
            ),
        )
        self._db.executemany(
            "INSERT OR IGNORE INTO bands (key, doc) VALUES (?, ?)",
            (
                (key, first + offset)
                for offset, (*_, keys) in enumerate(self._pending)
                for key in to_signed(keys)
            ),
        )
        self._db.execute("INSERT INTO runs (run, docs) VALUES (?, ?)", (self.run, added))
        self._db.execute("COMMIT")
        self._pending.clear()
        self._db.execute("BEGIN IMMEDIATE")
        self.run += 1
        return added

    def documents(self) -> Iterator[StoredDoc]:
        """Every committed document in index order, with its keys (for `convert_index`)."""
        keys = self._db.execute("SELECT doc, key FROM bands ORDER BY doc, key")
        pending = next(keys, None)
        docs = self._db.cursor().execute(
            "SELECT doc, id, source, exact, signature, shingles FROM docs ORDER BY doc"
        )
        for row, doc_id, source, exact, signature, shingles in docs:
            own: list[int] = []
            while pending is not None and pending[0] <= row:
                if pending[0] == row:
                    own.append(int(pending[1]) & _MASK64)
                pending = next(keys, None)
            yield StoredDoc(
                doc_id, source, int(exact) & _MASK64, _uint32s(signature), tuple(own), _uint32s(shingles)
            )

    def close(self) -> None:
        """Release the index; anything not committed is rolled back."""
        db = getattr(self, "_db", None)
        if db is None:
            return
        try:
            if db.in_transaction:
                db.execute("ROLLBACK")
        finally:
            db.close()
            self._db = None  # type: ignore[assignment]

    def __enter__(self) -> SqliteIndex:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()
