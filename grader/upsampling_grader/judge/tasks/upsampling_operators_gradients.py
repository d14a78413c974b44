"""The judge of upsampling_operators, questions 1 to 3: a transposed layer's matrix and gradients.

Every expected value comes from Keras layers and ``tf.GradientTape``
(``upsampling_operators_keras``), outside the student's kernel, on inputs
drawn fresh for each grading run. A
failing answer is compared with known wrong versions of its task
(:mod:`upsampling_grader.judge.named_mistakes`) and the message names the one
it matches.
"""

from __future__ import annotations

import numpy as np

from upsampling_grader.judge.named_mistakes import Mistake, judge, read_all
from upsampling_grader.judge.registry import Case, Tasks
from upsampling_grader.judge.tasks.upsampling_operators_keras import (
    keras_transposed_matrix,
    kernel_gradient,
    transposed_gradient,
)
from upsampling_grader.judge.verdicts import Verdict

TASKS = Tasks()
CASES = 12  # random cases per test cell


def _one_d_cases(rng, short: bool | None, stride_one: bool | None) -> list[tuple]:
    """(kernel, size, stride) triples: kernels shorter than the stride (``short``), stride 1."""
    cases = []
    while len(cases) < CASES:
        stride = 1 if stride_one else int(rng.integers(2, 5))
        length = int(rng.integers(1, stride) if short else rng.integers(stride, stride + 5))
        cases.append((rng.normal(size=length).round(3), int(rng.integers(1, 7)), stride))
    return cases


# --- 1. the matrix of a transposed layer ---------------------------------------------------


def _conv_matrix(kernel: np.ndarray, size: int, stride: int) -> np.ndarray:
    """The convolution's own matrix C (T's transpose), the answer to another question."""
    return keras_transposed_matrix(kernel, size, stride).T


MATRIX_MISTAKES = [
    Mistake(
        "the kernel flipped",
        "A transposed convolution writes kernel[t] to output i * stride + t; it does not flip "
        "the kernel.",
        lambda c: keras_transposed_matrix(c[0][::-1], c[1], c[2]),
    ),
    Mistake(
        "the convolution's matrix C, not C.T",
        "T has one row per output sample and one column per input sample.",
        lambda c: _conv_matrix(*c),
    ),
    Mistake(
        "the scatter's length, (input_size - 1) * stride + len(kernel) rows",
        "With a kernel shorter than the stride Keras outputs input_size * stride samples: "
        "zero rows follow the last copy.",
        lambda c: keras_transposed_matrix(*c)[: (c[1] - 1) * c[2] + len(c[0])],
    ),
]


def _matrix_task(ask, case: Case, task: str, short: bool) -> Verdict:
    cases = _one_d_cases(case.rng(task), short=short, stride_one=False)

    def describe(c) -> str:
        return f"transposed_matrix(a kernel of {len(c[0])}, {c[1]}, {c[2]})"

    got = read_all(ask.calls("transposed_matrix", cases), cases, describe)
    expected = [keras_transposed_matrix(*c) for c in cases]
    return judge(
        got, cases, expected, MATRIX_MISTAKES, describe,
        ok=f"transposed_matrix agrees with Conv1DTranspose on {len(cases)} layers it had not seen",
    )  # fmt: skip


@TASKS(
    "test_transposed_matrix_keras", kind="shown", asks="T of a Conv1DTranspose, kernel >= stride"
)
def transposed_matrix_keras(ask, case: Case) -> Verdict:
    return _matrix_task(ask, case, "transposed_matrix_keras", short=False)


@TASKS(
    "test_transposed_matrix_short_kernels",
    kind="shown",
    asks="T of a Conv1DTranspose whose kernel is shorter than the stride",
)
def transposed_matrix_short(ask, case: Case) -> Verdict:
    return _matrix_task(ask, case, "transposed_matrix_short", short=True)


# --- 2. the backward pass of a transposed layer --------------------------------------------


def _transposed_cases(rng, stride_one: bool) -> list[tuple]:
    """(kernel, upstream, size, stride): upstream as long as the layer's output."""
    out = []
    for kernel, size, stride in _one_d_cases(rng, short=None, stride_one=stride_one):
        if rng.random() < 0.3 and stride > 1:
            kernel = kernel[: int(rng.integers(1, stride))]  # some kernels shorter than stride
        length = (size - 1) * stride + max(len(kernel), stride)
        out.append((kernel, rng.normal(size=length).round(3), size, stride))
    return out


TRANSPOSED_MISTAKES = [
    Mistake(
        "the kernel flipped",
        "Input i wrote kernel[t] * x[i] to output i * stride + t: its gradient reads those "
        "outputs with the same weights, in the same order.",
        lambda c: transposed_gradient((c[0][::-1], *c[1:])),
    ),
    Mistake(
        "the stride ignored",
        "Input i wrote its kernel copy from output i * stride on, not from output i.",
        lambda c: np.array([c[1][i : i + len(c[0])] @ c[0] for i in range(c[2])]),
    ),
]


def _transposed_task(ask, case: Case, task: str, stride_one: bool) -> Verdict:
    cases = _transposed_cases(case.rng(task), stride_one)

    def describe(c) -> str:
        return f"transposed_input_gradient(a kernel of {len(c[0])}, ..., {c[2]}, {c[3]})"

    got = read_all(ask.calls("transposed_input_gradient", cases), cases, describe)
    expected = [transposed_gradient(c) for c in cases]
    return judge(
        got, cases, expected, TRANSPOSED_MISTAKES, describe, truth="tf.GradientTape",
        ok=f"the gradient agrees with tf.GradientTape on {len(cases)} layers it had not seen",
    )  # fmt: skip


@TASKS(
    "test_transposed_gradient_stride_1",
    kind="transfer",
    asks="the input gradient of a Conv1DTranspose, stride 1",
)
def transposed_gradient_stride_1(ask, case: Case) -> Verdict:
    return _transposed_task(ask, case, "transposed_gradient_stride_1", stride_one=True)


@TASKS(
    "test_transposed_gradient_strided",
    kind="transfer",
    asks="the input gradient of a Conv1DTranspose, strides above 1",
)
def transposed_gradient_strided(ask, case: Case) -> Verdict:
    return _transposed_task(ask, case, "transposed_gradient_strided", stride_one=False)


# --- 3. the gradient with respect to the kernel ---------------------------------------------


def _kernel_cases(rng, stride_one: bool) -> list[tuple]:
    """(inputs, upstream, kernel_size, stride); strided signals often leave samples unread."""
    out = []
    while len(out) < CASES:
        stride = 1 if stride_one else int(rng.integers(2, 5))
        size = int(rng.integers(1, 6))
        length = size + int(rng.integers(size, size + 3 * stride + 4))
        outputs = (length - size) // stride + 1
        out.append(
            (rng.normal(size=length).round(3), rng.normal(size=outputs).round(3), size, stride)
        )
    return out


KERNEL_MISTAKES = [
    Mistake(
        "the result reversed",
        "Keras's convolution is a cross-correlation: weight t read sample j * stride + t.",
        lambda c: kernel_gradient(c)[::-1],
    ),
    Mistake(
        "the stride ignored",
        "Output j read samples j * stride + t, not j + t.",
        lambda c: np.array([c[1] @ c[0][t : t + len(c[1])] for t in range(c[2])]),
    ),
]


def _kernel_task(ask, case: Case, task: str, stride_one: bool) -> Verdict:
    cases = _kernel_cases(case.rng(task), stride_one)

    def describe(c) -> str:
        return f"conv_kernel_gradient(a signal of {len(c[0])}, ..., {c[2]}, {c[3]})"

    got = read_all(ask.calls("conv_kernel_gradient", cases), cases, describe)
    expected = [kernel_gradient(c) for c in cases]
    return judge(
        got, cases, expected, KERNEL_MISTAKES, describe, truth="tf.GradientTape",
        ok=f"the gradient agrees with tf.GradientTape on {len(cases)} signals it had not seen",
    )  # fmt: skip


@TASKS(
    "test_kernel_gradient_stride_1",
    kind="transfer",
    asks="the kernel gradient of a Conv1D, stride 1",
)
def kernel_gradient_stride_1(ask, case: Case) -> Verdict:
    return _kernel_task(ask, case, "kernel_gradient_stride_1", stride_one=True)


@TASKS(
    "test_kernel_gradient_strided",
    kind="transfer",
    asks="the kernel gradient of a Conv1D, strides above 1 (unread samples)",
)
def kernel_gradient_strided(ask, case: Case) -> Verdict:
    return _kernel_task(ask, case, "kernel_gradient_strided", stride_one=False)
