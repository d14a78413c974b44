"""A scratch nbgrader course for tests: release, submit, autograde, read scores.

Every step goes through the real `nbgrader` command line with this repo's
`nbgrader_config.py`, in a temporary folder, so the tests exercise exactly
what an instructor runs and never touch the repository's own files; the
grading command is run as an instructor types it (`upsampling-grader`).
"""

from __future__ import annotations

import copy
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

from upsampling_grader import notebooks
from upsampling_grader.notebooks import (
    HIDDEN_REGION,
    SOLUTION_REGION,
    TELLING_LINE_LENGTH,
    answer_cells,
    graded_test_ids,
    nbgrader_meta,
    without_markers,
)
from upsampling_grader.scratch import tools_first

# Tests import the cell anatomy from here too; it is defined once, in the package.
__all__ = ["answer_cells", "graded_test_ids", "nbgrader_meta"]

# Solution lines are code a student writes too: a 20-24 character line such as
# ``layers.Conv2D(64, 3),`` also occurs in released cells, so a solution line
# must be longer than the grader's telling hidden-test line to prove a leak.
SECRET_LINE_LENGTH = TELLING_LINE_LENGTH + 5

# The class tests' --cell-timeout. A hung cell costs this much wall time (a
# spinning one, CPU too): small, and still six times the slowest honest cell,
# the set-up cell that imports TensorFlow (5 s on an idle 2-core machine),
# for CI's busy 2 cores.
CELL_TIMEOUT = 30

REPO_ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = REPO_ROOT / "solutions"
EXERCISES = REPO_ROOT / "exercises"


def grader_command(*args: str) -> list[str]:
    """The grading command as an instructor types it: this environment's `upsampling-grader`."""
    return [str(Path(sys.executable).parent / "upsampling-grader"), *args]


def run_grader(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run the grading command in ``cwd`` (with this environment's tools first on PATH)."""
    return subprocess.run(
        grader_command(*args), cwd=cwd, env=tools_first(), capture_output=True, text=True
    )


def assignment_ids() -> list[str]:
    """Every assignment: one folder per assignment under solutions/.

    Set ONLY_ASSIGNMENTS=a,b to test just those while working on them.
    """
    every = sorted(p.name for p in SOLUTIONS.iterdir() if p.is_dir() and not p.name.startswith("."))
    only = [a for a in os.environ.get("ONLY_ASSIGNMENTS", "").split(",") if a]
    return [a for a in every if a in only] if only else every


def source_notebooks(assignment: str) -> list[Path]:
    return sorted((SOLUTIONS / assignment).glob("*.ipynb"))


def solution_answers(source_nb) -> dict[str, str]:
    """What a perfect student types: each answer cell with the markers removed."""
    return {gid: without_markers(cell.source) for gid, cell in answer_cells(source_nb).items()}


def filled_in(release_nb, answers: dict[str, str]):
    """A copy of a released notebook with the given answer cells replaced."""
    nb = copy.deepcopy(release_nb)
    unknown = set(answers) - set(answer_cells(nb))
    if unknown:
        raise KeyError(f"no answer cells with grade ids {sorted(unknown)}")
    for gid, cell in answer_cells(nb).items():
        if gid in answers:
            cell.source = answers[gid]
    return nb


def secret_lines(source_nb, min_length: int = SECRET_LINE_LENGTH) -> set[str]:
    """Lines that only the solution and hidden-test regions contain.

    Used to prove that no solution code and no hidden test reaches students.
    Short or generic lines (also present elsewhere in the notebook) are left
    out, since finding them elsewhere proves nothing.
    """
    secret, public = set(), set()
    for cell in source_nb.cells:
        regions = SOLUTION_REGION.findall(cell.source) + HIDDEN_REGION.findall(cell.source)
        for region in regions:
            secret.update(line.strip() for line in without_markers(region).splitlines())
        rest = HIDDEN_REGION.sub("", SOLUTION_REGION.sub("", cell.source))
        public.update(line.strip() for line in rest.splitlines())
    return {line for line in secret - public if len(line) >= min_length}


def hidden_test_lines(source_nb) -> set[str]:
    """The grader's hidden-test lines of a source notebook: feedback must never show them."""
    return notebooks.hidden_test_lines(cell.source for cell in source_nb.cells)


def folder_digest(folder: Path) -> str:
    """One hash of every file's path and bytes below ``folder``: equal digests, untouched folder."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return digest.hexdigest()


# The grading command's summary line when a student needs attention (course.summary).
ATTENTION_LINE = re.compile(r"^\d+ need attention$", re.M)


def grading_problem(
    result: subprocess.CompletedProcess, csv_path: Path, started_ns: int
) -> str | None:
    """What is wrong with a run of `upsampling-grader grade`, or None when it graded.

    Exit 0 and exit 1 both mean that the class was graded (1: a student needs
    attention, as the wrong answers do) and both leave the CSV of this run. A
    crash of the command also exits 1 (Python's status for an uncaught
    exception), with a traceback and no CSV or summary: that is a failure.
    """
    if result.returncode not in (0, 1):
        return f"exited {result.returncode}"
    if not csv_path.exists() or csv_path.stat().st_mtime_ns < started_ns:
        return f"exited {result.returncode} without writing {csv_path.name}"
    if result.returncode == 1 and not ATTENTION_LINE.search(result.stdout):
        return "exited 1 without a summary of the students who need attention"
    return None


@dataclass
class Score:
    score: float
    max_score: float


class ScratchCourse:
    """An nbgrader course folder in ``root`` laid out like this repository."""

    def __init__(self, root: Path, assignments: list[str] | None = None):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO_ROOT / "nbgrader_config.py", self.root / "nbgrader_config.py")
        for assignment in assignments or assignment_ids():
            shutil.copytree(SOLUTIONS / assignment, self.root / "solutions" / assignment)

    def nbgrader(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run the real nbgrader CLI in the course folder."""
        result = subprocess.run(
            [sys.executable, "-m", "nbgrader", *args],
            cwd=self.root,
            env=tools_first(),
            capture_output=True,
            text=True,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"nbgrader {' '.join(args)} exited {result.returncode}:\n{result.stderr[-4000:]}"
            )
        return result

    def release(self, assignment: str) -> Path:
        self.nbgrader("generate_assignment", assignment, "--force")
        return self.root / "exercises" / assignment

    def submit(self, student: str, assignment: str, notebooks: dict[str, object]) -> None:
        folder = self.root / "submitted" / student / assignment
        folder.mkdir(parents=True, exist_ok=True)
        for name, nb in notebooks.items():
            nbformat.write(nb, folder / name)

    def autograde(self, assignment: str) -> subprocess.CompletedProcess:
        """Grade every submission with the course's command, as an instructor would: the
        judge scores the tests (plain `nbgrader autograde` gives judged tests 0)."""
        csv_path = self.root / "grades" / f"{assignment}.csv"
        # The whole corpus in one nbgrader run (each student still in a kernel of their
        # own): every further batch is another nbgrader process that imports TensorFlow
        # and the judge again (the lab's 11 students took two runs at the default of 8).
        students = max(1, sum(1 for p in (self.root / "submitted").iterdir() if p.is_dir()))
        started = time.time_ns()
        result = run_grader(
            "grade", assignment, "--course", str(self.root), "--no-feedback", "--quiet",
            "--jobs", "1", "--batch-size", str(students), cwd=self.root,
        )  # fmt: skip
        problem = grading_problem(result, csv_path, started)
        if problem:
            raise AssertionError(
                f"upsampling-grader grade {assignment} {problem}:\n"
                f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
            )
        return result

    def reasons(self, assignment: str, student: str, notebook: str) -> dict[str, str]:
        """The grader's reason per graded cell (grades/<assignment>.csv), what the
        instructor reads and the feedback says."""
        import csv

        with open(self.root / "grades" / f"{assignment}.csv", newline="") as handle:
            return {
                row["cell"]: row["reason"]
                for row in csv.DictReader(handle)
                if row["student"] == student and row["notebook"] == notebook
            }

    def scores(self, assignment: str, student: str, notebook: str) -> dict[str, Score]:
        """Points per graded cell for one student's notebook (notebook name without .ipynb)."""
        from nbgrader.api import Gradebook

        with Gradebook(f"sqlite:///{self.root / 'gradebook.db'}") as gradebook:
            submission = gradebook.find_submission_notebook(notebook, assignment, student)
            return {
                grade.name: Score(grade.score, grade.max_score)
                for grade in submission.grades
                if grade.max_score > 0
            }
