"""Where checkerboard artifacts come from, measured on random inputs over many seeds.

A stride-``s`` upsampling layer computes each output *phase* (row and column
modulo ``s``) with its own sub-kernel. On a constant input, phase ``r``
outputs the input times the sum of its sub-kernel's weights, its **phase
gain**; the output is flat exactly when every phase has the same gain. That
one condition is behind both defaults the chapter measures:

1. **Uneven overlap**: when the kernel size is not a multiple of the
   stride, the sub-kernels hold different numbers of taps, so weights of one
   sign and similar size (an all-ones kernel) give unequal gains. Weights
   can still satisfy the condition: the tent kernel ``[1/2, 1, 1/2]`` with
   kernel 3 and stride 2 gives every phase gain 1.
2. **Unequal sub-kernels**: with random weights the gains differ for any
   stride above 1, even when the overlap is even (kernel = stride).

A resize-convolution's sub-kernels differ, but each sums the same weights,
so its gains are equal whatever the weights; ICNR makes the sub-kernels of a
sub-pixel convolution identical, which is sufficient, not necessary.

Each measure feeds a layer (or a stack of layers) a batch of random positive
images, like the activations after a ReLU, and takes the
:func:`~upsampling_course.artifacts.checkerboard_score` of the output's
interior, each channel scored as an image of its own, once per seed (new
weights, new inputs), so every number comes
with its spread; :func:`constant_input_scores` feeds a constant input
instead and takes the phase score. :func:`noise_floor` is what the score
gives for detail with no preferred phase; :func:`impulse_response` and
:func:`phase_gains` read a layer's sub-kernels and gains;
:func:`trained_copy` asks what training can reach.

Used by *Checkerboard artifacts* (``book/checkerboard_artifacts.md``).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from upsampling_course.artifacts import checkerboard_score, phase_score
from upsampling_course.checks import positive_int
from upsampling_course.keras_setup import keras_module
from upsampling_course.operators import bilinear_kernel_1d, icnr_kernel

# What upsampling_stack builds, and how it sets the weights.
STACK_METHODS = ("transpose", "resize", "subpixel")
KERNELS = ("random", "ones", "bilinear", "icnr")


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
    ``Conv2D(channels, kernel_size, padding="same")``; ``"subpixel"``:
    ``Conv2D(channels * stride**2, kernel_size, padding="same")`` then
    ``depth_to_space(stride)``. ``kernel="random"`` keeps Keras's random
    (Glorot uniform) initial weights; ``"ones"`` sets every weight to 1,
    which leaves only the structure of the layer; ``"bilinear"`` (transposed
    layers only) gives every pair of channels FCN's bilinear kernel
    (:func:`~upsampling_course.operators.bilinear_kernel_1d`, the tent
    ``[1/2, 1, 1/2]`` for kernel 3) times a random weight, Keras's initial
    centre tap; ``"icnr"`` (sub-pixel only) copies one random sub-kernel to
    every phase (Aitken et al. 2017).
    """
    if method not in STACK_METHODS:
        raise ValueError(f"method must be one of {STACK_METHODS}, got {method!r}")
    if kernel not in KERNELS:
        raise ValueError(f"kernel must be one of {KERNELS}, got {kernel!r}")
    if (kernel, method) in {("bilinear", "resize"), ("bilinear", "subpixel")}:
        raise ValueError("kernel='bilinear' sets the kernel of a transposed convolution only")
    if kernel == "icnr" and method != "subpixel":
        raise ValueError("kernel='icnr' initializes a sub-pixel convolution only")
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
        elif method == "resize":
            stack += [
                layers.UpSampling2D(stride),
                layers.Conv2D(channels, kernel_size, padding="same", use_bias=False),
            ]
        else:
            stack += [
                layers.Conv2D(channels * stride**2, kernel_size, padding="same", use_bias=False),
                layers.Lambda(lambda x: keras.ops.depth_to_space(x, stride)),
            ]
    model = keras.Sequential([keras.Input((None, None, channels)), *stack])
    for weight in model.weights:
        if kernel == "ones":
            weight.assign(np.ones(weight.shape, dtype="float32"))
        elif kernel == "bilinear":
            taps = bilinear_kernel_1d(kernel_size)
            centre = np.array(weight.numpy())[kernel_size // 2, kernel_size // 2]
            weight.assign((np.outer(taps, taps)[:, :, None, None] * centre).astype("float32"))
        elif kernel == "icnr":
            start = np.array(weight.numpy())[..., :channels]
            weight.assign(icnr_kernel(start, stride).astype("float32"))
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
    per_channel: bool = True,
) -> np.ndarray:
    """One checkerboard score per seed for :func:`upsampling_stack` fed random positive images.

    For each seed: new weights (unless ``kernel="ones"``), ``images_per_seed``
    new inputs uniform in [0, 1] of ``input_size`` x ``input_size`` x
    ``channels``, the output's interior without a border of ``kernel_size *
    stride ** (depth - 1)`` pixels, scored at the stack's period ``stride **
    depth`` (which holds every shorter period that divides it). Each output
    channel is scored as an image of its own (``per_channel``), so that
    channels whose patterns differ in sign do not cancel.
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
        scores.append(
            checkerboard_score(interior(outputs, border), stride=period, per_channel=per_channel)
        )
    return np.array(scores)


def noise_floor(
    size: int,
    period: int = 2,
    channels: int = 4,
    seeds: Iterable[int] = range(20),
    images: int = 8,
    per_channel: bool = True,
) -> np.ndarray:
    """Checkerboard scores of ``images`` iid uniform images ``size`` x ``size`` x ``channels``.

    Detail with no preferred phase scores about one over the number of pixels
    per phase, so the floor depends on the size scored: compare a score with
    the floor measured at the same size, channels, number of images and
    ``per_channel`` setting (as :func:`source_scores`, by default).
    """
    return np.array(
        [
            checkerboard_score(
                np.random.default_rng(seed).uniform(0, 1, (images, size, size, channels)),
                period,
                per_channel=per_channel,
            )
            for seed in seeds
        ]
    )


def constant_input_scores(
    kernel_size: int,
    stride: int = 2,
    method: str = "transpose",
    kernel: str = "random",
    seeds: Iterable[int] = range(20),
    input_size: int = 12,
    channels: int = 4,
) -> np.ndarray:
    """One phase score per seed for :func:`upsampling_stack` fed a constant input of ones.

    The score (:func:`~upsampling_course.artifacts.phase_score`) of each
    output channel's interior, without a border of ``kernel_size`` pixels,
    averaged over the channels: 0 exactly when every phase of every channel
    has the same gain, up to float32 rounding (below about 1e-12).
    """
    keras = keras_module()
    seeds = [int(seed) for seed in seeds]
    if not seeds:
        raise ValueError("seeds must name at least one seed")
    ones = np.ones((1, input_size, input_size, channels), dtype="float32")
    scores = []
    for seed in seeds:
        keras.utils.set_random_seed(seed)
        model = upsampling_stack(kernel_size, stride, 1, method, channels, kernel)
        inside = interior(keras.ops.convert_to_numpy(model(ones)), kernel_size)[0]
        scores.append(np.mean([phase_score(inside[..., c], stride) for c in range(channels)]))
    return np.array(scores)


def impulse_response(model, input_size: int = 5) -> np.ndarray:
    """What a one-channel ``model`` outputs for a single 1 at the centre of an ``input_size`` square.

    For a linear upsampling layer without bias this is the kernel of the
    transposed convolution it equals, placed in the output: the pixels of
    phase ``(p, q)`` hold that phase's sub-kernel.
    """
    keras = keras_module()
    impulse = np.zeros((1, input_size, input_size, 1), dtype="float32")
    impulse[0, input_size // 2, input_size // 2, 0] = 1.0
    return keras.ops.convert_to_numpy(model(impulse))[0, :, :, 0]


def sub_kernels(response: np.ndarray, stride: int = 2) -> dict[tuple[int, int], np.ndarray]:
    """The ``stride * stride`` sub-kernels of an :func:`impulse_response`, one per output phase.

    Phase ``(p, q)`` holds the taps at rows ``p``, ``p + stride``, ... and
    columns ``q``, ``q + stride``, ..., cut to where the response is not zero.
    """
    rows, cols = np.nonzero(response)
    if rows.size == 0:
        raise ValueError("the response is zero everywhere: no kernel to split")
    window = response[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    top, left = int(rows.min()) % stride, int(cols.min()) % stride
    return {
        ((top + p) % stride, (left + q) % stride): window[p::stride, q::stride]
        for p in range(stride)
        for q in range(stride)
    }


def phase_gains(response: np.ndarray, stride: int = 2) -> np.ndarray:
    """``stride x stride`` array: the sum of each phase's sub-kernel in an :func:`impulse_response`.

    A constant input ``c`` makes phase ``(p, q)`` output ``c`` times its gain,
    so the output is flat away from the border exactly when all gains are equal.
    """
    gains = np.zeros((stride, stride))
    for (p, q), taps in sub_kernels(response, stride).items():
        gains[p, q] = taps.sum()
    return gains


def best_copy_error(kernel_size: int, target_taps, stride: int = 2, length: int = 40) -> float:
    """How closely any 1-D transposed convolution of ``kernel_size`` taps can copy one with ``target_taps``.

    Both at ``stride``, on a random signal of ``length`` samples: the least-
    squares kernel for every alignment of the two outputs, and the smallest
    relative error ``|y - target| / |target|`` over the alignments, away from
    the ends. 0 (to rounding) when the target is within reach of some kernel;
    otherwise the part of the target no such kernel can produce. An image
    layer whose kernel is a product of two 1-D kernels, as the course's
    targets are, is out of reach in 2-D when it is out of reach along one axis.
    """
    positive_int("kernel_size", kernel_size)
    positive_int("stride", stride)
    target_taps = np.asarray(target_taps, dtype=float)
    spread = np.zeros(stride * (length - 1) + 1)
    spread[::stride] = np.random.default_rng(0).normal(size=length)
    wanted = np.convolve(spread, target_taps)
    columns = np.stack(
        [np.convolve(spread, np.eye(kernel_size)[tap]) for tap in range(kernel_size)], 1
    )
    rows = np.arange(
        2 * (kernel_size + len(target_taps)), len(columns) - 2 * (kernel_size + len(target_taps))
    )
    errors = []
    for shift in range(-2 * len(target_taps), 2 * len(target_taps) + 1):
        aligned = wanted[rows + shift]
        weights, *_ = np.linalg.lstsq(columns[rows], aligned, rcond=None)
        errors.append(np.linalg.norm(columns[rows] @ weights - aligned) / np.linalg.norm(aligned))
    return float(min(errors))


def trained_copy(
    kernel_size: int,
    seed: int = 0,
    steps: int = 300,
    input_size: int = 8,
    stride: int = 2,
    target: str = "blur",
) -> dict[str, float]:
    """One ``Conv2DTranspose`` trained to copy a fixed resize, and how close it came.

    ``target="blur"``: ``UpSampling2D(stride)`` and a 3 x 3 binomial blur,
    which along each axis is the 4-tap kernel ``[1, 3, 3, 1] / 4`` at stride
    2: each phase needs two taps per axis. ``target="linear"``: linear
    interpolation that keeps every input pixel, the tent kernel ``[1/2, 1,
    1/2]`` at stride 2: one tap per axis in one phase, two in the other. Both
    targets have equal phase gains. The layer (one channel, no bias, random
    start) is fitted to the target by Adam on random positive images for
    ``steps`` steps, then compared with it on 16 fresh images.

    Returns ``score``, the checkerboard score of the layer's output without a
    border of ``kernel_size`` pixels; ``target_score``, the score of the
    target's own output on the same images and crop, the reference a
    pattern-free copy reaches at this small size (the outputs are only 8 to
    10 pixels wide there, so content alone scores well above zero);
    ``relative_error``, ``|output - target| / |target|``; and ``gain_spread``,
    the largest difference between the trained layer's phase gains over their
    mean (0 for equal gains, up to float rounding).
    """
    if target not in ("blur", "linear"):
        raise ValueError(f"target must be 'blur' or 'linear', got {target!r}")
    keras = keras_module()
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    layer = upsampling_stack(kernel_size, stride, 1, "transpose", channels=1)
    if target == "blur":
        blur = np.outer([1, 2, 1], [1, 2, 1]).astype("float32") / 16
        resize = None
    else:
        resize = upsampling_stack(3, stride, 1, "transpose", channels=1, kernel="ones")
        tent = bilinear_kernel_1d(3)
        resize.layers[0].set_weights([np.outer(tent, tent)[:, :, None, None]])

    def target_of(images):
        if resize is not None:
            return keras.ops.convert_to_numpy(resize(images))
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
        step(images, target_of(images))
    test = rng.uniform(0, 1, (16, input_size, input_size, 1)).astype("float32")
    outputs = keras.ops.convert_to_numpy(layer(test))
    wanted = target_of(test)
    gains = phase_gains(impulse_response(layer), stride)
    return {
        "score": checkerboard_score(interior(outputs, kernel_size), stride),
        "target_score": checkerboard_score(interior(wanted, kernel_size), stride),
        "relative_error": float(np.linalg.norm(outputs - wanted) / np.linalg.norm(wanted)),
        "gain_spread": float(np.ptp(gains) / abs(gains.mean())),
    }


def trained_to_resize(
    kernel_size: int,
    seed: int = 0,
    steps: int = 300,
    input_size: int = 8,
    stride: int = 2,
    target: str = "blur",
) -> float:
    """The checkerboard score of :func:`trained_copy`'s trained layer (its ``score``)."""
    return trained_copy(kernel_size, seed, steps, input_size, stride, target)["score"]
