"""Plausible wrong answers for solutions/upsampling_operators: each must lose the points named.

Keys are short names shown in test ids. ``answer`` is the grade id of the
answer cell that gets ``source``; ``loses`` lists the test cells that must
score below full marks; every other test cell must keep full marks.
``UNUSUAL_ANSWERS`` are correct answers written unlike the solution: they
must keep every point.
"""

MATRIX_TESTS = [
    "test_transposed_matrix_shape",
    "test_transposed_matrix_small_case",
    "test_transposed_matrix_keras",
]
GRADIENT_TESTS = ["test_gradient_small_cases", "test_gradient_tape"]
SUBPIXEL_TESTS = [
    "test_subpixel_kernel_shape",
    "test_subpixel_kernel_one_filter",
    "test_subpixel_kernel_keras",
]
ICNR_TESTS = ["test_icnr_no_checkerboard", "test_icnr_nearest"]
INVERSE_TESTS = ["test_space_to_depth_shape", "test_space_to_depth_inverse"]

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
    length="(input_size - 1) * stride + max(len(kernel), stride)",
    kernel="kernel",
    result="matrix",
):
    return MATRIX.replace("LENGTH", length).replace("KERNEL", kernel).replace("RESULT", result)


GRADIENT = (
    "def conv_input_gradient(kernel, upstream, input_size, stride):\n"
    "    kernel = np.asarray(kernel, dtype=float)\n"
    "    upstream = np.asarray(upstream, dtype=float)\n"
    "    gradient = np.zeros(LENGTH)\n"
    "    for output, value in enumerate(upstream):\n"
    "        gradient[output * stride : output * stride + len(kernel)] ADD value * kernel\n"
    "    return gradient\n"
)


def gradient(length="input_size", add="+="):
    return GRADIENT.replace("LENGTH", length).replace("ADD", add)


SUBPIXEL = (
    "def subpixel_kernel(transpose_kernel):\n"
    "    transpose_kernel = np.asarray(transpose_kernel, dtype=float)\n"
    "    stride, _, filters, channels = transpose_kernel.shape\n"
    "    weights = np.zeros((1, 1, channels, stride * stride * filters))\n"
    "    for i in range(stride):\n"
    "        for j in range(stride):\n"
    "            for f in range(filters):\n"
    "                weights[0, 0, :, CHANNEL] = transpose_kernel[i, j, f, :]\n"
    "    return weights\n"
)


def subpixel(channel="(i * stride + j) * filters + f"):
    return SUBPIXEL.replace("CHANNEL", channel)


SPACE_TO_DEPTH = (
    "def space_to_depth(images, block):\n"
    "    images = np.asarray(images)\n"
    "    batch, height, width, channels = images.shape\n"
    "    blocks = images.reshape(batch, height // block, block, width // block, block, channels)\n"
    "    return blocks.transpose(ORDER).reshape(\n"
    "        batch, height // block, width // block, CHANNELS\n"
    "    )\n"
)


def space_to_depth(order="0, 1, 3, 2, 4, 5", channels="block * block * channels"):
    return SPACE_TO_DEPTH.replace("ORDER", order).replace("CHANNELS", channels)


WRONG_ANSWERS = {
    # 1. the matrix of a transposed layer
    "matrix_scatter_length": {
        # (n - 1) * s + k, the length of the last kernel copy's end: too short when k < s.
        "answer": "transposed_matrix_answer",
        "source": matrix(length="(input_size - 1) * stride + len(kernel)"),
        "loses": MATRIX_TESTS,
    },
    "matrix_kernel_flipped": {
        "answer": "transposed_matrix_answer",
        "source": matrix(kernel="kernel[::-1]"),
        "loses": ["test_transposed_matrix_small_case", "test_transposed_matrix_keras"],
    },
    "matrix_of_the_convolution": {
        # C (one row per window) instead of its transpose.
        "answer": "transposed_matrix_answer",
        "source": matrix(result="matrix.T"),
        "loses": MATRIX_TESTS,
    },
    # 2. the gradient of a strided convolution
    "gradient_transposed_layer_length": {
        # The transposed layer's own output length, not the convolution's input size.
        "answer": "conv_input_gradient_answer",
        "source": gradient(length="(len(upstream) - 1) * stride + max(len(kernel), stride)"),
        "loses": GRADIENT_TESTS,
    },
    "gradient_overlaps_overwritten": {
        "answer": "conv_input_gradient_answer",
        "source": gradient(add="="),
        "loses": GRADIENT_TESTS,
    },
    "gradient_kernel_flipped": {
        # A "true" convolution's transpose: the cross-correlation's kernel reversed.
        "answer": "conv_input_gradient_answer",
        "source": gradient().replace("value * kernel", "value * kernel[::-1]"),
        "loses": GRADIENT_TESTS,
    },
    # 3. the sub-pixel equivalent
    "subpixel_column_major": {
        "answer": "subpixel_kernel_answer",
        "source": subpixel(channel="(j * stride + i) * filters + f"),
        "loses": ["test_subpixel_kernel_one_filter", "test_subpixel_kernel_keras"],
    },
    "subpixel_filter_major": {
        # Right for one filter (the chapter's picture), wrong as soon as F > 1.
        "answer": "subpixel_kernel_answer",
        "source": subpixel(channel="f * stride * stride + i * stride + j"),
        "loses": ["test_subpixel_kernel_keras"],
    },
    "subpixel_transpose_channel_order_kept": {
        "answer": "subpixel_kernel_answer",
        "source": (
            "def subpixel_kernel(transpose_kernel):\n"
            "    transpose_kernel = np.asarray(transpose_kernel, dtype=float)\n"
            "    stride, _, filters, channels = transpose_kernel.shape\n"
            "    return transpose_kernel.reshape(1, 1, stride * stride * filters, channels)\n"
        ),
        "loses": SUBPIXEL_TESTS,
    },
    "subpixel_first_tap_only": {
        "answer": "subpixel_kernel_answer",
        "source": (
            "def subpixel_kernel(transpose_kernel):\n"
            "    transpose_kernel = np.asarray(transpose_kernel, dtype=float)\n"
            "    return transpose_kernel[0, 0].T[None, None]\n"
        ),
        "loses": SUBPIXEL_TESTS,
    },
    # 4. ICNR
    "icnr_repeat_not_tile": {
        "answer": "icnr_answer",
        "source": (
            "def icnr(base_kernel, scale):\n"
            "    return np.repeat(np.asarray(base_kernel, dtype=float), scale * scale, axis=-1)\n"
        ),
        "loses": ICNR_TESTS,
    },
    "icnr_first_filter_everywhere": {
        # Flat blocks, but every output channel is the first filter.
        "answer": "icnr_answer",
        "source": (
            "def icnr(base_kernel, scale):\n"
            "    base_kernel = np.asarray(base_kernel, dtype=float)\n"
            "    copies = scale * scale * base_kernel.shape[-1]\n"
            "    return np.tile(base_kernel[..., :1], (1, 1, 1, copies))\n"
        ),
        "loses": ["test_icnr_nearest"],
    },
    "icnr_scale_copies": {
        "answer": "icnr_answer",
        "source": (
            "def icnr(base_kernel, scale):\n"
            "    return np.tile(np.asarray(base_kernel, dtype=float), (1, 1, 1, scale))\n"
        ),
        "loses": ICNR_TESTS,
    },
    # 5. space_to_depth
    "inverse_reshape_only": {
        "answer": "space_to_depth_answer",
        "source": (
            "def space_to_depth(images, block):\n"
            "    images = np.asarray(images)\n"
            "    batch, height, width, channels = images.shape\n"
            "    return images.reshape(batch, height // block, width // block, -1)\n"
        ),
        "loses": ["test_space_to_depth_inverse"],
    },
    "inverse_columns_before_rows": {
        "answer": "space_to_depth_answer",
        "source": space_to_depth(order="0, 1, 3, 4, 2, 5"),
        "loses": ["test_space_to_depth_inverse"],
    },
    "inverse_subsampled": {
        "answer": "space_to_depth_answer",
        "source": (
            "def space_to_depth(images, block):\n"
            "    return np.asarray(images)[:, ::block, ::block]\n"
        ),
        "loses": INVERSE_TESTS,
    },
    "inverse_one_channel_only": {
        # Tested on one channel only: block * block channels, whatever C is.
        "answer": "space_to_depth_answer",
        "source": space_to_depth(channels="block * block"),
        "loses": INVERSE_TESTS,
    },
}

UNUSUAL_ANSWERS = {
    "matrix_by_zero_insertion": {
        "answer": "transposed_matrix_answer",
        "source": (
            "def transposed_matrix(kernel, input_size, stride):\n"
            "    kernel = np.asarray(kernel, dtype=float)\n"
            "    length = (input_size - 1) * stride + max(len(kernel), stride)\n"
            "    columns = []\n"
            "    for sample in np.eye(input_size):\n"
            "        spread = np.zeros((input_size - 1) * stride + 1)\n"
            "        spread[::stride] = sample\n"
            "        column = np.convolve(spread, kernel)\n"
            "        columns.append(np.pad(column, (0, length - column.size)))\n"
            "    return np.stack(columns, axis=1)\n"
        ),
    },
    "gradient_by_matrix": {
        "answer": "conv_input_gradient_answer",
        "source": (
            "def conv_input_gradient(kernel, upstream, input_size, stride):\n"
            "    kernel = list(map(float, kernel))\n"
            "    rows = []\n"
            "    for output in range(len(upstream)):\n"
            "        row = [0.0] * input_size\n"
            "        for tap, weight in enumerate(kernel):\n"
            "            row[output * stride + tap] = weight\n"
            "        rows.append(row)\n"
            "    return np.array(rows).T @ np.asarray(upstream, dtype=float)\n"
        ),
    },
    "subpixel_by_transpose": {
        "answer": "subpixel_kernel_answer",
        "source": (
            "def subpixel_kernel(transpose_kernel):\n"
            "    transpose_kernel = np.asarray(transpose_kernel, dtype=float)\n"
            "    stride, _, filters, channels = transpose_kernel.shape\n"
            "    flat = transpose_kernel.transpose(3, 0, 1, 2).reshape(channels, -1)\n"
            "    return flat[None, None]\n"
        ),
    },
    "icnr_by_concatenation": {
        "answer": "icnr_answer",
        "source": (
            "def icnr(base_kernel, scale):\n"
            "    base_kernel = np.array(base_kernel, dtype=np.float32)\n"
            "    return np.concatenate([base_kernel] * scale**2, axis=3)\n"
        ),
    },
    "inverse_by_phases": {
        "answer": "space_to_depth_answer",
        "source": (
            "def space_to_depth(images, block):\n"
            "    images = np.asarray(images, dtype=float)\n"
            "    phases = [images[:, i::block, j::block, :] for i in range(block) for j in range(block)]\n"
            "    return np.concatenate(phases, axis=-1)\n"
        ),
    },
}
