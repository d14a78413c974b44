"""A simulated class for solutions/predict_shapes: ordinary, broken and hostile submissions.

Each student is built from the released notebook in code (nothing is
committed as a notebook) together with the outcome the grading command must
reach: which graded cells lose their points, the student's status, and words
that the CSV's reasons must contain. Used by tests/grader/test_class.py,
tests/grader/test_sandbox.py and benchmarks/grading_speed.py.

The class is written in terms of answer cells, which stay put while the
assignment's tests change: the points and each answer's test cells are read
from the source notebook, and a wrong answer loses the cells that
tests/assignments/wrong_answers/predict_shapes.py says it loses.
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
from upsampling_grader.notebooks import graded_test_ids, is_answer_cell
from upsampling_grader.results import TOTAL, Status

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
# What the snooping student prints when a search finds nothing.
NOT_FOUND = "found nothing at"


WRONG_ANSWERS = wrong_predict_shapes.WRONG_ANSWERS


def _wrong(name: str) -> str:
    return WRONG_ANSWERS[name]["source"]


def loses(wrong: str) -> set[str]:
    """The test cells a wrong answer of tests/assignments/wrong_answers/ loses."""
    return set(WRONG_ANSWERS[wrong]["loses"])


def first_lost(wrong: str) -> str:
    """The first test cell (in notebook order) that a wrong answer loses."""
    return next(test for test in POINTS if test in loses(wrong))


def first_test(answer: str) -> str:
    return TESTS_OF[answer][0]


@dataclass
class Student:
    """One submission and the outcome it must get."""

    name: str
    build: Callable  # (release notebook, solution answers) -> {file name: text}
    loses: set[str] = field(default_factory=set)  # test cells that must score 0
    status: Status = Status.OK
    reasons: dict[str, str] = field(default_factory=dict)  # cell or TOTAL -> words in its reason
    timestamp: str | None = ON_TIME
    graded: bool = True  # False when no cell can be run at all

    def expected_scores(self) -> dict[str, float]:
        return {cell: (0 if cell in self.loses else points) for cell, points in POINTS.items()}


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


# Loops for "valid" only: one test cell times out (and honours the interrupt),
# the next one runs as usual.
INFINITE_LOOP = """\
def conv_output_length(size, kernel_size, stride, padding):
    if padding == "same":
        return -(-size // stride)
    while True:
        size = size + 1
"""

IGNORES_INTERRUPT = """\
import signal

signal.signal(signal.SIGINT, signal.SIG_IGN)
while True:
    pass
"""

CRASH = """\
import os

os._exit(1)
"""

# 16 GiB: more than the memory limit the tests give each kernel (6 GiB).
MEMORY_HOG = """\
import numpy as np

lookup_table = np.zeros(2**31)
classifier_shapes = [(28, 28, 16), (14, 14, 16), (7, 7, 32), (5, 5, 64)]
"""

# Correct, but writes a TensorFlow-style log line to stderr each time it is
# called, as TensorFlow's C++ code does: nbgrader would score the test cell 0
# for that line unless IgnorePattern (nbgrader_config.py) drops it.
TENSORFLOW_LOGS = """\
import sys


def conv_output_length(size, kernel_size, stride, padding):
    sys.stderr.write(
        "W0000 00:00:1763800000.123456   4242 cpu_feature_guard.cc:40] This TensorFlow "
        "binary is optimized to use available CPU instructions.\\n"
    )
    sys.stderr.flush()
    if padding == "same":
        return -(-size // stride)
    return (size - kernel_size) // stride + 1
"""

ALWAYS_EQUAL = """\
class Anything:
    def __eq__(self, other):
        return True

    def __hash__(self):
        return 0


def conv_output_length(size, kernel_size, stride, padding):
    return Anything()
"""

# Looks for the instructor's files where nbgrader's layout puts them (the
# kernel runs in <course>/autograded/<student>/<assignment>/), reads the
# notebook being graded (with its hidden tests) and tries to give itself
# points in the gradebook; then answers correctly. It looks no higher than the
# course folder, so it cannot touch anything outside the test's own folders.
SNOOPER = f"""\
import pathlib
import sqlite3

here = pathlib.Path.cwd()
for folder in [here, *here.parents][:4]:
    for name in ("solutions", "gradebook.db", "source"):
        target = folder / name
        if target.exists():
            print("found", target)
            if name == "gradebook.db":
                with sqlite3.connect(target) as db:
                    db.execute("UPDATE grade SET manual_score = 100")
            else:
                for path in target.rglob("*.ipynb"):
                    print(path.read_text())
        else:
            print("{NOT_FOUND}", target)
for path in here.glob("*.ipynb"):
    print(path.read_text())
"""


def snooping(release, answers):
    source = SNOOPER + answers["parameter_counts_answer"]
    return {NOTEBOOK: _text(_answered(release, answers, parameter_counts_answer=source))}


def renamed(release, answers):
    return {"predict_shapes (1).ipynb": _text(_answered(release, answers))}


def extra_notebook(release, answers):
    return {NOTEBOOK: _text(_answered(release, answers)), "scratch.ipynb": _text(release)}


def simulated_class() -> list[Student]:
    """23 students: ordinary ones first, then every fault the grading command must contain."""
    every_cell = set(POINTS)
    classifier = first_test("classifier_shapes_answer")
    return [
        Student("ada", perfect),
        Student("bao", perfect, timestamp=None),
        Student(
            "chen",
            with_answers(classifier_shapes_answer=_wrong("pooling_rounds_up")),
            loses=loses("pooling_rounds_up"),
            reasons={first_lost("pooling_rounds_up"): "AssertionError"},
        ),
        Student(
            "dara",
            with_answers(
                conv_output_length_answer=_wrong("valid_ignores_stride"),
                parameter_counts_answer=_wrong("parameters_without_bias"),
            ),
            loses=loses("valid_ignores_stride") | loses("parameters_without_bias"),
        ),
        Student(
            "emeka",
            blank,
            loses=every_cell,
            reasons={classifier: "NotImplementedError"},
        ),
        Student(
            "test_pass",
            test_replaced_by_pass,
            loses=loses("valid_ignores_stride"),
            status=Status.REPAIRED,
            reasons={first_lost("valid_ignores_stride"): "test cell was edited"},
        ),
        Student(
            "points_100",
            points_changed,
            status=Status.REPAIRED,
            reasons={classifier: "points"},
        ),
        Student(
            "test_markdown",
            test_turned_into_markdown,
            loses=loses("square_upsampling_only"),
            status=Status.REPAIRED,
            reasons={first_lost("square_upsampling_only"): "turned into markdown"},
        ),
        Student(
            "test_deleted",
            test_deleted,
            loses=loses("valid_conv_forgotten_in_generator"),
            status=Status.REPAIRED,
            reasons={first_lost("valid_conv_forgotten_in_generator"): "test cell was deleted"},
        ),
        Student(
            "both_deleted",
            answer_and_test_deleted,
            loses=set(TESTS_OF["parameter_counts_answer"]),
            status=Status.REPAIRED,
            reasons={first_test("parameter_counts_answer"): "parameter_counts_answer was deleted"},
        ),
        Student(
            "no_metadata",
            metadata_stripped,
            status=Status.REPAIRED,
            reasons={TOTAL: "no nbgrader metadata"},
        ),
        Student(
            "copied_cell",
            duplicated_cell,
            status=Status.REPAIRED,
            reasons={first_test("conv_output_length_answer"): "appears more than once"},
        ),
        Student(
            "truncated",
            truncated,
            loses=every_cell,
            status=Status.FAILED,
            reasons={TOTAL: "not valid JSON"},
            graded=False,
        ),
        Student(
            "loops",
            with_answers(conv_output_length_answer=INFINITE_LOOP),
            loses=loses("valid_ignores_stride"),
            status=Status.CHECK_BY_HAND,
            reasons={first_lost("valid_ignores_stride"): "timed out"},
        ),
        Student(
            "ignores_interrupt",
            with_answers(upsampling_output_shape_answer=IGNORES_INTERRUPT),
            loses=set(TESTS_OF["upsampling_output_shape_answer"]),
            status=Status.CHECK_BY_HAND,
            reasons={first_test("upsampling_output_shape_answer"): "ignored the interrupt"},
        ),
        Student(
            "crashes",
            with_answers(generator_shapes_answer=CRASH),
            loses=set(TESTS_OF["generator_shapes_answer"]),
            status=Status.CHECK_BY_HAND,
            reasons={first_test("generator_shapes_answer"): "crashed the kernel"},
        ),
        Student(
            "memory_hog",
            with_answers(classifier_shapes_answer=MEMORY_HOG),
            loses=set(TESTS_OF["classifier_shapes_answer"]),
            reasons={classifier: "MemoryError"},
        ),
        Student(
            "always_equal",
            with_answers(conv_output_length_answer=ALWAYS_EQUAL),
            loses=set(TESTS_OF["conv_output_length_answer"]),
            # The judge insists on an int.
            reasons={first_test("conv_output_length_answer"): "AssertionError"},
        ),
        Student(
            "snooper",
            snooping,
            status=Status.CHECK_BY_HAND,
            reasons={first_test("parameter_counts_answer"): "read it by hand"},
        ),
        Student("tf_logs", with_answers(conv_output_length_answer=TENSORFLOW_LOGS)),
        Student("renamed", renamed, status=Status.REPAIRED, reasons={TOTAL: "was renamed"}),
        Student(
            "extra",
            extra_notebook,
            status=Status.REPAIRED,
            reasons={TOTAL: "extra notebook scratch.ipynb"},
        ),
        Student(
            "late",
            perfect,
            status=Status.LATE,
            reasons={TOTAL: "after the due date"},
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
