"""How the two pytest-xdist workers share the suite: the longest groups first, no work held back.

pytest-xdist's ``--dist=loadgroup`` hands out work units (an ``xdist_group``,
or a single test) in order of their number of tests, and gives a worker its
next unit while two of its tests are still to run. Test counts say little
about time here: a group of three tests may grade a class for minutes, and a
worker that took the next long group early keeps it while the other worker
runs out of work. :class:`LongestFirst` orders the groups by their measured
durations (``GROUP_SECONDS``), longest first, then every other unit as
pytest-xdist would; and gives a worker its next unit only when its last test
is running (the worker needs that next test before it can start the last).
Both workers then stay busy to the end, and the run ends on short tests.
"""

from __future__ import annotations

from xdist.scheduler import LoadGroupScheduling

# Seconds each group took (setup and tests) in a whole run on the 2-core machine under
# load (benchmarks/README.md, "The test suite's duration"): only their order matters.
GROUP_SECONDS = {
    "book": 700,  # the book build, then the browser, PDF and link tests on the site
    "grading-mnist_generator_lab": 625,
    "graded-class": 600,  # the simulated class of predict_shapes, then its shards
    "grading-shape_formulas": 233,
    "grading-predict_shapes": 213,
    "perimeter": 200,
    "colab_install": 300,  # the chapters, and beside them the solved exercises
    "instructor-guide": 182,
    "classroom": 160,  # the sandbox's class (tests/grader/test_sandbox.py)
    "grading-checkerboard": 149,
    "grading-upsampling2d_numpy": 127,
    "grading-upsampling_operators": 102,
    "grading-conv2d_transpose_numpy": 98,
    "hostile-grading": 352,  # 92 s before every assignment was judged (fresh clone, 2026-12-07)
    # Three podman grade pods and the merge pod (setup 78 s in a fresh clone where the
    # image was built); where podman or the image is absent its tests skip at once.
    "containers": 150,
    "instructor-kit": 60,
    "feedback": 40,  # two students graded, then their feedback pages
}


class LongestFirst(LoadGroupScheduling):
    """``--dist=loadgroup`` with the groups of ``GROUP_SECONDS`` first, longest first."""

    ordered = False

    def _assign_work_unit(self, node) -> None:
        # The first assignment comes once the whole queue is known: order it then.
        if not self.ordered:
            self.ordered = True
            # Stable: the units without a figure keep pytest-xdist's order, after the rest.
            units = sorted(self.workqueue.items(), key=lambda unit: -GROUP_SECONDS.get(unit[0], 0))
            self.workqueue.clear()
            self.workqueue.update(units)
        super()._assign_work_unit(node)

    def _reschedule(self, node) -> None:
        if node.shutting_down:
            return
        if not self.workqueue:
            node.shutdown()
            return
        # A worker starts a test once it knows the next one: with one test left, it waits.
        if self._pending_of(self.assigned_work[node]) > 1:
            return
        self._assign_work_unit(node)
