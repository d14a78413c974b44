"""What the judge decides about one graded test cell, and how nbgrader is told.

A :class:`Verdict` is a fraction of the cell's points and the lines that
explain it to the student. :func:`outputs` turns it into the cell's outputs,
which nbgrader's SaveAutoGrades reads (an error output scores 0, a number
returned scores that many points, anything else full marks): the judge writes
them after the notebook has run, so nothing the notebook printed or raised in
that cell counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nbformat.v4 import new_output

PASSED_MARK = "✔"
FAILED_MARK = "✘"


@dataclass(frozen=True)
class Verdict:
    fraction: float  # of the cell's points, 0 to 1
    lines: tuple[str, ...] = ()
    # Things the instructor should know (e.g. an answer that is not plain data).
    notes: tuple[str, ...] = field(default=(), compare=False)

    @property
    def passed(self) -> bool:
        return self.fraction >= 1.0


def passed(*lines: str) -> Verdict:
    return Verdict(1.0, lines)


def failed(*lines: str, notes: tuple[str, ...] = ()) -> Verdict:
    return Verdict(0.0, lines, notes)


def share(checks: list[tuple[bool, str]], *, ok: str = "") -> Verdict:
    """Equal shares of the points for each (passed, explanation) check (partial credit)."""
    if not checks:
        raise ValueError("a verdict needs at least one check")
    good = sum(1 for passed_, _ in checks if passed_)
    lines = tuple(why for passed_, why in checks if not passed_)
    if good == len(checks):
        return Verdict(1.0, (ok,) if ok else ())
    return Verdict(good / len(checks), lines)


def outputs(verdict: Verdict, points: float) -> list:
    """The outputs of a judged test cell worth ``points`` (see the module docstring)."""
    if verdict.passed:
        text = "\n".join(f"{PASSED_MARK} {line}" for line in verdict.lines) or PASSED_MARK
        return [new_output("stream", name="stdout", text=f"{text}\n")]
    message = "\n".join(verdict.lines) or "the judge found the answer wrong"
    if verdict.fraction <= 0:
        return [
            new_output(
                "error",
                ename="NotYet",
                evalue=message,
                traceback=[f"{FAILED_MARK} {line}" for line in message.splitlines()],
            )
        ]
    earned = round(verdict.fraction * points, 2)
    report = "\n".join(f"{FAILED_MARK} {line}" for line in verdict.lines)
    return [
        new_output("stream", name="stdout", text=f"{report}\n"),
        new_output("execute_result", data={"text/plain": repr(earned)}, execution_count=None),
    ]
