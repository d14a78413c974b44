"""One linear operator behind every upsampling layer, written out in NumPy.

Used by the chapter *One operator behind every upsampling layer*
(``book/one_operator.md``) and the ``one_operator`` assignment's hidden tests;
``tests/unit/test_operators.py`` checks every function here against real Keras.

- :func:`conv_matrix_1d` and :func:`conv_matrix_2d` build the matrix ``C`` of
  a small strided ``'valid'`` convolution, so that ``conv(x) == C @ x`` on the
  flattened input; ``Conv2DTranspose`` with the same kernel multiplies by
  ``C.T`` (Dumoulin and Visin 2016, section 4).
- :func:`subpixel_kernel_from_transpose` rewrites a transposed convolution's
  kernel as the kernel of a stride-1 convolution whose output
  ``depth_to_space`` shuffles into the same image (sub-pixel convolution,
  Shi et al. 2016); :func:`conv_transpose_via_subpixel` runs that recipe.
- :func:`icnr_kernel` and :func:`icnr_initializer`: sub-pixel weights whose
  ``r * r`` sub-kernels are equal (Aitken et al. 2017).
- :func:`bilinear_kernel_1d` and :func:`bilinear_transpose_kernel`: the fixed
  kernel that makes ``Conv2DTranspose`` interpolate bilinearly (as in FCN).
- :func:`space_to_depth`: the inverse of ``keras.ops.depth_to_space``.

Everything works on NumPy arrays in Keras's channels-last layout; kernels of
``Conv2DTranspose`` have shape ``(kh, kw, filters, in_channels)`` and kernels
of ``Conv2D`` ``(kh, kw, in_channels, filters)``.
"""

from __future__ import annotations

import math

import numpy as np

from upsampling_course.keras_setup import keras_module
from upsampling_course.shapes import conv_transpose_output_length


def _positive_int(name: str, value: object) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _array(name: str, value: object, ndim: int) -> np.ndarray:
    array = np.asarray(value, dtype=float)
    if array.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} axes, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} holds NaN or infinite values")
    return array


def conv_matrix_1d(kernel, input_size: int, stride: int = 1) -> np.ndarray:
    """Matrix ``C`` of a 1-D ``'valid'`` convolution: ``conv(x) == C @ x``.

    Keras's convolution is a cross-correlation, so output ``o`` reads inputs
    ``o * stride + t`` with weight ``kernel[t]``: row ``o`` of ``C`` holds the
    kernel, shifted ``stride`` columns further than the row above. ``C`` has
    shape ``(output_size, input_size)``.

    >>> conv_matrix_1d([1, 2, 3], 5, stride=2).astype(int).tolist()
    [[1, 2, 3, 0, 0], [0, 0, 1, 2, 3]]
    """
    kernel = _array("kernel", kernel, 1)
    input_size = _positive_int("input_size", input_size)
    stride = _positive_int("stride", stride)
    if kernel.size == 0 or kernel.size > input_size:
        raise ValueError(
            f"a 'valid' convolution needs 1 <= kernel size ({kernel.size}) <= input_size ({input_size})"
        )
    output_size = (input_size - kernel.size) // stride + 1
    matrix = np.zeros((output_size, input_size))
    for row in range(output_size):
        matrix[row, row * stride : row * stride + kernel.size] = kernel
    return matrix


def conv_matrix_2d(kernel, input_shape: tuple[int, int], stride: int = 1) -> np.ndarray:
    """Matrix ``C`` of a one-channel 2-D ``'valid'`` convolution on the row-major flattened input.

    ``kernel`` has shape ``(kh, kw)``; ``C`` has shape
    ``(out_h * out_w, in_h * in_w)`` and ``conv(x).ravel() == C @ x.ravel()``.
    The entry for output ``(i, j)`` and input ``(i * stride + a, j * stride + b)``
    is ``kernel[a, b]``; all other entries are zero, which is why ``C`` is sparse.
    """
    kernel = _array("kernel", kernel, 2)
    height, width = (_positive_int("input_shape", side) for side in input_shape)
    stride = _positive_int("stride", stride)
    kh, kw = kernel.shape
    if not (1 <= kh <= height and 1 <= kw <= width):
        raise ValueError(
            f"kernel {kernel.shape} does not fit a 'valid' convolution on {input_shape}"
        )
    out_h, out_w = (height - kh) // stride + 1, (width - kw) // stride + 1
    matrix = np.zeros((out_h * out_w, height * width))
    for i in range(out_h):
        for j in range(out_w):
            window = np.zeros((height, width))
            window[i * stride : i * stride + kh, j * stride : j * stride + kw] = kernel
            matrix[i * out_w + j] = window.ravel()
    return matrix


def transpose_crop_start(
    size: int, kernel_size: int, stride: int, padding: str, output_padding=None
) -> int:
    """Where ``Conv2DTranspose``'s output starts inside its full scatter, along one axis.

    The full scatter has length ``(size - 1) * stride + kernel_size``; Keras's
    output (length :func:`~upsampling_course.shapes.conv_transpose_output_length`)
    starts at this offset in it: 0 for ``'valid'``, and for ``'same'`` half the
    length it trims, rounded down (the extra row, if any, comes off the end).
    Positions past the scatter's end hold only the bias.
    """
    length = conv_transpose_output_length(size, kernel_size, stride, padding, output_padding)
    if padding == "valid":
        return 0
    return max((size - 1) * stride + kernel_size - length, 0) // 2


def subpixel_kernel_from_transpose(kernel, stride: int) -> np.ndarray:
    """Weights of the stride-1 ``Conv2D`` that, followed by ``depth_to_space(stride)``, is a ``Conv2DTranspose``.

    ``kernel`` is the transposed convolution's kernel ``(k, k, F, C)``. Output
    pixel ``(q * s + r_h, p * s + r_w)`` of the transposed convolution only
    ever meets the taps ``kernel[j * s + r_h, l * s + r_w]``: a sub-kernel per
    phase ``(r_h, r_w)``. Each sub-kernel becomes ``F`` output channels of an
    ordinary ``m x m`` convolution in the low-resolution space, ``m = ceil(k / s)``,
    at channel ``(r_h * s + r_w) * F + f`` (the order ``depth_to_space`` reads),
    flipped because a convolution reads forward what the scatter wrote backward.
    Returns a ``Conv2D`` kernel of shape ``(m, m, C, s * s * F)``; for ``k == s``
    it is ``1 x 1`` and holds ``kernel[i, j, f, :]`` at channel ``(i * s + j) * F + f``.
    """
    kernel = _array("kernel", kernel, 4)
    stride = _positive_int("stride", stride)
    size, width, filters, channels = kernel.shape
    if size != width or size == 0:
        raise ValueError(
            f"kernel must be square (k, k, filters, channels), got shape {kernel.shape}"
        )
    taps = math.ceil(size / stride)
    padded = np.zeros((taps * stride, taps * stride, filters, channels))
    padded[:size, :size] = kernel
    # padded[j * s + r] -> blocks[j, r]; flip j so the convolution reads it in order.
    blocks = padded.reshape(taps, stride, taps, stride, filters, channels)[::-1, :, ::-1]
    # (u, r_h, v, r_w, f, c) -> (u, v, c, r_h, r_w, f) -> channel (r_h * s + r_w) * F + f
    return blocks.transpose(0, 2, 5, 1, 3, 4).reshape(
        taps, taps, channels, stride * stride * filters
    )


def conv_transpose_via_subpixel(inputs, kernel, stride: int, padding: str = "valid"):
    """``Conv2DTranspose(F, k, strides=stride, padding=padding, use_bias=False)``, computed as sub-pixel convolution.

    ``inputs`` is a batch ``(N, H, W, C)`` and ``kernel`` the transposed
    kernel ``(k, k, F, C)``. Pads the low-resolution input with ``m - 1`` zeros
    per side, convolves with :func:`subpixel_kernel_from_transpose` at stride 1,
    shuffles with ``keras.ops.depth_to_space`` and crops to the window Keras
    keeps (:func:`transpose_crop_start`). Returns a NumPy array.
    """
    keras = keras_module()

    inputs = _array("inputs", inputs, 4)
    weights = subpixel_kernel_from_transpose(kernel, stride)
    taps = weights.shape[0]
    size = np.asarray(kernel).shape[0]
    pad = taps - 1
    padded = np.pad(inputs, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    low_res = keras.ops.conv(padded, weights, strides=1, padding="valid")
    image = keras.ops.convert_to_numpy(keras.ops.depth_to_space(low_res, stride))
    crops = []
    for axis_size in inputs.shape[1:3]:
        start = transpose_crop_start(axis_size, size, stride, padding)
        length = conv_transpose_output_length(axis_size, size, stride, padding)
        crops.append(slice(start, start + length))
    return image[:, crops[0], crops[1]]


def icnr_kernel(base_kernel, scale: int) -> np.ndarray:
    """ICNR weights: every one of the ``scale * scale`` sub-kernels is ``base_kernel``.

    ``base_kernel`` is a ``Conv2D`` kernel ``(kh, kw, C, F)``. The result has
    ``F * scale**2`` filters, filter ``q * F + f`` a copy of filter ``f``, so
    after ``depth_to_space(scale)`` all pixels of each ``scale x scale`` block
    are equal: the layer starts as ``Conv2D(base_kernel)`` followed by
    nearest-neighbour upsampling, with no checkerboard (Aitken et al. 2017).
    """
    base_kernel = _array("base_kernel", base_kernel, 4)
    scale = _positive_int("scale", scale)
    return np.tile(base_kernel, (1, 1, 1, scale * scale))


def icnr_initializer(scale: int, base="glorot_uniform", seed: int | None = None):
    """A Keras ``kernel_initializer`` for a sub-pixel ``Conv2D``: ICNR around ``base``.

    Draws a kernel for ``filters // scale**2`` filters with the Keras
    initializer ``base`` and repeats it with :func:`icnr_kernel`. Raises a
    ``ValueError`` when the layer's filters are not a multiple of ``scale**2``.
    """
    keras = keras_module()

    scale = _positive_int("scale", scale)
    inner = keras.initializers.get(base)
    if seed is not None and hasattr(inner, "seed"):
        inner = inner.__class__.from_config({**inner.get_config(), "seed": seed})

    def initialize(shape, dtype=None):
        *window, filters = shape
        if filters % (scale * scale):
            raise ValueError(
                f"ICNR with scale {scale} needs filters divisible by {scale * scale}, got {filters}"
            )
        base_kernel = keras.ops.convert_to_numpy(inner((*window, filters // (scale * scale))))
        return keras.ops.convert_to_tensor(icnr_kernel(base_kernel, scale), dtype=dtype)

    return initialize


def bilinear_kernel_1d(size: int) -> np.ndarray:
    """Weights of linear interpolation spread over ``size`` taps (FCN's ``upsample_filt``).

    For ``size = 2 * factor`` this upsamples by ``factor``:
    ``bilinear_kernel_1d(4)`` is ``[0.25, 0.75, 0.75, 0.25]``.
    """
    size = _positive_int("size", size)
    factor = (size + 1) // 2
    centre = factor - 1 if size % 2 else factor - 0.5
    return 1 - np.abs(np.arange(size) - centre) / factor


def bilinear_transpose_kernel(factor: int, channels: int = 1) -> np.ndarray:
    """``Conv2DTranspose`` kernel ``(2f, 2f, C, C)`` that interpolates each channel bilinearly.

    Use with ``strides=factor`` and ``padding='same'``; each channel gets the
    outer product of :func:`bilinear_kernel_1d` and is never mixed with another.
    """
    factor = _positive_int("factor", factor)
    channels = _positive_int("channels", channels)
    weights = np.outer(bilinear_kernel_1d(2 * factor), bilinear_kernel_1d(2 * factor))
    kernel = np.zeros((2 * factor, 2 * factor, channels, channels))
    for channel in range(channels):
        kernel[:, :, channel, channel] = weights
    return kernel


def space_to_depth(images, block_size: int) -> np.ndarray:
    """The inverse of ``keras.ops.depth_to_space``: each ``b x b`` block becomes ``b * b * C`` channels.

    Pixel ``(h * b + i, w * b + j)``, channel ``c`` goes to position ``(h, w)``,
    channel ``(i * b + j) * C + c``.
    """
    images = _array("images", images, 4)
    block = _positive_int("block_size", block_size)
    batch, height, width, channels = images.shape
    if height % block or width % block:
        raise ValueError(f"height and width ({height}, {width}) must be multiples of {block}")
    blocks = images.reshape(batch, height // block, block, width // block, block, channels)
    return blocks.transpose(0, 1, 3, 2, 4, 5).reshape(
        batch, height // block, width // block, block * block * channels
    )
