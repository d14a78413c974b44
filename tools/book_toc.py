"""The book's table of contents (_toc.yml), walked in one place.

Used by the tests that check every page (tests/book/), by
tools/launch_notebooks.py, which writes a Colab copy of every chapter, and by
_ext/course_site.py, which gives only those pages launch buttons.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class TocPage:
    """One page of the book: its path without extension, and the part that lists it."""

    file: str
    part: str | None


def toc_pages(toc_path: Path | None = None) -> list[TocPage]:
    """Every page the TOC lists, root first, in reading order, with its part's caption."""
    toc_path = toc_path or REPO_ROOT / "_toc.yml"
    toc = yaml.safe_load(toc_path.read_text())
    pages = [TocPage(toc["root"], None)]

    def walk(entries, part):
        for entry in entries or []:
            if "file" in entry:
                pages.append(TocPage(entry["file"], part))
            walk(entry.get("sections"), part)
            walk(entry.get("chapters"), part)

    for part in toc.get("parts") or []:
        walk(part.get("chapters"), part.get("caption"))
    walk(toc.get("chapters"), None)
    return pages


def toc_files(toc_path: Path | None = None, parts: tuple[str, ...] | None = None) -> list[str]:
    """Page paths (no extension) in reading order; only those of the named parts if given."""
    return [p.file for p in toc_pages(toc_path) if parts is None or p.part in parts]


def is_executed(page: str, repo_root: Path = REPO_ROOT) -> bool:
    """A page is executed when its source is a MyST notebook (jupytext kernelspec header)."""
    source = repo_root / f"{page}.md"
    return source.is_file() and "kernelspec:" in source.read_text()


def executed_pages(repo_root: Path = REPO_ROOT) -> list[str]:
    """TOC pages whose source is a MyST notebook, in reading order."""
    pages = toc_files(repo_root / "_toc.yml")
    return [page for page in pages if is_executed(page, repo_root)]


# The parts whose executed pages are chapters a student runs: each gets a Colab
# copy and launch buttons. Other executed pages (the Exercises page, the
# instructors' pages) read facts of the checkout and run only in the book build.
CHAPTER_PARTS = ("Chapters", "Lab")


def chapter_pages(repo_root: Path = REPO_ROOT) -> list[str]:
    """The executed pages of the chapter parts, in reading order: those with Colab copies."""
    chapters = set(toc_files(repo_root / "_toc.yml", CHAPTER_PARTS))
    return [page for page in executed_pages(repo_root) if page in chapters]
