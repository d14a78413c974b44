"""The test harness tells a graded class from a crashed grading command (both exit 1)."""

from __future__ import annotations

import os
import subprocess
import time

from tests.support.grading import grading_problem

SUMMARY = "graded 3 students; scores in grades/a.csv\n1 need attention\n  bo: late, 2/2: late\n"
TRACEBACK = "Traceback (most recent call last):\n  File \"cli.py\", line 9\nKeyError: 'x'\n"


def finished(returncode: int, stdout: str = "", stderr: str = ""):
    return subprocess.CompletedProcess(["upsampling-grader"], returncode, stdout, stderr)


def test_exit_1_with_this_runs_csv_and_the_attention_line_is_a_graded_class(tmp_path):
    started = time.time_ns() - 1
    csv_path = tmp_path / "a.csv"
    csv_path.write_text("student,cell\n")
    assert grading_problem(finished(1, SUMMARY), csv_path, started) is None
    assert grading_problem(finished(0, "no student needs attention\n"), csv_path, started) is None


def test_a_crash_that_exits_1_is_a_failure(tmp_path):
    started = time.time_ns()
    problem = grading_problem(finished(1, stderr=TRACEBACK), tmp_path / "a.csv", started)
    assert problem == "exited 1 without writing a.csv"


def test_a_csv_left_by_an_earlier_run_does_not_count(tmp_path):
    csv_path = tmp_path / "a.csv"
    csv_path.write_text("student,cell\n")
    an_hour_ago = time.time() - 3600
    os.utime(csv_path, (an_hour_ago, an_hour_ago))
    problem = grading_problem(finished(1, SUMMARY, TRACEBACK), csv_path, time.time_ns())
    assert problem == "exited 1 without writing a.csv"


def test_exit_1_without_the_summary_or_with_another_status_is_a_failure(tmp_path):
    started = time.time_ns() - 1
    csv_path = tmp_path / "a.csv"
    csv_path.write_text("student,cell\n")
    assert "without a summary" in grading_problem(finished(1, stderr=TRACEBACK), csv_path, started)
    assert grading_problem(finished(2, SUMMARY), csv_path, started) == "exited 2"
