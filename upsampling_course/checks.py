"""Argument checks shared by every part of the helper package.

One definition of "a positive integer" for sizes, kernels, strides and
factors: Python and NumPy integers count, ``True``/``False`` do not (``True``
is an ``int`` in Python, and a stride of ``True`` is always a slip).
"""

from __future__ import annotations

import numpy as np


def is_integer(value: object) -> bool:
    """True for Python and NumPy integers, False for booleans and everything else."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def positive_int(name: str, value: object) -> int:
    """Return ``value`` as an ``int`` when it is an integer >= 1, else raise a clear ValueError."""
    if not is_integer(value) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def non_negative_int(name: str, value: object) -> int:
    """Return ``value`` as an ``int`` when it is an integer >= 0, else raise a clear ValueError."""
    if not is_integer(value) or value < 0:
        raise ValueError(f"{name} must be an integer >= 0, got {value!r}")
    return int(value)
