"""Read the multi-seed results of ``benchmarks/lab_ablations.py`` and ``lab_speed.py``.

``lab_ablations.py`` writes ``benchmarks/results/lab_ablations*.json`` (one
file per process that shared the work); :func:`load_ablations` reads them
all, and the lab page and the artifacts chapter plot and quote the
summaries, each a median with its range over the seeds.

``lab_ablations.py --until-targets`` writes
``benchmarks/results/lab_time_to_targets*.json``: each ablation trained
until it first meets the targets; :func:`load_time_to_targets` reads them
and :meth:`Ablations.time_table` summarises the steps and seconds to that hit.

``lab_speed.py --keep-best --results`` writes
``benchmarks/results/lab_speed.json``; :func:`load_lab_speed` reads it into
one :class:`StayCurve` per seed (the Fréchet ratio against training time of
the trained generator and of its best kept copy), which the lab page's
section "Does the generator stay good after it first meets the targets?"
plots and quotes.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

RESULTS_DIR = Path(__file__).resolve().parents[1] / "benchmarks" / "results"
COMMAND = ".venv/bin/python benchmarks/lab_ablations.py --steps 600 --failure-steps 300"
TIME_COMMAND = (
    "taskset -c 0 .venv/bin/python benchmarks/lab_ablations.py --until-targets --steps 3000 "
    '--score-every 100 --recipes lab "no code" "learning rates / 4" "transposed k=5" '
    "--name lab_time_to_targets_a"
)
SPEED_COMMAND = (
    "taskset -c 0,1 .venv/bin/python benchmarks/lab_speed.py --budgets 60 120 300 --recipes lab "
    "--seeds 0 1 2 --eval-every 15 --keep-best --results benchmarks/results/lab_speed.json"
)
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

    def cell(self, digits: int) -> str:
        """``median (low-high)`` with ``digits`` decimals, as the summary tables show it."""
        return f"{self.median:.{digits}f} ({self.low:.{digits}f}-{self.high:.{digits}f})"


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

    def at_step(self, recipe: str, metric: str, steps: int) -> Spread:
        """Spread over seeds of a quality score at the scoring made after ``steps`` steps."""
        values = []
        for run in self.of(recipe):
            scored = [c for c in run["checkpoints"] if c["steps"] == steps]
            if not scored:
                raise KeyError(f"run {recipe!r} seed {run['seed']} was not scored at step {steps}")
            values.append(scored[0][metric])
        return Spread.of(values)

    def apart(self, reference: str, recipes: list[str], steps: int | None = None) -> set:
        """Every ``(recipe, metric, "lower" or "higher")`` whose range over seeds is apart from ``reference``'s.

        Compares the final scores, or those after ``steps`` steps; a
        difference that holds on every seed, as far as these runs show.
        """

        def spread(name: str, metric: str) -> Spread:
            return self.final(name, metric) if steps is None else self.at_step(name, metric, steps)

        found = set()
        for name in recipes:
            for metric in FINAL_METRICS:
                mine, base = spread(name, metric), spread(reference, metric)
                if mine.high < base.low:
                    found.add((name, metric, "lower"))
                elif mine.low > base.high:
                    found.add((name, metric, "higher"))
        return found

    def measure(self, recipe: str, key: str) -> Spread:
        """Spread over seeds of a per-run number such as ``"spectral_artifact_score"``."""
        return Spread.of(r[key] for r in self.of(recipe))

    def targets_met(self, recipe: str) -> int:
        """On how many seeds the final generator meets all three of the lab's targets."""
        return sum(r["checkpoints"][-1]["meets_targets"] for r in self.of(recipe))

    def curve(self, recipe: str, key: str) -> np.ndarray:
        """``(seeds, points)`` array of a per-run list such as ``"spectrum_log_ratio"``."""
        return np.array([r[key] for r in self.of(recipe)], dtype=float)

    def reached(self, recipe: str) -> int:
        """On how many seeds a scoring met all three targets (at any point of the run)."""
        return sum(r["steps_to_targets"] is not None for r in self.of(recipe))

    def to_targets(self, recipe: str, key: str = "seconds_to_targets") -> Spread | None:
        """Spread of ``"seconds_to_targets"`` or ``"steps_to_targets"`` over the seeds that got there.

        None where no seed reached the targets; :meth:`reached` says how many did.
        """
        values = [r[key] for r in self.of(recipe) if r[key] is not None]
        return Spread.of(values) if values else None

    def time_table(self, recipes: list[str] | None = None):
        """A pandas table, one row per recipe: steps and training seconds to the targets."""
        import pandas as pd

        rows = {}
        for name in recipes or self.recipes():
            cap = max(r["checkpoints"][-1]["steps"] for r in self.of(name))
            row = {}
            for key, label, digits in (
                ("steps_to_targets", "steps to targets", 0),
                ("seconds_to_targets", "seconds to targets", 0),
            ):
                spread = self.to_targets(name, key)
                row[label] = spread.cell(digits) if spread else f"not within {cap:,} steps"
            row["seeds reaching them"] = f"{self.reached(name)} of {len(self.of(name))}"
            row["steps per second"] = f"{self.measure(name, 'steps_per_second').median:.1f}"
            rows[name] = row
        return pd.DataFrame(rows).T

    def table(self, recipes: list[str] | None = None):
        """A pandas table, one row per recipe: median and range of each final score."""
        import pandas as pd

        rows = {}
        for name in recipes or self.recipes():
            row = {}
            for metric in FINAL_METRICS:
                row[metric.replace("_", " ")] = self.final(name, metric).cell(3)
            row["seeds meeting targets"] = f"{self.targets_met(name)} of {len(self.of(name))}"
            rows[name] = row
        return pd.DataFrame(rows).T


def load_ablations(
    directory: Path | str = RESULTS_DIR, stem: str = "lab_ablations", command: str = COMMAND
) -> Ablations:
    """All runs of ``{stem}*.json`` in ``directory`` and their samples (``{stem}*_samples.npz``).

    Each entry of ``files`` is one file's own record (command, date, machine, ...)
    plus ``"runs held"``: how many runs of each seed the file holds.
    """
    directory = Path(directory)
    paths = sorted(directory.glob(f"{stem}*.json"))
    if not paths:
        raise FileNotFoundError(
            f"no {stem}*.json in {directory}; run `{command}` to make the results"
        )
    runs, files, samples = [], [], {}
    for path in paths:
        data = json.loads(path.read_text())
        file_runs = data.pop("runs")
        runs += file_runs
        per_seed = Counter(run["seed"] for run in file_runs)
        held = ", ".join(f"seed {seed}: {count}" for seed, count in sorted(per_seed.items()))
        files.append({"file": path.name, **data, "runs held": held})
        sample_path = path.with_name(f"{path.stem}_samples.npz")
        if sample_path.exists():
            with np.load(sample_path) as arrays:
                samples.update({key: arrays[key] for key in arrays.files})
    return Ablations(runs, files, samples)


def load_time_to_targets(directory: Path | str = RESULTS_DIR) -> Ablations:
    """The runs of ``lab_ablations.py --until-targets``: each ablation trained until its first hit."""
    return load_ablations(directory, "lab_time_to_targets", TIME_COMMAND)


# The three series of a keep-best point: which generator was scored, on which latent batch.
STAY_SERIES = {
    "trained": "score",  # the trained generator on the selection batch (BestSnapshot's)
    "trained_new_batch": "trained_on_new_batch",  # the trained generator on the new batch
    "kept_new_batch": "kept_on_new_batch",  # the best kept copy on the new batch
}


@dataclass(frozen=True, eq=False)
class StayCurve:
    """One seed of ``lab_speed.py --keep-best``: Fréchet ratios against seconds of training.

    ``ratios[name]`` and ``meets[name]`` hold one value per scoring for each
    name of :data:`STAY_SERIES` (NaN and False where the series has no
    score: the kept copy before the first hit). The first hit is the first
    scoring at which the trained generator met all three targets on the
    selection batch, the batch the kept copy is chosen by.
    """

    recipe: str
    seed: int
    seconds: np.ndarray
    steps: np.ndarray
    ratios: dict[str, np.ndarray]
    meets: dict[str, np.ndarray]
    load_average: tuple[float, float]  # before and after the run

    @property
    def first_hit(self) -> int | None:
        """Index of the first scoring that met all three targets (selection batch), if any."""
        hits = np.flatnonzero(self.meets["trained"])
        return int(hits[0]) if hits.size else None

    @property
    def seconds_to_targets(self) -> float | None:
        first = self.first_hit
        return None if first is None else float(self.seconds[first])

    def _after_first_hit(self, series: str) -> np.ndarray:
        if series not in self.ratios:
            raise KeyError(f"no series {series!r}; series: {list(self.ratios)}")
        first = self.first_hit
        if first is None:
            raise ValueError(f"seed {self.seed} never met the targets, so it has no first hit")
        return self.ratios[series][first:]

    def worst_after_first_hit(self, series: str = "trained") -> float:
        """The largest Fréchet ratio of ``series`` from the first hit to the end."""
        return float(np.nanmax(self._after_first_hit(series)))

    def stays_within(self, series: str, target: float | None = None) -> bool:
        """Whether ``series`` is scored and within the Fréchet target at every scoring after the first hit."""
        from upsampling_course.quality import TARGET_FRECHET_RATIO

        ratios = self._after_first_hit(series)
        limit = TARGET_FRECHET_RATIO if target is None else target
        return bool(np.all(np.isfinite(ratios)) and np.all(ratios <= limit))

    def always_meets_after_first_hit(self, series: str) -> bool:
        """Whether ``series`` met all three targets at every scoring from the first hit on."""
        self._after_first_hit(series)
        return bool(np.all(self.meets[series][self.first_hit :]))


@dataclass(frozen=True)
class LabSpeed:
    """The keep-best results file: its own records (command, date, machine, versions) and the curves."""

    command: str
    date: str
    machine: dict
    versions: dict
    curves: list[StayCurve]

    @property
    def seeds(self) -> list[int]:
        return [curve.seed for curve in self.curves]

    def of(self, seed: int) -> StayCurve:
        for curve in self.curves:
            if curve.seed == seed:
                return curve
        raise KeyError(f"no run of seed {seed}; seeds: {self.seeds}")

    def reached(self) -> list[StayCurve]:
        """The curves whose trained generator met the targets at some scoring."""
        return [c for c in self.curves if c.first_hit is not None]

    def time_to_targets(self) -> Spread:
        """Spread of the seconds to the first hit over the seeds that reached the targets."""
        return Spread.of(c.seconds_to_targets for c in self.reached())

    def worst(self, series: str = "trained") -> Spread:
        """Spread over seeds of the worst Fréchet ratio of ``series`` after the first hit."""
        return Spread.of(c.worst_after_first_hit(series) for c in self.reached())

    def table(self):
        """A pandas table, one row per seed: time to the targets, worst Fréchet ratios after it."""
        import pandas as pd

        columns = {
            "trained": "worst × (trained, selection batch)",
            "trained_new_batch": "worst × (trained, new batch)",
            "kept_new_batch": "worst × (kept copy, new batch)",
        }
        rows = {}
        for curve in self.curves:
            reached = curve.first_hit is not None
            row = {"seconds to targets": round(curve.seconds_to_targets) if reached else None}
            for name, column in columns.items():
                row[column] = round(curve.worst_after_first_hit(name), 2) if reached else None
            row["kept copy meets targets throughout"] = reached and (
                curve.always_meets_after_first_hit("kept_new_batch")
            )
            rows[f"seed {curve.seed}"] = row
        return pd.DataFrame(rows).T

    def load_averages(self) -> Spread:
        """Spread of the load averages recorded before and after each run."""
        return Spread.of(value for c in self.curves for value in c.load_average)


def _stay_curve(run: dict) -> StayCurve:
    points = run["points"]
    ratios, meets = {}, {}
    for name, key in STAY_SERIES.items():
        scores = [point.get(key) for point in points]
        ratios[name] = np.array(
            [np.nan if s is None else s["frechet_ratio"] for s in scores], dtype=float
        )
        meets[name] = np.array([s is not None and bool(s["meets_targets"]) for s in scores])
    return StayCurve(
        recipe=run["recipe"],
        seed=run["seed"],
        seconds=np.array([point["seconds"] for point in points], dtype=float),
        steps=np.array([point["steps"] for point in points], dtype=int),
        ratios=ratios,
        meets=meets,
        load_average=(run["load_average_before"], run["load_average_after"]),
    )


def load_lab_speed(
    path: Path | str = RESULTS_DIR / "lab_speed.json", recipe: str = "lab"
) -> LabSpeed:
    """The runs of ``recipe`` in a ``lab_speed.py --keep-best --results`` file, one curve per seed."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no {path}; run `{SPEED_COMMAND}` to make it")
    data = json.loads(path.read_text())
    runs = [run for run in data["runs"] if run["recipe"] == recipe]
    if not runs:
        raise KeyError(f"no runs of recipe {recipe!r} in {path.name}")
    if not all(STAY_SERIES["trained_new_batch"] in p for run in runs for p in run["points"]):
        raise ValueError(f"{path.name} has no kept copy: it was not written with --keep-best")
    return LabSpeed(
        command=data["command"],
        date=data["date"],
        machine=data["machine"],
        versions=data["versions"],
        curves=[_stay_curve(run) for run in runs],
    )
