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


# Line classifier
#
# `classifier.line_features` for every line of a document in one pass over its code points
# (UTF-32). `chars[c]`, for every code point c, packs c lower-cased (bits `CHAR_BITS` and
# up) with its classes (the `CHAR_*` bits): one load, no branch. Words (stop words without
# their punctuation variants, punctuation tokens, interface cues) sit in one int32 array
# (`build_word_table`): a filter, then an open-addressing table of FNV-1a hashes over
# their code points, small enough to stay in cache; a hit is compared code point by code
# point, so a look-up is exact whatever the hash does. Short strings (link hints, then the
# punctuation stop words may carry after, then before them) sit end to end in `strings`.
#
# numba compiles each function apart and does not inline one into another unless told
# (inline="always"), and even then only helpers that call nothing else stay fast; a
# call costs about as much as a look-up, more with every array passed. So the loops over
# words call nothing per word but `_next_word` and the inlined `_lookup`.

CHAR_SPACE = 1  # str.isspace: str.split() separates words there
CHAR_UPPER = 2  # str.isupper
CHAR_WORD_BREAK = 4  # a space, ’ or ': where `classifier._words` splits
CHAR_MARK = 8  # a separator mark (| › • · > / »)
CHAR_CLOSING = 16  # stripped before looking for terminal punctuation (closing quotes, space)
CHAR_TERMINAL = 32  # terminal punctuation
CHAR_HINT = 64  # first character of a link hint
CHAR_NOTED = 128  # counted as written: an ASCII digit, «, », © or (
CHAR_INEXACT = 256  # lower-cases by its context or into several code points (Σ, İ)
CHAR_TRAILING = 512  # lower-cases to the last character of punctuation a stop word may carry after it
CHAR_LEADING = 1024  # lower-cases to the first character of punctuation a stop word may carry before it
CHAR_BITS = 11
# The word table's values: stop-word languages in the low bits, then these.
WORD_LANGUAGES = (1 << 24) - 1
WORD_PUNCTUATION = 1 << 24
WORD_CUE = 1 << 25
WORD_PAIR_SHIFT = 26  # the word's number in the cue-pair vocabulary (0: in no pair)
WORD_PAIRS = 31  # at most this many words in cue pairs: values stay within int32
_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_TAG_SHIFT = np.uint64(49)  # a slot keeps the hash's top 15 bits above its word number
_FILTER_BITS = 1 << 16  # one bit set per word of the table: 8 KB
# Entries of `line_counts`'s `limits`.
LIMIT_LANGUAGES, LIMIT_HEAD, LIMIT_SAMPLE, LIMIT_FOREIGN_WORDS, LIMIT_CUE_CHARS, LIMIT_TITLE_CHARS = range(6)
LIMIT_HINTS, LIMIT_TRAILING, LIMIT_LEADING = 6, 7, 8
# Columns of `line_counts`.
COUNT_WORDS, COUNT_STOPS, COUNT_CUE, COUNT_TITLED, COUNT_DIGITS = range(5)
COUNT_SEPARATORS, COUNT_LINK_HINT, COUNT_TERMINAL, COUNT_COPYRIGHT = range(5, 9)
_COUNT_COLUMNS = 9


@njit(cache=True)
def build_word_table(
    words: NDArray[np.uint32], starts: NDArray[np.int64], values: NDArray[np.int64], size: int
) -> NDArray[np.int32]:  # pragma: no cover - compiled
    """The word table of word w = `words[starts[w] : starts[w + 1]]` with value `values[w]`.

    Layout: the number of slots S (a power of two); a filter of `_FILTER_BITS` bits, one
    set per word, which turns most absent words away from 8 KB that stay in cache; S
    slots, each -1 or a word number (low 16 bits) under 15 more bits of its hash, so that
    most other absent words stop at their slot; per word, where its code points start in
    the table, their count and its value; the code points. At most 65,536 words.
    """
    count = starts.shape[0] - 1
    slots = 1 + _FILTER_BITS // 32
    first = slots + size + 3 * count
    table = np.zeros(first + words.shape[0], np.int32)
    table[0] = size
    table[slots : slots + size] = -1
    table[first:] = words
    mask = np.uint64(size - 1)
    for word in range(count):
        entry = slots + size + 3 * word
        table[entry] = first + starts[word]
        table[entry + 1] = starts[word + 1] - starts[word]
        table[entry + 2] = values[word]
        hashed = _FNV_OFFSET
        for at in range(starts[word], starts[word + 1]):
            hashed = (hashed ^ np.uint64(words[at])) * _FNV_PRIME
        bit = np.int64(hashed & np.uint64(_FILTER_BITS - 1))
        table[1 + (bit >> 5)] |= np.int32(1) << np.int32(bit & 31)
        slot = ((hashed * _GOLDEN) >> np.uint64(32)) & mask
        while table[slots + slot] != -1:
            slot = (slot + np.uint64(1)) & mask
        table[slots + slot] = np.int64(hashed >> _TAG_SHIFT) << 16 | word
    return table


@njit(cache=True, inline="always")
def _lookup(
    text: NDArray[np.uint32], start: int, end: int, chars: NDArray[np.uint32], words: NDArray[np.int32]
) -> int:  # pragma: no cover - compiled
    """The value of `text[start:end]` lower-cased in the word table, 0 when absent (inlined).

    Calls nothing, not even a helper for what `build_word_table` computes alike: inside
    a function numba inlines, a call costs as much as the look-up.
    """
    hashed = _FNV_OFFSET
    for at in range(start, end):
        hashed = (hashed ^ np.uint64(chars[text[at]] >> CHAR_BITS)) * _FNV_PRIME
    bit = np.int64(hashed & np.uint64(_FILTER_BITS - 1))
    if not words[1 + (bit >> 5)] >> (bit & 31) & 1:
        return 0
    size = words[0]
    slots = 1 + _FILTER_BITS // 32
    mask = np.uint64(size - 1)
    slot = ((hashed * _GOLDEN) >> np.uint64(32)) & mask
    tag = np.int64(hashed >> _TAG_SHIFT) << 16
    while True:
        held = words[slots + slot]
        if held == -1:
            return 0
        entry = slots + size + 3 * (held & 0xFFFF)
        if held & ~0xFFFF == tag and words[entry + 1] == end - start:
            offset = words[entry] - start
            same = True
            for at in range(start, end):
                if words[at + offset] != chars[text[at]] >> CHAR_BITS:
                    same = False
                    break
            if same:
                return int(words[entry + 2])
        slot = (slot + np.uint64(1)) & mask


@njit(cache=True)
def _affixed_languages(
    text: NDArray[np.uint32],
    start: int,
    end: int,
    chars: NDArray[np.uint32],
    words: NDArray[np.int32],
    strings: NDArray[np.uint32],
    string_starts: NDArray[np.int64],
    limits: NDArray[np.int64],
) -> int:  # pragma: no cover - compiled
    """The languages of which `text[start:end]` is a stop word with punctuation attached ("qui," "(AFP").

    A stop word followed by a trailing mark, or preceded by a leading one (`strings` after
    the link hints), compared lower-cased as `line_features` compares words. Rare enough
    (a word in eight) to be called; the look-up of the word itself is inlined by the caller.
    """
    languages = 0
    first = limits[LIMIT_HINTS]
    trailing = first + limits[LIMIT_TRAILING]
    last = chars[text[end - 1]] >> CHAR_BITS
    initial = chars[text[start]] >> CHAR_BITS
    for mark in range(first, trailing + limits[LIMIT_LEADING]):
        size = string_starts[mark + 1] - string_starts[mark]
        if mark < trailing:
            if strings[string_starts[mark + 1] - 1] != last or end - start <= size:
                continue
            at = end - size
        else:
            if strings[string_starts[mark]] != initial or end - start <= size:
                continue
            at = start
        same = True
        for offset in range(size):
            if chars[text[at + offset]] >> CHAR_BITS != strings[string_starts[mark] + offset]:
                same = False
                break
        if same and mark < trailing:
            languages |= _lookup(text, start, end - size, chars, words) & WORD_LANGUAGES
        elif same:
            languages |= _lookup(text, start + size, end, chars, words) & WORD_LANGUAGES
    return languages


@njit(cache=True)
def _next_word(
    text: NDArray[np.uint32], at: int, end: int, chars: NDArray[np.uint32], split: int
) -> tuple[int, int]:  # pragma: no cover - compiled
    """The next word of `text[at:end]` between characters of class `split`, or (end, end)."""
    while at < end and chars[text[at]] & split:
        at += 1
    start = at
    while at < end and not chars[text[at]] & split:
        at += 1
    return start, at


@njit(cache=True)
def _best_language(
    text: NDArray[np.uint32],
    start: int,
    end: int,
    chars: NDArray[np.uint32],
    words: NDArray[np.int32],
    strings: NDArray[np.uint32],
    string_starts: NDArray[np.int64],
    limits: NDArray[np.int64],
) -> int:  # pragma: no cover - compiled
    """`classifier.document_stopwords` on the words of `text[start:end]`: the language's bit."""
    hits = np.zeros(limits[LIMIT_LANGUAGES], np.int64)
    at = start
    for _ in range(limits[LIMIT_SAMPLE]):
        first, at = _next_word(text, at, end, chars, CHAR_WORD_BREAK)
        if first == at:
            break
        value = _lookup(text, first, at, chars, words)
        if (chars[text[first]] & CHAR_LEADING) | (chars[text[at - 1]] & CHAR_TRAILING):
            value |= _affixed_languages(text, first, at, chars, words, strings, string_starts, limits)
        if value & WORD_LANGUAGES:
            for bit in range(hits.shape[0]):
                hits[bit] += value >> bit & 1
    best = 0
    for bit in range(1, hits.shape[0]):
        if hits[bit] > hits[best]:
            best = bit
    return best


@njit(cache=True)
def _count_language(
    text: NDArray[np.uint32],
    start: int,
    end: int,
    bit: int,
    chars: NDArray[np.uint32],
    words: NDArray[np.int32],
    strings: NDArray[np.uint32],
    string_starts: NDArray[np.int64],
    limits: NDArray[np.int64],
) -> int:  # pragma: no cover - compiled
    """How many words of `text[start:end]` are stop words of language `bit`."""
    count = 0
    at = start
    while True:
        first, at = _next_word(text, at, end, chars, CHAR_WORD_BREAK)
        if first == at:
            return count
        value = _lookup(text, first, at, chars, words)
        if (chars[text[first]] & CHAR_LEADING) | (chars[text[at - 1]] & CHAR_TRAILING):
            value |= _affixed_languages(text, first, at, chars, words, strings, string_starts, limits)
        count += value >> bit & 1


@njit(cache=True)
def _hint_at(
    text: NDArray[np.uint32],
    at: int,
    end: int,
    strings: NDArray[np.uint32],
    string_starts: NDArray[np.int64],
    hints: int,
) -> bool:  # pragma: no cover - compiled
    """Whether one of the link hints (the first `hints` strings) starts at `at`, as written."""
    for hint in range(hints):
        first = string_starts[hint]
        size = string_starts[hint + 1] - first
        if text[at] != strings[first] or at + size > end:
            continue
        same = True
        for offset in range(1, size):
            if text[at + offset] != strings[first + offset]:
                same = False
                break
        if same:
            return True
    return False


@njit(cache=True)
def _is_terminal(
    text: NDArray[np.uint32], start: int, end: int, chars: NDArray[np.uint32]
) -> bool:  # pragma: no cover - compiled
    """The line ends with terminal punctuation once closing quotes are stripped (or is all closing)."""
    at = end
    while at > start and chars[text[at - 1]] & CHAR_CLOSING:
        at -= 1
    return at == start or chars[text[at - 1]] & CHAR_TERMINAL != 0


@njit(cache=True)
def _written_counts(
    text: NDArray[np.uint32],
    start: int,
    end: int,
    document: int,
    chars: NDArray[np.uint32],
    words: NDArray[np.int32],
    strings: NDArray[np.uint32],
    string_starts: NDArray[np.int64],
    limits: NDArray[np.int64],
    row: NDArray[np.int64],
) -> bool:  # pragma: no cover - compiled
    """Fill the columns read from the line as written, in one pass; False on a `CHAR_INEXACT` character.

    Words split at spaces only: runs of separator marks, capitalized words that are not
    stop words of the `document` language (below the title length); digits (same limit),
    « and », ©, (c), (C) and link hints.
    """
    titles = end - start < limits[LIMIT_TITLE_CHARS]
    separators = titled = digits = opening = closing = 0
    hint = copyright = False
    word = -1  # where the current word started
    marks = False  # the current word is separator marks only
    for at in range(start, end + 1):
        code = text[at] if at < end else 0x20
        classes = chars[code]
        if classes & CHAR_SPACE:
            if word >= 0:
                separators += marks
                if titles and chars[text[word]] & CHAR_UPPER:
                    value = _lookup(text, word, at, chars, words)
                    if (chars[text[word]] & CHAR_LEADING) | (chars[text[at - 1]] & CHAR_TRAILING):
                        value |= _affixed_languages(
                            text, word, at, chars, words, strings, string_starts, limits
                        )
                    titled += 1 - (value >> document & 1)
                word = -1
            continue
        if classes & CHAR_INEXACT:
            return False
        if word < 0:
            word = at
            marks = True
        marks &= classes & CHAR_MARK != 0
        if classes & CHAR_NOTED:
            if 0x30 <= code <= 0x39:
                digits += 1
            elif code == 0xAB:  # «
                opening += 1
            elif code == 0xBB:  # »
                closing += 1
            elif code == 0xA9 or (at + 2 < end and text[at + 1] in (0x43, 0x63) and text[at + 2] == 0x29):
                copyright = True  # ©, (c) or (C)
        if classes & CHAR_HINT and not hint:
            hint = _hint_at(text, at, end, strings, string_starts, limits[LIMIT_HINTS])
    if opening:
        separators = max(separators - closing, 0)  # French quotes, not a breadcrumb
    row[COUNT_SEPARATORS] = separators
    row[COUNT_TITLED] = titled
    row[COUNT_DIGITS] = digits if titles else 0
    row[COUNT_LINK_HINT] = hint
    row[COUNT_COPYRIGHT] = copyright
    return True


@njit(cache=True)
def line_counts(
    text: NDArray[np.uint32],
    line_starts: NDArray[np.int64],
    line_ends: NDArray[np.int64],
    chars: NDArray[np.uint32],
    words: NDArray[np.int32],
    pairs: NDArray[np.uint8],
    strings: NDArray[np.uint32],
    string_starts: NDArray[np.int64],
    limits: NDArray[np.int64],
) -> tuple[NDArray[np.int64], bool]:  # pragma: no cover - compiled
    """What `classifier.line_features` counts on each line (columns `COUNT_*`), or (empty, False).

    `limits` holds the classifier's constants (`LIMIT_*`). The words of a line are split
    at spaces and apostrophes and lower-cased for stop words, punctuation and cues; split
    at spaces only, as written, for separator runs and capitalized words. False when a
    character lower-cases by its context or into several: the Python path decides.
    """
    head = min(limits[LIMIT_HEAD], text.shape[0])
    document = _best_language(text, 0, head, chars, words, strings, string_starts, limits)
    out = np.zeros((line_starts.shape[0], _COUNT_COLUMNS), np.int64)
    for line in range(line_starts.shape[0]):
        start = line_starts[line]
        end = line_ends[line]
        row = out[line]
        tokens = punctuation = stops = 0
        cue = False
        previous = 0
        at = start
        while True:
            first, at = _next_word(text, at, end, chars, CHAR_WORD_BREAK)
            if first == at:
                break
            value = _lookup(text, first, at, chars, words)  # inlined; a call would cost as much
            if (chars[text[first]] & CHAR_LEADING) | (chars[text[at - 1]] & CHAR_TRAILING):
                value |= _affixed_languages(text, first, at, chars, words, strings, string_starts, limits)
            tokens += 1
            punctuation += value & WORD_PUNCTUATION != 0
            stops += value >> document & 1
            pair = value >> WORD_PAIR_SHIFT & WORD_PAIRS
            cue = cue or value & WORD_CUE != 0 or (previous != 0 and pair != 0 and pairs[previous, pair] != 0)
            previous = pair
        count = tokens - punctuation
        if count >= limits[LIMIT_FOREIGN_WORDS] and stops < 0.3 * count:
            own = _best_language(text, start, end, chars, words, strings, string_starts, limits)
            if own != document:
                own_stops = _count_language(
                    text, start, end, own, chars, words, strings, string_starts, limits
                )
                stops = max(stops, own_stops)
        row[COUNT_WORDS] = count
        row[COUNT_STOPS] = stops
        row[COUNT_CUE] = cue and end - start < limits[LIMIT_CUE_CHARS]
        if not _written_counts(text, start, end, document, chars, words, strings, string_starts, limits, row):
            return np.empty((0, _COUNT_COLUMNS), np.int64), False
        row[COUNT_TERMINAL] = _is_terminal(text, start, end, chars)
    return out, True
