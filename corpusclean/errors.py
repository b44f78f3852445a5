"""The exception tree: everything corpusclean raises on purpose derives from one class."""

from __future__ import annotations


class CorpuscleanError(Exception):
    """Base of every error corpusclean raises on purpose; its message is one line for users."""


class ConfigError(CorpuscleanError):
    """A bad configuration or rule pack: the run stops before the first document."""


class InputError(CorpuscleanError):
    """An input path that cannot be used at all (missing, unreadable directory)."""


class OutputError(CorpuscleanError):
    """The output directory cannot be created or written."""


class RecordError(CorpuscleanError):
    """One input record that cannot be read; it becomes a row of `errors.jsonl`."""

    def __init__(self, message: str, *, path: str, line: int | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.line = line


class IndexStoreError(CorpuscleanError):
    """The persistent index is unusable (wrong format, other settings, in use)."""
