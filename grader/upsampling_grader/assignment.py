"""The course and its assignment as nbgrader recorded them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from upsampling_grader.notebooks import (
    grade_id,
    hidden_test_lines,
    is_answer_cell,
    last_before,
    nbgrader_meta,
    next_in_order,
)

CONFIG_FILE = "nbgrader_config.py"


class GradingError(Exception):
    """A problem with the course or the command line, not with a student."""


def load_course_config(course: Path):
    """The course's nbgrader_config.py as a traitlets Config."""
    from traitlets.config.loader import PyFileConfigLoader

    if not (course / CONFIG_FILE).exists():
        raise GradingError(f"{course} has no {CONFIG_FILE}: run the command in the course folder")
    return PyFileConfigLoader(CONFIG_FILE, path=str(course)).load_config()


@dataclass
class NotebookSpec:
    """One notebook of the released assignment: its cells as nbgrader recorded them."""

    name: str
    release: object  # the released notebook (nbformat node)
    points: dict[str, float]  # graded test cell -> points, in notebook order
    answers: list[str]  # answer cell grade ids, in notebook order
    sources: dict[str, str]  # grade id -> source recorded at release (with hidden tests)
    order: list[str]  # every nbgrader cell's grade id, in notebook order

    @classmethod
    def from_notebooks(cls, name: str, release, source) -> NotebookSpec:
        """The same description read from the release and the source notebook directly."""
        points, sources = {}, {}
        for cell in source.cells:
            meta = nbgrader_meta(cell)
            if meta.get("grade_id"):
                sources[meta["grade_id"]] = cell.source
                if meta.get("grade"):
                    points[meta["grade_id"]] = float(meta["points"])
        # nbgrader records an answer cell as released, without its solution.
        for cell in release.cells:
            if is_answer_cell(cell):
                sources[grade_id(cell)] = cell.source
        return cls.from_release(name, release, points, sources)

    @classmethod
    def from_release(cls, name: str, release, points: dict, sources: dict) -> NotebookSpec:
        order = [grade_id(c) for c in release.cells if nbgrader_meta(c)]
        answers = [grade_id(c) for c in release.cells if is_answer_cell(c)]
        answers = [gid for gid in answers if gid in sources]
        in_order = {gid: points[gid] for gid in order if gid in points}
        return cls(name, release, in_order, answers, sources, order)

    def test_for_answer(self, answer: str) -> str | None:
        """The first graded test cell after an answer cell."""
        return next_in_order(self.order, answer, self.points)

    def answer_for_test(self, test: str) -> str | None:
        """The last answer cell before a graded test cell."""
        return last_before(self.order, test, self.answers)


@dataclass
class Assignment:
    name: str
    notebooks: dict[str, NotebookSpec]
    duedate: datetime.datetime | None
    hidden_lines: set[str]
    # Notebook -> grade id -> checksums of its locked cells in the release's other editions
    # (a folder per language beside the release, such as exercises/<assignment>/zh/).
    editions: dict[str, dict[str, list[str]]] = field(default_factory=dict)


def load_assignment(course: Path, config, assignment: str, db_url: str) -> Assignment:
    """The assignment from the gradebook (points, sources) and the release folder."""
    from nbgrader.api import Gradebook, MissingEntry

    release_dir = course / config.CourseDirectory.get("release_directory", "release") / assignment
    notebooks = {}
    all_sources = []
    with Gradebook(db_url) as gradebook:
        try:
            recorded = gradebook.find_assignment(assignment)
        except MissingEntry:
            raise GradingError(
                f"the gradebook has no assignment '{assignment}': release it first with "
                f"`nbgrader generate_assignment {assignment}`"
            ) from None
        duedate = recorded.duedate
        for notebook in recorded.notebooks:
            path = release_dir / f"{notebook.name}.ipynb"
            if not path.exists():
                raise GradingError(f"the released notebook {path} is missing")
            release = nbformat.read(path, as_version=4)
            sources = {cell.name: cell.source for cell in notebook.source_cells}
            all_sources += list(sources.values())
            points = {cell.name: float(cell.max_score) for cell in notebook.grade_cells}
            notebooks[notebook.name] = NotebookSpec.from_release(
                notebook.name, release, points, sources
            )
    return Assignment(
        assignment,
        notebooks,
        duedate,
        hidden_test_lines(all_sources),
        edition_checksums(release_dir, notebooks),
    )


def edition_checksums(release_dir: Path, notebooks) -> dict[str, dict[str, list[str]]]:
    """The checksums (nbgrader's) of the locked cells of every other edition of the release:
    a student who opened the Chinese release hands in its text, not an edited cell."""
    from nbgrader.utils import compute_checksum

    found: dict[str, dict[str, list[str]]] = {}
    for name in notebooks:
        for path in sorted(release_dir.glob(f"*/{name}.ipynb")):
            for cell in nbformat.read(path, as_version=4).cells:
                if nbgrader_meta(cell).get("locked") and grade_id(cell):
                    cells = found.setdefault(name, {})
                    cells.setdefault(grade_id(cell), []).append(compute_checksum(cell))
    return found
