"""Finding each student's submission and reading only what is graded, without following links.

A submission folder is the student's: anything in it may be a link (to
/etc/shadow, the course gradebook, a solution, another student's notebook),
a hard link to a file elsewhere, a fifo, a huge file or a file whose name
holds a newline. The grading command runs as the instructor (often root), so
it reads nothing it finds there but the assignment's notebooks and nbgrader's
own small files, each opened relative to its folder with ``O_NOFOLLOW``,
checked on the open file (a regular file with one link, within a size
bound) and read within that bound (:func:`read_plain`). Every other entry is
named in the student's row and never reaches the kernel; folders and names
are checked too (:func:`name_problem`).
"""

from __future__ import annotations

import contextlib
import datetime
import errno
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from upsampling_grader.assignment import Assignment
from upsampling_grader.limits import NBGRADER_FILE_BYTES, NOTEBOOK_BYTES

TIMESTAMP_FILE = "timestamp.txt"  # written by `nbgrader collect` / `submit`
SECRET_FILE = "submission_secret.txt"  # written by `nbgrader submit`; release_feedback reads it
NBGRADER_FILES = (TIMESTAMP_FILE, SECRET_FILE)
# Names a Python kernel imports from its working folder: never accepted as data files.
IMPORTABLE_SUFFIXES = (".py", ".pyc", ".pyw", ".pyd", ".so", ".pth", ".zip", ".egg")
NAME_LIMIT = 100
# Control characters (a newline splits nbgrader's lists and logs), path separators and
# quotes: a student id or file name holding one is refused.
UNSAFE_CHARACTERS = re.compile(r"[\x00-\x1f\x7f/\\'\"`]")


class Refused(Exception):
    """A file the grader will not read, with the reason for the student's row."""


def name_problem(name: str) -> str | None:
    """Why ``name`` (a student id or a file name) is refused, or None when it is safe."""
    if name in ("", ".", ".."):
        return "is not a name"
    if len(name) > NAME_LIMIT:
        return f"is longer than {NAME_LIMIT} characters"
    if UNSAFE_CHARACTERS.search(name):
        return "holds a control character, a slash or a quote"
    return None


def shown(name: str) -> str:
    """A name as reasons print it: quoted, control characters escaped."""
    return ascii(name) if name_problem(name) else repr(name)


def read_plain(folder_fd: int, name: str, limit: int) -> bytes:
    """The bytes of the regular file ``name`` in the open folder ``folder_fd``, never
    following a link, refusing a hard link and anything over ``limit`` bytes."""
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=folder_fd)
    except OSError as error:
        why = "is a link" if error.errno == errno.ELOOP else f"cannot be read ({error.strerror})"
        raise Refused(why) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Refused("is not a regular file")
        if info.st_nlink != 1:
            raise Refused("is a hard link to a file elsewhere")
        if info.st_size > limit:
            raise Refused(f"is larger than the {limit // 1024} kB the grader reads")
        data = os.read(fd, limit + 1)
        if len(data) > limit:  # grew while being read
            raise Refused(f"is larger than the {limit // 1024} kB the grader reads")
        return data
    finally:
        os.close(fd)


@dataclass
class Submission:
    """One student's files, read once: the notebooks' text and the hand-in time."""

    student: str
    folder: Path
    texts: dict[str, str]  # assignment notebook name -> file text
    problems: list[str]  # renamed, extra or unused files, for the student's row
    missing: list[str]  # assignment notebooks not handed in (or refused)
    timestamp: datetime.datetime | None
    refused: list[str] = field(default_factory=list)  # why a notebook or the folder was refused
    suspicious: list[str] = field(default_factory=list)  # links, importable files: look at them
    files: dict[str, bytes] = field(default_factory=dict)  # nbgrader's files and data files
    importable: bool = True  # False: the id is unsafe, nothing goes into the course

    def late_by(self, duedate: datetime.datetime | None) -> datetime.timedelta | None:
        """How late the submission was, or None when it was on time (or undated)."""
        if self.timestamp is None or duedate is None:
            return None
        delay = self.timestamp - duedate
        return delay if delay.total_seconds() > 0 else None


def parse_timestamp(data: bytes | None) -> datetime.datetime | None:
    """nbgrader's time stamp, from at most ``NBGRADER_FILE_BYTES`` bytes (its parser is
    super-linear in the length of what it is given)."""
    if not data:
        return None
    from nbgrader.utils import parse_utc

    with contextlib.suppress(ValueError, OverflowError):
        return parse_utc(data.decode(errors="replace").strip())
    return None


def refused_submission(student: str, folder: Path, assignment: Assignment, why: str) -> Submission:
    """A submission nothing was read from: every notebook scores 0, for ``why``."""
    return Submission(
        shown(student)[1:-1] if name_problem(student) else student,
        folder,
        {},
        [],
        list(assignment.notebooks),
        None,
        refused=[why],
        importable=name_problem(student) is None,
    )


def find_submission(
    student: str, folder: Path, assignment: Assignment, data_files: tuple[str, ...] = ()
) -> Submission:
    """Read a student's folder; a renamed notebook is found by the grade ids it holds.

    ``data_files``: names of files the instructor lets students hand in beside the
    notebook (read like the notebook, never importable).
    """
    problem = name_problem(student)
    if problem:
        return refused_submission(
            student, folder, assignment, f"the student id {shown(student)} {problem}: not graded"
        )
    try:
        folder_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return refused_submission(
            student, folder, assignment, "the submission folder is a link or unreadable: not graded"
        )
    try:
        return _read_folder(student, folder, folder_fd, assignment, data_files)
    finally:
        os.close(folder_fd)


def _read_folder(
    student: str, folder: Path, folder_fd: int, assignment: Assignment, data_files
) -> Submission:
    made = Submission(student, folder, {}, [], [], None)
    entries = sorted(os.scandir(folder_fd), key=lambda e: e.name)
    expected = {f"{name}.ipynb": name for name in assignment.notebooks}
    notebooks = {}
    for entry in entries:
        problem = name_problem(entry.name)
        if problem:
            made.suspicious.append(f"a file named {shown(entry.name)} {problem}: not read")
        elif entry.is_symlink():
            where = made.refused if entry.name in expected else made.suspicious
            where.append(f"the link {shown(entry.name)} was not followed")
        elif entry.name.endswith(".ipynb"):
            notebooks[entry.name] = entry
        elif entry.name in NBGRADER_FILES or entry.name in data_files:
            limit = NBGRADER_FILE_BYTES if entry.name in NBGRADER_FILES else NOTEBOOK_BYTES
            try:
                made.files[entry.name] = read_plain(folder_fd, entry.name, limit)
            except Refused as why:
                made.suspicious.append(f"the file {shown(entry.name)} {why}: not used")
        elif entry.name.endswith(IMPORTABLE_SUFFIXES):
            made.suspicious.append(
                f"the file {shown(entry.name)} was not used: code goes in the notebook"
            )
        else:
            made.problems.append(
                f"the file {shown(entry.name)} was not used (only notebooks are graded)"
            )
    texts = _notebook_texts(made, folder_fd, notebooks, expected)
    for file_name, name in expected.items():
        if file_name in texts:
            made.texts[name] = texts.pop(file_name)
    for name in [n for n in assignment.notebooks if n not in made.texts]:
        spec = assignment.notebooks[name]
        for file_name, text in list(texts.items()):
            if any(f'"grade_id": "{gid}"' in text for gid in spec.points):
                made.texts[name] = texts.pop(file_name)
                made.problems.append(
                    f"the notebook {shown(file_name)} was renamed; graded as {name}.ipynb"
                )
                break
    for file_name in texts:
        made.problems.append(f"extra notebook {file_name} was not graded")
    made.missing = [name for name in assignment.notebooks if name not in made.texts]
    made.timestamp = parse_timestamp(made.files.get(TIMESTAMP_FILE))
    return made


def _notebook_texts(
    made: Submission, folder_fd: int, notebooks: dict, expected: dict[str, str]
) -> dict[str, str]:
    """file name -> text of each notebook that could be read; a refused one is named in
    the row (the assignment's own notebook then scores 0)."""
    texts = {}
    for file_name in notebooks:
        try:
            texts[file_name] = read_plain(folder_fd, file_name, NOTEBOOK_BYTES).decode(
                errors="replace"
            )
        except Refused as why:
            where = made.refused if file_name in expected else made.suspicious
            where.append(f"the notebook {shown(file_name)} {why}: not read")
    return texts


def submission_folders(submissions: Path, assignment: str) -> dict[str, Path]:
    """student -> folder, for nbgrader's <student>/<assignment>/ layout or plain <student>/.

    Links are listed too (never followed): ``find_submission`` refuses them with a reason.
    """
    folders = {}
    for student_dir in sorted(submissions.iterdir()):
        if student_dir.is_symlink():
            folders[student_dir.name] = student_dir
            continue
        if not student_dir.is_dir():
            continue
        nested = student_dir / assignment
        if nested.is_symlink() or nested.is_dir():
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
