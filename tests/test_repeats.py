"""Repeated passages inside one document: later copies go, the first stays, with evidence."""

from __future__ import annotations

import json
import unicodedata
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from corpusclean import Cleaner, Config, Document, RepeatDetector, RepeatsConfig, normalize_display, tokenize
from corpusclean.document import Reason, sweep
from corpusclean.minhash import jaccard
from corpusclean.repeats import _Shingles, _words_of, optimal_bands
from corpusclean.segment import SegmentedText

from conftest import ROOT, SEEDS
from strategies import laid_out_text, news_text, repeated_passage_document

LEAD = (
    "Le gouvernement a présenté mercredi en Conseil des ministres son projet de loi de programmation "
    "énergétique, attendu depuis plus d’un an par les industriels du secteur."
)
SECOND = (
    "Le texte fixe un objectif de quatorze nouveaux réacteurs d’ici à 2050 et relève la part des "
    "renouvelables dans la production d’électricité, selon le document transmis à la presse."
)
THIRD = (
    "Les associations écologistes dénoncent un texte « sans ambition » sur la sobriété, tandis que "
    "le patronat salue une visibilité enfin retrouvée pour les investissements."
)
OTHER = (
    "À Bruxelles, la Commission européenne a indiqué qu’elle examinerait la compatibilité du "
    "dispositif avec les règles sur les aides d’État avant la fin de l’année."
)


def clean_text(text: str, **repeats: object) -> tuple[str, list[dict]]:
    """Clean one document with the default pipeline; return its text and removal records."""
    config = Config().replace("repeats", **repeats) if repeats else Config()
    # The line classifier judges short lines by their neighbours; these fixtures isolate repeats.
    config = config.replace("quality", filter=False).replace("classifier", enabled=False)
    outcome = Cleaner(config).process(Document("doc", text))
    return outcome.doc.text, outcome.doc.metadata["removed"]


def spans_of(text: str, detector: RepeatDetector | None = None) -> list:
    return list((detector or RepeatDetector()).detect(SegmentedText(normalize_display(text))))


def test_seed_001_keeps_each_paragraph_once_in_order() -> None:
    """The five repeated lines of seed 001 are removed, each pointing at its first copy."""
    raw = next(SEEDS.glob("001_*.txt")).read_text(encoding="utf-8")
    normalized = normalize_display(raw)
    lines = normalized.split("\n")
    clean, removed = clean_text(raw)
    assert clean.split("\n") == lines[:6] + lines[11:]
    repeats = [r for r in removed if r["reason"] == "repeat"]
    assert len(repeats) == 5
    for offset, record in enumerate(repeats):
        first_start, first_end = record["evidence"]["repeat_of"]
        assert normalized[first_start:first_end] == lines[1 + offset]
        assert record["text"].strip() == lines[6 + offset]
        assert normalized[record["start"] : record["end"]] == record["text"]
        assert record["rule"] == "repeats" and record["evidence"]["similarity"] == 1.0


def test_seed_golden_file_for_001_holds() -> None:
    """The golden expectations for seed 001 (kept and removed snippets) hold through the pipeline."""
    golden = json.loads((ROOT / "tests" / "golden" / "001_d123fd011bf649b3.json").read_text())
    raw = (SEEDS / f"{golden['seed']}.txt").read_text(encoding="utf-8")
    clean, removed = clean_text(raw)
    for snippet in golden["kept"]:
        assert clean.count(snippet) == 1
    removed_text = " ".join(r["text"] for r in removed)
    for snippet in golden["removed"]:
        assert snippet in removed_text


@pytest.mark.parametrize("path", sorted(p.name for p in SEEDS.glob("*.txt") if not p.name.startswith("001")))
def test_other_seeds_lose_nothing_to_repeats(path: str) -> None:
    """Seeds without a repeated passage keep all their text (as far as this detector goes)."""
    assert spans_of((SEEDS / path).read_text(encoding="utf-8")) == []


def test_block_repeated_with_typos_and_changed_punctuation_is_removed() -> None:
    """A pasted copy with a typo per paragraph and other punctuation is a near-duplicate."""
    copy = [
        LEAD.replace("présenté", "présente").replace(",", ""),
        SECOND.replace("selon", "d’après").replace(".", " !"),
        THIRD.replace("« sans ambition »", '"sans ambition"').replace("enfin", "emfin"),
    ]
    clean, removed = clean_text("\n\n".join([LEAD, SECOND, THIRD, OTHER, *copy]))
    assert clean == "\n\n".join([LEAD, SECOND, THIRD, OTHER])
    assert [r["evidence"]["repeat_of"] for r in removed] == [
        [0, len(LEAD)],
        [len(LEAD) + 2, len(LEAD) + 2 + len(SECOND)],
        [len(LEAD) + len(SECOND) + 4, len(LEAD) + len(SECOND) + 4 + len(THIRD)],
    ]
    assert all(0.5 < r["evidence"]["similarity"] < 1.0 for r in removed)


def test_block_repeated_with_different_line_breaks_is_removed() -> None:
    """Three paragraphs pasted again as one long line are found by the unaligned pass."""
    text = "\n\n".join([LEAD, SECOND, THIRD, OTHER, f"{LEAD} {SECOND} {THIRD}"])
    clean, removed = clean_text(text)
    assert clean == "\n\n".join([LEAD, SECOND, THIRD, OTHER])
    assert len(removed) == 1
    start, end = removed[0]["evidence"]["repeat_of"]
    assert text[start:end] == f"{LEAD}\n\n{SECOND}\n\n{THIRD}"[: end - start]
    assert end - start >= len(LEAD) + len(SECOND) + len(THIRD)


def test_passage_repeated_inside_one_long_line_is_removed() -> None:
    """A run repeated inside one line loses its second copy, with its closing full stop."""
    text = f"{OTHER}\n\n{LEAD} {SECOND} {LEAD} {SECOND}"
    clean, removed = clean_text(text)
    assert clean == f"{OTHER}\n\n{LEAD} {SECOND}"
    assert removed[0]["reason"] == "repeat"


def test_repeated_heading_outside_a_block_is_kept() -> None:
    """A short heading that recurs next to different paragraphs is no repeat."""
    text = "\n\n".join(["Apaisement", LEAD, SECOND, "Apaisement", THIRD, OTHER])
    clean, removed = clean_text(text)
    assert clean == text
    assert removed == []


def test_heading_inside_a_repeated_block_goes_with_it() -> None:
    """A heading sandwiched in a repeated block is removed with the block, not on its own."""
    block = [LEAD, "Apaisement", SECOND, THIRD]
    text = "\n\n".join([*block, OTHER, *block])
    clean, removed = clean_text(text)
    assert clean == "\n\n".join([*block, OTHER])
    assert [r["text"].strip() for r in removed] == block


def test_short_repeated_quote_and_bullets_are_kept() -> None:
    """A few-word quote said twice and repeated list bullets stay: they are not scraping noise."""
    quote = "« Nous ne lâcherons rien », a-t-elle répété."
    bullets = "- la santé ;\n- l’école ;\n- le logement."
    text = "\n\n".join([quote, LEAD, bullets, SECOND, quote, THIRD, bullets])
    clean, removed = clean_text(text)
    assert clean == text
    assert removed == []


def test_three_copies_of_a_block_lose_two() -> None:
    """Of three copies, the first stays; both later ones point at it."""
    block = [LEAD, SECOND]
    text = "\n\n".join([*block, OTHER, *block, THIRD, *block])
    clean, removed = clean_text(text)
    assert clean == "\n\n".join([*block, OTHER, THIRD])
    assert len(removed) == 4
    assert {tuple(r["evidence"]["repeat_of"]) for r in removed} == {
        (0, len(LEAD)),
        (len(LEAD) + 2, len(LEAD) + 2 + len(SECOND)),
    }


def test_threshold_is_configurable_and_checked() -> None:
    """A strict threshold keeps an edited copy; an impossible one is refused."""
    copy = LEAD.replace("présenté", "présente") + " " + SECOND.replace("selon", "d’après")
    text = f"{LEAD} {SECOND}\n\n{OTHER}\n\n{copy}"
    assert clean_text(text, threshold=1.0)[0] == text
    assert clean_text(text)[0] == f"{LEAD} {SECOND}\n\n{OTHER}"
    with pytest.raises(ValueError, match="threshold"):
        RepeatsConfig(threshold=1.5)


def test_disabled_detector_removes_nothing() -> None:
    """`[repeats] enabled = false` leaves repeats in place."""
    text = "\n\n".join([LEAD, SECOND, LEAD, SECOND])
    assert clean_text(text, enabled=False)[0] == text


def test_hundreds_of_identical_paragraphs_keep_one() -> None:
    """A pathological dump of 300 copies keeps the first and stays linear in candidates."""
    text = "\n\n".join([LEAD] * 300)
    spans = spans_of(text)
    assert len(spans) == 299
    assert all(span.evidence["repeat_of"] == (0, len(LEAD)) for span in spans)


def test_banding_finds_pairs_at_the_threshold() -> None:
    """The chosen banding finds a pair at the threshold with probability at least 0.999."""
    for threshold in (0.5, 0.7, 0.8, 0.9):
        bands, rows = optimal_bands(64, threshold)
        assert bands * rows <= 64
        assert 1 - (1 - threshold**rows) ** bands >= 0.999


@given(repeated_passage_document())
def test_a_b_edited_a_keeps_a_and_b_and_drops_the_copy(case: tuple[str, str, str, str]) -> None:
    """For A + B + A' with A' a lightly edited A of 60+ words, the output is A then B."""
    text, a, b, _ = case
    clean, removed = clean_text(text)
    assert tokenize(clean) == tokenize(f"{a} {b}")
    assert clean.startswith(a)
    assert all(r["reason"] == Reason.REPEAT for r in removed)


@given(news_text())
def test_tokens_with_offsets_agree_with_tokenize(text: str) -> None:
    """The detector's tokens are exactly `tokenize`'s, and each maps back to its word."""
    segmented = SegmentedText(normalize_display(text))
    words = _words_of(segmented)
    assert words.tokens == tokenize(segmented.text)
    first: dict[str, int] = {}
    assert words.ids.tolist() == [first.setdefault(token, index) for index, token in enumerate(words.tokens)]
    for token, start, end in zip(words.tokens, words.starts, words.ends, strict=True):
        assert token in tokenize(segmented.text[start:end])


@given(news_text())
def test_removed_spans_are_real_text_and_sweep_cleanly(text: str) -> None:
    """Every repeat span points into the text, its first copy comes before it, and sweep accepts it."""
    normalized = normalize_display(text)
    spans = list(RepeatDetector().detect(SegmentedText(normalized)))
    for span in spans:
        first_start, first_end = span.evidence["repeat_of"]
        assert first_end <= span.start + 1 and first_start < first_end
        assert 0 <= span.start < span.end <= len(normalized)
    result = sweep(normalized, spans)
    assert len(result.text) <= len(normalized)


def test_cli_option_sets_the_threshold(tmp_path: Path) -> None:
    """`--repeats-threshold` and `--no-repeats-enabled` style options reach the detector."""
    from test_cli import read_jsonl, run_cli

    data = tmp_path / "in"
    data.mkdir()
    (data / "article.txt").write_text("\n\n".join([LEAD, SECOND, OTHER, LEAD, SECOND]), encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("clean", str(data), "-o", str(out), "-q", "--repeats-threshold", "0.9")
    assert result.returncode == 0, result.stderr
    doc = read_jsonl(out / "documents.jsonl")[0]
    assert doc["text"] == "\n\n".join([LEAD, SECOND, OTHER])
    assert [r["reason"] for r in doc["metadata"]["removed"]] == ["repeat", "repeat"]
    bad = run_cli("clean", str(data), "-o", str(tmp_path / "bad"), "--repeats-threshold", "2")
    assert bad.returncode == 2


@pytest.mark.parametrize(
    ("copy", "expected_ends"),
    [
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], (10, 20)),  # an exact copy: to the end of both
        ([1, 2, 3, 4, 99, 6, 7, 8, 9, 10], (10, 20)),  # one word replaced: across it
        ([1, 2, 3, 4, 5, 77, 88, 6, 7, 8, 9, 10], (10, 22)),  # two words inserted: across them
        ([1, 2, 3, 4, 5, 9, 10, 11, 12, 13], (5, 15)),  # three source words dropped then no 5-word match
    ],
)
def test_anchor_extension_crosses_small_edits_only(copy: list[int], expected_ends: tuple[int, int]) -> None:
    """A match grows over equal tokens and resumes after an edit of at most `max_gap_words` words."""
    from corpusclean import _kernels

    tokens = np.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, *copy], dtype=np.int64)
    assert _kernels.extend_match(tokens, 0, 10, 3, 5) == expected_ends


@given(st.lists(st.integers(-3, 6), max_size=60), st.integers(1, 6))
def test_window_ids_are_the_first_start_of_an_equal_window(values: list[int], width: int) -> None:
    """Each window's id is where the same ids first start (blocked tokens are negative)."""
    from corpusclean._kernels import first_windows

    windows = [tuple(values[i : i + width]) for i in range(len(values) - width + 1)]
    first: dict[tuple[int, ...], int] = {}
    expected = [first.setdefault(window, index) for index, window in enumerate(windows)]
    assert first_windows(np.array(values, dtype=np.int64), width).tolist() == expected


@given(st.lists(st.integers(-2, 3), max_size=60), st.integers(1, 6))
def test_anchors_are_windows_first_seen_at_least_their_width_earlier(values: list[int], width: int) -> None:
    """Anchor windows and their sources: the windows whose first occurrence ends before they start."""
    from corpusclean._kernels import anchor_sources

    windows = [tuple(values[i : i + width]) for i in range(len(values) - width + 1)]
    first: dict[tuple[int, ...], int] = {}
    sources = [first.setdefault(window, index) for index, window in enumerate(windows)]
    expected = [(index, source) for index, source in enumerate(sources) if source <= index - width]
    anchors, got = anchor_sources(np.array(values, dtype=np.int64), width)
    assert list(zip(anchors.tolist(), got.tolist(), strict=True)) == expected


@given(
    st.lists(
        st.lists(st.sampled_from(["le", "port", "été", "l", "ia", "東京", "0", "🔴", "a\udc80"]), max_size=8)
    )
)
def test_line_word_ids_are_first_occurrences_with_each_line_s_count(lines: list[list[str]]) -> None:
    """Word ids over lines joined by line breaks: each word's first position, and words per line."""
    from corpusclean._kernels import line_word_ids

    data = "\n".join(" ".join(line) for line in lines).encode("utf-8", "surrogatepass")
    ids, per_line = line_word_ids(np.frombuffer(data, dtype=np.uint8))
    words = [word for line in lines for word in line]
    first: dict[str, int] = {}
    assert ids.tolist() == [first.setdefault(word, index) for index, word in enumerate(words)]
    assert per_line.tolist() == ([len(line) for line in lines] if lines else [0])


@given(st.one_of(news_text(), repeated_passage_document().map(lambda parts: parts[0])))
def test_block_precheck_never_skips_a_document_with_a_matching_block_pair(text: str) -> None:
    """The exact shared-shingle count lets through every document where two long blocks reach the threshold."""
    segmented = SegmentedText(normalize_display(text))
    for threshold in (0.8, 0.5):
        detector = RepeatDetector(threshold=threshold)
        words = _words_of(segmented)
        grams = _Shingles(words, detector.shingle_words)
        first = words.block_first
        long_blocks = [
            b for b in range(len(segmented.blocks)) if first[b + 1] - first[b] >= detector.min_block_words
        ]
        sets = [grams.set_of(first[b], first[b + 1]) for b in range(len(segmented.blocks))]
        pairs = any(jaccard(sets[a], sets[b]) >= threshold for a in long_blocks for b in long_blocks if a < b)
        if pairs:  # the precheck must let every document with a matching pair through
            assert detector._may_share_blocks(grams, first)


@given(
    st.one_of(laid_out_text(), repeated_passage_document().map(lambda parts: parts[0])),
    st.sampled_from([0.3, 0.5, 0.8, 0.95]),
    st.sampled_from([2, 3, 8]),
)
def test_block_precheck_is_the_shared_shingle_count_of_long_blocks(
    text: str, threshold: float, min_block_words: int
) -> None:
    """The compiled precheck answers as counting each long block's distinct shingles found in another."""
    segmented = SegmentedText(normalize_display(text))
    detector = RepeatDetector(threshold=threshold, min_block_words=min_block_words)
    words = _words_of(segmented)
    grams = _Shingles(words, detector.shingle_words)
    first = words.block_first
    sets = [grams.set_of(a, b) for a, b in pairwise(first) if b - a >= min_block_words]
    shared = [len(own & frozenset().union(*sets[:at], *sets[at + 1 :])) for at, own in enumerate(sets)]
    expected = len(sets) >= 2 and any(
        count * (1.0 + 1e-9) >= threshold * len(own) for count, own in zip(shared, sets, strict=True)
    )
    assert detector._may_share_blocks(grams, first) == expected


def _both_ways(text: str, monkeypatch: pytest.MonkeyPatch) -> tuple[object, object]:
    """`_words_of` the fast way (lines folded whole) and word by word (the definition)."""
    from corpusclean import repeats

    fast = _words_of(SegmentedText(text))
    with monkeypatch.context() as patch:
        patch.setattr(repeats, "fingerprint_is_wordwise", lambda _: False)
        slow = _words_of(SegmentedText(text))
    as_tuple = lambda words: (words.tokens, words.ids.tolist(), words.block_first, words.starts, words.ends)  # noqa: E731
    return as_tuple(fast), as_tuple(slow)


@given(
    st.one_of(
        st.text(), news_text(), laid_out_text(), repeated_passage_document().map(lambda parts: parts[0])
    )
)
def test_words_folded_by_line_are_the_words_folded_one_by_one(text: str) -> None:
    """Tokens, blocks and character ranges agree whichever way the words were folded."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        fast, slow = _both_ways(text, monkeypatch)
    assert fast == slow


def test_every_wordwise_character_folds_alike_by_line_and_by_word(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each character the cheap check lets through (all of Unicode), next to letters, digits, marks
    of punctuation."""
    from corpusclean.foldtable import CODE_POINTS, fold_table
    from corpusclean.normalize import fingerprint_is_wordwise

    flags = fold_table().not_wordwise
    assigned = (chr(code) for code in range(0x80, CODE_POINTS) if not flags[code])
    chars = [char for char in assigned if unicodedata.category(char) not in ("Cn", "Co")]
    assert "🔴" in chars and "\u0301" not in chars and "™" not in chars
    for at in range(0, len(chars), 256):
        text = "".join(f"a{char}b <{char}9, {char}’\n" for char in chars[at : at + 256])
        assert fingerprint_is_wordwise(text)
        fast, slow = _both_ways(text, monkeypatch)
        assert fast == slow, chars[at : at + 256]
