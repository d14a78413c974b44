"""The judge of shape_formulas: output lengths, layer designs and their inverse, against Keras.

Every expected value comes from Keras layers built here, outside the
student's kernel, on inputs drawn fresh for each grading run.
"""

from __future__ import annotations

from upsampling_course.keras_setup import keras_module
from upsampling_grader.judge.answers import (
    Wrong,
    exact_int,
    exact_str,
    int_tuple,
    optional_int,
    value_of,
)
from upsampling_grader.judge.registry import Case, Tasks
from upsampling_grader.judge.verdicts import Verdict, failed, passed

NOTEBOOK = "shape_formulas"
KERNEL_MODULES = ("plotting", "assignments/__init__", "assignments/shape_formulas")
TASKS = Tasks()
PADDINGS = ("valid", "same")
SETTINGS_KEYS = {"kernel_size", "padding", "output_padding"}
# The statements of question 5(b), by key; the notebook shows them in the variant's order.
RIGHT_STATEMENT = 1  # "the sides agree only where 2n == n + 4"


def _layers():
    return keras_module().layers


def transposed_side(size: int, kernel: int, stride: int, padding: str, extra: int | None) -> int:
    layer = _layers().Conv2DTranspose(
        1, kernel, strides=stride, padding=padding, output_padding=extra
    )
    return int(layer.compute_output_shape((1, size, size, 1))[1])


def _first_mismatch(answers, cases, expected, name: str, hint: str) -> Verdict:
    for answer, case, want in zip(answers, cases, expected, strict=True):
        shown = ", ".join(repr(c) for c in case)
        try:
            got = exact_int(value_of(answer, f"{name}({shown})"), f"{name}({shown})")
        except Wrong as why:
            return failed(str(why))
        if got != want:
            return failed(f"{name}({shown}) returned {got}, Keras gives {want}: {hint}")
    return passed(f"{name} agrees with Keras on {len(cases)} cases it had not seen")


@TASKS(
    "test_default_output_padding",
    kind="shown",
    asks="the output length with Keras's default output_padding, both paddings",
)
def default_output_padding(ask, case: Case) -> Verdict:
    rng = case.rng("default_output_padding")
    cases = [(2, 1, 2, "valid"), (3, 1, 3, "valid"), (2, 2, 3, "valid"), (5, 4, 2, "same")]
    cases += [
        (
            int(rng.integers(1, 13)),
            int(rng.integers(1, 8)),
            int(rng.integers(1, 5)),
            str(rng.choice(PADDINGS)),
        )
        for _ in range(60)
    ]
    expected = [transposed_side(n, k, s, p, None) for n, k, s, p in cases]
    answers = ask.calls("conv_transpose_output_length", cases)
    return _first_mismatch(
        answers,
        cases,
        expected,
        "conv_transpose_output_length",
        "with output_padding=None, check what Keras does when the kernel is smaller than the "
        "stride ('valid'), and what 'same' promises",
    )


@TASKS(
    "test_explicit_output_padding",
    kind="shown",
    asks="the output length with an explicit output_padding",
)
def explicit_output_padding(ask, case: Case) -> Verdict:
    rng = case.rng("explicit_output_padding")
    cases = [(7, 3, 2, "same", 0), (7, 3, 2, "same", 1), (7, 5, 2, "same", 1), (4, 4, 2, "same", 1)]
    for _ in range(60):
        stride = int(rng.integers(1, 5))
        cases.append(
            (
                int(rng.integers(1, 13)),
                int(rng.integers(1, 8)),
                stride,
                str(rng.choice(PADDINGS)),
                int(rng.integers(0, stride)),
            )
        )
    expected = [transposed_side(n, k, s, p, a) for n, k, s, p, a in cases]
    answers = ask.calls(
        "conv_transpose_output_length",
        [c[:4] for c in cases],
        [{"output_padding": c[4]} for c in cases],
    )
    return _first_mismatch(
        answers,
        [(*c[:4], f"output_padding={c[4]}") for c in cases],
        expected,
        "conv_transpose_output_length",
        "check that output_padding is added, and how much 'same' trims for odd and even kernels",
    )


def _settings(value: object, name: str, stride: int) -> tuple[int, str, int | None]:
    if type(value) is not dict or set(value) != SETTINGS_KEYS:
        raise Wrong(
            f"{name} must be a dict with exactly the keys kernel_size, padding, output_padding"
        )
    kernel = exact_int(value["kernel_size"], f"{name}['kernel_size']")
    padding = exact_str(value["padding"], f"{name}['padding']")
    extra = optional_int(value["output_padding"], f"{name}['output_padding']")
    if padding not in PADDINGS:
        raise Wrong(f"{name}['padding'] must be 'valid' or 'same'")
    if not 1 <= kernel <= 9:
        raise Wrong(f"{name}['kernel_size'] must be between 1 and 9")
    if extra is not None and not 0 <= extra < stride:
        raise Wrong(f"{name}['output_padding'] must be None or between 0 and {stride - 1}")
    return kernel, padding, extra


@TASKS(
    "test_odd_target",
    kind="shown",
    asks="a stride-2 layer that turns your odd_from into 2 * odd_from + 1",
)
def odd_target(ask, case: Case) -> Verdict:
    start = case.variant["odd_from"]
    want = 2 * start + 1
    try:
        kernel, padding, extra = _settings(
            value_of(ask.value("odd_target"), "odd_target"), "odd_target", 2
        )
    except Wrong as why:
        return failed(str(why))
    side = transposed_side(start, kernel, 2, padding, extra)
    if side != want:
        return failed(
            f"your settings turn {start} into {side}, not {want}: an odd size needs the full "
            "scatter length (size - 1) * stride + kernel_size"
        )
    return passed(f"{start} becomes {want}")


@TASKS(
    "test_even_target",
    kind="shown",
    asks="a stride-2 layer with your kernel that doubles your even_from",
)
def even_target(ask, case: Case) -> Verdict:
    start, kernel_wanted = case.variant["even_from"], case.variant["even_kernel"]
    want = 2 * start
    try:
        kernel, padding, extra = _settings(
            value_of(ask.value("even_target"), "even_target"), "even_target", 2
        )
    except Wrong as why:
        return failed(str(why))
    if kernel != kernel_wanted:
        return failed(f"this layer must use kernel {kernel_wanted}, not {kernel}")
    side = transposed_side(start, kernel, 2, padding, extra)
    if side != want:
        return failed(
            f"your settings turn {start} into {side}, not {want}: which padding makes the output "
            "exactly size * stride?"
        )
    return passed(f"{start} becomes {want} with kernel {kernel_wanted}")


def round_trip_padding(size: int, kernel: int, stride: int, padding: str) -> int | None:
    shrunk = (
        _layers()
        .Conv2D(1, kernel, strides=stride, padding=padding)
        .compute_output_shape((1, size, size, 1))[1]
    )
    for extra in range(stride):
        if transposed_side(shrunk, kernel, stride, padding, extra) == size:
            return extra
    return None


def _undo(ask, case: Case, padding: str, task: str) -> Verdict:
    rng = case.rng(task)
    cases = []
    while len(cases) < 50:
        size, kernel, stride = (
            int(rng.integers(4, 15)),
            int(rng.integers(1, 7)),
            int(rng.integers(1, 4)),
        )
        if padding == "valid" and kernel > size:
            continue
        cases.append((size, kernel, stride, padding))
    expected = [round_trip_padding(*c) for c in cases]
    answers = ask.calls("matching_output_padding", cases)
    for answer, args, want in zip(answers, cases, expected, strict=True):
        shown = f"matching_output_padding{args}"
        try:
            got = optional_int(value_of(answer, shown), shown)
        except Wrong as why:
            return failed(str(why))
        if got != want:
            truth = "no output_padding works" if want is None else f"{want} does"
            return failed(
                f"{shown} returned {got}, but {truth}: compute the size the Conv2D gives, then "
                "what the transposed layer gives back without output_padding, and compare"
            )
    return passed(
        f"matching_output_padding is right on {len(cases)} '{padding}' cases it had not seen"
    )


@TASKS(
    "test_undo_valid",
    kind="transfer",
    asks="the output_padding that undoes a 'valid' strided Conv2D",
)
def undo_valid(ask, case: Case) -> Verdict:
    return _undo(ask, case, "valid", "undo_valid")


@TASKS(
    "test_undo_same",
    kind="transfer",
    asks="the output_padding that undoes a 'same' strided Conv2D (odd and even kernels)",
)
def undo_same(ask, case: Case) -> Verdict:
    return _undo(ask, case, "same", "undo_same")


def _stack_side_and_params(stack, case: Case) -> tuple[int, int]:
    keras = keras_module()
    start, filters = case.variant["stack_from"], case.variant["stack_filters"]
    layers = [
        _layers().Conv2DTranspose(count, kernel, strides=2, padding=padding, output_padding=extra)
        for (kernel, padding, extra), count in zip(stack, (filters, 1), strict=True)
    ]
    model = keras.Sequential([keras.Input((start, start, 128)), *layers])
    return int(model.output_shape[1]), int(model.count_params())


def _stack(ask, case: Case) -> list[tuple[int, str, int | None]]:
    value = value_of(ask.value("stack"), "stack")
    if type(value) is not list or len(value) != 2:
        raise Wrong("stack must be a list of two settings dicts")
    return [_settings(v, f"stack[{i}]", 2) for i, v in enumerate(value)]


@TASKS("test_stack_reaches_target", kind="transfer", asks="a two-layer stack to 4 * stack_from")
def stack_reaches_target(ask, case: Case) -> Verdict:
    try:
        stack = _stack(ask, case)
    except Wrong as why:
        return failed(str(why))
    want = 4 * case.variant["stack_from"]
    side, _ = _stack_side_and_params(stack, case)
    if side != want:
        return failed(
            f"your stack ends at {side}, not {want}: each stride-2 layer must exactly double the side"
        )
    return passed(f"the stack ends at {want} x {want} x 1")


@TASKS("test_stack_even_overlap", kind="transfer", asks="both layers overlap evenly")
def stack_even_overlap(ask, case: Case) -> Verdict:
    try:
        stack = _stack(ask, case)
    except Wrong as why:
        return failed(str(why))
    for position, (kernel, _, _) in enumerate(stack, start=1):
        if kernel % 2:
            return failed(
                f"layer {position}: with stride 2, kernel {kernel} covers some output pixels more "
                "often than others"
            )
    return passed("both kernels are multiples of the stride")


@TASKS("test_stack_fewest_parameters", kind="transfer", asks="the stack with the fewest parameters")
def stack_fewest_parameters(ask, case: Case) -> Verdict:
    try:
        stack = _stack(ask, case)
    except Wrong as why:
        return failed(str(why))
    want = 4 * case.variant["stack_from"]
    side, params = _stack_side_and_params(stack, case)
    fewest = min(
        p
        for k1 in range(2, 9, 2)
        for k2 in range(2, 9, 2)
        for p1 in PADDINGS
        for p2 in PADDINGS
        for s, p in [_stack_side_and_params([(k1, p1, None), (k2, p2, None)], case)]
        if s == want
    )
    if side != want or params > fewest:
        return failed(
            f"your stack has {params} parameters: a k x k kernel has k * k weights per channel "
            "pair; what is the smallest kernel that overlaps evenly?"
        )
    return passed(f"{params} parameters, the fewest possible")


@TASKS("test_sizes_compared", kind="shown", asks="the two layers' output sides on your compare_on")
def sizes_compared(ask, case: Case) -> Verdict:
    side = case.variant["compare_on"]
    try:
        got = int_tuple(
            value_of(ask.value("sizes_compared"), "sizes_compared"), "sizes_compared", 2
        )
    except Wrong as why:
        return failed(str(why))
    want = (transposed_side(side, 4, 2, "same", None), transposed_side(side, 5, 1, "valid", None))
    if got != want:
        return failed(
            f"you gave {got}: one layer multiplies the size by its stride, the other adds "
            f"kernel_size - 1; apply each rule to {side}"
        )
    return passed(f"on {side} x {side} the layers give {want}")


@TASKS("test_why_same_size", kind="transfer", asks="why two layers give one size on 4 x 4 only")
def why_same_size(ask, case: Case) -> Verdict:
    try:
        letter = exact_str(value_of(ask.value("why_same_size"), "why_same_size"), "why_same_size")
    except Wrong as why:
        return failed(str(why))
    right = "ABCD"[case.variant["statement_order"].index(str(RIGHT_STATEMENT))]
    if letter.strip().upper() not in tuple("ABCD"):
        return failed("answer with one letter, A to D")
    if letter.strip().upper() != right:
        return failed(
            "check the statement against your answer to (a): the two layers grow in different "
            "ways, so how many input sizes can they agree on?"
        )
    return passed("the right statement")
