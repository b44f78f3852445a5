"""The Dask engine gives the local run's results: same kept ids, texts and duplicate decisions.

Clusters run on loopback (127.0.0.1), two single-threaded worker processes, no dashboard.
"""

from __future__ import annotations

import json
import logging
import os
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

import cloudpickle  # noqa: E402  (a dependency of distributed)
import pandas as pd  # noqa: E402
from distributed import Client, LocalCluster, WorkerPlugin  # noqa: E402

import corpusclean.dask as cdask  # noqa: E402
from corpusclean import runner  # noqa: E402
from corpusclean.config import Config  # noqa: E402
from corpusclean.dedup import _UnionFind  # noqa: E402
from corpusclean.index import open_index  # noqa: E402
from corpusclean.reporting import rebuild_report  # noqa: E402
from corpusclean.reporting.outputs import iter_records, output_file  # noqa: E402

from strategies import planted_corpus  # noqa: E402
from test_cli import run_cli  # noqa: E402

# The generated corpus has no quality problems worth the time of the quality signals, repeat
# finder and line classifier; learned boilerplate, language and dedup stay on.
LIGHT = (
    Config()
    .replace("quality", filter=False, signals=False)
    .replace("repeats", enabled=False)
    .replace("classifier", enabled=False)
)

# Pickled by value, so worker processes need not import the test module.
cloudpickle.register_pickle_by_value(sys.modules[__name__])


def _cluster(**extra: Any) -> LocalCluster:
    return LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",  # the status pages, on loopback and a free port
        scheduler_port=0,
        silence_logs=50,
        **extra,
    )


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    """One loopback cluster for the module's library tests."""
    with _cluster() as cluster, Client(cluster) as connected:
        yield connected


def read_outputs(out: Path, kind: str) -> list[dict[str, Any]]:
    """Records of `kind` from a local run's file or a Dask run's partition files, in order."""
    return list(iter_records(output_file(out, kind)))


def write_planted(directory: Path, stories: int, seed: int, per_file: int = 200) -> Path:
    """The planted-duplicate corpus as JSONL files of `per_file` records (several partitions)."""
    records, _ = planted_corpus(seed=seed, stories=stories, copies=2)
    directory.mkdir(parents=True)
    for start in range(0, len(records), per_file):
        with (directory / f"dump-{start // per_file:03d}.jsonl").open("w", encoding="utf-8") as handle:
            for record in records[start : start + per_file]:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return directory


def assert_same_as_local(inputs: list[str], config: Config, tmp_path: Path, out: Path) -> dict[str, Any]:
    """The Dask outputs in `out` equal a local run's, record for record and in the same order."""
    local = tmp_path / "local"
    runner.run(inputs, local, config)
    for kind in ("documents", "dropped", "errors"):
        assert read_outputs(out, kind) == read_outputs(local, kind), kind
    report = json.loads((out / "report.json").read_text())
    expected = json.loads((local / "report.json").read_text())
    for key in ("docs_in", "docs_out", "dropped_by_reason", "errors", "chars_out", "spans_removed_by_rule"):
        assert report[key] == expected[key], key
    expected["dedup"].pop("state_bytes")
    assert report["dedup"] == expected["dedup"]
    assert (
        report["balanced"]
        and report["docs_in"] == report["docs_out"] + report["docs_dropped"] + report["errors"]
    )
    return report


def test_cli_engine_dask_on_the_seeds_equals_the_local_run(seeds_dir: Path, tmp_path: Path) -> None:
    """`corpusclean clean --engine dask` starts a loopback cluster and writes what the local run writes."""
    (seeds_dir / "broken.jsonl").write_text('{"id": "x", "text": "Un texte"}\nnot json\n', encoding="utf-8")
    # The same id in two files, so in two partitions: the second is renamed x#2, as locally.
    (seeds_dir / "more.jsonl").write_text('{"id": "x", "text": "Un autre texte"}\n', encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli(
        "clean", str(seeds_dir), "-o", str(out), "--engine", "dask", "--workers", "2",
        "--engine-partition-mb", "0.002", "--engine-memory-limit", "1.5GB", "-q",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert len(list(out.glob("documents-*.jsonl"))) > 1  # one file per partition, written by the workers
    report = assert_same_as_local([str(seeds_dir)], Config(), tmp_path, out)
    assert report["engine"] == "dask" and report["errors"] == 1 and report["ids_renamed"] == 1
    kept = {d["id"] for d in read_outputs(out, "documents")}
    assert {path.stem for path in seeds_dir.glob("*.txt")} <= kept  # 001, 003, 004: one event, three articles
    # explain and report read the partition files as they read a local run's files.
    explained = run_cli("explain", str(out), "001_d123fd011bf649b3", "--color", "never")
    assert explained.returncode == 0, explained.stderr
    assert "[-removed: repeat repeats" in explained.stdout
    # The run wrote report.html from the workers' statistics; rebuilt from the files, it is the same page.
    written = (out / "report.html").read_text(encoding="utf-8")
    assert "001_d123fd011bf649b3" in written
    rebuilt = run_cli("report", str(out), "-o", str(tmp_path / "rebuilt.html"))
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert (tmp_path / "rebuilt.html").read_text(encoding="utf-8") == written


@pytest.mark.parametrize(("keep", "stories"), [("first", 800), ("longest", 60), ("none", 60)])
def test_planted_corpus_equals_the_local_run(client: Client, tmp_path: Path, keep: str, stories: int) -> None:
    """Thousands of documents with planted copies: the same clusters, representatives and ledger."""
    data = write_planted(tmp_path / "dump", stories, seed=12, per_file=stories // 4)
    config = LIGHT.replace("dedup", keep=keep).replace("engine", partition_mb=0.1)
    out = tmp_path / "out"
    result = cdask.clean([str(data)], config)
    assert result.outcomes.npartitions >= 4
    result.write(out, [str(data)])
    report = assert_same_as_local([str(data)], config, tmp_path, out)
    assert report["dropped_by_reason"].get("duplicate", 0) > stories // 3
    assert report["dedup"]["clusters"] > stories // 4
    # Statistics merged from the partitions draw the page that reading the files in order draws.
    rebuilt = rebuild_report(out, tmp_path / "rebuilt.html")
    assert rebuilt.read_text(encoding="utf-8") == (out / "report.html").read_text(encoding="utf-8")


def test_a_large_jsonl_file_is_read_in_slices_as_the_local_run_reads_it(
    client: Client, tmp_path: Path
) -> None:
    """One dump file bigger than a partition: cut into byte slices, same records, line numbers and ids."""
    records, _ = planted_corpus(seed=8, stories=50, copies=2)
    lines = []
    for number, record in enumerate(records):
        if number % 7 == 0:
            record = {"text": record["text"]}  # no id: named by its line number, which slices must know
        lines.append(json.dumps(record, ensure_ascii=False))
        if number % 11 == 0:
            lines.append("")
        if number % 13 == 0:
            lines.append('{"id": "coupé", "text": "Le Conseil constitutionnel a val')  # a cut record
    path = tmp_path / "dump.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = LIGHT.replace("engine", partition_mb=0.03)
    result = cdask.clean([str(path)], config)
    assert result.outcomes.npartitions >= path.stat().st_size // 30_000
    out = tmp_path / "out"
    result.write(out, [str(path)])
    report = assert_same_as_local([str(path)], config, tmp_path, out)
    assert report["errors"] == len(records[::13]) and report["dropped_by_reason"]["duplicate"] > 10


def test_persisted_partitions_weigh_what_they_hold() -> None:
    """Workers spill by Dask's `sizeof`: a partition of outcomes weighs at least its texts and features."""
    from dask.sizeof import sizeof

    from corpusclean import Cleaner, Document

    records, _ = planted_corpus(seed=4, stories=150, copies=2)
    cleaner = Cleaner(LIGHT)
    outcomes = [cleaner.process(Document(r["id"], r["text"])) for r in records]
    frame = cdask._outcome_frame(list(range(len(outcomes))), ["kept"] * len(outcomes), outcomes)
    held = sum(
        sys.getsizeof(o.doc.text) + o.features["dedup"].signature.nbytes + o.features["dedup"].shingles.nbytes
        for o in outcomes
    )
    assert held <= sizeof(frame) <= 4 * held


def test_feature_rows_are_packed_bytes_of_each_kept_documents_features() -> None:
    """The verification join ships bytes (pickled and sized at memory speed), not feature objects;
    unpacked, they are the document's features but for the band keys."""
    from dask.sizeof import sizeof

    from corpusclean import Cleaner, Document
    from corpusclean.dedup import DedupFeatures, DedupStage

    records, _ = planted_corpus(seed=4, stories=60, copies=2)
    cleaner = Cleaner(LIGHT)
    outcomes = [cleaner.process(Document(r["id"], r["text"])) for r in records]
    kinds = ["kept" if o.kept else "dropped" for o in outcomes]
    frame = cdask._outcome_frame(list(range(len(outcomes))), kinds, outcomes)
    stage = next(s for s in cleaner.corpus_stages if isinstance(s, DedupStage))
    rows = cdask._feature_rows(frame, stage)
    kept = [seq for seq, o in enumerate(outcomes) if o.kept and "dedup" in o.features]
    assert rows.index.tolist() == kept and len(kept) > 100
    for seq, blob in rows.features.items():
        assert isinstance(blob, bytes)
        original = outcomes[seq].features["dedup"]
        back = DedupFeatures.unpacked(blob)
        assert (back.exact, back.chars, back.words) == (original.exact, original.chars, original.words)
        assert (back.signature == original.signature).all() and (back.shingles == original.shingles).all()
    # Dask sizes object columns from a sample of 100 values: close, not exact, on a small frame.
    assert sizeof(rows) >= 0.5 * sum(map(len, rows.features))


def test_library_frames_are_lazy_dask_dataframes(client: Client) -> None:
    """`clean(frame)` takes a Dask or pandas DataFrame and returns Dask DataFrames users compute."""
    import dask.dataframe as dd

    records, _ = planted_corpus(seed=3, stories=40, copies=2)
    frame = dd.from_pandas(pd.DataFrame(records), npartitions=3)
    result = cdask.clean(frame, LIGHT)
    documents, dropped, errors = result.documents.compute(), result.dropped.compute(), result.errors.compute()
    assert len(documents) + len(dropped) + len(errors) == len(records)
    assert set(dropped.reason) == {"duplicate"}
    assert all(json.loads(e)["duplicate_of"] in set(documents.id) for e in dropped.evidence)
    assert result.report()["docs_in"] == len(records)


class _KillOnce(WorkerPlugin):
    """Kill the worker process that starts the first task whose key names `prefix` (once per run)."""

    def __init__(self, marker: str, prefix: str) -> None:
        self.marker = marker
        self.prefix = prefix

    def transition(self, key: Any, start: str, finish: str, **kwargs: Any) -> None:
        if finish == "executing" and self.prefix in str(key) and not os.path.exists(self.marker):
            Path(self.marker).touch()
            os._exit(1)  # as a crash or an OOM kill would: no clean-up, the nanny starts a new worker


def test_a_worker_killed_mid_run_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    """Dask recomputes what the dead worker held: outputs equal the local run's."""
    data = write_planted(tmp_path / "dump", 60, seed=5, per_file=24)
    config = LIGHT.replace("engine", partition_mb=0.1)
    marker = tmp_path / "killed"
    out = tmp_path / "out"
    with _cluster() as cluster, Client(cluster) as connected:
        # During clustering the cleaned partitions are held (persisted) by the workers: killing
        # one loses some of them, which must be recomputed from the graph.
        connected.register_plugin(_KillOnce(str(marker), "cluster_components"))
        cdask.clean([str(data)], config).write(out, [str(data)])
    assert marker.exists()
    assert_same_as_local([str(data)], config, tmp_path, out)


def test_connected_components_equal_union_find_even_on_long_chains(client: Client) -> None:
    """Large-star/small-star labels every vertex with its component's smallest vertex."""
    import dask.dataframe as dd

    rng = random.Random(2026)
    edges = [(i, i + 1) for i in range(0, 300)]  # a path: the worst case for label propagation
    pairs = ((rng.randrange(400, 2000), rng.randrange(400, 2000)) for _ in range(900))
    edges += [(a, b) for a, b in pairs if a != b]  # dedup edges join two documents, never one to itself
    union = _UnionFind()
    for _ in range(2000):
        union.add()
    for a, b in edges:
        union.union(a, b)
    frame = dd.from_pandas(
        pd.DataFrame(edges, columns=["a", "b"]).sample(frac=1, random_state=1), npartitions=4
    )
    labels = cdask.connected_components(frame, 4).compute()
    got = dict(zip(labels.v.tolist(), labels.label.tolist(), strict=True))
    vertices = {v for edge in edges for v in edge}
    assert len(labels) == len(vertices)
    assert got == {v: union.find(v) for v in vertices}  # union by smaller root: the root is the minimum


def test_a_worker_restarted_at_its_memory_limit_is_reported(capsys: pytest.CaptureFixture[str]) -> None:
    """Dask's warnings are silenced on the local cluster, except the nanny's memory restart."""
    message = "Worker tcp://127.0.0.1:40001 (pid=4242) exceeded 95% memory budget. Restarting..."
    with cdask.dask_client(Config().replace("run", workers=1)):
        logging.getLogger("distributed.worker").warning("Unmanaged memory use is high.")
        logging.getLogger("distributed.nanny.memory").warning(message)
    logging.getLogger("distributed.nanny.memory").warning("after the run: not ours to show")
    err = capsys.readouterr().err
    assert f"corpusclean: dask: {message}\n" in err
    assert "Unmanaged memory" not in err and "not ours" not in err


def test_a_bad_memory_limit_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("clean", "seeds", "-o", str(tmp_path / "out"), "--engine-memory-limit", "beaucoup")
    assert (result.returncode, result.stderr) == (
        2,
        "corpusclean: error: engine memory_limit must be auto or a size such as 4GB, not 'beaucoup'\n",
    )


def test_scheduler_needs_the_dask_engine(tmp_path: Path) -> None:
    """A scheduler address without --engine dask is a usage error, named in one line."""
    result = run_cli("clean", "seeds", "-o", str(tmp_path / "out"), "--scheduler", "tcp://127.0.0.1:8786")
    assert result.returncode == 2
    assert result.stderr == "corpusclean: error: --scheduler needs --engine dask\n"


def test_an_sqlite_index_is_refused_on_the_dask_engine_with_the_way_out(tmp_path: Path) -> None:
    """The cluster reads a Parquet index; an SQLite one gets the command that converts it, before any work."""
    index = tmp_path / "corpus.idx"
    assert (
        run_cli("clean", "seeds", "-o", str(tmp_path / "local"), "--index", str(index), "-q").returncode == 0
    )
    result = run_cli("clean", "seeds", "-o", str(tmp_path / "out"), "--engine", "dask", "--index", str(index))
    assert (result.returncode, result.stderr) == (
        2,
        f"corpusclean: error: {index}: --engine dask reads a Parquet index (a directory), not an SQLite "
        f"file; convert it first: corpusclean index convert {index} {tmp_path}/corpus-index/\n",
    )
    assert not (tmp_path / "out").exists()


def test_dedup_against_earlier_runs_equals_the_local_run(client: Client, tmp_path: Path) -> None:
    """Two dumps in turn against an index: Parquet on Dask decides as SQLite does locally, run after run."""
    data = write_planted(tmp_path / "all", 240, seed=21, per_file=60)
    files = sorted(str(f) for f in data.iterdir())
    dumps = [files[:3], files[3:]]  # later dumps republish stories of earlier ones
    sqlite_index, parquet_index = tmp_path / "corpus.idx", tmp_path / "corpus-index"
    for number, dump in enumerate(dumps):
        local, out = tmp_path / f"local-{number}", tmp_path / f"dask-{number}"
        runner.run(dump, local, LIGHT.replace("dedup", index=str(sqlite_index)))
        config = LIGHT.replace("dedup", index=str(parquet_index)).replace("engine", partition_mb=0.05)
        result = cdask.clean(dump, config)
        assert result.outcomes.npartitions >= 3
        result.write(out, dump)
        for kind in ("documents", "dropped", "errors"):
            assert read_outputs(out, kind) == read_outputs(local, kind), (number, kind)
        report = json.loads((out / "report.json").read_text())
        expected = json.loads((local / "report.json").read_text())
        expected["dedup"].pop("state_bytes")
        assert report["dedup"] == expected["dedup"]
        assert report["index"]["added"] == expected["docs_out"]
    assert report["dedup"]["duplicates_of_earlier_runs"] > 20
    earlier = [d for d in read_outputs(out, "dropped") if d.get("earlier_run")]
    assert len(earlier) == report["dedup"]["duplicates_of_earlier_runs"]
    with open_index(sqlite_index) as a, open_index(parquet_index) as b:
        assert [(d.id, d.exact, sorted(d.keys)) for d in a.documents()] == [
            (d.id, d.exact, sorted(d.keys)) for d in b.documents()
        ]
