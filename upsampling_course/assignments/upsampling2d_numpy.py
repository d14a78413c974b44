"""The upsampling2d_numpy assignment's variants (``CHOICES``) and its visible checks (``CHECKS``).

The checks run public cases only and catch the mistakes each test cell's
comment names; the judge tries many more cases, drawn fresh when the notebook
is graded.
"""

from __future__ import annotations

import numpy as np

CHOICES = {
    # 1, 2 and 4: the layout of every array the functions take and return
    "data_format": ("channels_first", "channels_last"),
    # 5: whether the Conv2D after the UpSampling2D has biases
    "use_bias": (True, False),
}


def in_layout(last: np.ndarray, data_format: str) -> np.ndarray:
    """A channels-last array in ``data_format`` (the checks' public cases are written channels last)."""
    return last if data_format == "channels_last" else np.moveaxis(last, -1, 1)


def spatial(array: np.ndarray, data_format: str) -> np.ndarray:
    """The first image's first channel, whatever the layout."""
    return array[0, :, :, 0] if data_format == "channels_last" else array[0, 0]


def _layout(ns: dict) -> str:
    return ns["variant"]["data_format"]


def _axes(data_format: str) -> str:
    return "1 and 2" if data_format == "channels_last" else "2 and 3"


def _forward(ns: dict) -> str:
    fmt = _layout(ns)
    image = in_layout(np.array([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 2, 2, 1), fmt)
    got = np.asarray(ns["upsampling_forward"](image, (2, 3)))
    want_shape = in_layout(np.zeros((1, 4, 6, 1)), fmt).shape
    assert got.shape == want_shape, (
        f"a {fmt} image of shape {image.shape} with size (2, 3) becomes {want_shape}, not "
        f"{got.shape}: in {fmt} data height and width are axes {_axes(fmt)}, and size[0] "
        "repeats the rows"
    )
    rows = spatial(got, fmt).tolist()
    assert rows != [[1, 2, 1, 2, 1, 2]] * 2 + [[3, 4, 3, 4, 3, 4]] * 2, (
        "np.tile repeats the whole image side by side: each pixel must become a block"
    )
    assert rows == [[1, 1, 1, 2, 2, 2]] * 2 + [[3, 3, 3, 4, 4, 4]] * 2, (
        f"each pixel becomes a 2 x 3 block of copies; got\n{spatial(got, fmt)}"
    )
    return "a public 2 x 2 image in your layout"


def _backward(ns: dict) -> str:
    fmt = _layout(ns)
    upstream = in_layout(np.arange(24.0).reshape(1, 4, 6, 1), fmt)
    got = np.asarray(ns["upsampling_backward"](upstream, (2, 3)))
    want_shape = in_layout(np.zeros((1, 2, 2, 1)), fmt).shape
    assert got.shape == want_shape, (
        f"the gradient has the input's shape, {want_shape} here, not {got.shape}: in {fmt} "
        f"data height and width are axes {_axes(fmt)}"
    )
    values = spatial(got, fmt).tolist()
    assert values != [[0, 3], [12, 15]], (
        "one gradient per block (the widely copied backward): every copy of an input value "
        "changes the loss, so its gradient is the SUM of its block"
    )
    assert values != [[4, 7], [16, 19]], (
        "the block's mean: add the copies' gradients, do not average"
    )
    assert values == [[24, 42], [96, 114]], (
        f"the first input's gradient is 0 + 1 + 2 + 6 + 7 + 8 = 24; got\n{spatial(got, fmt)}"
    )
    return "a public gradient in your layout"


BILINEAR_3_2 = [
    [1.0, 0.0, 0.0],
    [0.75, 0.25, 0.0],
    [0.25, 0.75, 0.0],
    [0.0, 0.75, 0.25],
    [0.0, 0.25, 0.75],
    [0.0, 0.0, 1.0],
]


def _matrix(ns: dict, length: int, factor: int) -> np.ndarray:
    u = np.asarray(ns["bilinear_matrix"](length, factor), dtype=float)
    assert u.shape != (length, length * factor), (
        f"bilinear_matrix({length}, {factor}) has shape {u.shape}: that is the transpose of U, "
        f"which has one row per output pixel, {(length * factor, length)}"
    )
    assert u.shape == (length * factor, length), f"U has shape {(length * factor, length)}"
    return u


def _bilinear_interior(ns: dict) -> str:
    u = _matrix(ns, 3, 2)
    assert not np.allclose(u[1], [0.6, 0.4, 0.0]), (
        "the corner-aligned convention (align_corners=True): Keras aligns pixel centres"
    )
    assert not np.allclose(u[1], [0.5, 0.5, 0.0]), (
        "output pixel 1 placed at 1 / 2: measure from pixel centres, (i + 0.5) / factor - 0.5"
    )
    assert np.allclose(u[1:5], BILINEAR_3_2[1:5], atol=1e-6), (
        f"rows 1 to 4 of bilinear_matrix(3, 2) should be {BILINEAR_3_2[1:5]}"
    )
    return "the interior rows of bilinear_matrix(3, 2)"


def _bilinear_border(ns: dict) -> str:
    u = _matrix(ns, 3, 2)
    assert np.allclose(u.sum(axis=1), 1.0), (
        "every row sums to 1: Keras holds the edge value where an output pixel's centre falls "
        "outside the input, it does not interpolate with zeros"
    )
    assert np.allclose(u[[0, 5]], [BILINEAR_3_2[0], BILINEAR_3_2[5]], atol=1e-6), (
        "the first and last output pixels copy the edge pixels"
    )
    return "the border rows of bilinear_matrix(3, 2)"


def _bilinear_backward(ns: dict) -> np.ndarray:
    fmt = _layout(ns)
    upstream = np.zeros((1, 6, 4, 1))
    upstream[0, 1, 1, 0] = 1.0  # one output pixel's gradient
    got = np.asarray(ns["bilinear_backward"](in_layout(upstream, fmt), (2, 2)), dtype=float)
    want_shape = in_layout(np.zeros((1, 3, 2, 1)), fmt).shape
    assert got.shape == want_shape, (
        f"the gradient has the input's shape, {want_shape} here, not {got.shape}"
    )
    values = spatial(got, fmt)
    assert not np.allclose(values, [[1, 0], [0, 0], [0, 0]]), (
        "that is the nearest-neighbour backward: output pixel (1, 1) was a weighted mix of "
        "four input pixels, so its gradient goes back to all four with those weights"
    )
    return values


def _bilinear_backward_tape(ns: dict) -> str:
    values = _bilinear_backward(ns)
    want = np.outer([0.75, 0.25, 0.0], [0.75, 0.25])
    assert np.allclose(values, want), f"expected\n{want}\ngot\n{values}"
    return "one output pixel's gradient, sent back with the bilinear weights"


def _bilinear_backward_transpose(ns: dict) -> str:
    values = _bilinear_backward(ns)
    rows, cols = _matrix(ns, 3, 2), _matrix(ns, 2, 2)
    assert np.allclose(values, np.outer(rows[1], cols[1])), (
        "U.T @ G @ V with your own bilinear_matrix gives something else: the backward of "
        "X -> U @ X @ V.T is G -> U.T @ G @ V"
    )
    return "the backward of one output pixel against your bilinear_matrix"


def _filters(ns: dict, *args) -> int:
    got = ns["most_filters"](*args)
    assert isinstance(got, (int, np.integer)) and not isinstance(got, bool), (
        f"most_filters{args} returned {got!r}: a whole number of filters (use //)"
    )
    return int(got)


def _per_filter(ns: dict) -> int:
    """Parameters per filter of the public layer: 3 x 3 x 64 weights (and a bias, if any)."""
    return 3 * 3 * 64 + int(ns["variant"]["use_bias"])


def _most_filters_fits(ns: dict) -> str:
    got = _filters(ns, 64, (3, 3), (2, 2), 9800)
    assert got not in (9800 // 10, 9800 // 9), (
        "each filter counted as 3 x 3 weights: a filter spans all 64 input channels"
    )
    assert _per_filter(ns) * got <= 9800, f"{got} filters exceed 9800 parameters"
    return "a public layer"


def _most_filters_largest(ns: dict) -> str:
    got, per_filter = _filters(ns, 64, (3, 3), (2, 2), 9800), _per_filter(ns)
    assert got != 9800 // (per_filter * 4), (
        "UpSampling2D has no parameters, and a Conv2D's count does not depend on the image size"
    )
    bias = "with" if ns["variant"]["use_bias"] else "without"
    assert got == 9800 // per_filter, (
        f"{bias} biases a filter takes {per_filter} parameters here: how many fit in 9800? "
        f"(got {got})"
    )
    return "a public layer"


CHECKS = {
    "test_forward": _forward,
    "test_backward": _backward,
    "test_bilinear_interior": _bilinear_interior,
    "test_bilinear_border": _bilinear_border,
    "test_bilinear_backward_tape": _bilinear_backward_tape,
    "test_bilinear_backward_transpose": _bilinear_backward_transpose,
    "test_most_filters_fits": _most_filters_fits,
    "test_most_filters_largest": _most_filters_largest,
}
