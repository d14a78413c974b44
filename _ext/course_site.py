"""Small fixes to the built website, loaded by _config.yml (sphinx.local_extensions).

Sphinx 7.4 registers an inline script that an extension adds after the
builder starts (sphinx-thebe's configuration, sphinx-togglebutton's selector)
twice: once with the file name None and once with "". The second copy of
sphinx-thebe's `const THEBE_JS_URL = ...` is a JavaScript error on every
page, which tests/test_site_browser.py rightly reports. This extension drops
the repeated copies before each page is written.
"""

from __future__ import annotations

from typing import Any


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


def setup(app):
    app.connect("html-page-context", drop_repeated_scripts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
