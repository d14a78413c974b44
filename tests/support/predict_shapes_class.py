"""A simulated class for solutions/predict_shapes: ordinary, broken and hostile submissions.

Each student is built from the released notebook in code (nothing is
committed as a notebook) together with the outcome the grading command must
reach: what each graded cell scores, the student's status, and words that the
CSV's reasons must contain (the hostile answers' sources are in
tests/support/predict_shapes_hostile.py). Used by tests/grader/test_class.py,
tests/grader/test_sandbox.py and benchmarks/grading_speed.py.

The class is written in terms of answer cells, which stay put while the
assignment's tests change: the points and each answer's test cells are read
from the source notebook, and a wrong answer loses the cells that
tests/assignments/wrong_answers/predict_shapes.py says it loses, with the
words its "says" gives for the judge's message.

Every test cell is scored by the judge, from outside the student's kernel
(grader/upsampling_grader/judge/tasks/predict_shapes.py), so the outcomes are
the judge's: a function answer is right on every case it tries or scores 0; a
stack of shapes earns a share per layer, each layer judged from the student's
own shape before it, so a slip costs only the layers it gets wrong
(``WRONG_LAYERS``); an answer the kernel never defined scores 0 with the
judge's "not defined". The cases written for in-kernel tests keep their
purpose with the judge, with three changes:

- ``always_equal``'s answer, an object equal to everything, is refused as not
  plain data (it once failed the hidden tests' int check);
- ``loops``'s function loops only when the judge calls it, not in a test
  cell: the judge's request times out, the kernel is interrupted, and only
  that test is lost;
- ``tf_logs``'s function writes a TensorFlow log line to stderr each time the
  judge calls it: the judge reads only its answer, so no point depends on
  what the kernel prints (nbgrader's IgnorePattern did that job for in-kernel
  tests).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from tests.assignments.wrong_answers import predict_shapes as wrong_predict_shapes
from tests.support.grading import SOLUTIONS, filled_in, nbgrader_meta
from tests.support.predict_shapes_hostile import (
    ALWAYS_EQUAL,
    CRASH,
    IGNORES_INTERRUPT,
    INFINITE_LOOP,
    MEMORY_HOG,
    SNOOPER,
    TENSORFLOW_LOGS,
)
from upsampling_course.assignments.predict_shapes import (
    CHOICES,
    classifier_stack,
    generator_stack,
)
from upsampling_grader.notebooks import graded_test_ids, is_answer_cell
from upsampling_grader.results import TOTAL, CellStatus, Status

ASSIGNMENT = "predict_shapes"
NOTEBOOK = "predict_shapes.ipynb"
DUE_DATE = "2026-11-20 17:00:00 UTC"
ON_TIME = "2026-11-20 16:58:00.000000 UTC"
LATE = "2026-11-22 09:30:00.000000 UTC"


def _anatomy() -> tuple[dict[str, float], dict[str, list[str]]]:
    """Points per graded test cell, and each answer cell's test cells (those up to the next answer)."""
    source = nbformat.read(SOLUTIONS / ASSIGNMENT / NOTEBOOK, as_version=4)
    points, tests, answer = {}, {}, None
    graded = set(graded_test_ids(source))
    for cell in source.cells:
        meta = nbgrader_meta(cell)
        if is_answer_cell(cell):
            answer = meta["grade_id"]
            tests[answer] = []
        elif meta.get("grade_id") in graded:
            points[meta["grade_id"]] = float(meta["points"])
            if answer is not None:
                tests[answer].append(meta["grade_id"])
    return points, tests


POINTS, TESTS_OF = _anatomy()


WRONG_ANSWERS = wrong_predict_shapes.WRONG_ANSWERS

# The stacks the judge scores layer by layer (judge/tasks/_stacks.py), and the layers
# (numbered from 1) that the class's wrong answers to them get wrong. Every layer after
# one of these follows from the student's own wrong shape, so it stays right.
STACKS = {"test_classifier_shapes": classifier_stack, "test_generator_shapes": generator_stack}
WRONG_LAYERS = {
    "pooling_rounds_up": {2},  # MaxPooling2D rounded up (the corpus picks sides that leave a row)
    "valid_conv_forgotten_in_generator": {6},  # the one 'valid' Conv2D kept at its input's side
}


def layers_in(test: str) -> int:
    """How many layers a stack question has (the same for every variant)."""
    any_variant = {name: options[0] for name, options in CHOICES.items()}
    return len(STACKS[test](any_variant)[1])


def _wrong(name: str) -> str:
    return WRONG_ANSWERS[name]["source"]


def says(wrong: str) -> str:
    """Words of the judge's message for a wrong answer of tests/assignments/wrong_answers/."""
    return WRONG_ANSWERS[wrong]["says"]


def kept(wrong: str) -> dict[str, float]:
    """The share of its points each test cell a wrong answer loses still earns: 0 for a
    function answer (all cases or nothing), the right layers' share for a stack."""
    shares = {}
    for test in WRONG_ANSWERS[wrong]["loses"]:
        wrong_layers = WRONG_LAYERS[wrong] if test in STACKS else None
        shares[test] = 0.0 if wrong_layers is None else 1 - len(wrong_layers) / layers_in(test)
    return shares


def first_lost(wrong: str) -> str:
    """The first test cell (in notebook order) that a wrong answer loses."""
    return next(test for test in POINTS if test in kept(wrong))


def first_test(answer: str) -> str:
    return TESTS_OF[answer][0]


def zero(*answers: str) -> dict[str, float]:
    """Every test cell of these answer cells scores 0."""
    return {test: 0.0 for answer in answers for test in TESTS_OF[answer]}


@dataclass
class Student:
    """One submission and the outcome it must get."""

    name: str
    build: Callable  # (release notebook, solution answers) -> {file name: text}
    kept: dict[str, float] = field(default_factory=dict)  # test cell -> share of its points
    status: Status = Status.OK
    # cell or TOTAL -> words that must all be in its reason
    reasons: dict[str, tuple[str, ...]] = field(default_factory=dict)
    timestamp: str | None = ON_TIME
    graded: bool = True  # False when no cell can be run at all

    def expected_scores(self) -> dict[str, float]:
        # The judge writes partial credit in points with two decimals (judge/verdicts.py).
        return {
            cell: round(points * self.kept.get(cell, 1.0), 2) for cell, points in POINTS.items()
        }

    def expected_cell_status(self, cell: str) -> CellStatus:
        if not self.graded:
            return CellStatus.NOT_GRADED
        return CellStatus.of_score(self.expected_scores()[cell], POINTS[cell])


def _text(nb) -> str:
    return nbformat.writes(nb)


def _cell(nb, grade_id: str):
    return next(c for c in nb.cells if nbgrader_meta(c).get("grade_id") == grade_id)


def _answered(release, answers, **changes) -> object:
    return filled_in(release, {**answers, **changes})


def perfect(release, answers):
    return {NOTEBOOK: _text(_answered(release, answers))}


def blank(release, answers):
    return {NOTEBOOK: _text(release)}


def with_answers(**changes):
    def build(release, answers):
        return {NOTEBOOK: _text(_answered(release, answers, **changes))}

    return build


def test_replaced_by_pass(release, answers):
    nb = _answered(release, answers, conv_output_length_answer=_wrong("valid_ignores_stride"))
    _cell(nb, first_lost("valid_ignores_stride")).source = "pass"
    return {NOTEBOOK: _text(nb)}


def points_changed(release, answers):
    nb = _answered(release, answers)
    _cell(nb, first_test("classifier_shapes_answer")).metadata["nbgrader"]["points"] = 100
    return {NOTEBOOK: _text(nb)}


def test_turned_into_markdown(release, answers):
    nb = _answered(
        release, answers, upsampling_output_shape_answer=_wrong("square_upsampling_only")
    )
    cell = _cell(nb, first_lost("square_upsampling_only"))
    index = nb.cells.index(cell)
    markdown = nbformat.v4.new_markdown_cell(cell.source, metadata=copy.deepcopy(cell.metadata))
    markdown["id"] = cell["id"]
    nb.cells[index] = markdown
    return {NOTEBOOK: _text(nb)}


def test_deleted(release, answers):
    nb = _answered(
        release, answers, generator_shapes_answer=_wrong("valid_conv_forgotten_in_generator")
    )
    nb.cells.remove(_cell(nb, first_lost("valid_conv_forgotten_in_generator")))
    return {NOTEBOOK: _text(nb)}


def answer_and_test_deleted(release, answers):
    nb = _answered(release, answers)
    nb.cells.remove(_cell(nb, "parameter_counts_answer"))
    nb.cells.remove(_cell(nb, first_test("parameter_counts_answer")))
    return {NOTEBOOK: _text(nb)}


def metadata_stripped(release, answers):
    nb = _answered(release, answers)
    for cell in nb.cells:
        cell.metadata.pop("nbgrader", None)
    return {NOTEBOOK: _text(nb)}


def duplicated_cell(release, answers):
    """The answer cell copied with its id; the student fixed the copy, not the original."""
    nb = _answered(release, answers, conv_output_length_answer=_wrong("valid_ignores_stride"))
    original = _cell(nb, "conv_output_length_answer")
    fixed = copy.deepcopy(original)
    fixed.source = answers["conv_output_length_answer"]
    nb.cells.insert(nb.cells.index(original) + 1, fixed)
    return {NOTEBOOK: json.dumps(nbformat.from_dict(nb), indent=1)}


def truncated(release, answers):
    text = _text(_answered(release, answers))
    return {NOTEBOOK: text[: len(text) // 2]}


def snooping(release, answers):
    source = SNOOPER + answers["parameter_counts_answer"]
    return {NOTEBOOK: _text(_answered(release, answers, parameter_counts_answer=source))}


def renamed(release, answers):
    return {"predict_shapes (1).ipynb": _text(_answered(release, answers))}


def extra_notebook(release, answers):
    return {NOTEBOOK: _text(_answered(release, answers)), "scratch.ipynb": _text(release)}


def simulated_class() -> list[Student]:
    """23 students: ordinary ones first, then every fault the grading command must contain."""
    classifier = first_test("classifier_shapes_answer")
    conv_valid = first_test("conv_output_length_answer")
    not_defined = "is not defined in the notebook"  # the judge, of a name the kernel lacks
    return [
        Student("ada", perfect),
        Student("bao", perfect, timestamp=None),
        Student(
            "chen",
            with_answers(classifier_shapes_answer=_wrong("pooling_rounds_up")),
            kept=kept("pooling_rounds_up"),
            reasons={classifier: ("layer 2", says("pooling_rounds_up"))},
        ),
        Student(
            "dara",
            with_answers(
                conv_output_length_answer=_wrong("valid_ignores_stride"),
                parameter_counts_answer=_wrong("parameters_without_bias"),
            ),
            kept=kept("valid_ignores_stride") | kept("parameters_without_bias"),
            reasons={
                first_lost("valid_ignores_stride"): (says("valid_ignores_stride"),),
                first_lost("parameters_without_bias"): (says("parameters_without_bias"),),
            },
        ),
        Student(
            "emeka",
            blank,
            kept=zero(*TESTS_OF),
            reasons={
                classifier: ("raised NotImplementedError", f"classifier_shapes: it {not_defined}"),
                conv_valid: ("conv_output_length(", "it raised NotImplementedError"),
            },
        ),
        Student(
            "test_pass",
            test_replaced_by_pass,
            kept=kept("valid_ignores_stride"),
            status=Status.REPAIRED,
            reasons={
                first_lost("valid_ignores_stride"): (
                    "test cell was edited",
                    says("valid_ignores_stride"),
                )
            },
        ),
        Student(
            "points_100",
            points_changed,
            status=Status.REPAIRED,
            reasons={classifier: ("points",)},
        ),
        Student(
            "test_markdown",
            test_turned_into_markdown,
            kept=kept("square_upsampling_only"),
            status=Status.REPAIRED,
            reasons={
                first_lost("square_upsampling_only"): (
                    "turned into markdown",
                    says("square_upsampling_only"),
                )
            },
        ),
        Student(
            # The deleted test is put back by nbgrader and judged like any other.
            "test_deleted",
            test_deleted,
            kept=kept("valid_conv_forgotten_in_generator"),
            status=Status.REPAIRED,
            reasons={
                first_lost("valid_conv_forgotten_in_generator"): (
                    "test cell was deleted",
                    says("valid_conv_forgotten_in_generator"),
                )
            },
        ),
        Student(
            "both_deleted",
            answer_and_test_deleted,
            kept=zero("parameter_counts_answer"),
            status=Status.REPAIRED,
            reasons={
                first_test("parameter_counts_answer"): (
                    "parameter_counts_answer was deleted",
                    f"dense_parameters: it {not_defined}",
                )
            },
        ),
        Student(
            "no_metadata",
            metadata_stripped,
            status=Status.REPAIRED,
            reasons={TOTAL: ("no nbgrader metadata",)},
        ),
        Student(
            "copied_cell",
            duplicated_cell,
            status=Status.REPAIRED,
            reasons={conv_valid: ("appears more than once",)},
        ),
        Student(
            "truncated",
            truncated,
            kept=zero(*TESTS_OF),
            status=Status.FAILED,
            reasons={TOTAL: ("not valid JSON",)},
            graded=False,
        ),
        Student(
            "loops",
            with_answers(conv_output_length_answer=INFINITE_LOOP),
            kept={conv_valid: 0.0},
            status=Status.CHECK_BY_HAND,
            reasons={conv_valid: ("conv_output_length(", "did not answer within")},
        ),
        Student(
            "ignores_interrupt",
            with_answers(upsampling_output_shape_answer=IGNORES_INTERRUPT),
            kept=zero("upsampling_output_shape_answer"),
            status=Status.CHECK_BY_HAND,
            reasons={
                first_test("upsampling_output_shape_answer"): (
                    "ignored the interrupt",
                    f"upsampling_output_shape` {not_defined}",
                )
            },
        ),
        Student(
            "crashes",
            with_answers(generator_shapes_answer=CRASH),
            kept=zero("generator_shapes_answer"),
            status=Status.CHECK_BY_HAND,
            reasons={
                first_test("generator_shapes_answer"): (
                    "crashed the kernel",
                    f"generator_shapes: it {not_defined}",
                )
            },
        ),
        Student(
            # The sandbox's memory limit stops the answer cell; the judge finds nothing.
            "memory_hog",
            with_answers(classifier_shapes_answer=MEMORY_HOG),
            kept=zero("classifier_shapes_answer"),
            reasons={classifier: ("MemoryError", f"classifier_shapes: it {not_defined}")},
        ),
        Student(
            "always_equal",
            with_answers(conv_output_length_answer=ALWAYS_EQUAL),
            kept=zero("conv_output_length_answer"),
            reasons={
                test: ("Anything", "not plain data")
                for test in TESTS_OF["conv_output_length_answer"]
            },
        ),
        Student(
            "snooper",
            snooping,
            status=Status.CHECK_BY_HAND,
            reasons={first_test("parameter_counts_answer"): ("read it by hand",)},
        ),
        Student("tf_logs", with_answers(conv_output_length_answer=TENSORFLOW_LOGS)),
        Student("renamed", renamed, status=Status.REPAIRED, reasons={TOTAL: ("was renamed",)}),
        Student(
            "extra",
            extra_notebook,
            status=Status.REPAIRED,
            reasons={TOTAL: ("extra notebook scratch.ipynb",)},
        ),
        Student(
            "late",
            perfect,
            status=Status.LATE,
            reasons={TOTAL: ("after the due date",)},
            timestamp=LATE,
        ),
    ]


def hand_in(course_root: Path, students: list[Student], release, answers) -> None:
    """Write every student's files under submitted/<student>/predict_shapes/, as `nbgrader collect` does."""
    for student in students:
        folder = Path(course_root) / "submitted" / student.name / ASSIGNMENT
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in student.build(release, answers).items():
            (folder / name).write_text(text)
        if student.timestamp:
            (folder / "timestamp.txt").write_text(student.timestamp)
