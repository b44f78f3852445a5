"""Collect, in bounded memory, what the HTML report shows about a run.

The collector sees every record as it is written (a kept document, a dropped-ledger
row, an error row) and keeps only counters, fixed-size histograms and small samples,
so it costs a few dictionary updates per document and its size does not grow with the
corpus. `corpusclean report` feeds it the same records read back from an output
directory, so a rebuilt report equals the one written by the run.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# Document length bins in characters (left edges; the last bin is open). Fixed, so a
# histogram is a handful of integers whatever the corpus size; roughly logarithmic
# because news articles run from a 200-character brief to a 50,000-character dossier.
LENGTH_EDGES: tuple[int, ...] = (0, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000)

MOST_EDITED = 20  # documents shown with their cuts
DUPLICATE_SAMPLE = 10  # clusters shown side by side
DROPPED_SAMPLE = 5  # ids listed per drop reason
ERROR_SAMPLE = 20  # rows of errors.jsonl listed
MAX_SOURCES = 2_000  # beyond this, sources are counted under OTHER_SOURCE
OTHER_SOURCE = "(other sources)"
NO_SOURCE = "(no source)"
# Learned lines are counted by their text; past MAX_LINES distinct lines the rarest half
# is forgotten (a lossy top-k: the lines that matter recur, so they survive pruning).
MAX_LINES = 20_000
LINE_CHARS = 160  # a learned line is shown up to this many characters
# Clusters are counted one integer each; past this many, new clusters are not counted
# (a million clusters is far beyond any cluster-size plot's resolution).
MAX_CLUSTERS = 1_000_000


def length_bin(chars: int) -> int:
    """Index of the LENGTH_EDGES bin holding a document of `chars` characters."""
    index = 0
    for position, edge in enumerate(LENGTH_EDGES):
        if chars >= edge:
            index = position
    return index


@dataclass
class SourceRow:
    """Counts for one source (site) of the corpus."""

    docs: int = 0
    kept: int = 0
    dropped: int = 0
    duplicates: int = 0
    chars_in: int = 0
    chars_removed: int = 0

    @property
    def removed_share(self) -> float:
        """Share of the source's kept input characters that cuts removed."""
        return self.chars_removed / self.chars_in if self.chars_in else 0.0


@dataclass
class ReportCollector:
    """Bounded statistics and samples of a run, fed one written record at a time."""

    kept: int = 0
    errors: int = 0
    chars_in: int = 0
    chars_out: int = 0
    dropped: Counter[str] = field(default_factory=Counter)
    chars_removed: Counter[str] = field(default_factory=Counter)
    spans_removed: Counter[str] = field(default_factory=Counter)
    rules: Counter[str] = field(default_factory=Counter)
    rule_reasons: dict[str, str] = field(default_factory=dict)
    learned_lines: Counter[str] = field(default_factory=Counter)
    learned_evidence: dict[str, str] = field(default_factory=dict)
    languages_kept: Counter[str] = field(default_factory=Counter)
    languages_dropped: Counter[str] = field(default_factory=Counter)
    length_before: list[int] = field(default_factory=lambda: [0] * len(LENGTH_EDGES))
    length_after: list[int] = field(default_factory=lambda: [0] * len(LENGTH_EDGES))
    sources: dict[str, SourceRow] = field(default_factory=dict)
    cluster_members: Counter[str] = field(default_factory=Counter)  # dropped duplicates per cluster
    cluster_declared: dict[str, int] = field(default_factory=dict)  # metadata.cluster_size of kept docs
    duplicate_sample: list[dict[str, Any]] = field(default_factory=list)
    dropped_sample: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    error_sample: list[dict[str, Any]] = field(default_factory=list)
    _edited: list[tuple[int, int, dict[str, Any]]] = field(default_factory=list)
    _seen: int = 0

    def add_kept(self, record: Mapping[str, Any]) -> None:
        """Count a kept document (a documents.jsonl record)."""
        self._seen += 1
        self.kept += 1
        meta = record.get("metadata") or {}
        text = str(record.get("text") or "")
        removed = [r for r in meta.get("removed") or () if isinstance(r, Mapping)]
        chars_out = len(text)
        chars_removed = sum(len(str(r.get("text") or "")) for r in removed)
        chars_in = _int(meta.get("chars_in"), chars_out + chars_removed)
        self.chars_in += chars_in
        self.chars_out += chars_out
        self.length_before[length_bin(chars_in)] += 1
        self.length_after[length_bin(chars_out)] += 1
        for removal in removed:
            reason = str(removal.get("reason") or "unknown")
            rule = str(removal.get("rule") or "unknown")
            self.chars_removed[reason] += len(str(removal.get("text") or ""))
            self.spans_removed[reason] += 1
            self.rules[rule] += 1
            self.rule_reasons.setdefault(rule, reason)
            evidence = removal.get("evidence") or {}
            if "learned" in evidence or rule.startswith("learned"):
                self._count_learned(str(removal.get("text") or ""), evidence)
        self._count_language(meta, self.languages_kept)
        row = self._source(meta)
        row.docs += 1
        row.kept += 1
        row.chars_in += chars_in
        row.chars_removed += chars_removed
        cluster, size = meta.get("cluster"), meta.get("cluster_size")
        if (
            cluster is not None
            and isinstance(size, int)
            and size > 1
            and len(self.cluster_declared) < MAX_CLUSTERS
        ):
            self.cluster_declared[str(cluster)] = size
        if chars_removed:
            entry = (chars_removed, -self._seen, dict(record))
            if len(self._edited) < MOST_EDITED:
                heapq.heappush(self._edited, entry)
            elif entry[:2] > self._edited[0][:2]:
                heapq.heapreplace(self._edited, entry)

    def add_dropped(self, record: Mapping[str, Any]) -> None:
        """Count a dropped document (a dropped.jsonl row)."""
        self._seen += 1
        reason = str(record.get("reason") or "unknown")
        self.dropped[reason] += 1
        meta = record.get("metadata") or {}
        chars_in = _int(meta.get("chars_in"), len(str(record.get("text") or "")))
        self.chars_in += chars_in
        self.length_before[length_bin(chars_in)] += 1
        self._count_language(meta, self.languages_dropped)
        row = self._source(meta)
        row.docs += 1
        row.dropped += 1
        if reason == "duplicate":
            row.duplicates += 1
            cluster = str(record.get("cluster") or record.get("duplicate_of") or record.get("id"))
            first_of_cluster = cluster not in self.cluster_members
            if not first_of_cluster or len(self.cluster_members) < MAX_CLUSTERS:
                self.cluster_members[cluster] += 1
            if first_of_cluster and len(self.duplicate_sample) < DUPLICATE_SAMPLE:
                self.duplicate_sample.append(dict(record))
            return
        sample = self.dropped_sample.setdefault(reason, [])
        if len(sample) < DROPPED_SAMPLE:
            evidence = {k: v for k, v in record.items() if k not in ("id", "reason", "text", "metadata")}
            sample.append({"id": record.get("id"), "evidence": evidence})

    def add_error(self, row: Mapping[str, Any]) -> None:
        """Count a record that could not be read (an errors.jsonl row)."""
        self._seen += 1
        self.errors += 1
        if len(self.error_sample) < ERROR_SAMPLE:
            self.error_sample.append(dict(row))

    def merge(self, later: ReportCollector) -> None:
        """Add the statistics of records that came after this collector's (a later partition).

        Counts, histograms, the most-edited documents and the first records of each sample
        come out as if one collector had seen both streams in order, provided `later` was
        started with `start_at` above every position seen here (partition-ordered seqs). A
        duplicate cluster first seen in `later` may be missing from the duplicate sample when
        `later` filled its own sample with clusters seen here first.
        """
        known_clusters = set(self.cluster_members)
        self.kept += later.kept
        self.errors += later.errors
        self.chars_in += later.chars_in
        self.chars_out += later.chars_out
        for mine, theirs in (
            (self.dropped, later.dropped),
            (self.chars_removed, later.chars_removed),
            (self.spans_removed, later.spans_removed),
            (self.rules, later.rules),
            (self.languages_kept, later.languages_kept),
            (self.languages_dropped, later.languages_dropped),
            (self.learned_lines, later.learned_lines),
        ):
            mine.update(theirs)
        for rule, reason in later.rule_reasons.items():
            self.rule_reasons.setdefault(rule, reason)
        self.learned_evidence.update(later.learned_evidence)
        self.length_before = [a + b for a, b in zip(self.length_before, later.length_before, strict=True)]
        self.length_after = [a + b for a, b in zip(self.length_after, later.length_after, strict=True)]
        for name, row in later.sources.items():
            if name not in self.sources and len(self.sources) >= MAX_SOURCES:
                name = OTHER_SOURCE
            mine_row = self.sources.setdefault(name, SourceRow())
            mine_row.docs += row.docs
            mine_row.kept += row.kept
            mine_row.dropped += row.dropped
            mine_row.duplicates += row.duplicates
            mine_row.chars_in += row.chars_in
            mine_row.chars_removed += row.chars_removed
        for cluster, members in later.cluster_members.items():
            if cluster in self.cluster_members or len(self.cluster_members) < MAX_CLUSTERS:
                self.cluster_members[cluster] += members
        for cluster, size in later.cluster_declared.items():
            if cluster in self.cluster_declared or len(self.cluster_declared) < MAX_CLUSTERS:
                self.cluster_declared[cluster] = size
        for record in later.duplicate_sample:
            cluster = str(record.get("cluster") or record.get("duplicate_of") or record.get("id"))
            if cluster not in known_clusters and len(self.duplicate_sample) < DUPLICATE_SAMPLE:
                self.duplicate_sample.append(record)
        for reason, sample in later.dropped_sample.items():
            mine_sample = self.dropped_sample.setdefault(reason, [])
            mine_sample.extend(sample[: DROPPED_SAMPLE - len(mine_sample)])
        self.error_sample.extend(later.error_sample[: ERROR_SAMPLE - len(self.error_sample)])
        self._edited = heapq.nlargest(MOST_EDITED, self._edited + later._edited, key=lambda e: e[:2])
        heapq.heapify(self._edited)
        self._seen = max(self._seen, later._seen)
        if len(self.learned_lines) > MAX_LINES:
            keep = dict(self.learned_lines.most_common(MAX_LINES // 2))
            self.learned_lines = Counter(keep)
            self.learned_evidence = {k: v for k, v in self.learned_evidence.items() if k in keep}

    def start_at(self, position: int) -> ReportCollector:
        """Number the records this collector sees from `position` (a partition's first seq): ties
        between equally edited documents then go to the earlier one across merged collectors."""
        self._seen = position
        return self

    @property
    def docs_in(self) -> int:
        """Every record seen: kept, dropped or an error."""
        return self.kept + sum(self.dropped.values()) + self.errors

    def most_edited(self) -> list[dict[str, Any]]:
        """The kept documents with the most characters removed, most first (ties: input order)."""
        return [record for _, _, record in sorted(self._edited, key=lambda e: (-e[0], -e[1]))]

    def cluster_sizes(self) -> Counter[int]:
        """Number of duplicate clusters of each size (the kept document plus its duplicates)."""
        sizes = {cluster: members + 1 for cluster, members in self.cluster_members.items()}
        for cluster, size in self.cluster_declared.items():
            sizes[cluster] = max(sizes.get(cluster, 0), size)
        return Counter(sizes.values())

    def source_rows(self) -> list[tuple[str, SourceRow]]:
        """Sources by number of documents, most first."""
        return sorted(self.sources.items(), key=lambda item: (-item[1].docs, item[0]))

    def _source(self, meta: Mapping[str, Any]) -> SourceRow:
        name = meta.get("source")
        key = str(name) if name not in (None, "") else NO_SOURCE
        if key not in self.sources and len(self.sources) >= MAX_SOURCES:
            key = OTHER_SOURCE
        row = self.sources.get(key)
        if row is None:
            row = self.sources[key] = SourceRow()
        return row

    def _count_language(self, meta: Mapping[str, Any], counter: Counter[str]) -> None:
        lang = meta.get("lang")
        counter[str(lang) if lang not in (None, "") else "unknown"] += 1

    def _count_learned(self, text: str, evidence: Mapping[str, Any]) -> None:
        line = " ".join(text.split())[:LINE_CHARS]
        if not line:
            return
        self.learned_lines[line] += 1
        if "learned" in evidence:
            self.learned_evidence[line] = str(evidence["learned"])
        if len(self.learned_lines) > MAX_LINES:
            keep = dict(self.learned_lines.most_common(MAX_LINES // 2))
            self.learned_lines = Counter(keep)
            self.learned_evidence = {k: v for k, v in self.learned_evidence.items() if k in keep}


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default
