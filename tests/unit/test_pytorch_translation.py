"""The Keras -> PyTorch Conv2DTranspose translation table, every row checked against Keras.

PyTorch is not installed; its documented output-size rule lives in
upsampling_course.pytorch_translation and is what the translated settings
are checked with.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from upsampling_course import import_keras_quietly
from upsampling_course.pytorch_translation import (
    TABLE_SETTINGS,
    keras_to_pytorch,
    pytorch_conv_transpose_forward,
    pytorch_output_length,
    translation_table,
)

keras = import_keras_quietly(seed=0)
layers = keras.layers
INPUT_SIZES = (1, 2, 5, 7)


def keras_layer(kernel_size, stride, padding, output_padding, input_size, channels=1):
    layer = layers.Conv2DTranspose(
        2, kernel_size, strides=stride, padding=padding, output_padding=output_padding
    )
    layer.build((1, input_size, input_size, channels))
    return layer


def test_pytorch_rule_on_the_readers_examples():
    # From a 4x4 input both settings give 8x8, not 16x16.
    assert pytorch_output_length(4, 4, stride=2, padding=1) == 8
    assert pytorch_output_length(4, 5, stride=1, padding=0) == 8
    assert pytorch_output_length(5, 3, stride=2, padding=1, output_padding=1) == 10


def test_pytorch_rule_rejects_what_pytorch_rejects():
    with pytest.raises(ValueError, match="output_padding < max"):
        pytorch_output_length(4, 3, stride=2, output_padding=2)
    with pytest.raises(ValueError, match="crops away"):
        pytorch_output_length(1, 1, stride=1, padding=1)
    with pytest.raises(ValueError, match="positive integer"):
        pytorch_output_length(0, 3)


@pytest.mark.parametrize("setting", TABLE_SETTINGS, ids=str)
def test_every_table_row_gives_the_keras_size(setting):
    kernel_size, stride, padding, output_padding = setting
    translated = keras_to_pytorch(*setting)
    for size in INPUT_SIZES:
        keras_length = keras_layer(*setting, size).compute_output_shape((1, size, size, 1))[1]
        if translated is None:
            lengths = {
                pytorch_output_length(size, kernel_size, stride, p, op)
                for p in range(kernel_size)
                for op in range(stride)
                if (size - 1) * stride - 2 * p + kernel_size + op > 0
            }
            assert keras_length not in lengths, f"{setting} does have a PyTorch equivalent"
        else:
            torch_length = pytorch_output_length(
                size, kernel_size, stride, translated.padding, translated.output_padding
            )
            assert torch_length == keras_length, (setting, size)


TRANSLATABLE = [setting for setting in TABLE_SETTINGS if keras_to_pytorch(*setting) is not None]


@pytest.mark.parametrize("setting", TRANSLATABLE, ids=str)
def test_every_table_row_says_truly_whether_values_match(setting):
    translated = keras_to_pytorch(*setting)
    kernel_size, stride, padding, output_padding = setting
    rng = np.random.default_rng(kernel_size * 10 + stride)
    for size in INPUT_SIZES:
        images = rng.normal(size=(1, size, size, 3)).astype("float32")
        layer = keras_layer(*setting, size, channels=3)
        kernel, bias = (rng.normal(size=w.shape).astype("float32") for w in layer.get_weights())
        layer.set_weights([kernel, bias])
        expected = keras.ops.convert_to_numpy(layer(images))
        torch_like = pytorch_conv_transpose_forward(
            images, kernel, bias, stride, translated.padding, translated.output_padding
        )
        assert torch_like.shape == expected.shape
        shift = translated.shift
        if shift == 0:
            np.testing.assert_allclose(torch_like, expected, atol=1e-5)
        else:
            assert not np.allclose(torch_like, expected, atol=1e-5)
            # The same picture, moved by `shift` pixels.
            np.testing.assert_allclose(
                torch_like[:, :-shift, :-shift], expected[:, shift:, shift:], atol=1e-5
            )


def test_keras_output_padding_rule_is_pytorchs_rule():
    """With output_padding given, Keras uses PyTorch's formula with padding 0 ('valid') or k // 2 ('same')."""
    for kernel_size, stride, size in itertools.product(range(1, 6), range(1, 4), (1, 3, 6)):
        for output_padding in range(stride):
            for padding, torch_padding in (("valid", 0), ("same", kernel_size // 2)):
                keras_length = keras_layer(
                    kernel_size, stride, padding, output_padding, size
                ).compute_output_shape((1, size, size, 1))[1]
                if (size - 1) * stride - 2 * torch_padding + kernel_size + output_padding < 1:
                    continue
                assert keras_length == pytorch_output_length(
                    size, kernel_size, stride, torch_padding, output_padding
                ), (kernel_size, stride, size, padding, output_padding)


def test_translation_table_lists_every_setting():
    table = translation_table()
    assert len(table) == len(TABLE_SETTINGS)
    assert set(table["same values?"]) >= {"yes", "shifted 1 px", "no single layer"}


def test_bad_keras_setting_gets_a_clear_error():
    with pytest.raises(ValueError, match="padding must be"):
        keras_to_pytorch(3, 2, "full")
    with pytest.raises(ValueError, match="output_padding < stride"):
        keras_to_pytorch(3, 2, "valid", 2)
