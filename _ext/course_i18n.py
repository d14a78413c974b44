"""The two editions of the book (English, and Chinese in _build/html/zh), loaded by _config.yml.

The Chinese edition is the English pages with their text translated by
Sphinx's gettext catalogs (locale/zh_CN, tools/translations.py). This
extension does what the catalogs cannot:

- Every page links the same page in the other edition (a language switch in
  the header), and Chinese pages say `<html lang="zh-CN">` (Sphinx writes
  the configuration's `zh_CN`, which is not a language tag).
- A Chinese page whose catalog is not declared translated
  (locale/zh_CN/translated_pages.yml) opens with a note saying so in Chinese,
  and its English text is marked `lang="en"`, rather than silently showing
  English. The instructor pages are not translated this round: each one
  still in English, and the Chinese home page, also say that they are in
  English for now (the words: tools/translations.py).
- Nothing executes twice. Only the English HTML build runs the notebooks;
  the Chinese build and the message extraction read the same jupyter-cache.
  Pages that say `execution_mode: force` in their front matter (they read
  the checkout, see course_site.DATA_PAGES) would run again; for the other
  builds their executed notebook from the English build
  (_build/jupyter_execute) is put into the cache, and they read it from
  there. Should any build but the English one start a kernel anyway, it
  stops with an error naming the page.
- Glued values in translated paragraphs: Sphinx parses a translation
  without its notebook, so `glue_in_translations` lets it read the page's
  glued values (the English build's, from the shared cache).
- Chinese search: Sphinx splits Chinese text into words with jieba; the
  course's terms (locale/terms.yml) are added to its dictionary, so that
  转置卷积 is one word to search for, not only 转置 and 卷积.
- Figure captions and alt texts set in a code cell's metadata
  (`mystnb: figure: caption:`, `mystnb: image: alt:`) are messages too. myst-nb
  makes the figure only around an output, and the extraction runs nothing,
  so it never sees them: in the gettext build, `figure_messages` adds each
  cell's caption paragraphs and alt text as the nodes the HTML builds make
  from them. Their msgids are then what Sphinx looks up in the Chinese build,
  which translates them as it does any caption or alt text.
- Chinese text is set in Noto Sans CJK SC, cut down to the characters the
  catalogs use and served from the site (static/fonts/, made by
  `python -m tools.translations font`), so it renders offline and in the PDF.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from docutils import nodes
from sphinx.errors import ExtensionError
from sphinx.locale import get_translation
from sphinx.util import logging

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from course_site import DATA_PAGES  # noqa: E402 - beside this file

from tools import translations  # noqa: E402

TEMPLATES = Path(__file__).parent / "templates"
logger = logging.getLogger(__name__)
# The templates' strings: Sphinx's own catalog domain, so that locale/zh_CN/LC_MESSAGES/sphinx.po
# translates them (the gettext builder extracts them from the templates).
_ = get_translation("sphinx")

EXECUTES = "en"
FORCED = re.compile(r"^(\s*execution_mode:\s*)force\s*$", re.MULTILINE)
HOME_PAGE = "book/intro"


def chinese_note(text: str, kind: str) -> str:
    """A note in Chinese at the top of a Chinese page (the theme's admonition style)."""
    return (
        f'<div class="admonition note {kind}" lang="zh-CN">'
        f'<p class="admonition-title">注意</p><p>{text}</p></div>'
    )


def notes_for(pagename: str, translated: set[str]) -> str:
    """The notes a Chinese page opens with: untranslated, and where instructors read English."""
    notes = ""
    if pagename not in translated:
        notes += chinese_note(translations.UNTRANSLATED, "course-untranslated")
    if pagename == HOME_PAGE or (
        pagename.startswith(translations.INSTRUCTOR_PAGES) and pagename not in translated
    ):
        notes += chinese_note(translations.INSTRUCTORS_IN_ENGLISH, "course-instructors-in-english")
    return notes


def is_executing_build(app) -> bool:
    """The English HTML build runs the notebooks; every other build reads its outputs."""
    return app.builder.name != "gettext" and (app.config.language or "en") == EXECUTES


def is_chinese(app) -> bool:
    return (app.config.language or "").startswith("zh")


def seed_forced_pages(app) -> None:
    """Put the English build's executed notebooks of forced pages into the shared cache."""
    if is_executing_build(app) or app.config.nb_execution_mode != "cache":
        return
    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    cache = get_cache(app.config.nb_execution_cache_path)
    executed = Path(app.srcdir) / "_build" / "jupyter_execute"
    for page in DATA_PAGES:
        notebook = executed / f"{page}.ipynb"
        if not notebook.is_file():
            raise ExtensionError(
                f"{page} has no executed notebook from the English build "
                f"(_build/jupyter_execute): build the English book first (python3 dev.py book)"
            )
        executed_notebook = with_glue(nbformat.read(notebook, as_version=4), notebook)
        cache.cache_notebook_bundle(
            CacheBundleIn(executed_notebook, str(notebook), data={"from": "English build"}),
            check_validity=False,
            overwrite=True,
        )


def with_glue(notebook, path: Path):
    """The executed notebook with its glued values, as the kernel displayed them.

    myst-nb writes a page's glued values beside its executed notebook
    (`<page>.glue.json`) and leaves them out of the notebook; they go back in
    (in the last code cell: myst-nb reads glue from any output) with the
    mime prefix it strips, so that the other builds find the same values.
    """
    import json

    import nbformat

    glue = path.with_suffix(".glue.json")
    outputs = json.loads(glue.read_text()) if glue.is_file() else {}
    restored = []
    for output in outputs.values():
        prefix = output["metadata"]["scrapbook"]["mime_prefix"]
        data = {f"{prefix}{mime}": value for mime, value in output["data"].items()}
        restored.append(nbformat.from_dict({**output, "data": data}))
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    code_cells[-1].outputs.extend(restored)
    return notebook


def read_forced_pages_from_cache(app, docname: str, source: list[str]) -> None:
    """Outside the English build, a forced page reads the cache (or nothing, for gettext)."""
    if is_executing_build(app) or docname not in DATA_PAGES:
        return
    # Quoted: YAML reads a bare `off` as false.
    mode = app.config.nb_execution_mode
    source[0] = FORCED.sub(lambda match: f'{match.group(1)}"{mode}"', source[0], count=1)


def forbid_execution(app) -> None:
    """Outside the English build, starting a kernel is an error: outputs come from the cache."""
    if is_executing_build(app):
        return
    from myst_nb.core.execute import cache, direct

    def refuse(notebook, cwd, *args, **kwargs):
        raise ExtensionError(
            f"the {app.config.language} {app.builder.name} build was about to execute a "
            f"notebook (in {Path(cwd).name if cwd else 'a temporary folder'}): its outputs "
            f"must come from the English build's cache; build the English book first"
        )

    # myst-nb runs every notebook through this one function, imported into both clients.
    cache.single_nb_execution = refuse
    direct.single_nb_execution = refuse


def figure_messages(app, doctree, docname: str) -> None:
    """Gettext build: the captions and alt texts of each cell's figure metadata, as messages.

    The nodes are the ones myst-nb makes when the cell has an output (a
    caption from the caption's first paragraph, then a legend of paragraphs;
    an image with the alt text), so that their msgids are the ones the
    Chinese build looks up. They go into the written catalog only; nothing
    else reads the gettext build's doctrees.
    """
    if app.builder.name != "gettext":
        return
    for cell in doctree.findall(nodes.container):
        if cell.get("nb_element") != "cell_code":
            continue
        options = cell.get("cell_metadata", {}).get("mystnb", {})
        caption = str(options.get("figure", {}).get("caption", "")).strip()
        alt = str(options.get("image", {}).get("alt", "")).strip()
        found = []
        # Markdown paragraphs: blank lines apart; a paragraph's lines as myst-parser keeps them.
        for index, paragraph in enumerate(re.split(r"\n\s*\n", caption) if caption else []):
            kind = nodes.caption if index == 0 else nodes.paragraph
            found.append(kind(paragraph, paragraph))
        if alt:
            found.append(nodes.image(alt=alt, uri="", translatable=False))
        for node in found:
            node.source, node.line = doctree["source"], cell.line
            # The gettext builder takes only nodes with a uid (set while reading, as
            # Sphinx's versioning does); these come after reading, so they get one here.
            node.uid = ""
        cell.extend(found)


def glue_in_translations(app) -> None:
    """Translated paragraphs find the page's glued values, as their English did.

    Sphinx parses each translated message as a document of its own
    (`publish_msgstr`); for a notebook page that document has no notebook, so
    a `{glue:}` role in a translation found no value (myst-nb's "No key ...
    found in glue data"). Every role of a translation is in its English
    (tools/translation_checks.py holds the markup equal), and the English is
    parsed first: the page's renderer is kept from the English's lookups and
    lent to the translation's, which then read the same values.
    """
    if not is_chinese(app):
        return
    from myst_nb.core.variables import RetrievalError
    from myst_nb.ext.glue import directives, roles, utils

    original = utils.retrieve_glue_data
    renderers: dict[str, object] = {}

    def retrieve(document, key):
        docname = app.env.docname
        if "nb_renderer" in document:
            renderers[docname] = document["nb_renderer"]
            return original(document, key)
        try:
            return original(document, key)
        except RetrievalError:
            if docname not in renderers:
                raise
            return original({"nb_renderer": renderers[docname]}, key)

    roles.retrieve_glue_data = directives.retrieve_glue_data = retrieve


def chinese_search_dictionary(app, config) -> None:
    """jieba splits Chinese for the search index; the course's terms are words to it."""
    if not is_chinese(app):
        return
    words = sorted({zh for term in translations.terms() for zh in term["zh"]})
    path = Path(app.doctreedir) / "course_terms.jieba.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    # jieba's user dictionary: word, frequency (high: keep the term whole), part of speech.
    path.write_text("".join(f"{word} 100000 n\n" for word in words), encoding="utf-8")
    config.html_search_options = {**(config.html_search_options or {}), "dict": str(path)}


def add_chinese_font(app) -> None:
    if is_chinese(app) and app.builder.format == "html":
        app.add_css_file("fonts/course-cjk.css")


def other_edition(pagename: str, chinese: bool) -> str:
    """The relative link from a page to the same page in the other edition."""
    up = "../" * pagename.count("/")
    if chinese:
        return f"{up}../{pagename}.html"
    return f"{up}{translations.SITE_SUBFOLDER}/{pagename}.html"


def language_switch(app, pagename, templatename, context, doctree) -> None:
    chinese = is_chinese(app)
    context["course_other_edition"] = {
        "url": other_edition(pagename, chinese),
        # Each label in its own language, as language menus do.
        "label": "English" if chinese else "中文",
        "lang": "en" if chinese else "zh-CN",
    }
    if not chinese:
        return
    context["language"] = "zh-CN"
    if doctree is None or not context.get("body"):
        return
    notes = notes_for(pagename, app.course_translated)
    body = context["body"]
    if pagename not in app.course_translated:
        body = f'<div lang="en">{body}</div>'
    context["body"] = notes + body


def find_translated(app, config) -> None:
    app.course_translated = set(translations.translated_pages())


def place_language_switch(app, config) -> None:
    """The switch goes at the end of the page's header, after the theme's buttons."""
    config.templates_path.append(str(TEMPLATES))
    options = config.html_theme_options
    end = options.get("article_header_end") or ["article-header-buttons.html"]
    options["article_header_end"] = [*end, "course-language-switch.html"]


def setup(app):
    app.connect("config-inited", find_translated)
    app.connect("config-inited", place_language_switch)
    app.connect("config-inited", chinese_search_dictionary)
    app.connect("builder-inited", forbid_execution)
    app.connect("builder-inited", glue_in_translations)
    app.connect("builder-inited", seed_forced_pages)
    app.connect("builder-inited", add_chinese_font)
    app.connect("source-read", read_forced_pages_from_cache)
    app.connect("html-page-context", language_switch)
    app.connect("doctree-resolved", figure_messages)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
