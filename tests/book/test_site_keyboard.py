"""The built site by keyboard alone: every control is reached with Tab and shows the focus.

On a chapter with animation players, the lab (an animated GIF with its Pause
button) and the Exercises page, Tab is pressed from the top of the page until
the focus comes round again. Every control a mouse user could click (links,
buttons, sliders, the checked button of each radio group, dropdown summaries
that are shown) must be among the stops, and each stop must draw a focus
indicator (an outline or a box shadow) while focused.
"""

from __future__ import annotations

import pytest

from tests.book.test_site_browser import pages_in_toc
from tests.support.accessibility import VISIBLE_CONTROLS, tab_through

# The book is built once (built_book) for every test that reads it.
pytestmark = pytest.mark.xdist_group("book")

PAGES = ("book/conv2d_transpose", "book/mnist_lab", "book/exercises")


@pytest.mark.parametrize("page", PAGES)
def test_every_control_is_reached_by_tab_and_shows_the_focus(page, visit):
    if page not in pages_in_toc():
        pytest.skip(f"{page} is not in this TOC")
    opened = visit(page, f"{page}.html")
    controls = opened.page.evaluate(VISIBLE_CONTROLS)
    assert controls, f"{page}.html shows no control at all"
    stops = tab_through(opened.page, limit=len(controls) + 50)
    reached = {stop["key"] for stop in stops}
    missed = [control["html"] for control in controls if control["key"] not in reached]
    assert not missed, (
        f"{len(missed)} control(s) on {page}.html cannot be reached by Tab: {missed[:5]}"
    )
    unseen = [f"{stop['tag']} {stop['name']!r}" for stop in stops if not stop["indicated"]]
    assert not unseen, f"on {page}.html these show no focus indicator: {unseen[:8]}"
