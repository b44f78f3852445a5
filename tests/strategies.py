"""Hypothesis strategies for news-like text: French and English paragraphs, real mojibake."""

from __future__ import annotations

import random

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


# A generated news corpus with planted duplicates and ground truth (dedup tests, benchmarks).
# Sentences are built from many templates and slot values, so two articles on the same topic
# share phrases the way real coverage of one event does, without being copies.
_PEOPLE = [
    "Emmanuel Macron", "Ursula von der Leyen", "Sam Altman", "Clara Chappaz", "Arthur Mensch",
    "Sundar Pichai", "Narendra Modi", "J. D. Vance", "Anne Bouverot", "Yann LeCun", "Thierry Breton",
    "Margrethe Vestager", "Fidji Simo", "Xavier Niel", "Audrey Tang", "Demis Hassabis",
]  # fmt: skip
_ROLES = [
    "le président", "la ministre déléguée au numérique", "le fondateur", "la directrice générale",
    "le porte-parole", "l'envoyée spéciale", "le responsable scientifique", "la commissaire européenne",
]  # fmt: skip
_ORGS = [
    "OpenAI", "Mistral AI", "la Commission européenne", "Google DeepMind", "l'Élysée", "Bpifrance",
    "l'Inria", "le CNRS", "Meta", "Kyutai", "H Company", "Hugging Face", "l'OCDE", "l'Unesco",
]  # fmt: skip
_PLACES = [
    "au Grand Palais", "à Station F", "à Bruxelles", "à Bangalore", "à Saclay", "à Marseille",
    "à Bercy", "au Quai d'Orsay", "à Lyon", "à Grenoble", "à Toulouse", "à Genève",
]  # fmt: skip
_TOPICS = [
    "la régulation de l'intelligence artificielle", "les centres de données", "la souveraineté numérique",
    "les modèles de langage ouverts", "la consommation d'énergie des serveurs", "la formation des ingénieurs",
    "la protection des données personnelles", "les investissements étrangers", "la puce électronique",
    "la sécurité des systèmes", "les droits d'auteur des artistes", "la santé numérique",
]  # fmt: skip
_DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
_VERBS = ["annoncé", "présenté", "défendu", "critiqué", "dévoilé", "confirmé", "promis", "détaillé"]
_OBJECTS = [
    "un plan de {n} milliards d'euros", "une feuille de route sur {topic}", "un partenariat avec {org}",
    "la création de {n} emplois", "un fonds de {n} millions d'euros", "une charte sur {topic}",
    "un nouveau campus consacré à {topic}", "un calendrier d'investissements jusqu'en 20{n2}",
]  # fmt: skip
_TEMPLATES = [
    "{person}, {role} de {org}, a {verb} {day} {object} {place}.",
    "« Nous devons aller plus vite sur {topic} », a déclaré {person} {place}.",
    "Selon {org}, {object} devrait voir le jour d'ici {n} mois.",
    "Les syndicats dénoncent {object} et réclament un débat sur {topic}.",
    "{day_cap}, {person} a rencontré les représentants de {org} pour évoquer {topic}.",
    "D'après un rapport publié {day} par {org}, {n} % des entreprises ont déjà investi dans {topic}.",
    "Interrogé sur {topic}, {person} a refusé de commenter {object}.",
    "Cette annonce intervient alors que {org} a {verb} la semaine dernière {object}.",
    "Le texte, discuté {place}, prévoit {object} et un contrôle renforcé de {topic}.",
    "Pour {person}, {topic} reste « une priorité absolue » pour {org}.",
    "Plus de {n} délégations étaient présentes {place} pour débattre de {topic}.",
    "Les investisseurs attendent désormais les détails de {object}, selon {org}.",
    "{person} a rappelé {day} que {org} avait déjà {verb} {object} {place}.",
    "La question de {topic} divise toujours les {n} États membres, note {org}.",
    "Un accord sur {topic} pourrait être signé {place} avant la fin du mois, selon {person}.",
    "Les chercheurs de {org} ont {verb} {day} leurs travaux sur {topic}.",
]  # fmt: skip
_FOOTERS = [
    "Cet article a été publié par {org}. Tous droits de reproduction réservés.",
    "Retrouvez toute l'actualité sur {topic} dans notre newsletter quotidienne.",
    "Avec AFP. Mis à jour le {n} février à {n2} h.",
]  # fmt: skip


def _fill(rng: random.Random, template: str) -> str:
    values = {
        "person": rng.choice(_PEOPLE), "role": rng.choice(_ROLES), "org": rng.choice(_ORGS),
        "place": rng.choice(_PLACES), "topic": rng.choice(_TOPICS), "day": rng.choice(_DAYS),
        "verb": rng.choice(_VERBS), "n": rng.randint(2, 400), "n2": rng.randint(26, 40),
    }  # fmt: skip
    values["day_cap"] = str(values["day"]).capitalize()
    values["object"] = rng.choice(_OBJECTS).format(**values)
    return template.format(**values)


def news_paragraph(rng: random.Random) -> str:
    """One generated news paragraph of two to four sentences."""
    return " ".join(_fill(rng, rng.choice(_TEMPLATES)) for _ in range(rng.randint(2, 4)))


def news_article(rng: random.Random, paragraphs: tuple[int, int] = (9, 14)) -> list[str]:
    """A generated article as a list of paragraphs (about 400 to 800 words)."""
    return [news_paragraph(rng) for _ in range(rng.randint(*paragraphs))]


VARIANTS = ("exact", "lead", "added", "removed", "footer", "edits")


def variant_of(rng: random.Random, paragraphs: list[str], kind: str) -> list[str]:
    """A republication of an article: an exact copy, a new lead, a paragraph added or removed,
    a different footer, or two dozen single-word edits (a correction, a re-scrape)."""
    out = list(paragraphs)
    if kind == "lead":
        out[0] = news_paragraph(rng)
    elif kind == "added":
        out.insert(rng.randint(1, len(out)), news_paragraph(rng))
    elif kind == "removed":
        del out[rng.randint(1, len(out) - 1)]
    elif kind == "footer":
        out.append(_fill(rng, rng.choice(_FOOTERS)))
    elif kind == "edits":
        words = "\n\n".join(out).split(" ")
        for position in rng.sample(range(len(words)), 24):
            words[position] = rng.choice(["toutefois", "désormais", "notamment", "ainsi", "aussi", "encore"])
        out = " ".join(words).split("\n\n")
    elif kind != "exact":
        raise ValueError(f"unknown variant {kind!r}")
    return out


def planted_corpus(seed: int, stories: int, copies: int = 2) -> tuple[list[dict[str, str]], list[int]]:
    """Records `{"id", "text"}` in shuffled order, and for each its story number (ground truth).

    Each story is an original plus `copies` variants of random kinds; half the stories
    have no copies at all. Every article is about the same few topics, so unrelated
    stories share vocabulary and phrasing as real same-topic coverage does.
    """
    rng = random.Random(seed)
    records: list[tuple[str, str, int]] = []
    for story in range(stories):
        original = news_article(rng)
        versions = [original]
        if story % 2 == 0:
            versions += [variant_of(rng, original, rng.choice(VARIANTS)) for _ in range(copies)]
        for number, paragraphs in enumerate(versions):
            records.append((f"s{story:05d}-v{number}", "\n\n".join(paragraphs), story))
    # Stories interleave at random, but a story's original comes before its republications,
    # as in a dump in crawl order.
    slots = [story for *_, story in records]
    rng.shuffle(slots)
    queues: dict[int, list[tuple[str, str, int]]] = {}
    for record in reversed(records):
        queues.setdefault(record[2], []).append(record)
    ordered = [queues[story].pop() for story in slots]
    return [{"id": doc_id, "text": text} for doc_id, text, _ in ordered], [story for *_, story in ordered]
