"""Plausible wrong answers for solutions/conv2d_transpose_numpy: each must lose the points named.

Keys are short names shown in test ids. ``answer`` is the grade id of the
answer cell that gets ``source``; ``loses`` lists the test cells that must
score below full marks; every other test cell must keep full marks. Entries
whose ``loses`` is empty are correct answers written in an unusual way
(``UNUSUAL_ANSWERS``): they must keep every point. Each task's answers are
listed together; tests/assignments/test_assignments.py packs them into few submissions.
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


INPUT_GRADIENT = (
    "def conv_transpose_input_gradient(output_gradient, kernel, strides, input_size):\n"
    "    s0, s1 = strides\n"
    "    height, width = input_size\n"
    "    kh, kw, _, channels = kernel.shape\n"
    "    gradient = np.zeros((output_gradient.shape[0], height, width, channels))\n"
    "    for i in range(height):\n"
    "        for j in range(width):\n"
    "            block = output_gradient[:, i * s0 : i * s0 + kh, j * s1 : j * s1 + kw, :]\n"
    "            gradient[:, i, j, :] = np.einsum(SUBSCRIPTS, block, KERNEL)\n"
    "    return gradient\n"
)


def input_gradient(subscripts="'nhwf,hwfc->nc'", kernel="kernel"):
    return INPUT_GRADIENT.replace("SUBSCRIPTS", subscripts).replace("KERNEL", kernel)


KERNEL_GRADIENT = (
    "def conv_transpose_kernel_gradient(images, output_gradient, kernel_size, strides):\n"
    "    s0, s1 = STRIDES\n"
    "    kh, kw = kernel_size\n"
    "    _, height, width, channels = images.shape\n"
    "    gradient = np.zeros(SHAPE)\n"
    "    for i in range(height):\n"
    "        for j in range(width):\n"
    "            block = output_gradient[BATCH, i * s0 : i * s0 + kh, j * s1 : j * s1 + kw, :]\n"
    "            gradient += np.einsum(SUBSCRIPTS, images[BATCH, i, j, :], block)\n"
    "    return gradient\n"
)


def kernel_gradient(
    strides="strides",
    shape="(kh, kw, output_gradient.shape[3], channels)",
    batch=":",
    subscripts="'nc,nhwf->hwfc'",
):
    return (
        KERNEL_GRADIENT.replace("STRIDES", strides)
        .replace("SHAPE", shape)
        .replace("BATCH", batch)
        .replace("SUBSCRIPTS", subscripts)
    )


FORWARD = ["test_forward_shape", "test_forward_small_case", "test_forward_keras"]
INPUT_GRADIENT_CELLS = [
    "test_input_gradient_shape",
    "test_input_gradient_small_case",
    "test_input_gradient_tape",
]
KERNEL_GRADIENT_CELLS = ["test_kernel_gradient_shape", "test_kernel_gradient_tape"]

ANSWERS = {
    # --- task 1: conv_transpose_forward -----------------------------------------
    "overlaps_overwritten": {
        "answer": "conv_transpose_forward_answer",
        "source": scatter(add="="),
        "loses": ["test_forward_small_case", "test_forward_keras"],
    },
    "size_ignores_kernel_smaller_than_stride": {
        # (i - 1) * s + k, right whenever kernel >= stride
        "answer": "conv_transpose_forward_answer",
        "source": scatter(height="(height - 1) * s0 + kh", width="(width - 1) * s1 + kw"),
        "loses": ["test_forward_shape", "test_forward_keras"],
    },
    "bias_forgotten": {
        "answer": "conv_transpose_forward_answer",
        "source": scatter().replace("return out + bias", "return out"),
        "loses": ["test_forward_small_case", "test_forward_keras"],
    },
    "channels_summed_with_wrong_kernel_axis": {
        # Reads the kernel in Conv2D's layout: only runs when filters == input channels.
        "answer": "conv_transpose_forward_answer",
        "source": scatter().replace("'nc,hwfc->nhwf'", "'nc,hwcf->nhwf'"),
        "loses": ["test_forward_shape", "test_forward_keras"],
    },
    "forward_by_kernel_taps_in_float32": {
        # Correct: loop over the kernel's taps; each lands on a strided grid of the output.
        "answer": "conv_transpose_forward_answer",
        "source": (
            "def conv_transpose_forward(images, kernel, bias, strides):\n"
            "    s0, s1 = strides\n"
            "    n, h, w, c = images.shape\n"
            "    kh, kw, f, _ = kernel.shape\n"
            "    shape = (n, (h - 1) * s0 + max(kh, s0), (w - 1) * s1 + max(kw, s1), f)\n"
            "    out = np.zeros(shape, dtype=np.float32)\n"
            "    for a in range(kh):\n"
            "        for b in range(kw):\n"
            "            rows = slice(a, a + (h - 1) * s0 + 1, s0)\n"
            "            cols = slice(b, b + (w - 1) * s1 + 1, s1)\n"
            "            out[:, rows, cols] += images @ kernel[a, b].T\n"
            "    return out + bias.reshape(1, 1, 1, -1)\n"
        ),
        "loses": [],
    },
    # --- task 2: weight shapes and parameters -----------------------------------
    "conv2d_kernel_layout": {
        "answer": "transpose_weights_answer",
        "source": (
            "transpose_kernel_shape = (4, 2, 32, 16)\n"
            "transpose_bias_shape = (16,)\n"
            "transpose_parameters = 4 * 2 * 16 * 32 + 16\n"
        ),
        "loses": ["test_transpose_shapes"],
    },
    "one_bias_per_input_channel": {
        "answer": "transpose_weights_answer",
        "source": (
            "transpose_kernel_shape = (4, 2, 16, 32)\n"
            "transpose_bias_shape = (32,)\n"
            "transpose_parameters = 4 * 2 * 16 * 32 + 16\n"
        ),
        "loses": ["test_transpose_shapes"],
    },
    "parameters_without_bias": {
        "answer": "transpose_weights_answer",
        "source": (
            "transpose_kernel_shape = (4, 2, 16, 32)\n"
            "transpose_bias_shape = (16,)\n"
            "transpose_parameters = 4 * 2 * 16 * 32\n"
        ),
        "loses": ["test_transpose_parameters"],
    },
    "filter_spans_one_channel": {
        "answer": "transpose_weights_answer",
        "source": (
            "transpose_kernel_shape = (4, 2, 16, 32)\n"
            "transpose_bias_shape = (16,)\n"
            "transpose_parameters = 4 * 2 * 16 + 16\n"
        ),
        "loses": ["test_transpose_parameters"],
    },
    "shapes_as_lists_count_as_numpy_integer": {
        # Correct: lists for the shapes, the count computed by NumPy.
        "answer": "transpose_weights_answer",
        "source": (
            "transpose_kernel_shape = [4, 2, 16, 32]\n"
            "transpose_bias_shape = [16]\n"
            "transpose_parameters = np.prod(transpose_kernel_shape) + np.prod(transpose_bias_shape)\n"
        ),
        "loses": [],
    },
    # --- task 3: upsampling plus one half ---------------------------------------
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
    "upsample_weights_in_float32_from_full": {
        "answer": "upsample_weights_answer",
        "source": (
            "upsample_kernel = np.full((2, 2, 1, 1), 1, dtype=np.float32)\n"
            "upsample_bias = np.array([1 / 2], dtype=np.float32)\n"
        ),
        "loses": [],
    },
    # --- task 4: two filters ----------------------------------------------------
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
    "two_filters_set_entry_by_entry": {
        "answer": "two_filter_weights_answer",
        "source": (
            "two_filter_kernel = np.zeros(two_filter_layer.kernel.shape)\n"
            "two_filter_kernel[0, 0, 0, 0] = 1\n"
            "two_filter_kernel[0, 0, 1, 0] = -1\n"
            "two_filter_bias = np.array([0.0, -0.0])\n"
        ),
        "loses": [],
    },
    # --- task 5: conv_transpose_input_gradient ----------------------------------
    "input_gradient_kernel_flipped": {
        # The zero-insertion view flips the kernel for the forward pass; the gradient does not.
        "answer": "input_gradient_answer",
        "source": input_gradient(kernel="kernel[::-1, ::-1]"),
        "loses": ["test_input_gradient_small_case", "test_input_gradient_tape"],
    },
    "kernel_read_in_conv2d_layout": {
        "answer": "input_gradient_answer",
        "source": input_gradient(subscripts="'nhwf,hwcf->nc'"),
        "loses": INPUT_GRADIENT_CELLS,
    },
    "summed_over_channels_not_filters": {
        "answer": "input_gradient_answer",
        "source": input_gradient(subscripts="'nhwf,hwfc->nf'"),
        "loses": INPUT_GRADIENT_CELLS,
    },
    "input_gradient_by_kernel_taps": {
        # Correct: for each tap, the strided grid of output gradients times that tap's weights.
        "answer": "input_gradient_answer",
        "source": (
            "def conv_transpose_input_gradient(output_gradient, kernel, strides, input_size):\n"
            "    s0, s1 = strides\n"
            "    h, w = input_size\n"
            "    total = 0\n"
            "    for a in range(kernel.shape[0]):\n"
            "        for b in range(kernel.shape[1]):\n"
            "            grid = output_gradient[:, a : a + (h - 1) * s0 + 1 : s0,"
            " b : b + (w - 1) * s1 + 1 : s1]\n"
            "            total = total + grid @ kernel[a, b]\n"
            "    return total\n"
        ),
        "loses": [],
    },
    # --- task 6: conv_transpose_kernel_gradient ---------------------------------
    "kernel_gradient_in_conv2d_layout": {
        "answer": "kernel_gradient_answer",
        "source": kernel_gradient(
            shape="(kh, kw, channels, output_gradient.shape[3])", subscripts="'nc,nhwf->hwcf'"
        ),
        "loses": KERNEL_GRADIENT_CELLS,
    },
    "kernel_gradient_summed_over_filters": {
        "answer": "kernel_gradient_answer",
        "source": kernel_gradient(shape="(kh, kw, channels)", subscripts="'nc,nhwf->hwc'"),
        "loses": KERNEL_GRADIENT_CELLS,
    },
    "first_image_only": {
        "answer": "kernel_gradient_answer",
        "source": kernel_gradient(batch=":1"),
        "loses": ["test_kernel_gradient_tape"],
    },
    "strides_forgotten": {
        "answer": "kernel_gradient_answer",
        "source": kernel_gradient(strides="(1, 1)"),
        "loses": ["test_kernel_gradient_tape"],
    },
    "kernel_gradient_by_taps_with_tensordot": {
        # Correct: one tensordot per tap over batch, rows and columns.
        "answer": "kernel_gradient_answer",
        "source": (
            "def conv_transpose_kernel_gradient(images, output_gradient, kernel_size, strides):\n"
            "    s0, s1 = strides\n"
            "    n, h, w, c = images.shape\n"
            "    taps = []\n"
            "    for a in range(kernel_size[0]):\n"
            "        row = []\n"
            "        for b in range(kernel_size[1]):\n"
            "            grid = output_gradient[:, a : a + (h - 1) * s0 + 1 : s0,"
            " b : b + (w - 1) * s1 + 1 : s1]\n"
            "            row.append(np.tensordot(grid, images, axes=([0, 1, 2], [0, 1, 2])))\n"
            "        taps.append(row)\n"
            "    return np.array(taps)\n"
        ),
        "loses": [],
    },
}

#: Plausible wrong answers: each loses the points of the test cells in ``loses``.
WRONG_ANSWERS = {name: answer for name, answer in ANSWERS.items() if answer["loses"]}
#: Correct answers written unlike the solution: each keeps every point.
UNUSUAL_ANSWERS = {name: answer for name, answer in ANSWERS.items() if not answer["loses"]}
