"""The command line: ``python -m upsampling_course.classroom grade ...``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from upsampling_course.checks import positive_int
from upsampling_course.classroom import sandbox
from upsampling_course.classroom.assignment import DEFAULT_BATCH_SIZE, ClassroomError
from upsampling_course.classroom.course import grade_class, summary
from upsampling_course.classroom.shards import SHARD_CSV, grade_shard, merge_shards, parse_shard


def _grade_parser(commands) -> argparse.ArgumentParser:
    grade = commands.add_parser(
        "grade",
        help="autograde every submission of an assignment, one student at a time",
        description=(
            "Check, autograde (one student at a time, in a scratch course), record the "
            "scores in the gradebook and a CSV, and make feedback without hidden tests. "
            "Exits 1 when a student needs attention."
        ),
    )
    grade.add_argument("assignment")
    grade.add_argument(
        "submissions",
        nargs="?",
        type=Path,
        help="folder of <student>/<assignment>/*.ipynb (default: the course's submitted/)",
    )
    grade.add_argument(
        "--course", type=Path, default=Path.cwd(), help="course folder (default: here)"
    )
    grade.add_argument(
        "--csv", type=Path, help="where to write the scores (default: grades/<assignment>.csv)"
    )
    grade.add_argument("--student", action="append", help="grade only this student (repeatable)")
    grade.add_argument(
        "--cell-timeout", type=int, help="seconds per cell (default: Execute.timeout)"
    )
    grade.add_argument(
        "--student-timeout",
        type=float,
        help="seconds for one student in all (default: ClassroomGrading.student_timeout)",
    )
    grade.add_argument(
        "--memory-limit-mb",
        type=int,
        help="address-space limit of each kernel (default: ClassroomGrading.memory_limit_mb)",
    )
    grade.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="nbgrader runs at the same time (each grades a batch of students)",
    )
    grade.add_argument(
        "--batch-size",
        type=_positive,
        default=DEFAULT_BATCH_SIZE,
        help=f"students per nbgrader run, each in its own kernel (default: {DEFAULT_BATCH_SIZE}; "
        "1: a new nbgrader run per student)",
    )
    grade.add_argument(
        "--scratch",
        type=Path,
        help="folder for the per-student scratch courses (default: the system's temporary folder)",
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
    return grade


def _merge_parser(commands) -> argparse.ArgumentParser:
    merge = commands.add_parser(
        "merge",
        help="combine shard folders into the course's gradebook, CSV and feedback",
        description=(
            "Import the shard folders written by `grade --shard K/N --out FOLDER` into the "
            "course, refusing students graded twice or not at all. Exits 1 when a student "
            "needs attention, 2 when the shards do not cover the class exactly once."
        ),
    )
    merge.add_argument("assignment")
    merge.add_argument("shards", nargs="+", type=Path, help="shard result folders")
    merge.add_argument(
        "--course", type=Path, default=Path.cwd(), help="course folder (default: here)"
    )
    merge.add_argument(
        "--csv", type=Path, help="where to write the scores (default: grades/<assignment>.csv)"
    )
    merge.add_argument(
        "--submissions",
        type=Path,
        help="the class's submissions, to check that no student is missing "
        "(default: the course's submitted/)",
    )
    return merge


def parser() -> argparse.ArgumentParser:
    made = argparse.ArgumentParser(
        prog="python -m upsampling_course.classroom",
        description="Course-level grading on top of nbgrader (see the instructor guide).",
    )
    commands = made.add_subparsers(dest="command", required=True)
    _grade_parser(commands)
    _merge_parser(commands)
    return made


def _exit_status(results) -> int:
    return 1 if any(r.needs_attention for r in results) else 0


def grade(args) -> int:
    if args.no_sandbox:
        print(sandbox.NO_SANDBOX_WARNING, file=sys.stderr)
    else:
        sandbox.require_sandbox()  # before anything else: say at once why not
    if args.shard or args.out:
        return grade_one_shard(args)
    course = args.course.resolve()
    csv_path = args.csv or course / "grades" / f"{args.assignment}.csv"
    results = grade_class(
        course,
        args.assignment,
        csv_path=csv_path,
        students=args.student,
        **grading_options(args),
    )
    print(summary(results, csv_path, sandboxed=not args.no_sandbox))
    return _exit_status(results)


def _positive(text: str) -> int:
    try:
        return positive_int("the batch size", int(text))
    except ValueError as error:
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected a whole number of at least 1"
        ) from error


def grading_options(args) -> dict:
    """The options `grade` and `grade --shard` pass on alike, from the command line."""
    return {
        "submissions": args.submissions.resolve() if args.submissions else None,
        "cell_timeout": args.cell_timeout,
        "student_timeout": args.student_timeout,
        "memory_limit_mb": args.memory_limit_mb,
        "jobs": args.jobs,
        "feedback": not args.no_feedback,
        "progress": not args.quiet,
        "scratch_parent": args.scratch.resolve() if args.scratch else None,
        "use_sandbox": not args.no_sandbox,
        "batch_size": args.batch_size,
    }


def grade_one_shard(args) -> int:
    if not (args.shard and args.out):
        raise ClassroomError("--shard K/N and --out FOLDER go together")
    if args.csv or args.student:
        raise ClassroomError("a shard writes its CSV into --out and grades its own students")
    results = grade_shard(
        args.course.resolve(),
        args.assignment,
        parse_shard(args.shard),
        args.out,
        **grading_options(args),
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
        submissions=args.submissions.resolve() if args.submissions else None,
    )
    print(summary(results, csv_path))
    return _exit_status(results)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return {"grade": grade, "merge": merge}[args.command](args)
    except ClassroomError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
