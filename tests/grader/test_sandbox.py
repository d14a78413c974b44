"""Each student's kernel runs in a bubblewrap sandbox (issue #14).

The class tests grade predict_shapes twice with the real command
(`upsampling-grader grade`): a baseline of honest
students only, and one run (two jobs at a time) of the same honest students
beside the hostile submissions of tests/assignments/sandbox_attacks.py. Nothing
outside a hostile student's own result may differ: the honest students'
grades in the course gradebook and in the CSV, the course's folders, and no
process may be left. The hostile rows must say what happened: an attack that
fails stops its answer cell, so the judge (which scores every test from
outside the kernel) finds that answer not defined and scores its tests 0. The
first tests are cheap checks of the sandbox itself, without nbgrader.
"""

from __future__ import annotations

import csv
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import nbformat
import pytest

from tests.assignments.sandbox_attacks import HOSTILE, NEEDS_A_BUDGET, filled
from tests.support.grading import (
    CELL_TIMEOUT,
    SOLUTIONS,
    ScratchCourse,
    filled_in,
    folder_digest,
    nbgrader_meta,
    run_grader,
    solution_answers,
)
from tests.support.predict_shapes_class import ASSIGNMENT, DUE_DATE, NOTEBOOK, ON_TIME, TOTAL
from tests.support.sandbox import bubblewrap_or_skip
from upsampling_grader import budget, sandbox, sandbox_kernel
from upsampling_grader.limits import Limits

# Grading runs are heavy: keep them on the worker that grades the other classes.
pytestmark = pytest.mark.xdist_group("classroom")


def graded_hostile() -> dict:
    """The hostile students this machine grades: those that need a whole-sandbox budget
    only where the grader makes one (budget.cgroup_problem)."""
    if budget.cgroup_problem() is None:
        return HOSTILE
    return {name: planned for name, planned in HOSTILE.items() if name not in NEEDS_A_BUDGET}


# Folder names that nbgrader would read as glob patterns or hide: graded all the same.
HONEST = [".ada", "d[a]ra*?"]
STUDENT_TIMEOUT = 300


@pytest.fixture(scope="module")
def bwrap():
    return bubblewrap_or_skip()


def run_in_sandbox(code: str, tmp_path: Path, limits: Limits | None = None, shipped=(), cache=None):
    comms = tmp_path / "comms"
    comms.mkdir(exist_ok=True)
    command = sandbox.bwrap_command(
        [sys.executable, "-c", code],
        comms=comms,
        uid=sandbox.SANDBOX_UID_BASE + 7,
        limits=limits or Limits(),
        shipped=list(shipped),
        cache=cache,
    )
    env = sandbox.kernel_env({}, cache=cache is not None)
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)


def test_the_kernel_reads_a_copy_of_the_graders_cache_and_cannot_change_it(
    bwrap, tmp_path, monkeypatch
):
    from upsampling_course import cache

    graders = tmp_path / "graders-cache"
    graders.mkdir()
    (graders / "classifier.weights.h5").write_bytes(b"weights")
    (graders / "classifier.weights.h5").chmod(0o600)  # the grader's alone, as pip caches are
    monkeypatch.setenv(cache.CACHE_ENV_VAR, str(graders))
    kernels = tmp_path / "kernels"
    kernels.mkdir()
    copy = sandbox.readable_cache(kernels)
    probe = """
import os, pathlib
from upsampling_course.cache import cached_file
found = cached_file("classifier.weights.h5")
print(found, found.read_bytes())
try:
    found.write_bytes(b"tampered")
except OSError as error:
    print(type(error).__name__)
"""
    done = run_in_sandbox(probe, tmp_path, cache=copy)
    assert done.returncode == 0, done.stderr
    found, refused = done.stdout.splitlines()
    assert found == f"{sandbox.CACHE_MOUNT}/classifier.weights.h5 b'weights'"
    assert refused in {"PermissionError", "OSError"}  # a read-only file on a read-only mount
    assert (graders / "classifier.weights.h5").read_bytes() == b"weights"
    # Too large a cache is not shown at all, rather than shown in part.
    (graders / "big.bin").write_bytes(b"0" * (sandbox.CACHE_LIMIT_MB * 2**20 + 1))
    assert sandbox.readable_cache(kernels) is None


def test_a_sandbox_can_be_made_here(bwrap):
    assert sandbox.sandbox_problem() is None


def test_the_sandbox_sees_python_and_the_package_but_not_the_repository(bwrap, tmp_path):
    import upsampling_course

    package = Path(upsampling_course.__file__).resolve().parent
    (tmp_path / "data.csv").write_text("1,2\n")
    probe = f"""
import os, pathlib, socket
import upsampling_course, numpy
try:
    import upsampling_grader
    print("the grader", upsampling_grader.__path__)
except ImportError as error:
    print(type(error).__name__)
print(os.getuid(), os.getgid(), os.getgroups())
print(sorted(os.listdir({str(package.parent)!r})))
print(os.path.exists({str(package.parent / "solutions")!r}), os.listdir("."))
print(sorted(p for p in os.listdir("/proc") if p.isdigit()))
status = open("/proc/self/status").read()
print([line.split()[1] for line in status.splitlines() if line.startswith(("CapEff", "NoNewPrivs"))])
try:
    socket.create_connection(("127.0.0.1", 1), timeout=2)
except OSError as error:
    print(type(error).__name__)
"""
    done = run_in_sandbox(probe, tmp_path, shipped=[tmp_path / "data.csv"])
    assert done.returncode == 0, done.stderr
    refused, *lines = done.stdout.splitlines()
    # The student package imports; the grader does not (an editable install's clone is not bound).
    assert refused in {"ImportError", "ModuleNotFoundError"}, refused
    # As root the kernel gets a user of its own; otherwise it is nobody in a user namespace.
    uid = sandbox.SANDBOX_UID_BASE + 7 if sandbox.privileged() else sandbox.NOBODY
    assert lines[0] == f"{uid} {uid} []" or lines[0] == f"{uid} {uid} [{uid}]"
    # The clone holds the package folder and, if the environment lives there, .venv only.
    visible = set(eval(lines[1]))
    assert package.name in visible and "solutions" not in visible
    assert visible <= {package.name, Path(sys.prefix).name}
    assert lines[2] == "False ['data.csv']"
    assert len(eval(lines[3])) <= 2, "the kernel sees processes outside its sandbox"
    assert lines[4] == "['0000000000000000', '1']"
    assert lines[5] == "ConnectionRefusedError"


def test_an_installed_grader_is_covered_in_the_sandbox(bwrap, tmp_path, monkeypatch):
    """Installed (not editable), the grader sits in the bound site-packages: the kernel finds
    an empty folder whose __init__ refuses the import, and none of the grader's files."""
    site = tmp_path / "site-packages"
    (site / "upsampling_grader").mkdir(parents=True)
    (site / "upsampling_grader" / "__init__.py").write_text("SECRET = 'the hidden tests'\n")
    (site / "upsampling_grader" / "judge.py").write_text("SECRET = 'the hidden tests'\n")
    bound = [*sandbox.python_folders(), site]
    monkeypatch.setattr(sandbox, "python_folders", lambda: bound)
    monkeypatch.setattr(
        sandbox,
        "grader_folders",
        lambda bound: [site / "upsampling_grader"] if site in bound else [],
    )
    probe = f"""
import os, sys
sys.path.insert(0, {str(site)!r})
print(sorted(os.listdir({str(site / "upsampling_grader")!r})))
try:
    import upsampling_grader
    print("imported", getattr(upsampling_grader, "SECRET", None))
except ImportError as error:
    print(type(error).__name__, error)
"""
    done = run_in_sandbox(probe, tmp_path)
    assert done.returncode == 0, done.stderr
    listing, refused = done.stdout.splitlines()
    assert listing == "['__init__.py']"
    assert refused == "ImportError upsampling_grader is not available in a student's kernel"


def test_limits_end_a_fork_bomb_a_disk_filler_and_a_memory_hog(bwrap, tmp_path):
    limits = Limits(processes=64, disk_mb=32, memory_mb=2048)
    code = """
import os, time, numpy
try:
    while True:
        if os.fork() == 0:
            time.sleep(60); os._exit(0)
except OSError as error:
    print(error)
try:
    with open("/tmp/filler", "wb") as handle:
        while True: handle.write(b"x" * 2**20)
except OSError as error:
    print(error)
try:
    numpy.zeros(2**30)
except MemoryError as error:
    print("MemoryError")
"""
    done = run_in_sandbox(code, tmp_path, limits=limits)
    explained = [sandbox.explain_error(line, limits) for line in done.stdout.splitlines()]
    assert explained == [
        "the sandbox's limit of 64 processes and threads was reached",
        "the sandbox's 32 MB of disk were filled",
        "the sandbox's memory limit of 2048 MB was reached",
    ], done.stderr[-2000:]


@pytest.mark.slow
def test_a_sandboxed_kernel_runs_cells_is_interrupted_and_keeps_what_grading_reads(bwrap, tmp_path):
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    cells = [
        "import subprocess\nsubprocess.Popen(['sleep', '600'], start_new_session=True)",
        "for _ in range(2000):\n    print('y' * 1000)",
        "import time\ntime.sleep(600)",
        "import sys\nprint('late', file=sys.stderr)\n1 / 0",
        "0.5",
    ]
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    (tmp_path / "work").mkdir()
    client = NotebookClient(
        nb,
        # The sleeping cell costs this much waiting (no CPU); the other cells import
        # nothing heavy and take well under a second even on a busy 2-core machine.
        timeout=10,
        interrupt_on_timeout=True,
        allow_errors=True,
        kernel_manager_class=sandbox_kernel.SandboxedKernelManager,
        resources={"metadata": {"path": str(tmp_path / "work")}},
    )
    client.km = client.create_kernel_manager()
    client.km.folder = str(tmp_path / "kernels")
    (tmp_path / "kernels").mkdir()
    client.km.limits_json = Limits(output_kb=100).to_json()
    client.execute()
    printed = "".join(o.get("text", "") for o in nb.cells[1].outputs)
    assert 100_000 <= len(printed) < 110_000 and Limits(output_kb=100).cut_note() in printed
    assert nb.cells[2].outputs[-1]["ename"] == "KeyboardInterrupt"
    kinds = [(o["output_type"], o.get("name")) for o in nb.cells[3].outputs]
    assert kinds == [("stream", "stderr"), ("error", None)], "a test's failure must survive the cut"
    assert nb.cells[4].outputs[0]["data"]["text/plain"] == "0.5", "partial credit must survive"
    kernels = sandbox_kernel.student_folder(tmp_path / "kernels", tmp_path / "work")
    notes = sandbox.sandbox_notes(kernels, {"nb": nb}, Limits(output_kb=100))
    assert notes[0].startswith("1 process(es) the notebook started were still running")
    assert "the output was cut at 100 kB" in notes[1]
    assert _gone(lambda: [p for p in _processes() if p[1].startswith("sleep 600 ")])


# ---------------------------------------------------------------------------
# The real command on a class with hostile students


def _processes() -> list[tuple[int, str]]:
    """(pid, command line and environment) of every process."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                args = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
                environ = (entry / "environ").read_bytes()
            except OSError:
                continue
            found.append((int(entry.name), (args + b" " + environ).decode(errors="replace")))
    return found


def _gone(find, seconds: float = 20) -> bool:
    """True once ``find()`` finds nothing: the kernel's processes end just after it does."""
    deadline = time.monotonic() + seconds
    while find():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def _grade(course: ScratchCourse, scratch: Path, *extra: str) -> subprocess.CompletedProcess:
    scratch.mkdir(parents=True, exist_ok=True)
    return run_grader(
        *("grade", ASSIGNMENT, f"--cell-timeout={CELL_TIMEOUT}"),
        *(f"--student-timeout={STUDENT_TIMEOUT}", f"--scratch={scratch}", "--quiet", *extra),
        cwd=course.root,
    )


class Release:
    """The released notebook: its answer cells in order, the tests each one answers, points."""

    def __init__(self, course: ScratchCourse):
        self.nb = nbformat.read(course.root / "exercises" / ASSIGNMENT / NOTEBOOK, as_version=4)
        source = nbformat.read(SOLUTIONS / ASSIGNMENT / NOTEBOOK, as_version=4)
        self.correct = solution_answers(source)
        self.answers: list[str] = []
        self.tests: dict[str, list[str]] = {}  # answer -> the graded cells after it
        self.points: dict[str, float] = {}
        for cell in self.nb.cells:
            meta = nbgrader_meta(cell)
            if meta.get("solution") and cell.cell_type == "code":
                self.answers.append(meta["grade_id"])
                self.tests[meta["grade_id"]] = []
            elif meta.get("grade") and self.answers:
                self.tests[self.answers[-1]].append(meta["grade_id"])
                self.points[meta["grade_id"]] = float(meta["points"])

    def hand_in(self, course: ScratchCourse, student: str, **answers: str) -> None:
        folder = course.root / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(filled_in(self.nb, {**self.correct, **answers}), folder / NOTEBOOK)
        (folder / "timestamp.txt").write_text(ON_TIME)


def _course(root: Path) -> tuple[ScratchCourse, Release]:
    course = ScratchCourse(root, [ASSIGNMENT])
    course.release(ASSIGNMENT)
    course.nbgrader("db", "assignment", "add", ASSIGNMENT, f"--duedate={DUE_DATE}")
    release = Release(course)
    release.hand_in(course, HONEST[0])  # every answer right
    last = release.answers[-1]
    release.hand_in(course, HONEST[1], **{last: "raise ValueError('no idea')"})
    return course, release


def _rows(path: Path) -> dict[tuple[str, str], dict]:
    with open(path, newline="") as handle:
        return {(row["student"], row["cell"]): row for row in csv.DictReader(handle)}


def _gradebook(course: ScratchCourse, students: list[str]) -> dict:
    """Every table of the course gradebook, and every grade of these students in it."""
    with sqlite3.connect(course.root / "gradebook.db") as db:
        tables = sorted(r[0] for r in db.execute("SELECT name FROM sqlite_master"))
        grades = db.execute(
            "SELECT student.id, notebook.name, base_cell.name, grade.auto_score, "
            "grade.manual_score, grade.extra_credit, grade.needs_manual_grade "
            "FROM grade JOIN submitted_notebook ON grade.notebook_id = submitted_notebook.id "
            "JOIN submitted_assignment ON submitted_notebook.assignment_id = "
            "submitted_assignment.id "
            "JOIN student ON submitted_assignment.student_id = student.id "
            "JOIN notebook ON submitted_notebook.notebook_id = notebook.id "
            "JOIN base_cell ON grade.cell_id = base_cell.id"
        ).fetchall()
    return {"tables": tables, "grades": sorted(g for g in grades if g[0] in students)}


class _Listener:
    """A TCP server on the host that records whoever connects (the network attack's target)."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.received: list[bytes] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            with connection:
                self.received.append(connection.recv(1024))


@pytest.fixture(scope="module")
def graded(tmp_path_factory, bwrap):
    baseline, _ = _course(tmp_path_factory.mktemp("baseline"))
    baseline_run = _grade(baseline, tmp_path_factory.mktemp("baseline-scratch"), "--no-sandbox")
    course, release = _course(tmp_path_factory.mktemp("class"))
    scratch = tmp_path_factory.mktemp("scratch")
    marker = f"hostile-{uuid.uuid4().hex}"
    listener = _Listener()
    places = {"course": course.root, "scratch": scratch, "marker": marker, "port": listener.port}
    planted = {}  # student -> [(answer, attack)]
    for student, planned in graded_hostile().items():
        planted[student] = [(release.answers[i], attack) for i, attack in planned]
        release.hand_in(
            course,
            student,
            **{
                answer: filled(attack, answer, release.correct[answer], **places)
                for answer, attack in planted[student]
            },
        )
    solutions_before = folder_digest(course.root / "solutions")
    run = _grade(course, scratch, "--jobs=2", "--no-feedback")
    listener.server.close()
    return {
        "baseline": baseline,
        "baseline_run": baseline_run,
        "course": course,
        "release": release,
        "run": run,
        "rows": _rows(course.root / "grades" / f"{ASSIGNMENT}.csv"),
        "baseline_rows": _rows(baseline.root / "grades" / f"{ASSIGNMENT}.csv"),
        "planted": planted,
        "marker": marker,
        "received": listener.received,
        "solutions_before": solutions_before,
        "left": [p for p in _processes() if marker in p[1]],
    }


def test_without_a_sandbox_the_command_warns_and_the_summary_says_so(graded):
    done = graded["baseline_run"]
    assert "WITHOUT a sandbox" in done.stdout, done.stderr[-3000:]
    assert "--no-sandbox" in done.stderr


def test_honest_students_get_the_baseline_grades_in_the_csv_and_the_gradebook(graded):
    rows, baseline = graded["rows"], graded["baseline_rows"]
    for name in HONEST:
        for cell in graded["release"].points:
            got, want = rows[(name, cell)], baseline[(name, cell)]
            assert (got["score"], got["status"]) == (want["score"], want["status"]), (name, cell)
        assert rows[(name, TOTAL)]["score"] == baseline[(name, TOTAL)]["score"]
        assert rows[(name, TOTAL)]["status"] == "ok", rows[(name, TOTAL)]["reason"]
    assert float(rows[(HONEST[1], TOTAL)]["score"]) < float(rows[(HONEST[0], TOTAL)]["score"])
    assert _gradebook(graded["course"], HONEST) == _gradebook(graded["baseline"], HONEST)
    assert graded["solutions_before"] == folder_digest(graded["course"].root / "solutions")


def test_every_student_folder_is_graded_whatever_its_name_and_feedback_says_why_not(graded):
    assert "graded 2 students" in graded["baseline_run"].stdout
    hostile = len(graded_hostile())
    assert f"graded {2 + hostile} students" in graded["run"].stdout, graded["run"].stderr
    dotted, globbed = HONEST
    feedback = graded["baseline"].root / "feedback"
    assert (feedback / dotted / ASSIGNMENT / NOTEBOOK).with_suffix(".html").is_file()
    assert not (feedback / globbed).exists()
    row = graded["baseline_rows"][(globbed, TOTAL)]
    assert row["status"] == "failed" and "no feedback: nbgrader cannot" in row["reason"]


def test_no_hostile_process_is_left_and_nothing_reached_the_network(graded):
    assert graded["left"] == [], graded["left"]
    assert graded["received"] == []


@pytest.mark.parametrize("student", list(HOSTILE))
def test_each_hostile_student_is_contained_and_its_rows_say_what_happened(graded, student):
    if student not in graded_hostile():
        pytest.skip(f"{student} needs a cgroup per student: {budget.cgroup_problem()}")
    rows, release = graded["rows"], graded["release"]
    assert (student, TOTAL) in rows, graded["run"].stderr[-3000:]
    attacked = dict(graded["planted"][student])
    for answer, tests in release.tests.items():
        attack = attacked.get(answer)
        lost = attack is not None and attack.loses
        for test in tests:
            score, reason = float(rows[(student, test)]["score"]), rows[(student, test)]["reason"]
            assert score == (0 if lost else release.points[test]), (student, test, reason)
            # The attack stopped its cell before the answer was defined: the judge, which
            # scores from outside the kernel, found nothing to ask (not a crashed grader).
            assert not lost or "is not defined in the notebook" in reason, (student, reason)
        if attack is not None:
            reasons = " ".join(rows[(student, t)]["reason"] for t in [*tests, TOTAL])
            assert any(words in reasons for words in attack.words), (attack.name, reasons)
    # What the gradebook holds for the student is what the CSV says, not what it wrote.
    with sqlite3.connect(graded["course"].root / "gradebook.db") as db:
        assert "hostile_was_here" not in {
            r[0] for r in db.execute("SELECT name FROM sqlite_master")
        }
