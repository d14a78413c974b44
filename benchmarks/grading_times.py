"""Seconds the course's grading command takes for one student, per assignment.

For each assignment this builds a scratch course the way
tests/support/grading.py does (the real `nbgrader` commands and this repo's
nbgrader_config.py in a temporary folder), hands in the solution as one
student's submission, and times one run of

    upsampling-grader grade ASSIGNMENT

(checking, the sandboxed autograde, the gradebook, the CSV and feedback). The
lab's notebook trains its generator, so its figure is the training time plus
grading. It writes benchmarks/results/grading_times.json with the command,
date, machine, the CPU load before and after each run (os.getloadavg), the
versions and the seconds per assignment. On a shared machine the figures are
upper bounds.

Usage (from the repository root, in the course environment):

    .venv/bin/python benchmarks/grading_times.py                 # every assignment
    .venv/bin/python benchmarks/grading_times.py predict_shapes  # only these
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

import nbformat

REPO_ROOT = Path(__file__).resolve().parents[1]
# The checkout, for the tests' scratch course (tests/support, importable by name).
sys.path.insert(0, str(REPO_ROOT))

from tests.support import grading  # noqa: E402

RESULTS = REPO_ROOT / "benchmarks" / "results" / "grading_times.json"
STUDENT = "solution"
DUE_DATE = "2030-06-01 17:00:00 UTC"


def course_with_the_solution(folder: Path, assignment: str) -> Path:
    """A scratch course whose one student handed in the solution of every notebook."""
    course = grading.ScratchCourse(folder, [assignment])
    release = course.release(assignment)
    course.nbgrader("db", "assignment", "add", assignment, f"--duedate={DUE_DATE}")
    course.nbgrader("db", "student", "add", STUDENT)
    handed_in = {}
    for path in sorted(release.glob("*.ipynb")):
        source = nbformat.read(course.root / "solutions" / assignment / path.name, as_version=4)
        released = nbformat.read(path, as_version=4)
        handed_in[path.name] = grading.filled_in(released, grading.solution_answers(source))
    course.submit(STUDENT, assignment, handed_in)
    return course.root


def time_grading(course_root: Path, assignment: str) -> dict:
    load_before = os.getloadavg()
    started = time.perf_counter()
    result = grading.run_grader("grade", assignment, "--quiet", cwd=course_root)
    seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 1),
        "exit_status": result.returncode,
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "csv": (course_root / "grades" / f"{assignment}.csv").read_text()
        if (course_root / "grades" / f"{assignment}.csv").is_file()
        else None,
        "stderr_tail": result.stderr[-1500:],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("assignments", nargs="*", help="default: every assignment")
    args = parser.parse_args()
    chosen = args.assignments or grading.assignment_ids()
    previous = json.loads(RESULTS.read_text()) if RESULTS.is_file() else {}
    measured = dict(previous.get("assignments", {}))
    for assignment in chosen:
        with tempfile.TemporaryDirectory(prefix="grading-times-") as folder:
            root = course_with_the_solution(Path(folder) / "course", assignment)
            measured[assignment] = time_grading(root, assignment)
        print(
            f"{assignment:<26}{measured[assignment]['seconds']:>8.1f} s  "
            f"exit {measured[assignment]['exit_status']}  load {measured[assignment]['load_before'][0]:.2f}",
            flush=True,
        )
        record = {
            "command": "upsampling-grader grade ASSIGNMENT --quiet "
            "(one student: the solution; in a scratch course)",
            "script": "benchmarks/grading_times.py",
            "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "machine": {
                "platform": platform.platform(),
                "processor": platform.machine(),
                "cpus": os.cpu_count(),
                "note": "load averages before and after each run are recorded: figures taken above the core count are upper bounds",
            },
            "versions": {
                name: version(name) for name in ("nbgrader", "tensorflow", "keras", "numpy")
            }
            | {"python": platform.python_version()},
            "assignments": measured,
        }
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(record, indent=2) + "\n")


if __name__ == "__main__":
    main()
