"""The line classifier: chrome around articles goes, every article line stays."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from corpusclean import Config, SegmentedText, normalize_display
from corpusclean.classifier import (
    LineClassifier,
    _compiled_features,
    _python_features,
    _stopword_sets,
    line_features,
)
from corpusclean.config import ClassifierConfig

from chrome_corpus import generate
from conftest import ROOT
from strategies import ENGLISH_SENTENCES, FRENCH_SENTENCES


def _removed_lines(doc_text: str, classifier: LineClassifier) -> set[str]:
    text = normalize_display(doc_text)
    spans = [s for s in classifier.detect(SegmentedText(text)) if s.remove]
    return {text[s.start : s.end] for s in spans}


def test_chrome_goes_and_article_lines_stay_on_generated_corpus() -> None:
    """≥ 90 % of chrome lines removed, < 1 % of article lines, on chrome varied per document."""
    classifier = LineClassifier()
    chrome_total = chrome_removed = body_total = body_removed = 0
    lost: list[str] = []
    for doc in generate(300):
        removed = _removed_lines(doc.text, classifier)
        for line, is_chrome in doc.lines:
            hit = normalize_display(line) in removed
            if is_chrome:
                chrome_total += 1
                chrome_removed += hit
            else:
                body_total += 1
                body_removed += hit
                if hit:
                    lost.append(line)
    chrome_share = chrome_removed / chrome_total
    body_share = body_removed / body_total
    print(
        f"chrome removed {chrome_share:.1%} of {chrome_total}; article lines removed {body_share:.2%} of {body_total}"
    )
    assert chrome_share >= 0.90
    assert body_share < 0.01, lost[:5]


def test_subheadings_and_short_paragraphs_inside_the_body_stay() -> None:
    """A short line between article paragraphs takes their class (jusText's neighbour revision)."""
    text = (
        "Mercredi, lors de l’étape londonienne de sa tournée internationale pour rassurer quant aux craintes "
        "liées à l’IA, Sam Altman avait menacé de quitter l’Union européenne si la régulation était trop stricte.\n\n"
        "Apaisement\n\n"
        "L’après-midi, il a loué l’accueil de la France, « un cas très intéressant, bien plus avancée dans cette "
        "technologie et dans son adoption que d’autres pays », a-t-il lancé devant un public conquis."
    )
    assert _removed_lines(text, LineClassifier()) == set()


def test_navigation_run_around_a_body_goes() -> None:
    """Menus before and related titles after an article are removed; the article is whole."""
    body = (
        "Le gouvernement a présenté mercredi un projet de loi destiné à accélérer la construction de logements "
        "sociaux dans les communes qui ne respectent pas leurs obligations, a annoncé la ministre."
    )
    text = "\n".join(
        ["Accueil | Politique | Économie | Société", "Politique", "Logement", body, "À lire aussi",
         "Cinq questions sur le marché immobilier", "Le point sur la taxe foncière", "12 commentaires"]
    )  # fmt: skip
    removed = _removed_lines(text, LineClassifier())
    assert body not in removed
    assert {"Accueil | Politique | Économie | Société", "À lire aussi", "12 commentaires"} <= removed


def test_uncertain_lines_are_kept_and_flagged() -> None:
    """Below the confidence threshold a boilerplate verdict is recorded in metadata, not applied."""
    text = (
        "Emmanuel Macron y est même allé de son message sur X pour se féliciter de l’arrivée du créateur de "
        "ChatGPT à Paris, et Sam Altman n’a pas manqué de lui répondre quelques minutes plus tard.\nFacebook"
    )
    strict = LineClassifier(ClassifierConfig(min_confidence=1.0))
    spans = list(strict.detect(SegmentedText(normalize_display(text))))
    assert spans and all(not s.remove and s.moves_to == "uncertain_lines" for s in spans)


def test_features_explain_the_verdict() -> None:
    """Separators, handles and terminal punctuation are measured as documented."""
    french = _stopword_sets()["fr"]
    f = line_features("Accueil › Tech › Intelligence artificielle", french)
    assert f.separators == 2 and not f.terminal
    g = line_features("« Nous devons aller plus vite », a déclaré la ministre.", french)
    assert g.separators == 0 and g.terminal


def test_seeds_keep_every_article_paragraph_and_cli_switch(tmp_path: Path) -> None:
    """On the seeds the classifier removes no article line; --no-line-classifier turns it off."""
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "corpusclean", "clean", str(ROOT / "seeds"), "-o", str(out), "-q"]
    assert subprocess.run(cmd, cwd=ROOT, check=False).returncode == 0
    for line in (out / "documents.jsonl").read_text(encoding="utf-8").splitlines():
        doc = json.loads(line)
        for removal in doc["metadata"]["removed"]:
            if removal["rule"] == "classifier":
                assert removal["text"].strip().startswith(("( AFP", "— Sam Altman")), removal
    off = tmp_path / "off"
    assert subprocess.run([*cmd[:-3], "-o", str(off), "-q", "--no-line-classifier"], cwd=ROOT).returncode == 0
    rules = [r["rule"] for line in (off / "documents.jsonl").read_text().splitlines()
             for r in json.loads(line)["metadata"]["removed"]]  # fmt: skip
    assert "classifier" not in rules


def test_config_section_round_trips() -> None:
    """[classifier] in TOML builds the same object as the dataclass."""
    config = Config.from_mapping({"classifier": {"min_confidence": 0.8, "enabled": False}})
    assert config.classifier == ClassifierConfig(min_confidence=0.8, enabled=False)


def test_a_document_without_prose_keeps_its_short_lines() -> None:
    """With no body to anchor context, only lines bad on their own go (a one-line dispatch stays)."""
    assert _removed_lines("L’été arrive", LineClassifier()) == set()
    removed = _removed_lines(
        "Séisme au Japon : pas d’alerte au tsunami\nAccueil | Monde | Asie", LineClassifier()
    )
    assert removed == {"Accueil | Monde | Asie"}


@given(st.text(st.sampled_from(list("ab |›•·>/»«\n\t\u00a0\u2003")), max_size=30))
def test_separators_are_runs_of_marks_standing_alone(line: str) -> None:
    """The separator count is the number of whitespace-delimited tokens made of separator marks only."""
    from corpusclean.classifier import _SEPARATOR

    expected = sum(1 for token in line.split() if not token.strip("|›•·>/»"))
    assert len(_SEPARATOR.findall(line)) == expected


# The compiled path (`_compiled_features`) against the Python definition (`_python_features`)
# on lines built from what news pages hold: prose, chrome, links, separators, punctuation
# stuck to stop words, odd case and spacing.
_PIECES = [
    *FRENCH_SENTENCES, *ENGLISH_SENTENCES, "Accueil", "Politique", "Économie", "|", "›", "•", "·", ">", "/",
    "»", "«", "« Nous", "»,", "©", "(c)", "(C)", "(AFP)", "(AFP", "qui,", "mardi.", "le.»", "«le", "“the", "[de",
    "¿qué", "¡sí", "…", "…de", "—", "–", "-", "http://x.fr", "https://www.lemonde.fr/a", "www.site.com",
    "@afp", "#tag", "a@b", "ex.co.uk", "contact@x.be", "12", "14h32", "2024.", "176", "Partager", "partager:",
    "Lire aussi", "lire", "aussi", "Read more", "Sign up", "cookies,", "Newsletter!", "Mots-clés", "mis à jour",
    "Publié le", "L’IA", "l'Union", "d’à", "THE", "Le", "DE", "Und", "der", "el", "il", "che", "och", "ja",
    "ÉTÉ", "Ǆ", "ǅ", "ﬁn", "ß", "K", "Å", "🔴", "1️⃣", "e\u0301", "Ⓐ", "𝐀bc", ")", "(", '"', "”", "'", "’", ".", "!",
]  # fmt: skip
_SPACES = [" ", " ", " ", "\u00a0", "\u202f", "\u2003", "\t", "\u3000", ""]


@st.composite
def _news_line(draw: st.DrawFn) -> str:
    pieces = draw(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=30))
    line = "".join(piece + draw(st.sampled_from(_SPACES)) for piece in pieces)
    case = draw(st.sampled_from([str, str, str.upper, str.lower, str.title]))
    return str(case(line))


def _assert_compiled_equals_python(text: str) -> None:
    segmented = SegmentedText(normalize_display(text))
    compiled = _compiled_features(segmented.text, segmented.lines)
    if "Σ" in segmented.text or "İ" in segmented.text:
        assert compiled is None
        return
    assert compiled == _python_features(segmented.text, segmented.lines)


@given(st.lists(_news_line(), min_size=1, max_size=8), st.sampled_from(["\n", "\n\n", " \n\u00a0\n"]))
def test_compiled_features_equal_the_python_definition(lines: list[str], newline: str) -> None:
    """Every feature of every line, counted in one compiled pass, equals `line_features`'s."""
    _assert_compiled_equals_python(newline.join(lines))


def test_compiled_features_equal_the_python_definition_on_seeds_and_chrome() -> None:
    """The same on the seed articles and on generated pages wrapped in chrome."""
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        _assert_compiled_equals_python(path.read_text(encoding="utf-8"))
    for doc in generate(200):
        _assert_compiled_equals_python(doc.text)


def test_texts_that_lower_case_by_context_take_the_python_path() -> None:
    """Σ (final sigma) and İ (two code points) leave the compiled path; the verdicts still come."""
    text = "ΟΔΥΣΣΕΑΣ à Paris\nLe président a annoncé mardi un plan d’investissement.\nİstanbul"
    segmented = SegmentedText(text)
    assert _compiled_features(text, segmented.lines) is None
    assert len(LineClassifier().classify(segmented)) == 3


def test_compiled_features_at_the_length_limits() -> None:
    """Cues count below 250 characters, titles and digits below 120: both sides of each limit."""
    for size in (118, 119, 120, 121, 248, 249, 250, 251):
        head = "Partager Lire aussi Le Monde 2024 "
        line = head + "x" * (size - len(head))
        assert len(line) == size
        _assert_compiled_equals_python(line + "\nLe président a annoncé mardi un plan d’investissement.")
