"""Finding each student's submission and matching its files to the assignment's notebooks."""

from __future__ import annotations

import contextlib
import datetime
from dataclasses import dataclass
from pathlib import Path

from upsampling_grader.assignment import Assignment

TIMESTAMP_FILE = "timestamp.txt"  # written by `nbgrader collect` / `submit`


@dataclass
class Submission:
    """One student's files, read once: the notebooks' text and the hand-in time."""

    student: str
    folder: Path
    texts: dict[str, str]  # assignment notebook name -> file text
    problems: list[str]  # renamed or extra files, for the student's row
    missing: list[str]  # assignment notebooks not handed in
    timestamp: datetime.datetime | None

    def late_by(self, duedate: datetime.datetime | None) -> datetime.timedelta | None:
        """How late the submission was, or None when it was on time (or undated)."""
        if self.timestamp is None or duedate is None:
            return None
        delay = self.timestamp - duedate
        return delay if delay.total_seconds() > 0 else None


def read_timestamp(folder: Path) -> datetime.datetime | None:
    stamp_file = folder / TIMESTAMP_FILE
    if not stamp_file.exists():
        return None
    from nbgrader.utils import parse_utc

    with contextlib.suppress(ValueError):
        return parse_utc(stamp_file.read_text().strip())
    return None


def find_submission(student: str, folder: Path, assignment: Assignment) -> Submission:
    """Read a student's folder; a renamed notebook is found by the grade ids it holds."""
    files = {p.name: p for p in sorted(folder.glob("*.ipynb"))}
    expected = {f"{name}.ipynb": name for name in assignment.notebooks}
    texts, problems = {}, []
    for file_name, name in expected.items():
        if file_name in files:
            texts[name] = files.pop(file_name).read_text(errors="replace")
    for name in [n for n in assignment.notebooks if n not in texts]:
        spec = assignment.notebooks[name]
        for file_name, path in list(files.items()):
            text = path.read_text(errors="replace")
            if any(f'"grade_id": "{gid}"' in text for gid in spec.points):
                texts[name] = text
                files.pop(file_name)
                problems.append(f"{file_name} was renamed; graded as {name}.ipynb")
                break
    for file_name in files:
        problems.append(f"extra notebook {file_name} was not graded")
    missing = [name for name in assignment.notebooks if name not in texts]
    return Submission(student, folder, texts, problems, missing, read_timestamp(folder))


def submission_folders(submissions: Path, assignment: str) -> dict[str, Path]:
    """student -> folder, for nbgrader's <student>/<assignment>/ layout or plain <student>/."""
    folders = {}
    for student_dir in sorted(p for p in submissions.iterdir() if p.is_dir()):
        nested = student_dir / assignment
        if nested.is_dir():
            folders[student_dir.name] = nested
        elif any(student_dir.glob("*.ipynb")):
            folders[student_dir.name] = student_dir
    return folders


def describe_delay(delay: datetime.timedelta) -> str:
    minutes = int(delay.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days} d"] * bool(days) + [f"{hours} h"] * bool(hours) + [f"{minutes} min"]
    return " ".join(parts)
