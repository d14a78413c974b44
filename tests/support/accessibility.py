"""What a screen-reader or keyboard user meets on a page: axe-core's verdict and the Tab walk.

axe-core comes bundled in the `axe-playwright-python` package (nothing is
downloaded). A violation of impact "serious" or "critical" fails the page; a
"moderate" one fails it unless :data:`KEPT_MODERATE` keeps the rule, with the
reason; "minor" ones are not checked.
"""

from __future__ import annotations

BLOCKING_IMPACTS = ("serious", "critical")
# axe rule id -> why its moderate findings stay on the site (none at present).
KEPT_MODERATE: dict[str, str] = {}


def axe_violations(page) -> list[dict]:
    """axe-core's violations on the page as it is now (every WCAG rule axe runs)."""
    from axe_playwright_python.sync_playwright import Axe

    # No CSSOM preload: axe would fetch each stylesheet's @import relative to the
    # page instead of the stylesheet (a 404 for the theme's "../basic.css"); only
    # the css-orientation-lock rule needs it.
    options = {"resultTypes": ["violations"], "preload": False}
    return Axe().run(page, options=options).response["violations"]


def describe(violation: dict) -> str:
    nodes = violation["nodes"]
    where = "; ".join(" ".join(node["target"]) if node["target"] else "?" for node in nodes[:3])
    more = f" (+{len(nodes) - 3} more)" if len(nodes) > 3 else ""
    return (
        f"axe {violation['impact']} `{violation['id']}`: {violation['help']} "
        f"on {len(nodes)} element(s): {where}{more}"
    )


def axe_problems(violations: list[dict], kept=KEPT_MODERATE) -> list[str]:
    """The violations that fail a page: serious/critical, and moderate ones not kept."""
    return [
        describe(violation)
        for violation in violations
        if violation["impact"] in BLOCKING_IMPACTS
        or (violation["impact"] == "moderate" and violation["id"] not in kept)
    ]


# Press Tab until focus comes back round; for each stop, whether the focused
# element draws a focus indicator (outline or box shadow) that it lacks unfocused.
FOCUS_STOP = """() => {
  const node = document.activeElement;
  if (!node || node === document.body) return null;
  const style = getComputedStyle(node);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow && style.boxShadow !== "none";
  const box = node.getBoundingClientRect();
  return {
    key: Array.prototype.indexOf.call(document.getElementsByTagName("*"), node),
    html: node.outerHTML.slice(0, 120),
    name: (node.getAttribute("aria-label") || node.textContent || node.value || "")
      .trim().slice(0, 40),
    tag: node.tagName.toLowerCase(),
    indicated: outline || !!shadow,
    visible: box.width > 0 && box.height > 0,
  };
}"""

# Every control a mouse user could click on the page as it shows (not in a
# closed menu or collapsed dropdown). Elements are told apart by their place
# in the document (two search buttons have the same markup).
VISIBLE_CONTROLS = """() => {
  const controls = document.querySelectorAll(
    "a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex='-1'])");
  const shown = (node) => {
    if (node.closest("[hidden], details:not([open]) > :not(summary)")) return false;
    const box = node.getBoundingClientRect();
    const style = getComputedStyle(node);
    return box.width > 0 && box.height > 0 && style.visibility !== "hidden";
  };
  return Array.from(controls).filter(shown).filter((node) => !node.disabled)
    .filter((node) => node.type !== "radio" || node.checked)  // one Tab stop per group
    .map((node) => ({key: Array.prototype.indexOf.call(document.getElementsByTagName("*"), node),
                     html: node.outerHTML.slice(0, 120)}));
}"""


def tab_through(page, limit: int = 600) -> list[dict]:
    """Focus stops, in order, from the top of the page until focus cycles or leaves."""
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); }")
    stops, seen = [], set()
    for _ in range(limit):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUS_STOP)
        if stop is None or stop["key"] in seen:
            break
        seen.add(stop["key"])
        stops.append(stop)
    return stops
