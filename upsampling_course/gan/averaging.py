"""The running average of a generator's weights and the latent vectors a trainer draws.

Kept apart from :mod:`upsampling_course.gan.steps` (the chapter's reference
training steps) so that :class:`~upsampling_course.gan.trainer.GanTrainer`
works without them: the graded lab's sandboxed kernel gets the trainer but not
the reference steps, and trains with the student's step only.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def with_weight_averaging(train_step: Callable, generator, averaged_generator, decay: float):
    """``train_step`` followed by one update of a running average of the generator's weights.

    A GAN generator's weights keep circling around a good solution as the two
    networks chase each other; their exponential moving average sits nearer
    the middle and draws cleaner digits (Yazici et al., 2019, "The unusual
    effectiveness of averaging in GAN training"). ``averaged_generator`` must
    have the generator's architecture. The average starts with a short
    window, ``(1 + t) / (10 + t)`` after ``t`` steps, and settles at
    ``decay``, so the random initial weights fade out of it quickly.
    """
    import tensorflow as tf

    pairs = [
        (average, weight)
        for average, weight in zip(averaged_generator.weights, generator.weights, strict=True)
        if np.dtype(weight.dtype).kind == "f"  # skip integer state such as seed counters
    ]
    steps_done = tf.Variable(0.0, trainable=False)

    @tf.function
    def train_step_and_average(real_images, latent_vectors):
        losses = train_step(real_images, latent_vectors)
        steps_done.assign_add(1.0)
        rate = tf.minimum(decay, (1.0 + steps_done) / (10.0 + steps_done))
        for average, weight in pairs:
            average.assign(rate * average + (1.0 - rate) * weight)
        return losses

    return train_step_and_average


def sample_latents(
    rng: np.random.Generator, count: int, latent_dim: int, code_classes: int = 0, codes=None
) -> np.ndarray:
    """``count`` latent vectors: standard normal noise, ending in a one-hot code if ``code_classes``.

    The code values are drawn uniformly from ``rng`` unless ``codes`` (one
    integer per vector) chooses them.
    """
    latents = rng.standard_normal((count, latent_dim)).astype(np.float32)
    if code_classes:
        if codes is None:
            codes = rng.integers(0, code_classes, count)
        latents[:, latent_dim - code_classes :] = np.eye(code_classes, dtype=np.float32)[codes]
    return latents
