"""The benchmark harness runs end to end on a tiny corpus, so it cannot rot (no timings asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.corpus import pair_scores, planted_news  # noqa: E402

# One of each kind, a peer that may be missing (skipped and said so), the full pipeline by CLI.
SMOKE = [
    "corpusclean full (1 worker)",
    "corpusclean full dask (2 workers)",
    "corpusclean dedup-only",
    "datasketch batch",
    "rensa",
    "ftfy.fix_text typography kept",
    "corpusclean line classifier",
]


def test_harness_runs_every_kind_of_contender_and_scores_pairs(tmp_path: Path) -> None:
    """`benchmarks/run.py` writes the corpus once, runs each contender and reports its figures."""
    out = tmp_path / "result.json"
    command = [sys.executable, "benchmarks/run.py", "--docs", "50", "--stage-docs", "10"]
    command += ["--data", str(tmp_path / "data"), "--out", str(out), "--only", ",".join(SMOKE)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(out.read_text(encoding="utf-8"))
    assert set(result["rows"]) | set(result["skipped"]) == set(SMOKE)
    assert {"corpusclean full (1 worker)", "corpusclean dedup-only"} <= set(result["rows"])
    assert result["corpus"]["docs"] == 50 and result["corpus"]["planted_copies"] > 0
    for name, row in result["rows"].items():
        assert row["docs_per_s"] > 0 and row["docs_per_cpu_s"] > 0 and row["peak_rss_mb"] > 0, name
    dedup = result["rows"]["corpusclean dedup-only"]
    assert dedup["recall"] > 0.5 and dedup["precision"] > 0.5
    assert "| corpusclean dedup-only | 50 |" in done.stdout
    assert len(list((tmp_path / "data").glob("*/corpus-*.jsonl"))) == 2


def test_planted_news_is_seeded_and_news_sized() -> None:
    """The same seed gives the same corpus; articles are about 4 KB; copies follow their original."""
    records, stories = planted_news(60, seed=7)
    assert (records, stories) == planted_news(60, seed=7)
    sizes = [len(r["text"].encode("utf-8")) for r in records]
    assert 3000 < sum(sizes) / len(sizes) < 5000
    first_seen: dict[int, str] = {}
    for record, story in zip(records, stories, strict=True):
        first_seen.setdefault(story, record["id"])
    assert all(doc_id.endswith("-v0") for doc_id in first_seen.values())


@given(st.lists(st.integers(0, 5), min_size=2, max_size=30))
def test_pair_scores_are_one_against_the_truth_itself(stories: list[int]) -> None:
    """Predicting the ground truth scores 1; predicting no duplicates at all recalls nothing."""
    assert pair_scores(stories, stories) == (1.0, 1.0, 1.0)
    alone = list(range(100, 100 + len(stories)))
    if len(set(stories)) < len(stories):
        assert pair_scores(alone, stories)[1] == 0.0


def test_unknown_contender_is_a_usage_error(tmp_path: Path) -> None:
    """A misspelt --only name stops before any corpus is generated, naming the name."""
    command = [sys.executable, "benchmarks/run.py", "--only", "rensa,dataskech", "--data", str(tmp_path)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "unknown contender(s): dataskech" in done.stderr
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("module", ["benchmarks.run", "benchmarks.contenders", "benchmarks.bench_dedup"])
def test_benchmark_scripts_answer_help(module: str) -> None:
    """Every entry point parses its options (cheap check that imports still resolve)."""
    done = subprocess.run([sys.executable, "-m", module, "--help"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "usage:" in done.stdout
