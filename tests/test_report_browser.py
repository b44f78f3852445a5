"""report.html in headless chromium: no console errors, plots drawn, cuts highlighted."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from report_fixtures import build_output, chromium, run_chromium

pytestmark = pytest.mark.skipif(
    chromium() is None, reason="chromium is not installed (apt-get install chromium): browser check skipped"
)

# Injected first in <head>: records errors, fetched resources and what the page drew, then
# writes it into the DOM that --dump-dom prints.
PROBE = """<script>
window.__errors = [];
window.addEventListener("error", (e) => window.__errors.push(String(e.message)));
const __consoleError = console.error;
console.error = (...args) => { window.__errors.push(args.join(" ")); __consoleError(...args); };
window.addEventListener("load", () => {
  const box = (el) => { const r = el.getBoundingClientRect(); return [r.width, r.height]; };
  const plots = [...document.querySelectorAll("figure.plot svg")].map((svg) => ({
    name: svg.getAttribute("aria-label"), size: box(svg),
    shapes: svg.querySelectorAll("path, rect, use").length, texts: svg.querySelectorAll("text").length,
  }));
  const marks = [...document.querySelectorAll("details[open] mark.cut[data-reason]")].map((m) => ({
    reason: m.dataset.reason, title: m.title, size: box(m), background: getComputedStyle(m).backgroundColor,
  }));
  const fetched = performance.getEntriesByType("resource").map((r) => r.name);
  const out = document.createElement("pre");
  out.id = "probe";
  out.textContent = JSON.stringify({errors: window.__errors, plots, marks, fetched});
  document.body.appendChild(out);
});
</script>"""


def probe(page: Path, profile: Path) -> tuple[dict, str]:
    """Open a copy of `page` with the probe; what it saw, and chromium's stderr."""
    html = page.read_text(encoding="utf-8")
    probed = page.with_name("probed.html")
    probed.write_text(html.replace("<head>", "<head>\n" + PROBE, 1), encoding="utf-8")
    result = run_chromium(
        probed, profile, "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000", "--dump-dom"
    )
    assert result.returncode == 0, result.stderr
    match = re.search(r'<pre id="probe">(.*?)</pre>', result.stdout, re.S)
    assert match, "the page did not finish loading"
    text = (
        match.group(1).replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    )
    return json.loads(text), result.stderr


def test_report_renders_in_chromium(tmp_path: Path) -> None:
    """No console error, nothing fetched, seven non-empty plots, highlighted cuts of every kind shown."""
    out = build_output(tmp_path)
    seen, stderr = probe(out / "report.html", tmp_path / "profile")
    assert seen["errors"] == []
    assert not re.search(r"CONSOLE.*(Uncaught|Error)|Failed to load resource", stderr)
    assert seen["fetched"] == []
    assert len(seen["plots"]) == 7
    for plot in seen["plots"]:
        width, height = plot["size"]
        assert width > 100 and height > 50, plot
        assert plot["shapes"] > 3 and plot["texts"] > 2, plot
    reasons = {mark["reason"] for mark in seen["marks"]}
    assert "repeat" in reasons
    for mark in seen["marks"]:
        assert mark["size"][0] > 0 and mark["size"][1] > 0, mark
        assert mark["background"] not in ("rgba(0, 0, 0, 0)", "transparent"), mark
        assert mark["title"].startswith(mark["reason"] + " ")


def test_explain_page_renders_in_chromium(tmp_path: Path) -> None:
    """`explain --html` of a duplicate: both documents drawn, shared passages highlighted."""
    from corpusclean.explain import explain

    out = build_output(tmp_path)
    page = tmp_path / "pair.html"
    page.write_text(explain(out, "wire-openai").to_html(), encoding="utf-8")
    seen, _ = probe(page, tmp_path / "profile")
    assert seen["errors"] == [] and seen["fetched"] == []
    page.write_text(explain(out, "001_d123fd011bf649b3").to_html(), encoding="utf-8")
    seen, _ = probe(page, tmp_path / "profile")
    assert [m["reason"] for m in seen["marks"]] == ["repeat"] * 5
