"""Batches of students in one nbgrader run: how they are planned and how the log is read.

The real command grades its classes in batches in tests/grader/test_class.py
(23 students with crashes, hangs and hostile notebooks among them) and
tests/grader/test_sandbox.py; these tests pin the two decisions a batch rests on:
which students share a run, and what the log says about each of them.
"""

from __future__ import annotations

import re
import threading

import pytest

from tests.support.fakes import FAILED, FINISHED, FakeProcess, cell, student_started, timed_out
from upsampling_grader.autograde_log import IGNORED_INTERRUPT, LogWatcher
from upsampling_grader.batch import Queue, alias, batch_size_now
from upsampling_grader.grading_run import GradingRun
from upsampling_grader.limits import BATCH_SIZE
from upsampling_grader.scratch import Grading, ScratchGrading


@pytest.mark.parametrize("pending", [1, 2, 7, 8, 9, 23, 100])
@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_a_run_takes_at_most_a_batch_and_leaves_every_job_a_share(pending, jobs):
    count = batch_size_now(pending, jobs, BATCH_SIZE)
    assert 1 <= count <= min(BATCH_SIZE, pending)
    assert count * jobs >= min(pending, BATCH_SIZE * jobs)  # nobody idles while work waits


def drain(queue: Queue, jobs: int, stop_in: set[str]):
    """Run the queue with fake nbgrader runs: a batch stops in a student of ``stop_in``
    (graded alone next) and hands back the students after it, as _one_run does."""
    graded, runs = [], []

    def work():
        while (item := queue.take()) is not None:
            if item[0] == "alone":
                graded.append(item[1])
                queue.hand_back()
                continue
            students = item[1]
            runs.append(list(students))
            stop = next((i for i, s in enumerate(students) if s in stop_in), None)
            if stop is None:
                graded.extend(students)
                queue.hand_back()
            else:
                graded.extend(students[:stop])
                queue.hand_back([(students[stop], None)], students[stop + 1 :])

    threads = [threading.Thread(target=work) for _ in range(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert not any(thread.is_alive() for thread in threads), "the queue never ran dry"
    return graded, runs


@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_the_queue_grades_everyone_once_and_hands_back_what_a_stopped_run_missed(jobs):
    students = [f"student{i:02d}" for i in range(23)]
    stop_in = {"student03", "student04", "student17"}
    graded, runs = drain(Queue(students, jobs, BATCH_SIZE), jobs, stop_in)
    assert sorted(graded) == students
    assert all(len(run) <= BATCH_SIZE for run in runs)
    # The students after a stop came back: each of them was in more than one run.
    assert any("student05" in run for run in runs[1:])


def test_aliases_sort_like_their_index_and_hold_no_glob_character():
    names = [alias(i) for i in range(150)]
    assert sorted(names) == names
    assert not any(set(name) & set("[]*?.") for name in names)


NAMES = {"x=1": "first_answer", "whileTrue:pass": "loop_answer", "assertx==1": "test"}


def test_the_log_tells_each_students_outcome_in_a_batch():
    lines = [
        student_started("s000"),
        *cell("x = 1"),
        *cell("assert x == 1"),
        FINISHED,
        student_started("s001"),
        *cell("x = 1"),
        "[AutogradeApp | ERROR] Kernel died while waiting for execute reply.\n",
        FAILED,
        student_started("s002"),
        *cell("while True: pass"),
        timed_out(),
        *cell("assert x == 1"),
        "[AutogradeApp | ERROR] While processing assignment a, the kernel became unresponsive\n",
        student_started("s003"),
        *cell("x = 1"),
        FINISHED,
        # nbgrader's closing list of failures names the failed students again; it must
        # not be taken for a failure of the last student, who finished.
        "[AutogradeApp | ERROR] There was an error processing assignment 'a' for student 's001'\n",
        "[AutogradeApp | ERROR] There was an error processing assignment 'a' for student 's002'\n",
    ]
    watcher = LogWatcher(FakeProcess(lines), NAMES, cell_timeout=30)
    watcher.read()
    outcomes = watcher.outcomes
    assert set(outcomes) == {"s000", "s001", "s002", "s003"}
    assert outcomes["s000"].finished and outcomes["s003"].finished
    assert not outcomes["s001"].finished
    assert (outcomes["s001"].culprit, outcomes["s001"].why) == (
        "first_answer",
        "crashed the kernel",
    )
    assert not outcomes["s002"].finished
    assert outcomes["s002"].culprit == "loop_answer"
    assert outcomes["s002"].why == IGNORED_INTERRUPT.format(timeout="30")
    # The crash of s001 is not held against the students after it.
    assert not watcher.kernel_died and watcher.timed_out_cell is None


def test_log_watcher_names_the_cell_that_ignored_the_interrupt():
    lines = [*cell("x = 1"), *cell("while True: pass"), timed_out()]
    lines += [*cell("assert x == 1"), timed_out()]
    watcher = LogWatcher(FakeProcess(lines), NAMES)
    watcher.read()
    assert watcher.hung_cell == "loop_answer"
    assert watcher.current_cell == "test"


def test_an_interrupted_cell_is_not_taken_for_a_hung_one():
    lines = [*cell("while True: pass"), timed_out(), *cell("x = 1"), *cell("assert x == 1")]
    lines.append("[AutogradeApp | DEBUG] Kernel died while waiting for execute reply.\n")
    watcher = LogWatcher(FakeProcess(lines), NAMES)
    watcher.read()
    assert watcher.hung_cell is None and watcher.kernel_died
    assert watcher.current_cell == "test"


def test_a_student_the_log_leaves_without_an_ending_is_not_taken_for_finished():
    lines = [student_started("s000"), *cell("x = 1"), student_started("s001"), *cell("x = 1")]
    watcher = LogWatcher(FakeProcess(lines), NAMES)
    watcher.read()
    assert not watcher.outcomes["s000"].finished
    assert "s001" not in watcher.outcomes  # still running when the log stopped
    assert watcher.current_student == "s001"


def test_feedback_is_made_in_one_run_for_every_name_a_glob_and_a_list_can_hold(tmp_path):
    from upsampling_grader.course import _feedback_runs

    for name in ["ada", "bao", ".dot", "other"]:
        (tmp_path / name).mkdir()
    together, apart = _feedback_runs(tmp_path, ["ada", "bao", ".dot"])
    assert (together, apart) == (["ada", "bao"], [".dot"])
    (tmp_path / "lee, jo").mkdir()  # a comma would split the exclusion list
    together, apart = _feedback_runs(tmp_path, ["ada", "bao"])
    assert (together, apart) == ([], ["ada", "bao"])
    # Graded itself, the student with the comma may be covered twice, never wrongly.
    together, apart = _feedback_runs(tmp_path, ["ada", "lee, jo"])
    assert (together, apart) == (["ada"], ["lee, jo"])


def batch_scratch(tmp_path, count):
    from types import SimpleNamespace

    (tmp_path / "course").mkdir(parents=True)
    (tmp_path / "course" / "nbgrader_config.py").write_text("")
    (tmp_path / "template.db").write_text("")
    (tmp_path / "scratch").mkdir()
    names = {alias(i): f"student{i}" for i in range(count)}
    grading = Grading(
        tmp_path / "course",
        tmp_path / "template.db",
        SimpleNamespace(name="a", editions={}),
        GradingRun(),
    )
    scratch = ScratchGrading(tmp_path / "scratch", grading, tuple(names))
    taken = {s: SimpleNamespace(gradable={"one": None, "two": None}) for s in names.values()}
    return scratch, names, taken


def autograded(scratch, name, notebooks=("one", "two")):
    folder = scratch.autograded_for(name)
    folder.mkdir(parents=True, exist_ok=True)
    for notebook in notebooks:
        (folder / f"{notebook}.ipynb").write_text("{}")


def test_who_finished_is_read_from_the_files_not_the_log(tmp_path):
    from upsampling_grader.batch import settle

    scratch, names, taken = batch_scratch(tmp_path / "x", 6)
    autograded(scratch, "s000")
    autograded(scratch, "s002")
    autograded(scratch, "s003", ["one"])  # stopped between its two notebooks
    # A run that ended by itself: whoever lacks a notebook failed.
    assert settle(scratch, taken, names, stopped=False) == (["s000", "s002"], None, [])
    # A stopped run: s001 failed before s002 ran; s003 was running; s004, s005 were not reached.
    assert settle(scratch, taken, names, stopped=True) == (
        ["s000", "s002"],
        "s003",
        ["s004", "s005"],
    )
    scratch, names, taken = batch_scratch(tmp_path / "y", 3)
    assert settle(scratch, taken, names, stopped=True) == ([], "s000", ["s001", "s002"])


def test_a_notebook_that_imitates_the_log_can_only_mislead_its_own_grading():
    # s001 prints a fake start and failure of s003, blaming a cell; s003 then really runs.
    lines = [
        student_started("s000"),
        *cell("x = 1"),
        FINISHED,
        student_started("s001"),
        *cell("x = 1"),
        f"[AutogradeApp | DEBUG] content: {{'text': \"{student_started('s003').strip()}\"}}\n",
        student_started("s003"),
        *cell("while True: pass"),
        FAILED,
        student_started("s002"),
        *cell("x = 1"),
        FINISHED,
        student_started("s003"),
        *cell("x = 1"),
        FINISHED,
    ]
    watcher = LogWatcher(FakeProcess(lines), NAMES)
    watcher.read()
    assert watcher.trusted("s000") and watcher.trusted("s001")
    # Started twice, and s002 came after a later-sorting student: neither story is believed.
    assert not watcher.trusted("s003") and not watcher.trusted("s002")


def test_two_interrupted_cells_in_a_row_are_not_taken_for_a_hung_one():
    # With nbgrader's raise_on_iopub_timeout (its default), a cell that ignores the
    # interrupt fails the student at once; two timeouts in a row are two slow cells.
    lines = [
        student_started("s000"),
        *cell("while True: pass"),
        timed_out(),
        *cell("x = 1"),
        timed_out(),
        *cell("assert x == 1"),
        FINISHED,
    ]
    watcher = LogWatcher(FakeProcess(lines), NAMES, two_timeouts_mean_hung=False)
    watcher.read()
    assert watcher.hung_cell is None and watcher.outcomes["s000"].finished
    hung = LogWatcher(FakeProcess(lines), NAMES, two_timeouts_mean_hung=True)
    hung.read()
    assert hung.hung_cell == "loop_answer"


def test_the_grading_guide_states_the_default_batch_size():
    from tests.support.grading import REPO_ROOT

    guide = (REPO_ROOT / "book" / "instructor" / "grading.md").read_text()
    stated = re.search(r"`--batch-size`, (\d+) by default", guide)
    assert stated and int(stated.group(1)) == BATCH_SIZE == GradingRun().batch_size
