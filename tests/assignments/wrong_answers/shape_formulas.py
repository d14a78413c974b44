"""Plausible wrong answers for solutions/shape_formulas: each must lose the points named.

Keys are short names shown in test ids. ``answer`` is the grade id of the
answer cell that gets ``source``; ``loses`` lists the test cells that must
score below full marks; every other test cell must keep full marks; ``says``
is a phrase the judge's message for that mistake must contain.
``UNUSUAL_ANSWERS`` are correct answers written unlike the solution: they
must keep every point.

Each simulated student has an id of their own, so their numbers differ:
answers that depend on the variant read it from ``variant`` as a student's
notebook does (or are wrong for every variant in the way their name says).
"""

FORMULA = (
    "def conv_transpose_output_length(size, kernel_size, stride, padding, output_padding=None):\n"
)
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
# The solution's even_target: the student's kernel, 'same', Keras's default output_padding.
EVEN_TARGET = "even_target = {'kernel_size': variant.even_kernel, 'padding': 'same', 'output_padding': None}\n"
ODD_TARGET = "odd_target = {'kernel_size': 3, 'padding': 'valid', 'output_padding': None}\n"
# The letter this student sees for a statement (the notebook shows them in the variant's order).
LETTER_OF = "'ABCD'[variant.statement_order.index('{statement}')]"
SIZES = "sizes_compared = (2 * variant.compare_on, variant.compare_on + 4)\n"


def stack(first: tuple[int, str], second: tuple[int, str]) -> str:
    layers = [
        {"kernel_size": kernel, "padding": padding, "output_padding": None}
        for kernel, padding in (first, second)
    ]
    return f"stack = {layers!r}\n"


def letter(statement: int) -> str:
    return f"why_same_size = {LETTER_OF.format(statement=statement)}\n"


WRONG_ANSWERS = {
    "output_padding_ignored": {
        "answer": "conv_transpose_output_length_answer",
        "source": FORMULA
        + (
            "    if padding == 'same':\n"
            "        return size * stride\n"
            "    return (size - 1) * stride + max(kernel_size, stride)\n"
        ),
        "loses": ["test_explicit_output_padding"],
    },
    "pytorch_rule": {
        # PyTorch: output_padding defaults to 0 and 'same' is emulated with p = (k - 1) // 2.
        "answer": "conv_transpose_output_length_answer",
        "source": FORMULA
        + (
            "    extra = 0 if output_padding is None else output_padding\n"
            "    trim = 0 if padding == 'valid' else (kernel_size - 1) // 2\n"
            "    return (size - 1) * stride + kernel_size - 2 * trim + extra\n"
        ),
        "loses": ["test_default_output_padding", "test_explicit_output_padding"],
    },
    "scatter_length_for_same_by_default": {
        # The full scatter length (size - 1) * stride + kernel_size whatever the padding.
        "answer": "conv_transpose_output_length_answer",
        "source": FORMULA
        + (
            "    if output_padding is None:\n"
            "        return (size - 1) * stride + max(kernel_size, stride)\n"
            "    trim = 0 if padding == 'valid' else kernel_size // 2\n"
            "    return (size - 1) * stride + kernel_size - 2 * trim + output_padding\n"
        ),
        "loses": ["test_default_output_padding"],
    },
    "formula_1_for_the_default": {
        # The full scatter length for 'valid' too: wrong when the kernel is smaller than the stride.
        "answer": "conv_transpose_output_length_answer",
        "source": FORMULA
        + (
            "    if output_padding is None and padding == 'same':\n"
            "        return size * stride\n"
            "    extra = 0 if output_padding is None else output_padding\n"
            "    trim = 0 if padding == 'valid' else kernel_size // 2\n"
            "    return (size - 1) * stride + kernel_size - 2 * trim + extra\n"
        ),
        "loses": ["test_default_output_padding"],
    },
    "same_for_an_odd_target": {
        # 'same' with Keras's default output_padding gives 2 * odd_from: always even.
        "answer": "design_answer",
        "source": "odd_target = {'kernel_size': 3, 'padding': 'same', 'output_padding': None}\n"
        + EVEN_TARGET,
        "loses": ["test_odd_target"],
        "says": "an odd size needs the full scatter length",
    },
    "odd_target_from_an_even_kernel": {
        # (odd_from - 1) * 2 + 4 = 2 * odd_from + 2: the overhang of an even kernel is even.
        "answer": "design_answer",
        "source": "odd_target = {'kernel_size': 4, 'padding': 'valid', 'output_padding': None}\n"
        + EVEN_TARGET,
        "loses": ["test_odd_target"],
        "says": "an odd size needs the full scatter length",
    },
    "valid_for_the_even_target": {
        # The stamps overhang: (n - 1) * 2 + k, odd and more than 2 * n.
        "answer": "design_answer",
        "source": ODD_TARGET
        + "even_target = {'kernel_size': variant.even_kernel, 'padding': 'valid',"
        " 'output_padding': None}\n",
        "loses": ["test_even_target"],
        "says": "which padding makes the output exactly size * stride?",
    },
    "same_with_output_padding_0_for_the_even_target": {
        # An explicit output_padding=0 switches 'same' to (n - 1) * 2 + k % 2: 2 * n - 1, not 2 * n.
        "answer": "design_answer",
        "source": ODD_TARGET
        + "even_target = {'kernel_size': variant.even_kernel, 'padding': 'same',"
        " 'output_padding': 0}\n",
        "loses": ["test_even_target"],
        "says": "which padding makes the output exactly size * stride?",
    },
    "even_target_with_the_textbook_kernel_4": {
        # Doubles the size, but not with the kernel the question sets.
        "answer": "design_answer",
        "source": ODD_TARGET
        + "even_target = {'kernel_size': 4, 'padding': 'same', 'output_padding': None}\n",
        "loses": ["test_even_target"],
        "says": "this layer must use kernel",
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
            "test_stack_reaches_target",
            "test_stack_even_overlap",
            "test_stack_fewest_parameters",
        ],
    },
    "stack_kernel_4": {
        "answer": "stack_answer",
        "source": stack((4, "same"), (4, "same")),
        "loses": ["test_stack_fewest_parameters"],
        "says": "a k x k kernel has k * k weights",
    },
    "stack_kernel_4_valid_overshoots": {
        # (n - 1) * 2 + 4 = 2 * n + 2 after the first layer: the overhang is kept.
        "answer": "stack_answer",
        "source": stack((4, "valid"), (2, "same")),
        "loses": ["test_stack_reaches_target", "test_stack_fewest_parameters"],
    },
    "stack_odd_then_even": {
        "answer": "stack_answer",
        "source": stack((3, "same"), (2, "same")),
        "loses": ["test_stack_even_overlap", "test_stack_fewest_parameters"],
    },
    "both_layers_double": {
        "answer": "two_settings_answer",
        "source": "sizes_compared = (2 * variant.compare_on, 2 * variant.compare_on)\n" + letter(1),
        "loses": ["test_sizes_compared"],
    },
    "both_layers_use_the_scatter_rule": {
        # (n - 1) * 2 + 4 for the 'same' layer too: 'same' with output_padding=None gives 2 * n.
        "answer": "two_settings_answer",
        "source": "sizes_compared = (2 * variant.compare_on + 2, variant.compare_on + 4)\n"
        + letter(1),
        "loses": ["test_sizes_compared"],
    },
    "right_sizes_wrong_reason": {
        "answer": "two_settings_answer",
        "source": SIZES + letter(0),
        "loses": ["test_why_same_size"],
    },
    "multiples_of_four": {
        "answer": "two_settings_answer",
        "source": SIZES + letter(3),
        "loses": ["test_why_same_size"],
    },
}

UNUSUAL_ANSWERS = {
    "formula_as_one_general_expression": {
        # Also shadows the builtins max and min at top level: graded normally all the same.
        "answer": "conv_transpose_output_length_answer",
        "source": (
            "def max(a, b):\n"
            "    return a if a > b else b\n"
            "min = 0\n" + FORMULA + "    if output_padding is None:\n"
            "        if padding == 'same':\n"
            "            return size * stride\n"
            "        output_padding = max(stride - kernel_size, min)\n"
            "    trimmed = kernel_size - kernel_size % 2 if padding == 'same' else 0\n"
            "    return (size - 1) * stride + kernel_size - trimmed + output_padding\n"
        ),
    },
    "design_with_explicit_output_padding": {
        # kernel 2, 'valid', output_padding 1: (n - 1) * 2 + 2 + 1 = 2 * n + 1;
        # 'same' with output_padding 1: (n - 1) * 2 + k - 2 * (k // 2) + 1 = 2 * n for odd k.
        "answer": "design_answer",
        "source": (
            "sum = 1\n"
            "odd_target = dict(kernel_size=2, padding='valid', output_padding=sum)\n"
            "even_target = dict(kernel_size=int(variant['even_kernel']), padding='same',\n"
            "                   output_padding=1)\n"
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
            "input = dict(kernel_size=2, padding='valid', output_padding=0)\n"
            "stack = [input, dict(input)]\n"
        ),
    },
    "choice_in_lower_case_with_spaces": {
        "answer": "two_settings_answer",
        "source": (
            "id = variant.compare_on\n"
            "sizes_compared = (id * 2, id + 5 - 1)\n"
            "why_same_size = ' ' + 'abcd'[list(variant.statement_order).index('1')] + ' '\n"
        ),
    },
}
