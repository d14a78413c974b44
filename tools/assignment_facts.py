"""Facts about each assignment read from its notebook: points, expected time, stated points.

The Exercises page (book/exercises.md) glues each assignment's points and
expected minutes from here, so the page cannot drift from the notebooks; and
tests/assignments/test_assignment_points.py checks that the points a notebook's text
states (its "How it is graded" paragraph and each `## ... (N points)`
heading) equal the nbgrader metadata of its test cells.

Expected time is the notebook's own metadata,
``metadata["upsampling_course"]["expected_minutes"]``, set by whoever writes
the assignment.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = REPO_ROOT / "solutions"

_TOTAL = re.compile(r"\*\*How it is graded\.\*\*[^.]*?(\d+)\s+points", re.S)
_HEADING = re.compile(r"^##\s+(.*?)\((\d+)\s+points?\)\s*$", re.M)


@dataclass(frozen=True)
class Section:
    heading: str
    stated: int  # points its heading states
    graded: float  # points of the graded test cells up to the next heading


@dataclass(frozen=True)
class AssignmentFacts:
    name: str
    points: float  # sum of the graded cells' nbgrader points
    minutes: int | None  # expected working time, from the notebook's metadata
    stated_total: int | None  # the total its "How it is graded" paragraph states
    sections: tuple[Section, ...]


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def read_facts(path: Path) -> AssignmentFacts:
    """The facts of one source (or released) notebook."""
    nb = json.loads(Path(path).read_text())
    points, sections, current = 0.0, [], None
    stated_total = None
    for cell in nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        text = _source(cell)
        if cell["cell_type"] == "markdown":
            total = _TOTAL.search(text)
            if total and stated_total is None:
                stated_total = int(total.group(1))
            heading = _HEADING.search(text)
            if heading:
                current = [heading.group(1).strip(), int(heading.group(2)), 0.0]
                sections.append(current)
        if meta.get("grade") and cell["cell_type"] == "code":
            points += float(meta.get("points", 0))
            if current is not None:
                current[2] += float(meta.get("points", 0))
    minutes = nb.get("metadata", {}).get("upsampling_course", {}).get("expected_minutes")
    return AssignmentFacts(
        Path(path).stem,
        points,
        minutes,
        stated_total,
        tuple(Section(*section) for section in sections),
    )


def assignment_facts(name: str) -> AssignmentFacts:
    """The facts of `solutions/<name>/<name>.ipynb`."""
    return read_facts(SOLUTIONS / name / f"{name}.ipynb")


def all_assignments() -> list[str]:
    return sorted(p.name for p in SOLUTIONS.iterdir() if (p / f"{p.name}.ipynb").is_file())


def glue_all(glue) -> dict[str, float]:
    """Glue `<name>_points` and `<name>_minutes` of every assignment (the Exercises page)."""
    glued = {}
    for name in all_assignments():
        facts = assignment_facts(name)
        glued[f"{name}_points"] = facts.points
        if facts.minutes is not None:
            glued[f"{name}_minutes"] = facts.minutes
    for key, value in glued.items():
        glue(key, value, display=False)
    return glued
