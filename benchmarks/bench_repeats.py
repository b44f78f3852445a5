"""Throughput of the repeat detector and the repetition signals (documents per second).

Run from the repository root: `python benchmarks/bench_repeats.py`. Two cases: a 4 KB
news article (seed 001, which repeats five paragraphs) and a synthetic 500-paragraph
document (distinct paragraphs plus one pasted copy of a 20-paragraph block).
"""

from __future__ import annotations

import random
import time
from pathlib import Path

from corpusclean.normalize import normalize_display
from corpusclean.repeats import RepeatDetector
from corpusclean.segment import SegmentedText
from corpusclean.signals import repetition_signals

ROOT = Path(__file__).resolve().parent.parent
WORDS = [
    "le",
    "la",
    "les",
    "un",
    "une",
    "des",
    "gouvernement",
    "président",
    "ministre",
    "sommet",
    "accord",
    "marché",
    "entreprise",
    "Paris",
    "Bruxelles",
    "Europe",
    "annonce",
    "mardi",
    "jeudi",
    "hausse",
    "baisse",
    "milliards",
    "euros",
    "projet",
    "loi",
    "syndicats",
    "grève",
    "réforme",
    "données",
    "intelligence",
    "artificielle",
    "start-up",
    "investissement",
]


def long_document(paragraphs: int = 500, seed: int = 7) -> str:
    """Distinct random paragraphs of 30-60 words, with paragraphs 100-119 pasted again at the end."""
    rng = random.Random(seed)
    body = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(30, 60))) + "." for _ in range(paragraphs)]
    return "\n\n".join(body[: paragraphs - 20] + body[100:120])


def rate(label: str, text: str, seconds: float = 3.0) -> None:
    detector = RepeatDetector()
    normalized = normalize_display(text)
    count, spans, started = 0, 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        spans = len(list(detector.detect(SegmentedText(normalized))))
        count += 1
    detect_rate = count / (time.perf_counter() - started)
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        repetition_signals(normalized)
        count += 1
    signal_rate = count / (time.perf_counter() - started)
    print(
        f"{label}: {len(normalized.encode()) / 1024:.1f} KB, {spans} repeat spans; "
        f"detect {detect_rate:,.0f} docs/s, signals {signal_rate:,.0f} docs/s"
    )


if __name__ == "__main__":
    rate("seed 001 (news article)", next((ROOT / "seeds").glob("001_*.txt")).read_text(encoding="utf-8"))
    rate("500 paragraphs", long_document())
