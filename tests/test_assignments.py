"""The graded round trip, through the real nbgrader CLI in a scratch course.

For every assignment in solutions/: the release is exactly what
`nbgrader generate_assignment` makes, a perfect submission gets full marks,
the untouched release gets zero, and every graded test cell loses points on
at least one plausible wrong answer (tests/wrong_answers/<assignment>.py).
"""

from __future__ import annotations

import filecmp
import importlib.util
import json
from pathlib import Path

import nbformat
import pytest
from grading_harness import (
    EXERCISES,
    ScratchCourse,
    assignment_ids,
    filled_in,
    graded_test_ids,
    secret_lines,
    solution_answers,
    source_notebooks,
)

ASSIGNMENTS = assignment_ids()
WRONG_ANSWERS_DIR = Path(__file__).parent / "wrong_answers"


def wrong_answers(assignment: str) -> dict[str, dict]:
    path = WRONG_ANSWERS_DIR / f"{assignment}.py"
    if not path.exists():
        return {}
    spec = importlib.util.spec_from_file_location(f"wrong_answers_{assignment}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.WRONG_ANSWERS


def on_grading_worker(*values, assignment: str, test_id: str):
    """A test parameter that runs on the pytest-xdist worker that grades its assignment.

    Grading one assignment takes minutes: grouping its tests makes one worker
    grade it once, while other workers grade other assignments in parallel.
    """
    return pytest.param(*values, marks=pytest.mark.xdist_group(f"grading-{assignment}"), id=test_id)


ASSIGNMENT_PARAMS = [on_grading_worker(a, assignment=a, test_id=a) for a in ASSIGNMENTS]
WRONG_PARAMS = [
    on_grading_worker(a, name, assignment=a, test_id=f"{a}-{name}")
    for a in ASSIGNMENTS
    for name in wrong_answers(a)
]


def grade_assignment(assignment: str, root: Path) -> ScratchCourse:
    """Release one assignment in a scratch course, submit simulated students, autograde them."""
    course = ScratchCourse(root, [assignment])
    release_dir = course.release(assignment)
    sources = {p.name: nbformat.read(p, as_version=4) for p in source_notebooks(assignment)}
    releases = {name: nbformat.read(release_dir / name, as_version=4) for name in sources}
    perfect = {name: filled_in(releases[name], solution_answers(sources[name])) for name in sources}
    course.submit("perfect", assignment, perfect)
    course.submit("untouched", assignment, releases)
    for wrong_name, wrong in wrong_answers(assignment).items():
        notebook = wrong.get("notebook", next(iter(sources)))
        submission = dict(perfect)
        submission[notebook] = filled_in(perfect[notebook], {wrong["answer"]: wrong["source"]})
        course.submit(f"wrong-{wrong_name}", assignment, submission)
    course.autograde(assignment)
    return course


@pytest.fixture(scope="session")
def graded_courses() -> dict[str, ScratchCourse]:
    """The assignments this worker has graded so far, by id."""
    return {}


@pytest.fixture
def graded_course(graded_courses, tmp_path_factory, assignment) -> ScratchCourse:
    if assignment not in graded_courses:
        root = tmp_path_factory.mktemp(f"course-{assignment}")
        graded_courses[assignment] = grade_assignment(assignment, root)
    return graded_courses[assignment]


def all_scores(course, assignment, student):
    return {
        (path.stem, gid): score
        for path in source_notebooks(assignment)
        for gid, score in course.scores(assignment, student, path.stem).items()
    }


@pytest.mark.parametrize("assignment", ASSIGNMENT_PARAMS)
def test_perfect_submission_gets_full_marks(graded_course, assignment):
    scores = all_scores(graded_course, assignment, "perfect")
    assert scores, f"{assignment} has no graded cells"
    lost = {cell: s for cell, s in scores.items() if s.score != s.max_score}
    assert not lost, f"the solution lost points in {lost}"


@pytest.mark.parametrize("assignment", ASSIGNMENT_PARAMS)
def test_untouched_release_scores_zero(graded_course, assignment):
    scores = all_scores(graded_course, assignment, "untouched")
    earned = {cell: s.score for cell, s in scores.items() if s.score}
    assert not earned, f"an untouched release earned points in {earned}"


@pytest.mark.parametrize(("assignment", "wrong_name"), WRONG_PARAMS)
def test_wrong_answer_loses_exactly_its_points(graded_course, assignment, wrong_name):
    wrong = wrong_answers(assignment)[wrong_name]
    notebook = Path(wrong.get("notebook", source_notebooks(assignment)[0].name)).stem
    scores = all_scores(graded_course, assignment, f"wrong-{wrong_name}")
    for (nb, gid), score in scores.items():
        if nb == notebook and gid in wrong["loses"]:
            assert score.score < score.max_score, f"{gid} gave full marks to '{wrong_name}'"
        else:
            assert score.score == score.max_score, f"{gid} lost points on unrelated '{wrong_name}'"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_graded_test_catches_a_wrong_answer(assignment):
    caught = {gid for wrong in wrong_answers(assignment).values() for gid in wrong["loses"]}
    for path in source_notebooks(assignment):
        graded = graded_test_ids(nbformat.read(path, as_version=4))
        uncaught = [gid for gid in graded if gid not in caught]
        assert not uncaught, (
            f"{path.name}: no wrong answer in tests/wrong_answers/{assignment}.py "
            f"shows that {uncaught} can fail"
        )


@pytest.mark.parametrize("assignment", ASSIGNMENT_PARAMS)
def test_exercises_are_exactly_what_nbgrader_generates(graded_course, assignment):
    generated = graded_course.root / "exercises" / assignment
    committed = EXERCISES / assignment
    hint = "regenerate with `python3 dev.py release` and commit exercises/"
    assert committed.is_dir(), f"exercises/{assignment} is missing: {hint}"
    comparison = filecmp.dircmp(generated, committed)
    assert not comparison.left_only and not comparison.right_only, (
        f"files differ: only generated {comparison.left_only}, only committed "
        f"{comparison.right_only}; {hint}"
    )
    for path in generated.rglob("*"):
        if path.is_file():
            other = committed / path.relative_to(generated)
            if path.suffix == ".ipynb":
                same = json.loads(path.read_text()) == json.loads(other.read_text())
            else:
                same = path.read_bytes() == other.read_bytes()
            assert same, f"exercises/{assignment}/{path.name} has drifted: {hint}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_holds_no_solution_or_hidden_test(assignment):
    for path in source_notebooks(assignment):
        secrets = secret_lines(nbformat.read(path, as_version=4))
        assert secrets, f"{path.name} has no solution or hidden test lines to protect"
        released = (EXERCISES / assignment / path.name).read_text()
        leaked = sorted(line for line in secrets if json.dumps(line)[1:-1] in released)
        assert not leaked, f"exercises/{assignment}/{path.name} contains {leaked[:3]}"
