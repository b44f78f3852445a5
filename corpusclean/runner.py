"""Run the pipeline over input paths into an output directory: workers, writers, report.

Workers run the per-document kernel (`Cleaner.process`); this process consumes their
results in input order, applies the corpus-level steps and writes every record to
exactly one of documents.jsonl, dropped.jsonl or errors.jsonl, so the output is
byte-identical whatever the number of workers.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from contextlib import ExitStack, closing, contextmanager
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any, Protocol

from .config import Config, OutputConfig
from .document import Document
from .errors import ConfigError, InputError, OutputError
from .io.readers import InputItem, ReadError, missing_inputs, printable_path, read_inputs
from .io.writers import OUTPUT_FILES, AtomicJsonlWriter, write_json_atomic
from .pipeline import Cleaner, Outcome
from .report import RunStats
from .reporting import ReportCollector, write_report_html

# Documents handed to a worker at a time: large enough to amortize pickling, small
# enough to keep memory bounded and the progress bar moving.
CHUNK_DOCUMENTS = 32
# Chunks in flight per worker: enough to keep every worker busy while this process
# writes, few enough that memory stays bounded (Pool.imap would read all input ahead).
CHUNKS_IN_FLIGHT_PER_WORKER = 4

_worker_cleaner: Cleaner | None = None
_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


class RunInterrupted(KeyboardInterrupt):
    """The run was stopped by SIGINT or SIGTERM; `signum` says which (exit code 128 + signum)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@contextmanager
def interruptible() -> Iterator[None]:
    """Turn SIGINT and SIGTERM into `RunInterrupted` in this (main) thread, for a prompt clean stop.

    The first signal raises; later ones are ignored so the clean-up (worker shutdown,
    removing `.partial` files) is not itself interrupted. Outside the main thread
    signals cannot be handled and this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    fired = False

    def handler(signum: int, frame: FrameType | None) -> None:
        nonlocal fired
        if not fired:
            fired = True
            raise RunInterrupted(signum)

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _init_worker(cleaner: Cleaner) -> None:
    global _worker_cleaner
    _worker_cleaner = cleaner
    # The parent alone handles Ctrl-C (it reaches the whole process group) and stops the
    # workers with SIGTERM, which must then simply end them.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)


def _process_chunk(items: list[InputItem]) -> list[Outcome | ReadError]:
    assert _worker_cleaner is not None
    return [item if isinstance(item, ReadError) else _worker_cleaner.process(item) for item in items]


def resolve_workers(requested: int) -> int:
    """0 means every core this process may use."""
    if requested > 0:
        return requested
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def process_all(
    cleaner: Cleaner, items: Iterable[InputItem], workers: int
) -> Generator[Outcome | ReadError, None, None]:
    """Per-document work, in worker processes when `workers > 1`, results in input order."""
    if workers <= 1:
        for item in items:
            yield item if isinstance(item, ReadError) else cleaner.process(item)
        return
    yield from _in_workers(cleaner, _process_chunk, items, workers)


def fit_corpus(cleaner: Cleaner, documents: Iterable[Document], workers: int) -> Cleaner:
    """The fit pass: in worker processes when `workers > 1` and the detector can split its work.

    A detector with `count_document` (what one document contributes, pure) and
    `fit_counted` (add those, in input order) has the per-document part done in the
    workers; the counts, and so the run's output, are those of a single process.
    """
    fitters: list[Any] = [d for d in cleaner.detectors if hasattr(d, "fit")]
    if workers > 1 and len(fitters) == 1 and hasattr(fitters[0], "count_document"):
        fitters[0].fit_counted(_in_workers(cleaner, _count_chunk, documents, workers))
    else:
        cleaner.fit(documents)
    return cleaner


def _count_chunk(items: list[Document]) -> list[Any]:
    assert _worker_cleaner is not None
    (fitter,) = [d for d in _worker_cleaner.detectors if hasattr(d, "fit")]
    return [fitter.count_document(item) for item in items]  # type: ignore[attr-defined]


def _in_workers(
    cleaner: Cleaner, function: Callable[[list[Any]], list[Any]], items: Iterable[Any], workers: int
) -> Generator[Any, None, None]:
    """`function` over chunks of `items` in a pool of `workers` processes; results in input order."""
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    if context.get_start_method() == "fork":
        cleaner.warm_up()  # forked workers inherit the tables instead of each building them
    # Signals stay blocked while workers fork, so none can reach a worker before it has set
    # its own handlers (it would run the parent's, which raises); the parent's are unblocked
    # right after, and a pending one is delivered then.
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    try:
        pool = context.Pool(workers, initializer=_init_worker, initargs=(cleaner,))
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    try:
        pending: deque[Any] = deque()
        iterator = iter(items)
        while chunk := list(itertools.islice(iterator, CHUNK_DOCUMENTS)):
            pending.append(pool.apply_async(function, (chunk,)))
            if len(pending) >= workers * CHUNKS_IN_FLIGHT_PER_WORKER:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()
        pool.close()
        pool.join()
    finally:
        pool.terminate()  # on an interruption or an error: stop the workers now, never wait for them


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
    """Clean `inputs` into `out` (a directory, or "-" for documents on stdout).

    A named input that does not exist becomes a row of errors.jsonl and is listed in
    `RunStats.inputs_missing`; the rest of the run goes on. Only when no named input
    exists at all is it an `InputError`. The outputs appear under their final names only
    when the run completes (report.json last); an interrupted run leaves none of them,
    and running the same command again starts afresh and finishes the job.
    """
    config = config or Config()
    missing = missing_inputs(inputs)
    if inputs and len(missing) == len(inputs):
        raise InputError(f"{', '.join(missing)}: no such file or directory")
    to_stdout = str(out) == "-"
    if to_stdout and config.output.format != "jsonl":
        raise ConfigError(f"--format {config.output.format} needs an output directory, not -o -")
    out_dir = None if to_stdout else Path(out)
    if out_dir is not None:
        _refuse_overwriting_inputs(inputs, out_dir)
        _prepare_output(out_dir)
    started = time.perf_counter()
    cleaner = Cleaner(config)
    if any(hasattr(d, "fit") for d in cleaner.detectors):
        clock = time.perf_counter()
        # Standard input and named pipes can be read only once: their documents are cleaned
        # with what the file inputs (and any loaded counts) taught, but are not counted.
        fit_inputs = [
            path for path in inputs if path != "-" and (Path(path).is_file() or Path(path).is_dir())
        ]
        fit_documents = (
            item
            for item in read_inputs(fit_inputs, config.input, exclude=out_dir)
            if isinstance(item, Document)
        )
        fit_corpus(cleaner, fit_documents, resolve_workers(config.run.workers))
        fit_seconds = time.perf_counter() - clock
    else:
        fit_seconds = 0.0

    stats = RunStats()
    collector = ReportCollector()
    if fit_seconds:
        stats.seconds["fit"] += fit_seconds
    items = read_inputs(inputs, config.input, exclude=out_dir)
    with ExitStack() as guard:
        guard.callback(cleaner.close)  # an uncommitted index is rolled back, whatever happened
        with ExitStack() as stack:
            if out_dir is None:
                documents: RecordWriter = stack.enter_context(AtomicJsonlWriter("-"))
                dropped = errors = None
            else:
                documents = stack.enter_context(open_writer(out_dir, "documents", config.output))
                dropped = stack.enter_context(open_writer(out_dir, "dropped", config.output))
                errors = stack.enter_context(AtomicJsonlWriter(out_dir / "errors.jsonl"))
            bar = _progress_bar(progress)
            # Closed explicitly (not when garbage-collected) so an interruption stops the workers at once.
            processed = process_all(cleaner, items, resolve_workers(config.run.workers))
            stack.enter_context(closing(processed))
            try:
                results = _ticking(processed, bar)
                for result in cleaner.decide_all(results, spool_dir=str(out_dir) if out_dir else None):
                    if isinstance(result, ReadError):
                        if errors is not None:
                            errors.write(result.to_dict())
                            collector.add_error(result.to_dict())
                        elif result.kind != "missing-input":  # the CLI names those itself
                            print(
                                f"corpusclean: {result.path}:{result.line or '-'}: {result.error}",
                                file=sys.stderr,
                            )
                    elif result.kept:
                        record = result.doc.to_dict()
                        documents.write(record)
                        collector.add_kept(record)
                    elif dropped is not None:
                        row = dropped_record(result)
                        dropped.write(row)
                        collector.add_dropped(row)
                    stats.add(result)
            finally:
                if bar is not None:
                    bar.close()
        # The index is committed only once the outputs are in place: a failed run leaves it untouched.
        cleaner.commit()
    stats.seconds["total"] = time.perf_counter() - started
    if out_dir is not None:
        report = stats.to_dict()
        report["config"] = config.to_dict()
        report["inputs"] = [printable_path(p) for p in inputs]
        for stage in cleaner.corpus_stages:
            if hasattr(stage, "report"):
                report[getattr(stage, "name", type(stage).__name__.lower())] = stage.report()
        # After the writers closed: the sampled duplicates' kept documents are read back.
        write_report_html(out_dir, report, collector)
        # report.json is written last: its presence says the run completed.
        write_json_atomic(out_dir / "report.json", report)
    return stats


def _ticking(results: Iterable[Outcome | ReadError], bar: Any) -> Iterator[Outcome | ReadError]:
    """Move the progress bar as workers finish documents (the first pass, when there are two)."""
    for result in results:
        if bar is not None:
            bar.update(1)
        yield result


def _refuse_overwriting_inputs(inputs: Sequence[str], out_dir: Path) -> None:
    """Stop before touching anything when a named input is a file this run would replace."""
    target = Path(os.path.realpath(out_dir))
    for raw in inputs:
        if raw == "-" or Path(raw).name not in OUTPUT_FILES:
            continue
        if Path(os.path.realpath(raw)).parent == target:
            shown = printable_path(raw)
            raise OutputError(
                f"{shown}: input is an output file of this run; choose another output directory"
            )


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
    # Clean restart: leftovers of an interrupted run and the outputs of an earlier one go
    # first, so the directory never mixes runs and never looks complete before report.json.
    for leftover in out_dir.glob("*.partial"):
        leftover.unlink(missing_ok=True)
    for name in sorted(OUTPUT_FILES):
        (out_dir / name).unlink(missing_ok=True)


def _progress_bar(enabled: bool) -> Any:
    if not enabled or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(unit="doc", file=sys.stderr, dynamic_ncols=True, mininterval=0.5)
