"""The Python reference for the transposed-convolution explorer in the book.

The explorer (``_static/explorer.js``, embedded in the chapters *One operator
behind every upsampling layer*, *Conv2DTranspose* and *Checkerboard
artifacts*) shows, for one setting of a square ``Conv2DTranspose``, the output
length Keras returns or the error Keras raises, where each input pixel's
kernel copy lands, and the overlap-count map of the output Keras keeps.
``tests/book/test_explorer_browser.py`` checks the widget against
:func:`explorer_outcome`, and ``tests/unit/test_operators.py`` checks
:func:`explorer_outcome` against real Keras.
"""

from __future__ import annotations

import numpy as np

from upsampling_course.artifacts import overlap_count_1d
from upsampling_course.operators import transpose_crop_start
from upsampling_course.shapes import conv_transpose_output_length

#: What the explorer says when Keras computes a length that TensorFlow then
#: cannot produce (``padding='same'``, ``output_padding=0``, an even kernel).
CALL_FAILS = (
    "Keras's compute_output_shape gives {length}, but calling the layer fails: "
    "a 'same' convolution of a {length}-pixel input gives {back} pixels, not {size}, "
    "so TensorFlow cannot make this transpose (it raises an error)"
)


def keras_constructor_error(stride: int, output_padding: int | None) -> str | None:
    """The message Keras 3 raises when building a square layer with this ``output_padding``, or None."""
    if output_padding is None or output_padding < stride:
        return None
    return (
        "`output_padding` must be strictly less than `strides` for all dimensions. "
        f"At dimension 0, `output_padding` is {output_padding} but `strides` is {stride}. "
        f"Received: output_padding=({output_padding}, {output_padding}), "
        f"strides=({stride}, {stride})"
    )


def explorer_outcome(
    size: int, kernel_size: int, stride: int, padding: str, output_padding: int | None
) -> dict:
    """What the explorer shows for ``Conv2DTranspose(1, kernel_size, strides=stride, ...)`` on a ``size`` square.

    Returns ``{"error": message}`` when Keras refuses the layer (its own
    message) or cannot run it, else ``{"length": L, "start": first kept
    position of the full scatter, "counts": taps per kept output position}``;
    the overlap-count map is ``np.outer(counts, counts)``.
    """
    constructor_error = keras_constructor_error(stride, output_padding)
    if constructor_error:
        return {"error": constructor_error}
    length = conv_transpose_output_length(size, kernel_size, stride, padding, output_padding)
    if padding == "same" and output_padding == 0 and kernel_size % 2 == 0 and size > 1:
        back = -(-length // stride)
        return {"error": CALL_FAILS.format(length=length, back=back, size=size)}
    start = transpose_crop_start(size, kernel_size, stride, padding, output_padding)
    full = overlap_count_1d(size, kernel_size, stride)
    padded = np.concatenate([full, np.zeros(max(start + length - full.size, 0), dtype=int)])
    return {"length": length, "start": start, "counts": padded[start : start + length].tolist()}
