"""The package's one definition of 'a positive integer' (upsampling_course.checks)."""

import numpy as np
import pytest

from upsampling_course.checks import non_negative_int, positive_int
from upsampling_course.shapes import conv_transpose_output_length, upsampling_output_length


@pytest.mark.parametrize("value", [1, 7, np.int64(3), np.uint8(2)])
def test_positive_integers_pass_and_come_back_as_int(value):
    result = positive_int("stride", value)
    assert result == value and type(result) is int


@pytest.mark.parametrize("value", [0, -2, True, np.bool_(True), 2.0, "2", None])
def test_everything_else_is_refused_by_name(value):
    with pytest.raises(ValueError, match="stride must be a positive integer"):
        positive_int("stride", value)


def test_zero_is_a_non_negative_integer_but_false_is_not():
    assert non_negative_int("output_padding", 0) == 0
    with pytest.raises(ValueError, match="output_padding must be an integer >= 0"):
        non_negative_int("output_padding", False)


def test_the_shape_formulas_use_the_same_rule():
    assert upsampling_output_length(np.int64(7), 2) == 14
    with pytest.raises(ValueError, match="factor must be a positive integer"):
        upsampling_output_length(7, True)
    with pytest.raises(ValueError, match="dilation must be a positive integer"):
        conv_transpose_output_length(7, 3, dilation=True)
