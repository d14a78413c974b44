"""Plausible wrong answers for solutions/conv2d_transpose_numpy: each must lose the points named.

Keys are short names shown in test ids. ``answer`` is the grade id of the
answer cell that gets ``source``; ``loses`` lists the test cells that must
score below full marks; every other test cell must keep full marks.
"""

SCATTER = (
    "def conv_transpose_forward(images, kernel, bias, strides):\n"
    "    s0, s1 = strides\n"
    "    batch, height, width, _ = images.shape\n"
    "    kh, kw, filters, _ = kernel.shape\n"
    "    out = np.zeros((batch, HEIGHT, WIDTH, filters))\n"
    "    for i in range(height):\n"
    "        for j in range(width):\n"
    "            copy = np.einsum('nc,hwfc->nhwf', images[:, i, j, :], kernel)\n"
    "            out[:, i * s0 : i * s0 + kh, j * s1 : j * s1 + kw, :] ADD copy\n"
    "    return out + bias\n"
)
KERAS_HEIGHT = "(height - 1) * s0 + max(kh, s0)"
KERAS_WIDTH = "(width - 1) * s1 + max(kw, s1)"


def scatter(height=KERAS_HEIGHT, width=KERAS_WIDTH, add="+="):
    return SCATTER.replace("HEIGHT", height).replace("WIDTH", width).replace("ADD", add)


WRONG_ANSWERS = {
    "overlaps_overwritten": {
        "answer": "conv_transpose_forward_answer",
        "source": scatter(add="="),
        "loses": ["test_conv_transpose_forward"],
    },
    "size_ignores_kernel_smaller_than_stride": {
        # (i - 1) * s + k, right whenever kernel >= stride
        "answer": "conv_transpose_forward_answer",
        "source": scatter(height="(height - 1) * s0 + kh", width="(width - 1) * s1 + kw"),
        "loses": ["test_conv_transpose_forward"],
    },
    "bias_forgotten": {
        "answer": "conv_transpose_forward_answer",
        "source": scatter().replace("return out + bias", "return out"),
        "loses": ["test_conv_transpose_forward"],
    },
    "channels_summed_with_wrong_kernel_axis": {
        # Reads the kernel in Conv2D's layout: only runs when filters == input channels.
        "answer": "conv_transpose_forward_answer",
        "source": scatter().replace("'nc,hwfc->nhwf'", "'nc,hwcf->nhwf'"),
        "loses": ["test_conv_transpose_forward"],
    },
    "conv2d_kernel_layout": {
        "answer": "transpose_weights_answer",
        "source": (
            "transpose_kernel_shape = (4, 2, 32, 16)\n"
            "transpose_bias_shape = (16,)\n"
            "transpose_parameters = 4 * 2 * 16 * 32 + 16\n"
        ),
        "loses": ["test_transpose_weights"],
    },
    "parameters_without_bias": {
        "answer": "transpose_weights_answer",
        "source": (
            "transpose_kernel_shape = (4, 2, 16, 32)\n"
            "transpose_bias_shape = (16,)\n"
            "transpose_parameters = 4 * 2 * 16 * 32\n"
        ),
        "loses": ["test_transpose_weights"],
    },
    "bias_left_at_zero": {
        "answer": "upsample_weights_answer",
        "source": "upsample_kernel = np.ones((2, 2, 1, 1))\nupsample_bias = np.array([0.0])\n",
        "loses": ["test_upsample_weights"],
    },
    "only_top_left_of_kernel": {
        # what the 1x1 example suggests, but it leaves gaps between the pixels
        "answer": "upsample_weights_answer",
        "source": (
            "upsample_kernel = np.array([1.0, 0.0, 0.0, 0.0]).reshape(2, 2, 1, 1)\n"
            "upsample_bias = np.array([0.5])\n"
        ),
        "loses": ["test_upsample_weights"],
    },
    "two_filters_in_conv2d_layout": {
        "answer": "two_filter_weights_answer",
        "source": "two_filter_kernel = np.array([[[[1.0, -1.0]]]])\ntwo_filter_bias = np.zeros(2)\n",
        "loses": ["test_two_filter_weights"],
    },
    "negative_filter_given_as_bias": {
        "answer": "two_filter_weights_answer",
        "source": (
            "two_filter_kernel = np.array([1.0, 0.0]).reshape(1, 1, 2, 1)\n"
            "two_filter_bias = np.array([0.0, -1.0])\n"
        ),
        "loses": ["test_two_filter_weights"],
    },
}
