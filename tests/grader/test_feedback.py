"""The feedback page: tests by name, every failed check, and nothing live a student wrote.

The slow tests grade two submissions of predict_shapes with the real
`nbgrader autograde` and `nbgrader generate_feedback` and the course's
nbgrader_config.py: a hostile one (a markdown <script>, a javascript: iframe,
an event handler, an application/javascript output, an HTML output with a
script and a javascript: link) and an honest one with one wrong answer. The
fast ones check the pieces: the sanitiser, the checks a judged cell reports,
the released checksum and the MathJax copy.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell
from nbgrader.utils import compute_checksum

from tests.assignments.wrong_answers.predict_shapes import WRONG_ANSWERS
from tests.support.grading import (
    EXERCISES,
    REPO_ROOT,
    SOLUTIONS,
    ScratchCourse,
    filled_in,
    graded_test_ids,
    run_grader,
    solution_answers,
)
from upsampling_grader import feedback, feedback_html
from upsampling_grader.judge.verdicts import failed, outputs
from upsampling_grader.overwrite_cells import released_checksum

# The module fixture grades two students: on one worker only (without a group, both
# workers took some of these tests and each graded the two students, 30 s apiece).
pytestmark = pytest.mark.xdist_group("feedback")

ASSIGNMENT = "predict_shapes"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
WRONG = WRONG_ANSWERS["valid_ignores_stride"]
HOSTILE_MARKDOWN = (
    "Notes <script>alert('markdown')</script>\n\n"
    "<iframe src=\"javascript:alert('iframe')\"></iframe>\n\n"
    '<img alt="x" src="x" onerror="alert(\'img\')"> <a href="javascript:alert(\'link\')">read</a>'
)
HOSTILE_CODE = (
    "from IPython.display import HTML, Javascript, display\n"
    "display(Javascript(\"alert('javascript output')\"))\n"
    "display(HTML(\"<b onclick=\\\"alert('html')\\\">bold</b><script>alert('html script')</script>"
    "<a href='javascript:alert(1)'>x</a>\"))"
)


class Elements(HTMLParser):
    """Every start tag of a page with its attributes, and the text of each <script>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def elements(page: str) -> Elements:
    parser = Elements()
    parser.feed(page)
    return parser


def body_of(page: str) -> str:
    return page[page.index("<body") :]


@pytest.fixture(scope="module")
def feedback_pages(tmp_path_factory) -> dict[str, str]:
    """student -> feedback HTML, made by nbgrader's own commands with the course's config."""
    course = ScratchCourse(tmp_path_factory.mktemp("feedback") / "course", [ASSIGNMENT])
    course.release(ASSIGNMENT)
    release = nbformat.read(EXERCISES / ASSIGNMENT / NOTEBOOK, as_version=4)
    source = nbformat.read(SOLUTIONS / ASSIGNMENT / NOTEBOOK, as_version=4)
    honest = filled_in(release, {**solution_answers(source), WRONG["answer"]: WRONG["source"]})
    hostile = filled_in(release, solution_answers(source))
    hostile.cells[1:1] = [new_markdown_cell(HOSTILE_MARKDOWN), new_code_cell(HOSTILE_CODE)]
    for student, nb in (("honest", honest), ("hostile", hostile)):
        course.submit(student, ASSIGNMENT, {NOTEBOOK: nb})
    # The course's command: the judge scores the tests, then nbgrader makes the feedback
    # with the course's exporter (plain `nbgrader autograde` gives judged tests 0).
    result = run_grader(
        "grade", ASSIGNMENT, "--course", str(course.root), "--quiet", cwd=course.root
    )
    assert result.returncode in (0, 1), result.stderr[-3000:]
    folder = course.root / "feedback"
    return {
        s: (folder / s / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
        for s in ("honest", "hostile")
    }


def test_nothing_the_hostile_student_wrote_is_live(feedback_pages):
    page = feedback_pages["hostile"]
    body = elements(body_of(page))
    assert not body.scripts, body.scripts[:2]
    kinds = {tag for tag, _ in body.tags}
    assert not kinds & {"iframe", "object", "embed", "script", "style", "form", "svg"}
    for tag, attrs in body.tags:
        handlers = [name for name in attrs if name.startswith("on")]
        assert not handlers, (tag, attrs)
        for name in ("href", "src", "action", "formaction"):
            assert not attrs.get(name, "").strip().lower().startswith("javascript:"), (tag, attrs)
    # The page says what it removed, and still shows the student's text.
    assert "application/javascript" in page and "removed from this feedback page" in page
    assert "Notes" in page and "bold" in page


def test_only_the_pages_own_mathjax_may_run(feedback_pages):
    page = feedback_pages["hostile"]
    head = elements(page[: page.index("<body")])
    policy = next(
        a["content"]
        for t, a in head.tags
        if a.get("http-equiv", "").lower() == "content-security-policy"
    )
    assert (
        "default-src 'none'" in policy
        and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    )
    allowed = set(re.findall(r"'sha256-([^']+)'", policy))
    for script in head.scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert digest in allowed
    assert any("MathJax" in s and len(s) > 1_000_000 for s in head.scripts)  # served inline
    assert not [a for t, a in head.tags if t == "script" and a.get("src")]  # nothing fetched


def test_the_honest_students_feedback_names_every_test_and_every_failed_check(feedback_pages):
    page = feedback_pages["honest"]
    text = re.sub(r"<[^>]+>", "", page)
    source = nbformat.read(SOLUTIONS / ASSIGNMENT / NOTEBOOK, as_version=4)
    for grade_id in graded_test_ids(source):
        assert re.search(rf"{grade_id}: .+\(Score: [\d.]+ / [\d.]+\)", text), grade_id
    assert "Test cell" not in text and "No response." not in text
    # The judge's message for the failed check, with the mark, naming the mistake.
    assert re.search(r"✘[^\n]*" + re.escape(WRONG["says"]), text), WRONG["says"]


def test_the_sanitiser_keeps_layout_and_pictures_and_drops_what_runs():
    png = "data:image/png;base64,iVBORw0KGgo="
    kept = feedback_html.sanitised(
        f'<div class="output"><a href="#top" name="t">top</a><img src="{png}" alt="plot"></div>'
    )
    assert 'class="output"' in kept and 'href="#top"' in kept and png in kept
    dropped = feedback_html.sanitised(
        "<script>alert(1)</script><iframe src=x></iframe><p onclick='x()'>p</p>"
        "<img src='data:text/html,<script>'><a href=' javascript:x()'>a</a><style>*{}</style>"
    )
    assert "script" not in dropped and "iframe" not in dropped and "onclick" not in dropped
    assert "data:text" not in dropped and "javascript" not in dropped and "style" not in dropped


def test_a_judged_cell_shows_every_failed_check():
    verdict = failed("the first size is wrong", "the second size is wrong", "the third is too")
    (error,) = outputs(verdict, 2.0)
    assert feedback.failed_checks(error) == list(verdict.lines)
    blank = {"output_type": "error", "ename": "NotImplementedError", "evalue": ""}
    assert "unanswered" in feedback.failed_checks(blank)[0]


def test_a_test_cell_as_released_has_the_release_checksum():
    """What OverwriteCells compares with is exactly what the student was given."""
    source = nbformat.read(SOLUTIONS / ASSIGNMENT / NOTEBOOK, as_version=4)
    release = nbformat.read(EXERCISES / ASSIGNMENT / NOTEBOOK, as_version=4)
    released = {
        c.metadata["nbgrader"]["grade_id"]: c for c in release.cells if "nbgrader" in c.metadata
    }
    checked = 0
    for cell in source.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in graded_test_ids(source) and "HIDDEN TESTS" in cell.source:
            given = released[grade_id]
            assert released_checksum(given, cell.source) == compute_checksum(given)
            edited = copy.deepcopy(given)
            edited.source += "\nassert True"
            assert released_checksum(edited, cell.source) != compute_checksum(edited)
            checked += 1
    assert checked


def test_the_chinese_release_s_instructions_are_known_as_another_edition():
    """The Chinese release's locked cells are an edition of the release, the English ones are
    the release itself, and an instruction edited by hand is neither."""
    from upsampling_grader.assignment import edition_checksums

    editions = edition_checksums(EXERCISES / ASSIGNMENT, [Path(NOTEBOOK).stem])[Path(NOTEBOOK).stem]
    chinese = nbformat.read(EXERCISES / ASSIGNMENT / "zh" / NOTEBOOK, as_version=4)
    english = nbformat.read(EXERCISES / ASSIGNMENT / NOTEBOOK, as_version=4)
    locked = [c for c in chinese.cells if c.metadata.get("nbgrader", {}).get("locked")]
    assert locked and all(
        compute_checksum(c) in editions[c.metadata["nbgrader"]["grade_id"]] for c in locked
    )
    translated = {
        c.metadata["nbgrader"]["grade_id"]: c
        for c in english.cells
        if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("locked")
    }
    assert translated
    for grade_id, cell in translated.items():
        assert compute_checksum(cell) not in editions[grade_id], grade_id
        edited = copy.deepcopy(
            next(c for c in locked if c.metadata["nbgrader"]["grade_id"] == grade_id)
        )
        edited.source += "\n我改了这里。"
        assert compute_checksum(edited) not in editions[grade_id], grade_id


def test_the_feedback_mathjax_is_the_sites_copy():
    site = REPO_ROOT / "_ext" / "static" / "mathjax" / "tex-svg.js"
    assert feedback_html.mathjax_script() == site.read_text("utf-8")
