"""No code in a notebook can award itself points: hostile students graded by the real command.

One module fixture releases solutions/shape_formulas into a scratch course
and hands in, each under its own student id: the untouched release (the
control, 0 points), the solution under two ids (full marks whatever the
numbers), every attack of tests/assignments/hostile_judged.py (several per
student where they do not stop each other), two notebooks solved for another
student's numbers and that student's own. It runs
``upsampling-grader grade`` once and reads the CSV: an attack may earn no
more than the control, and a copied notebook earns only what its answers
earn for the numbers of the id the grader knows.
"""

from __future__ import annotations

import csv

import nbformat
import pytest

from tests.assignments.hostile_judged import (
    ASSIGNMENT,
    ATTACKS,
    GROUPS,
    ID_ATTACKS,
    NOTEBOOK,
    ORIGINAL,
    SHARED_TESTS,
    STUDENT_OF,
    VARIANT_TESTS,
    Attack,
    handed_in_by,
)
from tests.support.grading import (
    ScratchCourse,
    filled_in,
    graded_test_ids,
    run_grader,
    solution_answers,
)
from upsampling_grader.notebooks import grade_id

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("hostile-grading")]
CONTROL = "hostile-control-blank"
# What the judge says when something other than the course's answers replied (judge/channel.py).
CHANNEL_TAKEN = ("reply was malformed", "sent no answer", "stopped answering")
PERFECT = ("hostile-perfect-a", "hostile-perfect-b")


def submission(release, *attacks: Attack):
    """The release with every attack's cells added and answers given (each on its own cells)."""
    answers = [cell for attack in attacks for cell in attack.answers]
    assert len(answers) == len(set(answers)), "two attacks answer the same cell"
    nb = filled_in(release, {k: v for attack in attacks for k, v in attack.answers.items()})
    setup = next(i for i, c in enumerate(nb.cells) if grade_id(c) == "setup")
    for attack in attacks:
        if attack.declares_id:
            first_code = next(c for c in nb.cells if c.cell_type == "code")
            first_code.source = f"STUDENT_ID = {attack.declares_id!r}\n"
        if attack.added_cell:
            setup += 1
            nb.cells.insert(setup, nbformat.v4.new_code_cell(attack.added_cell))
        if attack.last_cell:
            nb.cells.append(nbformat.v4.new_code_cell(attack.last_cell))
    return nb


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = ScratchCourse(tmp_path_factory.mktemp("hostile"), [ASSIGNMENT])
    release = nbformat.read(course.release(ASSIGNMENT) / NOTEBOOK, as_version=4)
    course.nbgrader("db", "assignment", "add", ASSIGNMENT)
    source = nbformat.read(course.root / "solutions" / ASSIGNMENT / NOTEBOOK, as_version=4)
    answers = solution_answers(source)
    course.submit(CONTROL, ASSIGNMENT, {NOTEBOOK: release})
    for student in PERFECT:
        course.submit(student, ASSIGNMENT, {NOTEBOOK: filled_in(release, answers)})
    for student in GROUPS:
        course.submit(student, ASSIGNMENT, {NOTEBOOK: submission(release, *handed_in_by(student))})
    for attack in ID_ATTACKS:
        course.submit(attack.name, ASSIGNMENT, {NOTEBOOK: submission(release, attack)})
    original = Attack(ORIGINAL, answers=ID_ATTACKS[0].answers)
    course.submit(ORIGINAL, ASSIGNMENT, {NOTEBOOK: submission(release, original)})
    scratch = tmp_path_factory.mktemp("hostile-scratch")
    result = run_grader(
        *("grade", ASSIGNMENT, "--jobs=2", "--cell-timeout=60", "--student-timeout=300"),
        f"--scratch={scratch}",
        cwd=course.root,
    )
    path = course.root / "grades" / f"{ASSIGNMENT}.csv"
    assert path.exists(), f"no CSV:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
    with open(path, newline="") as handle:
        rows = {(row["student"], row["cell"]): row for row in csv.DictReader(handle)}
    return rows, graded_test_ids(source), result


def score(rows, student: str, test: str) -> float:
    return float(rows[(student, test)]["score"])


def everything_said(rows, student: str) -> str:
    return "\n".join(
        f"{row['reason']} {row.get('status', '')}"
        for (who, _), row in rows.items()
        if who == student
    )


def test_the_control_scores_zero_and_the_solution_full_marks_for_two_ids(graded):
    rows, tests, _ = graded
    for test in tests:
        assert score(rows, CONTROL, test) == 0, rows[(CONTROL, test)]
        for student in PERFECT:
            row = rows[(student, test)]
            assert float(row["score"]) == float(row["max_score"]), (student, test, row["reason"])


def test_an_attack_on_the_judges_channel_is_handed_in_alone():
    for attack in ATTACKS:
        if attack.takes_the_channel:
            assert handed_in_by(STUDENT_OF[attack.name]) == [attack], attack.name


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: a.name)
def test_no_attack_scores_more_than_the_control(graded, attack):
    rows, tests, _ = graded
    student = STUDENT_OF[attack.name]
    earned = {t: score(rows, student, t) for t in tests if score(rows, student, t) > 0}
    assert not earned, f"{student} ({attack.name}) earned points the control did not: {earned}"
    # Tried, not skipped: no cell of the student's stopped the kernel before this attack ran
    # (a kernel that stops answering is the class tests' case, with their short timeouts),
    # and the judge's requests reached the kernel's own answers unless this attack took them.
    said = everything_said(rows, student)
    assert "did not finish" not in said and "timed out" not in said, said[:800]
    if not attack.takes_the_channel:
        assert not any(words in said for words in CHANNEL_TAKEN), said[:800]
    if attack.says:
        assert attack.says in everything_said(rows, student)


@pytest.mark.parametrize("attack", ID_ATTACKS, ids=lambda a: a.name)
def test_a_notebook_solved_for_another_id_earns_only_what_fits_its_own_numbers(graded, attack):
    rows, tests, _ = graded
    for test in VARIANT_TESTS:
        assert score(rows, attack.name, test) == 0, (test, rows[(attack.name, test)]["reason"])
    for test in SHARED_TESTS:  # the same answer is right for every id: it keeps its point
        row = rows[(attack.name, test)]
        assert float(row["score"]) == float(row["max_score"]), (test, row["reason"])
    if attack.says:
        said = everything_said(rows, attack.name)
        assert attack.says in said and "check by hand" in said, said


def test_the_copied_answers_score_for_the_student_whose_numbers_they_are(graded):
    """Guards the test above: ORIGINAL hands in the same literal answers and keeps them."""
    rows, _, _ = graded
    for test in (*VARIANT_TESTS, *SHARED_TESTS):
        row = rows[(ORIGINAL, test)]
        assert float(row["score"]) == float(row["max_score"]), (test, row["reason"])
