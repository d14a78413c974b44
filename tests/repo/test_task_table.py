"""Every graded cell of a judged assignment has a judge task, and most points apply the idea.

The answer-key page prints tools/task_table.py's table; here its facts are
checked against the notebooks: each graded test cell has exactly one task,
no task scores a cell the notebook lacks, and the tasks marked "transfer"
(the idea applied to a case no chapter works out) hold at least 60 % of
each assignment's points (issue #32).
"""

from __future__ import annotations

import pytest

from tools.task_table import (
    TRANSFER_SHARE,
    TaskRow,
    graded_cells,
    judged_assignments,
    markdown_table,
    task_rows,
    transfer_share,
)
from upsampling_grader.judge import registry


@pytest.mark.parametrize("name", judged_assignments())
def test_every_graded_cell_has_one_task_and_every_task_a_cell(name):
    tasks = set(registry.module_for(name).TASKS.by_grade_id)
    cells = set(graded_cells(name))
    assert cells - tasks == set(), f"{name}: graded cells without a judge task"
    assert tasks - cells == set(), f"{name}: judge tasks for cells the notebook lacks"


@pytest.mark.parametrize("name", judged_assignments())
def test_transfer_tasks_hold_most_of_the_points(name):
    rows = task_rows(name)
    assert transfer_share(rows) >= TRANSFER_SHARE, markdown_table(name)


def test_the_share_counts_points_not_tasks():
    rows = [
        TaskRow("a", "test_big", 3, "shown", "x"),
        TaskRow("a", "test_small_1", 1, "transfer", "y"),
        TaskRow("a", "test_small_2", 1, "transfer", "z"),
    ]
    assert transfer_share(rows) == pytest.approx(0.4)


def test_the_worked_example_is_judged():
    assert "shape_formulas" in judged_assignments()
