"""The persistent index as a directory of Parquet files: what a cluster reads and appends in parallel.

Same interface and manifest as the SQLite index (`corpusclean.index`); this layout lets
`--engine dask` join the earlier runs' band keys in its key shuffle and lets every worker
write the documents it keeps, with no single process in the way:

    INDEX/manifest.json              the settings signatures and keys depend on
    INDEX/runs.json                  committed runs and their files: the commit point
    INDEX/run-00001/part-00000.parquet
    INDEX/lock                       held (flock) by the run that has the index open

One row per kept document: `doc` (its number, unique and increasing across runs), `id`,
`source`, `exact`, `signature` and `shingles` (raw little-endian uint32 bytes) and `keys`
(the band keys and exact key, signed 64-bit). A run's files become part of the index only
when `runs.json` (replaced atomically) lists them: an interrupted run leaves files nobody
reads, removed when the next run of that number starts. Opening the index for the local
engine holds its keys and signatures in memory from its first query (about 0.85 KB per
document at the defaults); shingle sets are read from their file when a candidate needs
them. The Dask engine never loads them in the client: its workers read the part files.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .errors import IndexStoreError
from .index import _MASK64, FORMAT_VERSION, IndexedDoc, StoredDoc, _blob, _uint32s, to_signed

try:
    import pyarrow as pa
    import pyarrow.parquet as pq
except ImportError as error:  # pragma: no cover - exercised only without the extra
    raise ImportError("a Parquet index needs pyarrow: pip install 'corpusclean[parquet]'") from error

LAYOUT = "parquet"
SCHEMA = pa.schema(
    [
        ("doc", pa.int64()),
        ("id", pa.string()),
        ("source", pa.string()),
        ("exact", pa.int64()),
        ("signature", pa.binary()),
        ("shingles", pa.binary()),
        ("keys", pa.list_(pa.int64())),
    ]
)


def _write_json(path: Path, value: Any) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(value, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(partial, path)


def write_part(path: str | Path, docs: Sequence[StoredDoc], first: int) -> int:
    """Write one part file of documents numbered from `first` (atomically); returns how many.

    Called by the run that owns the index, and by Dask workers for their partition.
    """
    target = Path(path)
    table = pa.table(
        {
            "doc": pa.array(range(first, first + len(docs)), pa.int64()),
            "id": [d.id for d in docs],
            "source": [d.source for d in docs],
            "exact": pa.array(to_signed([d.exact for d in docs]), pa.int64()),
            "signature": [_blob(d.signature) for d in docs],
            "shingles": [_blob(d.shingles) for d in docs],
            "keys": [to_signed(d.keys) for d in docs],
        },
        schema=SCHEMA,
    )
    partial = target.with_name(target.name + ".partial")
    pq.write_table(table, partial, compression="zstd")
    os.replace(partial, target)
    return len(docs)


def read_keys(path: str | Path) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """(key, doc) of every key of one part file, as two aligned arrays (signed keys)."""
    table = pq.read_table(path, columns=["doc", "keys"])
    keys = table.column("keys").combine_chunks()
    lengths = keys.value_lengths().to_numpy(zero_copy_only=False)
    docs = np.repeat(table.column("doc").to_numpy(), lengths)
    return keys.flatten().to_numpy(zero_copy_only=False).astype(np.int64), docs.astype(np.int64)


def read_docs(path: str | Path) -> Iterator[tuple[IndexedDoc, NDArray[np.uint32] | None]]:
    """Every document of one part file with its shingle set, in doc order."""
    table = pq.read_table(path, columns=["doc", "id", "source", "exact", "signature", "shingles"])
    for row, doc_id, source, exact, signature, shingles in zip(
        *(table.column(name).to_pylist() for name in table.column_names), strict=True
    ):
        yield IndexedDoc(row, doc_id, source, exact & _MASK64, _uint32s(signature)), _uint32s(shingles)


class ParquetIndex:
    """An open, locked Parquet index directory; `commit()` makes this run's additions durable."""

    def __init__(self, path: str | Path, manifest: Mapping[str, str] | None = None) -> None:
        self.path = Path(path)
        # The settings shared with the SQLite index; the file also names its layout.
        wanted = {**(manifest or {}), "format_version": FORMAT_VERSION}
        wanted.pop("layout", None)
        self._pending: list[StoredDoc] = []
        self._lock_handle: Any = None
        manifest_file = self.path / "manifest.json"
        if self.path.exists() and not self.path.is_dir():
            raise IndexStoreError(f"{self.path}: not a corpusclean index directory")
        if not manifest_file.exists():
            if manifest is None:
                raise IndexStoreError(f"{self.path}: no such index")
            if self.path.exists() and any(self.path.iterdir()):
                raise IndexStoreError(f"{self.path}: not a corpusclean index (no manifest.json)")
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            self._lock()
        except OSError as error:
            raise IndexStoreError(f"{self.path}: cannot open index: {error.strerror or error}") from None
        try:
            if manifest_file.exists():
                self.manifest = self._checked(manifest_file, wanted, manifest is not None)
            else:
                self.manifest = wanted
                _write_json(manifest_file, {**wanted, "layout": LAYOUT})
                _write_json(self.path / "runs.json", {"runs": []})
            self._load()
        except BaseException:
            self.close()
            raise

    def _lock(self) -> None:
        handle = open(self.path / "lock", "a+b")  # noqa: SIM115 - held until close()
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise IndexStoreError(f"{self.path}: index is in use by another process") from None
        self._lock_handle = handle

    def _checked(self, manifest_file: Path, wanted: dict[str, str], compare: bool) -> dict[str, str]:
        try:
            stored = json.loads(manifest_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise IndexStoreError(f"{self.path}: unreadable manifest.json: {error}") from None
        if stored.get("format_version") != FORMAT_VERSION or stored.get("layout") != LAYOUT:
            raise IndexStoreError(
                f"{self.path}: index format {stored.get('layout')!r} version "
                f"{stored.get('format_version')!r} is not supported (this version reads "
                f"{LAYOUT!r} {FORMAT_VERSION!r})"
            )
        if compare:
            for key, value in wanted.items():
                if stored.get(key) != value:
                    raise IndexStoreError(
                        f"{self.path}: index was built with other settings: {key} is "
                        f"{stored.get(key)!r} in the index, {value!r} in this run"
                    )
        return {str(k): str(v) for k, v in stored.items() if k != "layout"}

    def _load(self) -> None:
        """Read which runs are committed; keys and signatures are read on the first query."""
        self._runs: list[dict[str, Any]] = json.loads((self.path / "runs.json").read_text(encoding="utf-8"))[
            "runs"
        ]
        self.run = max((r["run"] for r in self._runs), default=0) + 1
        self._loaded = False

    def _load_memory(self) -> None:
        """Read the committed runs' keys and signatures into sorted arrays (local lookups only)."""
        rows: list[NDArray[np.int64]] = []
        key_parts: list[NDArray[np.int64]] = []
        key_docs: list[NDArray[np.int64]] = []
        self._ids: list[str] = []
        self._sources: list[str | None] = []
        exact: list[int] = []
        signatures: list[NDArray[np.uint32] | None] = []
        self._file_of: list[tuple[int, int]] = []  # (file number, row in file) of each position
        for number, file in enumerate(self.files):
            table = pq.read_table(file, columns=["doc", "id", "source", "exact", "signature"])
            rows.append(table.column("doc").to_numpy().astype(np.int64))
            self._ids.extend(table.column("id").to_pylist())
            self._sources.extend(table.column("source").to_pylist())
            exact.extend(value & _MASK64 for value in table.column("exact").to_pylist())
            signatures.extend(_uint32s(blob) for blob in table.column("signature").to_pylist())
            self._file_of.extend((number, offset) for offset in range(table.num_rows))
            keys, docs = read_keys(file)
            key_parts.append(keys)
            key_docs.append(docs)
        self._rows = np.concatenate(rows) if rows else np.zeros(0, np.int64)
        self._exact = exact
        self._signatures = signatures
        keys = np.concatenate(key_parts) if key_parts else np.zeros(0, np.int64)
        positions = np.searchsorted(self._rows, np.concatenate(key_docs) if key_docs else keys)
        order = np.argsort(keys, kind="stable")
        self._keys, self._key_positions = keys[order], positions[order]
        self._shingle_cache: tuple[int, list[bytes | None]] | None = None
        self._loaded = True

    @property
    def files(self) -> list[Path]:
        """The committed part files, in document order."""
        return [self.path / name for run in self._runs for name in run["files"]]

    def __len__(self) -> int:
        return sum(int(run["docs"]) for run in self._runs)

    def next_doc(self) -> int:
        """The number the next added document gets (documents are numbered from 1 across runs)."""
        return max((int(run["first"]) + int(run["docs"]) for run in self._runs), default=1)

    def query(self, keys: Sequence[int]) -> list[IndexedDoc]:
        """Documents of earlier runs sharing at least one band key (or the exact key) with `keys`."""
        if not self._loaded:
            self._load_memory()
        if not keys or not len(self._keys):
            return []
        wanted = np.array(to_signed(keys), dtype=np.int64)
        low = np.searchsorted(self._keys, wanted, side="left")
        high = np.searchsorted(self._keys, wanted, side="right")
        found = np.unique(np.concatenate([self._key_positions[a:b] for a, b in zip(low, high, strict=True)]))
        return [
            IndexedDoc(
                int(self._rows[p]), self._ids[p], self._sources[p], self._exact[p], self._signatures[p]
            )
            for p in found.tolist()
        ]

    def shingles(self, row: int) -> NDArray[np.uint32] | None:
        """The stored shingle-hash set of one document (read from its part file, one file cached)."""
        if not self._loaded:
            self._load_memory()
        position = int(np.searchsorted(self._rows, row))
        if position >= len(self._rows) or self._rows[position] != row:
            return None
        number, offset = self._file_of[position]
        if self._shingle_cache is None or self._shingle_cache[0] != number:
            column = pq.read_table(self.files[number], columns=["shingles"]).column("shingles").to_pylist()
            self._shingle_cache = (number, column)
        return _uint32s(self._shingle_cache[1][offset])

    def add(
        self,
        doc_id: str,
        source: str | None,
        exact: int,
        signature: NDArray[np.uint32] | None,
        keys: Sequence[int],
        shingles: NDArray[np.uint32] | None = None,
    ) -> None:
        """Queue one kept document; it is written and made durable by `commit()`."""
        self._pending.append(StoredDoc(doc_id, source, exact, signature, tuple(keys), shingles))

    def begin_run(self) -> Path:
        """The (emptied) directory this run's part files go to; leftovers of an interrupted run are removed."""
        run_dir = self.path / f"run-{self.run:05d}"
        if run_dir.exists():
            shutil.rmtree(run_dir)
        run_dir.mkdir()
        return run_dir

    def commit(self) -> int:
        """Write this run's queued documents and commit; returns how many were added."""
        run_dir = self.begin_run()
        part = run_dir / "part-00000.parquet"
        added = write_part(part, self._pending, self.next_doc())
        self._pending.clear()
        return self.commit_files([part], added)

    def commit_files(self, parts: Sequence[Path], added: int) -> int:
        """Commit part files written for this run (by `commit` or by workers), their documents
        numbered from `next_doc()`; returns `added`."""
        names = [str(Path(p).relative_to(self.path)) for p in parts]
        record = {"run": self.run, "first": self.next_doc(), "docs": added, "files": names}
        runs = [*self._runs, record]
        _write_json(self.path / "runs.json", {"runs": runs})
        self._load()
        return added

    def documents(self) -> Iterator[StoredDoc]:
        """Every committed document in index order, with its keys (for `convert_index`)."""
        for file in self.files:
            table = pq.read_table(file)
            columns = [table.column(name).to_pylist() for name in SCHEMA.names]
            for _, doc_id, source, exact, signature, shingles, keys in zip(*columns, strict=True):
                yield StoredDoc(
                    doc_id,
                    source,
                    exact & _MASK64,
                    _uint32s(signature),
                    tuple(k & _MASK64 for k in keys),
                    _uint32s(shingles),
                )

    def close(self) -> None:
        """Release the lock; queued documents that were not committed are forgotten."""
        self._pending.clear()
        if self._lock_handle is not None:
            fcntl.flock(self._lock_handle, fcntl.LOCK_UN)
            self._lock_handle.close()
            self._lock_handle = None

    def __enter__(self) -> ParquetIndex:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()
