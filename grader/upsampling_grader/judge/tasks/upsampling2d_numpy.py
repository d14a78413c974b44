"""The judge of upsampling2d_numpy: UpSampling2D in NumPy, nearest and bilinear, against Keras.

Every expected array comes from Keras's ``UpSampling2D`` (and
``tf.GradientTape`` through it) on inputs drawn here for each grading run; the
known wrong versions that the feedback names are computed here too.
"""

from __future__ import annotations

import numpy as np

from upsampling_grader.judge.answers import Wrong, value_of
from upsampling_grader.judge.named_mistakes import Mistake, close, judge, read_all
from upsampling_grader.judge.registry import Case, Tasks
from upsampling_grader.judge.tasks.upsampling2d_numpy_mistakes import (
    backward_mistakes,
    bilinear_backward_mistakes,
    budget_mistakes,
    forward_mistakes,
    matrix_mistakes,
)
from upsampling_grader.judge.tasks.upsampling2d_numpy_truths import (
    checked_against_keras,
    conv_parameters,
    keras_bilinear_matrix,
    keras_upsampling,
    source_positions,
    spatial,
    tape_gradient,
    to_layout,
    transposed_product,
)
from upsampling_grader.judge.verdicts import Verdict, failed, passed

NOTEBOOK = "upsampling2d_numpy"
KERNEL_MODULES = ("assignments/__init__", "assignments/upsampling2d_numpy")
TASKS = Tasks()


# --- inputs drawn for each grading run -------------------------------------------


def _random_sizes(rng, count: int) -> list[tuple[int, int]]:
    sizes = [(2, 3), (3, 2), (1, 4)]
    while len(sizes) < count:
        size = (int(rng.integers(1, 5)), int(rng.integers(1, 5)))
        if size != (1, 1):
            sizes.append(size)
    return sizes


def _random_images(rng, count: int) -> list[np.ndarray]:
    """Channels-last float32 images: batch 1-2, sides 1-6, channels 1-4 (odd sides included)."""
    shapes = [(2, 3, 5, 4), (1, 1, 1, 1), (1, 5, 2, 3)]
    while len(shapes) < count:
        shapes.append(
            (
                int(rng.integers(1, 3)),
                int(rng.integers(1, 7)),
                int(rng.integers(1, 7)),
                int(rng.integers(1, 5)),
            )
        )
    return [rng.normal(size=shape).astype("float32") for shape in shapes]


def _shape(array: np.ndarray) -> str:
    return str(tuple(array.shape))


# --- 1 and 2: the nearest layer in the student's layout ---------------------------


@TASKS(
    "test_forward",
    kind="shown",
    asks="UpSampling2D's forward pass (nearest) in your variant's data_format, against Keras",
)
def forward(ask, case: Case) -> Verdict:
    data_format = case.variant["data_format"]
    rng = case.rng("forward")
    images = [to_layout(x, data_format) for x in _random_images(rng, 20)]
    cases = list(zip(images, _random_sizes(rng, 20), strict=True))
    expected = [keras_upsampling(x, s, data_format, "nearest") for x, s in cases]

    def describe(c):
        return f"upsampling_forward on an array of shape {_shape(c[0])}, size {c[1]}"

    got = read_all(ask.calls("upsampling_forward", cases), cases, describe)
    return judge(
        got,
        cases,
        expected,
        forward_mistakes(data_format),
        describe,
        ok=f"upsampling_forward agrees with Keras ({data_format}) on {len(cases)} cases",
    )


def _upstream_cases(rng, data_format: str, count: int) -> list[tuple[np.ndarray, tuple]]:
    cases = []
    for images, size in zip(_random_images(rng, count), _random_sizes(rng, count), strict=True):
        n, h, w, c = images.shape
        upstream = rng.normal(size=(n, h * size[0], w * size[1], c)).astype("float32")
        cases.append((to_layout(upstream, data_format), size))
    return cases


@TASKS(
    "test_backward",
    kind="shown",
    asks="UpSampling2D's backward pass (nearest) in your data_format, against tf.GradientTape",
)
def backward(ask, case: Case) -> Verdict:
    data_format = case.variant["data_format"]
    cases = _upstream_cases(case.rng("backward"), data_format, 20)
    expected = [tape_gradient(g, s, data_format, "nearest") for g, s in cases]

    def describe(c):
        return f"upsampling_backward of a gradient of shape {_shape(c[0])}, size {c[1]}"

    got = read_all(ask.calls("upsampling_backward", cases), cases, describe)
    return judge(
        got,
        cases,
        expected,
        backward_mistakes(data_format),
        describe,
        truth="tf.GradientTape",
        ok=f"upsampling_backward agrees with tf.GradientTape on {len(cases)} cases",
    )


# --- 3: the bilinear layer as a matrix ---------------------------------------------


def _matrices(ask, cases) -> list:
    """The student's bilinear_matrix for each (length, factor), shape checked, or a Wrong."""

    def describe(c):
        return f"bilinear_matrix{c}"

    got = read_all(ask.calls("bilinear_matrix", cases), cases, describe)
    for index, ((length, factor), matrix) in enumerate(zip(cases, got, strict=True)):
        if isinstance(matrix, Wrong) or matrix.shape == (length * factor, length):
            continue
        if matrix.shape == (length, length * factor):
            got[index] = Wrong(
                f"bilinear_matrix{(length, factor)} has shape {matrix.shape}: that is the "
                f"transpose of U, which has one row per output pixel, shape "
                f"{(length * factor, length)}"
            )
        else:
            got[index] = Wrong(
                f"bilinear_matrix{(length, factor)} has shape {matrix.shape}, not "
                f"{(length * factor, length)}"
            )
    return got


def _matrix_cases(rng) -> list[tuple[int, int]]:
    cases = [(2, 2), (3, 2), (4, 3), (5, 4), (1, 3), (7, 2)]
    cases += [(int(rng.integers(2, 10)), int(rng.integers(2, 6))) for _ in range(14)]
    return cases


def _rows(rows_of, ask, case: Case, task: str, part: str) -> Verdict:
    cases = _matrix_cases(case.rng(task))
    got = _matrices(ask, cases)
    keep = [rows_of(*c) for c in cases]
    picked = [g if isinstance(g, Wrong) else g[k] for g, k in zip(got, keep, strict=True)]
    expected = [keras_bilinear_matrix(*c)[k] for c, k in zip(cases, keep, strict=True)]
    mistakes = [
        Mistake(m.says, m.advice, lambda c, m=m: m.result(c)[rows_of(*c)])
        for m in matrix_mistakes()
    ]
    return judge(
        picked,
        cases,
        expected,
        mistakes,
        lambda c: f"the {part} rows of bilinear_matrix{c}",
        ok=f"the {part} rows agree with Keras on {len(cases)} lengths and factors",
        rtol=1e-5,
        atol=1e-5,
    )


def interior_rows(length: int, factor: int) -> np.ndarray:
    x = source_positions(length, factor)
    return (x >= 0) & (x <= length - 1)


def border_rows(length: int, factor: int) -> np.ndarray:
    return ~interior_rows(length, factor)


@TASKS(
    "test_bilinear_interior",
    kind="transfer",
    asks="the weights of Keras's bilinear UpSampling2D as a matrix, away from the border",
)
def bilinear_interior(ask, case: Case) -> Verdict:
    return _rows(interior_rows, ask, case, "bilinear_interior", "interior")


@TASKS(
    "test_bilinear_border",
    kind="transfer",
    asks="the bilinear matrix's rows at the border, where Keras holds the edge value",
)
def bilinear_border(ask, case: Case) -> Verdict:
    return _rows(border_rows, ask, case, "bilinear_border", "border")


# --- 4: the bilinear layer's backward pass -------------------------------------------


def _bilinear_backward_cases(case: Case, task: str) -> list:
    data_format = case.variant["data_format"]
    rng = case.rng(task)
    cases = []
    for upstream, size in _upstream_cases(rng, data_format, 14):
        if min(spatial(upstream, data_format)) > 0:
            cases.append((upstream, size))
    return cases


def _describe_backward(c) -> str:
    return f"bilinear_backward of a gradient of shape {_shape(c[0])}, size {c[1]}"


@TASKS(
    "test_bilinear_backward_tape",
    kind="transfer",
    asks="the backward pass of bilinear UpSampling2D, against tf.GradientTape",
)
def bilinear_backward_tape(ask, case: Case) -> Verdict:
    data_format = case.variant["data_format"]
    cases = _bilinear_backward_cases(case, "bilinear_backward_tape")
    expected = [tape_gradient(g, s, data_format, "bilinear") for g, s in cases]
    got = read_all(ask.calls("bilinear_backward", cases), cases, _describe_backward)
    own = dict(
        zip((id(c[0]) for c in cases), _own_transposes(ask, cases, data_format), strict=True)
    )
    follows_question_3 = Mistake(
        "the transpose of your own bilinear_matrix, which differs from Keras's",
        "Your backward is right for the matrix you built: fix bilinear_matrix (question 3).",
        lambda c: own[id(c[0])],
    )
    return judge(
        got,
        cases,
        expected,
        [*bilinear_backward_mistakes(data_format), follows_question_3],
        _describe_backward,
        truth="tf.GradientTape",
        ok=f"bilinear_backward agrees with tf.GradientTape on {len(cases)} cases",
    )


def _own_transposes(ask, cases, data_format: str) -> list:
    """U_rows.T @ G @ U_cols with the student's own bilinear_matrix per case (None: no matrix)."""
    sides = []
    for upstream, (rows, cols) in cases:
        h, w = spatial(upstream, data_format)
        sides += [(h // rows, rows), (w // cols, cols)]
    matrices = _matrices(ask, sides)
    pairs = [matrices[i : i + 2] for i in range(0, len(matrices), 2)]
    return [
        None
        if any(isinstance(m, Wrong) for m in pair)
        else transposed_product(upstream, pair[0], pair[1], data_format)
        for (upstream, _), pair in zip(cases, pairs, strict=True)
    ]


@TASKS(
    "test_bilinear_backward_transpose",
    kind="transfer",
    asks="the bilinear backward is the transpose of the student's own matrix (U.T @ G @ V)",
)
def bilinear_backward_transpose(ask, case: Case) -> Verdict:
    """Graded against the student's own bilinear_matrix, so a slip there costs this cell nothing."""
    data_format = case.variant["data_format"]
    cases = _bilinear_backward_cases(case, "bilinear_backward_transpose")
    got = read_all(ask.calls("bilinear_backward", cases), cases, _describe_backward)
    expected = []
    for (upstream, size), mine, answer in zip(
        cases, _own_transposes(ask, cases, data_format), got, strict=True
    ):
        truth = tape_gradient(upstream, size, data_format, "bilinear")
        right = not isinstance(answer, Wrong) and close(answer, truth, 1e-4, 1e-4)
        expected.append(truth if mine is None or right else mine)
    return judge(
        got,
        cases,
        expected,
        bilinear_backward_mistakes(data_format),
        _describe_backward,
        truth="the transpose of your bilinear_matrix (U.T @ G @ V)",
        ok="bilinear_backward is the transpose of the upsampling's matrices",
    )


# --- 5: the most filters a parameter budget allows -----------------------------------


def _budget_cases(case: Case) -> list[tuple]:
    rng = case.rng("most_filters")
    use_bias = case.variant["use_bias"]
    checked_against_keras(rng, use_bias)
    cases = [(64, (3, 3), (2, 2), 9800), (3, (5, 5), (2, 2), 10), (1, (1, 1), (4, 4), 1)]
    for _ in range(20):
        channels = int(rng.integers(1, 513))
        kernel = (int(rng.integers(1, 8)), int(rng.integers(1, 8)))
        size = (int(rng.integers(1, 5)), int(rng.integers(1, 5)))
        per_filter = conv_parameters(channels, kernel, 1, use_bias)
        budget = int(per_filter * rng.integers(0, 200) + rng.integers(0, per_filter))
        cases.append((channels, kernel, size, budget))
    for _ in range(5):  # layers far too large to build: trillions of parameters
        channels = int(rng.integers(10_000, 100_000))
        kernel = (int(rng.integers(3, 12)), int(rng.integers(3, 12)))
        budget = int(rng.integers(10**12, 10**15))
        cases.append((channels, kernel, (2, 2), budget))
    return cases


def _filters(answer, what: str) -> int:
    value = value_of(answer, what)
    if isinstance(value, (bool, np.bool_)):
        raise Wrong(f"{what} is a bool, not a number of filters")
    if isinstance(value, np.integer):
        value = int(value)
    if type(value) is not int:
        raise Wrong(f"{what} is {value!r}, not a whole number (use // to divide)")
    if value < 0:
        raise Wrong(f"{what} is negative")
    return value


def _budget_verdict(ask, case: Case, fits: bool) -> Verdict:
    use_bias = case.variant["use_bias"]
    cases = _budget_cases(case)
    answers = ask.calls("most_filters", cases)
    for answer, (channels, kernel, size, budget) in zip(answers, cases, strict=True):
        what = f"most_filters({channels}, {kernel}, {size}, {budget})"
        try:
            got = _filters(answer, what)
        except Wrong as why:
            return failed(str(why))
        used = conv_parameters(channels, kernel, got, use_bias)
        more = conv_parameters(channels, kernel, got + 1, use_bias)
        if (used <= budget) if fits else (more > budget):
            continue
        named = [
            says
            for says, f in budget_mistakes(use_bias)
            if f(channels, kernel, size, budget) == got
        ]
        diagnosis = (
            f"this is the count that {named[0]}"
            if named
            else "it matches none of the mistakes the grader knows"
        )
        problem = (
            f"{got} filters take {used:,} parameters, over the budget"
            if fits
            else f"{got + 1} filters still fit the budget"
        )
        return failed(
            f"{what} returned {got}: {problem}; {diagnosis}. A Conv2D filter spans every input "
            "channel; the UpSampling2D before it has no parameters"
        )
    return passed(
        f"most_filters is right on {len(cases)} layers, some far too large to build in Keras"
    )


@TASKS(
    "test_most_filters_fits",
    kind="transfer",
    asks="the filters a parameter budget allows after UpSampling2D: the count fits the budget",
)
def most_filters_fits(ask, case: Case) -> Verdict:
    return _budget_verdict(ask, case, fits=True)


@TASKS(
    "test_most_filters_largest",
    kind="transfer",
    asks="the filters a parameter budget allows: one more filter would not fit",
)
def most_filters_largest(ask, case: Case) -> Verdict:
    return _budget_verdict(ask, case, fits=False)
