"""Where the course keeps what it trains once and reuses: today, the lab's reference classifier.

``$COURSE_CACHE_DIR`` or, without it, ``$XDG_CACHE_HOME/upsampling_course``
(``~/.cache/upsampling_course``) is read and written. ``$COURSE_CACHE_READ_ONLY``
names a folder that is only read, and first: the grading sandbox shows each
student's kernel a read-only copy of the grader's cache there, so that a
classifier the grader trained (one the package does not ship) is not trained
again for every student's lab. Last
comes :data:`SHIPPED_DIR`, the files the package itself ships (the classifier
for the offline MNIST subset, trained by ``quality.load_scorer``), so that a
student, a book build or a CI run does not spend a minute training it.
"""

from __future__ import annotations

import os
from pathlib import Path

CACHE_ENV_VAR = "COURSE_CACHE_DIR"
READ_ONLY_ENV_VAR = "COURSE_CACHE_READ_ONLY"
SHIPPED_DIR = Path(__file__).resolve().parent / "shipped"


def cache_dir() -> Path:
    """The folder the course writes its cache to: ``$COURSE_CACHE_DIR`` or the user's cache."""
    configured = os.environ.get(CACHE_ENV_VAR)
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "upsampling_course"


def cached_file(name: str, shipped: bool = True) -> Path | None:
    """The cached file ``name`` from the read-only folder, the cache, or (with ``shipped``)
    the package's own files, in that order; None if none has it."""
    read_only = os.environ.get(READ_ONLY_ENV_VAR)
    folders = ([Path(read_only)] if read_only else []) + [cache_dir()]
    for folder in folders + ([SHIPPED_DIR] if shipped else []):
        if (folder / name).is_file():
            return folder / name
    return None
