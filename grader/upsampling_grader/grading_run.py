"""How one grading run grades: one settings object, made once and handed whole to every step.

The command line makes it (``upsampling_grader.cli``), falling back on the
course's nbgrader_config.py and then on the defaults of
``upsampling_grader.limits``; ``grade_class`` and ``grade_shard`` take it as
it is, and so does everything below them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from upsampling_grader.limits import BATCH_SIZE, CELL_TIMEOUT, STUDENT_TIMEOUT, Limits

# The section of nbgrader_config.py the grader reads (nbgrader ignores it).
CONFIG_SECTION = "ClassroomGrading"


@dataclass(frozen=True)
class GradingRun:
    """The settings of one grading run."""

    cell_timeout: int = CELL_TIMEOUT  # seconds per cell (nbgrader's Execute.timeout)
    student_timeout: float = STUDENT_TIMEOUT  # seconds for one student's notebooks in all
    limits: Limits = field(default_factory=Limits)  # what each student's kernel may use
    jobs: int = 1  # nbgrader runs at the same time
    batch_size: int = BATCH_SIZE  # students per nbgrader run, each in a kernel of its own
    sandbox: bool = True  # each kernel in a bwrap sandbox (upsampling_grader.sandbox)
    feedback: bool = True  # make feedback (nbgrader's generate_feedback, redacted)
    progress: bool = True  # a progress bar on stderr
    scratch_parent: Path | None = None  # where scratch courses go (None: the system's tmp)
    keep_scratch: bool = False  # keep the scratch courses of failed runs, to look into them
    # nbgrader's Execute.raise_on_iopub_timeout (its default True): a cell that ignores
    # the interrupt after its timeout then fails the student at once.
    iopub_timeout_fails: bool = True
    # Files students may hand in beside the notebook (read as plain bytes, never a link
    # and never a name Python imports): everything else in their folder is left out.
    data_files: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("cell_timeout", "student_timeout", "jobs", "batch_size"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, not {getattr(self, name)!r}")
        for name in self.data_files:
            refused = data_file_problem(name)
            if refused:
                raise ValueError(f"the data file {name!r} {refused}")

    @classmethod
    def for_course(
        cls,
        config,
        cell_timeout: int | None = None,
        student_timeout: float | None = None,
        memory_limit_mb: int | None = None,
        **ways,
    ) -> GradingRun:
        """The limits given (None: not given), else the course's nbgrader_config.py, else
        the defaults; ``ways`` sets the other fields (jobs, sandbox, feedback, ...)."""
        execute = config.get("Execute", {})
        memory = memory_limit_mb or configured(config, "memory_limit_mb")
        return cls(
            cell_timeout=int(cell_timeout or execute.get("timeout", CELL_TIMEOUT)),
            student_timeout=float(
                student_timeout or configured(config, "student_timeout") or STUDENT_TIMEOUT
            ),
            limits=Limits(memory_mb=int(memory)) if memory else Limits(),
            iopub_timeout_fails=bool(execute.get("raise_on_iopub_timeout", True)),
            **ways,
        )


def configured(config, name: str):
    """The grader's own setting ``name`` in nbgrader_config.py (``c.ClassroomGrading.name``),
    or None where the course does not set it."""
    section = config.get(CONFIG_SECTION, {})
    return section.get(name) if hasattr(section, "get") else None


def data_file_problem(name: str) -> str | None:
    """Why students may not hand in a file called ``name``, or None."""
    from upsampling_grader.submissions import (
        IMPORTABLE_SUFFIXES,
        NBGRADER_FILES,
        name_problem,
    )

    if name_problem(name):
        return name_problem(name)
    if name.endswith((*IMPORTABLE_SUFFIXES, ".ipynb")) or name in NBGRADER_FILES:
        return "is a notebook, nbgrader's own file or a name Python imports"
    return None
