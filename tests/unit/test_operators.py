"""upsampling_course.operators and .explorer against real Keras.

The matrix of a convolution, its transpose as Conv2DTranspose and as the
gradient, sub-pixel convolution, ICNR, the bilinear kernel, space_to_depth,
and the explorer's reference outcome (lengths, kept window, overlap counts,
Keras's errors) on a grid of settings.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from upsampling_course import import_keras_quietly
from upsampling_course.artifacts import overlap_count_map, phase_score
from upsampling_course.explorer import explorer_outcome
from upsampling_course.operators import (
    bilinear_kernel_1d,
    bilinear_transpose_kernel,
    conv_matrix_1d,
    conv_matrix_2d,
    conv_transpose_via_subpixel,
    icnr_initializer,
    icnr_kernel,
    space_to_depth,
    subpixel_kernel_from_transpose,
)

keras = import_keras_quietly(seed=0)
layers = keras.layers


def numpy(tensor) -> np.ndarray:
    return keras.ops.convert_to_numpy(tensor)


def transpose_layer(kernel, stride, padding="valid", output_padding=None):
    """A bias-free Conv2DTranspose whose kernel is ``kernel`` (k, k, F, C)."""
    layer = layers.Conv2DTranspose(
        kernel.shape[2],
        kernel.shape[0],
        strides=stride,
        padding=padding,
        output_padding=output_padding,
        use_bias=False,
    )
    layer.build((None, None, None, kernel.shape[3]))
    layer.set_weights([kernel])
    return layer


def test_conv_matrix_1d_is_keras_convolution():
    rng = np.random.default_rng(0)
    for size, k, s in [(5, 3, 2), (7, 2, 2), (6, 3, 1), (9, 4, 3), (4, 4, 1)]:
        kernel, x = rng.normal(size=k), rng.normal(size=size)
        expected = numpy(keras.ops.conv(x[None, :, None], kernel[:, None, None], strides=s))
        np.testing.assert_allclose(conv_matrix_1d(kernel, size, s) @ x, expected.ravel(), atol=1e-5)


def test_conv_matrix_2d_is_keras_convolution_and_its_transpose_is_conv2d_transpose():
    rng = np.random.default_rng(1)
    for size, k, s in [(5, 3, 2), (4, 2, 2), (6, 3, 1), (7, 3, 2), (6, 4, 2)]:
        kernel, x = rng.normal(size=(k, k)), rng.normal(size=(size, size))
        matrix = conv_matrix_2d(kernel, (size, size), s)
        forward = numpy(keras.ops.conv(x[None, :, :, None], kernel[:, :, None, None], strides=s))
        np.testing.assert_allclose(matrix @ x.ravel(), forward.ravel(), atol=1e-5)
        y = rng.normal(size=forward.shape[1:3])
        back = numpy(transpose_layer(kernel[:, :, None, None], s)(y[None, :, :, None]))[0, :, :, 0]
        # Keras's 'valid' transpose ends at the last kernel copy; C.T also covers
        # input columns a strided convolution skipped (they get zero).
        expected = (matrix.T @ y.ravel()).reshape(size, size)
        np.testing.assert_allclose(back, expected[: back.shape[0], : back.shape[1]], atol=1e-5)
        assert np.allclose(expected[back.shape[0] :], 0) and np.allclose(
            expected[:, back.shape[1] :], 0
        )


def test_transpose_of_the_matrix_is_the_gradient():
    import tensorflow as tf

    rng = np.random.default_rng(2)
    kernel = rng.normal(size=(3, 3)).astype("float32")
    x = tf.Variable(rng.normal(size=(1, 5, 5, 1)).astype("float32"))
    upstream = rng.normal(size=(1, 2, 2, 1)).astype("float32")
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(keras.ops.conv(x, kernel[:, :, None, None], strides=2) * upstream)
    gradient = tape.gradient(loss, x).numpy().ravel()
    np.testing.assert_allclose(
        gradient, conv_matrix_2d(kernel, (5, 5), 2).T @ upstream.ravel(), atol=1e-5
    )


@pytest.mark.parametrize(
    ("k", "s", "padding"),
    [
        (2, 2, "valid"),
        (3, 3, "same"),
        (3, 2, "valid"),
        (4, 2, "same"),
        (5, 2, "same"),
        (5, 3, "valid"),
        (1, 2, "valid"),
    ],
)
def test_subpixel_convolution_equals_conv2d_transpose(k, s, padding):
    rng = np.random.default_rng(k * 10 + s)
    kernel = rng.normal(size=(k, k, 2, 3))
    x = rng.normal(size=(2, 5, 4, 3))
    expected = numpy(transpose_layer(kernel, s, padding)(x))
    np.testing.assert_allclose(
        conv_transpose_via_subpixel(x, kernel, s, padding), expected, atol=1e-5
    )


def test_k_equals_s_is_one_by_one_convolution_with_the_kernel_in_channel_order():
    rng = np.random.default_rng(3)
    kernel = rng.normal(size=(2, 2, 3, 4))
    weights = subpixel_kernel_from_transpose(kernel, 2)
    assert weights.shape == (1, 1, 4, 12)
    for i, j, f in itertools.product(range(2), range(2), range(3)):
        np.testing.assert_array_equal(weights[0, 0, :, (i * 2 + j) * 3 + f], kernel[i, j, f, :])


def test_icnr_starts_as_nearest_upsampling_of_a_convolution_with_no_checkerboard():
    rng = np.random.default_rng(4)
    base = rng.normal(size=(3, 3, 4, 2))
    x = rng.normal(size=(1, 6, 6, 4))
    shuffled = numpy(
        keras.ops.depth_to_space(keras.ops.conv(x, icnr_kernel(base, 2), padding="same"), 2)
    )
    nearest = numpy(layers.UpSampling2D(2)(keras.ops.conv(x, base, padding="same")))
    np.testing.assert_allclose(shuffled, nearest, atol=1e-5)
    layer = layers.Conv2D(8 * 4, 3, padding="same", kernel_initializer=icnr_initializer(2, seed=1))
    flat = numpy(keras.ops.depth_to_space(layer(np.ones((1, 8, 8, 8))), 2))[0, 3:-3, 3:-3]
    assert phase_score(flat, 2) < 1e-10
    # The same seed, Keras's default (Glorot uniform) kernel: its sub-kernels differ, so a
    # flat input comes out patterned (0.056 of the power here; some draws give 0.006, so
    # an unseeded layer made this test fail now and then).
    plain = layers.Conv2D(
        8 * 4, 3, padding="same", kernel_initializer=keras.initializers.GlorotUniform(seed=1)
    )
    assert (
        phase_score(
            numpy(keras.ops.depth_to_space(plain(np.ones((1, 8, 8, 8))), 2))[0, 3:-3, 3:-3], 2
        )
        > 0.01
    )
    with pytest.raises(ValueError, match="divisible by 4"):
        layers.Conv2D(6, 3, kernel_initializer=icnr_initializer(2)).build((None, 4, 4, 1))


def test_bilinear_transpose_equals_bilinear_resize_inside_the_image():
    np.testing.assert_allclose(bilinear_kernel_1d(4), [0.25, 0.75, 0.75, 0.25])
    x = np.random.default_rng(5).normal(size=(1, 6, 6, 2))
    layer = transpose_layer(bilinear_transpose_kernel(2, 2), 2, "same")
    learned, fixed = numpy(layer(x)), numpy(layers.UpSampling2D(2, interpolation="bilinear")(x))
    difference = np.abs(learned - fixed)
    assert difference[:, 1:-1, 1:-1].max() < 1e-5
    assert difference[:, 0].max() > 0.1 and difference[:, :, -1].max() > 0.1


def test_space_to_depth_inverts_depth_to_space():
    import tensorflow as tf

    x = np.random.default_rng(6).normal(size=(2, 4, 6, 3))
    np.testing.assert_allclose(space_to_depth(x, 2), tf.nn.space_to_depth(x, 2).numpy())
    np.testing.assert_allclose(numpy(keras.ops.depth_to_space(space_to_depth(x, 2), 2)), x)
    with pytest.raises(ValueError, match="multiples of 4"):
        space_to_depth(x, 4)


def test_bad_input_is_a_clear_error():
    with pytest.raises(ValueError, match="kernel size"):
        conv_matrix_1d([1, 2, 3], 2)
    with pytest.raises(ValueError, match="square"):
        subpixel_kernel_from_transpose(np.ones((2, 3, 1, 1)), 2)
    with pytest.raises(ValueError, match="NaN"):
        icnr_kernel(np.full((1, 1, 1, 1), np.nan), 2)
    with pytest.raises(ValueError, match="positive integer"):
        bilinear_transpose_kernel(0)


EXPLORER_GRID = [
    (n, k, s, p, a)
    for n in (1, 2, 3, 5)
    for k in (1, 2, 3, 4, 5)
    for s in (1, 2, 3)
    for p in ("valid", "same")
    for a in (None, 0, 1, 2, 3)
]


def test_explorer_outcome_is_what_keras_does():
    """Ones in, ones kernel: Keras's output is the overlap map; errors are Keras's."""
    checked = {"length": 0, "constructor": 0, "call": 0}
    for n, k, s, p, a in EXPLORER_GRID:
        outcome = explorer_outcome(n, k, s, p, a)
        try:
            layer = layers.Conv2DTranspose(
                1,
                k,
                strides=s,
                padding=p,
                output_padding=a,
                use_bias=False,
                kernel_initializer="ones",
            )
        except ValueError as error:
            assert outcome == {"error": str(error)}, (n, k, s, p, a)
            checked["constructor"] += 1
            continue
        try:
            output = numpy(layer(np.ones((1, n, n, 1))))[0, :, :, 0]
        except Exception:
            assert "calling the layer fails" in outcome.get("error", ""), (n, k, s, p, a)
            checked["call"] += 1
            continue
        assert output.shape == (outcome["length"],) * 2, (n, k, s, p, a)
        np.testing.assert_array_equal(output, np.outer(outcome["counts"], outcome["counts"]))
        checked["length"] += 1
    assert min(checked.values()) > 10, checked


def test_explorer_counts_are_a_window_of_the_artifacts_overlap_map():
    for n, k, s in itertools.product((2, 4), (2, 3, 5), (1, 2, 3)):
        full = overlap_count_map(k, s, input_size=n)
        outcome = explorer_outcome(n, k, s, "valid", None)
        if k >= s:
            np.testing.assert_array_equal(np.outer(outcome["counts"], outcome["counts"]), full)
