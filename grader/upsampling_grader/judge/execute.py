"""nbgrader's Execute step with the judge: run the notebook, then score it from outside.

``JudgedExecute`` replaces nbgrader's ``Execute`` in ``nbgrader autograde``
(``upsampling_grader`` configures it). It runs every cell of the notebook in
the (sandboxed) kernel except the graded test cells, then, while the kernel
still runs, lets the assignment's judge tasks ask it questions through
:class:`~upsampling_grader.judge.channel.KernelChannel`, and writes each test
cell's outputs from the judge's verdict alone. The test cells' own code never
runs: its hidden part only says, when plain nbgrader runs it, that the test is
scored by the judge (``upsampling_course.answers.graded_by_the_judge``).

What the judge decided is also written, for the grader, to
``<record_dir>/<student>/<notebook>.judge.json`` (outside the sandbox).
"""

from __future__ import annotations

import json
import os
import secrets
import traceback
from pathlib import Path

from jupyter_core.utils import run_sync
from nbclient import NotebookClient
from nbgrader.preprocessors import Execute
from traitlets import Float, Unicode

from upsampling_course.variants import GRADING_ID_VARIABLE, ID_NAME
from upsampling_grader.judge import registry
from upsampling_grader.judge.channel import Asker, KernelChannel
from upsampling_grader.judge.verdicts import Verdict, failed, outputs
from upsampling_grader.limits import REQUEST_TIMEOUT

RECORD_SUFFIX = ".judge.json"


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def is_judged(cell) -> bool:
    meta = nbgrader_meta(cell)
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


class JudgedExecute(Execute):
    """Execute, with the test cells scored by the assignment's judge (module docstring)."""

    students_file = Unicode(
        "", config=True, help="JSON file mapping the names nbgrader sees to real student ids"
    ).tag(config=True)
    record_dir = Unicode("", config=True, help="the grader's folder for the judge's records").tag(
        config=True
    )
    seed = Unicode("", config=True, help="hex seed of the judge's inputs (fresh when empty)").tag(
        config=True
    )
    request_timeout = Float(
        float(REQUEST_TIMEOUT),
        config=True,
        help="the most seconds the kernel has for each answer (else the cell timeout)",
    ).tag(config=True)

    @property
    def answer_seconds(self) -> float:
        """Each answer gets a cell's time (``timeout``: --cell-timeout), at most
        ``request_timeout``."""
        return min(self.request_timeout, self.timeout) if self.timeout else self.request_timeout

    def _student(self, alias: str) -> str:
        if not self.students_file:
            return alias
        ids = json.loads(Path(self.students_file).read_text())
        return ids.get(alias, alias)

    def preprocess(self, nb, resources=None, km=None):
        info = (resources or {}).get("nbgrader", {})
        tasks_module = registry.module_for(info.get("assignment", ""))
        if tasks_module is None:
            return super().preprocess(nb, resources, km)
        student = self._student(info.get("student", ""))
        seed = bytes.fromhex(self.seed) if self.seed else secrets.token_bytes(32)
        case = registry.make_case(info["assignment"], student, seed)

        NotebookClient.__init__(self, nb, km)
        self.reset_execution_trackers()
        self._check_assign_resources(resources)
        # The kernel works on the variant of the id the grader knows (upsampling_course.variants).
        env = {**os.environ, GRADING_ID_VARIABLE: student}
        with self.setup_kernel(env=env):
            assert self.kc
            info_msg = self.wait_for_reply(self.kc.kernel_info())
            assert info_msg
            self.nb.metadata["language_info"] = info_msg["content"]["language_info"]
            for index, cell in enumerate(self.nb.cells):
                if is_judged(cell):
                    cell.outputs = []
                    continue
                self.preprocess_cell(cell, resources, index)
            verdicts, notes = self._judge(tasks_module, case)
        for cell in self.nb.cells:
            if is_judged(cell):
                grade_id = nbgrader_meta(cell).get("grade_id")
                verdict = verdicts.get(grade_id) or failed("the judge has no test of this name")
                cell.outputs = outputs(verdict, float(nbgrader_meta(cell).get("points", 0)))
        self._record(info, student, verdicts, notes)
        self.set_widgets_metadata()
        return self.nb, self.resources

    def _judge(self, tasks_module, case) -> tuple[dict[str, Verdict], list[str]]:
        channel = KernelChannel(self.kc, self.km.interrupt_kernel, timeout=self.answer_seconds)
        ask = Asker(channel, run_sync(_awaited))
        notes: list[str] = []
        claimed = ask.value(ID_NAME)
        if claimed.ok and isinstance(claimed.value, str) and claimed.value.strip():
            if claimed.value.strip() != case.student:
                notes.append(
                    f"the notebook says STUDENT_ID = {claimed.value.strip()!r}: it was solved "
                    f"for that id's numbers, and was graded as {case.student!r}"
                )
        elif not claimed.ok and "not defined" not in (claimed.problem or ""):
            notes.append(f"the judge could not ask the kernel: {claimed.problem}")
        verdicts = {}
        for grade_id, task in tasks_module.TASKS.by_grade_id.items():
            try:
                verdicts[grade_id] = task(ask, case)
            except Exception as error:  # a bug of the judge's, never the student's
                notes.append(f"{grade_id}: the judge failed ({type(error).__name__}: {error})")
                self.log.error("judge task %s failed:\n%s", grade_id, traceback.format_exc())
                verdicts[grade_id] = failed(
                    "the grader could not judge this test; your instructor has been told"
                )
        notes += channel.log
        return verdicts, notes

    def _record(self, info: dict, student: str, verdicts: dict[str, Verdict], notes) -> None:
        if not self.record_dir:
            return
        folder = Path(self.record_dir) / info.get("student", student)
        folder.mkdir(parents=True, exist_ok=True)
        record = {
            "student": student,
            "notebook": info.get("notebook"),
            "verdicts": {
                g: {"fraction": v.fraction, "lines": list(v.lines), "notes": list(v.notes)}
                for g, v in verdicts.items()
            },
            "notes": list(notes),
        }
        (folder / f"{info.get('notebook')}{RECORD_SUFFIX}").write_text(json.dumps(record, indent=1))


async def _awaited(coroutine):
    return await coroutine
