"""Grade a whole class with nbgrader, one student at a time, without losing anyone.

Used by the instructor guide (``book/instructor/grading.md``)::

    python -m upsampling_course.classroom grade predict_shapes

run in the course folder (the one with ``nbgrader_config.py``) after the
assignment was released with ``nbgrader generate_assignment``. It wraps
nbgrader rather than replacing it: every student is autograded by the real
``nbgrader autograde`` command, grades go into the course's gradebook, and
feedback is made by nbgrader's ``generate_feedback``. What it adds is what a
class of real students needs:

* each notebook is checked before grading (valid JSON, nbgrader metadata,
  duplicate cell ids, deleted or edited cells, a renamed notebook, an extra
  notebook, a late submission) and repaired where that is safe;
* each student is graded alone, in a scratch copy of the course that holds
  no ``solutions/`` folder and no gradebook, with a memory limit on the kernel
  and a bound on the student's total grading time, so that one broken or
  hostile notebook never stops or changes anyone else's grades;
* a cell that crashes the kernel or ignores the interrupt after its timeout
  is removed (scored as blank) and the student is graded again, so the rest
  of the notebook still earns its points;
* the scores go into one CSV with a status and a reason per student and per
  cell, and the feedback never shows hidden tests (nbgrader issue #917).

The command exits with status 1 and a summary when a student needs the
instructor's attention.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

CONFIG_FILE = "nbgrader_config.py"
# Grading defaults when nbgrader_config.py does not set ClassroomGrading.*.
DEFAULT_STUDENT_TIMEOUT = 900
DEFAULT_MEMORY_LIMIT_MB = 6144
RUN_MARKER = "UPSAMPLING_COURSE_GRADING_RUN"
TOTAL = "(total)"

HIDDEN_REGION = re.compile(
    r"^[ \t]*### BEGIN HIDDEN TESTS.*?^[ \t]*### END HIDDEN TESTS[^\n]*\n?", re.S | re.M
)
MARKER_LINE = re.compile(r"^[ \t]*### (BEGIN|END) (SOLUTION|HIDDEN TESTS)[^\n]*\n?", re.M)
HIDDEN_TEXT_REPLACEMENT = "[hidden test text removed by the grader]"
# The start of a record in nbgrader's log, e.g. "[AutogradeApp | DEBUG] ...".
ANSI_CODE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
LOG_RECORD = re.compile(r"^\[\w+ \| [A-Z]+\]")

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

# Runs before nbgrader: sets the memory limit, which the kernel inherits.
LIMITED_LAUNCHER = (
    "import os, resource, sys\n"
    "limit = int(sys.argv[1])\n"
    "if limit > 0:\n"
    "    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))\n"
    "os.execv(sys.executable, [sys.executable, '-m', 'nbgrader', *sys.argv[2:]])\n"
)


class ClassroomError(Exception):
    """A problem with the course or the command line, not with a student."""


# ---------------------------------------------------------------------------
# Results


@dataclass
class CellResult:
    notebook: str
    cell: str
    score: float
    max_score: float
    status: str
    reason: str = ""


@dataclass
class StudentResult:
    student: str
    status: str = "ok"
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
        return self.status != "ok"

    def flag(self, status: str, reason: str) -> None:
        """Record a reason; the status keeps the most serious one seen."""
        order = ["ok", "late", "repaired", "check by hand", "failed"]
        if order.index(status) > order.index(self.status):
            self.status = status
        if reason not in self.reasons:
            self.reasons.append(reason)

    def cell(self, notebook: str, cell: str) -> CellResult:
        for result in self.cells:
            if result.notebook == notebook and result.cell == cell:
                return result
        raise KeyError((notebook, cell))


CSV_FIELDS = ["student", "notebook", "cell", "score", "max_score", "status", "reason"]


def write_csv(results: Iterable[StudentResult], path: Path) -> None:
    """One row per student (cell ``(total)``) followed by one row per graded cell."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_FIELDS)
        writer.writeheader()
        for result in results:
            writer.writerow(
                {
                    "student": result.student,
                    "notebook": "",
                    "cell": TOTAL,
                    "score": _number(result.score),
                    "max_score": _number(result.max_score),
                    "status": result.status,
                    "reason": "; ".join(result.reasons),
                }
            )
            for cell in result.cells:
                writer.writerow(
                    {
                        "student": result.student,
                        "notebook": cell.notebook,
                        "cell": cell.cell,
                        "score": _number(cell.score),
                        "max_score": _number(cell.max_score),
                        "status": cell.status,
                        "reason": cell.reason,
                    }
                )


def _number(value: float) -> str:
    return f"{value:g}"


# ---------------------------------------------------------------------------
# The course and its assignment, as nbgrader recorded them


def load_course_config(course: Path):
    """The course's nbgrader_config.py as a traitlets Config."""
    from traitlets.config.loader import PyFileConfigLoader

    if not (course / CONFIG_FILE).exists():
        raise ClassroomError(f"{course} has no {CONFIG_FILE}: run the command in the course folder")
    return PyFileConfigLoader(CONFIG_FILE, path=str(course)).load_config()


@dataclass
class NotebookSpec:
    """One notebook of the released assignment: its cells as nbgrader recorded them."""

    name: str
    release: object  # the released notebook (nbformat node)
    points: dict[str, float]  # graded test cell -> points
    answers: list[str]  # answer cell grade ids, in notebook order
    sources: dict[str, str]  # grade id -> source recorded at release (with hidden tests)
    order: list[str]  # every nbgrader cell's grade id, in notebook order

    @classmethod
    def from_notebooks(cls, name: str, release, source) -> NotebookSpec:
        """The same description read from the release and the source notebook directly."""
        points, sources = {}, {}
        for cell in source.cells:
            meta = nbgrader_meta(cell)
            if meta.get("grade_id"):
                sources[meta["grade_id"]] = cell.source
                if meta.get("grade"):
                    points[meta["grade_id"]] = float(meta["points"])
        # nbgrader records an answer cell as released, without its solution.
        for cell in release.cells:
            if nbgrader_meta(cell).get("solution"):
                sources[nbgrader_meta(cell)["grade_id"]] = cell.source
        order = [nbgrader_meta(c)["grade_id"] for c in release.cells if nbgrader_meta(c)]
        answers = [gid for gid in order if gid in sources and _is_answer(release, gid)]
        return cls(
            name, release, {g: points[g] for g in order if g in points}, answers, sources, order
        )

    def test_for_answer(self, answer: str) -> str | None:
        """The first graded test cell after an answer cell."""
        start = self.order.index(answer)
        return next((gid for gid in self.order[start + 1 :] if gid in self.points), None)

    def answer_for_test(self, test: str) -> str | None:
        """The last answer cell before a graded test cell."""
        before = self.order[: self.order.index(test)]
        return next((gid for gid in reversed(before) if gid in self.answers), None)


@dataclass
class Assignment:
    name: str
    notebooks: dict[str, NotebookSpec]
    duedate: datetime.datetime | None
    hidden_lines: set[str]


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def _is_answer(nb, grade_id: str) -> bool:
    return any(
        nbgrader_meta(c).get("grade_id") == grade_id and nbgrader_meta(c).get("solution")
        for c in nb.cells
    )


def hidden_test_lines(sources: Iterable[str], min_length: int = 20) -> set[str]:
    """Lines that only hidden-test regions contain, long enough to be telling."""
    hidden, public = set(), []
    for source in sources:
        for region in HIDDEN_REGION.findall(source):
            hidden.update(line.strip() for line in MARKER_LINE.sub("", region).splitlines())
        public.append(HIDDEN_REGION.sub("", source))
    public_text = "\n".join(public)
    return {line for line in hidden if len(line) >= min_length and line not in public_text}


def load_assignment(course: Path, config, assignment: str, db_url: str) -> Assignment:
    from nbgrader.api import Gradebook, MissingEntry

    release_dir = course / config.CourseDirectory.get("release_directory", "release") / assignment
    notebooks = {}
    with Gradebook(db_url) as gradebook:
        try:
            recorded = gradebook.find_assignment(assignment)
        except MissingEntry:
            raise ClassroomError(
                f"the gradebook has no assignment '{assignment}': release it first with "
                f"`nbgrader generate_assignment {assignment}`"
            ) from None
        duedate = recorded.duedate
        all_sources = []
        for notebook in recorded.notebooks:
            path = release_dir / f"{notebook.name}.ipynb"
            if not path.exists():
                raise ClassroomError(f"the released notebook {path} is missing")
            release = nbformat.read(path, as_version=4)
            sources = {cell.name: cell.source for cell in notebook.source_cells}
            all_sources += list(sources.values())
            order = [nbgrader_meta(c)["grade_id"] for c in release.cells if nbgrader_meta(c)]
            notebooks[notebook.name] = NotebookSpec(
                name=notebook.name,
                release=release,
                points={cell.name: float(cell.max_score) for cell in notebook.grade_cells},
                answers=[
                    nbgrader_meta(c)["grade_id"]
                    for c in release.cells
                    if nbgrader_meta(c).get("solution")
                ],
                sources=sources,
                order=order,
            )
    # Keep the points in notebook order (the gradebook lists them by name).
    for spec in notebooks.values():
        spec.points = {gid: spec.points[gid] for gid in spec.order if gid in spec.points}
    return Assignment(assignment, notebooks, duedate, hidden_test_lines(all_sources))


# ---------------------------------------------------------------------------
# Checking and repairing one submitted notebook before nbgrader sees it


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


def read_notebook_text(text: str):
    """Parse a notebook; raise ValueError with a readable reason when that fails."""
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(
            f"not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})"
        ) from None
    try:
        return nbformat.reads(text, as_version=4)
    except Exception as error:  # nbformat raises several kinds for a bad structure
        raise ValueError(f"not a Jupyter notebook ({type(error).__name__}: {error})") from None


def check_notebook(text: str, spec: NotebookSpec) -> Checked:
    """Check a submission against the release; repair what can be repaired safely."""
    try:
        nb = read_notebook_text(text)
    except ValueError as error:
        return Checked(None, [f"{spec.name}.ipynb is {error}: it cannot be graded"])
    checked = Checked(nb)

    if not any(nbgrader_meta(cell).get("grade_id") for cell in nb.cells):
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

    _repair_duplicates(nb, checked, spec)
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


def _repair_duplicates(nb, checked: Checked, spec: NotebookSpec) -> None:
    """A copied cell repeats a grade id (nbgrader aborts, issue #1083) and a cell id."""
    seen_grade_ids, seen_cell_ids = set(), set()
    for cell in nb.cells:
        grade_id = nbgrader_meta(cell).get("grade_id")
        if grade_id and grade_id in seen_grade_ids:
            del cell.metadata["nbgrader"]
            checked.repaired = True
            checked.note(
                grade_id,
                f"the cell {grade_id} appears more than once (a copied cell): the copy was "
                "run as an ordinary cell",
            )
        elif grade_id:
            seen_grade_ids.add(grade_id)
        cell_id = cell.get("id")
        if cell_id is None or cell_id in seen_cell_ids:
            cell["id"] = uuid.uuid4().hex[:12]
            if cell_id is not None and not grade_id:
                checked.repaired = True
        seen_cell_ids.add(cell["id"])


def _compare_with_release(nb, checked: Checked, spec: NotebookSpec) -> None:
    """Note changed or deleted test cells (nbgrader restores them) and put back deleted answers."""
    present = {
        nbgrader_meta(c)["grade_id"]: c for c in nb.cells if nbgrader_meta(c).get("grade_id")
    }
    released = {nbgrader_meta(c)["grade_id"]: c for c in spec.release.cells if nbgrader_meta(c)}
    notes_before = sum(len(notes) for notes in checked.cell_notes.values())
    for grade_id, points in spec.points.items():
        cell = present.get(grade_id)
        if cell is None:
            checked.note(grade_id, "the test cell was deleted; nbgrader put it back and ran it")
            continue
        if cell.cell_type != released[grade_id].cell_type:
            checked.note(grade_id, f"the test cell was turned into {cell.cell_type}; restored")
        elif cell.source.strip() != released[grade_id].source.strip():
            checked.note(grade_id, "the test cell was edited; the released test was restored")
        claimed = nbgrader_meta(cell).get("points")
        if claimed is not None and float(claimed) != points:
            checked.note(
                grade_id,
                f"the points in the cell's metadata were changed to {claimed:g}; "
                f"the released {points:g} were used",
            )
    if sum(len(notes) for notes in checked.cell_notes.values()) > notes_before:
        checked.repaired = True
    for answer in spec.answers:
        cell = present.get(answer)
        if cell is None:
            _reinsert_answer(nb, spec, answer, present)
            present = {
                nbgrader_meta(c)["grade_id"]: c
                for c in nb.cells
                if nbgrader_meta(c).get("grade_id")
            }
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
    blank = json.loads(
        json.dumps(
            next(c for c in spec.release.cells if nbgrader_meta(c).get("grade_id") == answer)
        )
    )
    blank = nbformat.from_dict(blank)
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
    for cell in nb.cells:
        if nbgrader_meta(cell).get("grade_id") == answer:
            cell.source = f"raise RuntimeError({('The grader removed this answer: ' + why)!r})"
            cell.outputs = []
            return
    raise KeyError(answer)


# ---------------------------------------------------------------------------
# Matching a student's files to the assignment's notebooks


@dataclass
class Submission:
    student: str
    folder: Path
    texts: dict[str, str]  # assignment notebook name -> file text
    problems: list[str]
    missing: list[str]
    timestamp: datetime.datetime | None


def find_submission(student: str, folder: Path, assignment: Assignment) -> Submission:
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
    for name in missing:
        problems.append(f"{name}.ipynb is missing: it scores 0")
    timestamp = None
    stamp_file = folder / "timestamp.txt"
    if stamp_file.exists():
        from nbgrader.utils import parse_utc

        with contextlib.suppress(ValueError):
            timestamp = parse_utc(stamp_file.read_text().strip())
    return Submission(student, folder, texts, problems, missing, timestamp)


def submission_folders(submissions: Path, assignment: str) -> dict[str, Path]:
    """student -> folder, for nbgrader's <student>/<assignment>/ layout or plain <student>/."""
    folders = {}
    for student_dir in sorted(p for p in submissions.iterdir() if p.is_dir()):
        if student_dir.name.startswith("."):
            continue
        nested = student_dir / assignment
        if nested.is_dir():
            folders[student_dir.name] = nested
        elif any(student_dir.glob("*.ipynb")):
            folders[student_dir.name] = student_dir
    return folders


# ---------------------------------------------------------------------------
# Running nbgrader autograde for one student in a scratch course


@dataclass
class Settings:
    cell_timeout: int
    student_timeout: float
    memory_limit_mb: int
    jobs: int = 1
    keep_scratch: bool = False


@dataclass
class Attempt:
    returncode: int | None
    log: list[str]
    culprit: str | None  # grade id of the cell running when things went wrong
    why: str  # what went wrong, for the CSV


class ScratchGrading:
    """A throw-away nbgrader course holding one student's submission and nothing secret."""

    def __init__(
        self, root: Path, course: Path, template_db: Path, assignment: Assignment, student: str
    ):
        self.root = root
        self.db_dir = Path(tempfile.mkdtemp(prefix="classroom-db-"))
        self.db = self.db_dir / "gradebook.db"
        shutil.copy(template_db, self.db)
        shutil.copy(course / CONFIG_FILE, root / CONFIG_FILE)
        self.assignment = assignment
        self.student = student
        self.submitted = root / "submitted" / student / assignment.name
        self.autograded = root / "autograded" / student / assignment.name
        self.submitted.mkdir(parents=True)

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.db}"

    def cleanup(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
        shutil.rmtree(self.db_dir, ignore_errors=True)

    def autograde(self, settings: Settings, time_left: float) -> Attempt:
        marker = uuid.uuid4().hex
        env = {**os.environ, RUN_MARKER: marker}
        env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
        env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        command = [
            sys.executable,
            "-c",
            LIMITED_LAUNCHER,
            str(settings.memory_limit_mb * 2**20),
            "autograde",
            self.assignment.name,
            "--student",
            self.student,
            "--force",
            "--log-level=DEBUG",
            f"--CourseDirectory.db_url={self.db_url}",
            f"--CourseDirectory.root={self.root}",
            f"--Execute.timeout={settings.cell_timeout}",
            "--OverwriteCells.add_missing_cells=True",
        ]
        process = subprocess.Popen(
            command,
            cwd=self.root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            start_new_session=True,
        )
        watcher = LogWatcher(process, self._cell_names())
        reader = threading.Thread(target=watcher.read, daemon=True)
        reader.start()
        deadline = time.monotonic() + max(time_left, 1)
        why = ""
        while process.poll() is None:
            if watcher.hung_cell is not None:
                why = f"did not finish within {settings.cell_timeout} s and ignored the interrupt"
                break
            if time.monotonic() > deadline:
                why = "was still running when the student's grading time ran out"
                break
            time.sleep(0.2)
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        kill_marked_processes(marker)
        reader.join(timeout=10)
        culprit = watcher.hung_cell or watcher.current_cell
        if not why and process.returncode != 0 and watcher.timed_out_cell is not None:
            # After the interrupt nbclient waits a few seconds for the cell's
            # output; a cell that ignored the interrupt makes nbgrader give up.
            culprit = watcher.timed_out_cell
            why = f"did not finish within {settings.cell_timeout} s and ignored the interrupt"
        elif not why and watcher.kernel_died:
            why = "crashed the kernel"
        elif not why and process.returncode != 0:
            why = "made nbgrader fail"
        return Attempt(process.returncode if not why else None, watcher.lines, culprit, why)

    def _cell_names(self) -> dict[str, str]:
        """Source text -> grade id, for every cell nbgrader may be running."""
        names = {}
        for spec in self.assignment.notebooks.values():
            for grade_id, source in spec.sources.items():
                names[source_key(source)] = grade_id
        for path in self.submitted.glob("*.ipynb"):
            for cell in nbformat.read(path, as_version=4).cells:
                grade_id = nbgrader_meta(cell).get("grade_id")
                if grade_id:
                    names[source_key(cell.source)] = grade_id
        return names


def source_key(source: str) -> str:
    """A cell's source without whitespace: the log indents the lines it quotes."""
    return re.sub(r"\s+", "", source)


class LogWatcher:
    """Follows nbgrader's debug log to know which cell is running, and spot a hung one.

    nbclient logs ``Executing cell:`` with the cell's source before running it,
    ``Timeout waiting for execute reply`` when a cell times out (it then sends
    an interrupt and moves on), and ``Kernel died`` on a crash. Two timeouts in
    a row without another cell starting in between mean the interrupt was
    ignored: every later cell would queue behind the hung one.
    """

    def __init__(self, process, cell_names: dict[str, str]):
        self.process = process
        self.cell_names = cell_names
        self.lines: list[str] = []
        self.current_cell: str | None = None
        self.timed_out_cell: str | None = None
        self.hung_cell: str | None = None
        self.cells_since_timeout = 0
        self.kernel_died = False

    def read(self) -> None:
        capturing: list[str] | None = None
        for line in self.process.stdout:
            self.lines.append(line)
            if len(self.lines) > 4000:
                del self.lines[:1000]
            if capturing is not None and LOG_RECORD.match(line):
                self._started("".join(capturing).strip())
                capturing = None
            if "Executing cell:" in line:
                capturing = []
            elif capturing is not None:
                capturing.append(line)
            if "Timeout waiting for execute reply" in line:
                if self.timed_out_cell is not None and self.cells_since_timeout == 1:
                    self.hung_cell = self.timed_out_cell
                else:
                    self.timed_out_cell = self.current_cell
                    self.cells_since_timeout = 0
            if "Kernel died" in line or "DeadKernelError" in line:
                self.kernel_died = True

    def _started(self, source: str) -> None:
        self.current_cell = self.cell_names.get(
            source_key(source), f"(unmarked cell: {source[:40]!r})"
        )
        self.cells_since_timeout += 1


def kill_marked_processes(marker: str) -> None:
    """Kill what a grading run left behind: kernels run in their own session."""
    needle = f"{RUN_MARKER}={marker}".encode()
    proc = Path("/proc")
    if not proc.is_dir():
        return
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if needle in environ.split(b"\0"):
            with contextlib.suppress(OSError):
                os.kill(int(entry.name), signal.SIGKILL)


# ---------------------------------------------------------------------------
# Grading one student


def grade_student(
    course: Path,
    template_db: Path,
    assignment: Assignment,
    student: str,
    folder: Path,
    settings: Settings,
    scratch_parent: Path | None = None,
) -> tuple[StudentResult, Path | None]:
    """Grade one student in a scratch course; return the result and the autograded folder."""
    started = time.monotonic()
    result = StudentResult(student)
    submission = find_submission(student, folder, assignment)
    for problem in submission.problems:
        result.flag("failed" if "is missing" in problem else "repaired", problem)
    if submission.timestamp and assignment.duedate:
        late = submission.timestamp - assignment.duedate
        if late.total_seconds() > 0:
            result.flag("late", f"submitted {describe_delay(late)} after the due date")

    checked = {}
    for name, text in submission.texts.items():
        checked[name] = check_notebook(text, assignment.notebooks[name])
        for problem in checked[name].problems:
            result.flag("failed" if checked[name].notebook is None else "repaired", problem)
        if checked[name].repaired:
            result.flag("repaired", f"{name}.ipynb was repaired before grading (see its cells)")
        if checked[name].suspicious:
            result.flag("check by hand", f"{name}.ipynb has answers that touch files or the kernel")

    gradable = {n: c for n, c in checked.items() if c.notebook is not None}
    scores: dict[tuple[str, str], float] = {}
    outputs: dict[str, object] = {}
    removed: dict[tuple[str, str], str] = {}
    autograded_dir = None
    scratch = None
    if gradable:
        scratch_root = Path(tempfile.mkdtemp(prefix="classroom-", dir=scratch_parent))
        scratch = ScratchGrading(scratch_root, course, template_db, assignment, student)
        try:
            for name, item in gradable.items():
                nbformat.write(item.notebook, scratch.submitted / f"{name}.ipynb")
            # timestamp.txt, and submission_secret.txt that release_feedback needs.
            for path in folder.iterdir():
                if path.is_file() and path.suffix != ".ipynb":
                    shutil.copy(path, scratch.submitted / path.name)
            scores, outputs, removed, autograded_dir = _autograde_with_retries(
                scratch, settings, result, started
            )
        finally:
            if autograded_dir is None and not settings.keep_scratch:
                scratch.cleanup()

    for name, spec in assignment.notebooks.items():
        item = checked.get(name)
        if item is not None:
            for grade_id, notes in list(item.cell_notes.items()):
                if grade_id not in spec.points:
                    row = spec.test_for_answer(grade_id) if grade_id in spec.answers else None
                    if row is None:
                        result.flag("repaired", f"{name}.ipynb: {'; '.join(notes)}")
                    else:
                        item.cell_notes.setdefault(row, []).extend(notes)
        for grade_id, points in spec.points.items():
            notes = list(item.cell_notes.get(grade_id, [])) if item else []
            if item is None or item.notebook is None:
                status, score = "not graded", 0.0
                notes.insert(0, "the notebook could not be graded")
            elif (name, grade_id) not in scores:
                status, score = "not graded", 0.0
                notes.insert(0, "grading did not finish")
            else:
                score = scores[(name, grade_id)]
                status = "passed" if score == points else ("partial" if score > 0 else "failed")
                answer = spec.answer_for_test(grade_id)
                if (name, answer) in removed:
                    notes.insert(0, f"the answer cell {answer} {removed[(name, answer)]}")
                if status != "passed" and name in outputs:
                    errors = describe_errors(outputs[name], spec, grade_id)
                    notes += errors
                    if any("timed out" in error for error in errors):
                        result.flag(
                            "check by hand",
                            f"{name}.ipynb: {grade_id} timed out after {settings.cell_timeout} s "
                            "(an overloaded machine can cause this too: grade the student again "
                            "alone with --student)",
                        )
            result.cells.append(CellResult(name, grade_id, score, points, status, "; ".join(notes)))
    result.seconds = time.monotonic() - started
    if scratch is not None and autograded_dir is not None:
        result._scratch = scratch  # cleaned up after its files were imported
    return result, autograded_dir


def _autograde_with_retries(
    scratch: ScratchGrading, settings: Settings, result: StudentResult, started
):
    removed: dict[tuple[str, str], str] = {}
    for _ in range(6):
        time_left = settings.student_timeout - (time.monotonic() - started)
        if time_left <= 0:
            break
        result.attempts += 1
        attempt = scratch.autograde(settings, time_left)
        if attempt.returncode == 0:
            scores = read_scratch_scores(scratch)
            outputs = {
                p.stem: nbformat.read(p, as_version=4) for p in scratch.autograded.glob("*.ipynb")
            }
            return scores, outputs, removed, scratch.autograded
        where = _locate(scratch, attempt.culprit)
        if where is None:
            reason = f"grading stopped ({attempt.why or 'nbgrader failed'}) and no answer cell was to blame"
            tail = "".join(attempt.log[-5:]).strip().splitlines()
            result.flag("failed", reason + (f": {tail[-1][:200]}" if tail else ""))
            return {}, {}, removed, None
        notebook, answer = where
        why = f"{attempt.why}; it was removed and the notebook graded again"
        path = scratch.submitted / f"{notebook}.ipynb"
        nb = nbformat.read(path, as_version=4)
        neutralise_answer(nb, answer, attempt.why)
        nbformat.write(nb, path)
        removed[(notebook, answer)] = why
        result.flag("check by hand", f"{notebook}.ipynb: the answer cell {answer} {attempt.why}")
    result.flag(
        "failed",
        f"grading took longer than the {settings.student_timeout:g} s allowed per student",
    )
    return {}, {}, removed, None


def _locate(scratch: ScratchGrading, culprit: str | None) -> tuple[str, str] | None:
    """The (notebook, answer cell) to blame for the cell that hung or crashed."""
    if culprit is None:
        return None
    for name, spec in scratch.assignment.notebooks.items():
        if culprit in spec.answers:
            return name, culprit
        if culprit in spec.points:
            answer = spec.answer_for_test(culprit)
            return (name, answer) if answer else None
    return None


def read_scratch_scores(scratch: ScratchGrading) -> dict[tuple[str, str], float]:
    from nbgrader.api import Gradebook

    scores = {}
    with Gradebook(scratch.db_url) as gradebook:
        for name, spec in scratch.assignment.notebooks.items():
            try:
                notebook = gradebook.find_submission_notebook(
                    name, scratch.assignment.name, scratch.student
                )
            except Exception:
                continue
            for grade in notebook.grades:
                if grade.name in spec.points and grade.score is not None:
                    # Never trust more than the released points.
                    scores[(name, grade.name)] = min(float(grade.score), spec.points[grade.name])
    return scores


def describe_errors(nb, spec: NotebookSpec, test: str) -> list[str]:
    """Why a test cell lost points: its error, and an error in the answer before it."""
    found = []
    answer = spec.answer_for_test(test)
    for grade_id in (answer, test):
        cell = next((c for c in nb.cells if nbgrader_meta(c).get("grade_id") == grade_id), None)
        if cell is None or cell.cell_type != "code":
            continue
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if not errors:
            continue
        where = "the test" if grade_id == test else f"the answer cell {grade_id}"
        if any(o.get("ename") == "CellTimeoutError" for o in errors):
            # The kernel's KeyboardInterrupt comes first; the timeout is the story.
            found.append(f"{where} timed out")
            continue
        evalue = str(errors[0].get("evalue", "")).strip().splitlines()
        message = (
            f"{errors[0].get('ename')}: {evalue[0][:300]}" if evalue else errors[0].get("ename")
        )
        found.append(f"{where} raised {message}")
    return found


def describe_delay(delay: datetime.timedelta) -> str:
    minutes = int(delay.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days} d"] * bool(days) + [f"{hours} h"] * bool(hours) + [f"{minutes} min"]
    return " ".join(parts)


def redact(text: str, hidden_lines: set[str]) -> str:
    """Replace each hidden line, as is or as it appears inside a notebook's JSON."""
    for line in sorted(hidden_lines, key=len, reverse=True):
        for form in (line, json.dumps(line)[1:-1]):
            if form in text:
                text = text.replace(form, HIDDEN_TEXT_REPLACEMENT)
    return text


def redact_outputs(nb, hidden_lines: set[str]) -> None:
    """Remove hidden-test text from what the feedback will show.

    A failing test cell's traceback quotes the test's code around the failing
    line, hidden tests included: keep only its last line (the assertion's
    message, written for students). Student code may also print hidden tests
    (by reading the notebook being graded): those lines are replaced.
    """
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        is_test = meta.get("grade") and not meta.get("solution")
        for output in cell.get("outputs", []):
            if is_test and output.get("output_type") == "error":
                output["traceback"] = [f"{output.get('ename')}: {output.get('evalue')}"]
            if "text" in output:
                output["text"] = redact(output["text"], hidden_lines)
            if "traceback" in output:
                # Colour codes can split a quoted line of the test; drop them first.
                output["traceback"] = [
                    redact(ANSI_CODE.sub("", t), hidden_lines) for t in output["traceback"]
                ]
            if "evalue" in output:
                output["evalue"] = redact(output["evalue"], hidden_lines)
            for kind, value in output.get("data", {}).items():
                if isinstance(value, str) and kind.startswith("text/"):
                    output["data"][kind] = redact(value, hidden_lines)


# ---------------------------------------------------------------------------
# The whole class


def course_setting(config, name: str, default):
    section = config.get("ClassroomGrading", {})
    return section.get(name, default) if hasattr(section, "get") else default


def course_settings(
    config,
    cell_timeout: int | None = None,
    student_timeout: float | None = None,
    memory_limit_mb: int | None = None,
    jobs: int = 1,
) -> Settings:
    """The command's options, falling back on nbgrader_config.py, then on built-in defaults."""
    execute = config.get("Execute", {})
    return Settings(
        cell_timeout=int(cell_timeout or execute.get("timeout", 30)),
        student_timeout=float(
            student_timeout or course_setting(config, "student_timeout", DEFAULT_STUDENT_TIMEOUT)
        ),
        memory_limit_mb=int(
            memory_limit_mb or course_setting(config, "memory_limit_mb", DEFAULT_MEMORY_LIMIT_MB)
        ),
        jobs=max(1, jobs),
    )


def make_template_gradebook(db_url: str, destination: Path) -> Path:
    """A copy of the course gradebook with the assignments and no students."""
    from nbgrader.api import Gradebook

    if not db_url.startswith("sqlite:///"):
        raise ClassroomError("the grading command needs a SQLite gradebook (nbgrader's default)")
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
    """Record one student's scores in the course gradebook and autograded/ folder."""
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
            nbformat.write(nb, path)


def generate_feedback(course: Path, config, assignment: Assignment, students: list[str]) -> dict:
    """nbgrader's own feedback, with hidden tests cleared; returns student -> problem."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    problems = {}
    with _working_directory(course):
        coursedir = CourseDirectory(config=config)
        coursedir.root = str(course)
        api = NbGraderAPI(coursedir, config=config)
        for student in students:
            outcome = api.generate_feedback(assignment.name, student)
            if not outcome["success"]:
                problems[student] = f"feedback failed: {outcome['error'].strip().splitlines()[-1:]}"
                continue
            folder = course / coursedir.feedback_directory / student / assignment.name
            for page in folder.glob("*.html"):
                text = page.read_text()
                leaked = [line for line in assignment.hidden_lines if _html_contains(text, line)]
                if leaked:
                    page.unlink()
                    problems[student] = (
                        f"feedback {page.name} showed hidden tests and was deleted: check "
                        "GenerateFeedback.preprocessors in nbgrader_config.py"
                    )
    return problems


def _html_contains(html: str, line: str) -> bool:
    import html as html_module

    plain = re.sub(r"<[^>]+>", "", html)
    return line in html_module.unescape(plain) or html_module.escape(line) in html


@contextlib.contextmanager
def _working_directory(path: Path):
    before = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def grade_class(
    course: Path,
    assignment_name: str,
    submissions: Path | None = None,
    csv_path: Path | None = None,
    cell_timeout: int | None = None,
    student_timeout: float | None = None,
    memory_limit_mb: int | None = None,
    jobs: int = 1,
    students: list[str] | None = None,
    feedback: bool = True,
    progress: bool = True,
    scratch_parent: Path | None = None,
) -> list[StudentResult]:
    """Grade every student's submission of one assignment; see the module docstring."""
    from nbgrader.coursedir import CourseDirectory

    course = Path(course).resolve()
    config = load_course_config(course)
    coursedir = CourseDirectory(config=config)
    coursedir.root = str(course)
    db_url = coursedir.db_url
    settings = course_settings(config, cell_timeout, student_timeout, memory_limit_mb, jobs)
    assignment = load_assignment(course, config, assignment_name, db_url)
    submissions = Path(submissions) if submissions else course / coursedir.submitted_directory
    if not submissions.is_dir():
        raise ClassroomError(f"no submissions folder {submissions}")
    folders = submission_folders(submissions, assignment_name)
    if students:
        unknown = sorted(set(students) - set(folders))
        if unknown:
            raise ClassroomError(f"no submissions from {', '.join(unknown)} in {submissions}")
        folders = {s: folders[s] for s in students}
    if not folders:
        raise ClassroomError(f"no student folders with notebooks in {submissions}")

    work = Path(tempfile.mkdtemp(prefix="classroom-template-"))
    try:
        template = make_template_gradebook(db_url, work)

        def one(student: str):
            return grade_student(
                course, template, assignment, student, folders[student], settings, scratch_parent
            )

        from tqdm import tqdm

        bar = tqdm(total=len(folders), unit="student", disable=not progress, file=sys.stderr)
        results: dict[str, tuple[StudentResult, Path | None]] = {}
        with ThreadPoolExecutor(max_workers=settings.jobs) as pool:
            futures = {pool.submit(one, student): student for student in folders}
            for future in _as_completed(futures):
                student = futures[future]
                try:
                    results[student] = future.result()
                except Exception as error:  # a bug must not lose the rest of the class
                    failed = StudentResult(student)
                    failed.flag(
                        "failed", f"the grading command failed: {type(error).__name__}: {error}"
                    )
                    results[student] = (failed, None)
                bar.set_postfix_str(f"{student}: {results[student][0].status}")
                bar.update()
        bar.close()

        ordered = [results[s] for s in folders]
        for result, autograded_dir in ordered:
            timestamp = find_submission(
                result.student, folders[result.student], assignment
            ).timestamp
            import_into_course(
                db_url, course, config, assignment, result, autograded_dir, timestamp
            )
            scratch = getattr(result, "_scratch", None)
            if scratch is not None:
                scratch.cleanup()
        if feedback:
            with_feedback = [r.student for r, d in ordered if d is not None]
            for student, problem in generate_feedback(
                course, config, assignment, with_feedback
            ).items():
                results[student][0].flag("failed", problem)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    final = [result for result, _ in ordered]
    csv_path = csv_path or course / "grades" / f"{assignment_name}.csv"
    write_csv(final, csv_path)
    return final


def _as_completed(futures):
    from concurrent.futures import as_completed

    return as_completed(futures)


def summary(results: list[StudentResult], csv_path: Path) -> str:
    attention = [r for r in results if r.needs_attention]
    lines = [
        f"graded {len(results)} students; scores in {csv_path}",
        f"{len(attention)} need attention" if attention else "no student needs attention",
    ]
    for result in attention:
        lines.append(
            f"  {result.student}: {result.status}, {_number(result.score)}/"
            f"{_number(result.max_score)}: {'; '.join(result.reasons)}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m upsampling_course.classroom",
        description="Course-level grading on top of nbgrader (see the instructor guide).",
    )
    commands = parser.add_subparsers(dest="command", required=True)
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
    grade.add_argument("--jobs", type=int, default=1, help="students graded at the same time")
    grade.add_argument(
        "--scratch",
        type=Path,
        help="folder for the per-student scratch courses (default: the system's temporary folder)",
    )
    grade.add_argument("--no-feedback", action="store_true", help="skip generating feedback")
    grade.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)

    course = args.course.resolve()
    csv_path = args.csv or course / "grades" / f"{args.assignment}.csv"
    try:
        results = grade_class(
            course,
            args.assignment,
            submissions=args.submissions.resolve() if args.submissions else None,
            csv_path=csv_path,
            cell_timeout=args.cell_timeout,
            student_timeout=args.student_timeout,
            memory_limit_mb=args.memory_limit_mb,
            jobs=args.jobs,
            students=args.student,
            feedback=not args.no_feedback,
            progress=not args.quiet,
            scratch_parent=args.scratch.resolve() if args.scratch else None,
        )
    except ClassroomError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(summary(results, csv_path))
    return 1 if any(r.needs_attention for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
