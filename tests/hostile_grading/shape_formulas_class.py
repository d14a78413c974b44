"""Hostile submissions to solutions/shape_formulas, for the "no free points" defences.

Each student starts from the perfect submission and changes one thing, the
way a student who games the grader would; ``expected`` is the score each
graded cell must get from the real grading command and ``reason`` words
that cell's CSV reason must contain. Graded in one class run by
tests/test_hostile_grading.py.
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

STUDENTS = [
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
