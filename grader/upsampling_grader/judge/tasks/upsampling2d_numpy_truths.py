"""What Keras does, for the judge of upsampling2d_numpy: the truths every task compares with.

Arrays in the student's layout (their variant's ``data_format``), Keras's
``UpSampling2D`` forward pass and ``tf.GradientTape`` through it, Keras's
bilinear weights as a matrix, and a ``Conv2D``'s parameter count. Nothing
here runs in the student's kernel.
"""

from __future__ import annotations

import numpy as np

from upsampling_course.keras_setup import keras_module

LAST, FIRST = "channels_last", "channels_first"


def to_layout(last: np.ndarray, data_format: str) -> np.ndarray:
    """A channels-last array in ``data_format``."""
    return last if data_format == LAST else np.ascontiguousarray(np.moveaxis(last, -1, 1))


def to_last(array: np.ndarray, data_format: str) -> np.ndarray:
    return array if data_format == LAST else np.moveaxis(array, 1, -1)


def in_layout(function, data_format: str):
    """A function of channels-last arrays, applied to arrays in ``data_format``."""
    return lambda array, *args: to_layout(function(to_last(array, data_format), *args), data_format)


def other(data_format: str) -> str:
    return FIRST if data_format == LAST else LAST


def keras_upsampling(images: np.ndarray, size, data_format: str, interpolation: str) -> np.ndarray:
    keras = keras_module()
    layer = keras.layers.UpSampling2D(size, data_format=data_format, interpolation=interpolation)
    return keras.ops.convert_to_numpy(layer(images))


def tape_gradient(upstream: np.ndarray, size, data_format: str, interpolation: str) -> np.ndarray:
    """d sum(UpSampling2D(x) * upstream) / dx, by TensorFlow's automatic differentiation."""
    import tensorflow as tf

    rows, cols = size
    axes = (1, 2) if data_format == LAST else (2, 3)
    shape = list(upstream.shape)
    shape[axes[0]] //= rows
    shape[axes[1]] //= cols
    inputs = tf.constant(np.zeros(shape, "float32"))
    layer = keras_module().layers.UpSampling2D(
        size, data_format=data_format, interpolation=interpolation
    )
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        loss = tf.reduce_sum(layer(inputs) * upstream)
    return tape.gradient(loss, inputs).numpy()


def keras_bilinear_matrix(length: int, factor: int) -> np.ndarray:
    """U of shape (length * factor, length): Keras's bilinear upsampling of one axis."""
    eye = np.eye(length, dtype="float32").reshape(length, length, 1, 1)
    columns = keras_upsampling(eye, (factor, 1), LAST, "bilinear")[:, :, 0, 0]
    return columns.T.astype("float64")


def source_positions(length: int, factor: int) -> np.ndarray:
    """Where each output pixel's centre falls in input coordinates (Keras: half-pixel centres)."""
    return (np.arange(length * factor) + 0.5) / factor - 0.5


def interpolation_matrix(positions: np.ndarray, length: int, clamp: bool = True) -> np.ndarray:
    """Linear interpolation at ``positions`` (clamped to the edge, or zero outside)."""
    matrix = np.zeros((len(positions), length))
    for row, x in enumerate(positions):
        if clamp:
            x = min(max(x, 0.0), length - 1.0)
        low = int(np.floor(x))
        for index, weight in ((low, 1 - (x - low)), (low + 1, x - low)):
            if 0 <= index < length and weight:
                matrix[row, index] += weight
    return matrix


def transposed_product(gradient, rows_matrix, cols_matrix, data_format: str) -> np.ndarray:
    """U_rows.T @ G @ U_cols for every image and channel (the backward of U_rows X U_cols.T)."""
    last = to_last(gradient, data_format).astype("float64")
    return to_layout(np.einsum("ih,nijc,jw->nhwc", rows_matrix, last, cols_matrix), data_format)


def spatial(array: np.ndarray, data_format: str) -> tuple[int, int]:
    return tuple(array.shape[1:3]) if data_format == LAST else tuple(array.shape[2:4])


def true_matrices(gradient: np.ndarray, size, data_format: str) -> tuple[np.ndarray, np.ndarray]:
    """Keras's bilinear matrices for the two spatial axes of ``gradient`` read in ``data_format``."""
    (h, w), (rows, cols) = spatial(gradient, data_format), size
    return keras_bilinear_matrix(h // rows, rows), keras_bilinear_matrix(w // cols, cols)


def conv_parameters(in_channels: int, kernel_size, filters: int, use_bias: bool) -> int:
    """Conv2D(filters, kernel_size) on in_channels channels: kernels, and a bias per filter."""
    return (kernel_size[0] * kernel_size[1] * in_channels + int(use_bias)) * filters


def checked_against_keras(rng, use_bias: bool) -> None:
    """The judge's own formula, checked against Keras on a few small layers (a judge bug raises)."""
    keras = keras_module()
    for _ in range(3):
        channels, filters = int(rng.integers(1, 9)), int(rng.integers(1, 9))
        kernel = (int(rng.integers(1, 6)), int(rng.integers(1, 6)))
        size = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
        block = keras.Sequential(
            [
                keras.Input((4, 4, channels)),
                keras.layers.UpSampling2D(size),
                keras.layers.Conv2D(filters, kernel, padding="same", use_bias=use_bias),
            ]
        )
        assert block.count_params() == conv_parameters(channels, kernel, filters, use_bias)
