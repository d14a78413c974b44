"""The built website, checked the way a student sees it: in a real browser.

The built `_build/html` is served on 127.0.0.1 and opened in headless Chromium
(Debian's `/usr/bin/chromium`, driven by Playwright; no browser is ever
downloaded). For every page in the TOC: no console errors and no failed
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
import http.server
import os
import re
import shutil
import subprocess
import threading
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
import yaml
from grading_harness import REPO_ROOT

# One worker builds the book (the session fixture built_book) for every test that reads it.
pytestmark = pytest.mark.xdist_group("book")

PHONE_WIDTH = 390
PHONE_HEIGHT = 844
DESKTOP = {"width": 1280, "height": 900}
SEARCH_TERM = "Conv2DTranspose"

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


def site_toc() -> Path:
    return Path(os.environ.get("COURSE_SITE_TOC", REPO_ROOT / "_toc.yml"))


def pages_in_toc() -> list[str]:
    """Every page the TOC lists, root first, in reading order."""
    toc = yaml.safe_load(site_toc().read_text())
    return [toc["root"], *_walk_toc(toc)]


def _walk_toc(entry) -> list[str]:
    found = []
    if isinstance(entry, dict):
        if "file" in entry:
            found.append(entry["file"])
        for key in ("parts", "chapters", "sections"):
            for child in entry.get(key) or []:
                found += _walk_toc(child)
    return found


def is_executed(page: str) -> bool:
    """A page is executed when its source is a MyST notebook (jupytext header)."""
    source = REPO_ROOT / f"{page}.md"
    return source.is_file() and "kernelspec:" in source.read_text()


def find_chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    debian = Path("/usr/bin/chromium")
    return str(debian) if debian.is_file() else None


def install_chromium() -> str | None:
    """Install Debian's Chromium when we may (root with apt-get), as CI does."""
    if os.name != "posix" or os.geteuid() != 0 or not shutil.which("apt-get"):
        return None
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update"], ["apt-get", "install", "-y", "chromium"]):
        if subprocess.run(command, env=env, capture_output=True).returncode != 0:
            return None
    return find_chromium()


@pytest.fixture(scope="module")
def site(request) -> Path:
    override = os.environ.get("COURSE_SITE_DIR")
    folder = Path(override) if override else request.getfixturevalue("built_book")
    assert (folder / "index.html").is_file(), f"no built site in {folder}"
    return folder


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="module")
def base_url(site):
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    executable = find_chromium() or install_chromium()
    if executable is None:
        pytest.skip(
            "no Chromium: install Debian's `chromium` package (apt-get install chromium), "
            "or run the tests as root where apt-get is available so they install it"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # Playwright adds --headless and a fresh temporary --user-data-dir.
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def screenshots(request, site) -> Path:
    default = site.parent / "screenshots"
    folder = Path(os.environ.get("COURSE_SCREENSHOTS", default))
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    # tests/conftest.py prints this folder in the run's summary.
    request.config.course_site_screenshots = folder
    return folder


@pytest.fixture(scope="module")
def blocked_external(request) -> dict[str, set[str]]:
    """Host -> pages that asked for it; the summary lists them."""
    blocked: dict[str, set[str]] = {}
    request.config.course_site_blocked_hosts = blocked
    return blocked


class PageVisit:
    """One page open in a browser tab, with everything that went wrong on the way."""

    def __init__(self, browser, base_url: str, blocked: dict[str, set[str]], name: str):
        self.base_url = base_url
        self.problems: list[str] = []
        self.blocked_urls: set[str] = set()
        self.context = browser.new_context(viewport=DESKTOP)
        self.page = self.context.new_page()
        self.page.route("**/*", functools.partial(self._route, blocked, name))
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        self.page.on("requestfailed", self._request_failed)
        self.page.on("response", self._response)

    def _is_local(self, url: str) -> bool:
        return url.startswith(self.base_url) or url.startswith(("data:", "blob:", "about:"))

    def _route(self, blocked, name, route):
        url = route.request.url
        if self._is_local(url):
            route.continue_()
            return
        host = urlsplit(url).hostname or url
        self.blocked_urls.add(url)
        blocked.setdefault(host, set()).add(name)
        self.problems.append(f"needs an external resource (blocked offline): {url}")
        route.abort("blockedbyclient")

    def _console(self, message):
        if message.type != "error":
            return
        if message.location.get("url") in self.blocked_urls:
            return  # the blocked request is reported once, above
        self.problems.append(f"console error: {message.text} ({message.location.get('url')})")

    def _request_failed(self, request):
        if request.url not in self.blocked_urls:
            self.problems.append(f"request failed: {request.url} ({request.failure})")

    def _response(self, response):
        if self._is_local(response.url) and response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")

    def close(self):
        self.context.close()


@pytest.fixture
def visit(browser, base_url, blocked_external):
    opened = []

    def open_page(name: str, path: str) -> PageVisit:
        page_visit = PageVisit(browser, base_url, blocked_external, name)
        opened.append(page_visit)
        page_visit.page.goto(base_url + path, wait_until="load")
        page_visit.page.wait_for_load_state("networkidle")
        return page_visit

    yield open_page
    for page_visit in opened:
        page_visit.close()


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
