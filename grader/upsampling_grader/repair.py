"""Checking and repairing one submitted notebook before nbgrader sees it.

nbgrader restores edited or deleted test cells itself; what it cannot cope
with (no metadata, a copied cell, a deleted answer) is repaired here, and
every repair is noted on the cell it concerns, for the CSV.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field

import nbformat

from upsampling_grader.assignment import NotebookSpec
from upsampling_grader.notebooks import (
    find_cell,
    grade_id,
    nbgrader_meta,
    read_notebook_text,
)

# Words that have no business in an answer to this course's exercises; an
# answer that uses them is flagged for a look by hand (it is still graded).
SUSPICIOUS_WORDS = (
    "gradebook",
    "solutions",
    "sqlite",
    "os._exit",
    "signal.",
    "/proc",
    "HIDDEN TESTS",
    ".ipynb",
    "subprocess",
    "resource.setrlimit",
)


@dataclass
class Checked:
    """A submitted notebook after the checks: ``notebook`` is None when it cannot be graded."""

    notebook: object | None
    problems: list[str] = field(default_factory=list)  # reasons for the student row
    cell_notes: dict[str, list[str]] = field(default_factory=dict)  # grade id -> reasons
    repaired: bool = False
    suspicious: bool = False

    def note(self, grade_id: str, reason: str) -> None:
        self.cell_notes.setdefault(grade_id, []).append(reason)


def check_notebook(text: str, spec: NotebookSpec) -> Checked:
    """Check a submission against the release; repair what can be repaired safely."""
    try:
        nb = read_notebook_text(text)
    except ValueError as error:
        return Checked(None, [f"{spec.name}.ipynb is {error}: it cannot be graded"])
    checked = Checked(nb)

    if not any(grade_id(cell) for cell in nb.cells):
        if not _restore_metadata(nb, spec):
            return Checked(
                None,
                [
                    f"{spec.name}.ipynb has no nbgrader metadata and its cells do not line up "
                    "with the release, so the answers cannot be found: grade it by hand"
                ],
            )
        checked.repaired = True
        checked.problems.append(
            f"{spec.name}.ipynb had no nbgrader metadata; it was restored from the release "
            "by cell position"
        )

    _repair_duplicates(nb, checked)
    _compare_with_release(nb, checked, spec)
    nbformat.validate(nb)
    return checked


def _restore_metadata(nb, spec: NotebookSpec) -> bool:
    """Copy nbgrader metadata from the release when the cells line up one to one."""
    release = spec.release.cells
    if len(nb.cells) != len(release):
        return False
    for cell, released in zip(nb.cells, release, strict=True):
        meta = nbgrader_meta(released)
        if cell.cell_type != released.cell_type:
            return False
        locked_text = meta and not meta.get("solution")
        if locked_text and not meta.get("grade") and cell.source.strip() != released.source.strip():
            return False
    for cell, released in zip(nb.cells, release, strict=True):
        if nbgrader_meta(released):
            cell.metadata["nbgrader"] = json.loads(json.dumps(released.metadata["nbgrader"]))
    return True


def _repair_duplicates(nb, checked: Checked) -> None:
    """A copied cell repeats a grade id (nbgrader aborts, issue #1083) and a cell id."""
    seen_grade_ids, seen_cell_ids = set(), set()
    for cell in nb.cells:
        gid = grade_id(cell)
        if gid and gid in seen_grade_ids:
            del cell.metadata["nbgrader"]
            checked.repaired = True
            checked.note(
                gid,
                f"the cell {gid} appears more than once (a copied cell): the copy was "
                "run as an ordinary cell",
            )
        elif gid:
            seen_grade_ids.add(gid)
        cell_id = cell.get("id")
        if cell_id is None or cell_id in seen_cell_ids:
            cell["id"] = uuid.uuid4().hex[:12]
            if cell_id is not None and not gid:
                checked.repaired = True
        seen_cell_ids.add(cell["id"])


def _present(nb) -> dict:
    return {grade_id(c): c for c in nb.cells if grade_id(c)}


def _compare_with_release(nb, checked: Checked, spec: NotebookSpec) -> None:
    """Note changed or deleted test cells (nbgrader restores them) and put back deleted answers."""
    present = _present(nb)
    released = {grade_id(c): c for c in spec.release.cells if nbgrader_meta(c)}
    notes_before = sum(len(notes) for notes in checked.cell_notes.values())
    for gid, points in spec.points.items():
        cell = present.get(gid)
        if cell is None:
            checked.note(gid, "the test cell was deleted; nbgrader put it back and ran it")
            continue
        if cell.cell_type != released[gid].cell_type:
            checked.note(gid, f"the test cell was turned into {cell.cell_type}; restored")
        elif cell.source.strip() != released[gid].source.strip():
            checked.note(gid, "the test cell was edited; the released test was restored")
        claimed = nbgrader_meta(cell).get("points")
        if claimed is not None and float(claimed) != points:
            checked.note(
                gid,
                f"the points in the cell's metadata were changed to {claimed:g}; "
                f"the released {points:g} were used",
            )
    if sum(len(notes) for notes in checked.cell_notes.values()) > notes_before:
        checked.repaired = True
    for answer in spec.answers:
        cell = present.get(answer)
        if cell is None:
            _reinsert_answer(nb, spec, answer, present)
            present = _present(nb)
            checked.repaired = True
            test = spec.test_for_answer(answer) or answer
            checked.note(test, f"the answer cell {answer} was deleted; it was graded as blank")
            continue
        hits = [word for word in SUSPICIOUS_WORDS if word in cell.source]
        if hits:
            checked.suspicious = True
            test = spec.test_for_answer(answer) or answer
            checked.note(
                test,
                f"the answer cell {answer} uses {', '.join(repr(w) for w in hits)}: read it by hand",
            )


def _reinsert_answer(nb, spec: NotebookSpec, answer: str, present: dict) -> None:
    """Put the released (blank) answer cell back where it was.

    Without it nbgrader cannot re-insert a deleted test cell that followed the
    deleted answer (it looks up the answer's position and fails with KeyError).
    """
    blank = nbformat.from_dict(json.loads(json.dumps(find_cell(spec.release, answer))))
    blank["id"] = uuid.uuid4().hex[:12]
    test = spec.test_for_answer(answer)
    if test in present:
        nb.cells.insert(nb.cells.index(present[test]), blank)
        return
    position = spec.order.index(answer)
    previous = next((gid for gid in reversed(spec.order[:position]) if gid in present), None)
    index = nb.cells.index(present[previous]) + 1 if previous else 0
    nb.cells.insert(index, blank)


def neutralise_answer(nb, answer: str, why: str) -> None:
    """Replace an answer that crashed or hung the kernel by code that only raises."""
    cell = find_cell(nb, answer)
    if cell is None:
        raise KeyError(answer)
    cell.source = f"raise RuntimeError({('The grader removed this answer: ' + why)!r})"
    cell.outputs = []
