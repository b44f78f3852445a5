"""Dedup only: corpusclean's Deduplicator against datasketch used as its README shows.

    python benchmarks/bench_dedup.py --docs 10000

Generates a seeded news-like corpus with planted duplicates (tests/strategies.py), then runs
each contender in its own process (so peak RSS is its own) over the same texts, one core,
and prints docs/s, MB/s, peak RSS, duplicate-pair precision/recall/F1 and the ratio.
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import resource
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from corpusclean import Deduplicator, Document  # noqa: E402
from corpusclean.normalize import fingerprint  # noqa: E402

from strategies import planted_corpus  # noqa: E402


def corpusclean_dedup(texts: list[str]) -> list[int]:
    """Streaming Deduplicator: features (fingerprint, shingles, signature, band keys), query, insert."""
    dedup = Deduplicator()
    docs = (Document(str(i), text) for i, text in enumerate(texts))
    verdicts = enumerate(dedup.deduplicate(docs))
    return [int(match.cluster) if match else number for number, (_, match) in verdicts]


def datasketch_readme(texts: list[str]) -> list[int]:
    """datasketch 2.x as its README shows: MinHash.update per shingle, MinHashLSH query then insert.

    Same shingles as corpusclean (two fingerprint words) so the quality figures compare the
    methods, not the tokenizers; threshold 0.8, num_perm 128, datasketch's own defaults otherwise.
    """
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=0.8, num_perm=128)
    clusters = []
    for number, text in enumerate(texts):
        words = fingerprint(text).split()
        minhash = MinHash(num_perm=128)
        for shingle in {" ".join(words[i : i + 2]) for i in range(max(1, len(words) - 1))}:
            minhash.update(shingle.encode("utf8"))
        found = sorted(int(key) for key in lsh.query(minhash))
        if found:
            clusters.append(found[0])
        else:
            lsh.insert(str(number), minhash)
            clusters.append(number)
    return clusters


CONTENDERS = {"corpusclean Deduplicator": corpusclean_dedup, "datasketch README": datasketch_readme}


def _run(name: str, texts: list[str], queue: Any) -> None:
    started = time.perf_counter()
    clusters = CONTENDERS[name](texts)
    seconds = time.perf_counter() - started
    queue.put((clusters, seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024))


def pair_scores(clusters: list[int], stories: list[int]) -> tuple[float, float, float]:
    """Pairwise precision, recall and F1 of predicted clusters against the planted stories."""

    def pairs(labels: list[int]) -> set[tuple[int, int]]:
        groups: dict[int, list[int]] = {}
        for index, label in enumerate(labels):
            groups.setdefault(label, []).append(index)
        return {pair for members in groups.values() for pair in itertools.combinations(members, 2)}

    predicted, truth = pairs(clusters), pairs(stories)
    hits = len(predicted & truth)
    precision = hits / len(predicted) if predicted else 1.0
    recall = hits / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000, help="about this many documents")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--state-only", type=int, metavar="N", help="dedup state of N kept documents")
    args = parser.parse_args()
    if args.state_only:
        state_memory(args.state_only, args.seed)
        return
    records, stories = planted_corpus(args.seed, stories=args.docs * 2 // 3, copies=1)
    texts = [str(r["text"]) for r in records]
    megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    print(f"corpus: {len(texts)} docs, {megabytes:.1f} MB, {len(texts) - len(set(stories))} planted copies")
    context = multiprocessing.get_context("fork")
    results = {}
    for name in CONTENDERS:
        queue = context.Queue()
        process = context.Process(target=_run, args=(name, texts, queue))
        process.start()
        clusters, seconds, rss = queue.get()
        process.join()
        precision, recall, f1 = pair_scores(clusters, stories)
        results[name] = {
            "docs_per_s": len(texts) / seconds,
            "mb_per_s": megabytes / seconds,
            "peak_rss_mb": rss / 1e6,
            "precision": precision,
            "recall": recall,
            "f1": f1,
        }
        row = results[name]
        print(
            f"{name:28s} {row['docs_per_s']:8.0f} docs/s {row['mb_per_s']:6.2f} MB/s "
            f"RSS {row['peak_rss_mb']:6.0f} MB  P {precision:.4f} R {recall:.4f} F1 {f1:.4f}"
        )
    ratio = results["corpusclean Deduplicator"]["docs_per_s"] / results["datasketch README"]["docs_per_s"]
    print(f"speed ratio corpusclean / datasketch README: {ratio:.1f}x")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
