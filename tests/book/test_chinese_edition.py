"""The Chinese edition (_build/html/zh): every page, linked both ways, executed once, searchable.

Built by the same session fixture as the English site (`built_book` builds
both editions, as `python3 dev.py book` does).
"""

from __future__ import annotations

import json
import re

import pytest

from tests.book.test_book import page_text
from tests.conftest import CHINESE_BUILD_LOG
from tools import translations
from tools.book_toc import toc_files
from tools.translation_font import SUBSET, is_cjk

pytestmark = pytest.mark.xdist_group("book")

SWITCH = re.compile(r'class="[^"]*course-language-switch[^"]*" href="([^"]+)"')


def switch_target(page_path):
    (href,) = SWITCH.findall(page_path.read_text())
    return (page_path.parent / href).resolve()


def test_every_page_has_its_chinese_page_and_the_switch_links_both_ways(built_book, repo_root):
    for page in toc_files(repo_root / "_toc.yml"):
        english = built_book / f"{page}.html"
        chinese = built_book / translations.SITE_SUBFOLDER / f"{page}.html"
        assert chinese.is_file(), f"no Chinese {page}"
        assert switch_target(english) == chinese.resolve(), page
        assert switch_target(chinese) == english.resolve(), page
        assert '<html lang="zh-CN"' in chinese.read_text(), page
        assert '<html lang="en"' in english.read_text(), page


def test_untranslated_pages_say_so_and_translated_pages_are_chinese(built_book, repo_root):
    translated = set(translations.translated_pages())
    for page in toc_files(repo_root / "_toc.yml"):
        text = page_text(built_book / translations.SITE_SUBFOLDER / f"{page}.html")
        assert ("本页尚未翻译" in text) == (page not in translated), page
    glossary = page_text(built_book / translations.SITE_SUBFOLDER / "book" / "glossary.html")
    assert "转置卷积（transposed convolution）" in glossary


def test_the_theme_speaks_chinese(built_book):
    text = page_text(built_book / translations.SITE_SUBFOLDER / "book" / "intro.html")
    # Sphinx's and sphinx-book-theme's zh_CN catalogs, and the course's templates (sphinx.po).
    for words in ("搜索", "全书 PDF 版", "评分练习"):
        assert words in text, words


def test_the_chinese_build_executed_no_notebook(built_book, repo_root):
    log_path = repo_root / "_build" / CHINESE_BUILD_LOG
    if not log_path.is_file():
        pytest.skip("no build log: the site was not built by this run (COURSE_SITE_DIR)")
    log = log_path.read_text()
    assert "Executing notebook" not in log and "Executed notebook" not in log


def search_index(site):
    text = (site / "searchindex.js").read_text()
    return json.loads(text[text.index("(") + 1 : text.rindex(")")])


def test_chinese_search_finds_the_course_terms(built_book):
    index = search_index(built_book / translations.SITE_SUBFOLDER)
    glossary = index["docnames"].index("book/glossary")
    for word in ("转置卷积", "上采样", "棋盘伪影"):
        found = index["terms"].get(word)
        assert found is not None, f"{word} is not a word of the search index"
        assert glossary in (found if isinstance(found, list) else [found]), word


def test_the_shipped_font_has_every_chinese_character_of_the_site(built_book):
    from fontTools.ttLib import TTFont

    covered = set(map(chr, TTFont(SUBSET).getBestCmap()))
    used = {
        character
        for page in (built_book / translations.SITE_SUBFOLDER).rglob("*.html")
        for character in page_text(page)
        if is_cjk(character)
    }
    assert used - covered == set(), "run `python3 dev.py translations` to cut the font again"


def test_the_chinese_pdf_is_in_chinese(built_book):
    pdf = built_book / translations.SITE_SUBFOLDER / "book.pdf"
    if not pdf.is_file():
        pytest.skip("no PDF: printed only where Chromium is installed")
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    text = "".join(page.extract_text() or "" for page in reader.pages[:4])
    assert "目录" in text and "上采样" in text, text[:300]


FIGURE = re.compile(r'<figure\b[^>]*\bid="([^"]+)"[^>]*>(.*?)</figure>', re.DOTALL)
ALT = re.compile(r'<img\b[^>]*\balt="([^"]*)"')
FIGCAPTION = re.compile(r"<figcaption>(.*?)</figcaption>", re.DOTALL)
# Figures whose caption and alt text come from code-cell metadata (messages added to
# the catalogs by _ext/course_i18n.figure_messages), named in the issue.
METADATA_FIGURES = {
    "book/why_upsampling": ["fig-shrink-versus-grow"],
    "book/upsampling2d": ["fig-nearest-versus-bilinear", "fig-upsampling-backward"],
}


def figures_of(html_text: str) -> dict[str, tuple[list[str], str]]:
    """Each figure's id -> (its images' alt texts, its caption's text)."""
    found = {}
    for name, body in FIGURE.findall(html_text):
        caption = FIGCAPTION.search(body)
        text = re.sub(r"<[^>]+>", "", caption.group(1)) if caption else ""
        found[name] = (ALT.findall(body), text)
    return found


def has_chinese(text: str) -> bool:
    return any(is_cjk(character) for character in text)


def test_the_figures_of_translated_pages_have_chinese_captions_and_alt_texts(built_book):
    problems = []
    for page in translations.translated_pages():
        path = built_book / translations.SITE_SUBFOLDER / f"{page}.html"
        figures = figures_of(path.read_text())
        for name in METADATA_FIGURES.get(page, []):
            if name not in figures:
                problems.append(f"{page}: no figure {name}")
        for name, (alts, caption) in figures.items():
            if caption and not has_chinese(caption):
                problems.append(f"{page} {name}: English caption {caption[:60]!r}")
            problems += [
                f"{page} {name}: English alt text {alt[:60]!r}"
                for alt in alts
                if alt and not has_chinese(alt)
            ]
    assert not problems, "\n".join(problems)


def test_instructor_pages_in_english_say_so_in_chinese(built_book, repo_root):
    translated = set(translations.translated_pages())
    for page in toc_files(repo_root / "_toc.yml"):
        text = page_text(built_book / translations.SITE_SUBFOLDER / f"{page}.html")
        expected = page == "book/intro" or (
            page.startswith(translations.INSTRUCTOR_PAGES) and page not in translated
        )
        assert (translations.INSTRUCTORS_IN_ENGLISH in text) == expected, page
    english_home = page_text(built_book / "book" / "intro.html")
    assert translations.INSTRUCTORS_IN_ENGLISH not in english_home
