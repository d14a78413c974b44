"""The course-level grading command on a simulated class of 23 students.

One module-scoped fixture releases solutions/predict_shapes into a scratch
course, hands in the class built by tests/support/predict_shapes_class.py
(ordinary, broken and hostile notebooks) and runs `upsampling-grader grade`
once, exactly as an instructor would. The tests then check every student's scores, status and reasons in
the CSV, the gradebook nbgrader exports, the feedback, and that nothing the
hostile notebooks did reached the course. A second fixture grades four
ordinary students in three shards (`grade --shard K/N --out`, one process and
working folder each) and merges them: the merged CSV and gradebook must equal
those the one-machine run of the whole class gave the same students, cell by
cell. Fast unit tests of the checks and repairs (no kernel) come last.
"""

from __future__ import annotations

import csv
import html
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import nbformat
import pytest

from tests.support.class_courses import (
    SHARDED,
    STUDENTS,
    gradebook_grades,
    new_course,
    read_rows,
    source_notebook,
)
from tests.support.grading import (
    CELL_TIMEOUT,
    EXERCISES,
    ScratchCourse,
    folder_digest,
    grader_command,
    hidden_test_lines,
    run_grader,
    solution_answers,
)
from tests.support.predict_shapes_class import (
    ASSIGNMENT,
    NOTEBOOK,
    POINTS,
    TOTAL,
    first_test,
)
from tests.support.predict_shapes_hostile import NOT_FOUND
from upsampling_grader.assignment import NotebookSpec, load_assignment, load_course_config
from upsampling_grader.grading_run import GradingRun, configured
from upsampling_grader.limits import STUDENT_TIMEOUT as DEFAULT_STUDENT_TIMEOUT
from upsampling_grader.limits import Limits
from upsampling_grader.redact import redact_outputs
from upsampling_grader.repair import check_notebook
from upsampling_grader.results import CellStatus, Status
from upsampling_grader.scratch import tools_first
from upsampling_grader.shards import shard_of

# The simulated class is graded once, in a module fixture: keep its tests on one worker
# (a group of their own: the sandbox tests, whose class is another, may run beside them).
pytestmark = pytest.mark.xdist_group("graded-class")

STUDENT_TIMEOUT = 400


def hidden_lines() -> set[str]:
    return hidden_test_lines(source_notebook())


def run_grading(course: ScratchCourse, scratch: Path, *extra: str) -> subprocess.CompletedProcess:
    scratch.mkdir(parents=True, exist_ok=True)
    return run_grader(
        *("grade", ASSIGNMENT, f"--cell-timeout={CELL_TIMEOUT}"),
        *(f"--student-timeout={STUDENT_TIMEOUT}", f"--scratch={scratch}", *extra),
        cwd=course.root,
    )


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    course = new_course(tmp_path_factory.mktemp("class"), list(STUDENTS.values()))
    solutions_before = folder_digest(course.root / "solutions")
    submitted_before = folder_digest(course.root / "submitted")
    result = run_grading(course, tmp_path_factory.mktemp("scratch"), "--jobs=2")
    csv_path = course.root / "grades" / f"{ASSIGNMENT}.csv"
    assert csv_path.exists(), f"no CSV; the command said:\n{result.stdout}\n{result.stderr[-3000:]}"
    return {
        "course": course,
        "result": result,
        "rows": read_rows(csv_path),
        "solutions_before": solutions_before,
        "submitted_before": submitted_before,
    }


@pytest.mark.parametrize("name", list(STUDENTS))
def test_each_student_gets_the_expected_score_per_cell(graded_class, name):
    rows = graded_class["rows"]
    expected = STUDENTS[name].expected_scores()
    got = {cell: float(rows[(name, cell)]["score"]) for cell in POINTS}
    assert got == expected, f"{name}: {[rows[(name, c)]['reason'] for c in POINTS]}"
    for cell, points in POINTS.items():
        assert float(rows[(name, cell)]["max_score"]) == points
    total = rows[(name, TOTAL)]
    assert float(total["score"]) == pytest.approx(sum(expected.values()))
    assert float(total["max_score"]) == sum(POINTS.values())


@pytest.mark.parametrize("name", list(STUDENTS))
def test_each_student_gets_the_expected_status_and_reason(graded_class, name):
    rows = graded_class["rows"]
    student = STUDENTS[name]
    assert rows[(name, TOTAL)]["status"] == student.status.value, rows[(name, TOTAL)]["reason"]
    for cell, words in student.reasons.items():
        reason = rows[(name, cell)]["reason"]
        assert all(word in reason for word in words), (cell, words, reason)
    for cell in POINTS:
        status, reason = rows[(name, cell)]["status"], rows[(name, cell)]["reason"]
        assert status == student.expected_cell_status(cell).value, (cell, reason)
        # A cell below full marks always says why (the judge's words, or why it was not run).
        assert reason or status == CellStatus.PASSED.value, (cell, status)
    if student.status is Status.OK:
        assert not rows[(name, TOTAL)]["reason"], rows[(name, TOTAL)]["reason"]


def test_the_command_exits_1_and_names_every_student_who_needs_attention(graded_class):
    result = graded_class["result"]
    assert result.returncode == 1, result.stderr[-3000:]
    attention = {name for name, s in STUDENTS.items() if s.status is not Status.OK}
    listed = {
        line.split(":")[0].strip() for line in result.stdout.splitlines() if line.startswith("  ")
    }
    assert listed == attention
    assert f"{len(attention)} need attention" in result.stdout
    assert "student" in result.stderr, "the progress bar (tqdm, on stderr) is missing"


def test_nbgrader_export_agrees_with_the_csv(graded_class):
    course, rows = graded_class["course"], graded_class["rows"]
    course.nbgrader("export", "--to", "exported.csv")
    with open(course.root / "exported.csv", newline="") as handle:
        exported = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert set(exported) == set(STUDENTS)
    for name in STUDENTS:
        total = float(rows[(name, TOTAL)]["score"])
        assert float(exported[name]["raw_score"]) == pytest.approx(total), name
    assert float(exported["late"]["late_submission_penalty"]) == 0
    assert exported["late"]["timestamp"].startswith("2026-11-22")


def test_feedback_exists_and_shows_no_hidden_test(graded_class):
    feedback = graded_class["course"].root / "feedback"
    secrets = hidden_lines()
    assert secrets
    for name, student in STUDENTS.items():
        page = feedback / name / ASSIGNMENT / "predict_shapes.html"
        if not student.graded:
            assert not page.exists()
            continue
        assert page.exists(), name
        text = page.read_text()
        plain = html.unescape(re.sub(r"<[^>]+>", "", text))
        leaked = [line for line in secrets if line in plain]
        assert not leaked, f"{name}'s feedback shows {leaked[:2]}"


def test_the_snooper_found_no_solutions_and_no_gradebook(graded_class):
    course = graded_class["course"]
    graded = nbformat.read(
        course.root / "autograded" / "snooper" / ASSIGNMENT / NOTEBOOK, as_version=4
    )
    answer = next(
        c
        for c in graded.cells
        if c.metadata.get("nbgrader", {}).get("grade_id") == "parameter_counts_answer"
    )
    printed = "".join(o.get("text", "") for o in answer.outputs)
    # Up to four folders searched for three names, all in vain.
    lines = printed.splitlines()
    searched = sum(line.startswith(NOT_FOUND) for line in lines)
    assert searched in (3, 6, 9, 12), printed[:3000]
    assert not [line for line in lines if line.startswith("found /")]
    # The sandbox holds no notebook file (nbgrader sends the cells over the
    # kernel's channel), so the glob for *.ipynb finds nothing to print, and no
    # hidden test reaches the output.
    assert '"cells"' not in printed, printed[:3000]
    assert not [line for line in hidden_lines() if line in printed]


def test_the_course_files_are_untouched(graded_class):
    course = graded_class["course"]
    assert folder_digest(course.root / "solutions") == graded_class["solutions_before"]
    assert folder_digest(course.root / "submitted") == graded_class["submitted_before"]
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course.root / 'gradebook.db'}") as gradebook:
        for name in STUDENTS:
            submission = gradebook.find_submission(ASSIGNMENT, name)
            for notebook in submission.notebooks:
                assert all(grade.manual_score is None for grade in notebook.grades), name


# Sharded grading: the SHARDED students, each shard in its own process and working folder.
SHARDS = 3


@pytest.fixture(scope="module")
def sharded_class(tmp_path_factory, graded_class):
    """The SHARDED students graded as SHARDS pods would: separate processes and folders.

    The one-machine run to compare with is the class's: the same students, in
    the same course setup, graded beside the other 19.
    """
    root = tmp_path_factory.mktemp("sharded")
    course = new_course(root / "course", [STUDENTS[name] for name in SHARDED])
    before = folder_digest(course.root)
    shards, outs, scratch = [], [], []
    for index in range(SHARDS):
        work = root / f"pod-{index}"
        work.mkdir()
        # Short: the sandbox puts the kernel's unix sockets (at most 108 bytes) in there.
        scratch.append(Path(tempfile.mkdtemp(prefix=f"shard{index}-")))
        outs.append(root / "results" / f"shard-{index}")
        command = grader_command(
            *("grade", ASSIGNMENT),
            *(f"--course={course.root}", f"--shard={index}/{SHARDS}", f"--out={outs[-1]}"),
            *(f"--cell-timeout={CELL_TIMEOUT}", f"--student-timeout={STUDENT_TIMEOUT}"),
            f"--scratch={scratch[-1]}",
        )
        shards.append(
            subprocess.Popen(
                command,
                cwd=work,
                env=tools_first(),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    finished = [(shard.wait(timeout=1200), *shard.communicate()) for shard in shards]
    untouched = folder_digest(course.root) == before
    for folder in scratch:
        shutil.rmtree(folder, ignore_errors=True)
    merged = run_grader("merge", ASSIGNMENT, *map(str, outs), cwd=course.root)
    return {
        "one_machine": graded_class["course"],
        "course": course,
        "outs": outs,
        "finished": finished,
        "untouched": untouched,
        "merged": merged,
    }


def test_each_shard_grades_its_own_students_without_writing_to_the_course(sharded_class):
    for index, (returncode, stdout, stderr) in enumerate(sharded_class["finished"]):
        out = sharded_class["outs"][index]
        assert (out / "shard.json").exists(), f"shard {index}: {stdout}{stderr[-3000:]}"
        written = json.loads((out / "shard.json").read_text())
        students = [s["student"] for s in written["students"]]
        assert students == sorted(name for name in SHARDED if shard_of(name, SHARDS) == index)
        assert students, f"shard {index} is empty: choose SHARDED so that every shard grades"
        # Like `grade`, a shard exits 1 when one of its students needs attention (late).
        attention = any(STUDENTS[name].status is not Status.OK for name in students)
        assert returncode == int(attention), f"shard {index}: {stdout}{stderr[-3000:]}"
        assert set(read_rows(out / "grades.csv")) == {
            (name, cell) for name in students for cell in [TOTAL, *POINTS]
        }
        assert "need" in (out / "grading.log").read_text()
        for name in students:
            assert (out / "feedback" / name / ASSIGNMENT / "predict_shapes.html").exists()
    assert sharded_class["untouched"], "a shard wrote into the course folder"


def test_merged_shards_equal_the_one_machine_run_cell_by_cell(sharded_class):
    merged = sharded_class["merged"]
    assert merged.returncode == 1, merged.stdout + merged.stderr[-3000:]  # late needs attention
    course, one_machine = sharded_class["course"], sharded_class["one_machine"]
    rows = read_rows(course.root / "grades" / f"{ASSIGNMENT}.csv")
    in_class = read_rows(one_machine.root / "grades" / f"{ASSIGNMENT}.csv")
    assert {name for name, _ in rows} == set(SHARDED)
    for name in SHARDED:
        for cell in [TOTAL, *POINTS]:
            assert rows[(name, cell)] == in_class[(name, cell)], (name, cell)
    assert gradebook_grades(course.root, SHARDED) == gradebook_grades(one_machine.root, SHARDED)
    for name in SHARDED:
        assert (course.root / "feedback" / name / ASSIGNMENT / "predict_shapes.html").exists()
        assert (course.root / "autograded" / name / ASSIGNMENT / NOTEBOOK).exists()


def test_merge_refuses_a_student_graded_twice(sharded_class):
    outs = [str(out) for out in sharded_class["outs"]]
    twice = run_grader("merge", ASSIGNMENT, *outs, outs[1], cwd=sharded_class["course"].root)
    assert twice.returncode == 2
    assert "more than one shard" in twice.stderr
    assert "chen" in twice.stderr and "late" in twice.stderr and "ada" not in twice.stderr


def test_merge_refuses_missing_shards_and_students(sharded_class):
    outs = [str(out) for out in sharded_class["outs"]]
    course = sharded_class["course"]
    before = folder_digest(course.root)
    missing = run_grader("merge", ASSIGNMENT, outs[0], outs[2], cwd=course.root)
    assert missing.returncode == 2
    assert "missing shards (of 3): 1" in missing.stderr
    assert "students in no shard: chen, late" in missing.stderr
    assert folder_digest(course.root) == before, "a refused merge changed the course"


# ---------------------------------------------------------------------------
# Unit tests of the checks and repairs: no kernel, no nbgrader run


@pytest.fixture(scope="module")
def spec():
    release = nbformat.read(EXERCISES / ASSIGNMENT / NOTEBOOK, as_version=4)
    return NotebookSpec.from_notebooks("predict_shapes", release, source_notebook())


def test_the_spec_read_from_notebooks_matches_the_gradebook(spec, graded_class):
    course = graded_class["course"]
    config = load_course_config(course.root)
    recorded = load_assignment(
        course.root, config, ASSIGNMENT, f"sqlite:///{course.root / 'gradebook.db'}"
    ).notebooks["predict_shapes"]
    assert (recorded.points, recorded.answers, recorded.order) == (
        spec.points,
        spec.answers,
        spec.order,
    )
    assert {k: v.strip() for k, v in recorded.sources.items()} == {
        k: v.strip() for k, v in spec.sources.items()
    }


def built(name: str, spec) -> str:
    return STUDENTS[name].build(spec.release, solution_answers(source_notebook()))


def test_truncated_json_is_reported_not_raised(spec):
    checked = check_notebook(built("truncated", spec)[NOTEBOOK], spec)
    assert checked.notebook is None
    assert "not valid JSON" in checked.problems[0] and "line" in checked.problems[0]


def test_a_copied_cell_keeps_one_grade_id_and_unique_cell_ids(spec):
    checked = check_notebook(built("copied_cell", spec)[NOTEBOOK], spec)
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in checked.notebook.cells]
    assert ids.count("conv_output_length_answer") == 1
    assert len({c.id for c in checked.notebook.cells}) == len(checked.notebook.cells)
    assert checked.repaired


def test_deleted_answer_and_test_put_back_in_place(spec):
    checked = check_notebook(built("both_deleted", spec)[NOTEBOOK], spec)
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in checked.notebook.cells]
    answer = ids.index("parameter_counts_answer")
    assert ids[answer - 1] == "parameters_question"
    assert "raise NotImplementedError()" in checked.notebook.cells[answer].source


def test_stripped_metadata_is_restored_by_position(spec):
    checked = check_notebook(built("no_metadata", spec)[NOTEBOOK], spec)
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in checked.notebook.cells]
    # The release's cells in order; its first cell (STUDENT_ID) is not an nbgrader cell.
    assert ids == [c.metadata.get("nbgrader", {}).get("grade_id") for c in spec.release.cells]
    assert ids.count(None) < len(ids) // 2  # most cells got their grade id back


def test_stripped_metadata_on_a_reshuffled_notebook_is_flagged(spec):
    nb = nbformat.reads(built("no_metadata", spec)[NOTEBOOK], as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("print('my own experiment')"))
    checked = check_notebook(nbformat.writes(nb), spec)
    assert checked.notebook is None and "grade it by hand" in checked.problems[0]


def test_suspicious_answers_are_flagged_for_a_look(spec):
    checked = check_notebook(built("snooper", spec)[NOTEBOOK], spec)
    assert checked.suspicious
    notes = checked.cell_notes[first_test("parameter_counts_answer")]
    assert "gradebook" in " ".join(notes)
    clean = check_notebook(built("ada", spec)[NOTEBOOK], spec)
    assert not clean.suspicious and not clean.cell_notes and not clean.repaired


def test_redaction_removes_hidden_lines_from_every_kind_of_output():
    secret = "assert int(_got) == _expected, 'hidden check'"
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print(open('x.ipynb').read())")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text=f"before\n{secret}\nafter"),
        nbformat.v4.new_output(
            "error",
            ename="E",
            evalue=secret,
            traceback=[secret.replace("==", "\x1b[0;34m==\x1b[0m")],
        ),
        nbformat.v4.new_output("execute_result", data={"text/plain": secret}),
    ]
    nb.cells.append(cell)
    redact_outputs(nb, {secret})
    assert secret not in json.dumps(nb)
    assert "before" in cell.outputs[0]["text"]


def test_a_failing_test_cell_shows_only_its_message():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("assert f(2) == 4, 'f doubles'")
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "grade_id": "t", "points": 1}
    cell.outputs = [
        nbformat.v4.new_output(
            "error",
            ename="AssertionError",
            evalue="f doubles",
            traceback=["---> 9 _secret_case = 12345", "AssertionError: f doubles"],
        )
    ]
    nb.cells.append(cell)
    redact_outputs(nb, set())
    assert cell.outputs[0]["traceback"] == ["AssertionError: f doubles"]


def test_a_grading_run_takes_the_command_line_then_the_course_config_then_the_defaults(
    repo_root,
):
    config = load_course_config(repo_root)
    run = GradingRun.for_course(config)
    assert run.cell_timeout == config.Execute.timeout
    assert run.student_timeout > 2 * run.cell_timeout
    assert GradingRun.for_course(config, cell_timeout=5).cell_timeout == 5
    # The course sets neither grader limit: the grader's own defaults hold (defined once).
    assert configured(config, "student_timeout") is None
    assert configured(config, "memory_limit_mb") is None
    assert (run.student_timeout, run.limits) == (DEFAULT_STUDENT_TIMEOUT, Limits())
    config.ClassroomGrading.memory_limit_mb = 4096
    config.ClassroomGrading.student_timeout = 600
    chosen = GradingRun.for_course(config, jobs=2)
    assert (chosen.limits.memory_mb, chosen.student_timeout, chosen.jobs) == (4096, 600, 2)
    assert GradingRun.for_course(config, memory_limit_mb=8192).limits.memory_mb == 8192
    with pytest.raises(ValueError, match="batch_size"):
        GradingRun(batch_size=0)


def test_tensorflow_log_lines_match_the_ignore_pattern_but_other_stderr_does_not(repo_root):
    pattern = load_course_config(repo_root).IgnorePattern.pattern
    tensorflow_lines = [
        "W0000 00:00:1763800000.123456   4242 cpu_feature_guard.cc:40] This TensorFlow binary",
        "E0000 00:00:1763800000.5   77 cuda_dnn.cc:8310] Unable to register cuDNN factory",
        "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
    ]
    assert all(re.search(pattern, line) for line in tensorflow_lines)
    assert not re.search(pattern, "Traceback (most recent call last):\nValueError: bad shape")
