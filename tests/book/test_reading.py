"""Every chapter and the lab follow the page conventions (CONTRIBUTING.md, "Writing a chapter").

Checked on the MyST sources of the pages listed under Chapters and Lab in
_toc.yml, so no build is needed; each failure names every offending
`page.md:line`. The rule behind each check is in tools.page_conventions;
the unit tests at the end show that each check fails on a page that breaks it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tools import page_conventions as conventions
from tools.book_toc import REPO_ROOT, toc_files

READ_PARTS = ("Chapters", "Lab")
PAGES = toc_files(parts=READ_PARTS)
EXERCISES = REPO_ROOT / "book" / "exercises.md"


def report(page: str, problems: list[conventions.Problem]) -> str:
    return "\n".join(f"{page}.md:{p.line}: {p.message}" for p in problems)


def parsed(page: str) -> conventions.Page:
    return conventions.parse_page((REPO_ROOT / f"{page}.md").read_text())


def test_the_chapters_and_the_lab_are_read():
    assert "book/why_upsampling" in PAGES and "book/mnist_lab" in PAGES, PAGES


@pytest.mark.parametrize("page", PAGES)
def test_each_predict_box_has_its_hidden_answer_after_the_code(page):
    problems = conventions.predict_box_problems(parsed(page))
    assert not problems, report(page, problems)


@pytest.mark.parametrize("page", PAGES)
def test_ends_with_what_to_remember_and_a_self_check(page):
    problems = conventions.summary_problems(parsed(page))
    assert not problems, report(page, problems)


@pytest.mark.parametrize("page", PAGES)
def test_links_its_exercise(page):
    anchors = conventions.exercise_anchors(EXERCISES.read_text())
    problems = conventions.exercise_link_problems(parsed(page), anchors)
    assert not problems, report(page, problems)


@pytest.mark.parametrize("page", PAGES)
def test_no_visible_code_cell_over_20_lines(page):
    problems = conventions.long_cell_problems(parsed(page))
    assert not problems, report(page, problems)


@pytest.mark.parametrize("page", PAGES)
def test_glues_numbers_not_strings(page):
    problems = conventions.glued_string_problems(parsed(page))
    assert not problems, report(page, problems)


def page_labels(page: str) -> list[str]:
    return parsed(page).labels


@pytest.mark.parametrize("page", PAGES)
def test_the_exercises_page_links_back(page):
    text = EXERCISES.read_text()
    names = [Path(page).name + ".md", *(f"`{label}`" for label in page_labels(page))]
    assert any(name in text for name in names), (
        f"book/exercises.md links no section back to {page}.md "
        f"(a {{ref}} to one of {page_labels(page)} or a link to {Path(page).name}.md)"
    )


# The checks themselves: a page that follows every convention, then one break each.
GOOD_PAGE = """\
---
jupytext:
  text_representation: {}
---
(good-page)=
# A good page

::::{admonition} Predict first
How many?
::::

```{code-cell} ipython3
:tags: [remove-cell]
glue("count", 1153, display=False)
```

:::{dropdown} Answer: {glue:text}`count:,`
Because.
:::

:::{admonition} Exercise
Do {ref}`the shape_formulas exercise <shape-formulas>`.
:::

## What to remember

- one thing

## Self-check

1. A question?

:::{dropdown} Answer
Yes.
:::

2. Another question?

:::{dropdown} Answer
No.
:::
"""
ANCHORS = {"shape-formulas"}


def all_problems(text: str) -> list[conventions.Problem]:
    return [p for found in conventions.page_problems(text, ANCHORS).values() for p in found]


def test_a_page_that_follows_the_conventions_passes():
    assert all_problems(GOOD_PAGE) == []


BROKEN_PAGES = {
    "answer inside the box": GOOD_PAGE.replace(
        "How many?\n::::", "How many?\n:::{dropdown} Answer\n1\n:::\n::::"
    ),
    "no answer": GOOD_PAGE.replace(":::{dropdown} Answer: {glue:text}`count:,`\nBecause.\n:::", ""),
    "answer before the code": GOOD_PAGE.replace(
        "::::\n\n```{code-cell}", "::::\n\n:::{dropdown} Answer\nearly\n:::\n\n```{code-cell}"
    ).replace(":::{dropdown} Answer: {glue:text}`count:,`\nBecause.\n:::", ""),
    "two answers": GOOD_PAGE.replace(
        "Because.\n:::", "Because.\n:::\n\n:::{dropdown} Answer\nAgain.\n:::", 1
    ),
    "no summary": GOOD_PAGE.replace("## What to remember", "## Summary"),
    "summary without a list": GOOD_PAGE.replace("- one thing", "One thing."),
    "one self-check question": GOOD_PAGE.split("2. Another")[0],
    "a section after the self-check": GOOD_PAGE + "\n## More\n\nText.\n",
    "no exercise": GOOD_PAGE.replace("{admonition} Exercise", "{admonition} Try it"),
    "exercise section missing": GOOD_PAGE.replace("<shape-formulas>", "<shapes>"),
    "a heading link the build cannot resolve": GOOD_PAGE.replace(
        "{ref}`the shape_formulas exercise <shape-formulas>`",
        "[the shape_formulas exercise](exercises.md#shape-formulas)",
    ),
    "exercise ref to another page": GOOD_PAGE.replace(
        "{ref}`the shape_formulas exercise <shape-formulas>`", "{ref}`shape-puzzles`"
    ),
    "a long cell": GOOD_PAGE.replace(":tags: [remove-cell]\n", "x = 1\n" * 21),
    "an f-string glued": GOOD_PAGE.replace('glue("count", 1153', 'glue("count", f"{1153:,}"'),
    "a formatted string glued": GOOD_PAGE.replace(
        'glue("count", 1153', 'glue("count", "{:.2f}".format(6.38)'
    ),
    "str() glued": GOOD_PAGE.replace('glue("count", 1153', 'glue("count", str(1)'),
}


@pytest.mark.parametrize("name", BROKEN_PAGES)
def test_each_check_fails_on_a_page_that_breaks_it(name):
    broken = BROKEN_PAGES[name]
    assert broken != GOOD_PAGE, f"the {name!r} example did not change the page"
    assert all_problems(broken), f"no check caught {name!r}"


def test_an_exercise_linked_by_its_bare_label_is_accepted():
    by_label = GOOD_PAGE.replace(
        "{ref}`the shape_formulas exercise <shape-formulas>`", "{ref}`shape-formulas`"
    )
    assert by_label != GOOD_PAGE and all_problems(by_label) == []


def test_a_long_cell_that_is_removed_from_the_page_is_allowed():
    hidden = GOOD_PAGE.replace(":tags: [remove-cell]\n", ":tags: [remove-cell]\n" + "x = 1\n" * 30)
    assert all_problems(hidden) == []


def test_problems_name_the_offending_line():
    broken = BROKEN_PAGES["an f-string glued"]
    [problem] = conventions.glued_string_problems(conventions.parse_page(broken))
    assert "glue(" in broken.splitlines()[problem.line - 1]


def test_a_number_glued_with_a_format_in_the_role_is_not_quoted():
    markup = '<p>It has <span class="pasted-text">1,153</span> parameters.</p>'
    assert conventions.quoted_glue_values(markup) == []
    for quoted in ("&#8216;1,153&#8217;", "'323,200'", "‘4.8e-07’"):
        markup = f'<span class="output text_plain">{quoted}</span>'
        assert conventions.quoted_glue_values(markup), quoted
