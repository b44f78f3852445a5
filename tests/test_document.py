"""The sweep: the one place text is cut; the clean text is the input minus exactly the recorded cuts."""

from __future__ import annotations

from hypothesis import given

from corpusclean.document import Reason, Span, sweep

from strategies import text_with_spans


def _spans(ranges: list[tuple[int, int]]) -> list[Span]:
    return [Span(s, e, Reason.BOILERPLATE, rule=f"r{i}") for i, (s, e) in enumerate(ranges)]


@given(text_with_spans())
def test_clean_text_is_input_minus_exactly_the_recorded_cuts(case: tuple[str, list[tuple[int, int]]]) -> None:
    """Rebuilding the text from the removal records gives the clean text, and cuts are disjoint."""
    text, ranges = case
    result = sweep(text, _spans(ranges))
    rebuilt, cursor = [], 0
    for removal in result.removed:
        assert cursor <= removal.start <= removal.end
        rebuilt.append(text[cursor : removal.start])
        cursor = removal.end
    rebuilt.append(text[cursor:])
    assert "".join(rebuilt) == result.text


@given(text_with_spans())
def test_recorded_offsets_point_at_the_removed_text(case: tuple[str, list[tuple[int, int]]]) -> None:
    """`normalized[r.start:r.end] == r.text` for every recorded cut."""
    text, ranges = case
    for removal in sweep(text, _spans(ranges)).removed:
        assert text[removal.start : removal.end] == removal.text


@given(text_with_spans())
def test_every_marked_character_is_removed(case: tuple[str, list[tuple[int, int]]]) -> None:
    """Whatever a detector marked for removal is inside some recorded cut."""
    text, ranges = case
    removed = sweep(text, _spans(ranges)).removed
    covered = set()
    for removal in removed:
        covered.update(range(removal.start, removal.end))
    for start, end in ranges:
        assert set(range(start, end)) <= covered


def test_overlap_goes_to_the_span_given_first() -> None:
    """Two detectors marking the same line: the earlier one in stage order is credited."""
    text = "Article body.\nSource : Le Monde"
    line = text.index("Source")
    first = Span(line, len(text), Reason.CREDIT, rule="source-line")
    second = Span(line - 1, len(text), Reason.BOILERPLATE, rule="learned:5/5")
    result = sweep(text, [first, second])
    assert result.text == "Article body."
    rules = [(r.rule, r.text) for r in result.removed]
    assert rules == [("learned:5/5", "\n"), ("source-line", "Source : Le Monde")]


def test_removing_a_middle_paragraph_leaves_no_blank_hole() -> None:
    """A whole-paragraph cut takes its blank line with it."""
    text = "Premier paragraphe.\n\nPhoto : AFP\n\nDeuxième paragraphe."
    start = text.index("Photo")
    result = sweep(text, [Span(start, start + len("Photo : AFP"), Reason.CREDIT, rule="photo")])
    assert result.text == "Premier paragraphe.\n\nDeuxième paragraphe."
    assert result.removed[0].text == "Photo : AFP\n\n"


def test_removing_the_last_lines_takes_the_breaks_before_them() -> None:
    """Cuts at the end of the text leave no trailing blank lines."""
    text = "Corps de l’article.\n\n🔴 Suivez-nous.\nSource : Le Monde"
    a = text.index("🔴")
    b = text.index("Source")
    spans = [Span(a, b - 1, Reason.BOILERPLATE, "footer"), Span(b, len(text), Reason.CREDIT, "source")]
    result = sweep(text, spans)
    assert result.text == "Corps de l’article."


def test_extract_and_keep_moves_value_without_cutting() -> None:
    """A span with remove=False fills metadata and leaves the text alone."""
    text = "PARIS, 10 février (TAP) – Le sommet s’ouvre."
    span = Span(
        0, 24, Reason.METADATA, "dateline", moves_to="dateline", value={"place": "PARIS"}, remove=False
    )
    result = sweep(text, [span])
    assert result.text == text
    assert result.extracted == {"dateline": [{"place": "PARIS"}]}
