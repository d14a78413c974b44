#!/usr/bin/env python3
"""One entry point for the course's developer tasks, with its own set-up.

    python3 dev.py book          build the book into _build/html (executes every chapter)
    python3 dev.py test          run the whole test suite (what CI runs)
    python3 dev.py test --fast   only the tests not marked slow (under 2 minutes)
    python3 dev.py release       regenerate exercises/ from solutions/ with nbgrader
    python3 dev.py translations  update the Chinese catalogs (locale/zh_CN) after an English change
    python3 dev.py install       only create/update .venv (what the others do first)

Runs of dev.py that share an environment take turns: a second `dev.py book`,
`release` or installation waits for the first with a message saying so (a
lock file beside the environment folder, held with fcntl).

Each task first makes sure `.venv` exists and holds requirements.txt: it
creates the environment on a fresh machine and reinstalls only when
requirements.txt or a pyproject.toml changed. Needs only Python 3.11 or newer
(nbgrader 0.9.6 and Keras 3.15 need it). Set COURSE_VENV to use another
environment folder.

The commands here are the one definition of how the book is built and the
environment installed: tests (tests/conftest.py) and the workflows call them.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("COURSE_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"
STAMP = VENV / ".requirements.sha256"
# In the environment's parent, so that it exists before the environment does.
LOCK = VENV.parent / f"{VENV.name}.dev-py.lock"


def say(message: str) -> None:
    print(f"[dev.py] {message}", flush=True)


def call(*command: str | Path) -> int:
    """Run a command from the repository root with the environment's tools; its exit status."""
    say(" ".join(str(part) for part in command))
    # The environment's bin/ goes first on PATH: nbgrader shells out to
    # `alembic`, and notebooks must run with this environment's kernel.
    env = {**os.environ, "PATH": str(BIN) + os.pathsep + os.environ.get("PATH", "")}
    env.pop("PYTHONHOME", None)
    return subprocess.run([str(part) for part in command], cwd=ROOT, env=env).returncode


def run(*command: str | Path) -> None:
    """Run a command like `call`, and stop dev.py with its status if it fails."""
    status = call(*command)
    if status != 0:
        sys.exit(status)


# What the environment is installed from: requirements.txt names the two distributions.
INSTALLED_FROM = ("requirements.txt", "pyproject.toml", "grader/pyproject.toml")


def requirements_fingerprint() -> str:
    digest = hashlib.sha256()
    for name in INSTALLED_FROM:
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def ensure_environment() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - users may run an older python3
        sys.exit(
            f"dev.py needs Python 3.11 or newer (nbgrader 0.9.6 and Keras 3.15 do); "
            f"this is {sys.version.split()[0]}"
        )
    if not PYTHON.exists():
        say(f"creating the virtual environment {VENV}")
        run(sys.executable, "-m", "venv", VENV)
    fingerprint = requirements_fingerprint()
    if STAMP.exists() and STAMP.read_text().strip() == fingerprint:
        return
    say("installing requirements.txt (a minute the first time)")
    if any(call(*command) != 0 for command in install_commands(PYTHON)):
        say("uv could not install the requirements; installing them with pip instead")
        for command in pip_install_commands(PYTHON):
            run(*command)
    STAMP.write_text(fingerprint + "\n")


# uv resolves requirements.txt to the same versions as pip (pip freeze of the
# two environments was identical), but downloads in parallel and links wheels
# from its cache: 12 s instead of pip's 75 s on two cores with warm caches.
# pip remains the fallback where uv cannot run.
INSTALLER = "uv>=0.13.9,<0.14"


def install_commands(python: str | Path) -> list[list[str]]:
    """The commands that fill a fresh environment with everything the course needs."""
    python = str(python)
    pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    uv = [python, "-m", "uv", "pip", "install", "--quiet", "--python", python]
    # Bytecode compiled now, in parallel: where Python may not write it itself
    # (PYTHONDONTWRITEBYTECODE, set on this project's machines) every process
    # compiled TensorFlow again, and its import took 10 s instead of 4.5 s.
    return [[*pip, INSTALLER], [*uv, "--compile-bytecode", "-r", "requirements.txt"]]


def pip_install_commands(python: str | Path) -> list[list[str]]:
    """The same installation with pip alone (slower; for platforms uv does not support)."""
    pip = [str(python), "-m", "pip", "install", "--quiet"]
    return [[*pip, "--upgrade", "pip"], [*pip, "-r", "requirements.txt"]]


def book_build_command(bin_dir: str | Path = BIN) -> list[str]:
    """The strict book build: warnings are errors, nitpicky references, report them all."""
    return [str(Path(bin_dir) / "jupyter-book"), "build", ".", "-W", "-n", "--keep-going"]


def chinese_build_command(bin_dir: str | Path = BIN) -> list[str]:
    """The Chinese edition (tools/translations.py), as strict, from the English build's outputs."""
    return [str(Path(bin_dir) / "python"), "-m", "tools.translations", "build"]


def book_build_commands(bin_dir: str | Path = BIN) -> list[list[str]]:
    """Both editions, English first: the Chinese one reuses its executed notebooks."""
    return [book_build_command(bin_dir), chinese_build_command(bin_dir)]


def build_book() -> None:
    for command in book_build_commands():
        run(*command)
    say(f"the book is in {ROOT / '_build' / 'html'}; open _build/html/index.html (中文: zh/)")


def update_translations() -> None:
    """Re-extract the English messages into locale/zh_CN/*.po, and cut the font again."""
    run(PYTHON, "-m", "tools.translations", "update")
    run(PYTHON, "-m", "tools.translations", "font")


# `test --fast`: the tests not marked slow (pyproject.toml registers the marker).
FAST = ["-m", "not slow"]


def pytest_arguments(extra: list[str]) -> list[str]:
    """pytest's arguments for `dev.py test ...`: --fast becomes the fast lane's marker filter."""
    return [word for arg in extra for word in (FAST if arg == "--fast" else [arg])]


def run_tests(extra: list[str]) -> None:
    run(PYTHON, "-m", "pytest", *pytest_arguments(extra))


def release() -> None:
    assignments = sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir())
    for assignment in assignments:
        run(BIN / "nbgrader", "generate_assignment", assignment, "--force")
    # The Chinese-instruction releases, from the English ones (tools/exercise_translations.py).
    run(PYTHON, "-m", "tools.exercise_translations", "release")
    # generate_assignment records assignments in a gradebook; this one is scratch.
    (ROOT / "gradebook.db").unlink(missing_ok=True)


def install() -> None:
    """Nothing beyond the set-up every task does first (for workflows that only install)."""


TASKS = {
    "book": build_book,
    "test": run_tests,
    "release": release,
    "install": install,
    "translations": update_translations,
}
# Tasks that write the checkout (_build/, exercises/, locale/) hold the lock all through;
# `test` holds it only while the environment is checked (test runs may overlap).
EXCLUSIVE = {"book", "release", "install", "translations"}


@contextlib.contextmanager
def exclusive(task: str):
    """Hold the lock of this environment (LOCK), waiting with a message while another
    dev.py holds it. Where fcntl does not exist (Windows), runs are not serialised."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    LOCK.parent.mkdir(parents=True, exist_ok=True)
    with open(LOCK, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another dev.py"
            say(f"waiting for {holder} to finish (it holds {LOCK}); `{task}` starts after it")
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        handle.write(f"dev.py {task} (pid {os.getpid()})")
        handle.flush()
        try:
            yield
        finally:
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)


def main(argv: list[str]) -> None:
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(__doc__)
        sys.exit(0 if argv else 2)
    task, extra = argv[0], argv[1:]
    if task not in TASKS:
        print(f"dev.py: unknown task {task!r}; the tasks are: {', '.join(TASKS)}", file=sys.stderr)
        sys.exit(2)
    with exclusive(task):
        ensure_environment()
        if task in EXCLUSIVE:
            TASKS[task]()
    if task == "test":
        run_tests(extra)


if __name__ == "__main__":
    main(sys.argv[1:])
