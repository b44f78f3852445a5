"""Readers and runner under hostile conditions, one property at a time."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from corpusclean import Cleaner, Config, Document, InputConfig, ReadError
from corpusclean.io import readers
from corpusclean.io.readers import decode_bytes, read_inputs, read_text_file, unique_ids
from corpusclean.io.writers import safe_filename
from corpusclean.runner import CHUNK_DOCUMENTS, CHUNKS_IN_FLIGHT_PER_WORKER, process_all

from test_cli import read_jsonl, run_cli

ARTICLE = "Un été très chaud à Marseille : la préfecture a pris des mesures « exceptionnelles »."


def test_decode_error_policy_replace_records_the_loss(tmp_path: Path) -> None:
    """--input-on-decode-error replace keeps undecodable inputs, with the U+FFFD count in metadata."""
    data = tmp_path / "in"
    data.mkdir()
    (data / "odd.txt").write_bytes(ARTICLE.encode("utf-16") + b"\n")
    feed = b'{"id": "caf", "text": "caf\xe9 cr\xe8me"}\n{"id": "s", "text": "a\\udce9"}\n'
    (data / "feed.jsonl").write_bytes(feed)
    out = tmp_path / "out"
    strict = run_cli("clean", str(data), "-o", str(out), "-q")
    assert strict.returncode == 0, strict.stderr
    assert [e["kind"] for e in read_jsonl(out / "errors.jsonl")] == ["decode", "decode", "decode"]
    lossy = run_cli("clean", str(data), "-o", str(out), "-q", "--input-on-decode-error", "replace")
    assert lossy.returncode == 0, lossy.stderr
    assert read_jsonl(out / "errors.jsonl") == []
    docs = {d["id"]: d for d in read_jsonl(out / "documents.jsonl")}
    assert docs["odd"]["metadata"]["decode_errors"] == 1 and docs["odd"]["metadata"]["encoding"] == "utf-16"
    assert docs["caf"]["text"] == "caf\ufffd cr\ufffdme" and docs["caf"]["metadata"]["decode_errors"] == 2
    assert docs["s"]["text"] == "a\ufffd"


def test_a_bad_decode_policy_is_a_usage_error(tmp_path: Path) -> None:
    """An unknown policy stops before reading anything, exit 2."""
    result = run_cli("clean", str(tmp_path), "-o", str(tmp_path / "out"), "--input-on-decode-error", "guess")
    assert result.returncode == 2 and "invalid choice: 'guess'" in result.stderr


def test_encoding_detection_sees_a_bounded_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 6 MB cp1252 file is detected from at most ~64 KiB, then decoded whole."""
    import charset_normalizer

    seen: list[int] = []
    real = charset_normalizer.from_bytes

    def spy(data: bytes, *args: object, **kwargs: object) -> object:
        seen.append(len(data))
        return real(data, *args, **kwargs)

    monkeypatch.setattr(charset_normalizer, "from_bytes", spy)
    data = (ARTICLE + "\n").encode("cp1252") * 70_000
    decoded = decode_bytes(data)
    assert decoded.encoding == "cp1252" and decoded.text == (ARTICLE + "\n") * 70_000
    assert seen and max(seen) <= 2 * readers.DETECT_BYTES + 1


def test_unique_ids_are_deterministic_and_never_clash() -> None:
    """x, x, x#2, x → x, x#2, x#2#2, x#3: in input order, the original kept in metadata."""
    docs = [Document(i, "texte", {}) for i in ("x", "x", "x#2", "x")]
    renamed = list(unique_ids([docs[0], ReadError("f", 1, "bad", "x"), *docs[1:]]))
    ids = [item.id for item in renamed]
    assert ids == ["x", "x", "x#2", "x#2#2", "x#3"]  # the ReadError keeps its id: it is not a document
    originals = [d.metadata.get("id_original") for d in renamed if isinstance(d, Document)]
    assert originals == [None, "x", "x#2", "x"]


def test_safe_filename_keeps_ids_inside_a_directory() -> None:
    """Traversal, separators, device names, empty and huge ids all become distinct plain names."""
    ids = ["../../etc/passwd", "a/b", "a_b", "CON", "", "." * 5, "é" * 500, "nul.txt", "ok-1"]
    names = [safe_filename(i) for i in ids]
    assert len(set(names)) == len(names)
    for name in names:
        assert name and "/" not in name and "\\" not in name and not name.startswith(".")
        assert len(name) <= 100 and name.isascii()
    assert safe_filename("ok-1") == "ok-1"


def test_unreadable_file_is_an_error_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file that cannot be opened (EACCES; simulated: the suite runs as root) names itself."""
    path = tmp_path / "secret.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    real_open = Path.open

    def deny(self: Path, *args: object, **kwargs: object) -> object:
        if self.name == "secret.txt":
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "open", deny)
    item = read_text_file(path, "secret.txt", InputConfig())
    denied = "cannot read file: Permission denied"
    assert item == ReadError("secret.txt", None, denied, "secret", "unreadable")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file: covered by the simulated test above")
def test_chmod_000_file_is_an_error_row(tmp_path: Path) -> None:
    """The real thing when not root."""
    (tmp_path / "secret.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "secret.txt").chmod(0)
    items = list(read_inputs([str(tmp_path)]))
    assert [(i.kind, i.path) for i in items if isinstance(i, ReadError)] == [("unreadable", "secret.txt")]


def test_a_named_pipe_given_on_the_command_line_is_read(tmp_path: Path) -> None:
    """`corpusclean clean <(zcat dump.gz)`: a pipe named explicitly is an input like any file."""
    fifo = tmp_path / "feed.jsonl"
    os.mkfifo(fifo)
    record = json.dumps({"id": "p1", "text": ARTICLE}) + "\n"
    writer = threading.Thread(target=lambda: fifo.write_text(record, encoding="utf-8"))
    writer.start()
    try:
        items = list(read_inputs([str(fifo)]))
    finally:
        writer.join()
    assert [(i.id, i.metadata["path"]) for i in items if isinstance(i, Document)] == [("p1", "feed.jsonl")]


def test_several_missing_inputs_and_nothing_else_is_one_line_exit_1(tmp_path: Path) -> None:
    """With nothing readable at all: one line naming every missing path, exit 1, no output directory."""
    a, b = tmp_path / "a.jsonl", tmp_path / "b"
    result = run_cli("clean", str(a), str(b), "-o", str(tmp_path / "out"))
    assert result.returncode == 1
    assert result.stderr.strip() == f"corpusclean: error: {a}, {b}: no such file or directory"
    assert not (tmp_path / "out").exists()


def test_workers_read_ahead_a_bounded_number_of_documents() -> None:
    """process_all never pulls the whole input into memory, unlike Pool.imap."""
    pulled = 0

    def documents():  # type: ignore[no-untyped-def]
        nonlocal pulled
        for i in range(100_000):
            pulled += 1
            yield Document(f"d{i}", ARTICLE, {})

    results = process_all(Cleaner(Config()), documents(), workers=2)
    first = next(results)
    assert first.doc.id == "d0"
    assert pulled <= (2 * CHUNKS_IN_FLIGHT_PER_WORKER + 1) * CHUNK_DOCUMENTS
    results.close()  # stops the workers at once
