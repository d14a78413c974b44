"""One budget for a student's whole sandbox (issue #33): a cgroup per kernel.

The rlimits bound each process; these tests start the real sandbox command
(``sandbox.bwrap_command``) inside a student's group (``budget.StudentGroup``)
and let a notebook's code fork children that each stay under the per-process
caps: together they must not get past the group's memory and process
budget. They need root and cgroup v1 memory, pids and cpu controllers; where
those are missing they skip, and the grader's one line says which bound
applies instead (the last test, which runs everywhere).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.sandbox import bubblewrap_or_skip
from upsampling_grader import budget, sandbox
from upsampling_grader.limits import Limits

# Each child allocates CHILD_MB, far under its address-space cap; CHILDREN of them
# hold more than the whole sandbox's budget (memory_mb + 2 * disk_mb).
SMALL = Limits(memory_mb=512, disk_mb=32, processes=64, cpus=1.0)
CHILD_MB, CHILDREN = 200, 6
# The watch's margin over the growth it sees between two looks (test period 0.05 s).
STEP_MB, STEP_S = 4, 0.05


def forking(allocation: str) -> str:
    """A notebook's code: CHILDREN children each hold CHILD_MB made by ``allocation``
    (written: resident, not just reserved); it prints how many did not end normally."""
    return f"""
import os, time
children = []
for _ in range({CHILDREN}):
    pid = os.fork()
    if pid == 0:
        block = {allocation}
        time.sleep(3)
        os._exit(0)
    children.append(pid)
killed = sum(os.waitpid(pid, 0)[1] != 0 for pid in children)
print("killed", killed)
"""


# At once, faster than any watch looks: only the kernel's limit can stop it.
FORK_AND_ALLOCATE = forking(f'b"x" * ({CHILD_MB} * 2**20)')
# Over seconds, as a thrashing notebook grows: each of the watch's looks sees at most
# CHILDREN * STEP_MB * 0.05 / STEP_S = 24 MB more, far under budget.WATCH_MARGIN_MB.
GROW_SLOWLY = forking(
    f'[b"x" * ({STEP_MB} * 2**20) for _ in range({CHILD_MB // STEP_MB}) if not time.sleep({STEP_S})]'
)


@pytest.fixture(scope="module")
def bwrap():
    return bubblewrap_or_skip()


@pytest.fixture
def cgroups():
    problem = budget.cgroup_problem()
    if problem is not None:
        pytest.skip(f"no per-student cgroup here: {problem}")


def run_in_group(code: str, tmp_path: Path, limits: Limits, group: budget.StudentGroup | None):
    comms = tmp_path / "comms"
    comms.mkdir(exist_ok=True)
    command = sandbox.bwrap_command(
        [sys.executable, "-c", code], comms=comms, uid=sandbox.SANDBOX_UID_BASE + 9, limits=limits
    )
    if group is not None:
        command = group.wrap(command)
    env = sandbox.kernel_env({})
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


def test_children_under_the_per_process_cap_cannot_pass_the_sandboxs_memory(
    bwrap, cgroups, tmp_path
):
    assert CHILD_MB < SMALL.memory_mb < CHILDREN * CHILD_MB
    assert SMALL.sandbox_memory_mb < CHILDREN * CHILD_MB
    group = budget.StudentGroup(SMALL)
    try:
        done = run_in_group(FORK_AND_ALLOCATE, tmp_path, SMALL, group)
        peak = int((group.paths["memory"] / "memory.max_usage_in_bytes").read_text())
        notes = group.notes()
    finally:
        group.remove()
    assert peak <= SMALL.sandbox_memory_mb * 2**20, peak
    # Whoever the group's OOM killer chose (a child, or the parent), not all got through.
    assert "killed 0" not in done.stdout, done.stdout + done.stderr[-2000:]
    assert any("whole memory budget of 576 MB" in note for note in notes), notes
    assert not any(path.exists() for path in group.paths.values()), "the group was left"


def test_the_watch_ends_the_largest_process_before_the_kernel_must(bwrap, cgroups, tmp_path):
    """Left to the kernel, a full group first rereads its processes' libraries from disk
    for tens of seconds (slowing every student beside it); the grader's watch ends the
    largest process as soon as the memory that cannot be reclaimed nears the budget.
    It looks every so often: it is for memory that grows over seconds (a burst faster
    than its looks is left to the kernel's own limit, as the test above shows)."""
    import asyncio

    assert STEP_MB * CHILDREN < budget.WATCH_MARGIN_MB

    group = budget.StudentGroup(SMALL)

    async def graded() -> None:
        watch = asyncio.ensure_future(group.watch(0.05))
        try:
            await asyncio.to_thread(run_in_group, GROW_SLOWLY, tmp_path, SMALL, group)
        finally:
            watch.cancel()

    try:
        asyncio.run(graded())
        oom = budget._field(group.paths["memory"] / "memory.oom_control", "oom_kill")
        notes = group.notes()
    finally:
        group.remove()
    assert group.ended >= 1 and oom == 0, (group.ended, oom)
    assert any("whole memory budget" in note for note in notes), notes


def test_without_the_group_the_same_children_all_get_their_memory(bwrap, tmp_path):
    """The control: the per-process caps alone let every child through (so the test above
    tests the group, not the rlimits)."""
    done = run_in_group(FORK_AND_ALLOCATE, tmp_path, SMALL, None)
    assert done.stdout.split() == ["killed", "0"], done.stdout + done.stderr[-2000:]


def test_the_sandboxs_processes_together_stop_at_the_groups_budget(bwrap, cgroups, tmp_path):
    # As root each kernel has a uid of its own, so the rlimit also counts per sandbox:
    # a looser rlimit shows that the group alone holds the line.
    loose = Limits(memory_mb=512, disk_mb=32, processes=64, cpus=1.0)
    group = budget.StudentGroup(Limits(memory_mb=512, disk_mb=32, processes=24, cpus=1.0))
    code = """
import os, time
made = 0
try:
    while made < 60:
        if os.fork() == 0:
            time.sleep(5); os._exit(0)
        made += 1
except OSError as error:
    print(made, error)
"""
    try:
        done = run_in_group(code, tmp_path, loose, group)
        notes = group.notes()
    finally:
        group.remove()
    made, _, error = done.stdout.partition(" ")
    assert int(made) < 24 and "Resource temporarily unavailable" in error, done.stdout
    assert any("limit of 24 processes" in note for note in notes), notes


def test_the_grader_says_in_one_line_which_bound_applies():
    line = budget.bound_line(Limits())
    assert "\n" not in line and line.startswith("whole-sandbox limits: ")
    if budget.cgroup_problem() is None:
        assert f"{Limits().sandbox_memory_mb} MB memory" in line
    else:
        assert budget.cgroup_problem() in line and "pod's" in line
