"""checkerboard's visible checks: they pass the solution and fail the mistakes their comments name.

Each check (``upsampling_course.assignments.checkerboard.CHECKS``) runs on a
namespace built from answer sources exec'd in a plain dict, as the student's
kernel would hold them; no kernel is needed.
"""

from __future__ import annotations

import nbformat
import numpy as np
import pytest

from tests.assignments.wrong_answers.checkerboard import UNUSUAL_ANSWERS, WRONG_ANSWERS
from tests.support.grading import solution_answers, source_notebooks
from upsampling_course.assignments.checkerboard import CHECKS
from upsampling_course.selfcheck import run_check
from upsampling_course.variants import GRADING_ID_VARIABLE, variant

ASSIGNMENT = "checkerboard"
STUDENTS = ("jdoe42", "student-7", "ada")
# A kernel-shaped answer, the mistake test_phase_gains_small_kernels's comment names.
KERNEL_SHAPED_GAINS = (
    "def phase_gains(kernel, stride):\n"
    "    kernel = np.asarray(kernel, dtype=float)\n"
    "    size = len(kernel)\n"
    "    return np.array([[kernel[p::stride, q::stride].sum() for q in range(size)]\n"
    "                     for p in range(size)])\n"
)
# test id -> the wrong answers its comment names (corpus keys, or source for the answer cell).
NAMED = {
    "test_phase_gains": ["gains_of_the_flipped_kernel", "gains_in_an_integer_array"],
    "test_phase_gains_small_kernels": [("phase_gains_answer", KERNEL_SHAPED_GAINS)],
    "test_phase_score_whole_periods": ["score_with_the_sample_variance"],
    "test_phase_score_partial_periods": [
        "score_with_partial_periods_in_the_means",
        "score_with_squares_over_whole_periods",
    ],
    "test_flatness": ["flatness_by_the_overlap_rule"],
    "test_flat_kernel_flat": ["flat_kernel_of_equal_weights"],
    "test_flat_kernel_level": ["flat_kernel_not_scaled"],
    "test_flat_kernel_positive": ["flat_kernel_one_tap_per_phase"],
    "test_hidden_flat_on_ones": ["hidden_kernel_spike_alone"],
    "test_hidden_pattern_on_probe": ["hidden_kernel_same_in_every_channel"],
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
    cell, source = (
        mistake
        if isinstance(mistake, tuple)
        else (WRONG_ANSWERS[mistake]["answer"], WRONG_ANSWERS[mistake]["source"])
    )
    with pytest.raises(AssertionError):
        run_check(ASSIGNMENT, test, namespace(student, {cell: source}))
