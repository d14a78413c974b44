"""One recorded training run of a recipe: scores along the way, losses, spectrum and samples.

``benchmarks/lab_ablations.py`` calls :func:`recorded_run` for every recipe
and seed and writes the records (:mod:`upsampling_course.results`) that the
lab page and the artifacts chapter plot (:mod:`upsampling_course.lab_results`).
"""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path

import numpy as np

from upsampling_course.gan.recipes import Recipe
from upsampling_course.gan.trainer import GanTrainer
from upsampling_course.results import Checkpoint, Scores, TrainingRun


def machine_record() -> dict:
    """The CPU model, the cores this process may use and the platform, for a results file."""
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in (
                Path("/proc/cpuinfo").read_text().splitlines()
                if Path("/proc/cpuinfo").exists()
                else []
            )
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "cpu": model,
        "cores_visible": len(os.sched_getaffinity(0)),
        "platform": platform.platform(),
    }


def versions_record() -> dict:
    """Python, TensorFlow, Keras and NumPy versions, for a results file."""
    import keras
    import numpy
    import tensorflow

    return {
        "python": platform.python_version(),
        "tensorflow": tensorflow.__version__,
        "keras": keras.__version__,
        "numpy": numpy.__version__,
    }


def significant(values, digits: int = 4) -> list:
    """``values`` as nested lists of floats rounded to ``digits`` significant digits (for JSON)."""
    return np.vectorize(lambda value: float(f"{value:.{digits}g}"))(np.asarray(values)).tolist()


def block_means(values, block: int) -> list[float]:
    """Means of consecutive blocks of ``block`` values (a shorter last block is dropped)."""
    values = np.asarray(values, dtype=np.float64)
    usable = len(values) // block * block
    return values[:usable].reshape(-1, block).mean(axis=1).tolist()


def recorded_run(
    recipe: Recipe,
    scorer,
    steps: int,
    score_every: int,
    seed: int,
    num_images: int = 1000,
    num_samples: int = 16,
    loss_block: int = 10,
    stop_at_targets: bool = False,
    failure: bool = False,
) -> tuple[TrainingRun, np.ndarray]:
    """Train ``recipe`` for ``steps`` steps on ``scorer.train`` digits and return ``(record, samples)``.

    Every ``score_every`` steps the quality score of ``num_images`` generated
    digits is recorded (scoring time is not training time); with
    ``stop_at_targets`` training stops at the first scoring that meets all
    three of the lab's targets, so ``steps`` is a cap. The record holds the
    steps and training seconds to that first hit (None if there was none). At the end the
    record also holds the checkerboard score, the spectral artifact score
    against the held-out real digits and the spectrum's log ratio per ring.
    ``samples`` are ``num_samples`` final digits as uint8 (0 black, 255 white).
    Both losses are kept as means of ``loss_block`` steps. ``failure`` marks
    a recipe meant to fail (``gan.recipes.FAILURES``).
    """
    from upsampling_course.artifacts import checkerboard_score
    from upsampling_course.spectrum import (
        power_spectrum_2d,
        spectral_artifact_score,
        spectrum_log_ratio,
    )

    if steps < 1 or score_every < 1:
        raise ValueError("steps and score_every must be positive")
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    trainer = GanTrainer.from_recipe(recipe, scorer.train.images, seed=seed)
    checkpoints = []
    while trainer.history.steps < steps:
        trainer.train(steps=min(score_every, steps - trainer.history.steps), progress=False)
        score = Scores.of(scorer.score(trainer.generate(num_images)))
        checkpoints.append(Checkpoint(trainer.history.steps, trainer.history.seconds, score))
        if stop_at_targets and score.meets_targets:
            break
    first_hit = next((point for point in checkpoints if point.scores.meets_targets), None)
    final = trainer.generate(num_images)
    frequencies, log_ratio = spectrum_log_ratio(final, scorer.test.images)
    record = TrainingRun(
        recipe=recipe.name,
        seed=seed,
        failure=failure,
        checkpoints=checkpoints,
        steps_to_targets=first_hit.steps if first_hit else None,
        seconds_to_targets=first_hit.seconds if first_hit else None,
        stopped_at_targets=stop_at_targets,
        steps_per_second=trainer.history.steps / trainer.history.seconds,
        checkerboard_score=checkerboard_score(final),
        spectral_artifact_score=spectral_artifact_score(final, scorer.test.images),
        spectrum_frequencies=frequencies.tolist(),
        spectrum_log_ratio=log_ratio.tolist(),
        # The whole batch-mean 2-D spectrum, so other ring definitions can be computed later.
        power_spectrum_2d=significant(power_spectrum_2d(final)),
        loss_block=loss_block,
        generator_loss=block_means(trainer.history.generator_loss, loss_block),
        discriminator_loss=block_means(trainer.history.discriminator_loss, loss_block),
        wall_seconds=time.perf_counter() - started,
        load_average_before=load_before,
        load_average_after=os.getloadavg()[0],
    )
    samples = np.clip(np.rint((final[:num_samples, :, :, 0] + 1) * 127.5), 0, 255)
    return record, samples.astype(np.uint8)
