"""The judge of the MNIST generator lab: generators rebuilt outside the kernel, steps probed on
the judge's networks, the trained generator sampled and scored by the judge.

Generators come back as checked Keras configurations and weights
(``judge.models.model_of``) and are run here on latent vectors drawn for this
grading run. A training step is called in the kernel once, on networks and a
batch the judge chose, by ``upsampling_course.lab_probe.probe_step``; what comes
back (losses, weights after the step) is the student's answer, checked here
against the loss definitions on logits the judge computes with its own copies
of those networks (:mod:`._lab_steps`). The trained generator is sampled from
the judge's latent vectors and scored with the course's quality measure here.
"""

from __future__ import annotations

import numpy as np

from upsampling_course.assignments.mnist_generator_lab import (
    range_breaks,
    resize_rule_breaks,
    right_letter,
    transpose_rule_breaks,
)
from upsampling_grader.judge.answers import Wrong, exact_str, value_of
from upsampling_grader.judge.models import model_of
from upsampling_grader.judge.registry import Case, Tasks
from upsampling_grader.judge.tasks import _lab_steps as steps
from upsampling_grader.judge.tasks._lab_trained import judge_trained
from upsampling_grader.judge.verdicts import Verdict, failed, passed, share

NOTEBOOK = "mnist_generator_lab"
# The trainer and the networks, the data, the quality measure, the probe: never gan/steps
# (the chapter's reference step) nor gan/__init__ (which imports it).
KERNEL_MODULES = (
    "plotting", "lab_plots", "quality", "cache", "data", "shipped", "lab_probe",
    "gan/networks", "gan/recipes", "gan/trainer", "gan/averaging",
    "assignments/__init__", "assignments/mnist_generator_lab",
)  # fmt: skip
TASKS = Tasks()


def _generator(ask, name: str, latent_dim: int = 64):
    """The model ``name(latent_dim)`` builds in the kernel, rebuilt here (Wrong if it cannot be);
    asked once per kernel."""
    return steps.remembered(
        ask,
        ("model", name, latent_dim),
        lambda: model_of(ask.model(name, latent_dim), f"{name}({latent_dim})"),
    )


def _images(model, latents: np.ndarray) -> np.ndarray:
    return np.asarray(model(latents, training=False), dtype="float64")


@TASKS("test_generator_shape", kind="shown", asks="one 28 x 28 x 1 image per latent vector")
def generator_shape(ask, case: Case) -> Verdict:
    rng = case.rng("generator_shape")
    for latent_dim in (int(rng.choice((16, 32, 48))), int(rng.choice((80, 100, 128)))):
        count = int(rng.integers(2, 7))
        try:
            model = _generator(ask, "build_generator", latent_dim)
            images = _images(model, rng.standard_normal((count, latent_dim)).astype("float32"))
        except Wrong as why:
            return failed(str(why))
        except Exception as error:
            return failed(f"build_generator({latent_dim}) fails on latent vectors ({error})")
        if images.shape != (count, 28, 28, 1):
            return failed(
                f"build_generator({latent_dim}) turns {count} latent vectors into shape "
                f"{images.shape}, not {(count, 28, 28, 1)}: a 'valid' Conv2DTranspose overhangs"
            )
        if not np.isfinite(images).all():
            return failed(f"build_generator({latent_dim}) draws NaN or infinite pixels")
    return passed("one 28 x 28 x 1 image per latent vector, for latent sizes the judge chose")


def _range(ask, case: Case, name: str) -> list[str]:
    rng = case.rng(f"range {name}")
    model = _generator(ask, name)
    return range_breaks(_images(model, (rng.standard_normal((16, 64)) * 1000).astype("float32")))


@TASKS("test_generator_range", kind="shown", asks="pixels in [-1, 1], reaching both ends (tanh)")
def generator_range(ask, case: Case) -> Verdict:
    try:
        breaks = _range(ask, case, "build_generator")
    except Wrong as why:
        return failed(str(why))
    return failed(*breaks) if breaks else passed("pixels in [-1, 1], reaching both ends")


@TASKS(
    "test_generator_layers",
    kind="transfer",
    asks="stride-2 Conv2DTranspose layers whose kernels overlap evenly and reach kernel_at_least",
)
def generator_layers(ask, case: Case) -> Verdict:
    try:
        breaks = transpose_rule_breaks(
            _generator(ask, "build_generator"), case.variant["kernel_at_least"]
        )
    except Wrong as why:
        return failed(str(why))
    return failed(*breaks) if breaks else passed("kernels that overlap evenly, within budget")


@TASKS("test_step_losses", kind="shown", asks="the cross-entropy step's two losses (any smoothing)")
def step_losses(ask, case: Case) -> Verdict:
    return steps.judge_losses(ask, case, "make_train_step", "bce")


@TASKS("test_step_updates", kind="shown", asks="one cross-entropy step lowers each network's loss")
def step_updates(ask, case: Case) -> Verdict:
    return steps.judge_updates(ask, case, "make_train_step", "bce", ("generator", "discriminator"))


@TASKS(
    "test_hinge_training_mode",
    kind="transfer",
    asks="the hinge step calls both networks in training mode (read from its losses)",
)
def hinge_training_mode(ask, case: Case) -> Verdict:
    return steps.judge_training_mode(ask, case, "make_hinge_step", "hinge")


@TASKS("test_hinge_losses", kind="transfer", asks="the hinge step's two losses, your margin")
def hinge_losses(ask, case: Case) -> Verdict:
    return steps.judge_losses(ask, case, "make_hinge_step", "hinge")


@TASKS(
    "test_hinge_updates_generator",
    kind="transfer",
    asks="one hinge step lowers the generator's loss",
)
def hinge_updates_generator(ask, case: Case) -> Verdict:
    return steps.judge_updates(ask, case, "make_hinge_step", "hinge", ("generator",))


@TASKS(
    "test_hinge_updates_discriminator",
    kind="transfer",
    asks="one hinge step lowers the discriminator's loss",
)
def hinge_updates_discriminator(ask, case: Case) -> Verdict:
    return steps.judge_updates(ask, case, "make_hinge_step", "hinge", ("discriminator",))


@TASKS("test_resize_output", kind="transfer", asks="the resize generator's shape and tanh range")
def resize_output(ask, case: Case) -> Verdict:
    rng = case.rng("resize_output")
    try:
        model = _generator(ask, "build_resize_generator")
        images = _images(model, rng.standard_normal((3, 64)).astype("float32"))
        breaks = _range(ask, case, "build_resize_generator")
    except Wrong as why:
        return failed(str(why))
    shape_ok = images.shape == (3, 28, 28, 1) and bool(np.isfinite(images).all())
    return share(
        [
            (shape_ok, f"3 latent vectors give shape {images.shape}, not (3, 28, 28, 1)"),
            (not breaks, breaks[0] if breaks else ""),
        ],
        ok="one 28 x 28 x 1 image per latent vector, pixels in [-1, 1] reaching both ends",
    )


@TASKS(
    "test_resize_layers",
    kind="transfer",
    asks="a generator grown by UpSampling2D + stride-1 Conv2D only, within budget",
)
def resize_layers(ask, case: Case) -> Verdict:
    try:
        breaks = resize_rule_breaks(_generator(ask, "build_resize_generator"))
    except Wrong as why:
        return failed(str(why))
    return failed(*breaks) if breaks else passed("resize-convolutions only, within budget")


@TASKS("test_why_resize", kind="shown", asks="why a resize-convolution takes any kernel size")
def why_resize(ask, case: Case) -> Verdict:
    try:
        letter = exact_str(value_of(ask.value("why_resize"), "why_resize"), "why_resize")
    except Wrong as why:
        return failed(str(why))
    if letter.strip().upper() not in tuple("ABCD"):
        return failed("answer with one letter, A to D")
    if letter.strip().upper() != right_letter(case.variant):
        return failed(
            "not that one: feed a constant image through UpSampling2D(2) and a Conv2D, and "
            "compare what the four output phases (row and column parity) add up"
        )
    return passed("equal phase gains whatever the kernel size")


@TASKS(
    "test_trained_generator",
    kind="transfer",
    asks="a generator trained with your hinge step beats an untrained one (judge's samples)",
)
def trained_generator(ask, case: Case) -> Verdict:
    try:
        reference = _generator(ask, "build_generator")
    except Wrong:
        reference = None  # scored on its own; part 1 already lost its points for it
    return judge_trained(ask, case, reference)
