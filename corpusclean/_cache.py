"""Arrays built once from slow sources (langdetect's profiles, the Unicode database), kept on disk.

A missing, unreadable or stale file only means building again: every failure to read or
write is silent, and a write is atomic, so concurrent processes never see half a file.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Collection, Mapping
from typing import Any

import numpy as np


def cache_file(name: str) -> str | None:
    """Where the cache file `name` lives: `$CORPUSCLEAN_CACHE_DIR`, else the user cache directory.

    None when there is no home directory to put it in.
    """
    directory = os.environ.get("CORPUSCLEAN_CACHE_DIR")
    if not directory:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        if base.startswith("~"):
            return None
        directory = os.path.join(base, "corpusclean")
    return os.path.join(directory, name)


def read_arrays(path: str, names: Collection[str]) -> dict[str, Any] | None:
    """The arrays stored in `path` when it holds exactly `names`, else None."""
    try:
        with np.load(path, allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in stored.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile):  # absent, unreadable or cut: rebuild
        return None
    return arrays if set(arrays) == set(names) else None


def write_arrays(path: str, arrays: Mapping[str, Any]) -> None:
    """Store `arrays` in `path` atomically; a read-only or full disk only costs a rebuild next time."""
    import tempfile

    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".npz.tmp")
        with os.fdopen(handle, "wb") as out:
            np.savez(out, **arrays)
        os.replace(temporary, path)  # atomic: a concurrent reader sees the old file or the whole new one
    except OSError:
        return
