"""Running ``nbgrader autograde`` for one student in a throw-away scratch course.

The scratch course holds the student's submission, the course's
nbgrader_config.py and a gradebook without students, and nothing secret (no
``solutions/``, no course gradebook). nbgrader runs in its own process
session under a memory limit; its debug log is followed to know which cell is
running, so that a cell that hangs or crashes the kernel can be blamed.

``run_autograde`` is the one function that runs a student's notebook; the
command it runs is built by ``autograde_command``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from upsampling_grader import sandbox
from upsampling_grader.assignment import CONFIG_FILE, Assignment
from upsampling_grader.autograde_log import IGNORED_INTERRUPT, LogWatcher, Outcome
from upsampling_grader.grading_run import GradingRun
from upsampling_grader.judge import scratch as judge_scratch
from upsampling_grader.notebooks import grade_id, source_key

RUN_MARKER = "UPSAMPLING_COURSE_GRADING_RUN"
SCRATCH_STUDENT = "student"  # the id nbgrader sees in a scratch course of one student
# The release's other editions' locked cells, for OverwriteCells (upsampling_grader.overwrite_cells).
EDITIONS_FILE = "editions.json"

# Runs before nbgrader: sets the memory limit, which the kernel inherits.
LIMITED_LAUNCHER = (
    "import os, resource, sys\n"
    "limit = int(sys.argv[1])\n"
    "if limit > 0:\n"
    "    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))\n"
    "os.execv(sys.executable, [sys.executable, '-m', 'nbgrader', *sys.argv[2:]])\n"
)


def tools_first(env: dict[str, str] | None = None) -> dict[str, str]:
    """``env`` (default: this process's) with this Python's ``bin/`` first on PATH.

    nbgrader shells out to ``alembic`` to make a gradebook, and a notebook must
    run with this environment's kernel: both are found on PATH.
    """
    env = dict(os.environ if env is None else env)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


@dataclass(frozen=True)
class Grading:
    """What every scratch course of one assignment's grading is made from, and how it grades."""

    course: Path  # the course folder (its nbgrader_config.py is copied)
    template_db: Path  # a gradebook holding the assignment and no students
    assignment: Assignment
    run: GradingRun


@dataclass
class Attempt:
    """One run of nbgrader autograde: ``returncode`` is None when it was stopped."""

    returncode: int | None
    log: list[str]
    culprit: str | None  # grade id of the cell running when things went wrong
    why: str  # what went wrong, for the CSV
    phases: dict[str, float] = field(default_factory=dict)  # phase -> seconds
    # alias -> how it ended; a student that was running when the run was stopped
    # has an unfinished outcome with this attempt's culprit and reason.
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    trusted: set[str] = field(default_factory=set)  # aliases whose story the log tells truly
    running: str | None = None  # the alias in progress when the run was stopped (StudentClock)


class ScratchGrading:
    """A throw-away nbgrader course holding submissions and nothing secret.

    Each student is known to nbgrader by an alias (``aliases``): nbgrader reads
    student ids as glob patterns, so a name with ``[ * ?`` or a leading dot
    would not find its folder. Only the scratch course uses the aliases.
    """

    def __init__(self, root: Path, grading: Grading, aliases: tuple[str, ...] = (SCRATCH_STUDENT,)):
        self.root = root
        self.grading = grading
        self.db_dir = Path(tempfile.mkdtemp(prefix="grader-db-"))
        self.db = self.db_dir / "gradebook.db"
        shutil.copy(grading.template_db, self.db)
        shutil.copy(grading.course / CONFIG_FILE, root / CONFIG_FILE)
        self.assignment = grading.assignment
        editions = root / EDITIONS_FILE
        editions.write_text(json.dumps(self.assignment.editions))
        with open(root / CONFIG_FILE, "a") as config:
            config.write(f"\nc.OverwriteCells.editions_file = {str(editions)!r}\n")
        self.judge = judge_scratch.prepare(root, self.assignment.name, root / CONFIG_FILE)
        self.aliases = tuple(aliases)
        for alias in self.aliases:
            self.submitted_for(alias).mkdir(parents=True)

    @property
    def student(self) -> str:
        """The alias of a scratch course of one student."""
        return self.aliases[0]

    @property
    def submitted(self) -> Path:
        return self.submitted_for(self.student)

    @property
    def autograded(self) -> Path:
        return self.autograded_for(self.student)

    def submitted_for(self, alias: str) -> Path:
        return self.root / "submitted" / alias / self.assignment.name

    def autograded_for(self, alias: str) -> Path:
        return self.root / "autograded" / alias / self.assignment.name

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.db}"

    def cleanup(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
        shutil.rmtree(self.db_dir, ignore_errors=True)

    def autograde(self, time_left: float, on_finished=None) -> Attempt:
        return run_autograde(self, time_left, on_finished)

    def cell_names(self) -> dict[str, str]:
        """Source text -> grade id, for every cell nbgrader may be running."""
        names = {}
        for spec in self.assignment.notebooks.values():
            for gid, source in spec.sources.items():
                names[source_key(source)] = gid
        for alias in self.aliases:
            for path in self.submitted_for(alias).glob("*.ipynb"):
                for cell in nbformat.read(path, as_version=4).cells:
                    if grade_id(cell):
                        names[source_key(cell.source)] = grade_id(cell)
        return names


def autograde_command(scratch: ScratchGrading) -> list[str]:
    """The command line that autogrades every student of the scratch course, one by one."""
    run = scratch.grading.run
    return [
        sys.executable,
        "-c",
        LIMITED_LAUNCHER,
        str(run.limits.memory_mb * 2**20),
        "autograde",
        scratch.assignment.name,
        "--student",
        scratch.student if len(scratch.aliases) == 1 else "*",
        "--force",
        "--log-level=DEBUG",
        f"--CourseDirectory.db_url={scratch.db_url}",
        f"--CourseDirectory.root={scratch.root}",
        f"--Execute.timeout={run.cell_timeout}",
        "--OverwriteCells.add_missing_cells=True",
        *sandbox.autograde_options(scratch.root, run, scratch.judge),
    ]


def run_autograde(scratch: ScratchGrading, time_left: float, on_finished=None) -> Attempt:
    """Autograde once; stop a hung cell or a student past its time, and say which cell it was.

    ``time_left`` bounds the first student; each later student of the run
    gets ``GradingRun.student_timeout`` from its own start, as the log tells it,
    and the whole run no more than all of them together. ``on_finished(alias)``
    is called (from this thread) as the log reports each student done: for a
    progress bar only, since a notebook's output can imitate the log.
    """
    run = scratch.grading.run
    marker = uuid.uuid4().hex
    launched = time.monotonic()
    env = tools_first({**os.environ, RUN_MARKER: marker})
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    process = subprocess.Popen(
        autograde_command(scratch),
        cwd=scratch.root,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        start_new_session=True,
    )
    clock = StudentClock(scratch)
    watcher = LogWatcher(
        process,
        scratch.cell_names(),
        run.cell_timeout,
        two_timeouts_mean_hung=not run.iopub_timeout_fails,
    )
    reader = threading.Thread(target=watcher.read, daemon=True)
    reader.start()
    first_deadline = time.monotonic() + max(time_left, 1)
    # The log can be spoofed by what a notebook prints: the whole run has a bound of its own.
    run_deadline = first_deadline + (len(scratch.aliases) - 1) * run.student_timeout
    why = ""
    reported: set[str] = set()
    while process.poll() is None:
        clock.look(time.monotonic())
        _report_finished(watcher, reported, on_finished)
        if watcher.hung_cell is not None:
            why = IGNORED_INTERRUPT.format(timeout=run.cell_timeout)
            break
        now = time.monotonic()
        if now > run_deadline or now > clock.deadline(watcher, first_deadline):
            why = "timed out: it was still running when the student's grading time ran out"
            break
        time.sleep(0.2)
    stopped = None
    if process.poll() is None:
        stopped = clock.current(watcher)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    kill_marked_processes(marker)
    reader.join(timeout=10)
    _report_finished(watcher, reported, on_finished)
    culprit = watcher.hung_cell or watcher.current_cell
    if not why and process.returncode != 0:
        culprit, why = watcher.failure()
    ended = time.monotonic()
    outcomes = dict(watcher.outcomes)
    if stopped is not None:
        outcomes[stopped] = Outcome(clock.started_at(stopped, watcher), ended, False, culprit, why)
    phases = watcher.phases(launched, ended)
    trusted = {alias for alias in outcomes if watcher.trusted(alias)}
    return Attempt(
        process.returncode if not why else None,
        watcher.lines,
        culprit,
        why,
        phases,
        outcomes,
        trusted,
        running=stopped,
    )


class StudentClock:
    """Which student of a run is running, and since when, by the grader's own clock.

    With the sandbox, the kernel manager (in nbgrader's process, outside the
    kernel) makes ``kernels/<alias>`` as it starts a student's first kernel;
    nbgrader grades the aliases in sorted order. A notebook can print lines
    that imitate nbgrader's log, but it cannot make that folder: deadlines and
    the student in progress come from it. Without the sandbox (no such folder,
    and student code running as the grader anyway) the log tells.
    """

    def __init__(self, scratch: ScratchGrading):
        self.folder = scratch.root / sandbox.KERNELS
        self.aliases = sorted(scratch.aliases)
        self.timeout = scratch.grading.run.student_timeout
        self.sandboxed = scratch.grading.run.sandbox
        self.seen: dict[str, float] = {}  # alias -> when its kernels folder was first seen

    def look(self, now: float) -> None:
        for alias in self.aliases:
            if alias not in self.seen and (self.folder / alias).is_dir():
                self.seen[alias] = now

    def current(self, watcher: LogWatcher) -> str | None:
        if not self.sandboxed:
            return watcher.current_student
        return max(self.seen, default=None)

    def started_at(self, alias: str, watcher: LogWatcher) -> float | None:
        return self.seen.get(alias) if self.sandboxed else watcher.student_started

    def deadline(self, watcher: LogWatcher, first_deadline: float) -> float:
        """When the running student's time is up: the first student's by ``time_left``,
        a later one's ``student_timeout`` after it started."""
        current = self.current(watcher)
        started = self.started_at(current, watcher) if current else None
        if current is None or started is None or current == self.aliases[0]:
            return first_deadline
        if not self.sandboxed and not watcher.outcomes:
            return first_deadline
        return started + self.timeout


def _report_finished(watcher: LogWatcher, reported: set[str], on_finished) -> None:
    if on_finished is None:
        return
    for alias, outcome in list(watcher.outcomes.items()):
        if outcome.finished and alias not in reported:
            reported.add(alias)
            on_finished(alias)


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
