"""The known wrong versions of conv2d_transpose_numpy's answers, so that feedback names the mistake.

Each function returns the :class:`Mistake`\\ s of one task: what that mistake
would have returned on a case (a :class:`Layer`), computed here from the
NumPy versions of :mod:`.conv2d_transpose_numpy_truths`.
"""

from __future__ import annotations

import numpy as np

from upsampling_grader.judge.named_mistakes import Mistake
from upsampling_grader.judge.tasks.conv2d_transpose_numpy_truths import (
    Layer,
    input_gradient,
    kernel_gradient,
    scatter,
)

FLIPPED = (
    "a kernel turned 180 degrees (the zero-insertion view's flip, applied to the scatter)",
    "Input pixel (i, j) writes kernel[a, b] to output pixel (i * s0 + a, j * s1 + b): read the "
    "kernel the same way round.",
)
CONV2D_LAYOUT = (
    "Conv2D's kernel layout (kernel_h, kernel_w, input_channels, filters)",
    "A Conv2DTranspose kernel is (kernel_h, kernel_w, filters, input_channels): filters first.",
)


def forward_mistakes() -> list[Mistake]:
    def run(layer: Layer, **wrong) -> np.ndarray:
        return scatter(layer.images, layer.kernel, layer.bias, layer.strides, **wrong)

    return [
        Mistake(
            "each copy written with = instead of +=, so the last copy wins where copies overlap",
            "Overlapping copies are summed: add each stamp to the block (+=).",
            lambda c: run(c, overwrite=True),
        ),
        Mistake(*FLIPPED, lambda c: run(c, flip=True)),
        Mistake(
            "the output without the bias",
            "Add the bias of each filter to every output pixel, the ones no copy reached too.",
            lambda c: run(c) - c.bias,
        ),
        Mistake(
            "an output of (size - 1) * stride + kernel_size rows",
            "When the kernel is smaller than the stride, Keras keeps the positions no copy "
            "reaches: the side is (size - 1) * stride + max(kernel_size, stride).",
            lambda c: run(c, full_side=True),
        ),
    ]


def input_gradient_mistakes() -> list[Mistake]:
    return [
        Mistake(*FLIPPED, lambda c: input_gradient(c, kernel=c.kernel[::-1, ::-1])),
        Mistake(
            "the gradient of the first filter only",
            "Input pixel (i, j) fed every filter: sum what comes back over all of them.",
            lambda c: input_gradient(c, kernel=c.kernel[:, :, :1], upstream=c.upstream[..., :1]),
        ),
        Mistake(
            "a stride of 1 when reading the blocks back",
            "Input pixel (i, j)'s copy sits at (i * s0, j * s1): read its block from there.",
            lambda c: _stride_one(c),
        ),
    ]


def _stride_one(layer: Layer) -> np.ndarray:
    return input_gradient(Layer(layer.images, layer.kernel, layer.bias, (1, 1), layer.upstream))


def kernel_gradient_mistakes() -> list[Mistake]:
    return [
        Mistake(
            "the gradient of the first image only",
            "The loss sums over the batch: add every image's contribution.",
            lambda c: kernel_gradient(c, images=c.images[:1]),
        ),
        Mistake(*CONV2D_LAYOUT, lambda c: np.swapaxes(kernel_gradient(c), 2, 3)),
        Mistake(*FLIPPED, lambda c: kernel_gradient(c)[::-1, ::-1]),
        Mistake(
            "the gradient averaged over the batch",
            "The loss is a sum over the batch: add, do not average.",
            lambda c: kernel_gradient(c) / len(c.images),
        ),
    ]
