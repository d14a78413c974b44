"""The graded round trip, through the real nbgrader CLI in a scratch course.

For every assignment in solutions/: the release is exactly what
`nbgrader generate_assignment` makes (and a Chinese-instruction release,
where there is one, exactly what tools/exercise_translations.py makes of it,
and it grades the solution to full marks), a perfect submission gets full marks,
the untouched release gets zero, every graded test cell loses points on at
least two plausible wrong answers, and every answer cell keeps its points on
at least one correct answer written unlike the solution
(tests/assignments/wrong_answers/<assignment>.py: ``WRONG_ANSWERS`` and ``UNUSUAL_ANSWERS``);
a wrong answer's ``says`` is a phrase the grader's reason must contain: the
feedback names that mistake.

Grading a notebook costs a kernel start and TensorFlow's import, so answers
are packed: one simulated student hands in several wrong answers at once, at
most one per answer cell and with no two of them expected to lose the same
test cell, which keeps each assignment to a handful of graded notebooks.
A corpus's ``FILLERS`` (wrong answers in the same form) are handed in by every
wrong-answer student for the cells they leave empty, so that a costly cell
(the lab's training) runs only where an answer needs it; their losses are
expected like the student's own.
"""

from __future__ import annotations

import filecmp
import importlib
import json
from pathlib import Path

import nbformat
import pytest

from tests.assignments import wrong_answers as wrong_answers_package
from tests.support.grading import (
    EXERCISES,
    ScratchCourse,
    answer_cells,
    assignment_ids,
    filled_in,
    graded_test_ids,
    nbgrader_meta,
    secret_lines,
    solution_answers,
    source_notebooks,
)
from tools import exercise_translations

ASSIGNMENTS = assignment_ids()


def _corpus(assignment: str) -> object | None:
    """tests/assignments/wrong_answers/<assignment>.py, if the assignment has one."""
    try:
        return importlib.import_module(f"{wrong_answers_package.__name__}.{assignment}")
    except ModuleNotFoundError:
        return None


def wrong_answers(assignment: str) -> dict[str, dict]:
    return getattr(_corpus(assignment), "WRONG_ANSWERS", {})


def unusual_answers(assignment: str) -> dict[str, dict]:
    return getattr(_corpus(assignment), "UNUSUAL_ANSWERS", {})


def _notebook_of(answer: dict, assignment: str) -> str:
    return Path(answer.get("notebook", source_notebooks(assignment)[0].name)).stem


def shared_cells(assignment: str) -> set[str]:
    """Test cells that several packed answers may lose together (the lab's training cell)."""
    return set(getattr(_corpus(assignment), "SHARED_CELLS", set()))


def fillers(assignment: str) -> dict[str, dict]:
    return getattr(_corpus(assignment), "FILLERS", {})


def _losses(answer: dict, assignment: str, shared: set[str]) -> set[tuple[str, str]]:
    """The test cells the answer loses or may lose, less the shared ones."""
    notebook = _notebook_of(answer, assignment)
    return {
        (notebook, gid)
        for gid in answer.get("loses", []) + answer.get("may_lose", [])
        if gid not in shared
    }


def packed(answers: dict[str, dict], assignment: str) -> list[dict[str, dict]]:
    """The answers split into submissions: one answer per answer cell, disjoint losses.

    Cells in ``SHARED_CELLS`` or an answer's ``may_lose`` do not count as losses here.
    """
    shared = shared_cells(assignment)
    submissions: list[dict[str, dict]] = []
    for name, answer in answers.items():
        cell = (_notebook_of(answer, assignment), answer["answer"])
        losses = _losses(answer, assignment, shared)
        for submission in submissions:
            taken = {(_notebook_of(a, assignment), a["answer"]) for a in submission.values()}
            lost = set().union(*(_losses(a, assignment, shared) for a in submission.values()))
            if cell not in taken and not losses & lost:
                submission[name] = answer
                break
        else:
            submissions.append({name: answer})
    return submissions


def with_fillers(submission: dict[str, dict], assignment: str) -> dict[str, dict]:
    """A wrong-answer submission plus the corpus's fillers for the answer cells it leaves
    empty, none of whose losses would hide one the submission must show."""
    taken = {(_notebook_of(a, assignment), a["answer"]) for a in submission.values()}
    shown = {(_notebook_of(a, assignment), gid) for a in submission.values() for gid in a["loses"]}
    added = {
        name: filler
        for name, filler in fillers(assignment).items()
        if (_notebook_of(filler, assignment), filler["answer"]) not in taken
        and not _losses(filler, assignment, set()) & shown
    }
    return {**submission, **added}


def students(assignment: str) -> dict[str, dict[str, dict]]:
    """The simulated students besides perfect and untouched, each with what they hand in."""
    found = {}
    for prefix, answers in (("wrong", wrong_answers), ("unusual", unusual_answers)):
        for number, submission in enumerate(packed(answers(assignment), assignment), start=1):
            if prefix == "wrong":
                submission = with_fillers(submission, assignment)
            found[f"{prefix}-{number}"] = submission
    return found


def student_of(assignment: str, name: str) -> tuple[str, dict[str, dict]]:
    """The simulated student who handed in the named answer, and everything they handed in."""
    for student, submission in students(assignment).items():
        if name in submission and name not in fillers(assignment):
            return student, submission
    raise KeyError(name)


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
CHINESE_PARAMS = [
    on_grading_worker(a, assignment=a, test_id=a)
    for a in ASSIGNMENTS
    if a in exercise_translations.translated_exercises()
]
UNUSUAL_PARAMS = [
    on_grading_worker(a, name, assignment=a, test_id=f"{a}-{name}")
    for a in ASSIGNMENTS
    for name in unusual_answers(a)
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
    if assignment in exercise_translations.translated_exercises():
        # The Chinese-instruction release (tools/exercise_translations.py), made beside this
        # release as `python3 dev.py release` makes it, handed in with the solution's answers.
        exercise_translations.release(course.root / "exercises")
        chinese_dir = release_dir / exercise_translations.RELEASE_FOLDER
        chinese = {
            name: filled_in(
                nbformat.read(chinese_dir / name, as_version=4), solution_answers(sources[name])
            )
            for name in sources
        }
        course.submit("chinese", assignment, chinese)
    for student, answer_set in students(assignment).items():
        submission = dict(perfect)
        for answer in answer_set.values():
            name = f"{_notebook_of(answer, assignment)}.ipynb"
            submission[name] = filled_in(submission[name], {answer["answer"]: answer["source"]})
        course.submit(student, assignment, submission)
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


def locked_text_cells(nb) -> dict:
    """The instruction cells (locked markdown) by grade id."""
    return {
        nbgrader_meta(cell)["grade_id"]: cell
        for cell in nb.cells
        if cell.cell_type == "markdown" and nbgrader_meta(cell).get("locked")
    }


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


@pytest.mark.parametrize("assignment", CHINESE_PARAMS)
def test_chinese_release_with_the_solution_gets_full_marks(graded_course, assignment):
    """Same assignment name, notebook name and grade ids: graded as the English release is."""
    scores = all_scores(graded_course, assignment, "chinese")
    assert scores == all_scores(graded_course, assignment, "perfect"), scores
    lost = {cell: s for cell, s in scores.items() if s.score != s.max_score}
    assert not lost, f"the solution in the Chinese release lost points in {lost}"
    # Its instructions are the release's other edition, not edited cells: the graded
    # notebook (and so the feedback) keeps the Chinese text the student read.
    for path in source_notebooks(assignment):
        graded = nbformat.read(
            graded_course.root / "autograded" / "chinese" / assignment / path.name, as_version=4
        )
        release = EXERCISES / assignment / exercise_translations.RELEASE_FOLDER / path.name
        chinese = {
            gid: cell.source
            for gid, cell in locked_text_cells(nbformat.read(release, as_version=4)).items()
        }
        kept = {gid: cell.source for gid, cell in locked_text_cells(graded).items()}
        assert kept == chinese, f"{path.name}: the graded notebook lost its Chinese instructions"


@pytest.mark.parametrize("assignment", ASSIGNMENT_PARAMS)
def test_untouched_release_scores_zero(graded_course, assignment):
    scores = all_scores(graded_course, assignment, "untouched")
    earned = {cell: s.score for cell, s in scores.items() if s.score}
    assert not earned, f"an untouched release earned points in {earned}"


@pytest.mark.parametrize(("assignment", "wrong_name"), WRONG_PARAMS)
def test_wrong_answer_loses_exactly_its_points(graded_course, assignment, wrong_name):
    wrong = wrong_answers(assignment)[wrong_name]
    student, handed_in = student_of(assignment, wrong_name)
    notebook = _notebook_of(wrong, assignment)
    expected_losses = {
        (_notebook_of(answer, assignment), gid)
        for answer in handed_in.values()
        for gid in answer["loses"] + answer.get("may_lose", [])
    }
    scores = all_scores(graded_course, assignment, student)
    reasons = graded_course.reasons(assignment, student, notebook)
    for gid in wrong["loses"]:
        score = scores[(notebook, gid)]
        assert score.score < score.max_score, f"{gid} gave full marks to '{wrong_name}'"
        # The feedback names the mistake (a phrase of the judge's message for it).
        if "says" in wrong:
            assert wrong["says"] in reasons.get(gid, ""), (
                f"{gid}: for '{wrong_name}' the reason should say {wrong['says']!r}, "
                f"it says {reasons.get(gid)!r}"
            )
    for cell, score in scores.items():
        if cell not in expected_losses:
            assert score.score == score.max_score, (
                f"{cell[1]} lost points in {student}, who handed in {sorted(handed_in)}"
            )


@pytest.mark.parametrize(("assignment", "unusual_name"), UNUSUAL_PARAMS)
def test_unusual_correct_answer_keeps_its_points(graded_course, assignment, unusual_name):
    student, handed_in = student_of(assignment, unusual_name)
    scores = all_scores(graded_course, assignment, student)
    lost = {cell: s.score for cell, s in scores.items() if s.score != s.max_score}
    assert not lost, f"{student}, who handed in {sorted(handed_in)}, lost points in {lost}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_graded_test_catches_two_wrong_answers(assignment):
    caught: dict[tuple[str, str], int] = {}
    for wrong in wrong_answers(assignment).values():
        for gid in wrong["loses"]:
            key = (_notebook_of(wrong, assignment), gid)
            caught[key] = caught.get(key, 0) + 1
    for path in source_notebooks(assignment):
        graded = graded_test_ids(nbformat.read(path, as_version=4))
        uncaught = [gid for gid in graded if caught.get((path.stem, gid), 0) < 2]
        assert not uncaught, (
            f"{path.name}: tests/assignments/wrong_answers/{assignment}.py needs at least two wrong "
            f"answers that fail each of {uncaught}"
        )


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_answer_cell_has_an_unusual_correct_answer(assignment):
    covered = {
        (_notebook_of(answer, assignment), answer["answer"])
        for answer in unusual_answers(assignment).values()
    }
    for path in source_notebooks(assignment):
        answers = answer_cells(nbformat.read(path, as_version=4))
        missing = [gid for gid in answers if (path.stem, gid) not in covered]
        assert not missing, (
            f"{path.name}: UNUSUAL_ANSWERS in tests/assignments/wrong_answers/{assignment}.py has no "
            f"correct-but-unusual answer for {missing}"
        )


@pytest.mark.parametrize("assignment", ASSIGNMENT_PARAMS)
def test_exercises_are_exactly_what_nbgrader_generates(graded_course, assignment):
    generated = graded_course.root / "exercises" / assignment
    committed = EXERCISES / assignment
    hint = "regenerate with `python3 dev.py release` and commit exercises/"
    assert committed.is_dir(), f"exercises/{assignment} is missing: {hint}"
    chinese = exercise_translations.RELEASE_FOLDER
    translated = assignment in exercise_translations.translated_exercises()
    # The Chinese release is not nbgrader's: it is checked against what the release makes.
    ignored = [*filecmp.DEFAULT_IGNORES, chinese] if translated else None
    comparison = filecmp.dircmp(generated, committed, ignore=ignored)
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
    if translated:
        messages = exercise_translations.translations_of(assignment)
        for path in generated.glob("*.ipynb"):
            made = exercise_translations.chinese_release(
                nbformat.read(path, as_version=4), messages
            )
            release = committed / chinese / path.name
            assert release.is_file(), f"no Chinese release {release.name}: {hint}"
            same = json.loads(nbformat.writes(made)) == json.loads(release.read_text())
            assert same, f"exercises/{assignment}/{chinese}/{path.name} has drifted: {hint}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_holds_no_solution_or_hidden_test(assignment):
    for path in source_notebooks(assignment):
        secrets = secret_lines(nbformat.read(path, as_version=4))
        assert secrets, f"{path.name} has no solution or hidden test lines to protect"
        released = (EXERCISES / assignment / path.name).read_text()
        leaked = sorted(line for line in secrets if json.dumps(line)[1:-1] in released)
        assert not leaked, f"exercises/{assignment}/{path.name} contains {leaked[:3]}"
