"""The lab's committed results, and the one record type that owns their schema.

``benchmarks/lab_ablations.py`` and ``benchmarks/lab_speed.py`` train the
lab's recipes for hours; the lab page and the artifacts chapter plot what
they recorded, so the records ship with the package (this folder, read
through :mod:`importlib.resources`): a chapter runs from the wheel alone.

A results file is one :class:`ResultsFile`: what made it (command, date,
machine, versions), the :class:`Judge` its runs were scored by (the targets
and the classifier), the benchmark's settings, and its runs. Every field name
is defined here once, as a dataclass field; the benchmarks write through
:meth:`ResultsFile.write` and :mod:`upsampling_course.lab_results` reads
through :func:`read_results`, so neither spells a key.

Two benchmarks write these files:

- ``lab_ablations``: :class:`AblationSettings` and one :class:`TrainingRun`
  per recipe and seed (``lab_ablations*.json``, ``lab_time_to_targets*.json``,
  each with ``<stem>_samples.npz``: 16 final digits per run);
- ``lab_speed``: :class:`SpeedSettings` and one :class:`SpeedRun` per seed
  (``lab_speed.json``).
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np

from upsampling_course.quality import (
    TARGET_CONFIDENT_FRACTION,
    TARGET_COVERAGE,
    TARGET_FRECHET_RATIO,
    classifier_name,
)

SAMPLES_SUFFIX = "_samples.npz"


@dataclass(frozen=True)
class Targets:
    """The lab's three targets: what "meets the targets" meant for a run."""

    confident_fraction: float  # at least
    coverage: float  # at least
    frechet_ratio: float  # at most

    @classmethod
    def lab(cls) -> Targets:
        """The targets the lab sets today (upsampling_course.quality)."""
        return cls(TARGET_CONFIDENT_FRACTION, TARGET_COVERAGE, TARGET_FRECHET_RATIO)


@dataclass(frozen=True)
class Judge:
    """What a file's runs were scored by."""

    targets: Targets
    classifier: str  # the reference classifier's weights (quality.classifier_name)
    scored_images: int  # generated digits per scoring

    @classmethod
    def of(cls, scorer, scored_images: int) -> Judge:
        """The judge of a ``quality.load_scorer()`` scorer, as the lab sets it today."""
        return cls(Targets.lab(), classifier_name(scorer.train.source), scored_images)


@dataclass(frozen=True)
class Scores:
    """One scoring of generated digits and whether it met the file's targets."""

    confident_fraction: float
    coverage: float
    frechet_ratio: float
    meets_targets: bool

    @classmethod
    def of(cls, score) -> Scores:
        """The record of a ``quality.QualityScore``."""
        return cls(
            score.confident_fraction, score.coverage, score.frechet_ratio, score.meets_targets()
        )


# The three quality measures the tables and plots show: the numbers of a Scores.
FINAL_METRICS = tuple(name for name, kind in typing.get_type_hints(Scores).items() if kind is float)


@dataclass(frozen=True)
class Checkpoint:
    """A scoring during training: after ``steps`` steps and ``seconds`` of training."""

    steps: int
    seconds: float
    scores: Scores


@dataclass(frozen=True)
class TrainingRun:
    """One recipe trained on one seed by ``lab_ablations.py`` (gan.experiments.recorded_run)."""

    recipe: str
    seed: int
    failure: bool  # one of the failure recipes (gan.recipes.FAILURES)
    checkpoints: list[Checkpoint]
    steps_to_targets: int | None  # at the first scoring that met the targets
    seconds_to_targets: float | None  # of training, at that scoring
    stopped_at_targets: bool  # trained until that scoring (--until-targets)
    steps_per_second: float
    checkerboard_score: float  # of the final digits
    spectral_artifact_score: float  # of the final digits against held-out real ones
    spectrum_frequencies: list[float]
    spectrum_log_ratio: list[float]  # log10 power ratio, generated over real, per ring
    power_spectrum_2d: list[list[float]]  # batch mean, 4 significant digits
    loss_block: int  # losses are kept as means of this many steps
    generator_loss: list[float]
    discriminator_loss: list[float]
    wall_seconds: float  # scoring included
    load_average_before: float
    load_average_after: float


@dataclass(frozen=True)
class AblationSettings:
    """How ``lab_ablations.py`` was run."""

    steps: int  # per ablation run (a cap with until_targets)
    failure_steps: int
    seeds: list[int]
    failure_seeds: int
    score_every: int
    until_targets: bool
    recipes: list[str] | None = None  # only these (None: every recipe)


@dataclass(frozen=True)
class RealSpectrum:
    """The held-out real digits' power spectrum, which the runs' spectra are compared with."""

    frequencies: list[float]
    power: list[float]
    power_spectrum_2d: list[list[float]]


@dataclass(frozen=True)
class SpeedPoint:
    """A scoring of ``lab_speed.py``: the trained generator on the selection batch (``score``),
    and with --keep-best on an independent batch, with the best kept copy beside it."""

    seconds: float
    steps: int
    score: Scores
    trained_on_new_batch: Scores | None = None
    kept_on_new_batch: Scores | None = None  # None before the first hit


@dataclass(frozen=True)
class SpeedRun:
    """One seed of a recipe trained against the clock by ``lab_speed.py``."""

    recipe: str
    seed: int
    points: list[SpeedPoint]
    seconds_to_targets: float | None
    worst_ratio_after_first_hit: float | None
    worst_kept_ratio_after_first_hit_new_batch: float | None
    load_average_before: float
    load_average_after: float


@dataclass(frozen=True)
class SpeedSettings:
    """How ``lab_speed.py`` was run."""

    budgets: list[float]  # seconds of training at which the scores are reported
    eval_every: float  # seconds of training between scorings
    seeds: list[int]
    recipes: list[str]
    keep_best: bool
    source: str | None  # MNIST source (None: the default, the offline subset)


# benchmark -> (its settings, its runs)
BENCHMARKS: dict[str, tuple[type, type]] = {
    "lab_ablations": (AblationSettings, TrainingRun),
    "lab_speed": (SpeedSettings, SpeedRun),
}


@dataclass(frozen=True)
class ResultsFile:
    """One results file: its provenance, its judge, its settings and its runs."""

    benchmark: str  # a key of BENCHMARKS
    command: str
    date: str  # ISO 8601, UTC
    machine: dict[str, Any]  # CPU, cores visible, platform (gan.experiments.machine_record)
    versions: dict[str, str]  # Python, TensorFlow, Keras, NumPy
    judge: Judge
    settings: AblationSettings | SpeedSettings
    runs: list[TrainingRun] | list[SpeedRun]
    real_spectrum: RealSpectrum | None = None  # lab_ablations only
    note: str = ""

    def __post_init__(self) -> None:
        if self.benchmark not in BENCHMARKS:
            raise ValueError(f"unknown benchmark {self.benchmark!r}; known: {list(BENCHMARKS)}")

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), indent=1) + "\n"

    @classmethod
    def from_json(cls, text: str) -> ResultsFile:
        data = json.loads(text)
        settings_type, run_type = BENCHMARKS[data["benchmark"]]
        overrides = {
            "settings": _decode(settings_type, data["settings"]),
            "runs": [_decode(run_type, run) for run in data["runs"]],
        }
        return _decode(cls, data, overrides)

    def write(self, folder: Path, name: str, samples: dict[str, np.ndarray] | None = None):
        """Write ``<name>.json`` (and ``<name>_samples.npz``) into ``folder``."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.json").write_text(self.to_json())
        if samples is not None:
            np.savez_compressed(folder / f"{name}{SAMPLES_SUFFIX}", **samples)


def _decode(cls, data: dict, overrides: dict | None = None):
    """A dataclass from its JSON dict, nested records included."""
    hints = typing.get_type_hints(cls)
    values = dict(overrides or {})
    for item in dataclasses.fields(cls):
        if item.name not in values and item.name in data:
            values[item.name] = _value(hints[item.name], data[item.name])
    return cls(**values)


def _value(hint, value):
    if value is None:
        return None
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        # X | None: the one type it can be when not None.
        hint = next(h for h in typing.get_args(hint) if h is not type(None))
    if dataclasses.is_dataclass(hint):
        return _decode(hint, value)
    if typing.get_origin(hint) is list and dataclasses.is_dataclass(typing.get_args(hint)[0]):
        return [_decode(typing.get_args(hint)[0], item) for item in value]
    return value


def stored():
    """The folder of the committed results (a Traversable: they may live in a wheel)."""
    return files(__name__)


def read_results(folder=None, stem: str = "lab_ablations") -> list[tuple[str, ResultsFile]]:
    """(file name, record) of every ``<stem>*.json`` in ``folder`` (default: the committed
    results), by name."""
    folder = stored() if folder is None else Path(folder)
    names = sorted(
        entry.name
        for entry in folder.iterdir()
        if entry.name.startswith(stem) and entry.name.endswith(".json")
    )
    return [(name, ResultsFile.from_json((folder / name).read_text())) for name in names]


def read_samples(folder, name: str) -> dict[str, np.ndarray]:
    """The sample digits stored beside ``<name>.json`` (``"<recipe>|<seed>"`` -> uint8 images)."""
    folder = stored() if folder is None else Path(folder)
    entry = folder / name.replace(".json", SAMPLES_SUFFIX)
    if not entry.is_file():
        return {}
    with entry.open("rb") as handle, np.load(handle) as arrays:
        return {key: arrays[key] for key in arrays.files}


__all__ = [
    "FINAL_METRICS",
    "AblationSettings",
    "Checkpoint",
    "Judge",
    "RealSpectrum",
    "ResultsFile",
    "Scores",
    "SpeedPoint",
    "SpeedRun",
    "SpeedSettings",
    "Targets",
    "TrainingRun",
    "read_results",
    "read_samples",
    "stored",
]
