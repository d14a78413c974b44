"""Headless Chromium for the tests that open the built site in a real browser.

Fixtures (registered for every test module by tests/conftest.py):

- `site`: the built HTML folder (the `built_book` fixture, or COURSE_SITE_DIR);
- `base_url`: that folder served on 127.0.0.1;
- `browser`: Debian's `/usr/bin/chromium` (or another system Chromium/Chrome)
  driven by Playwright; installed with apt-get when the tests run as root,
  skipped otherwise; never downloaded by Playwright;
- `visit(name, path)`: opens a page in a fresh tab and returns a `PageVisit`
  that collects console errors, script errors, failed requests and HTTP errors;
  requests to other hosts are blocked, as for an offline student, and count as
  problems;
- `screenshots`: the folder screenshots go to (COURSE_SCREENSHOTS, default
  `_build/screenshots` beside the site), printed in the run's summary.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.support.grading import REPO_ROOT

# One definition of where Chromium is and how it runs headless, shared with the
# book's PDF printer.
sys.path.insert(0, str(REPO_ROOT / "_ext"))
from book_pdf import CHROMIUM_FLAGS, find_chromium  # noqa: E402

DESKTOP = {"width": 1280, "height": 900}

NO_CHROMIUM = (
    "no Chromium: install Debian's `chromium` package (apt-get install chromium), "
    "or run the tests as root where apt-get is available so they install it"
)


def apt_install(*packages: str) -> bool:
    """Install Debian packages when we may (root with apt-get), as CI does."""
    if os.name != "posix" or os.geteuid() != 0 or not shutil.which("apt-get"):
        return False
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update"], ["apt-get", "install", "-y", *packages]):
        if subprocess.run(command, env=env, capture_output=True).returncode != 0:
            return False
    return True


def install_chromium() -> str | None:
    return find_chromium() if apt_install("chromium") else None


def chromium_or_skip() -> str:
    executable = find_chromium() or install_chromium()
    if executable is None:
        pytest.skip(NO_CHROMIUM)
    return executable


@pytest.fixture(scope="session")
def site(request) -> Path:
    override = os.environ.get("COURSE_SITE_DIR")
    folder = Path(override) if override else request.getfixturevalue("built_book")
    assert (folder / "index.html").is_file(), f"no built site in {folder}"
    return folder


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="session")
def base_url(site):
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


# Per module, not per session: Playwright's sync API keeps an asyncio loop running in
# the worker's main thread while it is open, and every later test on that worker that
# calls asyncio.run() would fail ("cannot be called from a running event loop").
@pytest.fixture(scope="module")
def browser():
    executable = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # Playwright adds --headless and a fresh temporary --user-data-dir.
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def screenshots(request, site) -> Path:
    default = site.parent / "screenshots"
    folder = Path(os.environ.get("COURSE_SCREENSHOTS", default))
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    # tests/conftest.py prints this folder in the run's summary.
    request.config.course_site_screenshots = folder
    return folder


@pytest.fixture(scope="session")
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
    """`visit(name, path)` opens `base_url + path` and waits until the network is idle."""
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
