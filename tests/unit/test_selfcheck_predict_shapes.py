"""predict_shapes' visible checks catch the mistakes their test cells' comments name.

Each test cell of the notebook names its most common mistake in a comment;
its visible check (``CHECKS`` of upsampling_course.assignments.predict_shapes)
must fail on that mistake and pass on the solution, for several students'
variants. The answers are the solution's and the wrong-answer corpus's code,
run in a plain dict: no kernel, no Keras (run_check also looks up the
kernel's id: it is set to the namespace's student).
"""

from __future__ import annotations

import nbformat
import pytest

from tests.assignments.wrong_answers.predict_shapes import WRONG_ANSWERS
from tests.support.grading import solution_answers, source_notebooks
from upsampling_course.selfcheck import checks_of, run_check
from upsampling_course.variants import GRADING_ID_VARIABLE, variant

ASSIGNMENT = "predict_shapes"
STUDENTS = ("ada", "bao", "chen", "dara", "emeka")
# Each test cell's "Most common mistake" comment, as a wrong answer of the corpus.
NAMED_MISTAKES = {
    "test_classifier_shapes": "valid_treated_as_same",
    "test_conv_output_length": "valid_ignores_stride",
    "test_conv_output_length_same": "same_padding_rounds_down",
    "test_upsampling_output_shape": "square_upsampling_only",
    "test_generator_shapes": "valid_conv_forgotten_in_generator",
    "test_input_sides_valid": "inverse_valid_smallest_only",
    "test_input_sides_same": "inverse_same_largest_only",
    "test_dense_parameters": "dense_on_the_flattened_map",
    "test_start_side": "start_side_without_the_valid_convolutions",
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
