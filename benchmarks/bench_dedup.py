"""Dedup only: corpusclean's Deduplicator against the peers, and the memory of its state.

    python benchmarks/bench_dedup.py --docs 10000
    python benchmarks/bench_dedup.py --state-only 1000000

The first form is `benchmarks/run.py` restricted to the de-duplicators (same corpus, same
files, same table). The second measures what the dedup state holds per kept document.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000, help="about this many documents")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--state-only", type=int, metavar="N", help="dedup state of N kept documents")
    args = parser.parse_args()
    if args.state_only:
        state_memory(args.state_only, args.seed)
        return
    from benchmarks.contenders import iter_names
    from benchmarks.run import main as run

    run(["--docs", str(args.docs), "--seed", str(args.seed), "--only", ",".join(iter_names("dedup"))])


if __name__ == "__main__":
    main()
