"""The visible checks of upsampling2d_numpy catch the mistakes their comments name (issue #30).

Each test cell's comment names its most common mistakes; those answers are in
the wrong-answer corpus. Here the checks run on a namespace built from the
solution's answers with one answer replaced, exec'd in a plain dict (no
kernel), for every combination of the variant's choices.
"""

from __future__ import annotations

import itertools

import nbformat
import pytest

from tests.assignments.wrong_answers.upsampling2d_numpy import WRONG_ANSWERS
from tests.support.grading import solution_answers, source_notebooks
from upsampling_course.assignments.upsampling2d_numpy import CHECKS, CHOICES
from upsampling_course.selfcheck import run_check
from upsampling_course.variants import Variant

ASSIGNMENT = "upsampling2d_numpy"
VARIANTS = [
    Variant(ASSIGNMENT, "unit-test", dict(zip(CHOICES, values, strict=True)))
    for values in itertools.product(*CHOICES.values())
]
# The mistakes each test cell's "Most common mistake" comment names.
NAMED_IN_COMMENTS = {
    "test_forward": ["forward_tiles", "forward_other_layout"],
    "test_backward": ["backward_one_per_block", "backward_block_mean"],
    "test_bilinear_interior": ["bilinear_corner_aligned", "bilinear_pixel_corners"],
    "test_bilinear_border": ["bilinear_zeros_past_the_border"],
    "test_bilinear_backward_tape": ["bilinear_backward_block_sums"],
    "test_bilinear_backward_transpose": ["bilinear_backward_pseudo_inverse"],
    "test_most_filters_fits": ["filters_without_input_channels"],
    "test_most_filters_largest": ["filters_upsampling_counted"],
}


@pytest.fixture(autouse=True)
def some_student_id(monkeypatch):
    """run_check computes the kernel's own variant even when the namespace has one: give it an id
    (the checks read the namespace's ``variant``)."""
    monkeypatch.setenv("COURSE_STUDENT_ID", "unit-test")


def namespace(variant: Variant, replaced: dict[str, str] | None = None) -> dict:
    """The notebook's names after running the solution, with some answer cells replaced."""
    source = nbformat.read(source_notebooks(ASSIGNMENT)[0], as_version=4)
    answers = {**solution_answers(source), **(replaced or {})}
    names: dict = {"variant": variant}
    exec("import numpy as np", names)
    for code in answers.values():
        exec(code, names)
    return names


def variant_id(variant: Variant) -> str:
    return "-".join(str(v) for v in variant.values())


@pytest.mark.parametrize("variant", VARIANTS, ids=variant_id)
@pytest.mark.parametrize("test", list(CHECKS))
def test_the_solution_passes_every_check(test, variant):
    assert run_check(ASSIGNMENT, test, namespace(variant))


def test_every_check_names_its_mistakes():
    assert set(NAMED_IN_COMMENTS) == set(CHECKS)


@pytest.mark.parametrize("variant", VARIANTS, ids=variant_id)
@pytest.mark.parametrize(
    ("test", "wrong"),
    [(test, wrong) for test, names in NAMED_IN_COMMENTS.items() for wrong in names],
)
def test_a_named_mistake_fails_its_check(test, wrong, variant):
    answer = WRONG_ANSWERS[wrong]
    assert test in answer["loses"], f"{wrong} is not a mistake of {test}"
    with pytest.raises(AssertionError):
        run_check(ASSIGNMENT, test, namespace(variant, {answer["answer"]: answer["source"]}))
