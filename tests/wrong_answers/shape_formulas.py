"""Plausible wrong answers for solutions/shape_formulas: each must lose the points named.

Keys are short names shown in test ids. ``answer`` is the grade id of the
answer cell that gets ``source``; ``loses`` lists the test cells that must
score below full marks; every other test cell must keep full marks.
"""

WRONG_ANSWERS = {
    "output_padding_ignored": {
        "answer": "conv_transpose_output_length_answer",
        "source": (
            "def conv_transpose_output_length(size, kernel_size, stride, padding, output_padding=None):\n"
            "    if padding == 'same':\n"
            "        return size * stride\n"
            "    return (size - 1) * stride + max(kernel_size, stride)\n"
        ),
        "loses": ["test_explicit_output_padding"],
    },
    "pytorch_rule": {
        # PyTorch: output_padding defaults to 0 and 'same' is emulated with p = (k - 1) // 2.
        "answer": "conv_transpose_output_length_answer",
        "source": (
            "def conv_transpose_output_length(size, kernel_size, stride, padding, output_padding=None):\n"
            "    extra = 0 if output_padding is None else output_padding\n"
            "    trim = 0 if padding == 'valid' else (kernel_size - 1) // 2\n"
            "    return (size - 1) * stride + kernel_size - 2 * trim + extra\n"
        ),
        "loses": ["test_default_output_padding", "test_explicit_output_padding"],
    },
    "formula_1_for_the_default": {
        "answer": "conv_transpose_output_length_answer",
        "source": (
            "def conv_transpose_output_length(size, kernel_size, stride, padding, output_padding=None):\n"
            "    if output_padding is None and padding == 'same':\n"
            "        return size * stride\n"
            "    extra = 0 if output_padding is None else output_padding\n"
            "    trim = 0 if padding == 'valid' else kernel_size // 2\n"
            "    return (size - 1) * stride + kernel_size - 2 * trim + extra\n"
        ),
        "loses": ["test_default_output_padding"],
    },
    "same_for_an_odd_target": {
        "answer": "design_answer",
        "source": (
            "seven_to_fifteen = {'kernel_size': 3, 'padding': 'same', 'output_padding': None}\n"
            "seven_to_fourteen_kernel_5 = {'kernel_size': 5, 'padding': 'same', 'output_padding': None}\n"
        ),
        "loses": ["test_design"],
    },
    "valid_for_the_kernel_5_target": {
        "answer": "design_answer",
        "source": (
            "seven_to_fifteen = {'kernel_size': 3, 'padding': 'valid', 'output_padding': None}\n"
            "seven_to_fourteen_kernel_5 = {'kernel_size': 5, 'padding': 'valid', 'output_padding': 0}\n"
        ),
        "loses": ["test_design"],
    },
    "both_layers_double": {
        "answer": "two_settings_answer",
        "source": "sizes_on_16 = (32, 32)\nwhy_same_size = 'D'\n",
        "loses": ["test_two_settings"],
    },
    "right_sizes_wrong_reason": {
        "answer": "two_settings_answer",
        "source": "sizes_on_16 = (32, 20)\nwhy_same_size = 'A'\n",
        "loses": ["test_two_settings"],
    },
}
