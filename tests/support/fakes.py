"""Stand-ins for what the grader reads from nbgrader, defined once for every test that fakes it."""

from __future__ import annotations


class FakeProcess:
    """An ``nbgrader autograde`` process as ``LogWatcher`` reads it: its log lines, nothing more."""

    def __init__(self, lines):
        self.stdout = iter(lines)


def student_started(name: str) -> str:
    """nbgrader's log line as it starts grading a student."""
    return f"[AutogradeApp | INFO] Creating/updating student with ID '{name}': {{}}\n"


def cell(source: str) -> list[str]:
    """nbclient's log lines as it starts running a cell of this (one-line) source."""
    return ["[AutogradeApp | DEBUG] Executing cell:\n", f"    {source}\n"]


def timed_out(seconds: int = 30) -> str:
    """nbclient's log line for a cell that ran past its timeout."""
    return f"[AutogradeApp | ERROR] Timeout waiting for execute reply ({seconds}s).\n"


FINISHED = "[AutogradeApp | INFO] Setting destination file permissions to 444\n"
FAILED = "[AutogradeApp | ERROR] There was an error processing assignment: /x/submitted/s001/a\n"
