"""Where the test suite's CPU goes: core-seconds per xdist group, from process accounting.

`--durations` gives wall seconds, which on two busy cores say little about
work: a group waiting on a timeout looks as long as one training a network.
This runs the whole suite as CI does (`python3 dev.py test`) with the
kernel's process accounting on (`accton`, Debian's package acct), so that
every process that ends leaves its CPU seconds, parent and start time; and
loads this module as a pytest plugin, which writes when each test phase ran
on which worker. Each process is then charged to the test its worker was
running when the process started (found through its parents). Processes
whose parents are gone (those in a sandbox's PID namespace, Chromium's
helpers) are listed apart, by name.

It writes benchmarks/results/suite_cpu.json (command, date, machine, the
Python version and commit, the run's seconds, core-seconds per group) and
prints the table.
Needs root (accounting) and takes as long as the suite (about 22 minutes).

Usage, from the repository root:

    python3 benchmarks/suite_cpu.py            # the whole suite
    python3 benchmarks/suite_cpu.py -k feedback   # extra words go to pytest
"""

from __future__ import annotations

import collections
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "suite_cpu.json"
TIMELINE = "SUITE_CPU_TIMELINE"  # the folder the plugin writes each worker's phases to
TICKS = 100  # dump-acct prints CPU times in 1/100 s

# ---------------------------------------------------------------------------
# The plugin (pytest -p suite_cpu): one JSON line per test phase, per worker.


def _record(item, phase: str, started: float) -> None:
    folder = os.environ.get(TIMELINE)
    if folder:
        line = {"id": item.nodeid, "phase": phase, "start": started, "end": time.time()}
        with open(Path(folder) / f"{os.getpid()}.jsonl", "a") as handle:
            handle.write(json.dumps(line) + "\n")


if __name__ != "__main__":  # loaded by pytest (-p suite_cpu); the script itself runs without it
    import pytest

    def _phase(name: str):
        @pytest.hookimpl(hookwrapper=True)
        def hook(item, *args):
            started = time.time()
            yield
            _record(item, name, started)

        return hook

    pytest_runtest_setup = _phase("setup")
    pytest_runtest_call = _phase("call")
    pytest_runtest_teardown = _phase("teardown")

# ---------------------------------------------------------------------------
# The run and its attribution.


def processes(accounting: Path) -> list[dict]:
    """Every ended process in the accounting file: name, CPU seconds, ids, start."""
    dump = subprocess.run(
        ["dump-acct", str(accounting)], capture_output=True, text=True, check=True
    )
    found = []
    for line in dump.stdout.splitlines():
        field = [part.strip() for part in line.split("|")]
        if len(field) < 15:
            continue
        started = datetime.datetime.strptime(field[14], "%a %b %d %H:%M:%S %Y")
        found.append(
            {
                "name": field[0],
                "cpu": (float(field[2]) + float(field[3])) / TICKS,
                "pid": int(field[9]),
                "ppid": int(field[10]),
                "start": started.timestamp(),  # dump-acct prints local time, as naive datetimes are
            }
        )
    return found


def group_of(nodeid: str) -> str:
    """A test's xdist group (the id's "@group"), else its module."""
    return nodeid.rsplit("@", 1)[1] if "@" in nodeid else nodeid.split("::")[0]


def attribute(found: list[dict], timeline: Path) -> tuple[dict, dict]:
    """Core-seconds per group (with "worker itself" for the workers' own CPU) and, apart,
    per process name for processes that reach no worker through their parents."""
    phases = collections.defaultdict(list)
    for path in timeline.glob("*.jsonl"):
        phases[int(path.stem)] = [json.loads(line) for line in path.read_text().splitlines()]
    by_pid = {}
    for process in found:
        by_pid.setdefault(process["pid"], process)
    groups, orphans = collections.Counter(), collections.Counter()
    for process in found:
        if process["pid"] in phases:
            groups["worker itself (in-process tests, collection)"] += process["cpu"]
            continue
        worker, parent = None, by_pid.get(process["ppid"])
        for _ in range(64):  # a chain of parents, not a cycle
            if parent is None or parent["pid"] in phases:
                worker = parent["pid"] if parent else None
                break
            parent = by_pid.get(parent["ppid"])
        if worker is None:
            orphans[process["name"]] += process["cpu"]
            continue
        # Start times have whole seconds: a phase may have begun in the same second.
        running = [p for p in phases[worker] if p["start"] - 1 <= process["start"] <= p["end"]]
        groups[group_of(running[-1]["id"]) if running else "between tests"] += process["cpu"]
    return dict(groups), dict(orphans)


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def main(extra: list[str]) -> None:
    if shutil.which("accton") is None or shutil.which("dump-acct") is None:
        sys.exit("suite_cpu.py needs process accounting: apt-get install acct (as root)")
    with tempfile.TemporaryDirectory(prefix="suite-cpu-") as folder:
        accounting, timeline = Path(folder) / "pacct", Path(folder) / "timeline"
        accounting.touch()
        timeline.mkdir()
        if subprocess.run(["accton", str(accounting)], capture_output=True).returncode != 0:
            sys.exit("accton failed: process accounting needs root (CAP_SYS_PACCT)")
        command = ["python3", "dev.py", "test", "-p", "suite_cpu", *extra]
        env = {**os.environ, TIMELINE: str(timeline)}
        env["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(ROOT / "benchmarks"), env.get("PYTHONPATH")])
        )
        started = time.time()
        try:
            status = subprocess.run(command, cwd=ROOT, env=env).returncode
        finally:
            subprocess.run(["accton", "off"], capture_output=True)
        seconds = time.time() - started
        found = processes(accounting)
        groups, orphans = attribute(found, timeline)
    total = sum(p["cpu"] for p in found)
    record = {
        "command": " ".join(["python3", "benchmarks/suite_cpu.py", *extra]),
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": f"{cpu_model()}, {os.cpu_count()} cores, {platform.machine()}",
        "python": platform.python_version(),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip(),
        "exit_status": status,
        "seconds": round(seconds),
        "core_seconds_available": round(seconds * (os.cpu_count() or 1)),
        "core_seconds_used": round(total),
        "by_group": {k: round(v) for k, v in sorted(groups.items(), key=lambda kv: -kv[1])},
        "no_worker_parent_by_name": {
            k: round(v) for k, v in sorted(orphans.items(), key=lambda kv: -kv[1]) if v >= 1
        },
    }
    RESULTS.write_text(json.dumps(record, indent=1) + "\n")
    print(
        f"{record['seconds']} s, {record['core_seconds_used']} of "
        f"{record['core_seconds_available']} core-seconds used (exit {status})"
    )
    for name, cpu in record["by_group"].items():
        print(f"{cpu:6d}  {name}")
    print(
        f"{sum(record['no_worker_parent_by_name'].values()):6d}  no worker among its parents:",
        ", ".join(f"{k} {v}" for k, v in list(record["no_worker_parent_by_name"].items())[:6]),
    )
    print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1:])
