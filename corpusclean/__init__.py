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
from .boilerplate import LearnedBoilerplate
from .config import (
    BoilerplateConfig,
    Config,
    FilterConfig,
    InputConfig,
    NormalizeConfig,
    OutputConfig,
    QualityConfig,
    RepeatsConfig,
    RunConfig,
)
from .document import Document, Drop, Reason, Removal, Span, SweepResult, sweep
from .errors import ConfigError, CorpuscleanError, InputError, OutputError
from .explain import Explanation, UnknownDocumentError, explain
from .io import ReadError, read_inputs
from .normalize import fingerprint, normalize_display, tokenize
from .pipeline import Cleaner, Detector, Outcome, clean
from .repeats import RepeatDetector
from .reporting import ReportCollector, rebuild_report, write_report_html
from .rulepack import Rule, RulePack, RulePackDetector, load_pack, shipped_pack
from .runner import run
from .segment import Segment, SegmentedText
from .signals import repetition_drop, repetition_signals

__all__ = [
    "BATCH_COLUMNS",
    "BatchCleaner",
    "BoilerplateConfig",
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
    "LearnedBoilerplate",
    "NormalizeConfig",
    "Outcome",
    "OutputConfig",
    "OutputError",
    "QualityConfig",
    "ReadError",
    "Reason",
    "Removal",
    "RepeatDetector",
    "RepeatsConfig",
    "ReportCollector",
    "Rule",
    "RulePack",
    "RulePackDetector",
    "RunConfig",
    "Segment",
    "SegmentedText",
    "Span",
    "SweepResult",
    "UnknownDocumentError",
    "__version__",
    "clean",
    "clean_arrow",
    "clean_batch",
    "clean_dataframe",
    "clean_record_batches",
    "explain",
    "fingerprint",
    "load_pack",
    "normalize_display",
    "read_inputs",
    "rebuild_report",
    "repetition_drop",
    "repetition_signals",
    "run",
    "shipped_pack",
    "sweep",
    "tokenize",
    "write_report_html",
]
