"""Which folder of the checkout may import which: the house, split by who runs the code.

The student package runs in a chapter or a student's kernel, alone (a wheel on
Colab): it imports nothing else of the checkout. The grader may import the
student package; tools/ (run only in a checkout) may import both; nothing
imports tests/ except tests and, through tests/support, the benchmarks.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Importable names of the checkout: the two distributions, the tools, the tests, dev.py.
OURS = {"upsampling_course", "upsampling_grader", "tools", "tests", "dev"}
MAY_IMPORT = {
    "upsampling_course": {"upsampling_course"},
    "grader": {"upsampling_course", "upsampling_grader"},
    "tools": {"upsampling_course", "upsampling_grader", "tools"},
    "_ext": {"tools"},
    "benchmarks": {"upsampling_course", "upsampling_grader", "tests.support"},
    "tests": OURS,
}


def imported(path: Path) -> set[str]:
    """The modules a file imports by absolute name."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names.add(node.module)
    return names


def allowed(name: str, rules: set[str]) -> bool:
    return name.split(".")[0] not in OURS or any(
        name == rule or name.startswith(rule + ".") for rule in rules
    )


@pytest.mark.parametrize("folder", sorted(MAY_IMPORT))
def test_each_folder_imports_only_what_it_may(folder):
    wrong = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted((ROOT / folder).rglob("*.py"))
        for name in sorted(imported(path))
        if not allowed(name, MAY_IMPORT[folder])
    ]
    assert not wrong, "\n".join(wrong)


def test_the_rules_catch_a_crossing():
    assert not allowed("upsampling_grader.sandbox", MAY_IMPORT["upsampling_course"])
    assert not allowed("tests.unit.test_gan", MAY_IMPORT["benchmarks"])
    assert allowed("tests.support.grading", MAY_IMPORT["benchmarks"])
    assert allowed("numpy", set())


def test_pages_with_colab_copies_import_only_the_student_package():
    """A chapter runs from the wheel alone; the pages that read the checkout get no copy."""
    import jupytext

    from tools.book_toc import chapter_pages, executed_pages

    for page in executed_pages():
        notebook = jupytext.read(ROOT / f"{page}.md")
        code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
        tree = ast.parse("\n".join(line for line in code.splitlines() if line[:1] not in "%!"))
        names = {
            node.module if isinstance(node, ast.ImportFrom) else alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in node.names
        }
        rules = MAY_IMPORT["upsampling_course"] if page in chapter_pages() else OURS
        wrong = [name for name in sorted(names - {None}) if not allowed(name, rules)]
        assert not wrong, f"{page} imports {wrong}, which a Colab copy would not have"
