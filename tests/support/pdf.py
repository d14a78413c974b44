"""The printed book's text, read once per test run: a pass over its 200 pages takes seconds."""

from __future__ import annotations

import functools
from pathlib import Path


@functools.cache
def page_texts(path: Path) -> tuple[str, ...]:
    """Each page's text of the PDF at ``path``."""
    from pypdf import PdfReader

    return tuple(page.extract_text() or "" for page in PdfReader(path).pages)
