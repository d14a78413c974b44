"""The visible checks of conv2d_transpose_numpy catch the mistakes their comments name (issue #30).

Each test cell's comment names its most common mistakes; those answers are in
the wrong-answer corpus. Here the checks run on a namespace built from the
solution's answers with one answer replaced, exec'd in a plain dict (no
kernel), for every value of each of the variant's choices.
"""

from __future__ import annotations

import nbformat
import pytest

from tests.assignments.wrong_answers.conv2d_transpose_numpy import WRONG_ANSWERS
from tests.support.grading import solution_answers, source_notebooks
from upsampling_course.assignments.conv2d_transpose_numpy import CHECKS, CHOICES
from upsampling_course.selfcheck import run_check
from upsampling_course.variants import Variant

ASSIGNMENT = "conv2d_transpose_numpy"
# Every value of every choice at least once (the full product is 32 variants).
VARIANTS = [
    Variant(
        ASSIGNMENT, "unit-test", {name: values[k % len(values)] for name, values in CHOICES.items()}
    )
    for k in range(max(len(values) for values in CHOICES.values()))
]
# The mistakes each test cell's "Most common mistake" comment names.
NAMED_IN_COMMENTS = {
    "test_forward": ["forward_last_copy_wins", "forward_side_without_max"],
    "test_kernel_shape": ["kernel_shape_conv2d_layout"],
    "test_upsample_weights": ["upsample_top_left_only", "upsample_offset_forgotten"],
    "test_two_filter_weights": ["two_filters_conv2d_layout", "two_filters_swapped"],
    "test_input_gradient_single": ["input_gradient_flipped"],
    "test_input_gradient_channels": ["input_gradient_first_filter"],
    "test_kernel_gradient_single": ["kernel_gradient_conv2d_layout", "kernel_gradient_flipped"],
    "test_kernel_gradient_batch": ["kernel_gradient_first_image", "kernel_gradient_batch_mean"],
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
