"""How long the course's grading command takes for a class, against the floor.

The floor is what grading can never beat: executing each student's notebook
once (here: the solution notebook of predict_shapes, executed with nbclient,
one kernel per run, as many times as there are students). The command does
more per student: it checks the notebook, runs the real `nbgrader autograde`
in a scratch course (a new process, a new kernel), retries after a crash or a
hung cell, and records grades and feedback. This script grades the simulated
class of tests/class_fixtures/predict_shapes_class.py and prints:

- the floor: seconds to execute the solution notebook once (median of runs);
- per student: seconds spent by the grading command, and the ratio to the floor;
- in total: wall-clock seconds for the class, and the ratio to the floor
  times the number of students.

Usage (from the repository root, in the course environment):

    .venv/bin/python benchmarks/grading_speed.py            # the whole class (~23 students)
    .venv/bin/python benchmarks/grading_speed.py --ordinary # only the well-behaved students
    .venv/bin/python benchmarks/grading_speed.py --jobs 2 --cell-timeout 90
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "tests"))

from class_fixtures.predict_shapes_class import (  # noqa: E402
    ASSIGNMENT,
    DUE_DATE,
    NOTEBOOK,
    hand_in,
    simulated_class,
)
from grading_harness import SOLUTIONS, ScratchCourse, solution_answers  # noqa: E402

from upsampling_course import classroom  # noqa: E402


def execute_once(path: Path) -> float:
    """Seconds to execute a notebook from a fresh kernel, as the book build would."""
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    started = time.perf_counter()
    NotebookClient(nb, timeout=600, kernel_name="python3").execute()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ordinary", action="store_true", help="only students with status ok")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--cell-timeout", type=int, default=90)
    parser.add_argument("--floor-runs", type=int, default=3)
    args = parser.parse_args()

    students = simulated_class()
    if args.ordinary:
        students = [s for s in students if s.status == "ok"]
    source_path = SOLUTIONS / ASSIGNMENT / NOTEBOOK

    floor_runs = [execute_once(source_path) for _ in range(args.floor_runs)]
    floor = statistics.median(floor_runs)
    print(
        f"floor: executing the solution notebook once: {floor:.1f} s "
        f"(median of {len(floor_runs)}: {', '.join(f'{t:.1f}' for t in floor_runs)})"
    )

    with tempfile.TemporaryDirectory(prefix="grading-speed-") as folder:
        course = ScratchCourse(Path(folder) / "course", [ASSIGNMENT])
        release_dir = course.release(ASSIGNMENT)
        course.nbgrader("db", "assignment", "add", ASSIGNMENT, f"--duedate={DUE_DATE}")
        release = nbformat.read(release_dir / NOTEBOOK, as_version=4)
        source = nbformat.read(source_path, as_version=4)
        hand_in(course.root, students, release, solution_answers(source))
        started = time.perf_counter()
        results = classroom.grade_class(
            course.root,
            ASSIGNMENT,
            cell_timeout=args.cell_timeout,
            jobs=args.jobs,
            progress=False,
        )
        total = time.perf_counter() - started

    print(f"\n{'student':<20}{'status':<15}{'score':>7}{'runs':>6}{'seconds':>9}{'/ floor':>9}")
    for result in results:
        print(
            f"{result.student:<20}{result.status:<15}{result.score:>4g}/{result.max_score:<2g}"
            f"{result.attempts:>6}{result.seconds:>9.1f}{result.seconds / floor:>9.2f}"
        )
    per_student = [r.seconds for r in results]
    graded = [r.seconds for r in results if r.attempts == 1]
    print(f"\nstudents: {len(results)}, jobs: {args.jobs}, cell timeout: {args.cell_timeout} s")
    print(
        f"per student: median {statistics.median(per_student):.1f} s, max {max(per_student):.1f} s"
    )
    if graded:
        print(
            f"per student graded in one run: median {statistics.median(graded):.1f} s, "
            f"ratio to the floor {statistics.median(graded) / floor:.2f}"
        )
    print(
        f"whole class: {total:.1f} s wall clock; floor x students = "
        f"{floor * len(results):.1f} s; ratio {total / (floor * len(results)):.2f}"
    )


if __name__ == "__main__":
    main()
