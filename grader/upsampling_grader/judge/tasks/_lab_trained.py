"""The lab judge's training check: the trained generator, rebuilt, sampled and scored here.

The judge asks the kernel for the generator the trainer samples from (its
configuration and weights), checks that it has the architecture
``build_generator`` builds, draws its own latent vectors, and scores the
digits with the course's quality measure (``upsampling_course.quality``)
against an untrained generator of the same architecture (fresh initial
weights drawn here). Digits that are copies of training digits score
nothing. No number the kernel reports counts, apart from the step count of
the training budget, which the message shows.
"""

from __future__ import annotations

import numpy as np

from upsampling_course.assignments.mnist_generator_lab import TRAINING_STEPS, trained_report
from upsampling_grader.judge.answers import Wrong
from upsampling_grader.judge.models import model_of
from upsampling_grader.judge.verdicts import Verdict, failed, passed

# Samples of each generator. Twice the 128 features of the Frechet distance keeps its
# covariance of full rank; the confident fraction's standard error is then at most
# 0.5 / sqrt(256) = 0.03, and the untrained generator's spread is about zero (its blank
# images all look alike), so the thresholds (half the untrained Frechet distance, its
# confident fraction + 0.05) are far from the noise of a generator that trained: the
# solution scores about 100-150 where 324 is allowed, and a confident fraction of about 0.5.
SAMPLES = 256
# A sample whose mean squared pixel difference to its nearest training digit is below this
# is a copy (two different real digits of one class differ by about 0.3 or more).
COPY_DISTANCE = 0.02
_SCORER: list = []


def scorer():
    if not _SCORER:
        from upsampling_course.quality import load_scorer

        _SCORER.append(load_scorer(verbose=False))
    return _SCORER[0]


def _architecture(model) -> list:
    return [
        (type(layer).__name__, [tuple(w.shape) for w in layer.weights]) for layer in model.layers
    ]


def copied_share(images: np.ndarray, train: np.ndarray) -> float:
    """The share of ``images`` that are near-copies of a training digit."""
    flat = images.reshape(len(images), -1).astype("float32")
    known = train.reshape(len(train), -1).astype("float32")
    squared = (flat**2).sum(1)[:, None] - 2 * flat @ known.T + (known**2).sum(1)[None, :]
    nearest = np.maximum(squared.min(axis=1), 0.0) / flat.shape[1]
    return float(np.mean(nearest < COPY_DISTANCE))


def _trained_model(ask):
    for name in ("trainer.sampling_generator", "generator"):
        answer = ask.model(name)
        if answer.ok:
            return model_of(answer, name)
    raise Wrong("there is no trained generator: keep the names `trainer` and `generator`")


def judge_trained(ask, case, reference) -> Verdict:
    """Passed when the judge's samples of the trained generator beat an untrained one's."""
    from upsampling_course.keras_setup import keras_module

    steps = ask.value("trainer.history.steps")
    if steps.ok and type(steps.value) is int and not 0 < steps.value <= TRAINING_STEPS:
        return failed(f"train for 1 to {TRAINING_STEPS} steps, not {steps.value}")
    try:
        trained = _trained_model(ask)
    except Wrong as why:
        return failed(str(why))
    if reference is not None and _architecture(trained) != _architecture(reference):
        return failed(
            "the trained generator does not have the architecture build_generator(64) builds: "
            "train the generator of part 1"
        )
    rng = case.rng("trained_generator")
    keras = keras_module()
    latents = rng.standard_normal((SAMPLES, trained.input_shape[-1])).astype("float32")
    keras.utils.set_random_seed(int(rng.integers(2**31)))
    untrained = keras.models.model_from_json(trained.to_json())  # fresh initial weights
    images = np.asarray(trained.predict(latents, verbose=0), dtype="float32")
    if images.shape != (SAMPLES, 28, 28, 1) or not np.isfinite(images).all():
        return failed(f"the trained generator draws images of shape {images.shape}, not digits")
    low, high = float(images.min()), float(images.max())
    if low < -1.001 or high > 1.001:
        return failed(f"the trained generator's pixels reach {low:.2f} .. {high:.2f}, not -1 .. 1")
    if copied_share(images, scorer().train.images) > 0.5:
        return failed("most of the trained generator's digits are copies of training digits")
    baseline = np.asarray(untrained.predict(latents, verbose=0), dtype="float32")
    ok, text = trained_report(scorer(), images, np.clip(baseline, -1, 1))
    if not ok:
        return failed(f"not clearly better than an untrained generator: {text}")
    return passed(text)
