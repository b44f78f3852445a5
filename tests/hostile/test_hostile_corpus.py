"""The CLI over every hostile input at once: documented exit code, no traceback, every case accounted for."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hostile_cases import MAX_BYTES, Case, build

from test_cli import read_jsonl, run_cli


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Case], Path, object]:
    """One run of `corpusclean clean` over the whole hostile corpus, output inside the dump."""
    root = tmp_path_factory.mktemp("hostile")
    cases, inputs = build(root)
    out = root / "dump" / "out"  # inside an input directory: must never be read back
    # Many cases carry the same sentence on purpose: de-duplication would keep one of them.
    flags = ("--max-bytes", str(MAX_BYTES), "--no-dedup")
    result = run_cli("clean", *inputs, "-o", str(out), *flags, "--workers", "2")
    return cases, out, result


def _rows(out: Path) -> dict[str, list[dict]]:
    return {name: read_jsonl(out / f"{name}.jsonl") for name in ("documents", "dropped", "errors")}


def test_exit_code_says_an_input_was_missing_and_nothing_crashed(hostile_run: tuple) -> None:
    """Exit 3 (a named input is missing, the rest was cleaned); one error line for it; no traceback."""
    cases, out, result = hostile_run
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    missing = next(c for c in cases if c.name == "missing input path").match["path"]
    expected = f"corpusclean: error: {missing}: no such file or directory (other inputs were cleaned)"
    assert expected in result.stderr.splitlines()
    assert (out / "report.json").exists() and not list(out.glob("*.partial"))


def test_ledger_invariant_and_every_row_written(hostile_run: tuple) -> None:
    """in = out + dropped + errors, in report.json and in the files themselves."""
    _, out, _ = hostile_run
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    rows = _rows(out)
    assert report["balanced"]
    assert report["docs_in"] == report["docs_out"] + report["docs_dropped"] + report["errors"]
    assert (len(rows["documents"]), len(rows["dropped"]), len(rows["errors"])) == (
        report["docs_out"],
        report["docs_dropped"],
        report["errors"],
    )
    assert report["ids_renamed"] == 1
    assert report["inputs_missing"] == [
        next(r["path"] for r in rows["errors"] if r["kind"] == "missing-input")
    ]
    assert sum(report["errors_by_kind"].values()) == report["errors"]


def test_there_are_at_least_25_distinct_cases_covering_every_bullet(hostile_run: tuple) -> None:
    """The corpus is broad enough to mean something."""
    cases, _, _ = hostile_run
    assert len({c.name for c in cases}) == len(cases) >= 25
    assert {c.bullet for c in cases} >= {"encodings", "not text", "size", "jsonl", "inputs", "untrusted"}


def test_each_case_lands_in_the_right_output_with_a_useful_message(hostile_run: tuple) -> None:
    """Every hostile input is found in documents, dropped or errors, saying what happened."""
    cases, out, _ = hostile_run
    rows = _rows(out)
    problems = []
    for case in cases:
        found = [r for r in rows[case.output] if all(r.get(k) == v for k, v in case.match.items())]
        if len(found) != 1:
            problems.append(f"{case.name}: {len(found)} rows in {case.output} match {case.match}")
            continue
        row = found[0]
        said = row.get("error", "") if case.output == "errors" else row.get("reason", "")
        if case.says and case.says not in said:
            problems.append(f"{case.name}: {said!r} does not say {case.says!r}")
        elif not case.check(row):
            problems.append(f"{case.name}: row fails its check: {json.dumps(row)[:300]}")
    assert not problems, "\n".join(problems)


def test_every_error_row_names_its_file_and_kind(hostile_run: tuple) -> None:
    """An error row always says where (path, and line for JSONL) and what kind of damage."""
    _, out, _ = hostile_run
    for row in _rows(out)["errors"]:
        assert row["path"] and row["kind"] and row["error"], row
        if row["path"] == "feed.jsonl":
            assert isinstance(row["line"], int)


def test_own_output_inside_the_input_is_never_read_back(hostile_run: tuple, tmp_path: Path) -> None:
    """Running again with the output inside the dump reads exactly the same records."""
    cases, out, _ = hostile_run
    before = json.loads((out / "report.json").read_text(encoding="utf-8"))
    dump = out.parent
    missing = next(c for c in cases if c.name == "missing input path").match["path"]
    again = run_cli(
        "clean", str(dump), missing, "-o", str(out), "--max-bytes", str(MAX_BYTES), "--no-dedup", "-q"
    )
    assert again.returncode == 3, again.stderr
    after = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert after["docs_in"] == before["docs_in"]
    assert not any(r["path"].startswith("out/") for r in read_jsonl(out / "errors.jsonl"))


def test_naming_an_output_file_as_input_is_refused(tmp_path: Path) -> None:
    """`clean out/documents.jsonl -o out` stops before it can destroy the file it would read."""
    data = tmp_path / "a.jsonl"
    data.write_text(json.dumps({"id": "a", "text": "Le sommet s’est ouvert lundi."}) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    assert run_cli("clean", str(data), "-o", str(out), "-q").returncode == 0
    before = (out / "documents.jsonl").read_bytes()
    result = run_cli("clean", str(data), str(out / "documents.jsonl"), "-o", str(out), "-q")
    assert result.returncode == 1
    assert result.stderr == (
        f"corpusclean: error: {out / 'documents.jsonl'}: input is an output file of this run; "
        "choose another output directory\n"
    )
    assert (out / "documents.jsonl").read_bytes() == before
