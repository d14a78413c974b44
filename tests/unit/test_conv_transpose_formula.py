"""conv_transpose_output_length against real Keras Conv2DTranspose layers.

The exhaustive grid: input 1-8, kernel 1-7, stride 1-4, both paddings,
output_padding None and every legal value, dilation 1-2. Keras's layers report
their output shape through ``compute_output_shape`` (the same code the
functional API uses to build a model), so the grid asks that; a seeded sample
of real forward passes confirms the shapes the layer actually produces.
Illegal combinations must raise the error type Keras raises, with a matching
message.
"""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest

from upsampling_course import import_keras_quietly
from upsampling_course.shapes import conv_transpose_output_length

keras = import_keras_quietly(seed=0)
layers = keras.layers

SIZES = range(1, 9)
KERNELS = range(1, 8)
STRIDES = range(1, 5)
PADDINGS = ("valid", "same")
DILATIONS = (1, 2)


def layer_settings():
    """Every (kernel, stride, padding, output_padding, dilation) of the grid."""
    for kernel, stride, padding, dilation in itertools.product(
        KERNELS, STRIDES, PADDINGS, DILATIONS
    ):
        for output_padding in (None, *range(stride)):
            yield kernel, stride, padding, output_padding, dilation


def keras_layer(kernel, stride, padding, output_padding, dilation):
    return layers.Conv2DTranspose(
        1,
        kernel,
        strides=stride,
        padding=padding,
        output_padding=output_padding,
        dilation_rate=dilation,
    )


def test_formula_matches_keras_on_the_exhaustive_grid():
    compared = 0
    mismatches = []
    for kernel, stride, padding, output_padding, dilation in layer_settings():
        if stride > 1 and dilation > 1:
            continue  # illegal in Keras: test_illegal_combinations_raise_like_keras
        layer = keras_layer(kernel, stride, padding, output_padding, dilation)
        for size in SIZES:
            # A different width checks that each axis follows its own size.
            keras_height, keras_width = layer.compute_output_shape((1, size, size + 1, 1))[1:3]
            ours = [
                conv_transpose_output_length(
                    side, kernel, stride, padding, output_padding, dilation
                )
                for side in (size, size + 1)
            ]
            compared += 1
            if ours != [keras_height, keras_width]:
                mismatches.append(
                    (size, kernel, stride, padding, output_padding, dilation, ours, keras_height)
                )
    print(f"compared {compared} cases with Keras, {len(mismatches)} mismatches")
    for mismatch in mismatches[:20]:
        print("mismatch (size, kernel, stride, padding, output_padding, dilation, ours, keras):")
        print("   ", mismatch)
    assert compared == 1792  # 224 legal layer settings x 8 input sizes
    assert not mismatches


def runs_forward(size, kernel, stride, padding, output_padding, dilation):
    """False for the one family of shapes Keras computes but TensorFlow cannot run.

    With padding='same', output_padding=0 and an even (dilated) kernel, Keras's
    rule gives (size - 1) * stride rows; a 'same' convolution maps that back to
    size - 1 rows, not size, so TensorFlow's kernel refuses it (size > 1).
    """
    effective_kernel = (kernel - 1) * dilation + 1
    return not (
        padding == "same" and output_padding == 0 and effective_kernel % 2 == 0 and size > 1
    )


def legal_cases():
    return [
        (size, *setting)
        for size, setting in itertools.product(SIZES, layer_settings())
        if not (setting[1] > 1 and setting[4] > 1)
    ]


def test_formula_matches_real_forward_passes():
    """A seeded sample of the grid, run through the layer, not just its shape rule."""
    runnable = [case for case in legal_cases() if runs_forward(*case)]
    sample = random.Random(0).sample(runnable, 60)
    # Keras's rule says 0 rows here; the forward pass agrees.
    sample += [(1, 2, 2, "same", 0, 1), (1, 4, 3, "same", 0, 1)]
    for size, kernel, stride, padding, output_padding, dilation in sample:
        expected = conv_transpose_output_length(
            size, kernel, stride, padding, output_padding, dilation
        )
        layer = keras_layer(kernel, stride, padding, output_padding, dilation)
        output = layer(np.zeros((1, size, size, 2), dtype="float32"))
        assert tuple(output.shape) == (1, expected, expected, 1), (
            size,
            kernel,
            stride,
            padding,
            output_padding,
            dilation,
        )


def test_same_padding_with_zero_output_padding_and_even_kernel_cannot_run():
    """The docstring's warning: the shape rule answers, the forward pass fails.

    Every such case of the grid is called (the padding chapter says so), and
    a side of one pixel is the exception: the call returns an empty output.
    """
    blocked = [case for case in legal_cases() if not runs_forward(*case)]
    assert len(blocked) == 84
    for size, kernel, stride, padding, output_padding, dilation in blocked:
        layer = keras_layer(kernel, stride, padding, output_padding, dilation)
        with pytest.raises(Exception, match="Conv2DTranspose"):
            layer(np.zeros((1, size, size, 2), dtype="float32"))
    for kernel, stride in [(2, 2), (4, 2), (4, 3)]:
        layer = keras_layer(kernel, stride, "same", 0, 1)
        output = layer(np.zeros((1, 1, 3, 2), dtype="float32"))
        assert tuple(output.shape) == (1, 0, 2 * stride, 1)


ILLEGAL = [
    # (kwargs for both, fragment of the message they must share)
    ({"kernel_size": 3, "stride": 2, "output_padding": 2}, "must be strictly less than"),
    ({"kernel_size": 3, "stride": 1, "output_padding": 1}, "must be strictly less than"),
    ({"kernel_size": 4, "stride": 4, "output_padding": 5}, "must be strictly less than"),
    ({"kernel_size": 3, "stride": 2, "dilation": 2}, "not supported in conjunction with"),
    ({"kernel_size": 5, "stride": 4, "dilation": 2}, "not supported in conjunction with"),
    ({"kernel_size": 3, "stride": 2, "output_padding": -1}, ">= 0"),
    ({"kernel_size": 3, "stride": 2, "padding": "full"}, "padding"),
]


@pytest.mark.parametrize(("arguments", "fragment"), ILLEGAL)
def test_illegal_combinations_raise_like_keras(arguments, fragment):
    arguments = {"stride": 1, "padding": "valid", "output_padding": None, "dilation": 1} | arguments
    with pytest.raises(Exception) as keras_error:
        keras_layer(
            arguments["kernel_size"],
            arguments["stride"],
            arguments["padding"],
            arguments["output_padding"],
            arguments["dilation"],
        ).compute_output_shape((1, 4, 4, 1))
    with pytest.raises(Exception) as our_error:
        conv_transpose_output_length(4, **arguments)
    assert our_error.type is keras_error.type
    assert fragment in str(keras_error.value), keras_error.value
    assert fragment in str(our_error.value), our_error.value


def test_every_illegal_grid_combination_raises_in_both():
    for kernel, stride, padding, output_padding, dilation in layer_settings():
        if not (stride > 1 and dilation > 1):
            continue
        with pytest.raises(ValueError, match="not supported in conjunction"):
            keras_layer(kernel, stride, padding, output_padding, dilation)
        with pytest.raises(ValueError, match="not supported in conjunction"):
            conv_transpose_output_length(3, kernel, stride, padding, output_padding, dilation)
    for stride in STRIDES:
        with pytest.raises(ValueError, match="strictly less than"):
            keras_layer(3, stride, "valid", stride, 1)
        with pytest.raises(ValueError, match="strictly less than"):
            conv_transpose_output_length(3, 3, stride, "valid", stride)


def test_reader_cases_from_the_course_brief():
    """The four (input, stride, kernel) cases a reader compared, 'valid' and 'same'."""
    cases = [(2, 1, 1), (2, 1, 3), (2, 2, 1), (2, 2, 3)]
    valid = [conv_transpose_output_length(i, k, s) for i, s, k in cases]
    same = [conv_transpose_output_length(i, k, s, "same") for i, s, k in cases]
    assert valid == [2, 4, 4, 5]
    assert same == [2, 2, 4, 4]
