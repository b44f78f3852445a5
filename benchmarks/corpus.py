"""A seeded, news-like corpus for benchmarks: ~4 KB documents with ids, sources and dates.

Sentences come from the seed articles (French) plus a few English wire sentences, so
the character mix (accents, ’ « » –, no-break spaces, emoji) is that of real dumps.
A low, configurable share of documents carries real encoding damage: a paragraph
encoded as UTF-8 and decoded as cp1252, latin-1 or MacRoman, HTML entities, CRLF
line ends, zero-width spaces.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
_HEADER = re.compile(r"\A[ \t]*date[ \t]+\d{4}-\d{2}(?:-\d{2})?[ \t]*")
_SENTENCE_END = re.compile(r"(?<=[.!?»])\s+(?=[A-ZÀ-Ý«“])")
ENGLISH = [
    "The central bank held interest rates steady on Wednesday, citing persistent inflation.",
    "Officials said the agreement would be signed before the end of the month.",
    "“We are not for sale,” the company’s vice-president told reporters in Paris.",
    "Shares rose 4% in early trading after the announcement.",
    "The summit drew leaders from more than 80 countries to the Grand Palais.",
    "Critics warned that the new rules could slow down innovation in Europe.",
]
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
        pool = ENGLISH if rng.random() < english_share else french
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
