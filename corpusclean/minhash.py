"""MinHash signatures over word shingles, compiled, bit-identical to datasketch 2.x.

The permutation scheme is datasketch 2.0's ``affine32``: each 32-bit shingle hash is
pre-mixed with the MurmurHash3 finalizer, then permuted as ``a * h + b mod 2**32`` with
``(a, b)`` drawn from ``numpy.random.RandomState(seed)`` exactly as datasketch draws
them. A signature computed here equals ``datasketch.MinHash(num_perm, seed,
hashfunc=...)`` updated with the same shingles, so it can be handed to datasketch's
``MinHashLSH`` or ``LeanMinHash``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

import numpy as np
import xxhash
from numpy.typing import NDArray

SCHEME = "affine32"

Signature = NDArray[np.uint32]


def xxh32(data: bytes) -> int:
    """The default shingle hash: xxHash32, seed 0 (fast, well distributed)."""
    return xxhash.xxh32_intdigest(data)


def sha1_32(data: bytes) -> int:
    """datasketch's default shingle hash (first 4 bytes of SHA-1, little-endian)."""
    return int.from_bytes(hashlib.sha1(data).digest()[:4], "little")


HASH_FUNCTIONS = {"xxh32": xxh32, "sha1": sha1_32}


def shingles(tokens: Sequence[str], size: int) -> list[str]:
    """Word n-grams of `size` tokens; one shingle of all tokens when there are fewer."""
    if len(tokens) <= size:
        return [" ".join(tokens)] if tokens else []
    return list(map(" ".join, zip(*(tokens[i:] for i in range(size)), strict=False)))


@dataclass(frozen=True)
class MinHasher:
    """Computes datasketch-compatible MinHash signatures of shingle sets."""

    num_perm: int = 128
    seed: int = 1
    hash_name: str = "xxh32"
    _a: NDArray[np.uint32] = field(init=False, repr=False, compare=False)
    _b: NDArray[np.uint32] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.hash_name not in HASH_FUNCTIONS:
            raise ValueError(f"unknown hash {self.hash_name!r}; choose from {sorted(HASH_FUNCTIONS)}")
        generator = np.random.RandomState(self.seed)
        a = generator.randint(0, 1 << 31, self.num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
        b = generator.randint(0, 1 << 32, self.num_perm, dtype=np.uint32)
        object.__setattr__(self, "_a", a)
        object.__setattr__(self, "_b", b)

    @property
    def hashfunc(self) -> Any:
        """The shingle hash as a callable on bytes (what datasketch calls `hashfunc`)."""
        return HASH_FUNCTIONS[self.hash_name]

    def hash_shingles(self, items: Iterable[str]) -> NDArray[np.uint32]:
        """32-bit hashes of the UTF-8 encoded shingles."""
        # C iterators only (str.encode is UTF-8 by default), no Python frame per shingle.
        hashfunc = xxhash.xxh32_intdigest if self.hash_name == "xxh32" else self.hashfunc
        return np.fromiter(map(hashfunc, map(str.encode, items)), dtype=np.uint32)

    def word_shingle_hashes(self, folded: bytes, size: int) -> NDArray[np.uint32]:
        """32-bit hashes of the `size`-word shingles of words joined by single spaces (UTF-8), in order.

        Shingle *i* is the byte slice from the start of word *i* to the end of word
        *i + size − 1*: exactly the bytes datasketch would hash for `" ".join(words[i:i + size])`,
        without building a string per shingle. Fewer words than `size` make one shingle of all.
        """
        from . import _kernels

        data = np.frombuffer(folded, dtype=np.uint8)
        if self.hash_name == "xxh32":
            return _kernels.xxh32_word_shingles(data, size)
        starts, ends = _kernels.shingle_spans(data, size)
        view = memoryview(folded)
        pieces = map(view.__getitem__, map(slice, starts.tolist(), ends.tolist()))
        return np.fromiter(map(self.hashfunc, pieces), dtype=np.uint32, count=len(starts))

    def signature_of_hashes(self, hashes: NDArray[np.uint32], *, distinct: bool = False) -> Signature:
        """The MinHash signature of a set given by its 32-bit hashes (repeats allowed).

        `distinct` is accepted for callers that know their hashes are unique; a minimum is
        unchanged by repeated values, so it makes no difference.
        """
        from . import _kernels

        return _kernels.signature(np.ascontiguousarray(hashes, dtype=np.uint32), self._a, self._b)

    def signature(self, items: Iterable[str]) -> Signature:
        """The MinHash signature of a set of shingles."""
        return self.signature_of_hashes(self.hash_shingles(items))

    def signatures(self, sets: Sequence[Iterable[str]]) -> NDArray[np.uint32]:
        """Signatures of many shingle sets at once, one row each, equal to `signature` of each set.

        One hashing pass over all shingles, then one compiled loop over the sets.
        """
        groups = [list(items) for items in sets]
        bounds = np.zeros(len(groups) + 1, dtype=np.int64)
        np.cumsum([len(group) for group in groups], out=bounds[1:])
        return self.signatures_of_hashes(self.hash_shingles(chain.from_iterable(groups)), bounds)

    def signatures_of_hashes(
        self, hashes: NDArray[np.uint32], bounds: NDArray[np.int64]
    ) -> NDArray[np.uint32]:
        """One signature per set `hashes[bounds[i]:bounds[i + 1]]` (repeats allowed), one row each."""
        from . import _kernels

        hashes = np.ascontiguousarray(hashes, dtype=np.uint32)
        return _kernels.signatures(hashes, np.ascontiguousarray(bounds, dtype=np.int64), self._a, self._b)

    def to_datasketch(self, signature: Signature) -> Any:
        """Wrap a signature as a `datasketch.MinHash` (for `MinHashLSH`, `LeanMinHash`)."""
        from datasketch import MinHash

        return MinHash(
            num_perm=self.num_perm,
            seed=self.seed,
            hashfunc=self.hashfunc,
            hashvalues=signature,
            scheme=SCHEME,
        )


def jaccard_estimate(first: Signature, second: Signature) -> float:
    """Share of equal signature positions: an unbiased estimate of Jaccard similarity."""
    return float(np.count_nonzero(first == second)) / float(len(first))


def jaccard(first: set[Any] | frozenset[Any], second: set[Any] | frozenset[Any]) -> float:
    """Exact Jaccard similarity of two sets (1.0 for two empty sets)."""
    if not first and not second:
        return 1.0
    return len(first & second) / len(first | second)
