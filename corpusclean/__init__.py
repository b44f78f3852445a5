"""corpusclean: clean, de-duplicate and explain text corpora of scraped news articles.

The public API is what `__all__` lists; every other module is internal.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .config import Config, FilterConfig, InputConfig, NormalizeConfig, OutputConfig, RunConfig
from .document import Document, Drop, Reason, Removal, Span, SweepResult, sweep
from .errors import ConfigError, CorpuscleanError, InputError, OutputError
from .explain import Explanation, UnknownDocumentError, explain
from .io import ReadError, read_inputs
from .normalize import fingerprint, normalize_display, tokenize
from .pipeline import Cleaner, Detector, Outcome, clean
from .reporting import ReportCollector, rebuild_report, write_report_html
from .runner import run
from .segment import Segment, SegmentedText

__all__ = [
    "Cleaner",
    "Config",
    "ConfigError",
    "CorpuscleanError",
    "Detector",
    "Document",
    "Drop",
    "Explanation",
    "FilterConfig",
    "InputConfig",
    "InputError",
    "NormalizeConfig",
    "Outcome",
    "OutputConfig",
    "OutputError",
    "ReadError",
    "Reason",
    "Removal",
    "ReportCollector",
    "RunConfig",
    "Segment",
    "SegmentedText",
    "Span",
    "SweepResult",
    "UnknownDocumentError",
    "__version__",
    "clean",
    "explain",
    "fingerprint",
    "normalize_display",
    "read_inputs",
    "rebuild_report",
    "run",
    "sweep",
    "tokenize",
    "write_report_html",
]
