"""Checkerboard artifacts: where they come from and how large they are.

Used by the chapter *Checkerboard artifacts* (``book/checkerboard_artifacts.md``),
the ``checkerboard`` assignment and :func:`upsampling_course.gan.experiments.recorded_run`,
which scores the lab recipe's trained generators' digits with
:func:`checkerboard_score` for ``benchmarks/lab_ablations.py`` (the chapter reads
those results; the lab page itself does not use the score).

A transposed convolution with stride ``s`` scatters a copy of its kernel
around every input pixel, ``s`` output pixels apart. Output pixels in
different *phases* (their row and column modulo ``s``) are built from
different kernel taps, and, when the kernel size is not a multiple of the
stride, from a different *number* of taps. When the phases' weights sum to
different totals (their gains), a flat input comes out as a pattern that
repeats every ``s`` pixels: the checkerboard artifact described by Odena,
Dumoulin and Olah (Distill, 2016).
The functions here count the overlap and measure the pattern
(:func:`step_unevenness`: the steps a layer draws on a ramp).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from upsampling_course.checks import positive_int
from upsampling_course.keras_setup import keras_module

METHODS = ("transpose", "resize")


def overlap_count_1d(input_size: int, kernel_size: int, stride: int) -> np.ndarray:
    """How many kernel taps land on each output position of a 1D transposed convolution.

    Input pixel ``i`` writes its kernel to outputs ``i * stride + t`` for
    ``t = 0 .. kernel_size - 1``; the result counts the writes per output over
    the full ``'valid'`` output, of length ``(input_size - 1) * stride + kernel_size``.

    >>> overlap_count_1d(4, 3, 2).tolist()
    [1, 1, 2, 1, 2, 1, 2, 1, 1]
    """
    for name, value in (("input_size", input_size), ("kernel_size", kernel_size)):
        positive_int(name, value)
    positive_int("stride", stride)
    counts = np.zeros((input_size - 1) * stride + kernel_size, dtype=int)
    for position in range(input_size):
        counts[position * stride : position * stride + kernel_size] += 1
    return counts


def overlap_count_map(
    kernel_size: int, stride: int, input_size: int = 6, method: str = "transpose"
) -> np.ndarray:
    """Number of (input pixel, kernel tap) products summed into each output pixel.

    This is what the layer outputs for an all-ones input, an all-ones kernel and
    no bias, so an uneven map means an uneven output even where the input is flat.

    ``method="transpose"``: ``Conv2DTranspose(kernel_size, strides=stride,
    padding="valid")`` on an ``input_size`` square; the map is the outer
    product of :func:`overlap_count_1d` with itself.

    ``method="resize"``: resize-convolution, ``UpSampling2D(stride)`` followed by
    ``Conv2D(kernel_size, padding="same")``. Every output pixel reads
    ``kernel_size ** 2`` taps, fewer only where the kernel hangs over the border.

    >>> overlap_count_map(3, 2, input_size=2).tolist()
    [[1, 1, 2, 1, 1], [1, 1, 2, 1, 1], [2, 2, 4, 2, 2], [1, 1, 2, 1, 1], [1, 1, 2, 1, 1]]
    """
    positive_int("input_size", input_size)
    if method == "transpose":
        counts = overlap_count_1d(input_size, kernel_size, stride)
    elif method == "resize":
        positive_int("kernel_size", kernel_size)
        positive_int("stride", stride)
        length = input_size * stride
        # 'same' padding puts (k - 1) // 2 taps before the centre, the rest after.
        before = (kernel_size - 1) // 2
        counts = np.array(
            [
                min(position + kernel_size - before, length) - max(position - before, 0)
                for position in range(length)
            ]
        )
    else:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    return np.outer(counts, counts)


def phase_means(values: np.ndarray, stride: int) -> np.ndarray:
    """Mean of ``values`` over each of the ``stride x stride`` output phases.

    ``values`` has shape ``(height, width)`` or ``(height, width, channels)``;
    entry ``[p, q]`` of the result averages every pixel whose row is ``p`` and
    column is ``q`` modulo ``stride`` (over all channels). Rows and columns
    beyond the last whole period are dropped so every phase has as many pixels.
    """
    positive_int("stride", stride)
    values = np.asarray(values, dtype=float)
    if values.ndim not in (2, 3):
        raise ValueError(f"values must be (height, width[, channels]), got shape {values.shape}")
    height = values.shape[0] // stride * stride
    width = values.shape[1] // stride * stride
    if height == 0 or width == 0:
        raise ValueError(f"values of shape {values.shape} hold no whole {stride} x {stride} period")
    cropped = values[:height, :width].reshape(height // stride, stride, width // stride, stride, -1)
    return cropped.mean(axis=(0, 2, 4))


def phase_score(values: np.ndarray, stride: int) -> float:
    """Share of the power of ``values`` that is a pattern repeating every ``stride`` pixels.

    ``var(phase means) / mean(values ** 2)``: 0 when every phase has the same
    mean (a flat output, or no periodic pattern), and 0 for an all-zero array.
    At most 1, since ``mean(values ** 2)`` is at least the mean of the squared
    phase means; 1 exactly when every phase is constant and the phase means
    average to 0 (a pure checkerboard of +1 and -1 scores 1, one bright phase
    among ``stride**2`` dark ones ``1 - 1 / stride**2``).
    Meant for the response of a layer to a *constant* input, where any
    variation is artifact; :func:`checkerboard_score` handles real images.
    """
    values = np.asarray(values, dtype=float)
    power = float(np.mean(values**2))
    if power == 0.0:
        return 0.0
    return float(np.var(phase_means(values, stride)) / power)


def upsampling_layer(kernel_size: int, stride: int, method: str = "transpose", filters: int = 8):
    """One Keras upsampling step of the two kinds the chapter compares.

    ``"transpose"``: ``Conv2DTranspose(filters, kernel_size, strides=stride,
    padding="same")``. ``"resize"``: ``UpSampling2D(stride)`` then
    ``Conv2D(filters, kernel_size, padding="same")`` in a ``Sequential``.
    Both double (for stride 2) the height and width and start from Keras's
    default (Glorot uniform) weights and zero biases.
    """
    keras = keras_module()

    if method == "transpose":
        return keras.layers.Conv2DTranspose(filters, kernel_size, strides=stride, padding="same")
    if method == "resize":
        return keras.Sequential(
            [
                keras.layers.UpSampling2D(stride),
                keras.layers.Conv2D(filters, kernel_size, padding="same"),
            ]
        )
    raise ValueError(f"method must be one of {METHODS}, got {method!r}")


def layer_artifact_score(
    kernel_size: int,
    stride: int,
    method: str = "transpose",
    seeds: Iterable[int] = range(5),
    input_size: int = 8,
    channels: int = 8,
) -> float:
    """Phase score of a freshly initialised upsampling layer fed a constant input.

    For each seed: build :func:`upsampling_layer` with ``channels`` input and
    output channels and random initial weights, feed it an all-ones
    ``input_size`` square, cut off a border of ``kernel_size`` pixels (where
    padding, not the layer's structure, makes the output uneven) and take the
    :func:`phase_score` of what is left. Returns the mean over seeds.
    A layer that cannot make a stride-periodic pattern scores exactly 0.
    """
    keras = keras_module()

    positive_int("kernel_size", kernel_size)
    positive_int("stride", stride)
    scores = []
    for seed in seeds:
        keras.utils.set_random_seed(int(seed))
        layer = upsampling_layer(kernel_size, stride, method, filters=channels)
        output = keras.ops.convert_to_numpy(layer(np.ones((1, input_size, input_size, channels))))
        border = kernel_size
        interior = output[0, border:-border, border:-border]
        if interior.shape[0] < stride:
            raise ValueError(
                f"input_size {input_size} is too small to leave an interior for kernel {kernel_size}"
            )
        scores.append(phase_score(interior, stride))
    if not scores:
        raise ValueError("seeds must name at least one seed")
    return float(np.mean(scores))


def _high_pass(images: np.ndarray, stride: int) -> np.ndarray:
    """Each pixel minus the mean of the ``stride x stride`` block that starts at it."""
    height, width = images.shape[1:3]
    window_sums = np.cumsum(np.cumsum(images, axis=1), axis=2)
    window_sums = np.pad(window_sums, ((0, 0), (1, 0), (1, 0), (0, 0)))
    s = stride
    block = (
        window_sums[:, s:, s:]
        - window_sums[:, :-s, s:]
        - window_sums[:, s:, :-s]
        + window_sums[:, :-s, :-s]
    ) / (s * s)
    return images[:, : height - s + 1, : width - s + 1] - block


def checkerboard_score(images: np.ndarray, stride: int = 2, per_channel: bool = False) -> float:
    """How strongly a batch of images shows a pattern that repeats every ``stride`` pixels.

    ``images`` is a NumPy array ``(N, H, W, C)`` (any real dtype, any value
    range). With ``per_channel=True`` each channel of each image is scored as
    an image of its own (a one-channel batch of ``N * C`` images). For each image:

    1. **High-pass.** Subtract from each pixel the mean of the
       ``stride x stride`` block that starts at it. Smooth content (flat areas,
       gradients, wide strokes) mostly cancels; a pattern with period
       ``stride`` survives intact, minus its mean.
    2. **Phase means.** Average the high-passed pixels of each of the
       ``stride x stride`` phases (row and column modulo ``stride``, all
       channels together).
    3. **Normalise.** Divide the variance of those ``stride ** 2`` means by the
       variance of the whole high-passed image.

    The ratio is the share of the image's fine detail that is one fixed tile
    repeated every ``stride`` pixels. It lies in ``[0, 1]``, does not change
    when an image is scaled or shifted in brightness as a whole, is about
    ``1 / (number of pixels per phase)`` for detail with no preferred phase
    (white noise, natural images), and is 1 for a pure checkerboard. A flat
    image has no detail and scores 0. The batch score is the mean over images.

    Step 2 pools the channels: one tile for all of them. So with several
    channels a pattern counts only as far as the channels share it, sign
    included: a board in one channel and its negative in another score 0
    together, 1 each with ``per_channel=True``; and scaling one channel
    alone changes the score. One-channel images (the lab's digits) score the
    same either way.

    >>> import numpy as np
    >>> board = np.indices((16, 16)).sum(axis=0) % 2
    >>> round(checkerboard_score(board[None, :, :, None].astype(float)), 3)
    1.0
    """
    positive_int("stride", stride)
    images = np.asarray(images)
    if images.ndim != 4:
        raise ValueError(
            f"images must be a batch shaped (N, H, W, C), got shape {images.shape}; "
            "add the batch or channel axis with images[None] or images[..., None]"
        )
    if per_channel:
        images = np.moveaxis(images, 3, 1).reshape(-1, *images.shape[1:3], 1)
    if images.shape[0] == 0:
        raise ValueError("images holds no image (N = 0)")
    if not np.issubdtype(images.dtype, np.number) or np.iscomplexobj(images):
        raise ValueError(f"images must hold real numbers, got dtype {images.dtype}")
    images = images.astype(float)
    if not np.all(np.isfinite(images)):
        raise ValueError("images contain NaN or infinite values")
    if min(images.shape[1:3]) < 2 * stride:
        raise ValueError(
            f"images of {images.shape[1]} x {images.shape[2]} pixels are too small to "
            f"measure a period of {stride}: need at least {2 * stride} x {2 * stride}"
        )
    if stride == 1:
        return 0.0  # a period of one pixel is no pattern at all
    detail = _high_pass(images, stride)
    # Keep whole periods only, so every phase holds as many pixels and the
    # phase-mean variance is a share of the total (law of total variance).
    height = detail.shape[1] // stride * stride
    width = detail.shape[2] // stride * stride
    detail = detail[:, :height, :width]
    scores = []
    for image, image_detail in zip(images, detail, strict=True):
        spread = float(np.var(image_detail))
        # Rounding noise of a flat image is not detail.
        if spread <= (1e-9 * float(np.max(np.abs(image)))) ** 2:
            scores.append(0.0)
            continue
        scores.append(float(np.var(phase_means(image_detail, stride))) / spread)
    return float(np.mean(scores))


def step_unevenness(outputs: np.ndarray, axis: int = 1) -> np.ndarray:
    """How unequal a stride-2 output's rises are along ``axis`` (1: down, 2: across), per image and channel.

    With ``a`` and ``b`` the mean rises from pixel to pixel that start on
    even and on odd positions, returns ``|a - b| / (|a| + |b|)``, shaped
    ``(N, C)``: 0 when every rise is the same (an even ramp), 1 when one of
    them is 0 (a staircase) or the two differ in sign, and 0 where there is
    no rise at all. Meant for a layer's response to a linear ramp, where
    anything but 0 is a stride-2 step pattern; unlike
    :func:`checkerboard_score` it measures how
    uneven the steps are, not which share of the detail they make up.
    """
    if axis not in (1, 2):
        raise ValueError(f"axis must be 1 (rows) or 2 (columns), got {axis!r}")
    rises = np.diff(np.asarray(outputs, dtype=float), axis=axis)
    if rises.shape[axis] < 2:
        raise ValueError(
            f"outputs of shape {np.shape(outputs)} hold no two rises along axis {axis}"
        )
    rises = np.moveaxis(rises, axis, 1)
    even, odd = rises[:, 0::2].mean(axis=(1, 2)), rises[:, 1::2].mean(axis=(1, 2))
    total = np.abs(even) + np.abs(odd)
    return np.divide(np.abs(even - odd), total, out=np.zeros_like(total), where=total > 0)
