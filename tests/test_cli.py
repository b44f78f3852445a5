"""The CLI as users run it: a subprocess on the seeds and on small broken inputs."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

from corpusclean.cli import markdown_reference

from conftest import ROOT


def run_cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    """Run `corpusclean ARGS` the way a user does (via the installed console script's module)."""
    return subprocess.run(
        [sys.executable, "-m", "corpusclean", *args],
        input=stdin.decode() if stdin is not None else None,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )


def read_jsonl(path: Path) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def test_clean_seeds_writes_every_output(seeds_dir: Path, tmp_path: Path) -> None:
    """Five documents named by file stem, dates parsed out of the header, counts that add up."""
    out = tmp_path / "out"
    result = run_cli("clean", str(seeds_dir), "-o", str(out))
    assert result.returncode == 0, result.stderr
    docs = read_jsonl(out / "documents.jsonl")
    ids = [d["id"] for d in docs]
    assert ids == sorted(p.stem for p in seeds_dir.glob("*.txt"))
    by_id = {d["id"]: d for d in docs}
    dates = {i: by_id[i]["metadata"].get("date") for i in ids}
    assert dates["000_34f9137bfefe1762"] == "2023-05"
    assert dates["003_b176a1c00d8f91ef"] == "2025-02"
    assert dates["004_b008c08daf3b73e9"] == "2025-02"
    assert dates["001_d123fd011bf649b3"] is None
    for doc_id in ("000_34f9137bfefe1762", "003_b176a1c00d8f91ef", "004_b008c08daf3b73e9"):
        assert not by_id[doc_id]["text"].lstrip().startswith("date")
    report = json.loads((out / "report.json").read_text())
    assert report["docs_in"] == report["docs_out"] + report["docs_dropped"] + report["errors"] == 5
    assert (out / "dropped.jsonl").exists() and (out / "errors.jsonl").exists()
    assert "5 in = " in result.stderr


def test_output_is_byte_identical_across_runs_and_worker_counts(seeds_dir: Path, tmp_path: Path) -> None:
    """Same input and config give the same bytes, with 1 or 2 workers."""
    outputs = []
    for name, workers in (("a", "1"), ("b", "1"), ("c", "2")):
        out = tmp_path / name
        assert run_cli("clean", str(seeds_dir), "-o", str(out), "--workers", workers, "-q").returncode == 0
        outputs.append([(out / f).read_bytes() for f in ("documents.jsonl", "dropped.jsonl", "errors.jsonl")])
    assert outputs[0] == outputs[1] == outputs[2]


def test_malformed_inputs_are_accounted_for_and_the_run_goes_on(tmp_path: Path) -> None:
    """Invalid UTF-8, an empty file and a truncated JSONL line each land in the ledger."""
    data = tmp_path / "in"
    data.mkdir()
    (data / "article.txt").write_text("Le sommet s’est ouvert lundi à Paris.", encoding="utf-8")
    (data / "latin1.txt").write_bytes(
        "Un été très chaud à Marseille, où la préfecture a pris des mesures.".encode("cp1252")
    )
    (data / "empty.txt").write_bytes(b"")
    (data / "feed.jsonl").write_text(
        '{"id": "ok-1", "text": "Les marchés ont ouvert en hausse."}\n'
        '{"id": "broken", "text": "La dépêche s’arrête\n'
        '{"id": "ok-2", "text": "Le port de Marseille a enregistré une hausse."}\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = run_cli("clean", str(data), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    kept = {d["id"]: d for d in read_jsonl(out / "documents.jsonl")}
    assert {"article", "latin1", "ok-1", "ok-2"} <= set(kept)
    assert "été" in kept["latin1"]["text"] and kept["latin1"]["metadata"]["encoding"]
    dropped = read_jsonl(out / "dropped.jsonl")
    assert [(d["id"], d["reason"]) for d in dropped] == [("empty", "empty")]
    errors = read_jsonl(out / "errors.jsonl")
    assert len(errors) == 1
    assert (
        errors[0]["path"] == "feed.jsonl" and errors[0]["line"] == 2 and "invalid JSON" in errors[0]["error"]
    )
    report = json.loads((out / "report.json").read_text())
    assert report["docs_in"] == 6 == report["docs_out"] + report["docs_dropped"] + report["errors"]


def test_missing_input_path_is_one_line_error(tmp_path: Path) -> None:
    """A path that does not exist: one line naming it, non-zero exit, no traceback."""
    result = run_cli("clean", str(tmp_path / "nowhere"), "-o", str(tmp_path / "out"))
    assert result.returncode == 1
    assert result.stderr.strip() == f"corpusclean: error: {tmp_path / 'nowhere'}: no such file or directory"


def test_unwritable_output_is_one_line_error(seeds_dir: Path, tmp_path: Path) -> None:
    """An output path under a regular file cannot be created: a clear error."""
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run_cli("clean", str(seeds_dir), "-o", str(blocker / "out"))
    assert result.returncode == 1
    assert result.stderr.startswith("corpusclean: error: ") and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_jsonl_from_stdin_to_stdout() -> None:
    """`-` reads JSONL from stdin; `-o -` writes documents to stdout."""
    record = {"id": "dep-1", "text": "L\u00e2\u20ac\u2122\u00c3\u00a9t\u00c3\u00a9 arrive  \r\n"}
    result = run_cli("clean", "-", "-o", "-", "-q", stdin=(json.dumps(record) + "\n").encode())
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["id"] == "dep-1" and doc["text"] == "L’été arrive"


def test_compressed_jsonl_in_and_out(tmp_path: Path) -> None:
    """.jsonl.gz and .jsonl.zst are read; --output-compress writes gzip deterministically."""
    import zstandard

    lines = b'{"id": "a", "text": "Premier article sur le sommet."}\n'
    (tmp_path / "a.jsonl.gz").write_bytes(gzip.compress(lines))
    (tmp_path / "b.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress(lines.replace(b'"a"', b'"b"')))
    out = tmp_path / "out"
    result = run_cli(
        "clean",
        str(tmp_path / "a.jsonl.gz"),
        str(tmp_path / "b.jsonl.zst"),
        "-o",
        str(out),
        "--output-compress",
        "--no-dedup",  # the two records are the same text: this test is about compression
    )
    assert result.returncode == 0, result.stderr
    assert [d["id"] for d in read_jsonl(out / "documents.jsonl.gz")] == ["a", "b"]


def test_config_file_and_bad_key(tmp_path: Path, seeds_dir: Path) -> None:
    """A TOML config is read; an unknown key is a one-line error naming file and key, exit 2."""
    good = tmp_path / "good.toml"
    good.write_text("[filters]\nmin_chars = 3000\n")
    out = tmp_path / "out"
    assert run_cli("clean", str(seeds_dir), "-o", str(out), "-q", "--config", str(good)).returncode == 0
    dropped = read_jsonl(out / "dropped.jsonl")
    assert dropped and all(d["reason"] == "too_short" for d in dropped)
    bad = tmp_path / "bad.toml"
    bad.write_text("[filters]\nmin_charz = 3\n")
    result = run_cli("clean", str(seeds_dir), "-o", str(out), "--config", str(bad))
    assert result.returncode == 2
    assert result.stderr.strip() == f"corpusclean: error: {bad}: [filters]: unknown key 'min_charz'"


def test_version_and_help() -> None:
    """`--version` prints the version; `clean --help` documents every option."""
    assert run_cli("--version").stdout.startswith("corpusclean ")
    help_text = run_cli("clean", "--help").stdout
    for flag in ("--out", "--config", "--workers", "--min-chars", "--quiet"):
        assert flag in help_text


def test_docs_cli_reference_is_current() -> None:
    """docs/cli.md is generated from the parser; regenerate it when an option changes."""
    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == markdown_reference(), (
        'docs/cli.md is stale: python -c "from corpusclean.cli import markdown_reference as m; '
        "open('docs/cli.md','w').write(m())\""
    )
