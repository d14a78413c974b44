"""The feedback page a student learns from, made by nbgrader's ``generate_feedback``.

The course's ``nbgrader_config.py`` plugs these into ``GenerateFeedback``, so
``nbgrader generate_feedback`` and ``upsampling-grader grade`` make the same
page:

* :class:`ClearHiddenTests`: nbgrader's, declaring the one option nbconvert
  sets for every preprocessor, so it no longer warns "Config option
  `display_data_priority` not recognized";
* :class:`FeedbackForStudents`: each graded test cell is named by its grade id
  and what it checks (its first comment line), every failed check of the cell
  is listed (a judged cell carries one line per failed check), and nbgrader's
  automatic "No response." comment is dropped instead of shown in a box
  under every answer;
* :class:`SafeFeedbackExporter`: the course's template (``feedback_templates/``)
  with a summary of the tests by name and points, MathJax from the grader's
  copy of the site's file, and the page made safe to open
  (:mod:`upsampling_grader.feedback_html`).
"""

from __future__ import annotations

import copy
from pathlib import Path

from nbconvert.exporters import HTMLExporter
from nbgrader.preprocessors import ClearHiddenTests as NbgraderClearHiddenTests
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import List

from upsampling_grader import feedback_html
from upsampling_grader.notebooks import is_graded_test_cell

TEMPLATES = Path(__file__).parent / "feedback_templates"
TEMPLATE_NAME = "course_feedback"
# nbgrader writes this comment for every unchanged answer; it tells a student nothing.
AUTOMATIC_COMMENTS = {"No response."}
FAILED_MARK = "✘"
# The course's GenerateFeedback steps (nbgrader_config.py).
FEEDBACK_STEPS = [
    "nbgrader.preprocessors.GetGrades",
    "upsampling_grader.feedback.ClearHiddenTests",
    "upsampling_grader.feedback.FeedbackForStudents",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
EXPORTER = "upsampling_grader.feedback.SafeFeedbackExporter"
PRIORITY = ["text/html", "text/markdown", "text/latex", "image/png", "image/jpeg", "text/plain"]


class ClearHiddenTests(NbgraderClearHiddenTests):
    """nbgrader's ClearHiddenTests, accepting the setting nbconvert gives every step."""

    # nbconvert's HTMLExporter configures display_data_priority for all its steps;
    # nbgrader's base class redeclares it without config=True, hence the warning.
    display_data_priority = List(PRIORITY).tag(config=True)


def what_it_checks(cell) -> str:
    """What a graded test cell checks, from its first comment line ("# Checks: ...")."""
    first = cell.source.lstrip().splitlines()[:1]
    if not first or not first[0].startswith("#"):
        return ""
    line = first[0].lstrip("#").strip()
    return line.removeprefix("Checks:").strip()


def failed_checks(output) -> list[str]:
    """Every failed check an error output of a test cell reports, one per line."""
    message = str(output.get("evalue", "")).strip()
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    if not lines:
        return [f"{output.get('ename', 'Error')} (the answer cell may still be unanswered)"]
    if output.get("ename") in ("AssertionError", "NotYet"):
        return lines
    return [f"{output.get('ename')}: {lines[0]}", *lines[1:]]


class FeedbackForStudents(NbGraderPreprocessor):
    """Names the tests, lists every failed check, drops empty comments (module docstring)."""

    display_data_priority = List(PRIORITY).tag(config=True)

    def preprocess_cell(self, cell, resources, cell_index):
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("comment") in AUTOMATIC_COMMENTS:
            meta["comment"] = None
        if not is_graded_test_cell(cell):
            return cell, resources
        meta["checks"] = what_it_checks(cell)
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                output["traceback"] = [f"{FAILED_MARK} {line}" for line in failed_checks(output)]
        return cell, resources


class SafeFeedbackExporter(HTMLExporter):
    """nbgrader's HTML exporter with the course's template, made safe to open."""

    def __init__(self, *args, **kwargs):
        # GenerateFeedback configures nbgrader's own template; this exporter is the
        # course's page, so its template wins (keyword arguments beat configuration).
        kwargs["template_name"] = TEMPLATE_NAME
        kwargs["extra_template_basedirs"] = [str(TEMPLATES)]
        super().__init__(*args, **kwargs)

    def from_notebook_node(self, nb, resources=None, **kw):
        nb = copy.deepcopy(nb)
        feedback_html.inert_outputs(nb)
        resources = resources if resources is not None else {}
        resources["feedback_page"] = feedback_html.head_elements()
        page, resources = super().from_notebook_node(nb, resources, **kw)
        return feedback_html.sanitised_page(page), resources
