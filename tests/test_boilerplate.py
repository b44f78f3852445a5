"""Boilerplate: shipped rule packs on the seeds, strict pack validation, hostile input, learned lines."""

from __future__ import annotations

import json
import random
import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corpusclean import (
    BoilerplateConfig,
    Cleaner,
    Config,
    ConfigError,
    Document,
    LearnedBoilerplate,
    RulePackDetector,
    SegmentedText,
    load_pack,
    normalize_display,
    read_inputs,
    shipped_pack,
    sweep,
)
from corpusclean.rulepack import SHIPPED_PACKS, resolve_rules

from conftest import SEEDS
from strategies import multilingual_text, news_text
from test_cli import read_jsonl, run_cli

ALL_RULES = resolve_rules(SHIPPED_PACKS, (), ())

# What the shipped packs must take out of the seeds; every other line is article text.
SEED_REMOVALS = {
    "002_c6074d4587cf8863": {
        "vive la france!",
        "— Sam Altman (@sama) November 15, 2024",
        "🔴 Pour ne manquer aucune actualité de 01net, suivez-nous sur Google Actualités et WhatsApp.",
        "Source : Le Monde",
    },
    "003_b176a1c00d8f91ef": {"( AFP / SEBASTIEN BOZON )"},
}


def clean_seeds(config: Config | None = None) -> dict[str, tuple[Document, Document]]:
    """Each seed's normalized input and its cleaned document, after a fit pass."""
    docs = [d for d in read_inputs([str(SEEDS)]) if isinstance(d, Document)]
    cleaner = Cleaner(config).fit(docs)
    out = {}
    for doc in docs:
        normalized = Document(doc.id, normalize_display(doc.text), doc.metadata)
        out[doc.id] = (normalized, cleaner.process(doc).doc)
    return out


def test_seeds_lose_footer_source_embed_and_credit_into_metadata() -> None:
    """The 01net footer, the cited source, the embedded tweet and the AFP credit leave the text."""
    results = clean_seeds()
    _, doc002 = results["002_c6074d4587cf8863"]
    assert "Pour ne manquer aucune actualité" not in doc002.text
    assert "Source : Le Monde" not in doc002.text
    assert "@sama" not in doc002.text and "vive la france!" not in doc002.text
    assert doc002.metadata["cited_source"] == "Le Monde"
    assert doc002.metadata["embeds"] == [
        {"author": "Sam Altman", "handle": "sama", "date": "November 15, 2024", "text": "vive la france!"}
    ]
    assert doc002.text.endswith("Nul doute qu’OpenAI et Perplexity auront leur rond de serviette.")
    rules = {r["rule"]: r["reason"] for r in doc002.metadata["removed"]}
    assert rules == {"embed-tweet": "embed", "follow-us-footer": "boilerplate", "cited-source": "credit"}

    _, doc003 = results["003_b176a1c00d8f91ef"]
    assert doc003.metadata["photo_credit"] == "AFP / SEBASTIEN BOZON"
    assert doc003.text.startswith("Le créateur de ChatGPT")
    assert [r["reason"] for r in doc003.metadata["removed"]] == ["credit"]


def test_no_article_line_of_any_seed_is_removed() -> None:
    """Every line of every seed that is not known boilerplate is still in the kept text."""
    for doc_id, (normalized, cleaned) in clean_seeds().items():
        expected_gone = SEED_REMOVALS.get(doc_id, set())
        segmented = SegmentedText(normalized.text)
        for line in segmented.lines:
            text = line.text_of(normalized.text)
            if text in expected_gone:
                assert text not in cleaned.text, (doc_id, text)
            else:
                assert text in cleaned.text, (doc_id, text)
        removed_lines = {
            line
            for r in cleaned.metadata["removed"]
            if r["reason"] != "repeat"  # seed 001's second copy of its block goes to the repeat detector
            for line in r["text"].split("\n")
            if line
        }
        assert removed_lines == expected_gone, doc_id


def test_cli_on_seeds_records_metadata_and_counts_rules(seeds_dir: Path, tmp_path: Path) -> None:
    """Run as users do: the metadata lands in documents.jsonl and rules are counted in the report."""
    out = tmp_path / "out"
    result = run_cli("clean", str(seeds_dir), "-o", str(out), "-q")
    assert result.returncode == 0, result.stderr
    docs = {d["id"]: d for d in read_jsonl(out / "documents.jsonl")}
    assert docs["002_c6074d4587cf8863"]["metadata"]["cited_source"] == "Le Monde"
    assert docs["003_b176a1c00d8f91ef"]["metadata"]["photo_credit"] == "AFP / SEBASTIEN BOZON"
    report = json.loads((out / "report.json").read_text())
    assert report["spans_removed_by_rule"]["follow-us-footer"] == 1
    assert report["rule_timeouts"] == {}
    assert report["config"]["boilerplate"]["packs"] == ["web", "fr-news", "en-news"]


def test_disable_rule_keeps_the_line(seeds_dir: Path, tmp_path: Path) -> None:
    """--disable-rule (repeatable, or a comma list) turns shipped rules off by name."""
    out = tmp_path / "out"
    result = run_cli(
        "clean", str(seeds_dir), "-o", str(out), "-q",
        "--disable-rule", "follow-us-footer", "--disable-rule", "cited-source,credit-agency-parenthesized",
        "--no-line-classifier",  # it would catch the credit line on its own
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    docs = {d["id"]: d for d in read_jsonl(out / "documents.jsonl")}
    assert "Pour ne manquer aucune actualité de 01net" in docs["002_c6074d4587cf8863"]["text"]
    assert "Source : Le Monde" in docs["002_c6074d4587cf8863"]["text"]
    assert "cited_source" not in docs["002_c6074d4587cf8863"]["metadata"]
    assert docs["003_b176a1c00d8f91ef"]["text"].startswith("( AFP / SEBASTIEN BOZON )")


def test_disabling_an_unknown_rule_is_a_one_line_error(seeds_dir: Path, tmp_path: Path) -> None:
    """A typo in a rule name stops the run before any output, exit 2."""
    result = run_cli("clean", str(seeds_dir), "-o", str(tmp_path / "out"), "--disable-rule", "folow-us")
    assert result.returncode == 2
    assert result.stderr == "corpusclean: error: --disable-rule: no loaded rule is named 'folow-us'\n"
    assert not (tmp_path / "out" / "documents.jsonl").exists()


def write_pack(path: Path, body: str) -> Path:
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def test_bad_pack_stops_the_cli_with_file_rule_and_problem(seeds_dir: Path, tmp_path: Path) -> None:
    """An invalid regex is reported as FILE: rule "NAME": problem, exit 2, before any document."""
    pack = write_pack(
        tmp_path / "site.toml",
        """
        [[rule]]
        name = "site-footer"
        pattern = '''Abonnez-vous (au|à la lettre'''
        """,
    )
    out = tmp_path / "out"
    result = run_cli("clean", str(seeds_dir), "-o", str(out), "--rules", str(pack))
    assert result.returncode == 2
    assert result.stderr == (
        f'corpusclean: error: {pack}: rule "site-footer": invalid regex at position 28: missing )\n'
    )
    assert not (out / "documents.jsonl").exists()


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("[[rule]\nname = 'x'", "invalid TOML"),
        (
            "[[rule]]\nname = 'a-rule'\npattern = 'x'\nscpoe = 'line'",
            "rule \"a-rule\": unknown field 'scpoe'",
        ),
        ("[[rule]]\npattern = 'x'", 'rule #1: missing "name"'),
        ("[[rule]]\nname = 'Bad_Name'\npattern = 'x'", 'rule "Bad_Name": name must be kebab-case'),
        ("[[rule]]\nname = 'a'\npattern = 'x'\nscope = 'page'", "'scope' must be one of line, paragraph"),
        ("[[rule]]\nname = 'a'\npattern = 'x'\naction = 'extract'", "action 'extract' needs a 'field'"),
        ("[[rule]]\nname = 'a'\npattern = 'x'\nwindow = 2", "'window' only applies to position head or tail"),
        ("[[rule]]\nname = 'a'\npattern = 'x*'", 'rule "a": pattern matches the empty string'),
        (
            "[[rule]]\nname = 'a'\npattern = 'x'\naction = 'extract'\nfield = 'removed'",
            "cannot be a metadata",
        ),
        (
            "[[rule]]\nname = 'a'\npattern = 'x'\nexamples = ['y']",
            "rule \"a\": example 1 does not match: 'y'",
        ),
        ("[[rule]]\nname = 'a'\npattern = 'x'\n[[rule]]\nname = 'a'\npattern = 'y'", "name used twice"),
        ("[[rule]]\nname = 'a'\npattern = 'x'\nmax_chars = '9'", "'max_chars' must be an integer"),
        (
            "[[rule]]\nname = 'a'\npattern = '(?P<v>x)'\nvalue = 'w'\naction = 'extract'\nfield = 'f'",
            "group 'w'",
        ),
        ("[[rule]]\nname = 'a'\npattern = 'x'\non = 'fingerprint'\nextent = 'match'", "fingerprint pattern"),
        ("[[rules]]\nname = 'a'", "unknown key 'rules'"),
        (
            "[[rule]]\nname = 'a'\npattern = '.*cookie.*'\nrequires = 'cookies'\nexamples = ['un cookie']",
            "example 1 holds none of the 'requires' words: 'un cookie'",
        ),
        ("[[rule]]\nname = 'a'\npattern = 'x'\nrequires = ['']", "'requires' words cannot be empty"),
    ],
)
def test_bad_packs_name_file_rule_and_problem(tmp_path: Path, body: str, problem: str) -> None:
    """Every kind of mistake in a pack is a ConfigError that names the file and says what is wrong."""
    pack = write_pack(tmp_path / "bad.toml", body)
    with pytest.raises(ConfigError) as caught:
        load_pack(pack)
    message = str(caught.value)
    assert message.startswith(f"{pack}: ") and problem in message, message
    assert "\n" not in message


def test_user_pack_extracts_keeps_and_respects_source(tmp_path: Path) -> None:
    """A user rule can extract-and-keep into a field and be restricted to one source."""
    pack = write_pack(
        tmp_path / "sites.toml",
        """
        [pack]
        name = "my-sites"

        [[rule]]
        name = "lemonde-slogan"
        pattern = '''Le Monde, journal de référence[^\\n]{0,40}'''
        source = ["lemonde*"]
        position = "tail"
        window = 1

        [[rule]]
        name = "dateline-city"
        pattern = '''(?P<value>[A-Z]{3,20}), \\d{1,2} \\w+ \\(\\w+\\)'''
        extent = "match"
        action = "extract-keep"
        field = "city"
        reason = "metadata"
        examples = ["PARIS, 10 février (TAP)"]
        """,
    )
    config = Config(boilerplate=BoilerplateConfig(packs=(), rules=(str(pack),), learned=False))
    text = "PARIS, 10 février (TAP) – Les dirigeants se retrouvent.\nLe Monde, journal de référence."
    kept = next(iter(Cleaner(config).clean([Document("a", text, {"source": "lemonde.fr"})])))
    assert kept.text == "PARIS, 10 février (TAP) – Les dirigeants se retrouvent."
    assert kept.metadata["city"] == "PARIS"
    other = next(iter(Cleaner(config).clean([Document("b", text, {"source": "lefigaro.fr"})])))
    assert other.text == text


def test_cli_runs_several_user_packs(seeds_dir: Path, tmp_path: Path) -> None:
    """--rules is repeatable; a rule name defined twice across packs is an error naming both files."""
    one = write_pack(tmp_path / "one.toml", "[[rule]]\nname = 'apaisement'\npattern = 'Apaisement'\n")
    two = write_pack(
        tmp_path / "two.toml", "[[rule]]\nname = 'mise-en-garde'\npattern = 'Mise en garde[^\\n]*'\n"
    )
    out = tmp_path / "out"
    result = run_cli("clean", str(seeds_dir), "-o", str(out), "-q", "--rules", str(one), "--rules", str(two))
    assert result.returncode == 0, result.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["spans_removed_by_rule"]["apaisement"] == 1
    assert report["spans_removed_by_rule"]["mise-en-garde"] == 1
    again = run_cli("clean", str(seeds_dir), "-o", str(out), "--rules", f"{one},{one}")
    assert again.returncode == 2
    assert again.stderr == f'corpusclean: error: {one}: rule "apaisement": name already defined in {one}\n'


def test_rule_that_times_out_is_reported_and_skipped(tmp_path: Path, seeds_dir: Path) -> None:
    """A catastrophically backtracking user rule costs one bounded attempt, then is skipped and reported."""
    pack = write_pack(
        tmp_path / "slow.toml", "[[rule]]\nname = 'slow'\npattern = '(a|aa)+'\nmax_chars = 10000\n"
    )
    hostile = seeds_dir / "hostile.txt"
    hostile.write_text("Un article.\n" + "a" * 3000 + "!\n" + "a" * 3000 + "?\nFin.\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli(
        "clean", str(seeds_dir), "-o", str(out), "-q",
        "--rules", str(pack), "--boilerplate-regex-timeout", "0.05",
        "--no-line-classifier",  # the "aaa…" lines are not prose: the classifier would take them
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    docs = {d["id"]: d for d in read_jsonl(out / "documents.jsonl")}
    assert docs["hostile"]["metadata"]["rule_timeouts"] == ["slow"]  # once: skipped for the rest
    assert docs["hostile"]["text"].count("a" * 3000) == 2
    report = json.loads((out / "report.json").read_text())
    assert report["rule_timeouts"] == {"slow": 1}


def adversarial_strings(example: str) -> list[str]:
    """100 KB single lines built to make a backtracking pattern explode on this rule."""
    size = 100_000
    unit = example or "a"
    return [
        "a" * size,
        " " * size,
        "-" * size,
        "( " + "A / " * (size // 4),
        (unit + " ") * (size // (len(unit) + 1)),
        (unit[:-1] + " ") * (size // len(unit)),
        unit[: len(unit) // 2] + "x " * (size // 2),
        "©" + " " * size + "AFP",
        "Par " + "Jean-Pierre " * (size // 12),
        "— Sam Altman (" + "@" * size,
    ]


@pytest.mark.parametrize("rule", ALL_RULES, ids=[rule.name for rule in ALL_RULES])
def test_shipped_rule_survives_100kb_adversarial_lines(rule) -> None:  # type: ignore[no-untyped-def]
    """Every shipped pattern finishes on hostile 100 KB lines (the timeout only guards a hang).

    The pattern runs directly, without the `max_chars` guard that normally keeps long
    lines away from it, so this proves the pattern itself is linear in practice.
    """
    detector = RulePackDetector((rule,), timeout=60.0)
    for example in rule.examples or ("",):
        for line in adversarial_strings(example):
            rule.matches(line, timeout=60.0)  # a TimeoutError here fails the test
            spans = list(detector.detect(SegmentedText("Un article.\n" + line + "\nFin.")))
            assert not any(span.moves_to == "rule_timeouts" for span in spans)


def test_every_shipped_rule_has_examples() -> None:
    """Each shipped rule proves what it matches (the examples are checked when the pack loads)."""
    for name in SHIPPED_PACKS:
        pack = shipped_pack(name)
        assert pack.rules, name
        for rule in pack.rules:
            assert rule.examples, rule.name
            assert rule.description, rule.name


@given(text=news_text())
def test_shipped_rules_leave_ordinary_article_text_alone(text: str) -> None:
    """Ordinary news paragraphs contain no boilerplate, so the packs mark nothing."""
    normalized = normalize_display(text)
    spans = list(RulePackDetector(ALL_RULES).detect(SegmentedText(normalized)))
    assert spans == []
    assert sweep(normalized, spans).text == normalized


def test_case_probe_keeps_every_letter_a_case_insensitive_pattern_matches() -> None:
    """Any code point that an `ignore_case` rule matches to an ASCII letter becomes that letter,
    so a `requires` check on the probe never skips a segment the pattern would match."""
    import regex

    from corpusclean.rulepack import case_probe

    flags = regex.VERSION0 | regex.IGNORECASE
    letters = regex.compile("[a-z]", flags)
    odd = []
    for code in range(0x110000):
        char = chr(code)
        if letters.fullmatch(char) and not ("a" <= char.lower() <= "z"):
            odd.append(char)
            letter = next(x for x in "abcdefghijklmnopqrstuvwxyz" if regex.fullmatch(x, char, flags))
            assert letter in case_probe(char) and letter in case_probe(f"abc{char}déf"), hex(code)
    assert odd  # KELVIN SIGN, LONG S, ... exist: the check above ran
    assert case_probe("COOK\u0130ES") == "cookies"


COOKIE_LINES = st.sampled_from(
    [
        "Ce site utilise des cookies. En poursuivant votre navigation, vous acceptez leur utilisation.",
        "Nous utilisons des traceurs : paramétrer vos choix ou tout refuser.",
        "We use cookies to improve your experience. By continuing you accept our use of cookies.",
        "La recette des cookies de sa grand-mère a conquis le jury.",
        "Gérer mes cookies",
    ]
)


@given(
    lines=st.lists(st.one_of(COOKIE_LINES, news_text()), min_size=1, max_size=6),
    case=st.sampled_from(
        [str, str.upper, str.title, lambda s: s.replace("k", "\u212a").replace("s", "\u017f")]
    ),
)
def test_requires_words_change_no_decision(lines: list[str], case: Any) -> None:
    """The shipped rules mark the same spans with their `requires` hints as without them."""
    import dataclasses

    text = normalize_display("\n".join(case(line) for line in lines))
    hinted = RulePackDetector(ALL_RULES)
    plain = RulePackDetector(tuple(dataclasses.replace(rule, requires=()) for rule in ALL_RULES))
    assert any(rule.requires for rule in ALL_RULES)
    assert list(hinted.detect(SegmentedText(text))) == list(plain.detect(SegmentedText(text)))


# --- learned boilerplate ---------------------------------------------------------------


@given(text=st.one_of(news_text(), multilingual_text(), st.text(max_size=300)))
def test_line_hashes_are_the_hashed_line_keys_of_each_line(text: str) -> None:
    """What `fit` counts, from one fold of the whole text, is `line_key` of each line hashed."""
    from corpusclean.boilerplate import _line_hash, line_key

    keys = [line_key(line) for line in text.split("\n")]
    assert LearnedBoilerplate._line_hashes(text) == tuple({_line_hash(key) for key in keys if key})


CITIES = ["Paris", "Lyon", "Marseille", "Bordeaux", "Lille", "Nantes", "Toulouse", "Rennes", "Brest"]
SUBJECTS = ["Le maire", "La préfète", "Le syndicat", "L’entreprise", "Le conseil régional", "La ministre"]
VERBS = ["a annoncé", "a dénoncé", "a confirmé", "a présenté", "a reporté", "a défendu"]
OBJECTS = [
    "un plan de rénovation des écoles",
    "la fermeture d’une ligne de tramway",
    "un budget en hausse",
    "la création de 300 emplois",
    "un nouveau partenariat industriel",
    "des mesures contre la sécheresse",
]
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "septembre", "octobre"]


def article_line(rng: random.Random) -> str:
    """One legitimate, nearly unique article sentence."""
    return (
        f"{rng.choice(SUBJECTS)} de {rng.choice(CITIES)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} "
        f"le {rng.randint(1, 28)} {rng.choice(MONTHS)}, pour un montant de {rng.randint(2, 900)} "
        f"millions d’euros, selon {rng.choice(['l’AFP', 'la mairie', 'un communiqué', 'nos informations'])}."
    )


def generated_corpus(seed: int = 7) -> tuple[list[Document], set[str], set[str]]:
    """Sources with planted header/footer lines (40–90% of docs) and quotes recurring in few docs."""
    rng = random.Random(seed)
    docs: list[Document] = []
    planted_keys: set[str] = set()
    legit_keys: set[str] = set()
    for source_index, source in enumerate(
        ["actu-ouest.fr", "lepetitjournal.fr", "infos-sud.fr", "citynews.com"]
    ):
        n_docs = rng.randint(40, 90)
        planted = [
            f"{source.upper()} — L’info de votre région, chaque jour",
            f"Publié le {rng.randint(1, 28)}/0{rng.randint(1, 9)}/2024 par la rédaction de {source}",
            f"Retrouvez toutes nos offres d’abonnement sur {source}/abonnement",
            f"Vous aimez {source} ? Soutenez une presse locale indépendante en faisant un don.",
        ]
        shares = [rng.uniform(0.4, 0.9) for _ in planted]
        carriers = [set(rng.sample(range(n_docs), round(share * n_docs))) for share in shares]
        quotes = [
            f"« {rng.choice(OBJECTS).capitalize()} est une priorité », "
            f"a insisté {rng.choice(SUBJECTS).lower()} lors de la séance n°{source_index}{k}."
            for k in range(6)
        ]
        quote_docs = [set(rng.sample(range(n_docs), rng.randint(2, 4))) for _ in quotes]
        for index in range(n_docs):
            lines: list[tuple[str, bool]] = []
            if index in carriers[0]:
                lines.append((planted[0], True))
            if index in carriers[1]:
                date_line = (
                    f"Publié le {rng.randint(1, 28)}/{rng.randint(10, 12)}/2024 par la rédaction de {source}"
                )
                lines.append((date_line, True))
            lines += [(article_line(rng), False) for _ in range(rng.randint(4, 9))]
            lines += [
                (quote, False) for quote, holders in zip(quotes, quote_docs, strict=True) if index in holders
            ]
            if index in carriers[2]:
                lines.append((planted[2], True))
            if index in carriers[3]:
                lines.append((planted[3], True))
            doc_id = f"{source}-{index:03d}"
            for number, (_, is_planted) in enumerate(lines):
                (planted_keys if is_planted else legit_keys).add(f"{doc_id}:{number}")
            text = "\n\n".join(line for line, _ in lines)
            docs.append(Document(doc_id, text, {"source": source}))
    return docs, planted_keys, legit_keys


def removed_keys(doc: Document, learned: LearnedBoilerplate) -> set[str]:
    segmented = SegmentedText(normalize_display(doc.text), source=doc.metadata.get("source"))
    starts = {line.start: line.index for line in segmented.lines}
    return {f"{doc.id}:{starts[span.start]}" for span in learned.detect(segmented)}


def test_learned_boilerplate_removes_planted_lines_and_keeps_legitimate_ones() -> None:
    """≥ 98% of planted header/footer lines go, < 0.5% of legitimate lines (some recurring) go."""
    docs, planted, legit = generated_corpus()
    learned = LearnedBoilerplate().fit(docs)
    removed: set[str] = set()
    for doc in docs:
        removed |= removed_keys(doc, learned)
    planted_share = len(removed & planted) / len(planted)
    legit_share = len(removed & legit) / len(legit)
    print(
        f"learned: removed {planted_share:.2%} of {len(planted)} planted lines, "
        f"{legit_share:.3%} of {len(legit)} legitimate lines"
    )
    assert planted_share >= 0.98
    assert legit_share < 0.005


def test_learned_spans_carry_counts_through_the_cleaner() -> None:
    """Through Cleaner: a learned removal is reason boilerplate with rule learned:<count>/<docs>."""
    docs, _, _ = generated_corpus(seed=3)
    config = Config(boilerplate=BoilerplateConfig(packs=()))
    cleaner = Cleaner(config).fit(docs)
    outcome = cleaner.process(docs[0])
    learned = [r for r in outcome.doc.metadata["removed"] if r["rule"].startswith("learned:")]
    assert learned and all(r["reason"] == "boilerplate" for r in learned)
    first = learned[0]
    assert first["rule"] == f"learned:{first['evidence']['count']}/{first['evidence']['docs']}"
    assert first["evidence"]["source"] == docs[0].metadata["source"]


def test_documents_without_source_form_one_group() -> None:
    """With no source field, every document counts in one shared group."""
    docs, _, _ = generated_corpus(seed=5)
    anonymous = [Document(d.id, d.text, {}) for d in docs if d.metadata["source"] == "citynews.com"]
    learned = LearnedBoilerplate().fit(anonymous)
    segmented = SegmentedText(normalize_display(anonymous[0].text))
    assert list(learned.detect(segmented))
    assert set(learned.docs) == {""}


def test_counts_saved_and_loaded_teach_a_later_run(tmp_path: Path) -> None:
    """Counts saved from a first dump let a second, small dump lose the same lines."""
    docs, _, _ = generated_corpus(seed=11)
    first, second = docs[:-3], docs[-3:]
    path = tmp_path / "counts.json"
    LearnedBoilerplate().fit(first).save(path)
    saved = json.loads(path.read_text())
    assert saved["format"] == "corpusclean.boilerplate-counts"
    alone = LearnedBoilerplate().fit(second)
    taught = LearnedBoilerplate().load(path).fit(second)
    assert sum(len(removed_keys(d, alone)) for d in second) == 0  # three docs teach nothing
    assert sum(len(removed_keys(d, taught)) for d in second) > 0
    bogus = tmp_path / "bogus.json"
    bogus.write_text('{"format": "something-else"}')
    with pytest.raises(ConfigError, match="not a corpusclean boilerplate counts file"):
        LearnedBoilerplate().load(bogus)


def test_cli_saves_and_loads_counts(tmp_path: Path) -> None:
    """--boilerplate-counts-out writes the counts; --boilerplate-counts uses them on a new dump."""
    docs, _, _ = generated_corpus(seed=13)
    site = [d for d in docs if d.metadata["source"] == "infos-sud.fr"]
    first, second = tmp_path / "dump1" / "infos-sud.fr", tmp_path / "dump2" / "infos-sud.fr"
    first.mkdir(parents=True)
    second.mkdir(parents=True)
    for doc in site[:-2]:
        (first / f"{doc.id}.txt").write_text(doc.text, encoding="utf-8")
    for doc in site[-2:]:
        (second / f"{doc.id}.txt").write_text(doc.text, encoding="utf-8")
    counts = tmp_path / "counts.json"
    result = run_cli(
        "clean", str(first.parent), "-o", str(tmp_path / "o1"), "-q", "--boilerplate-counts-out", str(counts)
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(counts.read_text())["sources"]["infos-sud.fr"]["docs"] == len(site) - 2
    # The generated articles are templated on purpose; the Gopher filter would drop them.
    plain = run_cli("clean", str(second.parent), "-o", str(tmp_path / "o2"), "-q", "--no-quality-filter")
    taught = run_cli(
        "clean", str(second.parent), "-o", str(tmp_path / "o3"), "-q", "--no-quality-filter",
        "--boilerplate-counts", str(counts),
    )  # fmt: skip
    assert plain.returncode == taught.returncode == 0
    plain_rules = json.loads((tmp_path / "o2" / "report.json").read_text())["spans_removed_by_rule"]
    taught_rules = json.loads((tmp_path / "o3" / "report.json").read_text())["spans_removed_by_rule"]
    assert "learned" not in plain_rules and taught_rules["learned"] > 0, (plain_rules, taught_rules)


def test_memory_cap_bounds_the_table_and_only_undercounts() -> None:
    """With a cap, the table stays bounded and marks a subset of what the uncapped detector marks."""
    docs, _, _ = generated_corpus(seed=17)
    full = LearnedBoilerplate().fit(docs)
    capped = LearnedBoilerplate(max_lines=200).fit(docs)
    assert sum(len(t) for t in capped.counts.values()) <= 200 and capped.evicted > 0
    for doc in docs[:60]:
        assert removed_keys(doc, capped) <= removed_keys(doc, full)
    assert sum(len(removed_keys(d, capped)) for d in docs) > 0  # frequent lines survive eviction


def test_fit_pass_in_two_workers_counts_and_cleans_as_one_process(tmp_path: Path) -> None:
    """Learned counts fitted in worker processes, even with eviction, equal one process's, byte for byte."""
    docs, _, _ = generated_corpus(seed=23)
    data = tmp_path / "dump.jsonl"
    data.write_text(
        "".join(json.dumps(d.to_dict(), ensure_ascii=False) + "\n" for d in docs), encoding="utf-8"
    )
    outputs = {}
    for workers in ("1", "2"):
        out = tmp_path / f"out{workers}"
        counts = tmp_path / f"counts{workers}.json"
        result = run_cli(
            "clean", str(data), "-o", str(out), "-q", "--workers", workers, "--no-quality-filter",
            "--boilerplate-max-lines", "300", "--boilerplate-counts-out", str(counts),
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        outputs[workers] = [(out / name).read_bytes() for name in ("documents.jsonl", "dropped.jsonl")]
        outputs[workers].append(counts.read_bytes())
    assert json.loads(outputs["1"][2])["evicted"] > 0  # the cap was reached, so insertion order mattered
    assert outputs["1"] == outputs["2"]
    report = json.loads((tmp_path / "out2" / "report.json").read_text())
    assert report["spans_removed_by_rule"]["learned"] > 0


def test_only_user_rules_run_under_the_timeout_guard(tmp_path: Path) -> None:
    """Shipped rules (proven linear above) skip the timeout; rules from --rules files keep it."""
    pack = write_pack(tmp_path / "mine.toml", "[[rule]]\nname = 'my-footer'\npattern = 'Fin de la dépêche'\n")
    rules = resolve_rules(SHIPPED_PACKS, [str(pack)], [])
    assert all(rule.trusted for rule in rules if rule.name != "my-footer")
    assert not next(rule for rule in rules if rule.name == "my-footer").trusted
