"""shape_formulas' visible checks catch the mistakes their test cells' comments name.

Each test cell of the notebook names its most common mistake in a comment;
its visible check (``CHECKS`` of upsampling_course.assignments.shape_formulas)
must fail on that mistake and pass on the solution, for several students'
variants. The answers are the solution's and the wrong-answer corpus's code,
run in a plain dict: no kernel, no Keras (run_check also looks up the
kernel's id: it is set to the namespace's student).
"""

from __future__ import annotations

import nbformat
import pytest

from tests.assignments.wrong_answers.shape_formulas import WRONG_ANSWERS
from tests.support.grading import solution_answers, source_notebooks
from upsampling_course.selfcheck import checks_of, run_check
from upsampling_course.variants import GRADING_ID_VARIABLE, variant

ASSIGNMENT = "shape_formulas"
STUDENTS = ("ada", "bao", "chen", "dara", "emeka")
# Each test cell's "Most common mistake" comment, as a wrong answer of the corpus.
NAMED_MISTAKES = {
    "test_default_output_padding": "scatter_length_for_same_by_default",
    "test_explicit_output_padding": "output_padding_ignored",
    "test_odd_target": "same_for_an_odd_target",
    "test_even_target": "valid_for_the_even_target",
    "test_undo_valid": "undo_keeps_keras_default",
    "test_undo_same": "undo_same_with_the_valid_rule",
    "test_stack_reaches_target": "stack_kernel_3_valid",
    "test_stack_even_overlap": "stack_dcgan_kernel_5",
    "test_stack_fewest_parameters": "stack_kernel_4",
    "test_sizes_compared": "both_layers_double",
    "test_why_same_size": "right_sizes_wrong_reason",
}


def namespace(student: str, **replaced: str) -> dict:
    """The notebook's names after its answer cells ran, some answers replaced."""
    answers = solution_answers(nbformat.read(source_notebooks(ASSIGNMENT)[0], as_version=4))
    scope = {"variant": variant(ASSIGNMENT, student)}
    for source in {**answers, **replaced}.values():
        exec(source, scope)
    return scope


def test_every_check_has_its_named_mistake():
    assert set(NAMED_MISTAKES) == set(checks_of(ASSIGNMENT))


@pytest.mark.parametrize("student", STUDENTS)
@pytest.mark.parametrize("test", sorted(NAMED_MISTAKES))
def test_the_solution_passes_the_check(test, student, monkeypatch):
    monkeypatch.setenv(GRADING_ID_VARIABLE, student)
    assert run_check(ASSIGNMENT, test, namespace(student))


@pytest.mark.parametrize("student", STUDENTS)
@pytest.mark.parametrize(("test", "mistake"), sorted(NAMED_MISTAKES.items()))
def test_the_named_mistake_fails_the_check(test, mistake, student, monkeypatch):
    monkeypatch.setenv(GRADING_ID_VARIABLE, student)
    wrong = WRONG_ANSWERS[mistake]
    assert test in wrong["loses"], f"{mistake} is not a mistake of {test}"
    with pytest.raises(AssertionError):
        run_check(ASSIGNMENT, test, namespace(student, **{wrong["answer"]: wrong["source"]}))
