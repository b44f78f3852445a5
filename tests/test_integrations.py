"""Every way into corpusclean gives the CLI's text: library, datasets, pandas, Arrow, datatrove, Parquet.

The CLI runs once on the seeds; each integration then cleans the same articles and must
produce, document for document, the same text. So a detector added to the pipeline is
picked up by every integration, or a test here says which one missed it.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpusclean import (
    BATCH_COLUMNS,
    BatchCleaner,
    Cleaner,
    Config,
    Document,
    Drop,
    Outcome,
    Reason,
    clean_arrow,
    clean_batch,
    clean_dataframe,
    clean_record_batches,
    read_inputs,
)
from corpusclean.errors import InputError

from conftest import ROOT, SEEDS
from strategies import news_text
from test_cli import read_jsonl, run_cli


@pytest.fixture(scope="module")
def seeds_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("integrations") / "seeds"
    shutil.copytree(SEEDS, target)
    return target


@pytest.fixture(scope="module")
def cli_texts(seeds_copy: Path) -> dict[str, str]:
    """The CLI's kept documents on the seeds, id → cleaned text (the reference)."""
    out = seeds_copy.parent / "cli-out"
    result = run_cli("clean", str(seeds_copy), "-o", str(out), "-q")
    assert result.returncode == 0, result.stderr
    texts = {doc["id"]: doc["text"] for doc in read_jsonl(out / "documents.jsonl")}
    assert len(texts) >= 1
    return texts


def seed_records() -> list[dict[str, str]]:
    """The seeds as records a user would have in a table: id and the raw article text."""
    return [
        {"id": path.stem, "text": path.read_text(encoding="utf-8")} for path in sorted(SEEDS.glob("*.txt"))
    ]


def fitted_cleaner(seeds: Path, config: Config | None = None) -> Cleaner:
    """A Cleaner fitted on the seeds as the CLI fits (a no-op while no detector learns)."""
    return Cleaner(config).fit(d for d in read_inputs([str(seeds)]) if isinstance(d, Document))


def batch_columns(records: list[dict[str, Any]]) -> dict[str, list[Any]]:
    return {key: [record[key] for record in records] for key in records[0]}


# --- the four integrations and Parquet, each against the CLI -----------------------------------


def test_library_streaming_matches_cli(seeds_copy: Path, cli_texts: dict[str, str]) -> None:
    """`read_inputs` → `Cleaner.run` yields, lazily, the documents the CLI writes."""
    cleaner = fitted_cleaner(seeds_copy)
    kept = {
        outcome.doc.id: outcome.doc.text
        for outcome in cleaner.run(read_inputs([str(seeds_copy)]))
        if isinstance(outcome, Outcome) and outcome.kept
    }
    assert kept == cli_texts


def test_datasets_map_matches_cli(seeds_copy: Path, cli_texts: dict[str, str]) -> None:
    """`Dataset.map(BatchCleaner, batched=True)` then `.filter(keep)` gives the CLI's documents."""
    datasets = pytest.importorskip("datasets")
    dataset = datasets.Dataset.from_list(seed_records())
    batch_cleaner = BatchCleaner().fit(dataset.iter(batch_size=2))
    cleaned = dataset.map(batch_cleaner, batched=True, batch_size=2)
    kept = cleaned.filter(lambda row: row["keep"])
    assert dict(zip(kept["id"], kept["text"], strict=True)) == cli_texts
    assert set(BATCH_COLUMNS) <= set(cleaned.column_names)
    assert cleaned.features["keep"].dtype == "bool"
    assert cleaned.features["chars_out"].dtype == "int64"
    dates = dict(zip(cleaned["id"], cleaned["date"], strict=True))
    assert dates["003_b176a1c00d8f91ef"] == "2025-02" and dates["001_d123fd011bf649b3"] == ""


def test_datasets_map_with_clean_batch_and_indices(cli_texts: dict[str, str]) -> None:
    """`clean_batch` with `with_indices=True` names id-less rows by their index; text is the CLI's."""
    datasets = pytest.importorskip("datasets")
    records = seed_records()
    dataset = datasets.Dataset.from_dict({"text": [r["text"] for r in records]})
    cleaned = dataset.map(clean_batch, batched=True, batch_size=3, with_indices=True)
    assert cleaned["id"] == [f"row-{i}" for i in range(len(records))]
    by_position = [cli_texts.get(r["id"]) for r in records]
    kept = [text if keep else None for text, keep in zip(cleaned["text"], cleaned["keep"], strict=True)]
    assert kept == by_position
    in_two = dataset.map(clean_batch, batched=True, batch_size=3, with_indices=True, num_proc=2)
    assert in_two.to_list() == cleaned.to_list(), "stateless: the same rows with num_proc=2"


def test_pandas_dataframe_matches_cli(cli_texts: dict[str, str]) -> None:
    """`clean_dataframe` returns a copy: index and other columns kept, text cleaned as the CLI does."""
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(seed_records(), index=[10, 20, 30, 40, 50])
    frame["url"] = [f"https://example.fr/{i}" for i in range(len(frame))]
    cleaned = clean_dataframe(frame)
    assert list(cleaned.index) == [10, 20, 30, 40, 50]
    assert list(cleaned["url"]) == list(frame["url"])
    assert frame["text"].iloc[0] == seed_records()[0]["text"], "the input frame is not modified"
    kept = cleaned[cleaned["keep"]]
    assert dict(zip(kept["id"], kept["text"], strict=True)) == cli_texts
    assert str(cleaned["keep"].dtype) == "bool" and str(cleaned["chars_in"].dtype) == "int64"
    assert list(cleaned.columns[:3]) == ["id", "text", "url"]


def test_arrow_table_matches_cli(cli_texts: dict[str, str]) -> None:
    """`clean_arrow` keeps the input's columns in place and adds non-null typed output columns."""
    pa = pytest.importorskip("pyarrow")
    table = pa.Table.from_pylist(seed_records())
    cleaned = clean_arrow(table)
    assert cleaned.num_rows == table.num_rows
    assert cleaned.schema.names[:2] == ["id", "text"]
    assert cleaned.schema.field("keep").type == pa.bool_()
    assert cleaned.schema.field("chars_in").type == pa.int64()
    assert all(cleaned.column(name).null_count == 0 for name in BATCH_COLUMNS)
    rows = cleaned.to_pylist()
    assert {r["id"]: r["text"] for r in rows if r["keep"]} == cli_texts
    streamed = pa.concat_tables(clean_record_batches(table.to_batches(max_chunksize=2)))
    assert streamed.column("text").to_pylist() == cleaned.column("text").to_pylist()


def test_datatrove_step_matches_cli(seeds_copy: Path, cli_texts: dict[str, str], tmp_path: Path) -> None:
    """JsonlReader → CorpuscleanStep → JsonlWriter in a real LocalPipelineExecutor gives the CLI's text."""
    pytest.importorskip("datatrove")
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter

    from corpusclean.integrations.datatrove import CorpuscleanStep

    raw = tmp_path / "raw"
    raw.mkdir()
    records = [*seed_records(), {"id": "blank", "text": " \n\u200b\n "}]
    (raw / "articles.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )
    step = CorpuscleanStep(
        cleaner=fitted_cleaner(seeds_copy),
        exclusion_writer=JsonlWriter(str(tmp_path / "dropped"), compression=None),
    )
    executor = LocalPipelineExecutor(
        pipeline=[JsonlReader(str(raw)), step, JsonlWriter(str(tmp_path / "clean"), compression=None)],
        tasks=1,
        logging_dir=str(tmp_path / "logs"),
    )
    executor.run()
    kept = [json.loads(line) for f in sorted((tmp_path / "clean").glob("*.jsonl")) for line in f.open()]
    assert {doc["id"]: doc["text"] for doc in kept} == cli_texts
    assert all("chars_out" in doc["metadata"] and "removed" in doc["metadata"] for doc in kept)
    dropped = [json.loads(line) for f in (tmp_path / "dropped").glob("*.jsonl") for line in f.open()]
    assert [(d["id"], d["metadata"]["filter_reason"]) for d in dropped] == [("blank", "empty")]
    stats = json.loads((tmp_path / "logs" / "stats.json").read_text())
    step_stats = next(s for s in stats if "corpusclean" in s["name"])["stats"]
    assert step_stats["total"] == len(records) and step_stats["dropped_empty"] == 1


def test_parquet_round_trip_matches_cli(seeds_copy: Path, cli_texts: dict[str, str], tmp_path: Path) -> None:
    """`clean data.parquet --format parquet` writes the CLI's texts; reading that output back changes none."""
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    data = tmp_path / "data.parquet"
    pq.write_table(pa.Table.from_pylist(seed_records()), data, row_group_size=2)
    out = tmp_path / "out"
    result = run_cli("clean", str(data), "-o", str(out), "--format", "parquet")
    assert result.returncode == 0, result.stderr
    assert f"wrote {out / 'documents.parquet'}" in result.stderr
    documents = pq.read_table(out / "documents.parquet")
    assert documents.schema.names == ["id", "text", "metadata"]
    rows = documents.to_pylist()
    assert {r["id"]: r["text"] for r in rows} == cli_texts
    metadata = {r["id"]: json.loads(r["metadata"]) for r in rows}
    assert metadata["003_b176a1c00d8f91ef"]["date"] == "2025-02"
    assert metadata["003_b176a1c00d8f91ef"]["row"] == 4
    assert pq.read_schema(out / "dropped.parquet").names == ["id", "reason", "evidence", "text", "metadata"]
    assert not list(out.glob("*.partial"))

    again = tmp_path / "again"
    assert run_cli("clean", str(out / "documents.parquet"), "-o", str(again), "-q").returncode == 0
    back = {d["id"]: d for d in read_jsonl(again / "documents.jsonl")}
    assert {k: v["text"] for k, v in back.items()} == cli_texts
    assert back["003_b176a1c00d8f91ef"]["metadata"]["date"] == "2025-02"


def test_parquet_output_is_byte_identical_across_runs_and_workers(seeds_copy: Path, tmp_path: Path) -> None:
    """Same input, same Parquet bytes, with 1 or 2 workers."""
    pytest.importorskip("pyarrow")
    outputs = []
    for name, workers in (("a", "1"), ("b", "2")):
        out = tmp_path / name
        result = run_cli(
            "clean", str(seeds_copy), "-o", str(out), "--format", "parquet", "--workers", workers
        )
        assert result.returncode == 0, result.stderr
        outputs.append([(out / f).read_bytes() for f in ("documents.parquet", "dropped.parquet")])
    assert outputs[0] == outputs[1]


# --- Parquet input and output at their edges --------------------------------------------------


def test_parquet_rows_without_text_and_corrupt_files_become_errors(tmp_path: Path) -> None:
    """A row without text is an errors.jsonl row naming file and row; a corrupt file too; the run goes on."""
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    data = tmp_path / "in"
    data.mkdir()
    table = pa.table(
        {
            "text": [
                "Le port de Marseille a enregistré une hausse de 12 %.",
                None,
                "Les marchés ont ouvert.",
            ],
            "published": pa.array([1_700_000_000_000, None, 1_700_000_100_000], pa.timestamp("ms")),
            "metadata": [{"source": "lemonde"}, None, {"source": "afp"}],
        }
    )
    pq.write_table(table, data / "feed.parquet")
    (data / "broken.parquet").write_bytes(b"PAR1 this is not really parquet")
    out = tmp_path / "out"
    result = run_cli("clean", str(data), "-o", str(out))
    assert result.returncode == 0, result.stderr
    kept = {d["id"]: d for d in read_jsonl(out / "documents.jsonl")}
    assert set(kept) == {"feed-R1", "feed-R3"}
    assert kept["feed-R1"]["metadata"]["source"] == "lemonde"
    assert kept["feed-R1"]["metadata"]["published"] == "2023-11-14T22:13:20"
    errors = read_jsonl(out / "errors.jsonl")
    assert [(e["path"], e["line"]) for e in errors] == [("broken.parquet", None), ("feed.parquet", 2)]
    assert "not a readable Parquet file" in errors[0]["error"]
    assert errors[1]["error"] == "missing text field 'text'"
    report = json.loads((out / "report.json").read_text())
    assert report["docs_in"] == 4 == report["docs_out"] + report["docs_dropped"] + report["errors"]


def test_dropped_parquet_keeps_reason_and_evidence(seeds_copy: Path, tmp_path: Path) -> None:
    """A too_short drop lands in dropped.parquet with its reason, its evidence as JSON and its text."""
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    out = tmp_path / "out"
    result = run_cli(
        "clean", str(seeds_copy), "-o", str(out), "-q", "--format", "parquet", "--min-chars", "3000"
    )
    assert result.returncode == 0, result.stderr
    dropped = pq.read_table(out / "dropped.parquet")
    assert dropped.schema.field("reason").type == pa.string()
    rows = dropped.to_pylist()
    assert rows and {row["reason"] for row in rows} == {"too_short"}
    for row in rows:
        evidence = json.loads(row["evidence"])
        assert evidence["min_chars"] == 3000 and evidence["chars"] == len(row["text"]) < 3000
        assert json.loads(row["metadata"])["chars_out"] == len(row["text"])
    kept = pq.read_table(out / "documents.parquet").num_rows
    report = json.loads((out / "report.json").read_text())
    assert (report["docs_out"], report["docs_dropped"]) == (kept, len(rows))


def test_explain_and_report_read_parquet_outputs(seeds_copy: Path, tmp_path: Path) -> None:
    """`corpusclean explain` and `corpusclean report` work on a --format parquet output directory."""
    pytest.importorskip("pyarrow")
    out = tmp_path / "out"
    args = ("-o", str(out), "-q", "--format", "parquet", "--min-chars", "3000")
    assert run_cli("clean", str(seeds_copy), *args).returncode == 0
    kept = run_cli("explain", str(out), "001_d123fd011bf649b3", "--color", "never")
    assert kept.returncode == 0, kept.stderr
    assert kept.stdout.startswith("001_d123fd011bf649b3: kept")
    dropped = run_cli("explain", str(out), "004_b008c08daf3b73e9", "--color", "never")
    assert dropped.returncode == 0, dropped.stderr
    assert dropped.stdout.startswith("004_b008c08daf3b73e9: dropped (too_short)")
    assert "min_chars=3000" in dropped.stdout
    (out / "report.html").unlink()
    rebuilt = run_cli("report", str(out))
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "004_b008c08daf3b73e9" in (out / "report.html").read_text(encoding="utf-8")


def test_parquet_format_to_stdout_is_a_usage_error(seeds_copy: Path) -> None:
    """Parquet cannot go to stdout: one line, exit 2."""
    result = run_cli("clean", str(seeds_copy), "-o", "-", "--format", "parquet")
    assert result.returncode == 2
    assert result.stderr.strip() == "corpusclean: error: --format parquet needs an output directory, not -o -"


@pytest.mark.parametrize(
    ("inputs", "extra", "code", "message"),
    [
        (
            "seeds",
            ("--format", "parquet"),
            2,
            "--format parquet needs pyarrow: pip install 'corpusclean[parquet]'",
        ),
        (
            "data.parquet",
            (),
            1,
            "data.parquet: reading Parquet needs pyarrow: pip install 'corpusclean[parquet]'",
        ),
    ],
)
def test_missing_pyarrow_is_one_line_error(
    seeds_copy: Path, tmp_path: Path, inputs: str, extra: tuple[str, ...], code: int, message: str
) -> None:
    """Without the parquet extra, Parquet in or out is one line saying what to install."""
    import subprocess
    import sys

    (tmp_path / "data.parquet").write_bytes(b"PAR1")
    target = str(seeds_copy) if inputs == "seeds" else str(tmp_path / inputs)
    program = (
        "import sys; sys.modules['pyarrow'] = None; from corpusclean.cli import main; "
        f"sys.exit(main(['clean', {target!r}, '-o', {str(tmp_path / 'out')!r}, *{list(extra)!r}]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, cwd=ROOT, timeout=600
    )
    assert result.returncode == code
    expected = message if inputs == "seeds" else f"{tmp_path / 'data.parquet'}: " + message.split(": ", 1)[1]
    assert result.stderr.strip() == f"corpusclean: error: {expected}"


# --- batch semantics ----------------------------------------------------------------------------


class ExactDuplicates:
    """A stand-in corpus stage: drops a document whose cleaned text was seen before."""

    def __init__(self) -> None:
        self.seen: dict[str, str] = {}

    def decide(self, outcome: Outcome) -> Drop | None:
        first = self.seen.setdefault(outcome.doc.text, outcome.doc.id)
        if first != outcome.doc.id:
            return Drop(Reason.DUPLICATE, {"duplicate_of": first})
        return None


ARTICLE = "Le sommet sur l’intelligence artificielle s’est ouvert lundi au Grand Palais."


def test_batch_cleaner_deduplicates_across_calls_but_clean_batch_does_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A BatchCleaner keeps corpus state across batches; clean_batch starts afresh on every call."""
    monkeypatch.setattr("corpusclean.batch.build_corpus_stages", lambda config: [ExactDuplicates()])
    first = {"id": ["a", "b"], "text": [ARTICLE, "Les marchés ont ouvert en hausse."]}
    second = {"id": ["c"], "text": [ARTICLE]}

    streaming = BatchCleaner()
    streaming.cleaner.corpus_stages = [ExactDuplicates()]
    assert streaming(first)["keep"] == [True, True]
    again = streaming(second)
    assert again["keep"] == [False] and again["drop_reason"] == ["duplicate"]
    assert json.loads(again["drop_evidence_json"][0]) == {"duplicate_of": "a"}

    assert clean_batch(first)["keep"] == [True, True]
    assert clean_batch(second)["keep"] == [True]
    inside = clean_batch({"id": ["x", "y"], "text": [ARTICLE, ARTICLE]})
    assert inside["keep"] == [True, False]


def test_unusable_rows_stay_in_the_batch_as_errors() -> None:
    """Rows in = rows out: a row without text is dropped with reason error, never skipped."""
    out = clean_batch({"id": ["ok", "none", ""], "text": [ARTICLE, None, 42], "url": ["u", "v", "w"]})
    assert out["id"] == ["ok", "none", "row-2"]
    assert out["keep"] == [True, False, False]
    assert out["drop_reason"] == ["", "error", "error"]
    assert json.loads(out["drop_evidence_json"][2]) == {
        "error": "text field 'text' is a number, not a string"
    }
    metadata = json.loads(out["metadata_json"][0])
    assert not {"url", "id", "text"} & set(metadata), "input columns are not repeated in metadata_json"
    assert not {"chars_in", "chars_out", "removed", "date", "source", "lang"} & set(metadata)


def test_batch_without_the_text_column_is_an_error() -> None:
    """A batch that has no text column at all is a clear error naming the columns it has."""
    with pytest.raises(InputError, match=r"batch has no text column 'text' \(columns: body, id\)"):
        clean_batch({"body": [ARTICLE], "id": ["a"]})


def test_configured_text_field_is_cleaned_in_place(tmp_path: Path) -> None:
    """With `[input] text_field = "body"`, the body column is replaced and no text column appears."""
    config = Config().replace("input", text_field="body", id_field="uid")
    out = clean_batch({"uid": ["d-1"], "body": [" date 2024-06 " + ARTICLE + "  "]}, config=config)
    assert "text" not in out
    assert out["body"] == [ARTICLE] and out["id"] == ["d-1"] and out["date"] == ["2024-06"]


def test_batch_cleaner_fit_sees_every_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    """`BatchCleaner.fit` hands every row of every batch to the Cleaner's fit pass, as Documents."""
    seen: list[str] = []

    def fit(self: Cleaner, documents: Iterator[Document]) -> Cleaner:
        seen.extend(doc.id for doc in documents)
        return self

    monkeypatch.setattr(Cleaner, "fit", fit)
    batches = [{"id": ["a", "b"], "text": [ARTICLE, ARTICLE]}, {"id": ["c"], "text": [ARTICLE]}]
    batch_cleaner = BatchCleaner().fit(batches)
    assert seen == ["a", "b", "c"]
    assert batch_cleaner({"text": [ARTICLE]})["id"] == ["row-0"], "fit does not advance the row count"


@settings(max_examples=25)
@given(texts=st.lists(news_text(), min_size=1, max_size=6))
def test_clean_batch_is_the_per_document_kernel(texts: list[str]) -> None:
    """Every row of clean_batch is Cleaner.process on that text; columns are complete and never null.

    De-duplication is off: copies within a batch are dropped by design, which
    `Cleaner.process` alone does not do (the dedup tests cover that part).
    """
    config = Config().replace("dedup", enabled=False)
    out = clean_batch({"text": texts}, config=config)
    assert set(out) == set(BATCH_COLUMNS)
    assert all(len(column) == len(texts) for column in out.values())
    assert all(value is not None for column in out.values() for value in column)
    cleaner = Cleaner(config)
    for position, text in enumerate(texts):
        outcome = cleaner.process(Document(f"row-{position}", text))
        assert out["text"][position] == outcome.doc.text
        assert out["keep"][position] == outcome.kept
        assert out["chars_out"][position] == len(outcome.doc.text)


# --- the docs' examples run ---------------------------------------------------------------------

DOC_PAGES = sorted((Path(__file__).resolve().parent.parent / "docs" / "integrations").glob("*.md"))


def python_blocks(page: Path) -> list[str]:
    blocks, current, inside = [], [], False
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.strip() == "```python":
            inside, current = True, []
        elif line.strip() == "```" and inside:
            inside = False
            blocks.append("\n".join(current))
        elif inside:
            current.append(line)
    return blocks


def test_every_integration_has_a_docs_page() -> None:
    """One page per integration, each with at least one runnable example."""
    names = {page.stem for page in DOC_PAGES}
    assert names == {"library", "datasets", "pandas-arrow", "parquet", "datatrove"}
    assert all(python_blocks(page) for page in DOC_PAGES)


@pytest.mark.parametrize("page", DOC_PAGES, ids=lambda page: page.stem)
def test_docs_examples_run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every ```python block of the page runs, in order, in one namespace, in an empty folder."""
    for module in {"datasets": "datasets", "pandas-arrow": "pandas", "datatrove": "datatrove"}.get(
        page.stem, ""
    ).split():
        pytest.importorskip(module)
    if page.stem in ("parquet", "pandas-arrow"):
        pytest.importorskip("pyarrow")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {"__name__": "__docs__"}
    for number, block in enumerate(python_blocks(page), 1):
        code = compile(block, f"{page.name}#block{number}", "exec")
        exec(code, namespace)
