"""The kernel's side of the judge's questions: hand the grader plain data, nothing else.

When an instructor grades a notebook with the course's grader, the notebook
runs in a sandboxed kernel and a judge *outside* it scores the answers: it
chooses inputs the notebook never saw, asks the kernel to apply the student's
functions to them, and compares what comes back with values it computes
itself. This module is what the kernel runs when the judge asks. It is a
convenience, not a defence: the kernel belongs to the student, who may
replace anything here, and the judge treats whatever arrives as the
student's answer and checks it as untrusted data (``upsampling_grader.judge.plain``).

What travels back is *plain data*: ``None``, ``bool``, ``int``, ``float``,
``str``, tuples, lists and string-keyed dicts of them, numeric NumPy arrays
and scalars. Anything else (a Keras tensor, an object with a clever
``__eq__``, a subclass of ``int``) is sent as its type name only, and the
judge counts it as a wrong answer. Each reply is one ``display_data``
message of the MIME type ``ANSWER_MIME``, answering one request.

Students never call this module; a hidden test that calls
:func:`graded_by_the_judge` says so when a notebook is graded without the
course's grader.
"""

from __future__ import annotations

import base64
import json
import math
import traceback
from collections.abc import Callable

import numpy as np

ANSWER_MIME = "application/vnd.upsampling-course.answer+json"
# Bounds the kernel keeps to itself (the judge enforces its own, smaller or equal).
MAX_ELEMENTS = 2**24  # elements of all arrays in one reply
MAX_DEPTH = 8  # nesting of lists, tuples and dicts
MAX_ITEMS = 100_000  # list/tuple/dict entries in one reply
NUMERIC_KINDS = "biuf"  # bool, signed and unsigned integers, floats
NUMPY_SCALARS = frozenset(
    np.dtype(code).type
    for code in ("?", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f2", "f4", "f8")
)


class NotPlain(TypeError):
    """A value that is not plain data; it travels as its type name only."""


def encode(value: object, _budget: list[int] | None = None, _depth: int = 0) -> object:
    """``value`` as JSON-ready plain data (see the module docstring), or NotPlain."""
    budget = [MAX_ITEMS, MAX_ELEMENTS] if _budget is None else _budget
    if _depth > MAX_DEPTH:
        raise NotPlain("nested too deeply")
    kind = type(value)
    if value is None or kind in (bool, str):
        return value
    if kind is int:
        return value if abs(value) < 2**63 else {"__bigint__": str(value)}
    if kind is float:
        return value if math.isfinite(value) else {"__float__": repr(value)}
    if kind in (list, tuple, dict):
        budget[0] -= len(value)
        if budget[0] < 0:
            raise NotPlain("too many items")
    if kind is list:
        return [encode(v, budget, _depth + 1) for v in value]
    if kind is tuple:
        return {"__tuple__": [encode(v, budget, _depth + 1) for v in value]}
    if kind is dict:
        if not all(type(k) is str for k in value):
            raise NotPlain("a dict whose keys are not all strings")
        return {"__dict__": [[k, encode(v, budget, _depth + 1)] for k, v in value.items()]}
    if kind in NUMPY_SCALARS:
        return {"__npscalar__": [np.dtype(kind).str, encode(value.item(), budget, _depth + 1)]}
    if kind is np.ndarray:
        if value.dtype.kind not in NUMERIC_KINDS or value.dtype.fields is not None:
            raise NotPlain(f"an array of dtype {value.dtype}")
        budget[1] -= value.size
        if budget[1] < 0:
            raise NotPlain("arrays too large")
        data = np.ascontiguousarray(value).tobytes()
        return {
            "__ndarray__": [value.dtype.str, list(value.shape), base64.b64encode(data).decode()]
        }
    raise NotPlain(f"a {kind.__module__}.{kind.__qualname__}")


def decode(value: object) -> object:
    """The inverse of ``encode`` for the judge's own inputs (trusted: the judge sent them)."""
    if isinstance(value, list):
        return [decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    ((tag, body),) = value.items()
    if tag == "__tuple__":
        return tuple(decode(v) for v in body)
    if tag == "__dict__":
        return {k: decode(v) for k, v in body}
    if tag == "__ndarray__":
        dtype, shape, data = body
        return np.frombuffer(base64.b64decode(data), dtype=dtype).reshape(shape).copy()
    if tag == "__npscalar__":
        return np.dtype(body[0]).type(decode(body[1]))
    if tag == "__float__":
        return float(body)
    if tag == "__bigint__":
        return int(body)
    raise ValueError(f"unknown tag {tag}")


def encoded_or_reason(value: object) -> dict:
    """``{"value": ...}`` for plain data, ``{"not_plain": "a Foo"}`` otherwise."""
    try:
        return {"value": encode(value)}
    except NotPlain as why:
        return {"not_plain": str(why)}


def _error_text(error: BaseException) -> str:
    """The last line of an error as the student would read it (TensorFlow's last line too)."""
    lines = traceback.format_exception_only(type(error), error)
    text = "".join(lines).strip().splitlines()
    return (text[-1] if text else type(error).__name__)[:2000]


def _call(function: Callable, args: list, kwargs: dict) -> dict:
    try:
        result = function(*args, **kwargs)
    except Exception as error:  # the student's error is the answer, not ours
        return {"error": _error_text(error)}
    return encoded_or_reason(result)


def _namespace() -> dict:
    from IPython import get_ipython

    shell = get_ipython()
    return shell.user_ns if shell is not None else {}


def _lookup(namespace: dict, name: str) -> object:
    """``name`` or ``name.attribute`` in the notebook's namespace (KeyError if absent)."""
    head, *rest = name.split(".")
    value = namespace[head]
    for part in rest:
        value = getattr(value, part)
    return value


def respond(request: dict, namespace: dict) -> dict:
    """The reply to one request of the judge (see ``upsampling_grader.judge.channel``)."""
    op = request["op"]
    if op == "values":
        replies = {}
        for name in request["names"]:
            try:
                replies[name] = encoded_or_reason(_lookup(namespace, name))
            except (KeyError, AttributeError):
                replies[name] = {"missing": True}
        return {"values": replies}
    if op == "calls":
        try:
            function = _lookup(namespace, request["name"])
        except (KeyError, AttributeError):
            return {"missing": True}
        if not callable(function):
            return {"not_callable": type(function).__name__}
        calls = [
            (decode(c["args"]), decode(c.get("kwargs", {"__dict__": []}))) for c in request["calls"]
        ]
        return {"results": [_call(function, args, kwargs) for args, kwargs in calls]}
    if op == "model":
        # A model the notebook built (a name), or builds now (a builder and its arguments).
        try:
            target = _lookup(namespace, request["name"])
        except (KeyError, AttributeError):
            return {"missing": True}
        if "args" in request:
            try:
                target = target(*decode(request["args"]))
            except Exception as error:
                return {"error": _error_text(error)}
        return encoded_or_reason(describe_model(target))
    if op == "run":
        # A helper of the course's (named by the judge) applied to the student's objects,
        # e.g. one training step of the student's step function on the judge's networks.
        from importlib import import_module

        module, _, helper = request["helper"].rpartition(".")
        function = getattr(import_module(module), helper)
        return _call(function, [namespace, *decode(request["args"])], {})
    raise ValueError(f"unknown request {op!r}")


def describe_model(model: object) -> dict | object:
    """A Keras model as plain data: its configuration (JSON text) and weights (arrays)."""
    to_json = getattr(model, "to_json", None)
    get_weights = getattr(model, "get_weights", None)
    if to_json is None or get_weights is None:
        return model  # not a model: sent as what it is
    return {"config": to_json(), "weights": [np.asarray(w) for w in get_weights()]}


def answer(request_text: str) -> None:
    """Reply to the judge's request (JSON text) with one display of ``ANSWER_MIME``."""
    from IPython.display import display

    request = json.loads(request_text)
    try:
        reply = respond(request, _namespace())
    except Exception as error:
        reply = {"failed": _error_text(error)}
    display({ANSWER_MIME: reply}, raw=True)


JUDGED_MESSAGE = (
    "This test is scored by the course's judge, outside the notebook, when your instructor "
    "grades with the course's grader (`upsampling-grader grade {assignment}`). Graded any other "
    "way (plain `nbgrader autograde`), it scores 0."
)


class JudgedElsewhere(RuntimeError):
    """Raised by a hidden test run inside a kernel: its points come from the judge only."""


def graded_by_the_judge(assignment: str) -> None:
    """The whole hidden part of a judged test cell (see ``JUDGED_MESSAGE``)."""
    raise JudgedElsewhere(JUDGED_MESSAGE.format(assignment=assignment))
