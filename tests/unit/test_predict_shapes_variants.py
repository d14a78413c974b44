"""Every variant of predict_shapes has an answer, and the corpus's mistakes stay mistakes in it.

The grading tests try a few students' ids; these check every choice of
``CHOICES`` against the judge's own Keras computations.
"""

from __future__ import annotations

import itertools

import pytest

from upsampling_course.assignments.predict_shapes import CHOICES, classifier_stack
from upsampling_grader.judge.tasks._stacks import output_shape
from upsampling_grader.judge.tasks.predict_shapes import backwards_end, true_input_sides


@pytest.mark.parametrize("backwards", CHOICES["backwards"])
def test_every_backwards_target_has_exactly_one_start_side(backwards):
    variant = {"backwards": backwards}
    target = backwards[2]
    sides = [s for s in range(1, 65) if backwards_end(variant, s) == (target, target, 1)]
    assert len(sides) == 1, f"{backwards}: start sides {sides}"
    assert sides[0] != target // 4, "the 'valid' convolutions must matter"


def test_every_classifier_leaves_a_row_over_for_pooling():
    """So that rounding the pooling up is a mistake in every variant, and every layer fits."""
    for side, kernel, pool in itertools.product(
        CHOICES["classifier_input"], CHOICES["classifier_kernel"], CHOICES["classifier_pool"]
    ):
        variant = {
            "classifier_input": side,
            "classifier_kernel": kernel,
            "classifier_pool": pool,
            "classifier_filters": 16,
        }
        shape, layers = classifier_stack(variant)
        first = output_shape(layers[0], shape)
        assert first[0] % pool, (side, kernel, pool)
        for layer in layers:
            shape = output_shape(layer, shape)
        assert shape[0] >= 1


@pytest.mark.parametrize("padding", ["valid", "same"])
def test_the_inverse_holds_a_stride_of_sides(padding):
    """The judge's truth: each output side comes from exactly `stride` input sides."""
    for output, kernel, stride in itertools.product(range(1, 8), range(1, 6), range(1, 4)):
        sides = true_input_sides(output, kernel, stride, padding)
        assert len(sides) == stride and sides == list(range(sides[0], sides[0] + stride))
