"""The same pipeline on Dask: per-document kernels in partitions, corpus-level steps as shuffles.

Users who outgrow one machine run the very kernels of the local path on a Dask cluster
(`pip install 'corpusclean[dask]'`), with the same results: same kept ids, texts and
duplicate decisions as `corpusclean.run`. Nothing here re-implements a kernel:

* reading and `Cleaner.process` (normalize, detectors, language, signatures) run per
  partition, in worker processes;
* learned boilerplate: each partition counts its lines with `LearnedBoilerplate.fit`, the
  counts are summed by a groupby-aggregate on (source, line), and only the lines frequent
  enough to matter come back to the client, to be shipped to every partition;
* de-duplication: (key, document) rows, one per LSH band key and one for the exact hash,
  are shuffled on the key; every pair sharing a key becomes a candidate; each candidate
  goes to the partition of its later document with that document's features, then to the
  partition of its earlier one, where `Deduplicator.pair_similarity` verifies it (the
  features never leave their partitions otherwise); connected components of the verified
  pairs come from iterated large-star/small-star (Kiveris et al., "Connected Components
  in MapReduce and Beyond", SoCC 2014), each a shuffle and a `map_partitions`, until the
  edge set stops changing; each component is then gathered in one partition (ids, ranks
  and scored pairs, no features) and split around representatives by the local path's own
  `cluster_edges` with the keep policy's ranks, so chains never merge clusters;
* dedup against earlier runs (`--index DIR`, a `ParquetIndex`): the index's (key, doc)
  rows are joined with this run's keys, each candidate scored by the local path's
  `Deduplicator.indexed_similarity`, and the best match settles a document before this
  run's clustering, as `DedupStage.observe` does; the kept documents are appended to the
  index by the workers, one part file per partition, committed once the outputs exist.

Documents are numbered `seq = partition << 40 | row`, which orders them as the local
path reads them; every tie the local path breaks by input order is broken by `seq` here.
"""

from __future__ import annotations

import itertools
import json
import logging
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xxhash

from .boilerplate import LearnedBoilerplate
from .config import Config
from .dedup import DedupFeatures, DedupStage, Match, cluster_edges
from .dedup import _source as doc_source
from .document import Document
from .errors import ConfigError, IndexStoreError, InputError
from .index import StoredDoc, open_index
from .io.readers import (
    InputItem,
    ReadError,
    _relative,
    expand_inputs,
    missing_inputs,
    printable_path,
    read_jsonl_slice,
    read_path,
    record_document,
)
from .io.writers import AtomicJsonlWriter, write_json_atomic
from .pipeline import Cleaner, Outcome
from .report import RunStats
from .reporting import ReportCollector, write_report_html

try:
    import dask
    import dask.dataframe as dd
    from dask.base import compute, persist
    from dask.delayed import delayed
    from dask.sizeof import sizeof as dask_sizeof
    from distributed import futures_of, wait
except ImportError as error:  # pragma: no cover - exercised only without the extra
    raise ImportError("corpusclean.dask needs the dask extra: pip install 'corpusclean[dask]'") from error


@dask_sizeof.register(Outcome)  # type: ignore[untyped-decorator]
def _sizeof_outcome(outcome: Outcome) -> int:
    """Bytes an outcome holds: its document and the features kept for the corpus stages.

    Dask decides when a worker spills persisted partitions to disk from these sizes; its
    default for an unknown object is `sys.getsizeof`, about 100 bytes for an outcome that
    holds a 4 KB article and 3 KB of dedup features, so workers would never spill and
    be killed at their memory limit instead.
    """
    return int(
        sys.getsizeof(outcome)
        + _sizeof_document(outcome.doc)
        + dask_sizeof(outcome.features)
        + dask_sizeof(outcome.timings)
        + (dask_sizeof(outcome.drop.evidence) if outcome.drop is not None else 0)
    )


@dask_sizeof.register(Document)  # type: ignore[untyped-decorator]
def _sizeof_document(doc: Document) -> int:
    return (
        sys.getsizeof(doc) + sys.getsizeof(doc.id) + sys.getsizeof(doc.text) + int(dask_sizeof(doc.metadata))
    )


@dask_sizeof.register(DedupFeatures)  # type: ignore[untyped-decorator]
def _sizeof_features(features: DedupFeatures) -> int:
    arrays = sum(a.nbytes + 112 for a in (features.signature, features.shingles) if a is not None)
    return sys.getsizeof(features) + sys.getsizeof(features.keys) + 32 * len(features.keys) + arrays


SEQ_BITS = 40  # rows per partition < 2**40; partitions < 2**23
EDGE_PARTITION_RATIO = 4  # document partitions per partition of candidate pairs and edges
_MAX_ROUNDS = 64  # large-star/small-star converges in O(log n) rounds; this is far above any real input

# `kind` is categorical, not text: Dask sizes object columns by sampling their values, and a
# column repeating three strings would make it believe the outcomes were all sampled too.
_KIND = pd.CategoricalDtype(["kept", "dropped", "error"])
# (id, packed DedupFeatures, the same without shingles, keep-policy rank) per document, and
# (key, seq) per LSH key. The features are bytes (`DedupFeatures.packed`) because the
# verification joins ship them per candidate pair: pickling that many dataclasses of arrays
# stalled a 1M-document run.
_FEATURE_ROWS_META = pd.DataFrame(
    {c: pd.Series([], dtype=object) for c in ("id", "features", "probe", "rank")},
    index=pd.Index([], dtype="int64", name="seq"),
)
_KEY_META = pd.DataFrame({"key": pd.Series([], dtype="int64"), "seq": pd.Series([], dtype="int64")})
_OUTCOMES_META = pd.DataFrame(
    {"kind": pd.Series([], dtype=_KIND), "outcome": pd.Series([], dtype=object)},
    index=pd.Index([], dtype="int64", name="seq"),
)


@dataclass
class DaskResult:
    """What `clean` returns: lazy frames of kept, dropped and unreadable records, and a report.

    `documents` has columns `id`, `text`, `metadata` (JSON text, as the Parquet output);
    `dropped` adds `reason` and `evidence` (JSON); `errors` has the columns of
    errors.jsonl. All three are indexed by `seq` (input order). `outcomes` is the frame
    they are cut from (one `Outcome` or `ReadError` object per input record).
    """

    outcomes: Any
    config: Config
    dedup_summary: dict[str, Any] = field(default_factory=dict)
    fit_seconds: float = 0.0
    index: Any = None  # the open ParquetIndex of `--index`, committed by `write`

    def close(self) -> None:
        """Release the index (if any) without adding this run's documents to it."""
        if self.index is not None:
            self.index.close()
            self.index = None

    @property
    def documents(self) -> Any:
        """Kept documents as a Dask DataFrame (id, text, metadata JSON)."""
        meta = pd.DataFrame({c: pd.Series([], dtype=object) for c in ("id", "text", "metadata")})
        meta.index = pd.Index([], dtype="int64", name="seq")
        return self.outcomes.map_partitions(_documents_frame, meta=meta)

    @property
    def dropped(self) -> Any:
        """Dropped documents (id, reason, evidence JSON, text, metadata JSON)."""
        columns = ("id", "reason", "evidence", "text", "metadata")
        meta = pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
        meta.index = pd.Index([], dtype="int64", name="seq")
        return self.outcomes.map_partitions(_dropped_frame, meta=meta)

    @property
    def errors(self) -> Any:
        """Records that could not be read (path, line, id, kind, error)."""
        columns = ("path", "line", "id", "kind", "error")
        meta = pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
        meta.index = pd.Index([], dtype="int64", name="seq")
        return self.outcomes.map_partitions(_errors_frame, meta=meta)

    def report(self) -> dict[str, Any]:
        """report.json's counts, computed on the workers (one RunStats per partition, summed)."""
        with _objects_kept():
            parts = [delayed(_stats_of)(part) for part in self.outcomes.to_delayed()]
            stats = _merge_stats(compute(*parts))
        return self._report(stats)

    def write(self, out: str | Path, inputs: Sequence[str] = ()) -> RunStats:
        """Write `documents-NNNNN`, `dropped-NNNNN` and `errors-NNNNN` files from the workers, then report.json."""
        out_dir = Path(out)
        out_dir.mkdir(parents=True, exist_ok=True)
        output = self.config.output
        with _objects_kept():
            tasks = [
                delayed(_write_partition)(part, number, str(out_dir), output.format, output.compress)
                for number, part in enumerate(self.outcomes.to_delayed())
            ]
            written = compute(*tasks)
        stats = _merge_stats(part_stats for part_stats, _ in written)
        collector = ReportCollector()
        for _, part_collector in written:  # in partition order: samples keep input order
            collector.merge(part_collector)
        report = self._report(stats)
        report["config"] = self.config.to_dict()
        report["inputs"] = [printable_path(p) for p in inputs]
        report["partitions"] = len(tasks)
        if self.index is not None:
            # Only once the outputs are in place, as the local engine commits its index.
            report["index"] = {"path": str(self.index.path), "added": self.commit_index()}
        write_report_html(out_dir, report, collector)
        write_json_atomic(out_dir / "report.json", report)  # last: its presence says the run completed
        return stats

    def commit_index(self) -> int:
        """Append the kept documents to the index (workers write a part file each), commit, close it."""
        index, self.index = self.index, None
        if index is None:
            return 0
        try:
            run_dir = index.begin_run()
            with _objects_kept():
                parts = self.outcomes.to_delayed()
                counts = compute(*[delayed(_indexed_count)(part) for part in parts])
                starts = np.concatenate(([0], np.cumsum(counts, dtype=np.int64)[:-1])) + index.next_doc()
                files = [run_dir / f"part-{number:05d}.parquet" for number in range(len(parts))]
                compute(
                    *[
                        delayed(_write_index_part)(part, str(file), int(first))
                        for part, file, first in zip(parts, files, starts.tolist(), strict=True)
                    ]
                )
            return int(index.commit_files(files, int(sum(counts))))
        finally:
            index.close()

    def _report(self, stats: RunStats) -> dict[str, Any]:
        if self.fit_seconds:
            stats.seconds["fit"] += self.fit_seconds
        report = stats.to_dict()
        report["engine"] = "dask"
        if self.dedup_summary:
            report["dedup"] = dict(self.dedup_summary)
        return report


def clean(data: Any, config: Config | None = None) -> DaskResult:
    """Clean and de-duplicate `data` on the current Dask scheduler; lazy frames in a `DaskResult`.

    `data` is a list of input paths (files or directories, as the CLI takes them), a
    Dask DataFrame or a pandas DataFrame with the configured id and text columns (other
    columns become metadata, as for JSONL records). Corpus-level steps run when this is
    called (they are shuffles on the cluster: counts, LSH buckets, components); the
    per-document results stay on the workers (persisted) and the returned frames are lazy.
    """
    config = config or Config()
    _check(config)
    with _objects_kept():
        return _clean(data, config)


def _check(config: Config) -> None:
    """Refuse what this engine cannot do, before any work."""
    index = config.dedup.index
    if index and Path(index).exists() and not Path(index).is_dir():
        raise ConfigError(
            f"{index}: --engine dask reads a Parquet index (a directory), not an SQLite file; "
            f"convert it first: corpusclean index convert {index} {Path(index).with_suffix('')}-index/"
        )


def _open_index(config: Config, cleaner: Cleaner) -> Any:
    """The run's Parquet index (created when new), locked by this client until the run ends."""
    if not config.dedup.index:
        return None
    stage = next(s for s in cleaner.corpus_stages if isinstance(s, DedupStage))
    path = config.dedup.index
    if not Path(path).exists():
        path = str(path).rstrip("/") + "/"  # a new index on this engine is a Parquet directory
    store = open_index(path, stage.dedup.manifest())
    if not hasattr(store, "commit_files"):  # pragma: no cover - _check refused SQLite files
        store.close()
        raise IndexStoreError(f"{config.dedup.index}: not a Parquet index")
    return store


@contextmanager
def _objects_kept() -> Iterator[None]:
    """Keep object columns (Outcome, DedupFeatures) as Python objects through every shuffle.

    Dask would cast object columns to Arrow strings, and its P2P shuffle moves Arrow tables,
    which cannot hold them; the task-based shuffle pickles partitions instead.
    """
    settings = {"dataframe.convert-string": False, "dataframe.shuffle.method": "tasks"}
    with dask.config.set(settings):
        yield


def persisted(*frames: Any) -> tuple[Any, ...]:
    """`dask.persist(*frames)`, returning once they are computed.

    Why wait: with a `LocalCluster` the scheduler builds each graph in a thread of this
    process, and on Python 3.11 `functools.cached_property` holds one lock per property
    shared by every instance, so building the next expression here while that thread
    builds the last one can deadlock on those locks (seen on this engine's own tests).
    """
    done: tuple[Any, ...] = persist(*frames)
    wait(futures_of(list(done)))
    return done


def _clean(data: Any, config: Config) -> DaskResult:
    cleaner = Cleaner(config)
    sources = _sources(data, config)
    fit_seconds = 0.0
    learned = [d for d in cleaner.detectors if isinstance(d, LearnedBoilerplate)]
    if learned:
        clock = time.perf_counter()
        fit_learned(learned[0], sources, config)
        fit_seconds = time.perf_counter() - clock
    handle = delayed(cleaner, pure=True)
    renames = unique_id_renames(sources, config)
    parts = [
        delayed(_process_partition, nout=3)(source, number, handle, renames.get(number, {}))
        for number, source in enumerate(sources)
    ]
    divisions = _divisions(len(parts))
    outcomes = dd.from_delayed(
        [part[0] for part in parts], meta=_OUTCOMES_META, divisions=divisions, verify_meta=False
    )
    # What de-duplication reads, cut from each partition while its outcomes are in memory: the
    # corpus-level steps then never read back the outcomes (~15 KB a document, spilled at scale).
    keys = dd.from_delayed([part[1] for part in parts], meta=_KEY_META, verify_meta=False)
    feats = dd.from_delayed(
        [part[2] for part in parts], meta=_FEATURE_ROWS_META, divisions=divisions, verify_meta=False
    )
    outcomes, keys, feats = persisted(outcomes, keys, feats)
    summary: dict[str, Any] = {}
    index = _open_index(config, cleaner)
    try:
        if config.dedup.enabled:
            outcomes, summary = deduplicate(outcomes, keys, feats, cleaner, index)
    except BaseException:
        if index is not None:
            index.close()
        raise
    return DaskResult(outcomes, config, summary, fit_seconds, index)


def run(inputs: Sequence[str], out: str | Path, config: Config | None = None) -> RunStats:
    """`corpusclean clean --engine dask`: a local cluster on 127.0.0.1, or the one at `--scheduler`."""
    from .runner import _prepare_output, _refuse_overwriting_inputs

    config = config or Config()
    _check(config)
    missing = missing_inputs(inputs)
    if inputs and len(missing) == len(inputs):
        raise InputError(f"{', '.join(missing)}: no such file or directory")
    if str(out) == "-":
        raise ConfigError("--engine dask writes partitioned files: give an output directory, not -o -")
    out_dir = Path(out)
    _refuse_overwriting_inputs(inputs, out_dir)
    _prepare_output(out_dir)
    for stale in itertools.chain(*(out_dir.glob(f"{kind}-*") for kind in ("documents", "dropped", "errors"))):
        stale.unlink(missing_ok=True)
    started = time.perf_counter()
    with dask_client(config):
        result = clean([str(p) for p in inputs], config)
        try:
            stats = result.write(out_dir, inputs)
        finally:
            result.close()  # an index not committed by `write` is left as it was
    stats.seconds["total"] = time.perf_counter() - started
    return stats


@contextmanager
def dask_client(config: Config) -> Iterator[Any]:
    """A distributed Client: to `--scheduler`, or to a LocalCluster of `--workers` processes on loopback."""
    from distributed import Client, LocalCluster

    from .runner import resolve_workers

    if config.engine.scheduler:
        with Client(config.engine.scheduler) as client:
            yield client
        return
    workers = resolve_workers(config.run.workers)
    # One thread per worker: the kernels are pure Python, so threads would share one GIL.
    with (
        _restarts_reported(),
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",  # the status pages, on loopback and a free port
            scheduler_port=0,
            silence_logs=logging.ERROR,
            memory_limit=config.engine.memory_limit,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


@contextmanager
def _restarts_reported() -> Iterator[None]:
    """Show the nanny's "exceeded 95% memory budget. Restarting..." on stderr.

    The local cluster silences Dask's warnings (they are mostly noise for a CLI user), but a
    worker restarted at its memory limit loses its partitions, which are then recomputed: a
    run that suddenly takes twice as long should say why.
    """
    restarts = logging.getLogger("distributed.nanny.memory")
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter("corpusclean: dask: %(message)s"))
    restarts.addHandler(handler)
    try:
        yield
    finally:
        restarts.removeHandler(handler)


# -- input ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _PathGroup:
    """Input files read by one partition (and read errors found while listing them)."""

    entries: tuple[tuple[str, str | ReadError], ...]


@dataclass(frozen=True, slots=True)
class _FileSlice:
    """The lines of one large plain JSONL file that start in bytes [start, end): one partition."""

    root: str
    path: str
    start: int
    end: int
    first_line: int = 1  # number of the slice's first line, from the newline counts


_SPLITTABLE = (".jsonl", ".ndjson")  # plain text: a compressed stream cannot be entered mid-way


def _sources(data: Any, config: Config) -> list[Any]:
    """One picklable source per partition: a group of files, a slice of a large file, or a pandas partition."""
    if isinstance(data, dd.DataFrame):
        return list(data.to_delayed())
    if isinstance(data, pd.DataFrame):
        return [data]
    if isinstance(data, str | Path):
        data = [data]
    paths = [str(p) for p in data]
    if "-" in paths:
        raise ConfigError("--engine dask reads files; standard input (-) is for the local engine")
    return _numbered(list(_path_groups(paths, int(config.engine.partition_mb * 1_000_000))))


def _path_groups(paths: Sequence[str], partition_bytes: int) -> Iterator[_PathGroup | _FileSlice]:
    """Consecutive input files, grouped up to `partition_bytes`; a larger plain JSONL file is cut
    into slices of `partition_bytes` (listing only: no file is read here)."""
    current: list[tuple[str, str | ReadError]] = []
    size = 0
    sliced = False
    for root, path in expand_inputs(paths):
        if isinstance(path, ReadError) or path is None:
            current.append((root, path or ReadError(root, None, "standard input", kind="unreadable")))
            continue
        try:
            nbytes = path.stat().st_size
        except OSError:
            nbytes = 0
        if nbytes > partition_bytes and path.name.lower().endswith(_SPLITTABLE):
            if current:
                yield _PathGroup(tuple(current))
                current, size = [], 0
            for start in range(0, nbytes, max(1, partition_bytes)):
                yield _FileSlice(root, str(path), start, min(start + partition_bytes, nbytes))
            sliced = True
            continue
        if current and size + nbytes > partition_bytes:
            yield _PathGroup(tuple(current))
            current, size = [], 0
        current.append((root, str(path)))
        size += nbytes
    if current or not sliced:  # an empty input is one empty partition
        yield _PathGroup(tuple(current))


def _numbered(sources: list[Any]) -> list[Any]:
    """Give each file slice the number of its first line: newlines counted per slice, on the workers.

    Slice k starts after the first newline at or after byte `start - 1`, so its first line is
    the newlines before `start - 1`, plus the one ending the skipped piece, plus one.
    """
    slices = [(i, s) for i, s in enumerate(sources) if isinstance(s, _FileSlice) and s.start > 0]
    if not slices:
        return sources
    counts = compute(
        *[
            delayed(_count_newlines)(
                s.path, s.start - 1 if s.start else 0, s.end - 1 if s.end < _size(s) else s.end
            )
            for s in sources
            if isinstance(s, _FileSlice)
        ]
    )
    numbered = list(sources)
    before: dict[str, int] = {}
    counted = iter(counts)
    for position, source in enumerate(sources):
        if not isinstance(source, _FileSlice):
            continue
        seen = before.get(source.path, 0)
        if source.start > 0:
            numbered[position] = _FileSlice(source.root, source.path, source.start, source.end, seen + 2)
        before[source.path] = seen + next(counted)
    return numbered


def _size(source: _FileSlice) -> int:
    return Path(source.path).stat().st_size


def _count_newlines(path: str, start: int, end: int) -> int:
    """Newlines in bytes [start, end) of a file, read in 1 MiB blocks."""
    count = 0
    with open(path, "rb") as handle:
        handle.seek(start)
        left = end - start
        while left > 0:
            block = handle.read(min(left, 1 << 20))
            if not block:
                break
            count += block.count(b"\n")
            left -= len(block)
    return count


def _read_source(source: Any, number: int, config: Config) -> Iterator[InputItem]:
    """The records of one partition, in input order, ids made unique as the local reader does."""
    if isinstance(source, _FileSlice):
        relative = printable_path(_relative(source.root, Path(source.path)))
        yield from read_jsonl_slice(
            Path(source.path), relative, config.input, source.start, source.end, source.first_line
        )
        return
    if isinstance(source, _PathGroup):
        items: Iterable[InputItem] = itertools.chain.from_iterable(
            [path] if isinstance(path, ReadError) else read_path(root, Path(path), config.input)
            for root, path in source.entries
        )
        yield from items
        return
    frame: pd.DataFrame = source
    for row, record in enumerate(frame.to_dict(orient="records")):
        default_id = f"row-{number}-{row}"
        document = record_document(record, config.input, default_id, {"row": row})
        if isinstance(document, str):
            yield ReadError(f"partition-{number}", row, document, default_id, "missing-text")
        else:
            yield document


def _renamed(items: Iterable[InputItem], renames: dict[int, str]) -> Iterator[InputItem]:
    """Items with the ids `unique_id_renames` gave them (`x#2`, original kept in `id_original`)."""
    for row, item in enumerate(items):
        new_id = renames.get(row)
        if new_id is None or isinstance(item, ReadError):
            yield item
            continue
        metadata = dict(item.metadata)
        metadata["id_original"] = item.id
        yield Document(new_id, item.text, metadata)


def unique_id_renames(sources: Sequence[Any], config: Config) -> dict[int, dict[int, str]]:
    """Partition → {row: new id} for every id already used earlier in input order.

    The local reader's `unique_ids` over the whole input, done as a shuffle of (id hash,
    seq) rows: only ids that occur more than once come back to the client, and the second
    `x` becomes `x#2`, the third `x#3`, in input order.
    """
    meta = pd.DataFrame(
        {
            "h": pd.Series([], dtype="int64"),
            "seq": pd.Series([], dtype="int64"),
            "id": pd.Series([], dtype=object),
        }
    )
    parts = [delayed(_id_rows)(source, number, config) for number, source in enumerate(sources)]
    rows = dd.from_delayed(parts, meta=meta, verify_meta=False)
    partitions = max(1, -(-len(parts) // EDGE_PARTITION_RATIO))
    repeated = rows.shuffle(on="h", npartitions=partitions).map_partitions(_repeated, meta=meta).compute()
    renames: dict[int, dict[int, str]] = {}
    for _, group in repeated.sort_values("seq").groupby("h", sort=False):
        for number, (seq, name) in enumerate(zip(group.seq.tolist(), group.id.tolist(), strict=True)):
            if number:
                renames.setdefault(seq >> SEQ_BITS, {})[seq & ((1 << SEQ_BITS) - 1)] = f"{name}#{number + 1}"
    return renames


def _id_rows(source: Any, number: int, config: Config) -> pd.DataFrame:
    hashes: list[int] = []
    seqs: list[int] = []
    ids: list[str] = []
    for row, item in enumerate(_read_source(source, number, config)):
        if isinstance(item, Document):
            hashes.append(xxhash.xxh3_64_intdigest(item.id.encode("utf-8", errors="surrogatepass")))
            seqs.append(number << SEQ_BITS | row)
            ids.append(item.id)
    return pd.DataFrame(
        {
            "h": np.array(hashes, dtype=np.uint64).view(np.int64),
            "seq": np.array(seqs, dtype=np.int64),
            "id": pd.Series(ids, dtype=object),
        }
    )


def _repeated(part: pd.DataFrame) -> pd.DataFrame:
    return part[part.duplicated("h", keep=False)]


def _divisions(partitions: int) -> tuple[int, ...]:
    return (*(number << SEQ_BITS for number in range(partitions)), (partitions << SEQ_BITS) - 1)


def _process_partition(
    source: Any, number: int, cleaner: Cleaner, renames: dict[int, str]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Read and clean one partition with `Cleaner.process`: the local path's per-document kernel.

    Returns the outcomes, and the partition's LSH key rows and feature rows for de-duplication.
    """
    seqs: list[int] = []
    kinds: list[str] = []
    outcomes: list[Outcome | ReadError] = []
    for row, item in enumerate(_renamed(_read_source(source, number, cleaner.config), renames)):
        result = item if isinstance(item, ReadError) else cleaner.process(item)
        seqs.append(number << SEQ_BITS | row)
        kinds.append("error" if isinstance(result, ReadError) else "kept" if result.kept else "dropped")
        outcomes.append(result)
    frame = _outcome_frame(seqs, kinds, outcomes)
    stage = next((s for s in cleaner.corpus_stages if isinstance(s, DedupStage)), None)
    if stage is None:
        return frame, _KEY_META, _FEATURE_ROWS_META
    return frame, _key_rows(frame), _feature_rows(frame, stage)


def _outcome_frame(seqs: list[int], kinds: list[str], outcomes: list[Any]) -> pd.DataFrame:
    index = pd.Index(np.array(seqs, dtype=np.int64), name="seq")
    return pd.DataFrame(
        {
            "kind": pd.Series(kinds, index=index, dtype=_KIND),
            "outcome": pd.Series(outcomes, index=index, dtype=object),
        }
    )


# -- learned boilerplate: a per-source groupby-aggregate -------------------------------------


def fit_learned(learned: LearnedBoilerplate, sources: Sequence[Any], config: Config) -> None:
    """Add the corpus's per-source line counts to `learned`, counted on the workers.

    Each partition fits a fresh detector (the local `fit`) and emits (source, line, count)
    rows; they are summed by a shuffle on (source, line). Only lines that reach `min_docs`
    (2 when the counts are saved, as `to_dict` keeps) come back: no other line can be marked.
    """
    floor = 2 if getattr(learned, "counts_out", None) else learned.min_docs
    settings = {
        "min_docs": learned.min_docs,
        "min_share": learned.min_share,
        "long_chars": learned.long_chars,
        "long_min_share": learned.long_min_share,
        "max_lines": learned.max_lines,
        "source_field": learned.source_field,
        "normalize": learned.normalize,
    }
    meta = pd.DataFrame(
        {
            "source": pd.Series([], dtype=object),
            "line": pd.Series([], dtype="int64"),
            "n": pd.Series([], dtype="int64"),
        }
    )
    parts = [
        delayed(_count_partition)(source, number, config, settings) for number, source in enumerate(sources)
    ]
    rows = dd.from_delayed(parts, meta=meta, verify_meta=False)
    totals = rows.groupby(["source", "line"]).n.sum(split_out=max(1, len(parts) // 4)).reset_index()
    frequent = totals.map_partitions(_frequent, floor, meta=meta).compute()
    docs: Counter[str] = Counter()
    lines: dict[str, Counter[int]] = {}
    for source, line, count in frequent.itertuples(index=False):
        if line == _DOCS_ROW:
            docs[source] += int(count)
        else:
            lines.setdefault(source, Counter())[int(np.int64(line).view(np.uint64))] = int(count)
    learned.update_counts(docs, lines)
    counts_out = getattr(learned, "counts_out", None)
    if counts_out:
        learned.save(counts_out)


# A line hash is an xxh3-64 value; documents per source travel in the same rows under this
# marker, which a line would hit with probability 2**-64.
_DOCS_ROW = -1


def _frequent(part: pd.DataFrame, floor: int) -> pd.DataFrame:
    part = part.reset_index(drop=True)
    return part[(part.n.to_numpy() >= floor) | (part.line.to_numpy() == _DOCS_ROW)]


def _count_partition(source: Any, number: int, config: Config, settings: dict[str, Any]) -> pd.DataFrame:
    counter = LearnedBoilerplate(**settings).fit(
        item for item in _read_source(source, number, config) if isinstance(item, Document)
    )
    names: list[str] = []
    lines: list[int] = []
    counts: list[int] = []
    for name, table in counter.counts.items():
        names.append(name)
        lines.append(_DOCS_ROW)
        counts.append(counter.docs[name])
        for line, count in table.items():
            names.append(name)
            lines.append(int(np.uint64(line).view(np.int64)))
            counts.append(count)
    return pd.DataFrame(
        {
            "source": pd.Series(names, dtype=object),
            "line": np.array(lines, dtype=np.int64),
            "n": np.array(counts, dtype=np.int64),
        }
    )


# -- de-duplication: LSH shuffle, verified pairs, components, keep policy --------------------


def deduplicate(
    outcomes: Any, keys: Any, feats: Any, cleaner: Cleaner, index: Any = None
) -> tuple[Any, dict[str, Any]]:
    """Apply exact and near-duplicate decisions to the persisted outcomes; returns them and report figures.

    `keys` and `feats` are the partitions' key and feature rows (see `_process_partition`).
    With `index` (an open `ParquetIndex`), duplicates of earlier runs are settled first.
    """
    stage = next(s for s in cleaner.corpus_stages if isinstance(s, DedupStage))
    handle = delayed(stage, pure=True)
    partitions = outcomes.npartitions
    # Candidate pairs are fewer than key rows (about 5 vs 17 a document, 100k corpus): fewer partitions.
    edge_partitions = max(1, -(-partitions // EDGE_PARTITION_RATIO))
    earlier = 0
    if index is not None and len(index):
        outcomes, settled = settle_earlier_runs(outcomes, keys, feats, stage, [str(f) for f in index.files])
        earlier = len(settled)
        if earlier:
            gone = delayed(settled, pure=True)
            keys = keys.map_partitions(_without, gone, "seq", meta=_KEY_META)
            feats = feats.map_partitions(_without, gone, None, meta=_FEATURE_ROWS_META)
    pair_meta = pd.DataFrame({"a": pd.Series([], dtype="int64"), "b": pd.Series([], dtype="int64")})
    pairs = (
        keys.shuffle(on="key", npartitions=partitions)
        .map_partitions(_candidate_pairs, meta=pair_meta)
        .shuffle(on=["a", "b"], npartitions=edge_partitions)
        .map_partitions(pd.DataFrame.drop_duplicates, meta=pair_meta)
    )
    # Verified before any component is formed: candidates chain (news on one topic share
    # band keys), so components of unverified pairs can hold most of a corpus (90 % of the
    # 100k benchmark corpus), too much to gather anywhere. Each pair picks up the later
    # document's exact hash and signature where they live, then meets the earlier one's in
    # its partition and is screened (`Deduplicator.may_verify`); a pair that may verify takes
    # the earlier document's shingle set along to the later one's partition, where it is
    # verified. Shingle sets (~3 KB a document) thus travel for the pairs that may verify
    # only (42 % of the candidates of the 10k benchmark corpus), signatures for every pair.
    probed = _with_rows_of(pairs, "b", feats, {"probe": "later"})
    screened = _with_rows_of(probed, "a", feats, {"probe": "earlier", "features": "earlier_features"})
    screened_meta = pair_meta.assign(earlier=pd.Series([], dtype=object))
    survivors = screened.map_partitions(_screened_pairs, handle, meta=screened_meta)
    with_both = _with_rows_of(survivors, "b", feats, {"features": "later"})
    edge_meta = pair_meta.assign(score=pd.Series([], dtype="float64"))
    (edges,) = persisted(with_both.map_partitions(_verified_pairs, handle, meta=edge_meta))
    labels = connected_components(edges[["a", "b"]], edge_partitions)
    members = _with_rows_of(labels, "v", feats, {"id": "id", "rank": "rank"})
    member_rows = members.assign(kind=0, b=-1, score=np.nan).rename(columns={"v": "a"})
    pair_rows = edges.merge(labels.rename(columns={"v": "a"}), on="a").assign(kind=1, id=None, rank=None)
    columns = ["label", "kind", "a", "b", "score", "id", "rank"]
    rows = dd.concat([member_rows[columns], pair_rows[columns]])
    decision_meta = pd.DataFrame(
        {
            "seq": pd.Series([], dtype="int64"),
            "decision": pd.Series([], dtype=object),
            "size": pd.Series([], dtype="int64"),
            "name": pd.Series([], dtype=object),
            "is_rep": pd.Series([], dtype=bool),
            "split": pd.Series([], dtype="int64"),
        }
    )
    (decisions,) = persisted(
        rows.shuffle(on="label", npartitions=edge_partitions).map_partitions(
            _cluster_components, handle, meta=decision_meta
        )
    )
    aligned = decisions.set_index("seq", divisions=outcomes.divisions)
    # Left lazy: persisting would hold a second copy of every outcome; writing reads each once.
    decided = dd.map_partitions(
        _apply_decisions, outcomes, aligned, stage.policy, meta=_OUTCOMES_META, align_dataframes=False
    )
    summary = _dedup_summary(decisions, stage)
    summary["duplicates_of_earlier_runs"] = earlier
    return decided, summary


def settle_earlier_runs(
    outcomes: Any, keys: Any, feats: Any, stage: DedupStage, files: Sequence[str]
) -> tuple[Any, np.ndarray]:
    """Drop documents that duplicate one kept by an earlier run (a Parquet index's part files).

    The index's (key, doc) rows meet this run's key rows in one hash join; every candidate
    is scored by `Deduplicator.indexed_similarity` where both sides' features are, and the
    best match (highest score, then the earliest indexed document, as `match_index`)
    settles the document. Settled documents take no part in this run's clustering.
    Returns the outcomes with those documents dropped, and their seqs.
    """
    handle = delayed(stage, pure=True)
    partitions = max(1, -(-outcomes.npartitions // EDGE_PARTITION_RATIO))
    old_keys = dd.from_delayed(
        [delayed(_index_keys)(file) for file in files],
        meta=pd.DataFrame({"key": pd.Series([], dtype="int64"), "row": pd.Series([], dtype="int64")}),
        verify_meta=False,
    )
    pair_meta = pd.DataFrame({"seq": pd.Series([], dtype="int64"), "row": pd.Series([], dtype="int64")})
    pairs = (
        keys.merge(old_keys, on="key", npartitions=partitions)[["seq", "row"]]
        .shuffle(on=["seq", "row"], npartitions=partitions)
        .map_partitions(pd.DataFrame.drop_duplicates, meta=pair_meta)
    )
    old_docs = dd.from_delayed(
        [delayed(_index_docs)(file) for file in files], meta=_INDEXED_META, verify_meta=False
    )
    joined = _with_rows_of(pairs, "seq", feats, {"features": "features"}).merge(
        old_docs, left_on="row", right_index=True
    )
    best_meta = pd.DataFrame(
        {
            "seq": pd.Series([], dtype="int64"),
            "row": pd.Series([], dtype="int64"),
            "id": pd.Series([], dtype=object),
            "score": pd.Series([], dtype="float64"),
        }
    )
    (best,) = persisted(
        joined.map_partitions(_score_earlier, handle, meta=best_meta)
        .shuffle(on="seq", npartitions=partitions)
        .map_partitions(_best_earlier, meta=best_meta)
    )
    aligned = best.set_index("seq", divisions=outcomes.divisions)
    settled = dd.map_partitions(
        _apply_earlier, outcomes, aligned, meta=_OUTCOMES_META, align_dataframes=False
    )
    return settled, best.seq.compute().to_numpy(np.int64)


def _with_rows_of(rows: Any, on: str, feats: Any, columns: dict[str, str]) -> Any:
    """`rows` joined (inner) with `feats`' `columns` (renamed) where `rows[on]` is the seq.

    `rows` is moved to the partitions of `feats` (same divisions) instead of hash-joining
    both: `feats` never leaves its workers.
    """
    aligned = rows.set_index(on, divisions=feats.divisions)
    meta = rows._meta.assign(**{new: pd.Series([], dtype=object) for new in columns.values()})
    return dd.map_partitions(
        _join_rows, aligned, feats, on, columns, list(meta.columns), meta=meta, align_dataframes=False
    )


def _join_rows(
    part: pd.DataFrame, feats: pd.DataFrame, on: str, columns: dict[str, str], order: list[str]
) -> pd.DataFrame:
    picked = feats[list(columns)].rename(columns=columns)
    return part.join(picked, how="inner").rename_axis(on).reset_index()[order]


def _without(part: pd.DataFrame, seqs: np.ndarray, column: str | None) -> pd.DataFrame:
    """The rows of `part` whose seq (`column`, or the index when None) is not in `seqs`."""
    values = part.index if column is None else part[column]
    return part[~np.isin(values.to_numpy(np.int64), seqs)]


_INDEXED_META = pd.DataFrame(
    {"indexed": pd.Series([], dtype=object)}, index=pd.Index([], dtype="int64", name="row")
)


def _index_keys(file: str) -> pd.DataFrame:
    from .parquet_index import read_keys

    keys, rows = read_keys(file)
    return pd.DataFrame({"key": keys, "row": rows})


def _index_docs(file: str) -> pd.DataFrame:
    """One row per indexed document: (IndexedDoc, shingle set), indexed by its doc number."""
    from .parquet_index import read_docs

    docs = list(read_docs(file))
    index = pd.Index(np.array([doc.row for doc, _ in docs], dtype=np.int64), name="row")
    return pd.DataFrame({"indexed": pd.Series(docs, index=index, dtype=object)})


def _score_earlier(part: pd.DataFrame, stage: DedupStage) -> pd.DataFrame:
    """Each (document, indexed document) candidate scored as `Deduplicator.match_index` scores it."""
    dedup = stage.dedup
    rows = []
    for seq, row, features, (doc, shingles) in zip(
        part.seq.tolist(), part.row.tolist(), part.features, part.indexed, strict=True
    ):
        score = dedup.indexed_similarity(DedupFeatures.unpacked(features), doc, partial(_same, shingles))
        if score >= stage.config.threshold:
            rows.append((seq, row, doc.id, score))
    return pd.DataFrame(
        {
            "seq": np.array([r[0] for r in rows], dtype=np.int64),
            "row": np.array([r[1] for r in rows], dtype=np.int64),
            "id": pd.Series([r[2] for r in rows], dtype=object),
            "score": np.array([r[3] for r in rows], dtype=np.float64),
        }
    )


def _same(value: Any) -> Any:
    return value


def _best_earlier(part: pd.DataFrame) -> pd.DataFrame:
    """Per document, the best indexed match: the highest score, then the earliest indexed document."""
    ordered = part.assign(order=-part.score).sort_values(["seq", "order", "row"], kind="stable")
    return ordered.drop_duplicates("seq")[["seq", "row", "id", "score"]].reset_index(drop=True)


def _apply_earlier(part: pd.DataFrame, best: pd.DataFrame) -> pd.DataFrame:
    """Drop the partition's documents settled by an earlier run, as `DedupStage.observe` does."""
    by_seq = dict(
        zip(best.index.tolist(), zip(best.id.tolist(), best.score.tolist(), strict=True), strict=True)
    )
    kinds = part.kind.tolist()
    outcomes = part.outcome.tolist()
    for position, seq in enumerate(part.index.tolist()):
        found = by_seq.get(int(seq))
        if found is None or kinds[position] != "kept":
            continue
        doc_id, score = found
        outcomes[position].drop = Match(doc_id, score, doc_id, earlier_run=True).drop()
        kinds[position] = "dropped"
    return _outcome_frame(part.index.tolist(), kinds, outcomes)


def _indexed_count(part: pd.DataFrame) -> int:
    return sum(1 for _ in _indexed_rows(part))


def _indexed_rows(part: pd.DataFrame) -> Iterator[StoredDoc]:
    """What the index stores of each kept document of a partition, in input order."""
    for outcome in part.loc[part.kind == "kept", "outcome"].tolist():
        found = outcome.features.get("dedup")
        if found is not None:
            yield StoredDoc(
                outcome.doc.id,
                doc_source(outcome.doc),
                found.exact,
                found.signature,
                found.keys,
                found.shingles,
            )


def _write_index_part(part: pd.DataFrame, file: str, first: int) -> int:
    from .parquet_index import write_part

    return write_part(file, list(_indexed_rows(part)), first)


def _feature_rows(part: pd.DataFrame, stage: DedupStage) -> pd.DataFrame:
    """(id, packed DedupFeatures, packed without shingles, keep-policy rank) of every document
    still kept, indexed by seq."""
    ids, features, probes, ranks, seqs = [], [], [], [], []
    for seq, outcome in part.loc[part.kind == "kept", "outcome"].items():
        found = outcome.features.get("dedup")
        if found is None:
            continue
        seqs.append(seq)
        ids.append(outcome.doc.id)
        features.append(found.packed())
        probes.append(found.packed(shingles=False))
        ranks.append(stage._rank(outcome.doc, found, int(seq)) if stage.policy != "first" else (int(seq),))
    index = pd.Index(np.array(seqs, dtype=np.int64), name="seq")
    return pd.DataFrame(
        {
            "id": pd.Series(ids, index=index, dtype=object),
            "features": pd.Series(features, index=index, dtype=object),
            "probe": pd.Series(probes, index=index, dtype=object),
            "rank": pd.Series(ranks, index=index, dtype=object),
        }
    )


def _key_rows(part: pd.DataFrame) -> pd.DataFrame:
    """One (key, seq) row per band key and exact key: 16 bytes a key, what the LSH shuffle moves."""
    keys: list[int] = []
    seqs: list[int] = []
    for seq, outcome in part.loc[part.kind == "kept", "outcome"].items():
        found = outcome.features.get("dedup")
        if found is None:
            continue
        keys.extend(found.keys)
        seqs.extend([int(seq)] * len(found.keys))
    return pd.DataFrame(
        {"key": np.array(keys, dtype=np.uint64).view(np.int64), "seq": np.array(seqs, dtype=np.int64)}
    )


def _candidate_pairs(part: pd.DataFrame) -> pd.DataFrame:
    """Every pair of documents sharing a key (earlier seq first): the local path's LSH candidates."""
    firsts: list[int] = []
    seconds: list[int] = []
    shared = part[part.duplicated("key", keep=False)]
    for _, group in shared.groupby("key", sort=False):
        members = sorted(set(group.seq.tolist()))
        for first, second in itertools.combinations(members, 2):
            firsts.append(first)
            seconds.append(second)
    return pd.DataFrame({"a": np.array(firsts, dtype=np.int64), "b": np.array(seconds, dtype=np.int64)})


def connected_components(edges: Any, partitions: int) -> Any:
    """Component label (its smallest seq) of every vertex of `edges` (columns a, b): a frame (v, label).

    Alternates large-star and small-star, each a shuffle and a `map_partitions`, until the
    edge set stops changing; it then is a set of stars around each component's minimum.
    """
    meta = pd.DataFrame({"hi": pd.Series([], dtype="int64"), "lo": pd.Series([], dtype="int64")})
    (current,) = persisted(edges.map_partitions(_normalized, meta=meta, clear_divisions=True))
    fingerprint = _edge_fingerprint(current)
    for _ in range(_MAX_ROUNDS):
        directed = current.map_partitions(_both_ways, meta=meta)
        large = directed.shuffle(on="hi", npartitions=partitions).map_partitions(_large_star, meta=meta)
        (small,) = persisted(
            large.shuffle(on="hi", npartitions=partitions)
            .map_partitions(_small_star, meta=meta)
            .shuffle(on=["hi", "lo"], npartitions=partitions)
            .map_partitions(pd.DataFrame.drop_duplicates, meta=meta)
        )
        after = _edge_fingerprint(small)
        current = small
        if after == fingerprint:
            break
        fingerprint = after
    else:  # pragma: no cover - would need a graph of 2**64 vertices
        raise RuntimeError("connected components did not converge")
    label_meta = pd.DataFrame({"v": pd.Series([], dtype="int64"), "label": pd.Series([], dtype="int64")})
    return (
        current.map_partitions(_stars_to_labels, meta=label_meta)
        .shuffle(on="v", npartitions=partitions)
        .map_partitions(pd.DataFrame.drop_duplicates, meta=label_meta)
    )


def _normalized(part: pd.DataFrame) -> pd.DataFrame:
    a = part.iloc[:, 0].to_numpy(np.int64)
    b = part.iloc[:, 1].to_numpy(np.int64)
    return pd.DataFrame({"hi": np.maximum(a, b), "lo": np.minimum(a, b)}).drop_duplicates()


def _both_ways(part: pd.DataFrame) -> pd.DataFrame:
    hi = part.hi.to_numpy(np.int64)
    lo = part.lo.to_numpy(np.int64)
    return pd.DataFrame({"hi": np.concatenate((hi, lo)), "lo": np.concatenate((lo, hi))})


def _large_star(part: pd.DataFrame) -> pd.DataFrame:
    """Rows (u, v) of a directed edge list: link every larger neighbour of u to u's smallest neighbour."""
    u = part.hi.to_numpy(np.int64)
    v = part.lo.to_numpy(np.int64)
    smallest = np.minimum(part.groupby("hi").lo.transform("min").to_numpy(np.int64), u)
    larger = v > u
    return pd.DataFrame({"hi": v[larger], "lo": smallest[larger]})


def _small_star(part: pd.DataFrame) -> pd.DataFrame:
    """Rows (hi, lo) with hi > lo: link u and every smaller neighbour of u to the smallest of them."""
    hi = part.hi.to_numpy(np.int64)
    lo = part.lo.to_numpy(np.int64)
    smallest = part.groupby("hi").lo.transform("min").to_numpy(np.int64)
    keep = lo != smallest
    return pd.DataFrame(
        {"hi": np.concatenate((lo[keep], hi)), "lo": np.concatenate((smallest[keep], smallest))}
    )


def _stars_to_labels(part: pd.DataFrame) -> pd.DataFrame:
    hi = part.hi.to_numpy(np.int64)
    lo = part.lo.to_numpy(np.int64)
    return pd.DataFrame({"v": np.concatenate((hi, lo)), "label": np.concatenate((lo, lo))})


def _edge_fingerprint(edges: Any) -> tuple[int, int]:
    """Count and order-free hash sum of a (distinct) edge set: equal values mean an unchanged set."""
    meta = pd.DataFrame({"n": pd.Series([], dtype="int64"), "h": pd.Series([], dtype="uint64")})
    parts = edges.map_partitions(
        lambda d: pd.DataFrame(
            {"n": [len(d)], "h": [np.uint64(pd.util.hash_pandas_object(d, index=False).to_numpy().sum())]}
        ),
        meta=meta,
    ).compute()
    total = sum(int(h) for h in parts.h) % (1 << 64)
    return int(parts.n.sum()), total


def _screened_pairs(part: pd.DataFrame, stage: DedupStage) -> pd.DataFrame:
    """The candidate pairs `Deduplicator.may_verify` keeps, with the earlier document's features."""
    dedup = stage.dedup
    keep = [
        dedup.may_verify(DedupFeatures.unpacked(later), DedupFeatures.unpacked(earlier))
        for later, earlier in zip(part.later.tolist(), part.earlier.tolist(), strict=True)
    ]
    kept = part.loc[np.array(keep, dtype=bool), ["a", "b", "earlier_features"]]
    return kept.rename(columns={"earlier_features": "earlier"}).reset_index(drop=True)


def _verified_pairs(part: pd.DataFrame, stage: DedupStage) -> pd.DataFrame:
    """The candidate pairs that verify, with their score: the local path's check
    (`Deduplicator.pair_similarity`, the later document against the earlier)."""
    dedup, threshold = stage.dedup, stage.config.threshold
    firsts: list[int] = []
    seconds: list[int] = []
    scores: list[float] = []
    for a, b, later, earlier in zip(
        part.a.tolist(), part.b.tolist(), part.later.tolist(), part.earlier.tolist(), strict=True
    ):
        score = dedup.pair_similarity(DedupFeatures.unpacked(later), DedupFeatures.unpacked(earlier))
        if score >= threshold:
            firsts.append(a)
            seconds.append(b)
            scores.append(score)
    return pd.DataFrame(
        {
            "a": np.array(firsts, dtype=np.int64),
            "b": np.array(seconds, dtype=np.int64),
            "score": np.array(scores, dtype=np.float64),
        }
    )


def _cluster_components(part: pd.DataFrame, stage: DedupStage) -> pd.DataFrame:
    """Each component of verified pairs gathered here, split around representatives by the local
    `cluster_edges` with the keep policy's ranks (so a chain never merges two clusters)."""
    policy = stage.policy
    seqs: list[int] = []
    decisions: list[tuple[str, float, str | None, float]] = []
    sizes: list[int] = []
    names: list[str] = []
    reps: list[bool] = []
    splits: list[int] = []
    for _, component in part.groupby("label", sort=True):
        member_rows = component[component.kind == 0].drop_duplicates("a").sort_values("a")
        order = member_rows.a.tolist()
        position = {seq: index for index, seq in enumerate(order)}
        ids = member_rows.id.tolist()
        pair_rows = component[component.kind == 1].sort_values(["a", "b"])
        edges = [
            (position[a], position[b], score)
            for a, b, score in zip(
                pair_rows.a.tolist(), pair_rows.b.tolist(), pair_rows.score.tolist(), strict=True
            )
        ]
        rank = member_rows["rank"].tolist() if policy != "first" else None
        clusters = cluster_edges(len(order), edges, rank)
        size = Counter(clusters.representative)
        for index, seq in enumerate(order):
            rep = clusters.representative[index]
            stand_in = clusters.stand_in.get(index)
            seqs.append(seq)
            decisions.append(
                (
                    ids[rep],
                    clusters.similarity[index],
                    ids[stand_in[0]] if stand_in is not None else None,
                    stand_in[1] if stand_in is not None else 0.0,
                )
            )
            sizes.append(size[rep])
            names.append(ids[rep])
            reps.append(rep == index)
            splits.append(clusters.components_split if index == 0 else 0)
    return pd.DataFrame(
        {
            "seq": np.array(seqs, dtype=np.int64),
            "decision": pd.Series(decisions, dtype=object),
            "size": np.array(sizes, dtype=np.int64),
            "name": pd.Series(names, dtype=object),
            "is_rep": np.array(reps, dtype=bool),
            "split": np.array(splits, dtype=np.int64),
        }
    )


def _apply_decisions(part: pd.DataFrame, decisions: pd.DataFrame, policy: str) -> pd.DataFrame:
    """`DedupStage.decide` for each kept document of the partition, from its component's decision."""
    by_seq = {
        int(seq): (decision, int(size), bool(is_rep))
        for seq, decision, size, is_rep in zip(
            decisions.index, decisions.decision, decisions["size"], decisions.is_rep, strict=True
        )
    }
    kinds = part.kind.tolist()
    outcomes = part.outcome.tolist()
    for position, (seq, outcome) in enumerate(zip(part.index.tolist(), outcomes, strict=True)):
        if kinds[position] != "kept" or "dedup" not in outcome.features:
            continue
        found = by_seq.get(int(seq))
        if found is None:  # in no candidate pair: its own cluster of one
            outcome.doc.metadata["cluster"] = outcome.doc.id
            outcome.doc.metadata["cluster_size"] = 1
            continue
        (rep_id, similarity, stand_in, stand_in_score), size, is_rep = found
        if not is_rep:
            outcome.drop = Match(rep_id, similarity, rep_id).drop()
        elif policy == "none" and size > 1:
            outcome.drop = Match(stand_in, stand_in_score, rep_id).drop()
        else:
            outcome.doc.metadata["cluster"] = rep_id
            outcome.doc.metadata["cluster_size"] = size
        if outcome.drop is not None:
            kinds[position] = "dropped"
    return _outcome_frame(part.index.tolist(), kinds, outcomes)


def _dedup_summary(decisions: Any, stage: DedupStage) -> dict[str, Any]:
    """The figures of `DedupStage.report`, from the representatives' rows (never the corpus)."""
    reps = decisions[decisions.is_rep & (decisions["size"] > 1)][["name", "size"]]
    top = reps.map_partitions(_largest_named, meta=reps._meta)
    histogram, split, top = compute(reps["size"].value_counts(), decisions.split.sum(), top)
    sizes = np.repeat(histogram.index.to_numpy(np.int64), histogram.to_numpy())
    fence = 0.0
    if len(sizes):
        q1, q3 = np.percentile(sizes.astype(np.float64), [25, 75])
        fence = max(10.0, float(q3 + 3.0 * (q3 - q1)))  # as DedupStage.report: Tukey's far-out fence
    # The five largest by (size desc, name) are among each partition's own five largest.
    largest = sorted(((-int(size), name) for name, size in top.itertuples(index=False)))[:5]
    outliers: list[tuple[int, str]] = []
    if len(sizes) and sizes.max() > fence:
        far = reps[reps["size"] > fence].compute()
        outliers = sorted(((int(s), n) for n, s in far.itertuples(index=False)), key=lambda x: (-x[0], x[1]))
    clusters = len(sizes)
    return {
        "bands": stage.dedup.bands,
        "rows": stage.dedup.rows,
        "threshold": stage.config.threshold,
        "keep": stage.config.keep,
        "clusters": clusters,
        "duplicates": int(sizes.sum() - clusters) + (clusters if stage.policy == "none" else 0),
        "duplicates_of_earlier_runs": 0,
        "chains_split": int(split),
        "largest_clusters": [{"cluster": name, "size": -size} for size, name in largest],
        "outlier_clusters": [{"cluster": name, "size": size} for size, name in outliers],
    }


def _largest_named(part: pd.DataFrame) -> pd.DataFrame:
    return part.assign(order=-part["size"]).sort_values(["order", "name"]).head(5)[["name", "size"]]


# -- output -----------------------------------------------------------------------------------


def _records(part: pd.DataFrame, kind: str) -> Iterator[tuple[int, Any]]:
    for seq, row_kind, outcome in zip(
        part.index.tolist(), part.kind.tolist(), part.outcome.tolist(), strict=True
    ):
        if row_kind == kind:
            yield seq, outcome


def _frame(rows: list[dict[str, Any]], seqs: list[int], columns: Sequence[str]) -> pd.DataFrame:
    index = pd.Index(np.array(seqs, dtype=np.int64), name="seq")
    return pd.DataFrame({c: pd.Series([r[c] for r in rows], index=index, dtype=object) for c in columns})


def _documents_frame(part: pd.DataFrame) -> pd.DataFrame:
    rows, seqs = [], []
    for seq, outcome in _records(part, "kept"):
        seqs.append(seq)
        rows.append(
            {
                "id": outcome.doc.id,
                "text": outcome.doc.text,
                "metadata": json.dumps(outcome.doc.metadata, ensure_ascii=False),
            }
        )
    return _frame(rows, seqs, ("id", "text", "metadata"))


def _dropped_frame(part: pd.DataFrame) -> pd.DataFrame:
    rows, seqs = [], []
    for seq, outcome in _records(part, "dropped"):
        seqs.append(seq)
        rows.append(
            {
                "id": outcome.doc.id,
                "reason": str(outcome.drop.reason),
                "evidence": json.dumps(outcome.drop.evidence, ensure_ascii=False, default=str),
                "text": outcome.doc.text,
                "metadata": json.dumps(outcome.doc.metadata, ensure_ascii=False),
            }
        )
    return _frame(rows, seqs, ("id", "reason", "evidence", "text", "metadata"))


def _errors_frame(part: pd.DataFrame) -> pd.DataFrame:
    rows, seqs = [], []
    for seq, error in _records(part, "error"):
        seqs.append(seq)
        rows.append(error.to_dict())
    return _frame(rows, seqs, ("path", "line", "id", "kind", "error"))


def _stats_of(part: pd.DataFrame) -> RunStats:
    stats = RunStats()
    for result in part.outcome.tolist():
        stats.add(result)
    return stats


def partition_file(kind: str, number: int, fmt: str, compress: bool) -> str:
    """The name of one partition's output file: `documents-00000.jsonl.gz`, `dropped-00003.parquet`..."""
    if kind == "errors":
        return f"errors-{number:05d}.jsonl"
    if fmt == "parquet":
        return f"{kind}-{number:05d}.parquet"
    return f"{kind}-{number:05d}.jsonl" + (".gz" if compress else "")


def _write_partition(
    part: pd.DataFrame, number: int, out_dir: str, fmt: str, compress: bool
) -> tuple[RunStats, ReportCollector]:
    """Write one partition's three files (atomically: a recomputed task rewrites them whole).

    Returns the partition's counts and the report statistics of what it wrote, merged by the client.
    """
    from .runner import dropped_record

    root = Path(out_dir)

    def writer(kind: str) -> Any:
        path = root / partition_file(kind, number, fmt, compress)
        if fmt == "parquet" and kind != "errors":
            from .io.parquet import AtomicParquetWriter

            return AtomicParquetWriter(path, kind)
        return AtomicJsonlWriter(path, compress=compress and kind != "errors")

    stats = RunStats()
    collector = ReportCollector().start_at(number << SEQ_BITS)
    with writer("documents") as documents, writer("dropped") as dropped, writer("errors") as errors:
        for result in part.outcome.tolist():
            if isinstance(result, ReadError):
                row = result.to_dict()
                errors.write(row)
                collector.add_error(row)
            elif result.kept:
                record = result.doc.to_dict()
                documents.write(record)
                collector.add_kept(record)
            else:
                row = dropped_record(result)
                dropped.write(row)
                collector.add_dropped(row)
            stats.add(result)
    return stats, collector


def _merge_stats(parts: Iterable[RunStats]) -> RunStats:
    """Sum per-partition RunStats (counters add; missing inputs keep partition order)."""
    total = RunStats()
    for stats in parts:
        total.docs_in += stats.docs_in
        total.docs_out += stats.docs_out
        total.errors += stats.errors
        total.dropped.update(stats.dropped)
        total.chars_in += stats.chars_in
        total.chars_out += stats.chars_out
        total.chars_removed.update(stats.chars_removed)
        total.spans_removed.update(stats.spans_removed)
        total.rules.update(stats.rules)
        total.rule_timeouts.update(stats.rule_timeouts)
        for stage, seconds in stats.seconds.items():
            total.seconds[stage] += seconds
        total.errors_by_kind.update(stats.errors_by_kind)
        total.ids_renamed += stats.ids_renamed
        total.inputs_missing.extend(stats.inputs_missing)
    return total


__all__ = [
    "DaskResult",
    "clean",
    "connected_components",
    "dask_client",
    "fit_learned",
    "run",
    "unique_id_renames",
]
