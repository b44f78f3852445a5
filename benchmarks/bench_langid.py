"""Language identification: corpusclean's deterministic scorer against seeded langdetect.

Builds a seeded multilingual news-like corpus (the five seeds, plus articles sampled
sentence by sentence from the 13-language test set, some of them short and some
quoting a paragraph in another language), then prints documents per second of
`FastLangId` and of `langdetect.detect_langs` (seed 0) on full texts and on their first
1,000 characters, and how often the labels agree on documents of 200+ characters.

    PYTHONPATH=$PWD python benchmarks/bench_langid.py --docs 1000
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time
from collections.abc import Callable
from pathlib import Path

from corpusclean.langid import FastLangId, _tables
from corpusclean.normalize import normalize_display

ROOT = Path(__file__).resolve().parent.parent
SENTENCE_END = re.compile(r"(?<=[.!?。])\s*")


def sentence_pools() -> dict[str, list[str]]:
    """Sentences per language from the shipped test set, French also from the seeds."""
    pools: dict[str, list[str]] = {}
    for line in (ROOT / "tests" / "data" / "langid.jsonl").read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        pools.setdefault(case["lang"], []).extend(s for s in SENTENCE_END.split(case["text"]) if s)
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        for paragraph in path.read_text(encoding="utf-8").split("\n"):
            pools["fr"].extend(s for s in SENTENCE_END.split(paragraph) if len(s) > 40)
    return pools


def make_corpus(docs: int, seed: int) -> list[tuple[str, str]]:
    """(language, text) pairs: seeds first, then generated articles of 200 to ~8,000 characters."""
    rng = random.Random(seed)
    pools = sentence_pools()
    langs = sorted(pools)
    corpus = [
        ("fr", normalize_display(p.read_text(encoding="utf-8")))
        for p in sorted((ROOT / "seeds").glob("*.txt"))
    ]
    while len(corpus) < docs:
        lang = rng.choice(langs)
        kind = rng.random()
        target = rng.randint(200, 600) if kind < 0.2 else int(min(8000, rng.lognormvariate(8.0, 0.5)))
        paragraphs: list[str] = []
        length = 0
        while length < target:
            sentences = [rng.choice(pools[lang]) for _ in range(rng.randint(1, 4))]
            paragraphs.append(" ".join(sentences))
            length += len(paragraphs[-1]) + 2
        if kind > 0.85 and len(paragraphs) > 3:  # quote a paragraph in another language
            other = rng.choice([code for code in langs if code != lang])
            paragraphs.insert(rng.randrange(1, len(paragraphs)), " ".join(rng.sample(pools[other], 2)))
        corpus.append((lang, "\n\n".join(paragraphs)))
    return corpus


def timed(label: str, fn: Callable[[str], str], texts: list[str]) -> tuple[list[str], float]:
    """Labels and documents per second of one identifier over all texts."""
    start = time.perf_counter()
    labels = [fn(text) for text in texts]
    rate = len(texts) / (time.perf_counter() - start)
    print(f"{label:<42} {rate:>9,.0f} docs/s")
    return labels, rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=1000, help="documents in the generated corpus")
    parser.add_argument("--seed", type=int, default=0, help="seed of the corpus generator")
    args = parser.parse_args()

    from langdetect import DetectorFactory, detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0

    def langdetect_label(text: str) -> str:
        try:
            return detect_langs(text)[0].lang
        except LangDetectException:
            return "und"

    corpus = make_corpus(args.docs, args.seed)
    texts = [text for _, text in corpus]
    chars = sum(map(len, texts))
    print(
        f"corpus: {len(texts)} documents, {chars / len(texts):,.0f} characters on average, seed {args.seed}"
    )
    _tables()
    langdetect_label(texts[0])  # both load their profiles before the clocks start

    fast = FastLangId()
    fast_labels, fast_rate = timed("corpusclean fast (full text)", lambda t: fast.identify(t).lang, texts)
    timed("corpusclean fast (first 1,000 chars)", lambda t: fast.identify(t[:1000]).lang, texts)
    ld_labels, ld_rate = timed("langdetect seed 0 (full text)", langdetect_label, texts)
    ld1k_labels, _ = timed(
        "langdetect seed 0 (first 1,000 chars)", lambda t: langdetect_label(t[:1000]), texts
    )

    long_enough = [i for i, text in enumerate(texts) if len(text) >= 200]
    agree = sum(fast_labels[i] == ld_labels[i] for i in long_enough)
    agree_1k = sum(ld1k_labels[i] == ld_labels[i] for i in long_enough)
    truth = sum(fast_labels[i] == corpus[i][0] for i in long_enough)
    truth_ld = sum(ld_labels[i] == corpus[i][0] for i in long_enough)
    n = len(long_enough)
    print(f"agreement with langdetect (full text) on {n} docs of 200+ chars:")
    print(f"  corpusclean fast {agree / n:.2%}; langdetect on the first 1,000 chars {agree_1k / n:.2%}")
    print(f"generator's language recovered: fast {truth / n:.2%}, langdetect {truth_ld / n:.2%}")
    print(f"speed-up over langdetect (full text): {fast_rate / ld_rate:.1f}x")
    for i in long_enough:
        if fast_labels[i] != ld_labels[i]:
            name = f"doc {i} ({corpus[i][0]}, {len(texts[i])} chars)"
            print(f"  disagree: {name}: fast {fast_labels[i]}, langdetect {ld_labels[i]}")
    sentences = [s for pool in sentence_pools().values() for s in pool]
    short_agree = sum(fast.identify(s).lang == langdetect_label(s) for s in sentences)
    share = short_agree / len(sentences)
    print(f"agreement on {len(sentences)} single sentences (mostly under 200 chars): {share:.2%}")


if __name__ == "__main__":
    main()
