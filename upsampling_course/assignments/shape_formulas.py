"""The shape_formulas assignment's variants (``CHOICES``) and the statements of question 5(b)."""

from __future__ import annotations

CHOICES = {
    # 2(a): a stride-2 layer from odd_from x odd_from to (2 * odd_from + 1) on each side
    "odd_from": (5, 6, 7, 9, 11),
    # 2(b): a stride-2 layer with kernel even_kernel from even_from to 2 * even_from
    "even_from": (5, 6, 7, 9),
    "even_kernel": (3, 5, 7),
    # 4: two stride-2 layers from stack_from x stack_from x 128 to 4 * stack_from, 1 channel
    "stack_from": (5, 6, 7, 8),
    "stack_filters": (32, 48, 64),
    # 5(a): the input side on which to compare the two layers
    "compare_on": (12, 16, 20, 24),
    # 5(b): the order in which the four statements are shown (A, B, C, D)
    "statement_order": ("0123", "1032", "2301", "3210", "1302", "2013", "3120", "0231"),
}

#: Question 5(b)'s statements, in a fixed order; each student sees them in their
#: variant's ``statement_order`` and answers with the letter shown.
STATEMENTS = (
    "A stride-1 transposed convolution with kernel 5 is the same operation as a stride-2 one "
    "with kernel 4, so the two layers agree on every input size.",
    "The first layer's output side is 2 * n, the second's is n + 4; they agree only where "
    "2 * n == n + 4, at n = 4.",
    "Both layers output (n - 1) * stride + kernel_size rows before padding; 'same' then crops "
    "the first layer to whatever size the second layer produces.",
    "The two sides agree on every input size that is a multiple of 4: 4, 8, 12, and so on.",
)


def show_statements(variant) -> None:
    """Print question 5(b)'s statements lettered in this student's order."""
    import textwrap

    for letter, index in zip("ABCD", variant["statement_order"], strict=True):
        text = textwrap.fill(STATEMENTS[int(index)], width=88, subsequent_indent="   ")
        print(f"{letter}. {text}")


# ---------------------------------------------------------------------------
# The visible checks (upsampling_course.selfcheck): public cases and the
# mistakes each test's comment names; the judge tries many more cases.

SETTINGS_KEYS = {"kernel_size", "padding", "output_padding"}


def _settings(value, name: str) -> dict:
    assert isinstance(value, dict), f"give {name} as a dict"
    assert set(value) == SETTINGS_KEYS, f"{name} uses exactly the keys {sorted(SETTINGS_KEYS)}"
    return value


def _default_output_padding(ns: dict) -> str:
    f = ns["conv_transpose_output_length"]
    assert type(f(2, 3, 2, "valid")) is int, "return a Python int"
    assert f(7, 5, 2, "same") != 17, (
        "17 is the full scatter length (7 - 1) * 2 + 5: 'same' with output_padding=None "
        "multiplies the size by the stride instead"
    )
    assert f(2, 3, 2, "valid") == 5, (
        "'valid', kernel 3, stride 2 on 2 pixels: stamps at 0 and 2, each 3 wide"
    )
    assert f(7, 5, 2, "same") == 14, (
        "'same' with no output_padding multiplies the size by the stride"
    )
    return "the default output_padding on two public cases"


def _explicit_output_padding(ns: dict) -> str:
    f = ns["conv_transpose_output_length"]
    assert f(2, 1, 2, "valid", output_padding=1) != 3, "output_padding is ignored: it adds rows"
    assert f(2, 1, 2, "valid", output_padding=0) == 3, (
        "with output_padding=0 nothing is added to (2 - 1) * 2 + 1"
    )
    assert f(2, 1, 2, "valid", output_padding=1) == 4, "output_padding adds rows at the end"
    return "an explicit output_padding on two public cases"


def _odd_target(ns: dict) -> str:
    settings = _settings(ns["odd_target"], "odd_target")
    assert not (settings["padding"] == "same" and settings["output_padding"] is None), (
        "with 'same' and no output_padding the output is exactly size * stride: even, not odd"
    )
    return "odd_target's format"


def _even_target(ns: dict) -> str:
    settings, kernel = _settings(ns["even_target"], "even_target"), ns["variant"]["even_kernel"]
    assert settings["kernel_size"] == kernel, f"this layer must use your kernel size, {kernel}"
    assert not (settings["padding"] == "valid" and settings["output_padding"] is None), (
        "'valid' keeps the whole scatter: (size - 1) * 2 + kernel_size, more than 2 * size"
    )
    return "even_target's format and kernel"


def _undo_valid(ns: dict) -> str:
    f = ns["matching_output_padding"]
    assert f(8, 3, 2, "valid") != 0, "8 -> 3 -> 7: Keras's default gives back 7, one row short"
    assert f(7, 3, 2, "valid") == 0, "7 -> 3 -> (3 - 1) * 2 + 3 = 7 already"
    assert f(8, 3, 2, "valid") == 1, "8 -> 3 -> 7: output_padding must add the missing row"
    return "two public 'valid' cases"


def _undo_same(ns: dict) -> str:
    f = ns["matching_output_padding"]
    assert f(8, 3, 2, "same") == 1, "8 -> 4 -> (4 - 1) * 2 + 3 - 2 = 7: add 1"
    assert f(7, 3, 2, "same") == 0, "7 -> 4 -> 7 already"
    assert f(8, 4, 2, "same") is None, (
        "8 -> 4 -> (4 - 1) * 2 + 4 - 4 = 6 with an even kernel: the 2 rows missing are more "
        "than output_padding may add (the 'valid' rule gives 0 here)"
    )
    return "three public 'same' cases"


def _stack(ns: dict) -> list:
    stack = ns["stack"]
    assert isinstance(stack, list) and len(stack) == 2, "stack is a list of two settings dicts"
    return [_settings(layer, f"stack[{i}]") for i, layer in enumerate(stack)]


def _stack_reaches_target(ns: dict) -> str:
    for i, layer in enumerate(_stack(ns)):
        assert not (layer["padding"] == "valid" and layer["kernel_size"] % 2), (
            f"stack[{i}]: 'valid' with an odd kernel overhangs by a row, so the side is not doubled"
        )
    return "the stack's format"


def _stack_even_overlap(ns: dict) -> str:
    for i, layer in enumerate(_stack(ns)):
        assert layer["kernel_size"] % 2 == 0, (
            f"stack[{i}]: kernel {layer['kernel_size']} with stride 2 overlaps unevenly"
        )
    return "both kernels against the stride"


def _stack_fewest_parameters(ns: dict) -> str:
    for i, layer in enumerate(_stack(ns)):
        kernel = layer["kernel_size"]
        assert not (kernel % 2 == 0 and kernel > 2), (
            f"stack[{i}]: kernel {kernel} overlaps evenly, but is it the smallest kernel that does?"
        )
    return "the stack's kernels (the judge counts the parameters)"


def _sizes_compared(ns: dict) -> str:
    sizes, side = ns["sizes_compared"], ns["variant"]["compare_on"]
    assert isinstance(sizes, tuple) and len(sizes) == 2, "a tuple of two sides, one per layer"
    assert sizes[0] != sizes[1], (
        f"the layers agree on 4 x 4: do they still agree on {side} x {side}?"
    )
    return "the format of sizes_compared"


def _why_same_size(ns: dict) -> str:
    letter = ns["why_same_size"]
    assert isinstance(letter, str), "answer with a string such as 'A'"
    assert letter.strip().upper() in tuple("ABCD"), "answer with one letter, A to D"
    same_operation = "ABCD"[ns["variant"]["statement_order"].index("0")]
    assert letter.strip().upper() != same_operation, (
        "if the layers were one operation they would agree on every size: check your answer to (a)"
    )
    return "the letter's format"


CHECKS = {
    "test_default_output_padding": _default_output_padding,
    "test_explicit_output_padding": _explicit_output_padding,
    "test_odd_target": _odd_target,
    "test_even_target": _even_target,
    "test_undo_valid": _undo_valid,
    "test_undo_same": _undo_same,
    "test_stack_reaches_target": _stack_reaches_target,
    "test_stack_even_overlap": _stack_even_overlap,
    "test_stack_fewest_parameters": _stack_fewest_parameters,
    "test_sizes_compared": _sizes_compared,
    "test_why_same_size": _why_same_size,
}
