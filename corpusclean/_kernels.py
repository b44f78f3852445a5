"""Compiled kernels: xxHash32 of word shingles, the affine32 permutation minimum, langdetect n-grams.

Per shingle, the Python-level path (a slice, a call into xxhash, an int object) costs
about 200 ns and the numpy permutation allocates a shingles × num_perm matrix; these
loops, compiled once by numba and cached on disk, do the same arithmetic in about a
tenth of the time with no temporary matrix. They are the only implementation: results
are checked against the `xxhash` package and datasketch itself in the tests.

The hashes do their arithmetic on uint64 masked to 32 bits, which is exactly C's uint32
wrap-around (numba would otherwise promote mixed-sign integer expressions to float). The
permutation minimum casts every step back to uint32 instead: same values, twice the lanes.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import NDArray

_MASK = np.uint64(0xFFFFFFFF)
_SPACE = np.uint8(0x20)
# xxHash32 primes (https://github.com/Cyan4973/xxHash/blob/dev/doc/xxhash_spec.md).
_P1 = np.uint64(2654435761)
_P2 = np.uint64(2246822519)
_P3 = np.uint64(3266489917)
_P4 = np.uint64(668265263)
_P5 = np.uint64(374761393)
# MurmurHash3's 32-bit finalizer, which datasketch's affine32 scheme applies first.
_F1_32 = np.uint32(0x85EBCA6B)
_F2_32 = np.uint32(0xC2B2AE35)
_U13 = np.uint32(13)
_U16 = np.uint32(16)
_ONES_32 = np.uint32(0xFFFFFFFF)


@njit(cache=True, inline="always")
def _rotl(value: np.uint64, bits: int) -> np.uint64:
    return ((value << np.uint64(bits)) | (value >> np.uint64(32 - bits))) & _MASK


@njit(cache=True, inline="always")
def _read32(data: NDArray[np.uint8], at: int) -> np.uint64:
    return (
        np.uint64(data[at])
        | (np.uint64(data[at + 1]) << np.uint64(8))
        | (np.uint64(data[at + 2]) << np.uint64(16))
        | (np.uint64(data[at + 3]) << np.uint64(24))
    )


@njit(cache=True)
def xxh32(data: NDArray[np.uint8], start: int, end: int) -> np.uint64:  # pragma: no cover - compiled
    """xxHash32 (seed 0) of `data[start:end]`, as `xxhash.xxh32_intdigest` gives it."""
    length = end - start
    at = start
    if length >= 16:
        v1 = (_P1 + _P2) & _MASK
        v2 = _P2
        v3 = np.uint64(0)
        v4 = (np.uint64(1 << 32) - _P1) & _MASK
        while at <= end - 16:
            v1 = (_rotl((v1 + _read32(data, at) * _P2) & _MASK, 13) * _P1) & _MASK
            v2 = (_rotl((v2 + _read32(data, at + 4) * _P2) & _MASK, 13) * _P1) & _MASK
            v3 = (_rotl((v3 + _read32(data, at + 8) * _P2) & _MASK, 13) * _P1) & _MASK
            v4 = (_rotl((v4 + _read32(data, at + 12) * _P2) & _MASK, 13) * _P1) & _MASK
            at += 16
        value = (_rotl(v1, 1) + _rotl(v2, 7) + _rotl(v3, 12) + _rotl(v4, 18)) & _MASK
    else:
        value = _P5
    value = (value + np.uint64(length)) & _MASK
    while at + 4 <= end:
        value = (_rotl((value + _read32(data, at) * _P3) & _MASK, 17) * _P4) & _MASK
        at += 4
    while at < end:
        value = (_rotl((value + np.uint64(data[at]) * _P5) & _MASK, 11) * _P1) & _MASK
        at += 1
    value ^= value >> np.uint64(15)
    value = (value * _P2) & _MASK
    value ^= value >> np.uint64(13)
    value = (value * _P3) & _MASK
    value ^= value >> np.uint64(16)
    return value


@njit(cache=True)
def shingle_spans(
    text: NDArray[np.uint8], size: int
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:  # pragma: no cover - compiled
    """Byte (starts, ends) of the `size`-word shingles of words joined by single spaces.

    One span of the whole text when it has `size` words or fewer (even when empty).
    """
    words = 1
    for byte in text:
        if byte == _SPACE:
            words += 1
    word_starts = np.empty(words, np.int64)
    word_ends = np.empty(words, np.int64)
    word_starts[0] = 0
    word = 0
    for at in range(text.shape[0]):
        if text[at] == _SPACE:
            word_ends[word] = at
            word += 1
            word_starts[word] = at + 1
    word_ends[word] = text.shape[0]
    if words <= size:
        return np.zeros(1, np.int64), np.full(1, text.shape[0], np.int64)
    count = words - size + 1
    return word_starts[:count].copy(), word_ends[size - 1 :].copy()


@njit(cache=True)
def xxh32_word_shingles(text: NDArray[np.uint8], size: int) -> NDArray[np.uint32]:  # pragma: no cover
    """xxHash32 of each span of `shingle_spans(text, size)`, in one pass: no span arrays, one call.

    Each shingle is hashed as soon as its last word ends; `starts` remembers where every
    word began (a text of n bytes has at most n // 2 + 1 words).
    """
    end = text.shape[0]
    starts = np.empty(end // 2 + 2, np.int64)
    out = np.empty(end // 2 + 2, np.uint32)
    starts[0] = 0
    word = 0  # the word being read
    count = 0
    for at in range(end + 1):
        if at < end and text[at] != _SPACE:
            continue
        if word >= size - 1:  # word ends at `at`: the shingle of the `size` words ending here
            out[count] = np.uint32(xxh32(text, starts[word - size + 1], at))
            count += 1
        word += 1
        starts[word] = at + 1
    if count == 0:  # `size` words or fewer: one shingle of the whole text
        out[0] = np.uint32(xxh32(text, 0, end))
        count = 1
    return out[:count].copy()


@njit(cache=True)
def _minimum_into(
    out: NDArray[np.uint32], hashes: NDArray[np.uint32], a: NDArray[np.uint32], b: NDArray[np.uint32]
) -> None:  # pragma: no cover - compiled
    # In uint32 throughout: the wrap-around is the affine32 scheme's mod 2**32, and 32-bit
    # lanes let LLVM compare twice as many permutations per vector instruction as 64-bit ones.
    perms = a.shape[0]
    for index in range(hashes.shape[0]):
        value = np.uint32(hashes[index])
        value = np.uint32(value ^ (value >> _U16))
        value = np.uint32(value * _F1_32)
        value = np.uint32(value ^ (value >> _U13))
        value = np.uint32(value * _F2_32)
        value = np.uint32(value ^ (value >> _U16))
        for perm in range(perms):  # vectorized by LLVM: one lane per permutation
            permuted = np.uint32(a[perm] * value + b[perm])
            if permuted < out[perm]:
                out[perm] = permuted


@njit(cache=True)
def signature(
    hashes: NDArray[np.uint32], a: NDArray[np.uint32], b: NDArray[np.uint32]
) -> NDArray[np.uint32]:  # pragma: no cover - compiled
    """min over hashes of `(a * fmix32(h) + b) mod 2**32`, per permutation (all ones if no hash)."""
    out = np.full(a.shape[0], _ONES_32, np.uint32)
    _minimum_into(out, hashes, a, b)
    return out


@njit(cache=True)
def signatures(
    hashes: NDArray[np.uint32], bounds: NDArray[np.int64], a: NDArray[np.uint32], b: NDArray[np.uint32]
) -> NDArray[np.uint32]:  # pragma: no cover - compiled
    """`signature` of each `hashes[bounds[i]:bounds[i + 1]]`, one row each."""
    rows = bounds.shape[0] - 1
    out = np.full((rows, a.shape[0]), _ONES_32, np.uint32)
    for row in range(rows):
        _minimum_into(out[row], hashes[bounds[row] : bounds[row + 1]], a, b)
    return out


# LSH band table: an open-addressing hash table of (key, document) slots, linear probing.
# A key may occupy many slots (one per document having it); a look-up walks from the key's
# home slot to the first empty one, so the load factor stays below 0.7 (BandTable grows it).
_EMPTY_SLOT = np.uint32(0xFFFFFFFF)
_SLOT_MIX = np.uint64(0x9E3779B97F4A7C15)  # Knuth's multiplicative hash: any key spreads


@njit(cache=True, inline="always")
def _home_slot(key: np.uint64, shift: np.uint64) -> int:  # pragma: no cover - compiled
    return np.int64(np.uint64(key * _SLOT_MIX) >> shift)


@njit(cache=True)
def table_insert(
    slot_keys: NDArray[np.uint64],
    slot_docs: NDArray[np.uint32],
    keys: NDArray[np.uint64],
    doc: int,
    shift: np.uint64,
) -> None:  # pragma: no cover - compiled
    """Record document `doc` under each of `keys` (the table must have room)."""
    mask = slot_keys.shape[0] - 1
    for key in keys:
        slot = _home_slot(key, shift)
        while slot_docs[slot] != _EMPTY_SLOT:
            slot = (slot + 1) & mask
        slot_keys[slot] = key
        slot_docs[slot] = np.uint32(doc)


@njit(cache=True)
def table_lookup(
    slot_keys: NDArray[np.uint64], slot_docs: NDArray[np.uint32], keys: NDArray[np.uint64], shift: np.uint64
) -> NDArray[np.uint32]:  # pragma: no cover - compiled
    """The documents recorded under at least one of `keys`, sorted, each once."""
    mask = slot_keys.shape[0] - 1
    found = 0
    for key in keys:
        slot = _home_slot(key, shift)
        while slot_docs[slot] != _EMPTY_SLOT:
            if slot_keys[slot] == key:
                found += 1
            slot = (slot + 1) & mask
    out = np.empty(found, np.uint32)
    found = 0
    for key in keys:
        slot = _home_slot(key, shift)
        while slot_docs[slot] != _EMPTY_SLOT:
            if slot_keys[slot] == key:
                out[found] = slot_docs[slot]
                found += 1
            slot = (slot + 1) & mask
    return np.unique(out) if found > 1 else out


@njit(cache=True)
def table_rehash(
    old_keys: NDArray[np.uint64],
    old_docs: NDArray[np.uint32],
    slot_keys: NDArray[np.uint64],
    slot_docs: NDArray[np.uint32],
    shift: np.uint64,
) -> None:  # pragma: no cover - compiled
    """Insert every occupied slot of the old table into the (larger, empty) new one."""
    mask = slot_keys.shape[0] - 1
    for index in range(old_keys.shape[0]):
        if old_docs[index] == _EMPTY_SLOT:
            continue
        key = old_keys[index]
        slot = _home_slot(key, shift)
        while slot_docs[slot] != _EMPTY_SLOT:
            slot = (slot + 1) & mask
        slot_keys[slot] = key
        slot_docs[slot] = old_docs[index]


@njit(cache=True)
def langdetect_grams(
    codes: NDArray[np.uint32],
    char_id: NDArray[np.uint16],
    upper: NDArray[np.bool_],
    astral_upper: NDArray[np.bool_],
    base: int,
) -> tuple[NDArray[np.int64], int]:  # pragma: no cover - compiled
    """The 1-, 2- and 3-gram keys langdetect's NGram buffer emits over `codes`, and the letter count.

    Mirrors langdetect: in a text mostly of non-Latin letters A-z is dropped; characters
    map to compact ids (0 unknown, 1 separator) through `char_id`; runs of separators
    collapse to one and the stream starts after a separator; a capital right after a
    capital emits nothing (acronyms); an n-gram holding an unknown character is dropped.
    `astral_upper` says, in order, whether each code point beyond the BMP is upper case.
    """
    latin = 0
    non_latin = 0
    for code in codes:
        if 0x41 <= code <= 0x7A:
            latin += 1
        elif code >= 0x300:
            non_latin += 1
    drop_latin = latin * 2 < non_latin
    ids = np.empty(codes.shape[0] + 1, np.int64)
    caps = np.empty(codes.shape[0] + 1, np.bool_)
    ids[0] = 1
    caps[0] = False
    size = 1
    previous_space = True  # the stream starts after a separator
    astral = 0
    letters = 0
    for code in codes:
        if drop_latin and 0x41 <= code <= 0x7A:
            continue
        if code <= 0xFFFF:
            ident = np.int64(char_id[code])
            capital = upper[code]
        else:
            ident = np.int64(0)
            capital = astral_upper[astral]
            astral += 1
        if ident == 1:
            if previous_space:
                continue
            previous_space = True
        else:
            previous_space = False
            if ident > 1:
                letters += 1
        ids[size] = ident
        caps[size] = capital
        size += 1
    grams = np.empty(3 * size, np.int64)
    count = 0
    for at in range(1, size):  # 1-grams and 2-grams
        current = ids[at]
        if current == 0 or (caps[at] and caps[at - 1]):
            continue
        if current > 1:
            grams[count] = current
            count += 1
        if ids[at - 1] != 0:
            grams[count] = ids[at - 1] * base + current
            count += 1
    for at in range(2, size):  # 3-grams
        current = ids[at]
        if current == 0 or (caps[at] and caps[at - 1]):
            continue
        middle = ids[at - 1]
        if ids[at - 2] != 0 and middle != 0 and middle != 1:
            grams[count] = (ids[at - 2] * base + middle) * base + current
            count += 1
    return grams[:count].copy(), letters


@njit(cache=True)
def langdetect_scores(
    grams: NDArray[np.int64],
    keys_a: NDArray[np.int64],
    rows_a: NDArray[np.int32],
    keys_b: NDArray[np.int64],
    rows_b: NDArray[np.int32],
    logprob: NDArray[np.float64],
    slot_bits: int,
    hash_a: int,
    hash_b: int,
) -> tuple[NDArray[np.float64], int]:  # pragma: no cover - compiled
    """Per language, the sum of count x log-probability over the distinct known n-grams of the
    sorted `grams`, in their order, and the number of known n-grams.

    Each distinct key is looked up in the two-table cuckoo hash (`slot = key * hash >> (64 -
    slot_bits)`; the second table only when the first misses).
    """
    shift = np.uint64(64 - slot_bits)
    multiplier_a = np.uint64(hash_a)
    multiplier_b = np.uint64(hash_b)
    languages = logprob.shape[1]
    out = np.zeros(languages, np.float64)
    total = 0
    size = grams.shape[0]
    at = 0
    while at < size:
        gram = grams[at]
        end = at + 1
        while end < size and grams[end] == gram:
            end += 1
        count = end - at
        at = end
        unsigned = np.uint64(gram)
        slot = (unsigned * multiplier_a) >> shift
        if keys_a[slot] == gram:
            row = rows_a[slot]
        else:
            slot = (unsigned * multiplier_b) >> shift
            if keys_b[slot] != gram:
                continue
            row = rows_b[slot]
        total += count
        weight = np.float64(count)
        for language in range(languages):
            out[language] += weight * logprob[row, language]
    return out, total


@njit(cache=True)
def _same_window(tokens: NDArray[np.int64], first: int, second: int, size: int) -> bool:  # pragma: no cover
    # A loop, not `all(...)` over a generator: numba compiles loops, not generator expressions.
    for offset in range(size):  # noqa: SIM110
        if tokens[first + offset] != tokens[second + offset]:
            return False
    return True


@njit(cache=True)
def extend_match(
    tokens: NDArray[np.int64], source: int, copy: int, gap: int, size: int
) -> tuple[int, int]:  # pragma: no cover - compiled
    """Grow a match of `tokens[source:]` with `tokens[copy:]` forward across small edits.

    Equal tokens extend both ends; at a difference, the match resumes where `size`
    tokens agree again after skipping at most `gap` tokens on each side (the fewest
    skipped first; the source never runs into the copy). Returns (source end, copy end).
    """
    total = tokens.shape[0]
    s_end, c_end = source, copy
    while True:
        while c_end < total and s_end < copy and tokens[s_end] == tokens[c_end]:
            s_end += 1
            c_end += 1
        resumed = False
        for skipped in range(1, 2 * gap + 1):
            for c_skip in range(max(0, skipped - gap), min(skipped, gap) + 1):
                s_at, c_at = s_end + skipped - c_skip, c_end + c_skip
                if c_at + size <= total and s_at + size <= copy and _same_window(tokens, s_at, c_at, size):
                    s_end, c_end = s_at, c_at
                    resumed = True
                    break
            if resumed:
                break
        if not resumed:
            return s_end, c_end


@njit(cache=True)
def shared_shingle_counts(
    ids: NDArray[np.int64], starts: NDArray[np.int64], ends: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:  # pragma: no cover - compiled
    """Per range `ids[starts[i]:ends[i]]`: its distinct ids, and how many of those occur in another range.

    `ids` are dense (below `len(ids)`). Two linear passes, no sort.
    """
    size = ids.shape[0]
    owner = np.full(size, -1, np.int64)  # the first range holding an id
    shared = np.zeros(size, np.bool_)  # held by more than one range
    for block in range(starts.shape[0]):
        for at in range(starts[block], ends[block]):
            value = ids[at]
            if owner[value] == -1:
                owner[value] = block
            elif owner[value] != block:
                shared[value] = True
    seen = np.full(size, -1, np.int64)
    distinct = np.zeros(starts.shape[0], np.int64)
    in_others = np.zeros(starts.shape[0], np.int64)
    for block in range(starts.shape[0]):
        for at in range(starts[block], ends[block]):
            value = ids[at]
            if seen[value] != block:
                seen[value] = block
                distinct[block] += 1
                if shared[value]:
                    in_others[block] += 1
    return distinct, in_others


@njit(cache=True)
def _dense_word_ids(
    data: NDArray[np.uint8],
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:  # pragma: no cover
    words = 1
    for byte in data:
        if byte == _SPACE:
            words += 1
    bits = 4
    while (1 << bits) < 2 * words:
        bits += 1
    shift = np.uint64(64 - bits)
    table = np.full(1 << bits, -1, np.int64)  # slot -> first word with that content
    starts = np.empty(words + 1, np.int64)
    ids = np.empty(words, np.int64)
    lengths = np.zeros(words, np.int64)
    word = 0
    start = 0
    chars = 0
    hashed = np.uint64(0xCBF29CE484222325)  # FNV-1a, 64 bits
    for at in range(data.shape[0] + 1):
        byte = data[at] if at < data.shape[0] else _SPACE
        if byte != _SPACE:
            hashed = (hashed ^ np.uint64(byte)) * np.uint64(0x100000001B3)
            if byte & 0xC0 != 0x80:  # a UTF-8 lead byte starts a character
                chars += 1
            continue
        starts[word] = start
        lengths[word] = chars
        slot = (hashed * np.uint64(0x9E3779B97F4A7C15)) >> shift
        size = at - start
        while True:
            other = table[slot]
            if other == -1:
                table[slot] = word
                ids[word] = word
                break
            other_start = starts[other]
            same = lengths[other] == chars and (starts[other + 1] - 1 - other_start) == size
            if same:
                for offset in range(size):
                    if data[start + offset] != data[other_start + offset]:
                        same = False
                        break
            if same:
                ids[word] = other
                break
            slot = (slot + np.uint64(1)) & np.uint64((1 << bits) - 1)
        word += 1
        start = at + 1
        starts[word] = start
        chars = 0
        hashed = np.uint64(0xCBF29CE484222325)
    return ids, lengths


def word_ids(words: list[str]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Each word as the position of its first occurrence (equal words, equal ids), and its length.

    Words hold no space. One compiled pass over the words' UTF-8 bytes: a hash table of
    first occurrences, every hit compared byte for byte (exact, whatever the hash does);
    lengths are in characters (UTF-8 lead bytes).
    """
    return dense_word_ids(" ".join(words).encode("utf-8", "surrogatepass"))


@njit(cache=True, inline="always")
def _next_code(data: NDArray[np.uint8], at: int) -> tuple[int, int]:  # pragma: no cover - compiled
    """The code point starting at byte `at` of UTF-8 that Python wrote (no validation), and its length.

    Lone surrogates, as `"surrogatepass"` writes them, decode like any 3-byte sequence.
    """
    lead = int(data[at])
    if lead < 0x80:
        return lead, 1
    if lead < 0xE0:
        return (lead & 0x1F) << 6 | (int(data[at + 1]) & 0x3F), 2
    if lead < 0xF0:
        return (lead & 0x0F) << 12 | (int(data[at + 1]) & 0x3F) << 6 | (int(data[at + 2]) & 0x3F), 3
    code = (lead & 0x07) << 18 | (int(data[at + 1]) & 0x3F) << 12
    return code | (int(data[at + 2]) & 0x3F) << 6 | (int(data[at + 3]) & 0x3F), 4


@njit(cache=True)
def fold_utf8(
    data: NDArray[np.uint8],
    offsets: NDArray[np.int32],
    folded: NDArray[np.uint8],
    unsafe: NDArray[np.uint8],
    keep_lines: bool,
) -> tuple[NDArray[np.uint8], bool]:  # pragma: no cover - compiled
    """The fingerprint (UTF-8) of a text given as UTF-8, from each character's own fold.

    `folded[offsets[c] : offsets[c + 1]]` is code point c folded alone (separators as
    spaces); runs of spaces become one and each line is stripped, as `str.split` and a
    join would do. With `keep_lines`, "\\n" stays a line break. Returns (empty, False)
    when a code point is marked unsafe: its fold depends on its neighbours. Reading UTF-8
    rather than code points saves the encoding: Python writes UTF-8 three times faster.
    """
    total = 0
    at = 0
    end = data.shape[0]
    while at < end:
        if data[at] < 0x80:  # ASCII (most bytes): one byte folds to one byte and is never unsafe
            total += 1
            at += 1
            continue
        code, width = _next_code(data, at)
        at += width
        if unsafe[code]:
            return np.empty(0, np.uint8), False
        total += offsets[code + 1] - offsets[code]
    ascii_folded = np.empty(0x80, np.uint8)
    for code in range(0x80):
        ascii_folded[code] = folded[offsets[code]]
    out = np.empty(total, np.uint8)
    size = 0
    pending = False  # a separator was seen since the last word character
    line_start = True
    at = 0
    while at < end:
        code = int(data[at])
        if code < 0x80 and not (code == 10 and keep_lines):
            at += 1
            byte = ascii_folded[code]
            if byte == _SPACE:
                pending = not line_start
            else:
                if pending:
                    out[size] = _SPACE
                    size += 1
                    pending = False
                out[size] = byte
                size += 1
                line_start = False
            continue
        code, width = _next_code(data, at)
        at += width
        if code == 10 and keep_lines:
            out[size] = 10
            size += 1
            pending = False
            line_start = True
            continue
        for position in range(offsets[code], offsets[code + 1]):
            byte = folded[position]
            if byte == _SPACE:
                pending = not line_start
            else:
                if pending:
                    out[size] = _SPACE
                    size += 1
                    pending = False
                out[size] = byte
                size += 1
                line_start = False
    return out[:size], True


@njit(cache=True)
def any_marked_utf8(data: NDArray[np.uint8], marked: NDArray[np.uint8]) -> bool:  # pragma: no cover
    """True when a code point of the UTF-8 `data` has `marked[code]` set."""
    at = 0
    end = data.shape[0]
    while at < end:
        code, width = _next_code(data, at)
        if marked[code]:
            return True
        at += width
    return False


def dense_word_ids(data: bytes) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """`word_ids` of words already joined by single spaces (UTF-8): no split, no join."""
    if not data:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return _dense_word_ids(np.frombuffer(data, dtype=np.uint8))


# Repeats and signals

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: the high bits of key * this spread well
_MIX = np.uint64(0xC2B2AE3D27D4EB4F)


@njit(cache=True, inline="always")
def _table_bits(entries: int) -> int:  # pragma: no cover - compiled
    """Bits of an open-addressing table with at least twice `entries` slots."""
    bits = 4
    while (1 << bits) < 2 * entries:
        bits += 1
    return bits


@njit(cache=True)
def repeated_ngrams(
    ids: NDArray[np.int64], lengths: NDArray[np.int64], max_size: int
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:  # pragma: no cover - compiled
    """Gopher's n-gram repetition numerators for every size 2..`max_size`.

    `ids` are word ids (equal words, equal ids, all >= 0), `lengths` each word's length
    in characters. Returns, indexed by size, (occurrences of the most frequent repeated
    n-gram times its characters, the longest among equally frequent; 0 when none repeats)
    and (characters of the words covered by an occurrence of a repeated n-gram). Divided
    by the word characters they are the `top_Ngram_char_frac` and `dup_Ngram_char_frac`
    signals.

    Only an n-gram whose (n-1)-word prefix repeats can repeat, so each size looks only at
    the positions that survived the size before: all words for 2-grams, then, in news
    text, a few percent. An n-gram's id is its first position, found in a hash table of
    (prefix id, last word) pairs compared exactly.
    """
    count = ids.shape[0]
    top = np.zeros(max_size + 1, np.int64)
    dup = np.zeros(max_size + 1, np.int64)
    chars = np.zeros(count + 1, np.int64)
    for index in range(count):
        chars[index + 1] = chars[index] + lengths[index]
    gram = ids.copy()  # at a live position: the id of the (size - 1)-gram starting there
    live = np.arange(count)  # increasing positions whose (size - 1)-gram repeats
    live_count = count
    slot_of = np.empty(count, np.int64)
    for size in range(2, max_size + 1):
        bits = _table_bits(live_count)
        mask = np.uint64((1 << bits) - 1)
        shift = np.uint64(64 - bits)
        first = np.full(1 << bits, -1, np.int64)  # slot -> first position of its n-gram
        members = np.zeros(1 << bits, np.int64)
        candidates = 0
        while candidates < live_count and live[candidates] + size <= count:
            position = live[candidates]
            last = ids[position + size - 1]
            slot = ((np.uint64(gram[position]) * _MIX ^ np.uint64(last)) * _GOLDEN) >> shift
            while True:
                other = first[slot]
                if other == -1:
                    first[slot] = position
                    break
                if gram[other] == gram[position] and ids[other + size - 1] == last:
                    break
                slot = (slot + np.uint64(1)) & mask
            members[slot] += 1
            slot_of[position] = slot
            candidates += 1
        best = best_chars = covered = reach = 0
        live_count = 0
        for index in range(candidates):
            position = live[index]
            slot = slot_of[position]
            if members[slot] < 2:
                continue
            if first[slot] == position:  # the n-gram's first occurrence: judge it once
                length = chars[position + size] - chars[position]
                if members[slot] > best or (members[slot] == best and length > best_chars):
                    best, best_chars = members[slot], length
            start = max(position, reach)  # occurrences come in order: cover what they add
            reach = position + size
            covered += chars[reach] - chars[start]
            gram[position] = first[slot]
            live[live_count] = position
            live_count += 1
        top[size] = best * best_chars
        dup[size] = covered
    return top, dup


@njit(cache=True)
def token_repetition(
    data: NDArray[np.uint8], max_size: int
) -> tuple[NDArray[np.int64], NDArray[np.int64], int]:
    """`repeated_ngrams` of the words of `data` (UTF-8 joined by single spaces), and their characters."""
    if data.shape[0] == 0:
        return np.zeros(max_size + 1, np.int64), np.zeros(max_size + 1, np.int64), 0
    ids, lengths = _dense_word_ids(data)
    top, dup = repeated_ngrams(ids, lengths, max_size)
    return top, dup, lengths.sum()


_NEWLINE = np.uint8(0x0A)


@njit(cache=True)
def line_word_ids(data: NDArray[np.uint8]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:  # pragma: no cover
    """Each word of `data` as the position of its first occurrence, and the words of each line.

    `data` is UTF-8 lines joined by "\\n", words separated by spaces (empty lines and
    runs of spaces allowed). Equal words get equal ids: a hash table of first
    occurrences, every hit compared byte for byte.
    """
    words = 0
    lines = 1
    for at in range(data.shape[0]):
        if data[at] == _NEWLINE:
            lines += 1
        if data[at] != _SPACE and data[at] != _NEWLINE and (at == 0 or data[at - 1] in (_SPACE, _NEWLINE)):
            words += 1
    bits = _table_bits(words)
    mask = np.uint64((1 << bits) - 1)
    shift = np.uint64(64 - bits)
    table = np.full(1 << bits, -1, np.int64)  # slot -> first word with that content
    starts = np.empty(words, np.int64)
    ends = np.empty(words, np.int64)
    ids = np.empty(words, np.int64)
    per_line = np.zeros(lines, np.int64)
    word = line = 0
    at = 0
    end = data.shape[0]
    while at < end:
        byte = data[at]
        if byte == _NEWLINE:
            line += 1
            at += 1
            continue
        if byte == _SPACE:
            at += 1
            continue
        start = at
        hashed = np.uint64(0xCBF29CE484222325)  # FNV-1a, 64 bits
        while at < end and data[at] != _SPACE and data[at] != _NEWLINE:
            hashed = (hashed ^ np.uint64(data[at])) * np.uint64(0x100000001B3)
            at += 1
        starts[word], ends[word] = start, at
        slot = (hashed * _GOLDEN) >> shift
        while True:
            other = table[slot]
            if other == -1:
                table[slot] = word
                ids[word] = word
                break
            if _same_bytes(data, starts[other], ends[other], start, at):
                ids[word] = other
                break
            slot = (slot + np.uint64(1)) & mask
        per_line[line] += 1
        word += 1
    return ids, per_line


@njit(cache=True, inline="always")
def _same_bytes(
    data: NDArray[np.uint8], start: int, end: int, other: int, other_end: int
) -> bool:  # pragma: no cover
    """True when data[start:end] equals data[other:other_end]."""
    if end - start != other_end - other:
        return False
    for offset in range(end - start):  # noqa: SIM110 - numba compiles loops, not generators
        if data[start + offset] != data[other + offset]:
            return False
    return True


@njit(cache=True)
def first_windows(ids: NDArray[np.int64], width: int) -> NDArray[np.int64]:  # pragma: no cover - compiled
    """For each window `ids[i : i + width]`, the first position of an equal window.

    Equal windows get equal values, below the number of windows: exact ids for sets and
    counts. A hash table of first occurrences, every hit compared id by id.
    """
    count = ids.shape[0] - width + 1
    if count <= 0:
        return np.empty(0, np.int64)
    bits = _table_bits(count)
    mask = np.uint64((1 << bits) - 1)
    shift = np.uint64(64 - bits)
    table = np.full(1 << bits, -1, np.int64)
    out = np.empty(count, np.int64)
    for position in range(count):
        hashed = np.uint64(0)
        for offset in range(width):
            hashed = (hashed ^ np.uint64(ids[position + offset])) * _MIX
        slot = (hashed * _GOLDEN) >> shift
        while True:
            other = table[slot]
            if other == -1:
                table[slot] = position
                out[position] = position
                break
            if _same_window(ids, other, position, width):
                out[position] = other
                break
            slot = (slot + np.uint64(1)) & mask
    return out


@njit(cache=True)
def anchor_sources(
    tokens: NDArray[np.int64], size: int
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:  # pragma: no cover - compiled
    """Windows of `size` tokens whose words first start at least `size` tokens earlier: (starts, first starts)."""
    earliest = first_windows(tokens, size)
    anchors = np.empty(earliest.shape[0], np.int64)
    sources = np.empty(earliest.shape[0], np.int64)
    found = 0
    for position in range(earliest.shape[0]):
        if earliest[position] <= position - size:
            anchors[found] = position
            sources[found] = earliest[position]
            found += 1
    return anchors[:found], sources[:found]


@njit(cache=True)
def long_blocks_may_match(
    shingle_ids: NDArray[np.int64],
    block_first: NDArray[np.int64],
    min_words: int,
    size: int,
    threshold: float,
) -> bool:  # pragma: no cover - compiled
    """True when two or more blocks have `min_words` tokens and one has `threshold` of its distinct
    shingles in another (`shared_shingle_counts`); `block_first` bounds the blocks' tokens."""
    starts = np.empty(block_first.shape[0], np.int64)
    ends = np.empty(block_first.shape[0], np.int64)
    count = 0
    for block in range(block_first.shape[0] - 1):
        if block_first[block + 1] - block_first[block] >= min_words:
            starts[count] = block_first[block]
            ends[count] = block_first[block + 1] - size + 1
            count += 1
    if count < 2:
        return False
    distinct, in_others = shared_shingle_counts(shingle_ids, starts[:count], ends[:count])
    for block in range(count):  # noqa: SIM110 - numba compiles loops, not generators
        # Slack for the float division in `jaccard`: never skip a pair it would accept.
        if in_others[block] * (1.0 + 1e-9) >= threshold * distinct[block]:
            return True
    return False
