"""Dedup only: corpusclean's Deduplicator against the peers, and the memory of its state.

    python benchmarks/bench_dedup.py --docs 10000
    python benchmarks/bench_dedup.py --state-only 1000000
    python benchmarks/bench_dedup.py --stream 1000000

The first form is `benchmarks/run.py` restricted to the de-duplicators (same corpus, same
files, same table). The second measures what the dedup state holds per kept document; the
third de-duplicates N generated articles for real, streamed in chunks.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from corpusclean import Deduplicator  # noqa: E402


def state_memory(documents: int, seed: int) -> None:
    """Peak RSS of the dedup state alone for `documents` kept documents (distinct random signatures).

    Features are made directly (random signatures, their real band keys, random exact
    hashes, spilled shingle sets of news length) so that a million documents take minutes:
    this measures what dedup holds per kept document, not how fast signatures are made.
    """
    import numpy as np

    from corpusclean.dedup import DedupFeatures

    rng = np.random.default_rng(seed)
    dedup = Deduplicator()
    started = time.perf_counter()
    for number in range(documents):
        signature = rng.integers(0, 1 << 32, 128, dtype=np.uint32)
        shingles = np.unique(rng.integers(0, 1 << 32, 600, dtype=np.uint32))
        exact = int(rng.integers(0, 1 << 63))
        keys = (*dedup.band_keys(signature), exact)
        features = DedupFeatures(exact, 650, 4000, signature, keys, shingles)
        if dedup.check(f"doc-{number:08d}", features, "example.fr") is not None:
            raise AssertionError("random signatures should not match")
    seconds = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(
        f"{documents} kept documents: peak RSS {rss / 1e6:.0f} MB, "
        f"arrays {dedup.nbytes / documents:.0f} B/doc, {documents / seconds:.0f} checks/s"
    )
    dedup.close()


def stream(documents: int, seed: int, chunk: int = 10_000) -> None:
    """A real dedup-only run over `documents` generated articles, streamed: never all in memory.

    The corpus is `benchmarks.corpus.planted_news` in chunks of `chunk` documents (seed
    `seed + chunk number`, planted copies within each chunk), fed to one `Deduplicator`;
    prints peak RSS, rates by wall clock and CPU time, and pair scores every 10% and at the end.
    """
    from benchmarks.corpus import pair_scores, planted_news
    from corpusclean import Document

    dedup = Deduplicator()
    labels: list[int] = []
    stories: list[int] = []
    position: dict[str, int] = {}
    size = 0
    started, started_cpu = time.perf_counter(), time.process_time()
    chunks = -(-documents // chunk)
    report_every = max(1, chunks // 10)
    for number in range(chunks):
        records, chunk_stories = planted_news(min(chunk, documents - number * chunk), seed + number)
        docs = [Document(f"c{number:04d}-{r['id']}", r["text"]) for r in records]
        stories.extend(number * chunk * 2 + story for story in chunk_stories)
        for doc, match in dedup.deduplicate(docs):
            position[doc.id] = len(labels)
            labels.append(position[match.cluster] if match is not None else len(labels))
            size += len(doc.text.encode("utf-8"))
        if (number + 1) % report_every == 0 or number + 1 == chunks:
            wall, cpu = time.perf_counter() - started, time.process_time() - started_cpu
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
            print(
                f"{len(labels):>9,} docs, {size / 1e9:.2f} GB: peak RSS {rss / 1e6:,.0f} MB, "
                f"state {dedup.nbytes / 1e6:,.0f} MB, {len(labels) / wall:,.0f} docs/s, "
                f"{len(labels) / cpu:,.0f} docs/CPU-s (generation included)",
                flush=True,
            )
    precision, recall, f1 = pair_scores(labels, stories)
    print(f"pairs: P {precision:.4f} R {recall:.4f} F1 {f1:.4f}")
    dedup.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000, help="about this many documents")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--state-only", type=int, metavar="N", help="dedup state of N kept documents")
    parser.add_argument("--stream", type=int, metavar="N", help="real dedup-only run over N generated docs")
    args = parser.parse_args()
    if args.state_only:
        state_memory(args.state_only, args.seed)
        return
    if args.stream:
        stream(args.stream, args.seed)
        return
    from benchmarks.contenders import iter_names
    from benchmarks.run import main as run

    run(["--docs", str(args.docs), "--seed", str(args.seed), "--only", ",".join(iter_names("dedup"))])


if __name__ == "__main__":
    main()
