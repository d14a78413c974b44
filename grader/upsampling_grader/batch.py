"""Grading several students in one ``nbgrader autograde`` run, each still in a kernel of its own.

A new nbgrader process per student costs a Python start, nbgrader's imports
and a gradebook before the first cell runs (benchmarks/README.md measures
it). :func:`grade_all` puts up to ``GradingRun.batch_size`` students
(``limits.BATCH_SIZE`` by default, ``--batch-size``) in one scratch
course, under aliases (``s000``, ``s001``, ...), and runs nbgrader once: it
grades them one after another, each notebook in a fresh kernel in its own
sandbox, which sees no notebook and no other student's files
(``upsampling_grader.sandbox``). The batch's scratch course holds submissions and
nothing secret, like a one-student one.

Who finished is read from the files (``settle``), not from the log, which a
notebook's output can imitate. A student whose run did not end cleanly (a
crash, a hung cell, too long, an nbgrader error) is graded again alone by
``student.run``; when the run was stopped in that student's notebook and the
log agrees, the stopped run is its first attempt, so the cell to blame is
removed before the retry. Students a stopped run never reached go back to
the queue (:class:`Queue`), which ``GradingRun.jobs`` threads share: whoever is
free takes the next student to grade alone, or the next batch.
"""

from __future__ import annotations

import math
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from upsampling_grader import student as one_student
from upsampling_grader.results import Status
from upsampling_grader.scratch import Attempt, Grading, ScratchGrading
from upsampling_grader.student import Intake, Run


def batch_size_now(pending: int, jobs: int, size: int) -> int:
    """How many of ``pending`` students the next nbgrader run takes: at most ``size``, and few
    enough that every one of ``jobs`` gets a share of what is left."""
    return max(1, min(size, math.ceil(pending / max(jobs, 1))))


def alias(index: int) -> str:
    """A student's name in a batch's scratch course: sorted like the index, no glob characters."""
    return f"s{index:03d}"


def failure_reason(error: Exception) -> str:
    """What the CSV says of a student whose grading raised."""
    return f"the grading command failed: {type(error).__name__}: {error}"


def failed_run(error: Exception) -> Run:
    """The run of a student whose grading raised: a bug must not lose the rest of the class."""
    return Run(flags=[(Status.FAILED, failure_reason(error))])


class Queue:
    """The class's work, shared by ``jobs`` threads: batches of waiting students, and students
    to grade alone, which go first. A thread that finds nothing to do while others work
    waits for what their runs hand back (students a stopped run did not reach)."""

    def __init__(self, students: list[str], jobs: int, size: int):
        self.waiting = list(students)
        self.alone: list[tuple[str, tuple[Attempt | None, float] | None]] = []
        self.jobs, self.size = jobs, size
        self.busy = 0
        self.condition = threading.Condition()

    def take(self):
        """The next piece of work: ("alone", student, earlier), ("batch", students) or None."""
        with self.condition:
            while not (self.alone or self.waiting) and self.busy:
                self.condition.wait()
            if self.alone:
                item = ("alone", *self.alone.pop(0))
            elif self.waiting:
                count = batch_size_now(len(self.waiting), self.jobs, self.size)
                chosen, self.waiting = self.waiting[:count], self.waiting[count:]
                item = ("alone", chosen[0], None) if count == 1 else ("batch", chosen)
            else:
                return None
            self.busy += 1
            return item

    def hand_back(self, alone=(), unreached=()) -> None:
        """Finish a piece of work; queue the students it leaves to grade."""
        with self.condition:
            self.alone.extend(alone)
            self.waiting[:0] = list(unreached)
            self.busy -= 1
            self.condition.notify_all()


def grade_all(
    taken: dict[str, Intake], grading: Grading, on_done: Callable[[str], None] | None = None
) -> dict[str, Run]:
    """Autograde every intake (student -> intake) in ``jobs`` threads of nbgrader runs of up
    to ``batch_size`` students each (``grading.run``); returns student -> run, in ``taken``'s
    order. ``on_done(student)`` is called as each student's run is settled."""
    done = on_done or (lambda student: None)
    jobs = grading.run.jobs
    runs = {s: Run() for s, t in taken.items() if not t.gradable}
    for student in runs:
        done(student)
    queue = Queue([s for s in taken if s not in runs], jobs, grading.run.batch_size)

    def work() -> None:
        while (item := queue.take()) is not None:
            alone, unreached = [], []
            try:
                if item[0] == "alone":
                    _, student, earlier = item
                    runs[student] = _alone(taken[student], earlier, grading)
                    done(student)
                else:
                    finished, failed, unreached = _one_run(
                        {s: taken[s] for s in item[1]}, grading, done
                    )
                    runs.update(finished)
                    alone = list(failed.items())
            except Exception as error:  # a bug must not lose the rest of the class
                if item[0] == "alone":
                    runs[item[1]] = failed_run(error)
                else:  # grade them alone, where an error is one student's only
                    alone = [(s, None) for s in item[1] if s not in runs]
            finally:
                queue.hand_back(alone, unreached)

    threads = [threading.Thread(target=work) for _ in range(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {s: runs[s] for s in taken}


def _alone(taken: Intake, earlier: tuple[Attempt | None, float] | None, grading: Grading) -> Run:
    """Grade one student in a scratch course of its own; ``earlier``: (the batch's run to
    start from, or None; seconds used in it) for a student the batch did not finish."""
    attempt, spent = earlier if earlier else (None, 0.0)
    # Its time allowance counts from now, less what it already used in the batch.
    taken.started = time.monotonic() - spent
    try:
        made = one_student.run(taken, grading, earlier=attempt)
    except Exception as error:
        return failed_run(error)
    made.seconds = time.monotonic() - taken.started  # not the wait for the rest of the class
    if earlier is not None:
        made.attempts += 1  # the batch's run
    return made


def _one_run(
    taken: dict[str, Intake], grading: Grading, done: Callable[[str], None]
) -> tuple[dict[str, Run], dict[str, tuple[Attempt | None, float]], list[str]]:
    """One nbgrader run for ``taken``: (finished runs, students to grade alone with the
    attempt to start from and the seconds they used, students never reached)."""
    names = {alias(i): s for i, s in enumerate(taken)}
    root = Path(tempfile.mkdtemp(prefix="grader-batch-", dir=grading.run.scratch_parent))
    scratch = ScratchGrading(root, grading, tuple(names))
    for name, student in names.items():
        one_student.hand_in(taken[student], scratch, name)
    launched = time.monotonic()
    attempt = scratch.autograde(
        grading.run.student_timeout, lambda a: done(names[a]) if a in names else None
    )
    wall = time.monotonic() - launched
    finished, _in_progress, unreached = settle(
        scratch, taken, names, stopped=attempt.returncode is None, running=attempt.running
    )
    runs, alone = {}, {}
    for name in finished:
        student = names[name]
        outcome = attempt.outcomes.get(name)
        made = Run(scratch=scratch, alias=name, finished=True, attempts=1)
        # The log's times are the student's own output's to imitate: only for show.
        made.seconds = outcome.ended - outcome.started if outcome else wall / len(names)
        made.phases = [{"in a batch of students": made.seconds}]
        one_student.collect(made)
        made.flags += one_student.sandbox_flags(made, grading.run)
        runs[student] = made
    for name in sorted(set(names) - set(finished) - set(unreached)):
        alone[names[name]] = _carried(attempt, name)
    if not runs and not grading.run.keep_scratch:
        scratch.cleanup()
    return runs, alone, [names[n] for n in unreached]


def settle(
    scratch: ScratchGrading,
    taken: dict[str, Intake],
    names: dict[str, str],
    stopped: bool,
    running: str | None = None,
) -> tuple[list[str], str | None, list[str]]:
    """(aliases finished, alias in progress when a stopped run ended, aliases not reached).

    Read from the files, not the log: a student finished when every notebook
    it handed in is in the autograded folder (nbgrader writes it after its
    grades, and removes a failed student's folder). nbgrader grades the
    aliases in sorted order, so after the last finished one, the first without
    its notebooks was running when a stopped run ended and the rest were not
    reached; every other student without its notebooks failed.
    """
    order = sorted(names)
    finished = [n for n in order if _complete(scratch, n, taken[names[n]])]
    if not stopped:
        return finished, None, []
    last = max((order.index(n) for n in finished), default=-1)
    after = order[last + 1 :]
    return finished, (after[0] if after else None), after[1:]


def _complete(scratch: ScratchGrading, name: str, taken: Intake) -> bool:
    folder = scratch.autograded_for(name)
    return all((folder / f"{notebook}.ipynb").is_file() for notebook in taken.gradable)


def _carried(attempt: Attempt, name: str) -> tuple[Attempt | None, float]:
    """The batch's run as the first attempt of a student it did not finish, if the log can
    be believed about that student (``LogWatcher.trusted``); else a fresh start.

    The files say who did not finish; the log names the cell to blame. A
    notebook that prints imitation log lines can only mislead its own grading.
    """
    outcome = attempt.outcomes.get(name)
    if outcome is None or outcome.finished or outcome.culprit is None:
        return None, 0.0
    if name not in attempt.trusted:
        return None, 0.0
    return Attempt(None, attempt.log, outcome.culprit, outcome.why), outcome.ended - outcome.started
