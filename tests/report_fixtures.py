"""A realistic output directory for report and explain tests, made by the real runner.

The detectors and the dedup stage here are small test-only stand-ins (exact repeated
lines, a credit pattern, lines learned from the corpus, shingle Jaccard duplicates), so
the report and explain are tested on real pipeline outputs before the production
detectors are wired in; the seeds tests run against whatever detectors exist.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

import corpusclean.pipeline as pipeline
from corpusclean import Config, Document, Drop, Reason, Span, run
from corpusclean.config import RunConfig
from corpusclean.normalize import normalize_display
from corpusclean.segment import SegmentedText

from conftest import SEEDS

FOOTER = "🔴 Pour ne manquer aucune actualité de 01net, suivez-nous sur Google Actualités et WhatsApp."
WIRE_RECORDS = [
    {
        "id": "wire-marseille",
        "source": "exemple.fr",
        "lang": "fr",
        "text": "À Marseille, le port a enregistré une hausse de 12 % de son trafic en 2024, porté par "
        f"les conteneurs et la croisière.\n{FOOTER}",
    },
    {
        "id": "wire-bourse",
        "source": "exemple.fr",
        "lang": "fr",
        "text": "La Bourse de Paris a ouvert en hausse mardi, portée par les valeurs technologiques "
        f"après les annonces du sommet sur l’IA.\n{FOOTER}",
    },
    {"id": "wire-vide", "source": "exemple.fr", "text": "   "},
]


class LineRepeats:
    """Test stand-in: a line that exactly repeats an earlier line of the document."""

    name = "test-repeats"

    def detect(self, text: SegmentedText) -> Iterator[Span]:
        first: dict[str, tuple[int, int]] = {}
        for line in text.lines:
            body = line.text_of(text.text).strip()
            if len(body) < 30:
                continue
            if body in first:
                evidence = {"repeat_of": first[body], "similarity": 1.0}
                yield Span(line.start, line.end, Reason.REPEAT, rule="test-repeats", evidence=evidence)
            else:
                first[body] = (line.start, line.end)


class AfpCredit:
    """Test stand-in: an `( AFP / NAME )` photo credit line."""

    name = "test-credit"
    pattern = re.compile(r"^\( AFP / [^)]+\)$", re.M)

    def detect(self, text: SegmentedText) -> Iterator[Span]:
        for match in self.pattern.finditer(text.text):
            yield Span(
                match.start(), match.end(), Reason.CREDIT, rule="afp-photo-credit", moves_to="photo_credit"
            )


class LearnedLines:
    """Test stand-in: lines found in at least two documents of one source are learned boilerplate."""

    name = "test-learned"

    def __init__(self) -> None:
        self.counts: Counter[tuple[str | None, str]] = Counter()
        self.docs = 0

    def fit(self, documents: Iterable[Document]) -> LearnedLines:
        for doc in documents:
            self.docs += 1
            source = doc.metadata.get("source")
            lines = {line.strip() for line in normalize_display(doc.text).split("\n") if line.strip()}
            self.counts.update((source, line) for line in lines)
        return self

    def detect(self, text: SegmentedText) -> Iterator[Span]:
        for line in text.lines:
            body = line.text_of(text.text).strip()
            count = self.counts[(text.source, body)]
            if len(body) >= 30 and count >= 2:
                evidence = {"learned": f"{count}/{self.docs}"}
                yield Span(line.start, line.end, Reason.BOILERPLATE, rule="learned-line", evidence=evidence)


def _shingles(text: str) -> set[str]:
    words = re.findall(r"\w+", text.casefold())
    return {" ".join(words[i : i + 5]) for i in range(max(0, len(words) - 4))}


class ShingleDedup:
    """Test stand-in: drop a document whose 5-word shingles overlap a kept one's by Jaccard >= 0.5."""

    def __init__(self) -> None:
        self.kept: list[tuple[str, set[str]]] = []

    def decide(self, outcome: pipeline.Outcome) -> Drop | None:
        mine = _shingles(outcome.doc.text)
        for doc_id, theirs in self.kept:
            similarity = len(mine & theirs) / len(mine | theirs) if mine | theirs else 1.0
            if similarity >= 0.5:
                evidence = {"duplicate_of": doc_id, "cluster": doc_id, "similarity": round(similarity, 4)}
                return Drop(Reason.DUPLICATE, evidence)
        self.kept.append((outcome.doc.id, mine))
        return None


def make_input(root: Path) -> Path:
    """The seeds plus a JSONL feed with a near-duplicate, a shared footer, an empty and a broken record."""
    data = root / "in"
    shutil.copytree(SEEDS, data)
    # A syndicated copy of seed 003: no photo credit, one sentence reworded.
    seed = (SEEDS / "003_b176a1c00d8f91ef.txt").read_text(encoding="utf-8").split("\n", 2)[2]
    copy = seed.replace("a annoncé jeudi", "a fait savoir jeudi")
    records = [{"id": "wire-openai", "source": "exemple.fr", "lang": "fr", "text": copy}, *WIRE_RECORDS]
    lines = [json.dumps(record, ensure_ascii=False) for record in records]
    lines.append('{"id": "wire-coupee", "text": "La dépêche s’arrête')
    (data / "wires.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return data


def build_output(root: Path, **output: Any) -> Path:
    """Run the real runner with the test-only stages over `make_input`; returns OUT."""
    data = make_input(root)
    out = root / "out"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            pipeline, "build_detectors", lambda config: [AfpCredit(), LearnedLines(), LineRepeats()]
        )
        patch.setattr(pipeline, "build_corpus_stages", lambda config: [ShingleDedup()])
        config = Config(run=RunConfig(workers=1, progress=False))
        if output:
            config = config.replace("output", **output)
        run([str(data)], out, config)
    return out


CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


def chromium() -> str | None:
    """Debian's chromium (`apt-get install chromium`), or None when it is not installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def run_chromium(page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Open `page` in headless chromium with a private profile and extra `args`."""
    binary = chromium()
    assert binary is not None
    command = [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args, page.resolve().as_uri()]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
