"""The built website, checked the way a student sees it: in a real browser.

The built `_build/html` is served on 127.0.0.1 and opened in headless
Chromium (Debian's `/usr/bin/chromium`, driven by Playwright; no browser is
ever downloaded; the fixtures are in tests/support/browser.py). For every
page in the TOC: no console errors and no failed requests, every image loads
and has alt text, every animation plays and pauses, every internal link and
anchor resolves, executed pages carry download buttons and chapters launch
buttons (only they have Colab copies), axe-core finds no serious or critical
accessibility violation (tests/support/accessibility.py),
the previous/next links follow the reading order, chapters show their number,
no code block or text output scrolls sideways at 1280 pixels,
and at a phone width of 390 pixels the page does not scroll sideways. Search
finds each chapter by its key term (KEY_TERMS). Screenshots of every page go
to the folder printed at the end of the test run.

A few Chinese pages (CHINESE_PAGES) are visited too: they say lang="zh-CN",
their CJK web font loads, axe finds nothing, and the language switch leads to
the same page in English and back.

Requests to other hosts are blocked, as for an offline student, and fail the
test: the site serves everything itself, MathJax included (formulas must be
typeset), see _ext/course_site.py.

Environment overrides, for checking a private build while developing:
COURSE_SITE_DIR (an HTML folder instead of building the book with the
`built_book` fixture), COURSE_SITE_TOC (the TOC that folder was built from),
COURSE_SCREENSHOTS (where screenshots go; default `_build/screenshots`).
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from tests.support.accessibility import KEPT_MODERATE, axe_problems, axe_violations
from tests.support.browser import DESKTOP
from tests.support.grading import REPO_ROOT
from tools import translations
from tools.book_toc import CHAPTER_PARTS, is_executed, toc_files, toc_pages

# One worker builds the book (the session fixture built_book) for every test that reads it.
pytestmark = pytest.mark.xdist_group("book")

PHONE_WIDTH = 390
PHONE_HEIGHT = 844
# Search must find each chapter by the key term it teaches (when the chapter is in the TOC).
KEY_TERMS = {
    "UpSampling2D": "book/upsampling2d",
    "Conv2DTranspose": "book/conv2d_transpose",
    "output_padding": "book/shape_puzzles",
    "checkerboard": "book/checkerboard_artifacts",
    "ICNR": "book/one_operator",
}


def site_toc() -> Path:
    return Path(os.environ.get("COURSE_SITE_TOC", REPO_ROOT / "_toc.yml"))


def pages_in_toc() -> list[str]:
    """Every page the TOC lists, root first, in reading order."""
    return toc_files(site_toc())


IMAGES_LOADED = """async () => {
  const images = Array.from(document.images);
  for (const img of images) { img.loading = "eager"; }
  await Promise.all(images.map((img) => img.decode().catch(() => null)));
  return images.map((img) => ({
    src: img.currentSrc || img.src || img.id,
    width: img.naturalWidth,
    alt: img.getAttribute("alt"),
    content: !!img.closest("article"),
    animation: !!img.closest(".animation"),
  }));
}"""

ANIMATIONS_PLAY = """async () => {
  const results = [];
  for (const box of document.querySelectorAll("div.animation")) {
    const slider = box.querySelector("input[type=range]");
    const frame = box.querySelector("img");
    const before = slider ? slider.value : null;
    box.querySelector("button[title=Play]").click();
    // Frames may be a second apart: wait up to 5 s for the next one.
    for (let waited = 0; waited < 5000 && slider && slider.value === before; waited += 100) {
      await new Promise((done) => setTimeout(done, 100));
    }
    box.querySelector("button[title=Pause]").click();
    const stopped = slider ? slider.value : null;
    await new Promise((done) => setTimeout(done, 2000));
    results.push({kind: "matplotlib", moved: !!slider && slider.value !== before,
                  paused: !slider || slider.value === stopped,
                  width: frame ? frame.naturalWidth : 0});
  }
  // Animated GIFs: _ext/static/course_a11y.js adds a Pause button that
  // shows a still frame (a canvas) in the GIF's place.
  for (const img of document.querySelectorAll("article img[src$='.gif' i], article img[src^='data:image/gif' i]")) {
    const box = img.closest(".course-gif");
    const toggle = box && box.querySelector("button.course-gif-toggle");
    const still = box && box.querySelector("canvas");
    let paused = false;
    if (toggle && still) {
      toggle.click();
      paused = img.hidden && !still.hidden && still.width > 0;
      toggle.click();
      paused = paused && !img.hidden && still.hidden;
    }
    results.push({kind: "gif", moved: true, paused, width: img.naturalWidth});
  }
  for (const video of document.querySelectorAll("video")) {
    video.muted = true;
    let played = true;
    try { await video.play(); } catch (error) { played = false; }
    await new Promise((done) => setTimeout(done, 800));
    video.pause();
    results.push({kind: "video", moved: played && video.currentTime > 0,
                  paused: video.paused, width: video.videoWidth});
  }
  return results;
}"""

MATH_TYPESET = """async () => {
  const formulas = document.querySelectorAll("article .math").length;
  if (formulas && window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  return {formulas, typeset: document.querySelectorAll("article mjx-container").length};
}"""

# Where the page sits in the course: the theme's previous/next links and the
# chapter number Sphinx writes into the title (`numbered: true` in _toc.yml).
POSITION = """() => {
  const link = (selector) => {
    const a = document.querySelector(selector);
    return a ? a.href : null;
  };
  const number = document.querySelector("article h1 .section-number");
  return {previous: link(".prev-next-area a.left-prev"), next: link(".prev-next-area a.right-next"),
          number: number ? number.textContent.trim() : null};
}"""

LINKS = """() => Array.from(document.querySelectorAll("a[href]"), (a) => a.href)"""

SIDEWAYS_OVERFLOW = """() => {
  const page = document.scrollingElement || document.documentElement;
  // What sticks out: elements past the right edge that are neither inside a
  // box that scrolls or clips them nor inside a fixed (off-canvas) panel.
  const sticksOut = (node) => {
    if (node.getBoundingClientRect().right <= window.innerWidth + 1) return false;
    for (let up = node.parentElement; up && up !== document.body; up = up.parentElement) {
      const style = getComputedStyle(up);
      if (style.overflowX !== "visible" || style.position === "fixed") return false;
    }
    return true;
  };
  const wide = [];
  if (page.scrollWidth > window.innerWidth + 1) {
    for (const node of document.querySelectorAll("article *")) {
      if (sticksOut(node) && !Array.from(node.children).some(sticksOut)) {
        wide.push(`${node.tagName.toLowerCase()}: ${node.textContent.trim().slice(0, 60)}`);
        if (wide.length === 5) break;
      }
    }
  }
  return {scrollWidth: page.scrollWidth, innerWidth: window.innerWidth, wide};
}"""

# Code and text outputs that scroll sideways in their own box (at the desktop width).
CODE_SCROLLS = """() => Array.from(document.querySelectorAll("article pre"))
  .filter((pre) => pre.scrollWidth > pre.clientWidth + 1)
  .map((pre) => pre.innerText.split("\\n").reduce((a, b) => (b.length > a.length ? b : a), ""))
  .map((line) => line.slice(0, 80))"""


@functools.cache
def anchors_in(html_file: Path) -> frozenset[str]:
    markup = html_file.read_text(errors="replace")
    return frozenset(re.findall(r'\b(?:id|name)="([^"]+)"', markup))


def check_internal_link(site: Path, base_url: str, page_url: str, href: str) -> str | None:
    """None if `href` resolves inside the built site, else what is wrong."""
    url = urljoin(page_url, href)
    if not url.startswith(base_url):
        return None  # another host: not ours to check offline
    parts = urlsplit(url)
    relative = unquote(parts.path[len(urlsplit(base_url).path) :])
    target = site / relative
    if target.is_dir():
        target = target / "index.html"
    if not target.is_file():
        return f"broken link {href} (no {target.relative_to(site)})"
    fragment = unquote(parts.fragment)
    if fragment and target.suffix == ".html" and fragment not in anchors_in(target):
        return f"broken anchor {href} (no id {fragment!r} in {target.relative_to(site)})"
    return None


def slug(page: str) -> str:
    return page.replace("/", "__")


def chapter_numbers() -> dict[str, str]:
    """The number each page of the numbered Chapters part shows in its title: "1.", "2."..."""
    chapters = [entry.file for entry in toc_pages(site_toc()) if entry.part == "Chapters"]
    return {page: f"{number}." for number, page in enumerate(chapters, start=1)}


def position_problems(page: str, position: dict, base_url: str) -> list[str]:
    """Previous/next lead to the neighbours in reading order; chapters show their number."""
    pages = pages_in_toc()
    index = pages.index(page)
    problems = []
    for side, neighbour in (("previous", index - 1), ("next", index + 1)):
        expected = base_url + f"{pages[neighbour]}.html" if 0 <= neighbour < len(pages) else None
        found = position[side].split("#")[0] if position[side] else None
        if found != expected:
            problems.append(f"the {side} link leads to {found}, not {expected}")
    number = chapter_numbers().get(page)
    if number and position["number"] != number:
        problems.append(f"the title shows chapter number {position['number']!r}, not {number!r}")
    return problems


@pytest.mark.parametrize("page", pages_in_toc())
def test_page_works_in_a_browser(page, site, base_url, visit, screenshots):
    assert (site / f"{page}.html").is_file(), f"{page} is in the TOC but was not built"
    opened = visit(page, f"{page}.html")
    browser_page = opened.page
    problems = opened.problems

    for image in browser_page.evaluate(IMAGES_LOADED):
        if image["width"] == 0:
            problems.append(f"image did not load: {image['src'][:120]}")
        alt = (image["alt"] or "").strip()
        if image["content"] and (not alt or alt.endswith((".png", ".svg", ".jpg", ".gif"))):
            fix = (
                "pass alt= to upsampling_course.animations.animation_html"
                if image["animation"]
                else "give the cell `mystnb: image: alt:` metadata"
            )
            problems.append(
                f"figure without alt text: {image['src'][:120]} ({fix}, see CONTRIBUTING)"
            )

    for animation in browser_page.evaluate(ANIMATIONS_PLAY):
        if animation["width"] == 0 or not animation["moved"]:
            problems.append(f"{animation['kind']} animation does not play: {animation}")
        if not animation["paused"]:
            problems.append(f"{animation['kind']} animation cannot be paused: {animation}")

    math = browser_page.evaluate(MATH_TYPESET)
    if math["typeset"] < math["formulas"]:
        problems.append(f"formulas not typeset by MathJax: {math}")

    problems += axe_problems(axe_violations(browser_page))
    problems += position_problems(page, browser_page.evaluate(POSITION), base_url)

    page_url = browser_page.url
    for href in sorted(set(browser_page.evaluate(LINKS))):
        problem = check_internal_link(site, base_url, page_url, href)
        if problem:
            problems.append(problem)

    if is_executed(page):
        launch = browser_page.locator(".dropdown-launch-buttons a")
        launch_texts = {text.strip() for text in launch.all_inner_texts()}
        if page in toc_files(site_toc(), CHAPTER_PARTS):
            for service in ("Binder", "Colab"):
                if service not in launch_texts:
                    problems.append(f"no {service} launch button (found {sorted(launch_texts)})")
        elif launch.count():
            # Not a chapter: it reads the checkout, so it has no Colab copy to open.
            problems.append(f"launch buttons on a page that is not a chapter: {launch_texts}")
        for link in launch.evaluate_all("(links) => links.map((a) => a.href)"):
            if f"/{page}." not in link:
                problems.append(f"launch button does not open this chapter: {link}")
        notebook = browser_page.locator(".dropdown-download-buttons a[href$='.ipynb']")
        if notebook.count() == 0:
            problems.append("no download button for the executed notebook (.ipynb)")

    for line in browser_page.evaluate(CODE_SCROLLS):
        problems.append(
            f"code or output scrolls sideways at {DESKTOP['width']} px: {line!r} "
            "(shorten the line or move the code to the package; _static/course.css wraps)"
        )

    browser_page.screenshot(path=screenshots / f"{slug(page)}-desktop.png", full_page=True)

    browser_page.set_viewport_size({"width": PHONE_WIDTH, "height": PHONE_HEIGHT})
    browser_page.wait_for_timeout(300)
    overflow = browser_page.evaluate(SIDEWAYS_OVERFLOW)
    if overflow["scrollWidth"] > overflow["innerWidth"] + 1:
        problems.append(
            f"scrolls sideways at {PHONE_WIDTH} px: page is {overflow['scrollWidth']} px wide; "
            f"too wide: {overflow['wide']} (let it wrap, or scroll in its own box: see _static/course.css)"
        )
    browser_page.screenshot(path=screenshots / f"{slug(page)}-phone.png", full_page=True)

    assert not problems, f"{page}.html in the browser:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("term", KEY_TERMS)
def test_search_finds_the_chapter_by_its_key_term(term, site, base_url, visit, screenshots):
    chapter = KEY_TERMS[term]
    if chapter not in pages_in_toc():
        pytest.skip(f"{chapter} is not in this TOC")
    opened = visit("search", f"search.html?q={term}")
    results = opened.page.locator("#search-results ul.search li")
    results.first.wait_for(timeout=15_000)
    found = results.locator("a").evaluate_all("(links) => links.map((a) => a.href)")
    opened.page.screenshot(path=screenshots / f"search-{term}.png", full_page=True)
    pages = {link.split("#")[0].split("?")[0].removeprefix(base_url) for link in found}
    assert f"{chapter}.html" in pages, f"searching for {term} did not find {chapter}: {pages}"
    assert not opened.problems, "search page in the browser:\n  " + "\n  ".join(opened.problems)


def test_exercise_downloads_are_student_notebooks(site, base_url, visit):
    """Each download link on the Exercises page serves a notebook.

    That every release is listed is checked on the source, in test_exercises_page.py.
    """
    if "book/exercises" not in pages_in_toc():
        pytest.skip("no Exercises page in this TOC")
    opened = visit("book/exercises", "book/exercises.html")
    links = opened.page.locator("article a.download").evaluate_all(
        "(links) => links.map((a) => a.href)"
    )
    assert links, "the Exercises page offers no notebook to download"
    for link in links:
        assert link.endswith(".ipynb"), f"the Exercises page offers {link}, not a notebook"
        response = opened.context.request.get(link)
        assert response.ok, f"{link}: HTTP {response.status}"
        assert '"nbformat"' in response.text(), f"{link} is not a notebook"


# Chinese pages visited in the browser too: the site's entry (it redirects to the
# Chinese home page) and the glossary, the page most dense in Chinese terms.
CHINESE_PAGES = ["index", "book/glossary"]
CJK_FONT = "Noto Sans SC Course"  # _ext/static/fonts/course-cjk.css
# Whether the page's CJK web font was downloaded and is ready, once the fonts the
# page's text needs have loaded (its unicode-range: only CJK text makes it load).
CJK_FONT_STATUS = """async (family) => {
  await document.fonts.ready;
  const faces = Array.from(document.fonts).filter((face) => face.family.replace(/"/g, "") === family);
  return {faces: faces.map((face) => face.status),
          used: document.fonts.check(`16px "${family}"`, "上采样")};
}"""


def follow_language_switch(browser_page) -> None:
    browser_page.locator("a.course-language-switch").first.click()
    browser_page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("page", CHINESE_PAGES)
def test_chinese_page_works_in_a_browser(page, site, base_url, visit, screenshots):
    zh = translations.SITE_SUBFOLDER
    opened = visit(f"{zh}/{page}", f"{zh}/{page}.html")
    browser_page, problems = opened.page, opened.problems
    if page == "index":
        # The entry is a redirect (a meta refresh) to the root page of the TOC.
        page = pages_in_toc()[0]
        browser_page.wait_for_url(f"{base_url}{zh}/{page}.html")
        browser_page.wait_for_load_state("networkidle")
    chinese_url = f"{base_url}{zh}/{page}.html"

    lang = browser_page.evaluate("() => document.documentElement.lang")
    if lang != "zh-CN":
        problems.append(f'<html lang="{lang}">, not zh-CN')
    font = browser_page.evaluate(CJK_FONT_STATUS, CJK_FONT)
    if font["faces"] != ["loaded"] or not font["used"]:
        problems.append(f"the CJK web font {CJK_FONT} did not load: {font}")
    problems += axe_problems(axe_violations(browser_page))
    browser_page.screenshot(path=screenshots / f"zh-{slug(page)}-desktop.png", full_page=True)

    follow_language_switch(browser_page)
    if browser_page.url != f"{base_url}{page}.html":
        problems.append(f"the language switch leads to {browser_page.url}, not the English page")
    elif browser_page.evaluate("() => document.documentElement.lang") != "en":
        problems.append("the English page the switch leads to is not lang=en")
    follow_language_switch(browser_page)
    if browser_page.url != chinese_url:
        problems.append(f"the English page's switch leads to {browser_page.url}, not back")

    assert not problems, f"{zh}/{page}.html in the browser:\n  " + "\n  ".join(problems)


def test_every_moderate_accessibility_finding_kept_says_why():
    for rule, reason in KEPT_MODERATE.items():
        assert re.fullmatch(r"[a-z0-9-]+", rule), f"not an axe rule id: {rule!r}"
        assert len(reason.split()) >= 3, f"{rule}: say why its moderate findings stay"
