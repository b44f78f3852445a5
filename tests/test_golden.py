"""Golden files: what each seed article must keep, lose and carry in metadata, through the CLI.

Each `tests/golden/<seed>.json` names snippets that must stay in the clean text (each once),
snippets that must be recorded in `metadata.removed` (and gone from the text, unless a first
copy is also kept), and metadata that must be there. `"expect": "xfail"` marks a known failure, run strictly so that a fix is noticed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import ROOT, SEEDS
from test_cli import read_jsonl, run_cli

GOLDEN = sorted((ROOT / "tests" / "golden").glob("*.json"))


@pytest.fixture(scope="module")
def seed_documents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """The seeds cleaned once by the CLI with the default configuration."""
    out = tmp_path_factory.mktemp("golden") / "out"
    result = run_cli("clean", str(SEEDS), "-o", str(out), "-q")
    assert result.returncode == 0, result.stderr
    return {doc["id"]: doc for doc in read_jsonl(out / "documents.jsonl")}


def test_every_seed_has_a_golden_file() -> None:
    """No seed goes unchecked."""
    assert {p.stem for p in GOLDEN} == {p.stem for p in Path(SEEDS).glob("*.txt")}


@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.stem)
def test_seed_matches_its_golden_file(
    path: Path, seed_documents: dict[str, dict], request: pytest.FixtureRequest
) -> None:
    """Kept snippets appear once, removed snippets are gone and recorded, metadata matches."""
    golden = json.loads(path.read_text(encoding="utf-8"))
    if golden["expect"] == "xfail":
        request.applymarker(pytest.mark.xfail(strict=True, reason=golden["label"]))
    doc = seed_documents[golden["seed"]]
    recorded = "\n".join(r["text"] for r in doc["metadata"]["removed"])
    for snippet in golden["kept"]:
        assert doc["text"].count(snippet) == 1, snippet
    for snippet in golden["removed"]:
        # A repeated passage is both kept (its first copy) and removed (the later ones).
        assert doc["text"].count(snippet) == (1 if snippet in golden["kept"] else 0), snippet
        assert snippet in recorded, snippet
    for key, value in golden["metadata"].items():
        assert doc["metadata"].get(key) == value, key
