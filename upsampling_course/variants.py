"""Each student's own numbers for an assignment, derived from their student id.

Every student of a class gets the same notebook, but the sizes, strides,
kernels, options and letters its questions use come from the student's id,
so that answers copied from a classmate are answers to other questions. The
set-up cell of each assignment shows the student their variant; the grader's
judge derives the same variant from the id the grader knows (never from
anything the notebook says) and scores the answers against it.

Where the id comes from, first match wins:

1. ``COURSE_STUDENT_ID``, which the grader sets for the kernel it grades in;
2. the ``STUDENT_ID`` the student wrote in the notebook's first cell;
3. ``JUPYTERHUB_USER``, on a JupyterHub (nbgrader's ids are the hub's user names).

A variant is a pure function of (assignment, student id): the same on every
machine, in the notebook and in the judge.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from types import MappingProxyType

ID_NAME = "STUDENT_ID"  # what the notebook's first cell sets
GRADING_ID_VARIABLE = "COURSE_STUDENT_ID"
HUB_ID_VARIABLE = "JUPYTERHUB_USER"
NO_ID_MESSAGE = (
    "Set STUDENT_ID in the first cell of this notebook to the student id your instructor "
    "uses for you (on the course's JupyterHub it is filled in for you), then run the cells again."
)

ASSIGNMENTS = "upsampling_course.assignments"


def choices(assignment: str) -> dict[str, Sequence]:
    """The assignment's choices (``CHOICES`` of ``upsampling_course.assignments.<assignment>``):
    name -> the values a student may get, one picked per id."""
    from importlib import import_module

    return import_module(f"{ASSIGNMENTS}.{assignment}").CHOICES


class MissingStudentId(RuntimeError):
    """No student id is known: the notebook cannot show the student's numbers."""


def student_id(declared: str | None = None) -> str:
    """The id whose variant this kernel works on (see the module docstring)."""
    for candidate in (
        os.environ.get(GRADING_ID_VARIABLE),
        declared,
        os.environ.get(HUB_ID_VARIABLE),
    ):
        if candidate is not None and str(candidate).strip():
            return str(candidate).strip()
    raise MissingStudentId(NO_ID_MESSAGE)


def _pick(assignment: str, name: str, student: str, options: Sequence) -> object:
    digest = hashlib.sha256(f"{assignment}\0{name}\0{student}".encode()).digest()
    return options[int.from_bytes(digest[:8], "big") % len(options)]


class Variant(Mapping):
    """One student's choices for one assignment (read-only; also ``variant.name``)."""

    def __init__(self, assignment: str, student: str, values: Mapping[str, object]):
        self.assignment = assignment
        self.student = student
        self._values = MappingProxyType(dict(values))

    def __getitem__(self, name: str) -> object:
        return self._values[name]

    def __getattr__(self, name: str) -> object:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __iter__(self):
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        rows = ", ".join(f"{k}={v!r}" for k, v in self._values.items())
        return f"Variant({self.assignment!r}, student {self.student!r}: {rows})"

    def _repr_html_(self) -> str:
        from html import escape

        rows = "".join(
            f"<tr><td><code>{escape(k)}</code></td><td><code>{escape(repr(v))}</code></td></tr>"
            for k, v in self._values.items()
        )
        caption = f"Your numbers for this assignment (student id {escape(self.student)})"
        return f"<table><caption>{caption}</caption>{rows}</table>"


def variant(assignment: str, student: str) -> Variant:
    """The variant of ``assignment`` for ``student``."""
    options = choices(assignment)
    return Variant(
        assignment, student, {n: _pick(assignment, n, student, o) for n, o in options.items()}
    )


def _declared_in_notebook() -> str | None:
    """The ``STUDENT_ID`` the student set in the notebook, if any."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    declared = shell.user_ns.get(ID_NAME) if shell is not None else None
    return declared if isinstance(declared, str) else None


def my_variant(assignment: str, declared: str | None = None) -> Variant:
    """The variant this notebook works on: the grader's id when graded, else the student's
    (``declared``, or the notebook's ``STUDENT_ID``), else the hub's."""
    return variant(assignment, student_id(declared or _declared_in_notebook()))
