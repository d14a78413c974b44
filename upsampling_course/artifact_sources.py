"""The two sources of checkerboard artifacts, measured on random inputs over many seeds.

1. **Uneven overlap** (structural): when the kernel size is not a multiple
   of the stride, output phases sum different numbers of kernel taps. It
   shows with an all-ones kernel, whatever the input.
2. **Unequal sub-kernels**: with any stride above 1, each output phase is
   computed by its own subset of the kernel's weights. With random weights
   the phases differ even when the overlap is even (kernel = stride).

Each measure feeds a layer (or a stack of layers) a batch of random positive
images, like the activations after a ReLU, and takes the
:func:`~upsampling_course.artifacts.checkerboard_score` of the output's
interior, once per seed (new weights, new inputs), so every number comes
with its spread. :func:`noise_floor` is what the score gives for detail with
no preferred phase; :func:`trained_to_resize` asks what training can remove.

Used by *Checkerboard artifacts* (``book/checkerboard_artifacts.md``).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from upsampling_course.artifacts import METHODS, checkerboard_score
from upsampling_course.keras_setup import keras_module

KERNELS = ("random", "ones")


def upsampling_stack(
    kernel_size: int,
    stride: int = 2,
    depth: int = 1,
    method: str = "transpose",
    channels: int = 4,
    kernel: str = "random",
):
    """``depth`` upsampling layers of one kind, built for ``channels`` channels, without biases.

    ``method="transpose"``: ``Conv2DTranspose(channels, kernel_size, strides=stride,
    padding="same")``; ``"resize"``: ``UpSampling2D(stride)`` then
    ``Conv2D(channels, kernel_size, padding="same")``. ``kernel="random"``
    keeps Keras's random (Glorot uniform) initial weights; ``"ones"`` sets
    every weight to 1, which leaves only the structure of the layer.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if kernel not in KERNELS:
        raise ValueError(f"kernel must be one of {KERNELS}, got {kernel!r}")
    for name, value in (("kernel_size", kernel_size), ("stride", stride), ("depth", depth)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    keras = keras_module()
    layers = keras.layers
    stack = []
    for _ in range(depth):
        if method == "transpose":
            stack.append(
                layers.Conv2DTranspose(
                    channels, kernel_size, strides=stride, padding="same", use_bias=False
                )
            )
        else:
            stack += [
                layers.UpSampling2D(stride),
                layers.Conv2D(channels, kernel_size, padding="same", use_bias=False),
            ]
    model = keras.Sequential([keras.Input((None, None, channels)), *stack])
    if kernel == "ones":
        for weight in model.weights:
            weight.assign(np.ones(weight.shape, dtype="float32"))
    return model


def interior(outputs: np.ndarray, border: int) -> np.ndarray:
    """``outputs`` (N, H, W, C) without a frame of ``border`` pixels, where padding shapes the output."""
    if 2 * border >= min(outputs.shape[1:3]):
        raise ValueError(f"a border of {border} leaves nothing of {outputs.shape[1:3]}")
    return outputs[:, border : outputs.shape[1] - border, border : outputs.shape[2] - border]


def source_scores(
    kernel_size: int,
    stride: int = 2,
    method: str = "transpose",
    kernel: str = "random",
    depth: int = 1,
    seeds: Iterable[int] = range(20),
    input_size: int = 12,
    channels: int = 4,
    images_per_seed: int = 8,
) -> np.ndarray:
    """One checkerboard score per seed for :func:`upsampling_stack` fed random positive images.

    For each seed: new weights (unless ``kernel="ones"``), ``images_per_seed``
    new inputs uniform in [0, 1] of ``input_size`` x ``input_size`` x
    ``channels``, the output's interior without a border of ``kernel_size *
    stride ** (depth - 1)`` pixels, scored at the stack's period ``stride **
    depth`` (which holds every shorter period that divides it).
    """
    keras = keras_module()
    seeds = [int(seed) for seed in seeds]
    if not seeds:
        raise ValueError("seeds must name at least one seed")
    period = stride**depth
    border = kernel_size * stride ** (depth - 1)
    scores = []
    for seed in seeds:
        keras.utils.set_random_seed(seed)
        model = upsampling_stack(kernel_size, stride, depth, method, channels, kernel)
        inputs = np.random.default_rng(seed).uniform(
            0.0, 1.0, (images_per_seed, input_size, input_size, channels)
        )
        outputs = keras.ops.convert_to_numpy(model(inputs.astype("float32")))
        scores.append(checkerboard_score(interior(outputs, border), stride=period))
    return np.array(scores)


def noise_floor(
    size: int, period: int = 2, channels: int = 4, seeds: Iterable[int] = range(20)
) -> np.ndarray:
    """Checkerboard scores of iid uniform images ``size`` x ``size``: detail with no preferred phase."""
    return np.array(
        [
            checkerboard_score(
                np.random.default_rng(seed).uniform(0, 1, (8, size, size, channels)), period
            )
            for seed in seeds
        ]
    )


def trained_to_resize(
    kernel_size: int,
    seed: int = 0,
    steps: int = 300,
    input_size: int = 8,
    stride: int = 2,
) -> float:
    """Checkerboard score of one ``Conv2DTranspose`` trained to copy a fixed resize-convolution.

    The target is ``UpSampling2D(stride)`` and a 3 x 3 blur; the layer (one
    channel, no bias, random start) is fitted to it by Adam on random
    positive images for ``steps`` steps, then scored on fresh images. An
    evenly overlapping layer can become exactly that resize-convolution
    when its sub-kernels become equal; an unevenly overlapping one cannot,
    because its phases have different numbers of taps.
    """
    keras = keras_module()
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    layer = upsampling_stack(kernel_size, stride, 1, "transpose", channels=1)
    blur = np.outer([1, 2, 1], [1, 2, 1]).astype("float32") / 16

    def target(images):
        upsampled = np.repeat(np.repeat(images, stride, axis=1), stride, axis=2)
        return tf.nn.conv2d(upsampled, blur[:, :, None, None], 1, "SAME").numpy()

    rng = np.random.default_rng(seed)
    optimizer = keras.optimizers.Adam(0.02)

    @tf.function
    def step(images, wanted):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((layer(images) - wanted) ** 2)
        gradients = tape.gradient(loss, layer.trainable_variables)
        optimizer.apply_gradients(zip(gradients, layer.trainable_variables, strict=True))
        return loss

    for _ in range(steps):
        images = rng.uniform(0, 1, (16, input_size, input_size, 1)).astype("float32")
        step(images, target(images))
    test = rng.uniform(0, 1, (16, input_size, input_size, 1)).astype("float32")
    outputs = keras.ops.convert_to_numpy(layer(test))
    return checkerboard_score(interior(outputs, kernel_size), stride)
