"""Reading what a student's kernel sends back: plain data, checked, or a reason it is not.

The kernel is the student's: whatever it sends may have been written to fool
the reader. :func:`read` turns one encoded value (the format of
``upsampling_course.answers.encode``) into Python numbers, strings, tuples,
lists, string-keyed dicts and numeric NumPy arrays, checking every tag, type,
dtype, shape and size on the way; anything else becomes a :class:`NotPlain`
answer, which no comparison in the judge accepts. Nothing here imports,
evaluates or unpickles what it reads: arrays are rebuilt with
``np.frombuffer`` from raw bytes of an allowed dtype.
"""

from __future__ import annotations

import base64
import binascii
import math
from dataclasses import dataclass

import numpy as np

# dtypes an answer may use (little-endian, as the kernel's machine writes them; '|' for bytes).
ALLOWED_DTYPES = frozenset(
    {"|b1", "|i1", "|u1", "<i2", "<i4", "<i8", "<u2", "<u4", "<u8", "<f2", "<f4", "<f8"}
)
SPECIAL_FLOATS = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


@dataclass(frozen=True)
class Bounds:
    """How much one reply may hold."""

    elements: int = 2**24  # array elements, all arrays together
    items: int = 100_000  # entries of lists, tuples and dicts, all together
    depth: int = 8
    text: int = 1_000_000  # characters of all strings together


DEFAULT_BOUNDS = Bounds()


@dataclass(frozen=True)
class NotPlain:
    """An answer that is not plain data, with what it was (for the student's feedback)."""

    what: str

    def __str__(self) -> str:
        return f"not plain data ({self.what})"


class Malformed(ValueError):
    """The reply breaks the format: the kernel's helper was replaced or broken."""


def read(encoded: object, bounds: Bounds = DEFAULT_BOUNDS) -> object:
    """The plain value ``encoded`` stands for (Malformed if it is not one)."""
    budget = {"elements": bounds.elements, "items": bounds.items, "text": bounds.text}
    return _read(encoded, bounds, budget, 0)


def _spend(budget: dict, key: str, amount: int) -> None:
    budget[key] -= amount
    if budget[key] < 0:
        raise Malformed(f"the reply holds too many {key}")


def _read(value: object, bounds: Bounds, budget: dict, depth: int) -> object:
    if depth > bounds.depth:
        raise Malformed("the reply is nested too deeply")
    kind = type(value)
    if value is None or kind in (bool, int, float):
        if kind is int and abs(value) >= 2**63:
            raise Malformed("an integer out of range")
        return value
    if kind is str:
        _spend(budget, "text", len(value))
        return value
    if kind is list:
        _spend(budget, "items", len(value))
        return [_read(v, bounds, budget, depth + 1) for v in value]
    if kind is not dict or len(value) != 1:
        raise Malformed(f"unexpected {kind.__name__}")
    ((tag, body),) = value.items()
    if tag == "__tuple__" and type(body) is list:
        _spend(budget, "items", len(body))
        return tuple(_read(v, bounds, budget, depth + 1) for v in body)
    if tag == "__dict__" and type(body) is list:
        _spend(budget, "items", len(body))
        pairs = {}
        for pair in body:
            if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str:
                raise Malformed("a dict entry is not a [key, value] pair")
            _spend(budget, "text", len(pair[0]))
            pairs[pair[0]] = _read(pair[1], bounds, budget, depth + 1)
        return pairs
    if tag == "__ndarray__":
        return _array(body, budget)
    if tag == "__npscalar__":
        return _scalar(body)
    if tag == "__float__" and body in SPECIAL_FLOATS:
        return SPECIAL_FLOATS[body]
    if tag == "__bigint__" and type(body) is str and len(body) <= 400:
        try:
            return int(body)
        except ValueError:
            raise Malformed("a big integer that is not one") from None
    raise Malformed(f"unknown tag {str(tag)[:40]!r}")


def _dtype(code: object) -> np.dtype:
    if type(code) is not str or code not in ALLOWED_DTYPES:
        raise Malformed(f"dtype {str(code)[:20]!r} is not allowed")
    return np.dtype(code)


def _array(body: object, budget: dict) -> np.ndarray:
    if type(body) is not list or len(body) != 3:
        raise Malformed("an array without dtype, shape and data")
    code, shape, data = body
    dtype = _dtype(code)
    if (
        type(shape) is not list
        or len(shape) > 8
        or not all(type(n) is int and n >= 0 for n in shape)
    ):
        raise Malformed("an array with a bad shape")
    size = math.prod(shape)
    _spend(budget, "elements", size)
    if type(data) is not str or len(data) > 4 * (size * dtype.itemsize + 2) // 3 + 4:
        raise Malformed("an array whose data does not fit its shape")
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise Malformed("an array whose data is not base64") from None
    if len(raw) != size * dtype.itemsize:
        raise Malformed("an array whose data does not fit its shape")
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


def _scalar(body: object) -> np.generic:
    if type(body) is not list or len(body) != 2:
        raise Malformed("a NumPy scalar without dtype and value")
    dtype = _dtype(body[0])
    value = body[1]
    if type(value) is dict and len(value) == 1 and value.get("__float__") in SPECIAL_FLOATS:
        value = SPECIAL_FLOATS[value["__float__"]]
    if type(value) not in (bool, int, float):
        raise Malformed("a NumPy scalar whose value is not a number")
    try:
        return dtype.type(value)
    except (OverflowError, ValueError):
        raise Malformed("a NumPy scalar out of its dtype's range") from None


def encode_input(value: object) -> object:
    """The judge's own inputs in the kernel's format (``upsampling_course.answers.decode``)."""
    from upsampling_course.answers import encode

    return encode(value)
