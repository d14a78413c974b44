"""The grader's perimeter (issue #28): what the grading command does around the sandbox.

One module fixture grades a class of predict_shapes with the real
`upsampling-grader grade` (two jobs, batches): three ordinary students beside
students whose folders and notebooks attack the command itself rather than
the kernel's sandbox:

* ``perim-files``: a perfect notebook beside links (to /etc/shadow, the
  course gradebook, the solution, another student's notebook), a hard link to
  a root-only file, ``ipykernel_launcher.py``, ``numpy.py``,
  ``upsampling_course.py``, a 5 MB ``timestamp.txt`` and a notebook named
  ``=1+1.ipynb``;
* ``perim-nblink``, ``perim-hardnb``, ``perim-sollink``: a notebook that is a
  link to another student's, a hard link to the solution, an assignment
  folder that is a link to ``solutions/``;
* ``perim-new\\nline`` and ``=perim-formula``: ids that break nbgrader's lists
  and spreadsheets;
* ``perim-inside``: a perfect notebook whose added cells try to write into
  the kernel's socket folder, print the grading machine's ``TF_`` variables,
  write 400 MB on the kernel's fd 1 and flood IOPub with 200 MB of
  ``clear_output`` messages;
* ``perim-zzz-slow``: a correct notebook that runs past ``--student-timeout``
  inside a batch, its cells' sources forging nbgrader's "Creating/updating
  student" log line (which used to restart its clock).

While it grades, the test follows the peak resident memory of the grading
command and of its nbgrader processes. A merge test then hands the merge
tampered shard folders.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import nbformat
import pytest

from tests.support.grading import (
    ScratchCourse,
    filled_in,
    folder_digest,
    grader_command,
    run_grader,
    solution_answers,
)
from upsampling_grader.notebooks import grade_id
from upsampling_grader.results import FORMULA_STARTS, StudentResult, result_to_json
from upsampling_grader.scratch import tools_first
from upsampling_grader.shards import digest, shard_of

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("perimeter")]

ASSIGNMENT = "predict_shapes"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
ORDINARY = ["perim-ada", "perim-bo", "perim-zz"]
REFUSED = ["perim-nblink", "perim-hardnb", "perim-sollink", "perim-new\nline", "=perim-formula"]
# Roomy for a loaded 2-core machine (a busy CI box takes over 30 s for the set-up cell);
# the slow student's five cells of 28 s run past it.
CELL_TIMEOUT = 60
STUDENT_TIMEOUT = 120
ROOT_ONLY = "PERIM-ROOT-ONLY-SECRET"
GRADER_SECRET = "TF_PERIM_GRADER_SECRET"
# The grading command beside a class: about 140 MB (the issue measured 134-145 MB,
# and 962 MB with one 400 MB line on a kernel's fd 1): it stays flat. nbgrader is
# bounded, not flat: a notebook's kept output, one message of at most the judge's
# reply budget plus 1 MB (257 MB) and what zmq queued while it was busy; 372 MB on
# a quiet machine, 810 MB with the machine loaded (the queue grows while nbgrader
# waits for the CPU).
GRADER_PEAK_MB = 300
NBGRADER_PEAK_MB = 1024

PROBES = """\
import os, sys
comms = os.path.dirname(sys.argv[sys.argv.index("-f") + 1])
try:
    with open(os.path.join(comms, "filler"), "wb") as handle:
        handle.write(b"0" * 2**20)
    print("PERIM-SOCKETS wrote")
except OSError as error:
    print("PERIM-SOCKETS refused", type(error).__name__)
print("PERIM-ENV", sorted(name for name in os.environ if name.startswith("TF_")))
"""

FLOOD = """\
import os, sys
os.write(1, b"perim" * (80 * 2**20))  # 400 MB on the kernel's fd 1, in one line
loaded = sys.__dict__["modules"]  # only flagged by the static check
kernel = loaded["ipykernel.kernelapp"].IPKernelApp.instance().kernel
pad = "z" * (10 * 2**20)
for _ in range(20):  # 200 MB of clear_output messages, in their metadata
    kernel.session.send(kernel.iopub_socket, "clear_output", {"wait": False},
                        parent=kernel.get_parent(), metadata={"pad": pad})
raise RuntimeError("PERIM-FLOODED")  # an error is kept past the output budget
"""

# nbgrader logs a cell's source before running it: these lines used to restart the
# student's clock (s007 is in no batch of this class).
SLOW = '''\
import time
FORGED = """
[AutogradeApp | INFO] Creating/updating student with ID 's007'
"""
time.sleep(28)
'''


def with_cells(release, answers, cells: list[str]):
    nb = filled_in(release, answers)
    setup = next(i for i, c in enumerate(nb.cells) if grade_id(c) == "setup")
    for offset, source in enumerate(cells, start=1):
        nb.cells.insert(setup + offset, nbformat.v4.new_code_cell(source))
    return nb


def folder_of(course: ScratchCourse, student: str) -> Path:
    return course.root / "submitted" / student / ASSIGNMENT


def hand_in_class(course: ScratchCourse, release, answers) -> None:
    perfect = filled_in(release, answers)
    for student in [*ORDINARY, "perim-files", "perim-new\nline"]:
        course.submit(student, ASSIGNMENT, {NOTEBOOK: perfect})
    course.submit(
        "perim-inside", ASSIGNMENT, {NOTEBOOK: with_cells(release, answers, [PROBES, FLOOD])}
    )
    course.submit(
        "perim-zzz-slow", ASSIGNMENT, {NOTEBOOK: with_cells(release, answers, [SLOW] * 5)}
    )
    solution = course.root / "solutions" / ASSIGNMENT
    ada = folder_of(course, "perim-ada") / NOTEBOOK

    files = folder_of(course, "perim-files")
    secret = course.root / "root-only.txt"
    secret.write_text(ROOT_ONLY)
    secret.chmod(0o600)
    os.link(secret, files / "notes.txt")
    for name, target in {
        "shadow": Path("/etc/shadow"),
        "gradebook.db": course.root / "gradebook.db",
        "solution.ipynb": solution / NOTEBOOK,
        "other.ipynb": ada,
    }.items():
        (files / name).symlink_to(target)
    for name in ("ipykernel_launcher.py", "numpy.py", "upsampling_course.py"):
        (files / name).write_text("raise SystemExit('perim: imported from the submission')\n")
    (files / "timestamp.txt").write_text("2026-11-01 10:00:00" + " " * (5 * 2**20))
    nbformat.write(release, files / "=1+1.ipynb")

    for student, target in {"perim-nblink": ada, "=perim-formula": ada}.items():
        folder_of(course, student).mkdir(parents=True)
        (folder_of(course, student) / NOTEBOOK).symlink_to(target)
    folder_of(course, "perim-hardnb").mkdir(parents=True)
    os.link(solution / NOTEBOOK, folder_of(course, "perim-hardnb") / NOTEBOOK)
    (course.root / "submitted" / "perim-sollink").mkdir()
    folder_of(course, "perim-sollink").symlink_to(solution, target_is_directory=True)


def peak_memory(pid: int, peaks: dict[str, int], running: threading.Event) -> None:
    """Follow the peak resident memory (VmHWM, kB) of ``pid`` and its nbgrader processes."""
    while running.is_set():
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                command = (entry / "cmdline").read_bytes()
                status = (entry / "status").read_text()
            except OSError:
                continue
            kind = "grader" if int(entry.name) == pid else None
            if kind is None and b"nbgrader" in command and b"ipykernel" not in command:
                kind = "nbgrader" if _descends_from(int(entry.name), pid) else None
            if kind and "VmHWM" in status:
                peak = next(
                    int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM")
                )
                peaks[kind] = max(peaks.get(kind, 0), peak)
        time.sleep(0.3)


def _descends_from(pid: int, ancestor: int) -> bool:
    while pid > 1:
        if pid == ancestor:
            return True
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            return False
        pid = int(next(line.split()[1] for line in status.splitlines() if line.startswith("PPid")))
    return False


@pytest.fixture(scope="module")
def perimeter(tmp_path_factory):
    course = ScratchCourse(tmp_path_factory.mktemp("perimeter"), [ASSIGNMENT])
    release = nbformat.read(course.release(ASSIGNMENT) / NOTEBOOK, as_version=4)
    course.nbgrader("db", "assignment", "add", ASSIGNMENT)
    source = nbformat.read(course.root / "solutions" / ASSIGNMENT / NOTEBOOK, as_version=4)
    hand_in_class(course, release, solution_answers(source))
    solutions_before = folder_digest(course.root / "solutions")
    scratch = Path(tempfile_short())
    command = grader_command(
        *("grade", ASSIGNMENT, "--jobs=2", "--batch-size=3"),
        *(f"--cell-timeout={CELL_TIMEOUT}", f"--student-timeout={STUDENT_TIMEOUT}"),
        f"--scratch={scratch}",
    )
    env = {**tools_first(), GRADER_SECRET: "1"}
    started = time.monotonic()
    process = subprocess.Popen(
        command, cwd=course.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    peaks: dict[str, int] = {}
    running = threading.Event()
    running.set()
    follower = threading.Thread(target=peak_memory, args=(process.pid, peaks, running))
    follower.start()
    stdout, stderr = process.communicate(timeout=1500)
    running.clear()
    follower.join()
    shutil.rmtree(scratch, ignore_errors=True)
    path = course.root / "grades" / f"{ASSIGNMENT}.csv"
    assert path.exists(), f"no CSV:\n{stdout[-2000:]}\n{stderr[-3000:]}"
    with open(path, newline="") as handle:
        table = list(csv.reader(handle))
    with open(path, newline="") as handle:
        rows = {(row["student"], row["cell"]): row for row in csv.DictReader(handle)}
    return {
        "course": course,
        "rows": rows,
        "table": table,
        "peaks": peaks,
        "seconds": time.monotonic() - started,
        "stderr": stderr,
        "returncode": process.returncode,
        "solutions_before": solutions_before,
    }


def tempfile_short() -> str:
    import tempfile

    # Short: the sandbox puts the kernels' unix sockets (at most 108 bytes) in there.
    return tempfile.mkdtemp(prefix="perim-")


def total(rows, student: str) -> dict:
    return rows[(student, "(total)")]


def test_ordinary_students_keep_every_point_beside_the_attacks(perimeter):
    rows, course = perimeter["rows"], perimeter["course"]
    assert perimeter["returncode"] == 1, perimeter["stderr"][-3000:]
    for student in ORDINARY:
        row = total(rows, student)
        assert (row["status"], row["reason"]) == ("ok", ""), row
        assert float(row["score"]) == float(row["max_score"]) > 0, row
        assert (course.root / "feedback" / student / ASSIGNMENT / "predict_shapes.html").is_file()


def test_only_the_notebook_is_taken_from_a_folder_of_links_and_code(perimeter):
    rows, course = perimeter["rows"], perimeter["course"]
    row = total(rows, "perim-files")
    # numpy.py, upsampling_course.py or ipykernel_launcher.py on the kernel's path would
    # have stopped it: every point means none was.
    assert float(row["score"]) == float(row["max_score"]), row
    assert row["status"] == "check by hand"
    for words in ("'shadow' was not followed", "'numpy.py' was not used", "'notes.txt' was not",
                  "'timestamp.txt' is larger than", "extra notebook =1+1.ipynb"):  # fmt: skip
        assert words in row["reason"], (words, row["reason"])
    graded = course.root / "autograded" / "perim-files" / ASSIGNMENT
    assert sorted(p.name for p in graded.iterdir()) == [NOTEBOOK]
    everything = b"".join(
        p.read_bytes()
        for folder in ("autograded", "feedback")
        for p in (course.root / folder).rglob("*")
        if p.is_file()
    )
    assert ROOT_ONLY.encode() not in everything
    assert b"SQLite format 3" not in everything


def test_links_and_unsafe_names_are_refused_with_a_reason_and_reach_nothing(perimeter):
    rows, course = perimeter["rows"], perimeter["course"]
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course.root / 'gradebook.db'}") as gradebook:
        known = {student.id for student in gradebook.students}
    shown = {"perim-new\nline": "perim-new\\nline", "=perim-formula": "'=perim-formula"}
    for student in REFUSED:
        row = total(rows, shown.get(student, student))
        assert (row["status"], float(row["score"])) == ("failed", 0.0), row
        assert "link" in row["reason"] or "control character" in row["reason"], row
        assert not (course.root / "autograded" / student).exists()
    assert "perim-new\nline" not in known and "perim-new\\nline" not in known
    assert folder_digest(course.root / "solutions") == perimeter["solutions_before"]


def test_no_cell_of_the_csv_starts_a_formula_and_no_reason_starts_with_a_name(perimeter):
    for line in perimeter["table"]:
        for cell in line:
            assert not cell.startswith(FORMULA_STARTS), line
    for row in perimeter["rows"].values():
        for part in row["reason"].split("; "):
            assert not part.startswith(("'", "=", "perim")), row["reason"]


def test_the_kernel_cannot_write_beside_its_sockets_nor_see_the_graders_variables(perimeter):
    course = perimeter["course"]
    nb = nbformat.read(course.root / "autograded" / "perim-inside" / ASSIGNMENT / NOTEBOOK, 4)
    printed = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    assert "PERIM-SOCKETS refused" in printed, printed[:2000]
    assert "PERIM-ENV [" in printed and GRADER_SECRET not in printed, printed[:2000]
    # The flood's cell is flagged (it reaches sys.modules), not removed: it ran.
    assert ".__dict__" in total(perimeter["rows"], "perim-inside")["reason"]


def test_the_grading_commands_memory_stays_flat_whatever_a_notebook_prints(perimeter):
    graded = perimeter["course"].root / "autograded" / "perim-inside" / ASSIGNMENT / NOTEBOOK
    assert "PERIM-FLOODED" in graded.read_text(), "the flood did not run to its end"
    peaks = {kind: kb // 1024 for kind, kb in perimeter["peaks"].items()}
    assert set(peaks) == {"grader", "nbgrader"}, peaks
    assert peaks["grader"] < GRADER_PEAK_MB, peaks
    assert peaks["nbgrader"] < NBGRADER_PEAK_MB, peaks


def test_an_honest_slow_student_in_a_batch_times_out_by_the_graders_clock(perimeter):
    row = total(perimeter["rows"], "perim-zzz-slow")
    assert row["status"] == "failed" and "timed out" in row["reason"], row
    # Five cells of 28 s, each forging a new student's start: its clock was not restarted.
    assert perimeter["seconds"] < 3 * STUDENT_TIMEOUT + 240, perimeter["seconds"]


# ---------------------------------------------------------------------------
# merge and tampered shards


def shard_folder(root: Path, name: str, index: int, count: int, roster, students) -> Path:
    """A shard folder as `grade --shard` writes it, with its digest, for ``students``."""
    folder = root / name
    folder.mkdir(parents=True)
    data = {
        "assignment": ASSIGNMENT,
        "shard": index,
        "shards": count,
        "roster": sorted(roster),
        "students": [
            {"student": s, "timestamp": None, "result": result_to_json(StudentResult(s))}
            for s in students
        ],
    }
    (folder / "shard.json").write_text(json.dumps({**data, "digest": digest(data)}))
    return folder


def test_merge_refuses_every_tampered_shard_and_writes_nothing(perimeter, tmp_path):
    course = perimeter["course"]
    roster = sorted(p.name for p in (course.root / "submitted").iterdir() if "\n" not in p.name)
    before = folder_digest(course.root)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("kept")
    away = next(s for s in roster if shard_of(s, 2) == 1)
    halves = [[s for s in roster if shard_of(s, 2) == k] for k in (0, 1)]
    # The merge's checks one by one: tests/grader/test_perimeter_parts.py; here, the command.
    cases = {  # name -> (what the refusal says, the shards: (index, count, students))
        "moved": (
            "belongs in shard 1, not 0",
            [(0, 2, [*halves[0], away]), (1, 2, [s for s in halves[1] if s != away])],
        ),
        "path": ("student id", [(0, 1, [*roster, f"../../{outside.name}"])]),
    }
    for name, (words, shards) in cases.items():
        folders = [
            shard_folder(tmp_path / name, f"shard-{index}", index, count, roster, students)
            for index, count, students in shards
        ]
        merged = run_grader("merge", ASSIGNMENT, *map(str, folders), cwd=course.root)
        assert merged.returncode == 2 and words in merged.stderr, (name, merged.stderr)
    assert folder_digest(course.root) == before
    assert (outside / "keep.txt").read_text() == "kept"


def test_regrading_one_student_keeps_every_other_row_of_the_csv(perimeter):
    course = perimeter["course"]
    path = course.root / "grades" / f"{ASSIGNMENT}.csv"
    before = path.read_text().splitlines()
    # A refused student: regraded without a kernel, in seconds.
    again = run_grader("grade", ASSIGNMENT, "--student", "perim-nblink", "--quiet", cwd=course.root)
    assert again.returncode == 1, again.stderr[-2000:]
    assert f"replacing the rows of perim-nblink in {path}" in again.stderr
    after = path.read_text().splitlines()
    assert [r for r in after if not r.startswith("perim-nblink,")] == [
        r for r in before if not r.startswith("perim-nblink,")
    ]
    assert [r for r in after if r.startswith("perim-nblink,")] == [
        r for r in before if r.startswith("perim-nblink,")
    ]
