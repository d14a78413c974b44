"""Hostile submissions against the judge: code that tries to award itself points.

Each simulated student hands in the released shape_formulas notebook with
one attack added and no answer of their own, so the control is the untouched
release, which scores 0: an attack passes the test only if it scores no more
than that (tests/assignments/test_hostile_grading.py grades them all with the
real command, each under its own student id). The attacks are those of issue
#27 and of the class before it: IPython's hooks reached through the builtins
(input and AST transformers, a post_run_cell handler with showtraceback
silenced, a replaced run_cell_async), the reference implementation through
the package or the file system, fake modules in ``sys.modules``, the
judge's request read from the caller's frame, ``settrace`` and audit hooks,
a reply to the judge forged before it asks, patched builtins and NumPy, a
``str`` equal to every letter and NaN answers (the last round's tricks), an
id set to another student's and a notebook solved for another student's
numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from upsampling_course.variants import variant

ASSIGNMENT = "shape_formulas"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
GET_IPYTHON = 'shell = vars(print.__self__)["get_ipython"]()\n'


@dataclass(frozen=True)
class Attack:
    name: str
    added_cell: str = ""  # a code cell inserted after the set-up cell
    answers: dict[str, str] = field(default_factory=dict)  # answer grade id -> source
    last_cell: str = ""  # a code cell appended at the end of the notebook
    declares_id: str = ""  # what the notebook's STUDENT_ID cell says
    # Words the student's rows must show (a reason or a note for the instructor).
    says: str = ""
    # It answers, or silences, every request of the judge: handed in alone, since no
    # other attack of the same notebook would be asked anything.
    takes_the_channel: bool = False


# Answers that only make sense in the attack's frame: each would be right if the
# trick worked and is nothing without it.
ECHO_THE_CALLER = (
    "import sys\n"
    "def matching_output_padding(*args, **kwargs):\n"
    "    frame = sys._getframe(1)\n"
    "    while frame is not None:\n"
    "        for name in ('expected', 'want', 'truth', 'right'):\n"
    "            if name in frame.f_locals:\n"
    "                return frame.f_locals[name]\n"
    "        frame = frame.f_back\n"
    "    return 0\n"
)
REFERENCE_FROM_THE_PACKAGE = (
    "import importlib\n"
    "import upsampling_course\n"
    "try:\n"
    "    shapes = importlib.import_module('upsampling_course.sha' + 'pes')\n"
    "    conv_transpose_output_length = shapes.conv_transpose_output_length\n"
    "except ImportError:\n"
    "    conv_transpose_output_length = vars(upsampling_course).get('conv_transpose_output_length')\n"
)
REFERENCE_FROM_THE_DISK = (
    "import importlib.util, os, sys\n"
    "found = None\n"
    "for root in [*sys.path, '/usr', '/opt', '/home', '/srv', '/work', '/tmp']:\n"
    "    for folder, _, files in os.walk(root):\n"
    "        if folder.endswith('upsampling_course') and 'shapes.py' in files:\n"
    "            found = os.path.join(folder, 'shapes.py')\n"
    "            break\n"
    "    if found:\n"
    "        break\n"
    "spec = importlib.util.spec_from_file_location('stolen_shapes', found)\n"
    "stolen = importlib.util.module_from_spec(spec)\n"
    "spec.loader.exec_module(stolen)\n"
    "conv_transpose_output_length = stolen.conv_transpose_output_length\n"
)

ATTACKS = [
    Attack(
        "input_transformer_forgives_every_cell",
        added_cell=GET_IPYTHON + "import operator\n"
        "def forgive(lines):\n"
        "    body = ''.join('    ' + line for line in lines)\n"
        "    return ['try:\\n', body + '\\n', 'except BaseException:\\n', '    pass\\n']\n"
        "operator.attrgetter('input_transformers_post')(shell).append(forgive)\n",
    ),
    Attack(
        "post_run_cell_clears_errors_and_silences_tracebacks",
        added_cell=GET_IPYTHON + "def clear(result):\n"
        "    result.error_in_exec = None\n"
        "    result.error_before_exec = None\n"
        "shell.events.register('post_run_cell', clear)\n"
        "shell.showtraceback = lambda *args, **kwargs: None\n",
    ),
    Attack(
        "run_cell_async_replaced",
        added_cell=GET_IPYTHON
        + "from IPython.core.interactiveshell import ExecutionInfo, ExecutionResult\n"
        "async def pretend(raw_cell, *args, **kwargs):\n"
        "    return ExecutionResult(ExecutionInfo(raw_cell, False, False, False, None))\n"
        "shell.run_cell_async = pretend\n",
        says="the kernel",
        takes_the_channel=True,
    ),
    Attack(
        "ast_transformer_forges_every_reply",
        added_cell=GET_IPYTHON + "import ast\n"
        "FORGED = ('from IPython.display import display\\n'\n"
        "          'display({\"application/vnd.upsampling-course.answer+json\": '\n"
        '          \'{"values": {}, "results": [], "passed": True}}, raw=True)\\n\')\n'
        "class Forge(ast.NodeTransformer):\n"
        "    def visit_Module(self, node):\n"
        "        return ast.parse(FORGED)\n"
        "shell.ast_transformers.append(Forge())\n",
        takes_the_channel=True,
    ),
    Attack(
        "reply_forged_before_the_judge_asks",
        last_cell="from IPython.display import display\n"
        "display({'application/vnd.upsampling-course.answer+json': {'values': {\n"
        "    'odd_target': {'value': {'__dict__': [['kernel_size', 3], ['padding', 'valid'],\n"
        "                                          ['output_padding', None]]}}}}}, raw=True)\n",
    ),
    Attack(
        "fake_answers_module_in_sys_modules",
        added_cell="import sys, types, json\n"
        "fake = types.ModuleType('upsampling_course.answers')\n"
        "def answer(request_text):\n"
        "    from IPython.display import display\n"
        "    display({'application/vnd.upsampling-course.answer+json': {'passed': True}}, raw=True)\n"
        "fake.answer = answer\n"
        "sys.modules['upsampling_course.answers'] = fake\n"
        "sys.meta_path.insert(0, type('Finder', (), {'find_spec': staticmethod(\n"
        "    lambda name, path=None, target=None: None)})())\n",
        takes_the_channel=True,
    ),
    Attack(
        "reference_through_the_package",
        answers={"conv_transpose_output_length_answer": REFERENCE_FROM_THE_PACKAGE},
    ),
    Attack(
        "reference_found_on_the_disk",
        answers={"conv_transpose_output_length_answer": REFERENCE_FROM_THE_DISK},
    ),
    Attack(
        "expected_value_read_from_the_callers_frame",
        answers={"matching_output_padding_answer": ECHO_THE_CALLER},
    ),
    Attack(
        # The last round's in-kernel tricks: a str equal to every letter, NaN sizes.
        "str_subclass_equal_to_every_letter_and_nan_sizes",
        answers={
            "two_settings_answer": "class Letter(str):\n"
            "    def __eq__(self, other):\n"
            "        return True\n"
            "    __hash__ = str.__hash__\n"
            "sizes_compared = (float('nan'), float('nan'))\n"
            "why_same_size = Letter('Z')\n"
        },
    ),
    Attack(
        "patches_builtins_and_numpy",
        added_cell="import builtins\n"
        "import numpy as np\n"
        "np.allclose = lambda *args, **kwargs: True\n"
        "np.array_equal = lambda *args, **kwargs: True\n"
        # Every `abs(got - expected) < tolerance` passes. (Replacing int instead stops the
        # kernel itself: ipykernel's messages need it, and no later cell would run.)
        "builtins.abs = lambda *args, **kwargs: 0\n",
    ),
    Attack(
        "settrace_and_audit_hook_copy_what_the_judge_sends",
        added_cell="import sys\n"
        "seen = []\n"
        "sys.addaudithook(lambda event, args, seen=seen: seen.append((event, repr(args)[:200])))\n"
        "def tracer(frame, event, arg):\n"
        "    if frame.f_code.co_filename.endswith('answers.py'):\n"
        "        seen.append((frame.f_code.co_name, repr(frame.f_locals)[:200]))\n"
        "    return None\n"
        "sys.settrace(tracer)\n",
    ),
]


#: Simulated student -> the attacks they hand in together (on different cells, none of
#: which stops the others from running or being asked), to keep the class run short; an
#: attack that takes the judge's channel is handed in alone.
GROUPS = {
    "hostile-hooks": (
        "input_transformer_forgives_every_cell",
        "post_run_cell_clears_errors_and_silences_tracebacks",
        "settrace_and_audit_hook_copy_what_the_judge_sends",
        "reference_through_the_package",
        "expected_value_read_from_the_callers_frame",
    ),
    "hostile-fakes": (
        "str_subclass_equal_to_every_letter_and_nan_sizes",
        "patches_builtins_and_numpy",
        "reply_forged_before_the_judge_asks",
        "reference_found_on_the_disk",
    ),
    "hostile-fake-module": ("fake_answers_module_in_sys_modules",),
    "hostile-forger": ("ast_transformer_forges_every_reply",),
    "hostile-no-run": ("run_cell_async_replaced",),
}
STUDENT_OF = {attack: student for student, names in GROUPS.items() for attack in names}


def handed_in_by(student: str) -> list[Attack]:
    return [attack for attack in ATTACKS if STUDENT_OF[attack.name] == student]


def _differs(student: str, other: str) -> bool:
    mine, theirs = variant(ASSIGNMENT, student), variant(ASSIGNMENT, other)
    return all(
        mine[name] != theirs[name]
        for name in ("odd_from", "even_kernel", "compare_on", "statement_order")
    )


def solved_for(student: str) -> dict[str, str]:
    """Literal answers to the variant-dependent questions for ``student``'s numbers."""
    numbers = variant(ASSIGNMENT, student)
    letter = "ABCD"[numbers["statement_order"].index("1")]
    return {
        "design_answer": (
            "odd_target = {'kernel_size': 3, 'padding': 'valid', 'output_padding': None}\n"
            f"even_target = {{'kernel_size': {numbers['even_kernel']}, 'padding': 'same', "
            "'output_padding': None}\n"
        ),
        "two_settings_answer": (
            f"sizes_compared = ({2 * numbers['compare_on']}, {numbers['compare_on'] + 4})\n"
            f"why_same_size = {letter!r}\n"
        ),
    }


COPIERS = ("solved_for_another_students_numbers", "sets_its_own_grading_id")
#: The student whose numbers the copiers use: one whose every number differs from theirs.
ORIGINAL = next(
    f"hostile-original-{n}"
    for n in range(1000)
    if all(_differs(copier, f"hostile-original-{n}") for copier in COPIERS)
)
#: Tests whose answer depends on the student's numbers (the copiers lose them).
VARIANT_TESTS = ("test_even_target", "test_sizes_compared", "test_why_same_size")
#: Tests the copied answers get right whoever hands them in.
SHARED_TESTS = ("test_odd_target",)

ID_ATTACKS = [
    Attack(COPIERS[0], answers=solved_for(ORIGINAL), declares_id=ORIGINAL, says=ORIGINAL),
    Attack(
        COPIERS[1],
        added_cell=f"import os\nos.environ['COURSE_STUDENT_ID'] = {ORIGINAL!r}\n",
        answers=solved_for(ORIGINAL),
    ),
]
