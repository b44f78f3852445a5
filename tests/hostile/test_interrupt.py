"""SIGINT/SIGTERM mid-run: prompt non-zero exit, nothing that looks complete, a re-run gives the same bytes.

The run is held mid-way deterministically rather than by timing: its last input is a
named pipe that the test feeds half of, so the process is certainly still running (with
its `.partial` files open and both workers started) when the signal is sent.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT

OUTPUTS = ("documents.jsonl", "dropped.jsonl", "errors.jsonl")
SENTENCES = [
    "Le président a annoncé mardi un plan d’investissement de 109 milliards d’euros.",
    "Selon l’AFP, les négociations ont repris jeudi soir à Bruxelles.",
    "À Marseille, le port a enregistré une hausse de 12 % de son trafic en 2024.",
    "The central bank held interest rates steady on Wednesday, citing persistent inflation.",
]


def _article(i: int) -> str:
    return " ".join(SENTENCES[(i + k) % len(SENTENCES)] for k in range(3)) + f" (dépêche {i})"


def _make_corpus(root: Path) -> bytes:
    """A dump of articles and a JSONL feed; returns the bytes of the tail feed read last."""
    data = root / "data"
    (data / "lemonde").mkdir(parents=True)
    for i in range(300):
        (data / "lemonde" / f"article-{i:04d}.txt").write_text(_article(i), encoding="utf-8")
    records = [{"id": f"feed-{i}", "text": _article(i) if i % 50 else "  "} for i in range(3000)]
    records[7] = {"id": "feed-7"}  # an error row, so errors.jsonl is compared too
    (data / "feed.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    tail = [{"id": f"tail-{i}", "text": _article(i + 7)} for i in range(200)]
    return ("\n".join(json.dumps(r) for r in tail) + "\n").encode()


def _command(root: Path, out: Path) -> list[str]:
    args = ["clean", str(root / "data"), str(root / "tail.jsonl"), "-o", str(out), "--workers", "2", "-q"]
    return [sys.executable, "-m", "corpusclean", *args]


def _run(root: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(_command(root, out), capture_output=True, text=True, cwd=ROOT, timeout=600)


def _open_writer(fifo: Path, process: subprocess.Popen[str]) -> int:
    """Open the pipe's write end once the run opens its read end (i.e. it read everything before)."""
    while True:
        try:
            return os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as error:
            if error.errno != errno.ENXIO:
                raise
        assert process.poll() is None, process.communicate()
        time.sleep(0.02)  # polling, not a timing assertion


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_interrupted_run_leaves_nothing_complete_and_a_rerun_matches(tmp_path: Path, signum: int) -> None:
    """Exit 128+signum, no traceback, no final outputs; the same command again equals an uninterrupted run."""
    reference_root, root = tmp_path / "reference", tmp_path / "interrupted"
    tail = _make_corpus(reference_root)
    _make_corpus(root)
    (reference_root / "tail.jsonl").write_bytes(tail)
    reference = _run(reference_root, reference_root / "out")
    assert reference.returncode == 0, reference.stderr

    out = root / "out"
    (root / "tail.jsonl").write_bytes(tail[:100])
    assert _run(root, out).returncode == 0  # an earlier, complete run into the same directory
    (root / "tail.jsonl").unlink()
    os.mkfifo(root / "tail.jsonl")

    process = subprocess.Popen(
        _command(root, out), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    fd = _open_writer(root / "tail.jsonl", process)
    try:
        os.set_blocking(fd, True)
        os.write(fd, tail[: len(tail) // 2])  # well under a pipe buffer: never blocks
        while not (out / "documents.jsonl.partial").exists():
            assert process.poll() is None
            time.sleep(0.02)
        process.send_signal(signum)
        _, stderr = process.communicate(timeout=120)
    finally:
        os.close(fd)
    assert process.returncode == 128 + signum, stderr
    assert "Traceback" not in stderr
    assert stderr.strip() == (
        f"corpusclean: interrupted by {signal.Signals(signum).name}; "
        "no output of this run was completed (run the command again)"
    )
    left = sorted(p.name for p in out.iterdir())
    assert left == [], f"an interrupted run left {left}"

    (root / "tail.jsonl").unlink()
    (root / "tail.jsonl").write_bytes(tail)
    rerun = _run(root, out)
    assert rerun.returncode == 0, rerun.stderr
    for name in OUTPUTS:
        assert (out / name).read_bytes() == (reference_root / "out" / name).read_bytes(), name
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    expected = json.loads((reference_root / "out" / "report.json").read_text(encoding="utf-8"))
    for key in ("docs_in", "docs_out", "dropped_by_reason", "errors_by_kind", "chars_out"):
        assert report[key] == expected[key]
    assert report["docs_in"] == 300 + 3000 + 200
