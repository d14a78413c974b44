"""The conv2d_transpose_numpy assignment's variants (``CHOICES``) and its visible checks (``CHECKS``).

The checks run public cases only and catch the mistakes each test cell's
comment names, without computing a full answer (this module is importable in
the graded kernel); the judge tries many more cases, drawn fresh when the
notebook is graded.
"""

from __future__ import annotations

import numpy as np

CHOICES = {
    # 3: Conv2DTranspose(1, (f, f), strides=(f, f)) as UpSampling2D(f) plus upsample_offset
    "upsample_factor": (2, 3),
    "upsample_offset": (0.5, -1.0, 0.25, 1.5),
    # 4: the second filter multiplies the spread input by second_scale
    "second_scale": (-1.0, 2.0, -0.5, 3.0),
}


def _array(value, name: str) -> np.ndarray:
    array = np.asarray(value, dtype=float)
    assert array.dtype.kind == "f", f"{name} must be an array of numbers"
    return array


def _forward(ns: dict) -> str:
    f = ns["conv_transpose_forward"]
    ones = np.ones((1, 2, 2, 1))
    got = _array(f(ones, np.ones((3, 3, 1, 1)), np.zeros(1), (2, 2)), "the output")
    assert got.shape == (1, 5, 5, 1), (
        f"a 2 x 2 input, kernel 3, stride 2 gives 5 x 5, not {got.shape}"
    )
    assert got[0, 2, :, 0].tolist() != [1, 1, 1, 1, 1], (
        "the middle row is reached by two copies: add each copy (+=), the last one must not win"
    )
    assert got[0, 2, :, 0].tolist() == [2, 2, 4, 2, 2], (
        f"the middle row is reached by two copies, its centre by four; got {got[0, 2, :, 0]}"
    )
    small = _array(f(ones, np.ones((1, 1, 3, 1)), np.zeros(3), (2, 2)), "the output")
    assert small.shape != (1, 3, 3, 3), (
        "(size - 1) * stride + kernel_size is 3 here, but Keras keeps the positions no copy "
        "reaches when the kernel is smaller than the stride: max(kernel_size, stride)"
    )
    assert small.shape == (1, 4, 4, 3), f"expected shape (1, 4, 4, 3), got {small.shape}"
    with_bias = _array(f(ones, np.zeros((1, 1, 1, 1)), np.array([0.5]), (2, 2)), "the output")
    assert np.allclose(with_bias, 0.5), "the bias is added to every output pixel"
    return "public cases: overlap, a kernel smaller than the stride, the bias"


def _kernel_shape(ns: dict) -> str:
    got = tuple(ns["transpose_kernel_shape"](32, 16, (4, 2)))
    assert got != (4, 2, 32, 16), (
        "that is Conv2D's layout (kernel_h, kernel_w, input_channels, filters): a "
        "Conv2DTranspose kernel has the channel axes the other way round"
    )
    assert got == (4, 2, 16, 32), f"transpose_kernel_shape(32, 16, (4, 2)) is not {got}"
    return "one public layer"


def _hand_set(ns: dict, kernel: str, bias: str, shapes) -> tuple[np.ndarray, np.ndarray]:
    k, b = _array(ns[kernel], kernel), _array(ns[bias], bias)
    if kernel == "two_filter_kernel":
        assert k.shape != (*shapes[0][:2], shapes[0][3], shapes[0][2]), (
            f"{kernel} has Conv2D's layout {k.shape}: this layer's kernel is "
            "(kernel_h, kernel_w, filters, input_channels)"
        )
    assert k.shape == shapes[0], f"{kernel} must have this layer's kernel shape {shapes[0]}"
    assert b.shape == shapes[1], f"{bias} must have shape {shapes[1]}, one number per filter"
    return k, b


def _upsample_weights(ns: dict) -> str:
    factor = ns["variant"]["upsample_factor"]
    kernel, bias = _hand_set(ns, "upsample_kernel", "upsample_bias", ((factor, factor, 1, 1), (1,)))
    assert np.count_nonzero(kernel) > 1, (
        "only one weight set: each input pixel must fill its whole block of the output"
    )
    assert bias[0] != 0, "the bias is what adds your upsample_offset"
    return "the shapes and the two common slips"


def _two_filter_weights(ns: dict) -> str:
    kernel, _ = _hand_set(ns, "two_filter_kernel", "two_filter_bias", ((1, 1, 2, 1), (2,)))
    assert kernel[0, 0, 0, 0] != ns["variant"]["second_scale"] or kernel[0, 0, 1, 0] != 1, (
        "the filters are the other way round: kernel[:, :, f, 0] is filter f's weight"
    )
    return "the shapes and the order of the filters"


COLUMN_UPSTREAM = np.array([1.0, 10.0, 100.0, 1000.0, 10000.0]).reshape(1, 5, 1, 1)
COLUMN_KERNEL = np.array([1.0, 2.0, 3.0]).reshape(3, 1, 1, 1)


def _input_gradient_single(ns: dict) -> str:
    f = ns["conv_transpose_input_gradient"]
    got = _array(f(COLUMN_UPSTREAM, COLUMN_KERNEL, (2, 1), (2, 1)), "the gradient")
    assert got.shape == (1, 2, 1, 1), (
        f"the gradient has the input's shape (1, 2, 1, 1), not {got.shape}"
    )
    assert got.ravel().tolist() != [123.0, 12300.0], (
        "a flipped kernel: input 0 wrote rows 0, 1, 2 with weights 1, 2, 3, read them back "
        "the same way round"
    )
    assert got.ravel().tolist() == [321.0, 32100.0], (
        f"input 0: 1 * 1 + 10 * 2 + 100 * 3 = 321; got {got.ravel().tolist()}"
    )
    return "a public column, kernel [1, 2, 3], stride 2"


def _input_gradient_channels(ns: dict) -> str:
    f = ns["conv_transpose_input_gradient"]
    upstream = np.stack([np.ones((1, 2, 2)), 10 * np.ones((1, 2, 2))], axis=-1)  # 2 filters
    kernel = np.ones((1, 1, 2, 3))  # 2 filters, 3 input channels
    got = _array(f(upstream, kernel, (2, 2), (1, 1)), "the gradient")
    assert got.shape == (1, 1, 1, 3), (
        f"the gradient has the input's channels last: (1, 1, 1, 3), not {got.shape}"
    )
    assert not np.allclose(got, 1.0), "only the first filter: the input fed both filters, add both"
    assert np.allclose(got, 11.0), f"each channel gets 1 + 10 back from the two filters; got {got}"
    return "a public input with three channels and two filters"


def _kernel_gradient_single(ns: dict) -> str:
    f = ns["conv_transpose_kernel_gradient"]
    got = _array(f(np.ones((1, 1, 1, 2)), COLUMN_UPSTREAM[:, :3], (3, 1), (2, 1)), "the gradient")
    assert got.shape != (3, 1, 2, 1), (
        "that is Conv2D's layout: (kernel_h, kernel_w, filters, input_channels)"
    )
    assert got.shape == (3, 1, 1, 2), (
        f"the gradient has the kernel's shape (3, 1, 1, 2), not {got.shape}"
    )
    assert got[:, 0, 0, 0].tolist() != [100.0, 10.0, 1.0], (
        "a flipped kernel: weight a wrote output row a, so its gradient reads row a"
    )
    assert got[:, 0, 0, 0].tolist() == [1.0, 10.0, 100.0], f"got {got[:, 0, 0, 0]}"
    return "a public one-pixel input"


def _kernel_gradient_batch(ns: dict) -> str:
    f = ns["conv_transpose_kernel_gradient"]
    images = np.array([1.0, 2.0]).reshape(2, 1, 1, 1)
    got = _array(f(images, np.ones((2, 1, 1, 1)), (1, 1), (1, 1)), "the gradient")
    assert got.ravel().tolist() != [1.0], "the first image only: the loss sums over the batch"
    assert got.ravel().tolist() != [1.5], "the batch's mean: the loss sums over the batch"
    assert got.ravel().tolist() == [3.0], f"1 * 1 + 2 * 1 = 3; got {got.ravel().tolist()}"
    return "a public batch of two"


CHECKS = {
    "test_forward": _forward,
    "test_kernel_shape": _kernel_shape,
    "test_upsample_weights": _upsample_weights,
    "test_two_filter_weights": _two_filter_weights,
    "test_input_gradient_single": _input_gradient_single,
    "test_input_gradient_channels": _input_gradient_channels,
    "test_kernel_gradient_single": _kernel_gradient_single,
    "test_kernel_gradient_batch": _kernel_gradient_batch,
}
