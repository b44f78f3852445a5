"""Hypothesis strategies for news-like text: French and English paragraphs, real mojibake."""

from __future__ import annotations

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
