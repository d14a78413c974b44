"""Every limit of a grading run, defined once; the rest of the grader and the cluster read them.

A course may raise or lower the time limits and the memory cap in its
nbgrader_config.py (``Execute.timeout``, ``ClassroomGrading.student_timeout``
and ``ClassroomGrading.memory_limit_mb``) or on the command line; these are
the values where it says nothing. The Kubernetes Jobs in cluster/ give each
pod :func:`pod_memory_mb` (tests/repo/test_cluster.py checks the manifest
against it).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

CELL_TIMEOUT = 30  # seconds per cell: nbgrader's own Execute.timeout default
STUDENT_TIMEOUT = 900  # seconds for all of one student's notebooks, retries included
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
    processes: int = 256  # processes and threads of the kernel's user
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
