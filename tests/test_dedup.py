"""Near-duplicate documents: signatures, LSH parameters, clusters, keep policies and the index."""

from __future__ import annotations

import itertools
import json
import random
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from corpusclean import Cleaner, Config, DedupConfig, Deduplicator, Document, IndexStoreError, Outcome
from corpusclean.dedup import BandTable, DedupFeatures, _ShingleSpill, detection_probability, lsh_params
from corpusclean.index import convert_index, open_index
from corpusclean.normalize import fingerprint

from conftest import SEEDS
from strategies import VARIANTS, multilingual_text, news_article, news_text, planted_corpus, variant_of
from test_cli import read_jsonl, run_cli


def shingle_set(text: str, size: int = 2) -> set[str]:
    words = fingerprint(text).split()
    return {" ".join(words[i : i + size]) for i in range(max(1, len(words) - size + 1))}


def jaccard(first: str, second: str) -> float:
    a, b = shingle_set(first), shingle_set(second)
    return len(a & b) / len(a | b)


def write_jsonl(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


# -- signatures ---------------------------------------------------------------------------


@pytest.mark.parametrize("hash_name", ["xxh32", "sha1"])
def test_signatures_are_bit_identical_to_datasketch_on_the_seeds(hash_name: str) -> None:
    """Each seed's signature equals datasketch 2.x's MinHash updated shingle by shingle."""
    from datasketch import MinHash

    dedup = Deduplicator(DedupConfig(hash=hash_name, min_words=0))
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        ours = dedup.features(text).signature
        reference = MinHash(num_perm=128, seed=1, hashfunc=dedup.hasher.hashfunc)
        for shingle in sorted(shingle_set(text)):
            reference.update(shingle.encode("utf-8"))
        assert ours is not None
        assert np.array_equal(ours, reference.hashvalues), path.name


def test_signatures_work_in_datasketch_lsh() -> None:
    """`Deduplicator.minhash` gives LeanMinHash objects that datasketch's MinHashLSH indexes and finds."""
    from datasketch import MinHashLSH

    rng = random.Random(11)
    original = "\n\n".join(news_article(rng))
    copy = "\n\n".join(variant_of(rng, original.split("\n\n"), "footer"))
    other = "\n\n".join(news_article(rng))
    dedup = Deduplicator()
    lsh = MinHashLSH(threshold=0.8, num_perm=128)
    lsh.insert("original", dedup.minhash(original))
    lsh.insert("other", dedup.minhash(other))
    assert lsh.query(dedup.minhash(copy)) == ["original"]


# -- LSH parameters -----------------------------------------------------------------------


@pytest.mark.parametrize("threshold", [0.5, 0.7, 0.8, 0.9])
def test_balanced_lsh_params_agree_with_datasketch(threshold: float) -> None:
    """With equal weights the bands × rows search lands where datasketch's does."""
    from datasketch.lsh import _optimal_param

    assert lsh_params(threshold, 128, 0.5, 0.5) == _optimal_param(threshold, 128, 0.5, 0.5)


def test_default_bands_favour_recall_since_candidates_are_verified() -> None:
    """The default 0.8 threshold gives 16 × 8: a pair at the threshold is a candidate 95% of the time."""
    dedup = Deduplicator()
    assert (dedup.bands, dedup.rows) == (16, 8)
    assert detection_probability(0.8, 16, 8) > 0.94
    assert detection_probability(0.3, 16, 8) < 0.002


KEYS = st.one_of(st.integers(0, 40), st.sampled_from([0, 1, 2**63 - 1, 2**63, 2**64 - 1]))


@given(
    st.lists(st.tuples(st.lists(KEYS, max_size=17), st.integers(0, 300)), max_size=300),
    st.lists(st.lists(KEYS, max_size=17)),
)
def test_band_table_finds_what_a_dict_finds(
    entries: list[tuple[list[int], int]], probes: list[list[int]]
) -> None:
    """The hash table answers look-ups like a plain dict of sets, across growth and long probe runs.

    Small keys all land in a few home slots (many documents per key, full 64-bit extremes),
    and the table starts at 16 slots, so it grows many times under the test.
    """
    table = BandTable(capacity=16)
    reference: dict[int, set[int]] = {}
    for keys, doc in entries:
        table.add(keys, doc)
        for key in keys:
            reference.setdefault(key, set()).add(doc)
    for keys in probes:
        expected = set().union(*(reference.get(key, set()) for key in keys))
        assert table.lookup(keys) == sorted(expected)
        assert table.lookup(np.array(keys, dtype=np.uint64)) == sorted(expected)
    assert len(table) == sum(len(keys) for keys, _ in entries)
    assert table.nbytes >= 12 * len(table) / BandTable._MAX_LOAD


def test_band_table_refuses_a_document_number_it_cannot_store() -> None:
    """Document numbers are uint32 slots and 0xFFFFFFFF marks an empty one."""
    table = BandTable()
    with pytest.raises(ValueError, match="document number"):
        table.add([1], 0xFFFFFFFF)


@given(
    st.lists(
        st.none() | st.lists(st.integers(0, 2**32 - 1), max_size=40, unique=True).map(sorted), max_size=60
    ),
    st.integers(1, 64),
)
def test_shingle_spill_reads_back_every_set_across_buffer_flushes(
    sets: list[list[int] | None], buffer: int
) -> None:
    """Sets come back equal whether they are still in the write buffer or already on disk."""
    spill = _ShingleSpill(buffer_bytes=buffer)
    try:
        for values in sets:
            spill.add(None if values is None else np.array(values, dtype=np.uint32))
            # Reading between writes sees both the flushed and the buffered sets.
            for number, expected in enumerate(sets[: len(spill._offsets)]):
                got = spill.get(number)
                assert (got is None) == (expected is None)
                if expected is not None:
                    assert got is not None and got.tolist() == expected
    finally:
        spill.close()


# -- clusters -----------------------------------------------------------------------------


# Generated articles reuse a few dozen sentence templates, so their share of repeated 5-grams
# is above Gopher's quality threshold: tests of dedup on them turn the quality filter off.
NO_QUALITY = ("--no-quality-filter",)
GENERATED = Config().replace("quality", filter=False)


def run_cleaner(records: list[dict[str, object]], **dedup: object) -> list[Outcome]:
    """Both passes, as `corpusclean.run` and the CLI make them."""
    cleaner = Cleaner(GENERATED.replace("dedup", **dedup) if dedup else GENERATED)
    results = cleaner.decide_all(cleaner.process(Document.from_dict(r)) for r in records)
    outcomes = [o for o in results if isinstance(o, Outcome)]
    cleaner.close()
    return outcomes


def test_cleaner_streams_with_the_first_seen_policy() -> None:
    """`Cleaner.clean` yields a kept document before reading the rest, and drops later copies."""
    rng = random.Random(12)
    text = "\n\n".join(news_article(rng))
    consumed = []

    def documents() -> Iterator[Document]:
        for number in range(3):
            consumed.append(number)
            yield Document(f"d{number}", text if number != 1 else "\n\n".join(news_article(rng)))

    kept = Cleaner(GENERATED).clean(documents())
    first = next(kept)
    assert (first.id, first.metadata["cluster"], consumed) == ("d0", "d0", [0])
    assert [doc.id for doc in kept] == ["d1"]


def test_seeds_make_no_duplicate_cluster(seeds_dir: Path, tmp_path: Path) -> None:
    """The five seeds (three about the same Paris AI summit) stay five separate documents."""
    out = tmp_path / "out"
    result = run_cli("clean", str(seeds_dir), "-o", str(out), "-q")
    assert result.returncode == 0, result.stderr
    docs = read_jsonl(out / "documents.jsonl")
    assert len(docs) == 5
    assert all(d["metadata"]["cluster"] == d["id"] and d["metadata"]["cluster_size"] == 1 for d in docs)
    report = json.loads((out / "report.json").read_text())
    assert report["dedup"]["clusters"] == 0 and report["dropped_by_reason"] == {}


def test_planted_duplicates_are_found_with_high_precision_and_recall() -> None:
    """Copies, new leads, added/removed paragraphs, other footers and word edits are found;
    unrelated articles on the same topics are not (pairwise, at the default threshold)."""
    records, stories = planted_corpus(seed=2026, stories=300, copies=2)
    outcomes = run_cleaner(records)
    story_of = {r["id"]: s for r, s in zip(records, stories, strict=True)}
    cluster_of = {}
    for outcome in outcomes:
        if outcome.kept:
            cluster_of[outcome.doc.id] = outcome.doc.metadata["cluster"]
        else:
            assert outcome.drop is not None and outcome.drop.reason == "duplicate"
            cluster_of[outcome.doc.id] = outcome.drop.evidence["cluster"]
    predicted = {
        p for p in itertools.combinations(sorted(cluster_of), 2) if cluster_of[p[0]] == cluster_of[p[1]]
    }
    truth = {p for p in itertools.combinations(sorted(story_of), 2) if story_of[p[0]] == story_of[p[1]]}
    precision = len(predicted & truth) / len(predicted)
    recall = len(predicted & truth) / len(truth)
    print(f"\nplanted duplicates: {len(records)} docs, {len(truth)} true pairs, "
          f"precision {precision:.4f}, recall {recall:.4f}")  # fmt: skip
    assert precision >= 0.99
    assert recall >= 0.95


def test_a_chain_does_not_make_its_ends_duplicates() -> None:
    """A~B and B~C but A and C share less than the threshold: C stays, B goes as a copy of A."""
    rng = random.Random(3)
    base = "\n\n".join(news_article(rng, paragraphs=(12, 12)))
    words = base.split(" ")
    positions = rng.sample(range(len(words)), 40)
    middle = list(words)
    for position in positions[:20]:
        middle[position] = "toutefois"
    far = list(middle)
    for position in positions[20:]:
        far[position] = "désormais"
    a, b, c = base, " ".join(middle), " ".join(far)
    assert jaccard(a, b) >= 0.82 and jaccard(b, c) >= 0.82 and jaccard(a, c) < 0.78
    records = [{"id": "A", "text": a}, {"id": "B", "text": b}, {"id": "C", "text": c}]
    outcomes = {o.doc.id: o for o in run_cleaner(records)}
    assert outcomes["A"].kept and outcomes["C"].kept
    drop = outcomes["B"].drop
    assert drop is not None and drop.evidence["duplicate_of"] == "A"
    assert outcomes["A"].doc.metadata["cluster_size"] == 2
    assert outcomes["C"].doc.metadata["cluster"] == "C"


def story_with_copies() -> list[dict[str, object]]:
    rng = random.Random(8)
    article = news_article(rng)
    return [
        {"id": "wire", "text": "\n\n".join(article), "date": "2025-02-11", "rank": 2},
        {
            "id": "longer",
            "text": "\n\n".join(variant_of(rng, article, "added")),
            "date": "2025-02-12",
            "rank": 1,
        },
        {"id": "first-seen", "text": "\n\n".join(variant_of(rng, article, "footer")), "date": "2025-02-10"},
        {"id": "unrelated", "text": "\n\n".join(news_article(rng)), "date": "2025-02-09", "rank": 9},
    ]


@pytest.mark.parametrize(
    ("keep", "kept"),
    [
        ("first", {"wire", "unrelated"}),
        ("longest", {"longer", "unrelated"}),
        ("earliest", {"first-seen", "unrelated"}),
        ("priority:rank", {"wire", "unrelated"}),
        ("none", {"unrelated"}),
    ],
)
def test_keep_policies_choose_the_representative(keep: str, kept: set[str]) -> None:
    """Each policy keeps its own member of the cluster and names it in the others' evidence."""
    outcomes = run_cleaner(story_with_copies(), keep=keep)
    assert {o.doc.id for o in outcomes if o.kept} == kept
    members = {"wire", "longer", "first-seen"}
    for outcome in outcomes:
        if outcome.drop is not None:
            assert outcome.drop.evidence["duplicate_of"] in members - {outcome.doc.id}
            assert outcome.drop.evidence["similarity"] >= 0.8
        elif outcome.doc.id != "unrelated":
            assert outcome.doc.metadata["cluster_size"] == 3


def test_signature_verification_needs_no_shingle_sets() -> None:
    """With `verify = "signature"` the same cluster is found from MinHash estimates alone."""
    outcomes = run_cleaner(story_with_copies(), verify="signature")
    assert {o.doc.id for o in outcomes if o.kept} == {"wire", "unrelated"}
    dedup = Deduplicator(DedupConfig(verify="signature"))
    assert dedup.features(str(story_with_copies()[0]["text"])).shingles is None


def test_short_documents_match_only_exactly() -> None:
    """Two briefs a word apart are kept; an exact copy (other case and quotes) is dropped."""
    records = [
        {"id": "a", "text": "Le sommet de Paris s’ouvre lundi au Grand Palais."},
        {"id": "b", "text": "Le sommet de Paris s’ouvre mardi au Grand Palais."},
        {"id": "c", "text": "LE SOMMET DE PARIS S'OUVRE LUNDI AU GRAND PALAIS."},
    ]
    outcomes = {o.doc.id: o for o in run_cleaner(records)}
    assert outcomes["a"].kept and outcomes["b"].kept
    assert outcomes["c"].drop is not None and outcomes["c"].drop.evidence["duplicate_of"] == "a"


@given(news_text())
def test_a_document_is_always_a_duplicate_of_its_copy(text: str) -> None:
    """Whatever the text, the streaming Deduplicator drops its exact copy."""
    dedup = Deduplicator()
    verdicts = list(dedup.deduplicate([Document("one", text), Document("two", text)]))
    assert verdicts[0][1] is None
    match = verdicts[1][1]
    assert match is not None and match.duplicate_of == "one" and match.similarity == 1.0


@given(news_text(), news_text(), st.sampled_from(["exact", "signature"]), st.integers(1, 60))
def test_packed_features_score_pairs_as_the_originals(
    first: str, second: str, verify: str, min_words: int
) -> None:
    """`packed` keeps all that verification reads: unpacked, a pair scores exactly the same."""
    dedup = Deduplicator(DedupConfig(verify=verify, min_words=min_words))
    one, two = dedup.features(first), dedup.features(second)
    for features in (one, two):
        back = DedupFeatures.unpacked(features.packed())
        assert (back.exact, back.words, back.chars, back.keys) == (
            features.exact,
            features.words,
            features.chars,
            (),
        )
        for ours, theirs in ((back.signature, features.signature), (back.shingles, features.shingles)):
            assert (ours is None) == (theirs is None)
            assert ours is None or (ours.dtype == np.uint32 and np.array_equal(ours, theirs))
    unpacked = DedupFeatures.unpacked(two.packed()), DedupFeatures.unpacked(one.packed())
    assert dedup.pair_similarity(*unpacked) == dedup.pair_similarity(two, one)
    assert dedup.pair_similarity(DedupFeatures.unpacked(one.packed()), one) == 1.0


@given(
    st.integers(0, 2**32), st.sampled_from(VARIANTS), st.sampled_from(["exact", "signature"]), st.booleans()
)
def test_screening_never_drops_a_pair_that_verifies(seed: int, kind: str, verify: str, exact: bool) -> None:
    """`may_verify` is False only where `pair_similarity` is below the threshold, and it reads
    no shingle set: the Dask engine screens candidates with it before shipping them."""
    dedup = Deduplicator(DedupConfig(verify=verify, exact=exact))
    rng = random.Random(seed)
    articles = [news_article(rng) for _ in range(3)]
    texts = ["\n\n".join(article) for article in articles]
    texts += ["\n\n".join(variant_of(rng, articles[0], kind)), texts[0]]
    features = [dedup.features(text) for text in texts]
    for later, earlier in itertools.permutations(features, 2):
        probe = DedupFeatures.unpacked(later.packed(shingles=False))
        assert probe.shingles is None
        if not dedup.may_verify(probe, DedupFeatures.unpacked(earlier.packed(shingles=False))):
            assert dedup.pair_similarity(later, earlier) < dedup.config.threshold
    assert dedup.may_verify(features[0], features[-1])  # a copy: same exact hash, same signature


# -- the index ----------------------------------------------------------------------------


def two_dumps(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    rng = random.Random(21)
    first = [{"id": f"d1-{i}", "text": "\n\n".join(news_article(rng))} for i in range(8)]
    copies = {}
    second = []
    for i, record in enumerate(first[:3]):
        kind = VARIANTS[i + 1]
        second.append(
            {
                "id": f"d2-copy-{i}",
                "text": "\n\n".join(variant_of(rng, str(record["text"]).split("\n\n"), kind)),
            }
        )
        copies[f"d2-copy-{i}"] = str(record["id"])
    second += [{"id": f"d2-new-{i}", "text": "\n\n".join(news_article(rng))} for i in range(5)]
    rng.shuffle(second)
    return write_jsonl(tmp_path / "dump1.jsonl", first), write_jsonl(tmp_path / "dump2.jsonl", second), copies


# An SQLite file, and a Parquet directory (a path ending with a separator): one interface, same decisions.
INDEX_NAMES = pytest.mark.parametrize("name", ["corpus.idx", "corpus-index/"])


@INDEX_NAMES
def test_second_run_drops_exactly_the_copies_of_first_run_documents(tmp_path: Path, name: str) -> None:
    """Run 1 fills the index; run 2 drops its copies of run-1 documents, naming the run-1 ids."""
    dump1, dump2, copies = two_dumps(tmp_path)
    index = f"{tmp_path}/{name}"
    first = run_cli(
        "clean", str(dump1), "-o", str(tmp_path / "out1"), "--index", str(index), "-q", *NO_QUALITY
    )
    assert first.returncode == 0, first.stderr
    second = run_cli(
        "clean", str(dump2), "-o", str(tmp_path / "out2"), "--index", str(index), "-q", *NO_QUALITY
    )
    assert second.returncode == 0, second.stderr
    dropped = read_jsonl(tmp_path / "out2" / "dropped.jsonl")
    assert {d["id"]: d["duplicate_of"] for d in dropped} == copies
    assert all(d["reason"] == "duplicate" and d["text"] and d["similarity"] >= 0.8 for d in dropped)
    assert len(read_jsonl(tmp_path / "out2" / "documents.jsonl")) == 5
    with open_index(index, Deduplicator().manifest()) as store:
        assert len(store) == 8 + 5
        assert type(store).__name__ == ("ParquetIndex" if name.endswith("/") else "SqliteIndex")


@INDEX_NAMES
def test_an_uncommitted_run_leaves_the_index_as_it_was(tmp_path: Path, name: str) -> None:
    """Documents checked but never committed (an interrupted run) are not in the index."""
    index = f"{tmp_path}/{name}"
    rng = random.Random(4)
    docs = [Document(f"n{i}", "\n\n".join(news_article(rng))) for i in range(4)]
    with Deduplicator(index=index) as dedup:
        assert len(list(dedup.filter(docs[:2]))) == 2
    dedup = Deduplicator(index=index)
    assert len(list(dedup.filter(docs[2:]))) == 2
    dedup.close()  # no commit: the two new documents vanish with the transaction
    with open_index(index, Deduplicator().manifest()) as store:
        assert len(store) == 2


def test_an_index_converted_to_the_other_store_decides_the_same(tmp_path: Path) -> None:
    """SQLite → Parquet → SQLite keeps every document, key and shingle set: a third run decides alike."""
    dump1, dump2, copies = two_dumps(tmp_path)
    sqlite_index = tmp_path / "corpus.idx"
    first = run_cli(
        "clean", str(dump1), "-o", str(tmp_path / "out1"), "--index", str(sqlite_index), "-q", *NO_QUALITY
    )
    assert first.returncode == 0, first.stderr
    converted = run_cli("index", "convert", str(sqlite_index), f"{tmp_path}/corpus-index/")
    assert converted.returncode == 0, converted.stderr
    assert (
        converted.stderr
        == f"corpusclean: copied 8 documents from {sqlite_index} to {tmp_path}/corpus-index/\n"
    )
    assert convert_index(tmp_path / "corpus-index", tmp_path / "back.idx") == 8
    stores = [sqlite_index, tmp_path / "corpus-index", tmp_path / "back.idx"]
    with open_index(stores[0]) as a, open_index(stores[1]) as b, open_index(stores[2]) as c:
        assert a.manifest == b.manifest == c.manifest
        docs = [list(store.documents()) for store in (a, b, c)]
    for one, other in itertools.combinations(docs, 2):
        assert [(d.id, d.source, d.exact, sorted(d.keys)) for d in one] == [
            (d.id, d.source, d.exact, sorted(d.keys)) for d in other
        ]
        for x, y in zip(one, other, strict=True):
            assert np.array_equal(x.signature, y.signature) and np.array_equal(x.shingles, y.shingles)
    ledgers = []
    for number, store in enumerate(stores):
        out = tmp_path / f"out2-{number}"
        result = run_cli("clean", str(dump2), "-o", str(out), "--index", str(store), "-q", *NO_QUALITY)
        assert result.returncode == 0, result.stderr
        ledgers.append(read_jsonl(out / "dropped.jsonl"))
    assert ledgers[0] == ledgers[1] == ledgers[2]
    assert {d["id"]: d["duplicate_of"] for d in ledgers[0] if d["reason"] == "duplicate"} == copies
    info = run_cli("index", "info", str(tmp_path / "corpus-index"))
    assert info.returncode == 0 and "documents: 13; runs so far: 2" in info.stdout
    refused = run_cli("index", "convert", str(sqlite_index), str(tmp_path / "corpus-index"))
    assert refused.returncode == 1 and "already exists" in refused.stderr


def test_parquet_index_errors_are_one_clear_line(tmp_path: Path, seeds_dir: Path) -> None:
    """A directory that is not an index, other settings, in use: one line, exit 1, as for SQLite."""
    out = str(tmp_path / "out")
    stranger = tmp_path / "photos"
    stranger.mkdir()
    (stranger / "cover.jpg").write_bytes(b"\xff\xd8\xff")
    result = run_cli("clean", str(seeds_dir), "-o", out, "--index", str(stranger), "-q")
    assert (result.returncode, result.stderr) == (
        1,
        f"corpusclean: error: {stranger}: not a corpusclean index (no manifest.json)\n",
    )
    index = tmp_path / "corpus-index"
    assert run_cli("clean", str(seeds_dir), "-o", out, "--index", f"{index}/", "-q").returncode == 0
    result = run_cli(
        "clean", str(seeds_dir), "-o", out, "--index", str(index), "--dedup-num-perm", "64", "-q"
    )
    assert result.stderr == (
        f"corpusclean: error: {index}: index was built with other settings: "
        "num_perm is '128' in the index, '64' in this run\n"
    )
    with open_index(index, Deduplicator().manifest()):
        result = run_cli("clean", str(seeds_dir), "-o", out, "--index", str(index), "-q")
    assert (result.returncode, result.stderr) == (
        1,
        f"corpusclean: error: {index}: index is in use by another process\n",
    )
    # An interrupted run's part files are never read: only runs.json says what is in the index.
    (index / "run-00002").mkdir()
    (index / "run-00002" / "part-00000.parquet").write_bytes(b"PAR1 cut short")
    with open_index(index, Deduplicator().manifest()) as store:
        assert len(store) == 5 and store.run == 2


def test_index_errors_are_one_clear_line(tmp_path: Path, seeds_dir: Path) -> None:
    """Not an index, another application's database, other settings, in use: one line, exit 1."""
    out = str(tmp_path / "out")
    text_file = tmp_path / "notes.idx"
    text_file.write_text("ceci n'est pas un index\n", encoding="utf-8")
    result = run_cli("clean", str(seeds_dir), "-o", out, "--index", str(text_file), "-q")
    assert (result.returncode, result.stderr) == (
        1,
        f"corpusclean: error: {text_file}: not a corpusclean index (not an SQLite database)\n",
    )
    foreign = tmp_path / "app.db"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE users (name TEXT)")
    db.close()
    result = run_cli("clean", str(seeds_dir), "-o", out, "--index", str(foreign), "-q")
    assert result.stderr == f"corpusclean: error: {foreign}: not a corpusclean index (no manifest)\n"

    index = tmp_path / "corpus.idx"
    assert run_cli("clean", str(seeds_dir), "-o", out, "--index", str(index), "-q").returncode == 0
    result = run_cli(
        "clean", str(seeds_dir), "-o", out, "--index", str(index), "--dedup-num-perm", "64", "-q"
    )
    assert result.returncode == 1
    assert result.stderr == (
        f"corpusclean: error: {index}: index was built with other settings: "
        "num_perm is '128' in the index, '64' in this run\n"
    )
    with open_index(index, Deduplicator().manifest()):
        result = run_cli("clean", str(seeds_dir), "-o", out, "--index", str(index), "-q")
    assert (result.returncode, result.stderr) == (
        1,
        f"corpusclean: error: {index}: index is in use by another process\n",
    )
    with pytest.raises(IndexStoreError, match="in use"), open_index(index, Deduplicator().manifest()):
        open_index(index, Deduplicator().manifest())


def test_output_is_identical_with_one_or_two_workers(tmp_path: Path) -> None:
    """Clusters, representatives and the ledger do not depend on the number of workers."""
    records, _ = planted_corpus(seed=9, stories=60, copies=2)
    data = write_jsonl(tmp_path / "dump.jsonl", records)
    outputs = []
    for workers in ("1", "2"):
        out = tmp_path / f"out{workers}"
        result = run_cli(
            "clean", str(data), "-o", str(out), "--workers", workers, "--keep", "longest", "-q", *NO_QUALITY
        )
        assert result.returncode == 0, result.stderr
        outputs.append([(out / name).read_bytes() for name in ("documents.jsonl", "dropped.jsonl")])
    assert outputs[0] == outputs[1]
    assert b'"reason":"duplicate"' in outputs[0][1]


def test_bad_keep_policy_is_a_config_error(tmp_path: Path, seeds_dir: Path) -> None:
    """An unknown keep policy stops the run before the first document (exit 2)."""
    result = run_cli("clean", str(seeds_dir), "-o", str(tmp_path / "o"), "--keep", "newest")
    assert result.returncode == 2
    assert result.stderr.startswith("corpusclean: error: dedup keep must be one of")


def test_clusters_of_outlier_size_are_reported() -> None:
    """A story copied 14 times stands out in the report among pairs of reposts."""
    rng = random.Random(30)
    records: list[dict[str, object]] = []
    for story in range(6):
        article = news_article(rng)
        copies = 14 if story == 0 else 1
        records.append({"id": f"story-{story}", "text": "\n\n".join(article)})
        records += [
            {"id": f"story-{story}-copy-{n}", "text": "\n\n".join(variant_of(rng, article, "footer"))}
            for n in range(copies)
        ]
    cleaner = Cleaner(GENERATED)
    outcomes = [o for o in cleaner.decide_all(cleaner.process(Document.from_dict(r)) for r in records)]
    report = cleaner.corpus_stages[0].report()  # type: ignore[attr-defined]
    cleaner.close()
    assert sum(1 for o in outcomes if isinstance(o, Outcome) and o.kept) == 6
    assert report["clusters"] == 6 and report["duplicates"] == 14 + 5
    assert report["outlier_clusters"] == [{"cluster": "story-0", "size": 15}]


def test_an_index_without_dedup_is_a_config_error(tmp_path: Path, seeds_dir: Path) -> None:
    """`--index` with `--no-dedup` would silently do nothing: it is refused (exit 2)."""
    result = run_cli("clean", str(seeds_dir), "-o", str(tmp_path / "o"), "--no-dedup", "--index", "x.idx")
    assert result.returncode == 2
    assert result.stderr == (
        "corpusclean: error: a dedup index needs dedup enabled (drop --no-dedup or --index)\n"
    )


def test_a_run_repeated_on_its_own_index_keeps_nothing(tmp_path: Path) -> None:
    """Within a run and across runs the same exact verification applies: a rerun drops everything."""
    records, _ = planted_corpus(seed=13, stories=40, copies=2)
    config = GENERATED.replace("dedup", index=str(tmp_path / "corpus.idx"))

    def run_once() -> list[Outcome]:
        results = Cleaner(config).run(Document.from_dict(r) for r in records)
        return [o for o in results if isinstance(o, Outcome)]

    kept_ids = {o.doc.id for o in run_once() if o.kept}
    second = run_once()
    assert not any(o.kept for o in second)
    for outcome in second:
        assert outcome.drop is not None and outcome.drop.evidence["earlier_run"] is True
        assert outcome.drop.evidence["duplicate_of"] in kept_ids


@given(news_text())
def test_signatures_equal_datasketch_on_any_news_text(text: str) -> None:
    """Bulk shingle hashing and the vectorized permutation match datasketch on generated text."""
    from datasketch import MinHash

    dedup = Deduplicator(DedupConfig(min_words=0))
    reference = MinHash(num_perm=128, seed=1, hashfunc=dedup.hasher.hashfunc)
    for shingle in shingle_set(text):
        reference.update(shingle.encode("utf-8"))
    signature = dedup.features(text).signature
    assert signature is not None and np.array_equal(signature, reference.hashvalues)


@given(st.lists(news_text(), min_size=1, max_size=5), st.sampled_from(["xxh32", "sha1"]))
def test_batch_signatures_equal_datasketch_per_set(texts: list[str], hash_name: str) -> None:
    """`MinHasher.signatures` (one pass over many sets) gives each set datasketch's signature."""
    from datasketch import MinHash

    from corpusclean.minhash import MinHasher

    hasher = MinHasher(num_perm=64, seed=1, hash_name=hash_name)
    sets = [shingle_set(text) for text in texts] + [set()]  # an empty set has the all-max signature
    batch = hasher.signatures(sets)
    assert batch.shape == (len(sets), 64)
    for row, shingles in zip(batch, sets, strict=True):
        reference = MinHash(num_perm=64, seed=1, hashfunc=hasher.hashfunc)
        for shingle in shingles:
            reference.update(shingle.encode("utf-8"))
        assert np.array_equal(row, reference.hashvalues)
    assert np.array_equal(hasher.signatures(sets[:-1]), batch[:-1])  # the all-non-empty fast path


@given(st.binary(max_size=96), st.integers(0, 96), st.integers(0, 96))
def test_compiled_xxh32_equals_the_xxhash_package_on_any_slice(data: bytes, first: int, second: int) -> None:
    """The compiled xxHash32 agrees with `xxhash` on every length path (stripes, words, bytes)."""
    import xxhash

    from corpusclean import _kernels

    start, end = sorted((min(first, len(data)), min(second, len(data))))
    buffer = np.frombuffer(data, dtype=np.uint8)
    expected = xxhash.xxh32_intdigest(data[start:end])
    assert int(_kernels.xxh32(buffer, start, end)) == expected


@given(
    st.one_of(news_text(), multilingual_text(), st.just("")),
    st.integers(1, 5),
    st.sampled_from(["xxh32", "sha1"]),
)
def test_shingle_hashes_hash_each_joined_shingle(text: str, size: int, hash_name: str) -> None:
    """Shingle *i* hashes exactly the bytes of `" ".join(words[i:i + size])`, for any shingle size."""
    dedup = Deduplicator(DedupConfig(shingle_words=size, hash=hash_name))
    words = fingerprint(text).split()
    shingles = [" ".join(words[i : i + size]) for i in range(len(words) - size + 1)] or [" ".join(words)]
    expected = [dedup.hasher.hashfunc(shingle.encode("utf-8")) for shingle in shingles]
    assert dedup.shingle_hashes(" ".join(words).encode("utf-8")).tolist() == expected


@given(st.lists(st.integers(0, 0xFFFFFFFF), max_size=300), st.integers(1, 50))
def test_sorted_unique_equals_numpy_unique(values: list[int], spread: int) -> None:
    """The sort-and-compare-neighbours dedupe gives `numpy.unique`'s result, repeats included."""
    from corpusclean.dedup import sorted_unique

    array = np.array(values + values[::spread], dtype=np.uint32)
    assert np.array_equal(sorted_unique(array), np.unique(array))


def test_signature_of_no_hash_is_all_ones_as_in_datasketch() -> None:
    """An empty set keeps datasketch's initial signature (every value 2**32 - 1)."""
    from datasketch import MinHash

    from corpusclean.minhash import MinHasher

    hasher = MinHasher(num_perm=32)
    signature = hasher.signature_of_hashes(np.array([], dtype=np.uint32))
    assert np.array_equal(signature, MinHash(num_perm=32, seed=1).hashvalues)
    assert signature.dtype == np.uint32


def test_docstring_examples_hold() -> None:
    """The examples in the dedup docstrings are true."""
    import doctest

    from corpusclean import dedup

    assert doctest.testmod(dedup).failed == 0


def test_cluster_edges_splits_chains_around_representatives() -> None:
    """A path 0~1~2~3 becomes {0, 1} and {2, 3}; ranking 3 first makes it a representative."""
    from corpusclean.dedup import cluster_edges

    edges = [(0, 1, 0.9), (1, 2, 0.85), (2, 3, 0.95)]
    clusters = cluster_edges(5, edges)
    assert clusters.representative == [0, 0, 2, 2, 4]
    assert clusters.similarity == [1.0, 0.9, 1.0, 0.95, 1.0]
    assert clusters.components_split == 1
    assert clusters.stand_in == {0: (1, 0.9), 2: (3, 0.95)}
    ranked = cluster_edges(5, edges, rank=[3, 2, 1, 0, 4])
    assert ranked.representative == [1, 1, 3, 3, 4]
