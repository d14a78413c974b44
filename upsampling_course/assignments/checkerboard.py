"""The checkerboard assignment's variants (``CHOICES``), its list of layers, and its visible checks."""

from __future__ import annotations

import numpy as np

# The layers of question 3, one input and one output channel, no bias: (kind, kernel size,
# stride) and how the notebook names them. "transpose": Conv2DTranspose(1, k, strides=s);
# "resize": UpSampling2D(s) then Conv2D(1, k, padding="same"); "bilinear": the same with
# bilinear upsampling; "conv_first": Conv2D(1, k, padding="same") then UpSampling2D(s);
# "subpixel": Conv2D(s * s, k, padding="same") then depth_to_space(s).
LAYERS = {
    "t3s2": ("transpose", 3, 2),
    "t4s2": ("transpose", 4, 2),
    "t2s2": ("transpose", 2, 2),
    "t5s3": ("transpose", 5, 3),
    "t4s3": ("transpose", 4, 3),
    "t3s1": ("transpose", 3, 1),
    "t5s1": ("transpose", 5, 1),
    "t1s2": ("transpose", 1, 2),
    "t2s3": ("transpose", 2, 3),
    "t3s4": ("transpose", 3, 4),
    "t2s4": ("transpose", 2, 4),
    "r3s2": ("resize", 3, 2),
    "r4s3": ("resize", 4, 3),
    "b3s2": ("bilinear", 3, 2),
    "c3s2": ("conv_first", 3, 2),
    "s3s2": ("subpixel", 3, 2),
    "s1s3": ("subpixel", 1, 3),
}

CHOICES = {
    # 3: the six layers to sort, in the order shown
    "layer_set": (
        ("t3s2", "r3s2", "t1s2", "s3s2", "t3s1", "t2s3"),
        ("t4s2", "c3s2", "t3s4", "t5s3", "b3s2", "t1s2"),
        ("t5s3", "t5s1", "t2s4", "s1s3", "r4s3", "t3s4"),
        ("t2s2", "b3s2", "t2s3", "t3s2", "c3s2", "t1s2"),
        ("s3s2", "t3s1", "t3s4", "t4s3", "r3s2", "t2s4"),
        ("t3s2", "r4s3", "t2s3", "t4s2", "t5s1", "t1s2"),
        ("s1s3", "c3s2", "t2s4", "t5s3", "b3s2", "t2s3"),
        ("t2s2", "r3s2", "t3s4", "t4s3", "t5s1", "t1s2"),
    ),
    # 4: (kernel size, stride) of a layer whose overlap is uneven, and the level to reach (not
    # kernel 3 at stride 2: the chapter works that case out, the tent kernel)
    "design_layer": ((5, 2), (7, 2), (5, 3), (4, 3), (7, 3), (5, 4)),
    "flat_value": (2, 3, 5, 6),
    # 5: (kernel size, stride) and input channels of the layer, and the channel the probe lights
    "hidden_layer": ((2, 2), (3, 2), (4, 2), (3, 3)),
    "hidden_channels": (2, 3),
    "probe_channel": (0, 1),
}

LETTERS = {
    "A": "flat whatever its weights",
    "B": "flat for some weights (they must meet equations), not for Keras's random initial weights",
    "C": "never flat, unless every weight is 0",
}


def layer_text(key: str) -> str:
    """How the notebook names layer ``key`` of ``LAYERS``."""
    kind, k, s = LAYERS[key]
    return {
        "transpose": f"Conv2DTranspose(1, {k}, strides={s})",
        "resize": f"UpSampling2D({s}), then Conv2D(1, {k}, padding='same')",
        "bilinear": f"UpSampling2D({s}, interpolation='bilinear'), then Conv2D(1, {k}, padding='same')",
        "conv_first": f"Conv2D(1, {k}, padding='same'), then UpSampling2D({s})",
        "subpixel": f"Conv2D({s * s}, {k}, padding='same'), then depth_to_space(block_size={s})",
    }[kind]


def show_layers(variant) -> None:
    """Print question 3's layers in this student's order, and the three letters."""
    for number, key in enumerate(variant["layer_set"], start=1):
        print(f"{number}. {layer_text(key)}")
    print()
    for letter, meaning in LETTERS.items():
        print(f"{letter}: {meaning}")


# ---------------------------------------------------------------------------
# The visible checks (upsampling_course.selfcheck): public cases and the
# mistakes each test's comment names; the judge tries many more cases.


def _array(value, name: str, ndim: int) -> np.ndarray:
    assert isinstance(value, np.ndarray), f"{name} must be a NumPy array"
    assert value.ndim == ndim, f"{name} must have {ndim} axes, not shape {value.shape}"
    assert value.dtype.kind in "iuf", f"{name} must hold numbers, not dtype {value.dtype}"
    return value


def _phase_gains(ns: dict) -> str:
    f = ns["phase_gains"]
    ramp = np.arange(1.0, 17.0).reshape(4, 4)
    gains = _array(f(ramp, 2), "phase_gains(...)", 2)
    assert gains.shape == (2, 2), "a stride-2 layer has 2 x 2 phases"
    assert gains[0, 0] != 44, (
        "44 is the gain of phase (0, 0) of the kernel flipped: a transposed convolution writes "
        "kernel[a, b] to output (i * stride + a, j * stride + b), it does not flip the kernel"
    )
    assert gains.tolist() == [[24, 28], [40, 44]], (
        "the 4 x 4 kernel 1..16 at stride 2: phase (0, 0) sums rows 0, 2 and columns 0, 2 "
        "(1 + 3 + 9 + 11 = 24); phase (0, 1) rows 0, 2 and columns 1, 3"
    )
    halves = _array(f(np.full((3, 3), 0.5), 2), "phase_gains(...)", 2)
    assert halves.dtype.kind == "f" and halves[1, 1] == 0.5, (
        "a kernel of halves: the centre phase gets one tap, 0.5; an integer array truncates it"
    )
    return "two public kernels at stride 2"


def _phase_gains_small_kernels(ns: dict) -> str:
    gains = _array(ns["phase_gains"](np.array([[1.0, 2.0], [3.0, 4.0]]), 3), "phase_gains", 2)
    assert gains.shape == (3, 3), "stride 3 has 3 x 3 phases, whatever the kernel's size"
    assert gains.tolist() == [[1, 2, 0], [3, 4, 0], [0, 0, 0]], (
        "a 2 x 2 kernel at stride 3 gives one tap to four phases; the others get none: gain 0"
    )
    return "a 2 x 2 kernel at stride 3"


def _phase_score_whole(ns: dict) -> str:
    f = ns["phase_score"]
    assert float(f(np.ones((6, 6)), 2)) == 0.0, "a flat array has no pattern: score 0"
    assert float(f(np.zeros((4, 4)), 2)) == 0.0, "an all-zero array scores 0 (no division by 0)"
    tile = np.tile([[4.0, 2.0], [2.0, 1.0]], (2, 2))
    right = float(np.var([4.0, 2.0, 2.0, 1.0]) / np.mean(tile**2))
    got = float(f(tile, 2))
    assert abs(got - right * 4 / 3) > 1e-9, (
        "this is the sample variance (ddof=1, or statistics.variance): the score uses the "
        "population variance of the phase means, np.var"
    )
    assert abs(got - right) < 1e-9, f"the tile [[4, 2], [2, 1]] repeated scores {right:.6f}"
    return "flat, zero and tiled public arrays"


def _phase_score_partial(ns: dict) -> str:
    small = np.array([[4.0, 2.0, 4.0], [2.0, 1.0, 2.0], [4.0, 2.0, 9.0]])
    want = float(np.var([4.0, 2.0, 2.0, 1.0]) / np.mean(small**2))
    got = float(ns["phase_score"](small, 2))
    assert abs(got - want) < 1e-9, (
        f"phase_score(small, 2) should be {want:.6f}: phase means over whole periods only "
        "(the top-left 2 x 2), the mean of the squares over all nine values"
    )
    return "a 3 x 3 public array at stride 2"


def _overlap_rule(key: str) -> str:
    kind, k, s = LAYERS[key]
    return "A" if kind != "transpose" or k % s == 0 else "C"


def _flatness(ns: dict) -> str:
    letters, keys = ns["flatness"], ns["variant"]["layer_set"]
    assert isinstance(letters, list), "flatness is a list of letters, one per layer"
    assert len(letters) == len(keys), f"one letter per layer: {len(keys)} in all"
    assert all(isinstance(x, str) and x.strip().upper() in LETTERS for x in letters), (
        "each entry is one of the strings 'A', 'B', 'C'"
    )
    cleaned = [x.strip().upper() for x in letters]
    assert cleaned != [_overlap_rule(k) for k in keys], (
        "these are the answers of 'the overlap decides': the tent kernel makes a kernel-3, "
        "stride-2 layer flat, and random sub-kernels make even overlap uneven"
    )
    return "the letters' format"


def _design(ns: dict) -> np.ndarray:
    k = ns["variant"]["design_layer"][0]
    kernel = _array(ns["flat_kernel"], "flat_kernel", 2)
    assert kernel.shape == (k, k), f"flat_kernel is your {k} x {k} kernel"
    return kernel


def _flat_kernel_flat(ns: dict) -> str:
    kernel = _design(ns)
    assert np.ptp(kernel) > 0, (
        "a kernel of equal weights: with uneven overlap the phases hold different numbers of "
        "taps, so their gains differ"
    )
    return "flat_kernel's format"


def _flat_kernel_level(ns: dict) -> str:
    kernel, (_, s), level = _design(ns), ns["variant"]["design_layer"], ns["variant"]["flat_value"]
    average = float(kernel.sum()) / (s * s)  # every tap reaches one phase: the gains' mean
    assert abs(average - 1.0) > 1e-6 or level == 1, (
        "the phases' gains average 1: that is the tent kernel's level, not your flat_value"
    )
    assert abs(average - level) <= 1e-6 * level, (
        f"the phases' gains average sum(flat_kernel) / {s * s} = {average:.4g}, not {level}"
    )
    return "the average level on ones"


def _flat_kernel_positive(ns: dict) -> str:
    kernel = _design(ns)
    assert kernel.min() > 0, "every weight must be positive: some of yours are 0 or negative"
    return "every weight is positive"


def _hidden(ns: dict) -> np.ndarray:
    (k, _), channels = ns["variant"]["hidden_layer"], ns["variant"]["hidden_channels"]
    kernel = _array(ns["hidden_kernel"], "hidden_kernel", 4)
    assert kernel.shape != (k, k, channels, 1), (
        "(k, k, channels, 1) is a Conv2D kernel's layout; a Conv2DTranspose kernel is "
        "(k, k, filters, channels)"
    )
    assert kernel.shape == (k, k, 1, channels), f"hidden_kernel has shape {(k, k, 1, channels)}"
    return kernel


def _hidden_flat(ns: dict) -> str:
    kernel, s = _hidden(ns), ns["variant"]["hidden_layer"][1]
    # On ones, phase (p, q) outputs the sum over channels of that channel's gain.
    gains = [kernel[p::s, q::s].sum() for p in range(s) for q in range(s)]
    assert np.ptp(gains) <= 1e-6 * max(np.abs(gains).max(), 1e-12), (
        "on the input of ones the phases' gains, summed over the channels, differ: the "
        "channels' patterns do not cancel out"
    )
    return "the summed gains on ones"


def _hidden_pattern(ns: dict) -> str:
    kernel = _hidden(ns)
    first = kernel[..., 0]
    assert not all(np.allclose(kernel[..., c], first) for c in range(kernel.shape[-1])), (
        "every channel holds the same kernel: then every constant input gives the same "
        "pattern as all ones, scaled"
    )
    return "hidden_kernel's format"


CHECKS = {
    "test_phase_gains": _phase_gains,
    "test_phase_gains_small_kernels": _phase_gains_small_kernels,
    "test_phase_score_whole_periods": _phase_score_whole,
    "test_phase_score_partial_periods": _phase_score_partial,
    "test_flatness": _flatness,
    "test_flat_kernel_flat": _flat_kernel_flat,
    "test_flat_kernel_level": _flat_kernel_level,
    "test_flat_kernel_positive": _flat_kernel_positive,
    "test_hidden_flat_on_ones": _hidden_flat,
    "test_hidden_pattern_on_probe": _hidden_pattern,
}
