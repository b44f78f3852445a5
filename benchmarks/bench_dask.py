"""The Dask engine next to the local one: docs/s, CPU time and peak memory of the whole process tree.

    python benchmarks/bench_dask.py --docs 10000                        # both engines, 2 workers
    python benchmarks/bench_dask.py --docs 1000000 --engines dask --light --memory-limit 3GB

Uses the corpus of `benchmarks/run.py` (seeded news articles of ~4 KB with planted copies,
generated once under benchmarks/data/, in `--shards` JSONL files that the Dask engine cuts
into `--partition-mb` slices), then runs `corpusclean clean` as a user does, once per engine,
sampling every 0.1 s the resident memory of the command and of every process it starts
(scheduler, nannies, workers). Prints docs/s, docs per CPU-second, the peak RSS of the tree
and of its largest process (a worker), and checks that the engines kept the same documents
and dropped the same duplicates. `--light` turns off the repeat finder, line classifier and
quality signals (normalization, rules, learned boilerplate, language and dedup stay on): the
configuration for a run whose point is the corpus-level shuffles at scale.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from benchmarks.run import DATA, write_corpus  # noqa: E402
from corpusclean.reporting.outputs import iter_records, output_file  # noqa: E402

LIGHT = ["--no-repeats-enabled", "--no-line-classifier", "--no-quality-filter", "--no-quality-signals"]


def measure(command: list[str]) -> dict[str, float]:
    """Wall seconds, CPU seconds, peak summed RSS and peak single-process RSS of `command`'s tree."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT)
    root = psutil.Process(process.pid)
    peak_tree = peak_one = 0
    cpu: dict[int, float] = {}
    while process.poll() is None:
        try:
            members = [root, *root.children(recursive=True)]
        except psutil.Error:
            members = []
        total = 0
        for member in members:
            try:
                rss = member.memory_info().rss
                times = member.cpu_times()
            except psutil.Error:
                continue
            total += rss
            peak_one = max(peak_one, rss)
            cpu[member.pid] = max(cpu.get(member.pid, 0.0), times.user + times.system)
        peak_tree = max(peak_tree, total)
        time.sleep(0.1)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)}: exit {process.returncode}")
    return {"seconds": seconds, "cpu": sum(cpu.values()), "tree": peak_tree, "one": peak_one}


def records(out: Path, kind: str) -> list[dict[str, Any]]:
    """Records of `kind` from a local run's file or a Dask run's partition files, in order."""
    return list(iter_records(output_file(out, kind)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000, help="about this many documents")
    parser.add_argument("--shards", type=int, default=2, help="JSONL files of the corpus")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--engines", default="local,dask", help="comma-separated: local, dask")
    parser.add_argument("--partition-mb", type=float, default=64.0)
    parser.add_argument("--memory-limit", default="auto", help="per Dask worker (--engine-memory-limit)")
    parser.add_argument("--light", action="store_true", help="dedup-focused configuration (see above)")
    parser.add_argument("--out", type=Path, help="keep the outputs here (default: a temporary directory)")
    args = parser.parse_args()
    data = DATA / f"planted-{args.docs}-s2026-x{args.shards}-d0.02"
    truth = write_corpus(data, args.docs, 2026, args.shards, 0.02)
    docs = truth["docs"]
    print(f"corpus: {docs:,} docs, {truth['bytes'] / 1e6:.0f} MB, {data}", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-dask-") as tmp:
        base = args.out or Path(tmp)
        engines = [e.strip() for e in args.engines.split(",") if e.strip()]
        for engine in engines:
            out = base / engine
            command = [
                sys.executable, "-m", "corpusclean", "clean", *map(str, sorted(data.glob("corpus-*.jsonl"))),
                "-o", str(out), "-q", "--workers", str(args.workers), "--engine", engine,
                "--engine-partition-mb", str(args.partition_mb), "--engine-memory-limit", args.memory_limit,
                *(LIGHT if args.light else []),
            ]  # fmt: skip
            got = measure(command)
            print(
                f"{engine:5s} {docs:,} docs  {got['seconds']:8.1f} s  {docs / got['seconds']:7.1f} docs/s  "
                f"{docs / got['cpu']:7.1f} docs/CPU-s  peak RSS tree {got['tree'] / 2**20:7,.0f} MiB, "
                f"largest process {got['one'] / 2**20:6,.0f} MiB",
                flush=True,
            )
        if len(engines) == 2:
            same = all(
                records(base / engines[0], k) == records(base / engines[1], k)
                for k in ("documents", "dropped")
            )
            print(f"same documents and ledger: {same}")


if __name__ == "__main__":
    main()
