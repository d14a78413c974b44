"""The judge of upsampling_operators, questions 4 to 6: kernels that make one layer another.

Every expected value comes from Keras layers and ``tf.GradientTape``
(``upsampling_operators_keras``), outside the student's kernel, on inputs
drawn fresh for each grading run. A
failing answer is compared with known wrong versions of its task
(:mod:`upsampling_grader.judge.named_mistakes`) and the message names the one
it matches.
"""

from __future__ import annotations

import functools

import numpy as np

from upsampling_grader.judge.answers import Wrong
from upsampling_grader.judge.named_mistakes import Mistake, judge, read_all, read_array
from upsampling_grader.judge.registry import Case, Tasks
from upsampling_grader.judge.tasks.upsampling_operators_keras import (
    keras_subpixel_output,
    nearest_output,
    round_trip,
    subpixel_output,
    transposed_output,
)
from upsampling_grader.judge.verdicts import Verdict, failed, passed

TASKS = Tasks()


def wrong_fails(task):
    """The task, with an answer it cannot read (``Wrong``) failed with the reason."""

    @functools.wraps(task)
    def judged(ask, case: Case) -> Verdict:
        try:
            return task(ask, case)
        except Wrong as why:
            return failed(str(why))

    return judged


# --- 4. the sub-pixel equivalent of a Conv2DTranspose --------------------------------------


def _taps_reordered(kernel: np.ndarray, order: str) -> np.ndarray:
    """A sub-pixel kernel whose channels follow a wrong order (the mistakes below)."""
    stride, _, filters, channels = kernel.shape
    weights = np.zeros((1, 1, channels, stride * stride * filters))
    for i in range(stride):
        for j in range(stride):
            for f in range(filters):
                channel = {
                    "column-major": (j * stride + i) * filters + f,
                    "filters first": f * stride * stride + i * stride + j,
                }[order]
                weights[0, 0, :, channel] = kernel[i, j, f, :]
    return weights


def _subpixel_task(ask, case: Case, task: str, many: bool) -> Verdict:
    rng = case.rng(task)
    cases = []
    for _ in range(6):
        stride = int(rng.integers(2, 5))
        filters, channels = (int(rng.integers(2, 5)), int(rng.integers(2, 4))) if many else (1, 1)
        cases.append(rng.normal(size=(stride, stride, filters, channels)).round(3))
    images = [rng.normal(size=(1, 3, 4, k.shape[-1])) for k in cases]

    def describe(k) -> str:
        return f"subpixel_kernel(a kernel of shape {k.shape})"

    def output(weights: np.ndarray | None, index: int) -> np.ndarray | None:
        return (
            None
            if weights is None
            else subpixel_output(weights, images[index], cases[index].shape[0])
        )

    got = read_all(ask.calls("subpixel_kernel", [(k,) for k in cases]), cases, describe)
    outputs = []
    for index, (weights, kernel) in enumerate(zip(got, cases, strict=True)):
        s, _, f, c = kernel.shape
        if not isinstance(weights, Wrong) and weights.shape != (1, 1, c, s * s * f):
            weights = Wrong(
                f"{describe(kernel)} has shape {weights.shape}, not {(1, 1, c, s * s * f)}"
            )
        outputs.append(weights if isinstance(weights, Wrong) else output(weights, index))
    numbered = list(range(len(cases)))
    mistakes = [
        Mistake(
            f"the taps in {order} order",
            "depth_to_space reads channel (i * s + j) * F + f into row i, column j, filter f.",
            lambda i, order=order: output(_taps_reordered(cases[i], order), i),
        )
        for order in ("column-major", "filters first")
    ]
    return judge(
        outputs, numbered, [keras_subpixel_output(k, images[i]) for i, k in enumerate(cases)],
        mistakes, lambda i: f"depth_to_space of the 1 x 1 convolution with {describe(cases[i])}",
        ok=f"the sub-pixel layer equals Conv2DTranspose on {len(cases)} kernels it had not seen",
    )  # fmt: skip


@TASKS(
    "test_subpixel_one_filter", kind="shown", asks="sub-pixel weights of a kernel = stride, F = 1"
)
def subpixel_one_filter(ask, case: Case) -> Verdict:
    return _subpixel_task(ask, case, "subpixel_one_filter", many=False)


@TASKS(
    "test_subpixel_many_filters",
    kind="shown",
    asks="sub-pixel weights, several filters and channels",
)
def subpixel_many_filters(ask, case: Case) -> Verdict:
    return _subpixel_task(ask, case, "subpixel_many_filters", many=True)


# --- 5. a transposed layer that starts as nearest-neighbour upsampling ----------------------


def _nearest_cases(rng) -> list[tuple]:
    """(base kernel (1, 1, C, F), scale, inputs): C != F, so that a swapped layout shows."""
    out = []
    while len(out) < 6:
        channels, filters = int(rng.integers(1, 4)), int(rng.integers(1, 5))
        if channels != filters:
            scale = int(rng.integers(2, 5))
            base = rng.normal(size=(1, 1, channels, filters)).round(3)
            out.append((base, scale, rng.normal(size=(1, 3, 4, channels))))
    return out


def _nearest_kernels(ask, cases) -> list[np.ndarray | Wrong]:
    def describe(c) -> str:
        return f"nearest_transpose_kernel(a base kernel of shape {c[0].shape}, {c[1]})"

    kernels = read_all(
        ask.calls("nearest_transpose_kernel", [c[:2] for c in cases]), cases, describe
    )
    for index, (kernel, (base, scale, _)) in enumerate(zip(kernels, cases, strict=True)):
        _, _, channels, filters = base.shape
        if isinstance(kernel, Wrong) or kernel.shape == (scale, scale, filters, channels):
            continue
        if kernel.shape == (scale, scale, channels, filters):
            kernels[index] = Wrong(
                f"{describe(cases[index])}: channels for filters: shape {kernel.shape} is a "
                "Conv2D kernel's layout; a Conv2DTranspose kernel is (k, k, filters, channels)"
            )
        else:
            kernels[index] = Wrong(f"{describe(cases[index])} has shape {kernel.shape}")
    return kernels


def _tiled(base: np.ndarray, scale: int) -> np.ndarray:
    """The base kernel's weights in every tap: the kernel asked for (the judge's own copy)."""
    return np.tile(base[0, 0].T, (scale, scale, 1, 1))


def _one_tap(base: np.ndarray, scale: int) -> np.ndarray:
    kernel = np.zeros((scale, scale, *base[0, 0].T.shape))
    kernel[0, 0] = base[0, 0].T
    return kernel


@TASKS("test_nearest_flat_blocks", kind="transfer", asks="a Conv2DTranspose kernel: flat blocks")
@wrong_fails
def nearest_flat_blocks(ask, case: Case) -> Verdict:
    cases = _nearest_cases(case.rng("nearest"))
    for kernel, (base, scale, inputs) in zip(_nearest_kernels(ask, cases), cases, strict=True):
        if isinstance(kernel, Wrong):
            raise kernel
        constant = np.ones_like(inputs) * inputs[:, :1, :1, :]  # one value per channel
        out = transposed_output(kernel, constant)[0]
        blocks = out.reshape(3, scale, 4, scale, -1)
        gap = float((blocks.max(axis=(1, 3)) - blocks.min(axis=(1, 3))).max())
        if gap > 1e-5 * max(float(np.abs(out).max()), 1e-12):
            named = (
                "the weights in one tap of each block and zeros in the others (zero insertion): "
                if np.allclose(kernel, _one_tap(base, scale))
                else ""
            )
            return failed(
                f"{named}on a constant input the pixels of one {scale} x {scale} block differ by "
                f"up to {gap:.3g}: every tap of the block must hold the same weights"
            )
    return passed(f"flat blocks on constant inputs for {len(cases)} base kernels")


@TASKS(
    "test_nearest_upsampling", kind="transfer", asks="... equal to UpSampling2D of the 1 x 1 conv"
)
@wrong_fails
def nearest_upsampling(ask, case: Case) -> Verdict:
    cases = _nearest_cases(case.rng("nearest"))
    kernels = _nearest_kernels(ask, cases)
    outputs = [
        k if isinstance(k, Wrong) else transposed_output(k, c[2])
        for k, c in zip(kernels, cases, strict=True)
    ]
    mistakes = [
        Mistake(
            "the weights divided by scale * scale",
            "Nearest-neighbour upsampling copies each value to the whole block; it does not average.",
            lambda c: transposed_output(_tiled(c[0], c[1]) / c[1] ** 2, c[2]),
        ),
        Mistake(
            "the weights in one tap of each block, zeros in the others",
            "Every tap of the block must hold the base kernel's weights.",
            lambda c: transposed_output(_one_tap(c[0], c[1]), c[2]),
        ),
    ]  # fmt: skip
    return judge(
        outputs, cases, [nearest_output(*c) for c in cases], mistakes,
        lambda c: f"the layer with nearest_transpose_kernel(a base of shape {c[0].shape}, {c[1]})",
        truth="UpSampling2D of the 1 x 1 convolution",
        ok=f"equal to UpSampling2D of the 1 x 1 convolution for {len(cases)} base kernels",
    )  # fmt: skip


# --- 6. when a convolution undoes a transposed layer ----------------------------------------


def _round_trip_kernel(ask, case: Case) -> np.ndarray:
    size = case.variant["round_trip_layer"][0]
    kernel = read_array(ask.value("round_trip_kernel"), "round_trip_kernel").astype("float64")
    if kernel.shape != (size,):
        raise Wrong(f"round_trip_kernel has shape {kernel.shape}: your layer's kernel has {size}")
    return kernel


def _round_trip_problem(kernel: np.ndarray, case: Case) -> str | None:
    """None when Conv1D(Conv1DTranspose(x)) == gain * x on random signals, else why not."""
    stride, gain = case.variant["round_trip_layer"][1], case.variant["round_trip_gain"]
    signals = case.rng("round_trip").normal(size=(4, 7))
    if np.allclose(
        round_trip(kernel, stride, signals), gain * signals, rtol=1e-4, atol=1e-4 * gain
    ):
        return None
    unit = round_trip(kernel, stride, np.eye(5)[2:3])[0]  # what sample 2 alone comes back as
    own, leak = float(unit[2]), float(np.abs(unit[[1, 3]]).max())
    if leak > 1e-4 * gain:
        return (
            f"a sample that is 1 comes back as {own:.4g} in its place and leaks {leak:.3g} into "
            "its neighbours: the neighbouring kernel copies overlap without cancelling"
        )
    return f"no leak into the neighbours, but each sample comes back {own:.4g} times itself, not {gain}"


@TASKS("test_round_trip", kind="transfer", asks="a kernel whose convolution undoes its transpose")
@wrong_fails
def round_trip_gives_back(ask, case: Case) -> Verdict:
    problem = _round_trip_problem(_round_trip_kernel(ask, case), case)
    if problem:
        return failed(problem)
    return passed(f"the round trip gives back {case.variant['round_trip_gain']} times the input")


@TASKS("test_round_trip_taps", kind="transfer", asks="... with every weight non-zero")
@wrong_fails
def round_trip_taps(ask, case: Case) -> Verdict:
    kernel = _round_trip_kernel(ask, case)
    if (np.abs(kernel) <= 1e-9 * np.abs(kernel).max()).any():
        return failed(
            "round_trip_kernel has a weight of 0: zeros where the copies meet avoid the overlap "
            "instead of balancing it"
        )
    problem = _round_trip_problem(kernel, case)
    if problem:
        return failed(f"every weight is non-zero, but the round trip fails: {problem}")
    return passed("every weight is non-zero")
