"""The student's own checks, before the deadline: worthless to game, since they award nothing.

Each assignment's module (``upsampling_course.assignments.<name>``) defines
``CHECKS``: for each graded test cell, a function of the notebook's
namespace that raises ``AssertionError`` with a message naming the mistake
(the most common wrong answers of that task, on inputs anyone may see) or
returns a short note of what it checked. A test cell's visible part is one
line, ``check("test_...")``; the last cell of the notebook, ``self_check()``,
runs them all and prints one row per test. Passing them says the format is
right and the common mistakes are absent; the points come from the judge,
which tries many more cases when the notebook is graded.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from importlib import import_module

from upsampling_course.variants import GRADING_ID_VARIABLE, my_variant

Check = Callable[[dict], str | None]


class NotAnsweredYet(AssertionError):
    """The answer a check needs is not in the notebook yet."""


def _namespace() -> dict:
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:
        raise RuntimeError("the self-check runs inside a notebook")
    return shell.user_ns


def checks_of(assignment: str) -> dict[str, Check]:
    return import_module(f"upsampling_course.assignments.{assignment}").CHECKS


def run_check(assignment: str, test: str, namespace: dict) -> str:
    """One check on ``namespace``: its note, or the AssertionError it raises."""
    check = checks_of(assignment)[test]
    scope = dict(namespace)
    if "variant" not in scope:  # only then: my_variant needs an id
        scope["variant"] = my_variant(assignment)
    try:
        return check(scope) or "format and common mistakes checked"
    except (NameError, KeyError) as missing:
        raise NotAnsweredYet(f"not answered yet ({missing})") from None


def checker(assignment: str) -> Callable[[str], None]:
    """``check("test_...")`` for a notebook's test cells: raises on a mistake, else prints ✔."""

    def check(test: str) -> None:
        note = run_check(assignment, test, _namespace())
        print(f"✔ {note} (the judge tries more cases when your notebook is graded)")

    return check


def self_check(assignment: str, namespace: dict | None = None) -> list[tuple[str, str, str]]:
    """Run every check of the assignment; print and return (test, result, message) rows.

    While the grader runs the notebook (it sets ``GRADING_ID_VARIABLE``) the checks are
    skipped: they award nothing, the judge scores every test afterwards, and they cost a
    graded notebook as much time as its answers (the lab's probe every step and score the
    trained generator).
    """
    if os.environ.get(GRADING_ID_VARIABLE):
        print("The self-check is skipped while grading: the judge scores every test cell.")
        return []
    namespace = _namespace() if namespace is None else namespace
    rows = []
    for test in checks_of(assignment):
        try:
            rows.append((test, "ok", run_check(assignment, test, namespace)))
        except NotAnsweredYet as why:
            rows.append((test, "not yet", str(why)))
        except AssertionError as why:
            rows.append((test, "fix", str(why).splitlines()[0] if str(why) else "failed"))
        except Exception as error:  # the student's code raised: that is the finding
            rows.append((test, "error", f"{type(error).__name__}: {error}"[:200]))
    width = max(len(t) for t, _, _ in rows)
    for test, result, message in rows:
        print(f"{test:<{width}}  {result:<7}  {message}")
    return rows
