"""What a scratch course needs for the judge, and what the judge leaves there.

For an assignment that has a task module (``upsampling_grader.judge.tasks``),
:func:`prepare` gives a scratch course

* a block at the end of its ``nbgrader_config.py`` that puts
  :class:`~upsampling_grader.judge.execute.JudgedExecute` in nbgrader's
  autograde steps in place of ``Execute``, only in this scratch course (the
  course's own configuration keeps nbgrader's: plain ``nbgrader autograde``
  scores judged tests 0 and says why);
* the package view the sandboxed kernels get (:mod:`.package_view`);
* ``judge/students.json``, which maps the names nbgrader sees to real student
  ids (filled by :func:`record_student`), and ``judge/records/``, where the
  judge writes what it decided (:func:`read_record`).

Everything lives under the scratch root, which no kernel sees.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from upsampling_grader.judge import package_view, registry
from upsampling_grader.judge.execute import RECORD_SUFFIX

JUDGE_DIR = "judge"
STEPS = (
    "upsampling_grader.judge.execute.JudgedExecute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
)
CONFIG_BLOCK = """

# Added by upsampling_grader for this scratch course only: the judge scores the tests.
c.Autograde.autograde_preprocessors = {steps!r}
c.JudgedExecute.students_file = {students!r}
c.JudgedExecute.record_dir = {records!r}
"""


@dataclass(frozen=True)
class JudgeFolders:
    root: Path  # <scratch>/judge

    @property
    def students(self) -> Path:
        return self.root / "students.json"

    @property
    def records(self) -> Path:
        return self.root / "records"

    @property
    def view(self) -> Path:
        return self.root / "package-view" / "upsampling_course"


def judged(assignment: str) -> bool:
    """Whether the judge scores this assignment's tests."""
    return registry.module_for(assignment) is not None


def prepare(scratch_root: Path, assignment: str, config_file: Path) -> JudgeFolders | None:
    """Set the scratch course up for the judge (None: the assignment is not judged)."""
    tasks = registry.module_for(assignment)
    if tasks is None:
        return None
    folders = JudgeFolders(Path(scratch_root) / JUDGE_DIR)
    folders.records.mkdir(parents=True, exist_ok=True)
    folders.students.write_text("{}")
    package_view.build(folders.view.parent, tasks.KERNEL_MODULES)
    block = CONFIG_BLOCK.format(
        steps=list(STEPS), students=str(folders.students), records=str(folders.records)
    )
    with open(config_file, "a") as config:
        config.write(block)
    return folders


def folders_of(scratch_root: Path) -> JudgeFolders | None:
    folders = JudgeFolders(Path(scratch_root) / JUDGE_DIR)
    return folders if folders.students.exists() else None


def record_student(scratch_root: Path, alias: str, student: str) -> None:
    """Tell the judge that ``alias`` in the scratch course is ``student``."""
    folders = folders_of(scratch_root)
    if folders is None:
        return
    ids = json.loads(folders.students.read_text())
    ids[alias] = student
    folders.students.write_text(json.dumps(ids))


def read_record(scratch_root: Path, alias: str, notebook: str) -> dict | None:
    """What the judge decided about one notebook of ``alias`` (None if it did not judge it)."""
    folders = folders_of(scratch_root)
    if folders is None:
        return None
    path = folders.records / alias / f"{notebook}{RECORD_SUFFIX}"
    return json.loads(path.read_text()) if path.exists() else None
