"""UpSampling2D and Conv2DTranspose written in NumPy, to be checked against Keras.

Used by the chapters *UpSampling2D* and *Conv2DTranspose* and by the tests
that compare every function here with the real Keras layer. Arrays are
channels-last, like Keras's default: images are ``(batch, height, width,
channels)``.

A Conv2DTranspose kernel has Keras's layout ``(kernel_h, kernel_w, filters,
input_channels)``: the two channel axes are the reverse of Conv2D's
``(kernel_h, kernel_w, input_channels, filters)``, because the layer is the
backward pass of a Conv2D whose kernel has that shape.
"""

from __future__ import annotations

import numpy as np

from upsampling_course.checks import is_integer
from upsampling_course.shapes import conv_transpose_output_length

PADDINGS = ("valid", "same")


def _pair(value, name: str) -> tuple[int, int]:
    """Accept an int or a pair of ints (Keras style) and return a pair of positive ints."""
    pair = (value, value) if is_integer(value) else tuple(value)
    if len(pair) != 2 or not all(is_integer(v) and v >= 1 for v in pair):
        raise ValueError(f"{name} must be a positive int or a pair of positive ints, got {value!r}")
    return int(pair[0]), int(pair[1])


def _check_images(images: np.ndarray, name: str = "inputs") -> np.ndarray:
    images = np.asarray(images)
    if images.ndim != 4:
        raise ValueError(
            f"{name} must have 4 axes (batch, height, width, channels), got shape {images.shape}"
        )
    return images


# --- UpSampling2D --------------------------------------------------------------


def upsampling2d_forward(images: np.ndarray, size=(2, 2)) -> np.ndarray:
    """Nearest-neighbour UpSampling2D: repeat every row ``size[0]`` and every column ``size[1]`` times."""
    images = _check_images(images)
    rows, cols = _pair(size, "size")
    return np.repeat(np.repeat(images, rows, axis=1), cols, axis=2)


def upsampling2d_backward(output_gradient: np.ndarray, size=(2, 2)) -> np.ndarray:
    """Gradient of the loss with respect to UpSampling2D's input.

    Each input value was copied into a ``size[0] x size[1]`` block of the
    output, so it influences the loss through every copy: its gradient is the
    **sum** of the upstream gradient over its block.
    """
    output_gradient = _check_images(output_gradient, "output_gradient")
    rows, cols = _pair(size, "size")
    batch, height, width, channels = output_gradient.shape
    if height % rows or width % cols:
        raise ValueError(
            f"an UpSampling2D output with size={size} has a height divisible by {rows} and a "
            f"width divisible by {cols}; got shape {output_gradient.shape}"
        )
    blocks = output_gradient.reshape(batch, height // rows, rows, width // cols, cols, channels)
    return blocks.sum(axis=(2, 4))


def upsampling2d_backward_wrong(output_gradient: np.ndarray, size=(2, 2)) -> np.ndarray:
    """A tempting but WRONG backward pass: one gradient per block instead of the sum.

    Kept so that the chapter and the tests can show a gradient check catching it.
    """
    output_gradient = _check_images(output_gradient, "output_gradient")
    rows, cols = _pair(size, "size")
    return output_gradient[:, ::rows, ::cols, :]


# --- Conv2DTranspose ------------------------------------------------------------


def keras_conv_transpose_crop(
    size: int, kernel_size: int, stride: int, padding: str, output_length: int
) -> int:
    """How many leading positions of the full scatter-add result Keras drops (TensorFlow backend).

    TensorFlow treats the layer as the gradient of a Conv2D whose input has
    ``output_length`` pixels: with ``'same'`` that convolution pads
    ``max((size - 1) * stride + kernel_size - output_length, 0)`` pixels in all,
    the smaller half before the image, so that half is cut off here.
    """
    if padding == "valid":
        return 0
    return max((size - 1) * stride + kernel_size - output_length, 0) // 2


def scatter_add_full(images: np.ndarray, kernel: np.ndarray, strides=(2, 2)) -> np.ndarray:
    """Every input pixel adds a copy of the kernel, scaled by the pixel, at stride ``strides``.

    Returns the whole ``((h - 1) * s0 + kh, (w - 1) * s1 + kw)`` result, before
    any cropping, without bias. ``kernel`` has Keras's Conv2DTranspose layout
    ``(kernel_h, kernel_w, filters, input_channels)``.
    """
    images = _check_images(images)
    kernel = np.asarray(kernel)
    if kernel.ndim != 4 or kernel.shape[3] != images.shape[3]:
        raise ValueError(
            "kernel must have shape (kernel_h, kernel_w, filters, input_channels) with "
            f"input_channels = {images.shape[3]}; got {kernel.shape}"
        )
    s0, s1 = _pair(strides, "strides")
    batch, height, width, _ = images.shape
    kh, kw, filters, _ = kernel.shape
    full = np.zeros(
        (batch, (height - 1) * s0 + kh, (width - 1) * s1 + kw, filters),
        dtype=np.result_type(images, kernel),
    )
    # Loop over kernel taps (few), not pixels (many): tap (a, b) of every
    # pixel's copy lands on a strided grid that starts at (a, b).
    for a in range(kh):
        for b in range(kw):
            contribution = np.einsum("nhwc,fc->nhwf", images, kernel[a, b])
            full[:, a : a + (height - 1) * s0 + 1 : s0, b : b + (width - 1) * s1 + 1 : s1] += (
                contribution
            )
    return full


def crop_to(full: np.ndarray, start: tuple[int, int], length: tuple[int, int]) -> np.ndarray:
    """Cut ``length`` rows/columns out of ``full`` from ``start``; zeros where it runs past the end."""
    batch, height, width, filters = full.shape
    out = np.zeros((batch, *length, filters), dtype=full.dtype)
    rows = full[:, start[0] : start[0] + length[0]]
    block = rows[:, :, start[1] : start[1] + length[1]]
    out[:, : block.shape[1], : block.shape[2]] = block
    return out


def conv2d_transpose_forward(
    images: np.ndarray,
    kernel: np.ndarray,
    bias: np.ndarray | None = None,
    strides=(2, 2),
    padding: str = "valid",
    output_padding=None,
) -> np.ndarray:
    """Conv2DTranspose by scatter-add, returning exactly what the Keras layer returns.

    Arguments mirror ``keras.layers.Conv2DTranspose`` with ``set_weights([kernel, bias])``.
    """
    images = _check_images(images)
    s = _pair(strides, "strides")
    if padding not in PADDINGS:
        raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")
    kernel = np.asarray(kernel)
    full = scatter_add_full(images, kernel, s)
    pads = (None, None) if output_padding is None else _pair_or_zero(output_padding)
    lengths = tuple(
        conv_transpose_output_length(
            images.shape[1 + axis], kernel.shape[axis], s[axis], padding, pads[axis]
        )
        for axis in range(2)
    )
    starts = tuple(
        keras_conv_transpose_crop(
            images.shape[1 + axis], kernel.shape[axis], s[axis], padding, lengths[axis]
        )
        for axis in range(2)
    )
    out = crop_to(full, starts, lengths)
    if bias is not None:
        out = out + np.asarray(bias).reshape(1, 1, 1, -1)
    return out


def _pair_or_zero(value) -> tuple[int, int]:
    pair = (value, value) if isinstance(value, (int, np.integer)) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, (int, np.integer)) and v >= 0 for v in pair):
        raise ValueError(f"output_padding must be a non-negative int or pair, got {value!r}")
    return int(pair[0]), int(pair[1])


def insert_zeros(images: np.ndarray, strides=(2, 2)) -> np.ndarray:
    """Put ``stride - 1`` zeros between neighbouring pixels (the "fractionally strided" input)."""
    images = _check_images(images)
    s0, s1 = _pair(strides, "strides")
    batch, height, width, channels = images.shape
    spread = np.zeros(
        (batch, (height - 1) * s0 + 1, (width - 1) * s1 + 1, channels), dtype=images.dtype
    )
    spread[:, ::s0, ::s1] = images
    return spread


def zero_insertion_full(images: np.ndarray, kernel: np.ndarray, strides=(2, 2)) -> np.ndarray:
    """The same full result as :func:`scatter_add_full`, computed the other way.

    Insert zeros between the pixels, pad ``kernel_size - 1`` zeros around the
    border, then slide the kernel, **flipped** in both spatial axes, as an
    ordinary stride-1 convolution (Keras's Conv2D computes a cross-correlation).
    """
    kernel = np.asarray(kernel)
    kh, kw = kernel.shape[:2]
    spread = insert_zeros(images, strides)
    padded = np.pad(spread, ((0, 0), (kh - 1, kh - 1), (kw - 1, kw - 1), (0, 0)))
    flipped = kernel[::-1, ::-1]
    out_h = padded.shape[1] - kh + 1
    out_w = padded.shape[2] - kw + 1
    out = np.zeros(
        (padded.shape[0], out_h, out_w, kernel.shape[2]), dtype=np.result_type(images, kernel)
    )
    for a in range(kh):
        for b in range(kw):
            window = padded[:, a : a + out_h, b : b + out_w]
            out += np.einsum("nhwc,fc->nhwf", window, flipped[a, b])
    return out
