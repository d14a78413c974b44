"""The built website, checked the way a student sees it: in a real browser.

The built `_build/html` is served on 127.0.0.1 and opened in headless Chromium
(Debian's `/usr/bin/chromium`, driven by Playwright; no browser is ever
downloaded; the fixtures are in tests/browser_support.py). For every page in the TOC: no console errors and no failed
requests, every image and animation loads, every internal link and anchor
resolves, executed pages carry launch and download buttons, and at a phone
width of 390 pixels the page does not scroll sideways. Search must find
"Conv2DTranspose". Screenshots of every page go to the folder printed at the
end of the test run.

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
from grading_harness import REPO_ROOT

from upsampling_course.book_toc import is_executed, toc_files

# One worker builds the book (the session fixture built_book) for every test that reads it.
pytestmark = pytest.mark.xdist_group("book")

PHONE_WIDTH = 390
PHONE_HEIGHT = 844
SEARCH_TERM = "Conv2DTranspose"


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
    content: !!img.closest("article") && !img.closest(".animation"),
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
    results.push({kind: "matplotlib", moved: !!slider && slider.value !== before,
                  width: frame ? frame.naturalWidth : 0});
  }
  for (const video of document.querySelectorAll("video")) {
    video.muted = true;
    let played = true;
    try { await video.play(); } catch (error) { played = false; }
    await new Promise((done) => setTimeout(done, 800));
    results.push({kind: "video", moved: played && video.currentTime > 0,
                  width: video.videoWidth});
    video.pause();
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
            problems.append(
                f"figure without alt text: {image['src'][:120]} (give the cell "
                "`mystnb: image: alt:` metadata, see CONTRIBUTING)"
            )

    for animation in browser_page.evaluate(ANIMATIONS_PLAY):
        if animation["width"] == 0 or not animation["moved"]:
            problems.append(f"{animation['kind']} animation does not play: {animation}")

    math = browser_page.evaluate(MATH_TYPESET)
    if math["typeset"] < math["formulas"]:
        problems.append(f"formulas not typeset by MathJax: {math}")

    page_url = browser_page.url
    for href in sorted(set(browser_page.evaluate(LINKS))):
        problem = check_internal_link(site, base_url, page_url, href)
        if problem:
            problems.append(problem)

    if is_executed(page):
        launch = browser_page.locator(".dropdown-launch-buttons a")
        launch_texts = {text.strip() for text in launch.all_inner_texts()}
        for service in ("Binder", "Colab"):
            if service not in launch_texts:
                problems.append(f"no {service} launch button (found {sorted(launch_texts)})")
        for link in launch.evaluate_all("(links) => links.map((a) => a.href)"):
            if f"/{page}." not in link:
                problems.append(f"launch button does not open this chapter: {link}")
        notebook = browser_page.locator(".dropdown-download-buttons a[href$='.ipynb']")
        if notebook.count() == 0:
            problems.append("no download button for the executed notebook (.ipynb)")

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


def test_search_finds_conv2dtranspose(site, visit, screenshots):
    opened = visit("search", f"search.html?q={SEARCH_TERM}")
    results = opened.page.locator("#search-results ul.search li")
    results.first.wait_for(timeout=15_000)
    titles = [text.splitlines()[0] for text in results.all_inner_texts()]
    opened.page.screenshot(path=screenshots / "search.png", full_page=True)
    assert titles, f"searching for {SEARCH_TERM} found nothing"
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
