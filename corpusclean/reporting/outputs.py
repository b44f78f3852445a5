"""Read an output directory back: find its files, stream records, look documents up by id.

Outputs can be large (a 200,000-article run writes gigabytes), so nothing here loads a
whole file: records are streamed, and a lookup by id tests each line's prefix before
parsing it (every documents.jsonl and dropped.jsonl line starts with its `"id"`).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from ..errors import CorpuscleanError
from ..io.writers import dumps

# One output file (a local run), the partition files of a Dask run in order, or none.
OutputFiles = Path | Sequence[Path] | None


def output_file(out_dir: Path, stem: str) -> OutputFiles:
    """`OUT/STEM.jsonl`, `.jsonl.gz` or `.parquet`, whichever the run wrote; else the
    `STEM-NNNNN.*` partition files a `--engine dask` run wrote, in order; else None."""
    for suffix in (".jsonl", ".jsonl.gz", ".parquet"):
        path = out_dir / f"{stem}{suffix}"
        if path.is_file():
            return path
    for suffix in (".jsonl", ".jsonl.gz", ".parquet"):
        parts = sorted(out_dir.glob(f"{stem}-[0-9][0-9][0-9][0-9][0-9]{suffix}"))
        if parts:
            return parts
    return None


def check_output_dir(out_dir: Path) -> Path | Sequence[Path]:
    """The documents file of an output directory; a clear error when it is not one."""
    if not out_dir.is_dir():
        raise CorpuscleanError(f"{out_dir}: no such output directory")
    documents = output_file(out_dir, "documents")
    if documents is None:
        raise CorpuscleanError(f"{out_dir}: not a corpusclean output directory (no documents.jsonl)")
    return documents


def _open(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open("r", encoding="utf-8")


def iter_records(path: OutputFiles) -> Iterator[dict[str, Any]]:
    """Every record of a file, or of each partition file in turn (nothing when absent)."""
    if path is None:
        return
    if not isinstance(path, Path):
        for part in path:
            yield from iter_records(part)
        return
    if path.suffix == ".parquet":
        from ..io.parquet import iter_output_records  # pyarrow is an optional extra

        yield from iter_output_records(path)
        return
    with _open(path) as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError as error:
                raise CorpuscleanError(f"{path}:{number}: invalid JSON: {error.msg}") from None


def find_records(path: OutputFiles, ids: Collection[str]) -> dict[str, dict[str, Any]]:
    """The records of `path` (or of its partition files) whose id is in `ids`, reading until all are found."""
    found: dict[str, dict[str, Any]] = {}
    if path is None or not ids:
        return found
    if not isinstance(path, Path):
        for part in path:
            found.update(find_records(part, [i for i in ids if i not in found]))
            if len(found) == len(set(ids)):
                break
        return found
    if path.suffix == ".parquet":
        from ..io.parquet import find_output_records  # pyarrow is an optional extra

        return find_output_records(path, ids)
    prefixes = {'{"id":' + dumps(doc_id) + ",": doc_id for doc_id in ids}
    with _open(path) as handle:
        for line in handle:
            for prefix, doc_id in prefixes.items():
                if doc_id not in found and line.startswith(prefix):
                    found[doc_id] = json.loads(line)
            if len(found) == len(prefixes):
                break
    return found
