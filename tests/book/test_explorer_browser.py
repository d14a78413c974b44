"""The transposed-convolution explorer (_static/explorer.js) in headless Chromium.

On the built chapter *One operator behind every upsampling layer*: for a grid
of settings the widget's output length, kept window, overlap-count map and
error messages equal the Python reference
(upsampling_course.explorer.explorer_outcome, itself checked against Keras in
tests/unit/test_operators.py); its controls are labelled and work by keyboard, its
result is announced (aria-live); at a phone width of 375 pixels the page does
not scroll sideways. The other chapters that embed it build it without errors.

Uses the shared browser fixtures (tests/support/browser.py) and the lead's
built book; COURSE_SITE_DIR points them at another built folder while
developing.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from upsampling_course.explorer import explorer_outcome

# The worker that builds the book (session fixture built_book) runs these too.
pytestmark = pytest.mark.xdist_group("book")

CHAPTER = "book/one_operator.html"
EMBEDDING_PAGES = ["book/conv2d_transpose.html", "book/checkerboard_artifacts.html"]
PHONE = {"width": 375, "height": 812}
GRID = list(
    itertools.product((1, 2, 3, 5), (1, 2, 3, 4, 5), (1, 2, 3), ("valid", "same"), (None, 0, 1, 2))
)

# Set every control of the first explorer, let it update, read back what it shows.
READ_SETTINGS = """
(settings) => {
  const root = document.querySelector("div.course-explorer");
  // Set all five values, then fire one input event, as one edit would.
  const set = (name, value) => {
    root.querySelector(`[name="${name}"]`).value = String(value);
  };
  return settings.map(([size, kernel, stride, padding, outputPadding]) => {
    set("size", size);
    set("kernel", kernel);
    set("stride", stride);
    set("padding", padding);
    set("output_padding", outputPadding === null ? "None" : outputPadding);
    root.querySelector('[name="size"]').dispatchEvent(new Event("input", { bubbles: true }));
    const rows = [...root.querySelectorAll("table.explorer-overlap tr")];
    const sums = root.querySelector("tr.explorer-sums");
    const kept = [...root.querySelectorAll("tr.explorer-kept td")];
    return {
      length: root.dataset.length === undefined ? null : Number(root.dataset.length),
      error: root.dataset.error === undefined ? null : root.dataset.error,
      status: root.querySelector(".explorer-result").textContent,
      overlap: rows.map((row) => [...row.querySelectorAll("td")].map((td) => Number(td.textContent))),
      taps: sums ? [...sums.querySelectorAll("td")].map((td) => Number(td.textContent)) : [],
      keptStart: kept.findIndex((td) => td.classList.contains("explorer-keep")),
    };
  });
}
"""


@pytest.fixture
def chapter(visit):
    page_visit = visit("one_operator explorer", CHAPTER)
    assert page_visit.page.locator("div.course-explorer form").count() >= 1, (
        f"{CHAPTER} has no built explorer: is _static/explorer.js on the page?"
    )
    return page_visit


def test_widget_equals_the_python_reference_on_a_grid(chapter):
    shown = chapter.page.evaluate(READ_SETTINGS, [list(setting) for setting in GRID])
    errors = lengths = 0
    for setting, widget in zip(GRID, shown, strict=True):
        expected = explorer_outcome(*setting)
        if "error" in expected:
            assert widget["error"] == expected["error"], setting
            assert expected["error"] in widget["status"], setting
            errors += 1
            continue
        assert widget["error"] is None and widget["length"] == expected["length"], (setting, widget)
        counts = expected["counts"]
        assert widget["overlap"] == np.outer(counts, counts).astype(int).tolist(), setting
        start = expected["start"]
        assert widget["taps"][start : start + len(counts)] == counts, setting
        if counts:
            assert widget["keptStart"] == start, setting
        lengths += 1
    assert errors > 100 and lengths > 300, (errors, lengths)
    assert not chapter.problems, chapter.problems


def test_widget_works_by_keyboard_and_announces_its_result(chapter):
    page = chapter.page
    root = page.locator("div.course-explorer").first
    for label in ("input size", "kernel_size", "strides", "padding", "output_padding"):
        assert root.get_by_label(label, exact=True).count() == 1, f"no control labelled {label!r}"
    status = root.locator(".explorer-result")
    assert status.get_attribute("aria-live") == "polite"
    size = root.get_by_label("input size", exact=True)
    size.fill("3")
    size.focus()
    page.keyboard.press("ArrowUp")
    assert size.input_value() == "4"
    assert status.text_content().startswith(
        f"Output: {explorer_outcome(4, 3, 2, 'valid', None)['length']} ×"
    )
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "kernel"
    page.keyboard.press("ArrowUp")  # kernel 4
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "padding"
    page.keyboard.press("ArrowDown")  # same
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "output_padding"
    page.keyboard.press("ArrowDown")  # 0: even kernel, 'same', output_padding=0 cannot run
    assert root.get_attribute("data-error") == explorer_outcome(4, 4, 2, "same", 0)["error"]
    page.keyboard.press("ArrowDown")  # 1
    assert status.text_content().startswith(
        f"Output: {explorer_outcome(4, 4, 2, 'same', 1)['length']} ×"
    )
    assert not chapter.problems, chapter.problems


def test_widget_fits_a_phone_screen(chapter, screenshots):
    page = chapter.page
    page.set_viewport_size(PHONE)
    root = page.locator("div.course-explorer").first
    for name, value in (("size", "8"), ("kernel", "7"), ("stride", "4")):
        root.locator(f'[name="{name}"]').fill(value)  # the largest maps: they scroll inside
    page.wait_for_timeout(100)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls {overflow} px sideways at 375 px"
    box = root.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 0.5, box
    page.screenshot(path=str(screenshots / "explorer-phone.png"), full_page=False)
    assert not chapter.problems, chapter.problems


@pytest.mark.parametrize("path", EMBEDDING_PAGES)
def test_embedding_pages_build_the_widget_without_errors(visit, path):
    page_visit = visit(path, path)
    widgets = page_visit.page.locator("div.course-explorer")
    if widgets.count() == 0:
        pytest.fail(
            f"{path} embeds no explorer (a 'Try it' block with <div class=\"course-explorer\">)"
        )
    assert widgets.first.locator(".explorer-result").text_content().strip()
    assert not page_visit.problems, page_visit.problems
