"""corpusclean next to its peers, side by side in one run on the same files.

    python benchmarks/run.py --docs 10000
    python benchmarks/run.py --docs 100000 --only "corpusclean dedup-only,rensa,datasketch batch"

Generates (once, under benchmarks/data/) a seeded corpus of ~4 KB French news articles with
planted near-duplicates and its ground truth, written as JSONL shards; then runs every
contender (benchmarks/contenders.py) in its own process over those files, one after the
other, and prints docs/s and MB/s by wall clock and by CPU time (the machine may be shared:
CPU time is the steadier figure), peak RSS of the contender's whole process tree,
duplicate-pair precision/recall/F1 against the ground truth (the same pair definition for
every tool), and the ratio corpusclean/peer. The full result goes to benchmarks/results/.

Stage figures (normalization, language identification, the line classifier) run over the
first `--stage-docs` documents only: langdetect alone needs about 15 minutes for 100k documents.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.contenders import CONTENDERS, requirement  # noqa: E402
from benchmarks.corpus import pair_scores, planted_news  # noqa: E402

DATA = ROOT / "benchmarks" / "data"
RESULTS = ROOT / "benchmarks" / "results"
PACKAGES = ("corpusclean", "datasketch", "rensa", "datatrove", "ftfy", "langdetect", "numpy", "xxhash")


def write_corpus(directory: Path, docs: int, seed: int, shards: int, damaged_share: float) -> dict[str, Any]:
    """The corpus as `shards` JSONL files plus truth.json (ids and story numbers), unless already there."""
    truth_path = directory / "truth.json"
    if truth_path.exists():
        truth: dict[str, Any] = json.loads(truth_path.read_text(encoding="utf-8"))
        return truth
    directory.mkdir(parents=True, exist_ok=True)
    records, stories = planted_news(docs, seed, damaged_share=damaged_share)
    per_shard = -(-len(records) // shards)
    for shard in range(shards):
        with (directory / f"corpus-{shard:03d}.jsonl").open("w", encoding="utf-8") as out:
            for record in records[shard * per_shard : (shard + 1) * per_shard]:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
    truth = {
        "seed": seed,
        "docs": len(records),
        "bytes": sum(len(r["text"].encode("utf-8")) for r in records),
        "ids": [r["id"] for r in records],
        "stories": stories,
    }
    truth_path.write_text(json.dumps(truth), encoding="utf-8")
    return truth


def run_contender(name: str, data: Path, stage_docs: int) -> dict[str, Any]:
    """One contender in its own process; peak RSS sampled over its whole process tree."""
    import psutil

    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        work, result_path = Path(scratch) / "work", Path(scratch) / "result.json"
        command = [
            sys.executable,
            "-m",
            "benchmarks.contenders",
            name,
            str(data),
            str(work),
            str(result_path),
        ]
        command += ["--stage-docs", str(stage_docs)]
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        }
        log_path = Path(scratch) / "log.txt"
        with log_path.open("wb") as log:
            process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
            parent, peak = psutil.Process(process.pid), 0
            descendants_cpu: dict[int, float] = {}
            while process.poll() is None:
                try:
                    children = parent.children(recursive=True)
                    peak = max(peak, _rss(parent) + sum(_rss(p) for p in children))
                    for child in children:
                        descendants_cpu[child.pid] = max(descendants_cpu.get(child.pid, 0.0), _cpu(child))
                except psutil.NoSuchProcess:
                    pass
                time.sleep(0.05)
        if process.returncode != 0:
            tail = log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-25:]
            raise RuntimeError(f"{name} failed with exit code {process.returncode}:\n" + "\n".join(tail))
        result: dict[str, Any] = json.loads(result_path.read_text(encoding="utf-8"))
    result["peak_rss_bytes"] = max(peak, result.pop("max_process_rss_bytes"))
    # Workers a pool terminated were never waited for, so the contender's own count misses them.
    missing = sum(descendants_cpu.values()) - result["children_cpu_seconds"]
    if missing > 0:
        result["cpu_seconds"] += missing
    return result


def _rss(process: Any) -> int:
    try:
        return int(process.memory_info().rss)
    except Exception:  # the process ended between listing and reading: it holds nothing now
        return 0


def _cpu(process: Any) -> float:
    try:
        times = process.cpu_times()
        return float(times.user + times.system)
    except Exception:  # ended meanwhile: its last sample stands
        return 0.0


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    mem = next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    versions = {}
    for package in PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(int(mem.split()[1]) / 2**20, 1),
        "python": platform.python_version(),
        "packages": versions,
        "commit": commit.stdout.strip() or None,
        "load_average": os.getloadavg(),
    }


def summarize(name: str, result: dict[str, Any], truth: dict[str, Any]) -> dict[str, Any]:
    """Rates, memory and pair scores of one contender."""
    megabytes = result["bytes"] / 1e6
    row = {
        "docs": result["docs"],
        "docs_per_s": result["docs"] / result["seconds"],
        "mb_per_s": megabytes / result["seconds"],
        "docs_per_cpu_s": result["docs"] / result["cpu_seconds"],
        "mb_per_cpu_s": megabytes / result["cpu_seconds"],
        "seconds": result["seconds"],
        "cpu_seconds": result["cpu_seconds"],
        "peak_rss_mb": result["peak_rss_bytes"] / 1e6,
    }
    if result.get("labels") is not None:
        precision, recall, f1 = pair_scores(result["labels"], truth["stories"])
        row |= {"precision": precision, "recall": recall, "f1": f1}
    for key in ("seconds_by_stage", "dropped_by_reason"):
        if key in result:
            row[key] = result[key]
    return row


def table(rows: dict[str, dict[str, Any]]) -> str:
    """A Markdown table of every contender, with the ratio corpusclean/peer (docs/s, wall and CPU)."""
    lines = [
        "| tool | docs | docs/s | MB/s | docs/CPU-s | peak RSS MB | P | R | F1 | corpusclean/peer (wall, CPU) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, row in rows.items():
        scores = [f"{row[k]:.3f}" if k in row else "" for k in ("precision", "recall", "f1")]
        reference = CONTENDERS[name][1]
        ratio = ""
        if reference in rows:
            ours = rows[reference]
            wall = ours["docs_per_s"] / row["docs_per_s"]
            cpu = ours["docs_per_cpu_s"] / row["docs_per_cpu_s"]
            ratio = f"{_times(wall)}, {_times(cpu)} ({reference})"
        lines.append(
            f"| {name} | {row['docs']:,} | {row['docs_per_s']:,.0f} | {row['mb_per_s']:.2f} | "
            f"{row['docs_per_cpu_s']:,.0f} | {row['peak_rss_mb']:,.0f} | {' | '.join(scores)} | {ratio} |"
        )
    return "\n".join(lines)


def _times(ratio: float) -> str:
    return f"{ratio:.1f}×" if ratio >= 1 else f"{ratio:.2f}×"


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000, help="about this many documents (default 10000)")
    parser.add_argument("--seed", type=int, default=2026, help="corpus seed (default 2026)")
    parser.add_argument(
        "--shards", type=int, default=2, help="JSONL files the corpus is split into (default 2)"
    )
    parser.add_argument(
        "--damaged-share", type=float, default=0.02, help="documents with a damaged paragraph (default 0.02)"
    )
    parser.add_argument("--stage-docs", type=int, default=2000, help="documents for the stage figures")
    parser.add_argument("--only", help="comma-separated contender names (default: all installed)")
    parser.add_argument("--skip", default="", help="comma-separated contender names not to run")
    parser.add_argument("--data", type=Path, default=DATA, help="where corpora are generated")
    parser.add_argument(
        "--out", type=Path, help="result JSON (default: benchmarks/results/run-DOCS-TIME.json)"
    )
    parser.add_argument("--list", action="store_true", help="list the contenders and exit")
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(CONTENDERS))
        return {}
    names = [n.strip() for n in args.only.split(",")] if args.only else list(CONTENDERS)
    unknown = [n for n in names if n not in CONTENDERS]
    if unknown:
        parser.error(f"unknown contender(s): {', '.join(unknown)} (see --list)")
    skip = {n.strip() for n in args.skip.split(",") if n.strip()}

    data = args.data / f"planted-{args.docs}-s{args.seed}-x{args.shards}-d{args.damaged_share:g}"
    truth = write_corpus(data, args.docs, args.seed, args.shards, args.damaged_share)
    planted = truth["docs"] - len(set(truth["stories"]))
    print(
        f"corpus: {truth['docs']:,} docs, {truth['bytes'] / 1e6:.1f} MB, {planted:,} planted copies, "
        f"seed {truth['seed']}, {data}",
        file=sys.stderr,
    )
    rows: dict[str, dict[str, Any]] = {}
    skipped: dict[str, str] = {}
    for name in names:
        module = requirement(name)
        if name in skip:
            skipped[name] = "skipped by --skip"
        elif module and importlib.util.find_spec(module) is None:
            skipped[name] = f"{module} is not installed"
        if name in skipped:
            print(f"{name}: {skipped[name]}", file=sys.stderr)
            continue
        print(f"{name} ...", file=sys.stderr, flush=True)
        rows[name] = summarize(name, run_contender(name, data, args.stage_docs), truth)
        print(f"  {rows[name]['docs_per_s']:,.0f} docs/s, {rows[name]['seconds']:.1f} s", file=sys.stderr)
    result = {
        "command": " ".join(["python", "benchmarks/run.py", *(argv if argv is not None else sys.argv[1:])]),
        "machine": machine(),
        "corpus": {k: truth[k] for k in ("docs", "bytes", "seed")} | {"planted_copies": planted},
        "stage_docs": args.stage_docs,
        "rows": rows,
        "skipped": skipped,
    }
    print(table(rows))
    out = args.out or RESULTS / f"run-{args.docs}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(f"results: {out}", file=sys.stderr)
    return result


if __name__ == "__main__":
    main()
