"""The page conventions every chapter follows, checked on its MyST source.

One function per convention, on a page read by
tools.page_source, each returning the problems it finds as
`Problem(line, message)`, so a test can name every offending line at once.
The conventions (CONTRIBUTING.md, "Writing a chapter"):

1. each `Predict first` admonition is answered by one dropdown titled
   "Answer..." after the code that answers it, before the next box;
2. the chapter ends with `## What to remember` (a list) and `## Self-check`
   (two or three questions, each with its own Answer dropdown);
3. an `Exercise` admonition links its section of the Exercises page;
4. no visible code cell is over 20 lines;
5. no glue call glues a string (it renders in quotes: glue the number and put
   the format in the role).

Used by tests/book/test_reading.py (sources) and tests/book/test_book.py (built HTML).
"""

from __future__ import annotations

import ast
import html
import re

from tools.page_source import (
    LIST_ITEM_LINE,
    Block,
    Page,
    Problem,
    cell_options,
    parse_page,
)

MAX_VISIBLE_CODE_LINES = 20
HIDDEN_CELL_TAGS = {"remove-cell", "remove-input"}
_EXERCISE_LINK = re.compile(
    r"\]\((?:\./)?exercises(?:\.md)?#(?P<anchor>[\w-]+)\)"  # [text](exercises.md#section)
    r"|\{ref\}`(?:[^`<]*<)?(?P<label>[\w-]+)>?`"  # {ref}`label` or {ref}`text <label>`
)


def _is_predict_box(block: Block) -> bool:
    return block.name == "admonition" and block.arg.lower().startswith("predict")


def _is_answer(block: Block) -> bool:
    return block.name == "dropdown" and block.arg.lower().startswith("answer")


def _heading_line(page: Page, title: str, level: int = 2) -> int | None:
    for heading in page.headings:
        if heading.level == level and heading.title.strip().lower() == title.lower():
            return heading.line
    return None


def predict_box_problems(page: Page) -> list[Problem]:
    """Each Predict first box: one Answer dropdown after it and its code, before the next box."""
    problems = []
    boxes = [b for b in page.blocks if _is_predict_box(b)]
    self_check = _heading_line(page, "Self-check") or len(page.lines) + 1
    for index, box in enumerate(boxes):
        for inner in page.blocks:
            if inner.name == "dropdown" and inner.inside(box):
                problems.append(
                    Problem(
                        inner.start,
                        "the answer sits inside the Predict first box: move it after the code "
                        "that answers it, as `:::{dropdown} Answer`",
                    )
                )
        limit = boxes[index + 1].start if index + 1 < len(boxes) else self_check
        answers = [
            b
            for b in page.blocks
            if _is_answer(b) and box.end < b.start < limit and b.parent is None
        ]
        if not answers:
            problems.append(
                Problem(
                    box.start,
                    "Predict first box without an `:::{dropdown} Answer` after it "
                    "(before the next box or the Self-check)",
                )
            )
            continue
        if len(answers) > 1:
            lines = ", ".join(str(a.start) for a in answers)
            problems.append(
                Problem(
                    box.start,
                    f"Predict first box with {len(answers)} Answer dropdowns (lines {lines}): one answer per box",
                )
            )
        code_between = [
            b for b in page.blocks if b.name == "code-cell" and box.end < b.start < answers[0].start
        ]
        if not code_between:
            problems.append(
                Problem(
                    answers[0].start,
                    "the Answer comes before any code cell that answers the prediction",
                )
            )
    return problems


def summary_problems(page: Page) -> list[Problem]:
    """`## What to remember` (a list) then `## Self-check` (2-3 answered questions), last."""
    problems = []
    last = len(page.lines) + 1
    remember = _heading_line(page, "What to remember")
    self_check = _heading_line(page, "Self-check")
    if remember is None:
        problems.append(Problem(last, "no `## What to remember` section"))
    if self_check is None:
        problems.append(Problem(last, "no `## Self-check` section"))
    if remember is None or self_check is None:
        return problems
    if remember > self_check:
        problems.append(Problem(remember, "`## What to remember` must come before `## Self-check`"))
    later = [h for h in page.headings if h.level <= 2 and h.line > max(remember, self_check)]
    if later:
        problems.append(
            Problem(
                later[0].line,
                f"section `{later[0].title}` after the Self-check: the chapter ends with it",
            )
        )
    summary_end = self_check if remember < self_check else last
    summary = page.lines[remember : summary_end - 1]
    if not any(LIST_ITEM_LINE.match(line) for line in summary):
        problems.append(Problem(remember, "`## What to remember` holds no list"))
    end = next((h.line for h in page.headings if h.line > self_check and h.level <= 2), last)
    answers = [
        b for b in page.blocks if _is_answer(b) and self_check < b.start < end and b.parent is None
    ]
    if not 2 <= len(answers) <= 3:
        problems.append(
            Problem(
                self_check,
                f"the Self-check has {len(answers)} questions with an Answer dropdown; it needs 2 or 3",
            )
        )
    previous_end = self_check
    for answer in answers:
        between = page.lines[previous_end : answer.start - 1]
        if not any(line.strip() and not line.lstrip().startswith(":::") for line in between):
            problems.append(Problem(answer.start, "an Answer dropdown with no question before it"))
        previous_end = answer.end
    return problems


def exercise_anchors(exercises_page: str) -> set[str]:
    """Anchors a link into the Exercises page can use: its labels and its headings' slugs."""
    page = parse_page(exercises_page)
    return set(page.labels) | {_slug(h.title) for h in page.headings}


def _slug(title: str) -> str:
    text = re.sub(r"[^\w\s-]", "", title.strip().lower())
    return re.sub(r"\s+", "-", text)


def exercise_link_problems(page: Page, anchors: set[str]) -> list[Problem]:
    """An `Exercise` admonition that links an existing section of book/exercises.md."""
    boxes = [
        b for b in page.blocks if b.name == "admonition" and b.arg.lower().startswith("exercise")
    ]
    if not boxes:
        return [
            Problem(len(page.lines), "no `:::{admonition} Exercise` linking its Exercises section")
        ]
    problems = []
    for box in boxes:
        found = [m for line in box.body for m in _EXERCISE_LINK.finditer(line)]
        # The book has no heading anchors, so the strict build cannot resolve
        # exercises.md#section: the page defines a label per section instead.
        problems += [
            Problem(
                box.start,
                f"the Exercise admonition links exercises.md#{m['anchor']}, which the strict "
                f"build cannot resolve: write {{ref}}`text <{m['anchor']}>`",
            )
            for m in found
            if m["anchor"]
        ]
        links = [m["label"] for m in found if m["label"] and m["label"] in anchors]
        if not found:
            problems.append(
                Problem(
                    box.start,
                    "the Exercise admonition links no section of the Exercises page "
                    "({ref}`text <label>` with a label the Exercises page defines)",
                )
            )
        elif not links and any(m["label"] for m in found):
            labels = ", ".join(m["label"] for m in found if m["label"])
            problems.append(
                Problem(
                    box.start,
                    f"the Exercise admonition's {{ref}} ({labels}) is not a section of the Exercises page",
                )
            )
        problems += [
            Problem(
                box.start,
                f"the Exercise admonition links exercises.md#{a}, a section the Exercises page lacks",
            )
            for a in links
            if a not in anchors
        ]
    return problems


def long_cell_problems(page: Page, limit: int = MAX_VISIBLE_CODE_LINES) -> list[Problem]:
    """Visible code cells longer than `limit` lines (remove-cell / remove-input do not count)."""
    problems = []
    for block in page.blocks:
        if block.name != "code-cell":
            continue
        options, code = cell_options(block)
        tags = set(options.get("tags") or [])
        if len(code) > limit and not tags & HIDDEN_CELL_TAGS:
            problems.append(
                Problem(
                    block.start,
                    f"a visible code cell of {len(code)} lines (at most {limit}): move logic into the package",
                )
            )
    return problems


def glued_string_problems(page: Page) -> list[Problem]:
    """glue calls whose value is built as a string (f-string, format, str, join, literal)."""
    problems = []
    for block in page.blocks:
        if block.name != "code-cell":
            continue
        _, code = cell_options(block)
        first_code_line = block.start + len(block.body) - len(code) - _trailing_blank(block)
        source = "\n".join(
            "pass" if line.lstrip().startswith(("%", "!")) else line for line in code
        )
        try:
            tree = ast.parse(source)
        except SyntaxError as error:
            problems.append(Problem(block.start, f"code cell does not parse: {error.msg}"))
            continue
        for node in ast.walk(tree):
            if _is_glue_call(node) and len(node.args) >= 2 and _builds_string(node.args[1]):
                name = ast.unparse(node.args[0])
                problems.append(
                    Problem(
                        first_code_line + node.lineno,
                        f"glue({name}, ...) glues a string, which renders in quotes: glue the number "
                        "and put the format in the role, e.g. {glue:text}`name:,`",
                    )
                )
    return problems


def _trailing_blank(block: Block) -> int:
    count = 0
    for line in reversed(block.body):
        if line.strip():
            break
        count += 1
    return count


def _is_glue_call(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    return (isinstance(func, ast.Name) and func.id == "glue") or (
        isinstance(func, ast.Attribute) and func.attr == "glue"
    )


def _builds_string(node: ast.AST) -> bool:
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return isinstance(node.left, (ast.Constant, ast.JoinedStr))
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name):
            return func.id in {"str", "format", "repr"}
        if isinstance(func, ast.Attribute) and func.attr in {"format", "join"}:
            return isinstance(func.value, (ast.Constant, ast.JoinedStr))
    return False


def page_problems(text: str, exercise_page_anchors: set[str]) -> dict[str, list[Problem]]:
    """Every convention's problems on one page, by convention."""
    page = parse_page(text)
    return {
        "predict boxes": predict_box_problems(page),
        "summary and self-check": summary_problems(page),
        "exercise link": exercise_link_problems(page, exercise_page_anchors),
        "long code cells": long_cell_problems(page),
        "glued strings": glued_string_problems(page),
    }


_GLUED_SPAN = re.compile(
    r'<span class="(?P<classes>[^"]*\b(?:pasted-text|text_plain)\b[^"]*)"[^>]*>(?P<text>[^<]*)</span>'
)
_QUOTES = "'\"‘’“”"


def quoted_glue_values(markup: str) -> list[str]:
    """Glued values in built HTML that render inside quotes (a string was glued)."""
    found = []
    for match in _GLUED_SPAN.finditer(markup):
        text = html.unescape(match["text"]).strip()
        if len(text) >= 2 and text[0] in _QUOTES and text[-1] in _QUOTES:
            found.append(text)
    return found
