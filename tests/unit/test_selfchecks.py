"""Every assignment's visible checks pass the solution and fail the mistakes their comments name.

Each test cell of a released notebook names its most common mistake in a
comment, and its visible part runs ``check("test_...")``
(``CHECKS`` of ``upsampling_course.assignments.<assignment>``). Here each
check runs on the solution's answers, on the corpus's unusual correct
answers, and on the wrong answers listed in the corpus's
``NAMED_IN_COMMENTS``, for variants that together take every value of every
choice; the answers run in a plain dict (tests/support/selfcheck_answers.py),
no kernel. The lab's checks train networks: tests/unit/test_selfcheck_mnist_generator_lab.py.
"""

from __future__ import annotations

from importlib import import_module

import pytest

from tests.support.selfcheck_answers import answered_namespace
from upsampling_course.selfcheck import checks_of, run_check
from upsampling_course.variants import Variant, choices

ASSIGNMENTS = [
    "predict_shapes",
    "upsampling2d_numpy",
    "conv2d_transpose_numpy",
    "shape_formulas",
    "upsampling_operators",
    "checkerboard",
]


def corpus(assignment: str):
    return import_module(f"tests.assignments.wrong_answers.{assignment}")


def covering_variants(assignment: str) -> list[Variant]:
    """Variants that between them take every value of every choice (the k-th value, cycled)."""
    options = choices(assignment)
    longest = max(len(values) for values in options.values())
    return [
        Variant(
            assignment,
            f"variant-{k}",
            {name: values[k % len(values)] for name, values in options.items()},
        )
        for k in range(longest)
    ]


def cases(kind: str) -> list:
    """(assignment, variant, ...) parameters for each kind of test, with readable ids."""
    found = []
    for assignment in ASSIGNMENTS:
        named = corpus(assignment).NAMED_IN_COMMENTS
        for k, variant in enumerate(covering_variants(assignment)):
            if kind == "solution":
                found.append(pytest.param(assignment, variant, id=f"{assignment}-v{k}"))
            elif kind == "unusual":
                found += [
                    pytest.param(assignment, variant, name, id=f"{assignment}-v{k}-{name}")
                    for name in corpus(assignment).UNUSUAL_ANSWERS
                ]
            else:
                found += [
                    pytest.param(
                        assignment, variant, test, mistake, id=f"{assignment}-v{k}-{test}-{i}"
                    )
                    for test, mistakes in named.items()
                    for i, mistake in enumerate(mistakes)
                ]
    return found


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_check_names_its_mistakes(assignment):
    assert set(corpus(assignment).NAMED_IN_COMMENTS) == set(checks_of(assignment))


@pytest.mark.parametrize(("assignment", "variant"), cases("solution"))
def test_the_solution_passes_every_check(assignment, variant):
    scope = answered_namespace(assignment, variant)
    for test in checks_of(assignment):
        assert run_check(assignment, test, scope)


@pytest.mark.parametrize(("assignment", "variant", "name"), cases("unusual"))
def test_unusual_correct_answers_pass_every_check(assignment, variant, name):
    answer = corpus(assignment).UNUSUAL_ANSWERS[name]
    scope = answered_namespace(assignment, variant, {answer["answer"]: answer["source"]})
    for test in checks_of(assignment):
        assert run_check(assignment, test, scope)


@pytest.mark.parametrize(("assignment", "variant", "test", "mistake"), cases("named"))
def test_each_check_fails_the_mistakes_its_comment_names(assignment, variant, test, mistake):
    if isinstance(mistake, tuple):  # an (answer cell, source) pair outside the corpus
        cell, source = mistake
    else:
        wrong = corpus(assignment).WRONG_ANSWERS[mistake]
        assert test in wrong["loses"], f"{mistake} is not a mistake of {test}"
        cell, source = wrong["answer"], wrong["source"]
    with pytest.raises(AssertionError):
        run_check(assignment, test, answered_namespace(assignment, variant, {cell: source}))
