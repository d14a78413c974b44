"""The runtime checks of upsampling_course.grading_checks, each against the attack it stops.

Notebook cells are imitated by compiling code under the file name ipykernel
gives a cell (its temporary folder for this process), in a `__main__`
namespace, which is what `assert_defined_in_notebook` looks at.
"""

from __future__ import annotations

import builtins

import numpy as np
import pytest
from ipykernel.compiler import get_file_name

from upsampling_course import grading_checks as gc


def run_cell(source: str, namespace: dict | None = None) -> dict:
    """Execute `source` the way ipykernel runs a notebook cell; return the namespace."""
    namespace = {"__name__": "__main__"} if namespace is None else namespace
    exec(compile(source, get_file_name(source), "exec"), namespace)
    return namespace


# --- assert_defined_in_notebook ---------------------------------------------------


def test_a_function_written_in_a_cell_passes():
    namespace = run_cell("import numpy as np\ndef double(x):\n    return np.repeat(x, 2)\n")
    gc.assert_defined_in_notebook(namespace["double"], "double")


def test_an_imported_reference_is_refused():
    namespace = run_cell("from upsampling_course.shapes import conv_output_length\n")
    with pytest.raises(AssertionError, match="defined in this notebook"):
        gc.assert_defined_in_notebook(namespace["conv_output_length"], "conv_output_length")


def test_a_wrapper_around_a_reference_is_refused():
    source = (
        "from upsampling_course import shapes as s\n"
        "def conv_output_length(*args):\n"
        "    return s.conv_output_length(*args)\n"
    )
    namespace = run_cell(source)
    with pytest.raises(AssertionError, match="reference implementation upsampling_course.shapes"):
        gc.assert_defined_in_notebook(namespace["conv_output_length"], "conv_output_length")


def test_a_reference_hidden_in_a_default_argument_is_refused():
    source = (
        "import upsampling_course\n"
        "def length(n, k, s, p, _ref=upsampling_course.conv_output_length):\n"
        "    return _ref(n, k, s, p)\n"
    )
    namespace = run_cell(source)
    with pytest.raises(AssertionError, match="reference implementation"):
        gc.assert_defined_in_notebook(namespace["length"], "length")


def test_a_function_built_by_exec_of_a_string_is_refused():
    namespace = run_cell("exec('def f(x):\\n    return x\\n')\n")
    with pytest.raises(AssertionError, match="defined in this notebook"):
        gc.assert_defined_in_notebook(namespace["f"], "f")


def test_allowed_helpers_may_be_used():
    source = (
        "from upsampling_course.data import to_generator_range\n"
        "def scale(x):\n"
        "    return to_generator_range(x)\n"
    )
    namespace = run_cell(source)
    gc.assert_defined_in_notebook(namespace["scale"], "scale")


def test_classes_are_checked_method_by_method():
    namespace = run_cell("class Layer:\n    def forward(self, x):\n        return x\n")
    gc.assert_defined_in_notebook(namespace["Layer"], "Layer")
    with pytest.raises(AssertionError, match="function defined with `def`"):
        gc.assert_defined_in_notebook(len, "len")
    with pytest.raises(AssertionError, match="not imported"):
        gc.assert_defined_in_notebook(np.ndarray, "ndarray")


# --- exact types and finite values -------------------------------------------------


class AlwaysEqualStr(str):
    """The str-subclass attack: equal to every letter, stripped or not."""

    def __eq__(self, other):
        return True

    __hash__ = str.__hash__

    def strip(self, *args):
        return self

    def upper(self):
        return self


def test_equals_choice_accepts_plain_strings_only():
    assert gc.equals_choice(" b ", "B")
    assert not gc.equals_choice("A", "B")
    assert not gc.equals_choice(AlwaysEqualStr("A"), "B")
    assert not gc.equals_choice(AlwaysEqualStr("B"), "B")
    assert gc.assert_choice_format(" c", "answer") == "C"
    with pytest.raises(AssertionError, match="plain string"):
        gc.assert_choice_format(AlwaysEqualStr("B"), "answer")
    with pytest.raises(AssertionError, match="one letter"):
        gc.assert_choice_format("AB", "answer")


def test_exact_int_refuses_bool_floats_and_int_subclasses():
    class Sneaky(int):
        def __eq__(self, other):
            return True

        __hash__ = int.__hash__

    assert gc.exact_int(7, "n") == 7
    assert type(gc.exact_int(np.int64(7), "n")) is int
    for bad in (True, 7.0, Sneaky(3), "7", np.float32(7)):
        with pytest.raises(AssertionError, match="must be an integer"):
            gc.exact_int(bad, "n")
    assert gc.exact_int_tuple([1, np.int32(2)], "shape", length=2) == (1, 2)
    with pytest.raises(AssertionError, match="3 entries"):
        gc.exact_int_tuple((1, 2), "shape", length=3)


def test_finite_array_rejects_nan_inf_subclasses_and_wrong_dtype():
    good = np.ones((2, 3), dtype=np.float32)
    copy = gc.assert_finite_array(good, "y", shape=(2, 3), dtype="float")
    copy[0, 0] = 5
    assert good[0, 0] == 1, "the test works on its own copy"
    for bad, message in (
        (np.full((2, 3), np.nan), "NaN or infinite"),
        (np.full((2, 3), np.inf), "NaN or infinite"),
        (np.ones((2, 3)).view(np.ma.MaskedArray), "must be a numpy array"),
        (np.ones((3, 2)), "has shape"),
        (np.ones((2, 3), dtype=int), "floating-point"),
        ([[1.0] * 3] * 2, "must be a numpy array"),
        (np.array([["a"] * 3] * 2), "floating-point"),
    ):
        with pytest.raises(AssertionError, match=message):
            gc.assert_finite_array(bad, "y", shape=(2, 3), dtype="float")
    with pytest.raises(AssertionError, match="dtype float64"):
        gc.assert_finite_array(good, "y", dtype=np.float64)


def test_assert_close_catches_nan_that_a_plain_abs_check_misses():
    expected = np.arange(6.0).reshape(2, 3)
    nan_answer = np.full((2, 3), np.nan)
    assert not (abs(nan_answer - expected) > 1e-6).any(), "the attack that fools a naive test"
    with pytest.raises(AssertionError, match="NaN"):
        gc.assert_close(nan_answer, expected, "y")
    wrong = expected.copy()
    wrong[1, 2] += 1
    with pytest.raises(AssertionError, match=r"index \(1, 2\)"):
        gc.assert_close(wrong, expected, "y", hint="check the last column")
    gc.assert_close(expected + 1e-9, expected, "y")


def test_rebinding_numpy_and_builtins_changes_nothing_and_is_reported(monkeypatch):
    expected = np.arange(4.0)
    monkeypatch.setattr(np, "allclose", lambda *args, **kwargs: True)
    monkeypatch.setattr(np, "abs", lambda x: np.zeros_like(x))
    monkeypatch.setattr(np, "isfinite", lambda x: np.ones_like(x, dtype=bool))
    failures = []
    # Rebinding builtins also breaks pytest's own hooks, so it lasts only for these calls.
    original_abs, original_int = builtins.abs, builtins.int
    builtins.abs, builtins.int = (lambda x: 0), (lambda x=0: 5)
    try:
        for check in (
            lambda: gc.assert_close(expected + 1, expected, "y"),
            lambda: gc.assert_close(np.full(4, np.nan), expected, "y"),
            lambda: gc.exact_int(2.5, "n"),
            gc.assert_untampered,
        ):
            try:
                check()
            except AssertionError as error:
                failures.append(str(error))
    finally:
        builtins.abs, builtins.int = original_abs, original_int
    assert len(failures) == 4
    assert "off by" in failures[0] and "NaN" in failures[1] and "integer" in failures[2]
    for name in ("numpy.allclose", "numpy.abs", "numpy.isfinite", "builtins.abs", "builtins.int"):
        assert name in failures[3]


def test_shadowing_in_the_test_namespace_is_reported(monkeypatch):
    monkeypatch.setattr(np.testing, "assert_allclose", lambda *a, **k: None)
    with pytest.raises(AssertionError, match="numpy.testing.assert_allclose"):
        gc.assert_untampered()
    monkeypatch.undo()
    gc.assert_untampered({"np": np, "__builtins__": builtins, "_cases": []})
    for namespace, name in (
        ({"abs": lambda x: 0}, "abs (a builtin)"),
        ({"int": lambda x: 5}, "int (a builtin)"),
        ({"np": object()}, "np (no longer numpy)"),
        ({"np": __import__("math")}, "np (no longer numpy)"),
        ({"layers": __import__("math")}, "layers (no longer keras.layers)"),
        ({"__builtins__": {"abs": lambda x: 0}}, "__builtins__"),
    ):
        with pytest.raises(AssertionError, match=name.replace("(", r"\(").replace(")", r"\)")):
            gc.assert_untampered(namespace)


def test_messages_never_run_the_students_repr():
    class Loud:
        def __repr__(self):
            raise RuntimeError("student code ran")

    with pytest.raises(AssertionError, match="Loud object"):
        gc.exact_int(Loud(), "n")
