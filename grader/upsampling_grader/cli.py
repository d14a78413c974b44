"""The command line: ``upsampling-grader grade ...`` (or ``python -m upsampling_grader``)."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from upsampling_grader import budget, sandbox
from upsampling_grader.assignment import GradingError, load_course_config
from upsampling_grader.course import grade_class, summary
from upsampling_grader.grading_run import CONFIG_SECTION, GradingRun, data_file_problem
from upsampling_grader.limits import BATCH_SIZE, STUDENT_TIMEOUT, Limits
from upsampling_grader.shards import SHARD_CSV, Slice, grade_shard, merge_shards


class OneLineParser(argparse.ArgumentParser):
    """Refuses bad arguments in one line (argparse's own prints the usage first)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _course_arguments(command: argparse.ArgumentParser) -> None:
    """What ``grade`` and ``merge`` both take: the assignment, the course, the CSV."""
    command.add_argument("assignment")
    command.add_argument(
        "--course", type=Path, default=Path.cwd(), help="course folder (default: here)"
    )
    command.add_argument(
        "--csv", type=Path, help="where to write the scores (default: grades/<assignment>.csv)"
    )


def _grade_arguments(grade: argparse.ArgumentParser) -> None:
    grade.add_argument(
        "submissions",
        nargs="?",
        type=Path,
        help="folder of <student>/<assignment>/*.ipynb (default: the course's submitted/)",
    )
    grade.add_argument("--student", action="append", help="grade only this student (repeatable)")
    grade.add_argument(
        "--cell-timeout", type=_positive, help="seconds per cell (default: Execute.timeout)"
    )
    grade.add_argument(
        "--student-timeout",
        type=_positive_seconds,
        help=f"seconds for one student in all (default: {CONFIG_SECTION}.student_timeout, "
        f"else {STUDENT_TIMEOUT})",
    )
    grade.add_argument(
        "--memory-limit-mb",
        type=_positive,
        help=f"address-space limit of each kernel (default: {CONFIG_SECTION}.memory_limit_mb, "
        f"else {Limits().memory_mb})",
    )
    grade.add_argument(
        "--jobs",
        type=_positive,
        default=1,
        help="nbgrader runs at the same time (each grades a batch of students)",
    )
    grade.add_argument(
        "--batch-size",
        type=_positive,
        default=BATCH_SIZE,
        help=f"students per nbgrader run, each in its own kernel (default: {BATCH_SIZE}; "
        "1: a new nbgrader run per student)",
    )
    grade.add_argument(
        "--scratch",
        type=_scratch_folder,
        help="folder for the per-student scratch courses, made if missing (default: the "
        "system's temporary folder)",
    )
    grade.add_argument(
        "--data-file",
        action="append",
        type=_data_file,
        default=[],
        metavar="NAME",
        help="a file students may hand in beside the notebook (repeatable; copied as plain "
        "bytes; every other file of their folder is left out)",
    )
    grade.add_argument("--no-feedback", action="store_true", help="skip generating feedback")
    grade.add_argument("--quiet", action="store_true", help="no progress bar")
    grade.add_argument(
        "--no-sandbox",
        action="store_true",
        help="run kernels without the bwrap sandbox, as you (only for work you trust)",
    )
    grade.add_argument(
        "--shard",
        metavar="K/N",
        help="grade only shard K (0 to N-1) of N: the students whose id hashes to K",
    )
    grade.add_argument(
        "--out",
        type=Path,
        help="with --shard: the shard's result folder (the course folder is only read)",
    )


def _merge_arguments(merge: argparse.ArgumentParser) -> None:
    merge.add_argument("shards", nargs="+", type=Path, help="shard result folders")
    merge.add_argument(
        "--submissions",
        type=Path,
        help="the class's submissions, to check that no student is missing "
        "(default: the course's submitted/)",
    )


# command -> (one line for the list of commands, what --help says, its own arguments)
COMMANDS = {
    "grade": (
        "autograde every submission of an assignment, one student at a time",
        "Check, autograde (one student at a time, in a scratch course), record the scores in "
        "the gradebook and a CSV, and make feedback without hidden tests. Exits 1 when a "
        "student needs attention.",
        _grade_arguments,
    ),
    "merge": (
        "combine shard folders into the course's gradebook, CSV and feedback",
        "Import the shard folders written by `grade --shard K/N --out FOLDER` into the "
        "course, refusing students graded twice or not at all. Exits 1 when a student "
        "needs attention, 2 when the shards do not cover the class exactly once.",
        _merge_arguments,
    ),
}


def parser() -> argparse.ArgumentParser:
    made = OneLineParser(
        prog="upsampling-grader",
        description="Course-level grading on top of nbgrader (see the instructor guide).",
    )
    commands = made.add_subparsers(dest="command", required=True)
    for name, (one_line, description, own_arguments) in COMMANDS.items():
        command = commands.add_parser(name, help=one_line, description=description)
        _course_arguments(command)
        own_arguments(command)
    return made


def _exit_status(results) -> int:
    return 1 if any(r.needs_attention for r in results) else 0


def grade(args) -> int:
    if args.no_sandbox:
        print(sandbox.NO_SANDBOX_WARNING, file=sys.stderr)
    else:
        sandbox.require_sandbox()  # before anything else: say at once why not
    _say(budget.bound_line(grading_run(args).limits, sandboxed=not args.no_sandbox))
    if args.shard or args.out:
        return grade_one_shard(args)
    course = args.course.resolve()
    csv_path = args.csv or course / "grades" / f"{args.assignment}.csv"
    results = grade_class(
        course,
        args.assignment,
        grading_run(args),
        submissions=_resolved(args.submissions),
        students=args.student,
        csv_path=csv_path,
        say=_say,
    )
    print(summary(results, csv_path, sandboxed=not args.no_sandbox))
    return _exit_status(results)


def _say(line: str) -> None:
    print(line, file=sys.stderr)


def _positive(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a whole number of at least 1")
    return number


def _positive_seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not (math.isfinite(seconds) and seconds > 0):
        raise argparse.ArgumentTypeError(f"{text!r}: expected a number of seconds above 0")
    return seconds


def _scratch_folder(text: str) -> Path:
    """The folder, made if missing: every student's scratch course goes in it."""
    folder = Path(text).resolve()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise argparse.ArgumentTypeError(
            f"{text!r}: cannot make that folder ({error.strerror})"
        ) from None
    return folder


def _data_file(name: str) -> str:
    problem = data_file_problem(name)
    if problem:
        raise argparse.ArgumentTypeError(f"{name!r} {problem}")
    return name


def _resolved(path: Path | None) -> Path | None:
    return path.resolve() if path else None


def grading_run(args) -> GradingRun:
    """The run's settings: the command line's, else the course's nbgrader_config.py's."""
    return GradingRun.for_course(
        load_course_config(args.course.resolve()),
        cell_timeout=args.cell_timeout,
        student_timeout=args.student_timeout,
        memory_limit_mb=args.memory_limit_mb,
        jobs=args.jobs,
        batch_size=args.batch_size,
        sandbox=not args.no_sandbox,
        feedback=not args.no_feedback,
        progress=not args.quiet,
        scratch_parent=args.scratch,
        data_files=tuple(args.data_file),
    )


def grade_one_shard(args) -> int:
    if not (args.shard and args.out):
        raise GradingError("--shard K/N and --out FOLDER go together")
    if args.csv or args.student:
        raise GradingError("a shard writes its CSV into --out and grades its own students")
    results = grade_shard(
        args.course.resolve(),
        args.assignment,
        Slice.parse(args.shard),
        args.out,
        grading_run(args),
        submissions=_resolved(args.submissions),
        say=_say,
    )
    print(summary(results, args.out.resolve() / SHARD_CSV, sandboxed=not args.no_sandbox))
    return _exit_status(results)


def merge(args) -> int:
    course = args.course.resolve()
    csv_path = args.csv or course / "grades" / f"{args.assignment}.csv"
    results = merge_shards(
        course,
        args.assignment,
        [folder.resolve() for folder in args.shards],
        csv_path=csv_path,
        submissions=_resolved(args.submissions),
        say=_say,
    )
    print(summary(results, csv_path))
    return _exit_status(results)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return {"grade": grade, "merge": merge}[args.command](args)
    except (GradingError, ValueError) as error:
        # ValueError: a setting of nbgrader_config.py that GradingRun refuses.
        print(f"error: {error}", file=sys.stderr)
        return 2
