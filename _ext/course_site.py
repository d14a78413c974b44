"""Small fixes to the built website, loaded by _config.yml (sphinx.local_extensions).

Sphinx 7.4 registers an inline script that an extension adds after the
builder starts (sphinx-thebe's configuration, sphinx-togglebutton's selector)
twice: once with the file name None and once with "". The second copy of
sphinx-thebe's `const THEBE_JS_URL = ...` is a JavaScript error on every
page, which tests/test_site_browser.py rightly reports. This extension drops
the repeated copies before each page is written.

Matplotlib's JavaScript animations (`Animation.to_jshtml`) link Font Awesome
4 from a CDN for their button icons. The theme already ships Font Awesome,
which draws the same `fa fa-play` icons, so the link is removed: the site
then needs no network for its animations.

Formulas are typeset by MathJax 3.2.2 served from the site itself
(`static/mathjax/tex-svg.js`, Apache-2.0, from the `mathjax` npm package;
the SVG build needs no font files), not from a CDN, so they render offline.
The file lives here rather than in `_static/` because Jupyter Book adds every
script under `_static/` to every page, which would load MathJax twice.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

STATIC = Path(__file__).parent / "static"

ANIMATION_ICON_CDN = re.compile(
    r'<link\s+rel="stylesheet"\s+href="https://[^"]*/font-awesome/[^"]*\.css"\s*/?>'
)


def _script_key(script: Any) -> tuple:
    filename = getattr(script, "filename", script) or ""
    attributes = getattr(script, "attributes", {})
    return (filename, tuple(sorted(attributes.items())))


def drop_repeated_scripts(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple] = set()
    unique = []
    for script in scripts:
        key = _script_key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def drop_animation_icon_cdn(app, pagename, templatename, context, doctree) -> None:
    body = context.get("body")
    if body and "font-awesome" in body:
        context["body"] = ANIMATION_ICON_CDN.sub("", body)


def serve_mathjax_locally(app, config) -> None:
    config.html_static_path.append(str(STATIC))
    # Relative to _static/ in the built site.
    config.mathjax_path = "mathjax/tex-svg.js"


def setup(app):
    app.connect("config-inited", serve_mathjax_locally)
    app.connect("html-page-context", drop_repeated_scripts)
    app.connect("html-page-context", drop_animation_icon_cdn)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
