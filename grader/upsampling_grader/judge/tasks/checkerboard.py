"""The judge of checkerboard: phase gains, the phase score, and layers designed to be flat or not.

Every expected value comes from Keras layers built here (their output on a
constant input, away from the border) or from ``upsampling_course.artifacts``,
outside the student's kernel, on inputs drawn fresh for each grading run. A
failing answer is compared with known wrong versions of its task
(:mod:`upsampling_grader.judge.named_mistakes`) and the message names the one
it matches.
"""

from __future__ import annotations

import functools

import numpy as np

from upsampling_course.artifacts import phase_score
from upsampling_course.assignments.checkerboard import LAYERS, layer_text
from upsampling_grader.judge.answers import Wrong, exact_str, value_of
from upsampling_grader.judge.named_mistakes import Mistake, judge, read_all, read_array
from upsampling_grader.judge.registry import Case, Tasks
from upsampling_grader.judge.tasks.checkerboard_layers import (
    flatness_letter,
    keras_gains,
    on_ones,
    spread,
)
from upsampling_grader.judge.verdicts import Verdict, failed, passed, share

NOTEBOOK = "checkerboard"
KERNEL_MODULES = ("assignments/__init__", "assignments/checkerboard")
TASKS = Tasks()
FLAT = 1e-5  # relative spread below which an output counts as flat (float32 rounding)


def wrong_fails(task):
    """The task, with an answer it cannot read (``Wrong``) failed with the reason."""

    @functools.wraps(task)
    def judged(ask, case: Case) -> Verdict:
        try:
            return task(ask, case)
        except Wrong as why:
            return failed(str(why))

    return judged


# --- 1. phase gains ------------------------------------------------------------------------

GAIN_MISTAKES = [
    Mistake(
        "the kernel flipped",
        "A transposed convolution writes kernel[a, b] to output (i * stride + a, j * stride + b); "
        "it does not flip the kernel.",
        lambda c: keras_gains(c[0][::-1, ::-1], c[1]),
    ),
    Mistake(
        "rows and columns swapped",
        "Entry [p, q] is the phase of row p and column q.",
        lambda c: keras_gains(c[0], c[1]).T,
    ),
]


def _gains_task(ask, case: Case, task: str, small: bool) -> Verdict:
    rng = case.rng(task)
    cases = []
    for _ in range(12):
        stride = int(rng.integers(2, 5))
        size = int(rng.integers(1, stride)) if small else int(rng.integers(stride, 3 * stride + 1))
        cases.append((rng.normal(size=(size, size)).round(2), stride))

    def describe(c) -> str:
        return f"phase_gains(a {c[0].shape[0]} x {c[0].shape[0]} kernel, {c[1]})"

    got = read_all(ask.calls("phase_gains", cases), cases, describe)
    expected = [keras_gains(kernel, stride) for kernel, stride in cases]
    return judge(
        got, cases, expected, GAIN_MISTAKES, describe,
        truth="the layer on an input of ones",
        ok=f"phase_gains agrees with Keras on {len(cases)} kernels it had not seen",
    )  # fmt: skip


@TASKS("test_phase_gains", kind="shown", asks="the phase gains of kernels at least the stride")
def phase_gains_large(ask, case: Case) -> Verdict:
    return _gains_task(ask, case, "phase_gains", small=False)


@TASKS(
    "test_phase_gains_small_kernels",
    kind="shown",
    asks="the phase gains of kernels smaller than the stride (phases without a tap)",
)
def phase_gains_small(ask, case: Case) -> Verdict:
    return _gains_task(ask, case, "phase_gains_small", small=True)


# --- 2. the phase score --------------------------------------------------------------------


def _whole(values: np.ndarray, stride: int) -> np.ndarray:
    """The whole periods: the rows and columns after the last multiple of ``stride`` dropped."""
    return values[: values.shape[0] // stride * stride, : values.shape[1] // stride * stride]


def _means(values: np.ndarray, stride: int, whole: bool = True) -> list[float]:
    values = _whole(values, stride) if whole else values
    return [values[r::stride, c::stride].mean() for r in range(stride) for c in range(stride)]


def _ratio(top: float, bottom: float) -> np.ndarray:
    return np.array(top / bottom if bottom else 0.0)


SCORE_MISTAKES = [
    Mistake(
        "the sample variance (ddof=1)",
        "The score uses the population variance of the phase means, np.var.",
        lambda c: _ratio(np.var(_means(*c), ddof=1), np.mean(c[0] ** 2)),
    ),
    Mistake(
        "divided by the variance of the values",
        "Divide by the mean of the squared values.",
        lambda c: _ratio(np.var(_means(*c)), np.var(c[0])),
    ),
    Mistake(
        "partial periods kept in the phase means",
        "Drop the rows and columns after the last whole period before taking the phase means.",
        lambda c: _ratio(np.var(_means(*c, False)), np.mean(c[0] ** 2)),
    ),
    Mistake(
        "partial rows and columns left out of the mean of the squares",
        "The mean of the squared values is over the whole array.",
        lambda c: _ratio(np.var(_means(*c)), np.mean(_whole(*c) ** 2)),
    ),
]


def _read_score(answer, what: str) -> np.ndarray | Wrong:
    try:
        value = value_of(answer, what)
        if type(value) is bool or not isinstance(value, (int, float, np.integer, np.floating)):
            return Wrong(f"{what} returned {type(value).__name__}, not a float")
        if not np.isfinite(float(value)):
            return Wrong(f"{what} returned {value}: guard the array of zeros")
        return np.array(float(value))
    except Wrong as why:
        return why


def _score_task(ask, case: Case, task: str, whole: bool) -> Verdict:
    rng = case.rng(task)
    cases = [(np.zeros((4, 6)), 2), (np.full((6, 9), -1.5), 3)] if whole else []
    while len(cases) < 10:
        stride = int(rng.integers(2, 5))
        rows, cols = (int(rng.integers(2, 6)) * stride for _ in range(2))
        if not whole:
            rows, cols = rows + int(rng.integers(1, stride)), cols + int(rng.integers(0, stride))
        tile = np.tile(rng.normal(size=(stride, stride)), (rows, cols))[:rows, :cols]
        cases.append(((rng.normal(size=(rows, cols)) + tile).round(3), stride))

    def describe(c) -> str:
        return f"phase_score(a {c[0].shape[0]} x {c[0].shape[1]} array, {c[1]})"

    answers = ask.calls("phase_score", cases)
    got = [_read_score(a, describe(c)) for a, c in zip(answers, cases, strict=True)]
    expected = [np.array(phase_score(values, stride)) for values, stride in cases]
    return judge(
        got, cases, expected, SCORE_MISTAKES, describe, truth="the chapter's score",
        ok=f"phase_score is right on {len(cases)} arrays it had not seen", rtol=1e-7, atol=1e-12,
    )  # fmt: skip


@TASKS(
    "test_phase_score_whole_periods", kind="shown", asks="the phase score, sides a multiple of s"
)
def phase_score_whole(ask, case: Case) -> Verdict:
    return _score_task(ask, case, "phase_score_whole", whole=True)


@TASKS("test_phase_score_partial_periods", kind="shown", asks="the phase score, partial periods")
def phase_score_partial(ask, case: Case) -> Verdict:
    return _score_task(ask, case, "phase_score_partial", whole=False)


# --- 3. which layers can be flat -----------------------------------------------------------


HINTS = {  # the truth (when the answer is another letter): what the student overlooked
    "A": "every phase sums the same weights, whatever they are",
    "B": "every phase gets taps of its own: weights can give them equal sums (the tent kernel), "
    "random ones do not",
    "C": "some phase gets no tap at all: its gain is 0 whatever the weights",
}


def misconceptions(keys, truth: list[str]) -> dict[str, list[str]]:
    """What two usual misconceptions answer for these layers, by what they are called."""

    def overlap_rule(key: str) -> str:
        kind, size, stride = LAYERS[key]
        return "A" if kind != "transpose" or size % stride == 0 else "C"

    return {
        "the overlap rule (flat when the stride divides the kernel, never otherwise): uneven "
        "overlap and random sub-kernels are defaults, not laws": [overlap_rule(k) for k in keys],
        "Keras's random weights taken for every weight: a pattern at initialization does not "
        "mean that no weights are flat": ["C" if t == "B" else t for t in truth],
    }


@TASKS(
    "test_flatness",
    kind="transfer",
    asks="for six layers: flat for any weights, for some, or only at 0",
)
@wrong_fails
def flatness(ask, case: Case) -> Verdict:
    keys = case.variant["layer_set"]
    value = value_of(ask.value("flatness"), "flatness")
    if type(value) is not list or len(value) != len(keys):
        raise Wrong(f"flatness must be a list of {len(keys)} letters")
    given = [exact_str(v, f"flatness[{i}]").strip().upper() for i, v in enumerate(value)]
    truth = [flatness_letter(k) for k in keys]
    checks = [
        (g == t, f"layer {i} ({layer_text(k)}): {HINTS[t] if g in 'ABC' else 'answer A, B or C'}")
        for i, (k, g, t) in enumerate(zip(keys, given, truth, strict=True), start=1)
    ]
    verdict = share(checks, ok="every layer sorted right")
    if verdict.passed:
        return verdict
    wrong = [i for i, (g, t) in enumerate(zip(given, truth, strict=True)) if g != t]
    named = next(
        (
            f"These are the answers of {name}."
            for name, letters in misconceptions(keys, truth).items()
            if all(given[i] == letters[i] for i in wrong)
        ),
        "Your letters match none of the usual misconceptions.",
    )
    return Verdict(verdict.fraction, (named, *verdict.lines))


# --- 4. uneven overlap, flat output --------------------------------------------------------


def _kernel(ask, name: str, shape: tuple, conv_layout: tuple | None = None) -> np.ndarray:
    kernel = read_array(ask.value(name), name).astype("float64")
    if kernel.shape == conv_layout and conv_layout != shape:
        raise Wrong(f"channels for filters: {name} has shape {kernel.shape}, a Conv2D kernel's "
                    f"layout; a Conv2DTranspose kernel is (k, k, filters, channels), here {shape}")  # fmt: skip
    if kernel.shape != shape:
        raise Wrong(f"{name} has shape {kernel.shape}, not {shape}")
    if not kernel.any():
        raise Wrong(f"{name} is all zeros: its output is 0 on every input, which is no design")
    return kernel


def _flat_kernel(ask, case: Case) -> tuple[np.ndarray, np.ndarray]:
    size, stride = case.variant["design_layer"]
    kernel = _kernel(ask, "flat_kernel", (size, size))
    return kernel, on_ones(kernel[:, :, None, None], stride)


@TASKS("test_flat_kernel_flat", kind="transfer", asks="an uneven-overlap kernel with equal gains")
@wrong_fails
def flat_kernel_flat(ask, case: Case) -> Verdict:
    kernel, inside = _flat_kernel(ask, case)
    if spread(inside) <= FLAT:
        return passed("flat on ones away from the border, though the overlap is uneven")
    named = (
        "equal weights: with uneven overlap the phases hold different numbers of taps"
        if np.ptp(kernel) == 0
        else "the phases' gains differ"
    )
    values = sorted({round(float(v), 4) for v in inside.ravel()})[:6]
    return failed(f"not flat ({named}): on ones the output away from the border takes the "
                  f"values {values}; each phase's taps must sum to the same gain")  # fmt: skip


@TASKS("test_flat_kernel_level", kind="transfer", asks="that kernel at your flat_value")
@wrong_fails
def flat_kernel_level(ask, case: Case) -> Verdict:
    _, inside = _flat_kernel(ask, case)
    stride, want = case.variant["design_layer"][1], case.variant["flat_value"]
    level = float(inside[:stride, :stride].mean())
    if abs(level - want) <= 1e-4 * want:
        return passed(f"the output averages {want} over a period")
    return failed(f"the output averages {level:.4g} over one period on ones, not {want}: the "
                  f"phases' gains average the sum of all weights divided by {stride * stride}")  # fmt: skip


@TASKS("test_flat_kernel_positive", kind="transfer", asks="that kernel with positive weights")
@wrong_fails
def flat_kernel_positive(ask, case: Case) -> Verdict:
    kernel, _ = _flat_kernel(ask, case)
    if kernel.min() > 0:
        return passed("every weight is positive")
    what = "a weight of 0" if kernel.min() == 0 else f"a negative weight ({kernel.min():.3g})"
    return failed(f"flat_kernel has {what}: the question asks for positive weights, the case "
                  "in which uneven overlap draws a pattern by default")  # fmt: skip


# --- 5. a pattern only some inputs show ----------------------------------------------------


def _hidden(ask, case: Case, probe: bool) -> np.ndarray:
    (size, stride), channels = case.variant["hidden_layer"], case.variant["hidden_channels"]
    kernel = _kernel(
        ask, "hidden_kernel", (size, size, 1, channels), conv_layout=(size, size, channels, 1)
    )
    lit = np.zeros(channels)
    lit[case.variant["probe_channel"]] = 1.0
    return on_ones(kernel, stride, lit if probe else None)


@TASKS("test_hidden_flat_on_ones", kind="transfer", asks="several channels: flat on all ones")
@wrong_fails
def hidden_flat_on_ones(ask, case: Case) -> Verdict:
    inside = _hidden(ask, case, probe=False)
    if spread(inside) <= FLAT:
        return passed("flat on an input of ones")
    return failed("not flat on an input of ones: on a constant input phase r outputs the sum "
                  "over channels of c_i times that channel's gain, and these sums differ")  # fmt: skip


@TASKS("test_hidden_pattern_on_probe", kind="transfer", asks="... with a pattern on the probe")
@wrong_fails
def hidden_pattern_on_probe(ask, case: Case) -> Verdict:
    inside = _hidden(ask, case, probe=True)
    if spread(inside) >= 0.1:
        return passed("a pattern on the probe input")
    if not inside.any():
        return failed("the probe's channel has an all-zero kernel: its output is 0, flat")
    return failed("equal gains in every channel pair: the probe's channel alone gives a flat "
                  "output, so every constant input does; the channels' gains must differ and "
                  "cancel only when added up")  # fmt: skip
