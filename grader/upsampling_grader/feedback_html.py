"""Making a feedback page safe to open: sanitised body, no live script but MathJax.

A feedback page shows what a student wrote and what their code printed, and
the instructor opens it in a browser. Three layers keep anything in it from
running there (issue #28):

1. :func:`inert_outputs` drops every output whose MIME type a browser would
   run or embed (``application/javascript``, widget views, SVG, PDF, ...) and
   keeps text, HTML (sanitised below) and raster images, with a line saying
   what was removed;
2. :func:`sanitised_page` runs the page's body (markdown cells, outputs,
   code) through nh3, the maintained binding of the Rust sanitiser ammonia:
   no ``<script>``, ``<style>``, ``<iframe>``, ``<object>``, form or event
   handler survives, links keep only http(s), mailto and in-page targets,
   images only ``data:image/...`` pictures;
3. the page's head carries a Content-Security-Policy that lets only the two
   inline scripts this module writes run (by their SHA-256): MathJax,
   served from the grader's own copy of the site's file (no CDN, works
   offline), and its configuration. Nothing is loaded from anywhere.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import cache
from importlib import resources

import nh3

# The site's MathJax (_ext/static/mathjax/tex-svg.js, MathJax 3.2.2, Apache-2.0),
# shipped with the grader: the SVG build needs no font files.
MATHJAX_FILE = ("feedback_assets", "mathjax", "tex-svg.js")
MATHJAX_CONFIG = (
    "window.MathJax = {tex: {inlineMath: [['$', '$'], ['\\\\(', '\\\\)']], "
    "displayMath: [['$$', '$$'], ['\\\\[', '\\\\]']], processEscapes: true}, "
    "options: {enableMenu: false}, svg: {fontCache: 'global'}};"
)

# What a feedback page may show (the rest is dropped with a note).
SHOWN_MIME_TYPES = ("text/plain", "text/html", "text/markdown", "text/latex")
SHOWN_IMAGES = ("image/png", "image/jpeg", "image/gif")
REMOVED_NOTE = "[an output of type {kinds} was removed from this feedback page]\n"

# nh3's tags cover what nbconvert's classic template and the feedback template use.
ALLOWED_TAGS = set(nh3.ALLOWED_TAGS)
ALLOWED_ATTRIBUTES = {
    "*": {"class", "id", "title", "align"},
    "a": {"href", "name"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
}
SAFE_IMAGE = re.compile(r"data:image/(png|jpeg|gif);base64,[A-Za-z0-9+/=\s]*\Z")
SAFE_LINK = re.compile(r"(https?:|mailto:|#)", re.IGNORECASE)
BODY = re.compile(r"(<body[^>]*>)(.*)(</body>)", re.DOTALL | re.IGNORECASE)


def inert_outputs(nb) -> int:
    """Drop every active output of ``nb`` in place (module docstring); how many were dropped."""
    dropped = 0
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data")
            if not data:
                continue
            active = sorted(k for k in data if k not in SHOWN_MIME_TYPES + SHOWN_IMAGES)
            for kind in active:
                del data[kind]
            if active:
                dropped += len(active)
                note = REMOVED_NOTE.format(kinds=", ".join(active))
                data["text/plain"] = note + str(data.get("text/plain", ""))
            output.get("metadata", {}).pop("application/vnd.jupyter.widget-view+json", None)
    return dropped


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "href":
        return value if SAFE_LINK.match(value.strip()) else None
    if attribute == "src":
        return value if SAFE_IMAGE.match(value.strip()) else None
    return value


def sanitised(fragment: str) -> str:
    """An HTML fragment with nothing active left in it (module docstring, layer 2)."""
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style", "template", "noscript"},
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_keep_attribute,
        url_schemes={"http", "https", "mailto", "data"},
    )


@cache
def mathjax_script() -> str:
    """The text of MathJax's SVG build, as the site serves it."""
    return resources.files("upsampling_grader").joinpath(*MATHJAX_FILE).read_text("utf-8")


def _script_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def content_security_policy() -> str:
    """Nothing loads from anywhere; only the page's own MathJax scripts run."""
    scripts = " ".join(_script_hash(s) for s in (MATHJAX_CONFIG, mathjax_script()))
    return (
        f"default-src 'none'; script-src {scripts}; style-src 'unsafe-inline'; "
        "img-src data:; font-src data:; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    )


def head_elements() -> dict[str, str]:
    """What the feedback template writes into the page's head (the scripts exactly as hashed)."""
    return {
        "csp": content_security_policy(),
        "mathjax_config": MATHJAX_CONFIG,
        "mathjax": mathjax_script(),
    }


def sanitised_page(page: str) -> str:
    """The page with its body sanitised; the head is the template's own (module docstring)."""
    match = BODY.search(page)
    if match is None:
        raise ValueError("the feedback page has no <body>")
    start, body, end = match.groups()
    return page[: match.start()] + start + sanitised(body) + end + page[match.end() :]
