"""Agency datelines at the start of a body move into metadata; the text stays unless asked."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpusclean import Cleaner, Config, Document
from corpusclean.dateline import DatelineDetector, parse_dateline
from corpusclean.io.readers import parse_header
from corpusclean.segment import SegmentedText

from conftest import SEEDS
from test_cli import read_jsonl, run_cli

SEED_004 = "004_b008c08daf3b73e9"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PARIS, 10 février (TAP) – Dirigeants politiques", ("PARIS", "10 février", "TAP")),
        ("PARIS (AFP) - Le gouvernement a annoncé", ("PARIS", None, "AFP")),
        ("WASHINGTON, Feb 10 (Reuters) - The Federal Reserve", ("WASHINGTON", "Feb 10", "Reuters")),
        ("NEW YORK (AP) — Stocks rose on Monday", ("NEW YORK", None, "AP")),
        ("RIO DE JANEIRO, 3 mars (AFP/Reuters) — Le carnaval", ("RIO DE JANEIRO", "3 mars", "AFP/Reuters")),
        ("Bruxelles, 4 juin (Belga) - La Commission", ("Bruxelles", "4 juin", "Belga")),
        ("  SAINT-DENIS (AFP) -- La préfecture", ("SAINT-DENIS", None, "AFP")),
    ],
)
def test_datelines_are_parsed(text: str, expected: tuple[str, str | None, str]) -> None:
    """Place, date as written and agency, from the usual wire formats."""
    found = parse_dateline(text)
    assert found is not None
    start, end, value = found
    assert (value["place"], value["date"], value["agency"]) == expected
    assert text[start:end].startswith(expected[0])
    assert not text[end:].startswith((" ", "-", "–", "—"))


@pytest.mark.parametrize(
    "text",
    [
        "( AFP / SEBASTIEN BOZON )\n\nLe créateur de ChatGPT",
        "Le président (AFP) - a déclaré",
        "Selon le ministre (LFI) : la réforme",
        "Dirigeants politiques et entrepreneurs se retrouvent à Paris (AFP) -",
        "La Fed (Federal Reserve) - la banque centrale",
    ],
)
def test_ordinary_openings_are_not_datelines(text: str) -> None:
    """Photo credits, parenthesized acronyms after ordinary words: no dateline."""
    assert parse_dateline(text) is None


def test_detector_keeps_text_by_default_and_cuts_on_request() -> None:
    """`remove=False` marks an extract-and-keep span; `remove=True` a removal."""
    text = SegmentedText("PARIS (AFP) - Le sommet s’ouvre lundi.")
    (kept,) = DatelineDetector().detect(text)
    assert not kept.remove and kept.moves_to == "dateline" and kept.value["agency"] == "AFP"
    (cut,) = DatelineDetector(remove=True).detect(text)
    assert cut.remove and (cut.start, cut.end) == (0, 14)


def test_seed_004_gets_its_dateline_and_keeps_its_text() -> None:
    """Seed 004: {"place": "PARIS", "date": "10 février", "agency": "TAP"}, text unchanged."""
    body, header = parse_header((SEEDS / f"{SEED_004}.txt").read_text(encoding="utf-8"))
    (doc,) = Cleaner().clean([Document(SEED_004, body, header)])
    assert doc.metadata["dateline"] == {"place": "PARIS", "date": "10 février", "agency": "TAP"}
    assert doc.text == body.strip()
    assert doc.metadata["removed"] == []


def test_dateline_remove_option_cuts_it_and_records_why() -> None:
    """`[dateline] remove = true` cuts the dateline and records the removal."""
    config = Config.from_mapping({"dateline": {"remove": True}})
    (doc,) = Cleaner(config).clean(["PARIS, 10 février (TAP) – Le sommet s’ouvre lundi."])
    assert doc.text == "Le sommet s’ouvre lundi."
    assert doc.metadata["dateline"]["place"] == "PARIS"
    assert doc.metadata["removed"][0]["rule"] == "dateline"
    assert doc.metadata["removed"][0]["reason"] == "metadata"


def test_cli_seeds_keep_typography_and_text_and_get_dateline(seeds_dir: Path, tmp_path: Path) -> None:
    """Through the CLI: each seed is its body apart from recorded removals; 004 has its dateline."""
    out = tmp_path / "out"
    result = run_cli("clean", str(seeds_dir), "-o", str(out), "-q")
    assert result.returncode == 0, result.stderr
    docs = {d["id"]: d for d in read_jsonl(out / "documents.jsonl")}
    for path in sorted(seeds_dir.glob("*.txt")):
        body, _ = parse_header(path.read_text(encoding="utf-8"))
        assert with_removals_put_back(docs[path.stem]) == body.strip()
    assert docs[SEED_004]["metadata"]["dateline"] == {"place": "PARIS", "date": "10 février", "agency": "TAP"}
    assert "🔴" in with_removals_put_back(docs["002_c6074d4587cf8863"])


def test_cli_dateline_remove_flag(seeds_dir: Path, tmp_path: Path) -> None:
    """`--dateline-remove` cuts the dateline from seed 004."""
    out = tmp_path / "out"
    result = run_cli("clean", str(seeds_dir), "-o", str(out), "-q", "--dateline-remove")
    assert result.returncode == 0, result.stderr
    docs = {d["id"]: d for d in read_jsonl(out / "documents.jsonl")}
    assert docs[SEED_004]["text"].startswith("Dirigeants politiques")


def with_removals_put_back(doc: dict) -> str:
    """The normalized text: the clean text with every recorded cut put back at its offset."""
    text, pieces, normalized_at, clean_at = doc["text"], [], 0, 0
    for removal in doc["metadata"]["removed"]:
        kept = removal["start"] - normalized_at
        pieces += [text[clean_at : clean_at + kept], removal["text"]]
        clean_at += kept
        normalized_at = removal["end"]
    pieces.append(text[clean_at:])
    return "".join(pieces)
