"""Keeping hidden tests out of what students see (nbgrader issue #917)."""

from __future__ import annotations

import html as html_module
import json
import re

from upsampling_grader.notebooks import is_graded_test_cell

HIDDEN_TEXT_REPLACEMENT = "[hidden test text removed by the grader]"
ANSI_CODE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
HTML_TAG = re.compile(r"<[^>]+>")


def redact(text: str, hidden_lines: set[str]) -> str:
    """Replace each hidden line, as is or as it appears inside a notebook's JSON."""
    for line in sorted(hidden_lines, key=len, reverse=True):
        for form in (line, json.dumps(line)[1:-1]):
            if form in text:
                text = text.replace(form, HIDDEN_TEXT_REPLACEMENT)
    return text


def redact_outputs(nb, hidden_lines: set[str]) -> None:
    """Remove hidden-test text from what the feedback will show.

    A failing test cell's traceback quotes the test's code around the failing
    line, hidden tests included: keep only its last line (the assertion's
    message, written for students). Student code may also print hidden tests
    (by reading the notebook being graded): those lines are replaced.
    """
    for cell in nb.cells:
        is_test = is_graded_test_cell(cell)
        for output in cell.get("outputs", []):
            if is_test and output.get("output_type") == "error":
                output["traceback"] = [f"{output.get('ename')}: {output.get('evalue')}"]
            if "text" in output:
                output["text"] = redact(output["text"], hidden_lines)
            if "traceback" in output:
                # Colour codes can split a quoted line of the test; drop them first.
                output["traceback"] = [
                    redact(ANSI_CODE.sub("", t), hidden_lines) for t in output["traceback"]
                ]
            if "evalue" in output:
                output["evalue"] = redact(output["evalue"], hidden_lines)
            for kind, value in output.get("data", {}).items():
                if isinstance(value, str) and kind.startswith("text/"):
                    output["data"][kind] = redact(value, hidden_lines)


def html_contains(html: str, line: str) -> bool:
    """Whether an HTML page shows a line, as text or escaped."""
    plain = HTML_TAG.sub("", html)
    return line in html_module.unescape(plain) or html_module.escape(line) in html


def leaked_lines(html: str, hidden_lines: set[str]) -> list[str]:
    return [line for line in hidden_lines if html_contains(html, line)]
