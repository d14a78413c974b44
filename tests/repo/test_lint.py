"""The code base stays lint-clean and formatted (ruff settings in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]], ids=["lint", "format"])
def test_ruff(repo_root, command):
    result = subprocess.run(
        [sys.executable, "-m", "ruff", *command, "."], cwd=repo_root, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
