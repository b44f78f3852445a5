"""Display normalization next to plain ftfy on the same seeded news corpus.

    python benchmarks/bench_normalize.py [--docs 2000] [--damaged-share 0.02] [--seed 0]

Prints MB/s (UTF-8 input bytes per second, one core) of `normalize_display`, of
plain `ftfy.fix_text` with its defaults and with the typography-keeping settings
corpusclean uses, and of `tokenize`; checks on the way that `normalize_display`
gives exactly `tidy(ftfy.fix_text(...))` on every document.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import ftfy

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.corpus import generate
from corpusclean.config import NormalizeConfig
from corpusclean.normalize import _ftfy_config, normalize_display, tidy, tokenize


def throughput(function: Callable[[str], object], texts: list[str], repeat: int) -> tuple[float, float]:
    """Best-of-`repeat` MB/s of `function` over every text: by wall clock, and by CPU time.

    CPU time is this process's own (one core); it stays meaningful on a busy machine.
    """
    size = sum(len(t.encode("utf-8")) for t in texts)
    wall = cpu = float("inf")
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        for text in texts:
            function(text)
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    return size / wall / 1e6, size / cpu / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--damaged-share", type=float, default=0.02)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    texts = [d.text for d in generate(args.docs, seed=args.seed, damaged_share=args.damaged_share)]
    size = sum(len(t.encode("utf-8")) for t in texts)
    config = NormalizeConfig()
    typography = _ftfy_config(config)
    mismatches = sum(
        normalize_display(t, config) != tidy(ftfy.fix_text(t, typography), config) for t in texts
    )

    ours = throughput(lambda t: normalize_display(t, config), texts, args.repeat)
    plain = throughput(lambda t: ftfy.fix_text(t), texts, 1)
    kept = throughput(lambda t: ftfy.fix_text(t, typography), texts, 1)
    tokens = throughput(tokenize, texts, args.repeat)
    print(
        f"corpus: {len(texts)} docs, {size / 1e6:.1f} MB, "
        f"damaged share {args.damaged_share}, seed {args.seed}"
    )
    print(f"{'':<34} {'wall MB/s':>10} {'CPU MB/s':>10} {'ratio (CPU)':>12}")
    rows = [
        ("normalize_display", ours, None),
        ("ftfy.fix_text (defaults)", plain, ours[1] / plain[1]),
        ("ftfy.fix_text (typography kept)", kept, ours[1] / kept[1]),
        ("tokenize", tokens, None),
    ]
    for name, (wall, cpu), ratio in rows:
        shown = f"{ratio:11.1f}x" if ratio is not None else ""
        print(f"{name:<34} {wall:10.1f} {cpu:10.1f} {shown:>12}")
    print(f"documents differing from tidy(ftfy.fix_text): {mismatches}")
    if mismatches:
        sys.exit(1)


if __name__ == "__main__":
    main()
