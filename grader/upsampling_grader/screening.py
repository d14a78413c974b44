"""Screening a submission with the integrity check before it runs, and marking its results.

`screen` decides, from upsampling_grader.integrity's findings, which
graded test cells score zero or are flagged, and removes zero-scored code from
the notebook before nbgrader runs it; `apply_verdicts` writes the verdicts into
the student's result rows for the CSV. Policy: book/instructor/grading.md.
"""

from __future__ import annotations

from upsampling_grader.integrity import check_cell, module_names_of, verdict

ZERO_PREFIX = "scored zero by the integrity check"
FLAG_PREFIX = "flagged by the integrity check (score kept)"


def screen(nb, spec, hint_only: bool = False) -> dict[str, tuple[str, str]]:
    """Check a submission before grading; return graded test cell -> ("zero" or "flag", reason).

    ``hint_only`` (an assignment the judge scores from outside the kernel,
    where no code in the notebook can award a point): every finding is a flag
    for the instructor, and the notebook runs as handed in.

    Student code is every answer cell, every cell the student added and any
    locked cell whose code differs from the release. A finding in an answer
    cell applies to that answer's test cells (up to the next answer cell); a
    finding in any other student cell applies to every test cell after it,
    since code such as an input transformer changes all the cells that run
    later. For a "zero" finding the notebook is changed before it runs: the
    answer is replaced by code that raises, and an added cell is emptied and
    every answer after it replaced, so nbgrader itself scores those tests 0
    (and the gradebook agrees with the CSV) and the offending code never runs.
    """
    from upsampling_grader.notebooks import grade_id
    from upsampling_grader.repair import neutralise_answer

    locked = [
        spec.sources[gid]
        for gid in spec.order
        if gid in spec.sources and gid not in spec.answers and gid not in spec.points
    ]
    names = module_names_of(locked)
    verdicts: dict[str, tuple[str, str]] = {}
    pending: list[tuple[str, str, bool]] = []  # (status, reason, until the next answer only)
    removing_answers = None  # why every later answer is removed, after a zeroed added cell
    for cell in nb.cells:
        gid = grade_id(cell)
        if cell.cell_type != "code":
            continue
        if gid in spec.points:
            for status, reason, _ in pending:
                _merge(verdicts, gid, status, reason)
            continue
        if gid in spec.answers:
            pending = [p for p in pending if not p[2]]
            if removing_answers:
                neutralise_answer(nb, gid, removing_answers)
                continue
        elif gid in spec.sources and cell.source == spec.sources[gid]:
            continue  # the course's own locked cell, unchanged
        found = verdict(check_cell(cell.source, names))
        if found is None:
            continue
        status, reason = found
        if hint_only:
            status = "flag"
        where = (
            f"answer cell {gid}"
            if gid in spec.answers
            else (f"the changed locked cell {gid}" if gid else "a cell the student added")
        )
        pending.append((status, f"{where}: {reason}", gid in spec.answers))
        if status == "zero" and gid in spec.answers:
            neutralise_answer(nb, gid, f"the integrity check found {reason}")
        elif status == "zero":
            cell.source = f"# The grader removed this cell: {reason}"
            cell.outputs = []
            removing_answers = f"an earlier cell the student added was removed ({reason})"
    return verdicts


def _merge(verdicts: dict, test: str, status: str, reason: str) -> None:
    old_status, old_reason = verdicts.get(test, ("flag", ""))
    status = "zero" if "zero" in (status, old_status) else "flag"
    reasons = [r for r in (old_reason, reason) if r]
    verdicts[test] = (status, "; ".join(dict.fromkeys(reasons)))


def apply_verdicts(result, name: str, verdicts: dict[str, tuple[str, str]]) -> None:
    """Zero or annotate the student's rows of notebook `name`; flag the student for a look."""
    from upsampling_grader.results import CellStatus, Status

    for cell in result.cells:
        if cell.notebook != name or cell.cell not in verdicts:
            continue
        status, reason = verdicts[cell.cell]
        if status == "zero":
            cell.score, cell.status = 0.0, CellStatus.FAILED
            text = f"{ZERO_PREFIX}: {reason}"
        else:
            text = f"{FLAG_PREFIX}: {reason}"
        cell.reason = "; ".join(r for r in (text, cell.reason) if r)
        result.flag(Status.CHECK_BY_HAND, f"{name}.ipynb: {cell.cell} {text}")
