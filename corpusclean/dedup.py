"""Exact and near-duplicate documents: MinHash signatures, banded LSH, verified clusters, keep policy.

A document's *features* (exact hash of its fingerprint text, MinHash signature over
fingerprint word shingles, LSH band keys) are computed per document, in the worker
processes. Corpus-level decisions happen in one process, in input order:

* `Deduplicator` is the library form: streaming, query then insert, first-seen kept.
* `DedupStage` is the pipeline's corpus stage: a first pass observes every document
  (candidate pairs from LSH, each verified before it becomes an edge), clusters are
  the connected components of the verified edges split around representatives chosen
  by the keep policy, and a second pass drops every non-representative.

Clusters never chain: a member joins a cluster only when it is itself similar enough
to the cluster's representative, so A~B~C with A and C far apart leaves C on its own.
Signatures are bit-identical to datasketch 2.x (`affine32`), so `Deduplicator.minhash`
hands users a `LeanMinHash` that datasketch's `MinHashLSH` accepts.
"""

from __future__ import annotations

import array
import math
import os
import struct
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
import xxhash
from numpy.typing import NDArray

from .config import Config, DedupConfig
from .document import Document, Drop, Reason
from .errors import ConfigError
from .index import IndexedDoc, IndexStore, open_index
from .minhash import SCHEME, MinHasher, Signature, jaccard_estimate

# Bump when `normalize.fingerprint` or the shingling changes what it produces: signatures
# in an index built before the change would silently stop matching.
FINGERPRINT_VERSION = "1"
# Seed of the exact-text key; band keys use seeds 0..bands-1, so the two never mix.
_EXACT_SEED = 0x45584143  # "EXAC"
# Every LSH candidate is verified before it becomes an edge, so a false candidate costs one
# Jaccard check while a missed one leaves a duplicate in: weigh misses 19 times more.
# At threshold 0.8 and 128 permutations this gives 16 bands × 8 rows (P(0.8) = 0.95).
FALSE_POSITIVE_WEIGHT = 0.05
# Exact verification first looks at the signature estimate: its standard deviation at
# J = 0.8 and 128 permutations is 0.035, so an estimate 0.15 below the threshold (over 4
# deviations) rules a pair out without reading its shingle set back from disk.
_PREFILTER_MARGIN = 0.15
_BLOCK = 1 << 14  # signatures per storage block: growth never copies what is stored


def detection_probability(similarity: float | NDArray[np.float64], bands: int, rows: int) -> Any:
    """P(two documents of Jaccard `similarity` share at least one band): 1 - (1 - s^r)^b."""
    return 1.0 - (1.0 - np.power(similarity, rows)) ** bands


@lru_cache(maxsize=64)
def lsh_params(
    threshold: float, num_perm: int, fp_weight: float = 0.5, fn_weight: float = 0.5
) -> tuple[int, int]:
    """Bands and rows (b·r ≤ num_perm) minimizing the weighted false-positive and false-negative areas.

    The false-positive area is the integral of the detection probability below the
    threshold, the false-negative area the integral of its complement above it (the
    criterion of Leskovec, Rajaraman & Ullman, *Mining of Massive Datasets*, ch. 3, and
    of datasketch's `MinHashLSH`); both are evaluated for every (b, r) at once.
    """
    grid = 1001
    low = np.linspace(0.0, threshold, grid)
    high = np.linspace(threshold, 1.0, grid)
    best = (1, num_perm)
    best_error = math.inf
    for bands in range(1, num_perm + 1):
        rows = np.arange(1, num_perm // bands + 1)[:, np.newaxis]
        fp = np.asarray(np.trapezoid(1.0 - (1.0 - low**rows) ** bands, low, axis=1))
        fn = np.asarray(np.trapezoid((1.0 - high**rows) ** bands, high, axis=1))
        errors = fp_weight * fp + fn_weight * fn
        index = int(np.argmin(errors))
        if errors[index] < best_error - 1e-15:
            best_error = float(errors[index])
            best = (bands, index + 1)
    return best


@dataclass(frozen=True, slots=True)
class DedupFeatures:
    """What dedup needs of one document, computed where the document is processed."""

    exact: int  # xxh3-64 of the fingerprint text
    words: int  # fingerprint words
    chars: int  # characters of the clean text
    signature: Signature | None  # None below `min_words`: matched by exact hash only
    keys: tuple[int, ...]  # LSH band keys, then the exact key when exact matching is on
    shingles: NDArray[np.uint32] | None = None  # sorted unique shingle hashes (verify="exact")

    def packed(self, *, shingles: bool = True) -> bytes:
        """Everything but the band keys as one bytes value: what verification reads, to ship.

        Executors that move features between processes (the Dask engine's verification
        join) send these: bytes pickle and size at memory speed, a dataclass of arrays does
        not. Without `shingles`, what `Deduplicator.may_verify` reads (about 540 bytes).
        """
        signature = self.signature
        shingles = self.shingles if shingles else None
        header = _PACKED_HEADER.pack(
            self.exact,
            self.words,
            self.chars,
            -1 if signature is None else len(signature),
            -1 if shingles is None else len(shingles),
        )
        parts = [header]
        for values in (signature, shingles):
            if values is not None:
                parts.append(values.astype("<u4", copy=False).tobytes())
        return b"".join(parts)

    @classmethod
    def unpacked(cls, blob: bytes) -> DedupFeatures:
        """The features `packed` wrote, without band keys (read-only arrays over `blob`)."""
        exact, words, chars, sig_len, sh_len = _PACKED_HEADER.unpack_from(blob)
        offset = _PACKED_HEADER.size
        arrays: list[NDArray[np.uint32] | None] = []
        for length in (sig_len, sh_len):
            if length < 0:
                arrays.append(None)
                continue
            arrays.append(
                np.frombuffer(blob, dtype="<u4", count=length, offset=offset).astype(np.uint32, copy=False)
            )
            offset += 4 * length
        return cls(exact, words, chars, arrays[0], (), arrays[1])


# exact, words, chars, signature length, shingle count (-1: None)
_PACKED_HEADER = struct.Struct("<Qqqqq")


@dataclass(frozen=True, slots=True)
class Match:
    """A verified duplicate: which document it duplicates, with what similarity, in which cluster."""

    duplicate_of: str
    similarity: float
    cluster: str
    earlier_run: bool = False

    def drop(self) -> Drop:
        """The document-level decision for the duplicate."""
        similarity = round(self.similarity, 4)
        evidence = {"duplicate_of": self.duplicate_of, "cluster": self.cluster, "similarity": similarity}
        if self.earlier_run:
            evidence["earlier_run"] = True
        return Drop(Reason.DUPLICATE, evidence)


class BandTable:
    """Band key → document numbers: a compiled open-addressing hash table in two numpy arrays.

    Each (key, document) pair takes one 12-byte slot (a uint64 key, a uint32 document), no
    Python object each; the table doubles before it is 70 % full, so it holds 17 to 34 bytes
    per pair. Insertion and look-up are one compiled call per document, whatever the number
    of bands (`_kernels.table_insert`, `table_lookup`).
    """

    _MAX_LOAD = 0.7

    def __init__(self, capacity: int = 1 << 12) -> None:
        bits = max(int(capacity - 1).bit_length(), 4)
        self._keys, self._docs, self._shift = _empty_slots(bits)
        self._count = 0

    def __len__(self) -> int:
        return self._count

    @property
    def nbytes(self) -> int:
        """Bytes held by the slots."""
        return self._keys.nbytes + self._docs.nbytes

    def add(self, keys: Iterable[int] | NDArray[np.uint64], doc: int) -> None:
        """Record that document `doc` has each of `keys`."""
        from . import _kernels

        wanted = _key_array(keys)
        if not 0 <= doc < 0xFFFFFFFF:
            raise ValueError(f"document number out of range: {doc}")
        while self._count + len(wanted) > self._MAX_LOAD * len(self._keys):
            self._grow()
        _kernels.table_insert(self._keys, self._docs, wanted, doc, self._shift)
        self._count += len(wanted)

    def lookup(self, keys: Iterable[int] | NDArray[np.uint64]) -> list[int]:
        """Documents sharing at least one key, in increasing order."""
        from . import _kernels

        wanted = _key_array(keys)
        if not len(wanted) or not self._count:
            return []
        return _kernels.table_lookup(self._keys, self._docs, wanted, self._shift).tolist()  # type: ignore[no-any-return]

    def _grow(self) -> None:
        from . import _kernels

        keys, docs, shift = _empty_slots(len(self._keys).bit_length())
        _kernels.table_rehash(self._keys, self._docs, keys, docs, shift)
        self._keys, self._docs, self._shift = keys, docs, shift


def _empty_slots(bits: int) -> tuple[NDArray[np.uint64], NDArray[np.uint32], np.uint64]:
    """2**bits empty slots and the shift that maps a mixed key to its home slot."""
    return (
        np.zeros(1 << bits, dtype=np.uint64),
        np.full(1 << bits, 0xFFFFFFFF, dtype=np.uint32),
        np.uint64(64 - bits),
    )


def _key_array(keys: Iterable[int] | NDArray[np.uint64]) -> NDArray[np.uint64]:
    if isinstance(keys, np.ndarray):
        return np.ascontiguousarray(keys, dtype=np.uint64)
    return np.array(keys if isinstance(keys, tuple | list) else list(keys), dtype=np.uint64)


class _ShingleSpill:
    """Shingle-hash sets kept on disk (a temporary file), for exact verification in bounded memory.

    Memory per document is 12 bytes (offset and length), plus a write buffer of at most
    `buffer_bytes`; the sets themselves, 4 bytes per distinct shingle, are read back with
    `pread` only when a candidate pair is verified.
    """

    def __init__(self, buffer_bytes: int = 1 << 20) -> None:
        self._file: Any = None
        self._end = 0  # bytes written, buffered ones included
        self._buffer = bytearray()  # the last bytes written, from `_end - len(_buffer)`
        self._buffer_bytes = buffer_bytes
        self._offsets = array.array("Q")
        self._counts = array.array("I")

    @property
    def nbytes(self) -> int:
        return 12 * len(self._offsets) + len(self._buffer)

    def add(self, shingles: NDArray[np.uint32] | None) -> None:
        self._offsets.append(self._end)
        if shingles is None:
            self._counts.append(0xFFFFFFFF)
            return
        self._buffer += shingles.astype("<u4", copy=False).tobytes()
        self._end += 4 * len(shingles)
        self._counts.append(len(shingles))
        if len(self._buffer) >= self._buffer_bytes:
            self._flush()

    def get(self, number: int) -> NDArray[np.uint32] | None:
        count = self._counts[number]
        if count == 0xFFFFFFFF:
            return None
        offset = self._offsets[number]
        flushed = self._end - len(self._buffer)
        if offset >= flushed:
            data = bytes(self._buffer[offset - flushed : offset - flushed + 4 * count])
        else:
            data = os.pread(self._file.fileno(), 4 * count, offset)
        return np.frombuffer(data, dtype="<u4").astype(np.uint32, copy=False)

    def _flush(self) -> None:
        if self._file is None:
            # Lives as long as the Deduplicator; `close()` releases it.
            self._file = tempfile.TemporaryFile(prefix=".corpusclean-shingles-")  # noqa: SIM115
        start = self._end - len(self._buffer)
        done = 0
        while done < len(self._buffer):  # pwrite may write less than asked
            done += os.pwrite(
                self._file.fileno(), self._buffer[done:] if done else self._buffer, start + done
            )
        self._buffer.clear()

    def close(self) -> None:
        self._buffer.clear()
        if self._file is not None:
            self._file.close()
            self._file = None


class _Members:
    """The documents dedup remembers: ids, sources, exact hashes and signatures, compactly."""

    def __init__(self, num_perm: int) -> None:
        self.num_perm = num_perm
        self.ids: list[str] = []
        self.sources: list[str | None] = []
        self.exact = array.array("Q")
        self.words = array.array("I")
        self.chars = array.array("Q")
        self._blocks: list[NDArray[np.uint32]] = []
        self._has_signature = bytearray()
        self.shingles = _ShingleSpill()
        self._source_names: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def nbytes(self) -> int:
        """Bytes held by signatures and the fixed-size columns (ids and sources excluded)."""
        columns = self.exact.itemsize * len(self.exact) + 12 * len(self.words) + len(self._has_signature)
        columns += self.shingles.nbytes
        return sum(block.nbytes for block in self._blocks) + columns

    def add(self, doc_id: str, source: str | None, features: DedupFeatures) -> int:
        number = len(self.ids)
        self.ids.append(doc_id)
        # Sources repeat (a few sites per dump): keep one string object per distinct source.
        self.sources.append(self._source_names.setdefault(source, source) if source is not None else None)
        self.exact.append(features.exact)
        self.words.append(min(features.words, 0xFFFFFFFF))
        self.chars.append(features.chars)
        if number % _BLOCK == 0:
            self._blocks.append(np.zeros((_BLOCK, self.num_perm), dtype=np.uint32))
        if features.signature is not None:
            self._blocks[number // _BLOCK][number % _BLOCK] = features.signature
        self._has_signature.append(features.signature is not None)
        self.shingles.add(features.shingles)
        return number

    def signature(self, number: int) -> Signature | None:
        if not self._has_signature[number]:
            return None
        return np.asarray(self._blocks[number // _BLOCK][number % _BLOCK], dtype=np.uint32)


class Deduplicator:
    """Exact and near-duplicate detection over any iterable of documents; first seen is kept.

    Streaming: each document is checked against the documents kept so far (and the
    persistent index, when one is given), then remembered if kept. State per kept
    document: a signature (4 bytes × `num_perm`), its band keys (12-byte hash-table slots), an
    exact hash and the id; never its text.

    >>> dedup = Deduplicator()
    >>> text = "Le sommet pour l'action sur l'intelligence artificielle s'est ouvert lundi à Paris. " * 3
    >>> [doc.id for doc in dedup.filter([Document("a", text), Document("b", text.upper())])]
    ['a']
    """

    def __init__(self, config: DedupConfig | None = None, *, index: str | Path | None = None) -> None:
        self.config = config or DedupConfig()
        self.bands, self.rows = lsh_params(
            self.config.threshold, self.config.num_perm, FALSE_POSITIVE_WEIGHT, 1.0 - FALSE_POSITIVE_WEIGHT
        )
        self.hasher = MinHasher(self.config.num_perm, self.config.seed, self.config.hash)
        # Kept as given: a trailing separator asks for a new Parquet index directory.
        self.index_path: str | None = str(index) if index is not None else self.config.index
        self._index: IndexStore | None = None
        self._table = BandTable()
        self._members = _Members(self.config.num_perm)
        self._to_persist: list[int] = []

    # -- per document (runs in workers) ---------------------------------------------------

    def features(self, text: str) -> DedupFeatures:
        """Exact hash, signature and band keys of one clean text."""
        from .normalize import fingerprint_bytes

        encoded = fingerprint_bytes(text)
        exact = xxhash.xxh3_64_intdigest(encoded, seed=_EXACT_SEED)
        words = encoded.count(b" ") + 1 if encoded else 0
        exact_keys = (exact,) if self.config.exact else ()
        if words < max(self.config.min_words, 1):
            return DedupFeatures(exact, words, len(text), None, exact_keys)
        hashes = self.shingle_hashes(encoded)
        # Exact verification needs the sorted distinct set; the signature does not (a
        # minimum ignores repeats), so only "exact" pays for the sort.
        shingles = sorted_unique(hashes) if self.config.verify == "exact" else None
        signature = self.hasher.signature_of_hashes(hashes if shingles is None else shingles)
        return DedupFeatures(
            exact, words, len(text), signature, self.band_keys(signature) + exact_keys, shingles
        )

    def shingle_hashes(self, folded: bytes) -> NDArray[np.uint32]:
        """32-bit hashes of the word shingles of a fingerprint text (UTF-8), in bulk."""
        return self.hasher.word_shingle_hashes(folded, self.config.shingle_words)

    def band_keys(self, signature: Signature) -> tuple[int, ...]:
        """One 64-bit key per band: xxh3-64 of the band's rows, seeded by the band number."""
        rows = self.rows
        raw = signature.astype("<u4", copy=False).tobytes()
        width = 4 * rows
        return tuple(
            xxhash.xxh3_64_intdigest(raw[band * width : (band + 1) * width], seed=band)
            for band in range(self.bands)
        )

    def minhash(self, text: str) -> Any:
        """The signature of `text` as a datasketch `LeanMinHash` (for `MinHashLSH` users)."""
        from datasketch import LeanMinHash

        features = self.features(text)
        signature = features.signature
        if signature is None:  # a short text still has a signature, only dedup ignores it
            signature = self.hasher.signature_of_hashes(self.shingle_hashes(_folded(text)))
        return LeanMinHash(self.hasher.to_datasketch(signature))

    # -- corpus state (one process) -------------------------------------------------------

    def manifest(self) -> dict[str, str]:
        """Every setting a stored signature or band key depends on (compared when an index opens)."""
        return {
            "scheme": SCHEME,
            "seed": str(self.config.seed),
            "num_perm": str(self.config.num_perm),
            "hash": self.config.hash,
            "shingle_words": str(self.config.shingle_words),
            "fingerprint_version": FINGERPRINT_VERSION,
            "bands": str(self.bands),
            "rows": str(self.rows),
            "band_key": "xxh3_64",
            "exact_key": "xxh3_64",
        }

    @property
    def index(self) -> IndexStore | None:
        """The persistent index, opened (and locked) on first use."""
        if self._index is None and self.index_path is not None:
            self._index = open_index(self.index_path, self.manifest())
        return self._index

    def similarity(self, features: DedupFeatures, member: int) -> float:
        """Verified similarity of a document to a remembered one: exact Jaccard when both
        shingle sets are at hand, else the signature estimate; 1.0 for identical texts."""
        members = self._members
        if self.config.exact and features.exact == members.exact[member]:
            return 1.0
        signature = members.signature(member)
        if features.signature is None or signature is None:
            return 0.0
        return self._verified(features, signature, partial(members.shingles.get, member))

    def pair_similarity(self, features: DedupFeatures, other: DedupFeatures) -> float:
        """Verified similarity of two documents from their features alone, as `similarity` scores them.

        For executors that bring both documents' features together (the Dask engine verifies
        each candidate pair where both are), with the same exact shortcut and verification.
        """
        if self.config.exact and features.exact == other.exact:
            return 1.0
        if features.signature is None or other.signature is None:
            return 0.0
        return self._verified(features, other.signature, lambda: other.shingles)

    def may_verify(self, features: DedupFeatures, other: DedupFeatures) -> bool:
        """False when `pair_similarity(features, other)` is certainly below the threshold, from the
        exact hashes and signatures alone (shingle sets are not read).

        It is `pair_similarity`'s own first test: a signature estimate below the threshold by
        more than the pre-filter margin is the final score. Executors that ship features per
        candidate pair (the Dask engine) screen with it before shipping the shingle sets.
        """
        if self.config.exact and features.exact == other.exact:
            return True
        if features.signature is None or other.signature is None:
            return False
        return (
            jaccard_estimate(features.signature, other.signature) >= self.config.threshold - _PREFILTER_MARGIN
        )

    def _verified(
        self, features: DedupFeatures, signature: Signature, fetch: Callable[[], NDArray[np.uint32] | None]
    ) -> float:
        """Exact Jaccard when both shingle sets exist and the estimate is close enough, else the estimate.

        `fetch` reads the other document's shingle set (from the spill or the index) only when needed.
        """
        assert features.signature is not None
        estimate = jaccard_estimate(features.signature, signature)
        if features.shingles is None or estimate < self.config.threshold - _PREFILTER_MARGIN:
            return estimate
        other = fetch()
        if other is None:
            return estimate
        inter = len(np.intersect1d(features.shingles, other, assume_unique=True))
        return inter / (len(features.shingles) + len(other) - inter)

    def candidates(self, features: DedupFeatures) -> list[tuple[int, float]]:
        """Remembered documents at or above the threshold, verified: (number, similarity), by number."""
        found = []
        for member in self._table.lookup(features.keys):
            score = self.similarity(features, member)
            if score >= self.config.threshold:
                found.append((member, score))
        return found

    def match_index(self, features: DedupFeatures) -> Match | None:
        """The best verified match among documents kept by earlier runs (the persistent index)."""
        store = self.index
        if store is None or not features.keys:
            return None
        best: Match | None = None
        for doc in store.query(features.keys):
            score = self.indexed_similarity(features, doc, partial(store.shingles, doc.row))
            if score >= self.config.threshold and (best is None or score > best.similarity):
                best = Match(doc.id, score, doc.id, earlier_run=True)
        return best

    def indexed_similarity(
        self, features: DedupFeatures, doc: IndexedDoc, fetch: Callable[[], NDArray[np.uint32] | None]
    ) -> float:
        """Verified similarity of a document to one kept by an earlier run (`fetch` reads its shingles).

        The one scoring rule for both engines: the Dask engine scores index candidates with it too.
        """
        if self.config.exact and doc.exact == features.exact:
            return 1.0
        if doc.signature is None or features.signature is None:
            return 0.0
        return self._verified(features, doc.signature, fetch)

    def remember(self, doc_id: str, features: DedupFeatures, source: str | None = None) -> int:
        """Add a document to the in-memory state; returns its number."""
        number = self._members.add(doc_id, source, features)
        self._table.add(features.keys, number)
        return number

    def keep(self, number: int) -> None:
        """Mark a remembered document as kept, to be written to the index on `commit()`."""
        self._to_persist.append(number)

    def member_id(self, number: int) -> str:
        """The id of a remembered document."""
        return self._members.ids[number]

    def check(self, doc_id: str, features: DedupFeatures, source: str | None = None) -> Match | None:
        """Streaming step: the best match among earlier kept documents, or None (then remembered)."""
        match = self.match_index(features)
        if match is not None:
            return match
        found = self.candidates(features)
        if found:
            member, score = max(found, key=lambda item: (item[1], -item[0]))
            name = self._members.ids[member]
            return Match(name, score, name)
        self.keep(self.remember(doc_id, features, source))
        return None

    def deduplicate(self, docs: Iterable[Document]) -> Iterator[tuple[Document, Match | None]]:
        """Every document with its verdict (None: kept), first-seen kept, lazily."""
        for doc in docs:
            source = doc.metadata.get("source")
            yield (
                doc,
                self.check(doc.id, self.features(doc.text), str(source) if source is not None else None),
            )

    def filter(self, docs: Iterable[Document]) -> Iterator[Document]:
        """Only the kept documents, lazily."""
        for doc, match in self.deduplicate(docs):
            if match is None:
                yield doc

    @property
    def nbytes(self) -> int:
        """Bytes of the in-memory state held in arrays (signatures, band keys, hashes)."""
        return self._members.nbytes + self._table.nbytes

    def commit(self) -> int:
        """Write the kept documents to the index (if any) and commit; returns how many."""
        store = self.index
        if store is None:
            return 0
        members = self._members
        for number in self._to_persist:
            signature = members.signature(number)
            features_keys = self._keys_of(number, signature)
            store.add(
                members.ids[number],
                members.sources[number],
                members.exact[number],
                signature,
                features_keys,
                members.shingles.get(number),
            )
        self._to_persist.clear()
        return store.commit()

    def _keys_of(self, number: int, signature: Signature | None) -> tuple[int, ...]:
        keys = self.band_keys(signature) if signature is not None else ()
        return keys + ((self._members.exact[number],) if self.config.exact else ())

    def close(self) -> None:
        """Release the index (uncommitted additions are rolled back) and the spilled shingle sets."""
        self._members.shingles.close()
        if self._index is not None:
            self._index.close()
            self._index = None

    def __enter__(self) -> Deduplicator:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if kind is None:
            self.commit()
        self.close()

    def __getstate__(self) -> dict[str, Any]:
        # Worker processes only compute features: they get the settings, never the index.
        return {"config": self.config, "index_path": self.index_path}

    def __setstate__(self, state: Mapping[str, Any]) -> None:
        self.__init__(state["config"], index=state["index_path"])  # type: ignore[misc]


def sorted_unique(values: NDArray[np.uint32]) -> NDArray[np.uint32]:
    """The distinct values ascending, as `numpy.unique` gives them, at a fifth of its cost.

    numpy 2.x's `unique` runs a hash-table pass before sorting; for a few hundred shingle
    hashes a sort and one comparison of neighbours is much cheaper.
    """
    ordered = np.sort(values)
    if ordered.size < 2:
        return ordered
    keep = np.empty(ordered.size, dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def _folded(text: str) -> bytes:
    from .normalize import fingerprint_bytes

    return fingerprint_bytes(text)


class _UnionFind:
    """Disjoint sets over 0..n-1 (path halving, union by smaller root for determinism)."""

    def __init__(self) -> None:
        self.parent: list[int] = []

    def add(self) -> None:
        self.parent.append(len(self.parent))

    def find(self, item: int) -> int:
        parent = self.parent
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    def union(self, first: int, second: int) -> None:
        a, b = self.find(first), self.find(second)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


class DedupStage:
    """The pipeline's corpus stage: observe every document, cluster, then keep one per cluster.

    First pass (`observe`, in input order): a document that duplicates one kept by an
    earlier run (the index) is settled at once; every other is remembered, and its LSH
    candidates among the documents of this run, once verified, become edges. `finish`
    takes the connected components of those edges (union-find) and splits each around
    representatives: members are visited in keep-policy order and each joins the most
    similar representative it has a verified edge to, or becomes one itself. Second pass
    (`decide`): representatives are kept with `cluster`/`cluster_size`, the others dropped.
    """

    name = "dedup"

    def __init__(self, config: DedupConfig) -> None:
        self.config = config
        self.dedup = Deduplicator(config)
        self.policy, _, self.priority_field = config.keep.partition(":")
        self._member_at: list[int] = []  # observed ordinal → member number (-1: settled by the index)
        self._earlier: dict[int, Match] = {}
        self._edges: list[tuple[int, int, float]] = []
        self._ranks: list[tuple[Any, ...]] = []
        self._rep: list[int] = []
        self._similarity: list[float] = []
        self._size: dict[int, int] = {}
        self._stand_in: dict[int, tuple[int, float]] = {}
        self._components_split = 0
        self._finished = False

    @property
    def needs_corpus(self) -> bool:
        """Whether decisions need every document first (all policies but `first`)."""
        return self.policy != "first"

    def prepare(self, doc: Document) -> dict[str, Any]:
        """Per-document features (run in the worker that cleaned the document)."""
        return {"dedup": self.dedup.features(doc.text)}

    def observe(self, outcome: Any) -> None:
        """First pass: settle duplicates of earlier runs; remember the rest and their verified edges."""
        features = outcome.features.get("dedup")
        if features is None:
            features = self.dedup.features(outcome.doc.text)
        ordinal = len(self._member_at)
        match = self.dedup.match_index(features)
        if match is not None:
            self._earlier[ordinal] = match
            self._member_at.append(-1)
            return
        found = self.dedup.candidates(features)
        number = self.dedup.remember(outcome.doc.id, features, _source(outcome.doc))
        self._member_at.append(number)
        self._edges.extend((other, number, score) for other, score in found)
        if self.policy != "first":
            self._ranks.append(self._rank(outcome.doc, features, number))

    def _rank(self, doc: Document, features: DedupFeatures, number: int) -> tuple[Any, ...]:
        """Sort key of the keep policy: the smallest is the representative; input order breaks ties."""
        if self.policy == "longest":
            return (-features.chars, number)
        if self.policy == "earliest":
            date = doc.metadata.get("date")
            return (date is None, str(date) if date is not None else "", number)
        if self.policy == "priority":
            value = doc.metadata.get(self.priority_field)
            number_value = (
                float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
            )
            if number_value is None and isinstance(value, str):
                try:
                    number_value = float(value)
                except ValueError:
                    number_value = None
            return (number_value is None, -(number_value or 0.0), number)
        return (number,)

    def finish(self) -> None:
        """Cluster the verified edges; choose representatives by the keep policy."""
        rank = self._ranks if self.policy != "first" else None
        clusters = cluster_edges(len(self.dedup._members), self._edges, rank)
        self._rep, self._similarity = clusters.representative, clusters.similarity
        self._stand_in, self._components_split = clusters.stand_in, clusters.components_split
        for rep in self._rep:
            self._size[rep] = self._size.get(rep, 0) + 1
        self._finished = True

    def decide(self, outcome: Any) -> Drop | None:
        """Second pass: drop non-representatives; label representatives with their cluster."""
        if not self._finished:
            return self._decide_streaming(outcome)
        ordinal = outcome.features.get("corpus_seq")
        if ordinal is None:
            raise RuntimeError("DedupStage.decide needs the ordinal the first pass gave this document")
        earlier = self._earlier.get(ordinal)
        if earlier is not None:
            return earlier.drop()
        member = self._member_at[ordinal]
        rep = self._rep[member]
        size = self._size.get(rep, 1)
        rep_id = self.dedup.member_id(rep)
        if rep != member:
            return Match(rep_id, self._similarity[member], rep_id).drop()
        if self.policy == "none" and size > 1:
            stand_in, score = self._stand_in[member]
            return Match(self.dedup.member_id(stand_in), score, rep_id).drop()
        outcome.doc.metadata["cluster"] = rep_id
        outcome.doc.metadata["cluster_size"] = size
        self.dedup.keep(member)
        return None

    def _decide_streaming(self, outcome: Any) -> Drop | None:
        """One document at a time (no first pass): first-seen kept, the only streaming policy.

        A kept document gets `cluster` (its own id) but no `cluster_size`: its later copies
        are not seen yet.
        """
        if self.policy != "first":
            raise ConfigError(
                f"keep policy {self.config.keep!r} needs the whole corpus: use Cleaner.run or corpusclean.run"
            )
        features = outcome.features.get("dedup") or self.dedup.features(outcome.doc.text)
        match = self.dedup.check(outcome.doc.id, features, _source(outcome.doc))
        if match is not None:
            return match.drop()
        outcome.doc.metadata["cluster"] = outcome.doc.id
        return None

    def commit(self) -> int:
        """Make the kept documents durable in the index (no-op without one)."""
        return self.dedup.commit()

    def close(self) -> None:
        """Release the index; an uncommitted run leaves it as it was."""
        self.dedup.close()

    def report(self) -> dict[str, Any]:
        """Cluster figures for report.json, with clusters whose size is an outlier."""
        sizes = sorted(
            ((size, self.dedup.member_id(rep)) for rep, size in self._size.items() if size > 1),
            key=lambda item: (-item[0], item[1]),
        )
        values = np.array([size for size, _ in sizes], dtype=np.float64)
        fence = 0.0
        if len(values):
            q1, q3 = np.percentile(values, [25, 75])
            # Tukey's far-out fence, and never below 10: a handful of reposts is normal news life.
            fence = max(10.0, float(q3 + 3.0 * (q3 - q1)))
        return {
            "bands": self.dedup.bands,
            "rows": self.dedup.rows,
            "threshold": self.config.threshold,
            "keep": self.config.keep,
            "clusters": len(sizes),
            "duplicates": sum(size - 1 for size, _ in sizes) + (len(sizes) if self.policy == "none" else 0),
            "duplicates_of_earlier_runs": len(self._earlier),
            "chains_split": self._components_split,
            "largest_clusters": [{"cluster": name, "size": size} for size, name in sizes[:5]],
            "outlier_clusters": [{"cluster": name, "size": size} for size, name in sizes if size > fence],
            "state_bytes": self.dedup.nbytes,
        }


@dataclass(frozen=True, slots=True)
class Clusters:
    """Representatives of documents 0..n-1: what `cluster_edges` returns."""

    representative: list[int]  # a document's representative (itself when it is one)
    similarity: list[float]  # verified similarity to it (1.0 for representatives)
    stand_in: dict[int, tuple[int, float]]  # representative → its most similar member
    components_split: int  # connected components that needed more than one representative


def cluster_edges(
    count: int, edges: Iterable[tuple[int, int, float]], rank: Sequence[Any] | None = None
) -> Clusters:
    """Split the connected components of verified edges around representatives, without chaining.

    A pure function over numbers, so any executor can call it on the gathered edges.
    Members of a component are visited in `rank` order (input order when None); each joins
    the most similar representative it has an edge to (ties: the earlier-ranked one), or
    becomes a representative. Every member is therefore similar to its own representative.
    """
    union = _UnionFind()
    for _ in range(count):
        union.add()
    neighbours: dict[int, list[tuple[int, float]]] = {}
    for first, second, score in edges:
        union.union(first, second)
        neighbours.setdefault(first, []).append((second, score))
        neighbours.setdefault(second, []).append((first, score))
    representative = list(range(count))
    similarity = [1.0] * count
    stand_in: dict[int, tuple[int, float]] = {}
    split = 0
    components: dict[int, list[int]] = {}
    for member in sorted(neighbours):
        components.setdefault(union.find(member), []).append(member)
    for members in components.values():
        order = sorted(members, key=rank.__getitem__) if rank is not None else members
        position = {member: index for index, member in enumerate(order)}
        reps: set[int] = set()
        for member in order:
            best: tuple[int, float] | None = None
            for other, score in neighbours[member]:
                if other in reps and (best is None or _score_better(score, other, best, position)):
                    best = (other, score)
            if best is None:
                reps.add(member)
                continue
            representative[member], similarity[member] = best
            previous = stand_in.get(best[0])
            if previous is None or _score_better(best[1], member, previous, position):
                stand_in[best[0]] = (member, best[1])
        split += len(reps) > 1
    return Clusters(representative, similarity, stand_in, split)


def _score_better(
    score: float, member: int, previous: tuple[int, float], position: Mapping[int, int]
) -> bool:
    """Whether `member` (at `score`) is a better stand-in than `previous` (higher score, then order)."""
    return score > previous[1] or (score == previous[1] and position[member] < position[previous[0]])


def _source(doc: Document) -> str | None:
    source = doc.metadata.get("source")
    return str(source) if source is not None else None


def build_dedup(config: Config) -> list[DedupStage]:
    """The dedup corpus stage when enabled (for `build_corpus_stages`)."""
    return [DedupStage(config.dedup)] if config.dedup.enabled else []
