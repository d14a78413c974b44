"""Seconds `python3 dev.py book` takes on a tree where nothing changed since the last build.

The first build executes every chapter and prints the PDF (minutes); a
rebuild reads the execution cache, writes no page and keeps the PDF when no
page changed (_ext/course_site.py), so it should take seconds. This script
builds once to settle (whatever changed since the last build), then times
``--runs`` rebuilds of the unchanged tree, prints each and their minimum,
median and maximum, and writes benchmarks/results/book_rebuild.json with the
command, date, machine, the load before and after each run, and the
versions. On a shared machine the figures are upper bounds.

Usage (from the repository root):

    python3 benchmarks/book_rebuild.py            # settle, then 3 timed rebuilds
    python3 benchmarks/book_rebuild.py --runs 5
    python3 benchmarks/book_rebuild.py --first    # a first build: a clone of HEAD, no cache

``--first`` times what README's "first build" means: a fresh clone of the
committed tree (no _build, so every chapter executes and the PDF is printed),
built with this checkout's .venv (installing requirements.txt is a download,
timed by nobody here). It writes benchmarks/results/book_first_build.json.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
RESULTS = REPO_ROOT / "benchmarks" / "results" / "book_rebuild.json"
FIRST_RESULTS = REPO_ROOT / "benchmarks" / "results" / "book_first_build.json"
COMMAND = [sys.executable, "dev.py", "book"]
# What README promises for an unchanged rebuild (issue #31): a figure to compare, not a test.
TARGET_SECONDS = 15


def timed_build(root: Path = REPO_ROOT, env: dict | None = None) -> dict:
    before = os.getloadavg()
    start = time.perf_counter()
    result = subprocess.run(COMMAND, cwd=root, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"dev.py book failed (exit {result.returncode}):\n{result.stderr[-3000:]}")
    kept = "no page changed since the PDF was printed" in result.stdout + result.stderr
    return {
        "seconds": round(seconds, 1),
        "pdf_kept": kept,
        "load_before": [round(x, 2) for x in before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
    }


def versions() -> dict:
    venv_python = REPO_ROOT / ".venv" / "bin" / "python"
    script = (
        "import importlib.metadata as m, json, sys;"
        "print(json.dumps({n: m.version(n) for n in ('jupyter-book', 'sphinx', 'myst-nb')}"
        " | {'python': sys.version.split()[0]}))"
    )
    out = subprocess.run([str(venv_python), "-c", script], capture_output=True, text=True)
    return json.loads(out.stdout) if out.returncode == 0 else {}


def machine() -> dict:
    return {
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "note": "load averages before and after each run are recorded: figures taken "
        "above the core count are upper bounds",
    }


def first_build() -> None:
    """Time one build of a fresh clone of HEAD and write FIRST_RESULTS."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="first-build-") as scratch:
        clone = Path(scratch) / "course"
        subprocess.run(["git", "clone", "--quiet", str(REPO_ROOT), str(clone)], check=True)
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=clone, capture_output=True, text=True
        ).stdout.strip()
        env = os.environ | {"COURSE_VENV": str(REPO_ROOT / ".venv")}
        print(f"first build of a clone of {head} (every chapter executes) ...", flush=True)
        run = timed_build(clone, env)
    print(f"first build: {run['seconds']} s ({run['seconds'] / 60:.1f} min)")
    record = {
        "command": "python3 dev.py book (a fresh clone: no execution cache, no PDF)",
        "script": "benchmarks/book_rebuild.py --first",
        "commit": head,
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "versions": versions(),
        "run": run,
    }
    FIRST_RESULTS.write_text(json.dumps(record, indent=2) + "\n")
    print(f"wrote {FIRST_RESULTS.relative_to(REPO_ROOT)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="timed rebuilds (default 3)")
    parser.add_argument("--first", action="store_true", help="time a first build instead")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.first:
        first_build()
        return
    print("settling: one build of whatever changed since the last one ...", flush=True)
    timed_build()
    runs = []
    for index in range(args.runs):
        runs.append(timed_build())
        print(f"rebuild {index + 1}: {runs[-1]['seconds']} s, PDF kept: {runs[-1]['pdf_kept']}")
    seconds = [run["seconds"] for run in runs]
    summary = {
        "min": min(seconds),
        "median": statistics.median(seconds),
        "max": max(seconds),
    }
    print(
        f"unchanged rebuild: min {summary['min']} s, median {summary['median']} s, "
        f"max {summary['max']} s (target under {TARGET_SECONDS} s)"
    )
    record = {
        "command": "python3 dev.py book (an unchanged tree, after one settling build)",
        "script": "benchmarks/book_rebuild.py",
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "versions": versions(),
        "target_seconds": TARGET_SECONDS,
        "summary": summary,
        "runs": runs,
    }
    RESULTS.write_text(json.dumps(record, indent=2) + "\n")
    print(f"wrote {RESULTS.relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    main()
