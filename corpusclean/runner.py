"""Run the pipeline over input paths into an output directory: workers, writers, report.

Workers run the per-document kernel (`Cleaner.process`); this process consumes their
results in input order, applies the corpus-level steps and writes every record to
exactly one of documents.jsonl, dropped.jsonl or errors.jsonl, so the output is
byte-identical whatever the number of workers.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

from .config import Config, OutputConfig
from .document import Document
from .errors import ConfigError, OutputError
from .io.readers import InputItem, ReadError, read_inputs
from .io.writers import AtomicJsonlWriter, write_json_atomic
from .pipeline import Cleaner, Outcome
from .report import RunStats
from .reporting import ReportCollector, write_report_html

# Documents handed to a worker at a time: large enough to amortize pickling, small
# enough to keep memory bounded and the progress bar moving.
CHUNK_DOCUMENTS = 32

_worker_cleaner: Cleaner | None = None


def _init_worker(cleaner: Cleaner) -> None:
    global _worker_cleaner
    _worker_cleaner = cleaner


def _process_in_worker(item: InputItem) -> Outcome | ReadError:
    if isinstance(item, ReadError):
        return item
    assert _worker_cleaner is not None
    return _worker_cleaner.process(item)


def resolve_workers(requested: int) -> int:
    """0 means every core this process may use."""
    if requested > 0:
        return requested
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def process_all(cleaner: Cleaner, items: Iterable[InputItem], workers: int) -> Iterator[Outcome | ReadError]:
    """Per-document work, in worker processes when `workers > 1`, results in input order."""
    if workers <= 1:
        for item in items:
            yield item if isinstance(item, ReadError) else cleaner.process(item)
        return
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    with context.Pool(workers, initializer=_init_worker, initargs=(cleaner,)) as pool:
        yield from pool.imap(_process_in_worker, items, chunksize=CHUNK_DOCUMENTS)


def dropped_record(outcome: Outcome) -> dict[str, Any]:
    """A row of dropped.jsonl: id, reason, the evidence, the full text and metadata."""
    assert outcome.drop is not None
    record: dict[str, Any] = {"id": outcome.doc.id, "reason": str(outcome.drop.reason)}
    for key, value in outcome.drop.evidence.items():
        record.setdefault(key, value)
    record["text"] = outcome.doc.text
    record["metadata"] = outcome.doc.metadata
    return record


def run(
    inputs: Sequence[str],
    out: str | Path,
    config: Config | None = None,
    *,
    progress: bool = False,
) -> RunStats:
    """Clean `inputs` into `out` (a directory, or "-" for documents on stdout)."""
    config = config or Config()
    to_stdout = str(out) == "-"
    if to_stdout and config.output.format != "jsonl":
        raise ConfigError(f"--format {config.output.format} needs an output directory, not -o -")
    out_dir = None if to_stdout else Path(out)
    if out_dir is not None:
        _prepare_output(out_dir)
    started = time.perf_counter()
    cleaner = Cleaner(config)
    if any(hasattr(d, "fit") for d in cleaner.detectors):
        clock = time.perf_counter()
        # Standard input can be read only once: its documents are cleaned with what the
        # file inputs (and any loaded counts) taught, but are not counted themselves.
        fit_inputs = [path for path in inputs if path != "-"]
        cleaner.fit(
            item
            for item in read_inputs(fit_inputs, config.input, exclude=out_dir)
            if isinstance(item, Document)
        )
        fit_seconds = time.perf_counter() - clock
    else:
        fit_seconds = 0.0

    stats = RunStats()
    collector = ReportCollector()
    if fit_seconds:
        stats.seconds["fit"] += fit_seconds
    items = read_inputs(inputs, config.input, exclude=out_dir)
    with ExitStack() as stack:
        if out_dir is None:
            documents: RecordWriter = stack.enter_context(AtomicJsonlWriter("-"))
            dropped = errors = None
        else:
            documents = stack.enter_context(open_writer(out_dir, "documents", config.output))
            dropped = stack.enter_context(open_writer(out_dir, "dropped", config.output))
            errors = stack.enter_context(AtomicJsonlWriter(out_dir / "errors.jsonl"))
        bar = _progress_bar(progress)
        try:
            for result in process_all(cleaner, items, resolve_workers(config.run.workers)):
                if isinstance(result, ReadError):
                    if errors is not None:
                        errors.write(result.to_dict())
                        collector.add_error(result.to_dict())
                    else:
                        print(
                            f"corpusclean: {result.path}:{result.line or '-'}: {result.error}",
                            file=sys.stderr,
                        )
                else:
                    cleaner.decide(result)
                    if result.kept:
                        record = result.doc.to_dict()
                        documents.write(record)
                        collector.add_kept(record)
                    elif dropped is not None:
                        row = dropped_record(result)
                        dropped.write(row)
                        collector.add_dropped(row)
                stats.add(result)
                if bar is not None:
                    bar.update(1)
        finally:
            if bar is not None:
                bar.close()
        stats.seconds["total"] = time.perf_counter() - started
        if out_dir is not None:
            report = stats.to_dict()
            report["config"] = config.to_dict()
            report["inputs"] = list(inputs)
            write_json_atomic(out_dir / "report.json", report)
    if out_dir is not None:
        # After the writers closed: the sampled duplicates' kept documents are read back.
        write_report_html(out_dir, report, collector)
    return stats


def output_name(kind: str, config: OutputConfig) -> str:
    """The file name of `documents` or `dropped` for the chosen output format."""
    if config.format == "parquet":
        return f"{kind}.parquet"
    return f"{kind}.jsonl.gz" if config.compress else f"{kind}.jsonl"


class RecordWriter(Protocol):
    """What the runner needs of a writer: records in, atomic on a clean exit."""

    count: int

    def write(self, record: Any) -> None: ...

    def __enter__(self) -> RecordWriter: ...

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None: ...


def open_writer(out_dir: Path, kind: str, config: OutputConfig) -> RecordWriter:
    """An atomic writer for `documents` or `dropped` in the chosen output format."""
    path = out_dir / output_name(kind, config)
    if config.format == "parquet":
        from .io.parquet import AtomicParquetWriter  # pyarrow is an optional extra

        return AtomicParquetWriter(path, kind)
    return AtomicJsonlWriter(path, compress=config.compress)


def _prepare_output(out_dir: Path) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(f"{out_dir}: cannot create output directory: {error.strerror or error}") from None
    if not os.access(out_dir, os.W_OK):
        raise OutputError(f"{out_dir}: output directory is not writable")
    for leftover in out_dir.glob("*.partial"):
        leftover.unlink(missing_ok=True)


def _progress_bar(enabled: bool) -> Any:
    if not enabled or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(unit="doc", file=sys.stderr, dynamic_ncols=True, mininterval=0.5)
