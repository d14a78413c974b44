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
