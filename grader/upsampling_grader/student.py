"""Grading one student: intake (read and repair), run (autograde with retries), report.

Each step returns what it makes: ``intake`` an :class:`Intake`, ``run`` a
:class:`Run`, ``report`` the :class:`StudentResult`; ``grade_student`` chains
them into a :class:`GradedStudent`, whose scratch course holds the autograded
notebooks until the class imports them (``course.import_into_course``).
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from upsampling_grader import sandbox, screening
from upsampling_grader.assignment import Assignment, NotebookSpec
from upsampling_grader.grading_run import GradingRun
from upsampling_grader.judge import scratch as judge_scratch
from upsampling_grader.judge.verdicts import FAILED_MARK
from upsampling_grader.notebooks import find_cell
from upsampling_grader.repair import Checked, check_notebook, neutralise_answer
from upsampling_grader.results import CellResult, CellStatus, Status, StudentResult
from upsampling_grader.scratch import SCRATCH_STUDENT, Attempt, Grading, ScratchGrading
from upsampling_grader.submissions import Submission, describe_delay

MAX_ATTEMPTS = 6  # one run plus one retry per answer removed after a crash or hang

Flag = tuple[Status, str]


@dataclass
class Intake:
    """A submission after the checks: what can be graded, and what to tell the instructor."""

    submission: Submission
    checked: dict[str, Checked]  # notebook name -> checked (and repaired) notebook
    flags: list[Flag] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    # notebook name -> graded test cell -> ("zero" or "flag", reason): screening.screen
    integrity: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict)

    @property
    def gradable(self) -> dict[str, Checked]:
        return {n: c for n, c in self.checked.items() if c.notebook is not None}


@dataclass
class Run:
    """What nbgrader made of the gradable notebooks."""

    scores: dict[tuple[str, str], float] = field(default_factory=dict)  # (notebook, test)
    outputs: dict[str, object] = field(default_factory=dict)  # notebook -> autograded nb
    removed: dict[tuple[str, str], str] = field(default_factory=dict)  # (notebook, answer)
    scratch: ScratchGrading | None = None  # kept while it holds autograded notebooks
    alias: str = SCRATCH_STUDENT  # the student's name in the scratch course
    finished: bool = False
    attempts: int = 0
    flags: list[Flag] = field(default_factory=list)
    phases: list[dict[str, float]] = field(default_factory=list)  # seconds, per attempt
    seconds: float | None = None  # the student's share of a batch (batch.grade_all)

    @property
    def autograded_dir(self) -> Path | None:
        if not (self.finished and self.scratch):
            return None
        return self.scratch.autograded_for(self.alias)

    def cleanup(self) -> None:
        if self.scratch is not None:
            self.scratch.cleanup()


@dataclass
class GradedStudent:
    result: StudentResult
    submission: Submission
    run: Run

    @property
    def autograded_dir(self) -> Path | None:
        return self.run.autograded_dir


def intake(submission: Submission, assignment: Assignment) -> Intake:
    """Check each notebook against the release; note lateness, renames and repairs."""
    made = Intake(submission, {})
    made.flags += [(Status.FAILED, why) for why in submission.refused]
    made.flags += [(Status.CHECK_BY_HAND, why) for why in submission.suspicious]
    made.flags += [(Status.REPAIRED, problem) for problem in submission.problems]
    made.flags += [
        (Status.FAILED, f"the notebook {n}.ipynb is missing: it scores 0")
        for n in submission.missing
    ]
    late = submission.late_by(assignment.duedate)
    if late is not None:
        made.flags.append((Status.LATE, f"submitted {describe_delay(late)} after the due date"))
    for name, text in submission.texts.items():
        checked = check_notebook(text, assignment.notebooks[name])
        made.checked[name] = checked
        if checked.notebook is not None:
            made.integrity[name] = screening.screen(
                checked.notebook,
                assignment.notebooks[name],
                hint_only=judge_scratch.judged(assignment.name),
            )
        unreadable = Status.FAILED if checked.notebook is None else Status.REPAIRED
        made.flags += [(unreadable, problem) for problem in checked.problems]
        if checked.repaired:
            made.flags.append(
                (Status.REPAIRED, f"{name}.ipynb was repaired before grading (see its cells)")
            )
        if checked.suspicious:
            made.flags.append(
                (Status.CHECK_BY_HAND, f"{name}.ipynb has answers that touch files or the kernel")
            )
    return made


def run(taken: Intake, grading: Grading, earlier: Attempt | None = None) -> Run:
    """Autograde the gradable notebooks in a scratch course, retrying after a crash or hang.

    ``earlier`` is a failed run of this student elsewhere (in a batch,
    ``batch.grade_all``): its culprit is removed before the first run here.
    """
    if not taken.gradable:
        return Run()
    root = Path(tempfile.mkdtemp(prefix="grader-", dir=grading.run.scratch_parent))
    scratch = ScratchGrading(root, grading)
    made = Run(scratch=scratch)
    try:
        hand_in(taken, scratch, scratch.student)
        if earlier is None or _blame(made, earlier):
            _autograde_with_retries(made, grading.run, taken.started)
        made.flags += sandbox_flags(made, grading.run)
    finally:
        if not made.finished and not grading.run.keep_scratch:
            scratch.cleanup()
    return made


def hand_in(taken: Intake, scratch: ScratchGrading, alias: str) -> None:
    """Put the student's gradable notebooks in the scratch course as ``alias``, with the
    files read beside them (``Submission.files``: nbgrader's timestamp.txt and
    submission_secret.txt, and data files the instructor allowed), written as plain
    bytes: nothing else of the student's folder reaches the kernel."""
    folder = scratch.submitted_for(alias)
    judge_scratch.record_student(scratch.root, alias, taken.submission.student)
    for name, item in taken.gradable.items():
        nbformat.write(item.notebook, folder / f"{name}.ipynb")
    for name, data in taken.submission.files.items():
        (folder / name).write_bytes(data)


def collect(made: Run) -> None:
    """Read a finished run's scores, autograded notebooks and the judge's notes from its
    scratch course."""
    made.scores = read_scratch_scores(made.scratch, made.alias)
    made.outputs = {
        p.stem: nbformat.read(p, as_version=4) for p in made.autograded_dir.glob("*.ipynb")
    }
    for name in made.outputs:
        record = judge_scratch.read_record(made.scratch.root, made.alias, name) or {}
        made.flags += [
            (Status.CHECK_BY_HAND, f"{name}.ipynb: {n}") for n in record.get("notes", [])
        ]


def sandbox_flags(made: Run, grading_run: GradingRun) -> list[Flag]:
    if made.scratch is None:
        return []
    notes = sandbox.run_notes(made.scratch.root, made.outputs, grading_run, made.alias)
    return [(Status.CHECK_BY_HAND, note) for note in notes]


def _autograde_with_retries(made: Run, grading_run: GradingRun, started: float) -> None:
    scratch = made.scratch
    for _ in range(MAX_ATTEMPTS):
        time_left = grading_run.student_timeout - (time.monotonic() - started)
        if time_left <= 0:
            break
        made.attempts += 1
        attempt = scratch.autograde(time_left)
        made.phases.append(attempt.phases)
        if attempt.returncode == 0:
            made.finished = True
            collect(made)
            return
        if not _blame(made, attempt):
            return
    made.flags.append(
        (
            Status.FAILED,
            f"timed out: grading took longer than the {grading_run.student_timeout:g} s "
            "allowed per student",
        )
    )


def _blame(made: Run, attempt: Attempt) -> bool:
    """Remove the answer cell to blame for a failed run; False (and a flag) if none is."""
    scratch = made.scratch
    where = _locate(scratch.assignment, attempt.culprit)
    if where is None:
        reason = (
            f"grading stopped ({attempt.why or 'nbgrader failed'}) and no answer cell was to blame"
        )
        tail = "".join(attempt.log[-5:]).strip().splitlines()
        made.flags.append((Status.FAILED, reason + (f": {tail[-1][:200]}" if tail else "")))
        return False
    notebook, answer = where
    path = scratch.submitted_for(made.alias) / f"{notebook}.ipynb"
    nb = nbformat.read(path, as_version=4)
    neutralise_answer(nb, answer, attempt.why)
    nbformat.write(nb, path)
    made.removed[(notebook, answer)] = (
        f"{attempt.why}; it was removed and the notebook graded again"
    )
    made.flags.append(
        (Status.CHECK_BY_HAND, f"{notebook}.ipynb: the answer cell {answer} {attempt.why}")
    )
    return True


def _locate(assignment: Assignment, culprit: str | None) -> tuple[str, str] | None:
    """The (notebook, answer cell) to blame for the cell that hung or crashed."""
    if culprit is None:
        return None
    for name, spec in assignment.notebooks.items():
        if culprit in spec.answers:
            return name, culprit
        if culprit in spec.points:
            answer = spec.answer_for_test(culprit)
            return (name, answer) if answer else None
    return None


def read_scratch_scores(
    scratch: ScratchGrading, alias: str | None = None
) -> dict[tuple[str, str], float]:
    """(notebook, test cell) -> score from the scratch gradebook, capped at the released points."""
    from nbgrader.api import Gradebook

    alias = alias or scratch.student
    scores = {}
    with Gradebook(scratch.db_url) as gradebook:
        for name, spec in scratch.assignment.notebooks.items():
            try:
                notebook = gradebook.find_submission_notebook(name, scratch.assignment.name, alias)
            except Exception:
                continue
            for grade in notebook.grades:
                if grade.name in spec.points and grade.score is not None:
                    # Never trust more than the released points.
                    scores[(name, grade.name)] = min(float(grade.score), spec.points[grade.name])
    return scores


def report(
    taken: Intake, made: Run, assignment: Assignment, grading_run: GradingRun
) -> StudentResult:
    """The student's result: every flag raised so far and one row per graded cell."""
    result = StudentResult(taken.submission.student, attempts=made.attempts)
    for status, reason in taken.flags + made.flags:
        result.flag(status, reason)
    for name, spec in assignment.notebooks.items():
        checked = taken.checked.get(name)
        notes = _notes_by_test(name, spec, checked, result)
        for test, points in spec.points.items():
            cell, flags = cell_result(
                name, spec, test, points, checked, notes.get(test, []), made, grading_run
            )
            result.cells.append(cell)
            for status, reason in flags:
                result.flag(status, reason)
        screening.apply_verdicts(result, name, taken.integrity.get(name, {}))
    result.seconds = time.monotonic() - taken.started if made.seconds is None else made.seconds
    return result


def _notes_by_test(
    name: str, spec: NotebookSpec, checked: Checked | None, result: StudentResult
) -> dict[str, list[str]]:
    """The checks' notes on the test rows: an answer's notes go to its test's row."""
    if checked is None:
        return {}
    notes = {gid: list(n) for gid, n in checked.cell_notes.items() if gid in spec.points}
    for gid, cell_notes in checked.cell_notes.items():
        if gid in spec.points:
            continue
        row = spec.test_for_answer(gid) if gid in spec.answers else None
        if row is None:
            result.flag(Status.REPAIRED, f"{name}.ipynb: {'; '.join(cell_notes)}")
        else:
            notes.setdefault(row, []).extend(cell_notes)
    return notes


def cell_result(
    name: str,
    spec: NotebookSpec,
    test: str,
    points: float,
    checked: Checked | None,
    notes: list[str],
    made: Run,
    grading_run: GradingRun,
) -> tuple[CellResult, list[Flag]]:
    """One graded cell's row, with every reason for it; the one place reasons meet a cell."""
    notes = list(notes)
    flags: list[Flag] = []
    if checked is None or checked.notebook is None:
        status, score = CellStatus.NOT_GRADED, 0.0
        notes.insert(0, "the notebook could not be graded")
    elif (name, test) not in made.scores:
        status, score = CellStatus.NOT_GRADED, 0.0
        notes.insert(0, "grading did not finish")
    else:
        score = made.scores[(name, test)]
        status = CellStatus.of_score(score, points)
        answer = spec.answer_for_test(test)
        if (name, answer) in made.removed:
            notes.insert(0, f"the answer cell {answer} {made.removed[(name, answer)]}")
        if status is not CellStatus.PASSED and name in made.outputs:
            errors = cell_errors(made.outputs[name], spec, test)
            notes += [sandbox.explained(str(error), grading_run) for error in errors]
            # judged_losses gives lines (str) for partial verdicts: only CellErrors time out.
            if any(isinstance(error, CellError) and error.timed_out for error in errors):
                flags.append(
                    (
                        Status.CHECK_BY_HAND,
                        f"{name}.ipynb: {test} timed out after {grading_run.cell_timeout} s "
                        "(an overloaded machine can cause this too: grade the student again "
                        "alone with --student)",
                    )
                )
    return CellResult(name, test, score, points, status, "; ".join(notes)), flags


@dataclass(frozen=True)
class CellError:
    """An error output of a graded cell, as the CSV tells it."""

    where: str  # "the test" or "the answer cell <grade id>"
    timed_out: bool  # nbclient stopped the cell at its timeout
    message: str = ""  # the exception's name and first line (when it did not time out)

    def __str__(self) -> str:
        return (
            f"{self.where} timed out" if self.timed_out else f"{self.where} raised {self.message}"
        )


def cell_errors(nb, spec: NotebookSpec, test: str) -> list[CellError | str]:
    """Why a test cell lost points: its error, and an error in the answer before it (or, for
    a judged test with partial credit, the lines the judge wrote)."""
    found = []
    answer = spec.answer_for_test(test)
    for gid in (answer, test):
        cell = find_cell(nb, gid) if gid else None
        if cell is None or cell.cell_type != "code":
            continue
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if not errors:
            # A judged test with partial credit: the judge's lines say what was lost.
            found += judged_losses(cell) if gid == test else []
            continue
        where = "the test" if gid == test else f"the answer cell {gid}"
        if any(o.get("ename") == "CellTimeoutError" for o in errors):
            # The kernel's KeyboardInterrupt comes first; the timeout is the story.
            found.append(CellError(where, timed_out=True))
            continue
        evalue = str(errors[0].get("evalue", "")).strip().splitlines()
        message = (
            f"{errors[0].get('ename')}: {evalue[0][:300]}" if evalue else errors[0].get("ename")
        )
        found.append(CellError(where, timed_out=False, message=message))
    return found


def judged_losses(cell) -> list[str]:
    """The lines a judge's partial verdict wrote in a test cell (``verdicts.FAILED_MARK``)."""
    lines = [
        line.removeprefix(FAILED_MARK).strip()
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream"
        for line in str(output.get("text", "")).splitlines()
        if line.startswith(FAILED_MARK)
    ]
    return [f"the test found: {line}" for line in lines]


def grade_student(submission: Submission, grading: Grading) -> GradedStudent:
    """Grade one student in a scratch course: intake, run, report."""
    taken = intake(submission, grading.assignment)
    made = run(taken, grading)
    return GradedStudent(report(taken, made, grading.assignment, grading.run), submission, made)
