"""The static check of answer cells (upsampling_grader.integrity), attack by attack.

Each case is a cell a student could write; the test states whether the cell
scores zero, is flagged for the instructor, or is clean. The same attacks,
graded end to end by the real command, are in tests/assignments/test_hostile_grading.py.
"""

from __future__ import annotations

import pytest

from upsampling_grader.integrity import check_cell, module_names_of, verdict

ZERO = [
    # importing or naming the course's references
    ("from upsampling_course.shapes import conv_output_length", "reference"),
    ("from upsampling_course import conv_transpose_output_length as f", "reference"),
    ("import upsampling_course.numpy_layers as nl", "reference"),
    ("from upsampling_course.gan import make_train_step", "reference"),
    ("from upsampling_course import artifacts", "reference"),
    # building code from strings, so that no import is written out
    ("m = __import__('upsampling' + '_course.shapes')", "patch"),
    ("exec('from upsampling_course' + '.shapes imp' + 'ort conv_output_length')", "patch"),
    ("f = eval('lambda n: n')", "patch"),
    ("import importlib\nm = importlib.import_module('upsampling_course.shapes')", "patch"),
    ("code = compile('x = 1', 'x', 'exec')", "patch"),
    ("import sys\nref = sys.modules['upsampling_course.shapes']", "reads-tests"),
    ("f = getattr(np, 'all' + 'close')", "patch"),
    # replacing what the tests rely on
    ("np.allclose = lambda *a, **k: True", "patch"),
    ("np.testing.assert_allclose = print", "patch"),
    ("import numpy\nnumpy.isfinite = lambda x: True", "patch"),
    ("setattr(np, 'allclose', lambda *a, **k: True)", "patch"),
    ("np.allclose = import_keras_quietly()", "patch"),
    ("del np.isnan", "patch"),
    ("import builtins\nbuiltins.abs = lambda x: 0", "patch"),
    ("__builtins__.int = lambda x: 5", "patch"),
    ("vars(np)['allclose'] = None", "patch"),
    ("object.__setattr__(np, 'abs', None)", "patch"),
    ("def f():\n    global int\n    int = lambda x: 5", "patch"),
    ("class A(str):\n    def __eq__(self, other):\n        return True\nanswer = A('B')", "patch"),
    # reading the tests or the grader
    ("import inspect\nsrc = inspect.getsource(f)", "reads-tests"),
    ("import sys\nframe = sys._getframe(1)", "reads-tests"),
    ("last = In[-1]", "reads-tests"),
    ("history = _ih", "reads-tests"),
    ("value = _i3", "reads-tests"),
    ("ip = get_ipython()", "reads-tests"),
    ("get_ipython().ast_transformers.append(Wrap())", "reads-tests"),
    ("ip.events.register('pre_run_cell', hook)", "reads-tests"),
    ("expected = globals()['_expected']", "reads-tests"),
    (
        "try:\n    pass\nexcept Exception as e:\n    f = e.__traceback__.tb_frame.f_back",
        "reads-tests",
    ),
    ("%time x = In[-1]", "reads-tests"),
    ("%load_ext autoreload", "reads-tests"),
]

FLAGGED = [
    "max = 3",
    "np = None",  # the hidden tests' assert_untampered(globals()) refuses it at run time
    "for sum in range(3):\n    pass",
    "setattr(self_made, 'weight', 1)",
    "!ls",
    "with open('notes.txt') as handle:\n    notes = handle.read()",
    "import subprocess",
    "text = open('mnist_generator_lab.ipynb').read()",  # the sandbox hides the course's files
]

CLEAN = [
    "import numpy as np\ndef up(x, size):\n    return np.repeat(np.repeat(x, size, 0), size, 1)",
    "from upsampling_course.data import load_digits\ndigits = load_digits(verbose=False)",
    "from upsampling_course import import_keras_quietly\nkeras = import_keras_quietly()",
    "from upsampling_course.lab_plots import show_image_grid",
    "%matplotlib inline\nx = 1",
    "def f(x):\n    max = x.max()\n    int = 3\n    return max + int",
    "model.trainable = False\nself_made = [abs(v) for v in range(3)]",
    "answer = 'B'  # the letter, as a plain string",
    "for _ in range(3):\n    pass",
    "x = (",  # does not parse: fails on its own, no finding
]


@pytest.mark.parametrize("source, kind", ZERO)
def test_these_cells_score_zero(source, kind):
    findings = check_cell(source)
    status, reason = verdict(findings)
    assert status == "zero", findings
    assert kind in {f.kind for f in findings if f.zero}, findings
    assert reason.startswith(f"{findings[0].kind}:") or "line" in reason


@pytest.mark.parametrize("source", FLAGGED)
def test_these_cells_are_flagged_but_keep_their_score(source):
    status, reason = verdict(check_cell(source))
    assert status == "flag", reason


@pytest.mark.parametrize("source", CLEAN)
def test_ordinary_answers_are_clean(source):
    assert check_cell(source) == []
    assert verdict([]) is None


def test_module_names_come_from_the_setup_cells():
    names = module_names_of(["import scipy.signal as sig\nfrom keras import layers"])
    assert {"sig", "layers", "np"} <= set(names)
    assert verdict(check_cell("sig.convolve = None", names))[0] == "zero"
    assert check_cell("sig.convolve = None") == [], (
        "an unknown name may be the student's own object"
    )


def test_the_reason_names_the_line_and_what_was_found():
    status, reason = verdict(check_cell("x = 1\nimport inspect\ny = inspect.stack()"))
    assert status == "zero"
    assert reason == "reads-tests: line 2: imports inspect, which only the grader needs"
