"""Display normalization: exactly ftfy's repair plus tidy, idempotent, typography kept."""

from __future__ import annotations

import doctest
import unicodedata

import ftfy
import pytest
from ftfy.badness import BADNESS_RE, MOJIBAKE_CATEGORIES
from hypothesis import given
from hypothesis import strategies as st

from corpusclean import normalize
from corpusclean.config import NormalizeConfig
from corpusclean.normalize import fingerprint, fix_encoding_damage, normalize_display, tidy, tokenize

from conftest import SEEDS
from strategies import DAMAGE, damage, damaged_article, damaged_news_text, news_text

SEED_TEXTS = {path.stem: path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))}
CONFIGS = [
    NormalizeConfig(),
    NormalizeConfig(uncurl_quotes=True),
    NormalizeConfig(fix_ligatures=True, fold_width=True),
    NormalizeConfig(uncurl_quotes=True, fix_ligatures=True, fold_width=True, french_spaces="to_space"),
]
# Characters ftfy's mojibake heuristic and fixers react to, with ASCII and line breaks:
# arbitrary strings over them reach every branch of the pre-check.
TRICKY = (
    "".join(MOJIBAKE_CATEGORIES.values()).replace("-", "")
    + "abcéèàç’«»–—…\u00a0\u202f ÃÂŒœÎÐØÙ×à√≈‚вГВβāΒ\u0301\u0300"
    + "&#;<>amp\r\n\t\x00\x1b[1m\ufeff\ud800ﬁＡ\u3000"
    + "\u2028\u200b\u200d\u2007\u00ad\u2009"
)


def ftfy_then_tidy(text: str, config: NormalizeConfig) -> str:
    return tidy(ftfy.fix_text(text, normalize._ftfy_config(config)), config)


@given(text=damaged_article(), config=st.sampled_from(CONFIGS))
def test_display_normalization_equals_plain_ftfy_on_damaged_news(text: str, config: NormalizeConfig) -> None:
    """Real mojibake (cp1252, latin-1, MacRoman, double), entities, C1, CRLF: same as plain ftfy."""
    assert fix_encoding_damage(text, config) == ftfy.fix_text(text, normalize._ftfy_config(config))
    assert normalize_display(text, config) == ftfy_then_tidy(text, config)


@given(text=st.text(alphabet=TRICKY, max_size=60), config=st.sampled_from(CONFIGS))
def test_display_normalization_equals_plain_ftfy_on_arbitrary_strings(
    text: str, config: NormalizeConfig
) -> None:
    """Short strings over the characters ftfy and tidy care about: no pre-check skips a needed fix."""
    assert fix_encoding_damage(text, config) == ftfy.fix_text(text, normalize._ftfy_config(config))
    assert normalize_display(text, config) == ftfy_then_tidy(text, config)


@pytest.mark.parametrize(
    "text",
    [
        "Hausse de 12\u00a0 % à Paris",  # a no-break space beside a space: one no-break space
        "Le «\u202f\u00a0Monde\u202f»",
        "Ligne une\u2028ligne deux\r\nligne trois\x85fin",
        "zéro\u200blargeur et tiret\u00adconditionnel",
        "prix\u2007fixe et\u2009fine",
        "caf\u00e9 \x1b[1mgras\x1b[0m \x00nul",
        "L\u00e2\u20ac\u2122\u00c3\u00a9t\u00c3\u00a9\u00a0 arrive",
    ],
)
def test_every_step_the_rare_character_scan_gates_still_runs(text: str) -> None:
    """`normalize_display` scans once for rare characters and skips the steps they do not need."""
    for config in CONFIGS:
        assert normalize_display(text, config) == ftfy_then_tidy(text, config)


@given(text=st.text(alphabet=TRICKY, max_size=12))
def test_prefilter_fires_wherever_ftfy_sees_mojibake(text: str) -> None:
    """The fast pre-check matches every string ftfy's badness heuristic matches."""
    if BADNESS_RE.search(text):
        assert normalize._BADNESS_PREFILTER.search(text)


@given(text=damaged_article())
def test_long_lines_are_cut_where_ftfy_cuts_them(text: str) -> None:
    """With a small `max_decode_length`, lines are cut into the same pieces as ftfy's."""
    limit = 37
    original = normalize._MAX_DECODE_LENGTH
    normalize._MAX_DECODE_LENGTH = limit
    try:
        expected = ftfy.fix_text(
            text, normalize._ftfy_config(NormalizeConfig())._replace(max_decode_length=limit)
        )
        assert fix_encoding_damage(text) == expected
    finally:
        normalize._MAX_DECODE_LENGTH = original


@pytest.mark.parametrize("seed", sorted(SEED_TEXTS))
def test_seeds_equal_plain_ftfy_and_keep_typography(seed: str) -> None:
    """Every seed: same result as ftfy, and ’ « » – 🔴 survive (nothing to repair in them)."""
    text = SEED_TEXTS[seed]
    assert normalize_display(text) == ftfy_then_tidy(text, NormalizeConfig())
    assert fix_encoding_damage(text) == text
    out = normalize_display(text)
    for char in "’«»–🔴":
        assert out.count(char) == text.count(char)


@given(text=damaged_article(), config=st.sampled_from(CONFIGS))
def test_display_normalization_is_idempotent(text: str, config: NormalizeConfig) -> None:
    """Normalizing twice gives what normalizing once gave."""
    once = normalize_display(text, config)
    assert normalize_display(once, config) == once


@given(text=st.one_of(news_text(), damaged_news_text()))
def test_display_normalization_is_idempotent_on_shared_strategies(text: str) -> None:
    """Same property on the shared news strategies."""
    once = normalize_display(text)
    assert normalize_display(once) == once


def test_every_damage_kind_is_exercised() -> None:
    """Each kind of damage the strategies produce changes a French paragraph."""
    paragraph = "L’été sera chaud : à Paris, 12 % de hausse… & des « records ». Ensuite la suite."
    for kind in DAMAGE:
        if kind != "none":
            assert damage(paragraph, kind) != paragraph, kind


def test_mojibake_is_repaired() -> None:
    """UTF-8 read as cp1252 (`Ã©tÃ©`, `â€™`, `Ã‰`) comes back as the intended letters."""
    text = "Lâ€™Ã©tÃ© sera chaud. Ã‰galement Ã  Marseille, selon lâ€™AFP."
    assert normalize_display(text) == "L’été sera chaud. Également à Marseille, selon l’AFP."


def test_double_encoded_and_macroman_mojibake_is_repaired() -> None:
    """Damage applied twice, or through MacRoman, is undone too."""
    original = "Le président a annoncé un plan d’investissement."
    twice = original.encode("utf-8").decode("cp1252").encode("utf-8").decode("cp1252")
    assert normalize_display(twice) == original
    assert normalize_display(original.encode("utf-8").decode("mac_roman")) == original


def test_html_entities_are_decoded() -> None:
    """Entities in plain text become characters."""
    assert normalize_display("Proc&eacute;dure &amp; d&eacute;bat &#8211; l&#8217;&Eacute;tat") == (
        "Procédure & débat – l’État"
    )


def test_crlf_and_unicode_line_breaks_become_newlines() -> None:
    """CRLF, CR, U+2028, U+2029 and NEL end lines as `\\n`; blank-line runs shrink to one."""
    text = "Premier paragraphe.\r\n\r\n\r\n\r\nDeuxième.\rTroisième.\u2028Quatrième.\u2029Fin."
    assert normalize_display(text) == "Premier paragraphe.\n\nDeuxième.\nTroisième.\nQuatrième.\nFin."


def test_zero_width_and_invisible_characters_are_removed() -> None:
    """ZWSP, BOM, soft hyphen, word joiner go; ZWJ inside an emoji sequence and in Persian stays."""
    text = "\ufeffLe gou\u00advernement\u200b a an\u2060noncé\u200d un plan 👩\u200d💻 می\u200cخواهم"
    assert normalize_display(text) == "Le gouvernement a annoncé un plan 👩\u200d💻 می\u200cخواهم"


def test_nbsp_variants_are_repaired_and_french_spaces_kept() -> None:
    """Mojibake `Â\xa0` becomes NBSP, odd spaces become spaces, French no-break spaces stay."""
    text = "Il a dit\u00c2\u00a0: «\u202fNon\u202f»\u2009! Hausse de 12\u00a0%,\u2003soit\u2007100 euros."
    assert (
        normalize_display(text)
        == "Il a dit\u00a0: «\u202fNon\u202f» ! Hausse de 12\u00a0%, soit\u00a0100 euros."
    )
    spaced = normalize_display(text, NormalizeConfig(french_spaces="to_space"))
    assert spaced == "Il a dit : « Non » ! Hausse de 12\u00a0%, soit\u00a0100 euros."


def test_spaces_are_collapsed_and_trailing_spaces_stripped() -> None:
    """Runs of spaces and tabs become one space; a run holding a no-break space keeps it."""
    text = "Le  sommet\t\ts’ouvre   lundi \u00a0: ouverture.  \t\nSuite.\u00a0\n"
    assert normalize_display(text) == "Le sommet s’ouvre lundi\u00a0: ouverture.\nSuite."


def test_c1_controls_and_terminal_escapes_are_fixed() -> None:
    """Windows-1252 bytes read as C1 controls become the intended punctuation; escapes go."""
    assert normalize_display("l\x92AFP \x96 \x1b[1mParis\x1b[0m") == "l’AFP – Paris"


def test_fingerprint_folds_typography_case_digits_and_accents() -> None:
    """Quotes, dashes, guillemets, case and digits fold; accents only on request."""
    assert fingerprint("L’IA — «Le Monde»") == fingerprint('l\'ia - "le monde"') == "l ia le monde"
    assert fingerprint("Hausse de 12,5 % en 2024") == "hausse de 00 0 en 0000"
    assert fingerprint("Été à Séoul") == "été à séoul"
    assert fingerprint("Été à Séoul", strip_accents=True) == "ete a seoul"
    assert fingerprint("ＬＯＵＤ ﬁn_de_série") == "loud fin de série"


def test_tokenize_splits_elisions_and_unspaced_scripts() -> None:
    """French elisions split; Chinese, Japanese and Thai runs become character bigrams."""
    assert tokenize("L’IA d’OpenAI qu'il") == ["l", "ia", "d", "openai", "qu", "il"]
    assert tokenize("北京市 は東京") == ["北京", "京市", "は東", "東京"]
    assert tokenize("ข่าวไทย AFP") == ["ข่", "่า", "าว", "วไ", "ไท", "ทย", "afp"]
    assert tokenize("Tokyo 東") == ["tokyo", "東"]


@given(text=damaged_article())
def test_tokenize_is_the_fingerprint_words_for_spaced_scripts(text: str) -> None:
    """On Latin-script news, tokens are exactly the fingerprint's words."""
    assert tokenize(text) == fingerprint(text).split()


def reference_words(text: str, strip_accents: bool = False) -> list[str]:
    """The fingerprint by its definition, one character at a time (slow, obviously right)."""
    text = unicodedata.normalize("NFKC", text.casefold()).casefold()
    if strip_accents:
        text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c)[0] != "M")
        text = unicodedata.normalize("NFC", text)
    out = []
    for char in text:
        if unicodedata.category(char)[0] not in "LNM" or char == "_":
            out.append(" ")
        elif char.isdecimal():
            out.append("0")
        else:
            out.append(char)
    return "".join(out).split()


NEWSY = st.text(
    alphabet=st.sampled_from("Léa’IA «»–—…\u00a0\u202f12 %,.;:!?_-'\"é\u0301ﬁＬ٣²🔴👩\u200d💻北京ข่าว\n")
)


@given(text=st.one_of(st.text(max_size=40), NEWSY, damaged_article()))
def test_fingerprint_fast_path_matches_its_definition(text: str) -> None:
    """The C-speed fingerprint equals the character-by-character definition on any text."""
    assert fingerprint(text).split() == reference_words(text)


@given(text=st.one_of(st.text(alphabet=st.characters(max_codepoint=0xFFFF), max_size=40), NEWSY))
def test_fingerprint_strips_accents_as_defined(text: str) -> None:
    """With `strip_accents`, every combining mark goes after NFD (Basic Multilingual Plane)."""
    assert fingerprint(text, strip_accents=True).split() == reference_words(text, strip_accents=True)


@given(text=st.text(alphabet=TRICKY, max_size=12))
def test_coarse_prefilter_fires_wherever_the_exact_one_does(text: str) -> None:
    """The one-class first pass never misses a position the exact pre-check matches."""
    for position in range(len(text)):
        if normalize._BADNESS_PREFILTER.match(text, position):
            match = normalize._BADNESS_COARSE.search(text, position)
            assert match is not None and match.start() == position


def test_docstring_examples_hold() -> None:
    """The examples in the normalize and dateline docstrings are true."""
    from corpusclean import dateline

    for module in (normalize, dateline):
        assert doctest.testmod(module).failed == 0


@pytest.mark.parametrize(
    "text",
    [
        "a\u200b\u200d👩 b",
        "«\u00a0\u00a0Non\u00a0\u00a0!\u202f»",
        "x \u200d\u200b\u200dy",
        "👩\u200d\u00ad💻",
    ],
)
@pytest.mark.parametrize("config", CONFIGS)
def test_idempotent_where_steps_interact(text: str, config: NormalizeConfig) -> None:
    """Removing one invisible character or one space never sets up work for a second pass."""
    once = normalize_display(text, config)
    assert normalize_display(once, config) == once


@given(news_text(), news_text())
def test_remembered_words_never_leak_between_texts_or_callers(first: str, second: str) -> None:
    """The last text's words are reused only for that text, and a caller mutating them changes nothing."""
    fresh = normalize._fold_words(first, False)
    words = tokenize(first)
    assert words == fresh
    words.append("intrus")  # a caller's list is its own
    assert tokenize(first) == fresh
    assert fingerprint(first) == " ".join(fresh)
    assert tokenize(second) == normalize._fold_words(second, False)
    assert fingerprint(first, strip_accents=True) == " ".join(normalize._fold_words(first, True))


@given(
    st.one_of(
        st.text(),
        st.text(st.characters(codec=None), max_size=40).map(lambda text: text.replace("a", "\n")),
        news_text(),
        damaged_news_text(),
    )
)
def test_fingerprint_lines_is_the_fingerprint_of_each_line(text: str) -> None:
    """One fold of the whole text, cut at its line breaks, is each line folded on its own."""
    assert normalize.fingerprint_lines(text) == [fingerprint(line) for line in text.split("\n")]


def test_fingerprint_lines_agree_next_to_any_character() -> None:
    """Every code point, and combining marks, on both sides of a line break: no fold crosses it."""
    for code in range(0x30000):
        char = chr(code)
        text = f"a{char}\n\u0301{char}  {char}\n"
        assert normalize.fingerprint_lines(text) == [fingerprint(line) for line in text.split("\n")], hex(
            code
        )
