"""Read the multi-seed results of ``benchmarks/lab_ablations.py`` and summarize them per recipe.

The script writes ``benchmarks/results/lab_ablations*.json`` (one file per
process that shared the work); :func:`load_ablations` reads them all, and
the lab page and the artifacts chapter plot and quote the summaries, each
a median with its range over the seeds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

RESULTS_DIR = Path(__file__).resolve().parents[1] / "benchmarks" / "results"
COMMAND = ".venv/bin/python benchmarks/lab_ablations.py --steps 600 --failure-steps 300"
FINAL_METRICS = ("confident_fraction", "coverage", "frechet_ratio")


@dataclass(frozen=True)
class Spread:
    """Median, smallest and largest value of one measure over seeds."""

    median: float
    low: float
    high: float
    count: int

    @classmethod
    def of(cls, values) -> Spread:
        values = np.asarray([v for v in values if v is not None], dtype=float)
        if values.size == 0:
            raise ValueError("no values to summarize")
        return cls(float(np.median(values)), float(values.min()), float(values.max()), values.size)

    def __str__(self) -> str:
        return f"{self.median:.3g} ({self.low:.3g} to {self.high:.3g}, {self.count} seeds)"


@dataclass(frozen=True)
class Ablations:
    """Every run of the results files and the files' own records (command, date, machine, load)."""

    runs: list[dict]
    files: list[dict]
    samples: dict[str, np.ndarray]

    def recipes(self, failures: bool = False) -> list[str]:
        """Recipe names in the order they were run."""
        names = [r["recipe"] for r in self.runs if r.get("failure", False) == failures]
        return list(dict.fromkeys(names))

    def of(self, recipe: str) -> list[dict]:
        runs = [r for r in self.runs if r["recipe"] == recipe]
        if not runs:
            raise KeyError(f"no runs of recipe {recipe!r}; recipes: {self.recipes()}")
        return runs

    def seeds(self, recipe: str) -> list[int]:
        return sorted(r["seed"] for r in self.of(recipe))

    def final(self, recipe: str, metric: str) -> Spread:
        """Spread over seeds of a final quality score (see :data:`FINAL_METRICS`)."""
        return Spread.of(r["checkpoints"][-1][metric] for r in self.of(recipe))

    def measure(self, recipe: str, key: str) -> Spread:
        """Spread over seeds of a per-run number such as ``"spectral_artifact_score"``."""
        return Spread.of(r[key] for r in self.of(recipe))

    def targets_met(self, recipe: str) -> int:
        """On how many seeds the final generator meets all three of the lab's targets."""
        return sum(r["checkpoints"][-1]["meets_targets"] for r in self.of(recipe))

    def curve(self, recipe: str, key: str) -> np.ndarray:
        """``(seeds, points)`` array of a per-run list such as ``"spectrum_log_ratio"``."""
        return np.array([r[key] for r in self.of(recipe)], dtype=float)

    def table(self, recipes: list[str] | None = None):
        """A pandas table, one row per recipe: median and range of each final score."""
        import pandas as pd

        rows = {}
        for name in recipes or self.recipes():
            row = {}
            for metric in FINAL_METRICS:
                spread = self.final(name, metric)
                row[metric.replace("_", " ")] = (
                    f"{spread.median:.3f} ({spread.low:.3f}-{spread.high:.3f})"
                )
            row["seeds meeting targets"] = f"{self.targets_met(name)} of {len(self.of(name))}"
            rows[name] = row
        return pd.DataFrame(rows).T


def load_ablations(directory: Path | str = RESULTS_DIR, stem: str = "lab_ablations") -> Ablations:
    """All runs of ``{stem}*.json`` in ``directory`` and their samples (``{stem}*_samples.npz``)."""
    directory = Path(directory)
    paths = sorted(directory.glob(f"{stem}*.json"))
    if not paths:
        raise FileNotFoundError(
            f"no {stem}*.json in {directory}; run `{COMMAND}` to make the results"
        )
    runs, files, samples = [], [], {}
    for path in paths:
        data = json.loads(path.read_text())
        runs += data.pop("runs")
        files.append({"file": path.name, **data})
        sample_path = path.with_name(f"{path.stem}_samples.npz")
        if sample_path.exists():
            with np.load(sample_path) as arrays:
                samples.update({key: arrays[key] for key in arrays.files})
    return Ablations(runs, files, samples)
