"""The whole class: grade every student, import the scores, make feedback, summarise."""

from __future__ import annotations

import contextlib
import datetime
import glob
import os
import shutil
import stat
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

import nbformat

from upsampling_grader import sandbox
from upsampling_grader.assignment import (
    Assignment,
    GradingError,
    load_assignment,
    load_course_config,
)
from upsampling_grader.batch import failure_reason, grade_all
from upsampling_grader.grading_run import GradingRun
from upsampling_grader.redact import leaked_lines, redact_outputs
from upsampling_grader.results import Status, StudentResult, number, update_csv, write_csv
from upsampling_grader.scratch import Grading
from upsampling_grader.student import GradedStudent, Intake, intake, report
from upsampling_grader.submissions import (
    Submission,
    find_submission,
    submission_folders,
)


def make_template_gradebook(db_url: str, destination: Path) -> Path:
    """A copy of the course gradebook with the assignments and no students."""
    from nbgrader.api import Gradebook

    if not db_url.startswith("sqlite:///"):
        raise GradingError("the grading command needs a SQLite gradebook (nbgrader's default)")
    source = Path(db_url[len("sqlite:///") :])
    template = destination / "template.db"
    shutil.copy(source, template)
    with Gradebook(f"sqlite:///{template}") as gradebook:
        for student in list(gradebook.students):
            gradebook.remove_student(student.id)
    return template


def import_into_course(
    course_db_url: str,
    course: Path,
    config,
    assignment: Assignment,
    result: StudentResult,
    autograded_dir: Path | None,
    timestamp: datetime.datetime | None,
) -> None:
    """Record one student's scores in a gradebook and its autograded/ folder (redacted)."""
    import warnings

    from nbgrader.api import Gradebook
    from sqlalchemy.exc import SAWarning

    with Gradebook(course_db_url) as gradebook, warnings.catch_warnings():
        # nbgrader 0.9 creates a submission in a way SQLAlchemy 2 warns about.
        warnings.simplefilter("ignore", SAWarning)
        gradebook.update_or_create_student(result.student)
        extra = {"timestamp": timestamp} if timestamp else {}
        gradebook.update_or_create_submission(assignment.name, result.student, **extra)
        for cell in result.cells:
            grade = gradebook.find_grade(cell.cell, cell.notebook, assignment.name, result.student)
            grade.auto_score = cell.score
            grade.needs_manual_grade = False
        gradebook.db.commit()
    target = course / config.CourseDirectory.get("autograded_directory", "autograded")
    target = target / result.student / assignment.name
    if target.exists():
        shutil.rmtree(target)
    if autograded_dir is not None:
        shutil.copytree(autograded_dir, target)
        for path in target.glob("*.ipynb"):
            nb = nbformat.read(path, as_version=4)
            redact_outputs(nb, assignment.hidden_lines)
            # nbgrader leaves autograded notebooks read-only: only root may write them as
            # they are (a grader that is not root, as in the cluster's pods, could not).
            mode = path.stat().st_mode
            path.chmod(mode | stat.S_IWUSR)
            nbformat.write(nb, path)
            path.chmod(mode)


def generate_feedback(
    course: Path, config, assignment: Assignment, students: list[str]
) -> dict[str, str]:
    """nbgrader's own feedback, with hidden tests cleared; returns student -> problem.

    One nbgrader run makes the feedback of every student it can name with a
    glob and an exclusion list (``*`` less the course's other students):
    its start-up is paid once per class, not once per student.
    """
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.utils import temp_attrs

    problems = {s: sandbox.NO_FEEDBACK_FOR_GLOB_NAMES for s in students if glob.has_magic(s)}
    named = [s for s in students if s not in problems]
    with _working_directory(course):
        coursedir = CourseDirectory(config=config)
        coursedir.root = str(course)
        api = NbGraderAPI(coursedir, config=config)
        autograded = course / coursedir.autograded_directory
        together, apart = _feedback_runs(autograded, named)
        runs = [("*", together)] if together else []
        runs += [(student, [student]) for student in apart]
        for pattern, covered in runs:
            others = sorted(_graded_folders(autograded) - set(covered))
            exclude = ",".join(others) if pattern == "*" else ""
            with temp_attrs(coursedir, student_id_exclude=exclude):
                outcome = api.generate_feedback(assignment.name, pattern)
            error = outcome.get("error") or "nbgrader made no feedback page"
            for student in covered:
                folder = course / coursedir.feedback_directory / student / assignment.name
                if not list(folder.glob("*.html")):
                    problems[student] = f"feedback failed: {error.strip().splitlines()[-1:]}"
                    continue
                for page in folder.glob("*.html"):
                    if leaked_lines(page.read_text(), assignment.hidden_lines):
                        page.unlink()
                        problems[student] = (
                            f"feedback {page.name} showed hidden tests and was deleted: check "
                            "GenerateFeedback.preprocessors in nbgrader_config.py"
                        )
    return problems


def _graded_folders(autograded: Path) -> set[str]:
    return {p.name for p in autograded.iterdir() if p.is_dir()} if autograded.is_dir() else set()


def _feedback_runs(autograded: Path, students: list[str]) -> tuple[list[str], list[str]]:
    """(students one ``*`` run covers, students who need a run each): ``*`` skips a name
    with a leading dot, and the exclusion list is split at commas."""
    awkward = {s for s in _graded_folders(autograded) | set(students) if "," in s}
    apart = [s for s in students if s.startswith(".") or s in awkward]
    if any(s not in apart for s in awkward):  # another student's comma breaks the list
        apart = list(students)
    return [s for s in students if s not in apart], apart


@contextlib.contextmanager
def _working_directory(path: Path):
    before = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def open_course(course: Path):
    """(course folder, config, CourseDirectory) for a course folder."""
    from nbgrader.coursedir import CourseDirectory

    course = Path(course).resolve()
    config = load_course_config(course)
    coursedir = CourseDirectory(config=config)
    coursedir.root = str(course)
    return course, config, coursedir


def student_folders(
    submissions: Path, assignment: Assignment, students: list[str] | None = None
) -> dict[str, Path]:
    """student -> submission folder, in student order (only ``students`` when given)."""
    if not submissions.is_dir():
        raise GradingError(f"no submissions folder {submissions}")
    folders = submission_folders(submissions, assignment.name)
    if students:
        unknown = sorted(set(students) - set(folders))
        if unknown:
            raise GradingError(f"no submissions from {', '.join(unknown)} in {submissions}")
        folders = {s: folders[s] for s in students}
    if not folders:
        raise GradingError(f"no student folders with notebooks in {submissions}")
    return folders


def read_submissions(
    folders: dict[str, Path], assignment: Assignment, data_files: tuple[str, ...] = ()
) -> dict[str, Submission]:
    """Each student's submission, read once, in the order given (``data_files``: what
    students may hand in beside the notebooks, ``GradingRun.data_files``)."""
    return {s: find_submission(s, f, assignment, data_files) for s, f in folders.items()}


def grade_submissions(grading: Grading, submissions: dict[str, Submission]) -> list[GradedStudent]:
    """Check and grade every submission, in batches of students per nbgrader run
    (``upsampling_grader.batch``), ``jobs`` runs at a time; results in submission order.
    Each student's notebooks run in kernels of their own."""
    if grading.run.sandbox:
        sandbox.require_sandbox()
    from tqdm import tqdm

    bar = tqdm(
        total=len(submissions), unit="student", disable=not grading.run.progress, file=sys.stderr
    )
    lock = threading.Lock()
    counted: set[str] = set()

    def done(student: str) -> None:
        with lock:
            if student not in counted:  # a student graded again alone is counted once
                counted.add(student)
                bar.set_postfix_str(student)
                bar.update()

    assignment = grading.assignment
    taken = {}
    for student, submission in submissions.items():
        try:
            taken[student] = intake(submission, assignment)
        except Exception as error:  # a bug must not lose the rest of the class
            taken[student] = Intake(submission, {}, [(Status.FAILED, failure_reason(error))])
    runs = grade_all(taken, grading, done)
    graded = {
        s: GradedStudent(
            report(taken[s], runs[s], assignment, grading.run), submissions[s], runs[s]
        )
        for s in submissions
    }
    bar.close()
    return [graded[s] for s in submissions]


def grade_class(
    course: Path,
    assignment_name: str,
    grading_run: GradingRun | None = None,
    *,
    submissions: Path | None = None,
    students: list[str] | None = None,
    csv_path: Path | None = None,
    say: Callable[[str], None] = lambda line: None,
) -> list[StudentResult]:
    """Grade every student's submission of one assignment; see the package docstring.

    ``grading_run`` says how (default: the course's nbgrader_config.py and the
    grader's defaults); ``submissions`` (default: the course's ``submitted/``)
    and ``students`` (default: all) say whom; the CSV goes to ``csv_path``
    (default: ``grades/<assignment>.csv`` in the course): with ``students``
    only their rows in it are replaced. ``say`` hears, before it happens,
    what the run replaces.
    """
    course, config, coursedir = open_course(course)
    grading_run = grading_run or GradingRun.for_course(config)
    db_url = coursedir.db_url
    assignment = load_assignment(course, config, assignment_name, db_url)
    folder = Path(submissions) if submissions else course / coursedir.submitted_directory
    handed_in = read_submissions(
        student_folders(folder, assignment, students), assignment, grading_run.data_files
    )
    csv_path = csv_path or course / "grades" / f"{assignment_name}.csv"
    for line in replacements(
        course, coursedir, assignment_name, list(handed_in), csv_path, students
    ):
        say(line)

    work = Path(tempfile.mkdtemp(prefix="grader-template-"))
    try:
        template = make_template_gradebook(db_url, work)
        graded = grade_submissions(Grading(course, template, assignment, grading_run), handed_in)
        results = record(graded, db_url, course, config, assignment, grading_run.feedback)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if students:
        say(str(update_csv(results, csv_path)))
    else:
        write_csv(results, csv_path)
    return results


def replacements(
    course: Path,
    coursedir,
    assignment: str,
    students: list[str],
    csv_path: Path,
    only_these: list[str] | None,
) -> list[str]:
    """What grading ``students`` will replace in the course, one line each, said before."""
    lines = []
    before = [
        s
        for s in students
        if (course / coursedir.autograded_directory / s / assignment).exists()
        or (course / coursedir.feedback_directory / s / assignment).exists()
    ]
    if before:
        shown = ", ".join(before[:5]) + (f" and {len(before) - 5} more" if len(before) > 5 else "")
        lines.append(
            f"replacing the scores, autograded/ and feedback/ folders of {len(before)} "
            f"student(s) graded before: {shown}"
        )
    if csv_path.exists() and not only_these:
        lines.append(f"replacing {csv_path} (every student's rows)")
    elif csv_path.exists():
        lines.append(f"replacing the rows of {', '.join(only_these)} in {csv_path}")
    return lines


def record(
    graded: list[GradedStudent],
    db_url: str,
    root: Path,
    config,
    assignment: Assignment,
    feedback: bool = True,
) -> list[StudentResult]:
    """Import every graded student into a gradebook and ``root``'s folders, then make feedback.

    ``root`` is the course folder, or a shard's result folder laid out like one.
    """
    with_feedback = [one.result.student for one in graded if one.autograded_dir]
    try:
        # A refused student id (a newline, a slash...) never becomes a gradebook id or a folder.
        for one in [one for one in graded if one.submission.importable]:
            import_into_course(
                db_url,
                root,
                config,
                assignment,
                one.result,
                one.autograded_dir,
                one.submission.timestamp,
            )
    finally:
        for one in graded:
            one.run.cleanup()  # its files are in ``root`` now
    if feedback:
        problems = generate_feedback(root, config, assignment, with_feedback)
        for one in graded:
            if one.result.student in problems:
                one.result.flag(Status.FAILED, problems[one.result.student])
    return [one.result for one in graded]


def summary(results: list[StudentResult], csv_path: Path, sandboxed: bool = True) -> str:
    attention = [r for r in results if r.needs_attention]
    lines = [
        f"graded {len(results)} students; scores in {csv_path}",
        f"{len(attention)} need attention" if attention else "no student needs attention",
    ]
    if not sandboxed:
        lines.insert(1, sandbox.NO_SANDBOX_SUMMARY)
    for result in attention:
        lines.append(
            f"  {result.student}: {result.status}, {number(result.score)}/"
            f"{number(result.max_score)}: {'; '.join(result.reasons)}"
        )
    return "\n".join(lines)
