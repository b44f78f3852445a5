"""The tools benchmarks/run.py compares, each run alone in its own process over the same files.

    python -m benchmarks.contenders NAME DATA_DIR WORK_DIR RESULT_JSON [--stage-docs N]

A contender reads the corpus (untimed for in-process tools: the clock starts once the texts
are in memory; for the CLI the whole command is timed, start-up and file reading included),
does its work, and writes to RESULT_JSON its wall seconds, CPU seconds (this process and its
children: worker processes count), how many documents and bytes it processed and, for
de-duplicators, one cluster label per document in corpus order (a document's own position
when it is kept, the position of what it duplicates otherwise).

Every peer is used with the settings its documentation shows: word unigrams (`text.split()`)
for datasketch and rensa, datatrove's `MinhashConfig()` defaults (5-gram words, 14 buckets of
8 hashes) and default (English) word tokenizer; threshold 0.8 and 128 permutations where the
tool asks for them.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from corpusclean.reporting.outputs import iter_records, output_file  # noqa: E402

Result = dict[str, Any]


def load(data: Path, limit: int | None = None) -> tuple[list[str], list[str]]:
    """Ids and texts of the corpus shards, in corpus order (first `limit` documents)."""
    ids, texts = [], []
    for shard in sorted(data.glob("corpus-*.jsonl")):
        with shard.open(encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                ids.append(record["id"])
                texts.append(record["text"])
                if limit is not None and len(ids) >= limit:
                    return ids, texts
    return ids, texts


class Clock:
    """Wall and CPU seconds of a block; CPU counts this process and every child it waited for.

    Children that end without being waited for (a pool's terminated workers) escape
    RUSAGE_CHILDREN; run.py samples the process tree's CPU times and adds what is missing.
    """

    def __enter__(self) -> Clock:
        self._wall = time.perf_counter()
        self._cpu, self._children = _cpu_now()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self._wall
        own, children = _cpu_now()
        self.children_cpu_seconds = children - self._children
        self.cpu_seconds = own - self._cpu + self.children_cpu_seconds


def _cpu_now() -> tuple[float, float]:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def _result(clock: Clock, texts: list[str], labels: list[int] | None = None) -> Result:
    return {
        "seconds": clock.seconds,
        "cpu_seconds": clock.cpu_seconds,
        "children_cpu_seconds": clock.children_cpu_seconds,
        "docs": len(texts),
        "bytes": sum(len(t.encode("utf-8")) for t in texts),
        "labels": labels,
    }


class UnionFind:
    """Connected components over document positions; a component is labelled by its first member."""

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, node: int) -> int:
        while self.parent[node] != node:
            self.parent[node] = self.parent[self.parent[node]]
            node = self.parent[node]
        return node

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def labels(self) -> list[int]:
        return [self.find(node) for node in range(len(self.parent))]


# corpusclean -------------------------------------------------------------------------------------


def corpusclean_cli(workers: int, engine: str = "local") -> Callable[[Path, Path, int], Result]:
    """The full pipeline as users run it: `corpusclean clean` over the shards, `--workers N`.

    With `engine="dask"`: `--engine dask`, a loopback cluster of N single-threaded workers,
    the shards cut into 64 MB partitions.
    """

    def run(data: Path, work: Path, _: int) -> Result:
        ids, texts = load(data)
        out = work / "out"
        command = [
            sys.executable,
            "-m",
            "corpusclean",
            "clean",
            *map(str, sorted(data.glob("corpus-*.jsonl"))),
        ]
        command += ["-o", str(out), "-q", "--workers", str(workers), "--engine", engine]
        with Clock() as clock:
            subprocess.run(command, cwd=ROOT, check=True)
        position = {doc_id: number for number, doc_id in enumerate(ids)}
        labels = list(range(len(ids)))
        for record in iter_records(output_file(out, "dropped")):  # dropped.jsonl or dropped-NNNNN files
            if record["reason"] == "duplicate":
                labels[position[record["id"]]] = position[record["cluster"]]
        report = json.loads((out / "report.json").read_text(encoding="utf-8"))
        result = _result(clock, texts, labels)
        result["seconds_by_stage"] = report["seconds_by_stage"]
        result["dropped_by_reason"] = report["dropped_by_reason"]
        return result

    return run


def corpusclean_dedup(data: Path, work: Path, _: int) -> Result:
    """Dedup only: `Deduplicator.deduplicate` over the raw texts (exact + MinHash LSH, verified)."""
    from corpusclean import Deduplicator, Document

    ids, texts = load(data)
    position = {doc_id: number for number, doc_id in enumerate(ids)}
    labels = list(range(len(ids)))
    with Clock() as clock:
        dedup = Deduplicator()
        docs = (Document(doc_id, text) for doc_id, text in zip(ids, texts, strict=True))
        for number, (_, match) in enumerate(dedup.deduplicate(docs)):
            if match is not None:
                labels[number] = position[match.cluster]
        dedup.close()
    return _result(clock, texts, labels)


# datasketch --------------------------------------------------------------------------------------


def datasketch_readme(data: Path, work: Path, _: int) -> Result:
    """datasketch 2.x as its README shows: `MinHash.update` per word, `MinHashLSH(threshold=0.8)`.

    Streaming first-seen, as corpusclean keeps: query the kept documents, insert if none matched.
    """
    from datasketch import MinHash, MinHashLSH

    _, texts = load(data)
    labels = []
    with Clock() as clock:
        lsh = MinHashLSH(threshold=0.8, num_perm=128)
        for number, text in enumerate(texts):
            minhash = MinHash(num_perm=128)
            for word in set(text.split()):
                minhash.update(word.encode("utf8"))
            found = lsh.query(minhash)
            if found:
                labels.append(min(found))
            else:
                lsh.insert(number, minhash)
                labels.append(number)
    return _result(clock, texts, labels)


def datasketch_batch(hash_name: str) -> Callable[[Path, Path, int], Result]:
    """datasketch's batch API: `MinHash.bulk`, `LeanMinHash`, `insertion_session`, then queries."""

    def run(data: Path, work: Path, _: int) -> Result:
        from datasketch import LeanMinHash, MinHash, MinHashLSH

        kwargs: dict[str, Any] = {}
        if hash_name == "xxh32":
            import xxhash

            kwargs["hashfunc"] = xxhash.xxh32_intdigest
        _, texts = load(data)
        with Clock() as clock:
            batch = [[word.encode("utf8") for word in set(text.split())] for text in texts]
            signatures = [LeanMinHash(m) for m in MinHash.bulk(batch, num_perm=128, **kwargs)]
            lsh = MinHashLSH(threshold=0.8, num_perm=128)
            with lsh.insertion_session() as session:
                for number, signature in enumerate(signatures):
                    session.insert(number, signature)
            components = UnionFind(len(texts))
            for number, signature in enumerate(signatures):
                for other in lsh.query(signature):
                    components.union(number, other)
        return _result(clock, texts, components.labels())

    return run


# rensa -------------------------------------------------------------------------------------------


def rensa_dedup(data: Path, work: Path, _: int) -> Result:
    """rensa's README deduplicator: `RMinHashDeduplicator(threshold=0.8, num_perm=128, use_lsh=True)`.

    Timed: `add_pairs` over every document (its keep flags). Untimed afterwards, to score pairs:
    which kept documents each dropped one matched (`get_duplicate_sets`).
    """
    from rensa import RMinHashDeduplicator

    _, texts = load(data)
    with Clock() as clock:
        dedup = RMinHashDeduplicator(threshold=0.8, num_perm=128, use_lsh=True)
        keep = dedup.add_pairs((str(number), text.split()) for number, text in enumerate(texts))
    labels = list(range(len(texts)))
    dropped = [number for number, kept in enumerate(keep) if not kept]
    for number, found in zip(
        dropped, dedup.get_duplicate_sets(texts[n].split() for n in dropped), strict=True
    ):
        earlier = [int(key) for key in found if int(key) < number]
        if earlier:
            labels[number] = min(earlier)
    return _result(clock, texts, labels)


# datatrove ---------------------------------------------------------------------------------------


def datatrove_minhash(workers: int) -> Callable[[Path, Path, int], Result]:
    """datatrove's MinHash dedup: signature → buckets → cluster → filter, `LocalPipelineExecutor`.

    As its example script runs it, with `MinhashConfig()` defaults; the cluster stage saves
    cluster ids and the filter writes the removed documents too, so pairs can be scored.
    """

    def run(data: Path, work: Path, _: int) -> Result:
        from datatrove.executor import LocalPipelineExecutor

        # The minhash module itself: the package's __init__ also imports the exact-substring steps,
        # which need the `tokenizers` package that MinHash does not use.
        from datatrove.pipeline.dedup.minhash import (
            MinhashConfig,
            MinhashDedupBuckets,
            MinhashDedupCluster,
            MinhashDedupFilter,
            MinhashDedupSignature,
        )
        from datatrove.pipeline.readers import JsonlReader
        from datatrove.pipeline.writers import JsonlWriter

        _patch_datatrove_xxhash()
        ids, texts = load(data)
        shards = len(list(data.glob("corpus-*.jsonl")))
        config = MinhashConfig()

        def reader() -> JsonlReader:
            return JsonlReader(data_folder=str(data), glob_pattern="corpus-*.jsonl", doc_progress=False)

        def executor(pipeline: list[Any], tasks: int, name: str, depends: Any = None) -> Any:
            return LocalPipelineExecutor(
                pipeline=pipeline,
                tasks=tasks,
                workers=min(workers, tasks),
                logging_dir=str(work / "logs" / name),
                depends=depends,
                skip_completed=False,
            )

        signatures = executor(
            [reader(), MinhashDedupSignature(output_folder=str(work / "sigs"), config=config)], shards, "sigs"
        )
        buckets = executor(
            [
                MinhashDedupBuckets(
                    input_folder=str(work / "sigs"), output_folder=str(work / "buckets"), config=config
                )
            ],
            config.num_buckets,
            "buckets",
            signatures,
        )
        clusters = executor(
            [
                MinhashDedupCluster(
                    input_folder=str(work / "buckets"),
                    output_folder=str(work / "ids"),
                    config=config,
                    save_cluster_id=True,
                )
            ],
            1,
            "clusters",
            buckets,
        )
        kept = JsonlWriter(output_folder=str(work / "kept"))
        removed = JsonlWriter(output_folder=str(work / "removed"))
        dedup_filter = MinhashDedupFilter(
            input_folder=str(work / "ids"), exclusion_writer=removed, load_cluster_ids=True
        )
        final = executor([reader(), dedup_filter, kept], shards, "filter", clusters)
        with Clock() as clock:
            final.run()
        labels = _datatrove_labels(ids, work)
        return _result(clock, texts, labels)

    return run


def _xxhash64(data: str | bytes) -> int:
    import xxhash

    return int(xxhash.xxh64_intdigest(data.encode("utf-8") if isinstance(data, str) else data))


def _patch_datatrove_xxhash() -> None:
    """Let datatrove's default shingle hash (xxhash64 of the n-gram string) run on xxhash 4.

    datatrove 0.10 hands `str` to `xxh64_intdigest`, which xxhash 4 refuses; encoding as UTF-8
    first is what xxhash 3 did inside, so the hashes and the work are those datatrove intends.
    """
    import datatrove.utils.hashes.xxhash as hashes

    hashes.xxhash64 = _xxhash64


def _datatrove_labels(ids: list[str], work: Path) -> list[int]:
    """Cluster labels from the documents datatrove wrote (kept and removed) with their cluster ids."""
    import gzip

    position = {doc_id: number for number, doc_id in enumerate(ids)}
    labels = list(range(len(ids)))
    first: dict[int, int] = {}
    members: list[tuple[int, int]] = []
    for path in sorted([*(work / "kept").glob("*.jsonl.gz"), *(work / "removed").glob("*.jsonl.gz")]):
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                cluster = int(record["metadata"].get("minhash_cluster_id", -1))
                if cluster >= 0:
                    members.append((position[record["id"]], cluster))
    for number, cluster in sorted(members):
        labels[number] = first.setdefault(cluster, number)
    return labels


# Stage figures: one building block over the first `stage_docs` documents -------------------------


def stage(
    make: Callable[[], Callable[[str], object]], prepare: str = "raw"
) -> Callable[[Path, Path, int], Result]:
    """Throughput of one function applied to each text (`prepare`: raw, or display-normalized first)."""

    def run(data: Path, work: Path, stage_docs: int) -> Result:
        _, texts = load(data, stage_docs)
        function = make()
        if prepare == "normalized":
            from corpusclean.normalize import normalize_display

            texts = [normalize_display(text) for text in texts]
        function(texts[0])  # tables and profiles load before the clock starts
        with Clock() as clock:
            for text in texts:
                function(text)
        return _result(clock, texts)

    return run


def _ftfy(typography_kept: bool) -> Callable[[], Callable[[str], object]]:
    def make() -> Callable[[str], object]:
        import ftfy

        if not typography_kept:
            return ftfy.fix_text
        from corpusclean.config import NormalizeConfig
        from corpusclean.normalize import _ftfy_config

        config = _ftfy_config(NormalizeConfig())
        return lambda text: ftfy.fix_text(text, config)

    return make


def _normalize() -> Callable[[str], object]:
    from corpusclean.normalize import normalize_display

    return normalize_display


def _langdetect(chars: int | None) -> Callable[[], Callable[[str], object]]:
    def make() -> Callable[[str], object]:
        from langdetect import DetectorFactory, detect_langs

        DetectorFactory.seed = 0
        return lambda text: detect_langs(text[:chars])[0].lang

    return make


def _fast_langid(chars: int | None) -> Callable[[], Callable[[str], object]]:
    def make() -> Callable[[str], object]:
        from corpusclean.langid import FastLangId

        identifier = FastLangId()
        return lambda text: identifier.identify(text[:chars]).lang

    return make


def _classifier() -> Callable[[str], object]:
    from corpusclean.classifier import LineClassifier
    from corpusclean.segment import SegmentedText

    classifier = LineClassifier()
    return lambda text: classifier.classify(SegmentedText(text))


# name -> (kind, what it is compared with, function). Kinds: "dedup" tools give cluster labels.
CONTENDERS: dict[str, tuple[str, str | None, Callable[[Path, Path, int], Result]]] = {
    "corpusclean full (1 worker)": ("pipeline", None, corpusclean_cli(1)),
    "corpusclean full (2 workers)": ("pipeline", None, corpusclean_cli(2)),
    "corpusclean full dask (2 workers)": ("pipeline", None, corpusclean_cli(2, "dask")),
    "corpusclean dedup-only": ("dedup", None, corpusclean_dedup),
    "datasketch README": ("dedup", "corpusclean dedup-only", datasketch_readme),
    "datasketch batch": ("dedup", "corpusclean dedup-only", datasketch_batch("sha1")),
    "datasketch batch (xxh32)": ("dedup", "corpusclean dedup-only", datasketch_batch("xxh32")),
    "rensa": ("dedup", "corpusclean dedup-only", rensa_dedup),
    "datatrove MinHash (1 worker)": ("dedup", "corpusclean dedup-only", datatrove_minhash(1)),
    "datatrove MinHash (2 workers)": ("dedup", "corpusclean dedup-only", datatrove_minhash(2)),
    "corpusclean normalize_display": ("stage", None, stage(_normalize)),
    "ftfy.fix_text defaults": ("stage", "corpusclean normalize_display", stage(_ftfy(False))),
    "ftfy.fix_text typography kept": ("stage", "corpusclean normalize_display", stage(_ftfy(True))),
    "corpusclean langid (full text)": ("stage", None, stage(_fast_langid(None), "normalized")),
    "corpusclean langid (first 1000 chars)": ("stage", None, stage(_fast_langid(1000), "normalized")),
    "langdetect seeded (full text)": (
        "stage",
        "corpusclean langid (full text)",
        stage(_langdetect(None), "normalized"),
    ),
    "langdetect seeded (first 1000 chars)": (
        "stage",
        "corpusclean langid (first 1000 chars)",
        stage(_langdetect(1000), "normalized"),
    ),
    "corpusclean line classifier": ("stage", None, stage(_classifier, "normalized")),
}

# The module each contender needs; run.py skips (and says so) what is not installed.
REQUIRES = {
    "corpusclean full dask": "distributed",
    "datasketch": "datasketch",
    "rensa": "rensa",
    "datatrove": "datatrove",
    "ftfy": "ftfy",
    "langdetect": "langdetect",
}


def requirement(name: str) -> str | None:
    """The importable module a contender needs beyond corpusclean, if any."""
    for word, module in REQUIRES.items():
        if name.startswith(word):
            return module
    return None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", choices=sorted(CONTENDERS))
    parser.add_argument("data", type=Path)
    parser.add_argument("work", type=Path)
    parser.add_argument("result", type=Path)
    parser.add_argument("--stage-docs", type=int, default=2000)
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    result = CONTENDERS[args.name][2](args.data, args.work, args.stage_docs)
    usage = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    result["max_process_rss_bytes"] = max(u.ru_maxrss for u in usage) * 1024
    args.result.write_text(json.dumps(result), encoding="utf-8")


def iter_names(kind: str | None = None) -> Iterator[str]:
    """Contender names, optionally of one kind, in table order."""
    return (name for name, (k, _, _) in CONTENDERS.items() if kind is None or k == kind)


if __name__ == "__main__":
    main()
