"""Checks the hidden tests of every assignment run on a student's answer.

A notebook's answer cells run in the same namespace as its tests, so an answer
can rebind the names a plain test relies on (`np.allclose`, `abs`, `int`),
hand back objects that compare equal to anything (a `str` subclass, an
`ndarray` subclass, NaN, for which `abs(nan - x) > tol` is False), or import
the course's own reference implementation. The helpers here refuse all of
these with a message a student can act on:

- every reference they use (numpy's functions, the builtins) is captured when
  this module is first imported, which the locked setup cell of each
  assignment does before any answer runs, so rebinding a name later changes
  nothing here; `assert_untampered()` also reports the rebinding itself;
- values are checked by exact type (`type(x) is ...`), never by `isinstance`
  or `==` on the student's object.

Used by the hidden tests in solutions/*/ and tested in
tests/unit/test_grading_checks.py. Which course modules an answer may use is
defined once here (`STUDENT_ALLOWED_MODULES`) and shared with the static check
in the grader (upsampling_grader/integrity.py, in grader/).
"""

from __future__ import annotations

import builtins
import os
import sys
import tempfile
import types

import numpy as np

# Pristine references, captured before any answer cell can rebind them.
_abs = builtins.abs
_all = builtins.all
_bool = builtins.bool
_callable = builtins.callable
_float = builtins.float
_getattr = builtins.getattr
_int = builtins.int
_isinstance = builtins.isinstance
_len = builtins.len
_repr = builtins.repr
_str = builtins.str
_tuple = builtins.tuple
_type = builtins.type
_vars = builtins.vars
_FunctionType = types.FunctionType
_ModuleType = types.ModuleType
_ndarray = np.ndarray
_np_array = np.array
_np_asarray = np.asarray
_np_dtype = np.dtype
_np_isfinite = np.isfinite
_np_absolute = np.absolute
_np_subtract = np.subtract
_np_argmax = np.argmax
_np_unravel_index = np.unravel_index
_np_module = np
_builtins_module = builtins
_os_path_dirname = os.path.dirname
_getpid = os.getpid
_gettempdir = tempfile.gettempdir
_sys_modules = sys.modules

#: Course modules an answer cell may import: data loading, plotting, the quiet
#: Keras import and the lab's quality scorer. Everything else in
#: `upsampling_course` is a reference answer to some assignment.
STUDENT_ALLOWED_MODULES = (
    "upsampling_course.keras_setup",
    "upsampling_course.data",
    "upsampling_course.plotting",
    "upsampling_course.lab_plots",
    "upsampling_course.quality",
)
#: Names an answer may import from the package itself (`from upsampling_course import X`).
STUDENT_ALLOWED_PACKAGE_NAMES = ("import_keras_quietly", "silenced_stderr_fd")

#: numpy functions and builtins that tests rely on; `assert_untampered` checks them.
WATCHED_NUMPY_NAMES = (
    "allclose",
    "isclose",
    "array_equal",
    "asarray",
    "array",
    "abs",
    "absolute",
    "isfinite",
    "isnan",
    "all",
    "any",
    "max",
    "mean",
    "sum",
    "ndarray",
    "float32",
    "float64",
    "testing",
)
WATCHED_BUILTIN_NAMES = (
    "abs",
    "all",
    "any",
    "bool",
    "float",
    "int",
    "isinstance",
    "len",
    "list",
    "max",
    "min",
    "range",
    "round",
    "str",
    "sum",
    "tuple",
    "type",
    "zip",
    "AssertionError",
    "__import__",
)
#: Names the setup cells bind to modules, which the tests then use.
_EXPECTED_MODULES = {
    "np": ("numpy",),
    "keras": ("keras",),
    "layers": ("keras.layers", "keras.api.layers"),
    "tf": ("tensorflow",),
}
_ORIGINAL_NUMPY = {name: _getattr(np, name) for name in WATCHED_NUMPY_NAMES}
_ORIGINAL_BUILTINS = {name: _getattr(builtins, name) for name in WATCHED_BUILTIN_NAMES}
_ORIGINAL_TESTING = {
    name: _getattr(np.testing, name)
    for name in ("assert_allclose", "assert_array_equal", "assert_array_almost_equal")
}

_NUMPY_INTEGER_TYPES = (
    np.int8,
    np.int16,
    np.int32,
    np.int64,
    np.uint8,
    np.uint16,
    np.uint32,
    np.uint64,
)
_COURSE_PACKAGE = "upsampling_course"
_THIS_FILE = __file__


class GradingError(AssertionError):
    """A check failed; the message is written for the student."""


def _fail(message: str) -> None:
    raise GradingError(message)


# --- where an object was defined -------------------------------------------------


def _notebook_cell_file(filename: str) -> bool:
    """True for the file name IPython gives the code of a notebook cell."""
    if _type(filename) is not _str:
        return False
    if filename.startswith("<ipython-input-"):
        return True
    cell_name = os.environ.get("IPYKERNEL_CELL_NAME")
    if cell_name is not None and filename == cell_name:
        return True
    kernel_dir = _gettempdir() + os.sep + "ipykernel_" + _str(_getpid())
    return _os_path_dirname(filename) == kernel_dir and filename.endswith(".py")


def _is_reference(value: object) -> str | None:
    """The qualified name of `value` when it belongs to a course reference module."""
    is_module = _type(value) is _ModuleType
    module = value.__name__ if is_module else _getattr(value, "__module__", None)
    if _type(module) is not _str:
        return None
    if module != _COURSE_PACKAGE and not module.startswith(_COURSE_PACKAGE + "."):
        return None
    if module in STUDENT_ALLOWED_MODULES:
        return None
    name = _getattr(value, "__qualname__", None) or _getattr(value, "__name__", "?")
    return module if is_module else f"{module}.{name}"


def _code_objects(code: types.CodeType):
    yield code
    for constant in code.co_consts:
        if _type(constant) is types.CodeType:
            yield from _code_objects(constant)


def _check_function(function: types.FunctionType, name: str) -> None:
    code = function.__code__
    if function.__module__ != "__main__" or not _notebook_cell_file(code.co_filename):
        _fail(
            f"{name} must be defined in this notebook with `def`, not imported: it comes "
            f"from {function.__module__!s} ({code.co_filename!s})"
        )
    used = []
    for inner in _code_objects(code):
        if not _notebook_cell_file(inner.co_filename):
            _fail(f"{name} must be written in this notebook's cells, not built from other code")
        used.extend(inner.co_names)
    namespace = function.__globals__
    for global_name in used:
        reference = _is_reference(namespace.get(global_name)) if global_name in namespace else None
        if reference is not None:
            _fail(
                f"{name} uses the course's reference implementation {reference}: "
                "write the computation yourself"
            )
    captured = [cell.cell_contents for cell in (function.__closure__ or ()) if cell is not None]
    captured += list(function.__defaults__ or ())
    captured += list((function.__kwdefaults__ or {}).values())
    for value in captured:
        reference = _is_reference(value)
        if reference is not None:
            _fail(
                f"{name} holds the course's reference implementation {reference}: "
                "write the computation yourself"
            )


def assert_defined_in_notebook(obj: object, name: str) -> None:
    """Fail unless `obj` (a function or a class) was written in the notebook's own cells.

    Rejects objects imported from `upsampling_course` or elsewhere, functions
    made by `exec`/`eval` of a string, thin wrappers whose code calls a course
    reference implementation, and classes that inherit from one.
    """
    if _type(obj) is _FunctionType:
        _check_function(obj, name)
        return
    if _isinstance(obj, _type):
        if obj.__module__ != "__main__":
            _fail(
                f"{name} must be a class defined in this notebook, not imported from {obj.__module__}"
            )
        for base in obj.__mro__[1:]:
            reference = _is_reference(base)
            if reference is not None:
                _fail(f"{name} inherits from the course's reference {reference}: write it yourself")
        methods = [value for value in _vars(obj).values() if _type(value) is _FunctionType]
        if not methods:
            _fail(f"{name} must define its methods in this notebook")
        for method in methods:
            _check_function(method, f"{name}.{method.__name__}")
        return
    _fail(
        f"{name} must be a function defined with `def` in this notebook, got {_type(obj).__name__}"
    )


# --- exact types and finite values -------------------------------------------------


def assert_exact_type(value: object, expected: type | tuple[type, ...], name: str) -> None:
    """Fail unless `type(value)` is `expected` (or one of them): subclasses are refused."""
    allowed = expected if _type(expected) is _tuple else (expected,)
    if not any(_type(value) is kind for kind in allowed):
        names = " or ".join(kind.__name__ for kind in allowed)
        _fail(f"{name} must be a {names}, got {_type(value).__name__}")


def exact_int(value: object, name: str) -> int:
    """`value` as a Python int; accepts `int` and numpy integer scalars, nothing else.

    `bool` and subclasses of `int` (which can redefine `==`) are refused.
    """
    if _type(value) is _int:
        return _int.__int__(value)
    if any(_type(value) is kind for kind in _NUMPY_INTEGER_TYPES):
        return _int(value)
    _fail(f"{name} must be an integer (int), got {_type(value).__name__}: {_safe_repr(value)}")


def exact_int_tuple(value: object, name: str, length: int | None = None) -> tuple[int, ...]:
    """A tuple or list of integers as a tuple of Python ints, checked by exact type."""
    if _type(value) is not _tuple and _type(value) is not list:
        _fail(f"{name} must be a tuple of integers, got {_type(value).__name__}")
    items = _tuple(exact_int(item, f"each entry of {name}") for item in value)
    if length is not None and _len(items) != length:
        _fail(f"{name} must have {length} entries, got {_len(items)}")
    return items


def exact_float(value: object, name: str) -> float:
    """A finite real number (int, float or numpy scalar) as a Python float."""
    allowed = (_int, _float, np.float16, np.float32, np.float64, *_NUMPY_INTEGER_TYPES)
    if not any(_type(value) is kind for kind in allowed):
        _fail(f"{name} must be a number (float), got {_type(value).__name__}")
    number = _float(value)
    if not _bool(_np_isfinite(number)):
        _fail(f"{name} must be a finite number, got {number!r}")
    return number


def assert_finite_array(
    value: object,
    name: str,
    shape: tuple[int, ...] | None = None,
    dtype: object = None,
) -> np.ndarray:
    """Fail unless `value` is a plain `numpy.ndarray` of finite numbers.

    `dtype` is a dtype (exact match) or a kind: "float" for any floating
    dtype. Returns a private copy, so later changes to the student's array do
    not reach the test.
    """
    if _type(value) is not _ndarray:
        _fail(
            f"{name} must be a numpy array (numpy.ndarray), got {_type(value).__name__}: "
            "return np.asarray(...) or a result of numpy operations"
        )
    if shape is not None and _tuple(value.shape) != _tuple(shape):
        _fail(f"{name} has shape {_tuple(value.shape)}, expected {_tuple(shape)}")
    if dtype == "float":
        if value.dtype.kind != "f":
            _fail(f"{name} must hold floating-point numbers, got dtype {value.dtype}")
    elif dtype is not None and value.dtype != _np_dtype(dtype):
        _fail(f"{name} must have dtype {_np_dtype(dtype)}, got {value.dtype}")
    if value.dtype.kind not in "biuf":
        _fail(f"{name} must hold numbers, got dtype {value.dtype}")
    copy = _np_array(value, copy=True)
    if not _bool(_np_isfinite(copy).all()):
        bad = _int((~_np_isfinite(copy)).sum())
        _fail(
            f"{name} contains {bad} NaN or infinite value(s): every entry must be a finite number"
        )
    return copy


def assert_close(
    actual: object,
    expected: np.ndarray,
    name: str,
    rtol: float = 1e-5,
    atol: float = 1e-6,
    hint: str = "",
) -> None:
    """Fail unless `actual` is a finite plain array of `expected`'s shape, close to it.

    Uses only references captured at import (never the student's `np.allclose`).
    The message names the worst entry, not the whole expected array.
    """
    expected = _np_asarray(expected)
    got = assert_finite_array(actual, name, shape=expected.shape)
    error = _np_absolute(_np_subtract(got.astype(np.float64), expected.astype(np.float64)))
    limit = atol + rtol * _np_absolute(expected.astype(np.float64))
    if error.size and not _bool((error <= limit).all()):
        worst = _tuple(_int(i) for i in _np_unravel_index(_np_argmax(error - limit), error.shape))
        _fail(
            f"{name} is wrong at index {worst} (off by {_float(error[worst]):.3g})"
            + (f": {hint}" if hint else "")
        )


def equals_choice(answer: object, letter: str) -> bool:
    """Whether a multiple-choice `answer` is `letter`; only a plain `str` counts.

    A `str` subclass (whose `==` or `strip` may be redefined) is refused by
    `assert_choice_format`; here it is simply not equal.
    """
    if _type(answer) is not _str:
        return False
    return _str.upper(_str.strip(answer)) == _str.upper(letter)


def assert_choice_format(answer: object, name: str, letters: str = "ABCD") -> str:
    """Fail unless `answer` is a plain string holding one of `letters`; return it normalized."""
    if _type(answer) is not _str:
        _fail(f"{name} must be a plain string such as 'A', got {_type(answer).__name__}")
    normalized = _str.upper(_str.strip(answer))
    if _len(normalized) != 1 or normalized not in letters:
        _fail(f"{name} must be one letter out of {', '.join(letters)}, got {_safe_repr(answer)}")
    return normalized


# --- the grading environment itself ------------------------------------------------


def assert_untampered(namespace: dict | None = None) -> None:
    """Fail when an answer has rebound numpy's or Python's functions the tests rely on.

    Checks the numpy module's and the builtins module's attributes against the
    originals captured at import, and, when `namespace` is given (a test
    cell's `globals()`), that it does not shadow a watched builtin and that its
    `np` is numpy.
    """
    changed = [
        f"numpy.{name}"
        for name, original in _ORIGINAL_NUMPY.items()
        if _getattr(_np_module, name, None) is not original
    ]
    changed += [
        f"numpy.testing.{name}"
        for name, original in _ORIGINAL_TESTING.items()
        if _getattr(_ORIGINAL_NUMPY["testing"], name, None) is not original
    ]
    changed += [
        f"builtins.{name}"
        for name, original in _ORIGINAL_BUILTINS.items()
        if _getattr(_builtins_module, name, None) is not original
    ]
    if namespace is not None:
        changed += [f"{name} (a builtin)" for name in WATCHED_BUILTIN_NAMES if name in namespace]
        for name, modules in _EXPECTED_MODULES.items():
            if name in namespace and not _is_loaded_module(namespace[name], modules):
                changed.append(f"{name} (no longer {modules[0]})")
        given = namespace.get("__builtins__", _builtins_module)
        if given is not _builtins_module and given is not _vars(_builtins_module):
            changed.append("__builtins__")
    if changed:
        _fail(
            "this notebook has replaced what the tests rely on: "
            + ", ".join(changed)
            + ". Remove the code that rebinds them, restart the kernel and run all cells"
        )


def _is_loaded_module(value: object, names: tuple[str, ...]) -> bool:
    """Whether `value` is the imported module of one of these names (not a look-alike)."""
    if _type(value) is not _ModuleType or value.__name__ not in names:
        return False
    return _sys_modules.get(value.__name__) is value


def _safe_repr(value: object) -> str:
    """A short repr that never runs the student's own `__repr__`."""
    if _type(value) in (_int, _float, _str, _bool):
        text = _repr(value)
    else:
        text = f"<{_type(value).__name__} object>"
    return text if _len(text) <= 60 else text[:57] + "..."
