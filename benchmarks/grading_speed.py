"""How long the course's grading command takes per student, against the floor.

The floor is what grading can never beat: executing the student's notebook
once (here the solution notebook of predict_shapes, executed in this process
with nbclient, a fresh kernel each time). The grading command does more per
student: it checks the notebook, runs `nbgrader autograde` in a scratch
course for a batch of students (a new Python, the gradebook, then per
student the sanitising pass and a new kernel for the executed pass),
retries after a crash or a hung cell, and then records the class's grades
and makes the feedback.

This script measures both side by side in one run, for the well-behaved
students of tests/support/predict_shapes_class.py (their notebooks
take as long as the solution's), and prints:

- the floor (median of --floor-runs executions, before and after grading);
- per student: seconds in the grading command and the phases of its
  `nbgrader autograde` run, read from the times its log lines arrived;
- per class, for each --jobs value: wall-clock seconds of the whole command
  (grading, gradebook import, feedback) and per student, and the ratio of
  that per-student time to the floor;
- `uptime` before and after each figure: the machine may be shared.

Usage (from the repository root, in the course environment):

    .venv/bin/python benchmarks/grading_speed.py                  # 6 students, --jobs 1 and 2
    .venv/bin/python benchmarks/grading_speed.py --students 4 --jobs 1
    .venv/bin/python benchmarks/grading_speed.py --all            # the whole class of 23
    .venv/bin/python benchmarks/grading_speed.py --batch-sizes 1 8  # one nbgrader run per student, then 8
"""

from __future__ import annotations

import argparse
import copy
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

import nbformat

REPO_ROOT = Path(__file__).resolve().parents[1]
# The checkout, for the tests' simulated class (tests/support, importable by name).
sys.path.insert(0, str(REPO_ROOT))

from tests.support.grading import (  # noqa: E402
    EXERCISES,
    SOLUTIONS,
    ScratchCourse,
    filled_in,
    solution_answers,
)
from tests.support.predict_shapes_class import (  # noqa: E402
    ASSIGNMENT,
    DUE_DATE,
    NOTEBOOK,
    hand_in,
    simulated_class,
)
from upsampling_course.variants import GRADING_ID_VARIABLE  # noqa: E402
from upsampling_grader import course as class_grading  # noqa: E402
from upsampling_grader.assignment import load_assignment  # noqa: E402
from upsampling_grader.grading_run import GradingRun  # noqa: E402
from upsampling_grader.limits import BATCH_SIZE  # noqa: E402
from upsampling_grader.scratch import Grading  # noqa: E402


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def execute_once(nb) -> float:
    """Seconds to execute a notebook from a fresh kernel, under a student id as when graded."""
    from nbclient import NotebookClient

    started = time.perf_counter()
    env = {**os.environ, GRADING_ID_VARIABLE: "floor-student"}
    NotebookClient(nb, timeout=600, kernel_name="python3").execute(env=env)
    return time.perf_counter() - started


def floor(runs: int) -> list[float]:
    """The floor: the notebook a student hands in (the release with the solution's answers),
    executed once; the judge's questions afterwards are part of what grading adds."""
    release = nbformat.read(EXERCISES / ASSIGNMENT / NOTEBOOK, as_version=4)
    source = nbformat.read(SOLUTIONS / ASSIGNMENT / NOTEBOOK, as_version=4)
    handed_in = filled_in(release, solution_answers(source))
    return [execute_once(copy.deepcopy(handed_in)) for _ in range(runs)]


def new_course(folder: Path, students) -> ScratchCourse:
    course = ScratchCourse(folder, [ASSIGNMENT])
    release_dir = course.release(ASSIGNMENT)
    course.nbgrader("db", "assignment", "add", ASSIGNMENT, f"--duedate={DUE_DATE}")
    release = nbformat.read(release_dir / NOTEBOOK, as_version=4)
    source = nbformat.read(SOLUTIONS / ASSIGNMENT / NOTEBOOK, as_version=4)
    hand_in(course.root, students, release, solution_answers(source))
    return course


def grade_timed(course_root: Path, jobs: int, batch_size: int, cell_timeout: int) -> dict:
    """The grading command's steps (as grade_class runs them), each timed."""
    times = {}
    started = time.perf_counter()
    course, config, coursedir = class_grading.open_course(course_root)
    grading_run = GradingRun.for_course(
        config, cell_timeout, jobs=jobs, batch_size=batch_size, progress=False
    )
    assignment = load_assignment(course, config, ASSIGNMENT, coursedir.db_url)
    folders = class_grading.student_folders(course / coursedir.submitted_directory, assignment)
    submissions = class_grading.read_submissions(folders, assignment)
    work = Path(tempfile.mkdtemp(prefix="grading-speed-template-"))
    template = class_grading.make_template_gradebook(coursedir.db_url, work)
    times["set-up"] = time.perf_counter() - started
    mark = time.perf_counter()
    graded = class_grading.grade_submissions(
        Grading(course, template, assignment, grading_run), submissions
    )
    times["grading the students"] = time.perf_counter() - mark
    mark = time.perf_counter()
    class_grading.record(graded, coursedir.db_url, course, config, assignment, feedback=False)
    times["gradebook import"] = time.perf_counter() - mark
    mark = time.perf_counter()
    with_feedback = [one.result.student for one in graded if one.result.cells]
    class_grading.generate_feedback(course, config, assignment, with_feedback)
    times["feedback"] = time.perf_counter() - mark
    times["in all"] = time.perf_counter() - started
    shutil.rmtree(work, ignore_errors=True)
    return {"times": times, "graded": graded}


def print_students(graded, floor_s: float) -> None:
    print(f"\n  {'student':<12}{'status':<10}{'runs':>5}{'seconds':>9}{'/ floor':>8}  phases (s)")
    for one in graded:
        result = one.result
        phases = one.run.phases[-1] if one.run.phases else {}
        detail = ", ".join(f"{name} {seconds:.1f}" for name, seconds in phases.items())
        print(
            f"  {result.student:<12}{result.status:<10}{result.attempts:>5}"
            f"{result.seconds:>9.1f}{result.seconds / floor_s:>8.2f}  {detail}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=6, help="well-behaved students to grade")
    parser.add_argument("--all", action="store_true", help="the whole simulated class instead")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--batch-sizes",
        type=int,
        nargs="+",
        default=[BATCH_SIZE],
        help="students per nbgrader run (1: a new nbgrader run per student, as before batches)",
    )
    parser.add_argument("--cell-timeout", type=int, default=90)
    parser.add_argument("--floor-runs", type=int, default=3)
    args = parser.parse_args()

    everyone = simulated_class()
    # Whole, ordinary notebooks: as long to run as the solution (or an error sooner).
    ordinary = [s for s in everyone if s.name in ("ada", "bao", "chen", "dara", "tf_logs")]
    students = everyone if args.all else (ordinary * 4)[: args.students]
    # Repeated students get their own names (a course has one folder per student).
    for number, student in enumerate(students):
        if students.index(student) != number:
            students[number] = type(student)(**{**vars(student), "name": f"{student.name}{number}"})

    print(f"date: {time.strftime('%Y-%m-%d %H:%M %Z')}")
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs (as the OS reports them)")
    print(
        "versions: Python "
        + platform.python_version()
        + ", "
        + ", ".join(f"{p} {version(p)}" for p in ("nbgrader", "nbclient", "keras", "tensorflow"))
    )
    print(f"students: {len(students)}; cell timeout {args.cell_timeout} s")
    print(f"load before the floor: {uptime()}")
    before = floor(args.floor_runs)
    print(f"floor (s): {', '.join(f'{t:.1f}' for t in before)}")

    runs = {}
    for batch_size in args.batch_sizes:
        for jobs in args.jobs:
            with tempfile.TemporaryDirectory(prefix="grading-speed-") as folder:
                course = new_course(Path(folder) / "course", students)
                load = uptime()
                run = grade_timed(course.root, jobs, batch_size, args.cell_timeout)
                runs[(jobs, batch_size)] = {**run, "load": (load, uptime())}

    print(f"load before the second floor: {uptime()}")
    after = floor(args.floor_runs)
    print(f"floor again (s): {', '.join(f'{t:.1f}' for t in after)}")
    floor_s = statistics.median(before + after)
    print(f"\nfloor: executing the notebook once, median of {len(before + after)}: {floor_s:.1f} s")

    for (jobs, batch_size), run in runs.items():
        times, graded = run["times"], run["graded"]
        count = len(graded)
        print(
            f"\n--jobs {jobs} --batch-size {batch_size}: load {run['load'][0]}  ->  {run['load'][1]}"
        )
        print_students(graded, floor_s)
        print("  steps (s): " + ", ".join(f"{k} {v:.1f}" for k, v in times.items()))
        in_grading = statistics.median(one.result.seconds for one in graded)
        per_student = times["in all"] / count
        print(
            f"  one student's grading (median): {in_grading:.1f} s = "
            f"{in_grading / floor_s:.2f} x the floor"
        )
        print(
            f"  whole command per student: {per_student:.1f} s = {per_student / floor_s:.2f} x "
            f"the floor (wall clock {times['in all']:.1f} s for {count})"
        )


if __name__ == "__main__":
    main()
