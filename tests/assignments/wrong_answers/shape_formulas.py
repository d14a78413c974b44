"""Plausible wrong answers for solutions/shape_formulas: each must lose the points named.

Keys are short names shown in test ids. ``answer`` is the grade id of the
answer cell that gets ``source``; ``loses`` lists the test cells that must
score below full marks; every other test cell must keep full marks.
``UNUSUAL_ANSWERS`` are correct answers written unlike the solution: they
must keep every point.
"""

UNDO = (
    "def matching_output_padding(size, kernel_size, stride, padding):\n"
    "    if padding == 'valid':\n"
    "        return {valid}\n"
    "    return {same}\n"
)
SOLVED_VALID = "(size - kernel_size) % stride"
SOLVED_SAME = (
    "(size - 1) % stride if kernel_size % 2 else (None if size % stride == 0 else size % stride)"
)


def stack(first: tuple[int, str], second: tuple[int, str]) -> str:
    layers = [
        {"kernel_size": kernel, "padding": padding, "output_padding": None}
        for kernel, padding in (first, second)
    ]
    return f"stack = {layers!r}\n"


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
        "loses": ["test_seven_to_fifteen"],
    },
    "fifteen_from_an_even_kernel": {
        # 7 -> (7 - 1) * 2 + 4 = 16 with 'valid': the overhang of an even kernel is odd.
        "answer": "design_answer",
        "source": (
            "seven_to_fifteen = {'kernel_size': 4, 'padding': 'valid', 'output_padding': None}\n"
            "seven_to_fourteen_kernel_5 = {'kernel_size': 5, 'padding': 'same', 'output_padding': None}\n"
        ),
        "loses": ["test_seven_to_fifteen"],
    },
    "valid_for_the_kernel_5_target": {
        "answer": "design_answer",
        "source": (
            "seven_to_fifteen = {'kernel_size': 3, 'padding': 'valid', 'output_padding': None}\n"
            "seven_to_fourteen_kernel_5 = {'kernel_size': 5, 'padding': 'valid', 'output_padding': 0}\n"
        ),
        "loses": ["test_seven_to_fourteen_kernel_5"],
    },
    "same_with_output_padding_for_fourteen": {
        # An explicit output_padding=0 switches 'same' to (7 - 1) * 2 + 5 % 2 + 0 = 13, not 14.
        "answer": "design_answer",
        "source": (
            "seven_to_fifteen = {'kernel_size': 3, 'padding': 'valid', 'output_padding': None}\n"
            "seven_to_fourteen_kernel_5 = {'kernel_size': 5, 'padding': 'same', 'output_padding': 0}\n"
        ),
        "loses": ["test_seven_to_fourteen_kernel_5"],
    },
    "undo_keeps_keras_default": {
        "answer": "matching_output_padding_answer",
        "source": UNDO.format(valid="0", same="0"),
        "loses": ["test_undo_valid", "test_undo_same"],
    },
    "undo_from_size_modulo_stride": {
        "answer": "matching_output_padding_answer",
        "source": UNDO.format(valid="size % stride", same=SOLVED_SAME),
        "loses": ["test_undo_valid"],
    },
    "undo_same_with_the_valid_rule": {
        "answer": "matching_output_padding_answer",
        "source": UNDO.format(valid=SOLVED_VALID, same=SOLVED_VALID),
        "loses": ["test_undo_same"],
    },
    "undo_same_odd_kernels_only": {
        # Right for odd kernels; for even ones 'same' trims one row less, and may need stride.
        "answer": "matching_output_padding_answer",
        "source": UNDO.format(valid=SOLVED_VALID, same="(size - 1) % stride"),
        "loses": ["test_undo_same"],
    },
    "stack_dcgan_kernel_5": {
        "answer": "stack_answer",
        "source": stack((5, "same"), (5, "same")),
        "loses": ["test_stack_even_overlap", "test_stack_fewest_parameters"],
    },
    "stack_kernel_3_valid": {
        "answer": "stack_answer",
        "source": stack((3, "valid"), (3, "same")),
        "loses": [
            "test_stack_reaches_28",
            "test_stack_even_overlap",
            "test_stack_fewest_parameters",
        ],
    },
    "stack_kernel_4": {
        "answer": "stack_answer",
        "source": stack((4, "same"), (4, "same")),
        "loses": ["test_stack_fewest_parameters"],
    },
    "stack_kernel_4_valid_overshoots": {
        "answer": "stack_answer",
        "source": stack((4, "valid"), (2, "same")),
        "loses": ["test_stack_reaches_28", "test_stack_fewest_parameters"],
    },
    "stack_odd_then_even": {
        "answer": "stack_answer",
        "source": stack((3, "same"), (2, "same")),
        "loses": ["test_stack_even_overlap", "test_stack_fewest_parameters"],
    },
    "both_layers_double": {
        "answer": "two_settings_answer",
        "source": "sizes_on_16 = (32, 32)\nwhy_same_size = 'B'\n",
        "loses": ["test_sizes_on_16"],
    },
    "both_layers_use_the_scatter_rule": {
        "answer": "two_settings_answer",
        "source": "sizes_on_16 = (34, 20)\nwhy_same_size = 'B'\n",
        "loses": ["test_sizes_on_16"],
    },
    "right_sizes_wrong_reason": {
        "answer": "two_settings_answer",
        "source": "sizes_on_16 = (32, 20)\nwhy_same_size = 'A'\n",
        "loses": ["test_why_same_size"],
    },
    "multiples_of_four": {
        "answer": "two_settings_answer",
        "source": "sizes_on_16 = (32, 20)\nwhy_same_size = 'D'\n",
        "loses": ["test_why_same_size"],
    },
}

UNUSUAL_ANSWERS = {
    "formula_as_one_general_expression": {
        "answer": "conv_transpose_output_length_answer",
        "source": (
            "def conv_transpose_output_length(size, kernel_size, stride, padding, output_padding=None):\n"
            "    if output_padding is None:\n"
            "        if padding == 'same':\n"
            "            return size * stride\n"
            "        output_padding = max(stride - kernel_size, 0)\n"
            "    trimmed = kernel_size - kernel_size % 2 if padding == 'same' else 0\n"
            "    return (size - 1) * stride + kernel_size - trimmed + output_padding\n"
        ),
    },
    "design_with_explicit_output_padding": {
        "answer": "design_answer",
        "source": (
            "seven_to_fifteen = dict(kernel_size=3, padding='valid', output_padding=0)\n"
            "seven_to_fourteen_kernel_5 = dict(kernel_size=5, padding='same', output_padding=1)\n"
        ),
    },
    "undo_by_trying_every_output_padding": {
        "answer": "matching_output_padding_answer",
        "source": (
            "def matching_output_padding(size, kernel_size, stride, padding):\n"
            "    if padding == 'same':\n"
            "        small = -(-size // stride)\n"
            "        base = (small - 1) * stride + kernel_size - 2 * (kernel_size // 2)\n"
            "    else:\n"
            "        small = (size - kernel_size) // stride + 1\n"
            "        base = (small - 1) * stride + kernel_size\n"
            "    for extra in range(stride):\n"
            "        if base + extra == size:\n"
            "            return extra\n"
            "    return None\n"
        ),
    },
    "stack_with_explicit_output_padding": {
        "answer": "stack_answer",
        "source": (
            "stack = [dict(kernel_size=2, padding='valid', output_padding=0),\n"
            "         dict(kernel_size=2, padding='valid', output_padding=0)]\n"
        ),
    },
    "choice_in_lower_case_with_spaces": {
        "answer": "two_settings_answer",
        "source": "sizes_on_16 = (2 * 16, 16 + 5 - 1)\nwhy_same_size = ' b '\n",
    },
}
