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


# Sentences for documents that repeat a passage: A + B + A' with A' a lightly edited A.
# Disjoint from each other so that B never shares a run of words with A by accident.
REPEAT_SENTENCES = [
    "Le ministre de l’Économie a présenté mercredi un projet de loi sur la souveraineté numérique.",
    "Le texte prévoit de nouvelles obligations pour les hébergeurs de données installés en France.",
    "Les entreprises concernées disposeront de dix-huit mois pour se mettre en conformité.",
    "Plusieurs fédérations professionnelles ont aussitôt dénoncé un calendrier jugé trop serré.",
    "Au Sénat, la majorité entend déposer des amendements dès la semaine prochaine.",
    "The European Commission opened a formal investigation into the cloud provider on Tuesday.",
    "Regulators will examine whether its licensing terms locked customers into its platform.",
    "The company said it would cooperate fully and denied any wrongdoing.",
    "A decision is not expected before the end of next year, according to two officials.",
    "Analysts noted that the case could reshape how software is sold across the bloc.",
]
EDIT_WORDS = ["toutefois", "notamment", "reportedly", "officially", "désormais", "already"]


@st.composite
def word_edits(draw: st.DrawFn, text: str, max_edits: int) -> str:
    """`text` with up to `max_edits` word substitutions, insertions or deletions."""
    words = text.split(" ")
    for _ in range(draw(st.integers(0, max_edits))):
        index = draw(st.integers(0, len(words) - 1))
        kind = draw(st.sampled_from(["substitute", "insert", "delete", "typo"]))
        if kind == "substitute":
            words[index] = draw(st.sampled_from(EDIT_WORDS))
        elif kind == "insert":
            words.insert(index, draw(st.sampled_from(EDIT_WORDS)))
        elif kind == "delete" and len(words) > 1:
            del words[index]
        elif kind == "typo" and len(words[index]) > 1:
            words[index] = words[index][:-1]
    return " ".join(words)


@st.composite
def repeated_passage_document(draw: st.DrawFn) -> tuple[str, str, str, str]:
    """(document, A, B, A'): `A + B + A'` where A' is A with at most two word edits.

    A holds at least 60 words (five or more sentences), on one line or one sentence per
    line; B is one to three further sentences; the parts are separated by a blank line or
    by a single line break.
    """
    sentences = draw(st.permutations(REPEAT_SENTENCES))
    size = draw(st.integers(5, 7))
    a_sentences, b_sentences = sentences[:size], sentences[size : size + draw(st.integers(1, 3))]
    a_joiner = draw(st.sampled_from([" ", "\n"]))
    a = a_joiner.join(a_sentences)
    b = " ".join(b_sentences)
    a_copy = a_joiner.join(draw(word_edits(" ".join(a_sentences), 2)).split(" ")) if a_joiner == " " else None
    if a_copy is None:
        edited = list(a_sentences)
        for _ in range(draw(st.integers(0, 2))):
            index = draw(st.integers(0, len(edited) - 1))
            edited[index] = draw(word_edits(edited[index], 1))
        a_copy = "\n".join(edited)
    separator = draw(st.sampled_from(["\n\n", "\n"]))
    return separator.join([a, b, a_copy]), a, b, a_copy
