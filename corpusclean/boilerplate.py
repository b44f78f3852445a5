"""Boilerplate: the shipped and user rule packs, and lines learned per source from the corpus.

Rule packs (`corpusclean.rulepack`) catch what every site writes alike. What no pack can
anticipate is each site's own furniture: its slogan, its footer, its "Abonnez-vous"
variant. Those lines recur across many documents of the same source, so counting line
fingerprints per source over the corpus finds them (the idea of CCNet, Wenzek et al.
2020, which removes lines repeated within a shard; here counted per source, with
thresholds, so a sentence quoted by a few articles stays).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Self

import xxhash

from .config import Config, NormalizeConfig
from .document import Document, Reason, Span
from .errors import ConfigError
from .io.writers import write_json_atomic
from .normalize import fingerprint, fingerprint_lines_utf8, normalize_display
from .rulepack import RulePackDetector, resolve_rules
from .segment import SegmentedText

COUNTS_FORMAT = "corpusclean.boilerplate-counts"
COUNTS_VERSION = 1
# Documents with no source form one group, stored under this key.
NO_SOURCE = ""
# Runs of two or more zeros: the pattern starts with a literal, which `re` finds fast; single zeros stay.
_ZEROS = re.compile("00+")
_ZEROS_UTF8 = re.compile(b"00+")


class LearnedBoilerplate:
    """Mark lines that recur across many documents of the same source.

    `fit` counts, per source, in how many documents each line fingerprint occurs (once
    per document); `detect` marks a line when its count reaches `min_docs` and
    `min_share` of the source's documents. Lines longer than `long_chars` are exempt
    unless they reach `long_min_share`: a long paragraph shared by a few articles is a
    duplicate problem, not boilerplate. At most `max_lines` distinct fingerprints are
    kept; when the table is full the rarest entries are evicted, so counts are lower
    bounds and the cap can only make the detector miss lines, never remove more.
    """

    name = "learned"

    def __init__(
        self,
        *,
        min_docs: int = 5,
        min_share: float = 0.25,
        long_chars: int = 300,
        long_min_share: float = 0.5,
        max_lines: int = 2_000_000,
        source_field: str = "source",
        normalize: NormalizeConfig | None = None,
    ) -> None:
        if min_docs < 1:
            raise ValueError("min_docs must be at least 1")
        if not 0.0 < min_share <= 1.0 or not 0.0 < long_min_share <= 1.0:
            raise ValueError("shares must be in (0, 1]")
        if max_lines < 1:
            raise ValueError("max_lines must be at least 1")
        self.min_docs = min_docs
        self.min_share = min_share
        self.long_chars = long_chars
        self.long_min_share = long_min_share
        self.max_lines = max_lines
        self.source_field = source_field
        self.normalize = normalize or NormalizeConfig()
        self.docs: Counter[str] = Counter()
        self.counts: dict[str, Counter[int]] = {}
        self.evicted = 0
        self._size = 0

    def fit(self, documents: Iterable[Document]) -> Self:
        """Count line fingerprints per source over raw documents (added to any loaded counts)."""
        return self.fit_counted(map(self.count_document, documents))

    def count_document(self, doc: Document) -> tuple[str, tuple[int, ...]] | None:
        """What `fit` counts of one raw document: its source key and its distinct line hashes.

        Pure and independent of the counts, so worker processes can compute it for many
        documents at once while `fit_counted` adds the results in input order (the
        order matters once the table is full and evicts). None for an oversize document.
        """
        if doc.metadata.get("oversize"):
            return None
        value = doc.metadata.get(self.source_field)
        key = str(value) if value is not None else NO_SOURCE
        return key, self._line_hashes(normalize_display(doc.text, self.normalize))

    def fit_counted(self, counted: Iterable[tuple[str, tuple[int, ...]] | None]) -> Self:
        """Add what `count_document` returned for each document, in input order."""
        for item in counted:
            if item is not None:
                self._add_hashes(*item)
        return self

    def add(self, text: str, source: str | None = None) -> None:
        """Count one display-normalized document of `source`."""
        self._add_hashes(source if source is not None else NO_SOURCE, self._line_hashes(text))

    @staticmethod
    def _line_hashes(text: str) -> tuple[int, ...]:
        # A tuple in the set's own order: counted after a trip between processes, the
        # table's insertion order (which eviction follows) is the one a single process makes.
        # Blank lines fold to nothing, like lines of punctuation only: no need to segment.
        keys = _ZEROS_UTF8.sub(b"0", fingerprint_lines_utf8(text)).split(b"\n")
        return tuple({xxhash.xxh3_64_intdigest(key) for key in keys if key})

    def _add_hashes(self, key: str, seen: tuple[int, ...]) -> None:
        self.docs[key] += 1
        table = self.counts.setdefault(key, Counter())
        before = len(table)
        table.update(seen)
        self._size += len(table) - before
        if self._size > self.max_lines:
            self._evict()

    def update_counts(self, docs: Mapping[str, int], lines: Mapping[str, Mapping[int, int]]) -> None:
        """Add counts made elsewhere (per source: documents, and documents per line hash).

        Distributed executors count partitions apart and sum them; this adds the sums.
        """
        for source, count in docs.items():
            self.docs[source] += count
        for source, counts in lines.items():
            table = self.counts.setdefault(source, Counter())
            before = len(table)
            table.update(counts)
            self._size += len(table) - before
        if self._size > self.max_lines:
            self._evict()

    def detect(self, text: SegmentedText) -> Iterator[Span]:
        """Mark every line whose fingerprint is frequent enough in this document's source.

        A document made only of such lines is left alone: it is a copy of other documents,
        which de-duplication keeps once, not boilerplate to empty every copy of.
        """
        spans = list(self._frequent_lines(text))
        if len(spans) < len(text.lines):
            yield from spans

    def _frequent_lines(self, text: SegmentedText) -> Iterator[Span]:
        source = text.source if text.source is not None else NO_SOURCE
        table = self.counts.get(source)
        docs = self.docs.get(source, 0)
        if not table or docs < self.min_docs:
            return
        for line, value in zip(text.lines, _line_keys(text.line_fingerprints), strict=True):
            if not value:
                continue
            count = table.get(_line_hash(value), 0)
            share = count / docs
            if count < self.min_docs or share < self.min_share:
                continue
            if line.end - line.start > self.long_chars and share < self.long_min_share:
                continue
            evidence = {"count": count, "docs": docs, "source": text.source}
            yield Span(line.start, line.end, Reason.BOILERPLATE, f"learned:{count}/{docs}", evidence)

    def _evict(self) -> None:
        """Drop the rarest entries until the table is at most half full."""
        histogram: Counter[int] = Counter()
        for table in self.counts.values():
            histogram.update(table.values())
        target = self._size - self.max_lines // 2
        floor, freed = 0, 0
        for count in sorted(histogram):
            floor, freed = count, freed + histogram[count]
            if freed >= target:
                break
        for table in self.counts.values():
            rare = [key for key, count in table.items() if count <= floor]
            for key in rare:
                del table[key]
            self.evicted += len(rare)
            self._size -= len(rare)

    def to_dict(self) -> dict[str, Any]:
        """The counts as JSON-ready data; lines seen in a single document are left out."""
        sources = {
            source: {
                "docs": self.docs[source],
                "lines": {f"{key:016x}": n for key, n in sorted(table.items()) if n > 1},
            }
            for source, table in sorted(self.counts.items())
        }
        return {
            "format": COUNTS_FORMAT,
            "version": COUNTS_VERSION,
            "hash": "xxh3_64 of line_key() of each display-normalized line",
            "evicted": self.evicted,
            "sources": sources,
        }

    def save(self, path: str | Path) -> None:
        """Write the counts as JSON (atomically), for a later run to load."""
        write_json_atomic(Path(path), self.to_dict())

    def load(self, path: str | Path) -> Self:
        """Add the counts saved by an earlier run; a file of another kind is a `ConfigError`."""
        where = str(path)
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{where}: boilerplate counts file not found") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ConfigError(f"{where}: cannot read boilerplate counts: {error}") from None
        if not isinstance(data, dict) or data.get("format") != COUNTS_FORMAT:
            raise ConfigError(f"{where}: not a corpusclean boilerplate counts file")
        if data.get("version") != COUNTS_VERSION:
            raise ConfigError(f"{where}: boilerplate counts version {data.get('version')!r} is not supported")
        try:
            for source, entry in data["sources"].items():
                self.docs[str(source)] += int(entry["docs"])
                table = self.counts.setdefault(str(source), Counter())
                before = len(table)
                table.update({int(key, 16): int(n) for key, n in entry["lines"].items()})
                self._size += len(table) - before
            self.evicted += int(data.get("evicted", 0))
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise ConfigError(f"{where}: malformed boilerplate counts ({error})") from None
        if self._size > self.max_lines:
            self._evict()
        return self


class _SavingLearnedBoilerplate(LearnedBoilerplate):
    """A learned detector that writes its counts to a file once fitted (the CLI's option)."""

    def __init__(self, counts_out: str, **settings: Any) -> None:
        super().__init__(**settings)
        self.counts_out = counts_out

    def fit_counted(self, counted: Iterable[tuple[str, tuple[int, ...]] | None]) -> Self:
        """Count, then save to `counts_out`."""
        super().fit_counted(counted)
        self.save(self.counts_out)
        return self


def build_boilerplate_detectors(config: Config) -> list[Any]:
    """The rule-pack detector, then the learned one, as the configuration asks."""
    section = config.boilerplate
    detectors: list[Any] = []
    rules = resolve_rules(section.packs, section.rules, section.disable)
    if rules:
        timeout = section.regex_timeout if section.regex_timeout > 0 else None
        detectors.append(RulePackDetector(rules, timeout))
    if section.learned:
        settings: dict[str, Any] = {
            "min_docs": section.min_docs,
            "min_share": section.min_share,
            "long_chars": section.long_chars,
            "long_min_share": section.long_min_share,
            "max_lines": section.max_lines,
            "source_field": config.input.source_field,
            "normalize": config.normalize,
        }
        learned = (
            _SavingLearnedBoilerplate(section.counts_out, **settings)
            if section.counts_out
            else LearnedBoilerplate(**settings)
        )
        if section.counts:
            learned.load(section.counts)
        detectors.append(learned)
    return detectors


def _line_keys(fingerprints: Sequence[str]) -> list[str]:
    """`line_key` of each line, from the lines' fingerprints: runs of zeros folded in one pass."""
    return _ZEROS.sub("0", "\n".join(fingerprints)).split("\n")


def line_key(line: str) -> str:
    """What learned boilerplate counts for a line: its fingerprint with every number folded to 0.

    The fingerprint already maps each digit to 0; folding runs of them too makes
    "Publié le 3/11/2024" and "Publié le 14/9/2024" the same line, as they are.
    """
    return _ZEROS.sub("0", fingerprint(line))


def _line_hash(value: str) -> int:
    return xxhash.xxh3_64_intdigest(value.encode("utf-8"))
