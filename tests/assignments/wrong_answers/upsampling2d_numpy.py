"""Plausible wrong answers for solutions/upsampling2d_numpy: each must lose the points named.

Keys are short names shown in test ids. ``answer`` is the grade id of the
answer cell that gets ``source``; ``loses`` lists the test cells that must
score below full marks; every other test cell must keep full marks; ``says``
is a phrase of the judge's message that names the mistake. Each simulated
student has an id of their own, so the answers read ``variant`` where the
solution does: a mistake must be one whatever the layout. ``UNUSUAL_ANSWERS``
are correct answers written unlike the solution: they must keep every point
(some shadow builtins such as ``max``, ``sum`` or ``id`` at top level).
"""

# The layout switch every answer in the student's variant needs.
LAST = "variant.data_format == 'channels_last'"
TO_LAST = f"    g = output_gradient if {LAST} else np.moveaxis(output_gradient, 1, -1)\n"
BACK = f"    return out if {LAST} else np.moveaxis(out, -1, 1)\n"


def bilinear(position: str, clamp: bool = True) -> str:
    """A bilinear_matrix that places output pixel i at ``position`` (an expression of i)."""
    where = (
        f"        x = float(np.clip({position}, 0, length - 1))\n"
        if clamp
        else f"        x = {position}\n"
    )
    return (
        "def bilinear_matrix(length, factor):\n"
        "    u = np.zeros((length * factor, length))\n"
        "    for i in range(length * factor):\n"
        f"{where}"
        "        low = int(np.floor(x))\n"
        "        for j, weight in ((low, 1 - (x - low)), (low + 1, x - low)):\n"
        "            if 0 <= j < length:\n"
        "                u[i, j] += weight\n"
        "    return u\n"
    )


def budget(expression: str) -> str:
    """A most_filters that returns ``expression`` (of c, kh, kw, size, budget, bias)."""
    return (
        "def most_filters(in_channels, kernel_size, size, budget):\n"
        "    c, (kh, kw), bias = in_channels, kernel_size, int(variant.use_bias)\n"
        f"    return {expression}\n"
    )


WRONG_ANSWERS = {
    # --- 1: upsampling_forward -------------------------------------------------------
    "forward_tiles": {
        "answer": "upsampling_forward_answer",
        "source": (
            "def upsampling_forward(images, size):\n"
            f"    reps = (1, size[0], size[1], 1) if {LAST} else (1, 1, size[0], size[1])\n"
            "    return np.tile(images, reps)\n"
        ),
        "loses": ["test_forward"],
        "says": "np.tile",
    },
    "forward_size_swapped": {
        "answer": "upsampling_forward_answer",
        "source": (
            "def upsampling_forward(images, size):\n"
            f"    h, w = (1, 2) if {LAST} else (2, 3)\n"
            "    return images.repeat(size[1], axis=h).repeat(size[0], axis=w)\n"
        ),
        "loses": ["test_forward"],
        "says": "swapped axes",
    },
    "forward_other_layout": {
        # The axes of the layout the student does not have.
        "answer": "upsampling_forward_answer",
        "source": (
            "def upsampling_forward(images, size):\n"
            f"    h, w = (2, 3) if {LAST} else (1, 2)\n"
            "    return images.repeat(size[0], axis=h).repeat(size[1], axis=w)\n"
        ),
        "loses": ["test_forward"],
        "says": "the other layout's axes",
    },
    # --- 2: upsampling_backward ------------------------------------------------------
    "backward_one_per_block": {
        "answer": "upsampling_backward_answer",
        "source": (
            "def upsampling_backward(output_gradient, size):\n"
            + TO_LAST
            + "    out = g[:, :: size[0], :: size[1], :].astype(float)\n"
            + BACK
        ),
        "loses": ["test_backward"],
        "says": "widely copied wrong backward",
    },
    "backward_block_mean": {
        "answer": "upsampling_backward_answer",
        "source": (
            "def upsampling_backward(output_gradient, size):\n"
            + TO_LAST
            + "    n, h, w, c = g.shape\n"
            "    out = g.reshape(n, h // size[0], size[0], w // size[1], size[1], c).mean(axis=(2, 4))\n"
            + BACK
        ),
        "loses": ["test_backward"],
        "says": "the block's mean",
    },
    "backward_size_swapped": {
        "answer": "upsampling_backward_answer",
        "source": (
            "def upsampling_backward(output_gradient, size):\n"
            + TO_LAST
            + "    n, h, w, c = g.shape\n"
            "    rows, cols = size[1], size[0]\n"
            "    out = g.reshape(n, h // rows, rows, w // cols, cols, c).sum(axis=(2, 4))\n" + BACK
        ),
        "loses": ["test_backward"],
    },
    # --- 3: bilinear_matrix -------------------------------------------------------------
    "bilinear_corner_aligned": {
        # The solution's bilinear_backward builds on bilinear_matrix, so the tape cell follows
        # the slip (its message says so: "the transpose of your own bilinear_matrix"); the
        # transpose cell, judged on the student's own matrix, keeps its points.
        "answer": "bilinear_matrix_answer",
        "source": bilinear("i * (length - 1) / max(length * factor - 1, 1)"),
        "loses": ["test_bilinear_interior", "test_bilinear_border"],
        "may_lose": ["test_bilinear_backward_tape"],
        "says": "corner-aligned",
    },
    "bilinear_pixel_corners": {
        # Output pixel i placed at i / factor: measured from pixel corners, not centres.
        "answer": "bilinear_matrix_answer",
        "source": bilinear("i / factor"),
        "loses": ["test_bilinear_interior"],
        "may_lose": ["test_bilinear_border", "test_bilinear_backward_tape"],
        "says": "i / factor",
    },
    "bilinear_zeros_past_the_border": {
        "answer": "bilinear_matrix_answer",
        "source": bilinear("(i + 0.5) / factor - 0.5", clamp=False),
        "loses": ["test_bilinear_border"],
        "may_lose": ["test_bilinear_backward_tape"],
        "says": "zeros beyond the border",
    },
    "bilinear_nearest_matrix": {
        "answer": "bilinear_matrix_answer",
        "source": (
            "def bilinear_matrix(length, factor):\n"
            "    return np.repeat(np.eye(length), factor, axis=0)\n"
        ),
        "loses": ["test_bilinear_interior"],
        "may_lose": ["test_bilinear_backward_tape"],
        "says": "nearest-neighbour matrix",
    },
    "bilinear_transposed_matrix": {
        "answer": "bilinear_matrix_answer",
        "source": bilinear("(i + 0.5) / factor - 0.5").replace(
            "    return u\n", "    return u.T\n"
        ),
        "loses": ["test_bilinear_interior", "test_bilinear_border"],
        "may_lose": ["test_bilinear_backward_tape", "test_bilinear_backward_transpose"],
        "says": "transpose of U",
    },
    # --- 4: bilinear_backward ---------------------------------------------------------
    "bilinear_backward_block_sums": {
        "answer": "bilinear_backward_answer",
        "source": (
            "def bilinear_backward(output_gradient, size):\n"
            + TO_LAST
            + "    n, h, w, c = g.shape\n"
            "    out = g.reshape(n, h // size[0], size[0], w // size[1], size[1], c).sum(axis=(2, 4))\n"
            + BACK
        ),
        "loses": ["test_bilinear_backward_tape", "test_bilinear_backward_transpose"],
        "says": "nearest-neighbour backward",
    },
    "bilinear_backward_pseudo_inverse": {
        "answer": "bilinear_backward_answer",
        "source": (
            "def bilinear_backward(output_gradient, size):\n"
            + TO_LAST
            + "    a = np.linalg.pinv(bilinear_matrix(g.shape[1] // size[0], size[0]))\n"
            "    b = np.linalg.pinv(bilinear_matrix(g.shape[2] // size[1], size[1]))\n"
            "    out = np.einsum('hi,nijc,wj->nhwc', a, g, b)\n" + BACK
        ),
        "loses": ["test_bilinear_backward_tape", "test_bilinear_backward_transpose"],
        "says": "pseudo-inverse",
    },
    # --- 5: most_filters ----------------------------------------------------------------
    "filters_without_input_channels": {
        "answer": "most_filters_answer",
        "source": budget("budget // (kh * kw + bias)"),
        "loses": ["test_most_filters_fits"],
        "says": "without the input channels",
    },
    "filters_rounded": {
        "answer": "most_filters_answer",
        "source": budget("round(budget / (kh * kw * c + bias))"),
        "loses": ["test_most_filters_fits"],
    },
    "filters_upsampling_counted": {
        "answer": "most_filters_answer",
        "source": budget("budget // ((kh * kw * c + bias) * size[0] * size[1])"),
        "loses": ["test_most_filters_largest"],
        "says": "UpSampling2D",
    },
    "filters_one_short": {
        "answer": "most_filters_answer",
        "source": budget("max(budget // (kh * kw * c + bias) - 1, 0)"),
        "loses": ["test_most_filters_largest"],
    },
    "filters_true_division": {
        "answer": "most_filters_answer",
        "source": budget("budget / (kh * kw * c + bias)"),
        "loses": ["test_most_filters_fits", "test_most_filters_largest"],
        "says": "not a whole number",
    },
}

UNUSUAL_ANSWERS = {
    "forward_by_kron_with_max_shadowed": {
        # np.kron with a block of ones, per image and channel; `max` shadowed at top level.
        "answer": "upsampling_forward_answer",
        "source": (
            "max = 'a top-level name that shadows a builtin'\n"
            "def upsampling_forward(images, size):\n"
            f"    x = images if {LAST} else np.moveaxis(images, 1, -1)\n"
            "    block = np.ones((1, size[0], size[1], 1), dtype=x.dtype)\n"
            "    out = np.kron(x, block)\n"
            f"    return out if {LAST} else np.moveaxis(out, -1, 1)\n"
        ),
    },
    "backward_by_strided_sums_with_sum_shadowed": {
        "answer": "upsampling_backward_answer",
        "source": (
            "sum = 0\n"
            "def upsampling_backward(output_gradient, size):\n"
            + TO_LAST
            + "    n, h, w, c = g.shape\n"
            "    out = np.zeros((n, h // size[0], w // size[1], c))\n"
            "    for i in range(size[0]):\n"
            "        for j in range(size[1]):\n"
            "            out += g[:, i :: size[0], j :: size[1], :]\n" + BACK
        ),
    },
    "bilinear_vectorised_with_min_shadowed": {
        "answer": "bilinear_matrix_answer",
        "source": (
            "min = None\n"
            "def bilinear_matrix(length, factor):\n"
            "    x = np.clip((np.arange(length * factor) + 0.5) / factor - 0.5, 0, length - 1)\n"
            "    columns = np.arange(length)\n"
            "    return np.maximum(0.0, 1.0 - np.abs(x[:, None] - columns[None, :]))\n"
        ),
    },
    "bilinear_backward_by_one_hot_columns": {
        # Each input pixel's gradient: the output gradient weighted by where that pixel spreads.
        "answer": "bilinear_backward_answer",
        "source": (
            "input = 'shadowed'\n"
            "def bilinear_backward(output_gradient, size):\n"
            + TO_LAST
            + "    u = bilinear_matrix(g.shape[1] // size[0], size[0])\n"
            "    v = bilinear_matrix(g.shape[2] // size[1], size[1])\n"
            "    out = np.tensordot(np.tensordot(g, u, axes=([1], [0])), v, axes=([1], [0]))\n"
            "    out = np.transpose(out, (0, 2, 3, 1))\n" + BACK
        ),
    },
    "filters_by_counting_with_id_shadowed": {
        "answer": "most_filters_answer",
        "source": (
            "id = 'me'\n"
            "def most_filters(in_channels, kernel_size, size, budget):\n"
            "    weights = int(np.prod(kernel_size)) * in_channels\n"
            "    per_filter = weights + 1 if variant.use_bias else weights\n"
            "    filters, left = divmod(budget, per_filter)\n"
            "    return filters\n"
        ),
    },
}
