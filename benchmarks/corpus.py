"""A seeded, news-like corpus for benchmarks: ~4 KB documents with ids, sources and dates.

Sentences come from the seed articles (French) plus a few English wire sentences, so
the character mix (accents, ’ « » –, no-break spaces, emoji) is that of real dumps.
A low, configurable share of documents carries real encoding damage: a paragraph
encoded as UTF-8 and decoded as cp1252, latin-1 or MacRoman, HTML entities, CRLF
line ends, zero-width spaces.
"""

from __future__ import annotations

import itertools
import random
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
_HEADER = re.compile(r"\A[ \t]*date[ \t]+\d{4}-\d{2}(?:-\d{2})?[ \t]*")
_SENTENCE_END = re.compile(r"(?<=[.!?»])\s+(?=[A-ZÀ-Ý«“])")
SOURCES = ("lemonde.fr", "01net.com", "afp.com", "tap.info.tn", "reuters.com", "lefigaro.fr")
DAMAGES = ("cp1252", "latin-1", "mac_roman", "html", "crlf", "zwsp")


@dataclass(frozen=True, slots=True)
class BenchDocument:
    """One generated article."""

    id: str
    text: str
    metadata: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The corpusclean input record shape."""
        return {"id": self.id, "text": self.text, "metadata": self.metadata}


def seed_sentences(seeds: Path = SEEDS) -> list[str]:
    """Every sentence of the seed articles, header removed."""
    sentences: list[str] = []
    for path in sorted(seeds.glob("*.txt")):
        body = _HEADER.sub("", path.read_text(encoding="utf-8"))
        for paragraph in body.split("\n"):
            sentences.extend(s.strip() for s in _SENTENCE_END.split(paragraph) if len(s.strip()) > 20)
    return sentences


def damage(text: str, kind: str, rng: random.Random) -> str:
    """Real encoding damage of one kind (see `DAMAGES`)."""
    if kind in ("cp1252", "latin-1", "mac_roman"):
        return text.encode("utf-8").decode(kind, errors="replace")
    if kind == "html":
        return text.replace("é", "&eacute;").replace("’", "&#8217;")
    if kind == "crlf":
        return text.replace("\n", "\r\n")
    return text.replace(" ", " \u200b", rng.randint(1, 3))


def generate(
    n_docs: int = 1000,
    *,
    seed: int = 0,
    doc_bytes: int = 4000,
    damaged_share: float = 0.02,
    english_share: float = 0.2,
) -> Iterator[BenchDocument]:
    """`n_docs` articles of about `doc_bytes` UTF-8 bytes; deterministic for a given `seed`.

    `damaged_share` of the documents get one damaged paragraph (mojibake at a
    realistic low rate); `english_share` of them are written in English.
    """
    rng = random.Random(seed)
    french = seed_sentences()
    for index in range(n_docs):
        pool = _strategies().ENGLISH_SENTENCES if rng.random() < english_share else french
        paragraphs: list[str] = []
        size = 0
        while size < doc_bytes:
            paragraph = " ".join(rng.choice(pool) for _ in range(rng.randint(2, 5)))
            paragraphs.append(paragraph)
            size += len(paragraph.encode("utf-8")) + 2
        damaged = None
        if rng.random() < damaged_share:
            damaged = rng.choice(DAMAGES)
            where = rng.randrange(len(paragraphs))
            if damaged == "crlf":
                text = damage("\n\n".join(paragraphs), damaged, rng)
            else:
                paragraphs[where] = damage(paragraphs[where], damaged, rng)
                text = "\n\n".join(paragraphs)
        else:
            text = "\n\n".join(paragraphs)
        metadata = {
            "source": rng.choice(SOURCES),
            "date": f"20{rng.randint(19, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "damage": damaged,
        }
        yield BenchDocument(f"bench-{seed}-{index:06d}", text, metadata)


# The planted-duplicate corpus of the side-by-side benchmark (benchmarks/run.py). The story and
# variant machinery is tests/strategies.py's `planted_corpus` (one copy, shared with the dedup
# tests); the articles here are longer and never reuse a template within one document, so that
# the pipeline's repetition filter sees news, not a template repeated ten times.
TESTS = Path(__file__).resolve().parent.parent / "tests"


def bench_article(rng: random.Random, *, templates: int = 10, seed_share: int = 16) -> list[str]:
    """A ~4 KB French news article as paragraphs: every generator template once, plus seed sentences.

    Seed sentences (drawn without replacement from the real articles in seeds/) bring real
    typography and the credits and datelines the detectors look for.
    """
    sentences = _strategies().news_sentences(rng, templates) + rng.sample(_seed_pool(), seed_share)
    rng.shuffle(sentences)
    paragraphs: list[str] = []
    while sentences:
        take = rng.randint(2, 4)
        paragraphs.append(" ".join(sentences[:take]))
        del sentences[:take]
    return paragraphs


_POOL: list[str] = []


def _strategies() -> Any:
    """tests/strategies.py, where the story generator lives (shared with the dedup tests)."""
    if str(TESTS) not in sys.path:
        sys.path.append(str(TESTS))
    import strategies

    return strategies


def _seed_pool() -> list[str]:
    if not _POOL:
        _POOL.extend(sorted(set(seed_sentences())))
    return _POOL


def planted_news(
    n_docs: int, seed: int = 2026, *, damaged_share: float = 0.0
) -> tuple[list[dict[str, str]], list[int]]:
    """About `n_docs` records `{"id", "text"}` with planted near-duplicates, and their story numbers.

    Half the stories are republished once (exact copy, new lead, a paragraph added or removed,
    a footer, two dozen word edits: `strategies.VARIANTS`), so a third of the documents are
    copies of an earlier one; two documents are true duplicates when their story is the same.
    `damaged_share` of the documents get one paragraph of real encoding damage (`damage`),
    drawn from a generator of their own so the stories and texts are otherwise unchanged.
    """
    records, stories = _strategies().planted_corpus(
        seed, stories=max(1, round(n_docs * 2 / 3)), copies=1, article=bench_article
    )
    rng = random.Random(f"damage-{seed}")
    for record in records:
        if rng.random() < damaged_share:
            kind = rng.choice(DAMAGES)
            paragraphs = record["text"].split("\n\n")
            if kind == "crlf":
                record["text"] = damage(record["text"], kind, rng)
            else:
                where = rng.randrange(len(paragraphs))
                paragraphs[where] = damage(paragraphs[where], kind, rng)
                record["text"] = "\n\n".join(paragraphs)
    return records, stories


def true_pairs(labels: Sequence[int]) -> set[tuple[int, int]]:
    """Every pair (i, j), i < j, of positions that carry the same label (same story, same cluster)."""
    groups: dict[int, list[int]] = {}
    for index, label in enumerate(labels):
        groups.setdefault(label, []).append(index)
    return {pair for members in groups.values() for pair in itertools.combinations(members, 2)}


def pair_scores(clusters: Sequence[int], stories: Sequence[int]) -> tuple[float, float, float]:
    """Duplicate-pair precision, recall and F1 of predicted cluster labels against the planted stories.

    The same definition for every tool: a predicted pair is two documents in one predicted
    cluster (a dropped duplicate and the document it was matched to, transitively).
    """
    predicted, truth = true_pairs(clusters), true_pairs(stories)
    hits = len(predicted & truth)
    precision = hits / len(predicted) if predicted else 1.0
    recall = hits / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1
