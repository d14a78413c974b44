"""Plausible wrong answers for solutions/upsampling2d_numpy: each must lose the points named.

Keys are short names shown in test ids. ``answer`` is the grade id of the
answer cell that gets ``source``; ``loses`` lists the test cells that must
score below full marks; every other test cell must keep full marks.
"""

WRONG_ANSWERS = {
    "size_axes_swapped": {
        "answer": "upsampling_forward_answer",
        "source": (
            "def upsampling_forward(images, size):\n"
            "    rows, cols = size\n"
            "    return np.repeat(np.repeat(images, cols, axis=1), rows, axis=2)\n"
        ),
        "loses": ["test_upsampling_forward"],
    },
    "tiles_instead_of_repeating": {
        "answer": "upsampling_forward_answer",
        "source": (
            "def upsampling_forward(images, size):\n"
            "    return np.tile(images, (1, size[0], size[1], 1))\n"
        ),
        "loses": ["test_upsampling_forward"],
    },
    "one_gradient_per_block": {
        # The widely copied backward pass: right shape, wrong values.
        "answer": "upsampling_backward_answer",
        "source": (
            "def upsampling_backward(output_gradient, size):\n"
            "    return output_gradient[:, :: size[0], :: size[1], :]\n"
        ),
        "loses": ["test_upsampling_backward"],
    },
    "mean_instead_of_sum": {
        "answer": "upsampling_backward_answer",
        "source": (
            "def upsampling_backward(output_gradient, size):\n"
            "    rows, cols = size\n"
            "    n, h, w, c = output_gradient.shape\n"
            "    return output_gradient.reshape(n, h // rows, rows, w // cols, cols, c).mean(axis=(2, 4))\n"
        ),
        "loses": ["test_upsampling_backward"],
    },
    "conv_filter_ignores_input_channels": {
        "answer": "parameter_counts_answer",
        "source": (
            "parameter_counts = [64 * 1024 + 1024, 0, 0, 3 * 3 * 32 + 32, 0, 5 * 5 * 1 + 1]\n"
            "last_kernel_shape = (5, 5, 32, 1)\n"
        ),
        "loses": ["test_parameter_counts"],
    },
    "conv2d_kernel_axes_reversed": {
        "answer": "parameter_counts_answer",
        "source": (
            "parameter_counts = [64 * 1024 + 1024, 0, 0, 3 * 3 * 64 * 32 + 32, 0, 5 * 5 * 32 + 1]\n"
            "last_kernel_shape = (5, 5, 1, 32)\n"
        ),
        "loses": ["test_parameter_counts"],
    },
}
