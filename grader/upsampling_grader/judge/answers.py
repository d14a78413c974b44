"""Reading one answer as the task expects it: exact types, with the reason when it is not.

Every helper takes an :class:`~upsampling_grader.judge.channel.Answer` (or a
value read from one) and returns the value in the expected form, or raises
:class:`Wrong` with a sentence the student can act on. Exact types only:
``True`` is not an int here, and a NumPy scalar is not a Python int where the
question asks for one.
"""

from __future__ import annotations

import numpy as np

from upsampling_grader.judge.channel import Answer
from upsampling_grader.judge.plain import NotPlain


class Wrong(ValueError):
    """An answer that cannot be right, with why (shown to the student)."""


def value_of(answer: Answer, what: str) -> object:
    """The plain value of ``answer`` (Wrong when there is none)."""
    if not answer.ok:
        raise Wrong(f"{what}: {answer.problem}")
    if isinstance(answer.value, NotPlain):
        raise Wrong(f"{what} is {answer.value.what}, not plain data (an int, a str, a tuple ...)")
    return answer.value


def exact_int(value: object, what: str) -> int:
    if type(value) is int:
        return value
    if isinstance(value, np.integer):
        raise Wrong(f"{what} is a NumPy {value.dtype} ({value}); return a Python int, e.g. int(x)")
    raise Wrong(f"{what} is {_described(value)}, not an int")


def optional_int(value: object, what: str) -> int | None:
    return None if value is None else exact_int(value, what)


def exact_str(value: object, what: str) -> str:
    if type(value) is str:
        return value
    raise Wrong(f"{what} is {_described(value)}, not a string")


def int_tuple(value: object, what: str, length: int) -> tuple[int, ...]:
    if type(value) is not tuple or len(value) != length:
        raise Wrong(f"{what} must be a tuple of {length} ints, not {_described(value)}")
    return tuple(exact_int(v, f"{what}[{i}]") for i, v in enumerate(value))


def float_array(value: object, what: str, shape: tuple[int, ...] | None = None) -> np.ndarray:
    if not isinstance(value, np.ndarray):
        raise Wrong(f"{what} is {_described(value)}, not a NumPy array")
    if value.dtype.kind not in "fiub":
        raise Wrong(f"{what} has dtype {value.dtype}, not a number type")
    if shape is not None and value.shape != tuple(shape):
        raise Wrong(f"{what} has shape {value.shape}, expected {tuple(shape)}")
    array = value.astype("float64")
    if not np.isfinite(array).all():
        raise Wrong(f"{what} holds NaN or infinite values")
    return array


def _described(value: object) -> str:
    if isinstance(value, NotPlain):
        return value.what
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    text = repr(value)
    text = text if len(text) <= 60 else text[:57] + "..."
    return f"{type(value).__name__} {text}"
