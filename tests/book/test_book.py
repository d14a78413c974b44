"""The book builds strictly, every TOC page is executed, and nothing secret is published."""

from __future__ import annotations

import html
import re
from pathlib import Path

import nbformat
import pytest

from tests.conftest import BUILD_LOG, CHINESE_BUILD_LOG
from tests.support.grading import assignment_ids, secret_lines, source_notebooks
from tests.support.pdf import page_texts
from tools.book_toc import executed_pages, toc_files
from tools.page_conventions import quoted_glue_values

# One worker builds the book (the session fixture built_book) for every test that reads it.
pytestmark = pytest.mark.xdist_group("book")


def page_text(path: Path) -> str:
    markup = path.read_text()
    return html.unescape(re.sub(r"<[^>]+>", " ", markup))


# A line that warns: Sphinx's and the kernels' "WARNING", Python's "...Warning:".
WARNING_LINE = re.compile(r"\bWARNING\b|[A-Za-z]Warning:")


@pytest.mark.parametrize("log_name", [BUILD_LOG, CHINESE_BUILD_LOG])
def test_the_build_logs_have_no_warning_lines(built_book, log_name):
    log = built_book.parent / log_name
    if not log.is_file():
        pytest.skip(f"no {log_name}: the site was not built by this run (COURSE_SITE_DIR)")
    warnings = [line for line in log.read_text().splitlines() if WARNING_LINE.search(line)]
    assert not warnings, f"{log_name} warns:\n" + "\n".join(warnings[:10])


def test_every_toc_page_is_built(built_book, repo_root):
    for page in toc_files(repo_root / "_toc.yml"):
        assert (built_book / f"{page}.html").is_file(), f"{page} was not built"
    assert (built_book / "index.html").is_file()


def test_chapters_show_executed_outputs_and_figures(built_book, repo_root):
    # The chapters and the lab teach with figures; other executed pages (the
    # Exercises page, the instructors' tables) only glue numbers.
    taught = set(toc_files(repo_root / "_toc.yml", parts=("Chapters", "Lab")))
    pages = [page for page in executed_pages(repo_root) if page in taught]
    assert "book/why_upsampling" in pages and "book/mnist_lab" in pages
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


def test_no_glued_value_renders_in_quotes(built_book, repo_root):
    # A string glued with glue() shows on the page in quotes (‘1,153’): glue numbers.
    quoted = {
        page: values
        for page in toc_files(repo_root / "_toc.yml")
        if (values := quoted_glue_values((built_book / f"{page}.html").read_text()))
    }
    assert not quoted, "glued values shown in quotes:\n" + "\n".join(
        f"{page}.html: {', '.join(values)}" for page, values in quoted.items()
    )


def test_no_page_shows_a_folder_of_the_build_machine(built_book, repo_root):
    # Printed paths (a cache, the package's data) would publish where the book was built.
    folders = {str(repo_root), str(Path.home()), "/tmp/", "/work/", "/root/", "/home/"}
    shown = {
        page.relative_to(built_book).as_posix(): sorted(f for f in folders if f in text)
        for page in built_book.rglob("*.html")
        if any(f in (text := page_text(page)) for f in folders)
    }
    pdf = built_book / "book.pdf"
    if pdf.is_file():  # printed only where Chromium is installed
        text = "\n".join(page_texts(pdf))
        shown["book.pdf"] = sorted(f for f in folders if f in text)
        shown = {page: found for page, found in shown.items() if found}
    assert not shown, f"pages that print a folder of the build machine: {shown}"
