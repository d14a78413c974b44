"""Plausible wrong answers for solutions/checkerboard: each must lose the points named.

Keys are short names shown in test ids. ``answer`` is the grade id of the
answer cell that gets ``source``; ``loses`` lists the test cells that must
score below full marks; every other test cell must keep full marks.
"""

WRONG_ANSWERS = {
    "stamps_overwrite_instead_of_adding": {
        "answer": "overlap_counts_answer",
        "source": (
            "def overlap_counts(kernel_size, stride, input_size):\n"
            "    counts = np.zeros((input_size - 1) * stride + kernel_size, dtype=int)\n"
            "    for position in range(input_size):\n"
            "        counts[position * stride : position * stride + kernel_size] = 1\n"
            "    return np.outer(counts, counts)\n"
        ),
        "loses": ["test_overlap_counts"],
    },
    "kernel_smaller_than_stride_forgotten": {
        # Right whenever kernel >= stride; Keras's default output is longer when it is not.
        "answer": "overlap_counts_answer",
        "source": (
            "def overlap_counts(kernel_size, stride, input_size):\n"
            "    length = (input_size - 1) * stride + max(kernel_size, stride)\n"
            "    counts = np.zeros(length, dtype=int)\n"
            "    for position in range(input_size):\n"
            "        counts[position * stride : position * stride + kernel_size] += 1\n"
            "    return np.outer(counts, counts)\n"
        ),
        "loses": ["test_overlap_counts"],
    },
    "normalised_by_variance": {
        "answer": "phase_score_answer",
        "source": (
            "def phase_score(values, stride):\n"
            "    values = np.asarray(values, dtype=float)\n"
            "    values = values[: values.shape[0] // stride * stride, : values.shape[1] // stride * stride]\n"
            "    if not values.any():\n"
            "        return 0.0\n"
            "    means = [values[r::stride, c::stride].mean() for r in range(stride) for c in range(stride)]\n"
            "    spread = np.var(values)\n"
            "    return float(np.var(means) / spread) if spread else 0.0\n"
        ),
        "loses": ["test_phase_score"],
    },
    "partial_periods_kept": {
        "answer": "phase_score_answer",
        "source": (
            "def phase_score(values, stride):\n"
            "    values = np.asarray(values, dtype=float)\n"
            "    power = np.mean(values**2)\n"
            "    if power == 0:\n"
            "        return 0.0\n"
            "    means = [values[r::stride, c::stride].mean() for r in range(stride) for c in range(stride)]\n"
            "    return float(np.var(means) / power)\n"
        ),
        "loses": ["test_phase_score"],
    },
    "uneven_when_kernel_is_odd": {
        "answer": "uneven_answer",
        "source": "uneven = [kernel % 2 == 1 for kernel, stride in pairs]\n",
        "loses": ["test_uneven"],
    },
}
