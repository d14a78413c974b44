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
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from upsampling_course.classroom import sandbox
from upsampling_course.classroom.assignment import CONFIG_FILE, Assignment, Settings
from upsampling_course.classroom.notebooks import grade_id, source_key

RUN_MARKER = "UPSAMPLING_COURSE_GRADING_RUN"
SCRATCH_STUDENT = "student"  # the id nbgrader sees in a scratch course
# The start of a record in nbgrader's log, e.g. "[AutogradeApp | DEBUG] ...".
LOG_RECORD = re.compile(r"^\[\w+ \| [A-Z]+\]")

# Runs before nbgrader: sets the memory limit, which the kernel inherits.
LIMITED_LAUNCHER = (
    "import os, resource, sys\n"
    "limit = int(sys.argv[1])\n"
    "if limit > 0:\n"
    "    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))\n"
    "os.execv(sys.executable, [sys.executable, '-m', 'nbgrader', *sys.argv[2:]])\n"
)
IGNORED_INTERRUPT = "did not finish within {timeout} s and ignored the interrupt"
# Log lines that start the phases of one autograde run (for benchmarks/grading_speed.py):
# nbgrader is up and has opened the gradebook, the sanitising pass, the executed
# pass, the kernel's first cell.
PHASE_MARKS = ("Creating/updating student", "Sanitizing", "Autograding", "Executing cell:")


@dataclass
class Attempt:
    """One run of nbgrader autograde: ``returncode`` is None when it was stopped."""

    returncode: int | None
    log: list[str]
    culprit: str | None  # grade id of the cell running when things went wrong
    why: str  # what went wrong, for the CSV
    phases: dict[str, float] = field(default_factory=dict)  # phase -> seconds


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
        # nbgrader reads student ids as glob patterns: a name with [ * ? or a leading
        # dot would not find its folder. Only this scratch course uses the alias.
        self.student = SCRATCH_STUDENT
        self.submitted = root / "submitted" / self.student / assignment.name
        self.autograded = root / "autograded" / self.student / assignment.name
        self.submitted.mkdir(parents=True)

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.db}"

    def cleanup(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
        shutil.rmtree(self.db_dir, ignore_errors=True)

    def autograde(self, settings: Settings, time_left: float) -> Attempt:
        return run_autograde(self, settings, time_left)

    def cell_names(self) -> dict[str, str]:
        """Source text -> grade id, for every cell nbgrader may be running."""
        names = {}
        for spec in self.assignment.notebooks.values():
            for gid, source in spec.sources.items():
                names[source_key(source)] = gid
        for path in self.submitted.glob("*.ipynb"):
            for cell in nbformat.read(path, as_version=4).cells:
                if grade_id(cell):
                    names[source_key(cell.source)] = grade_id(cell)
        return names


def autograde_command(scratch: ScratchGrading, settings: Settings) -> list[str]:
    """The command line that autogrades the scratch course's one student."""
    return [
        sys.executable,
        "-c",
        LIMITED_LAUNCHER,
        str(settings.memory_limit_mb * 2**20),
        "autograde",
        scratch.assignment.name,
        "--student",
        scratch.student,
        "--force",
        "--log-level=DEBUG",
        f"--CourseDirectory.db_url={scratch.db_url}",
        f"--CourseDirectory.root={scratch.root}",
        f"--Execute.timeout={settings.cell_timeout}",
        "--OverwriteCells.add_missing_cells=True",
        *sandbox.autograde_options(scratch.root, settings),
    ]


def run_autograde(scratch: ScratchGrading, settings: Settings, time_left: float) -> Attempt:
    """Autograde once; stop a hung cell or a run past ``time_left`` and say which cell it was."""
    marker = uuid.uuid4().hex
    launched = time.monotonic()
    env = {**os.environ, RUN_MARKER: marker}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    process = subprocess.Popen(
        autograde_command(scratch, settings),
        cwd=scratch.root,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        start_new_session=True,
    )
    watcher = LogWatcher(process, scratch.cell_names())
    reader = threading.Thread(target=watcher.read, daemon=True)
    reader.start()
    deadline = time.monotonic() + max(time_left, 1)
    why = ""
    while process.poll() is None:
        if watcher.hung_cell is not None:
            why = IGNORED_INTERRUPT.format(timeout=settings.cell_timeout)
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
        why = IGNORED_INTERRUPT.format(timeout=settings.cell_timeout)
    elif not why and watcher.kernel_died:
        why = "crashed the kernel"
    elif not why and process.returncode != 0:
        why = "made nbgrader fail"
    phases = watcher.phases(launched, time.monotonic())
    return Attempt(process.returncode if not why else None, watcher.lines, culprit, why, phases)


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
        self.marks: dict[str, float] = {}  # PHASE_MARKS -> when first seen
        self.last_cell_at: float | None = None

    def read(self) -> None:
        capturing: list[str] | None = None
        for line in self.process.stdout:
            now = time.monotonic()
            for mark in PHASE_MARKS:
                if mark in line:
                    self.marks.setdefault(mark, now)
            if "Executing cell:" in line:
                self.last_cell_at = now
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

    def phases(self, launched: float, ended: float) -> dict[str, float]:
        """Seconds per phase of the run, from the times its log lines arrived."""
        names = ["start-up", "gradebook", "sanitising", "kernel start"]
        times = [launched, *(self.marks.get(m) for m in PHASE_MARKS)]
        if None in times or self.last_cell_at is None:
            return {"in all": ended - launched}
        found = {name: b - a for name, a, b in zip(names, times[:-1], times[1:], strict=True)}
        found["cells but the last"] = self.last_cell_at - times[-1]
        found["last cell and wrap-up"] = ended - self.last_cell_at
        return found

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
