"""Plausible wrong answers for solutions/predict_shapes: each must lose the points named.

Keys are short names shown in test ids. ``answer`` is the grade id of the
answer cell that gets ``source``; ``loses`` lists the test cells that must
score below full marks; every other test cell must keep full marks.
``UNUSUAL_ANSWERS`` are correct answers written unlike the solution: they
must keep every point.
"""

CONV_RULE = (
    "def conv_output_length(size, kernel_size, stride, padding):\n"
    "    if padding == 'same':\n"
    "        return {same}\n"
    "    return {valid}\n"
)
DILATED = (
    "def dilated_output_shape(input_shape, kernel_size, dilation_rate, filters):\n"
    "    (h, w, _), (kh, kw), (dh, dw) = input_shape, kernel_size, dilation_rate\n"
    "    return ({height}, {width}, filters)\n"
)

WRONG_ANSWERS = {
    "valid_treated_as_same": {
        "answer": "classifier_shapes_answer",
        "source": "classifier_shapes = [(32, 32, 16), (16, 16, 16), (8, 8, 32), (8, 8, 64)]",
        "loses": ["test_classifier_shapes"],
    },
    "pooling_rounds_up": {
        "answer": "classifier_shapes_answer",
        "source": "classifier_shapes = [(28, 28, 16), (14, 14, 16), (7, 7, 32), (7, 7, 64)]",
        "loses": ["test_classifier_shapes"],
    },
    "classifier_shapes_as_floats": {
        "answer": "classifier_shapes_answer",
        "source": "classifier_shapes = [(28.0, 28, 16), (14, 14, 16), (7, 7, 32), (5, 5, 64)]",
        "loses": ["test_classifier_shapes"],
    },
    "valid_ignores_stride": {
        "answer": "conv_output_length_answer",
        "source": CONV_RULE.format(same="-(-size // stride)", valid="size - kernel_size + 1"),
        "loses": ["test_conv_output_length"],
    },
    "valid_divides_before_subtracting": {
        "answer": "conv_output_length_answer",
        "source": CONV_RULE.format(
            same="-(-size // stride)", valid="size // stride - kernel_size + 1"
        ),
        "loses": ["test_conv_output_length"],
    },
    "same_padding_rounds_down": {
        "answer": "conv_output_length_answer",
        "source": CONV_RULE.format(
            same="size // stride", valid="(size - kernel_size) // stride + 1"
        ),
        "loses": ["test_conv_output_length_same"],
    },
    "same_keeps_the_size": {
        # "same" read as "same size", whatever the stride (the chapter's pitfall box).
        "answer": "conv_output_length_answer",
        "source": CONV_RULE.format(same="size", valid="(size - kernel_size) // stride + 1"),
        "loses": ["test_conv_output_length_same"],
    },
    "square_upsampling_only": {
        "answer": "upsampling_output_shape_answer",
        "source": (
            "def upsampling_output_shape(input_shape, size):\n"
            "    factor = size if isinstance(size, int) else size[0]\n"
            "    height, width, channels = input_shape\n"
            "    return (height * factor, width * factor, channels)\n"
        ),
        "loses": ["test_upsampling_output_shape"],
    },
    "upsampling_axes_swapped": {
        "answer": "upsampling_output_shape_answer",
        "source": (
            "def upsampling_output_shape(input_shape, size):\n"
            "    rows, cols = (size, size) if isinstance(size, int) else size\n"
            "    height, width, channels = input_shape\n"
            "    return (height * cols, width * rows, channels)\n"
        ),
        "loses": ["test_upsampling_output_shape"],
    },
    "valid_conv_forgotten_in_generator": {
        "answer": "generator_shapes_answer",
        "source": (
            "generator_shapes = [(4096,), (4, 4, 256), (8, 8, 256), (8, 8, 128), (16, 16, 128),\n"
            "                    (16, 16, 64), (32, 32, 64), (32, 32, 1)]\n"
        ),
        "loses": ["test_generator_shapes"],
    },
    "upsampling_changes_channels": {
        "answer": "generator_shapes_answer",
        "source": (
            "generator_shapes = [(4096,), (4, 4, 256), (8, 8, 128), (8, 8, 128), (16, 16, 64),\n"
            "                    (14, 14, 64), (28, 28, 32), (28, 28, 1)]\n"
        ),
        "loses": ["test_generator_shapes"],
    },
    "parameters_without_bias": {
        "answer": "parameter_counts_answer",
        "source": "dense_parameters = 64 * 4096\nfirst_conv_parameters = 3 * 3 * 256 * 128\n",
        "loses": ["test_parameter_counts"],
    },
    "dense_bias_per_input": {
        "answer": "parameter_counts_answer",
        "source": "dense_parameters = 64 * 4096 + 64\nfirst_conv_parameters = 3 * 3 * 256 * 128 + 128\n",
        "loses": ["test_parameter_counts"],
    },
    "conv_kernel_ignores_input_channels": {
        "answer": "parameter_counts_answer",
        "source": "dense_parameters = 64 * 4096 + 4096\nfirst_conv_parameters = 3 * 3 * 128 + 128\n",
        "loses": ["test_parameter_counts"],
    },
    "conv_counts_output_pixels": {
        "answer": "parameter_counts_answer",
        "source": (
            "dense_parameters = 64 * 4096 + 4096\n"
            "first_conv_parameters = 8 * 8 * 3 * 3 * 256 * 128 + 128\n"
        ),
        "loses": ["test_parameter_counts"],
    },
    "dilation_ignored": {
        "answer": "dilated_output_shape_answer",
        "source": DILATED.format(height="h - kh + 1", width="w - kw + 1"),
        "loses": ["test_dilated_square", "test_dilated_rectangular"],
    },
    "dilation_multiplies_the_kernel": {
        "answer": "dilated_output_shape_answer",
        "source": DILATED.format(height="h - kh * dh + 1", width="w - kw * dw + 1"),
        "loses": ["test_dilated_square", "test_dilated_rectangular"],
    },
    "dilated_first_axis_everywhere": {
        "answer": "dilated_output_shape_answer",
        "source": DILATED.format(height="h - (kh - 1) * dh", width="w - (kh - 1) * dh"),
        "loses": ["test_dilated_rectangular"],
    },
    "dilated_axes_swapped": {
        "answer": "dilated_output_shape_answer",
        "source": DILATED.format(height="h - (kw - 1) * dw", width="w - (kh - 1) * dh"),
        "loses": ["test_dilated_rectangular"],
    },
    "start_side_without_the_valid_convolutions": {
        "answer": "backwards_answer",
        "source": "start_side = 28 // 4\ndense_units = start_side * start_side * 128\n",
        "loses": ["test_start_side"],
    },
    "valid_convolutions_undone_after_upsampling": {
        # Adds the lost pixels back before halving instead of after: (28 + 4) / 2 + 2 = 18, / 2 = 9
        # happens to work, so this one undoes them in the wrong order: (28 / 2 + 4) / 2 + 2 = 11.
        "answer": "backwards_answer",
        "source": "start_side = 11\ndense_units = start_side * start_side * 128\n",
        "loses": ["test_start_side"],
    },
    "dense_units_without_channels": {
        "answer": "backwards_answer",
        "source": "start_side = 9\ndense_units = start_side * start_side\n",
        "loses": ["test_dense_units"],
    },
    "dense_units_for_the_output": {
        "answer": "backwards_answer",
        "source": "start_side = 9\ndense_units = 28 * 28 * 128\n",
        "loses": ["test_dense_units"],
    },
}

UNUSUAL_ANSWERS = {
    "classifier_shapes_as_a_tuple_of_numpy_ints": {
        "answer": "classifier_shapes_answer",
        "source": (
            "import numpy as np\n"
            "classifier_shapes = tuple(\n"
            "    tuple(np.int64(d) for d in s) for s in [(28, 28, 16), (14, 14, 16), (7, 7, 32), (5, 5, 64)]\n"
            ")\n"
        ),
    },
    "conv_rule_with_math_ceil": {
        "answer": "conv_output_length_answer",
        "source": (
            "import math\n"
            "def conv_output_length(size, kernel_size, stride, padding):\n"
            "    reach = size if padding == 'same' else size - kernel_size + 1\n"
            "    return math.ceil(reach / stride)\n"
        ),
    },
    "upsampling_with_numpy": {
        "answer": "upsampling_output_shape_answer",
        "source": (
            "import numpy as np\n"
            "def upsampling_output_shape(input_shape, size):\n"
            "    factors = np.broadcast_to(size, (2,))\n"
            "    *sides, channels = input_shape\n"
            "    return tuple(int(s * f) for s, f in zip(sides, factors)) + (channels,)\n"
        ),
    },
    "generator_shapes_computed_in_a_loop": {
        "answer": "generator_shapes_answer",
        "source": (
            "side, generator_shapes = 4, [(4096,)]\n"
            "for step, channels in [('reshape', 256), ('up', 256), ('same', 128), ('up', 128),\n"
            "                       ('valid', 64), ('up', 64), ('same', 1)]:\n"
            "    side = side * 2 if step == 'up' else side - 2 if step == 'valid' else side\n"
            "    generator_shapes.append((side, side, channels))\n"
        ),
    },
    "parameter_counts_as_numpy_integers": {
        "answer": "parameter_counts_answer",
        "source": (
            "import numpy as np\n"
            "dense_parameters = int(np.prod([64, 4096]) + 4096)\n"
            "first_conv_parameters = (3 * 3 * 256 + 1) * 128\n"
        ),
    },
    "dilated_shape_by_counting_positions": {
        "answer": "dilated_output_shape_answer",
        "source": (
            "def dilated_output_shape(input_shape, kernel_size, dilation_rate, filters):\n"
            "    def fits(n, k, d):\n"
            "        return sum(1 for start in range(n) if start + (k - 1) * d < n)\n"
            "    (h, w, _), (kh, kw), (dh, dw) = input_shape, kernel_size, dilation_rate\n"
            "    return (fits(h, kh, dh), fits(w, kw, dw), filters)\n"
        ),
    },
    "start_side_solved_by_search": {
        "answer": "backwards_answer",
        "source": (
            "start_side = next(s for s in range(1, 30) if ((2 * s - 2) * 2 - 4) == 28)\n"
            "dense_units = 128 * start_side ** 2\n"
        ),
    },
}
