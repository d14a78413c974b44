"""Reading ``nbgrader autograde``'s debug log as it arrives: which student, which cell, what went wrong.

nbgrader grades the students of a run one after another. For each it logs
``Creating/updating student with ID '...'`` first and ``Setting destination
file permissions`` once all its notebooks are written; a student that fails
gets ``There was an error processing assignment`` (or, for a kernel that
could not be interrupted, ``the kernel became unresponsive``) and nbgrader
goes on with the next. Within a student, nbclient logs ``Executing cell:``
with the cell's source before running it, ``Timeout waiting for execute
reply`` when a cell times out (it then interrupts the kernel and moves on),
and ``Kernel died`` on a crash. :class:`LogWatcher` turns those lines into
the state the grading command acts on: the running student and cell, a hung
cell, and an :class:`Outcome` per student.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from upsampling_grader.notebooks import source_key

# The start of a record in nbgrader's log, e.g. "[AutogradeApp | DEBUG] ...".
LOG_RECORD = re.compile(r"^\[\w+ \| [A-Z]+\]")
STUDENT_STARTED = re.compile(r"Creating/updating student with ID '([^']*)'")
STUDENT_FINISHED = "Setting destination file permissions"
UNRESPONSIVE = "the kernel became unresponsive"
STUDENT_FAILED = ("There was an error processing assignment", UNRESPONSIVE)
# At the end of the run nbgrader lists the failed students again, one line each.
FAILED_STUDENT_LISTED = re.compile(
    r"There was an error processing assignment '.*' for student '(.*)'"
)
IGNORED_INTERRUPT = "did not finish within {timeout} s and ignored the interrupt"
# Log lines that start the phases of one autograde run (for benchmarks/grading_speed.py):
# nbgrader is up and has opened the gradebook, the sanitising pass, the executed
# pass, the kernel's first cell.
PHASE_MARKS = ("Creating/updating student", "Sanitizing", "Autograding", "Executing cell:")
KEPT_LINES, DROPPED_LINES = 4000, 1000  # the log is kept in memory, bounded
LINE_LIMIT = 8192  # characters kept of one log line (a cell's source may hold a huge one)


def bounded_lines(stream, limit: int = LINE_LIMIT):
    """The lines of a text stream, each cut at ``limit`` characters: a line of any length
    costs at most ``limit`` characters of memory (a list of lines, as tests give, is cut too)."""
    if not hasattr(stream, "readline"):
        yield from (line if len(line) <= limit else line[:limit] + "\n" for line in stream)
        return
    while line := stream.readline(limit):
        if len(line) == limit and not line.endswith("\n"):
            while (rest := stream.readline(limit)) and not rest.endswith("\n"):
                pass  # the rest of an over-long line is dropped as it arrives
            line += "\n"
        yield line


@dataclass
class Outcome:
    """How one student of a run ended, as the log tells it."""

    started: float  # time.monotonic() of the student's first log line
    ended: float
    finished: bool  # all notebooks written; otherwise it failed
    culprit: str | None = None  # grade id of the cell to blame for a failure
    why: str = ""  # what went wrong, for the CSV (only when not finished)


class LogWatcher:
    """Follows nbgrader's debug log to know which student and cell is running, and spot a hung cell.

    A cell that ignores the interrupt after its timeout leaves the kernel busy.
    With nbgrader's default (``Execute.raise_on_iopub_timeout``) nbclient then
    gives up on the student a few seconds later, and the log says so. Where a
    course turned that off, the next cell would queue behind the hung one and
    time out too: with ``two_timeouts_mean_hung``, two timeouts in a row
    without another cell starting in between mark the first cell as hung.
    Otherwise two timeouts in a row are two cells that were each interrupted.
    ``cell_timeout`` only words the reason of a failure.
    """

    def __init__(
        self,
        process,
        cell_names: dict[str, str],
        cell_timeout: float = 0,
        two_timeouts_mean_hung: bool = True,
    ):
        self.process = process
        self.two_timeouts_mean_hung = two_timeouts_mean_hung
        self.cell_names = cell_names
        self.cell_timeout = cell_timeout
        self.lines: list[str] = []
        self.current_cell: str | None = None
        self.timed_out_cell: str | None = None
        self.hung_cell: str | None = None
        self.cells_since_timeout = 0
        self.kernel_died = False
        self.marks: dict[str, float] = {}  # PHASE_MARKS -> when first seen
        self.last_cell_at: float | None = None
        self.current_student: str | None = None
        self.student_started: float | None = None
        self.outcomes: dict[str, Outcome] = {}  # student id -> how it ended
        self.started_order: list[str] = []  # student ids, as their first lines arrived

    def read(self) -> None:
        capturing: list[str] | None = None
        for line in bounded_lines(self.process.stdout):
            now = time.monotonic()
            self.lines.append(line)
            if len(self.lines) > KEPT_LINES:
                del self.lines[:DROPPED_LINES]
            if capturing is not None and LOG_RECORD.match(line):
                self._cell_started("".join(capturing).strip())
                capturing = None
            for mark in PHASE_MARKS:
                if mark in line:
                    self.marks.setdefault(mark, now)
            self._follow_students(line, now)
            if "Executing cell:" in line:
                self.last_cell_at = now
                capturing = []
            elif capturing is not None:
                capturing.append(line)
            if "Timeout waiting for execute reply" in line:
                twice = self.timed_out_cell is not None and self.cells_since_timeout == 1
                if twice and self.two_timeouts_mean_hung:
                    self.hung_cell = self.timed_out_cell
                else:
                    self.timed_out_cell = self.current_cell
                    self.cells_since_timeout = 0
            if "Kernel died" in line or "DeadKernelError" in line:
                self.kernel_died = True

    def _follow_students(self, line: str, now: float) -> None:
        if not LOG_RECORD.match(line):  # a cell's source or output, not nbgrader's own line
            return
        started = STUDENT_STARTED.search(line)
        listed = FAILED_STUDENT_LISTED.search(line)
        if started:
            self._student_started(started.group(1), now)
        elif listed:
            outcome = self.outcomes.get(listed.group(1))
            if outcome is not None and outcome.finished:  # nbgrader knows better
                outcome.finished, outcome.why = False, "made nbgrader fail"
        elif self.current_student is None or self.current_student in self.outcomes:
            return  # a line after the student's end belongs to no student
        elif STUDENT_FINISHED in line:
            self._student_ended(now, finished=True)
        elif any(text in line for text in STUDENT_FAILED):
            self._student_ended(now, finished=False, unresponsive=UNRESPONSIVE in line)

    def trusted(self, student: str) -> bool:
        """Whether the log's story of ``student`` can be believed.

        A notebook's output can print imitation log lines, but only while it
        runs: nbgrader starts each student once, in sorted order, so a student
        started twice, or after a student that sorts later, may have been
        imitated (by the notebook running at the time).
        """
        order = self.started_order
        if order.count(student) != 1:
            return False
        upto = order[: order.index(student) + 1]
        return all(a < b for a, b in zip(upto[:-1], upto[1:], strict=True))

    def _student_started(self, student: str, now: float) -> None:
        self.started_order.append(student)
        if self.current_student is not None and self.current_student not in self.outcomes:
            self._student_ended(now, finished=False)
        self.current_student, self.student_started = student, now
        self.current_cell = self.timed_out_cell = self.hung_cell = None
        self.cells_since_timeout = 0
        self.kernel_died = False

    def _student_ended(self, now: float, finished: bool, unresponsive: bool = False) -> None:
        if finished:
            outcome = Outcome(self.student_started, now, True)
        else:
            culprit, why = self.failure(unresponsive)
            outcome = Outcome(self.student_started, now, False, culprit, why)
        self.outcomes[self.current_student] = outcome

    def failure(self, unresponsive: bool = False) -> tuple[str | None, str]:
        """(cell to blame, why) for the running student's failure, from what the log showed."""
        # After an interrupt nbclient waits a few seconds for the cell's output; a
        # cell that ignored it makes nbgrader give up on the student.
        if self.hung_cell is not None or self.timed_out_cell is not None or unresponsive:
            culprit = self.hung_cell or self.timed_out_cell or self.current_cell
            return culprit, IGNORED_INTERRUPT.format(timeout=f"{self.cell_timeout:g}")
        if self.kernel_died:
            return self.current_cell, "crashed the kernel"
        return self.current_cell, "made nbgrader fail"

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

    def _cell_started(self, source: str) -> None:
        self.current_cell = self.cell_names.get(
            source_key(source), f"(unmarked cell: {source[:40]!r})"
        )
        self.cells_since_timeout += 1
