"""The Dask engine next to the local one: docs/s and peak memory of the whole process tree.

    python benchmarks/bench_dask.py --stories 5000 --workers 2    # 10,000 documents

Writes the planted-duplicate corpus (tests/strategies.py; one source per file, so learned
boilerplate has per-source counts to make) as JSONL files, then runs `corpusclean clean` as a
user does, once per engine, sampling the resident memory of the command and every process
it starts (workers, scheduler, nannies) every 0.1 s. Also checks that both engines kept the
same documents and dropped the same duplicates.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from corpusclean.reporting.outputs import iter_records, output_file  # noqa: E402

from strategies import planted_corpus  # noqa: E402

SITES = ("lemonde.fr", "01net.com", "afp.com", "tap.info.tn", "reuters.com", "lefigaro.fr")


def write_corpus(directory: Path, stories: int, per_file: int) -> int:
    """The planted corpus as JSONL files; returns the number of documents."""
    records, _ = planted_corpus(seed=2026, stories=stories, copies=2)
    directory.mkdir(parents=True, exist_ok=True)
    for start in range(0, len(records), per_file):
        number = start // per_file
        with (directory / f"dump-{number:04d}.jsonl").open("w", encoding="utf-8") as handle:
            for record in records[start : start + per_file]:
                record = {**record, "source": SITES[number % len(SITES)]}
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return len(records)


def measure(command: list[str]) -> tuple[float, int]:
    """Wall seconds and peak summed RSS (bytes) of `command` and all its descendants."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT)
    root = psutil.Process(process.pid)
    peak = 0
    while process.poll() is None:
        total = 0
        try:
            for member in [root, *root.children(recursive=True)]:
                try:
                    total += member.memory_info().rss
                except psutil.Error:
                    continue
        except psutil.Error:
            pass
        peak = max(peak, total)
        time.sleep(0.1)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)}: exit {process.returncode}")
    return seconds, peak


def records(out: Path, kind: str) -> list[dict[str, Any]]:
    """Records of `kind` from a local run's file or a Dask run's partition files, in order."""
    return list(iter_records(output_file(out, kind)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=5000, help="Stories (documents ≈ 2 × stories).")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--per-file", type=int, default=1000, help="Documents per JSONL file.")
    parser.add_argument("--partition-mb", type=float, default=8.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-dask-") as tmp:
        base = Path(tmp)
        docs = write_corpus(base / "dump", args.stories, args.per_file)
        results = {}
        for engine in ("local", "dask"):
            out = base / engine
            command = [
                sys.executable, "-m", "corpusclean", "clean", str(base / "dump"), "-o", str(out), "-q",
                "--workers", str(args.workers), "--engine", engine,
                "--engine-partition-mb", str(args.partition_mb),
                # The generated articles repeat phrasing on purpose (same-topic coverage): the
                # repetition filter would drop them all, and dedup would have nothing to do.
                "--no-quality-filter",
            ]  # fmt: skip
            seconds, peak = measure(command)
            results[engine] = (seconds, peak)
            report = json.loads((out / "report.json").read_text())
            print(
                f"{engine:5s} {docs} docs  {seconds:7.1f} s  {docs / seconds:7.1f} docs/s  "
                f"peak RSS {peak / 2**20:7.0f} MiB  kept {report['docs_out']}  "
                f"dropped {report['dropped_by_reason']}"
            )
        same = all(records(base / "local", k) == records(base / "dask", k) for k in ("documents", "dropped"))
        print(f"same documents and ledger: {same}")


if __name__ == "__main__":
    main()
