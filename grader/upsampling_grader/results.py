"""What grading found: per cell and per student, with ordered statuses, and the CSV."""

from __future__ import annotations

import csv
import enum
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

TOTAL = "(total)"
CSV_FIELDS = ["student", "notebook", "cell", "score", "max_score", "status", "reason"]


@functools.total_ordering
class Status(enum.Enum):
    """A student's status, from fine to most serious: a student keeps the worst seen."""

    OK = "ok"
    LATE = "late"
    REPAIRED = "repaired"
    CHECK_BY_HAND = "check by hand"
    FAILED = "failed"

    @property
    def rank(self) -> int:
        return list(Status).index(self)

    def __lt__(self, other: Status) -> bool:
        if not isinstance(other, Status):
            return NotImplemented
        return self.rank < other.rank

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)


class CellStatus(enum.Enum):
    """How one graded test cell came out."""

    PASSED = "passed"
    PARTIAL = "partial"
    FAILED = "failed"
    NOT_GRADED = "not graded"

    @classmethod
    def of_score(cls, score: float, points: float) -> CellStatus:
        if score == points:
            return cls.PASSED
        return cls.PARTIAL if score > 0 else cls.FAILED

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)


@dataclass
class CellResult:
    notebook: str
    cell: str
    score: float
    max_score: float
    status: CellStatus
    reason: str = ""


@dataclass
class StudentResult:
    student: str
    status: Status = Status.OK
    reasons: list[str] = field(default_factory=list)
    cells: list[CellResult] = field(default_factory=list)
    seconds: float = 0.0
    attempts: int = 0

    @property
    def score(self) -> float:
        return sum(c.score for c in self.cells)

    @property
    def max_score(self) -> float:
        return sum(c.max_score for c in self.cells)

    @property
    def needs_attention(self) -> bool:
        return self.status is not Status.OK

    def flag(self, status: Status, reason: str) -> None:
        """Record a reason; the status keeps the most serious one seen."""
        self.status = max(self.status, status)
        if reason not in self.reasons:
            self.reasons.append(reason)

    def cell(self, notebook: str, cell: str) -> CellResult:
        for result in self.cells:
            if result.notebook == notebook and result.cell == cell:
                return result
        raise KeyError((notebook, cell))


def number(value: float) -> str:
    """A score as the CSV and the summary write it: 2, 0.5."""
    return f"{value:g}"


def csv_rows(result: StudentResult) -> list[dict[str, str]]:
    """One row for the student (cell ``(total)``) followed by one per graded cell."""
    rows = [
        {
            "student": result.student,
            "notebook": "",
            "cell": TOTAL,
            "score": number(result.score),
            "max_score": number(result.max_score),
            "status": result.status.value,
            "reason": "; ".join(result.reasons),
        }
    ]
    for cell in result.cells:
        rows.append(
            {
                "student": result.student,
                "notebook": cell.notebook,
                "cell": cell.cell,
                "score": number(cell.score),
                "max_score": number(cell.max_score),
                "status": cell.status.value,
                "reason": cell.reason,
            }
        )
    return rows


# A spreadsheet reads a cell that starts with one of these as a formula (OWASP, "CSV
# injection"): such a cell gets a leading apostrophe, which shows the text as it is.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(text: str) -> str:
    """``text`` as a CSV cell no spreadsheet runs: a formula's first character is quoted."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def safe_rows(result: StudentResult) -> list[dict[str, str]]:
    """The student's CSV rows with every cell neutralised."""
    return [{key: neutralised(value) for key, value in row.items()} for row in csv_rows(result)]


def write_csv(results: Iterable[StudentResult], path: Path) -> Path:
    """The class's scores: each student's rows, students in the order given."""
    rows = [row for result in results for row in safe_rows(result)]
    return _write_rows(rows, path)


@dataclass(frozen=True)
class CsvUpdate:
    """What :func:`update_csv` did to a CSV that was there before."""

    path: Path
    replaced: list[str]  # students whose earlier rows were replaced
    kept: int  # students whose earlier rows were kept as they were

    def __str__(self) -> str:
        replaced = f"replaced the rows of {len(self.replaced)} student(s)" if self.replaced else ""
        added = "" if self.replaced else "added the rows of the students graded"
        return f"{self.path}: {replaced or added}, kept {self.kept} other student(s)' rows"


def update_csv(results: list[StudentResult], path: Path) -> CsvUpdate:
    """Write ``results``' rows into the CSV at ``path``, keeping every other student's rows
    (a regrade of some students with ``--student``): a student's rows replace its earlier
    rows where they were; a student new to the CSV goes at the end."""
    fresh = {neutralised(r.student): safe_rows(r) for r in results}
    earlier = _read_rows(path) if path.is_file() else []
    rows, placed, kept = [], set(), set()
    for row in earlier:
        student = row.get("student", "")
        if student in fresh:
            if student not in placed:
                rows += fresh[student]
                placed.add(student)
        else:
            rows.append(row)
            kept.add(student)
    rows += [row for student, new in fresh.items() if student not in placed for row in new]
    _write_rows(rows, path)
    return CsvUpdate(path, sorted(placed), len(kept))


def _read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as handle:
        return [{k: row.get(k) or "" for k in CSV_FIELDS} for row in csv.DictReader(handle)]


def _write_rows(rows: list[dict[str, str]], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def result_to_json(result: StudentResult) -> dict:
    """A result as plain JSON (a shard's scores travel to the merge this way)."""
    return {
        "student": result.student,
        "status": result.status.value,
        "reasons": list(result.reasons),
        "seconds": result.seconds,
        "attempts": result.attempts,
        "cells": [
            {
                "notebook": c.notebook,
                "cell": c.cell,
                "score": c.score,
                "max_score": c.max_score,
                "status": c.status.value,
                "reason": c.reason,
            }
            for c in result.cells
        ],
    }


def result_from_json(data: dict) -> StudentResult:
    cells = [
        CellResult(
            c["notebook"],
            c["cell"],
            float(c["score"]),
            float(c["max_score"]),
            CellStatus(c["status"]),
            c["reason"],
        )
        for c in data["cells"]
    ]
    return StudentResult(
        data["student"],
        Status(data["status"]),
        list(data["reasons"]),
        cells,
        float(data["seconds"]),
        int(data["attempts"]),
    )
