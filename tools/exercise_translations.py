"""The Chinese-instruction release of a graded exercise: its text translated, its grading unchanged.

    python -m tools.exercise_translations update    messages of solutions/<a> into the catalogs
    python -m tools.exercise_translations release   write exercises/<a>/zh/<a>.ipynb

The exercises declared in locale/zh_CN/translated_pages.yml (`exercises:`)
have a catalog, locale/zh_CN/LC_MESSAGES/exercises/<a>.po, whose messages
are the paragraphs of the source notebook's markdown cells (the same checks
as the book's catalogs hold it: up to date, complete, markup and terms kept,
tools/translation_checks.py). `python3 dev.py release` writes, beside
nbgrader's English release, exercises/<a>/zh/<a>.ipynb: that release with
its markdown paragraphs translated and nothing else changed. Code cells,
their nbgrader metadata (grade ids, checksums, points) and the notebook's
name are the English release's, so a student hands it in as <a>.ipynb under
the same assignment and `upsampling-grader grade <a>` grades it the same
way (tests/assignments/test_assignments.py grades it to full marks). In a
folder of its own: nbgrader takes every notebook at the top of a release
folder for one of the assignment's, and a second name would be none of them.
Written answers (nbgrader solution cells) are the student's and stay as they are.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat
import yaml

from tools import translations

SOLUTIONS = translations.ROOT / "solutions"
EXERCISES = translations.ROOT / "exercises"
FOLDER = "exercises"  # the catalogs' folder, beside book/
RELEASE_FOLDER = "zh"
FENCE = re.compile(r"^\s*(```|~~~)")


def translated_exercises() -> list[str]:
    """Assignments whose Chinese release is made (their catalog must be complete)."""
    listed = yaml.safe_load(translations.TRANSLATED_PAGES.read_text())
    return list(listed.get("exercises") or [])


def catalog_path(assignment: str, folder: Path = translations.CATALOGS) -> Path:
    return folder / FOLDER / f"{assignment}.po"


def notebooks(assignment: str, root: Path = SOLUTIONS) -> list[Path]:
    return sorted((root / assignment).glob("*.ipynb"))


def is_instruction(cell) -> bool:
    """A markdown cell the course wrote (not a written answer, which is the student's)."""
    return cell.cell_type == "markdown" and not cell.metadata.get("nbgrader", {}).get("solution")


def paragraphs(markdown: str) -> list[str]:
    """Blocks apart by blank lines, as the messages are; a fenced code block stays whole."""
    found, current, fenced = [], [], False
    for line in markdown.splitlines():
        if FENCE.match(line):
            fenced = not fenced
        if not line.strip() and not fenced:
            if current:
                found.append("\n".join(current))
            current = []
        else:
            current.append(line)
    if current:
        found.append("\n".join(current))
    return found


def messages(assignment: str) -> list[str]:
    """The paragraphs of the source notebooks' instruction cells, in order, each once."""
    found: dict[str, None] = {}
    for path in notebooks(assignment):
        for cell in nbformat.read(path, as_version=4).cells:
            if is_instruction(cell):
                found.update(dict.fromkeys(paragraphs(cell.source)))
    return list(found)


def template(assignment: str):
    from babel.messages.catalog import Catalog

    catalog = Catalog(project=f"{assignment} (exercise)", fuzzy=False)
    for message in messages(assignment):
        catalog.add(message, locations=[(f"solutions/{assignment}", 0)])
    return catalog


def write_templates(folder: Path) -> None:
    """Each declared exercise's messages as folder/exercises/<a>.pot (for the stale check)."""
    from babel.messages.pofile import write_po

    for assignment in translated_exercises():
        path = folder / FOLDER / f"{assignment}.pot"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(handle, template(assignment), width=76, omit_header=False)


def update() -> None:
    """Merge the messages into the catalogs (changed messages become fuzzy, as sphinx-intl does)."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po, write_po

    for assignment in translated_exercises():
        path = catalog_path(assignment)
        if path.is_file():
            with path.open("rb") as handle:
                catalog = read_po(handle)
        else:
            catalog = Catalog(locale=translations.LANGUAGE, project=f"{assignment} (exercise)")
        catalog.update(template(assignment), no_fuzzy_matching=False)
        catalog.obsolete.clear()
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(handle, catalog, width=76)


def translations_of(assignment: str) -> dict[str, str]:
    from babel.messages.pofile import read_po

    with catalog_path(assignment).open("rb") as handle:
        catalog = read_po(handle)
    return {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}


def chinese_release(english, translated: dict[str, str]):
    """A released notebook with its instruction paragraphs translated; all else is the same."""
    import copy

    notebook = copy.deepcopy(english)
    for cell in notebook.cells:
        if is_instruction(cell):
            blocks = paragraphs(cell.source)
            cell.source = "\n\n".join(translated.get(block, block) for block in blocks)
    return notebook


def release(exercises: Path = EXERCISES) -> list[Path]:
    """Write exercises/<a>/zh/<nb>.ipynb from nbgrader's English release, for each declared exercise."""
    written = []
    for assignment in translated_exercises():
        translated = translations_of(assignment)
        for path in notebooks(assignment, exercises):
            target = path.parent / RELEASE_FOLDER / path.name
            target.parent.mkdir(exist_ok=True)
            english = nbformat.read(path, as_version=4)
            nbformat.write(chinese_release(english, translated), target)
            written.append(target)
    return written


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("task", choices=["update", "release"])
    args = parser.parse_args(argv)
    if args.task == "update":
        update()
    else:
        for path in release():
            print(f"[exercise_translations] wrote {path.relative_to(translations.ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
