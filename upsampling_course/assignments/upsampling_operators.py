"""The upsampling_operators assignment's variants (``CHOICES``) and its visible checks."""

from __future__ import annotations

import numpy as np

CHOICES = {
    # 6: (kernel size, stride) of the transposed layer that a convolution must undo; the kernel
    # overlaps its neighbours (s < k <= 2 s) by at least two taps, so no tap needs to be 0
    "round_trip_layer": ((4, 2), (5, 3), (6, 3), (6, 4), (7, 4), (8, 5)),
    # 6: what the convolution must give back: round_trip_gain times the input
    "round_trip_gain": (2, 3, 4, 5),
}


# ---------------------------------------------------------------------------
# The visible checks (upsampling_course.selfcheck): public cases and the
# mistakes each test's comment names; the judge tries many more cases.


def _array(value, name: str, shape: tuple | None = None) -> np.ndarray:
    assert isinstance(value, np.ndarray), f"{name} must be a NumPy array"
    assert value.dtype.kind in "iuf", f"{name} must hold numbers, not dtype {value.dtype}"
    if shape is not None:
        assert value.shape == shape, f"{name} has shape {value.shape}, expected {shape}"
    return value


def _matrix_keras(ns: dict) -> str:
    t = _array(ns["transposed_matrix"]([1.0, 2.0, 3.0], 2, 2), "transposed_matrix(...)")
    assert t.shape != (2, 5), (
        "shape (2, 5) is the convolution's matrix C: the transposed layer's T is C.T, one row "
        "per output sample"
    )
    assert t.shape == (5, 2), "kernel 3, stride 2 on 2 samples: 5 output rows, 2 input columns"
    assert t[:, 0].tolist() != [3, 2, 1, 0, 0], (
        "column 0 holds the kernel flipped: a transposed convolution writes kernel[t] to output "
        "i * stride + t, it does not flip the kernel"
    )
    assert t.tolist() == [[1, 0], [2, 0], [3, 1], [0, 2], [0, 3]], (
        "column i is the kernel, starting at row i * stride"
    )
    return "kernel [1, 2, 3], stride 2, 2 samples"


def _matrix_short(ns: dict) -> str:
    t = _array(ns["transposed_matrix"]([5.0], 3, 2), "transposed_matrix([5], 3, 2)")
    assert t.shape != (5, 3), (
        "(3 - 1) * 2 + 1 = 5 rows is the scatter's length: with a kernel shorter than the "
        "stride Keras outputs input_size * stride samples"
    )
    assert t.shape == (6, 3) and t[:, 1].tolist() == [0, 0, 5, 0, 0, 0], (
        "kernel [5], stride 2, 3 samples: 6 rows, column i holds 5 at row 2 * i"
    )
    return "a kernel shorter than the stride"


def _transposed_gradient_stride_1(ns: dict) -> str:
    g = _array(ns["transposed_input_gradient"]([1.0, 2.0], [1.0, 0.0, 0.0], 2, 1), "the gradient")
    assert g.tolist() != [2, 0], (
        "the kernel flipped, as in a true convolution: input i reached outputs i + t with "
        "weight kernel[t]"
    )
    assert g.tolist() == [1, 0], (
        "kernel [1, 2], stride 1, upstream [1, 0, 0]: input 0 reached output 0 with weight 1"
    )
    return "kernel [1, 2], stride 1"


def _transposed_gradient_strided(ns: dict) -> str:
    f = ns["transposed_input_gradient"]
    g = _array(f([1.0, 2.0], [0.0, 0.0, 1.0, 0.0], 2, 2), "the gradient")
    assert g.tolist() != [0, 2], (
        "the stride ignored: input i writes its kernel copy from output i * stride on"
    )
    assert g.tolist() == [0, 1], "kernel [1, 2], stride 2: input 1 reached output 2 with weight 1"
    return "kernel [1, 2], stride 2"


def _kernel_gradient_stride_1(ns: dict) -> str:
    g = _array(ns["conv_kernel_gradient"]([1.0, 2.0, 3.0], [1.0, 0.0], 2, 1), "the gradient")
    assert g.tolist() != [2, 1], (
        "reversed: weight t of Keras's convolution (a cross-correlation) read sample j + t"
    )
    assert g.tolist() == [1, 2], (
        "inputs [1, 2, 3], upstream [1, 0]: output 0 read samples 0 and 1 with weights 0 and 1"
    )
    return "inputs [1, 2, 3], stride 1"


def _kernel_gradient_strided(ns: dict) -> str:
    f = ns["conv_kernel_gradient"]
    g = _array(f([1.0, 2.0, 3.0, 4.0, 5.0], [0.0, 1.0], 2, 2), "the gradient")
    assert g.tolist() != [2, 3], "the stride ignored: output j read samples j * stride + t"
    assert g.tolist() == [3, 4], "output 1 read samples 2 and 3 with weights 0 and 1"
    return "inputs 1..5, stride 2"


def _subpixel_one_filter(ns: dict) -> str:
    kernel = np.array([[1.0, 2.0], [3.0, 4.0]])[:, :, None, None]
    w = _array(ns["subpixel_kernel"](kernel), "subpixel_kernel(...)", (1, 1, 1, 4))
    assert w.ravel().tolist() != [1, 3, 2, 4], (
        "column-major order: depth_to_space fills each block row by row, channel i * s + j "
        "at row i, column j"
    )
    assert w.ravel().tolist() == [1, 2, 3, 4], "the taps in the order depth_to_space reads them"
    return "a 2 x 2 kernel, one filter"


def _subpixel_many_filters(ns: dict) -> str:
    kernel = np.arange(1.0, 9.0).reshape(2, 2, 2, 1)  # tap (i, j) of filter f: 4i + 2j + f + 1
    w = _array(ns["subpixel_kernel"](kernel), "subpixel_kernel(...)", (1, 1, 1, 8))
    assert w.ravel().tolist() != [1, 3, 5, 7, 2, 4, 6, 8], (
        "filters before taps (channel f * s * s + i * s + j): right for one filter only"
    )
    assert w.ravel().tolist() == list(range(1, 9)), (
        "depth_to_space reads channel (i * s + j) * F + f: both filters of tap (0, 0) come first"
    )
    return "a 2 x 2 kernel, two filters"


def _nearest(ns: dict, base: np.ndarray) -> np.ndarray:
    return _array(ns["nearest_transpose_kernel"](base, 2), "nearest_transpose_kernel(...)")


def _nearest_flat(ns: dict) -> str:
    base = np.arange(1.0, 7.0).reshape(1, 1, 2, 3)  # 2 channels in, 3 filters
    kernel = _nearest(ns, base)
    assert kernel.shape != (2, 2, 2, 3), (
        "channels for filters: a Conv2DTranspose kernel is (k, k, filters, channels), here "
        "(2, 2, 3, 2)"
    )
    assert kernel.shape == (2, 2, 3, 2), "scale 2, 3 filters, 2 channels: shape (2, 2, 3, 2)"
    assert all(np.array_equal(kernel[i, j], kernel[0, 0]) for i in range(2) for j in range(2)), (
        "the taps of a block differ (one tap set, the others 0?): each phase needs the same "
        "weights, or a constant input gives a pattern"
    )
    return "a 1 x 1 base kernel, 2 channels to 3 filters"


def _nearest_upsampling(ns: dict) -> str:
    base = np.arange(1.0, 7.0).reshape(1, 1, 2, 3)
    kernel = _nearest(ns, base)
    assert kernel.shape == (2, 2, 3, 2), "scale 2, 3 filters, 2 channels: shape (2, 2, 3, 2)"
    assert not np.allclose(kernel[0, 0], base[0, 0].T / 4), (
        "divided by scale * scale: nearest upsampling copies each value, it does not average"
    )
    assert np.allclose(kernel[0, 0], base[0, 0].T), (
        "each tap holds the base kernel's weights, filters first: base[0, 0].T"
    )
    return "the weights of one tap"


def _round_trip_kernel(ns: dict) -> np.ndarray:
    k, _ = ns["variant"]["round_trip_layer"]
    return np.asarray(_array(ns["round_trip_kernel"], "round_trip_kernel", (k,)), dtype=float)


def _round_trip(ns: dict) -> str:
    w, (k, s) = _round_trip_kernel(ns), ns["variant"]["round_trip_layer"]
    gain = ns["variant"]["round_trip_gain"]
    # conv(T x) on 3 samples, for each unit input: the columns of C @ T with C = T.T.
    t = np.zeros((2 * s + k, 3))
    for i in range(3):
        t[i * s : i * s + k, i] = w
    back = t.T @ t
    assert abs(back[1, 1] - gain) < 1e-6 * gain, (
        f"a unit sample comes back as {back[1, 1]:.4g} times itself, not {gain} times"
    )
    assert abs(back[0, 1]) < 1e-6 * gain, (
        f"a unit sample leaks {back[0, 1]:.4g} into each neighbour: the kernel copies overlap"
    )
    return "the round trip of three unit samples"


def _round_trip_taps(ns: dict) -> str:
    w = _round_trip_kernel(ns)
    assert (w != 0).all(), "a tap of 0: every weight must be non-zero"
    return "every tap is non-zero"


CHECKS = {
    "test_transposed_matrix_keras": _matrix_keras,
    "test_transposed_matrix_short_kernels": _matrix_short,
    "test_transposed_gradient_stride_1": _transposed_gradient_stride_1,
    "test_transposed_gradient_strided": _transposed_gradient_strided,
    "test_kernel_gradient_stride_1": _kernel_gradient_stride_1,
    "test_kernel_gradient_strided": _kernel_gradient_strided,
    "test_subpixel_one_filter": _subpixel_one_filter,
    "test_subpixel_many_filters": _subpixel_many_filters,
    "test_nearest_flat_blocks": _nearest_flat,
    "test_nearest_upsampling": _nearest_upsampling,
    "test_round_trip": _round_trip,
    "test_round_trip_taps": _round_trip_taps,
}
