"""A small DCGAN for MNIST digits that trains in minutes on a laptop CPU.

Used by *The MNIST generator lab* (``book/mnist_lab.md``), the graded lab
notebook ``mnist_generator_lab`` and the ``benchmarks/lab_*.py`` scripts.
One module per job:

- :mod:`~upsampling_course.gan.networks`: the generators and discriminators;
- :mod:`~upsampling_course.gan.recipes`: the hyperparameters of a run
  (:data:`LAB_RECIPE`, :data:`PLAIN_RECIPE`, :data:`TUTORIAL_RECIPE`), defined
  once; read the numbers there;
- :mod:`~upsampling_course.gan.steps`: the compiled training steps, the
  running weight average, latent vectors;
- :mod:`~upsampling_course.gan.trainer`: :class:`GanTrainer`, which runs them.

Everything is re-exported here, so ``from upsampling_course.gan import X``
works for every name the chapters, notebooks and tests use.
"""

from upsampling_course.gan.networks import (
    BATCH_NORM_MOMENTUM,
    UPSAMPLING_METHODS,
    build_discriminator,
    build_generator,
    build_tutorial_discriminator,
    build_tutorial_generator,
    make_reproducible,
)
from upsampling_course.gan.recipes import LAB_RECIPE, PLAIN_RECIPE, TUTORIAL_RECIPE, Recipe
from upsampling_course.gan.steps import (
    make_code_train_step,
    make_train_step,
    sample_latents,
    with_weight_averaging,
)
from upsampling_course.gan.trainer import (
    GanTrainer,
    TrainingHistory,
    check_training_images,
    progress_bar,
    recipe_train_step,
)

__all__ = [
    "BATCH_NORM_MOMENTUM",
    "LAB_RECIPE",
    "PLAIN_RECIPE",
    "TUTORIAL_RECIPE",
    "UPSAMPLING_METHODS",
    "GanTrainer",
    "Recipe",
    "TrainingHistory",
    "build_discriminator",
    "build_generator",
    "build_tutorial_discriminator",
    "build_tutorial_generator",
    "check_training_images",
    "make_code_train_step",
    "make_reproducible",
    "make_train_step",
    "progress_bar",
    "recipe_train_step",
    "sample_latents",
    "with_weight_averaging",
]
