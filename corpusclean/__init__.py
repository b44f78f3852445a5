"""corpusclean: clean, de-duplicate and explain text corpora of scraped news articles.

The public API is what `__all__` lists; every other module is internal.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .config import Config, DedupConfig, FilterConfig, InputConfig, NormalizeConfig, OutputConfig, RunConfig
from .dedup import DedupFeatures, Deduplicator, Match
from .document import Document, Drop, Reason, Removal, Span, SweepResult, sweep
from .errors import ConfigError, CorpuscleanError, IndexStoreError, InputError, OutputError
from .io import ReadError, read_inputs
from .normalize import fingerprint, normalize_display, tokenize
from .pipeline import Cleaner, Detector, Outcome, clean
from .runner import run
from .segment import Segment, SegmentedText

__all__ = [
    "Cleaner",
    "Config",
    "ConfigError",
    "CorpuscleanError",
    "DedupConfig",
    "DedupFeatures",
    "Deduplicator",
    "Detector",
    "Document",
    "Drop",
    "FilterConfig",
    "IndexStoreError",
    "InputConfig",
    "InputError",
    "Match",
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
    "normalize_display",
    "read_inputs",
    "run",
    "sweep",
    "tokenize",
]
