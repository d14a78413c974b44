"""The NumPy UpSampling2D and Conv2DTranspose of the helper package, checked against Keras.

Each reference function is compared with the real layer on at least 200
random configurations (odd sizes, several channels, strides up to 3,
non-square kernels, both paddings) to 1e-5.
"""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from upsampling_course import import_keras_quietly
from upsampling_course.numpy_layers import (
    conv2d_transpose_forward,
    insert_zeros,
    scatter_add_full,
    upsampling2d_backward,
    upsampling2d_backward_wrong,
    upsampling2d_forward,
    zero_insertion_full,
)

keras = import_keras_quietly(seed=0)
layers = keras.layers
CONFIGURATIONS = 200
TOLERANCE = 1e-5


def random_upsampling_configs(seed: int = 3):
    rng = np.random.default_rng(seed)
    for _ in range(CONFIGURATIONS):
        height, width = (int(v) for v in rng.integers(1, 8, 2))
        channels = int(rng.integers(1, 5))
        size = tuple(int(v) for v in rng.integers(1, 4, 2))
        yield (int(rng.integers(1, 3)), height, width, channels), size, rng


def test_upsampling_forward_and_backward_match_keras_and_gradient_tape():
    for shape, size, rng in random_upsampling_configs():
        images = rng.normal(size=shape).astype("float32")
        layer = layers.UpSampling2D(size)
        expected = keras.ops.convert_to_numpy(layer(images))
        got = upsampling2d_forward(images, size)
        assert got.shape == expected.shape, (shape, size)
        np.testing.assert_allclose(got, expected, atol=TOLERANCE, err_msg=f"{shape} {size}")

        upstream = rng.normal(size=expected.shape).astype("float32")
        inputs = tf.constant(images)
        with tf.GradientTape() as tape:
            tape.watch(inputs)
            loss = tf.reduce_sum(layer(inputs) * upstream)
        tape_gradient = tape.gradient(loss, inputs).numpy()
        np.testing.assert_allclose(
            upsampling2d_backward(upstream, size), tape_gradient, atol=TOLERANCE
        )


def test_wrong_upsampling_backward_fails_the_gradient_check():
    """The copied backward pass is only right when nothing is repeated (size 1 x 1)."""
    checked = 0
    for shape, size, rng in random_upsampling_configs(seed=4):
        upstream = rng.normal(size=(shape[0], shape[1] * size[0], shape[2] * size[1], shape[3]))
        wrong = upsampling2d_backward_wrong(upstream, size)
        right = upsampling2d_backward(upstream, size)
        assert wrong.shape == right.shape  # same shape: only values expose it
        if size == (1, 1):
            np.testing.assert_allclose(wrong, right)
        else:
            assert not np.allclose(wrong, right, atol=TOLERANCE), (shape, size)
            checked += 1
    assert checked > CONFIGURATIONS // 2


def random_transpose_configs(seed: int = 5):
    """(input shape, kernel size, strides, padding, output_padding, filters)."""
    rng = np.random.default_rng(seed)
    while True:
        height, width = (int(v) for v in rng.integers(1, 8, 2))
        channels, filters = (int(v) for v in rng.integers(1, 5, 2))
        kernel_size = tuple(int(v) for v in rng.integers(1, 6, 2))
        strides = tuple(int(v) for v in rng.integers(1, 4, 2))
        padding = str(rng.choice(["valid", "same"]))
        output_padding = None
        if rng.random() < 0.3:
            output_padding = tuple(int(rng.integers(0, s)) for s in strides)
        yield (
            (2, height, width, channels),
            kernel_size,
            strides,
            padding,
            output_padding,
            filters,
            rng,
        )


def keras_transpose(images, kernel, bias, strides, padding, output_padding):
    layer = layers.Conv2DTranspose(
        kernel.shape[2],
        kernel.shape[:2],
        strides=strides,
        padding=padding,
        output_padding=output_padding,
    )
    layer.build(images.shape)
    layer.set_weights([kernel, bias])
    return keras.ops.convert_to_numpy(layer(images))


def test_conv2d_transpose_matches_keras_on_random_configurations():
    compared, paddings, with_output_padding = 0, set(), 0
    for (
        shape,
        kernel_size,
        strides,
        padding,
        output_padding,
        filters,
        rng,
    ) in random_transpose_configs():
        if compared == CONFIGURATIONS + 20:
            break
        images = rng.normal(size=shape).astype("float32")
        kernel = rng.normal(size=(*kernel_size, filters, shape[3])).astype("float32")
        bias = rng.normal(size=(filters,)).astype("float32")
        try:
            expected = keras_transpose(images, kernel, bias, strides, padding, output_padding)
        except Exception:  # noqa: BLE001
            # TensorFlow refuses some 'same' + output_padding sizes; only a
            # setting Keras itself runs can be compared.
            assert output_padding is not None and padding == "same"
            continue
        got = conv2d_transpose_forward(images, kernel, bias, strides, padding, output_padding)
        case = f"{shape} kernel {kernel_size} strides {strides} {padding} output_padding {output_padding}"
        assert got.shape == expected.shape, case
        np.testing.assert_allclose(got, expected, atol=TOLERANCE, err_msg=case)
        compared += 1
        paddings.add(padding)
        with_output_padding += output_padding is not None
    assert compared >= CONFIGURATIONS and paddings == {"valid", "same"} and with_output_padding > 20


def test_zero_insertion_and_scatter_add_are_the_same_layer():
    rng = np.random.default_rng(6)
    for _ in range(CONFIGURATIONS):
        height, width, channels, filters, kh, kw = (int(v) for v in rng.integers(1, 6, 6))
        strides = tuple(int(v) for v in rng.integers(1, 4, 2))
        images = rng.normal(size=(1, height, width, channels))
        kernel = rng.normal(size=(kh, kw, filters, channels))
        np.testing.assert_allclose(
            zero_insertion_full(images, kernel, strides),
            scatter_add_full(images, kernel, strides),
            atol=1e-10,
        )


def test_hand_set_example_and_tiling():
    """The chapter's 2x2 examples: 1x1 kernel puts inputs at even positions; 2x2 kernel tiles."""
    images = np.array([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 2, 2, 1)
    out = conv2d_transpose_forward(images, np.ones((1, 1, 1, 1)), np.zeros(1), 2)
    expected = np.zeros((4, 4))
    expected[::2, ::2] = [[1, 2], [3, 4]]
    np.testing.assert_array_equal(out[0, :, :, 0], expected)

    tile = np.array([[1.0, 10.0], [100.0, 1000.0]])
    tiled = conv2d_transpose_forward(images, tile.reshape(2, 2, 1, 1), None, 2)[0, :, :, 0]
    np.testing.assert_array_equal(tiled, np.kron([[1, 2], [3, 4]], tile))


def test_insert_zeros_spacing():
    spread = insert_zeros(np.arange(1, 7, dtype=float).reshape(1, 2, 3, 1), (3, 2))
    assert spread.shape == (1, 4, 5, 1)
    assert spread[0, ::3, ::2, 0].tolist() == [[1, 2, 3], [4, 5, 6]]
    assert spread.sum() == 21


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: upsampling2d_forward(np.zeros((2, 2)), 2), "4 axes"),
        (lambda: upsampling2d_forward(np.zeros((1, 2, 2, 1)), (2, 0)), "size must be"),
        (lambda: upsampling2d_backward(np.zeros((1, 3, 4, 1)), 2), "divisible"),
        (
            lambda: scatter_add_full(np.zeros((1, 2, 2, 3)), np.zeros((2, 2, 1, 2))),
            "input_channels = 3",
        ),
        (
            lambda: conv2d_transpose_forward(
                np.zeros((1, 2, 2, 1)), np.zeros((1, 1, 1, 1)), padding="full"
            ),
            "padding",
        ),
    ],
)
def test_bad_input_gets_a_clear_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
