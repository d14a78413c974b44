"""upsampling_course.page_figures: the helpers behind the chapters' short cells."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from upsampling_course import import_keras_quietly
from upsampling_course.artifacts import overlap_count_map
from upsampling_course.page_figures import (
    formula_2_sizes,
    highlight_disagreement,
    input_reach,
    multiply_adds,
)

keras = import_keras_quietly(seed=0)
layers = keras.layers


def test_input_reach_of_a_valid_transposed_convolution_is_its_overlap_count():
    # With 'valid' padding every kernel tap of every input pixel lands inside the output.
    model = keras.Sequential(
        [keras.Input((4, 4, 1)), layers.Conv2DTranspose(1, 3, strides=2, padding="valid")]
    )
    np.testing.assert_array_equal(input_reach(model), overlap_count_map(3, 2, input_size=4))


def test_input_reach_of_resize_convolution_is_even_inside_the_border():
    model = keras.Sequential(
        [keras.Input((5, 5, 1)), layers.UpSampling2D(), layers.Conv2D(1, 3, padding="same")]
    )
    reach = input_reach(model)
    assert reach.shape == (10, 10)
    assert (reach[1:-1, 1:-1] == 4).all() and reach[0, 0] == 1


def test_input_reach_refuses_several_channels():
    model = keras.Sequential([keras.Input((4, 4, 2)), layers.Conv2D(1, 1)])
    with pytest.raises(ValueError, match="one-channel"):
        input_reach(model)


@pytest.mark.parametrize(
    ("case", "expected"), [((2, 2, 1), "3–4"), ((2, 1, 3), "4"), ((3, 3, 2), "8–10")]
)
def test_formula_2_lists_one_size_per_remainder(case, expected):
    assert formula_2_sizes(*case) == expected


def test_highlight_marks_only_the_disagreeing_entries():
    row = pd.Series({"formula 1": 3, "formula 2": "3–4", "Keras": 4})
    assert [bool(style) for style in highlight_disagreement(row)] == [True, True, False]


def built(layer, input_shape):
    model = keras.Sequential([keras.Input(input_shape), layer])
    return model.layers[-1]


def test_multiply_adds_of_a_convolution_count_output_pixels():
    conv = built(layers.Conv2D(32, 3, padding="same"), (32, 32, 64))
    assert multiply_adds(conv) == 32 * 32 * 3 * 3 * 64 * 32


def test_multiply_adds_of_a_transposed_convolution_count_input_pixels():
    transposed = built(layers.Conv2DTranspose(32, 4, strides=2, padding="same"), (16, 16, 64))
    assert multiply_adds(transposed) == 16 * 16 * 4 * 4 * 64 * 32


def test_multiply_adds_refuses_other_layers():
    with pytest.raises(TypeError, match="Conv2D"):
        multiply_adds(built(layers.Dense(3), (4,)))
