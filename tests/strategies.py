"""Hypothesis strategies for news-like text: French and English paragraphs, real mojibake."""

from __future__ import annotations

import json

from hypothesis import strategies as st

FRENCH_SENTENCES = [
    "Le président a annoncé mardi un plan d’investissement de 109 milliards d’euros.",
    "« Nous devons aller plus vite », a déclaré la ministre lors d’une conférence à Paris.",
    "La start-up, fondée en 2023, emploie désormais plus de 300 personnes en Europe.",
    "Selon l’AFP, les négociations ont repris jeudi soir à Bruxelles.",
    "Les syndicats dénoncent une réforme « précipitée » et appellent à la grève.",
    "Cette décision devrait permettre à l’entreprise de répondre aux appels d’offres publics.",
    "Le gouvernement britannique n’a pas signé la déclaration finale du sommet.",
    "À Marseille, le port a enregistré une hausse de 12 % de son trafic en 2024.",
]
ENGLISH_SENTENCES = [
    "The central bank held interest rates steady on Wednesday, citing persistent inflation.",
    "Officials said the agreement would be signed before the end of the month.",
    "“We are not for sale,” the company’s vice-president told reporters in Paris.",
    "Shares rose 4% in early trading after the announcement.",
    "The summit drew leaders from more than 80 countries to the Grand Palais.",
    "Critics warned that the new rules could slow down innovation in Europe.",
]
DECORATIONS = ["🔴 ", "— ", "« ", " »", "\u202f!", "\u00a0:", " – ", "’"]


@st.composite
def paragraph(draw: st.DrawFn) -> str:
    """One paragraph of two to four realistic sentences."""
    pool = draw(st.sampled_from([FRENCH_SENTENCES, ENGLISH_SENTENCES]))
    sentences = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=4))
    text = " ".join(sentences)
    if draw(st.booleans()):
        text += draw(st.sampled_from(DECORATIONS))
    return text


@st.composite
def news_text(draw: st.DrawFn) -> str:
    """A short article: paragraphs joined by blank lines or single newlines."""
    paragraphs = draw(st.lists(paragraph(), min_size=1, max_size=6))
    separator = draw(st.sampled_from(["\n\n", "\n", "\r\n\r\n"]))
    return separator.join(paragraphs)


def mojibake(text: str, codec: str = "cp1252") -> str:
    """Real encoding damage: UTF-8 bytes decoded with a single-byte codec."""
    return text.encode("utf-8").decode(codec, errors="replace")


@st.composite
def damaged_news_text(draw: st.DrawFn) -> str:
    """News text with some paragraphs turned into real mojibake, zero-width spaces or CRLF."""
    paragraphs = draw(st.lists(paragraph(), min_size=1, max_size=4))
    out = []
    for text in paragraphs:
        damage = draw(st.sampled_from(["none", "cp1252", "latin-1", "mac_roman", "zwsp", "spaces"]))
        if damage in ("cp1252", "latin-1", "mac_roman"):
            text = mojibake(text, damage)
        elif damage == "zwsp":
            text = text.replace(" ", " \u200b", 2)
        elif damage == "spaces":
            text = text.replace(" ", "   ", 3) + "  \t"
        out.append(text)
    return draw(st.sampled_from(["\n\n", "\r\n\r\n", "\n"])).join(out)


@st.composite
def text_with_spans(draw: st.DrawFn) -> tuple[str, list[tuple[int, int]]]:
    """A news text and arbitrary (possibly overlapping) ranges over it."""
    text = draw(news_text())
    ranges = draw(
        st.lists(
            st.tuples(st.integers(0, len(text)), st.integers(0, len(text))).map(lambda p: (min(p), max(p))),
            max_size=8,
        )
    )
    return text, ranges


# Starts of files that are not text, as dumps really contain them (see io/readers.py).
BINARY_HEADS = [b"%PDF-1.4\n", b"PK\x03\x04", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0", b"\x1f\x8b\x08"]


@st.composite
def hostile_bytes(draw: st.DrawFn) -> bytes:
    """Bytes a .txt in a scraped dump may hold: news text in some encoding, damaged, or not text at all."""
    kind = draw(st.sampled_from(["encoded", "damaged", "binary", "random"]))
    if kind == "random":
        return draw(st.binary(max_size=600))
    text = draw(news_text())
    codec = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1", "mac_roman"]))
    data = text.encode(codec, errors="replace")
    if kind == "damaged":
        cut = draw(st.integers(0, len(data)))
        data = data[:cut] + draw(st.binary(max_size=8)) + data[cut:]
    elif kind == "binary":
        data = draw(st.sampled_from(BINARY_HEADS)) + data
    return data


_JSON_LEAF = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
_JSON = st.recursive(
    _JSON_LEAF,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


@st.composite
def jsonl_record(draw: st.DrawFn) -> bytes:
    """One JSONL line: a plausible record with odd fields, any JSON value, or broken bytes."""
    kind = draw(st.sampled_from(["record", "record", "value", "broken", "escapes", "blank"]))
    if kind == "blank":
        return draw(st.sampled_from([b"", b"  ", b"\t\r"]))
    if kind == "broken":
        return draw(st.binary(max_size=80)).replace(b"\n", b" ")
    if kind == "escapes":
        # Lone surrogates and huge numbers: valid JSON syntax that is no valid text or value.
        return draw(
            st.sampled_from([b'{"text": "caf\\udce9"}', b'{"text": "x", "n": 1e999}', b'{"id": NaN}'])
        )
    if kind == "value":
        return json.dumps(draw(_JSON)).encode()
    record: dict[str, object] = {}
    if draw(st.booleans()):
        record["id"] = draw(
            st.sampled_from(["dup", "", "../../etc/passwd", 7, None, ["x"]]) | st.text(max_size=12)
        )
    if draw(st.integers(0, 4)):
        record["text"] = draw(news_text() | st.text(max_size=40) | st.just("   ") | _JSON)
    if draw(st.booleans()):
        record["metadata"] = draw(_JSON)
    return json.dumps(record, ensure_ascii=draw(st.booleans())).encode()


def jsonl_lines() -> st.SearchStrategy[list[bytes]]:
    """A JSONL file's lines (without newlines): records, junk, duplicates and blanks."""
    return st.lists(jsonl_record(), min_size=1, max_size=8)
