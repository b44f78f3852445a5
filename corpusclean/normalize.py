"""Two normalizations: *display* (what people and models read) and *fingerprint* (matching only).

Display normalization repairs encoding damage with ftfy and tidies invisible
characters and whitespace, keeping legitimate typography (« », ’, dashes, emoji,
the narrow no-break spaces French puts before ; : ! ?). Fingerprint normalization
folds text aggressively for hashing and is never written to output.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import ftfy

from .config import NormalizeConfig

# Invisible format characters that carry nothing in running text. U+200D (zero-width
# joiner) is kept: emoji sequences such as 👩‍💻 need it.
_INVISIBLE = re.compile("[\u00ad\u180e\u200b\u200c\u200e\u200f\u2060-\u2064\ufeff\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile("\r\n|[\r\u2028\u2029\u0085\u000b\u000c]")
_SPACE_RUN = re.compile("[ \t]{2,}|\t")
_TRAILING_SPACE = re.compile("[ \t]+\n")
_BLANK_RUN = re.compile("\n{3,}")
_FRENCH_SPACE = re.compile("[\u00a0\u202f](?=[;:!?»])|(?<=«)[\u00a0\u202f]")


# Curly quotes, ligatures and full-width forms are legitimate text: datatrove and NeMo
# Curator turn the same three ftfy fixers off for that reason. They are options here.
@lru_cache(maxsize=8)
def _ftfy_config(config: NormalizeConfig) -> ftfy.TextFixerConfig:
    return ftfy.TextFixerConfig(
        uncurl_quotes=config.uncurl_quotes,
        fix_latin_ligatures=config.fix_ligatures,
        fix_character_width=config.fold_width,
        explain=False,
    )


def normalize_display(text: str, config: NormalizeConfig | None = None) -> str:
    """Repair and tidy text for output, keeping legitimate typography.

    >>> normalize_display("L\u00e2\u20ac\u2122\u00c3\u00a9t\u00c3\u00a9  arrive\\r\\n")
    'L’été arrive'
    """
    config = config or NormalizeConfig()
    text = ftfy.fix_text(text, _ftfy_config(config))
    return tidy(text, config)


def tidy(text: str, config: NormalizeConfig | None = None) -> str:
    """The non-ftfy steps: line breaks, invisible characters, spaces, blank lines."""
    config = config or NormalizeConfig()
    text = _LINE_BREAKS.sub("\n", text)
    text = _INVISIBLE.sub("", text)
    if config.french_spaces == "to_space":
        text = _FRENCH_SPACE.sub(" ", text)
    text = _SPACE_RUN.sub(" ", text)
    text = _TRAILING_SPACE.sub("\n", text)
    text = _BLANK_RUN.sub("\n\n", text)
    text = unicodedata.normalize("NFC", text)
    return text.strip()


_QUOTES = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
    }
)  # fmt: skip
_NON_WORD = re.compile(r"[^\w]+")
_DIGITS = re.compile(r"\d")


def fingerprint(text: str, *, strip_accents: bool = False) -> str:
    """Fold text for matching only; never write the result out.

    >>> fingerprint("L’IA — «Le Monde»")
    'l ia le monde'
    """
    text = unicodedata.normalize("NFKC", text).casefold().translate(_QUOTES)
    if strip_accents:
        text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    text = _DIGITS.sub("0", text)
    text = _NON_WORD.sub(" ", text).replace("_", " ")
    return " ".join(text.split())


def tokenize(text: str) -> list[str]:
    """Words of the fingerprint of `text` (French elisions split: ``l'IA`` → ``l``, ``ia``)."""
    return fingerprint(text).split()
