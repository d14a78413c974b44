"""What Keras computes for the upsampling_operators assignment: the judge's truths.

Layers without bias built here from kernels in Keras's layouts, their
outputs, and their gradients from ``tf.GradientTape``, outside the student's
kernel (``upsampling_grader.judge.tasks.upsampling_operators`` asks, these
answer).
"""

from __future__ import annotations

import numpy as np

from upsampling_course.keras_setup import keras_module


def _numpy(tensor) -> np.ndarray:
    return keras_module().ops.convert_to_numpy(tensor).astype("float64")


def _layer(kind: str, kernel: np.ndarray, stride: int, channels: int = 1):
    """A Keras layer without bias holding ``kernel`` in Keras's layout."""
    layers = keras_module().layers
    size, filters = kernel.shape[0], kernel.shape[-2 if "Transpose" in kind else -1]
    layer = getattr(layers, kind)(filters, size, strides=stride, use_bias=False)
    layer.build((None, *([None] * (kernel.ndim - 2)), channels))
    layer.set_weights([kernel.astype("float32")])
    return layer


def keras_transposed_matrix(kernel: np.ndarray, size: int, stride: int) -> np.ndarray:
    """T of Conv1DTranspose holding ``kernel``: column i is its output for the unit sample i."""
    layer = _layer("Conv1DTranspose", kernel[:, None, None], stride)
    return _numpy(layer(np.eye(size)[:, :, None]))[:, :, 0].T


def tape_gradients(kind: str, kernel: np.ndarray, inputs: np.ndarray, upstream: np.ndarray, stride):
    """(d loss / d inputs, d loss / d kernel) of loss = sum(upstream * layer(inputs)), 1-D."""
    import tensorflow as tf

    layer = _layer(kind, kernel[:, None, None], stride)
    x = tf.Variable(inputs[None, :, None].astype("float32"))
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(layer(x)[0, :, 0] * upstream.astype("float32"))
    dx, dw = tape.gradient(loss, [x, layer.kernel])
    return _numpy(dx).ravel(), _numpy(dw).ravel()


def transposed_gradient(c) -> np.ndarray:
    kernel, upstream, size, stride = c
    return tape_gradients("Conv1DTranspose", kernel, np.zeros(size), upstream, stride)[0]


def kernel_gradient(c) -> np.ndarray:
    inputs, upstream, size, stride = c
    return tape_gradients("Conv1D", np.zeros(size), inputs, upstream, stride)[1]


def keras_subpixel_output(kernel: np.ndarray, images: np.ndarray) -> np.ndarray:
    """Conv2DTranspose(F, s, strides=s) holding ``kernel`` (s, s, F, C) on ``images``."""
    stride, channels = kernel.shape[0], kernel.shape[-1]
    return _numpy(_layer("Conv2DTranspose", kernel, stride, channels)(images.astype("float32")))


def subpixel_output(weights: np.ndarray, images: np.ndarray, stride: int) -> np.ndarray:
    """depth_to_space(Conv2D 1 x 1 holding ``weights``) on ``images``."""
    ops = keras_module().ops
    conv = ops.conv(images.astype("float32"), weights.astype("float32"))
    return _numpy(ops.depth_to_space(conv, stride))


def transposed_output(kernel: np.ndarray, inputs: np.ndarray) -> np.ndarray:
    return _numpy(_layer("Conv2DTranspose", kernel, kernel.shape[0], kernel.shape[-1])(inputs))


def nearest_output(base: np.ndarray, scale: int, inputs: np.ndarray) -> np.ndarray:
    """UpSampling2D(scale) of the 1 x 1 convolution holding ``base``, from Keras."""
    layers = keras_module().layers
    conv = _numpy(_layer("Conv2D", base, 1, base.shape[2])(inputs.astype("float32")))
    return _numpy(layers.UpSampling2D(scale)(conv))


def round_trip(kernel: np.ndarray, stride: int, inputs: np.ndarray) -> np.ndarray:
    """Conv1D(Conv1DTranspose(inputs)), both 'valid' with stride ``stride``, holding ``kernel``."""
    up = _layer("Conv1DTranspose", kernel[:, None, None], stride)
    down = _layer("Conv1D", kernel[:, None, None], stride)
    return _numpy(down(up(inputs[:, :, None].astype("float32"))))[:, :, 0]
