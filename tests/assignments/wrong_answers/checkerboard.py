"""Plausible wrong answers for solutions/checkerboard: each must lose the points named.

Keys are short names shown in test ids. ``answer`` is the grade id of the
answer cell that gets ``source``; ``loses`` lists the test cells that must
score below full marks (every other test cell must keep full marks); ``says``
is a phrase the judge's reason must contain when it names the mistake.
``UNUSUAL_ANSWERS`` are correct answers written unlike the solution: they
must keep every point. Answers read the student's numbers from ``variant``,
so they hold for every simulated student's variant.
"""

GAINS = (
    "def phase_gains(kernel, stride):\n"
    "    kernel = np.asarray(kernel, dtype=float)\n"
    "    gains = np.zeros((stride, stride)DTYPE)\n"
    "    for p in range(stride):\n"
    "        for q in range(stride):\n"
    "            gains[ENTRY] = KERNEL[p::stride, q::stride].sum()\n"
    "    return gains\n"
)


def gains(dtype="", entry="p, q", kernel="kernel"):
    return GAINS.replace("DTYPE", dtype).replace("ENTRY", entry).replace("KERNEL", kernel)


SCORE = (
    "def phase_score(values, stride):\n"
    "    values = np.asarray(values, dtype=float)\n"
    "    height = values.shape[0] // stride * stride\n"
    "    width = values.shape[1] // stride * stride\n"
    "    whole = values[:height, :width]\n"
    "    means = [MEANS[r::stride, c::stride].mean() for r in range(stride) for c in range(stride)]\n"
    "    power = DENOMINATOR\n"
    "GUARD"
    "    return float(np.var(meansDDOF) / power)\n"
)
ZERO_GUARD = "    if power == 0:\n        return 0.0\n"


def score(means="whole", denominator="np.mean(values**2)", guard=ZERO_GUARD, ddof=""):
    return (
        SCORE.replace("MEANS", means)
        .replace("DENOMINATOR", denominator)
        .replace("GUARD", guard)
        .replace("DDOF", ddof)
    )


# The solution's letters, from the layer's key ('t3s2': Conv2DTranspose, kernel 3, stride 2).
LETTER = (
    "def letter(key):\n"
    "    kind, kernel_size, stride = key[0], int(key[1]), int(key[3])\n"
    "    if stride == 1 or kind in 'rbc':\n"
    "        return 'A'\n"
    "    if kind == 't' and kernel_size < stride:\n"
    "        return 'C'\n"
    "    return 'B'\n"
)
# Along one axis tap t is in phase t % s; 1 / (taps in its phase) gives every phase gain 1.
TENT = (
    "k, s = variant.design_layer\n"
    "taps = np.array([1 / len(range(t % s, k, s)) for t in range(k)])\n"
)
HIDDEN = (
    "(k, s), channels, probe = variant.hidden_layer, variant.hidden_channels, variant.probe_channel\n"
    "taps = np.array([1 / len(range(t % s, k, s)) for t in range(k)])\n"
    "even = np.outer(taps, taps)\n"
    "spike = np.zeros((k, k))\n"
    "spike[0, 0] = 1.0\n"
)

WRONG_ANSWERS = {
    # --- 1. phase gains --------------------------------------------------------------------
    "gains_of_the_flipped_kernel": {
        "answer": "phase_gains_answer",
        "source": gains(kernel="kernel[::-1, ::-1]"),
        "loses": ["test_phase_gains", "test_phase_gains_small_kernels"],
        "says": "the kernel flipped",
    },
    "gains_in_an_integer_array": {
        "answer": "phase_gains_answer",
        "source": gains(dtype=", dtype=int"),
        "loses": ["test_phase_gains", "test_phase_gains_small_kernels"],
        "says": "an integer dtype",
    },
    "gains_rows_and_columns_swapped": {
        "answer": "phase_gains_answer",
        "source": gains(entry="q, p"),
        "loses": ["test_phase_gains", "test_phase_gains_small_kernels"],
        "says": "rows and columns swapped",
    },
    # --- 2. the phase score ----------------------------------------------------------------
    "score_with_the_sample_variance": {
        "answer": "phase_score_answer",
        "source": score(ddof=", ddof=1"),
        "loses": ["test_phase_score_whole_periods", "test_phase_score_partial_periods"],
        "says": "the sample variance",
    },
    "score_divided_by_the_variance": {
        "answer": "phase_score_answer",
        "source": score(
            denominator="np.var(values)", guard="    if not values.any():\n        return 0.0\n"
        ),
        "loses": ["test_phase_score_whole_periods", "test_phase_score_partial_periods"],
        "says": "divided by the variance of the values",
    },
    "score_with_partial_periods_in_the_means": {
        "answer": "phase_score_answer",
        "source": score(means="values"),
        "loses": ["test_phase_score_partial_periods"],
        "says": "partial periods kept in the phase means",
    },
    "score_with_squares_over_whole_periods": {
        "answer": "phase_score_answer",
        "source": score(denominator="np.mean(whole**2)"),
        "loses": ["test_phase_score_partial_periods"],
        "says": "left out of the mean of the squares",
    },
    "score_without_a_guard_for_zeros": {
        # 0 / 0 in NumPy is NaN (with a warning), not 0.
        "answer": "phase_score_answer",
        "source": score(guard=""),
        "loses": ["test_phase_score_whole_periods"],
        "says": "guard the array of zeros",
    },
    # --- 3. which layers can be flat ---------------------------------------------------------
    "flatness_by_the_overlap_rule": {
        "answer": "flatness_answer",
        "source": (
            "def letter(key):\n"
            "    kind, kernel_size, stride = key[0], int(key[1]), int(key[3])\n"
            "    return 'A' if kind != 't' or kernel_size % stride == 0 else 'C'\n"
            "flatness = [letter(key) for key in variant.layer_set]\n"
        ),
        "loses": ["test_flatness"],
        "says": "the overlap rule",
    },
    "flatness_read_off_random_weights": {
        # A pattern at Keras's initial weights taken to mean no weights are flat: B becomes C.
        "answer": "flatness_answer",
        "source": LETTER
        + "flatness = [letter(key).replace('B', 'C') for key in variant.layer_set]\n",
        "loses": ["test_flatness"],
        "says": "Keras's random weights",
    },
    "flatness_as_a_tuple": {
        "answer": "flatness_answer",
        "source": LETTER + "flatness = tuple(letter(key) for key in variant.layer_set)\n",
        "loses": ["test_flatness"],
    },
    # --- 4. uneven overlap, flat output ------------------------------------------------------
    "flat_kernel_of_equal_weights": {
        # The right level (sum / s**2), but the phases hold different numbers of taps.
        "answer": "flat_kernel_answer",
        "source": "k, s = variant.design_layer\n"
        "flat_kernel = np.full((k, k), variant.flat_value * s * s / (k * k))\n",
        "loses": ["test_flat_kernel_flat"],
        "says": "equal weights",
    },
    "flat_kernel_balanced_along_rows_only": {
        "answer": "flat_kernel_answer",
        "source": TENT + "flat_kernel = variant.flat_value * np.outer(taps, np.ones(k))\n",
        "loses": ["test_flat_kernel_flat", "test_flat_kernel_level"],
    },
    "flat_kernel_not_scaled": {
        "answer": "flat_kernel_answer",
        "source": TENT + "flat_kernel = np.outer(taps, taps)\n",
        "loses": ["test_flat_kernel_level"],
    },
    "flat_kernel_summing_to_the_level": {
        # Weights that sum to flat_value: each gain is flat_value / s**2.
        "answer": "flat_kernel_answer",
        "source": TENT + "flat_kernel = variant.flat_value / (s * s) * np.outer(taps, taps)\n",
        "loses": ["test_flat_kernel_level"],
    },
    "flat_kernel_one_tap_per_phase": {
        # Flat at the right level, but the other weights are 0, not positive.
        "answer": "flat_kernel_answer",
        "source": "k, s = variant.design_layer\n"
        "flat_kernel = np.zeros((k, k))\n"
        "flat_kernel[:s, :s] = variant.flat_value\n",
        "loses": ["test_flat_kernel_positive"],
    },
    "flat_kernel_with_a_negative_weight": {
        # Equal gains, but taps 0 and s of phase 0 moved apart: one weight is negative.
        "answer": "flat_kernel_answer",
        "source": TENT + "flat_kernel = variant.flat_value * np.outer(taps, taps)\n"
        "flat_kernel[0, 0] -= 10.0\n"
        "flat_kernel[s, 0] += 10.0\n",
        "loses": ["test_flat_kernel_positive"],
    },
    # --- 5. a pattern only some inputs show -------------------------------------------------
    "hidden_kernel_in_conv2d_layout": {
        "answer": "hidden_kernel_answer",
        "source": HIDDEN + "hidden_kernel = np.zeros((k, k, channels, 1))\n"
        "hidden_kernel[:, :, probe, 0] = spike\n"
        "hidden_kernel[:, :, (probe + 1) % channels, 0] = even - spike\n",
        "loses": ["test_hidden_flat_on_ones", "test_hidden_pattern_on_probe"],
        "says": "channels for filters",
    },
    "hidden_kernel_same_in_every_channel": {
        "answer": "hidden_kernel_answer",
        "source": HIDDEN
        + "hidden_kernel = np.repeat((even / channels)[:, :, None, None], channels, axis=3)\n",
        "loses": ["test_hidden_pattern_on_probe"],
    },
    "hidden_kernel_spike_alone": {
        "answer": "hidden_kernel_answer",
        "source": HIDDEN + "hidden_kernel = np.zeros((k, k, 1, channels))\n"
        "hidden_kernel[:, :, 0, probe] = spike\n",
        "loses": ["test_hidden_flat_on_ones"],
    },
}

UNUSUAL_ANSWERS = {
    "gains_by_padding_and_reshape_with_sum_shadowed": {
        # Pads the kernel to whole periods and sums them; the top-level `sum` shadows the builtin.
        "answer": "phase_gains_answer",
        "source": (
            "sum = np.sum\n"
            "def phase_gains(kernel, stride):\n"
            "    k = np.asarray(kernel, dtype=np.float32)\n"
            "    size = -(-k.shape[0] // stride) * stride\n"
            "    padded = np.zeros((size, size), dtype=np.float32)\n"
            "    padded[: k.shape[0], : k.shape[1]] = k\n"
            "    blocks = padded.reshape(size // stride, stride, size // stride, stride)\n"
            "    return sum(blocks, axis=(0, 2))\n"
        ),
    },
    "score_by_reshape_returning_numpy_float_with_max_and_min_shadowed": {
        "answer": "phase_score_answer",
        "source": (
            "max = min = None  # top-level names that shadow builtins\n"
            "def phase_score(values, stride):\n"
            "    a = np.array(values, dtype=np.float64)\n"
            "    power = np.sum(a * a) / a.size\n"
            "    if power == 0:\n"
            "        return np.float64(0)\n"
            "    h, w = (a.shape[0] // stride) * stride, (a.shape[1] // stride) * stride\n"
            "    blocks = a[:h, :w].reshape(h // stride, stride, w // stride, stride)\n"
            "    return blocks.mean(axis=(0, 2)).var() / power\n"
        ),
    },
    "flatness_in_lower_case_with_id_shadowed": {
        "answer": "flatness_answer",
        "source": (
            "id = {'t': 'transpose', 's': 'subpixel'}  # shadows the builtin\n"
            "flatness = []\n"
            "for key in variant.layer_set:\n"
            "    kind, k, s = id.get(key[0], 'resize'), int(key[1]), int(key[3])\n"
            "    if s == 1 or kind == 'resize':\n"
            "        flatness.append(' a ')\n"
            "    elif kind == 'transpose' and k < s:\n"
            "        flatness.append('c')\n"
            "    else:\n"
            "        flatness.append('b ')\n"
        ),
    },
    "flat_kernel_random_weights_normalised_per_phase": {
        # Any positive weights, each phase's taps scaled to sum to flat_value.
        "answer": "flat_kernel_answer",
        "source": (
            "input = np.random.default_rng(7).uniform(1.0, 2.0, size=(9, 9))  # shadows input\n"
            "k, s = variant.design_layer\n"
            "flat_kernel = input[:k, :k].copy()\n"
            "for p in range(s):\n"
            "    for q in range(s):\n"
            "        flat_kernel[p::s, q::s] *= variant.flat_value / flat_kernel[p::s, q::s].sum()\n"
        ),
    },
    "hidden_kernel_that_cancels_to_zero_on_ones": {
        # Zero on the input of ones (flat), one tap in phase (0, 0) on the probe.
        "answer": "hidden_kernel_answer",
        "source": HIDDEN + "hidden_kernel = np.zeros((k, k, 1, channels))\n"
        "hidden_kernel[:, :, 0, probe] = spike\n"
        "hidden_kernel[:, :, 0, (probe + 1) % channels] = -spike\n",
    },
}
