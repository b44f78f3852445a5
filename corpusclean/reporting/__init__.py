"""The HTML run report and document views: what a run did, shown to people.

`ReportCollector` gathers bounded statistics while a run writes its outputs;
`write_report_html` turns them into `report.html`; `rebuild_report` does the same from
an earlier run's output directory (`corpusclean report`).
"""

from __future__ import annotations

from .collect import ReportCollector
from .html import rebuild_report, render_report, write_report_html

__all__ = ["ReportCollector", "rebuild_report", "render_report", "write_report_html"]
