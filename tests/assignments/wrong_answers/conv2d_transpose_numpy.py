"""Plausible wrong answers for solutions/conv2d_transpose_numpy: each must lose the points named.

Keys are short names shown in test ids. ``answer`` is the grade id of the
answer cell that gets ``source``; ``loses`` lists the test cells that must
score below full marks; every other test cell must keep full marks; ``says``
is a phrase of the judge's message that names the mistake. Each simulated
student has an id of their own, so answers to the hand-set weights read
``variant`` where the solution does. ``UNUSUAL_ANSWERS`` are correct answers
written unlike the solution: they must keep every point (some shadow builtins
such as ``max``, ``sum``, ``input`` or ``id`` at top level).
"""


def scatter(
    *,
    write: str = "+=",
    side: str = "np.maximum(kh, s0)",
    kernel: str = "kernel",
    bias: str = " + bias",
) -> str:
    """A scatter-add forward pass with one part replaced by a mistake."""
    return (
        "def conv_transpose_forward(images, kernel, bias, strides):\n"
        "    s0, s1 = strides\n"
        "    n, h, w, _ = images.shape\n"
        "    kh, kw, f, _ = kernel.shape\n"
        f"    k = {kernel}\n"
        f"    out = np.zeros((n, (h - 1) * s0 + {side}, (w - 1) * s1 + {side.replace('kh', 'kw').replace('s0', 's1')}, f))\n"
        "    for i in range(h):\n"
        "        for j in range(w):\n"
        "            stamp = np.einsum('nc,hwfc->nhwf', images[:, i, j, :], k)\n"
        f"            out[:, i * s0 : i * s0 + kh, j * s1 : j * s1 + kw, :] {write} stamp\n"
        f"    return out{bias}\n"
    )


def input_gradient(*, kernel: str = "kernel", step: tuple[str, str] = ("s0", "s1")) -> str:
    return (
        "def conv_transpose_input_gradient(output_gradient, kernel, strides, input_size):\n"
        "    s0, s1 = strides\n"
        "    height, width = input_size\n"
        "    kh, kw, _, channels = kernel.shape\n"
        f"    k = {kernel}\n"
        "    gradient = np.zeros((output_gradient.shape[0], height, width, channels))\n"
        "    for i in range(height):\n"
        "        for j in range(width):\n"
        f"            block = output_gradient[:, i * {step[0]} : i * {step[0]} + kh, j * {step[1]} : j * {step[1]} + kw, :]\n"
        "            gradient[:, i, j, :] = np.einsum('nhwf,hwfc->nc', block, k)\n"
        "    return gradient\n"
    )


def kernel_gradient(*, images: str = "images", finish: str = "gradient") -> str:
    return (
        "def conv_transpose_kernel_gradient(images, output_gradient, kernel_size, strides):\n"
        "    s0, s1 = strides\n"
        "    kh, kw = kernel_size\n"
        f"    x = {images}\n"
        "    _, height, width, channels = x.shape\n"
        "    gradient = np.zeros((kh, kw, output_gradient.shape[3], channels))\n"
        "    for i in range(height):\n"
        "        for j in range(width):\n"
        "            block = output_gradient[: len(x), i * s0 : i * s0 + kh, j * s1 : j * s1 + kw, :]\n"
        "            gradient += np.einsum('nc,nhwf->hwfc', x[:, i, j, :], block)\n"
        f"    return {finish}\n"
    )


FLIPPED = "turned 180 degrees"
INPUT_GRADIENT = ["test_input_gradient_single", "test_input_gradient_channels"]
KERNEL_GRADIENT = ["test_kernel_gradient_single", "test_kernel_gradient_batch"]

WRONG_ANSWERS = {
    # --- 1: conv_transpose_forward -----------------------------------------------------
    "forward_last_copy_wins": {
        "answer": "conv_transpose_forward_answer",
        "source": scatter(write="="),
        "loses": ["test_forward"],
        "says": "instead of +=",
    },
    "forward_side_without_max": {
        "answer": "conv_transpose_forward_answer",
        "source": scatter(side="kh"),
        "loses": ["test_forward"],
        "says": "(size - 1) * stride + kernel_size rows",
    },
    "forward_flipped_kernel": {
        "answer": "conv_transpose_forward_answer",
        "source": scatter(kernel="kernel[::-1, ::-1]"),
        "loses": ["test_forward"],
        "says": FLIPPED,
    },
    "forward_no_bias": {
        "answer": "conv_transpose_forward_answer",
        "source": scatter(bias=""),
        "loses": ["test_forward"],
        "says": "without the bias",
    },
    # --- 2: transpose_kernel_shape -----------------------------------------------------
    "kernel_shape_conv2d_layout": {
        "answer": "transpose_kernel_shape_answer",
        "source": (
            "def transpose_kernel_shape(in_channels, filters, kernel_size):\n"
            "    return (kernel_size[0], kernel_size[1], in_channels, filters)\n"
        ),
        "loses": ["test_kernel_shape"],
        "says": "Conv2D's kernel layout",
    },
    "kernel_shape_pytorch_layout": {
        "answer": "transpose_kernel_shape_answer",
        "source": (
            "def transpose_kernel_shape(in_channels, filters, kernel_size):\n"
            "    return (in_channels, filters, kernel_size[0], kernel_size[1])\n"
        ),
        "loses": ["test_kernel_shape"],
    },
    # --- 3: upsample_kernel, upsample_bias ---------------------------------------------
    "upsample_top_left_only": {
        "answer": "upsample_weights_answer",
        "source": (
            "upsample_kernel = np.zeros((variant.upsample_factor, variant.upsample_factor, 1, 1))\n"
            "upsample_kernel[0, 0, 0, 0] = 1.0\n"
            "upsample_bias = np.array([variant.upsample_offset])\n"
        ),
        "loses": ["test_upsample_weights"],
        "says": "top-left weight",
    },
    "upsample_offset_forgotten": {
        "answer": "upsample_weights_answer",
        "source": (
            "upsample_kernel = np.ones((variant.upsample_factor, variant.upsample_factor, 1, 1))\n"
            "upsample_bias = np.zeros(1)\n"
        ),
        "loses": ["test_upsample_weights"],
        "says": "without your upsample_offset",
    },
    "upsample_averaging_kernel": {
        "answer": "upsample_weights_answer",
        "source": (
            "f = variant.upsample_factor\n"
            "upsample_kernel = np.full((f, f, 1, 1), 1 / f**2)\n"
            "upsample_bias = np.array([variant.upsample_offset])\n"
        ),
        "loses": ["test_upsample_weights"],
    },
    # --- 4: two_filter_kernel, two_filter_bias -------------------------------------------
    "two_filters_conv2d_layout": {
        "answer": "two_filter_weights_answer",
        "source": (
            "two_filter_kernel = np.array([1.0, variant.second_scale]).reshape(1, 1, 1, 2)\n"
            "two_filter_bias = np.zeros(2)\n"
        ),
        "loses": ["test_two_filter_weights"],
        "says": "Conv2D's kernel layout",
    },
    "two_filters_swapped": {
        "answer": "two_filter_weights_answer",
        "source": (
            "two_filter_kernel = np.array([variant.second_scale, 1.0]).reshape(1, 1, 2, 1)\n"
            "two_filter_bias = np.zeros(2)\n"
        ),
        "loses": ["test_two_filter_weights"],
        "says": "other order",
    },
    # --- 5: conv_transpose_input_gradient ---------------------------------------------------
    "input_gradient_flipped": {
        "answer": "input_gradient_answer",
        "source": input_gradient(kernel="kernel[::-1, ::-1]"),
        "loses": INPUT_GRADIENT,
        "says": FLIPPED,
    },
    "input_gradient_first_filter": {
        # Right for one filter: loses only the cell with several filters.
        "answer": "input_gradient_answer",
        "source": input_gradient(kernel="kernel[:, :, :1]").replace(
            "block, k)", "block[..., :1], k)"
        ),
        "loses": ["test_input_gradient_channels"],
        "says": "first filter only",
    },
    "input_gradient_stride_one": {
        "answer": "input_gradient_answer",
        "source": input_gradient(step=("1", "1")),
        "loses": INPUT_GRADIENT,
        "says": "stride of 1",
    },
    # --- 6: conv_transpose_kernel_gradient --------------------------------------------------
    "kernel_gradient_first_image": {
        "answer": "kernel_gradient_answer",
        "source": kernel_gradient(images="images[:1]"),
        "loses": ["test_kernel_gradient_batch"],
        "says": "first image only",
    },
    "kernel_gradient_batch_mean": {
        "answer": "kernel_gradient_answer",
        "source": kernel_gradient(finish="gradient / len(images)"),
        "loses": ["test_kernel_gradient_batch"],
        "says": "averaged over the batch",
    },
    "kernel_gradient_conv2d_layout": {
        "answer": "kernel_gradient_answer",
        "source": kernel_gradient(finish="np.swapaxes(gradient, 2, 3)"),
        "loses": KERNEL_GRADIENT,
        "says": "Conv2D's kernel layout",
    },
    "kernel_gradient_flipped": {
        "answer": "kernel_gradient_answer",
        "source": kernel_gradient(finish="gradient[::-1, ::-1]"),
        "loses": KERNEL_GRADIENT,
        "says": FLIPPED,
    },
}

UNUSUAL_ANSWERS = {
    "forward_by_zero_insertion_with_max_shadowed": {
        # The chapter's second view: insert zeros, pad, correlate with the flipped kernel.
        "answer": "conv_transpose_forward_answer",
        "source": (
            "max = 'shadowed'\n"
            "def conv_transpose_forward(images, kernel, bias, strides):\n"
            "    n, h, w, c = images.shape\n"
            "    kh, kw, f, _ = kernel.shape\n"
            "    s0, s1 = strides\n"
            "    grown = np.zeros((n, (h - 1) * s0 + 1, (w - 1) * s1 + 1, c))\n"
            "    grown[:, ::s0, ::s1] = images\n"
            "    padded = np.pad(grown, ((0, 0), (kh - 1, kh - 1), (kw - 1, kw - 1), (0, 0)))\n"
            "    flipped = kernel[::-1, ::-1]\n"
            "    oh, ow = padded.shape[1] - kh + 1, padded.shape[2] - kw + 1\n"
            "    out = np.zeros((n, oh, ow, f))\n"
            "    for a in range(kh):\n"
            "        for b in range(kw):\n"
            "            out += padded[:, a : a + oh, b : b + ow, :] @ flipped[a, b].T\n"
            "    full = np.zeros((n, (h - 1) * s0 + np.maximum(kh, s0), (w - 1) * s1 + np.maximum(kw, s1), f))\n"
            "    full[:, :oh, :ow] = out\n"
            "    return full + bias\n"
        ),
    },
    "kernel_shape_by_concatenation": {
        "answer": "transpose_kernel_shape_answer",
        "source": (
            "def transpose_kernel_shape(in_channels, filters, kernel_size):\n"
            "    return tuple(kernel_size) + (filters, in_channels)\n"
        ),
    },
    "upsample_weights_as_lists": {
        "answer": "upsample_weights_answer",
        "source": (
            "upsample_kernel = np.full((variant.upsample_factor,) * 2 + (1, 1), 1.0)\n"
            "upsample_bias = [variant.upsample_offset]\n"
        ),
    },
    "two_filters_set_entry_by_entry": {
        "answer": "two_filter_weights_answer",
        "source": (
            "two_filter_kernel = np.zeros((1, 1, 2, 1), dtype='float32')\n"
            "two_filter_kernel[0, 0, 0, 0] = 1\n"
            "two_filter_kernel[0, 0, 1, 0] = variant.second_scale\n"
            "two_filter_bias = np.array([0.0, 0.0])\n"
        ),
    },
    "input_gradient_by_taps_with_sum_and_input_shadowed": {
        # One strided slice of the output gradient per kernel tap.
        "answer": "input_gradient_answer",
        "source": (
            "sum = 0\n"
            "input = None\n"
            "def conv_transpose_input_gradient(output_gradient, kernel, strides, input_size):\n"
            "    s0, s1 = strides\n"
            "    h, w = input_size\n"
            "    kh, kw = kernel.shape[:2]\n"
            "    total = 0\n"
            "    for a in range(kh):\n"
            "        for b in range(kw):\n"
            "            picked = output_gradient[:, a : a + (h - 1) * s0 + 1 : s0, b : b + (w - 1) * s1 + 1 : s1, :]\n"
            "            total = total + picked @ kernel[a, b]\n"
            "    return total\n"
        ),
    },
    "kernel_gradient_by_taps_with_id_shadowed": {
        "answer": "kernel_gradient_answer",
        "source": (
            "id = 'me'\n"
            "def conv_transpose_kernel_gradient(images, output_gradient, kernel_size, strides):\n"
            "    s0, s1 = strides\n"
            "    kh, kw = kernel_size\n"
            "    h, w = images.shape[1:3]\n"
            "    rows = []\n"
            "    for a in range(kh):\n"
            "        row = []\n"
            "        for b in range(kw):\n"
            "            picked = output_gradient[:, a : a + (h - 1) * s0 + 1 : s0, b : b + (w - 1) * s1 + 1 : s1, :]\n"
            "            row.append(np.tensordot(picked, images, axes=([0, 1, 2], [0, 1, 2])))\n"
            "        rows.append(row)\n"
            "    return np.array(rows)\n"
        ),
    },
}
