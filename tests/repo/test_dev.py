"""dev.py's set-up: uv installs the requirements, pip takes over where uv cannot.

No real installation here (the suite itself runs in the environment dev.py
made): the commands are recorded instead of run.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import dev


@pytest.fixture
def recorded(tmp_path, monkeypatch):
    """A fresh environment folder whose python exists, and the commands dev.py would run there."""
    python = tmp_path / "venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.touch()
    monkeypatch.setattr(dev, "PYTHON", python)
    monkeypatch.setattr(dev, "STAMP", tmp_path / "venv" / ".requirements.sha256")
    commands: list[list[str]] = []
    failing: set[str] = set()

    def call(*command):
        commands.append([str(part) for part in command])
        return 1 if failing & set(commands[-1]) else 0

    monkeypatch.setattr(dev, "call", call)
    return {"commands": commands, "failing": failing, "python": str(python)}


def test_uv_installs_the_requirements_with_compiled_bytecode(recorded):
    dev.ensure_environment()
    first, second = recorded["commands"]
    assert first[-1] == dev.INSTALLER and first[1:4] == ["-m", "pip", "install"]
    assert second[:4] == [recorded["python"], "-m", "uv", "pip"]
    assert second[-2:] == ["-r", "requirements.txt"] and "--compile-bytecode" in second
    assert dev.STAMP.read_text().strip() == dev.requirements_fingerprint()


def test_a_failed_uv_install_falls_back_to_pip(recorded):
    recorded["failing"].add("uv")
    dev.ensure_environment()
    python = recorded["python"]
    expected = dev.install_commands(python) + dev.pip_install_commands(python)
    assert recorded["commands"] == expected
    assert dev.STAMP.exists()


def test_an_unchanged_environment_installs_nothing(recorded):
    dev.STAMP.write_text(dev.requirements_fingerprint() + "\n")
    dev.ensure_environment()
    assert recorded["commands"] == []


def test_a_failed_pip_install_stops_with_its_status_and_no_stamp(recorded):
    recorded["failing"].update({"uv", "-r"})
    with pytest.raises(SystemExit) as stopped:
        dev.ensure_environment()
    assert stopped.value.code == 1
    assert not dev.STAMP.exists()


def test_fast_runs_only_the_tests_not_marked_slow():
    assert dev.pytest_arguments(["--fast", "-k", "gan"]) == ["-m", "not slow", "-k", "gan"]
    assert dev.pytest_arguments(["tests/unit"]) == ["tests/unit"]


def test_the_environment_is_reinstalled_when_either_distribution_changes():
    assert {"pyproject.toml", "grader/pyproject.toml", "requirements.txt"} <= set(
        dev.INSTALLED_FROM
    )
    requirements = (dev.ROOT / "requirements.txt").read_text().splitlines()
    assert "-e .[book,lab]" in requirements and "-e ./grader" in requirements


def test_an_unknown_task_is_named_in_one_line_with_the_tasks(repo_root):
    result = subprocess.run(
        [sys.executable, "dev.py", "biuld"], cwd=repo_root, capture_output=True, text=True
    )
    assert result.returncode == 2 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert "unknown task 'biuld'" in line
    assert all(task in line for task in dev.TASKS)


def _dev_process(repo_root, venv, code: str) -> subprocess.Popen:
    """A Python process that imports dev.py with its environment folder at ``venv``."""
    env = {**os.environ, "COURSE_VENV": str(venv), "PYTHONPATH": str(repo_root)}
    return subprocess.Popen(
        [sys.executable, "-c", code], cwd=repo_root, env=env, stdout=subprocess.PIPE, text=True
    )


def test_a_second_run_waits_for_the_first_and_says_so(repo_root, tmp_path):
    first = _dev_process(
        repo_root,
        tmp_path / "venv",
        "import dev, time\nwith dev.exclusive('book'):\n    print('in', flush=True)\n"
        "    time.sleep(2)\n    print(time.time(), flush=True)",
    )
    assert first.stdout.readline().strip() == "in"
    second = _dev_process(
        repo_root,
        tmp_path / "venv",
        "import dev, time\nwith dev.exclusive('book'):\n    print(time.time(), flush=True)",
    )
    second_out, _ = second.communicate(timeout=60)
    first_out, _ = first.communicate(timeout=60)
    waited, started = second_out.splitlines()
    assert "waiting for dev.py book" in waited and "`book` starts after it" in waited
    assert float(started) >= float(first_out.strip())


def test_a_second_installation_waits_and_then_finds_the_environment_made(repo_root, tmp_path):
    """Two first-time installs: the second waits for the lock, then has nothing to do."""
    venv = tmp_path / "venv"
    made = (
        "import dev, time\nwith dev.exclusive('install'):\n    print('in', flush=True)\n"
        "    dev.PYTHON.parent.mkdir(parents=True)\n    dev.PYTHON.touch()\n    time.sleep(2)\n"
        "    dev.STAMP.write_text(dev.requirements_fingerprint())\n"
    )
    first = _dev_process(repo_root, venv, made)
    assert first.stdout.readline().strip() == "in"
    second = _dev_process(repo_root, venv, "import dev\ndev.main(['install'])")
    output, _ = second.communicate(timeout=60)
    first.communicate(timeout=60)
    assert second.returncode == 0
    assert "waiting for dev.py install" in output and "installing" not in output
