"""The book builds strictly, every TOC page is executed, and nothing secret is published."""

from __future__ import annotations

import html
import re
from pathlib import Path

import nbformat
import pytest
import yaml
from grading_harness import assignment_ids, secret_lines, source_notebooks

# One worker builds the book (the session fixture built_book) for every test that reads it.
pytestmark = pytest.mark.xdist_group("book")


def toc_files(repo_root: Path) -> list[str]:
    toc = yaml.safe_load((repo_root / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections"))
            walk(entry.get("chapters"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return files


def executed_pages(repo_root: Path) -> list[str]:
    """TOC pages that are notebooks (have a jupytext kernelspec header)."""
    return [f for f in toc_files(repo_root) if "kernelspec:" in (repo_root / f"{f}.md").read_text()]


def page_text(path: Path) -> str:
    markup = path.read_text()
    return html.unescape(re.sub(r"<[^>]+>", " ", markup))


def test_every_toc_page_is_built(built_book, repo_root):
    for page in toc_files(repo_root):
        assert (built_book / f"{page}.html").is_file(), f"{page} was not built"
    assert (built_book / "index.html").is_file()


def test_chapters_show_executed_outputs_and_figures(built_book, repo_root):
    pages = executed_pages(repo_root)
    assert "book/why_upsampling" in pages
    for page in pages:
        markup = (built_book / f"{page}.html").read_text()
        assert 'class="cell_output' in markup, f"{page} shows no executed output"
        assert "Traceback" not in markup, f"{page} shows a traceback"
        assert "<img" in markup, f"{page} has no figure"


def test_no_solution_or_hidden_test_in_the_site(built_book):
    site = "\n".join(page_text(p) for p in built_book.rglob("*.html"))
    for assignment in assignment_ids():
        for path in source_notebooks(assignment):
            secrets = secret_lines(nbformat.read(path, as_version=4))
            leaked = sorted(line for line in secrets if line in site)
            assert not leaked, f"the site shows {path.name} secrets: {leaked[:3]}"
