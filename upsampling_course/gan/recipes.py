"""Training recipes: every hyperparameter of a GAN run apart from the data and the seed, defined once.

:data:`PLAIN_RECIPE` is the plain adversarial game, the one the graded lab
asks students to write. :data:`LAB_RECIPE` adds an InfoGAN categorical code
and is what the lab page trains. :data:`TUTORIAL_RECIPE` is the widely copied
TensorFlow DCGAN tutorial, kept for the speed comparison. Other modules and
pages read the numbers from these objects instead of restating them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from upsampling_course.gan.networks import (
    build_discriminator,
    build_generator,
    build_tutorial_discriminator,
    build_tutorial_generator,
)


@dataclass(frozen=True)
class Recipe:
    """Everything that defines a GAN training run apart from the data and the seed."""

    name: str
    build_generator: Callable
    build_discriminator: Callable
    latent_dim: int
    batch_size: int
    generator_learning_rate: float
    discriminator_learning_rate: float
    beta_1: float
    # One-sided label smoothing: the discriminator's target for real images
    # is 1 - label_smoothing.
    label_smoothing: float
    beta_2: float = 0.999
    # Decay of the running average of the generator's weights that samples are
    # drawn from (0: sample from the generator being trained).
    weight_averaging: float = 0.0
    # The last ``code_classes`` numbers of each latent vector are a one-hot
    # categorical code instead of normal noise; the discriminator guesses the
    # code and both networks are trained to make that guess right, weighted
    # by ``code_weight`` (InfoGAN; ``steps.make_code_train_step``). 0: no code.
    code_classes: int = 0
    code_weight: float = 0.0


# Adam with beta_1 0.5 and beta_2 0.99 and learning rates 2e-3 / 1e-3: small
# networks tolerate large steps, which matters most on a CPU
# (benchmarks/README.md).
PLAIN_RECIPE = Recipe(
    name="plain",
    build_generator=lambda: build_generator(64, "transpose", width=32),
    build_discriminator=lambda: build_discriminator(width=32),
    latent_dim=64,
    batch_size=64,
    generator_learning_rate=2e-3,
    discriminator_learning_rate=1e-3,
    beta_1=0.5,
    label_smoothing=0.1,
    beta_2=0.99,
    weight_averaging=0.995,
)

# A ten-valued code brings the generator's digits close to the real class
# balance (benchmarks/README.md, benchmarks/lab_ablations.py).
LAB_RECIPE = dataclasses.replace(
    PLAIN_RECIPE,
    name="lab",
    build_discriminator=lambda: build_discriminator(width=32, code_classes=10),
    code_classes=10,
    code_weight=0.3,
)

TUTORIAL_RECIPE = Recipe(
    name="tutorial",
    build_generator=build_tutorial_generator,
    build_discriminator=build_tutorial_discriminator,
    latent_dim=100,
    batch_size=256,
    generator_learning_rate=1e-4,
    discriminator_learning_rate=1e-4,
    beta_1=0.9,
    label_smoothing=0.0,
)


def _variant(base: Recipe, name: str, **changes) -> Recipe:
    return dataclasses.replace(base, name=name, **changes)


def _generator(upsampling: str, kernel_size: int = 4) -> Callable:
    return lambda: build_generator(64, upsampling, width=32, kernel_size=kernel_size)


# The lab recipe with one choice changed at a time: what the lab page's
# ablation table and the artifacts chapter's spectra compare
# (benchmarks/lab_ablations.py trains them over several seeds).
ABLATIONS = {
    recipe.name: recipe
    for recipe in (
        LAB_RECIPE,
        _variant(PLAIN_RECIPE, "no code"),
        _variant(LAB_RECIPE, "no weight averaging", weight_averaging=0.0),
        _variant(
            LAB_RECIPE,
            "learning rates / 4",
            generator_learning_rate=LAB_RECIPE.generator_learning_rate / 4,
            discriminator_learning_rate=LAB_RECIPE.discriminator_learning_rate / 4,
        ),
        _variant(LAB_RECIPE, "transposed k=5", build_generator=_generator("transpose", 5)),
        _variant(LAB_RECIPE, "transposed k=3", build_generator=_generator("transpose", 3)),
        _variant(LAB_RECIPE, "resize-convolution", build_generator=_generator("resize")),
        _variant(LAB_RECIPE, "sub-pixel (ICNR)", build_generator=_generator("subpixel")),
    )
}

# Three ways a GAN run fails, each one change to the plain recipe, for the
# lab page's failure gallery.
FAILURES = {
    recipe.name: recipe
    for recipe in (
        # The discriminator barely learns, so the generator chases one fixed
        # judge and can put all its latent vectors on whatever fools it.
        _variant(PLAIN_RECIPE, "frozen discriminator", discriminator_learning_rate=1e-7),
        # The generator barely learns, so the discriminator tells its fakes
        # apart at once and the generator never catches up.
        _variant(PLAIN_RECIPE, "discriminator wins", generator_learning_rate=1e-5),
        _variant(
            PLAIN_RECIPE,
            "learning rate too high",
            generator_learning_rate=5e-2,
            discriminator_learning_rate=5e-2,
        ),
    )
}
