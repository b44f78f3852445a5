"""Where the full pipeline spends its time: per-stage seconds, CPU and wall time, 1 and 2 workers.

    python -m benchmarks.profile_pipeline --docs 5000
    python -m benchmarks.profile_pipeline --docs 2000 --profile 25   # + cProfile's top functions

Generates the seeded news-like corpus of `benchmarks/corpus.py`, runs `corpusclean clean`
on it as a user would (a subprocess per run, so start-up costs count), and prints the
stage breakdown from report.json (`seconds_by_stage`, wall clock inside the run) with
the process's CPU time, wall time, docs/s and the machine's load average, which on a
shared machine says how far to trust the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.corpus import generate

ROOT = Path(__file__).resolve().parent.parent


def write_corpus(path: Path, docs: int, seed: int) -> None:
    """The generated corpus as JSONL (one record per line)."""
    with path.open("w", encoding="utf-8") as handle:
        for doc in generate(docs, seed=seed):
            handle.write(json.dumps(doc.to_dict(), ensure_ascii=False) + "\n")


def run_once(data: Path, out: Path, workers: int, profile: int) -> dict[str, object]:
    """One `corpusclean clean` run: wall and CPU seconds (children included) and its report."""
    command = [sys.executable]
    if profile:
        command += ["-m", "cProfile", "-o", str(out.with_suffix(".prof"))]
    command += ["-m", "corpusclean", "clean", str(data), "-o", str(out), "--workers", str(workers), "-q"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load = os.getloadavg()[0]
    started = time.perf_counter()
    subprocess.run(command, check=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return {"wall": wall, "cpu": cpu, "load": load, "report": report}


def main(argv: list[str] | None = None) -> None:
    """Generate, run with each worker count, print the breakdown."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--profile", type=int, default=0, help="print cProfile's N top functions (1 worker)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "corpus.jsonl"
        write_corpus(data, args.docs, args.seed)
        megabytes = data.stat().st_size / 1e6
        print(f"corpus: {args.docs} docs, {megabytes:.1f} MB")
        outputs = []
        for workers in args.workers:
            out = Path(tmp) / f"out{workers}"
            result = run_once(data, out, workers, args.profile if workers == 1 else 0)
            docs_per_s = args.docs / float(result["wall"])  # type: ignore[arg-type]
            print(
                f"\n--workers {workers}: {result['wall']:.1f} s wall, {result['cpu']:.1f} s CPU, "
                f"{docs_per_s:.0f} docs/s, {megabytes / float(result['wall']):.2f} MB/s "  # type: ignore[arg-type]
                f"(load average {result['load']:.2f} at start)"
            )
            stages = result["report"]["seconds_by_stage"]  # type: ignore[index]
            total = stages.get("total", 0.0) or 1.0
            for name, seconds in sorted(stages.items(), key=lambda item: -item[1]):
                print(f"  {name:<16} {seconds:8.2f} s  {100 * seconds / total:5.1f} %")
            outputs.append(tuple((out / name).read_bytes() for name in ("documents.jsonl", "dropped.jsonl")))
            if args.profile and workers == 1:
                import pstats

                pstats.Stats(str(out.with_suffix(".prof"))).sort_stats("tottime").print_stats(args.profile)
        if len(outputs) > 1:
            same = all(output == outputs[0] for output in outputs)
            print(f"\noutputs byte-identical across worker counts: {same}")


if __name__ == "__main__":
    main()
