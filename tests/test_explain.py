"""`corpusclean explain OUT DOC_ID`: a kept document's cuts in place, a drop's reason, a duplicate."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from corpusclean.reporting.views import document_pieces

from report_fixtures import FOOTER, build_output
from test_cli import read_jsonl, run_cli

MARK = re.compile(r"\[-removed: (\S+) (\S+)((?: [^\s=]+=\S+)*)-\](.*?)\[-\]", re.S)


@pytest.fixture(scope="module")
def fixture_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An output directory with repeats, a credit, learned lines, a duplicate, an empty doc and an error."""
    return build_output(tmp_path_factory.mktemp("explain"))


def test_kept_document_shows_each_cut_in_place_with_reason_and_evidence(fixture_out: Path) -> None:
    """001: the five repeated paragraphs, marked as removed with repeat_of, in place in the text."""
    result = run_cli("explain", str(fixture_out), "001_d123fd011bf649b3")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("001_d123fd011bf649b3: kept, 5 cuts (1,283 characters removed)\n")
    found = MARK.findall(result.stdout)
    assert [(reason, rule) for reason, rule, _, _ in found] == [("repeat", "test-repeats")] * 5
    assert all("repeat_of=" in evidence for _, _, evidence, _ in found)
    # Taking the markers out (and keeping what they wrap) gives back the normalized text.
    doc = next(d for d in read_jsonl(fixture_out / "documents.jsonl") if d["id"] == "001_d123fd011bf649b3")
    normalized = "".join(piece.text for piece in document_pieces(doc))
    body = result.stdout.split("\n\n", 1)[1]
    assert MARK.sub(lambda m: m.group(4), body).rstrip("\n") == normalized.rstrip("\n")
    assert "\x1b[" not in result.stdout  # not a terminal: no colour


def test_marker_sits_on_the_removed_line(fixture_out: Path) -> None:
    """A cut at the end of the text took the line break before it; the marker opens on the next line."""
    result = run_cli("explain", str(fixture_out), "wire-bourse")
    assert result.returncode == 0, result.stderr
    assert f"\n[-removed: boilerplate learned-line learned=2/9-]{FOOTER}[-]\n" in result.stdout


def test_colour_when_asked(fixture_out: Path) -> None:
    """`--color always` colours the view with terminal escapes."""
    result = run_cli("explain", str(fixture_out), "003_b176a1c00d8f91ef", "--color", "always")
    assert result.returncode == 0, result.stderr
    assert "\x1b[" in result.stdout and "afp-photo-credit" in result.stdout


def test_dropped_document_says_why(fixture_out: Path) -> None:
    """An empty document: the reason and the evidence."""
    result = run_cli("explain", str(fixture_out), "wire-vide")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "wire-vide: dropped (empty)"
    assert "text at the moment of the decision:" in result.stdout


def test_duplicate_names_the_kept_document_side_by_side(fixture_out: Path) -> None:
    """A dropped duplicate: the kept id, the similarity, both texts in two columns."""
    result = run_cli("explain", str(fixture_out), "wire-openai")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "wire-openai: dropped (duplicate): duplicate of 003_b176a1c00d8f91ef, similarity 0.966"
    header = next(line for line in lines if line.startswith("kept: "))
    assert re.match(r"kept: 003_b176a1c00d8f91ef +\| dropped: wire-openai$", header)
    assert any("a annoncé" in line.split(" | ")[0] and "a fait savoir" in line for line in lines)


def test_html_page_of_one_document(fixture_out: Path, tmp_path: Path) -> None:
    """`--html FILE` writes the same view as a self-contained page with highlighted cuts."""
    page = tmp_path / "doc.html"
    result = run_cli("explain", str(fixture_out), "001_d123fd011bf649b3", "--html", str(page))
    assert result.returncode == 0, result.stderr
    html = page.read_text(encoding="utf-8")
    assert html.count('<mark class="cut r-repeat" data-reason') == 5 and "repeat_of=" in html
    pair = tmp_path / "pair.html"
    assert run_cli("explain", str(fixture_out), "wire-openai", "--html", str(pair)).returncode == 0
    assert "similarity 0.966" in pair.read_text(encoding="utf-8")


def test_unknown_id_is_one_line_error(fixture_out: Path) -> None:
    """An id in no output file: one line naming it, exit 1."""
    result = run_cli("explain", str(fixture_out), "absent-42")
    assert result.returncode == 1
    assert (
        result.stderr
        == f"corpusclean: error: absent-42: no such document in {fixture_out} (kept, dropped or errors)\n"
    )
    missing = run_cli("explain", str(fixture_out / "nowhere"), "absent-42")
    assert missing.returncode == 1
    assert missing.stderr == f"corpusclean: error: {fixture_out / 'nowhere'}: no such output directory\n"


def test_explain_reads_compressed_outputs(tmp_path: Path) -> None:
    """documents.jsonl.gz and dropped.jsonl.gz are streamed the same way."""
    out = build_output(tmp_path, compress=True)
    result = run_cli("explain", str(out), "wire-openai")
    assert result.returncode == 0, result.stderr
    assert "duplicate of 003_b176a1c00d8f91ef" in result.stdout


def test_explain_seed_001_with_the_shipped_detectors(seeds_dir: Path, tmp_path: Path) -> None:
    """On the seeds with the real pipeline: every recorded cut of 001 is shown as a marker, in order."""
    out = tmp_path / "out"
    assert run_cli("clean", str(seeds_dir), "-o", str(out), "-q").returncode == 0
    result = run_cli("explain", str(out), "001_d123fd011bf649b3")
    assert result.returncode == 0, result.stderr
    doc = next(d for d in read_jsonl(out / "documents.jsonl") if d["id"] == "001_d123fd011bf649b3")
    found = MARK.findall(result.stdout)
    cuts = doc["metadata"].get("removed", [])
    assert [(r, rule, text) for r, rule, _, text in found] == [
        (c["reason"], c["rule"], c["text"].strip("\n")) for c in cuts
    ]
