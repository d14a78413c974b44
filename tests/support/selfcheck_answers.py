"""A notebook's names after its answer cells ran, without a kernel: for the visible-check tests.

tests/unit/test_selfcheck_<assignment>.py run each visible check
(``upsampling_course.selfcheck.run_check``) on the solution's answers and on
the wrong answers its test cell's comment names. The answers run here, in a
plain dict that holds the student's variant and ``np`` (as the set-up cell
binds them); nothing of the grader or a kernel is involved.
"""

from __future__ import annotations

import nbformat
import numpy as np

from tests.support.grading import solution_answers, source_notebooks
from upsampling_course.variants import Variant


def answered_namespace(
    assignment: str, variant: Variant, replaced: dict[str, str] | None = None
) -> dict:
    """The solution's answer cells (those in ``replaced`` swapped) run with ``variant``."""
    source = nbformat.read(source_notebooks(assignment)[0], as_version=4)
    answers = {**solution_answers(source), **(replaced or {})}
    scope: dict = {"np": np, "variant": variant}
    for code in answers.values():
        exec(compile(code, assignment, "exec"), scope)
    return scope
