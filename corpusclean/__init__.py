"""corpusclean: clean, de-duplicate and explain text corpora of scraped news articles.

The public API is what `__all__` lists; every other module is internal.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .config import (
    Config,
    DatelineConfig,
    FilterConfig,
    InputConfig,
    NormalizeConfig,
    OutputConfig,
    RunConfig,
)
from .dateline import DatelineDetector, parse_dateline
from .document import Document, Drop, Reason, Removal, Span, SweepResult, sweep
from .errors import ConfigError, CorpuscleanError, InputError, OutputError
from .io import ReadError, read_inputs
from .normalize import fingerprint, fix_encoding_damage, normalize_display, tidy, tokenize
from .pipeline import Cleaner, Detector, Outcome, clean
from .runner import run
from .segment import Segment, SegmentedText

__all__ = [
    "Cleaner",
    "Config",
    "ConfigError",
    "CorpuscleanError",
    "DatelineConfig",
    "DatelineDetector",
    "Detector",
    "Document",
    "Drop",
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
    "RunConfig",
    "Segment",
    "SegmentedText",
    "Span",
    "SweepResult",
    "__version__",
    "clean",
    "fingerprint",
    "fix_encoding_damage",
    "normalize_display",
    "parse_dateline",
    "read_inputs",
    "run",
    "sweep",
    "tidy",
    "tokenize",
]
