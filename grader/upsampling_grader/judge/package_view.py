"""The course package as a graded kernel sees it: only the modules its assignment allows.

The judge computes expected values with the course's reference functions
(``upsampling_course.shapes``, ``numpy_layers``, the lab's own training step):
a kernel that could import them could hand the judge the judge's own answers.
So the sandbox does not show the installed package; it shows a copy that
holds only the modules the assignment's task module lists in
``KERNEL_MODULES`` (plus what every notebook needs to talk to the judge), and
a front door (``__init__``) that re-exports only the package's Keras helpers.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

import upsampling_course

# Every graded kernel needs these: the quiet Keras import, the channel to the judge,
# the student's variant.
ALWAYS = ("keras_setup", "answers", "variants", "selfcheck")
FRONT_DOOR = '''"""The course package as a graded kernel sees it (upsampling_grader.judge.package_view)."""

from upsampling_course.keras_setup import import_keras_quietly, silenced_stderr_fd

__all__ = ["import_keras_quietly", "silenced_stderr_fd"]
__version__ = {version!r}
'''


def package_folder() -> Path:
    return Path(upsampling_course.__file__).resolve().parent


def build(folder: Path, modules: Iterable[str]) -> Path:
    """Make the view in ``folder``/upsampling_course and return that path.

    ``modules`` names modules (``"quality"``), subpackages (``"gan"``) or a
    subpackage's module (``"gan/networks"``), relative to the package; a name
    starting with ``!`` leaves that module out of a subpackage allowed whole.
    """
    source = package_folder()
    view = Path(folder) / "upsampling_course"
    if view.exists():
        shutil.rmtree(view)
    view.mkdir(parents=True)
    names = [*ALWAYS, *modules]
    left_out = {n[1:] for n in names if n.startswith("!")}
    for name in (n for n in names if not n.startswith("!")):
        path = source / name
        if path.is_dir():
            shutil.copytree(
                path, view / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
            )
        else:
            (view / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path.with_suffix(".py"), (view / name).with_suffix(".py"))
            for data in source.glob(f"{name}.*"):  # package data beside a module
                if data.suffix not in (".py", ".pyc"):
                    shutil.copy2(data, view / data.name)
    for name in left_out:
        (view / name).with_suffix(".py").unlink(missing_ok=True)
    (view / "__init__.py").write_text(FRONT_DOOR.format(version=upsampling_course.__version__))
    for path in [view, *view.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o444)
    return view
