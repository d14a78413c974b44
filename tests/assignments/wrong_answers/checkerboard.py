"""Plausible wrong answers for solutions/checkerboard: each must lose the points named.

Keys are short names shown in test ids. ``answer`` is the grade id of the
answer cell that gets ``source``; ``loses`` lists the test cells that must
score below full marks; every other test cell must keep full marks. Entries
whose ``loses`` is empty are correct answers written in an unusual way
(``UNUSUAL_ANSWERS``): they must keep every point. Each task's answers are
listed together; tests/assignments/test_assignments.py packs them into few submissions.
"""

OVERLAP_LOOP = (
    "def overlap_counts(kernel_size, stride, input_size):\n"
    "    counts = np.zeros(LENGTH, dtype=DTYPE)\n"
    "    for position in range(input_size):\n"
    "        counts[position * stride : position * stride + kernel_size] ADD 1\n"
    "    return RESULT\n"
)


def overlap(
    length="(input_size - 1) * stride + kernel_size",
    dtype="int",
    add="+=",
    result="np.outer(counts, counts)",
):
    return (
        OVERLAP_LOOP.replace("LENGTH", length)
        .replace("DTYPE", dtype)
        .replace("ADD", add)
        .replace("RESULT", result)
    )


PHASE = (
    "def phase_score(values, stride):\n"
    "    values = np.asarray(values, dtype=float)\n"
    "    height = values.shape[0] // stride * stride\n"
    "    width = values.shape[1] // stride * stride\n"
    "    whole = values[:height, :width]\n"
    "    means = [MEANS[r::stride, c::stride].mean() for r in range(stride) for c in range(stride)]\n"
    "    power = DENOMINATOR\n"
    "GUARD"
    "    return float(np.var(means) / power)\n"
)
ZERO_GUARD = "    if power == 0:\n        return 0.0\n"


def phase(means="whole", denominator="np.mean(values**2)", guard=ZERO_GUARD):
    return PHASE.replace("MEANS", means).replace("DENOMINATOR", denominator).replace("GUARD", guard)


STACKED_LOOP = (
    "def stacked_overlap_counts(first, second, input_size):\n"
    "    counts = np.ones(input_size, dtype=int)\n"
    "    for kernel_size, stride in (first, second):\n"
    "        grown = np.zeros(LENGTH, dtype=int)\n"
    "        for position, weight in enumerate(counts):\n"
    "            grown[position * stride : position * stride + kernel_size] += WEIGHT\n"
    "        counts = grown\n"
    "    return RESULT\n"
)


def stacked(
    length="(len(counts) - 1) * stride + kernel_size",
    weight="weight",
    result="np.outer(counts, counts)",
):
    return (
        STACKED_LOOP.replace("LENGTH", length).replace("WEIGHT", weight).replace("RESULT", result)
    )


ANSWERS = {
    # --- task 1: overlap_counts -------------------------------------------------
    "stamps_overwrite_instead_of_adding": {
        "answer": "overlap_counts_answer",
        "source": overlap(add="="),
        "loses": ["test_overlap_counts_small_case", "test_overlap_counts_keras"],
    },
    "kernel_smaller_than_stride_padded_to_stride": {
        # Keras's default output_padding=None length, max(kernel, stride): not what was asked.
        "answer": "overlap_counts_answer",
        "source": overlap(length="(input_size - 1) * stride + max(kernel_size, stride)"),
        "loses": ["test_overlap_counts_shape", "test_overlap_counts_keras"],
    },
    "nested_lists_instead_of_an_array": {
        "answer": "overlap_counts_answer",
        "source": overlap(result="np.outer(counts, counts).tolist()"),
        "loses": [
            "test_overlap_counts_shape",
            "test_overlap_counts_small_case",
            "test_overlap_counts_keras",
        ],
    },
    "overlap_by_zero_insertion_and_convolve": {
        # Correct: spread the input out, then convolve with a row of ones.
        "answer": "overlap_counts_answer",
        "source": (
            "def overlap_counts(kernel_size, stride, input_size):\n"
            "    spread = np.zeros((input_size - 1) * stride + 1, dtype=np.int64)\n"
            "    spread[::stride] = 1\n"
            "    line = np.convolve(spread, np.ones(kernel_size, dtype=np.int64))\n"
            "    return line[:, None] * line[None, :]\n"
        ),
        "loses": [],
    },
    # --- task 2: phase_score ----------------------------------------------------
    "divided_by_the_variance": {
        # A flat array has variance 0: 0 / 0 is NaN, and the ratio is not the course's score.
        "answer": "phase_score_answer",
        "source": phase(
            denominator="np.var(values)", guard="    if not values.any():\n        return 0.0\n"
        ),
        "loses": [
            "test_phase_score_flat",
            "test_phase_score_small_case",
            "test_phase_score_random",
        ],
    },
    "partial_periods_kept_in_the_means": {
        "answer": "phase_score_answer",
        "source": phase(means="values"),
        "loses": ["test_phase_score_small_case", "test_phase_score_random"],
    },
    "squares_over_whole_periods_only": {
        "answer": "phase_score_answer",
        "source": phase(denominator="np.mean(whole**2)"),
        "loses": ["test_phase_score_small_case", "test_phase_score_random"],
    },
    "no_guard_for_all_zeros": {
        # 0 / 0 in NumPy is NaN (with a warning), not 0.
        "answer": "phase_score_answer",
        "source": phase(guard=""),
        "loses": ["test_phase_score_flat"],
    },
    "phase_means_by_reshape_returning_numpy_float": {
        # Correct: reshape into periods, numpy scalars, the sum of squares over the size.
        "answer": "phase_score_answer",
        "source": (
            "def phase_score(values, stride):\n"
            "    a = np.array(values, dtype=np.float64)\n"
            "    power = np.sum(a * a) / a.size\n"
            "    if power == 0:\n"
            "        return np.float64(0)\n"
            "    h, w = (a.shape[0] // stride) * stride, (a.shape[1] // stride) * stride\n"
            "    blocks = a[:h, :w].reshape(h // stride, stride, w // stride, stride)\n"
            "    return blocks.mean(axis=(0, 2)).var() / power\n"
        ),
        "loses": [],
    },
    # --- task 3: uneven ---------------------------------------------------------
    "uneven_when_kernel_is_odd": {
        "answer": "uneven_answer",
        "source": "uneven = [kernel % 2 == 1 for kernel, stride in pairs]\n",
        "loses": ["test_uneven"],
    },
    "kernel_smaller_than_stride_called_even": {
        # Kernel 1, stride 2 never overlaps, but half the pixels get no tap at all.
        "answer": "uneven_answer",
        "source": "uneven = [kernel > stride and kernel % stride != 0 for kernel, stride in pairs]\n",
        "loses": ["test_uneven"],
    },
    "uneven_read_off_the_counts_as_numpy_bools": {
        # Correct: measured with the student's own overlap_counts; entries are numpy bools.
        "answer": "uneven_answer",
        "source": (
            "uneven = []\n"
            "for kernel, stride in pairs:\n"
            "    row = overlap_counts(kernel, stride, 12)[0]\n"
            "    middle = row[kernel + stride : -(kernel + stride)]\n"
            "    uneven.append(middle.min() != middle.max())\n"
        ),
        "loses": [],
    },
    # --- task 4: stacked_overlap_counts -----------------------------------------
    "second_layer_sees_a_flat_input": {
        "answer": "stacked_answer",
        "source": stacked(weight="1"),
        "loses": ["test_stacked_small_case", "test_stacked_keras", "test_uneven_stacks"],
    },
    "one_layer_with_the_product_stride": {
        # Same output size, but every path is counted once with the combined kernel's extent.
        "answer": "stacked_answer",
        "source": (
            "def stacked_overlap_counts(first, second, input_size):\n"
            "    (k1, s1), (k2, s2) = first, second\n"
            "    kernel, stride = (k1 - 1) * s2 + k2, s1 * s2\n"
            "    counts = np.zeros((input_size - 1) * stride + kernel, dtype=int)\n"
            "    for position in range(input_size):\n"
            "        counts[position * stride : position * stride + kernel] += 1\n"
            "    return np.outer(counts, counts)\n"
        ),
        "loses": ["test_stacked_small_case", "test_stacked_keras", "test_uneven_stacks"],
    },
    "layer_length_padded_to_stride": {
        "answer": "stacked_answer",
        "source": stacked(length="(len(counts) - 1) * stride + max(kernel_size, stride)"),
        "loses": ["test_stacked_shape", "test_stacked_keras"],
    },
    "stacked_as_nested_lists": {
        "answer": "stacked_answer",
        "source": stacked(result="[[a * b for b in counts] for a in counts]"),
        "loses": [
            "test_stacked_shape",
            "test_stacked_small_case",
            "test_stacked_keras",
            "test_uneven_stacks",
        ],
    },
    "stacked_by_zero_insertion_and_convolve": {
        # Correct: each layer spreads its input out and convolves with a row of ones.
        "answer": "stacked_answer",
        "source": (
            "def stacked_overlap_counts(first, second, input_size):\n"
            "    line = np.ones(input_size, dtype=np.int64)\n"
            "    for k, s in (first, second):\n"
            "        spread = np.zeros((len(line) - 1) * s + 1, dtype=np.int64)\n"
            "        spread[::s] = line\n"
            "        line = np.convolve(spread, np.ones(k, dtype=np.int64))\n"
            "    return np.multiply.outer(line, line)\n"
        ),
        "loses": [],
    },
    # --- task 5: uneven_stacks --------------------------------------------------
    "stack_uneven_when_either_layer_is": {
        "answer": "uneven_stacks_answer",
        "source": (
            "uneven_stacks = [k1 % s1 != 0 or k2 % s2 != 0 for (k1, s1), (k2, s2) in stacks]\n"
        ),
        "loses": ["test_uneven_stacks"],
    },
    "only_the_last_layer_matters": {
        "answer": "uneven_stacks_answer",
        "source": "uneven_stacks = [k2 % s2 != 0 for first, (k2, s2) in stacks]\n",
        "loses": ["test_uneven_stacks"],
    },
    "uneven_stacks_typed_by_hand": {
        # Correct: worked out on paper.
        "answer": "uneven_stacks_answer",
        "source": "uneven_stacks = [False, True, True, False, True, False, False, True]\n",
        "loses": [],
    },
}

#: Plausible wrong answers: each loses the points of the test cells in ``loses``.
WRONG_ANSWERS = {name: answer for name, answer in ANSWERS.items() if answer["loses"]}
#: Correct answers written unlike the solution: each keeps every point.
UNUSUAL_ANSWERS = {name: answer for name, answer in ANSWERS.items() if not answer["loses"]}
