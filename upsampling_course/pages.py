"""Page plumbing for the chapters: ``glue``, which puts a computed number into the text.

Every chapter computes the numbers its prose quotes and hands them to the
book build with ``glue("name", value, display=False)`` (the text then says
``{glue:}`name```). The book build has myst-nb, whose ``glue`` records the
value in the cell's output. A student who downloads a chapter, or opens its
copy on Colab, has only the student install (``upsampling-course[lab]``), in
which myst-nb is absent: there this ``glue`` does nothing and displays
nothing, so the chapter runs top to bottom all the same. Used by every
chapter, imported in its first, hidden cell.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import Any

__all__ = ["glue"]


@cache
def _myst_nb_glue():
    """myst-nb's glue where myst-nb is installed (the book build, Binder), else None."""
    try:
        return importlib.import_module("myst_nb").glue
    except ImportError:
        return None


def glue(name: str, value: Any, display: bool = True) -> None:
    """Hand `value` to the book build under `name` (myst-nb's glue); without myst-nb, nothing."""
    if not isinstance(name, str) or not name:
        raise TypeError(f"glue needs a non-empty name, got {name!r}")
    forward = _myst_nb_glue()
    if forward is not None:
        forward(name, value, display)
