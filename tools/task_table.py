"""What each judged task asks, of which kind, for how many points: the answer-key page's table.

The judge's task modules (``upsampling_grader.judge.tasks.<assignment>``)
say, per graded test cell, what the task asks and whether it applies the
idea to a case no chapter works out ("transfer") or repeats a computation a
chapter shows with other numbers ("shown"); the points are the solution
notebook's nbgrader metadata. The instructors' answer-key page prints the
table from here, and tests/repo/test_task_table.py checks that every graded
cell has a task and that transfer tasks hold most of each assignment's
points.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from tools.assignment_facts import SOLUTIONS, all_assignments
from upsampling_grader.judge import registry

# Issue #32: at least this share of an assignment's points applies the idea.
TRANSFER_SHARE = 0.6


@dataclass(frozen=True)
class TaskRow:
    assignment: str
    grade_id: str
    points: float
    kind: str  # a key of registry.KINDS
    asks: str


def graded_cells(name: str) -> dict[str, float]:
    """grade id -> points of each graded test cell of ``solutions/<name>/<name>.ipynb``."""
    nb = json.loads((SOLUTIONS / name / f"{name}.ipynb").read_text())
    cells = {}
    for cell in nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell["cell_type"] == "code" and meta.get("grade"):
            cells[meta["grade_id"]] = float(meta.get("points", 0))
    return cells


def judged_assignments() -> list[str]:
    return [name for name in all_assignments() if registry.module_for(name) is not None]


def task_rows(name: str) -> list[TaskRow]:
    """One row per graded cell, in the notebook's order (KeyError when a cell has no task)."""
    about = registry.module_for(name).TASKS.about
    return [
        TaskRow(name, grade_id, points, about[grade_id].kind, about[grade_id].asks)
        for grade_id, points in graded_cells(name).items()
    ]


def transfer_share(rows: list[TaskRow]) -> float:
    total = sum(row.points for row in rows)
    return sum(row.points for row in rows if row.kind == "transfer") / total if total else 0.0


def markdown_table(name: str) -> str:
    """The assignment's tasks as a Markdown table, with the transfer share under it."""
    rows = task_rows(name)
    lines = ["| test cell | points | kind | what it asks |", "| --- | --- | --- | --- |"]
    lines += [f"| `{r.grade_id}` | {r.points:g} | {r.kind} | {r.asks} |" for r in rows]
    share = transfer_share(rows)
    transfer = sum(r.points for r in rows if r.kind == "transfer")
    total = sum(r.points for r in rows)
    lines.append("")
    lines.append(f"Transfer tasks: {transfer:g} of {total:g} points ({share:.0%}).")
    return "\n".join(lines)


def _joined_asks(rows: list[TaskRow]) -> str:
    """The rows' questions in one sentence; a row starting with '...' continues the one before."""
    parts: list[str] = []
    for row in rows:
        if row.asks.startswith("...") and parts:
            parts[-1] += "," + row.asks[3:]
        else:
            parts.append(row.asks)
    return "; ".join(parts)


def task_summary(name: str) -> str:
    """Markdown bullets for the Exercises page: what the shown and transfer tasks ask, with points
    ("" for an assignment the judge does not score)."""
    if registry.module_for(name) is None:
        return ""
    rows = task_rows(name)
    lines = []
    for kind, label in (
        ("shown", "As a chapter shows it, with your own numbers"),
        ("transfer", "Transfer, the idea applied to a case no chapter works out"),
    ):
        of_kind = [row for row in rows if row.kind == kind]
        if of_kind:
            points = sum(row.points for row in of_kind)
            lines.append(f"- *{label}* ({points:g} points): {_joined_asks(of_kind)}.")
    return "\n".join(lines)
