"""One typed configuration, built alike by the CLI, a TOML file and Python callers.

`Config` is a frozen dataclass of frozen sections. Every field of a section is also a
CLI option, named `--SECTION-FIELD` unless the field declares a shorter `cli` name, and
documented by its `help`; so `--dedup-threshold 0.9`, `[dedup] threshold = 0.9` in TOML
and `Config(dedup=DedupConfig(threshold=0.9))` build the same object.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
import types
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError


def option(default: Any, help: str, *, cli: str | None = None, choices: tuple[Any, ...] = ()) -> Any:
    """A config field with its one-line help and, optionally, a short CLI name."""
    meta = {"help": help, "cli": cli, "choices": choices}
    if isinstance(default, list | dict | set):
        raise TypeError("config defaults must be immutable")
    return field(default=default, metadata=meta)


@dataclass(frozen=True, slots=True)
class InputConfig:
    """How input records are read."""

    text_field: str = option("text", "JSONL/Parquet field that holds the document text.")
    id_field: str = option("id", "JSONL/Parquet field that holds the document id (derived when missing).")
    source_field: str = option(
        "source", "Metadata field naming a document's source (site); the top folder is used when absent."
    )
    max_bytes: int = option(
        10_000_000, "Documents larger than this many bytes are dropped as too_large.", cli="--max-bytes"
    )
    on_decode_error: str = option(
        "error",
        "Bytes that no encoding decodes: record an error, or replace them with U+FFFD and record it.",
        choices=("error", "replace"),
    )

    def __post_init__(self) -> None:
        if self.on_decode_error not in ("error", "replace"):
            raise ValueError(f"on_decode_error must be 'error' or 'replace', not {self.on_decode_error!r}")
        if self.max_bytes < 1:
            raise ValueError(f"max_bytes must be at least 1, not {self.max_bytes}")


@dataclass(frozen=True, slots=True)
class NormalizeConfig:
    """How display normalization treats typography; the defaults keep it."""

    uncurl_quotes: bool = option(False, "Turn curly quotes and apostrophes into straight ones.")
    fix_ligatures: bool = option(False, "Expand Latin ligatures (ﬁ → fi).")
    fold_width: bool = option(False, "Fold full-width and half-width forms to their usual width.")
    french_spaces: str = option(
        "keep",
        "No-break spaces before ; : ! ? and inside « »: keep them, or turn them to_space.",
        choices=("keep", "to_space"),
    )

    def __post_init__(self) -> None:
        if self.french_spaces not in ("keep", "to_space"):
            raise ValueError(f"french_spaces must be 'keep' or 'to_space', not {self.french_spaces!r}")


@dataclass(frozen=True, slots=True)
class DatelineConfig:
    """The agency dateline opening an article body (`PARIS, 10 février (TAP) –`)."""

    parse: bool = option(True, "Parse the dateline at the start of the body into metadata.dateline.")
    remove: bool = option(False, "Also cut the dateline from the text (it is kept by default).")


@dataclass(frozen=True, slots=True)
class FilterConfig:
    """Document-level filters applied after cleaning."""

    min_chars: int = option(
        1,
        "Drop documents with fewer characters than this after cleaning (reason too_short).",
        cli="--min-chars",
    )


@dataclass(frozen=True, slots=True)
class RepeatsConfig:
    """Passages repeated inside one document: later copies are removed, the first kept."""

    enabled: bool = option(True, "Remove later copies of passages repeated inside a document.")
    threshold: float = option(
        0.8, "Jaccard similarity (word shingles, verified exactly) at which two passages are copies."
    )
    shingle_words: int = option(2, "Words per shingle when comparing passages.")
    min_block_words: int = option(
        8, "Paragraphs with fewer words never start a repeat; they go only inside a repeated block."
    )
    min_run_words: int = option(
        20, "Repeats shorter than this many words are kept (refrains, short quotes, bullets)."
    )
    max_gap_words: int = option(
        3, "Edited words tolerated between two matching stretches of an unaligned repeat."
    )
    num_perm: int = option(64, "MinHash permutations per paragraph signature.")

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], not {self.threshold}")
        for name in ("shingle_words", "min_block_words", "min_run_words", "num_perm"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, not {getattr(self, name)}")
        if self.max_gap_words < 0:
            raise ValueError(f"max_gap_words must not be negative, not {self.max_gap_words}")


# Gopher (Rae et al., 2021), appendix A, table A1: the repetition-removal thresholds.
@dataclass(frozen=True, slots=True)
class QualityConfig:
    """Repetition signals of the cleaned text (Gopher) and the filters built on them."""

    signals: bool = option(True, "Record Gopher repetition signals in metadata.repetition.")
    filter: bool = option(True, "Drop documents whose repetition signals exceed the thresholds below.")
    min_words: int = option(
        50, "Documents with fewer words are not judged by the repetition filter (Gopher's minimum length)."
    )
    max_dup_line_frac: float = option(0.30, "Maximum fraction of lines that repeat an earlier line.")
    max_dup_para_frac: float = option(0.30, "Maximum fraction of paragraphs that repeat an earlier one.")
    max_dup_line_char_frac: float = option(0.20, "Maximum fraction of characters in repeated lines.")
    max_dup_para_char_frac: float = option(0.20, "Maximum fraction of characters in repeated paragraphs.")
    max_top_2gram_char_frac: float = option(
        0.20, "Maximum fraction of word characters in the most frequent repeated 2-gram."
    )
    max_top_3gram_char_frac: float = option(
        0.18, "Maximum fraction of word characters in the most frequent repeated 3-gram."
    )
    max_top_4gram_char_frac: float = option(
        0.16, "Maximum fraction of word characters in the most frequent repeated 4-gram."
    )
    max_dup_5gram_char_frac: float = option(0.15, "Maximum fraction of word characters in repeated 5-grams.")
    max_dup_6gram_char_frac: float = option(0.14, "Maximum fraction of word characters in repeated 6-grams.")
    max_dup_7gram_char_frac: float = option(0.13, "Maximum fraction of word characters in repeated 7-grams.")
    max_dup_8gram_char_frac: float = option(0.12, "Maximum fraction of word characters in repeated 8-grams.")
    max_dup_9gram_char_frac: float = option(0.11, "Maximum fraction of word characters in repeated 9-grams.")
    max_dup_10gram_char_frac: float = option(
        0.10, "Maximum fraction of word characters in repeated 10-grams."
    )


@dataclass(frozen=True, slots=True)
class ClassifierConfig:
    """The line classifier for boilerplate in plain text (jusText-style)."""

    enabled: bool = option(
        True, "Classify lines as content or boilerplate from the text alone.", cli="--line-classifier"
    )
    min_confidence: float = option(
        0.6, "Remove a line judged boilerplate only at this confidence or above (0..1); below, flag it."
    )
    length_low: int = option(
        70, "Lines shorter than this many characters are 'short': their neighbours decide."
    )
    length_high: int = option(200, "Lines at least this long with enough stop words are content outright.")
    sentence_words: int = option(
        15,
        "A line of at least this many words ending like a sentence is prose even when shorter than length_high.",
    )
    heading_words: int = option(
        3, "A title-like line of at least this many words right before the text is a heading, kept."
    )
    stop_low: float = option(0.30, "Stop-word density below which a line is not prose.")
    stop_high: float = option(0.38, "Stop-word density from which a long line is content.")


@dataclass(frozen=True, slots=True)
class LangConfig:
    """Language identification; every kept document carries metadata lang and lang_prob."""

    keep: tuple[str, ...] = option(
        (),
        "Keep only documents in these languages (comma-separated ISO 639-1 codes, und = undetermined; "
        "none keeps every language); the others are dropped as language.",
        cli="--lang",
    )
    min_prob: float = option(
        0.0,
        "Drop documents whose language probability is below this (und counts as 0 unless kept).",
        cli="--lang-min-prob",
    )
    backend: str = option(
        "fast",
        "Language identifier: fast (langdetect profiles, deterministic), langdetect (the seeded original), "
        "lingua or fasttext (optional extras).",
        cli="--lang-backend",
        choices=("fast", "langdetect", "lingua", "fasttext"),
    )
    model: str | None = option(
        None, "Model file for --lang-backend fasttext (never downloaded).", cli="--lang-model"
    )
    sample_chars: int = option(
        3000, "Identify on at most this many characters, from four places spread over the text (0 = all)."
    )
    min_letters: int = option(12, "Texts with fewer letters than this are und (undetermined).")
    paragraphs: bool = option(
        False,
        "Identify each paragraph's language too; paragraphs in another language than the document are "
        "listed in metadata foreign_paragraphs.",
        cli="--lang-paragraphs",
    )
    drop_paragraphs: bool = option(
        False,
        "Remove paragraphs in another language than the document (reason language_span); implies "
        "--lang-paragraphs.",
        cli="--lang-drop-paragraphs",
    )
    paragraph_min_prob: float = option(
        0.9, "A paragraph counts as foreign only when its language probability is at least this."
    )

    def __post_init__(self) -> None:
        for name in ("min_prob", "paragraph_min_prob"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, not {getattr(self, name)!r}")
        if self.sample_chars < 0 or self.min_letters < 0:
            raise ValueError("sample_chars and min_letters must not be negative")


@dataclass(frozen=True, slots=True)
class OutputConfig:
    """What is written and how."""

    compress: bool = option(False, "Write documents.jsonl.gz and dropped.jsonl.gz instead of plain JSONL.")
    format: str = option(
        "jsonl",
        "Write documents and dropped as jsonl, or as parquet (zstd row groups; needs pyarrow).",
        cli="--format",
        choices=("jsonl", "parquet"),
    )

    def __post_init__(self) -> None:
        if self.format not in ("jsonl", "parquet"):
            raise ValueError(f"format must be 'jsonl' or 'parquet', not {self.format!r}")


@dataclass(frozen=True, slots=True)
class RunConfig:
    """How the run executes."""

    workers: int = option(1, "Worker processes for per-document work (0 = all cores).", cli="--workers")
    progress: bool = option(True, "Show a progress bar on stderr when it is a terminal.")


@dataclass(frozen=True, slots=True)
class DedupConfig:
    """Exact and near-duplicate documents across the corpus and, with an index, across runs."""

    enabled: bool = option(True, "De-duplicate documents (exact and near duplicates).", cli="--dedup")
    threshold: float = option(
        0.8, "Jaccard similarity of word shingles from which two documents are duplicates."
    )
    num_perm: int = option(128, "MinHash permutations per signature (datasketch num_perm).")
    shingle_words: int = option(2, "Words per shingle (fingerprint words).")
    min_words: int = option(
        30, "Documents with fewer fingerprint words are matched by exact hash only (no MinHash)."
    )
    keep: str = option(
        "first",
        "Which member of a cluster is kept: first, longest, earliest (metadata.date), "
        "priority:FIELD (highest numeric metadata FIELD) or none (drop every member).",
        cli="--keep",
    )
    hash: str = option(
        "xxh32", "Shingle hash: xxh32 (fast) or sha1 (datasketch's default).", choices=("xxh32", "sha1")
    )
    seed: int = option(1, "MinHash permutation seed (datasketch seed).")
    verify: str = option(
        "exact",
        "How LSH candidates of this run are verified: exact (Jaccard on shingle sets spilled to a "
        "temporary file) or signature (MinHash estimate, no disk).",
        choices=("signature", "exact"),
    )
    exact: bool = option(True, "Also match exact duplicates by a hash of the fingerprint text.")
    index: str | None = option(
        None,
        "Persistent SQLite index: drop documents that duplicate ones kept by earlier runs.",
        cli="--index",
    )

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise ValueError(f"dedup threshold must be in (0, 1], not {self.threshold}")
        if self.num_perm < 2:
            raise ValueError(f"dedup num_perm must be at least 2, not {self.num_perm}")
        if self.shingle_words < 1:
            raise ValueError(f"dedup shingle_words must be at least 1, not {self.shingle_words}")
        if self.min_words < 0:
            raise ValueError(f"dedup min_words must not be negative, not {self.min_words}")
        if self.hash not in ("xxh32", "sha1"):
            raise ValueError(f"dedup hash must be 'xxh32' or 'sha1', not {self.hash!r}")
        if self.verify not in ("signature", "exact"):
            raise ValueError(f"dedup verify must be 'signature' or 'exact', not {self.verify!r}")
        if self.index and not self.enabled:
            raise ValueError("a dedup index needs dedup enabled (drop --no-dedup or --index)")
        policy, _, field_name = self.keep.partition(":")
        if policy not in ("first", "longest", "earliest", "none", "priority") or (
            (policy == "priority") != bool(field_name)
        ):
            raise ValueError(
                f"dedup keep must be one of first, longest, earliest, none, priority:FIELD, not {self.keep!r}"
            )


@dataclass(frozen=True, slots=True)
class BoilerplateConfig:
    """Rule packs and learned per-source boilerplate."""

    packs: tuple[str, ...] = option(
        ("web", "fr-news", "en-news"),
        "Shipped rule packs to apply, comma-separated (none: only --rules).",
        cli="--rule-packs",
    )
    rules: tuple[str, ...] = option(
        (), "Extra rule pack files (TOML); repeat the option or give a comma list.", cli="--rules"
    )
    disable: tuple[str, ...] = option(
        (), "Rule names to turn off; repeat the option or give a comma list.", cli="--disable-rule"
    )
    regex_timeout: float = option(
        0.25,
        "Seconds a rule's regex may run on one segment; a rule that exceeds it is reported and "
        "skipped for that document (0 = no limit).",
    )
    learned: bool = option(
        True, "Learn boilerplate lines per source from the corpus (a counting pass before cleaning)."
    )
    min_docs: int = option(5, "A learned line must occur in at least this many documents of its source.")
    min_share: float = option(
        0.25, "A learned line must occur in at least this share of its source's documents."
    )
    long_chars: int = option(
        300, "Lines longer than this many characters are learned only when they reach long_min_share."
    )
    long_min_share: float = option(
        0.5, "Share of its source's documents a long line must reach to be learned."
    )
    max_lines: int = option(
        2_000_000, "Cap on distinct line fingerprints counted; beyond it the rarest are evicted."
    )
    counts: str | None = option(
        None, "Load boilerplate line counts saved by an earlier run (JSON).", cli="--boilerplate-counts"
    )
    counts_out: str | None = option(
        None, "Save the boilerplate line counts of this run (JSON).", cli="--boilerplate-counts-out"
    )

    def __post_init__(self) -> None:
        if self.min_docs < 1:
            raise ValueError("min_docs must be at least 1")
        for name in ("min_share", "long_min_share"):
            if not 0.0 < getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be in (0, 1]")
        if self.max_lines < 1:
            raise ValueError("max_lines must be at least 1")
        if self.regex_timeout < 0:
            raise ValueError("regex_timeout must not be negative")


@dataclass(frozen=True, slots=True)
class EngineConfig:
    """Where the run executes: this machine's worker processes, or a Dask cluster (the `dask` extra)."""

    engine: str = option(
        "local",
        "Run on this machine's worker processes (local) or on Dask (dask: a local cluster of --workers "
        "processes on 127.0.0.1, or the cluster at --scheduler).",
        cli="--engine",
        choices=("local", "dask"),
    )
    scheduler: str | None = option(
        None, "Address of a running Dask scheduler (tcp://HOST:8786) for --engine dask.", cli="--scheduler"
    )
    partition_mb: float = option(
        64.0,
        "Input megabytes per Dask partition: smaller files are grouped up to this size, a larger plain "
        "JSONL file is cut into slices of it (a compressed one stays whole).",
    )
    memory_limit: str = option(
        "auto",
        "Memory per worker of the local Dask cluster (e.g. 4GB; auto: RAM / workers). Past 60 percent of it a "
        "worker spills partitions to disk, so memory stays bounded whatever the corpus size.",
    )

    def __post_init__(self) -> None:
        if self.engine not in ("local", "dask"):
            raise ValueError(f"engine must be 'local' or 'dask', not {self.engine!r}")
        if self.scheduler and self.engine != "dask":
            raise ValueError("--scheduler needs --engine dask")
        if self.partition_mb <= 0:
            raise ValueError(f"engine partition_mb must be positive, not {self.partition_mb}")
        if self.memory_limit != "auto" and not re.fullmatch(
            r"\d+(\.\d+)?\s*([kmgt]i?b|b)?", self.memory_limit.strip(), flags=re.IGNORECASE
        ):
            raise ValueError(
                f"engine memory_limit must be auto or a size such as 4GB, not {self.memory_limit!r}"
            )


@dataclass(frozen=True, slots=True)
class Config:
    """The whole configuration of a run; every part has a working default."""

    # In the order of the flow: read, normalize, mark, filter, de-duplicate, write, run.
    input: InputConfig = field(default_factory=InputConfig)
    normalize: NormalizeConfig = field(default_factory=NormalizeConfig)
    dateline: DatelineConfig = field(default_factory=DatelineConfig)
    boilerplate: BoilerplateConfig = field(default_factory=BoilerplateConfig)
    repeats: RepeatsConfig = field(default_factory=RepeatsConfig)
    classifier: ClassifierConfig = field(default_factory=ClassifierConfig)
    lang: LangConfig = field(default_factory=LangConfig)
    quality: QualityConfig = field(default_factory=QualityConfig)
    filters: FilterConfig = field(default_factory=FilterConfig)
    dedup: DedupConfig = field(default_factory=DedupConfig)
    output: OutputConfig = field(default_factory=OutputConfig)
    run: RunConfig = field(default_factory=RunConfig)
    engine: EngineConfig = field(default_factory=EngineConfig)

    @classmethod
    def from_toml(cls, path: str | Path) -> Config:
        """Read a TOML config file; an unknown section or key is an error naming both."""
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{path}: config file not found") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise ConfigError(f"{path}: invalid TOML: {error}") from None
        return cls.from_mapping(data, where=str(path))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], where: str = "config") -> Config:
        """Build a Config from nested mappings (the shape of the TOML file)."""
        sections: dict[str, Any] = {}
        known = {f.name: f for f in dataclasses.fields(cls)}
        for name, values in data.items():
            if name not in known:
                raise ConfigError(f"{where}: unknown section [{name}]")
            if not isinstance(values, Mapping):
                raise ConfigError(f"{where}: [{name}] must be a table")
            section_type = _field_type(cls, name)
            sections[name] = _build_section(section_type, values, f"{where}: [{name}]")
        return cls(**sections)

    def replace(self, section: str, **values: Any) -> Config:
        """A copy with some fields of one section changed."""
        current = getattr(self, section)
        return dataclasses.replace(self, **{section: dataclasses.replace(current, **values)})

    def to_dict(self) -> dict[str, dict[str, Any]]:
        """The configuration as plain data (recorded in report.json)."""
        return {
            name: {k: _plain(v) for k, v in dataclasses.asdict(getattr(self, name)).items()}
            for name in (f.name for f in dataclasses.fields(self))
        }


@dataclass(frozen=True, slots=True)
class ConfigOption:
    """One section field as the CLI sees it."""

    section: str
    name: str
    flag: str
    type: Any
    default: Any
    help: str
    choices: tuple[Any, ...]


def config_options() -> Iterator[ConfigOption]:
    """Every configurable field, in declaration order, with its CLI flag and help."""
    for section in dataclasses.fields(Config):
        section_type = _field_type(Config, section.name)
        for item in dataclasses.fields(section_type):
            if item.name.startswith("_"):
                continue
            flag = item.metadata.get("cli") or f"--{section.name}-{item.name}".replace("_", "-")
            help_text = item.metadata.get("help") or (section_type.__doc__ or "").strip()
            yield ConfigOption(
                section=section.name,
                name=item.name,
                flag=flag,
                type=_field_type(section_type, item.name),
                default=item.default,
                help=help_text,
                choices=tuple(item.metadata.get("choices") or ()),
            )


def _field_type(cls: type, name: str) -> Any:
    return typing.get_type_hints(cls)[name]


def _build_section(section_type: Any, values: Mapping[str, Any], where: str) -> Any:
    known = {f.name for f in dataclasses.fields(section_type) if not f.name.startswith("_")}
    kwargs: dict[str, Any] = {}
    for key, value in values.items():
        if key not in known:
            raise ConfigError(f"{where}: unknown key {key!r}")
        kwargs[key] = coerce(value, _field_type(section_type, key), f"{where} {key}")
    try:
        return section_type(**kwargs)
    except (TypeError, ValueError) as error:
        raise ConfigError(f"{where}: {error}") from None


def coerce(value: Any, wanted: Any, where: str) -> Any:
    """Check and convert a TOML or CLI value to a field's declared type."""
    origin = typing.get_origin(wanted)
    args = typing.get_args(wanted)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        for arg in args:
            if arg is type(None):
                continue
            try:
                return coerce(value, arg, where)
            except ConfigError:
                continue
        raise ConfigError(f"{where}: expected {wanted}, got {value!r}")
    if origin is tuple:
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, list | tuple):
            raise ConfigError(f"{where}: expected a list, got {value!r}")
        inner = args[0] if args else str
        return tuple(
            coerce(item.strip() if isinstance(item, str) else item, inner, where)
            for item in items
            if item != ""
        )
    if wanted is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "yes", "1", "on", "false", "no", "0", "off"):
            return value.lower() in ("true", "yes", "1", "on")
        raise ConfigError(f"{where}: expected true or false, got {value!r}")
    if wanted is int:
        if isinstance(value, bool):
            raise ConfigError(f"{where}: expected an integer, got {value!r}")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{where}: expected an integer, got {value!r}") from None
    if wanted is float:
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{where}: expected a number, got {value!r}") from None
    if wanted is str:
        if not isinstance(value, str):
            raise ConfigError(f"{where}: expected a string, got {value!r}")
        return value
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    return value
