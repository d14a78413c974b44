"""Grading a class in shards on separate machines, and merging the shards.

``grade ASSIGNMENT --shard K/N --out FOLDER`` grades the students whose shard
is K (0 <= K < N: Kubernetes' ``JOB_COMPLETION_INDEX``) into FOLDER, laid out
like a small course: ``gradebook.db`` (the assignment and the shard's
students only), ``autograded/`` and ``feedback/`` (redacted), ``grades.csv``
(the per-cell CSV), ``shard.json`` (every score, status, reason and
timestamp, which the merge reads) and ``grading.log``. A shard only reads the
course folder (its config, release, gradebook and submissions): it writes
nothing there, so a pod can mount the course read-only.

A student's shard depends only on the student id: the first 8 bytes of the
SHA-256 of the id, modulo N. Adding or removing a student never moves another
one to a different shard.

``merge ASSIGNMENT FOLDER...`` checks that the shards cover every student
exactly once (refusing duplicates and missing students or shards, naming
them), then imports them into the course's gradebook, autograded/ and
feedback/ folders and writes the one CSV, as a one-machine run would.
"""

from __future__ import annotations

import copy
import datetime
import hashlib
import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from upsampling_grader.assignment import GradingError, load_assignment
from upsampling_grader.course import (
    grade_submissions,
    import_into_course,
    make_template_gradebook,
    open_course,
    read_submissions,
    record,
    replacements,
    student_folders,
    summary,
)
from upsampling_grader.grading_run import GradingRun
from upsampling_grader.results import (
    StudentResult,
    result_from_json,
    result_to_json,
    write_csv,
)
from upsampling_grader.scratch import Grading
from upsampling_grader.submissions import name_problem, shown

SHARD_FILE = "shard.json"
SHARD_CSV = "grades.csv"
SHARD_LOG = "grading.log"
SHARD_GRADEBOOK = "gradebook.db"


def shard_of(student: str, count: int) -> int:
    """The shard of a student: depends only on the student id."""
    digest = hashlib.sha256(student.encode()).digest()
    return int.from_bytes(digest[:8], "big") % count


@dataclass(frozen=True)
class Slice:
    """Shard ``index`` of ``count``: the students whose id hashes to ``index``."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Slice:
        """``"K/N"`` -> shard K of N, with 0 <= K < N."""
        try:
            index, count = (int(part) for part in text.split("/"))
        except ValueError:
            raise GradingError(f"--shard takes K/N, e.g. 0/4, not {text!r}") from None
        if count < 1 or not 0 <= index < count:
            raise GradingError(f"--shard {text}: K must be 0 to N-1 and N at least 1")
        return cls(index, count)

    def holds(self, student: str) -> bool:
        return shard_of(student, self.count) == self.index

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


@dataclass
class Shard:
    """A shard folder as the merge reads it."""

    folder: Path
    assignment: str
    index: int
    count: int
    roster: list[str]  # every student the shard saw in the submissions
    results: list[StudentResult]
    timestamps: dict[str, datetime.datetime | None]

    @classmethod
    def read(cls, folder: Path) -> Shard:
        path = Path(folder) / SHARD_FILE
        if path.is_symlink() or not path.is_file():
            raise GradingError(f"{folder} is not a shard folder: it has no {SHARD_FILE}")
        try:
            data = json.loads(path.read_text())
            written = data.pop("digest")
        except (ValueError, KeyError, AttributeError):
            raise GradingError(f"refusing to merge: {path} is not a shard file") from None
        if written != digest(data):
            raise GradingError(
                f"refusing to merge: {path} was changed after grading (its digest does not match)"
            )
        stamps = {
            s["student"]: (
                datetime.datetime.fromisoformat(s["timestamp"]) if s["timestamp"] else None
            )
            for s in data["students"]
        }
        return cls(
            Path(folder),
            data["assignment"],
            data["shard"],
            data["shards"],
            data["roster"],
            [result_from_json(s["result"]) for s in data["students"]],
            stamps,
        )


def _fresh_folder(out: Path, say: Callable[[str], None]) -> Path:
    """An empty result folder; a shard's own earlier folder (a retried pod) is replaced."""
    out = Path(out).resolve()
    if out.exists() and any(out.iterdir()):
        if not (out / SHARD_FILE).exists() and not (out / SHARD_LOG).exists():
            raise GradingError(f"{out} is not empty and not a shard folder: choose another --out")
        say(f"replacing the earlier shard folder {out}")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    return out


def grade_shard(
    course: Path,
    assignment_name: str,
    shard: Slice,
    out: Path,
    grading_run: GradingRun | None = None,
    *,
    submissions: Path | None = None,
    say: Callable[[str], None] = lambda line: None,
) -> list[StudentResult]:
    """Grade one shard of the class into ``out``; the course folder is only read.

    ``grading_run``, ``submissions`` and ``say`` as for ``course.grade_class``.
    """
    course, config, coursedir = open_course(course)
    grading_run = grading_run or GradingRun.for_course(config)
    folder = Path(submissions) if submissions else course / coursedir.submitted_directory
    out = _fresh_folder(out, say)
    with open(out / SHARD_LOG, "w") as log:
        try:
            work = Path(tempfile.mkdtemp(prefix="grader-shard-"))
            try:
                # A copy, so that nothing (not even SQLite's journal) touches the course.
                course_db = work / "course.db"
                shutil.copy(coursedir.db_url[len("sqlite:///") :], course_db)
                assignment = load_assignment(
                    course, config, assignment_name, f"sqlite:///{course_db}"
                )
                roster = student_folders(folder, assignment)
                mine = {s: f for s, f in roster.items() if shard.holds(s)}
                log.write(
                    f"shard {shard} of {assignment_name}: {len(mine)} of "
                    f"{len(roster)} students: {', '.join(mine) or '(none)'}\n"
                )
                template = make_template_gradebook(f"sqlite:///{course_db}", work)
                shutil.copy(template, out / SHARD_GRADEBOOK)
                graded = grade_submissions(
                    Grading(course, template, assignment, grading_run),
                    read_submissions(mine, assignment, grading_run.data_files),
                )
            finally:
                shutil.rmtree(work, ignore_errors=True)
            results = _record_shard(graded, out, config, assignment, grading_run.feedback)
            _write_shard_file(out, assignment_name, shard, safe_ids(roster), graded)
            log.writelines(_log_line(result) for result in results)
            log.write(summary(results, out / SHARD_CSV) + "\n")
        except Exception as error:
            log.write(f"error: {type(error).__name__}: {error}\n")
            raise
    return results


def _record_shard(graded, out: Path, config, assignment, feedback: bool) -> list[StudentResult]:
    """Record the shard's students in its own small course: gradebook, autograded/, feedback/."""
    shard_config = copy.deepcopy(config)
    shard_config.CourseDirectory.root = str(out)
    shard_config.CourseDirectory.db_url = f"sqlite:///{out / SHARD_GRADEBOOK}"
    db_url = shard_config.CourseDirectory.db_url
    results = record(graded, db_url, out, shard_config, assignment, feedback)
    write_csv(results, out / SHARD_CSV)
    return results


def _log_line(result: StudentResult) -> str:
    return (
        f"{result.student}: {result.status}, {result.score:g}/{result.max_score:g}, "
        f"{result.seconds:.1f} s, {result.attempts} runs: {'; '.join(result.reasons)}\n"
    )


def safe_ids(students) -> list[str]:
    """The students whose ids can be merged (``submissions.name_problem`` finds none)."""
    return [s for s in students if not name_problem(s)]


def digest(data: dict) -> str:
    """The SHA-256 of a shard file's content (without its digest), as the merge checks it."""
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def _write_shard_file(out: Path, assignment: str, shard: Slice, roster: list[str], graded) -> None:
    """What the merge reads: every result and timestamp, and the students the shard saw."""
    data = {
        "assignment": assignment,
        "shard": shard.index,
        "shards": shard.count,
        "roster": roster,
        "students": [
            {
                "student": one.result.student,
                "timestamp": (
                    one.submission.timestamp.isoformat() if one.submission.timestamp else None
                ),
                "result": result_to_json(one.result),
            }
            for one in graded
            if one.submission.importable  # a refused id stays in the shard's CSV and log
        ],
    }
    (out / SHARD_FILE).write_text(json.dumps({**data, "digest": digest(data)}, indent=1))


def check_coverage(shards: list[Shard], assignment: str, expected: set[str]) -> None:
    """Refuse shards that grade a student twice, miss one, or do not belong together."""
    problems = []
    wrong = [str(s.folder) for s in shards if s.assignment != assignment]
    if wrong:
        problems.append(f"shards of another assignment than {assignment}: {', '.join(wrong)}")
    counts = sorted({s.count for s in shards})
    if len(counts) > 1:
        problems.append(f"shards cut the class in different numbers of parts: {counts}")
    where: dict[str, list[str]] = {}
    for shard in shards:
        for result in shard.results:
            where.setdefault(result.student, []).append(str(shard.folder))
    twice = {s: f for s, f in where.items() if len(f) > 1}
    if twice:
        problems.append(
            "students graded in more than one shard: "
            + "; ".join(f"{s} ({', '.join(f)})" for s, f in sorted(twice.items()))
        )
    if len(counts) == 1:
        absent = sorted(set(range(counts[0])) - {s.index for s in shards})
        if absent:
            problems.append(f"missing shards (of {counts[0]}): {', '.join(str(k) for k in absent)}")
    missing = sorted(expected.union(*(s.roster for s in shards)) - set(where))
    if missing:
        problems.append(f"students in no shard: {', '.join(missing)}")
    problems += tampering(shards, expected)
    if problems:
        raise GradingError("refusing to merge: " + "\n  ".join(problems))


def tampering(shards: list[Shard], expected: set[str]) -> list[str]:
    """What a shard folder holds that grading could not have written: a student outside the
    class roster (``expected``, else the shards' own), in a shard its id does not hash to,
    with a path or control character in its id, or a link among its files."""
    roster = expected or set().union(*(s.roster for s in shards))
    problems = []
    for shard in shards:
        if expected and set(shard.roster) != expected:
            problems.append(f"{shard.folder} was graded from another class roster")
        for result in shard.results:
            student = result.student
            if name_problem(student):
                problems.append(f"{shard.folder} holds the student id {shown(student)}")
            elif student not in roster:
                problems.append(f"{shard.folder} holds {shown(student)}, who is not in the class")
            elif shard.count and shard_of(student, shard.count) != shard.index:
                problems.append(
                    f"{shard.folder} holds {shown(student)}, who belongs in shard "
                    f"{shard_of(student, shard.count)}, not {shard.index}"
                )
        links = [p for p in shard.folder.rglob("*") if p.is_symlink()]
        if links:
            problems.append(f"{shard.folder} holds links: {', '.join(map(str, links[:3]))}")
    return problems


def merge_shards(
    course: Path,
    assignment_name: str,
    folders: list[Path],
    csv_path: Path | None = None,
    submissions: Path | None = None,
    say: Callable[[str], None] = lambda line: None,
) -> list[StudentResult]:
    """Combine shard folders into the course's gradebook, CSV, autograded/ and feedback/;
    ``say`` hears what the merge replaces before it does."""
    course, config, coursedir = open_course(course)
    assignment = load_assignment(course, config, assignment_name, coursedir.db_url)
    shards = [Shard.read(folder) for folder in folders]
    if not shards:
        raise GradingError("merge needs at least one shard folder")
    folder = Path(submissions) if submissions else course / coursedir.submitted_directory
    expected = set(safe_ids(student_folders(folder, assignment))) if folder.is_dir() else set()
    check_coverage(shards, assignment_name, expected)

    merged = sorted(
        ((r, shard) for shard in shards for r in shard.results), key=lambda item: item[0].student
    )
    csv_path = csv_path or course / "grades" / f"{assignment_name}.csv"
    students = [result.student for result, _ in merged]
    for line in replacements(course, coursedir, assignment_name, students, csv_path, None):
        say(line)
    feedback_root = course / coursedir.feedback_directory
    for result, shard in merged:
        autograded = shard.folder / "autograded" / result.student / assignment_name
        import_into_course(
            coursedir.db_url,
            course,
            config,
            assignment,
            result,
            autograded if autograded.is_dir() else None,
            shard.timestamps.get(result.student),
        )
        target = feedback_root / result.student / assignment_name
        source = shard.folder / "feedback" / result.student / assignment_name
        if target.exists():
            shutil.rmtree(target)
        if source.is_dir():
            shutil.copytree(source, target)
    results = [result for result, _ in merged]
    write_csv(results, csv_path)
    return results
