"""The known wrong versions of upsampling2d_numpy's answers, so that feedback names the mistake.

Each function returns the :class:`Mistake`\\ s of one task for the student's
variant: what that mistake would have returned on a case, computed here from
NumPy and the truths of :mod:`.upsampling2d_numpy_truths`.
"""

from __future__ import annotations

import numpy as np

from upsampling_grader.judge.named_mistakes import Mistake
from upsampling_grader.judge.tasks.upsampling2d_numpy_truths import (
    LAST,
    conv_parameters,
    in_layout,
    interpolation_matrix,
    other,
    source_positions,
    to_last,
    to_layout,
    transposed_product,
    true_matrices,
)


def repeat_last(images, size):
    return images.repeat(size[0], axis=1).repeat(size[1], axis=2)


def repeat_first(images, size):
    return images.repeat(size[0], axis=2).repeat(size[1], axis=3)


def block_sum_last(gradient, size, reduce=np.sum):
    n, h, w, c = gradient.shape
    rows, cols = size
    return reduce(gradient.reshape(n, h // rows, rows, w // cols, cols, c), axis=(2, 4))


def block_sum_first(gradient, size):
    n, c, h, w = gradient.shape
    rows, cols = size
    return gradient.reshape(n, c, h // rows, rows, w // cols, cols).sum(axis=(3, 5))


def _layout_advice(data_format: str) -> str:
    axes = "1 and 2" if data_format == LAST else "2 and 3"
    return f"Your variant's arrays are {data_format}: height and width are axes {axes}."


def forward_mistakes(data_format: str) -> list[Mistake]:
    wrong_layout = repeat_first if data_format == LAST else repeat_last
    return [
        Mistake(
            "the whole image tiled side by side (np.tile)",
            "Each pixel must become its own block of copies: repeat, do not tile.",
            lambda c: in_layout(lambda x, s: np.tile(x, (1, s[0], s[1], 1)), data_format)(*c),
        ),
        Mistake(
            "size[0] applied to the width and size[1] to the height (swapped axes)",
            "size is (rows, cols): size[0] repeats along the height.",
            lambda c: in_layout(lambda x, s: repeat_last(x, s[::-1]), data_format)(*c),
        ),
        Mistake(
            "the other layout's axes (swapped axes)",
            _layout_advice(data_format),
            lambda c: wrong_layout(*c),
        ),
    ]


def backward_mistakes(data_format: str) -> list[Mistake]:
    wrong_layout = block_sum_first if data_format == LAST else block_sum_last
    return [
        Mistake(
            "the widely copied wrong backward that keeps one gradient of each block",
            "Every copy of an input value changes the loss: its gradient is the SUM of its block.",
            lambda c: in_layout(lambda g, s: g[:, :: s[0], :: s[1]], data_format)(*c),
        ),
        Mistake(
            "the block's mean, not its sum",
            "Each copy passes its full gradient back: add them, do not average.",
            lambda c: in_layout(lambda g, s: block_sum_last(g, s, np.mean), data_format)(*c),
        ),
        Mistake(
            "blocks of size[1] rows and size[0] columns (swapped axes)",
            "size is (rows, cols): a block is size[0] rows high.",
            lambda c: in_layout(lambda g, s: block_sum_last(g, s[::-1]), data_format)(*c),
        ),
        Mistake(
            "the other layout's axes (swapped axes)",
            _layout_advice(data_format),
            lambda c: wrong_layout(*c),
        ),
    ]


def matrix_mistakes() -> list[Mistake]:
    def corners(n, f):
        return np.arange(n * f) * (n - 1) / max(n * f - 1, 1)

    return [
        Mistake(
            "the corner-aligned convention (align_corners=True)",
            "Keras aligns pixel centres, not the corner pixels: output pixel i sits at "
            "(i + 0.5) / factor - 0.5 in input coordinates.",
            lambda c: interpolation_matrix(corners(*c), c[0]),
        ),
        Mistake(
            "output pixel i placed at i / factor (corners of pixels, not centres)",
            "Measure from pixel centres: (i + 0.5) / factor - 0.5.",
            lambda c: interpolation_matrix(np.arange(c[0] * c[1]) / c[1], c[0]),
        ),
        Mistake(
            "interpolation with zeros beyond the border",
            "Keras holds the edge value where the position falls outside the input: every row "
            "sums to 1.",
            lambda c: interpolation_matrix(source_positions(*c), c[0], clamp=False),
        ),
        Mistake(
            "the nearest-neighbour matrix",
            "Bilinear weights depend on the distance to the two nearest input pixels.",
            lambda c: np.repeat(np.eye(c[0]), c[1], axis=0),
        ),
    ]


def bilinear_backward_mistakes(data_format: str) -> list[Mistake]:
    def inverse(c):
        a, b = true_matrices(*c, data_format)
        last = to_last(c[0], data_format)
        return to_layout(
            np.einsum("hi,nijc,wj->nhwc", np.linalg.pinv(a), last, np.linalg.pinv(b)), data_format
        )

    def wrong_layout(c):
        return transposed_product(c[0], *true_matrices(*c, other(data_format)), other(data_format))

    return [
        Mistake(
            "the nearest-neighbour backward (block sums)",
            "Bilinear upsampling spreads each input over several output pixels with "
            "different weights: the gradient gathers them back with the same weights, U.T @ G @ V.",
            lambda c: in_layout(block_sum_last, data_format)(*c),
        ),
        Mistake(
            "an inverse of the upsampling (a pseudo-inverse), not its gradient",
            "The gradient of X -> U @ X @ V.T is G -> U.T @ G @ V: the transpose, not the inverse.",
            inverse,
        ),
        Mistake(
            "the other layout's axes (swapped axes)",
            _layout_advice(data_format),
            wrong_layout,
        ),
    ]


def budget_mistakes(use_bias: bool) -> list[tuple[str, object]]:
    """(what the count did wrong, the count it gives) for the variant's block."""
    bias = int(use_bias)
    return [
        (
            "counts each filter as kernel_h * kernel_w weights, without the input channels",
            lambda c, k, s, b: b // (k[0] * k[1] + bias),
        ),
        (
            "forgets the bias of each filter"
            if use_bias
            else "counts a bias per filter, which a Conv2D with use_bias=False does not have",
            lambda c, k, s, b: b // (k[0] * k[1] * c + 1 - bias),
        ),
        (
            "counts parameters for the UpSampling2D (or scales them with its size)",
            lambda c, k, s, b: b // (conv_parameters(c, k, 1, use_bias) * s[0] * s[1]),
        ),
    ]
