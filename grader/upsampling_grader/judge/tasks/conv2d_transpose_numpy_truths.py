"""What Keras does, for the judge of conv2d_transpose_numpy: the truths every task compares with.

Keras's ``Conv2DTranspose`` (``padding="valid"``) with given weights, its
gradients by ``tf.GradientTape``, and the random layers the tasks draw. Also
a plain NumPy scatter-add with switches for the known mistakes
(:mod:`.conv2d_transpose_numpy_mistakes`); it is checked against Keras on
every case where it stands for the truth. Nothing here runs in the student's
kernel.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from upsampling_course.keras_setup import keras_module


@dataclass(frozen=True)
class Layer:
    """One random valid-padding Conv2DTranspose with its weights, input and upstream gradient."""

    images: np.ndarray  # (batch, height, width, input_channels)
    kernel: np.ndarray  # (kernel_h, kernel_w, filters, input_channels)
    bias: np.ndarray  # (filters,)
    strides: tuple[int, int]
    upstream: np.ndarray  # the output's shape

    @property
    def kernel_size(self) -> tuple[int, int]:
        return tuple(int(v) for v in self.kernel.shape[:2])

    @property
    def input_size(self) -> tuple[int, int]:
        return tuple(int(v) for v in self.images.shape[1:3])


def output_side(size: int, kernel: int, stride: int) -> int:
    """Keras's valid-padding output length (output_padding=None)."""
    return (size - 1) * stride + max(kernel, stride)


def draw_layer(rng, *, batch=(1, 3), channels=(1, 4), filters=(1, 4)) -> Layer:
    """A random layer: sides 1-5, kernels 1-5 (some smaller than the stride), strides 1-3."""
    n = int(rng.integers(*batch))
    h, w = (int(v) for v in rng.integers(1, 6, 2))
    c, f = int(rng.integers(*channels)), int(rng.integers(*filters))
    kh, kw = (int(v) for v in rng.integers(1, 6, 2))
    strides = tuple(int(v) for v in rng.integers(1, 4, 2))
    return layer_of(rng, (n, h, w, c), (kh, kw, f, c), strides)


def layer_of(rng, images_shape, kernel_shape, strides) -> Layer:
    """A layer of the given shapes with random weights, input and upstream gradient."""
    (n, h, w, _), (kh, kw, f, _) = images_shape, kernel_shape
    out = (n, output_side(h, kh, strides[0]), output_side(w, kw, strides[1]), f)
    return Layer(
        *(rng.normal(size=s).astype("float32") for s in (images_shape, kernel_shape, (f,))),
        tuple(strides),
        rng.normal(size=out).astype("float32"),
    )


def _keras_layer(kernel: np.ndarray, bias: np.ndarray, strides, input_shape):
    keras = keras_module()
    # float64 keeps TensorFlow off its oneDNN kernels, whose filter gradient fails on some
    # shapes (a 1 x 1 kernel with strides (1, 3): "could not create a primitive descriptor").
    layer = keras.layers.Conv2DTranspose(
        int(kernel.shape[2]),
        tuple(kernel.shape[:2]),
        strides=tuple(strides),
        padding="valid",
        dtype="float64",
    )
    layer.build(tuple(input_shape))
    layer.set_weights([kernel.astype("float64"), bias.astype("float64")])
    return layer


def keras_forward(images: np.ndarray, kernel: np.ndarray, bias: np.ndarray, strides) -> np.ndarray:
    layer = _keras_layer(kernel, bias, strides, images.shape)
    return keras_module().ops.convert_to_numpy(layer(images.astype("float64")))


def tape_gradients(layer: Layer) -> tuple[np.ndarray, np.ndarray]:
    """d sum(layer(images) * upstream) / d images and / d kernel, by tf.GradientTape."""
    import tensorflow as tf

    keras_layer = _keras_layer(layer.kernel, layer.bias, layer.strides, layer.images.shape)
    inputs = tf.constant(layer.images.astype("float64"))
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(inputs)
        loss = tf.reduce_sum(keras_layer(inputs) * layer.upstream.astype("float64"))
    kernel = keras_layer.kernel
    kernel = getattr(kernel, "value", kernel)  # a Keras variable wraps the tf.Variable
    return (
        tape.gradient(loss, inputs).numpy().astype("float64"),
        tape.gradient(loss, kernel).numpy().astype("float64"),
    )


def scatter(images, kernel, bias, strides, *, overwrite=False, flip=False, full_side=False):
    """Scatter-add in NumPy; the switches make the known wrong versions: ``overwrite`` (``=``
    instead of ``+=``), ``flip`` (the kernel turned 180 degrees), ``full_side`` (the output
    side (size - 1) * stride + kernel, even when the kernel is smaller than the stride)."""
    (s0, s1), (kh, kw) = strides, kernel.shape[:2]
    n, h, w, _ = images.shape
    kernel = kernel[::-1, ::-1] if flip else kernel
    side = (lambda size, k, s: (size - 1) * s + k) if full_side else output_side
    out = np.zeros((n, side(h, kh, s0), side(w, kw, s1), kernel.shape[2]))
    for i in range(h):
        for j in range(w):
            stamp = np.einsum("nc,hwfc->nhwf", images[:, i, j, :], kernel)
            block = (slice(None), slice(i * s0, i * s0 + kh), slice(j * s1, j * s1 + kw))
            if overwrite:
                out[block] = stamp
            else:
                out[block] += stamp
    return out + bias


def input_gradient(layer: Layer, kernel=None, upstream=None) -> np.ndarray:
    """The input gradient read back through ``kernel`` (the layer's by default)."""
    kernel = layer.kernel if kernel is None else kernel
    upstream = layer.upstream if upstream is None else upstream
    (s0, s1), (kh, kw) = layer.strides, layer.kernel_size
    n, h, w, c = layer.images.shape
    out = np.zeros((n, h, w, c))
    for i in range(h):
        for j in range(w):
            block = upstream[:, i * s0 : i * s0 + kh, j * s1 : j * s1 + kw, :]
            out[:, i, j, :] = np.einsum("nhwf,hwfc->nc", block, kernel)
    return out


def kernel_gradient(layer: Layer, images=None) -> np.ndarray:
    """The kernel gradient, summed over the batch of ``images`` (the layer's by default)."""
    images = layer.images if images is None else images
    (s0, s1), (kh, kw) = layer.strides, layer.kernel_size
    out = np.zeros(layer.kernel.shape)
    for i in range(images.shape[1]):
        for j in range(images.shape[2]):
            block = layer.upstream[: len(images), i * s0 : i * s0 + kh, j * s1 : j * s1 + kw]
            out += np.einsum("nc,nhwf->hwfc", images[:, i, j, :], block)
    return out


def transpose_kernel_shape(in_channels: int, filters: int, kernel_size) -> tuple[int, ...]:
    return (int(kernel_size[0]), int(kernel_size[1]), int(filters), int(in_channels))


def checked_kernel_shapes(rng) -> None:
    """The judge's kernel-shape rule, checked against Keras on small layers (a judge bug raises)."""
    for _ in range(3):
        c, f = (int(v) for v in rng.integers(1, 9, 2))
        size = tuple(int(v) for v in rng.integers(1, 6, 2))
        layer = keras_module().layers.Conv2DTranspose(f, size)
        layer.build((None, 4, 4, c))
        assert tuple(layer.kernel.shape) == transpose_kernel_shape(c, f, size)
