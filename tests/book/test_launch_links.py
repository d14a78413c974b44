"""Every Colab and Binder link the site shows opens a notebook that the deploy publishes.

The links are read from the built HTML (the theme's launch buttons on the
chapters, the Exercises page's links to each exercise); each must name the
launch branch and a `.ipynb` among the copies `tools/launch_notebooks`
writes for the deploy (`published_notebooks`), which
tests/book/test_colab_install.py runs in a student's environment. A local
build has no copies beside the chapters: the site links the published ones
all the same (`_ext/course_site.py`).
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from tools import launch_notebooks
from tools.book_toc import chapter_pages

LAUNCH_LINK = re.compile(r'href="(https://(?:colab\.research\.google\.com|mybinder\.org)/[^"]+)"')
COLAB_PATH = re.compile(r"/github/[^/]+/[^/]+/blob/(?P<branch>[^/]+)/(?P<path>.+)")
BINDER_PATH = re.compile(r"/v2/gh/[^/]+/[^/]+/(?P<branch>[^/?]+)")
# The notebook a Binder link opens: JupyterLab's labpath, or urlpath after the UI's prefix.
BINDER_UI = re.compile(r"^(?:lab/tree|tree|notebooks)/")


def launch_target(url: str) -> tuple[str, str]:
    """(branch, repository path) that a Colab or Binder launch link opens."""
    parts = urlsplit(url)
    if parts.netloc == "colab.research.google.com":
        match = COLAB_PATH.fullmatch(parts.path)
        if not match:
            raise ValueError(f"not a Colab link to a GitHub file: {url}")
        return match["branch"], unquote(match["path"])
    match = BINDER_PATH.fullmatch(parts.path)
    query = parse_qs(parts.query)
    if not match or not ("labpath" in query or "urlpath" in query):
        raise ValueError(f"not a Binder link to a file: {url}")
    if "labpath" in query:
        return match["branch"], query["labpath"][0]
    return match["branch"], BINDER_UI.sub("", query["urlpath"][0])


def launch_links(site: Path) -> dict[str, list[str]]:
    """Page (relative to the site, without .html) -> the launch links it shows."""
    links = {}
    for page in sorted(site.rglob("*.html")):
        found = [html.unescape(url) for url in LAUNCH_LINK.findall(page.read_text())]
        if found:
            links[page.relative_to(site).with_suffix("").as_posix()] = found
    return links


def test_launch_target_reads_the_links_the_course_and_the_theme_make():
    path = "exercises/checkerboard/checkerboard.ipynb"
    branch = "notebooks"
    assert launch_target(launch_notebooks.colab_url(path)) == (branch, path)
    assert launch_target(launch_notebooks.binder_url(path)) == (branch, path)
    theme = "https://mybinder.org/v2/gh/o/r/notebooks?urlpath=tree/book/why_upsampling.ipynb"
    assert launch_target(theme) == (branch, "book/why_upsampling.ipynb")
    with pytest.raises(ValueError, match="not a Binder link"):
        launch_target("https://mybinder.org/v2/gh/o/r/notebooks")


@pytest.mark.xdist_group("book")
def test_every_launch_link_of_the_site_opens_a_published_notebook(built_book):
    links = launch_links(built_book)
    published = set(launch_notebooks.published_notebooks())
    branch = launch_notebooks._repository(launch_notebooks.REPO_ROOT)["branch"]
    wrong = [
        f"{page}.html: {url}"
        for page, urls in links.items()
        for url in urls
        if launch_target(url) not in {(branch, path) for path in published}
    ]
    assert not wrong, "launch links to files the deploy does not publish:\n" + "\n".join(wrong)
    # Every chapter has both buttons; the Exercises page links every exercise on both.
    for page in chapter_pages():
        hosts = {urlsplit(url).netloc for url in links.get(page, [])}
        assert hosts == {"colab.research.google.com", "mybinder.org"}, f"{page}: {hosts}"
    exercises = [launch_target(url) for url in links.get("book/exercises", [])]
    for path in published - {f"{page}.ipynb" for page in chapter_pages()}:
        assert exercises.count((branch, path)) == 2, f"the Exercises page lacks links to {path}"
