"""Which judge tasks score which test cells: one module per assignment in ``tasks/``.

An assignment's module defines ``NOTEBOOK`` (the notebook's name),
``KERNEL_MODULES`` (the course modules its notebook may import in the
sandbox: the references the judge uses are left out, so a notebook cannot
call them) and registers one task per graded test cell with :func:`task`.
A task is called with an :class:`~upsampling_grader.judge.channel.Asker` and a
:class:`Case` and returns a :class:`~upsampling_grader.judge.verdicts.Verdict`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

import numpy as np

from upsampling_course.variants import Variant, variant

TASK_PACKAGE = "upsampling_grader.judge.tasks"


@dataclass(frozen=True)
class Case:
    """What a task knows about the notebook it judges."""

    assignment: str
    student: str  # the id the grader passed: never one the notebook chose
    variant: Variant
    seed: bytes  # the grading run's secret

    def rng(self, task: str) -> np.random.Generator:
        """A generator of inputs fresh for each grading run, student and task."""
        digest = hashlib.sha256(self.seed + f"\0{self.student}\0{task}".encode()).digest()
        return np.random.default_rng(int.from_bytes(digest[:16], "big"))


Task = Callable[..., object]
KINDS = {
    "transfer": "applies the idea to a case no chapter shows worked out",
    "shown": "a computation a chapter shows, with other numbers",
}


@dataclass(frozen=True)
class About:
    """What a task asks, for the instructors' answer-key page."""

    kind: str  # a key of KINDS
    asks: str  # one line


class Tasks:
    """The tasks of one assignment, by grade id, in the order they were defined."""

    def __init__(self):
        self.by_grade_id: dict[str, Task] = {}
        self.about: dict[str, About] = {}

    def __call__(self, grade_id: str, *, kind: str, asks: str) -> Callable[[Task], Task]:
        """Register the task of test cell ``grade_id``; ``kind`` (see KINDS) and ``asks``
        describe it on the answer-key page."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {sorted(KINDS)}")

        def register(function: Task) -> Task:
            if grade_id in self.by_grade_id:
                raise ValueError(f"two tasks for {grade_id}")
            self.by_grade_id[grade_id] = function
            self.about[grade_id] = About(kind, asks)
            return function

        return register


def module_for(assignment: str):
    """The assignment's task module, or None when the judge does not know it."""
    try:
        return import_module(f"{TASK_PACKAGE}.{assignment}")
    except ModuleNotFoundError as missing:
        if missing.name != f"{TASK_PACKAGE}.{assignment}":
            raise
        return None


def make_case(assignment: str, student: str, seed: bytes) -> Case:
    return Case(assignment, student, variant(assignment, student), seed)
