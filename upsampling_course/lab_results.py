"""The multi-seed results of ``benchmarks/lab_ablations.py`` and ``lab_speed.py``, summarised.

The records themselves ship with the package (:mod:`upsampling_course.results`
owns their schema and reads them). :func:`load_ablations` gathers every
``lab_ablations*.json`` (one file per process that shared the work); the lab
page and the artifacts chapter plot and quote the summaries, each a median
with its range over the seeds.

``lab_ablations.py --until-targets`` writes ``lab_time_to_targets*.json``:
each ablation trained until it first meets the targets;
:func:`load_time_to_targets` reads them and :meth:`Ablations.time_table`
summarises the steps and seconds to that hit.

``lab_speed.py --keep-best`` writes ``lab_speed.json``; :func:`load_lab_speed`
reads it into one :class:`StayCurve` per seed (the Fréchet ratio against
training time of the trained generator and of its best kept copy), which the
lab page's section "Does the generator stay good after it first meets the
targets?" plots and quotes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from upsampling_course.results import (
    FINAL_METRICS,
    ResultsFile,
    SpeedRun,
    Targets,
    TrainingRun,
    read_results,
    read_samples,
)

COMMAND = ".venv/bin/python benchmarks/lab_ablations.py --steps 600 --failure-steps 300"
TIME_COMMAND = (
    "taskset -c 0 .venv/bin/python benchmarks/lab_ablations.py --until-targets --steps 3000 "
    '--score-every 100 --recipes lab "no code" "learning rates / 4" "transposed k=5" '
    "--name lab_time_to_targets_a"
)
SPEED_COMMAND = (
    "taskset -c 0,1 .venv/bin/python benchmarks/lab_speed.py --budgets 60 120 300 --recipes lab "
    "--seeds 0 1 2 --eval-every 15 --keep-best --results upsampling_course/results/lab_speed.json"
)


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
    """Every run of some results files, the files themselves (by name) and their samples."""

    runs: list[TrainingRun]
    files: dict[str, ResultsFile]
    samples: dict[str, np.ndarray]

    def recipes(self, failures: bool = False) -> list[str]:
        """Recipe names in the order they were run."""
        names = [r.recipe for r in self.runs if r.failure == failures]
        return list(dict.fromkeys(names))

    def of(self, recipe: str) -> list[TrainingRun]:
        runs = [r for r in self.runs if r.recipe == recipe]
        if not runs:
            raise KeyError(f"no runs of recipe {recipe!r}; recipes: {self.recipes()}")
        return runs

    def seeds(self, recipe: str) -> list[int]:
        return sorted(r.seed for r in self.of(recipe))

    @property
    def settings(self):
        """The settings of the first file (the files of one benchmark share their steps)."""
        return next(iter(self.files.values())).settings

    def provenance(self):
        """A pandas table, one row per file: what made it, when, and with which settings."""
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "file": name,
                    "command": record.command,
                    "date": record.date,
                    "steps": record.settings.steps,
                    "seeds": record.settings.seeds,
                    # A file need not hold every seed of its settings.
                    "runs held": ", ".join(
                        f"seed {seed}: {n}"
                        for seed, n in sorted(Counter(r.seed for r in record.runs).items())
                    ),
                }
                for name, record in self.files.items()
            ]
        )

    def finals(self, recipe: str, metric: str) -> list[float]:
        """A final quality score (see :data:`FINAL_METRICS`) of each seed's run."""
        return [getattr(r.checkpoints[-1].scores, metric) for r in self.of(recipe)]

    def final(self, recipe: str, metric: str) -> Spread:
        """Spread over seeds of a final quality score (see :data:`FINAL_METRICS`)."""
        return Spread.of(self.finals(recipe, metric))

    def at_step(self, recipe: str, metric: str, steps: int) -> Spread:
        """Spread over seeds of a quality score at the scoring made after ``steps`` steps."""
        values = []
        for run in self.of(recipe):
            scored = [c for c in run.checkpoints if c.steps == steps]
            if not scored:
                raise KeyError(f"run {recipe!r} seed {run.seed} was not scored at step {steps}")
            values.append(getattr(scored[0].scores, metric))
        return Spread.of(values)

    def apart(self, reference: str, recipes: list[str], steps: int | None = None) -> set:
        """Every ``(recipe, metric, "lower" or "higher")`` whose range over seeds (final, or
        after ``steps`` steps) is apart from ``reference``'s: it holds on every seed run."""

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

    def measure(self, recipe: str, name: str) -> Spread:
        """Spread over seeds of a per-run number such as ``"spectral_artifact_score"``."""
        return Spread.of(getattr(r, name) for r in self.of(recipe))

    def targets_met(self, recipe: str) -> int:
        """On how many seeds the final generator meets all three of the lab's targets."""
        return sum(r.checkpoints[-1].scores.meets_targets for r in self.of(recipe))

    def curve(self, recipe: str, name: str) -> np.ndarray:
        """``(seeds, points)`` array of a per-run list such as ``"spectrum_log_ratio"``."""
        return np.array([getattr(r, name) for r in self.of(recipe)], dtype=float)

    def reached(self, recipe: str) -> int:
        """On how many seeds a scoring met all three targets (at any point of the run)."""
        return sum(r.steps_to_targets is not None for r in self.of(recipe))

    def to_targets(self, recipe: str, name: str = "seconds_to_targets") -> Spread | None:
        """Spread of ``"seconds_to_targets"`` or ``"steps_to_targets"`` over the seeds that got there.

        None where no seed reached the targets; :meth:`reached` says how many did.
        """
        values = [getattr(r, name) for r in self.of(recipe) if getattr(r, name) is not None]
        return Spread.of(values) if values else None

    def time_table(self, recipes: list[str] | None = None):
        """A pandas table, one row per recipe: steps and training seconds to the targets."""
        import pandas as pd

        rows = {}
        for name in recipes or self.recipes():
            cap = max(r.checkpoints[-1].steps for r in self.of(name))
            row = {}
            for measure, label in (
                ("steps_to_targets", "steps to targets"),
                ("seconds_to_targets", "seconds to targets"),
            ):
                spread = self.to_targets(name, measure)
                row[label] = spread.cell(0) if spread else f"not within {cap:,} steps"
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
    directory: Path | str | None = None, stem: str = "lab_ablations", command: str = COMMAND
) -> Ablations:
    """All runs of ``{stem}*.json`` and their samples, from the committed results
    (:mod:`upsampling_course.results`) or from ``directory``."""
    found = read_results(directory, stem)
    if not found:
        where = directory or "the package's results"
        raise FileNotFoundError(f"no {stem}*.json in {where}; run `{command}` to make them")
    runs, samples = [], {}
    for name, record in found:
        runs += record.runs
        samples.update(read_samples(directory, name))
    return Ablations(runs, dict(found), samples)


def load_time_to_targets(directory: Path | str | None = None) -> Ablations:
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
    targets: Targets  # what the run was judged by

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
        """Whether ``series`` is scored and within the Fréchet target (the run's, unless
        given) at every scoring after the first hit."""
        ratios = self._after_first_hit(series)
        limit = self.targets.frechet_ratio if target is None else target
        return bool(np.all(np.isfinite(ratios)) and np.all(ratios <= limit))

    def always_meets_after_first_hit(self, series: str) -> bool:
        """Whether ``series`` met all three targets at every scoring from the first hit on."""
        self._after_first_hit(series)
        return bool(np.all(self.meets[series][self.first_hit :]))


@dataclass(frozen=True)
class LabSpeed:
    """The keep-best results file: its own record (command, date, machine, judge) and the curves."""

    record: ResultsFile
    curves: list[StayCurve]

    @property
    def command(self) -> str:
        return self.record.command

    @property
    def machine(self) -> dict:
        return self.record.machine

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


def _stay_curve(run: SpeedRun, targets: Targets) -> StayCurve:
    ratios, meets = {}, {}
    for name, field in STAY_SERIES.items():
        scores = [getattr(point, field) for point in run.points]
        ratios[name] = np.array([np.nan if s is None else s.frechet_ratio for s in scores])
        meets[name] = np.array([s is not None and s.meets_targets for s in scores])
    return StayCurve(
        recipe=run.recipe,
        seed=run.seed,
        seconds=np.array([point.seconds for point in run.points], dtype=float),
        steps=np.array([point.steps for point in run.points], dtype=int),
        ratios=ratios,
        meets=meets,
        load_average=(run.load_average_before, run.load_average_after),
        targets=targets,
    )


def load_lab_speed(
    directory: Path | str | None = None, recipe: str = "lab", stem: str = "lab_speed"
) -> LabSpeed:
    """The runs of ``recipe`` in a ``lab_speed.py --keep-best`` results file, one curve per seed,
    from the committed results (:mod:`upsampling_course.results`) or from ``directory``."""
    found = read_results(directory, stem)
    if not found:
        where = directory or "the package's results"
        raise FileNotFoundError(f"no {stem}*.json in {where}; run `{SPEED_COMMAND}` to make it")
    name, record = found[0]
    runs = [run for run in record.runs if run.recipe == recipe]
    if not runs:
        raise KeyError(f"no runs of recipe {recipe!r} in {name}")
    if not record.settings.keep_best:
        raise ValueError(f"{name} has no kept copy: it was not written with --keep-best")
    return LabSpeed(record, [_stay_curve(run, record.judge.targets) for run in runs])
