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


# Pieces that exercise language identification's text preparation: acronyms and
# capitals, apostrophes and French typography, digits, URLs and e-mails, emoji,
# Romanian comma-below letters, Vietnamese combining marks, Cyrillic, Arabic and CJK.
MULTILINGUAL_PIECES = [
    *FRENCH_SENTENCES,
    *ENGLISH_SENTENCES,
    "Die Bundesregierung hat am Mittwoch ein neues Gesetz beschlossen.",
    "El Gobierno aprobó este martes una reforma de las pensiones.",
    "Правительство объявило во вторник о новых мерах поддержки.",
    "ПРАВИТЕЛЬСТВО РФ",
    "أعلنت الحكومة يوم الثلاثاء عن خطة جديدة.",
    "政府は火曜日、新たな対策を発表した。",
    "政府周二宣布了一系列新措施。",
    "Guvernul a anunțat ieri că școlile și țara",
    "Việt Nam xin chào",
    "L’ONU, l’OTAN et l’UE",
    "voir https://www.lemonde.fr/economie/article.html?id=42 ou écrire à redaction@example.fr",
    "McDonald’s",
    "🚀🔴",
    "(AFP / SEBASTIEN BOZON)",
    "12 345,67 €",
]


@st.composite
def multilingual_text(draw: st.DrawFn) -> str:
    """Pieces of news in several scripts, glued with spaces, punctuation or arbitrary characters."""
    pieces = draw(st.lists(st.sampled_from(MULTILINGUAL_PIECES), min_size=1, max_size=5))
    glue = st.one_of(st.sampled_from([" ", "\n", " — ", ", ", "  ", "\u00a0"]), st.text(max_size=3))
    out = [pieces[0]]
    for piece in pieces[1:]:
        out.append(draw(glue))
        out.append(piece)
    return "".join(out)
