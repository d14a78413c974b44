"""Debian's bubblewrap for the tests that grade: installed with apt-get when missing.

The grading command refuses to grade without a sandbox (issue #14), so every
test that runs it needs `bwrap`. As for Chromium (tests/support/browser.py),
a root machine with apt-get gets it installed; elsewhere the test is skipped
with the reason the command itself would give.
"""

from __future__ import annotations

import pytest

from tests.support.browser import apt_install
from upsampling_grader import sandbox


def bubblewrap_or_skip() -> str:
    """The path of a working bwrap, installing Debian's package first if need be."""
    if sandbox.bwrap_executable() is None and apt_install("bubblewrap"):
        sandbox.sandbox_problem.cache_clear()
    problem = sandbox.sandbox_problem()
    if problem is not None:
        pytest.skip(f"no sandbox can be made here: {problem}; {sandbox.INSTALL_HINT}")
    return sandbox.bwrap_executable()
