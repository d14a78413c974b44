"""The whole book as one PDF (`book.pdf`, printed by _ext/book_pdf.py at the end of the build).

Checked on the PDF itself with pypdf: one chapter per TOC page, each starting
on a page of its own after the contents, with its title in the bookmarks and
on that page; the figures of the site are in it; the contents and the links
between chapters are links inside the PDF; and every page of the site links
the PDF.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.book.test_site_browser import pages_in_toc
from tests.support.pdf import page_texts as pdf_page_texts

# The book is built once (built_book) for every test that reads it.
pytestmark = pytest.mark.xdist_group("book")

PDF_NAME = "book.pdf"
HEADING = re.compile(r"<h1[^>]*>(.*?)</h1>", re.DOTALL)
ARTICLE = re.compile(r"<article[^>]*>(.*?)</article>", re.DOTALL)
IMAGE_SOURCE = re.compile(r'<img\b[^>]*\bsrc="([^"]+)"')


def plain(markup: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", "", markup))
    return " ".join(text.replace("#", "").replace("¶", "").split())


def words(text: str) -> str:
    """Text without spaces or hyphens: the PDF's extracted text breaks lines anywhere."""
    return re.sub(r"[\s\u00ad-]+", "", text)


def chapter_title(site: Path, page: str) -> str:
    """The page's title as its article shows it (the theme repeats it, unnumbered, above)."""
    article = ARTICLE.search((site / f"{page}.html").read_text())
    found = article and HEADING.search(article[1])
    assert found, f"{page}.html has no title in its article"
    return plain(found[1])


@pytest.fixture(scope="module")
def pdf(site) -> PdfReader:
    path = site / PDF_NAME
    assert path.is_file(), (
        f"no {PDF_NAME} in {site}: the build prints it with the system's Chromium "
        "(_ext/book_pdf.py); was Chromium or Playwright missing?"
    )
    return PdfReader(path)


@pytest.fixture(scope="module")
def page_texts(site) -> tuple[str, ...]:
    return pdf_page_texts(site / PDF_NAME)


def image_count(resources) -> int:
    """Images drawn from a page's (or a form's) resources, forms included, none decoded
    (pypdf's ``page.images`` decodes each: seconds over the whole book)."""
    if resources is None:
        return 0
    objects = resources.get_object().get("/XObject")
    if objects is None:
        return 0
    objects = objects.get_object()
    count = 0
    for name in objects:
        item = objects[name].get_object()
        if item.get("/Subtype") == "/Image":
            count += 1
        elif item.get("/Subtype") == "/Form":
            count += image_count(item.get("/Resources"))
    return count


def chapters_in_outline(pdf: PdfReader) -> list[tuple[str, int]]:
    return [
        (item.title, pdf.get_destination_page_number(item))
        for item in pdf.outline
        if not isinstance(item, list)
    ]


def test_one_chapter_per_page_of_the_toc_each_from_a_page_of_its_own(site, pdf, page_texts):
    pages = pages_in_toc()
    chapters = chapters_in_outline(pdf)
    titles = [chapter_title(site, page) for page in pages]
    assert [title for title, _ in chapters] == titles
    starts = [start for _, start in chapters]
    # Title page and contents come first; every chapter starts on a later page.
    assert starts[0] >= 2, "the first chapter should follow the title and contents pages"
    assert starts == sorted(set(starts)), f"chapters share pages or are out of order: {starts}"
    assert len(pdf.pages) > starts[-1], "the last chapter has no page"
    for (title, start), page in zip(chapters, pages, strict=True):
        text = page_texts[start]
        assert words(title) in words(text), f"page {start + 1} does not show {title!r} ({page})"


def test_the_figures_are_in_the_pdf(site, pdf):
    figures = set()
    for page in pages_in_toc():
        article = ARTICLE.search((site / f"{page}.html").read_text())
        if article:
            figures |= set(IMAGE_SOURCE.findall(article[1]))
    assert figures, "the site has no figures to look for"
    images = sum(image_count(page.get("/Resources")) for page in pdf.pages)
    assert images >= len(figures), f"the PDF holds {images} images, the site {len(figures)} figures"


def links(pdf: PdfReader, page_numbers) -> tuple[list, list[str]]:
    """(internal destinations, external URIs) of the link annotations on those pages."""
    internal, external = [], []
    for number in page_numbers:
        for annotation in pdf.pages[number].get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") != "/Link":
                continue
            action = annotation.get("/A")
            if action is not None and "/URI" in action:
                external.append(str(action["/URI"]))
            else:
                internal.append(annotation.get("/Dest") or action)
    return internal, external


def test_contents_and_cross_references_are_links_inside_the_pdf(pdf):
    chapters = chapters_in_outline(pdf)
    contents_pages = range(1, chapters[0][1])
    internal, external = links(pdf, contents_pages)
    assert len(internal) >= len(chapters), "the contents does not link every chapter"
    assert not external, f"the contents links out of the PDF: {external[:3]}"
    body_internal, body_external = links(pdf, range(chapters[0][1], len(pdf.pages)))
    assert body_internal, "no chapter links to another place in the book"
    local = [uri for uri in body_external if uri.startswith(("http://127.0.0.1", "file:"))]
    assert not local, f"links to the machine that printed the PDF: {local[:3]}"


def site_url() -> str:
    """Where the deploy publishes the site (_config.yml's html_baseurl)."""
    import yaml

    config = yaml.safe_load((Path(__file__).parents[2] / "_config.yml").read_text())
    return config["sphinx"]["config"]["html_baseurl"]


def test_each_explorer_is_printed_as_its_first_setting_with_a_link_to_its_page(
    site, pdf, page_texts
):
    explorers = sum(
        (site / f"{page}.html").read_text().count('class="course-explorer"')
        for page in pages_in_toc()
    )
    assert explorers, "the site has no explorer to look for"
    texts = [words(text) for text in page_texts]
    notes = [number for number, text in enumerate(texts) if "Theexplorerfor" in text]
    assert sum(text.count("Theexplorerfor") for text in texts) == explorers
    for number in notes:
        _, external = links(pdf, [number])
        assert any(uri.startswith(site_url()) for uri in external), (
            f"page {number + 1}: the explorer's note does not link the published chapter"
        )


FOOTER = re.compile(r"^\d+ / \d+$")  # the page number Chromium prints at the foot


def test_no_page_holds_only_a_line_or_two_left_over(pdf, page_texts):
    first_chapter = chapters_in_outline(pdf)[0][1]
    thin = []
    for number in range(first_chapter, len(pdf.pages)):
        page = pdf.pages[number]
        lines = [line for line in page_texts[number].splitlines() if line.strip()]
        lines = [line for line in lines if not FOOTER.match(line.strip())]
        if len(lines) <= 2 and not image_count(page.get("/Resources")):
            thin.append((number + 1, lines))
    assert not thin, f"pages holding a line or two carried over from the page before: {thin}"


def test_every_page_of_the_site_links_the_pdf(site):
    for page in pages_in_toc():
        markup = (site / f"{page}.html").read_text()
        depth = page.count("/")
        assert f'href="{"../" * depth}{PDF_NAME}"' in markup, f"{page}.html does not link the PDF"
