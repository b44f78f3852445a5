"""report.html: written by every run, self-contained, deterministic, bounded, rebuilt on demand."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import escape

from corpusclean import Document, Reason, Span, sweep
from corpusclean.reporting import ReportCollector, render_report
from corpusclean.reporting.collect import DUPLICATE_SAMPLE, MOST_EDITED
from corpusclean.reporting.plots import NOTHING
from corpusclean.reporting.views import document_pieces

from report_fixtures import FOOTER, build_output
from strategies import news_text
from test_cli import read_jsonl, run_cli

PLOTS = (
    "chars-removed-by-reason",
    "docs-dropped-by-reason",
    "cluster-sizes",
    "languages",
    "length-before-after",
    "top-rules",
    "top-learned-lines",
)


@pytest.fixture(scope="module")
def fixture_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An output directory with repeats, a credit, learned lines, a duplicate, an empty doc and an error."""
    return build_output(tmp_path_factory.mktemp("report"))


def marks(html: str) -> list[tuple[str, str, str]]:
    """Every highlighted cut as (reason, title, text)."""
    pattern = r'<mark class="cut r-([a-z_]+)" data-reason="[a-z_]+" title="([^"]*)">(.*?)</mark>'
    return re.findall(pattern, html, flags=re.S)


def assert_every_cut_highlighted(html: str, documents: list[dict]) -> None:
    """Each cut of each document shown is in the page, in place, with its reason and rule."""
    shown = marks(html)
    for doc in documents:
        for cut in doc["metadata"].get("removed", []):
            expected = (cut["reason"], str(escape(cut["text"])))
            assert any((r, t) == expected and cut["rule"] in title for r, title, t in shown), (doc["id"], cut)


def test_seeds_report_is_self_contained_and_highlights_every_cut(seeds_dir: Path, tmp_path: Path) -> None:
    """On the seeds, with whatever detectors exist: every cut of every kept document is highlighted."""
    out = tmp_path / "out"
    result = run_cli("clean", str(seeds_dir), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert f"report: {out / 'report.html'}" in result.stderr
    html = (out / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", html), "the page must not fetch anything"
    assert "<script" not in html and "@import" not in html
    for name in PLOTS:
        assert f'aria-label="{name}"' in html
    docs = read_jsonl(out / "documents.jsonl")
    edited = sorted(docs, key=lambda d: -sum(len(c["text"]) for c in d["metadata"].get("removed", [])))
    assert_every_cut_highlighted(html, edited[:MOST_EDITED])
    report = json.loads((out / "report.json").read_text())
    assert f"{report['docs_in']} in = {report['docs_out']} kept" in html


def test_report_shows_cuts_duplicates_learned_lines_and_totals(fixture_out: Path) -> None:
    """The fixture run's page: repeats with repeat_of, the credit, the learned footer, the duplicate pair."""
    html = (fixture_out / "report.html").read_text(encoding="utf-8")
    docs = read_jsonl(fixture_out / "documents.jsonl")
    assert_every_cut_highlighted(html, docs)
    repeats = [m for m in marks(html) if m[0] == "repeat"]
    assert len(repeats) == 5 and all("repeat_of=" in title for _, title, _ in repeats)
    assert any(r == "credit" and "( AFP / SEBASTIEN BOZON )" in t for r, _, t in marks(html))
    assert str(escape(FOOTER)) in html and "learned=2/" in html
    assert "10 in = 7 kept + 2 dropped (1 duplicate, 1 empty) + 1 errors" in html
    pair = html[html.index('class="doc-view pair-view"') :]
    assert "wire-openai" in pair and "003_b176a1c00d8f91ef" in pair and "similarity 0.966" in pair
    assert '<mark class="shared"' in pair
    # Plots that have data draw it; none of them says "nothing to show".
    assert html.count(NOTHING) == 0


def test_report_is_deterministic_and_rebuilt_identically(fixture_out: Path, tmp_path: Path) -> None:
    """`corpusclean report OUT` rebuilds the same bytes the run wrote; `-o` writes elsewhere."""
    written = (fixture_out / "report.html").read_bytes()
    result = run_cli("report", str(fixture_out), "-o", str(tmp_path / "again.html"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "again.html").read_bytes() == written
    assert build_output(tmp_path / "second").joinpath("report.html").read_bytes() != b""
    second = (tmp_path / "second" / "out" / "report.html").read_text(encoding="utf-8")
    # The only differences between two runs are the input paths and the timings.
    strip = re.compile(r"(/[^<\s]*/in\b)|(\d+\.\d\d s)")
    assert strip.sub("", second) == strip.sub("", written.decode())


def test_report_of_compressed_outputs(tmp_path: Path) -> None:
    """Gzip outputs are read back the same way (duplicates' kept documents included)."""
    out = build_output(tmp_path, compress=True)
    assert (out / "documents.jsonl.gz").exists()
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "wire-openai" in html and "(kept document not in this output)" not in html


def test_empty_run_draws_empty_plots(tmp_path: Path) -> None:
    """A run with nothing kept still writes a page; every plot says there is nothing to show."""
    data = tmp_path / "in"
    data.mkdir()
    (data / "vide.txt").write_text("  \n", encoding="utf-8")
    out = tmp_path / "out"
    assert run_cli("clean", str(data), "-o", str(out), "-q").returncode == 0
    html = (out / "report.html").read_text(encoding="utf-8")
    figures = dict(
        re.findall(r'<figure class="plot"><svg role="img" aria-label="([^"]+)"(.*?)</figure>', html, re.S)
    )
    empty = {name for name, svg in figures.items() if NOTHING in svg}
    # The dropped empty document still counts by reason, by language and by input length.
    assert empty == {"chars-removed-by-reason", "cluster-sizes", "top-rules", "top-learned-lines"}
    assert "Nothing was cut from any kept document." in html


def test_report_on_a_directory_that_is_not_an_output_is_one_line_error(tmp_path: Path) -> None:
    """`corpusclean report` on a folder without documents.jsonl: one line, exit 1."""
    result = run_cli("report", str(tmp_path))
    assert result.returncode == 1
    assert (
        result.stderr
        == f"corpusclean: error: {tmp_path}: not a corpusclean output directory (no documents.jsonl)\n"
    )


def test_collector_and_page_stay_bounded() -> None:
    """Thousands of heavily edited long documents and duplicates: samples stay fixed, page stays < 5 MB."""
    collector = ReportCollector()
    paragraph = (
        "Le sommet de Paris sur l’intelligence artificielle s’est achevé mardi au Grand Palais. " * 200
    )
    for index in range(3000):
        text = f"{paragraph}\n{paragraph}"
        result = sweep(text, [Span(0, len(paragraph) + 1, Reason.REPEAT, "repeats", {"repeat_of": [0, 1]})])
        meta = {
            "source": f"site-{index % 7}",
            "chars_in": len(text),
            "removed": [r.to_dict() for r in result.removed],
        }
        collector.add_kept(Document(f"doc-{index}", result.text, meta).to_dict())
        collector.add_dropped(
            {
                "id": f"dup-{index}",
                "reason": "duplicate",
                "duplicate_of": f"doc-{index}",
                "cluster": f"doc-{index}",
                "similarity": 0.9,
                "text": result.text,
                "metadata": {"chars_in": len(text)},
            }
        )
    assert len(collector.most_edited()) == MOST_EDITED and len(collector.duplicate_sample) == DUPLICATE_SAMPLE
    html = render_report(None, collector)
    assert len(html.encode()) < 5_000_000
    assert "more characters not shown" in html


@given(text=news_text(), cuts=st.lists(st.tuples(st.integers(0, 400), st.integers(0, 400)), max_size=6))
def test_document_view_puts_every_cut_back_in_place(text: str, cuts: list[tuple[int, int]]) -> None:
    """The pieces of a kept document rebuild its normalized text; removed pieces are exactly the cuts."""
    spans = [
        Span(min(a, b), max(a, b), Reason.BOILERPLATE, "rule") for a, b in cuts if max(a, b) <= len(text)
    ]
    result = sweep(text, spans)
    record = {"id": "d", "text": result.text, "metadata": {"removed": [r.to_dict() for r in result.removed]}}
    pieces = document_pieces(record)
    assert "".join(p.text for p in pieces) == text
    assert [p.text for p in pieces if p.removal is not None] == [r.text for r in result.removed]


def _fields(collector: ReportCollector) -> dict:
    """What the page is drawn from (record numbering aside)."""
    found = {k: v for k, v in vars(collector).items() if k not in ("_seen", "_edited")}
    found["most_edited"] = collector.most_edited()
    return found


@given(cuts=st.lists(st.integers(min_value=0, max_value=10), max_size=4))
def test_collectors_of_partitions_merge_into_the_whole_run(fixture_out: Path, cuts: list[int]) -> None:
    """Feeding partitions to their own collectors, then merging in order, equals feeding one collector.

    This is how the Dask engine builds report.html: one collector per partition, on the workers.
    """
    records = [("kept", r) for r in read_jsonl(fixture_out / "documents.jsonl")]
    records += [("dropped", r) for r in read_jsonl(fixture_out / "dropped.jsonl")]
    records += [("error", r) for r in read_jsonl(fixture_out / "errors.jsonl")]
    whole = ReportCollector()
    bounds = [0, *sorted(cuts), len(records)]
    merged = ReportCollector()
    for number, (start, end) in enumerate(itertools.pairwise(bounds)):
        part = ReportCollector().start_at(number << 40)
        for kind, record in records[start:end]:
            for collector in (whole, part):
                getattr(collector, f"add_{kind}")(record)
        merged.merge(part)
    assert _fields(merged) == _fields(whole)
    assert merged.docs_in == len(records) == 10
