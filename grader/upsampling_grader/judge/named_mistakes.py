"""Array answers against the truth and against known wrong versions, so that feedback names the mistake.

A task reads the kernel's arrays with :func:`read_array`, computes the
expected arrays itself (from Keras or the course's reference functions) and
describes a few known mistakes as :class:`Mistake`\\ s: a function that
computes, for one case, what that mistake would have returned. :func:`judge`
finds the cases that fail; when the student's arrays on those cases all equal
one mistake's, the message names it (the tests check the phrase ``says``),
otherwise it says plainly that the answer matches none of them. The judge
computes every array here; nothing of the student's runs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from upsampling_grader.judge.answers import Wrong, value_of
from upsampling_grader.judge.channel import Answer
from upsampling_grader.judge.verdicts import Verdict, failed, passed

INTEGER_DTYPE = (
    "an integer dtype: the values were rounded. Build the result with a float dtype "
    "(np.zeros(shape) is float64) whatever the inputs' dtype"
)


@dataclass(frozen=True)
class Mistake:
    """A known wrong version of a task: ``says`` names it, ``advice`` says what to do instead,
    ``result(case)`` is what it returns for one case (None or an exception: not defined there)."""

    says: str
    advice: str
    result: Callable[[object], np.ndarray | None]


def read_array(answer: Answer, what: str) -> np.ndarray:
    """The answer as a finite numeric array (a nested list of numbers is accepted too)."""
    value = value_of(answer, what)
    if isinstance(value, (list, tuple)):
        try:
            value = np.asarray(value)
        except ValueError:
            raise Wrong(f"{what} is a ragged list, not an array") from None
    if not isinstance(value, np.ndarray) or value.dtype.kind not in "biuf":
        kind = f"dtype {value.dtype}" if isinstance(value, np.ndarray) else type(value).__name__
        raise Wrong(f"{what} is not a NumPy array of numbers ({kind})")
    if not np.isfinite(value.astype("float64")).all():
        raise Wrong(f"{what} holds NaN or infinite values")
    return value


def close(got: np.ndarray, want: np.ndarray | None, rtol: float, atol: float) -> bool:
    return (
        want is not None
        and got.shape == np.shape(want)
        and np.allclose(got.astype("float64"), want, rtol=rtol, atol=atol)
    )


def _result(mistake: Mistake, case: object) -> np.ndarray | None:
    try:
        return mistake.result(case)
    except Exception:  # the mistake is not defined for this case (shapes that do not divide)
        return None


def _mismatch(got: np.ndarray, want: np.ndarray, what: str, truth: str) -> str:
    if got.shape != want.shape:
        return f"{what} has shape {got.shape}; {truth} gives {want.shape}"
    gap = float(np.abs(got.astype("float64") - want).max())
    return f"{what} differs from what {truth} gives by up to {gap:.3g}"


def judge(
    got: Sequence[np.ndarray | Wrong],
    cases: Sequence[object],
    expected: Sequence[np.ndarray],
    mistakes: Sequence[Mistake],
    describe: Callable[[object], str],
    *,
    truth: str = "Keras",
    ok: str,
    rtol: float = 1e-4,
    atol: float = 1e-4,
) -> Verdict:
    """Passed when every array equals the expected one; else the first failure, its mistake named.

    ``got`` holds, per case, the student's array or the :class:`Wrong` that
    reading it raised.
    """
    failing = [
        (index, answer)
        for index, (answer, want) in enumerate(zip(got, expected, strict=True))
        if isinstance(answer, Wrong) or not close(answer, want, rtol, atol)
    ]
    if not failing:
        return passed(ok)
    arrays = [(i, a) for i, a in failing if not isinstance(a, Wrong)]
    if not arrays:
        return failed(str(failing[0][1]))
    first, answer = arrays[0]
    where = describe(cases[first])
    for mistake in mistakes:
        if all(close(a, _result(mistake, cases[i]), rtol, atol) for i, a in arrays):
            return failed(f"{where}: this is {mistake.says}. {mistake.advice}")
    want = expected[first]
    if answer.dtype.kind in "biu" and not np.array_equal(want, np.round(want)):
        return failed(f"{where}: the result has dtype {answer.dtype}, {INTEGER_DTYPE}")
    known = f" ({'; '.join(m.says for m in mistakes)})" if mistakes else ""
    return failed(
        f"{_mismatch(answer, want, where, truth)}. It matches none of the mistakes the grader "
        f"knows{known}."
    )


def read_all(answers: Sequence[Answer], cases: Sequence[object], describe) -> list:
    """Each answer read with :func:`read_array`, or the Wrong that says why it cannot be."""
    out: list[np.ndarray | Wrong] = []
    for answer, case in zip(answers, cases, strict=True):
        try:
            out.append(read_array(answer, describe(case)))
        except Wrong as why:
            out.append(why)
    return out
