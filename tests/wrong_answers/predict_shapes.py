"""Plausible wrong answers for solutions/predict_shapes: each must lose the points named.

Keys are short names shown in test ids. ``answer`` is the grade id of the
answer cell that gets ``source``; ``loses`` lists the test cells that must
score below full marks; every other test cell must keep full marks.
"""

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
    "same_padding_rounds_down": {
        "answer": "conv_output_length_answer",
        "source": (
            "def conv_output_length(size, kernel_size, stride, padding):\n"
            "    if padding == 'same':\n"
            "        return size // stride\n"
            "    return (size - kernel_size) // stride + 1\n"
        ),
        "loses": ["test_conv_output_length"],
    },
    "valid_ignores_stride": {
        "answer": "conv_output_length_answer",
        "source": (
            "def conv_output_length(size, kernel_size, stride, padding):\n"
            "    if padding == 'same':\n"
            "        return -(-size // stride)\n"
            "    return size - kernel_size + 1\n"
        ),
        "loses": ["test_conv_output_length"],
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
    "valid_conv_forgotten_in_generator": {
        "answer": "generator_shapes_answer",
        "source": (
            "generator_shapes = [(4096,), (4, 4, 256), (8, 8, 256), (8, 8, 128), (16, 16, 128),\n"
            "                    (16, 16, 64), (32, 32, 64), (32, 32, 1)]\n"
        ),
        "loses": ["test_generator_shapes"],
    },
    "parameters_without_bias": {
        "answer": "parameter_counts_answer",
        "source": "dense_parameters = 64 * 4096\nfirst_conv_parameters = 3 * 3 * 256 * 128\n",
        "loses": ["test_parameter_counts"],
    },
    "conv_kernel_ignores_input_channels": {
        "answer": "parameter_counts_answer",
        "source": "dense_parameters = 64 * 4096 + 4096\nfirst_conv_parameters = 3 * 3 * 128 + 128\n",
        "loses": ["test_parameter_counts"],
    },
}
