"""Small fixes to the built website, loaded by _config.yml (sphinx.local_extensions).

Sphinx 7.4 registers an inline script that an extension adds after the
builder starts (sphinx-thebe's configuration, sphinx-togglebutton's selector)
twice: once with the file name None and once with "". The second copy of
sphinx-thebe's `const THEBE_JS_URL = ...` is a JavaScript error on every
page, which tests/book/test_site_browser.py rightly reports. This extension drops
the repeated copies before each page is written.

Matplotlib's JavaScript animations (`Animation.to_jshtml`) link Font Awesome
4 from a CDN for their button icons. The theme already ships Font Awesome,
which draws the same `fa fa-play` icons, so the link is removed: the site
then needs no network for its animations.

Formulas are typeset by MathJax 3.2.2 served from the site itself
(`static/mathjax/tex-svg.js`, Apache-2.0, from the `mathjax` npm package;
the SVG build needs no font files), not from a CDN, so they render offline.
The file lives here rather than in `_static/` because Jupyter Book adds every
script under `_static/` to every page, which would load MathJax twice.

Animated GIFs get a Pause/Play button and start paused for readers who ask
for reduced motion, and the sidebar becomes a navigation landmark
(`static/course_a11y.js`). Bibliography entries get the list-item role their
list needs (docutils writes the deprecated `doc-biblioentry`, which leaves
axe-core's `aria-required-children` check failing on the references page).

Only the chapters (the executed pages of the parts Chapters and Lab,
``tools.book_toc.chapter_pages``) keep the theme's Binder and Colab launch
buttons: they are the pages with Colab copies, which run from the student
package alone. Their buttons always open the chapter's `.ipynb` copy, the
file the deploy workflow publishes on the launch branch
(``tools.launch_notebooks``): the theme links the `.md` unless a copy lies
beside the chapter, as it does only in the deploy's build, and Colab cannot
open a `.md`. The other executed pages (the Exercises page, the
instructors' pages) read facts of the checkout; they keep their download
buttons.

At the end of the build the whole book is printed into one PDF,
`book.pdf` at the top of the site, by the system's Chromium
(`book_pdf.py` beside this file); every page's sidebar links it. Where no
Chromium or Playwright is installed the PDF and its link are left out, with
a message.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from sphinx.util import logging

sys.path.insert(0, str(Path(__file__).parent))
import book_pdf  # noqa: E402 - beside this file, which Sphinx loads by path

# The checkout, for its tools (the book is built there; tools/ is never installed).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tools.book_toc import chapter_pages  # noqa: E402

STATIC = Path(__file__).parent / "static"
TEMPLATES = Path(__file__).parent / "templates"
logger = logging.getLogger(__name__)

ANIMATION_ICON_CDN = re.compile(
    r'<link\s+rel="stylesheet"\s+href="https://[^"]*/font-awesome/[^"]*\.css"\s*/?>'
)


def _script_key(script: Any) -> tuple:
    filename = getattr(script, "filename", script) or ""
    attributes = getattr(script, "attributes", {})
    return (filename, tuple(sorted(attributes.items())))


def drop_repeated_scripts(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple] = set()
    unique = []
    for script in scripts:
        key = _script_key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def drop_animation_icon_cdn(app, pagename, templatename, context, doctree) -> None:
    body = context.get("body")
    if body and "font-awesome" in body:
        context["body"] = ANIMATION_ICON_CDN.sub("", body)


def fix_bibliography_roles(app, pagename, templatename, context, doctree) -> None:
    body = context.get("body")
    if body and 'role="doc-biblioentry"' in body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')


# Pages whose cells read the checkout beyond their own code (the assignments' notebooks,
# the judge's task modules, the benchmarks' records). The execution cache keys on a
# page's code alone, so these pages say `execution_mode: force` in their front matter
# and are read again whenever one of these files changed (not only their own source).
DATA_PAGES = ("book/exercises", "book/instructor/answer_keys", "book/instructor/planning")
DATA_SOURCES = (
    "solutions",
    "upsampling_course/assignments",
    "grader/upsampling_grader/judge/tasks",
    "benchmarks/results",
)


def data_digest(root: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    for folder in DATA_SOURCES:
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def outdated_data_pages(app, env, added, changed, removed) -> list[str]:
    digest = data_digest(Path(app.srcdir))
    if getattr(env, "course_data_digest", None) == digest:
        return []
    env.course_data_digest = digest
    return [page for page in DATA_PAGES if page in env.found_docs]


def find_chapters(app, config) -> None:
    app.course_chapters = set(chapter_pages(Path(app.srcdir)))


def launch_chapters_only(app, pagename, templatename, context, doctree) -> None:
    """Chapters' launch buttons open their .ipynb copy; other pages (no copy) lose theirs."""
    if "header_buttons" not in context:
        return
    if pagename not in app.course_chapters:
        context["header_buttons"] = [
            button
            for button in context["header_buttons"]
            if button.get("label") != "launch-buttons"
        ]
        return
    for group in context["header_buttons"]:
        if group.get("label") == "launch-buttons":
            for button in group.get("buttons", []):
                button["url"] = notebook_copy_url(button["url"], pagename)


def notebook_copy_url(url: str, pagename: str) -> str:
    """The launch `url` of a chapter with its .md source replaced by its .ipynb copy."""
    source = f"{pagename}.md"
    return url[: -len(source)] + f"{pagename}.ipynb" if url.endswith(source) else url


def serve_mathjax_locally(app, config) -> None:
    config.html_static_path.append(str(STATIC))
    # Relative to _static/ in the built site.
    config.mathjax_path = "mathjax/tex-svg.js"


def link_the_pdf(app, config) -> None:
    config.templates_path.append(str(TEMPLATES))
    options = config.html_theme_options
    end = options.get("primary_sidebar_end") or []
    options["primary_sidebar_end"] = [*end, "course-pdf-link.html"]
    app.course_pdf = book_pdf.PDF_NAME if book_pdf.can_print() else None
    if app.course_pdf is None:
        logger.info("course_site: no Chromium or Playwright here, so no PDF of the book")


def add_pdf_link(app, pagename, templatename, context, doctree) -> None:
    context["course_pdf"] = getattr(app, "course_pdf", None)


def print_the_book(app, exception) -> None:
    if exception is not None or app.builder.format != "html" or not app.course_pdf:
        return
    site = Path(app.outdir)
    docs = book_pdf.reading_order(app.env.toctree_includes, app.config.root_doc)
    pages = [app.builder.get_target_uri(doc) for doc in docs]
    # Jupyter Book puts _config.yml's title in html_title.
    title = app.config.html_title or app.config.project
    digest = book_pdf.pages_digest(site, pages, title)
    pages_file = site / book_pdf.PAGES_FILE
    printed = json.loads(pages_file.read_text()) if pages_file.is_file() else {}
    if printed.get("digest") == digest and (site / book_pdf.PDF_NAME).is_file():
        logger.info("course_site: no page changed since the PDF was printed; it is kept")
        return
    pages_file.write_text(json.dumps({"title": title, "pages": pages}))
    try:
        out = book_pdf.print_book(site, pages, title, language=app.config.language or "en")
    except Exception as error:  # noqa: BLE001 - any failure is reported, as a warning
        logger.warning(f"course_site: printing the book to PDF failed: {error}")
        return
    pages_file.write_text(json.dumps({"title": title, "pages": pages, "digest": digest}))
    logger.info(f"course_site: the book as one PDF: {out}")


def setup(app):
    app.connect("config-inited", find_chapters)
    app.connect("config-inited", serve_mathjax_locally)
    app.connect("config-inited", link_the_pdf)
    app.connect("html-page-context", drop_repeated_scripts)
    app.connect("html-page-context", drop_animation_icon_cdn)
    app.connect("html-page-context", add_pdf_link)
    app.connect("html-page-context", fix_bibliography_roles)
    # After sphinx-book-theme's add_launch_buttons (priority 501).
    app.connect("html-page-context", launch_chapters_only, priority=600)
    app.connect("env-get-outdated", outdated_data_pages)
    app.connect("build-finished", print_the_book)
    app.add_js_file("course_a11y.js", loading_method="defer")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
