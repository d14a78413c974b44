"""GanTrainer works without the chapter's reference training steps (the lab's graded kernel)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from upsampling_grader.judge import package_view

TRAINER_ONLY = ("gan/networks", "gan/recipes", "gan/trainer", "gan/averaging")

pytestmark = pytest.mark.slow

SCRIPT = """
import numpy as np
from upsampling_course.gan.networks import build_discriminator, build_generator
from upsampling_course.gan.recipes import PLAIN_RECIPE
from upsampling_course.gan.trainer import GanTrainer

def no_step(generator, discriminator, g_opt, d_opt, label_smoothing):
    return lambda real, latents: (0.0, 0.0)

images = np.zeros((64, 28, 28, 1), "float32")
trainer = GanTrainer(build_generator(64, width=8), build_discriminator(width=8), images,
                     PLAIN_RECIPE, make_step=no_step)
trainer.train(steps=2, progress=False)
print("steps", trainer.history.steps)
try:
    GanTrainer(build_generator(64, width=8), build_discriminator(width=8), images, PLAIN_RECIPE)
except ImportError:
    print("no reference step")
"""


def test_trainer_runs_with_a_given_step_and_has_no_reference_step(tmp_path):
    """A package view without gan/steps trains with the student's step, and only with it."""
    package_view.build(tmp_path, TRAINER_ONLY)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path), "TF_CPP_MIN_LOG_LEVEL": "3"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "steps 2" in done.stdout
    assert "no reference step" in done.stdout
