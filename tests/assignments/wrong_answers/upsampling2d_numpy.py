"""Plausible wrong answers for solutions/upsampling2d_numpy: each must lose the points named.

Keys are short names shown in test ids. ``answer`` is the grade id of the
answer cell that gets ``source``; ``loses`` lists the test cells that must
score below full marks; every other test cell must keep full marks. Entries
whose ``loses`` is empty are correct answers written in an unusual way
(``UNUSUAL_ANSWERS``): they must keep every point. Each task's answers are
listed together; tests/assignments/test_assignments.py packs them into few submissions.
"""

FORWARD = ["test_forward_shape", "test_forward_small_case", "test_forward_keras"]
BACKWARD = ["test_backward_shape", "test_backward_small_case", "test_backward_tape"]
CHANNELS_FIRST = ["test_channels_first_shape", "test_channels_first_tape"]
MATRIX = ["test_matrix_small_case", "test_matrix_keras"]

BLOCK_SUM = (
    "def upsampling_backward(output_gradient, size):\n"
    "    rows, cols = size\n"
    "    n, h, w, c = output_gradient.shape\n"
    "    blocks = output_gradient.reshape(n, h // rows, rows, w // cols, cols, c)\n"
    "    return blocks.REDUCE(axis=(2, 4))\n"
)
CHANNELS_FIRST_SUM = (
    "def upsampling_backward_channels_first(output_gradient, size):\n"
    "    rows, cols = size\n"
    "    n, c, h, w = output_gradient.shape\n"
    "    blocks = output_gradient.reshape(n, c, h // rows, rows, w // cols, cols)\n"
    "    return blocks.REDUCE(axis=(3, 5))\n"
)

ANSWERS = {
    # --- task 1: upsampling_forward ---------------------------------------------
    "size_axes_swapped": {
        "answer": "upsampling_forward_answer",
        "source": (
            "def upsampling_forward(images, size):\n"
            "    rows, cols = size\n"
            "    return np.repeat(np.repeat(images, cols, axis=1), rows, axis=2)\n"
        ),
        "loses": FORWARD,
    },
    "tiles_instead_of_repeating": {
        "answer": "upsampling_forward_answer",
        "source": (
            "def upsampling_forward(images, size):\n"
            "    return np.tile(images, (1, size[0], size[1], 1))\n"
        ),
        "loses": ["test_forward_small_case", "test_forward_keras"],
    },
    "columns_forgotten": {
        "answer": "upsampling_forward_answer",
        "source": (
            "def upsampling_forward(images, size):\n    return np.repeat(images, size[0], axis=1)\n"
        ),
        "loses": FORWARD,
    },
    "forward_by_broadcasting": {
        # Correct: view each pixel as a block of size[0] x size[1] copies, then flatten.
        "answer": "upsampling_forward_answer",
        "source": (
            "def upsampling_forward(images, size):\n"
            "    n, h, w, c = images.shape\n"
            "    r, s = size\n"
            "    blocks = np.broadcast_to(images[:, :, None, :, None, :], (n, h, r, w, s, c))\n"
            "    return blocks.reshape(n, h * r, w * s, c)\n"
        ),
        "loses": [],
    },
    # --- task 2: upsampling_backward --------------------------------------------
    "one_gradient_per_block": {
        # The widely copied backward pass: right shape, wrong values.
        "answer": "upsampling_backward_answer",
        "source": (
            "def upsampling_backward(output_gradient, size):\n"
            "    return output_gradient[:, :: size[0], :: size[1], :]\n"
        ),
        "loses": ["test_backward_small_case", "test_backward_tape"],
    },
    "mean_instead_of_sum": {
        "answer": "upsampling_backward_answer",
        "source": BLOCK_SUM.replace("REDUCE", "mean"),
        "loses": ["test_backward_small_case", "test_backward_tape"],
    },
    "backward_size_axes_swapped": {
        "answer": "upsampling_backward_answer",
        "source": BLOCK_SUM.replace("REDUCE", "sum").replace(
            "h // rows, rows, w // cols, cols", "h // cols, cols, w // rows, rows"
        ),
        "loses": BACKWARD,
    },
    "batch_axis_dropped": {
        # Written for one image: the batch axis disappears from the result.
        "answer": "upsampling_backward_answer",
        "source": (
            "def upsampling_backward(output_gradient, size):\n"
            "    rows, cols = size\n"
            "    n, h, w, c = output_gradient.shape\n"
            "    blocks = output_gradient[0].reshape(h // rows, rows, w // cols, cols, c)\n"
            "    return blocks.sum(axis=(1, 3))\n"
        ),
        "loses": BACKWARD,
    },
    "backward_as_a_sum_over_block_offsets_in_float32": {
        # Correct: np.add.reduceat along each axis, keeping the upstream dtype.
        "answer": "upsampling_backward_answer",
        "source": (
            "def upsampling_backward(output_gradient, size):\n"
            "    g = np.asarray(output_gradient)\n"
            "    g = np.add.reduceat(g, np.arange(0, g.shape[1], size[0]), axis=1)\n"
            "    return np.add.reduceat(g, np.arange(0, g.shape[2], size[1]), axis=2)\n"
        ),
        "loses": [],
    },
    # --- task 3: upsampling_backward_channels_first -----------------------------
    "channels_last_code_reused": {
        "answer": "channels_first_answer",
        "source": (
            "def upsampling_backward_channels_first(output_gradient, size):\n"
            "    return upsampling_backward(output_gradient, size)\n"
        ),
        "loses": CHANNELS_FIRST,
    },
    "moved_to_channels_last_and_left_there": {
        "answer": "channels_first_answer",
        "source": (
            "def upsampling_backward_channels_first(output_gradient, size):\n"
            "    return upsampling_backward(np.moveaxis(output_gradient, 1, -1), size)\n"
        ),
        "loses": CHANNELS_FIRST,
    },
    "channels_first_one_gradient_per_block": {
        "answer": "channels_first_answer",
        "source": (
            "def upsampling_backward_channels_first(output_gradient, size):\n"
            "    return output_gradient[:, :, :: size[0], :: size[1]]\n"
        ),
        "loses": ["test_channels_first_tape"],
    },
    "channels_first_mean_instead_of_sum": {
        "answer": "channels_first_answer",
        "source": CHANNELS_FIRST_SUM.replace("REDUCE", "mean"),
        "loses": ["test_channels_first_tape"],
    },
    "channels_first_through_the_channels_last_function": {
        # Correct: move the channels last, reuse task 2's function, move them back.
        "answer": "channels_first_answer",
        "source": (
            "def upsampling_backward_channels_first(output_gradient, size):\n"
            "    channels_last = np.transpose(output_gradient, (0, 2, 3, 1))\n"
            "    return np.transpose(upsampling_backward(channels_last, size), (0, 3, 1, 2))\n"
        ),
        "loses": [],
    },
    # --- task 4: upsampling_matrix ----------------------------------------------
    "matrix_transposed": {
        "answer": "matrix_answer",
        "source": (
            "def upsampling_matrix(length, factor):\n"
            "    return np.kron(np.eye(length), np.ones(factor))\n"
        ),
        "loses": MATRIX,
    },
    "matrix_tiles_instead_of_repeating": {
        "answer": "matrix_answer",
        "source": (
            "def upsampling_matrix(length, factor):\n"
            "    return np.tile(np.eye(length), (factor, 1))\n"
        ),
        "loses": MATRIX,
    },
    "matrix_as_repeated_identity_rows": {
        # Correct: repeat each row of the identity.
        "answer": "matrix_answer",
        "source": (
            "def upsampling_matrix(length, factor):\n"
            "    return np.repeat(np.eye(length, dtype=int), factor, axis=0)\n"
        ),
        "loses": [],
    },
    # --- task 5: parameter counts and the last kernel's shape -------------------
    "conv_filter_ignores_input_channels": {
        "answer": "parameter_counts_answer",
        "source": (
            "parameter_counts = [64 * 1024 + 1024, 0, 0, 3 * 3 * 32 + 32, 0, 5 * 5 * 1 + 1]\n"
            "last_kernel_shape = (5, 5, 32, 1)\n"
        ),
        "loses": ["test_parameter_counts"],
    },
    "biases_forgotten": {
        "answer": "parameter_counts_answer",
        "source": (
            "parameter_counts = [64 * 1024, 0, 0, 3 * 3 * 64 * 32, 0, 5 * 5 * 32]\n"
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
        "loses": ["test_last_kernel_shape"],
    },
    "kernel_input_channels_from_the_reshape": {
        "answer": "parameter_counts_answer",
        "source": (
            "parameter_counts = [64 * 1024 + 1024, 0, 0, 3 * 3 * 64 * 32 + 32, 0, 5 * 5 * 32 + 1]\n"
            "last_kernel_shape = (5, 5, 64, 1)\n"
        ),
        "loses": ["test_last_kernel_shape"],
    },
    "counts_as_numpy_integers_and_shape_as_a_list": {
        # Correct: computed with NumPy, a list for the shape.
        "answer": "parameter_counts_answer",
        "source": (
            "kernel_sizes = np.array([64 * 1024, 0, 0, 3 * 3 * 64 * 32, 0, 5 * 5 * 32])\n"
            "biases = np.array([1024, 0, 0, 32, 0, 1])\n"
            "parameter_counts = list(kernel_sizes + biases)\n"
            "last_kernel_shape = [5, 5, 32, 1]\n"
        ),
        "loses": [],
    },
}

#: Plausible wrong answers: each loses the points of the test cells in ``loses``.
WRONG_ANSWERS = {name: answer for name, answer in ANSWERS.items() if answer["loses"]}
#: Correct answers written unlike the solution: each keeps every point.
UNUSUAL_ANSWERS = {name: answer for name, answer in ANSWERS.items() if not answer["loses"]}
