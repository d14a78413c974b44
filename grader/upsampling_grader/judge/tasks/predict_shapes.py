"""The judge of predict_shapes: shapes predicted layer by layer, the convolution rule and its
inverse, a Dense layer on a feature map, and a generator designed backwards, against Keras.

Every expected value comes from Keras layers built here, outside the
student's kernel, on the student's variant and on inputs drawn fresh for each
grading run. A failing answer is compared with known wrong versions of the
rule (computed here) and the message names the one it matches.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

from upsampling_course.assignments.predict_shapes import (
    backwards_stack,
    classifier_stack,
    generator_stack,
)
from upsampling_course.keras_setup import keras_module
from upsampling_grader.judge.answers import Wrong, exact_int, value_of
from upsampling_grader.judge.registry import Case, Tasks
from upsampling_grader.judge.tasks._stacks import judge_stack, output_shape
from upsampling_grader.judge.verdicts import Verdict, failed, passed

NOTEBOOK = "predict_shapes"
KERNEL_MODULES = ("assignments/__init__", "assignments/predict_shapes")
TASKS = Tasks()
PADDINGS = ("valid", "same")

# A known wrong version of a rule: what it says, and what it returns for one case.
Mistake = tuple[str, Callable[..., object]]


def _matching(got: Sequence, cases: Sequence, mistakes: Sequence[Mistake]) -> str | None:
    """The mistake whose results equal every one of ``got`` on ``cases``, if any."""
    for says, rule in mistakes:
        try:
            if all(g == rule(*c) for g, c in zip(got, cases, strict=True)):
                return says
        except Exception:  # the mistake is not defined for one of these cases
            continue
    return None


def _named(failing: list[tuple], mistakes: Sequence[Mistake], first: str) -> Verdict:
    """Fail on ``first`` (the first failing case, described), naming the mistake if one fits."""
    says = _matching([g for g, _ in failing], [c for _, c in failing], mistakes)
    if says is not None:
        return failed(f"{first}: this is {says}")
    known = "; ".join(s for s, _ in mistakes)
    return failed(f"{first}. It matches none of the mistakes the grader knows ({known}).")


def _function_verdict(
    answers, cases, expected, name: str, mistakes: Sequence[Mistake], read
) -> Verdict:
    failing = []
    first = None
    for answer, args, want in zip(answers, cases, expected, strict=True):
        call = f"{name}({', '.join(repr(a) for a in args)})"
        try:
            got = read(value_of(answer, call), call)
        except Wrong as why:
            return failed(str(why))
        if got != want:
            failing.append((got, args))
            first = first or f"{call} returned {got!r}, Keras gives {want!r}"
    if not failing:
        return passed(f"{name} agrees with Keras on {len(cases)} cases it had not seen")
    return _named(failing, mistakes, first)


@TASKS(
    "test_classifier_shapes",
    kind="shown",
    asks="the output shape of each layer of your classifier (a slip does not cost later layers)",
)
def classifier_shapes(ask, case: Case) -> Verdict:
    try:
        value = value_of(ask.value("classifier_shapes"), "classifier_shapes")
    except Wrong as why:
        return failed(str(why))
    return judge_stack(value, "classifier_shapes", *classifier_stack(case.variant))


@TASKS(
    "test_generator_shapes",
    kind="shown",
    asks="the output shape of each layer of your generator (a slip does not cost later layers)",
)
def generator_shapes(ask, case: Case) -> Verdict:
    try:
        value = value_of(ask.value("generator_shapes"), "generator_shapes")
    except Wrong as why:
        return failed(str(why))
    return judge_stack(value, "generator_shapes", *generator_stack(case.variant))


# ---------------------------------------------------------------------------
# The convolution rule and its inverse


@functools.cache
def conv_length(size: int, kernel: int, stride: int, padding: str) -> int | None:
    """Keras's output side for a Conv2D, or None where the kernel does not fit.

    Keras's own shape function for convolutions (what ``Conv2D.compute_output_shape``
    calls), without building a layer: the inverse task asks it thousands of times.
    """
    from keras.src.ops.operation_utils import compute_conv_output_shape

    keras_module()
    try:
        out = compute_conv_output_shape((1, size, 1, 1), 1, (kernel, 1), (stride, 1), padding)
    except ValueError:  # Keras refuses a kernel larger than a 'valid' input
        return None
    return int(out[1]) if out[1] is not None and out[1] > 0 else None


CONV_MISTAKES: dict[str, list[Mistake]] = {
    "valid": [
        ("the stride forgotten, n - k + 1", lambda n, k, s, p: n - k + 1),
        ("dividing before subtracting, n // s - k + 1", lambda n, k, s, p: n // s - k + 1),
        ("the 'same' rule, ceil(n / s)", lambda n, k, s, p: -(-n // s)),
    ],
    "same": [
        ("rounding down, n // s", lambda n, k, s, p: n // s),
        ("'same' read as the same size, n", lambda n, k, s, p: n),
        ("the 'valid' rule", lambda n, k, s, p: (n - k) // s + 1),
    ],
}


def _conv_rule(ask, case: Case, padding: str, task: str) -> Verdict:
    rng = case.rng(task)
    fixed = {
        "valid": [(27, 3, 2), (7, 7, 1), (10, 4, 3), (5, 1, 5)],
        "same": [(1, 1, 3), (9, 3, 3), (10, 5, 4)],
    }
    cases = [(n, k, s, padding) for n, k, s in fixed[padding]]
    while len(cases) < 60:
        n, k, s = int(rng.integers(1, 41)), int(rng.integers(1, 8)), int(rng.integers(1, 5))
        if padding == "same" or k <= n:
            cases.append((n, k, s, padding))
    expected = [conv_length(*c) for c in cases]
    answers = ask.calls("conv_output_length", cases)
    return _function_verdict(
        answers, cases, expected, "conv_output_length", CONV_MISTAKES[padding], exact_int
    )


@TASKS("test_conv_output_length", kind="shown", asks="the 'valid' convolution rule, with strides")
def conv_output_length_valid(ask, case: Case) -> Verdict:
    return _conv_rule(ask, case, "valid", "conv_valid")


@TASKS(
    "test_conv_output_length_same", kind="shown", asks="the 'same' convolution rule, with strides"
)
def conv_output_length_same(ask, case: Case) -> Verdict:
    return _conv_rule(ask, case, "same", "conv_same")


def true_input_sides(output: int, kernel: int, stride: int, padding: str) -> list[int]:
    """Every input side that Keras's Conv2D maps to ``output`` (no side beyond the last
    one that can: the output only grows with the input)."""
    limit = output * stride + kernel + stride
    return [n for n in range(1, limit + 1) if conv_length(n, kernel, stride, padding) == output]


INVERSE_MISTAKES: dict[str, list[Mistake]] = {
    "valid": [
        ("only the smallest side", lambda o, k, s, p: [(o - 1) * s + k]),
        ("only the largest side", lambda o, k, s, p: [(o - 1) * s + k + s - 1]),
        ("one side too many", lambda o, k, s, p: list(range((o - 1) * s + k, o * s + k + 1))),
        ("the 'same' rule's sides", lambda o, k, s, p: list(range((o - 1) * s + 1, o * s + 1))),
    ],
    "same": [
        ("only the largest side, output * stride", lambda o, k, s, p: [o * s]),
        ("only the smallest side", lambda o, k, s, p: [(o - 1) * s + 1]),
        ("one side too many", lambda o, k, s, p: list(range((o - 1) * s + 1, o * s + 2))),
        ("the 'valid' rule's sides", lambda o, k, s, p: list(range((o - 1) * s + k, o * s + k))),
    ],
}


def _int_list(value: object, what: str) -> list[int]:
    if type(value) is not list:
        raise Wrong(f"{what} is not a list (give the sides as a list of ints)")
    return [exact_int(v, f"{what}: each side") for v in value]


def _inverse(ask, case: Case, padding: str, task: str) -> Verdict:
    rng = case.rng(task)
    fixed = {"valid": [(3, 3, 2), (1, 4, 3), (5, 1, 4)], "same": [(4, 3, 2), (1, 2, 3), (5, 4, 1)]}
    cases = [(o, k, s, padding) for o, k, s in fixed[padding]]
    cases += [
        (int(rng.integers(1, 16)), int(rng.integers(1, 8)), int(rng.integers(1, 5)), padding)
        for _ in range(40)
    ]
    expected = [true_input_sides(*c) for c in cases]
    answers = ask.calls("input_sides", cases)
    return _function_verdict(
        answers, cases, expected, "input_sides", INVERSE_MISTAKES[padding], _int_list
    )


@TASKS(
    "test_input_sides_valid",
    kind="transfer",
    asks="every input side a 'valid' strided Conv2D maps to a given output side",
)
def input_sides_valid(ask, case: Case) -> Verdict:
    return _inverse(ask, case, "valid", "inverse_valid")


@TASKS(
    "test_input_sides_same",
    kind="transfer",
    asks="every input side a 'same' strided Conv2D maps to a given output side",
)
def input_sides_same(ask, case: Case) -> Verdict:
    return _inverse(ask, case, "same", "inverse_same")


# ---------------------------------------------------------------------------
# UpSampling2D, a Dense layer on a feature map, a generator designed backwards


def _pair(size) -> tuple[int, int]:
    return (size, size) if isinstance(size, int) else tuple(size)


UPSAMPLING_MISTAKES: list[Mistake] = [
    ("size[0] used for both axes", lambda s, f: (s[0] * _pair(f)[0], s[1] * _pair(f)[0], s[2])),
    ("the axes swapped", lambda s, f: (s[0] * _pair(f)[1], s[1] * _pair(f)[0], s[2])),
    (
        "the channels scaled too",
        lambda s, f: (s[0] * _pair(f)[0], s[1] * _pair(f)[1], s[2] * _pair(f)[0]),
    ),
]


def _shape_tuple(value: object, what: str) -> tuple[int, ...]:
    if type(value) is not tuple:
        raise Wrong(f"{what} is not a tuple (give (height, width, channels))")
    return tuple(exact_int(v, f"{what}: each size") for v in value)


@TASKS("test_upsampling_output_shape", kind="shown", asks="UpSampling2D's output shape")
def upsampling_output_shape(ask, case: Case) -> Verdict:
    rng = case.rng("upsampling")
    cases = [((2, 2, 1), (2, 3)), ((5, 3, 8), 3), ((4, 6, 2), (3, 1)), ((1, 1, 128), (2, 2))]
    for _ in range(12):
        shape = tuple(int(v) for v in rng.integers(1, 10, size=3))
        size = (int(rng.integers(1, 5)), int(rng.integers(1, 5)))
        cases.append((shape, size if size[0] != size[1] else size[0]))
    expected = [output_shape(("UpSampling2D", (size,), {}), shape) for shape, size in cases]
    answers = ask.calls("upsampling_output_shape", cases)
    return _function_verdict(
        answers, cases, expected, "upsampling_output_shape", UPSAMPLING_MISTAKES, _shape_tuple
    )


@TASKS(
    "test_dense_parameters",
    kind="transfer",
    asks="the parameters of a Dense layer applied to a feature map (not flattened)",
)
def dense_parameters(ask, case: Case) -> Verdict:
    v = case.variant
    side, channels, units = v["feature_side"], v["feature_channels"], v["dense_units"]
    try:
        got = exact_int(
            value_of(ask.value("dense_parameters"), "dense_parameters"), "dense_parameters"
        )
    except Wrong as why:
        return failed(str(why))
    layer = keras_module().layers.Dense(units)
    layer.build((None, side, side, channels))
    want = int(layer.count_params())
    if got == want:
        return passed(f"{want} parameters: the same {channels} x {units} weights at every position")
    mistakes = {
        side * side * channels * units + units: "the feature map flattened first",
        channels * units: "the bias forgotten",
        side * side * (channels * units + units): "one Dense layer per position",
    }
    says = mistakes.get(got)
    why = f"this is {says}" if says else "it matches none of the mistakes the grader knows"
    return failed(
        f"dense_parameters = {got}, Keras gives another count: {why}. A Dense layer acts on the "
        "last axis of its input"
    )


def backwards_end(variant, side: int) -> tuple[int, ...] | None:
    """Where question 7's stack ends from a start side, in Keras (None: a layer does not fit)."""
    shape: tuple[int, ...] = (side * side * 128,)
    try:
        for spec in backwards_stack(variant, side):
            shape = output_shape(spec, shape)
    except ValueError:
        return None
    return shape


@TASKS(
    "test_start_side",
    kind="transfer",
    asks="the start side that makes a fixed generator end at your target (designed backwards)",
)
def start_side(ask, case: Case) -> Verdict:
    first, second, target = case.variant["backwards"]
    try:
        side = exact_int(value_of(ask.value("start_side"), "start_side"), "start_side")
    except Wrong as why:
        return failed(str(why))
    if not 1 <= side <= 64:
        return failed(f"start_side = {side} is not a plausible side (1 to 64)")
    end = backwards_end(case.variant, side)
    if end == (target, target, 1):
        return passed(f"the generator ends at {target} x {target} x 1")
    mistakes = {
        target // 4: "the upsampling undone and the 'valid' convolutions forgotten",
        ((target // 2 + second - 1) // 2) + first - 1: "each convolution undone after its "
        "upsampling instead of before",
        (target + second - 1 + first - 1) // 4: "the lost pixels added back before halving",
    }
    named = mistakes.get(side)
    why = f"this is {named}" if named else "it matches none of the mistakes the grader knows"
    ends = "a convolution does not fit" if end is None else f"it ends at {end}"
    return failed(
        f"with start_side = {side} {ends}: {why}. Undo the layers from the output, last layer "
        "first: a 'valid' convolution adds back kernel_size - 1 pixels"
    )
