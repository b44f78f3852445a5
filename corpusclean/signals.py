"""Repetition signals of a cleaned document (Gopher) and the filter built on them.

Rae et al. (2021), "Scaling Language Models: Methods, Analysis & Insights from
Training Gopher", appendix A.1.1 and table A1: documents with many repeated lines,
paragraphs or n-grams are mostly boilerplate or spam. The signals are measured on the
*cleaned* text, after repeated passages have been removed, so a re-scraped article
that lost its copy is not dropped for a repetition it no longer has.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from .config import QualityConfig
from .document import Drop, Reason
from .normalize import token_bytes

TOP_NGRAM_SIZES = (2, 3, 4)
DUP_NGRAM_SIZES = (5, 6, 7, 8, 9, 10)
_DIGITS = 4
# A line break, then one or more blank lines (whitespace only) each ending in a line break:
# what separates two paragraphs. `\s` is `str.isspace`, as `str.strip` and `segment` use.
_PARAGRAPH_BREAK = re.compile(r"\n(?:[^\S\n]*\n)+")


def repetition_signals(text: str) -> dict[str, float]:
    """The Gopher repetition signals of `text`, each a fraction in [0, 1], rounded.

    Lines and paragraphs are compared exactly (after display normalization), counting
    every copy after the first. N-grams are over fingerprint words and their fractions
    are of word characters; an n-gram that occurs once is no repetition, so a text
    without repeated 2-grams has `top_2gram_char_frac == 0`. Duplicate n-gram fractions
    count every occurrence of a repeated n-gram, a character once even when overlapping
    n-grams cover it (the paper's wording).

    >>> repetition_signals("Le sommet s'ouvre.\\nLe sommet s'ouvre.")["dup_line_frac"]
    0.5
    """
    lines, paragraphs = lines_and_paragraphs(text)
    signals: dict[str, float] = {}
    signals["dup_line_frac"], signals["dup_line_char_frac"] = _duplicate_fractions(lines)
    signals["dup_para_frac"], signals["dup_para_char_frac"] = _duplicate_fractions(paragraphs)
    from . import _kernels  # numba loads on first use, not on `import corpusclean`

    data = np.frombuffer(token_bytes(text), dtype=np.uint8)
    top, dup, word_chars = _kernels.token_repetition(data, DUP_NGRAM_SIZES[-1])
    for size in TOP_NGRAM_SIZES:
        # The most frequent repeated n-gram's occurrences (the longest among equally frequent).
        signals[f"top_{size}gram_char_frac"] = min(1.0, int(top[size]) / word_chars) if word_chars else 0.0
    for size in DUP_NGRAM_SIZES:
        # Every occurrence of a repeated n-gram, a character once even where occurrences overlap.
        signals[f"dup_{size}gram_char_frac"] = int(dup[size]) / word_chars if word_chars else 0.0
    return {name: round(value, _DIGITS) for name, value in signals.items()}


def thresholds(config: QualityConfig) -> dict[str, float]:
    """Each signal's maximum as the `[quality]` section sets it."""
    return {
        "dup_line_frac": config.max_dup_line_frac,
        "dup_para_frac": config.max_dup_para_frac,
        "dup_line_char_frac": config.max_dup_line_char_frac,
        "dup_para_char_frac": config.max_dup_para_char_frac,
        "top_2gram_char_frac": config.max_top_2gram_char_frac,
        "top_3gram_char_frac": config.max_top_3gram_char_frac,
        "top_4gram_char_frac": config.max_top_4gram_char_frac,
        "dup_5gram_char_frac": config.max_dup_5gram_char_frac,
        "dup_6gram_char_frac": config.max_dup_6gram_char_frac,
        "dup_7gram_char_frac": config.max_dup_7gram_char_frac,
        "dup_8gram_char_frac": config.max_dup_8gram_char_frac,
        "dup_9gram_char_frac": config.max_dup_9gram_char_frac,
        "dup_10gram_char_frac": config.max_dup_10gram_char_frac,
    }


def repetition_drop(
    signals: dict[str, float], config: QualityConfig, words: int | None = None
) -> Drop | None:
    """Drop the document at the first signal above its threshold (in Gopher's order), else None.

    Documents shorter than `config.min_words` words are not judged: on a headline or a
    one-line dispatch every n-gram fraction is noise (Gopher drops texts under 50 words
    before it looks at repetition).
    """
    if not config.filter or (words is not None and words < config.min_words):
        return None
    for name, threshold in thresholds(config).items():
        value = signals.get(name)
        if value is not None and value > threshold:
            return Drop(Reason.QUALITY, {"signal": name, "value": value, "threshold": threshold})
    return None


def lines_and_paragraphs(text: str) -> tuple[list[str], list[str]]:
    """The texts of `SegmentedText(text)`'s lines and paragraphs, from C-level splits.

    A line is a piece between line breaks, stripped, when not empty; a paragraph is the
    stripped text between paragraph breaks (the stripped lines of a paragraph are never
    blank, so stripping the whole removes exactly its first line's leading and last
    line's trailing whitespace). No `Segment` per line: the signals need only the texts.
    """
    body = text.strip()
    if not body:
        return [], []
    lines = [line for line in map(str.strip, body.split("\n")) if line]
    return lines, [paragraph.strip() for paragraph in _PARAGRAPH_BREAK.split(body)]


def _duplicate_fractions(items: Sequence[str]) -> tuple[float, float]:
    """(share of items that repeat an earlier one, share of characters in those repeats).

    Every item after the first of its kind is a repeat, so the repeats are what the
    distinct items leave over, in count and in characters.
    """
    if not items:
        return 0.0, 0.0
    distinct = set(items)
    total_chars = sum(map(len, items))
    repeated_chars = total_chars - sum(map(len, distinct))
    return (len(items) - len(distinct)) / len(items), (repeated_chars / total_chars if total_chars else 0.0)
