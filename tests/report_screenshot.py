"""Screenshot a run's report.html with headless chromium (the picture in docs/report.md).

corpusclean clean seeds/ -o /tmp/seeds-out
python tests/report_screenshot.py /tmp/seeds-out docs/report-screenshot.png
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from report_fixtures import chromium, run_chromium


def main(out_dir: str, target: str) -> int:
    """Write a 1280-pixel-wide PNG of OUT/report.html to `target`."""
    if chromium() is None:
        print("chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as profile:
        shot = Path(target).resolve()
        result = run_chromium(
            Path(out_dir) / "report.html", Path(profile), "--window-size=1280,2200", f"--screenshot={shot}"
        )
    if not shot.is_file():
        print(result.stderr, file=sys.stderr)
        return 1
    print(f"wrote {shot}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:3]))
