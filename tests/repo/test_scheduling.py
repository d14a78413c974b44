"""The workers' schedule knows every long group by its current name (tests/support/scheduling.py)."""

from __future__ import annotations

import re
from collections import OrderedDict

from tests.support.grading import REPO_ROOT, SOLUTIONS
from tests.support.scheduling import GROUP_SECONDS, LongestFirst

NAMED = re.compile(r"""xdist_group\(\s*["']([\w-]+)["']\s*\)""")


def groups_in_the_suite() -> set[str]:
    named = {
        name
        for path in (REPO_ROOT / "tests").rglob("*.py")
        for name in NAMED.findall(path.read_text())
    }
    # tests/assignments/test_assignments.py groups each assignment's tests by an f-string
    # (every assignment, whatever ONLY_ASSIGNMENTS selects for a run).
    assignments = {p.name for p in SOLUTIONS.iterdir() if p.is_dir() and not p.name.startswith(".")}
    return named | {f"grading-{assignment}" for assignment in assignments}


def test_every_group_has_a_duration_and_every_duration_a_group():
    groups = groups_in_the_suite()
    assert set(GROUP_SECONDS) == groups, (
        f"GROUP_SECONDS lacks {sorted(groups - set(GROUP_SECONDS))} and names no group "
        f"{sorted(set(GROUP_SECONDS) - groups)}: the longest groups would not start first"
    )


class FakeNode:
    shutting_down = False

    def __init__(self):
        self.sent: list[list[int]] = []

    def send_runtest_some(self, indexes):
        self.sent.append(list(indexes))

    def shutdown(self):
        self.shutting_down = True


def test_the_longest_groups_go_first_and_a_worker_takes_more_only_at_its_last_test():
    scheduler = LongestFirst.__new__(LongestFirst)  # no pytest config needed for the queue
    scheduler.workqueue = OrderedDict()
    scheduler.assigned_work, scheduler.registered_collections = {}, {}
    collection = ["a.py::t1", "b.py::t2@book", "b.py::t3@book", "c.py::t4@hostile-grading"]
    collection += ["c.py::t5@hostile-grading", "c.py::t6@hostile-grading", "d.py::t7"]
    for nodeid in collection:
        scheduler.workqueue.setdefault(scheduler._split_scope(nodeid), {})[nodeid] = False
    node = FakeNode()
    scheduler.registered_collections[node] = collection
    scheduler._assign_work_unit(node)
    assert list(scheduler.assigned_work[node]) == ["book"]
    assert list(scheduler.workqueue) == ["hostile-grading", "a.py::t1", "d.py::t7"]
    scheduler._reschedule(node)  # two tests of the book still to run: nothing more yet
    assert list(scheduler.assigned_work[node]) == ["book"]
    scheduler.assigned_work[node]["book"]["b.py::t2@book"] = True
    scheduler._reschedule(node)  # the last one is running: the next group comes
    assert list(scheduler.assigned_work[node]) == ["book", "hostile-grading"]
    assert node.sent == [[1, 2], [3, 4, 5]]
