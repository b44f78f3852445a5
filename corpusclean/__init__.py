"""corpusclean: clean, de-duplicate and explain text corpora of scraped news articles.

The public API is what `__all__` lists; every other module is internal.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .batch import (
    BATCH_COLUMNS,
    BatchCleaner,
    clean_arrow,
    clean_batch,
    clean_dataframe,
    clean_record_batches,
)
from .config import Config, FilterConfig, InputConfig, NormalizeConfig, OutputConfig, RunConfig
from .document import Document, Drop, Reason, Removal, Span, SweepResult, sweep
from .errors import ConfigError, CorpuscleanError, InputError, OutputError
from .io import ReadError, read_inputs
from .normalize import fingerprint, normalize_display, tokenize
from .pipeline import Cleaner, Detector, Outcome, clean
from .runner import run
from .segment import Segment, SegmentedText

__all__ = [
    "BATCH_COLUMNS",
    "BatchCleaner",
    "Cleaner",
    "Config",
    "ConfigError",
    "CorpuscleanError",
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
    "clean_arrow",
    "clean_batch",
    "clean_dataframe",
    "clean_record_batches",
    "fingerprint",
    "normalize_display",
    "read_inputs",
    "run",
    "sweep",
    "tokenize",
]
