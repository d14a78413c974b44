"""Reading notebooks and the anatomy of an nbgrader cell: one definition of each.

Which cells are answers and which are graded tests, how an answer pairs with
its test, where the solution and hidden-test regions are and which of their
lines are telling enough to look for in what students see. The grading
command and the tests (tests/support/grading.py) both use these.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

import nbformat

SOLUTION_REGION = re.compile(
    r"^[ \t]*### BEGIN SOLUTION.*?^[ \t]*### END SOLUTION[^\n]*\n?", re.S | re.M
)
HIDDEN_REGION = re.compile(
    r"^[ \t]*### BEGIN HIDDEN TESTS.*?^[ \t]*### END HIDDEN TESTS[^\n]*\n?", re.S | re.M
)
MARKER_LINE = re.compile(r"^[ \t]*### (BEGIN|END) (SOLUTION|HIDDEN TESTS)[^\n]*\n?", re.M)
# Shorter lines (``return x``, ``assert ok``) also occur in ordinary code, so
# finding one proves nothing; lines at least this long are telling.
TELLING_LINE_LENGTH = 20


def nbgrader_meta(cell) -> dict:
    """A cell's nbgrader metadata ({} for an ordinary cell)."""
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def grade_id(cell) -> str | None:
    return nbgrader_meta(cell).get("grade_id")


def is_answer_cell(cell) -> bool:
    """A cell the student writes in (nbgrader's ``solution`` cell)."""
    return bool(nbgrader_meta(cell).get("solution"))


def is_graded_test_cell(cell) -> bool:
    """An autograded test: graded, and not written by the student."""
    meta = nbgrader_meta(cell)
    return bool(meta.get("grade")) and not meta.get("solution")


def answer_cells(nb) -> dict[str, object]:
    """Code cells a student writes in (autograded answers), by grade id."""
    return {grade_id(c): c for c in nb.cells if is_answer_cell(c) and c.cell_type == "code"}


def graded_test_ids(nb) -> list[str]:
    """Grade ids of the autograded test cells, in notebook order."""
    return [grade_id(c) for c in nb.cells if is_graded_test_cell(c)]


def find_cell(nb, wanted: str):
    """The cell with this grade id, or None."""
    return next((c for c in nb.cells if grade_id(c) == wanted), None)


def next_in_order(order: list[str], start: str, wanted: Iterable[str]) -> str | None:
    """The first grade id after ``start`` that is in ``wanted``: an answer's test."""
    wanted = set(wanted)
    return next((g for g in order[order.index(start) + 1 :] if g in wanted), None)


def last_before(order: list[str], end: str, wanted: Iterable[str]) -> str | None:
    """The last grade id before ``end`` that is in ``wanted``: a test's answer."""
    wanted = set(wanted)
    return next((g for g in reversed(order[: order.index(end)]) if g in wanted), None)


def without_markers(source: str) -> str:
    return MARKER_LINE.sub("", source)


def hidden_test_lines(sources: Iterable[str], min_length: int = TELLING_LINE_LENGTH) -> set[str]:
    """Lines that only hidden-test regions contain, long enough to be telling.

    Feedback and anything else a student sees must never contain them.
    """
    hidden, public = set(), []
    for source in sources:
        for region in HIDDEN_REGION.findall(source):
            hidden.update(line.strip() for line in without_markers(region).splitlines())
        public.append(HIDDEN_REGION.sub("", source))
    public_text = "\n".join(public)
    return {line for line in hidden if len(line) >= min_length and line not in public_text}


def read_notebook_text(text: str):
    """Parse a notebook; raise ValueError with a readable reason when that fails."""
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(
            f"not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})"
        ) from None
    try:
        return nbformat.reads(text, as_version=4)
    except Exception as error:  # nbformat raises several kinds for a bad structure
        raise ValueError(f"not a Jupyter notebook ({type(error).__name__}: {error})") from None


def source_key(source: str) -> str:
    """A cell's source without whitespace: nbgrader's log indents the lines it quotes."""
    return re.sub(r"\s+", "", source)
