"""upsampling_operators's visible checks: they pass the solution and fail the mistakes their comments name.

Each check (``upsampling_course.assignments.upsampling_operators.CHECKS``) runs on a
namespace built from answer sources exec'd in a plain dict, as the student's
kernel would hold them; no kernel is needed.
"""

from __future__ import annotations

import nbformat
import numpy as np
import pytest

from tests.assignments.wrong_answers.upsampling_operators import UNUSUAL_ANSWERS, WRONG_ANSWERS
from tests.support.grading import solution_answers, source_notebooks
from upsampling_course.assignments.upsampling_operators import CHECKS
from upsampling_course.selfcheck import run_check
from upsampling_course.variants import GRADING_ID_VARIABLE, variant

ASSIGNMENT = "upsampling_operators"
STUDENTS = ("jdoe42", "student-7", "ada")
# test id -> the wrong answers its comment names (keys of WRONG_ANSWERS).
NAMED = {
    "test_transposed_matrix_keras": ["matrix_with_the_kernel_flipped", "matrix_of_the_convolution"],
    "test_transposed_matrix_short_kernels": ["matrix_as_long_as_the_scatter"],
    "test_transposed_gradient_stride_1": ["transposed_gradient_with_the_kernel_flipped"],
    "test_transposed_gradient_strided": ["transposed_gradient_ignoring_the_stride"],
    "test_kernel_gradient_stride_1": ["kernel_gradient_reversed"],
    "test_kernel_gradient_strided": ["kernel_gradient_ignoring_the_stride"],
    "test_subpixel_one_filter": ["subpixel_taps_in_column_major_order"],
    "test_subpixel_many_filters": ["subpixel_filters_before_taps"],
    "test_nearest_flat_blocks": ["nearest_in_one_tap_only", "nearest_in_the_conv2d_layout"],
    "test_nearest_upsampling": ["nearest_averaged_over_the_block"],
    "test_round_trip": ["round_trip_random_kernel_of_the_right_norm"],
    "test_round_trip_taps": ["round_trip_with_zeros_where_copies_meet"],
}


def namespace(student: str, replaced: dict[str, str] | None = None) -> dict:
    """The solution's answers (some replaced) run in a plain dict, with the student's variant."""
    answers = solution_answers(nbformat.read(source_notebooks(ASSIGNMENT)[0], as_version=4))
    answers.update(replaced or {})
    scope = {"np": np, "variant": variant(ASSIGNMENT, student)}
    for source in answers.values():
        exec(compile(source, ASSIGNMENT, "exec"), scope)
    return scope


@pytest.fixture(params=STUDENTS)
def student(request, monkeypatch) -> str:
    """A student id, also the grader's (run_check derives a default variant from it)."""
    monkeypatch.setenv(GRADING_ID_VARIABLE, request.param)
    return request.param


def test_every_test_cell_has_a_check_and_named_mistakes():
    assert set(NAMED) == set(CHECKS)


def test_the_solution_passes_every_check(student):
    scope = namespace(student)
    for test in CHECKS:
        assert run_check(ASSIGNMENT, test, scope)


@pytest.mark.parametrize("name", sorted(UNUSUAL_ANSWERS))
def test_unusual_correct_answers_pass_every_check(student, name):
    answer = UNUSUAL_ANSWERS[name]
    scope = namespace(student, {answer["answer"]: answer["source"]})
    for test in CHECKS:
        assert run_check(ASSIGNMENT, test, scope)


@pytest.mark.parametrize(
    ("test", "mistake"), [(t, m) for t, mistakes in NAMED.items() for m in mistakes]
)
def test_each_check_fails_the_mistakes_its_comment_names(student, test, mistake):
    wrong = WRONG_ANSWERS[mistake]
    with pytest.raises(AssertionError):
        run_check(ASSIGNMENT, test, namespace(student, {wrong["answer"]: wrong["source"]}))
