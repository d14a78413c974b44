"""The simulated predict_shapes class as a course folder, and what its grading wrote.

Shared by the class tests (tests/grader/test_class.py), the pods' tests
(tests/grader/test_containers.py) and benchmarks/containers.py: a scratch
course with the students of tests/support/predict_shapes_class.py handed in,
the sharded subset, and readers of the CSV and the gradebook to compare runs.
"""

from __future__ import annotations

import csv
from pathlib import Path

import nbformat

from tests.support.grading import SOLUTIONS, ScratchCourse, solution_answers
from tests.support.predict_shapes_class import (
    ASSIGNMENT,
    DUE_DATE,
    NOTEBOOK,
    hand_in,
    simulated_class,
)

STUDENTS = {student.name: student for student in simulated_class()}
# Ordinary students, one per shard or more when graded in 3 shards (shard 0: tf_logs,
# 1: chen and late, 2: ada).
SHARDED = ["ada", "chen", "late", "tf_logs"]


def source_notebook():
    return nbformat.read(SOLUTIONS / ASSIGNMENT / NOTEBOOK, as_version=4)


def read_rows(path: Path) -> dict[tuple[str, str], dict]:
    with open(path, newline="") as handle:
        return {(row["student"], row["cell"]): row for row in csv.DictReader(handle)}


def new_course(root: Path, students) -> ScratchCourse:
    course = ScratchCourse(root, [ASSIGNMENT])
    release_dir = course.release(ASSIGNMENT)
    course.nbgrader("db", "assignment", "add", ASSIGNMENT, f"--duedate={DUE_DATE}")
    release = nbformat.read(release_dir / NOTEBOOK, as_version=4)
    hand_in(course.root, students, release, solution_answers(source_notebook()))
    return course


def gradebook_grades(course_root: Path, students: list[str]) -> dict:
    """student -> (timestamp, {cell: (score, max score)}) as the course gradebook holds them."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{Path(course_root) / 'gradebook.db'}") as gradebook:
        found = {}
        for name in students:
            submission = gradebook.find_submission(ASSIGNMENT, name)
            grades = {
                grade.name: (grade.score, grade.max_score)
                for notebook in submission.notebooks
                for grade in notebook.grades
            }
            found[name] = (submission.timestamp, grades)
        return found
