"""Reading inputs: a large JSONL file cut into byte slices reads exactly as a whole-file read."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from corpusclean.config import InputConfig
from corpusclean.io.readers import ReadError, read_jsonl, read_jsonl_slice

# Records as a scrape leaves them: ids or none (named by line), blank lines, a cut record,
# a byte-order mark, and accents that make characters and bytes differ.
LINES = [
    '\ufeff{"id": "afp-0412", "text": "Le gouvernement a présenté mercredi son projet de budget."}',
    '{"text": "Sans identifiant : la dépêche est nommée par sa ligne."}',
    "",
    '{"id": "reuters-77", "text": "La Bourse de Paris a terminé la séance en hausse de 0,8 %."}',
    '{"id": "cut", "text": "Le Conseil constitutionnel a val',
    "   ",
    '{"id": "lemonde-3", "text": "« Nous ne céderons pas », a déclaré la ministre jeudi soir."}',
    '{"id": "x", "text": ""}',
    '{"text": "Dernière dépêche de la nuit, sans saut de ligne final."}',
]


def _items(items: list) -> list:
    return [i.to_dict() if isinstance(i, ReadError) else (i.id, i.text, i.metadata) for i in items]


@settings(max_examples=60, deadline=None)
@given(cuts=st.lists(st.integers(min_value=1, max_value=600), max_size=6), final_newline=st.booleans())
def test_slices_cut_anywhere_read_each_line_once_with_its_number(
    tmp_path_factory, cuts: list[int], final_newline: bool
) -> None:
    path = tmp_path_factory.mktemp("slices") / "dump.jsonl"
    path.write_text("\n".join(LINES) + ("\n" if final_newline else ""), encoding="utf-8")
    size = path.stat().st_size
    bounds = sorted({0, size, *(c for c in cuts if c < size)})
    data = path.read_bytes()
    config = InputConfig()
    whole = _items(list(read_jsonl(path, "dump.jsonl", config)))
    sliced = []
    for start, end in itertools.pairwise(bounds):
        # The first line of a slice: newlines before `start - 1`, plus the skipped piece's, plus one.
        first = data[: start - 1].count(b"\n") + 2 if start else 1
        sliced += _items(list(read_jsonl_slice(path, "dump.jsonl", config, start, end, first)))
    assert sliced == whole
    assert [i[0] for i in whole if isinstance(i, tuple)][:2] == ["afp-0412", "dump-L2"]


def test_a_binary_file_is_reported_once_however_it_is_sliced(tmp_path: Path) -> None:
    path = tmp_path / "photo.jsonl"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    config = InputConfig()
    items = [
        i
        for start in range(0, 2056, 500)
        for i in read_jsonl_slice(path, "photo.jsonl", config, start, start + 500, 1)
    ]
    assert [(i.kind, i.line) for i in items] == [("binary", None)]
    assert json.dumps(items[0].to_dict())
