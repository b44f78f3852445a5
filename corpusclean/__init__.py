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
    ClassifierConfig,
    Config,
    DatelineConfig,
    DedupConfig,
    FilterConfig,
    InputConfig,
    LangConfig,
    NormalizeConfig,
    OutputConfig,
    QualityConfig,
    RepeatsConfig,
    RunConfig,
)
from .dateline import DatelineDetector, parse_dateline
from .dedup import DedupFeatures, Deduplicator, Match
from .document import Document, Drop, Reason, Removal, Span, SweepResult, sweep
from .errors import ConfigError, CorpuscleanError, IndexStoreError, InputError, OutputError
from .explain import Explanation, UnknownDocumentError, explain
from .io import ReadError, read_inputs
from .langid import FastLangId, LanguageIdentifier, LanguageResult, LanguageStage, build_identifier
from .normalize import fingerprint, fix_encoding_damage, normalize_display, tidy, tokenize
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
    "ClassifierConfig",
    "Cleaner",
    "Config",
    "ConfigError",
    "CorpuscleanError",
    "DatelineConfig",
    "DatelineDetector",
    "DedupConfig",
    "DedupFeatures",
    "Deduplicator",
    "Detector",
    "Document",
    "Drop",
    "Explanation",
    "FastLangId",
    "FilterConfig",
    "IndexStoreError",
    "InputConfig",
    "InputError",
    "LangConfig",
    "LanguageIdentifier",
    "LanguageResult",
    "LanguageStage",
    "LearnedBoilerplate",
    "Match",
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
    "build_identifier",
    "clean",
    "clean_arrow",
    "clean_batch",
    "clean_dataframe",
    "clean_record_batches",
    "explain",
    "fingerprint",
    "fix_encoding_damage",
    "load_pack",
    "normalize_display",
    "parse_dateline",
    "read_inputs",
    "rebuild_report",
    "repetition_drop",
    "repetition_signals",
    "run",
    "shipped_pack",
    "sweep",
    "tidy",
    "tokenize",
    "write_report_html",
]
