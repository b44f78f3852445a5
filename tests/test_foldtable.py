"""The per-character fold table: a text folded through it is the fingerprint `_fold` defines."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from corpusclean import foldtable, normalize
from corpusclean.normalize import fingerprint, fingerprint_bytes, fingerprint_lines

from strategies import damaged_article, multilingual_text, news_text

# Neighbours that switch on each of `_fold`'s whole-text steps: plain ASCII, non-ASCII
# (casefold and the separator table), not NFKC (the NFKC pass), a rare separator and a
# non-ASCII digit (the regex pass), an astral symbol and an astral digit (the astral pass).
NEIGHBOURS = ["a", "é", "\u00bd", "\u2044", "\u0663", " ", "ß", "\u00a0", "\U0001f534", "\U000104a3"]


def defined(text: str) -> str:
    """The fingerprint by the whole-text passes of `_fold` (the definition)."""
    return " ".join(normalize._fold_words(text, False))


def by_table(text: str) -> str:
    """Each character's entry in the table, concatenated, spaces collapsed."""
    table = foldtable.fold_table()
    pieces = (
        table.folded[table.offsets[ord(char)] : table.offsets[ord(char) + 1]].tobytes().decode()
        for char in text
    )
    return " ".join("".join(pieces).split())


def test_every_safe_code_point_folds_alike_alone_and_beside_any_neighbour() -> None:
    """The table's premise, checked on all of Unicode: a character not marked unsafe folds the same
    whatever stands next to it, so a text of such characters is the concatenation of their folds."""
    table = foldtable.fold_table()
    safe = [
        code
        for code in range(foldtable.CODE_POINTS)
        if not table.unsafe[code] and unicodedata.category(chr(code)) not in ("Cn", "Co")
    ]
    assert len(safe) > 140_000  # every assigned character but the few that may combine
    for neighbour in NEIGHBOURS:
        for first in range(0, len(safe), 64):
            text = neighbour.join(map(chr, safe[first : first + 64])) + neighbour
            assert by_table(text) == defined(text), (neighbour, hex(safe[first]))


def test_characters_that_combine_with_the_previous_one_are_unsafe() -> None:
    """Marks, Hangul vowel and final jamo (and their compatibility forms), and composition seconds."""
    unsafe = foldtable.fold_table().unsafe
    for char in ("\u0301", "\u0e48", "\u1161", "\u11a8", "\u314f", "\u0bbe", "\ud800"):
        assert unsafe[ord(char)], hex(ord(char))
    for char in "aé’«\u00a0Ｌﬁ北ข🔴":
        assert not unsafe[ord(char)], hex(ord(char))
    assert defined("\u3131\u314f") != by_table("\u3131\u314f")  # why: compatibility jamo compose


@given(
    text=st.one_of(
        st.text(min_size=160, max_size=600),
        st.text(st.characters(codec="utf-8"), min_size=160).map(lambda text: text.replace("b", "\n")),
        news_text(),
        damaged_article(),
        multilingual_text(),
    )
)
def test_fingerprints_of_long_texts_equal_the_definition(text: str) -> None:
    """Through the table or (a character may combine) through `_fold`, the result is the definition's."""
    assert fingerprint_bytes(text) == defined(text).encode("utf-8", "surrogatepass")
    assert fingerprint(text) == defined(text)
    assert fingerprint_lines(text) == [defined(line) for line in text.split("\n")]


def test_an_article_takes_the_table_and_a_combining_mark_the_definition() -> None:
    text = "« Nous devons aller plus vite », a déclaré la ministre à Paris, le 12 mars 2025. 🔴"
    assert normalize._fold_by_table(text, keep_lines=False) == defined(text).encode()
    assert normalize._fold_by_table(text + "e\u0301", keep_lines=False) is None
    assert fingerprint(text + " e\u0301") == defined(text) + " é"


def test_the_table_reads_utf8_of_every_width_and_lone_surrogates() -> None:
    """1- to 4-byte characters fold as the definition does; a lone surrogate (unsafe) goes to it."""
    text = "Prix : 12 € — Ελλάδα, 東京, 🔴 Ωμέγα ! " * 8
    assert normalize._fold_by_table(text, keep_lines=False) == defined(text).encode()
    assert normalize._fold_by_table(text + "\ud800", keep_lines=False) is None
    assert fingerprint_bytes(text + "\ud800") == defined(text + "\ud800").encode("utf-8", "surrogatepass")
    assert not normalize.fingerprint_is_wordwise(text + "\ud800") and normalize.fingerprint_is_wordwise(text)


def test_an_astral_digit_folds_to_zero_with_or_without_other_rare_characters() -> None:
    """U+104A3 OSMANYA DIGIT THREE is a decimal digit: 0 like any other, whatever its neighbours."""
    assert fingerprint("lot 𐒣") == "lot 0"
    assert fingerprint("lot 𐒣 ٣") == "lot 0 0"
    assert normalize._fold_words("lot 𐒣", False) == ["lot", "0"]


def test_the_cached_table_is_the_built_one_and_a_damaged_cache_is_rebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CORPUSCLEAN_CACHE_DIR", str(tmp_path))
    load = foldtable.fold_table.__wrapped__  # the uncached function: every call reads or builds
    built = foldtable.build_arrays()
    first = load()
    (stored,) = tmp_path.glob("fold-table-*.npz")
    second = load()
    stored.write_bytes(b"PK\x03\x04 cut short")
    third = load()
    for table in (first, second, third, foldtable.fold_table()):
        for name in ("offsets", "folded", "unsafe"):
            assert np.array_equal(getattr(table, name), built[name]), name


def test_every_ascii_character_folds_alone_to_one_byte() -> None:
    """The fold kernel's ASCII fast path relies on this: one byte out per ASCII byte, never unsafe."""
    table = foldtable.fold_table()
    for code in range(0x80):
        assert table.offsets[code + 1] - table.offsets[code] == 1, chr(code)
        assert not table.unsafe[code], chr(code)
