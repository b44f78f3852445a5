"""A generated test corpus: article bodies wrapped in site chrome that varies per document.

The bodies are real-looking French and English news (the French ones are the seed
articles' paragraphs); the chrome is what loose scrapers leave around them: menus,
section lists, share and newsletter prompts, cookie notices, related titles, author
boxes and tag lists. Every piece of chrome is drawn per document from templates, so no
line repeats often enough for learned boilerplate to see it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from corpusclean.io.readers import parse_header

from conftest import SEEDS

ENGLISH_ARTICLES = [
    [
        "The European Central Bank kept its main interest rate unchanged on Thursday, saying that inflation "
        "in the euro area was falling more slowly than it had expected in the spring.",
        "Its president told reporters in Frankfurt that the bank would not commit in advance to a particular "
        "path for rates, and that every decision would depend on the data available at the time.",
        "A difficult balance",
        "Economists had been split before the meeting. Several large banks had predicted a cut, pointing to "
        "weak industrial output in Germany and a slowdown in lending to companies across the region.",
        "Others argued that wage growth, still above four per cent in several countries, left the bank little "
        "room to move before the end of the year.",
        "Markets reacted calmly.",
        "The euro rose slightly against the dollar after the announcement, while yields on Italian and Spanish "
        "government bonds edged lower in afternoon trading.",
    ],
    [
        "Flooding in northern Italy has forced more than 3,000 people from their homes, regional officials "
        "said on Sunday, after two days of heavy rain swelled rivers across Emilia-Romagna.",
        "Firefighters carried out hundreds of rescues overnight, using boats to reach families trapped on the "
        "upper floors of houses in the worst-hit villages near Ravenna.",
        "The regional president said the damage would run to hundreds of millions of euros and called on the "
        "government in Rome to declare a state of emergency as quickly as possible.",
        "A warning ignored?",
        "Environmental groups said the disaster was a reminder that the region, hit by deadly floods only a "
        "year earlier, had not done enough to restore natural flood plains along its rivers.",
        "The civil protection agency said more rain was expected on Tuesday.",
    ],
    [
        "A small start-up based in Lyon says it has built a battery for electric bicycles that can be fully "
        "recharged in under fifteen minutes, a claim that has drawn interest from several manufacturers.",
        "The company, founded three years ago by two former researchers, plans to open a production line "
        "next year and hopes to employ about 120 people by the end of 2026.",
        "Its chief executive said the cells used a sodium-based chemistry that was cheaper than lithium and "
        "less dependent on materials mined outside Europe.",
        "Independent experts were more cautious, noting that the prototype had not yet been tested by an "
        "outside laboratory and that fast charging often shortens the life of a battery.",
        "Sceptics remain",
        "\u201cThe figures are promising, but we have seen many announcements like this one,\u201d said a "
        "professor of electrochemistry who was not involved in the project.",
    ],
    [
        "Spain's parliament approved on Wednesday a law that will reduce the standard working week from 40 to "
        "37.5 hours without any cut in pay, a measure the government says will affect 12 million workers.",
        "Business groups opposed the reform, arguing that small firms in retail and hospitality would struggle "
        "to absorb the extra cost, and some have said they will challenge it in the courts.",
        "The labour minister said the change would be phased in over two years to give companies time to "
        "adapt their schedules.",
        "Unions welcomed the vote but said they would watch closely how the law was enforced, especially in "
        "sectors where unpaid overtime is common.",
        "What changes",
        "Workers will also gain a right to disconnect outside working hours, and employers will have to record "
        "working time digitally so that inspectors can check it.",
    ],
]

FIRST_NAMES = ["Marie", "Julien", "Sophie", "Karim", "Laura", "Thomas", "Emma", "Lucas", "Claire", "Hugo",
               "Sarah", "James", "Olivia", "Daniel", "Chloé", "Nathan", "Inès", "Paul", "Léa", "Adam"]  # fmt: skip
LAST_NAMES = ["Dupont", "Martin", "Bernard", "Moreau", "Smith", "Johnson", "Lefebvre", "Garcia", "Roux",
              "Fontaine", "Walker", "Nguyen", "Lambert", "Rossi", "Girard", "Clarke", "Mercier", "Blanc"]  # fmt: skip
SECTIONS_FR = ["Politique", "International", "Économie", "Société", "Culture", "Sport", "Tech", "Planète",
               "Santé", "Sciences", "Idées", "Régions", "Médias", "Éducation", "Justice", "Vidéos"]  # fmt: skip
SECTIONS_EN = ["World", "Business", "Politics", "Technology", "Science", "Health", "Sport", "Culture",
               "Climate", "Opinion", "Markets", "Europe", "Travel", "Video", "Podcasts", "Lifestyle"]  # fmt: skip
TOPICS = ["la réforme des retraites", "le prix de l’électricité", "la sécheresse", "les élections européennes",
          "l’inflation", "le Tour de France", "la grève SNCF", "le budget 2026", "la vague de chaleur",
          "le marché immobilier", "les JO d’hiver", "la taxe carbone"]  # fmt: skip
TOPICS_EN = ["interest rates", "the housing market", "the heatwave", "the election", "oil prices",
             "the transfer window", "the rail strike", "AI regulation", "the budget", "the drought"]  # fmt: skip
VERBS_FR = ["ce qu’il faut retenir de", "cinq questions sur", "pourquoi", "comment comprendre", "le point sur",
            "les chiffres clés de", "on vous explique", "enquête sur"]  # fmt: skip
VERBS_EN = ["What we know about", "Five things to watch in", "Why", "Explained:", "Live updates on",
            "The numbers behind", "Inside", "How to understand"]  # fmt: skip


def _title_fr(rng: random.Random) -> str:
    title = f"{rng.choice(VERBS_FR)} {rng.choice(TOPICS)}"
    return title[0].upper() + title[1:]


def _title_en(rng: random.Random) -> str:
    return f"{rng.choice(VERBS_EN)} {rng.choice(TOPICS_EN)}"


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def chrome_fr(rng: random.Random, where: str) -> list[str]:
    """Site chrome in French, drawn afresh for each document."""
    day, hour, minute = rng.randint(1, 28), rng.randint(6, 22), rng.randint(0, 59)
    month = rng.choice(["janvier", "février", "mars", "avril", "mai", "juin", "septembre", "octobre"])
    pieces: dict[str, list[str]] = {
        "menu": [" | ".join(rng.sample(SECTIONS_FR, rng.randint(4, 7)))],
        "sections": rng.sample(SECTIONS_FR, rng.randint(3, 6)),
        "breadcrumb": [" › ".join(["Accueil", *rng.sample(SECTIONS_FR, 2)])],
        "author": [f"Par {_person(rng)}", f"Publié le {day} {month} 2025 à {hour}h{minute:02d}"],
        "share": rng.sample(
            [
                "Partager",
                "Facebook",
                "Twitter",
                "LinkedIn",
                "Copier le lien",
                "E-mail",
                "Partager sur WhatsApp",
                "Imprimer",
            ],
            rng.randint(2, 4),
        ),
        "newsletter": [
            rng.choice(
                [
                    "Inscrivez-vous à notre newsletter quotidienne",
                    f"Recevez chaque matin l’essentiel de l’actualité {rng.choice(SECTIONS_FR).lower()}",
                    "Newsletter : abonnez-vous gratuitement",
                ]
            )
        ],
        "cookies": [
            rng.choice(
                [
                    "Nous utilisons des cookies pour améliorer votre expérience. En poursuivant votre navigation, "
                    "vous acceptez leur utilisation.",
                    "Ce site utilise des cookies et des traceurs pour mesurer l’audience et vous proposer des contenus "
                    "personnalisés. Paramétrer les cookies",
                ]
            )
        ],
        "related": ["À lire aussi", *[_title_fr(rng) for _ in range(rng.randint(2, 4))]],
        "tags": [f"Mots-clés : {', '.join(rng.sample(SECTIONS_FR + TOPICS, rng.randint(3, 5)))}"],
        "comments": [f"{rng.randint(2, 480)} commentaires", "Réagir"],
        "copyright": [
            f"© {rng.choice(['Le Quotidien', 'Info Matin', 'La Gazette', 'Actu Plus'])} "
            f"{rng.randint(2019, 2025)} - Tous droits réservés"
        ],
    }
    head = ["menu", "breadcrumb", "sections", "author", "share"]
    tail = ["share", "newsletter", "related", "tags", "comments", "cookies", "copyright"]
    names = rng.sample(head if where == "head" else tail, rng.randint(2, 4))
    return [line for name in names for line in pieces[name]]


def chrome_en(rng: random.Random, where: str) -> list[str]:
    """Site chrome in English, drawn afresh for each document."""
    day, hour, minute = rng.randint(1, 28), rng.randint(1, 12), rng.randint(0, 59)
    month = rng.choice(["January", "February", "March", "April", "May", "June", "October"])
    pieces: dict[str, list[str]] = {
        "menu": [" | ".join(rng.sample(SECTIONS_EN, rng.randint(4, 7)))],
        "sections": rng.sample(SECTIONS_EN, rng.randint(3, 6)),
        "breadcrumb": [" > ".join(["Home", *rng.sample(SECTIONS_EN, 2)])],
        "author": [f"By {_person(rng)}", f"Updated {month} {day}, 2025 {hour}:{minute:02d} PM"],
        "share": rng.sample(
            ["Share", "Facebook", "X", "LinkedIn", "Copy link", "Email", "Print", "Save"], rng.randint(2, 4)
        ),
        "newsletter": [
            rng.choice(
                [
                    "Sign up for our morning newsletter",
                    f"Get the best of {rng.choice(SECTIONS_EN)} in your inbox",
                    "Subscribe to our daily briefing",
                ]
            )
        ],
        "cookies": [
            rng.choice(
                [
                    "We use cookies to improve your experience on our site. By continuing to browse, you agree to our "
                    "use of cookies.",
                    "This website uses cookies and similar technologies to measure audience and personalise content. "
                    "Manage preferences",
                ]
            )
        ],
        "related": ["Related", *[_title_en(rng) for _ in range(rng.randint(2, 4))]],
        "tags": [f"Tags: {' · '.join(rng.sample(SECTIONS_EN + TOPICS_EN, rng.randint(3, 5)))}"],
        "comments": [f"{rng.randint(2, 480)} comments", "Join the conversation"],
        "copyright": [
            f"© {rng.randint(2019, 2025)} {rng.choice(['Daily Courier', 'The Ledger', 'Metro News'])}. "
            "All rights reserved."
        ],
    }
    head = ["menu", "breadcrumb", "sections", "author", "share"]
    tail = ["share", "newsletter", "related", "tags", "comments", "cookies", "copyright"]
    names = rng.sample(head if where == "head" else tail, rng.randint(2, 4))
    return [line for name in names for line in pieces[name]]


def french_articles() -> list[list[str]]:
    """The seed articles as lists of paragraphs (header, credit, embed and footer lines left out)."""
    skip = ("( AFP", "vive la france", "— Sam Altman", "🔴 Pour ne manquer", "Source : ")
    articles = []
    for path in sorted(Path(SEEDS).glob("*.txt")):
        text, _ = parse_header(path.read_text(encoding="utf-8"))
        lines = [line.strip() for line in text.split("\n") if line.strip()]
        unique = list(dict.fromkeys(lines))  # seed 001 repeats a block
        articles.append([line for line in unique if not line.startswith(skip)])
    return articles


@dataclass(frozen=True)
class ChromeDocument:
    """A generated document and, per line, whether it is chrome."""

    text: str
    lines: tuple[tuple[str, bool], ...]


def generate(count: int, seed: int = 7) -> list[ChromeDocument]:
    """`count` documents alternating French and English, each with chrome before and after."""
    rng = random.Random(seed)
    french, english = french_articles(), ENGLISH_ARTICLES
    docs = []
    for i in range(count):
        is_french = i % 2 == 0
        body = (french if is_french else english)[rng.randrange(len(french if is_french else english))]
        chrome = chrome_fr if is_french else chrome_en
        lines = [(line, True) for line in chrome(rng, "head")]
        lines += [(line, False) for line in body]
        lines += [(line, True) for line in chrome(rng, "tail")]
        separator = rng.choice(["\n", "\n\n"])
        docs.append(ChromeDocument(separator.join(line for line, _ in lines), tuple(lines)))
    return docs
