"""Hostile submissions to solutions/shape_formulas, for the "no free points" defences.

Each attack starts from the perfect submission and changes one answer (or
adds one cell), the way a student who games the grader would; ``zeroed``
are the graded cells that must score 0 under the real grading command, and
``reasons`` words that a cell's CSV reason must contain. Attacks on
different answer cells are independent (a zero verdict replaces the answer
before anything runs), so ``STUDENTS`` hands several in per simulated
student to keep the class run short; tests/assignments/test_hostile_grading.py grades
them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ASSIGNMENT = "shape_formulas"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
ZERO = "scored zero by the integrity check"
FLAG = "flagged by the integrity check (score kept)"

LENGTH_TESTS = ("test_default_output_padding", "test_explicit_output_padding")
DESIGN_TESTS = ("test_seven_to_fifteen", "test_seven_to_fourteen_kernel_5")
UNDO_TESTS = ("test_undo_valid", "test_undo_same")
STACK_TESTS = ("test_stack_reaches_28", "test_stack_even_overlap", "test_stack_fewest_parameters")
CHOICE_TESTS = ("test_sizes_on_16", "test_why_same_size")


@dataclass
class Hostile:
    name: str
    answers: dict[str, str] = field(default_factory=dict)  # answer grade id -> new source
    added_cell: str | None = None  # a code cell the student inserts after the setup cell
    zeroed: tuple[str, ...] = ()  # test cells that must score 0
    reasons: dict[str, str] = field(default_factory=dict)  # test cell -> words in its reason


SOLUTION_STACK = (
    "stack = [\n"
    "    {'kernel_size': 2, 'padding': 'valid', 'output_padding': None},\n"
    "    {'kernel_size': 2, 'padding': 'same', 'output_padding': None},\n"
    "]\n"
)

ATTACKS = [
    Hostile(
        "imports_the_reference",
        {
            "conv_transpose_output_length_answer": (
                "from upsampling_course.shapes import conv_transpose_output_length\n"
            )
        },
        zeroed=LENGTH_TESTS,
        reasons={
            t: f"{ZERO}: answer cell conv_transpose_output_length_answer: reference"
            for t in LENGTH_TESTS
        },
    ),
    Hostile(
        "imports_the_reference_from_split_strings",
        {
            "conv_transpose_output_length_answer": (
                "exec('from upsampling_course.sha' + 'pes imp' + 'ort conv_transpose_output_length')\n"
            )
        },
        zeroed=LENGTH_TESTS,
        reasons={
            t: f"{ZERO}: answer cell conv_transpose_output_length_answer: patch"
            for t in LENGTH_TESTS
        },
    ),
    Hostile(
        "wraps_the_reference_package",
        {
            "conv_transpose_output_length_answer": (
                "import upsampling_course as course\n"
                "def conv_transpose_output_length(*args, **kwargs):\n"
                "    return course.conv_transpose_output_length(*args, **kwargs)\n"
            )
        },
        zeroed=LENGTH_TESTS,
        reasons={t: "reference" for t in LENGTH_TESTS},
    ),
    Hostile(
        "patches_builtins_and_numpy",
        {
            "design_answer": (
                "import builtins\n"
                "import numpy as np\n"
                "builtins.int = lambda *args: 15\n"
                "np.allclose = lambda *args, **kwargs: True\n"
                "seven_to_fifteen = {'kernel_size': 1, 'padding': 'same', 'output_padding': None}\n"
                "seven_to_fourteen_kernel_5 = {'kernel_size': 5, 'padding': 'valid', 'output_padding': None}\n"
            )
        },
        zeroed=DESIGN_TESTS,
        reasons={t: f"{ZERO}: answer cell design_answer: patch" for t in DESIGN_TESTS},
    ),
    Hostile(
        "returns_nan",
        {
            "matching_output_padding_answer": (
                "def matching_output_padding(size, kernel_size, stride, padding):\n"
                "    return float('nan')\n"
            )
        },
        zeroed=UNDO_TESTS,
    ),
    Hostile(
        "reads_the_test_from_In",
        {
            "matching_output_padding_answer": (
                "def matching_output_padding(size, kernel_size, stride, padding):\n"
                "    source = In[-1]\n"
                "    return 0 if 'valid' in source else None\n"
            )
        },
        zeroed=UNDO_TESTS,
        reasons={
            t: f"{ZERO}: answer cell matching_output_padding_answer: reads-tests"
            for t in UNDO_TESTS
        },
    ),
    Hostile(
        "reads_the_expected_values_from_the_caller",
        {
            "stack_answer": (
                "import sys\n"
                "class Stack(list):\n"
                "    def __len__(self):\n"
                "        sys._getframe(1).f_locals\n"
                "        return 2\n" + SOLUTION_STACK
            )
        },
        zeroed=STACK_TESTS,
        reasons={t: "uses ._getframe" for t in STACK_TESTS},
    ),
    Hostile(
        "str_subclass_equal_to_every_letter",
        {
            "two_settings_answer": (
                "class Letter(str):\n"
                "    def __eq__(self, other):\n"
                "        return True\n"
                "    __hash__ = str.__hash__\n"
                "    def strip(self, *args):\n"
                "        return self\n"
                "    def upper(self):\n"
                "        return self\n"
                "sizes_on_16 = (32, 20)\n"
                "why_same_size = Letter('A')\n"
            )
        },
        zeroed=CHOICE_TESTS,
        reasons={t: f"{ZERO}: answer cell two_settings_answer: patch" for t in CHOICE_TESTS},
    ),
    Hostile(
        # Built with type(), which the static check does not see: the hidden test refuses it.
        "str_subclass_built_with_type",
        {
            "two_settings_answer": (
                "Letter = type('Letter', (str,), {'__eq__': lambda self, other: True,\n"
                "                                 '__hash__': str.__hash__,\n"
                "                                 'strip': lambda self, *a: self,\n"
                "                                 'upper': lambda self: self})\n"
                "sizes_on_16 = (32, 20)\n"
                "why_same_size = Letter('A')\n"
            )
        },
        zeroed=("test_why_same_size",),
    ),
    Hostile(
        "wraps_every_later_cell_in_try_except",
        added_cell=(
            "import ast\n"
            "class Forgive(ast.NodeTransformer):\n"
            "    def visit_Module(self, node):\n"
            "        handler = ast.ExceptHandler(type=ast.Name('BaseException', ast.Load()),\n"
            "                                    name=None, body=[ast.Pass()])\n"
            "        node.body = [ast.Try(body=node.body, handlers=[handler], orelse=[],\n"
            "                             finalbody=[])]\n"
            "        return ast.fix_missing_locations(node)\n"
            "get_ipython().ast_transformers.append(Forgive())\n"
        ),
        answers={
            "conv_transpose_output_length_answer": "def conv_transpose_output_length(*a, **k):\n    return 0\n"
        },
        zeroed=LENGTH_TESTS + DESIGN_TESTS + UNDO_TESTS + STACK_TESTS + CHOICE_TESTS,
        reasons={"test_why_same_size": f"{ZERO}: a cell the student added: reads-tests"},
    ),
    Hostile(
        "reads_a_notes_file",
        {
            "design_answer": (
                "import os\n"
                "if os.path.exists('notes.txt'):\n"
                "    with open('notes.txt') as handle:\n"
                "        print(handle.read())\n"
                "seven_to_fifteen = {'kernel_size': 3, 'padding': 'valid', 'output_padding': None}\n"
                "seven_to_fourteen_kernel_5 = {'kernel_size': 5, 'padding': 'same', 'output_padding': None}\n"
            )
        },
        reasons={t: f"{FLAG}: answer cell design_answer: reads-tests" for t in DESIGN_TESTS},
    ),
]


def together(name: str, *attacks: Hostile) -> Hostile:
    """One student handing in several attacks on different answer cells."""
    cells = [cell for attack in attacks for cell in attack.answers]
    assert len(cells) == len(set(cells)), f"{name}: two attacks change the same answer"
    return Hostile(
        name,
        {cell: source for attack in attacks for cell, source in attack.answers.items()},
        zeroed=tuple(test for attack in attacks for test in attack.zeroed),
        reasons={test: words for attack in attacks for test, words in attack.reasons.items()},
    )


BY_NAME = {attack.name: attack for attack in ATTACKS}
#: Simulated student -> the attacks they hand in together.
GROUPS = {
    "imports_patches_and_reads_the_tests": (
        "imports_the_reference",
        "patches_builtins_and_numpy",
        "reads_the_test_from_In",
        "reads_the_expected_values_from_the_caller",
        "str_subclass_equal_to_every_letter",
    ),
    "split_strings_and_a_notes_file": (
        "imports_the_reference_from_split_strings",
        "reads_a_notes_file",
    ),
    "wrapper_nan_and_a_type_built_str": (
        "wraps_the_reference_package",
        "returns_nan",
        "str_subclass_built_with_type",
    ),
    # An added cell changes every later cell: this attack is handed in alone.
    "wraps_every_later_cell_in_try_except": ("wraps_every_later_cell_in_try_except",),
}
STUDENTS = [
    BY_NAME[names[0]] if len(names) == 1 else together(name, *(BY_NAME[n] for n in names))
    for name, names in GROUPS.items()
]
STUDENT_OF = {attack: student for student, names in GROUPS.items() for attack in names}
