"""The Exercises page lists every released assignment, and only student notebooks.

A released assignment is `exercises/<id>/<id>.ipynb` (nbgrader's release). The
page book/exercises.md is written by hand, so that each entry can say in one
line what it grades; this test makes sure no release is forgotten there.
"""

from __future__ import annotations

import re

from tests.support.grading import EXERCISES, REPO_ROOT
from tools import exercise_translations

PAGE = REPO_ROOT / "book" / "exercises.md"
DOWNLOAD_ROLE = re.compile(r"\{download\}`[^`<]*<([^>`]+)>`")
TABLE_ROW = re.compile(r"^\|(.+)\|\s*$", re.M)


def released_assignments() -> list[str]:
    return sorted(
        folder.name
        for folder in EXERCISES.iterdir()
        if folder.is_dir() and (folder / f"{folder.name}.ipynb").is_file()
    )


def downloads_on_page() -> list[str]:
    return DOWNLOAD_ROLE.findall(PAGE.read_text())


def test_every_released_assignment_is_listed():
    linked = set(downloads_on_page())
    missing = [
        f"| {{download}}`{assignment}.ipynb <{target}>` | {{ref}}`<chapter label>` "
        f"| <one line: what it grades> |"
        for assignment in released_assignments()
        if (target := f"../exercises/{assignment}/{assignment}.ipynb") not in linked
    ]
    assert not missing, (
        "released assignments missing from book/exercises.md; add a row to its table "
        "for each:\n" + "\n".join(missing)
    )


def test_page_offers_only_released_student_notebooks():
    downloads = downloads_on_page()
    assert downloads, "book/exercises.md offers no notebook to download"
    chinese = exercise_translations.translated_exercises()
    for target in downloads:
        # A Chinese-instruction release (exercises/<id>/zh/<id>.ipynb) where there is one.
        match = re.fullmatch(r"\.\./exercises/(\w+)/(zh/)?\1\.ipynb", target)
        assert match and (not match.group(2) or match.group(1) in chinese), (
            f"book/exercises.md links {target}: link only the released student notebooks "
            "exercises/<id>/<id>.ipynb (or exercises/<id>/zh/<id>.ipynb for an exercise "
            "with a Chinese release), never solutions/ (solutions and hidden tests)"
        )
        assert (PAGE.parent / target).resolve().is_file(), f"{target} does not exist"
    assert "solutions/" not in "".join(downloads)


def test_each_chinese_release_is_linked():
    linked = set(downloads_on_page())
    for assignment in exercise_translations.translated_exercises():
        target = f"../exercises/{assignment}/zh/{assignment}.ipynb"
        assert target in linked, f"book/exercises.md does not link {target}"


def test_each_entry_says_what_it_grades():
    rows = [row for row in TABLE_ROW.findall(PAGE.read_text()) if "{download}" in row]
    assert rows, "no table rows with downloads in book/exercises.md"
    for row in rows:
        cells = [cell.strip() for cell in row.split("|")]
        assert len(cells) == 3 and all(cells), (
            f"each row needs three cells (download | chapter | what it grades): {row.strip()}"
        )
        assert len(cells[2].split()) >= 5, f"say in a line what it grades: {cells[2]!r}"
