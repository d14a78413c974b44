"""Shared fixtures. The tests run in the environment that `python3 dev.py test` made.

pytest puts the checkout's root on sys.path (pyproject.toml: `pythonpath`):
tests import `tests.support`, `tools` and `dev` by name.
"""

from __future__ import annotations

from pathlib import Path

import pytest

# The headless-Chromium fixtures (site, base_url, browser, visit, screenshots,
# blocked_external) for every test that opens the built site in a browser.
from tests.support.browser import (  # noqa: F401
    base_url,
    blocked_external,
    browser,
    screenshots,
    site,
    visit,
)
from tests.support.grading import REPO_ROOT

# Shared fixtures that build the book, grade a class with nbgrader or drive a browser:
# a test that uses one is marked slow (`python3 dev.py test --fast` leaves it out).
# Tests that are slow on their own (training, a fresh environment) carry the mark.
SLOW_FIXTURES = {
    "built_book",
    "site",
    "browser",
    "visit",
    "graded_course",
    "graded_class",
    "sharded_class",
    "graded",
    "walked_through",
    "hub",
    "feedback_pages",
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if SLOW_FIXTURES & set(item.fixturenames):
            item.add_marker(pytest.mark.slow)


# Debian packages the suite drives: the browser for the site tests and bubblewrap
# for the sandbox every grading test runs students in.
DEBIAN_PACKAGES = {"chromium": "chromium", "bwrap": "bubblewrap"}


def pytest_configure(config):
    """Install missing Debian packages once, before the workers start.

    Two xdist workers installing packages at the same time would fight over
    dpkg's lock; the controller (or a run without workers) does it up front.
    Where apt-get cannot run (not root), the tests that need a package skip
    or fail with the reason.
    """
    import shutil

    from tests.support.browser import apt_install

    if hasattr(config, "workerinput"):
        return
    missing = [package for tool, package in DEBIAN_PACKAGES.items() if not shutil.which(tool)]
    if missing:
        apt_install(*missing)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


# What each edition's build printed, written by built_book beside the site, never in it.
BUILD_LOG = "book-build.log"
CHINESE_BUILD_LOG = "zh-build.log"


@pytest.fixture(scope="session")
def built_book(repo_root: Path) -> Path:
    """Build the book (both editions) once per test run, strictly, as `python3 dev.py book` does.

    Returns the HTML folder (or, without building, the folder COURSE_SITE_DIR
    names). Unchanged chapters come from the execution cache
    in _build/.jupyter_cache, so a second run only re-executes what changed.
    """
    import os
    import subprocess
    import sys

    # COURSE_SITE_DIR names a folder already built (as for the browser tests): read that.
    override = os.environ.get("COURSE_SITE_DIR")
    if override:
        return Path(override)

    from dev import book_build_commands
    from tests.support.browser import find_chromium, install_chromium
    from upsampling_grader.scratch import tools_first

    # The build prints the book to PDF with the system's Chromium (_ext/book_pdf.py):
    # install it first where the tests may (root with apt-get), as for the browser tests.
    if find_chromium() is None:
        install_chromium()

    logs = []
    # Both editions, English first (the Chinese one reads its executed notebooks).
    for command in book_build_commands(Path(sys.executable).parent):
        result = subprocess.run(
            command, cwd=repo_root, env=tools_first(), capture_output=True, text=True
        )
        logs.append(result.stdout + result.stderr)
        if result.returncode != 0:
            pytest.fail(f"{command[-2:]} failed (exit {result.returncode}):\n{logs[-1][-6000:]}")
    # Kept beside the site: tests/book/test_book.py reads both for warning lines, and
    # the Chinese one for any notebook executed a second time.
    (repo_root / "_build" / BUILD_LOG).write_text(logs[0])
    (repo_root / "_build" / CHINESE_BUILD_LOG).write_text(logs[-1])
    return repo_root / "_build" / "html"


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Say where the browser test left its screenshots and what it blocked."""
    folder = getattr(config, "course_site_screenshots", None)
    if folder is not None:
        terminalreporter.write_line(f"site screenshots: {folder}")
    blocked = getattr(config, "course_site_blocked_hosts", None) or {}
    for host, pages in sorted(blocked.items()):
        terminalreporter.write_line(
            f"site asked for external host {host} (blocked, as offline) on {len(pages)} page(s)"
        )


def pytest_xdist_make_scheduler(config, log):
    """`--dist=loadgroup` (pyproject.toml) with the longest groups first (tests/support/scheduling.py)."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from tests.support.scheduling import LongestFirst

    return LongestFirst(config, log)
