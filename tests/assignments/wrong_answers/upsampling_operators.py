"""Plausible wrong answers for solutions/upsampling_operators: each must lose the points named.

Keys are short names shown in test ids. ``answer`` is the grade id of the
answer cell that gets ``source``; ``loses`` lists the test cells that must
score below full marks (every other test cell must keep full marks); ``says``
is a phrase the judge's reason must contain when it names the mistake.
``UNUSUAL_ANSWERS`` are correct answers written unlike the solution: they
must keep every point. Answers read the student's numbers from ``variant``,
so they hold for every simulated student's variant.
"""

MATRIX_TESTS = ["test_transposed_matrix_keras", "test_transposed_matrix_short_kernels"]
TRANSPOSED_TESTS = ["test_transposed_gradient_stride_1", "test_transposed_gradient_strided"]
KERNEL_TESTS = ["test_kernel_gradient_stride_1", "test_kernel_gradient_strided"]
SUBPIXEL_TESTS = ["test_subpixel_one_filter", "test_subpixel_many_filters"]
NEAREST_TESTS = ["test_nearest_flat_blocks", "test_nearest_upsampling"]
ROUND_TRIP_TESTS = ["test_round_trip", "test_round_trip_taps"]

MATRIX = (
    "def transposed_matrix(kernel, input_size, stride):\n"
    "    kernel = np.asarray(kernel, dtype=float)\n"
    "    length = LENGTH\n"
    "    matrix = np.zeros((length, input_size))\n"
    "    for column in range(input_size):\n"
    "        matrix[column * stride : column * stride + len(kernel), column] = KERNEL\n"
    "    return RESULT\n"
)


def matrix(
    length="(input_size - 1) * stride + max(len(kernel), stride)", kernel="kernel", result="matrix"
):
    return MATRIX.replace("LENGTH", length).replace("KERNEL", kernel).replace("RESULT", result)


TRANSPOSED = (
    "def transposed_input_gradient(kernel, upstream, input_size, stride):\n"
    "    kernel = np.asarray(kernel, dtype=float)\n"
    "    upstream = np.asarray(upstream, dtype=float)\n"
    "    gradient = np.zeros(input_sizeDTYPE)\n"
    "    for i in range(input_size):\n"
    "        gradient[i] = upstream[START : START + len(kernel)] @ KERNEL\n"
    "    return gradient\n"
)


def transposed(start="i * stride", kernel="kernel", dtype=""):
    return TRANSPOSED.replace("START", start).replace("KERNEL", kernel).replace("DTYPE", dtype)


KERNEL_GRADIENT = (
    "def conv_kernel_gradient(inputs, upstream, kernel_size, stride):\n"
    "    inputs = np.asarray(inputs, dtype=float)\n"
    "    upstream = np.asarray(upstream, dtype=float)\n"
    "    gradient = np.zeros(kernel_sizeDTYPE)\n"
    "    for t in range(kernel_size):\n"
    "        gradient[t] = upstream @ inputs[t : t + STEP * len(upstream) : STEP]\n"
    "    return RESULT\n"
)


def kernel_gradient(step="stride", dtype="", result="gradient"):
    return KERNEL_GRADIENT.replace("STEP", step).replace("DTYPE", dtype).replace("RESULT", result)


SUBPIXEL = (
    "def subpixel_kernel(transpose_kernel):\n"
    "    transpose_kernel = np.asarray(transpose_kernel, dtype=float)\n"
    "    stride, _, filters, channels = transpose_kernel.shape\n"
    "    weights = np.zeros((1, 1, channels, stride * stride * filters))\n"
    "    for i in range(stride):\n"
    "        for j in range(stride):\n"
    "            for f in range(filters):\n"
    "                weights[0, 0, :, CHANNEL] = transpose_kernel[i, j, f, :]\n"
    "    return RESULT\n"
)


def subpixel(channel="(i * stride + j) * filters + f", result="weights"):
    return SUBPIXEL.replace("CHANNEL", channel).replace("RESULT", result)


# The solution's construction: all ones, the last weight balancing the overlapping pairs.
ROUND_TRIP = "k, s = variant.round_trip_layer\nweights = np.ones(k)\nweights[-1] = -(k - s - 1)\n"

WRONG_ANSWERS = {
    # --- 1. the matrix of a transposed layer ------------------------------------------------
    "matrix_with_the_kernel_flipped": {
        "answer": "transposed_matrix_answer",
        "source": matrix(kernel="kernel[::-1]"),
        "loses": MATRIX_TESTS,
        "says": "the kernel flipped",
    },
    "matrix_of_the_convolution": {
        "answer": "transposed_matrix_answer",
        "source": matrix(result="matrix.T"),
        "loses": MATRIX_TESTS,
        "says": "the convolution's matrix C",
    },
    "matrix_as_long_as_the_scatter": {
        "answer": "transposed_matrix_answer",
        "source": matrix(length="(input_size - 1) * stride + len(kernel)"),
        "loses": ["test_transposed_matrix_short_kernels"],
        "says": "the scatter's length",
    },
    # --- 2. the backward pass of a transposed layer -----------------------------------------
    "transposed_gradient_with_the_kernel_flipped": {
        "answer": "transposed_gradient_answer",
        "source": transposed(kernel="kernel[::-1]"),
        "loses": TRANSPOSED_TESTS,
        "says": "the kernel flipped",
    },
    "transposed_gradient_ignoring_the_stride": {
        "answer": "transposed_gradient_answer",
        "source": transposed(start="i"),
        "loses": ["test_transposed_gradient_strided"],
        "says": "the stride ignored",
    },
    "transposed_gradient_in_an_integer_array": {
        "answer": "transposed_gradient_answer",
        "source": transposed(dtype=", dtype=int"),
        "loses": TRANSPOSED_TESTS,
        "says": "an integer dtype",
    },
    # --- 3. the gradient with respect to the kernel -----------------------------------------
    "kernel_gradient_reversed": {
        "answer": "kernel_gradient_answer",
        "source": kernel_gradient(result="gradient[::-1]"),
        "loses": KERNEL_TESTS,
        "says": "the result reversed",
    },
    "kernel_gradient_ignoring_the_stride": {
        "answer": "kernel_gradient_answer",
        "source": kernel_gradient(step="1"),
        "loses": ["test_kernel_gradient_strided"],
        "says": "the stride ignored",
    },
    "kernel_gradient_in_an_integer_array": {
        "answer": "kernel_gradient_answer",
        "source": kernel_gradient(dtype=", dtype=int"),
        "loses": KERNEL_TESTS,
        "says": "an integer dtype",
    },
    # --- 4. the sub-pixel equivalent of a Conv2DTranspose -----------------------------------
    "subpixel_taps_in_column_major_order": {
        "answer": "subpixel_kernel_answer",
        "source": subpixel(channel="(j * stride + i) * filters + f"),
        "loses": SUBPIXEL_TESTS,
        "says": "column-major",
    },
    "subpixel_filters_before_taps": {
        # Right for one filter: the chapter's example had F = 3, easy to misread.
        "answer": "subpixel_kernel_answer",
        "source": subpixel(channel="f * stride * stride + i * stride + j"),
        "loses": ["test_subpixel_many_filters"],
        "says": "filters first",
    },
    "subpixel_channels_for_filters": {
        "answer": "subpixel_kernel_answer",
        "source": subpixel(result="weights.reshape(1, 1, -1, channels)"),
        "loses": SUBPIXEL_TESTS,
    },
    # --- 5. a transposed layer that starts as nearest-neighbour upsampling -------------------
    "nearest_in_the_conv2d_layout": {
        "answer": "nearest_transpose_kernel_answer",
        "source": (
            "def nearest_transpose_kernel(base_kernel, scale):\n"
            "    return np.tile(np.asarray(base_kernel, dtype=float), (scale, scale, 1, 1))\n"
        ),
        "loses": NEAREST_TESTS,
        "says": "channels for filters",
    },
    "nearest_in_one_tap_only": {
        # Zero insertion: the base weights at tap (0, 0), nothing elsewhere.
        "answer": "nearest_transpose_kernel_answer",
        "source": (
            "def nearest_transpose_kernel(base_kernel, scale):\n"
            "    taps = np.asarray(base_kernel, dtype=float)[0, 0].T\n"
            "    kernel = np.zeros((scale, scale, *taps.shape))\n"
            "    kernel[0, 0] = taps\n"
            "    return kernel\n"
        ),
        "loses": NEAREST_TESTS,
        "says": "the weights in one tap of each block",
    },
    "nearest_averaged_over_the_block": {
        "answer": "nearest_transpose_kernel_answer",
        "source": (
            "def nearest_transpose_kernel(base_kernel, scale):\n"
            "    taps = np.asarray(base_kernel, dtype=float)[0, 0].T / (scale * scale)\n"
            "    return np.tile(taps, (scale, scale, 1, 1))\n"
        ),
        "loses": ["test_nearest_upsampling"],
        "says": "divided by scale * scale",
    },
    # --- 6. when a convolution undoes a transposed layer ------------------------------------
    "round_trip_random_kernel_of_the_right_norm": {
        "answer": "round_trip_answer",
        "source": (
            "k, s = variant.round_trip_layer\n"
            "weights = np.random.default_rng(0).uniform(0.5, 1.5, size=k)\n"
            "round_trip_kernel = weights * np.sqrt(variant.round_trip_gain / (weights @ weights))\n"
        ),
        "loses": ROUND_TRIP_TESTS,
        "says": "overlap without cancelling",
    },
    "round_trip_normalised_to_one": {
        # Copies that cancel, but each sample comes back once, not round_trip_gain times.
        "answer": "round_trip_answer",
        "source": ROUND_TRIP + "round_trip_kernel = weights / np.sqrt(weights @ weights)\n",
        "loses": ROUND_TRIP_TESTS,
        "says": "no leak into the neighbours",
    },
    "round_trip_with_zeros_where_copies_meet": {
        "answer": "round_trip_answer",
        "source": (
            "k, s = variant.round_trip_layer\n"
            "weights = np.zeros(k)\n"
            "weights[:s] = 1.0\n"
            "round_trip_kernel = weights * np.sqrt(variant.round_trip_gain / s)\n"
        ),
        "loses": ["test_round_trip_taps"],
        "says": "a weight of 0",
    },
}

UNUSUAL_ANSWERS = {
    "matrix_by_zero_insertion_and_convolve_with_min_shadowed": {
        "answer": "transposed_matrix_answer",
        "source": (
            "min = None  # shadows the builtin\n"
            "def transposed_matrix(kernel, input_size, stride):\n"
            "    kernel = np.asarray(kernel, dtype=float)\n"
            "    length = np.maximum((input_size - 1) * stride + len(kernel), input_size * stride)\n"
            "    spread = np.zeros((length, input_size))\n"
            "    spread[: (input_size - 1) * stride + 1 : stride] = np.eye(input_size)\n"
            "    columns = [np.convolve(spread[:, i], kernel)[:length] for i in range(input_size)]\n"
            "    return np.array(columns).T\n"
        ),
    },
    "transposed_gradient_by_correlate_with_id_shadowed": {
        "answer": "transposed_gradient_answer",
        "source": (
            "id = 'jdoe42'  # shadows the builtin\n"
            "def transposed_input_gradient(kernel, upstream, input_size, stride):\n"
            "    full = np.correlate(np.asarray(upstream, float), np.asarray(kernel, float), 'valid')\n"
            "    return full[::stride][:input_size]\n"
        ),
    },
    "kernel_gradient_in_float32_with_sum_shadowed": {
        "answer": "kernel_gradient_answer",
        "source": (
            "sum = np.sum  # shadows the builtin\n"
            "def conv_kernel_gradient(inputs, upstream, kernel_size, stride):\n"
            "    x = np.asarray(inputs, dtype=np.float32)\n"
            "    g = np.asarray(upstream, dtype=np.float32)\n"
            "    rows = [x[t : t + stride * len(g) : stride] for t in range(kernel_size)]\n"
            "    return sum(np.array(rows) * g, axis=1)\n"
        ),
    },
    "subpixel_by_transpose_and_reshape": {
        # (s, s, F, C) -> (C, s, s, F): flattening the last three gives (i * s + j) * F + f.
        "answer": "subpixel_kernel_answer",
        "source": (
            "def subpixel_kernel(transpose_kernel):\n"
            "    k = np.asarray(transpose_kernel, dtype=float)\n"
            "    return np.transpose(k, (3, 0, 1, 2)).reshape(1, 1, k.shape[3], -1)\n"
        ),
    },
    "nearest_by_einsum_with_max_shadowed": {
        "answer": "nearest_transpose_kernel_answer",
        "source": (
            "max = np.maximum  # shadows the builtin (the solution's transposed_matrix calls it)\n"
            "def nearest_transpose_kernel(base_kernel, scale):\n"
            "    ones = np.ones((scale, scale))\n"
            "    return np.einsum('cf,ij->ijfc', np.asarray(base_kernel, dtype=float)[0, 0], ones)\n"
        ),
    },
    "round_trip_random_weights_balanced_by_the_last_with_input_shadowed": {
        # Random positive weights; the last one makes the overlapping pairs' products cancel.
        "answer": "round_trip_answer",
        "source": (
            "input = np.random.default_rng(3).uniform(1.0, 2.0, size=12)  # shadows the builtin\n"
            "k, s = variant.round_trip_layer\n"
            "w = input[:k].copy()\n"
            "overlap = k - s\n"
            "w[k - 1] = -(w[: overlap - 1] @ w[s : k - 1]) / w[overlap - 1]\n"
            "round_trip_kernel = w * np.sqrt(variant.round_trip_gain / (w @ w))\n"
        ),
    },
}
