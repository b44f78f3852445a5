"""Hypothesis strategies for news-like text: French and English paragraphs, real mojibake."""

from __future__ import annotations

import json
import random
import unicodedata
from collections.abc import Callable

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


# A small news vocabulary: texts drawn from it repeat words and n-grams of every length.
NEWS_WORDS = ["le", "port", "de", "Marseille", "a", "rouvert", "mardi", "la", "grève", "l’AFP", "12", "%"]


@st.composite
def repetitive_text(draw: st.DrawFn) -> str:
    """Words of a small vocabulary, some runs pasted again: many repeated n-grams, of all sizes."""
    words = draw(st.lists(st.sampled_from(NEWS_WORDS), max_size=80))
    for _ in range(draw(st.integers(0, 3))):
        if words:
            start = draw(st.integers(0, len(words) - 1))
            end = draw(st.integers(start, min(len(words), start + 15)))
            words[draw(st.integers(0, len(words))) : 0] = words[start:end]
    return " ".join(words)


# Whitespace that is not a line break to `segment` (only "\n" is), yet blank to `str.isspace`.
ODD_WHITESPACE = [" ", "\t", "\r", "\x0b", "\x0c", "\x1c", "\x85", "\u00a0", "\u202f", "\u2028", "\u3000"]


@st.composite
def laid_out_text(draw: st.DrawFn) -> str:
    """News paragraphs, some pasted again, between runs of line breaks and odd whitespace."""
    pieces = draw(st.lists(paragraph(), min_size=0, max_size=5))
    for _ in range(draw(st.integers(0, 3))):
        if pieces:
            pieces.insert(draw(st.integers(0, len(pieces))), draw(st.sampled_from(pieces)))
    separator = st.lists(st.sampled_from(["\n", "\n", *ODD_WHITESPACE]), max_size=6).map("".join)
    return draw(separator) + "".join(piece + draw(separator) for piece in pieces)


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


def news_sentences(rng: random.Random, count: int) -> list[str]:
    """Up to `count` generated sentences, each from a different template (no template twice)."""
    return [_fill(rng, template) for template in rng.sample(_TEMPLATES, min(count, len(_TEMPLATES)))]


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


def planted_corpus(
    seed: int,
    stories: int,
    copies: int = 2,
    article: Callable[[random.Random], list[str]] = news_article,
) -> tuple[list[dict[str, str]], list[int]]:
    """Records `{"id", "text"}` in shuffled order, and for each its story number (ground truth).

    Each story is an original (paragraphs from `article`) plus `copies` variants of random
    kinds; half the stories have no copies at all. Every article is about the same few
    topics, so unrelated stories share vocabulary and phrasing as real same-topic coverage does.
    """
    rng = random.Random(seed)
    records: list[tuple[str, str, int]] = []
    for story in range(stories):
        original = article(rng)
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


def double_mojibake(text: str) -> str:
    """Text damaged twice: UTF-8 read as cp1252, saved as UTF-8 and read as cp1252 again."""
    return mojibake(mojibake(text, "cp1252"), "cp1252")


DAMAGE = (
    "none",
    "cp1252",
    "latin-1",
    "mac_roman",
    "double",
    "html",
    "c1",
    "crlf",
    "cr",
    "zwsp",
    "nbsp",
    "decomposed",
    "spaces",
    "control",
    "lessthan",
)


def damage(text: str, kind: str) -> str:
    """One kind of real-world damage applied to a paragraph (see `DAMAGE`)."""
    if kind in ("cp1252", "latin-1", "mac_roman"):
        return mojibake(text, kind)
    if kind == "double":
        return double_mojibake(text)
    if kind == "html":
        return text.replace("é", "&eacute;").replace("’", "&#8217;").replace(" & ", " &amp; ")
    if kind == "c1":
        return text.replace("’", "\x92").replace("…", "\x85")
    if kind == "crlf":
        return text.replace(". ", ".\r\n")
    if kind == "cr":
        return text.replace(". ", ".\r")
    if kind == "zwsp":
        return text.replace(" ", " \u200b", 2).replace("e", "e\u00ad", 1)
    if kind == "nbsp":
        return text.replace(" ", "\u00a0", 1).replace("é", "Ã©\u00a0", 1).replace(" :", "\u00c2\u00a0:")
    if kind == "decomposed":
        return unicodedata.normalize("NFD", text)
    if kind == "spaces":
        return text.replace(" ", "   ", 3) + "  \t"
    if kind == "control":
        return "\ufeff" + text.replace(" ", "\x1b[1m ", 1).replace("a", "a\x07", 1)
    return "<p>" + text  # "lessthan": ftfy stops decoding entities from here on


@st.composite
def damaged_article(draw: st.DrawFn) -> str:
    """A news text whose paragraphs each carry one kind of damage, or none."""
    paragraphs = draw(st.lists(paragraph(), min_size=1, max_size=5))
    out = [damage(text, draw(st.sampled_from(DAMAGE))) for text in paragraphs]
    return draw(st.sampled_from(["\n\n", "\r\n\r\n", "\n", "\n\n\n\n"])).join(out)


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
