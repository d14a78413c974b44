"""The answer cells of tests/support/predict_shapes_class.py's broken and hostile students.

Each is the source of one answer cell of predict_shapes (the rest of the
notebook is the solution's); the class module says what each must score.
"""

# What the snooping student prints when a search finds nothing.
NOT_FOUND = "found nothing at"

# Loops for "valid" only, when the judge calls it: the judge's request for the
# 'valid' cases times out and the kernel is interrupted (the loop honours it);
# the 'same' cases and every later test are asked and answered as usual.
INFINITE_LOOP = """\
def conv_output_length(size, kernel_size, stride, padding):
    if padding == "same":
        return -(-size // stride)
    while True:
        size = size + 1
"""

IGNORES_INTERRUPT = """\
import signal

signal.signal(signal.SIGINT, signal.SIG_IGN)
while True:
    pass
"""

CRASH = """\
import os

os._exit(1)
"""

# 16 GiB: more than the memory limit the tests give each kernel (6 GiB).
MEMORY_HOG = """\
import numpy as np

lookup_table = np.zeros(2**31)
classifier_shapes = [(28, 28, 16), (14, 14, 16), (7, 7, 32), (5, 5, 64)]
"""

# Correct, but writes a TensorFlow-style log line to stderr each time it is
# called, as TensorFlow's C++ code does, 60 times per test: the judge reads
# only the answer to its request, so the lines cost nothing.
TENSORFLOW_LOGS = """\
import sys


def conv_output_length(size, kernel_size, stride, padding):
    sys.stderr.write(
        "W0000 00:00:1763800000.123456   4242 cpu_feature_guard.cc:40] This TensorFlow "
        "binary is optimized to use available CPU instructions.\\n"
    )
    sys.stderr.flush()
    if padding == "same":
        return -(-size // stride)
    return (size - kernel_size) // stride + 1
"""

ALWAYS_EQUAL = """\
class Anything:
    def __eq__(self, other):
        return True

    def __hash__(self):
        return 0


def conv_output_length(size, kernel_size, stride, padding):
    return Anything()
"""

# Looks for the instructor's files where nbgrader's layout puts them (the
# kernel runs in <course>/autograded/<student>/<assignment>/), reads the
# notebook being graded (with its hidden tests) and tries to give itself
# points in the gradebook; then answers correctly. It looks no higher than the
# course folder, so it cannot touch anything outside the test's own folders.
SNOOPER = f"""\
import pathlib
import sqlite3

here = pathlib.Path.cwd()
for folder in [here, *here.parents][:4]:
    for name in ("solutions", "gradebook.db", "source"):
        target = folder / name
        if target.exists():
            print("found", target)
            if name == "gradebook.db":
                with sqlite3.connect(target) as db:
                    db.execute("UPDATE grade SET manual_score = 100")
            else:
                for path in target.rglob("*.ipynb"):
                    print(path.read_text())
        else:
            print("{NOT_FOUND}", target)
for path in here.glob("*.ipynb"):
    print(path.read_text())
"""
