"""A corpus of hostile inputs, generated on demand, and where each one must end up.

Every case names the bullet of the hostile-input issue it covers, the output it must
land in (documents, dropped or errors), how to find its row there and what the row
must say. `build(root)` writes the inputs under `root/dump` (plus extra paths named on
the command line) and returns the cases and the CLI arguments that read them all.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import zstandard

# Small cap so that "too large" inputs stay small files; passed as --max-bytes.
MAX_BYTES = 8192

ARTICLE = (
    "Un été très chaud à Marseille : la préfecture a pris des mesures « exceptionnelles » "
    "contre la sécheresse, a-t-on appris jeudi.\n\n"
    "Le maire s’est exprimé devant la presse — c’était attendu depuis des semaines."
)
DEPECHE = "Les marchés européens ont ouvert en hausse mardi, portés par les valeurs bancaires."
ENGLISH = "The central bank held interest rates steady on Wednesday, citing persistent inflation."


@dataclass(frozen=True)
class Case:
    """One hostile input: which bullet, which output, how to find its row, what it must say."""

    name: str
    bullet: str
    output: str  # "documents", "dropped" or "errors"
    match: dict[str, Any]  # fields a row must have (e.g. {"id": "cp1252"} or {"path": "x", "line": 3})
    says: str = ""  # substring of the error message (errors) or the reason (dropped)
    check: Callable[[dict[str, Any]], bool] = field(default=lambda row: True)


def jsonl(*records: Any) -> bytes:
    """JSONL bytes; a `bytes` item is written as a raw line."""
    lines = [r if isinstance(r, bytes) else json.dumps(r, ensure_ascii=False).encode() for r in records]
    return b"\n".join(lines) + b"\n"


def build(root: Path) -> tuple[list[Case], list[str]]:
    """Write every hostile input under `root`; return the cases and the CLI input arguments."""
    dump = root / "dump"
    dump.mkdir(parents=True)
    cases: list[Case] = []

    def text_file(name: str, data: bytes, case: Case) -> None:
        (dump / name).write_bytes(data)
        cases.append(case)

    # Encodings.
    text_file(
        "cp1252.txt",
        ARTICLE.encode("cp1252"),
        Case(
            "cp1252 article",
            "encodings",
            "documents",
            {"id": "cp1252"},
            check=lambda r: r["metadata"]["encoding"] == "cp1252" and "préfecture" in r["text"],
        ),
    )
    text_file(
        "latin1.txt",
        ARTICLE.replace("’", "'").replace("—", "-").encode("latin-1"),
        Case(
            "latin-1 article",
            "encodings",
            "documents",
            {"id": "latin1"},
            check=lambda r: "encoding" in r["metadata"] and "été très chaud" in r["text"],
        ),
    )
    text_file(
        "utf16le.txt",
        ARTICLE.encode("utf-16"),
        Case(
            "UTF-16 LE with BOM",
            "encodings",
            "documents",
            {"id": "utf16le"},
            check=lambda r: r["metadata"]["encoding"] == "utf-16" and r["text"].startswith("Un été"),
        ),
    )
    text_file(
        "utf16be.txt",
        b"\xfe\xff" + ARTICLE.encode("utf-16-be"),
        Case(
            "UTF-16 BE with BOM",
            "encodings",
            "documents",
            {"id": "utf16be"},
            check=lambda r: r["metadata"]["encoding"] == "utf-16" and "Marseille" in r["text"],
        ),
    )
    text_file(
        "utf8bom.txt",
        b"\xef\xbb\xbf" + ARTICLE.encode(),
        Case(
            "UTF-8 with BOM",
            "encodings",
            "documents",
            {"id": "utf8bom"},
            check=lambda r: r["metadata"]["encoding"] == "utf-8-sig" and r["text"].startswith("Un été"),
        ),
    )
    text_file(
        "utf16-odd.txt",
        ARTICLE.encode("utf-16") + b"\x0a",
        Case("UTF-16 cut mid-character", "encodings", "errors", {"path": "utf16-odd.txt"}, "invalid utf-16"),
    )
    text_file(
        "noise.txt",
        bytes(range(128, 256)) * 3,
        Case(
            "bytes no encoding explains", "encodings", "errors", {"path": "noise.txt"}, "no encoding detected"
        ),
    )

    # Not text.
    text_file(
        "photo.txt",
        b"\x89PNG\r\n\x1a\n" + bytes(200),
        Case("PNG named .txt", "not text", "errors", {"path": "photo.txt"}, "binary file"),
    )
    text_file(
        "bundle.txt",
        b"PK\x03\x04" + b"word/document.xml" * 10,
        Case("ZIP named .txt", "not text", "errors", {"path": "bundle.txt"}, "binary file"),
    )
    text_file(
        "scan.txt",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
        Case("PDF named .txt", "not text", "errors", {"path": "scan.txt"}, "binary file"),
    )
    text_file(
        "nul.txt",
        DEPECHE.encode() + b"\x00\x00\x01" + DEPECHE.encode(),
        Case("NUL bytes in a .txt", "not text", "errors", {"path": "nul.txt"}, "binary file"),
    )
    text_file("empty.txt", b"", Case("empty file", "not text", "dropped", {"id": "empty"}, "empty"))
    text_file(
        "blank.txt",
        " \n\t\r\n\u00a0\u200b\n\n".encode(),
        Case("whitespace-only file", "not text", "dropped", {"id": "blank"}, "empty"),
    )

    # Size.
    text_file(
        "giant.txt",
        (DEPECHE + " ").encode() * (MAX_BYTES // 40),
        Case(
            "one-line page over --max-bytes",
            "size",
            "dropped",
            {"id": "giant"},
            "too_large",
            check=lambda r: r["max_bytes"] == MAX_BYTES and r["bytes"] > MAX_BYTES,
        ),
    )

    # JSONL.
    (dump / "feed.jsonl").write_bytes(
        jsonl(
            {"id": "ok-1", "text": DEPECHE},
            [DEPECHE],
            {"id": "no-text", "title": "Sommet de Paris"},
            {"id": "number-text", "text": 42},
            b'{"id": "broken", "text": "La d\xc3\xa9p\xc3\xaache s\xe2\x80\x99arr\xc3\xaate',
            b'{"id": "nan", "text": NaN}',
            b"[" * 5_000,
            b'{"id": ' + b"9" * 5000 + b', "text": "gros nombre"}',
            b'{"id": "surrogate", "text": "caf\\udce9 cr\\u00e8me"}',
            b'{"id": "bad-utf8", "text": "caf\xe9 cr\xe8me"}',
            {"id": "dup", "text": DEPECHE},
            {"id": "dup", "text": ENGLISH},
            {"id": "", "text": "   \n "},
            {"id": "../../etc/passwd", "text": ENGLISH + " (id is data, not a path)"},
            b"",
            {"id": "oversize", "text": "x" * (MAX_BYTES + 10)},
            {"id": "after-oversize", "text": ENGLISH},
        )
    )
    cases += [
        Case("JSONL good record", "jsonl", "documents", {"id": "ok-1"}),
        Case(
            "JSONL line that is an array", "jsonl", "errors", {"path": "feed.jsonl", "line": 2}, "JSON object"
        ),
        Case(
            "JSONL missing text", "jsonl", "errors", {"path": "feed.jsonl", "line": 3}, "missing text field"
        ),
        Case("JSONL non-string text", "jsonl", "errors", {"path": "feed.jsonl", "line": 4}, "not a string"),
        Case("JSONL truncated line", "jsonl", "errors", {"path": "feed.jsonl", "line": 5}, "invalid JSON"),
        Case("JSONL NaN", "jsonl", "errors", {"path": "feed.jsonl", "line": 6}, "NaN"),
        Case(
            "JSONL nested 100k deep",
            "jsonl",
            "errors",
            {"path": "feed.jsonl", "line": 7},
            "nested too deeply",
        ),
        Case("JSONL 5000-digit id", "jsonl", "errors", {"path": "feed.jsonl", "line": 8}, "invalid JSON"),
        Case("JSONL lone surrogate", "jsonl", "errors", {"path": "feed.jsonl", "line": 9}, "surrogate"),
        Case("JSONL invalid UTF-8", "jsonl", "errors", {"path": "feed.jsonl", "line": 10}, "invalid UTF-8"),
        Case(
            "duplicate id, first", "jsonl", "documents", {"id": "dup"}, check=lambda r: r["text"] == DEPECHE
        ),
        Case(
            "duplicate id, renamed",
            "jsonl",
            "documents",
            {"id": "dup#2"},
            check=lambda r: r["metadata"]["id_original"] == "dup" and r["text"] == ENGLISH,
        ),
        Case("JSONL whitespace text, empty id", "not text", "dropped", {"id": "feed-L13"}, "empty"),
        Case("path-like id", "untrusted", "documents", {"id": "../../etc/passwd"}),
        Case(
            "JSONL line over --max-bytes",
            "size",
            "dropped",
            {"id": "feed-L16"},
            "too_large",
            check=lambda r: r["bytes"] > MAX_BYTES,
        ),
        Case("record after an oversize line", "size", "documents", {"id": "after-oversize"}),
    ]

    whole = jsonl(*({"id": f"gz-{i}", "text": f"{DEPECHE} Dépêche numéro {i}."} for i in range(200)))
    (dump / "cut.jsonl.gz").write_bytes(gzip.compress(whole)[:-600])
    # Written as a streaming tool does (a block flushed every 20 records), then cut.
    compressor = zstandard.ZstdCompressor().compressobj()
    lines = whole.replace(b"gz-", b"zs-").splitlines(keepends=True)
    blocks = [
        compressor.compress(b"".join(lines[i : i + 20])) + compressor.flush(zstandard.COMPRESSOBJ_FLUSH_BLOCK)
        for i in range(0, 200, 20)
    ]
    (dump / "cut.jsonl.zst").write_bytes(b"".join(blocks)[:-100])
    (dump / "fake.jsonl.gz").write_bytes(jsonl({"id": "fake", "text": DEPECHE}))
    (dump / "bom.jsonl").write_bytes(b"\xef\xbb\xbf" + jsonl({"id": "bom-1", "text": DEPECHE}))
    (dump / "wide.jsonl").write_bytes(jsonl({"id": "wide-1", "text": DEPECHE}).decode().encode("utf-16"))
    cases += [
        Case("truncated gzip: records before the damage", "jsonl", "documents", {"id": "gz-0"}),
        Case("truncated gzip: the damage", "jsonl", "errors", {"path": "cut.jsonl.gz"}, "truncated"),
        Case("truncated zstd: records before the damage", "jsonl", "documents", {"id": "zs-0"}),
        Case("truncated zstd: the damage", "jsonl", "errors", {"path": "cut.jsonl.zst"}, "truncated"),
        Case("plain text named .jsonl.gz", "jsonl", "errors", {"path": "fake.jsonl.gz"}, "corrupt"),
        Case("JSONL with a UTF-8 BOM", "encodings", "documents", {"id": "bom-1"}),
        Case("JSONL in UTF-16", "encodings", "errors", {"path": "wide.jsonl"}, "must be UTF-8"),
    ]

    # Inputs: links, pipes, odd names, our own output inside the dump, a missing path.
    (dump / "sub").mkdir()
    (dump / "sub" / "note.txt").write_text(ENGLISH, encoding="utf-8")
    os.symlink("..", dump / "sub" / "up")
    os.symlink("self.txt", dump / "self.txt")
    os.symlink("nowhere.txt", dump / "dangling.txt")
    os.mkfifo(dump / "pipe.txt")
    weird = os.fsdecode(b"caf\xe9.txt")  # a Latin-1 file name: not valid UTF-8
    (dump / weird).write_text(DEPECHE, encoding="utf-8")
    missing = str(root / "absent.jsonl")
    cases += [
        Case(
            "file in a subfolder",
            "inputs",
            "documents",
            {"id": "note"},
            check=lambda r: r["metadata"]["source"] == "sub",
        ),
        Case("directory symlink loop", "inputs", "errors", {"path": "sub/up"}, "symbolic link loop"),
        Case("file symlink to itself", "inputs", "errors", {"path": "self.txt"}, "symbolic link loop"),
        Case("dangling symlink", "inputs", "errors", {"path": "dangling.txt"}, "broken symbolic link"),
        Case("named pipe in the dump", "inputs", "errors", {"path": "pipe.txt"}, "named pipe"),
        Case("non-UTF-8 file name", "inputs", "documents", {"id": "caf\\xe9"}),
        Case("missing input path", "inputs", "errors", {"path": missing}, "no such file or directory"),
    ]
    return cases, [str(dump), missing]
