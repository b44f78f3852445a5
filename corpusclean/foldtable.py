"""Each code point's fingerprint fold, as arrays a compiled loop can read.

`normalize.fingerprint` folds a text with a dozen whole-text passes (casefold, NFKC,
separator and digit classes). Every one of them works character by character except
where a character can combine with the one before it (a combining mark, a Hangul vowel
jamo, the second half of any canonical composition): so for a text without such
characters, the fingerprint is the concatenation of each character's own fold, spaces
collapsed. This module folds every code point once with the one definition
(`normalize._fold`) and marks those that may combine as unsafe; texts holding one take
the definition's path. Built in about a second, then read from a cache file.
"""

from __future__ import annotations

import functools
import hashlib
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._cache import cache_file, read_arrays, write_arrays

CODE_POINTS = 0x110000
_FORMAT = "2"
_ARRAYS = ("offsets", "folded", "unsafe", "not_wordwise")
_UNASSIGNED = frozenset({"Cn", "Co"})  # separators that casefold and NFKC leave alone


@dataclass(frozen=True, slots=True)
class FoldTable:
    """`folded[offsets[c] : offsets[c + 1]]` is code point c folded alone (UTF-8); `unsafe[c]` is 1
    when c's fold may depend on the character before it; `not_wordwise[c]` is 1 when c is
    no word character yet folds to more than a separator (see `normalize.fingerprint_is_wordwise`)."""

    offsets: NDArray[np.int32]
    folded: NDArray[np.uint8]
    unsafe: NDArray[np.uint8]
    not_wordwise: NDArray[np.uint8]


@functools.cache
def fold_table() -> FoldTable:
    """The process-wide table: read from the cache file, else built (and stored)."""
    path = _cache_path()
    arrays = read_arrays(path, _ARRAYS) if path is not None else None
    if arrays is None or arrays["offsets"].shape != (CODE_POINTS + 1,):
        arrays = build_arrays()
        if path is not None:
            write_arrays(path, arrays)
    return FoldTable(*(arrays[name] for name in _ARRAYS))


def _cache_path() -> str | None:
    """Named after everything the table depends on: the Unicode database, Python and the folding code."""
    source = (Path(__file__).parent / "normalize.py").read_bytes()
    stamp = hashlib.sha256(
        f"{_FORMAT} {unicodedata.unidata_version} {sys.version_info[:2]}".encode() + source
    ).hexdigest()[:16]
    return cache_file(f"fold-table-{stamp}.npz")


def build_arrays() -> dict[str, Any]:
    """Fold every code point with `normalize._fold` and mark the ones that may combine."""
    from .normalize import _fold, _folding

    ascii_table = _folding()[0]
    combining = _composition_seconds()
    offsets = np.zeros(CODE_POINTS + 1, dtype=np.int32)
    unsafe = np.zeros(CODE_POINTS, dtype=np.uint8)
    not_wordwise = np.zeros(CODE_POINTS, dtype=np.uint8)
    pieces: list[bytes] = []
    size = 0
    for code in range(CODE_POINTS):
        offsets[code] = size
        char = chr(code)
        category = unicodedata.category(char)
        if category == "Cs":  # a lone surrogate: left to the definition
            unsafe[code] = not_wordwise[code] = 1
            continue
        piece = b" " if category in _UNASSIGNED else _fold(char, False, ascii_table).encode("utf-8")
        pieces.append(piece)
        size += len(piece)
        if category[0] == "M" or code in combining or _combines_with_previous(char, combining):
            unsafe[code] = 1
        if not char.isalnum() and piece.strip(b" "):
            not_wordwise[code] = 1
    offsets[CODE_POINTS] = size
    folded = np.frombuffer(b"".join(pieces), dtype=np.uint8)
    return {"offsets": offsets, "folded": folded, "unsafe": unsafe, "not_wordwise": not_wordwise}


def _composition_seconds() -> frozenset[int]:
    """Code points that can be the second of a canonical composition (so join the one before)."""
    seconds = {0x1161 + vowel for vowel in range(21)} | {0x11A8 + final for final in range(27)}  # Hangul jamo
    for code in range(CODE_POINTS):
        decomposition = unicodedata.decomposition(chr(code))
        if decomposition and not decomposition.startswith("<"):
            parts = decomposition.split()
            if len(parts) == 2:
                seconds.add(int(parts[1], 16))
    return frozenset(seconds)


def _combines_with_previous(char: str, combining: frozenset[int]) -> bool:
    """True when what `char` becomes (casefolded, NFKC) starts with a mark or a composition's second."""
    decomposed = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", char.casefold()).casefold())
    if not decomposed:
        return False
    first = decomposed[0]
    return unicodedata.combining(first) != 0 or ord(first) in combining
