"""One budget for a student's whole sandbox: a cgroup per student's kernel.

The sandbox's rlimits (``upsampling_grader.sandbox``) bound each process: a
notebook that forks 200 children, each under the 6 GiB address-space cap,
could still take the machine's memory together. Where the grader may make
cgroups (as root on cgroup v1 with the ``memory``, ``pids`` and ``cpu``
controllers, as on the machines this course is graded on), each kernel's
sandbox, with everything it starts, is put in a cgroup of its own with

* memory: ``Limits.sandbox_memory_mb`` for all its processes and its tmpfs
  (tmpfs pages are charged to the cgroup that wrote them); past it a process
  of that sandbox ends, never one beside it. The kernel's OOM killer would do
  it only after reclaiming the group's file pages (the libraries its
  processes run) over and over, tens of seconds of disk reads that slowed the
  students graded beside it past their cell timeouts (measured): so the grader
  watches each group (``StudentGroup.watch``) and ends the largest process as
  soon as the memory that cannot be reclaimed (anonymous and tmpfs) nears
  the budget;
* pids: ``Limits.processes`` processes and threads in all;
* cpu: ``Limits.cpus`` CPUs' worth of time per period (CFS quota), so that
  the student's wall-clock limit bounds its CPU time at ``cpus`` times it.

Disk needs no cgroup: the sandbox's only writable places are its two tmpfs
of ``Limits.disk_mb`` each, shared by all its processes. Where no cgroup can
be made (not root, cgroup v2, a container), the pod's or the machine's
limits bound all kernels together; ``bound_line`` says which applies.
"""

from __future__ import annotations

import contextlib
import functools
import os
import secrets
import shlex
import time
from pathlib import Path

from upsampling_grader.limits import Limits

CGROUP_ROOT = Path("/sys/fs/cgroup")
CONTROLLERS = ("memory", "pids", "cpu")
GROUP_PREFIX = "upsampling-grader"
CFS_PERIOD_US = 100_000
# How often the grader looks at each group, and how near the budget it lets the memory
# that cannot be reclaimed come before it ends the group's largest process.
WATCH_PERIOD_S = 0.2
WATCH_MARGIN_MB = 128


def _own_path(controller: str) -> str:
    """This process's cgroup in ``controller``'s v1 hierarchy (students' groups go below it)."""
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, names, path = line.split(":", 2)
        if controller in names.split(","):
            return path.lstrip("/")
    raise LookupError(controller)


def _mount(controller: str) -> Path | None:
    """Where the v1 hierarchy holding ``controller`` is mounted (``cpu`` may share ``cpuacct``)."""
    for line in Path("/proc/self/mounts").read_text().splitlines():
        _, where, kind, options = line.split()[:4]
        if kind == "cgroup" and controller in options.split(","):
            return Path(where)
    return None


@functools.lru_cache(maxsize=1)
def cgroup_problem() -> str | None:
    """Why no per-student cgroup can be made here, or None when one can."""
    if os.geteuid() != 0:
        return "the grader is not root"
    for controller in CONTROLLERS:
        mount = _mount(controller)
        if mount is None:
            return f"no cgroup v1 {controller} controller is mounted"
        try:
            parent = mount / _own_path(controller)
        except LookupError:
            return f"this process is in no {controller} cgroup"
        probe = parent / f"{GROUP_PREFIX}-probe-{secrets.token_hex(4)}"
        try:
            probe.mkdir()
            probe.rmdir()
        except OSError as error:
            return f"no {controller} cgroup can be made under {parent} ({error.strerror})"
    return None


def bound_line(limits: Limits, sandboxed: bool = True) -> str:
    """One line for the grader's output: which bound applies to a whole sandbox."""
    if not sandboxed:
        return "whole-sandbox limits: none (--no-sandbox); the machine's limits apply"
    problem = cgroup_problem()
    if problem is None:
        return (
            f"whole-sandbox limits: a cgroup per student ({limits.sandbox_memory_mb} MB memory, "
            f"{limits.processes} processes, {limits.cpus} CPUs)"
        )
    return (
        f"whole-sandbox limits: per process only ({problem}); the pod's or the "
        "machine's limits bound all students together"
    )


class StudentGroup:
    """The cgroups (one per controller) that hold one kernel's sandbox."""

    def __init__(self, limits: Limits):
        self.limits = limits
        name = f"{GROUP_PREFIX}-{secrets.token_hex(6)}"
        self.paths = {c: _mount(c) / _own_path(c) / name for c in CONTROLLERS}
        for path in self.paths.values():
            path.mkdir()
        self.ended = 0  # processes the watch ended
        memory = self.paths["memory"]
        (memory / "memory.limit_in_bytes").write_text(str(limits.sandbox_memory_mb * 2**20))
        # No swap here to escape into either, where the kernel accounts for it.
        with contextlib.suppress(OSError):
            (memory / "memory.memsw.limit_in_bytes").write_text(
                str(limits.sandbox_memory_mb * 2**20)
            )
        (self.paths["pids"] / "pids.max").write_text(str(limits.processes))
        cpu = self.paths["cpu"]
        (cpu / "cpu.cfs_period_us").write_text(str(CFS_PERIOD_US))
        (cpu / "cpu.cfs_quota_us").write_text(str(int(limits.cpus * CFS_PERIOD_US)))

    def wrap(self, command: list[str]) -> list[str]:
        """``command`` started inside the groups: a shell joins them, then becomes it."""
        joins = " && ".join(
            f"echo $$ > {shlex.quote(str(path / 'cgroup.procs'))}" for path in self.paths.values()
        )
        return ["/bin/sh", "-c", f'{joins} && exec "$@"', "sandbox-budget", *command]

    def unreclaimable_bytes(self) -> int:
        """The group's anonymous and tmpfs memory: what no reclaim can free without swap."""
        stat = self.paths["memory"] / "memory.stat"
        return _field(stat, "total_rss") + _field(stat, "total_shmem")

    def end_the_largest_if_full(self) -> bool:
        """End the group's largest process when its unreclaimable memory is within
        WATCH_MARGIN_MB of the budget; True when one was ended."""
        budget = self.limits.sandbox_memory_mb * 2**20
        if self.unreclaimable_bytes() < budget - WATCH_MARGIN_MB * 2**20:
            return False
        sizes = {
            pid: _resident_pages(pid) for pid in _read_ints(self.paths["memory"] / "cgroup.procs")
        }
        if not sizes:
            return False
        with contextlib.suppress(ProcessLookupError):
            os.kill(max(sizes, key=sizes.get), 9)
            self.ended += 1
        return True

    async def watch(self, seconds: float = WATCH_PERIOD_S) -> None:
        """Check the group every ``seconds`` until cancelled (the kernel's shutdown)."""
        import asyncio

        while True:
            await asyncio.sleep(seconds)
            with contextlib.suppress(OSError):
                self.end_the_largest_if_full()

    def notes(self) -> list[str]:
        """What the budget stopped, in words for the student's row."""
        found = []
        memory = self.paths["memory"]
        failed = _read_int(memory / "memory.failcnt")
        oom = _field(memory / "memory.oom_control", "oom_kill")
        if failed or oom or self.ended:
            found.append(
                f"the sandbox's whole memory budget of {self.limits.sandbox_memory_mb} MB "
                "(all its processes together) was reached"
            )
        if _field(self.paths["pids"] / "pids.events", "max"):
            found.append(
                f"the sandbox's limit of {self.limits.processes} processes and threads was reached"
            )
        return found

    def remove(self, seconds: float = 10) -> None:
        """End whatever is left in the groups (nothing should be: the pid namespace is gone)
        and remove them."""
        deadline = time.monotonic() + seconds
        for path in self.paths.values():
            while path.exists():
                for pid in _read_ints(path / "cgroup.procs"):
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, 9)
                try:
                    path.rmdir()
                except OSError:
                    if time.monotonic() > deadline:
                        break
                    time.sleep(0.05)


def _read_int(path: Path) -> int:
    with contextlib.suppress(OSError, ValueError):
        return int(path.read_text().strip())
    return 0


def _read_ints(path: Path) -> list[int]:
    with contextlib.suppress(OSError):
        return [int(word) for word in path.read_text().split()]
    return []


def _resident_pages(pid: int) -> int:
    with contextlib.suppress(OSError, ValueError, IndexError):
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    return 0


def _field(path: Path, name: str) -> int:
    """A ``name value`` line's value in a cgroup file (0 when absent)."""
    with contextlib.suppress(OSError):
        for line in path.read_text().splitlines():
            key, _, value = line.partition(" ")
            if key == name and value.strip().isdigit():
                return int(value)
    return 0


def student_group(limits: Limits) -> StudentGroup | None:
    """A fresh group for one kernel, or None where the machine gives none."""
    return StudentGroup(limits) if cgroup_problem() is None else None
