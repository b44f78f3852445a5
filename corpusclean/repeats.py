"""Passages repeated inside one document: mark every later copy, keep the first.

Scraped articles repeat themselves: a re-scrape appended to itself, a corrected
paragraph pasted under the original, a teaser that repeats the lead. Two passes find
the copies, both in (near) linear time:

1. *Blocks* (paragraphs, or lines when the text has no blank lines): a MinHash signature
   of each block's word shingles, banded LSH for candidate pairs, exact Jaccard on the
   shingle sets before anything is marked. Matching blocks on the same diagonal grow
   into one repeated run, which may carry short blocks (a heading such as "Apaisement")
   along; a short block is never removed on its own.
2. *Unaligned runs*: the same passage pasted with other line breaks, or repeated inside
   one long line. Word n-grams (anchors) are hashed into a dictionary of first
   occurrences; a hit is extended word by word, across small edits, and verified by
   exact Jaccard on the shingles of both ranges.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, chain, pairwise
from typing import cast

import numpy as np
from numpy.typing import NDArray

from .config import RepeatsConfig
from .document import Reason, Span
from .minhash import MinHasher, jaccard, shingles
from .normalize import fingerprint, fingerprint_is_wordwise
from .segment import SegmentedText

# Candidate pairs must be found with at least this probability when their Jaccard
# equals the threshold; the exact check afterwards removes false positives.
_LSH_RECALL = 0.999
# Neighbouring blocks join a run at this fraction of the threshold (the run as a
# whole must still reach the threshold).
_EXTEND_FACTOR = 0.6
# Earlier bucket members tried as sources for one block: the first copy is enough,
# and a document of hundreds of identical paragraphs must not go quadratic.
_MAX_SOURCES = 4
# Anchor n-gram length for unaligned runs (words).
_ANCHOR_WORDS = 5
_WORD = re.compile(r"[^\W_]+")
_WORD_SPLIT = re.compile(r"([^\W_]+)")
# Closing punctuation that belongs to the last word of a removed run.
_CLOSING = frozenset('.,;:!?…»"”’)]\u00a0\u202f')


class _Words:
    """Fingerprint tokens of a text as ids, with their blocks; the strings and each token's
    character range on demand.

    Token strings matter only when blocks may repeat, character ranges only where a
    repeated run is reported, so neither is built for most documents.
    """

    __slots__ = (
        "_blocks",
        "_counts",
        "_lazy",
        "_ranges",
        "_text",
        "_tokens",
        "_word_first",
        "block_first",
        "ids",
    )

    def __init__(
        self,
        ids: NDArray[np.int64],
        tokens: list[str] | str,
        block_first: list[int],
        text: SegmentedText,
        counts: list[int] | None = None,
        word_first: list[int] | None = None,
        *,
        lazy: bool = False,
    ) -> None:
        self.ids = ids  # each token as the index of its first occurrence (equal tokens, equal ids)
        self._tokens = tokens  # the token strings, or a text whose `split()` they are
        self.block_first = block_first  # first token index of each block (len(blocks) + 1 entries)
        self._text = text.text
        self._blocks = text.blocks
        # When some word folds to other than one token: tokens per word, first word of each block.
        self._counts = counts
        self._word_first = word_first
        self._lazy = lazy  # tokens per word not known yet: counted per block when ranges are asked for
        self._ranges: dict[int, tuple[list[int], list[int]]] = {}

    @property
    def tokens(self) -> list[str]:
        """The token strings."""
        if isinstance(self._tokens, str):
            self._tokens = self._tokens.split()
        return self._tokens

    @property
    def starts(self) -> list[int]:
        """Where the word each token came from starts."""
        return [start for block in range(len(self._blocks)) for start in self._block_ranges(block)[0]]

    @property
    def ends(self) -> list[int]:
        """Where the word each token came from ends."""
        return [end for block in range(len(self._blocks)) for end in self._block_ranges(block)[1]]

    def block_of(self, token: int) -> int:
        """Index of the block holding a token."""
        return bisect.bisect_right(self.block_first, token) - 1

    def span_of(self, token: int) -> tuple[int, int]:
        """The characters of the word a token came from."""
        block = self.block_of(token)
        starts, ends = self._block_ranges(block)
        index = token - self.block_first[block]
        return starts[index], ends[index]

    def _block_ranges(self, block: int) -> tuple[list[int], list[int]]:
        ranges = self._ranges.get(block)
        if ranges is None:
            segment = self._blocks[block]
            # Separators and words alternate in the split; running sums of their lengths give
            # every word's range, all in C (no match object per word).
            parts = _WORD_SPLIT.split(self._text[segment.start : segment.end])
            offsets = list(accumulate(map(len, parts), initial=segment.start))
            starts, ends = offsets[1:-1:2], offsets[2::2]
            if self._counts is not None and self._word_first is not None:
                # A word folding to several tokens (or none): repeat its range.
                counts = self._counts[self._word_first[block] : self._word_first[block + 1]]
                starts = np.repeat(starts, counts).tolist()
                ends = np.repeat(ends, counts).tolist()
            elif self._lazy:
                counts = [len(_FOLDED.get(word) or _fold_word(word)) for word in parts[1::2]]
                if counts.count(1) != len(counts):
                    starts = np.repeat(starts, counts).tolist()
                    ends = np.repeat(ends, counts).tolist()
            ranges = self._ranges[block] = (starts, ends)
        return ranges


def optimal_bands(num_perm: int, threshold: float) -> tuple[int, int]:
    """Bands and rows per band: the most selective banding that still finds pairs at `threshold`.

    With `b` bands of `r` rows, two sets of Jaccard `s` share a bucket with probability
    `1 - (1 - s**r)**b` (Leskovec et al., Mining of Massive Datasets, ch. 3.4).
    """
    best = (num_perm, 1)
    for rows in range(1, num_perm + 1):
        bands = num_perm // rows
        if 1.0 - (1.0 - threshold**rows) ** bands >= _LSH_RECALL:
            best = (bands, rows)
    return best


@dataclass(frozen=True, slots=True)
class RepeatDetector:
    """Mark later copies of a passage repeated inside one document; keep the first."""

    threshold: float = 0.8  # Jaccard on word shingles, then verified exactly
    shingle_words: int = 2
    min_block_words: int = 8
    min_run_words: int = 20
    max_gap_words: int = 3
    num_perm: int = 64
    name: str = field(default="repeats", init=False)
    _hasher: MinHasher = field(init=False, repr=False, compare=False)
    _bands: tuple[int, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        RepeatsConfig(  # the same validation as the config section
            threshold=self.threshold,
            shingle_words=self.shingle_words,
            min_block_words=self.min_block_words,
            min_run_words=self.min_run_words,
            max_gap_words=self.max_gap_words,
            num_perm=self.num_perm,
        )
        object.__setattr__(self, "_hasher", MinHasher(num_perm=self.num_perm, seed=1))
        object.__setattr__(self, "_bands", optimal_bands(self.num_perm, self.threshold))

    @classmethod
    def from_config(cls, config: RepeatsConfig) -> RepeatDetector:
        """The detector the `[repeats]` config section describes."""
        return cls(
            threshold=config.threshold,
            shingle_words=config.shingle_words,
            min_block_words=config.min_block_words,
            min_run_words=config.min_run_words,
            max_gap_words=config.max_gap_words,
            num_perm=config.num_perm,
        )

    def detect(self, text: SegmentedText) -> Iterator[Span]:
        """One span per later copy: a whole block, or an unaligned run of words."""
        words = _words_of(text)
        grams = _Shingles(words, self.shingle_words)
        blocks = text.blocks
        barrier = np.zeros(len(words.ids), dtype=np.bool_)  # tokens of blocks already removed
        for copy, source, similarity in self._repeated_blocks(words, grams, len(blocks)):
            barrier[words.block_first[copy] : words.block_first[copy + 1]] = True
            evidence = {
                "repeat_of": (blocks[source].start, blocks[source].end),
                "similarity": similarity,
            }
            yield Span(blocks[copy].start, blocks[copy].end, Reason.REPEAT, rule=self.name, evidence=evidence)
        runs = self._repeated_runs(text.text, words, grams, barrier)
        for (c_start, c_end), (s_start, s_end), similarity in runs:
            evidence = {"repeat_of": (s_start, s_end), "similarity": similarity}
            yield Span(c_start, c_end, Reason.REPEAT, rule=self.name, evidence=evidence)

    # -- pass 1: blocks -------------------------------------------------------------------

    def _repeated_blocks(self, words: _Words, grams: _Shingles, count: int) -> list[tuple[int, int, float]]:
        """(copy block, first-copy block, exact Jaccard) for every block inside a repeated run."""
        first = words.block_first
        if not self._may_share_blocks(grams, first):
            return []
        long_blocks = [b for b in range(count) if first[b + 1] - first[b] >= self.min_block_words]
        block_tokens = [words.tokens[first[b] : first[b + 1]] for b in range(count)]
        sets = [grams.set_of(first[b], first[b + 1]) for b in range(count)]
        sources = self._verified_sources(long_blocks, sets, grams, first)

        root: dict[int, int] = {}  # copy block -> block of the first copy
        similarity: dict[int, float] = {}
        out: list[tuple[int, int, float]] = []
        for seed in sorted(sources):
            if seed in root:
                continue
            origin = min(root.get(i, i) for i in sources[seed])
            run = self._grow_run(origin, seed, block_tokens, sets, root, count)
            if run is None:
                continue
            copies, originals = run
            for copy, original in zip(copies, originals, strict=True):
                root[copy] = root.get(original, original)
                similarity[copy] = jaccard(sets[copy], sets[original])
                out.append((copy, root[copy], similarity[copy]))
        out.sort()
        return out

    def _may_share_blocks(self, grams: _Shingles, first: Sequence[int]) -> bool:
        """False only when no two long blocks can reach the threshold: then signatures are not needed.

        Blocks A and B match when |A ∩ B| / |A ∪ B| >= threshold, so A needs at least
        `threshold * |A|` of its distinct shingles in some other block. One exact count
        over the shingle ids tells whether any block has that many; in most articles none
        has, and the block pass ends here. (All blocks or none: leaving some out of the LSH
        buckets would change which earlier blocks the others are compared with.)
        """
        from . import _kernels

        if self.min_block_words < self.shingle_words:  # a short block's one shingle is a tuple
            return sum(b - a >= self.min_block_words for a, b in pairwise(first)) >= 2
        bounds = np.array(first, dtype=np.int64)
        return _kernels.long_blocks_may_match(
            grams.window_ids, bounds, self.min_block_words, self.shingle_words, self.threshold
        )

    def _verified_sources(
        self, blocks: Sequence[int], sets: Sequence[frozenset[object]], grams: _Shingles, first: Sequence[int]
    ) -> dict[int, list[int]]:
        """For each long block, the earlier long blocks it matches (LSH candidates, exact Jaccard)."""
        if len(blocks) < 2:
            return {}
        signatures = self._hasher.signatures_of_hashes(*grams.hashes_of(self._hasher, blocks, first))
        bands, rows = self._bands
        # Each band's rows as one bytes key per block, cut by numpy in one go (a void view).
        band_keys = (
            np.ascontiguousarray(signatures[:, : bands * rows]).view(np.dtype((np.void, 4 * rows))).tolist()
        )
        candidates: dict[int, set[int]] = {}
        for band in range(bands):
            buckets: dict[bytes, list[int]] = {}
            for position, block in enumerate(blocks):
                members = buckets.setdefault(band_keys[position][band], [])
                if members:
                    candidates.setdefault(block, set()).update(members[:_MAX_SOURCES])
                if len(members) < _MAX_SOURCES:
                    members.append(block)
        verified: dict[int, list[int]] = {}
        for block, earlier in candidates.items():
            matches = sorted(i for i in earlier if jaccard(sets[i], sets[block]) >= self.threshold)
            if matches:
                verified[block] = matches
        return verified

    def _grow_run(
        self,
        origin: int,
        seed: int,
        block_tokens: Sequence[Sequence[str]],
        sets: Sequence[frozenset[object]],
        taken: dict[int, int],
        count: int,
    ) -> tuple[list[int], list[int]] | None:
        """Extend a matching pair along its diagonal into a run; None when the run is too small."""
        floor = self.threshold * _EXTEND_FACTOR

        def joins(original: int, copy: int) -> bool:
            return copy not in taken and jaccard(sets[original], sets[copy]) >= floor

        first_copy, last_copy, shift = seed, seed, seed - origin
        while first_copy - shift - 1 >= 0 and joins(first_copy - shift - 1, first_copy - 1):
            first_copy -= 1
        while (
            last_copy + 1 < count
            and last_copy + 1 - shift < first_copy
            and joins(last_copy + 1 - shift, last_copy + 1)
        ):
            last_copy += 1
        # A short block at the end of a run belongs to what follows it (the next
        # section's heading): a short block is removed only inside or ahead of a repeat.
        while last_copy > seed and len(block_tokens[last_copy]) < self.min_block_words:
            last_copy -= 1
        copies = list(range(first_copy, last_copy + 1))
        originals = [c - shift for c in copies]
        if sum(len(block_tokens[c]) for c in copies) < self.min_run_words:
            return None
        copy_set = frozenset().union(*(sets[c] for c in copies))
        original_set = frozenset().union(*(sets[o] for o in originals))
        if len(copies) > 1 and jaccard(copy_set, original_set) < self.threshold:
            return [seed], [origin]  # the seed pair alone is verified
        return copies, originals

    # -- pass 2: unaligned runs -------------------------------------------------------------

    def _repeated_runs(
        self, text: str, words: _Words, grams: _Shingles, barrier: NDArray[np.bool_]
    ) -> Iterator[tuple[tuple[int, int], tuple[int, int], float]]:
        """Word runs repeated earlier in the text: (copy range, first-copy range, exact Jaccard)."""
        from . import _kernels

        tokens = words.ids.copy()
        removed = barrier if barrier.any() else None
        if removed is not None:  # a blocked token equals nothing, so no run crosses an already removed block
            blocked = np.flatnonzero(barrier)
            tokens[blocked] = -1 - blocked
        # A window of `_ANCHOR_WORDS` tokens is an anchor when the same words start at least
        # that many words earlier (non-overlapping); its source is their earliest start.
        anchors, sources = _kernels.anchor_sources(tokens, _ANCHOR_WORDS)
        position = 0
        for anchor, source in zip(anchors.tolist(), sources.tolist(), strict=True):
            if anchor < position:  # scanning left to right, inside a run already found
                continue
            position = anchor
            # Grow the hit forward across small edits.
            s_end, c_end = _kernels.extend_match(tokens, source, anchor, self.max_gap_words, _ANCHOR_WORDS)
            if c_end - anchor < _ANCHOR_WORDS:
                continue
            s_start, s_end, c_start, c_end = self._snap(words, removed, source, s_end, anchor, c_end)
            if c_end - c_start >= self.min_run_words:  # most anchors are a common phrase: no sets for them
                similarity = jaccard(grams.set_of(s_start, s_end), grams.set_of(c_start, c_end))
                if similarity >= self.threshold:
                    yield (
                        _char_range(text, words, c_start, c_end, copy=True),
                        _char_range(text, words, s_start, s_end, copy=False),
                        similarity,
                    )
            position = c_end  # a near-copy too different as a whole is kept whole, not cut up

    def _snap(
        self,
        words: _Words,
        removed: NDArray[np.bool_] | None,
        s_start: int,
        s_end: int,
        c_start: int,
        c_end: int,
    ) -> tuple[int, int, int, int]:
        """Widen a copy to its block's edges when only a few words (an edited fragment) are left out.

        `removed` marks the tokens of blocks already removed (None when there are none).
        """
        reach = self.max_gap_words + _ANCHOR_WORDS - 1
        block_start = words.block_first[words.block_of(c_start)]
        lead = c_start - block_start
        if 0 < lead <= reach and (removed is None or not removed[block_start:c_start].any()):
            c_start = block_start
            s_start = max(0, s_start - lead)
        block_end = words.block_first[words.block_of(c_end - 1) + 1]
        tail = block_end - c_end
        if 0 < tail <= reach and (removed is None or not removed[c_end:block_end].any()):
            c_end = block_end
            s_end = min(s_end + tail, c_start)
        return s_start, s_end, c_start, c_end


class _Shingles:
    """The word shingles of one document, as exact integer ids and (on demand) 32-bit hashes.

    Shingle *i* is tokens[i : i + size], its id the first start of an equal shingle. Equal
    shingles have equal ids, so Jaccard on id sets equals Jaccard on the shingle strings; a range shorter than `size` tokens is one
    shingle of all its tokens, kept as their tuple (never equal to a full-size shingle).
    """

    def __init__(self, words: _Words, size: int) -> None:
        self.words = words
        self.size = size
        from . import _kernels

        self.window_ids = _kernels.first_windows(words.ids, size)  # shingle i's id: its first start
        self._grams: list[int] | None = None

    def set_of(self, start: int, end: int) -> frozenset[object]:
        """The shingles of tokens [start, end)."""
        if end - start >= self.size:
            if self._grams is None:
                self._grams = self.window_ids.tolist()
            return frozenset(self._grams[start : end - self.size + 1])
        return frozenset((tuple(self.words.tokens[start:end]),)) if end > start else frozenset()

    def hashes_of(
        self, hasher: MinHasher, blocks: Sequence[int], first: Sequence[int]
    ) -> tuple[NDArray[np.uint32], NDArray[np.int64]]:
        """Shingle hashes of each block's tokens, concatenated, with the bounds of each block's run.

        Hashed as `MinHasher.signature` would hash the shingle strings, so LSH finds the same pairs.
        """
        tokens = self.words.tokens
        everything = hasher.word_shingle_hashes(" ".join(tokens).encode("utf-8"), self.size)
        pieces = []
        for block in blocks:
            start, end = first[block], first[block + 1]
            if end - start >= self.size:
                pieces.append(everything[start : end - self.size + 1])
            else:
                pieces.append(hasher.hash_shingles(shingles(tokens[start:end], self.size)))
        bounds = np.zeros(len(pieces) + 1, dtype=np.int64)
        np.cumsum([len(piece) for piece in pieces], out=bounds[1:])
        return np.concatenate(pieces), bounds


def _words_of(text: SegmentedText) -> _Words:
    """Tokens as `tokenize` makes them, each with its character range and block.

    Each display word is fingerprinted on its own (the one fingerprint implementation),
    so every token maps back to the characters it came from.
    """
    # Every word lies inside a block (blocks are lines, or runs of them, and only
    # whitespace lies between), so each block is scanned on its own and its token count
    # is the length of its list: no offset per word is needed to assign blocks.
    from . import _kernels

    body = text.text
    if fingerprint_is_wordwise(body):
        # The fingerprint of each line is its words' tokens, and every detector-shared
        # SegmentedText folds its lines once (learned boilerplate reads them too): one
        # compiled pass over them all gives the token ids and each line's token count.
        joined = "\n".join(text.line_fingerprints)
        ids, per_line = _kernels.line_word_ids(np.frombuffer(_utf8(joined), dtype=np.uint8))
        line_first = list(accumulate(per_line.tolist(), initial=0))
        return _Words(ids, joined, _block_first(text, line_first), text, lazy=True)
    per_block = [_WORD.findall(body, block.start, block.end) for block in text.blocks]
    words = list(chain.from_iterable(per_block))
    cached = list(map(_FOLDED.get, words))
    folded = (
        [tokens if tokens is not None else _fold_word(w) for tokens, w in zip(cached, words, strict=True)]
        if None in cached
        else cast(list[tuple[str, ...]], cached)
    )
    tokens = list(chain.from_iterable(folded))
    ids = _kernels.line_word_ids(np.frombuffer(_utf8(" ".join(tokens)), dtype=np.uint8))[0]
    sizes = list(map(len, per_block))
    if len(tokens) == len(words):
        return _Words(ids, tokens, list(accumulate(sizes, initial=0)), text)
    counts = list(map(len, folded))
    word_first = list(accumulate(sizes, initial=0))
    sizes = [sum(counts[a:b]) for a, b in pairwise(word_first)]
    return _Words(ids, tokens, list(accumulate(sizes, initial=0)), text, counts, word_first)


def _block_first(text: SegmentedText, line_first: list[int]) -> list[int]:
    """The first token of each block (and the token count), from the first token of each line.

    A block holds the lines that start before its end (blocks are lines, or runs of them).
    """
    if text.blocks is text.lines:
        return line_first[: len(text.lines) + 1]
    starts = [line.start for line in text.lines]
    return [0, *(line_first[bisect.bisect_left(starts, block.end)] for block in text.blocks)]


def _utf8(text: str) -> bytes:
    """`text` as UTF-8, lone surrogates included. Not `normalize._utf8`: its one-entry cache
    holds the document's text, which these joined tokens would push out."""
    return text.encode("utf-8", "surrogatepass")


# Fingerprint tokens of display words, shared by every document a process cleans: news
# vocabularies are Zipfian, so a bounded cache answers almost every word.
_FOLDED: dict[str, tuple[str, ...]] = {}
_FOLDED_MAX = 1 << 17


def _fold_word(word: str) -> tuple[str, ...]:
    """The fingerprint tokens of one display word (and remember them while the cache has room)."""
    folded = tuple(fingerprint(word).split())
    if len(_FOLDED) < _FOLDED_MAX:
        _FOLDED[word] = folded
    return folded


def _char_range(text: str, words: _Words, first: int, end: int, *, copy: bool) -> tuple[int, int]:
    """Characters of tokens `[first, end)`; a copy also takes its closing punctuation and leading space."""
    start, stop = words.span_of(first)[0], words.span_of(end - 1)[1]
    if copy:
        while stop < len(text) and text[stop] in _CLOSING:
            stop += 1
        if start > 0 and text[start - 1] == " ":
            start -= 1
    return start, stop
