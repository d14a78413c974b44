"""Every limit of a grading run, defined once; the rest of the grader and the cluster read them.

A course may raise or lower the time limits and the memory cap in its
nbgrader_config.py (``Execute.timeout``, ``ClassroomGrading.student_timeout``
and ``ClassroomGrading.memory_limit_mb``) or on the command line; these are
the values where it says nothing. The Kubernetes Jobs in cluster/ give each
pod :func:`pod_memory_mb`, :func:`pod_cpus`, :func:`pod_storage_mb` and (a node's
kubelet setting) :func:`pod_pids` (tests/repo/test_cluster.py checks the
manifests against them; tests/grader/test_containers.py runs the pods with them).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

CELL_TIMEOUT = 30  # seconds per cell: nbgrader's own Execute.timeout default
STUDENT_TIMEOUT = 900  # seconds for all of one student's notebooks, retries included
# Seconds the kernel has for each of the judge's requests: a cell's time (the cell timeout
# of the run), never more than this (a looping answer costs it once per test it fails).
REQUEST_TIMEOUT = 120
# Students per nbgrader run (upsampling_grader.batch): a crash or a stop costs at
# most this many re-runs.
BATCH_SIZE = 8
# What the grader reads of a submission (upsampling_grader.submissions): a notebook (or a
# data file the instructor allows) and nbgrader's own small files (timestamp.txt, ...).
NOTEBOOK_BYTES = 32 * 2**20
NBGRADER_FILE_BYTES = 1024


@dataclass(frozen=True)
class Limits:
    """What one student's kernel may use (upsampling_grader.sandbox enforces it)."""

    # Address space of each process. TensorFlow reserves about 2 GiB of it at import;
    # without the sandbox (--no-sandbox) it still bounds nbgrader and the kernel.
    memory_mb: int = 6144
    cpu_seconds: int = 3600  # CPU time of each process
    # Processes and threads: of the kernel's user (rlimit), and of the whole sandbox
    # where the grader makes a cgroup per student (upsampling_grader.budget).
    processes: int = 256
    # CPUs' worth of time the whole sandbox may use at once (a cgroup's CFS quota):
    # with the student's wall-clock limit, its CPU time is at most cpus * that.
    cpus: float = 2.0
    # The tmpfs holding /tmp, HOME and the working folder, and the one at /dev/shm
    # (memory, both); also the largest file the kernel may write.
    disk_mb: int = 256
    output_kb: int = 1024  # output the grader keeps from one notebook run

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Limits:
        return cls(**json.loads(text)) if text else cls()

    def cut_note(self) -> str:
        return f"[output cut by the grader: the notebook printed more than {self.output_kb} kB]"

    @property
    def kernel_memory_mb(self) -> int:
        """The most memory one student's kernel can hold: its address space and its two tmpfs."""
        return self.memory_mb + 2 * self.disk_mb

    @property
    def sandbox_memory_mb(self) -> int:
        """The memory budget of the whole sandbox (every process it starts, and its tmpfs),
        enforced by a cgroup where the machine gives one (upsampling_grader.budget): what
        one kernel may hold, so that a hundred children cannot hold a hundred times it."""
        return self.kernel_memory_mb


# What the grader needs beside the kernels: the grading command itself and the
# nbgrader process that drives each kernel. Their resident memory together
# peaked at 246 MB grading three students of predict_shapes and 242 MB of the
# lab (2026-12, 2 cores; the kernel beside them: 1.2 and 1.1 GB); four times
# that leaves room for a larger class's results and gradebook.
GRADER_OVERHEAD_MB = 1024


def pod_memory_mb(limits: Limits | None = None, jobs: int = 1) -> int:
    """The memory a machine (a Kubernetes pod) grading ``jobs`` students at a time must allow.

    Each of ``jobs`` kernels may grow to its limits before the sandbox stops
    it; the pod's own limit must not stop it first (the student would then
    fail with no reason but an OOM kill, and the whole shard with it).
    """
    limits = limits or Limits()
    return jobs * limits.kernel_memory_mb + GRADER_OVERHEAD_MB


# What the grader itself starts beside the kernels: the grading command, nbgrader
# and its threads (the kernels' own processes count in Limits.processes).
GRADER_PROCESSES = 256
# The pod's writable folders (cluster/grade-job.yaml's emptyDirs): the scratch
# courses of one shard (copies of its students' notebooks, the scratch gradebooks)
# and /tmp (caches, the kernels' socket folders). The sandboxes' own disk is tmpfs,
# counted in memory.
SCRATCH_MB = 2048
TMP_MB = 1024


def pod_cpus(limits: Limits | None = None, jobs: int = 1) -> float:
    """The CPUs a pod grading ``jobs`` students at a time may use: each sandbox's share."""
    return jobs * (limits or Limits()).cpus


def pod_pids(limits: Limits | None = None, jobs: int = 1) -> int:
    """The processes a pod needs: each sandbox's budget plus the grader's. Kubernetes sets
    it per node (the kubelet's podPidsLimit), podman per container (--pids-limit)."""
    return jobs * (limits or Limits()).processes + GRADER_PROCESSES


def pod_storage_mb() -> int:
    """The ephemeral storage of a grade pod: its scratch and /tmp emptyDirs."""
    return SCRATCH_MB + TMP_MB
