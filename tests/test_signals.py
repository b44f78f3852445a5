"""Gopher repetition signals on the cleaned text, and the quality filter built on them."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from corpusclean import Cleaner, Config, Document, QualityConfig, Reason, repetition_drop, repetition_signals
from corpusclean._kernels import _dense_word_ids, token_repetition
from corpusclean.normalize import _UNSPACED_RE, _has_unspaced, _unspaced_table, _utf8, token_bytes, tokenize
from corpusclean.segment import SegmentedText
from corpusclean.signals import _duplicate_fractions, lines_and_paragraphs

from conftest import SEEDS
from strategies import laid_out_text, multilingual_text, news_text, repetitive_text
from test_cli import read_jsonl, run_cli

SPAM = "\n".join(
    ["Cliquez ici pour recevoir nos offres exclusives !"] * 6 + ["Le port de Marseille a rouvert."]
)


def test_clean_article_has_no_repeated_lines_or_paragraphs() -> None:
    """An ordinary article scores zero on line and paragraph repetition."""
    text = (
        "Le port de Marseille a enregistré une hausse de 12 % de son trafic en 2024.\n\n"
        "La direction attribue ce résultat au retour des croisiéristes et au trafic de conteneurs."
    )
    signals = repetition_signals(text)
    assert signals["dup_line_frac"] == signals["dup_para_frac"] == 0.0
    assert signals["top_2gram_char_frac"] == 0.0  # no 2-gram occurs twice
    assert set(signals) == {
        "dup_line_frac",
        "dup_line_char_frac",
        "dup_para_frac",
        "dup_para_char_frac",
        "top_2gram_char_frac",
        "top_3gram_char_frac",
        "top_4gram_char_frac",
        *(f"dup_{n}gram_char_frac" for n in range(5, 11)),
    }


def test_repeated_lines_are_counted_after_the_first() -> None:
    """Six copies of one line among seven: five are duplicates, by count and by characters."""
    signals = repetition_signals(SPAM)
    assert signals["dup_line_frac"] == round(5 / 7, 4)
    line = len("Cliquez ici pour recevoir nos offres exclusives !")
    total = 6 * line + len("Le port de Marseille a rouvert.")
    assert signals["dup_line_char_frac"] == round(5 * line / total, 4)
    assert signals["dup_5gram_char_frac"] > 0.8


def test_spam_document_is_dropped_with_signal_value_and_threshold() -> None:
    """The first signal over its Gopher threshold names the drop."""
    outcome = Cleaner(Config().replace("repeats", enabled=False)).process(Document("spam", SPAM))
    assert outcome.drop is not None and outcome.drop.reason == Reason.QUALITY
    assert outcome.drop.evidence == {
        "signal": "dup_line_frac",
        "value": round(5 / 7, 4),
        "threshold": 0.3,
    }


def test_thresholds_and_switches_are_configurable() -> None:
    """A raised threshold lets the document through; `filter = false` never drops; signals still recorded."""
    signals = repetition_signals(SPAM)
    relaxed = QualityConfig(
        max_dup_line_frac=0.9,
        max_dup_line_char_frac=0.9,
        max_dup_para_frac=0.9,
        max_dup_para_char_frac=0.9,
        max_top_2gram_char_frac=0.9,
        max_top_3gram_char_frac=0.9,
        max_top_4gram_char_frac=0.9,
        max_dup_5gram_char_frac=0.95,
        max_dup_6gram_char_frac=0.95,
        max_dup_7gram_char_frac=0.95,
        max_dup_8gram_char_frac=0.95,
        max_dup_9gram_char_frac=0.95,
        max_dup_10gram_char_frac=0.95,
    )
    assert repetition_drop(signals, relaxed) is None
    drop = repetition_drop(signals, QualityConfig(max_dup_line_frac=0.9))
    assert drop is not None and drop.evidence["signal"] == "dup_line_char_frac"
    assert repetition_drop(signals, QualityConfig(filter=False)) is None
    config = Config().replace("repeats", enabled=False).replace("quality", filter=False)
    outcome = Cleaner(config).process(Document("spam", SPAM))
    assert outcome.kept and outcome.doc.metadata["repetition"] == signals


def test_no_seed_is_dropped_by_default_filters() -> None:
    """The five seed articles pass the Gopher defaults (001 after its repeated block is removed)."""
    cleaner = Cleaner()
    for path in sorted(SEEDS.glob("*.txt")):
        outcome = cleaner.process(Document(path.stem, path.read_text(encoding="utf-8")))
        assert outcome.kept, (path.stem, outcome.drop)
        assert outcome.doc.metadata["repetition"]["dup_line_frac"] == 0.0


def test_signals_are_measured_after_repeats_are_removed() -> None:
    """Seed 001 scores no duplicate lines once its copy is gone, but 5/18 without the detector."""
    raw = next(SEEDS.glob("001_*.txt")).read_text(encoding="utf-8")
    cleaned = Cleaner().process(Document("001", raw))
    assert cleaned.kept
    config = Config().replace("repeats", enabled=False)
    uncleaned = Cleaner(config).process(Document("001", raw))
    assert uncleaned.doc.metadata["repetition"]["dup_line_frac"] == round(5 / 18, 4)
    assert uncleaned.drop is not None and uncleaned.drop.evidence["signal"] == "dup_line_char_frac"


@given(news_text())
def test_every_signal_is_a_fraction(text: str) -> None:
    """Every signal lies in [0, 1] whatever the text."""
    assert all(0.0 <= value <= 1.0 for value in repetition_signals(text).values())


def test_cli_writes_quality_drops_to_the_ledger(tmp_path: Path) -> None:
    """A repetitive page lands in dropped.jsonl with signal, value and threshold; the option relaxes it."""
    data = tmp_path / "in"
    data.mkdir()
    (data / "spam.txt").write_text(SPAM, encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("clean", str(data), "-o", str(out), "-q", "--no-repeats-enabled")
    assert result.returncode == 0, result.stderr
    [row] = read_jsonl(out / "dropped.jsonl")
    assert (row["reason"], row["signal"], row["threshold"]) == ("quality", "dup_line_frac", 0.3)
    out2 = tmp_path / "out2"
    result = run_cli("clean", str(data), "-o", str(out2), "-q", "--no-repeats-enabled", "--no-quality-filter")
    assert result.returncode == 0, result.stderr
    [doc] = read_jsonl(out2 / "documents.jsonl")
    assert doc["metadata"]["repetition"]["dup_line_frac"] == round(5 / 7, 4)


def _ngram_fractions_oracle(text: str) -> dict[str, float]:
    """The n-gram signals by their definition, n-gram tuples in a Counter (slow, obviously right)."""
    words = tokenize(text)
    total = sum(map(len, words))
    out: dict[str, float] = {}
    for size in range(2, 11):
        grams = [tuple(words[i : i + size]) for i in range(len(words) - size + 1)]
        counts = Counter(grams)
        if size <= 4:
            repeated = [(n, sum(map(len, gram))) for gram, n in counts.items() if n > 1]
            best, chars = max(repeated, default=(0, 0))
            out[f"top_{size}gram_char_frac"] = min(1.0, best * chars / total) if total else 0.0
        else:
            covered = {i + k for i, gram in enumerate(grams) if counts[gram] > 1 for k in range(size)}
            out[f"dup_{size}gram_char_frac"] = sum(len(words[i]) for i in covered) / total if total else 0.0
    return {name: round(value, 4) for name, value in out.items()}


@given(st.one_of(news_text(), repetitive_text()))
def test_ngram_signals_match_their_definition(text: str) -> None:
    """The one-sort kernel gives exactly what counting every n-gram of every size gives."""
    signals = repetition_signals(text)
    assert {name: signals[name] for name in _ngram_fractions_oracle(text)} == _ngram_fractions_oracle(text)


@given(
    st.lists(
        st.sampled_from(["le", "port", "Marseille", "été", "l’ia", "東京", "0", "a", "aa", "\U0001f534"])
    )
)
def test_word_ids_are_first_occurrences_and_lengths_are_characters(words: list[str]) -> None:
    """The compiled word ids: each word's first position (equal words alike), lengths in code points."""
    first: dict[str, int] = {}
    if not words:  # `token_repetition` never hands the kernel an empty text
        return
    ids, lengths = _dense_word_ids(np.frombuffer(" ".join(words).encode("utf-8", "surrogatepass"), np.uint8))
    assert ids.tolist() == [first.setdefault(word, index) for index, word in enumerate(words)]
    assert lengths.tolist() == [len(word) for word in words]


@given(
    st.one_of(laid_out_text(), news_text(), st.text(alphabet=st.sampled_from("ab \n\t\r\x0b\x1c\x85\u2028")))
)
def test_lines_and_paragraphs_are_the_segmented_texts(text: str) -> None:
    """The signals' string splits give exactly the texts of `SegmentedText`'s lines and paragraphs."""
    segmented = SegmentedText(text)
    expected = (
        [line.text_of(text) for line in segmented.lines],
        [paragraph.text_of(text) for paragraph in segmented.paragraphs],
    )
    assert lines_and_paragraphs(text) == expected


@given(st.lists(st.sampled_from(["", "a", "Le port.", "Le port.\nRouvert", "été 🔴", "b" * 40])))
def test_duplicate_fractions_count_every_copy_after_the_first(items: list[str]) -> None:
    """Repeats taken as what the distinct items leave over equal the copies counted one by one."""
    seen: set[str] = set()
    repeats = [item for item in items if item in seen or seen.add(item)]
    total = sum(map(len, items))
    expected = (
        (len(repeats) / len(items), sum(map(len, repeats)) / total if total else 0.0) if items else (0.0, 0.0)
    )
    assert _duplicate_fractions(items) == expected


def _ngram_numerators_oracle(words: list[str]) -> tuple[list[int], list[int]]:
    """Per size, every n-gram counted: (most frequent repeated one's count times its characters,
    the longest among equally frequent), (characters of words inside a repeated n-gram)."""
    top, dup = [0, 0], [0, 0]
    for size in range(2, 11):
        grams = [tuple(words[i : i + size]) for i in range(len(words) - size + 1)]
        counts = Counter(grams)
        best, chars = max(((n, sum(map(len, gram))) for gram, n in counts.items() if n > 1), default=(0, 0))
        top.append(best * chars)
        covered = {i + k for i, gram in enumerate(grams) if counts[gram] > 1 for k in range(size)}
        dup.append(sum(len(words[i]) for i in covered))
    return top, dup


@given(st.one_of(news_text(), repetitive_text(), laid_out_text()))
def test_ngram_numerators_are_exact_counts(text: str) -> None:
    """The compiled numerators equal counting every n-gram of every size, to the character."""
    words = tokenize(text)
    top, dup, chars = token_repetition(np.frombuffer(token_bytes(text), dtype=np.uint8), 10)
    assert (top.tolist(), dup.tolist()) == _ngram_numerators_oracle(words)
    assert chars == sum(map(len, words))


def test_unspaced_table_marks_exactly_the_code_points_the_regex_matches() -> None:
    """The look-up table behind `_has_unspaced` agrees with `_UNSPACED_RE` on every code point."""
    table = _unspaced_table()
    marked = [code for code in range(len(table)) if _UNSPACED_RE.match(chr(code))]
    assert np.flatnonzero(table).tolist() == marked


@given(
    st.one_of(multilingual_text(), news_text(), st.text(), st.lists(st.characters(), max_size=3).map("".join))
)
def test_unspaced_check_is_the_regex_search(text: str) -> None:
    """Short texts through the regex, long ones through the compiled scan: the same answer."""
    for padded in (text, "é" * 200 + text, text + "’" * 200):
        assert _has_unspaced(padded) == (_UNSPACED_RE.search(padded) is not None)


@given(st.lists(st.one_of(news_text(), st.text(max_size=300)), min_size=1, max_size=4))
def test_utf8_of_the_last_long_text_is_reused_only_for_that_text(texts: list[str]) -> None:
    """Texts encoded in turn, each twice, long or short, with lone surrogates: always their own UTF-8."""
    for text in [*texts, *texts, *reversed(texts)]:
        for copy in (text, "".join(list(text))):  # an equal string that is another object
            assert _utf8(copy) == copy.encode("utf-8", "surrogatepass")
