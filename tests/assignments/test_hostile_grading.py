"""The "no free points" defences, end to end: hostile shape_formulas submissions graded by the real command.

One module fixture releases solutions/shape_formulas into a scratch course,
hands in the perfect submission and the students of
tests/assignments/hostile_shape_formulas.py (perfect submissions carrying
the attacks, several per student on different answer cells: importing or wrapping the reference, building the import
from strings, patching builtins and numpy, returning NaN, reading the tests
from ``In`` or the caller's frame, a ``str`` subclass equal to every letter,
an AST transformer that wraps every later cell in try/except, and one
innocent file read that is only flagged), runs
``upsampling-grader grade`` once, and checks every
student's score and reason per cell in the CSV.
"""

from __future__ import annotations

import csv

import nbformat
import pytest

from tests.assignments.hostile_shape_formulas import (
    ASSIGNMENT,
    ATTACKS,
    NOTEBOOK,
    STUDENT_OF,
    STUDENTS,
    ZERO,
)
from tests.support.grading import (
    ScratchCourse,
    filled_in,
    graded_test_ids,
    run_grader,
    solution_answers,
)
from upsampling_grader.notebooks import grade_id

pytestmark = pytest.mark.xdist_group("hostile-grading")
STUDENT_NAMES = {student.name: student for student in STUDENTS}
ATTACK_NAMES = {attack.name: attack for attack in ATTACKS}


def submission(release, answers, student) -> object:
    nb = filled_in(release, {**answers, **student.answers})
    if student.added_cell:
        setup = next(i for i, c in enumerate(nb.cells) if grade_id(c) == "setup")
        nb.cells.insert(setup + 1, nbformat.v4.new_code_cell(student.added_cell))
    return nb


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = ScratchCourse(tmp_path_factory.mktemp("hostile"), [ASSIGNMENT])
    release = nbformat.read(course.release(ASSIGNMENT) / NOTEBOOK, as_version=4)
    course.nbgrader("db", "assignment", "add", ASSIGNMENT)
    source = nbformat.read(course.root / "solutions" / ASSIGNMENT / NOTEBOOK, as_version=4)
    answers = solution_answers(source)
    for student in [*STUDENTS, type(STUDENTS[0])("perfect")]:
        course.submit(student.name, ASSIGNMENT, {NOTEBOOK: submission(release, answers, student)})
    scratch = tmp_path_factory.mktemp("hostile-scratch")
    result = run_grader(
        *("grade", ASSIGNMENT, "--jobs=2", "--cell-timeout=120", "--student-timeout=600"),
        f"--scratch={scratch}",
        cwd=course.root,
    )
    path = course.root / "grades" / f"{ASSIGNMENT}.csv"
    assert path.exists(), f"no CSV:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
    with open(path, newline="") as handle:
        rows = {(row["student"], row["cell"]): row for row in csv.DictReader(handle)}
    return rows, graded_test_ids(source)


def test_the_perfect_submission_keeps_every_point(graded):
    rows, tests = graded
    for test in tests:
        row = rows[("perfect", test)]
        assert float(row["score"]) == float(row["max_score"]), (test, row["reason"])
        assert "integrity" not in row["reason"]


@pytest.mark.parametrize("name", list(STUDENT_NAMES))
def test_each_attack_earns_no_unflagged_points(graded, name):
    rows, tests = graded
    student = STUDENT_NAMES[name]
    for test in tests:
        row = rows[(name, test)]
        if test in student.zeroed:
            assert float(row["score"]) == 0, (
                f"{name} earned {row['score']} in {test}: {row['reason']}"
            )
        else:
            assert float(row["score"]) == float(row["max_score"]), (
                f"{name} lost points in {test}, which the attack does not touch: {row['reason']}"
            )
    for test, words in student.reasons.items():
        assert words in rows[(name, test)]["reason"], (test, rows[(name, test)]["reason"])
    total = rows[(name, "(total)")]
    if any(
        ZERO in rows[(name, t)]["reason"] or "flagged" in rows[(name, t)]["reason"] for t in tests
    ):
        assert total["status"] == "check by hand", total


def test_every_attack_is_handed_in():
    assert set(STUDENT_OF) == set(ATTACK_NAMES)


def test_attacks_the_static_check_cannot_see_still_score_zero_without_a_flag(graded):
    rows, _ = graded
    for name in ("returns_nan", "str_subclass_built_with_type"):
        student = STUDENT_OF[name]
        for test in ATTACK_NAMES[name].zeroed:
            assert float(rows[(student, test)]["score"]) == 0
            assert "integrity" not in rows[(student, test)]["reason"], rows[(student, test)][
                "reason"
            ]
