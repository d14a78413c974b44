"""dev.py's set-up: uv installs the requirements, pip takes over where uv cannot.

No real installation here (the suite itself runs in the environment dev.py
made): the commands are recorded instead of run.
"""

from __future__ import annotations

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
