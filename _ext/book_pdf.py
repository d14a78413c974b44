"""The whole book as one PDF, printed from the built HTML by the system's Chromium.

Every page in reading order (the Sphinx toctree, root first) is opened in
headless Chromium (Debian's `chromium`, driven by Playwright; no browser is
downloaded), its formulas typeset by MathJax, and its article copied into one
document: a title page, a table of contents, then one chapter per page. Ids are
made unique per page and links between pages become links inside the PDF
(Chromium writes them as internal links). The contents page lists every
chapter and its sections, and the same tree becomes the PDF's outline
(bookmarks, added with pypdf: Chromium's own outline repeats the first line
of every heading that wraps). Answers in dropdowns are opened (a PDF cannot be clicked open),
player controls and buttons are hidden (see `static/book_print.css`), and an
animation shows the frame it starts on.

_ext/course_site.py runs this at the end of every HTML build, so
`python3 dev.py book` writes `_build/html/book.pdf`, which every page's sidebar
links. To print an existing build again:

    .venv/bin/python _ext/book_pdf.py _build/html
"""

from __future__ import annotations

import argparse
import functools
import html
import http.server
import json
import logging
import shutil
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

STATIC = Path(__file__).parent / "static"
PDF_NAME = "book.pdf"
# The title and the pages in reading order, written by the build beside the PDF.
PAGES_FILE = "book_pdf_pages.json"

# Headless flags that work in containers and keep Chromium from calling home.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    """The system's Chromium or Chrome, or None."""
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    debian = Path("/usr/bin/chromium")
    return str(debian) if debian.is_file() else None


def can_print() -> bool:
    """Whether this machine can print the PDF: Playwright installed and a Chromium found."""
    try:
        import playwright.sync_api  # noqa: F401
        import pypdf  # noqa: F401
    except ImportError:
        return False
    return find_chromium() is not None


# Runs in each page: typeset, then copy the article with page-unique ids and
# links resolved to the other pages' copies.
EXTRACT_ARTICLE = r"""async ({index, pages}) => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  const images = Array.from(document.images);
  for (const img of images) { img.loading = "eager"; }
  await Promise.all(images.map((img) => img.decode().catch(() => null)));
  const article = document.querySelector("article.bd-article") || document.querySelector("main");
  const copy = article.cloneNode(true);
  copy.querySelectorAll("script, .headerlink, button, .anim-controls, canvas").forEach(
    (node) => node.remove());
  copy.querySelectorAll("details").forEach((node) => { node.open = true; });
  // Paper cannot take input: an explorer keeps the tables it drew for its first
  // setting, and its form becomes a line naming that setting and linking the page.
  const canonical = document.querySelector('link[rel="canonical"]');
  copy.querySelectorAll(".course-explorer form").forEach((form) => {
    const setting = Array.from(form.querySelectorAll("input, select"), (field) => {
      const label = form.querySelector(`label[for="${field.id}"]`);
      return `${label ? label.textContent.trim() : field.name} ${field.value}`;
    }).join(", ");
    const note = document.createElement("p");
    note.className = "explorer-print-note";
    note.append(`The explorer for ${setting}. To change the setting, open `);
    const link = document.createElement("a");
    link.textContent = "this chapter on the website";
    if (canonical) { link.setAttribute("href", canonical.href); }
    note.append(link, ".");
    form.replaceWith(note);
  });
  copy.querySelectorAll("img").forEach((img) => { img.src = new URL(img.getAttribute("src"),
    document.baseURI).href; img.removeAttribute("loading"); img.hidden = false; });
  const prefix = (page) => `p${page}-`;
  copy.querySelectorAll("[id]").forEach((node) => { node.id = prefix(index) + node.id; });
  // MathJax's SVG glyphs are <use> references to paths in the same formula: follow the ids.
  copy.querySelectorAll("use").forEach((use) => {
    for (const name of ["href", "xlink:href"]) {
      const target = use.getAttribute(name);
      if (target && target.startsWith("#")) {
        use.setAttribute(name, "#" + prefix(index) + target.slice(1));
      }
    }
  });
  const pageOf = (url) => pages.indexOf(url.origin + url.pathname);
  copy.querySelectorAll("a[href]").forEach((a) => {
    const url = new URL(a.getAttribute("href"), document.baseURI);
    const target = pageOf(url);
    if (target >= 0) {
      const fragment = decodeURIComponent(url.hash.slice(1));
      a.setAttribute("href", "#" + (fragment ? prefix(target) + fragment : `page-${target}`));
    } else if (url.origin === location.origin) {
      a.removeAttribute("href");  // a download or the source: nothing to open in a PDF
    } else {
      a.setAttribute("href", url.href);
    }
  });
  const text = (node) => node.textContent.replace(/[#¶]/g, "").replace(/\s+/g, " ").trim();
  const heading = copy.querySelector("h1");
  const sections = Array.from(copy.querySelectorAll("section[id] > h2"), (h2) => ({
    id: h2.parentElement.id, title: text(h2)}));
  return {title: heading ? text(heading) : document.title, sections, html: copy.innerHTML};
}"""

IMAGES_DECODED = """async () => {
  await Promise.all(Array.from(document.images, (img) => img.decode().catch(() => null)));
}"""

# A page's style sheets and style elements. MathJax adds its own (the rules that
# hide its assistive MathML) only to pages with maths, so every page is asked.
STYLES = """() => Array.from(document.querySelectorAll('link[rel="stylesheet"], head style'),
  (node) => node.tagName === "LINK" ? `<link rel="stylesheet" href="${node.href}">`
                                    : node.outerHTML)"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve `folder` on 127.0.0.1 while the block runs; yields its URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


# The contents page's heading in each edition's language (_ext/course_i18n.py); its `lang`.
CONTENTS = {"en": ("Contents", "en"), "zh_CN": ("目录", "zh-CN")}


def book_document(title: str, styles: str, chapters: Sequence[dict], language: str = "en") -> str:
    """One HTML document: title page, contents, then each chapter from a new page."""

    def sections(chapter: dict) -> str:
        items = "".join(
            f'<li><a href="#{section["id"]}">{html.escape(section["title"])}</a></li>'
            for section in chapter["sections"]
        )
        return f"<ol>{items}</ol>" if items else ""

    contents = "\n".join(
        f'<li><a href="#page-{index}">{html.escape(chapter["title"])}</a>{sections(chapter)}</li>'
        for index, chapter in enumerate(chapters)
    )
    body = "\n".join(
        f'<section class="book-chapter" id="page-{index}">{chapter["html"]}</section>'
        for index, chapter in enumerate(chapters)
    )
    print_css = (STATIC / "book_print.css").read_text()
    heading, lang = CONTENTS.get(language, CONTENTS["en"])
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
{styles}
<style>{print_css}</style></head>
<body><main class="book-pdf">
<section class="book-title"><h1>{html.escape(title)}</h1></section>
<nav class="book-contents" aria-label="{heading}"><h2>{heading}</h2><ol>{contents}</ol></nav>
{body}
</main></body></html>"""


def pages_digest(site: Path, pages: Sequence[str], title: str) -> str:
    """A digest of what the PDF is printed from: the pages, their assets, the printer itself.

    A rebuild that changed none of these keeps the PDF it printed before
    (printing takes a minute or two; an unchanged rebuild takes seconds).
    """
    import hashlib

    digest = hashlib.sha256(title.encode())
    assets = sorted((site / "_static").rglob("*")) if (site / "_static").is_dir() else []
    for path in [*(site / name for name in pages), *assets, Path(__file__)]:
        if path.is_file():
            digest.update(
                str(path.relative_to(site) if path.is_relative_to(site) else path.name).encode()
            )
            digest.update(path.read_bytes())
    return digest.hexdigest()


def print_book(
    site: Path, pages: Sequence[str], title: str, out: Path | None = None, language: str = "en"
) -> Path:
    """Print the built pages (paths relative to `site`, in reading order) into one PDF."""
    from playwright.sync_api import sync_playwright

    executable = find_chromium()
    if executable is None:
        raise RuntimeError("no Chromium found: install Debian's `chromium` package")
    out = out or site / PDF_NAME
    with serve(site) as base_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page()
            # Long pages on a busy 2-core machine: minutes, not Playwright's 30 s.
            page.set_default_timeout(300_000)
            urls = [base_url + name for name in pages]
            chapters: list[dict] = []
            styles: list[str] = []
            for index, url in enumerate(urls):
                # "load" waits for the page's images and scripts; EXTRACT_ARTICLE then
                # waits for MathJax and decodes every image. (Waiting for the network
                # to be idle instead hung now and then inside a Sphinx build.)
                page.goto(url, wait_until="load")
                chapters.append(page.evaluate(EXTRACT_ARTICLE, {"index": index, "pages": urls}))
                styles.extend(s for s in page.evaluate(STYLES) if s not in styles)
            page.goto(base_url + pages[0], wait_until="load")  # same origin for the styles
            page.set_content(
                book_document(title, "\n".join(styles), chapters, language), wait_until="load"
            )
            page.evaluate(IMAGES_DECODED)
            page.emulate_media(media="print")
            page.pdf(
                path=str(out),
                format="A4",
                margin={"top": "18mm", "bottom": "18mm", "left": "16mm", "right": "16mm"},
                print_background=True,
                tagged=True,
                display_header_footer=True,
                header_template="<span></span>",
                footer_template=(
                    '<div style="font-size:8px;width:100%;text-align:center">'
                    '<span class="pageNumber"></span> / <span class="totalPages"></span></div>'
                ),
            )
        finally:
            browser.close()
    add_outline(out, chapters)
    return out


def not_the_trailer_size_note(record: logging.LogRecord) -> bool:
    """pypdf says "Object count N exceeds defined trailer size M" when it copies the
    PDF Chromium prints here: it finds more objects than the trailer's /Size declares.
    Not being strict, it copies them all (tests/book/test_pdf.py reads the result), so
    the note is dropped from the build log."""
    return "exceeds defined trailer size" not in record.getMessage()


def add_outline(pdf: Path, chapters: Sequence[dict]) -> None:
    """Bookmarks: each chapter, and under it its sections, at the pages they start on."""
    from pypdf import PdfReader, PdfWriter

    writer_log = logging.getLogger("pypdf._writer")
    if not_the_trailer_size_note not in writer_log.filters:
        writer_log.addFilter(not_the_trailer_size_note)

    reader = PdfReader(pdf)
    destinations = reader.named_destinations
    writer = PdfWriter(clone_from=reader)

    def page_of(name: str) -> int | None:
        destination = destinations.get(f"/{name}") or destinations.get(name)
        return None if destination is None else reader.get_destination_page_number(destination)

    for index, chapter in enumerate(chapters):
        start = page_of(f"page-{index}")
        if start is None:
            raise RuntimeError(f"chapter {chapter['title']!r} has no place in the PDF")
        parent = writer.add_outline_item(title=chapter["title"], page_number=start)
        for section in chapter["sections"]:
            page = page_of(section["id"])
            if page is not None:
                writer.add_outline_item(title=section["title"], page_number=page, parent=parent)
    writer.page_mode = "/UseOutlines"
    with pdf.open("wb") as stream:
        writer.write(stream)


def reading_order(toctree_includes: dict[str, list[str]], root: str) -> list[str]:
    """Documents in reading order: `root`, then depth first through the toctrees."""
    order, seen = [], set()

    def walk(doc: str) -> None:
        if doc in seen:
            return
        seen.add(doc)
        order.append(doc)
        for child in toctree_includes.get(doc, []):
            walk(child)

    walk(root)
    return order


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="the built HTML folder, e.g. _build/html")
    args = parser.parse_args()
    order = json.loads((args.site / PAGES_FILE).read_text())
    print(print_book(args.site, order["pages"], order["title"]))


if __name__ == "__main__":
    main()
