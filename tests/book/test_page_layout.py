"""What a student reads without friction, checked on the MyST sources (no build).

- Single section numbering: a chapter in a numbered part of _toc.yml gets its
  section numbers from the build ("5.1."), so its headings carry none of their
  own (which read "5.1. 1. ...").
- No sideways scrolling at 1280 px: the site wraps long code lines and text
  outputs (_static/course.css), and the pages fixed so far keep their visible
  code lines short, so that little wraps (tests/book/test_site_browser.py checks
  the built pages at 1280 px).
"""

from __future__ import annotations

import re

import jupytext
import pytest
import yaml

from tests.support.grading import REPO_ROOT

# About 76 characters fit in the code column at 1280 px; a few more wrap once.
LONGEST_CODE_LINE = 88
SHORT_LINED_PAGES = ("book/mnist_lab", "book/one_operator")
# "## 1. Title" or "### 2.3 Title", not "## 28 × 28 digits".
HAND_NUMBERED = re.compile(r"^#{1,6} +(\d+(\.\d+)*\.|\d+(\.\d+)+) +\S", re.M)


def numbered_pages() -> list[str]:
    toc = yaml.safe_load((REPO_ROOT / "_toc.yml").read_text())
    return [
        chapter["file"]
        for part in toc["parts"]
        if part.get("numbered")
        for chapter in part["chapters"]
    ]


def test_some_part_is_numbered():
    assert "book/shape_puzzles" in numbered_pages()


@pytest.mark.parametrize("page", numbered_pages())
def test_headings_of_numbered_chapters_carry_no_number_of_their_own(page):
    text = (REPO_ROOT / f"{page}.md").read_text()
    # Code blocks hold comments that look like headings: only the Markdown counts.
    prose = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)
    numbered = [line for line in prose.splitlines() if HAND_NUMBERED.match(line)]
    assert not numbered, f"{page}.md: the build numbers sections; drop these numbers: {numbered}"


def visible_code_lines(page: str) -> list[str]:
    notebook = jupytext.read(REPO_ROOT / f"{page}.md")
    return [
        line
        for cell in notebook.cells
        if cell.cell_type == "code"
        and not {"remove-cell", "remove-input"} & set(cell.metadata.get("tags", []))
        for line in cell.source.splitlines()
    ]


@pytest.mark.parametrize("page", SHORT_LINED_PAGES)
def test_visible_code_lines_fit_the_column(page):
    long = [line for line in visible_code_lines(page) if len(line) > LONGEST_CODE_LINE]
    assert not long, f"{page}.md: shorten these lines (or move the code to the package): {long}"


def test_a_hand_numbered_heading_is_found():
    assert HAND_NUMBERED.match("## 1. Which shape formula is right?")
    assert HAND_NUMBERED.match("### 2.3 Two settings")
    assert not HAND_NUMBERED.match("## Conv3DTranspose shrank my volume")
    assert not HAND_NUMBERED.match("## 28 × 28 digits")
